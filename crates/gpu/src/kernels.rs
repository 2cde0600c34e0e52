//! The WGSL kernels and their compute pipelines, compiled once per device.
//!
//! The sources live in the workspace's `shaders/` folder and are built into
//! the binary. Every shader follows one binding convention, which
//! [`crate::Gpu`]'s dispatch relies on: `@binding(0)` is the kernel's uniform
//! parameters, `@binding(1…)` its read-only inputs in order, `@binding(8…)`
//! what it writes. Pipelines use layouts derived from each entry point, so an
//! entry point binds only what it uses.

use playnet_engine::EngineError;
use playnet_engine::activation::{LEAKY_RELU_SLOPE, RELU6_CEILING};
use playnet_engine::backend::{EXP_CEILING, LN_FLOOR, RSQRT_FLOOR};

/// One WGSL source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shader {
    MatMul,
    Elementwise,
    Broadcast,
    Reduce,
    Transpose,
    Softmax,
    Window,
    Optim,
    Columns,
}

impl Shader {
    const ALL: [Shader; 9] = [
        Shader::MatMul,
        Shader::Elementwise,
        Shader::Broadcast,
        Shader::Reduce,
        Shader::Transpose,
        Shader::Softmax,
        Shader::Window,
        Shader::Optim,
        Shader::Columns,
    ];

    fn file(self) -> &'static str {
        match self {
            Shader::MatMul => "matmul.wgsl",
            Shader::Elementwise => "elementwise.wgsl",
            Shader::Broadcast => "broadcast.wgsl",
            Shader::Reduce => "reduce.wgsl",
            Shader::Transpose => "transpose.wgsl",
            Shader::Softmax => "softmax.wgsl",
            Shader::Window => "window.wgsl",
            Shader::Optim => "optim.wgsl",
            Shader::Columns => "columns.wgsl",
        }
    }

    fn source(self) -> &'static str {
        match self {
            // activation.wgsl holds the formulas both of these apply.
            Shader::MatMul => concat!(
                include_str!("../../../shaders/activation.wgsl"),
                include_str!("../../../shaders/matmul.wgsl")
            ),
            Shader::Elementwise => concat!(
                include_str!("../../../shaders/activation.wgsl"),
                include_str!("../../../shaders/elementwise.wgsl")
            ),
            Shader::Broadcast => include_str!("../../../shaders/broadcast.wgsl"),
            Shader::Reduce => include_str!("../../../shaders/reduce.wgsl"),
            Shader::Transpose => include_str!("../../../shaders/transpose.wgsl"),
            Shader::Softmax => include_str!("../../../shaders/softmax.wgsl"),
            Shader::Window => include_str!("../../../shaders/window.wgsl"),
            Shader::Optim => include_str!("../../../shaders/optim.wgsl"),
            Shader::Columns => include_str!("../../../shaders/columns.wgsl"),
        }
    }
}

/// One compute entry point: what [`crate::Gpu`] dispatches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// Matrix products in 128×128 tiles, 8×8 per thread (see
    /// [`Kernel::matmul`] for when each tile shape is used).
    MatMul128x128,
    /// Matrix products in 64×64 tiles, and the others below, 4×4 per thread.
    MatMul64x64,
    MatMul128x16,
    MatMul64x16,
    MatMul32x16,
    MatMul16x64,
    /// The matrix products above with a dense layer's bias and activation
    /// applied as they are stored (never split along k).
    Dense128x128,
    Dense64x64,
    Dense128x16,
    Dense64x16,
    Dense32x16,
    Dense16x64,
    Fill,
    Scale,
    Unary,
    UnaryBackward,
    Dropout,
    Binary,
    Gather,
    SumPerThread,
    SumPerGroup,
    Transpose,
    Softmax,
    SoftmaxBackward,
    Im2Col,
    Col2Im,
    MaxPool,
    MaxPoolBackward,
    DepthwiseConv,
    DepthwiseBackwardInput,
    DepthwiseBackwardFilter,
    MoveColumns,
    Sgd,
    Momentum,
    Adam,
}

impl Kernel {
    const ALL: [Kernel; 35] = [
        Kernel::MatMul128x128,
        Kernel::MatMul64x64,
        Kernel::MatMul128x16,
        Kernel::MatMul64x16,
        Kernel::MatMul32x16,
        Kernel::MatMul16x64,
        Kernel::Dense128x128,
        Kernel::Dense64x64,
        Kernel::Dense128x16,
        Kernel::Dense64x16,
        Kernel::Dense32x16,
        Kernel::Dense16x64,
        Kernel::Fill,
        Kernel::Scale,
        Kernel::Unary,
        Kernel::UnaryBackward,
        Kernel::Dropout,
        Kernel::Binary,
        Kernel::Gather,
        Kernel::SumPerThread,
        Kernel::SumPerGroup,
        Kernel::Transpose,
        Kernel::Softmax,
        Kernel::SoftmaxBackward,
        Kernel::Im2Col,
        Kernel::Col2Im,
        Kernel::MaxPool,
        Kernel::MaxPoolBackward,
        Kernel::DepthwiseConv,
        Kernel::DepthwiseBackwardInput,
        Kernel::DepthwiseBackwardFilter,
        Kernel::MoveColumns,
        Kernel::Sgd,
        Kernel::Momentum,
        Kernel::Adam,
    ];

    fn shader(self) -> Shader {
        match self {
            Kernel::MatMul128x128
            | Kernel::MatMul64x64
            | Kernel::MatMul128x16
            | Kernel::MatMul64x16
            | Kernel::MatMul32x16
            | Kernel::MatMul16x64
            | Kernel::Dense128x128
            | Kernel::Dense64x64
            | Kernel::Dense128x16
            | Kernel::Dense64x16
            | Kernel::Dense32x16
            | Kernel::Dense16x64 => Shader::MatMul,
            Kernel::Fill
            | Kernel::Scale
            | Kernel::Unary
            | Kernel::UnaryBackward
            | Kernel::Dropout => Shader::Elementwise,
            Kernel::Binary | Kernel::Gather => Shader::Broadcast,
            Kernel::SumPerThread | Kernel::SumPerGroup => Shader::Reduce,
            Kernel::Transpose => Shader::Transpose,
            Kernel::Softmax | Kernel::SoftmaxBackward => Shader::Softmax,
            Kernel::Im2Col
            | Kernel::Col2Im
            | Kernel::MaxPool
            | Kernel::MaxPoolBackward
            | Kernel::DepthwiseConv
            | Kernel::DepthwiseBackwardInput
            | Kernel::DepthwiseBackwardFilter => Shader::Window,
            Kernel::Sgd | Kernel::Momentum | Kernel::Adam => Shader::Optim,
            Kernel::MoveColumns => Shader::Columns,
        }
    }

    /// The matrix-product kernel for an `m×n` result and its tile
    /// (rows, columns): tiles no larger than the result where it is small,
    /// since work on a tile's padding is wasted, and as large and square as
    /// possible otherwise, since those reuse the most loads — as long as there
    /// are enough tiles to keep a GPU's cores busy.
    pub fn matmul(m: usize, n: usize) -> (Kernel, (usize, usize)) {
        let kernel = match (m, n) {
            (..=32, ..=16) => Kernel::MatMul32x16,
            (..=64, ..=16) => Kernel::MatMul64x16,
            (_, ..=16) => Kernel::MatMul128x16,
            (..=16, _) => Kernel::MatMul16x64,
            _ if m.div_ceil(128) * n.div_ceil(128) >= 32 => Kernel::MatMul128x128,
            _ => Kernel::MatMul64x64,
        };
        let tile = kernel.matmul_tile().expect("a matrix-product kernel");
        (kernel, tile)
    }

    /// The kernel of a dense layer's product with the tile of `self`, a
    /// matrix-product kernel: the same sums, with the bias added and the
    /// activation applied as they are stored.
    pub fn with_bias_act(self) -> Result<Kernel, EngineError> {
        Ok(match self {
            Kernel::MatMul128x128 => Kernel::Dense128x128,
            Kernel::MatMul64x64 => Kernel::Dense64x64,
            Kernel::MatMul128x16 => Kernel::Dense128x16,
            Kernel::MatMul64x16 => Kernel::Dense64x16,
            Kernel::MatMul32x16 => Kernel::Dense32x16,
            Kernel::MatMul16x64 => Kernel::Dense16x64,
            _ => return Err(EngineError::Internal("a fused kernel for a matrix product")),
        })
    }

    /// For the matrix-product kernels: the tile (rows, columns).
    fn matmul_tile(self) -> Option<(usize, usize)> {
        let (x, y, _) = self.matmul_workgroup()?;
        let per_thread = if matches!(self, Kernel::MatMul128x128 | Kernel::Dense128x128) {
            8
        } else {
            4
        };
        Some((per_thread * y as usize, per_thread * x as usize))
    }

    /// For the matrix-product kernels: threads along columns and rows, and
    /// the depth of the slabs of k staged in workgroup memory (at most 2048
    /// floats of a, 1024 of b).
    fn matmul_workgroup(self) -> Option<(u32, u32, u32)> {
        Some(match self {
            Kernel::MatMul128x128 | Kernel::Dense128x128 => (16, 16, 8),
            Kernel::MatMul64x64 | Kernel::Dense64x64 => (16, 16, 16),
            Kernel::MatMul128x16 | Kernel::Dense128x16 => (4, 32, 16),
            Kernel::MatMul64x16 | Kernel::Dense64x16 => (4, 16, 16),
            Kernel::MatMul32x16 | Kernel::Dense32x16 => (4, 8, 16),
            Kernel::MatMul16x64 | Kernel::Dense16x64 => (16, 4, 16),
            _ => return None,
        })
    }

    /// Values for the shader's `override` declarations: constants the engine
    /// owns (so that the GPU cannot drift from the CPU), and tile shapes.
    fn constants(self) -> Vec<(&'static str, f64)> {
        // Those of activation.wgsl, in the shaders it is prepended to.
        let mut constants = match self.shader() {
            Shader::Elementwise | Shader::MatMul => vec![
                ("LN_FLOOR", LN_FLOOR.into()),
                ("RSQRT_FLOOR", RSQRT_FLOOR.into()),
                ("LEAKY_RELU_SLOPE", LEAKY_RELU_SLOPE.into()),
                ("RELU6_CEILING", RELU6_CEILING.into()),
                ("EXP_CEILING", EXP_CEILING.into()),
            ],
            _ => Vec::new(),
        };
        if let Some((x, y, slab)) = self.matmul_workgroup() {
            constants.extend([
                ("WG_X", x.into()),
                ("WG_Y", y.into()),
                ("SLAB", slab.into()),
            ]);
        }
        constants
    }

    /// The WGSL entry point's name.
    pub fn entry(self) -> &'static str {
        match self {
            Kernel::MatMul128x128 => "matmul_8x8",
            Kernel::MatMul64x64
            | Kernel::MatMul128x16
            | Kernel::MatMul64x16
            | Kernel::MatMul32x16
            | Kernel::MatMul16x64 => "matmul",
            Kernel::Dense128x128 => "matmul_8x8_bias_act",
            Kernel::Dense64x64
            | Kernel::Dense128x16
            | Kernel::Dense64x16
            | Kernel::Dense32x16
            | Kernel::Dense16x64 => "matmul_bias_act",
            Kernel::Fill => "fill",
            Kernel::Scale => "scale",
            Kernel::Unary => "unary",
            Kernel::UnaryBackward => "unary_backward",
            Kernel::Dropout => "dropout",
            Kernel::Binary => "binary",
            Kernel::Gather => "gather",
            Kernel::SumPerThread => "sum_per_thread",
            Kernel::SumPerGroup => "sum_per_group",
            Kernel::Transpose => "transpose",
            Kernel::Softmax => "softmax",
            Kernel::SoftmaxBackward => "softmax_backward",
            Kernel::Im2Col => "im2col",
            Kernel::Col2Im => "col2im",
            Kernel::MaxPool => "max_pool",
            Kernel::MaxPoolBackward => "max_pool_backward",
            Kernel::DepthwiseConv => "depthwise_conv",
            Kernel::DepthwiseBackwardInput => "depthwise_backward_input",
            Kernel::DepthwiseBackwardFilter => "depthwise_backward_filter",
            Kernel::MoveColumns => "move_columns",
            Kernel::Sgd => "sgd",
            Kernel::Momentum => "momentum",
            Kernel::Adam => "adam",
        }
    }
}

/// Every kernel's pipeline, built once when the device is opened.
pub(crate) struct Pipelines {
    /// Indexed by `Kernel as usize`.
    pipelines: Vec<wgpu::ComputePipeline>,
}

impl Pipelines {
    /// Compiles every shader and builds every pipeline, one error scope per
    /// file so that a failure names the shader that caused it.
    pub async fn build(device: &wgpu::Device) -> Result<Pipelines, EngineError> {
        let mut built: Vec<Option<wgpu::ComputePipeline>> =
            Kernel::ALL.iter().map(|_| None).collect();
        for shader in Shader::ALL {
            let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(shader.file()),
                source: wgpu::ShaderSource::Wgsl(shader.source().into()),
            });
            for kernel in Kernel::ALL.into_iter().filter(|k| k.shader() == shader) {
                let label = format!("{kernel:?}");
                let constants = kernel.constants();
                let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(&label),
                    layout: None,
                    module: &module,
                    entry_point: Some(kernel.entry()),
                    compilation_options: wgpu::PipelineCompilationOptions {
                        constants: &constants,
                        ..Default::default()
                    },
                    cache: None,
                });
                built[kernel as usize] = Some(pipeline);
            }
            if let Some(error) = scope.pop().await {
                return Err(EngineError::Backend(format!(
                    "the GPU kernels in shaders/{} do not compile on this device: {error}",
                    shader.file()
                )));
            }
        }
        let pipelines = built
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .ok_or(EngineError::Internal("every kernel belongs to a shader"))?;
        Ok(Pipelines { pipelines })
    }

    /// The pipeline of `kernel`.
    pub fn get(&self, kernel: Kernel) -> &wgpu::ComputePipeline {
        &self.pipelines[kernel as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_are_listed_in_declaration_order() {
        for (i, kernel) in Kernel::ALL.iter().enumerate() {
            assert_eq!(*kernel as usize, i, "{kernel:?}");
        }
    }

    #[test]
    fn matrix_tiles_fit_the_result_and_workgroup_memory() {
        for kernel in Kernel::ALL {
            if let (Some((x, y, slab)), Some((rows, cols))) =
                (kernel.matmul_workgroup(), kernel.matmul_tile())
            {
                assert!(x * y <= 256, "{kernel:?}: at most 256 threads");
                assert!(
                    slab as usize * rows <= 2048,
                    "{kernel:?}: the slab of a fits"
                );
                assert!(
                    slab as usize * cols <= 1024,
                    "{kernel:?}: the slab of b fits"
                );
            }
        }
        assert_eq!(
            Kernel::matmul(1024, 1024),
            (Kernel::MatMul128x128, (128, 128))
        );
        assert_eq!(Kernel::matmul(25, 4), (Kernel::MatMul32x16, (32, 16)));
        assert_eq!(Kernel::matmul(78_400, 4), (Kernel::MatMul128x16, (128, 16)));
        assert_eq!(Kernel::matmul(100, 200), (Kernel::MatMul64x64, (64, 64)));
        assert_eq!(Kernel::matmul(10, 200), (Kernel::MatMul16x64, (16, 64)));
        for kernel in Kernel::ALL
            .into_iter()
            .filter(|k| k.matmul_tile().is_some())
        {
            if let Ok(dense) = kernel.with_bias_act() {
                assert_eq!(dense.matmul_workgroup(), kernel.matmul_workgroup());
                assert_eq!(dense.matmul_tile(), kernel.matmul_tile());
            }
        }
    }

    #[test]
    fn every_entry_point_is_in_its_shader() {
        for kernel in Kernel::ALL {
            let needle = format!("fn {}(", kernel.entry());
            assert!(
                kernel.shader().source().contains(&needle),
                "{} has no `{needle}`",
                kernel.shader().file()
            );
        }
    }
}
