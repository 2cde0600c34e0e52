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
use crate::{EngineError, Shape};

/// An elementwise function of one tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    /// A neuron activation.
    Activation(Activation),
    /// Natural logarithm, with the input clamped below at [`LN_FLOOR`] so that a
    /// probability of exactly 0 gives a large finite loss instead of infinity.
    Ln,
}

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
