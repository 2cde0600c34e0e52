//! Checks written once as `async fn(&Gpu)`, run natively (blocking on the
//! device) and in the browser (awaiting WebGPU) by [`gpu_tests!`].
#![allow(dead_code, reason = "each test binary runs a different part")]

pub mod kernels;
pub mod training;

/// One test per check: natively a `#[test]` on the shared device, in wasm32 a
/// `#[wasm_bindgen_test]` on the browser's WebGPU. Both pass without running
/// the check, after saying so, when there is no adapter (see `common::gpu`).
macro_rules! gpu_tests {
    ($($module:ident :: $check:ident),* $(,)?) => {
        $(
            #[cfg(not(target_arch = "wasm32"))]
            #[test]
            fn $check() {
                if let Some(gpu) = common::gpu() {
                    pollster::block_on(checks::$module::$check(&gpu));
                }
            }

            #[cfg(target_arch = "wasm32")]
            #[wasm_bindgen_test::wasm_bindgen_test]
            async fn $check() {
                if let Some(gpu) = common::gpu().await {
                    checks::$module::$check(&gpu).await;
                }
            }
        )*
    };
}
