//! CPU compute kernels: matrix multiplication, elementwise arithmetic and
//! `tanh`, each in a scalar reference version and a SIMD version on a small 4-lane vector
//! type ([`simd::F32x4`]: WebAssembly SIMD128 in the browser, SSE on x86-64,
//! plain arrays elsewhere).
//!
//! The SIMD and scalar versions compute the same operations in the same order,
//! so they return bit-identical results; a process-wide switch
//! ([`set_simd_enabled`]) picks which one [`gemm()`] and the [`elementwise`]
//! helpers run, so that one build can measure the speed of both.
//!
//! These are plain functions on slices: they know nothing of buffers, shapes or
//! backends. [`crate::Cpu`] calls them. They panic, with a message naming the
//! operand, when slice lengths do not match the dimensions they are given —
//! a bug in the caller, never a consequence of user input.

use std::sync::atomic::{AtomicBool, Ordering};

pub mod elementwise;
pub mod gemm;
pub mod simd;
pub mod tanh;

pub use gemm::{gemm, gemm_scalar, gemm_simd};
pub use simd::F32x4;

static SIMD_ENABLED: AtomicBool = AtomicBool::new(true);

/// Makes [`gemm()`] and the [`elementwise`] helpers use the SIMD kernels (`true`,
/// the default) or the scalar ones (`false`), for the whole process.
///
/// Results are the same either way; only the speed changes.
pub fn set_simd_enabled(enabled: bool) {
    SIMD_ENABLED.store(enabled, Ordering::Relaxed);
}

/// Whether the SIMD kernels are in use; see [`set_simd_enabled`].
pub fn simd_enabled() -> bool {
    SIMD_ENABLED.load(Ordering::Relaxed)
}

/// How many leading elements of a `len`-long slice a vector loop handles:
/// whole [`F32x4`]s when SIMD is on, none when it is off (the scalar loop
/// then does them all).
pub(crate) fn vector_part(len: usize) -> usize {
    if simd_enabled() {
        len - len % F32x4::LANES
    } else {
        0
    }
}
