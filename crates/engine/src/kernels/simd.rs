//! A four-lane `f32` vector, [`F32x4`], the one SIMD type the CPU kernels use.
//!
//! It is deliberately tiny: load, store, splat, add, mul, `mul_add` and a
//! horizontal sum, which is all a register-blocked GEMM and the elementwise
//! helpers need, plus `sub`, `div` and the NaN-keeping pseudo-minimum and
//! -maximum that [`super::tanh`] clamps with. One of three implementations is compiled in:
//!
//! - WebAssembly SIMD128 (`core::arch::wasm32`) when building for `wasm32` with
//!   `target-feature=+simd128` (set in `.cargo/config.toml`);
//! - SSE (`core::arch::x86_64`), which every x86-64 processor has;
//! - a plain `[f32; 4]` everywhere else.
//!
//! Every lane operation is the IEEE single-precision operation of the scalar
//! code, and [`F32x4::mul_add`] is a multiply *then* an add (never fused), so
//! the three implementations give bit-identical results: the page in the
//! browser and `cargo test` on a laptop compute the same numbers.
//!
//! It is not a general SIMD library: no comparisons, shuffles or other widths.

use std::ops::{Add, Div, Mul, Sub};

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use core::arch::wasm32 as arch;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64 as arch;

/// Which implementation [`F32x4`] compiles to on this target, for people
/// (benchmarks, the page's speed read-out).
pub const IMPLEMENTATION: &str = if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
    "wasm simd128"
} else if cfg!(target_arch = "x86_64") {
    "x86-64 sse"
} else {
    "portable scalar"
};

/// Four `f32` lanes operated on at once.
#[derive(Clone, Copy, Debug)]
#[repr(transparent)]
pub struct F32x4(Inner);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type Inner = arch::v128;
#[cfg(target_arch = "x86_64")]
type Inner = arch::__m128;
#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
type Inner = [f32; 4];

/// Panics with a clear message unless `len` can hold one vector.
#[inline(always)]
fn check_len(len: usize, what: &str) {
    assert!(
        len >= F32x4::LANES,
        "F32x4::{what} needs a slice of at least 4 elements, got {len}"
    );
}

impl F32x4 {
    /// Number of lanes.
    pub const LANES: usize = 4;

    /// Loads the first four elements of `src`.
    ///
    /// # Panics
    /// If `src` has fewer than four elements.
    #[inline(always)]
    pub fn load(src: &[f32]) -> Self {
        check_len(src.len(), "load");
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            // SAFETY: `src` holds at least four f32 (asserted above), so the 16
            // bytes read are in bounds; v128_load has no alignment requirement.
            Self(unsafe { arch::v128_load(src.as_ptr().cast()) })
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: `src` holds at least four f32 (asserted above), so the 16
            // bytes read are in bounds; loadu has no alignment requirement.
            Self(unsafe { arch::_mm_loadu_ps(src.as_ptr()) })
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            Self([src[0], src[1], src[2], src[3]])
        }
    }

    /// Stores the four lanes into the first four elements of `dst`.
    ///
    /// # Panics
    /// If `dst` has fewer than four elements.
    #[inline(always)]
    pub fn store(self, dst: &mut [f32]) {
        check_len(dst.len(), "store");
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            // SAFETY: `dst` holds at least four f32 (asserted above), so the 16
            // bytes written are in bounds; v128_store has no alignment requirement.
            unsafe { arch::v128_store(dst.as_mut_ptr().cast(), self.0) }
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: `dst` holds at least four f32 (asserted above), so the 16
            // bytes written are in bounds; storeu has no alignment requirement.
            unsafe { arch::_mm_storeu_ps(dst.as_mut_ptr(), self.0) }
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            dst[..4].copy_from_slice(&self.0);
        }
    }

    /// All four lanes set to `value`.
    #[inline(always)]
    pub fn splat(value: f32) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Self(arch::f32x4_splat(value))
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE is part of the x86-64 baseline, so the instruction exists.
            Self(unsafe { arch::_mm_set1_ps(value) })
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            Self([value; 4])
        }
    }

    /// The lanes as an array, lane 0 first.
    #[inline(always)]
    pub fn to_array(self) -> [f32; 4] {
        let mut lanes = [0.0; 4];
        self.store(&mut lanes);
        lanes
    }

    /// Lane-wise `self + other`.
    #[inline(always)]
    #[allow(clippy::should_implement_trait)] // it does, via `Add`; this is the spelled-out form
    pub fn add(self, other: Self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Self(arch::f32x4_add(self.0, other.0))
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE is part of the x86-64 baseline, so the instruction exists.
            Self(unsafe { arch::_mm_add_ps(self.0, other.0) })
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            let (a, b) = (self.0, other.0);
            Self([a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]])
        }
    }

    /// Lane-wise `self - other`.
    #[inline(always)]
    #[allow(clippy::should_implement_trait)] // it does, via `Sub`; this is the spelled-out form
    pub fn sub(self, other: Self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Self(arch::f32x4_sub(self.0, other.0))
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE is part of the x86-64 baseline, so the instruction exists.
            Self(unsafe { arch::_mm_sub_ps(self.0, other.0) })
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            let (a, b) = (self.0, other.0);
            Self([a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]])
        }
    }

    /// Lane-wise `self * other`.
    #[inline(always)]
    #[allow(clippy::should_implement_trait)] // it does, via `Mul`; this is the spelled-out form
    pub fn mul(self, other: Self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Self(arch::f32x4_mul(self.0, other.0))
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE is part of the x86-64 baseline, so the instruction exists.
            Self(unsafe { arch::_mm_mul_ps(self.0, other.0) })
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            let (a, b) = (self.0, other.0);
            Self([a[0] * b[0], a[1] * b[1], a[2] * b[2], a[3] * b[3]])
        }
    }

    /// Lane-wise `self / other`.
    #[inline(always)]
    #[allow(clippy::should_implement_trait)] // it does, via `Div`; this is the spelled-out form
    pub fn div(self, other: Self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Self(arch::f32x4_div(self.0, other.0))
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE is part of the x86-64 baseline, so the instruction exists.
            Self(unsafe { arch::_mm_div_ps(self.0, other.0) })
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            let (a, b) = (self.0, other.0);
            Self([a[0] / b[0], a[1] / b[1], a[2] / b[2], a[3] / b[3]])
        }
    }

    /// Lane-wise [`pseudo_min`]: `other` where `other < self`, else `self`
    /// (so a NaN in `self` is kept).
    #[inline(always)]
    pub fn pseudo_min(self, other: Self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Self(arch::f32x4_pmin(self.0, other.0))
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE is part of the x86-64 baseline, so the instruction
            // exists. minps(a, b) is `a < b ? a : b`, b when unordered.
            Self(unsafe { arch::_mm_min_ps(other.0, self.0) })
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            let (a, b) = (self.0, other.0);
            Self([0, 1, 2, 3].map(|i| pseudo_min(a[i], b[i])))
        }
    }

    /// Lane-wise [`pseudo_max`]: `other` where `self < other`, else `self`
    /// (so a NaN in `self` is kept).
    #[inline(always)]
    pub fn pseudo_max(self, other: Self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Self(arch::f32x4_pmax(self.0, other.0))
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE is part of the x86-64 baseline, so the instruction
            // exists. maxps(a, b) is `a > b ? a : b`, b when unordered.
            Self(unsafe { arch::_mm_max_ps(other.0, self.0) })
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            let (a, b) = (self.0, other.0);
            Self([0, 1, 2, 3].map(|i| pseudo_max(a[i], b[i])))
        }
    }

    /// Lane-wise `self * b + c`: a multiply, rounded, then an add, rounded.
    ///
    /// Deliberately not fused, so that results match the scalar kernels (and
    /// every target) bit for bit.
    #[inline(always)]
    pub fn mul_add(self, b: Self, c: Self) -> Self {
        self.mul(b).add(c)
    }

    /// The sum of the four lanes, as `(l0 + l1) + (l2 + l3)` on every target.
    #[inline(always)]
    pub fn horizontal_sum(self) -> f32 {
        let [l0, l1, l2, l3] = self.to_array();
        (l0 + l1) + (l2 + l3)
    }
}

/// `other` if `other < x`, else `x`: the minimum that [`F32x4::pseudo_min`]
/// takes in each lane (WebAssembly's `pmin`), so a NaN `x` comes through.
#[inline(always)]
pub fn pseudo_min(x: f32, other: f32) -> f32 {
    if other < x { other } else { x }
}

/// `other` if `x < other`, else `x`: the maximum that [`F32x4::pseudo_max`]
/// takes in each lane (WebAssembly's `pmax`), so a NaN `x` comes through.
#[inline(always)]
pub fn pseudo_max(x: f32, other: f32) -> f32 {
    if x < other { other } else { x }
}

impl Default for F32x4 {
    /// All lanes zero.
    fn default() -> Self {
        Self::splat(0.0)
    }
}

impl Add for F32x4 {
    type Output = Self;
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        F32x4::add(self, other)
    }
}

impl Sub for F32x4 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        F32x4::sub(self, other)
    }
}

impl Div for F32x4 {
    type Output = Self;
    #[inline(always)]
    fn div(self, other: Self) -> Self {
        F32x4::div(self, other)
    }
}

impl Mul for F32x4 {
    type Output = Self;
    #[inline(always)]
    fn mul(self, other: Self) -> Self {
        F32x4::mul(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_store_round_trip_ignores_extra_elements() {
        let src = [1.0, 2.0, 3.0, 4.0, 5.0];
        let v = F32x4::load(&src[1..]);
        let mut dst = [0.0; 6];
        v.store(&mut dst[2..]);
        assert_eq!(dst, [0.0, 0.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(v.to_array(), [2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn arithmetic_is_lane_wise() {
        let a = F32x4::load(&[1.0, 2.0, 3.0, 4.0]);
        let b = F32x4::load(&[10.0, 20.0, 30.0, 40.0]);
        assert_eq!((a + b).to_array(), [11.0, 22.0, 33.0, 44.0]);
        assert_eq!((a * b).to_array(), [10.0, 40.0, 90.0, 160.0]);
        assert_eq!((b - a).to_array(), [9.0, 18.0, 27.0, 36.0]);
        let c = F32x4::splat(0.5);
        assert_eq!(a.mul_add(b, c).to_array(), [10.5, 40.5, 90.5, 160.5]);
        assert_eq!(a.horizontal_sum(), 10.0);
        assert_eq!(F32x4::default().to_array(), [0.0; 4]);
    }

    #[test]
    fn div_and_pseudo_min_max_are_lane_wise_and_keep_nan_in_self() {
        let a = F32x4::load(&[1.0, -2.0, f32::NAN, f32::INFINITY]);
        let b = F32x4::load(&[4.0, 4.0, 4.0, 4.0]);
        let q = (a / b).to_array();
        assert_eq!([q[0], q[1], q[3]], [0.25, -0.5, f32::INFINITY]);
        assert!(q[2].is_nan());
        let lo = a.pseudo_min(b).to_array();
        let hi = a.pseudo_max(b).to_array();
        assert_eq!([lo[0], lo[1], lo[3]], [1.0, -2.0, 4.0]);
        assert_eq!([hi[0], hi[1], hi[3]], [4.0, 4.0, f32::INFINITY]);
        assert!(lo[2].is_nan() && hi[2].is_nan());
        let mut lanes = [0.0; 4];
        F32x4::splat(5.0).pseudo_min(a).store(&mut lanes);
        assert_eq!(lanes[2], 5.0, "a NaN in `other` loses, as in pmin");
        for (x, y) in [(1.0, 4.0), (-2.0, 4.0), (f32::NAN, 4.0), (4.0, f32::NAN)] {
            let v = F32x4::splat(x).pseudo_min(F32x4::splat(y)).to_array()[0];
            assert_eq!(v.to_bits(), pseudo_min(x, y).to_bits(), "min {x} {y}");
            let v = F32x4::splat(x).pseudo_max(F32x4::splat(y)).to_array()[0];
            assert_eq!(v.to_bits(), pseudo_max(x, y).to_bits(), "max {x} {y}");
        }
    }

    #[test]
    fn mul_add_is_not_fused() {
        // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: the last term is lost when the
        // product is rounded first, and kept by a fused multiply-add.
        let x = 1.0 + f32::EPSILON * 2048.0;
        let v = F32x4::splat(x).mul_add(F32x4::splat(x), F32x4::splat(-1.0));
        let unfused = x * x - 1.0;
        assert_eq!(v.to_array(), [unfused; 4]);
        assert_ne!(unfused, x.mul_add(x, -1.0));
    }

    #[test]
    #[should_panic(expected = "at least 4 elements")]
    fn short_slices_are_refused() {
        let _ = F32x4::load(&[1.0, 2.0, 3.0]);
    }
}
