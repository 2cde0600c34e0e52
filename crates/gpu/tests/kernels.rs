//! Every GPU kernel against the CPU reference (see `checks/kernels.rs` for
//! the shapes and tolerances): natively on Vulkan (Mesa's lavapipe in CI),
//! and in a browser page on WebGPU when built for wasm32 (SwiftShader in
//! headless Chromium; see `webdriver.json`).

mod common;
#[macro_use]
mod checks;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

gpu_tests!(
    kernels::empty_and_filled_buffers,
    kernels::matmul_matches_on_awkward_shapes_and_every_transpose,
    kernels::matmul_with_nothing_to_sum_is_zero,
    kernels::dense_fuses_bias_and_activation,
    kernels::binary_ops_broadcast_like_numpy,
    kernels::sum_to_and_expand_are_adjoint_reshapings,
    kernels::every_unary_op_and_its_gradient,
    kernels::scale_and_slice_rows_are_exact,
    kernels::transpose_is_exact,
    kernels::softmax_and_its_gradient,
    kernels::im2col_and_col2im_are_exact,
    kernels::max_pool_and_its_gradient_are_exact_with_ties,
    kernels::average_pools_and_their_gradients_follow_the_cpu,
    kernels::lstm_steps_and_the_mixture_loss_follow_the_cpu,
    kernels::depthwise_conv_and_its_gradients_follow_the_cpu,
    kernels::moved_columns_are_exact,
    kernels::dropout_masks_are_the_cpus_bit_for_bit,
    kernels::optimiser_steps_follow_the_cpu,
    kernels::more_elements_than_one_grid_row_holds,
);
