//! The hyperbolic tangent, one value or four lanes at a time, with the same
//! bits either way.
//!
//! `tanh x ≈ x·P(x²) / Q(x²)`: the 13th convergent of Lambert's continued
//! fraction `tanh x = x / (1 + x²/(3 + x²/(5 + x²/(7 + …))))`, whose
//! polynomials have the integer coefficients below. `x` is clamped to ±10
//! (`tanh` is ±1 in `f32` from ±9.01, and the fraction gives exactly 1 at
//! 10) and the result to ±1 (the fraction can overshoot 1 by an ulp or two
//! just below 10). It is within 8 ulp of the true value everywhere (tested
//! against `f64::tanh`), odd, never beyond ±1, NaN in gives NaN out, and it
//! needs only multiply, add, divide and clamps.
//!
//! That is why it is here rather than `libm::tanhf`: the same operations run
//! in every SIMD lane, so the vector and scalar paths (and the browser and
//! native builds) agree bit for bit, and it is an order of magnitude faster
//! (`cargo bench -p playnet-engine --bench kernels -- tanh`). libm's tanh was
//! the largest single cost of training the Playground's tanh networks.

use super::simd::{F32x4, pseudo_max, pseudo_min};

/// Where the approximation stops: the fraction is exactly 1 at 10 (tested).
const LIMIT: f32 = 10.0;

/// `P`'s coefficients, constant term first (exact integers, rounded to `f32`).
const P: [f32; 7] = [
    7_905_853_580_625.0,
    1_159_525_191_825.0,
    41_247_931_725.0,
    523_783_260.0,
    2_552_550.0,
    4_095.0,
    1.0,
];

/// `Q`'s coefficients, constant term first.
const Q: [f32; 7] = [
    7_905_853_580_625.0,
    3_794_809_718_700.0,
    252_070_693_875.0,
    5_237_832_600.0,
    41_351_310.0,
    120_120.0,
    91.0,
];

/// `tanh(x)`, as every lane of [`tanh4`] computes it.
#[inline]
pub fn tanh(x: f32) -> f32 {
    let x = pseudo_max(pseudo_min(x, LIMIT), -LIMIT);
    let z = x * x;
    let mut p = P[6];
    let mut q = Q[6];
    for i in (0..6).rev() {
        p = p * z + P[i];
        q = q * z + Q[i];
    }
    pseudo_max(pseudo_min(x * p / q, 1.0), -1.0)
}

/// [`tanh`] of each lane.
#[inline(always)]
pub fn tanh4(x: F32x4) -> F32x4 {
    let x = x
        .pseudo_min(F32x4::splat(LIMIT))
        .pseudo_max(F32x4::splat(-LIMIT));
    let z = x * x;
    let mut p = F32x4::splat(P[6]);
    let mut q = F32x4::splat(Q[6]);
    for i in (0..6).rev() {
        p = p.mul_add(z, F32x4::splat(P[i]));
        q = q.mul_add(z, F32x4::splat(Q[i]));
    }
    (x * p / q)
        .pseudo_min(F32x4::splat(1.0))
        .pseudo_max(F32x4::splat(-1.0))
}

/// `out[i] = tanh(x[i])`, four at a time when [`super::simd_enabled`].
///
/// # Panics
/// If the slices' lengths differ.
pub fn tanh_slice(x: &[f32], out: &mut [f32]) {
    assert_eq!(
        x.len(),
        out.len(),
        "tanh: `x` has {} elements but `out` has {}",
        x.len(),
        out.len()
    );
    let split = super::vector_part(out.len());
    for (o, x) in out[..split]
        .chunks_exact_mut(F32x4::LANES)
        .zip(x.chunks_exact(F32x4::LANES))
    {
        tanh4(F32x4::load(x)).store(o);
    }
    for (o, &x) in out[split..].iter_mut().zip(&x[split..]) {
        *o = tanh(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between `got` and the correctly
    /// rounded `exact`.
    fn ulps(got: f32, exact: f64) -> u32 {
        (got.to_bits() as i64 - (exact as f32).to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn is_within_8_ulp_of_the_true_tanh() {
        // Every 97th f32 from 0 to past the limit: tiny, small, and the slow
        // approach to 1.
        let mut worst = (0, 0.0);
        for bits in (0..=12.0f32.to_bits()).step_by(97) {
            let x = f32::from_bits(bits);
            let y = tanh(x);
            assert!(y <= 1.0, "tanh({x}) = {y}");
            let err = ulps(y, (x as f64).tanh());
            if err > worst.0 {
                worst = (err, x);
            }
        }
        assert!(worst.0 <= 8, "{} ulp at x = {}", worst.0, worst.1);
    }

    #[test]
    fn is_odd_saturates_and_passes_nan_through() {
        for x in [0.0, 1e-30, 1e-5, 0.3, 0.9, 2.5, 7.0, 9.3, 30.0, f32::MAX] {
            assert_eq!(tanh(-x).to_bits(), (-tanh(x)).to_bits(), "x = {x}");
        }
        assert_eq!(tanh(LIMIT), 1.0);
        assert_eq!(tanh(88.0), 1.0);
        assert_eq!(tanh(f32::INFINITY), 1.0);
        assert_eq!(tanh(f32::NEG_INFINITY), -1.0);
        assert_eq!(tanh(1e-20), 1e-20);
        assert!(tanh(f32::NAN).is_nan());
    }

    #[test]
    fn vector_lanes_and_slices_match_the_scalar_bit_for_bit() {
        let xs: Vec<f32> = (0..4003)
            .map(|i| (i as f32 - 2001.0) * 0.0061)
            .chain([f32::NAN, f32::INFINITY, -0.0, 1e-38, -20.0])
            .collect();
        let expected: Vec<u32> = xs.iter().map(|&x| tanh(x).to_bits()).collect();
        let lanes: Vec<u32> = xs
            .chunks_exact(4)
            .flat_map(|x| tanh4(F32x4::load(x)).to_array())
            .map(f32::to_bits)
            .collect();
        assert_eq!(lanes, expected[..lanes.len()]);
        let mut out = vec![0.0; xs.len()];
        tanh_slice(&xs, &mut out);
        let got: Vec<u32> = out.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, expected);
    }

    #[test]
    #[should_panic(expected = "tanh: `x` has 3 elements but `out` has 2")]
    fn mismatched_lengths_are_reported() {
        tanh_slice(&[0.0; 3], &mut [0.0; 2]);
    }
}
