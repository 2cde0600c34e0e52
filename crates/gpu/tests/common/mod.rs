//! Shared by the GPU tests: one device per test binary, readback, random
//! data, and comparisons with stated tolerances.
#![allow(dead_code, reason = "each test binary uses a different part")]

use playnet_engine::{Backend, Cpu, EngineError};
use playnet_gpu::{Gpu, GpuBuffer};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Why a test that needs a GPU cannot run; a failure under
/// `PLAYNET_REQUIRE_GPU=1`.
const NO_ADAPTER_HINT: &str = "natively the GPU backend needs a Vulkan driver: \
    `apt-get install mesa-vulkan-drivers` gives Mesa's lavapipe (`cargo xtask setup` installs it); \
    in Chromium, WebGPU without a GPU needs `--enable-unsafe-webgpu --enable-features=Vulkan \
    --use-vulkan=swiftshader --use-webgpu-adapter=swiftshader`";

/// `None` when there is no adapter at all and the tests may be skipped; a
/// failure otherwise. A shader that does not compile is always a failure.
fn skip_or_fail(e: EngineError, required: bool) -> Option<Gpu> {
    let no_adapter = e.to_string().contains("no GPU adapter");
    if required || !no_adapter {
        panic!("the GPU backend cannot start: {e}\n({NO_ADAPTER_HINT})");
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("no GPU adapter: skipped ({e})");
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("no GPU adapter: skipped ({e})");
    None
}

/// The device shared by a test binary's tests, or `None` (after saying so)
/// when this machine has no GPU adapter — unless `PLAYNET_REQUIRE_GPU=1`,
/// which makes that a failure.
#[cfg(not(target_arch = "wasm32"))]
pub fn gpu() -> Option<Gpu> {
    use std::sync::OnceLock;

    static GPU: OnceLock<Option<Gpu>> = OnceLock::new();
    GPU.get_or_init(|| match pollster::block_on(Gpu::new()) {
        Ok(gpu) => {
            eprintln!("GPU tests on {}", gpu.describe());
            Some(gpu)
        }
        Err(e) => skip_or_fail(
            e,
            std::env::var("PLAYNET_REQUIRE_GPU").is_ok_and(|v| v == "1"),
        ),
    })
    .clone()
}

/// The device shared by the browser tests (one page or worker), or `None`
/// (after saying so) when the browser has no WebGPU adapter — unless the
/// tests were built with `PLAYNET_REQUIRE_GPU=1`, which makes that a failure.
#[cfg(target_arch = "wasm32")]
pub async fn gpu() -> Option<Gpu> {
    use std::cell::RefCell;
    thread_local! {
        static GPU: RefCell<Option<Option<Gpu>>> = const { RefCell::new(None) };
    }
    if let Some(gpu) = GPU.with(|g| g.borrow().clone()) {
        return gpu;
    }
    let gpu = match Gpu::new().await {
        Ok(gpu) => {
            wasm_bindgen_test::console_log!("GPU tests on {}", gpu.describe());
            Some(gpu)
        }
        Err(e) => skip_or_fail(e, option_env!("PLAYNET_REQUIRE_GPU") == Some("1")),
    };
    GPU.with(|g| *g.borrow_mut() = Some(gpu.clone()));
    gpu
}

/// Reads a GPU buffer back, failing the test on a device error.
pub async fn read(gpu: &Gpu, buffer: &GpuBuffer) -> Vec<f32> {
    gpu.read(buffer).await.expect("GPU readback")
}

/// [`read`], blocking (native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn read_now(gpu: &Gpu, buffer: &GpuBuffer) -> Vec<f32> {
    pollster::block_on(read(gpu, buffer))
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
