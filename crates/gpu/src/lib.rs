//! # playnet-gpu
//!
//! The engine's WebGPU backend: [`Gpu`] implements [`playnet_engine::Backend`]
//! on [wgpu], so the same networks that train on [`playnet_engine::Cpu`] train
//! on a GPU — through the browser's WebGPU (in the page or a dedicated worker)
//! when compiled to wasm32, through Vulkan natively (a real GPU, or Mesa's
//! lavapipe on a machine without one, which is how the tests run in CI).
//!
//! Tensors stay in GPU buffers ([`GpuBuffer`]) across training steps. Each
//! operation records a compute pass into a pending command encoder that is
//! submitted in batches; nothing waits for the GPU until a value is read back
//! ([`playnet_engine::Backend::read`]), which is asynchronous as WebGPU's is.
//! The kernels are WGSL, in the workspace's `shaders/` folder, compiled once
//! when the device is opened ([`Gpu::new`]); they stay within WebGPU's
//! default limits, so any adapter runs them.
//!
//! The CPU backend is the reference: every kernel is tested against it, and
//! results agree within float tolerance — the window kernels, dropout masks
//! and elementwise arithmetic exactly, sums and transcendental functions to a
//! few units in the last place. The same checks (`tests/checks/`) run
//! natively and in headless Chromium on SwiftShader's WebGPU:
//!
//! ```sh
//! PLAYNET_REQUIRE_GPU=1 cargo test -p playnet-gpu      # lavapipe: apt-get install mesa-vulkan-drivers
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_USE_BROWSER=1 \
//!   CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/crates/gpu/webdriver.json \
//!   PLAYNET_REQUIRE_GPU=1 cargo test -p playnet-gpu --target wasm32-unknown-unknown
//! ```
//!
//! Without an adapter the tests say "no GPU adapter: skipped" and pass, unless
//! `PLAYNET_REQUIRE_GPU=1`; a shader that does not compile always fails them.
//!
//! Failures the GPU reports asynchronously (a lost device, running out of
//! memory) cannot be returned by the operation that caused them: [`Gpu`]
//! keeps the first one, and the next readback (or [`Gpu::health`]) returns it
//! as [`playnet_engine::EngineError::Backend`], so the caller can fall back to
//! the CPU.
//!
//! Not here: choosing between CPU and GPU, or moving a model from one to the
//! other; that belongs to the app.

mod backend;
mod device;
mod kernels;
mod layout;
mod pool;
mod readback;

pub use device::{Gpu, GpuBuffer};
pub use readback::Readback;
/// The wgpu this crate is built on, for code that works with
/// [`GpuBuffer::raw`] directly.
pub use wgpu;
/// The adapter description [`Gpu::adapter_info`] returns.
pub use wgpu::AdapterInfo;
