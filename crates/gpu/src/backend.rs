//! [`Backend`] for [`Gpu`]: each operation allocates its result, packs its
//! parameters and records one kernel (or one copy). Nothing waits for the
//! GPU except [`Backend::read`].

use std::future::Future;

use playnet_engine::backend::dense_unfused;
use playnet_engine::{
    Activation, Backend, BinaryOp, Columns, EngineError, MatMul, Optimizer, Regularization, Shape,
    UnaryOp, UpdateStep, Window,
};

use crate::device::{Gpu, GpuBuffer};
use crate::kernels::Kernel;
use crate::layout::{MAX_RANK, Reduction, Walk, element_grid, grid, slots, word};

/// Products with fewer tiles than this are split along k…
const MATMUL_GROUPS: usize = 128;
/// …into ranges at least this deep.
const MATMUL_MIN_SPLIT: usize = 256;
/// Transpose tile edge (see `shaders/transpose.wgsl`).
const TRANSPOSE_TILE: usize = 16;
/// Sums at least this long get a whole workgroup per output…
const LONG_SUM: usize = 64;
/// …unless there are this many outputs, enough to keep a GPU busy with one
/// thread each.
const MANY_OUTPUTS: usize = 8192;

/// The unary op codes of `shaders/activation.wgsl` (the elementwise kernels
/// and the fused bias + activation of dense layers).
fn unary_code(op: UnaryOp) -> u32 {
    match op {
        UnaryOp::Activation(act) => match act {
            Activation::Linear => 0,
            Activation::Relu => 1,
            Activation::LeakyRelu => 2,
            Activation::Tanh => 3,
            Activation::Sigmoid => 4,
            Activation::Elu => 5,
            Activation::Gelu => 6,
            Activation::Swish => 7,
            Activation::Sine => 8,
            Activation::Relu6 => 11,
        },
        UnaryOp::Ln => 9,
        UnaryOp::Rsqrt => 10,
        UnaryOp::Exp => 12,
        UnaryOp::Clamp { .. } => 13,
    }
}

/// The uniform of a unary op: its code, and a clamp's bounds.
fn unary_params(op: UnaryOp) -> Elementwise {
    let (value, keep) = match op {
        UnaryOp::Clamp { lo, hi } => (lo, hi),
        _ => (0.0, 0.0),
    };
    Elementwise {
        op: unary_code(op),
        value,
        keep,
        ..Default::default()
    }
}

/// The uniform of `elementwise.wgsl` (its length aside).
#[derive(Clone, Copy, Default)]
struct Elementwise {
    /// The unary op code, or the seed's low bits for dropout.
    op: u32,
    /// fill: the value; scale: the factor; dropout: the kept value; clamp:
    /// the lower bound.
    value: f32,
    /// dropout: the keep probability; clamp: the upper bound.
    keep: f32,
    /// dropout: the seed's high bits.
    seed_hi: u32,
}

/// How `shaders/matmul.wgsl` computes one product.
struct Product {
    /// The kernel, for its tile shape.
    kernel: Kernel,
    /// The shader's `Params`.
    params: [u32; 12],
    /// Ranges of k summed into slices of their own (1: not split).
    splits: usize,
    /// The workgroups to launch.
    grid: [u32; 3],
}

impl Product {
    /// The plan for `d` (no dimension may be 0), with activation op code `act` for
    /// the kernels that apply one.
    fn plan(d: MatMul, act: u32) -> Product {
        let (kernel, (tile_m, tile_n)) = Kernel::matmul(d.m, d.n);
        let tiles_n = d.n.div_ceil(tile_n);
        let tiles = d.m.div_ceil(tile_m) * tiles_n;
        // Few tiles over a long k (a weight gradient over a whole batch)
        // would keep most of the GPU idle: split k, then sum the slices.
        let splits = (MATMUL_GROUPS / tiles).min(d.k / MATMUL_MIN_SPLIT).max(1);
        let k_chunk = d.k.div_ceil(splits);
        let splits = d.k.div_ceil(k_chunk);
        let flags = u32::from(d.transpose_a) | (u32::from(d.transpose_b) << 1);
        let params = [
            word(d.m),
            word(d.k),
            word(d.n),
            flags,
            word(tiles_n),
            word(tiles),
            word(k_chunk),
            word(splits),
            act,
            0,
            0,
            0,
        ];
        Product {
            kernel,
            params,
            splits,
            grid: grid(tiles * splits),
        }
    }
}

impl Gpu {
    /// `len` elements through an elementwise kernel of `elementwise.wgsl`.
    fn elementwise(
        &self,
        kernel: Kernel,
        len: usize,
        params: Elementwise,
        inputs: &[&GpuBuffer],
    ) -> GpuBuffer {
        let out = self.alloc(len);
        if len > 0 {
            let Elementwise {
                op,
                value,
                keep,
                seed_hi,
            } = params;
            let words = [
                word(len),
                op,
                value.to_bits(),
                keep.to_bits(),
                seed_hi,
                0,
                0,
                0,
            ];
            self.dispatch(kernel, &words, inputs, &[&out], element_grid(len));
        }
        out
    }

    /// A strided walk through `broadcast.wgsl`; `None` (after recording why)
    /// when more than [`MAX_RANK`] axes remain after merging.
    fn walk_params(&self, len: usize, op: u32, walk: &Walk<2>) -> Option<Vec<u32>> {
        if walk.rank() > MAX_RANK {
            self.shared.health.fail(format!(
                "the GPU backend broadcasts over at most {MAX_RANK} axes, not {}",
                walk.rank()
            ));
            return None;
        }
        let mut words = vec![word(len), word(walk.rank()), op, 0];
        words.extend(slots(&walk.dims));
        words.extend(slots(&walk.strides[0]));
        words.extend(slots(&walk.strides[1]));
        Some(words)
    }

    /// A `window.wgsl` kernel writing `len` elements, one thread each.
    fn window_kernel(
        &self,
        kernel: Kernel,
        w: &Window,
        len: usize,
        inputs: &[&GpuBuffer],
    ) -> GpuBuffer {
        let out = self.alloc(len);
        if len > 0 {
            let params = Gpu::window_params(w, len);
            self.dispatch(kernel, &params, inputs, &[&out], element_grid(len));
        }
        out
    }

    fn window_params(w: &Window, len: usize) -> [u32; 12] {
        [
            w.batch, w.height, w.width, w.channels, w.kernel_h, w.kernel_w, w.stride, w.pad_top,
            w.pad_left, w.out_h, w.out_w, len,
        ]
        .map(word)
    }
}

impl Backend for Gpu {
    type Buffer = GpuBuffer;

    fn name(&self) -> &'static str {
        "webgpu"
    }

    fn upload(&self, data: &[f32]) -> GpuBuffer {
        self.alloc_init(data)
    }

    fn fill(&self, len: usize, value: f32) -> GpuBuffer {
        if value.to_bits() == 0 {
            return self.alloc_zeroed(len);
        }
        self.elementwise(
            Kernel::Fill,
            len,
            Elementwise {
                value,
                ..Default::default()
            },
            &[],
        )
    }

    fn read(
        &self,
        buffer: &GpuBuffer,
    ) -> impl Future<Output = Result<Vec<f32>, EngineError>> + 'static {
        self.read_buffer(buffer)
    }

    fn matmul(&self, a: &GpuBuffer, b: &GpuBuffer, d: MatMul) -> GpuBuffer {
        if d.m == 0 || d.n == 0 || d.k == 0 {
            return self.alloc_zeroed(d.m * d.n);
        }
        let plan = Product::plan(d, 0);
        let out = self.alloc(plan.splits * d.m * d.n);
        self.dispatch(plan.kernel, &plan.params, &[a, b], &[&out], plan.grid);
        if plan.splits == 1 {
            return out;
        }
        let slices = Shape::new([plan.splits, d.m * d.n]);
        self.sum_to(&out, &slices, &Shape::new([d.m * d.n]))
    }

    fn dense(
        &self,
        a: &GpuBuffer,
        b: &GpuBuffer,
        bias: &GpuBuffer,
        d: MatMul,
        activation: Activation,
    ) -> GpuBuffer {
        // Nothing to sum (the result is the bias), or a product split along
        // k (the bias and activation come after the slices' sum): unfused.
        if d.m == 0 || d.n == 0 || d.k == 0 {
            return dense_unfused(self, a, b, bias, d, activation);
        }
        let plan = Product::plan(d, unary_code(UnaryOp::Activation(activation)));
        if plan.splits > 1 {
            return dense_unfused(self, a, b, bias, d, activation);
        }
        let out = self.alloc(d.m * d.n);
        if bias.len != d.n {
            self.shared.health.fail(format!(
                "a dense layer's bias has {} elements for {} columns",
                bias.len, d.n
            ));
            return out;
        }
        let kernel = match plan.kernel.with_bias_act() {
            Ok(kernel) => kernel,
            Err(e) => {
                self.shared.health.fail(format!("GPU dense layer: {e}"));
                return out;
            }
        };
        self.dispatch(kernel, &plan.params, &[a, b, bias], &[&out], plan.grid);
        out
    }

    fn binary(
        &self,
        op: BinaryOp,
        a: &GpuBuffer,
        a_shape: &Shape,
        b: &GpuBuffer,
        b_shape: &Shape,
    ) -> GpuBuffer {
        let out_shape = a_shape
            .broadcast(b_shape)
            .expect("binary: the graph checks shapes before calling a kernel");
        let len = out_shape.len();
        let out = self.alloc(len);
        if len == 0 {
            return out;
        }
        let a_strides = a_shape.broadcast_strides(&out_shape);
        let b_strides = b_shape.broadcast_strides(&out_shape);
        let walk = Walk::merged(out_shape.dims(), [&a_strides, &b_strides]);
        let code = match op {
            BinaryOp::Add => 0,
            BinaryOp::Sub => 1,
            BinaryOp::Mul => 2,
        };
        if let Some(params) = self.walk_params(len, code, &walk) {
            self.dispatch(Kernel::Binary, &params, &[a, b], &[&out], element_grid(len));
        }
        out
    }

    fn sum_to(&self, x: &GpuBuffer, x_shape: &Shape, target: &Shape) -> GpuBuffer {
        let outputs = target.len();
        if outputs == 0 || x_shape.is_empty() {
            return self.alloc_zeroed(outputs);
        }
        let out = self.alloc(outputs);
        let r = Reduction::new(x_shape, target);
        if r.kept.rank() > MAX_RANK || r.reduced.rank() > MAX_RANK {
            self.shared.health.fail(format!(
                "the GPU backend sums over at most {MAX_RANK} axes ({x_shape} to {target})"
            ));
            return out;
        }
        let reduced = x_shape.len() / outputs;
        let mut params = vec![
            word(outputs),
            word(reduced),
            word(r.kept.rank()),
            word(r.reduced.rank()),
        ];
        params.extend(slots(&r.kept.dims));
        params.extend(slots(&r.kept.strides[0]));
        params.extend(slots(&r.reduced.dims));
        params.extend(slots(&r.reduced.strides[0]));
        let (kernel, groups) = if reduced >= LONG_SUM && outputs < MANY_OUTPUTS {
            (Kernel::SumPerGroup, grid(outputs))
        } else {
            (Kernel::SumPerThread, element_grid(outputs))
        };
        self.dispatch(kernel, &params, &[x], &[&out], groups);
        out
    }

    fn expand(&self, x: &GpuBuffer, x_shape: &Shape, target: &Shape) -> GpuBuffer {
        let len = target.len();
        let out = self.alloc(len);
        if len == 0 {
            return out;
        }
        let strides = x_shape.broadcast_strides(target);
        let zeros = vec![0; strides.len()];
        let walk = Walk::merged(target.dims(), [&strides, &zeros]);
        if let Some(params) = self.walk_params(len, 0, &walk) {
            self.dispatch(Kernel::Gather, &params, &[x], &[&out], element_grid(len));
        }
        out
    }

    fn unary(&self, op: UnaryOp, x: &GpuBuffer) -> GpuBuffer {
        self.elementwise(Kernel::Unary, x.len, unary_params(op), &[x])
    }

    fn unary_backward(
        &self,
        op: UnaryOp,
        x: &GpuBuffer,
        y: &GpuBuffer,
        grad: &GpuBuffer,
    ) -> GpuBuffer {
        self.elementwise(
            Kernel::UnaryBackward,
            x.len,
            unary_params(op),
            &[x, y, grad],
        )
    }

    fn scale(&self, x: &GpuBuffer, factor: f32) -> GpuBuffer {
        let params = Elementwise {
            value: factor,
            ..Default::default()
        };
        self.elementwise(Kernel::Scale, x.len, params, &[x])
    }

    fn transpose(&self, x: &GpuBuffer, rows: usize, cols: usize) -> GpuBuffer {
        let out = self.alloc(rows * cols);
        if rows * cols == 0 {
            return out;
        }
        let tiles_cols = cols.div_ceil(TRANSPOSE_TILE);
        let tiles = rows.div_ceil(TRANSPOSE_TILE) * tiles_cols;
        let params = [rows, cols, tiles_cols, tiles].map(word);
        self.dispatch(Kernel::Transpose, &params, &[x], &[&out], grid(tiles));
        out
    }

    fn softmax(&self, x: &GpuBuffer, rows: usize, cols: usize, log: bool) -> GpuBuffer {
        let out = self.alloc(rows * cols);
        if rows * cols > 0 {
            let params = [word(rows), word(cols), u32::from(log), 0];
            self.dispatch(Kernel::Softmax, &params, &[x], &[&out], grid(rows));
        }
        out
    }

    fn softmax_backward(
        &self,
        y: &GpuBuffer,
        grad: &GpuBuffer,
        rows: usize,
        cols: usize,
        log: bool,
    ) -> GpuBuffer {
        let out = self.alloc(rows * cols);
        if rows * cols > 0 {
            let params = [word(rows), word(cols), u32::from(log), 0];
            self.dispatch(
                Kernel::SoftmaxBackward,
                &params,
                &[y, grad],
                &[&out],
                grid(rows),
            );
        }
        out
    }

    fn slice_rows(&self, x: &GpuBuffer, row_len: usize, start: usize, count: usize) -> GpuBuffer {
        let out = self.alloc(row_len * count);
        self.copy(x, start * row_len, &out, row_len * count);
        out
    }

    fn move_columns(&self, x: &GpuBuffer, m: Columns) -> GpuBuffer {
        let len = m.rows * m.out_cols;
        let out = self.alloc(len);
        if len > 0 {
            let params = [m.cols, m.from, m.out_cols, m.at, m.width, len].map(word);
            self.dispatch(
                Kernel::MoveColumns,
                &params,
                &[x],
                &[&out],
                element_grid(len),
            );
        }
        out
    }

    fn im2col(&self, x: &GpuBuffer, w: &Window) -> GpuBuffer {
        let len = w.positions() * w.patch_len();
        self.window_kernel(Kernel::Im2Col, w, len, &[x])
    }

    fn col2im(&self, cols: &GpuBuffer, w: &Window) -> GpuBuffer {
        self.window_kernel(Kernel::Col2Im, w, w.input_len(), &[cols])
    }

    fn max_pool(&self, x: &GpuBuffer, w: &Window) -> GpuBuffer {
        let len = w.positions() * w.channels;
        self.window_kernel(Kernel::MaxPool, w, len, &[x])
    }

    fn max_pool_backward(
        &self,
        x: &GpuBuffer,
        y: &GpuBuffer,
        grad: &GpuBuffer,
        w: &Window,
    ) -> GpuBuffer {
        self.window_kernel(Kernel::MaxPoolBackward, w, w.input_len(), &[x, y, grad])
    }

    fn depthwise_conv(&self, x: &GpuBuffer, filter: &GpuBuffer, w: &Window) -> GpuBuffer {
        let len = w.positions() * w.channels;
        self.window_kernel(Kernel::DepthwiseConv, w, len, &[x, filter])
    }

    fn depthwise_conv_backward_input(
        &self,
        grad: &GpuBuffer,
        filter: &GpuBuffer,
        w: &Window,
    ) -> GpuBuffer {
        self.window_kernel(
            Kernel::DepthwiseBackwardInput,
            w,
            w.input_len(),
            &[grad, filter],
        )
    }

    fn depthwise_conv_backward_filter(
        &self,
        x: &GpuBuffer,
        grad: &GpuBuffer,
        w: &Window,
    ) -> GpuBuffer {
        let len = w.kernel_h * w.kernel_w * w.channels;
        self.window_kernel(Kernel::DepthwiseBackwardFilter, w, len, &[x, grad])
    }

    fn dropout_mask(&self, len: usize, keep: f32, seed: u64) -> GpuBuffer {
        // The shader hashes as `dropout_keeps` does, with the seed's halves.
        let params = Elementwise {
            op: seed as u32,
            value: 1.0 / keep.max(f32::MIN_POSITIVE),
            keep,
            seed_hi: (seed >> 32) as u32,
        };
        self.elementwise(Kernel::Dropout, len, params, &[])
    }

    fn update(
        &self,
        param: &mut GpuBuffer,
        grad: &GpuBuffer,
        state: &mut [GpuBuffer],
        step: &UpdateStep,
    ) {
        let (kernel, beta1, beta2, epsilon) = match step.optimizer {
            Optimizer::Sgd => (Kernel::Sgd, 0.0, 0.0, 0.0),
            Optimizer::Momentum { momentum } => (Kernel::Momentum, momentum, 0.0, 0.0),
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => (Kernel::Adam, beta1, beta2, epsilon),
        };
        if state.len() != step.optimizer.state_slots() {
            self.shared.health.fail(format!(
                "{} needs {} state buffers per parameter, got {}",
                step.optimizer,
                step.optimizer.state_slots(),
                state.len()
            ));
            return;
        }
        let len = param.len;
        if len == 0 {
            return;
        }
        self.make_unique(param);
        for s in state.iter_mut() {
            self.make_unique(s);
        }
        let (penalty, rate) = match step.penalty {
            None => (0, 0.0),
            Some((Regularization::L1, rate)) => (1, rate),
            Some((Regularization::L2, rate)) => (2, rate),
        };
        let (correction1, correction2) = step.bias_corrections();
        let params = [
            word(len),
            penalty,
            step.learning_rate.to_bits(),
            f32::to_bits(rate),
            f32::to_bits(beta1),
            f32::to_bits(beta2),
            f32::to_bits(epsilon),
            correction1.to_bits(),
            correction2.to_bits(),
            0,
            0,
            0,
        ];
        let mut outputs = vec![&*param];
        outputs.extend(state.iter());
        self.dispatch(kernel, &params, &[grad], &outputs, element_grid(len));
    }
}
