//! The backend seam: every tensor operation the engine performs goes through
//! [`Backend`], so models and training code never touch memory directly.
//!
//! [`crate::Cpu`] is the reference implementation; a WebGPU backend implements the
//! same kernels on device buffers. Buffers are flat `f32` arrays; shapes are kept by
//! the caller ([`crate::Graph`], [`crate::Tensor`]) and passed to the kernels that
//! need them. Reading a buffer back is asynchronous because WebGPU readback in the
//! browser is; on the CPU the future is ready at once (see [`ready`]).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::activation::Activation;
use crate::optim::UpdateStep;
use crate::window::Window;
use crate::{EngineError, Shape};

/// An elementwise function of one tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    /// A neuron activation.
    Activation(Activation),
    /// Natural logarithm, with the input clamped below at [`LN_FLOOR`] so that a
    /// probability of exactly 0 gives a large finite loss instead of infinity.
    Ln,
    /// `1/√x`, with the input clamped below at [`RSQRT_FLOOR`] (batch norm's scale).
    Rsqrt,
    /// `eˣ`, with the input clamped above at [`EXP_CEILING`] so that the
    /// result stays finite (a mixture density's standard deviations and
    /// weights are exponentials of a network's outputs).
    Exp,
    /// `x` limited to `[lo, hi]`; the gradient passes where `lo ≤ x ≤ hi`
    /// (as TensorFlow's `clip_by_value`).
    Clamp { lo: f32, hi: f32 },
}

/// Largest input [`UnaryOp::Exp`] takes the exponential of (`e⁸⁸` ≈ 1.65e38,
/// just below `f32::MAX`).
pub const EXP_CEILING: f32 = 88.0;

/// Smallest input [`UnaryOp::Rsqrt`] takes the root of.
pub const RSQRT_FLOOR: f32 = 1e-12;

/// Smallest input [`UnaryOp::Ln`] takes the logarithm of.
pub const LN_FLOOR: f32 = 1e-7;

/// An elementwise function of two broadcast tensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
}

/// The dimensions of `out[m×n] = op(a) · op(b)`, where `op` optionally transposes.
///
/// `a` is stored `m×k` (or `k×m` when `transpose_a`), `b` is stored `k×n`
/// (or `n×k` when `transpose_b`). Transposed operands are what backward passes need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatMul {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub transpose_a: bool,
    pub transpose_b: bool,
}

/// A block of columns moved between two matrices with the same rows: from
/// columns `from..from+width` of a `rows × cols` matrix to columns
/// `at..at+width` of a `rows × out_cols` matrix of zeros. A slice has
/// `out_cols == width`; its adjoint places a slice back among zeros.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    pub rows: usize,
    pub cols: usize,
    pub from: usize,
    pub out_cols: usize,
    pub at: usize,
    pub width: usize,
}

impl Columns {
    /// The same move backwards (for the gradient).
    pub fn reversed(self) -> Columns {
        Columns {
            rows: self.rows,
            cols: self.out_cols,
            from: self.at,
            out_cols: self.cols,
            at: self.from,
            width: self.width,
        }
    }
}

/// A place where tensors live and kernels run.
pub trait Backend: Clone + 'static {
    /// A flat array of `f32` owned by this backend (host memory, a GPU buffer…).
    type Buffer: Clone;

    /// Short name shown to people, e.g. `"cpu"` or `"webgpu"`.
    fn name(&self) -> &'static str;

    /// Copies host data into a new buffer.
    fn upload(&self, data: &[f32]) -> Self::Buffer;
    /// A buffer of `len` copies of `value`.
    fn fill(&self, len: usize, value: f32) -> Self::Buffer;
    /// Copies a buffer back to the host.
    fn read(
        &self,
        buffer: &Self::Buffer,
    ) -> impl Future<Output = Result<Vec<f32>, EngineError>> + 'static;

    /// Matrix product; see [`MatMul`].
    fn matmul(&self, a: &Self::Buffer, b: &Self::Buffer, dims: MatMul) -> Self::Buffer;
    /// A dense layer's forward pass, `activation(op(a)·op(b) + bias)`: the
    /// `m×n` product of [`Backend::matmul`], `bias` (`n` elements) added to
    /// each of its rows, then the activation ([`Activation::Linear`] applies
    /// nothing).
    ///
    /// The default runs [`dense_unfused`]: the product, the broadcast add and
    /// the activation as three kernels, in the order the graph used to record
    /// them, so its results are those of the three ops bit for bit. A backend
    /// may fuse them (the GPU adds the bias and applies the activation as it
    /// stores the product).
    fn dense(
        &self,
        a: &Self::Buffer,
        b: &Self::Buffer,
        bias: &Self::Buffer,
        dims: MatMul,
        activation: Activation,
    ) -> Self::Buffer {
        dense_unfused(self, a, b, bias, dims, activation)
    }
    /// `op(a, b)` with NumPy broadcasting; the result has `a_shape.broadcast(b_shape)`.
    fn binary(
        &self,
        op: BinaryOp,
        a: &Self::Buffer,
        a_shape: &Shape,
        b: &Self::Buffer,
        b_shape: &Shape,
    ) -> Self::Buffer;
    /// Sums `x` over the axes along which `target` was broadcast to `x_shape`.
    fn sum_to(&self, x: &Self::Buffer, x_shape: &Shape, target: &Shape) -> Self::Buffer;
    /// Repeats `x` along broadcast axes to fill `target` (the adjoint of `sum_to`).
    fn expand(&self, x: &Self::Buffer, x_shape: &Shape, target: &Shape) -> Self::Buffer;
    /// `op(x)` elementwise.
    fn unary(&self, op: UnaryOp, x: &Self::Buffer) -> Self::Buffer;
    /// `grad · op'(x)` elementwise, given `x`, `y = op(x)` and the incoming gradient.
    fn unary_backward(
        &self,
        op: UnaryOp,
        x: &Self::Buffer,
        y: &Self::Buffer,
        grad: &Self::Buffer,
    ) -> Self::Buffer;
    /// `factor · x`.
    fn scale(&self, x: &Self::Buffer, factor: f32) -> Self::Buffer;
    /// Transposes a `rows×cols` matrix.
    fn transpose(&self, x: &Self::Buffer, rows: usize, cols: usize) -> Self::Buffer;
    /// Softmax (or log-softmax) of each row of a `rows×cols` matrix.
    fn softmax(&self, x: &Self::Buffer, rows: usize, cols: usize, log: bool) -> Self::Buffer;
    /// Gradient of [`Backend::softmax`] given its output `y` and the incoming gradient.
    fn softmax_backward(
        &self,
        y: &Self::Buffer,
        grad: &Self::Buffer,
        rows: usize,
        cols: usize,
        log: bool,
    ) -> Self::Buffer;
    /// Rows `start..start+count` of a matrix whose rows have `row_len` elements.
    fn slice_rows(
        &self,
        x: &Self::Buffer,
        row_len: usize,
        start: usize,
        count: usize,
    ) -> Self::Buffer;
    /// See [`Columns`]: the `rows × out_cols` result.
    fn move_columns(&self, x: &Self::Buffer, columns: Columns) -> Self::Buffer;
    /// Unfolds NHWC images into a `positions × patch_len` matrix, one row per
    /// window position (zeros where the window covers padding); see [`Window`].
    fn im2col(&self, x: &Self::Buffer, window: &Window) -> Self::Buffer;
    /// The adjoint of [`Backend::im2col`]: adds each row back onto the pixels it
    /// was read from, giving an NHWC image batch.
    fn col2im(&self, cols: &Self::Buffer, window: &Window) -> Self::Buffer;
    /// The maximum of each window, per channel: `[batch, out_h, out_w, channels]`.
    /// Padding never wins.
    fn max_pool(&self, x: &Self::Buffer, window: &Window) -> Self::Buffer;
    /// Routes each output's gradient to the first input of its window equal to
    /// the maximum `y`.
    fn max_pool_backward(
        &self,
        x: &Self::Buffer,
        y: &Self::Buffer,
        grad: &Self::Buffer,
        window: &Window,
    ) -> Self::Buffer;
    /// A depthwise 2-D convolution: each channel of NHWC images `x` with its
    /// own `kernel_h × kernel_w` filter (`filter` is `[kernel_h, kernel_w,
    /// channels]`), giving `[batch, out_h, out_w, channels]`; padding reads
    /// as zero. Each output sums its taps in row-major tap order.
    fn depthwise_conv(
        &self,
        x: &Self::Buffer,
        filter: &Self::Buffer,
        window: &Window,
    ) -> Self::Buffer;
    /// The gradient of [`Backend::depthwise_conv`] with respect to `x`, given
    /// the output's gradient: each input element sums, over the taps that
    /// read it (output positions ascending), `grad · filter`.
    fn depthwise_conv_backward_input(
        &self,
        grad: &Self::Buffer,
        filter: &Self::Buffer,
        window: &Window,
    ) -> Self::Buffer;
    /// The gradient of [`Backend::depthwise_conv`] with respect to the
    /// filter: each tap sums `grad · x` over the batch and the output
    /// positions, in order.
    fn depthwise_conv_backward_filter(
        &self,
        x: &Self::Buffer,
        grad: &Self::Buffer,
        window: &Window,
    ) -> Self::Buffer;
    /// A dropout mask of `len` elements: `1/keep` where [`dropout_keeps`] says the
    /// element stays, 0 elsewhere.
    fn dropout_mask(&self, len: usize, keep: f32, seed: u64) -> Self::Buffer;
    /// One optimiser step on `param` in place, with its per-parameter `state`
    /// buffers (as many as [`crate::Optimizer::state_slots`] says).
    fn update(
        &self,
        param: &mut Self::Buffer,
        grad: &Self::Buffer,
        state: &mut [Self::Buffer],
        step: &UpdateStep,
    );
}

/// [`Backend::dense`] as three kernels: [`Backend::matmul`], a row-broadcast
/// [`Backend::binary`] add of `bias` (shape `[n]`) and, unless the activation
/// is [`Activation::Linear`], [`Backend::unary`]. The default implementation,
/// and a fused backend's fallback for products it does not fuse.
pub fn dense_unfused<B: Backend>(
    backend: &B,
    a: &B::Buffer,
    b: &B::Buffer,
    bias: &B::Buffer,
    dims: MatMul,
    activation: Activation,
) -> B::Buffer {
    let product = backend.matmul(a, b, dims);
    let z = backend.binary(
        BinaryOp::Add,
        &product,
        &Shape::new([dims.m, dims.n]),
        bias,
        &Shape::new([dims.n]),
    );
    if activation == Activation::Linear {
        z
    } else {
        backend.unary(UnaryOp::Activation(activation), &z)
    }
}

/// Whether element `index` survives dropout with probability `keep` under `seed`.
///
/// A counter-based generator (two rounds of Chris Wellons' `lowbias32` hash) so
/// that any backend, a GPU shader included, draws the same mask without state.
pub fn dropout_keeps(seed: u64, index: u32, keep: f32) -> bool {
    let h = hash32(hash32(index ^ seed as u32) ^ (seed >> 32) as u32);
    // 24 high bits → uniform in [0, 1) exactly representable in f32.
    ((h >> 8) as f32) * (1.0 / 16_777_216.0) < keep
}

/// Chris Wellons' `lowbias32` integer hash.
pub fn hash32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x
}

/// Polls a future once and returns its output if it is already complete.
///
/// CPU readbacks complete immediately, so synchronous code (tests, the command
/// line) can use them without an executor. A future that is still pending gives
/// [`EngineError::Pending`] instead of blocking.
pub fn ready<F: Future>(future: F) -> Result<F::Output, EngineError> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => Ok(output),
        Poll::Pending => Err(EngineError::Pending),
    }
}
