//! Shared by the GPU tests: one device per test binary, readback, random
//! data, and comparisons with stated tolerances.
#![allow(dead_code, reason = "each test binary uses a different part")]

use std::sync::OnceLock;

use playnet_engine::{Backend, Cpu};
use playnet_gpu::{Gpu, GpuBuffer};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// The device shared by a test binary's tests, or `None` (after saying so)
/// when this machine has no GPU adapter — unless `PLAYNET_REQUIRE_GPU=1`,
/// which makes that a failure.
pub fn gpu() -> Option<Gpu> {
    static GPU: OnceLock<Option<Gpu>> = OnceLock::new();
    GPU.get_or_init(|| match pollster::block_on(Gpu::new()) {
        Ok(gpu) => {
            eprintln!("GPU tests on {}", gpu.describe());
            Some(gpu)
        }
        Err(e) => {
            if std::env::var("PLAYNET_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!(
                    "PLAYNET_REQUIRE_GPU=1 but the GPU backend cannot start: {e}\n\
                     (natively it needs a Vulkan driver: `apt-get install mesa-vulkan-drivers` \
                     gives Mesa's lavapipe; `cargo xtask setup` installs it)"
                );
            }
            eprintln!("no GPU adapter: skipped ({e})");
            None
        }
    })
    .clone()
}

/// Reads a GPU buffer back, failing the test on a device error.
pub fn read(gpu: &Gpu, buffer: &GpuBuffer) -> Vec<f32> {
    pollster::block_on(gpu.read(buffer)).expect("GPU readback")
}

/// Reads a CPU buffer.
pub fn host(buffer: &<Cpu as Backend>::Buffer) -> Vec<f32> {
    buffer.to_vec()
}

/// A seeded generator for test data.
pub fn rng(seed: u64) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(seed)
}

/// `len` values uniform in `[lo, hi)`.
pub fn values(rng: &mut Pcg64Mcg, len: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(lo..hi)).collect()
}

/// Asserts `gpu` and `cpu` are bit-for-bit equal.
#[track_caller]
pub fn assert_exact(gpu: &[f32], cpu: &[f32], what: &str) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths");
    for (i, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        assert!(
            g.to_bits() == c.to_bits() || (*g == 0.0 && *c == 0.0),
            "{what}: element {i}: GPU {g} vs CPU {c}"
        );
    }
}

/// Asserts `|gpu − cpu| ≤ abs + rel·|cpu|` element by element.
#[track_caller]
pub fn assert_close(gpu: &[f32], cpu: &[f32], abs: f32, rel: f32, what: &str) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths");
    for (i, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        let ok = (g - c).abs() <= abs + rel * c.abs() || (g.is_nan() && c.is_nan()) || g == c;
        assert!(
            ok,
            "{what}: element {i}: GPU {g} vs CPU {c} (tolerance {abs} + {rel}·|cpu|)"
        );
    }
}

/// Asserts each element is within `bound[i]` of the CPU's.
#[track_caller]
pub fn assert_within(gpu: &[f32], cpu: &[f32], bound: &[f32], what: &str) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths");
    for (i, ((g, c), b)) in gpu.iter().zip(cpu).zip(bound).enumerate() {
        assert!(
            (g - c).abs() <= *b,
            "{what}: element {i}: GPU {g} vs CPU {c} (tolerance {b})"
        );
    }
}
