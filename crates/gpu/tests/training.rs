//! Whole training runs on the GPU and on the CPU from the same seed (see
//! `checks/training.rs` for the networks and the tolerance): natively on
//! Vulkan, and in a browser's dedicated worker on WebGPU when built for
//! wasm32 — where the MNIST lab trains.

mod common;
#[macro_use]
mod checks;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

gpu_tests!(
    training::a_convnet_with_batch_norm_and_dropout_trains_alike,
    training::the_playground_mlp_trains_alike,
);
