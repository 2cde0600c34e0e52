//! Reverse-mode automatic differentiation over tensors, as a tape.
//!
//! A [`Graph`] records every operation in the order it ran; [`Graph::backward`]
//! walks the tape from the end and asks each operation for the gradients of its
//! inputs. An op is one variant of `op::Op`, with its inputs and its
//! gradients next to each other in `op.rs`, and one method here that
//! computes its forward value and records it: nothing more.

mod op;

use op::Op;

use crate::backend::{Backend, BinaryOp, Columns, MatMul, UnaryOp};
use crate::window::Window;
use crate::{Activation, EngineError, Shape, Tensor};

/// A value recorded on a [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var(usize);

struct Node<B: Backend> {
    value: B::Buffer,
    shape: Shape,
    op: Op,
    requires_grad: bool,
}

/// A tape of tensor operations on backend `B`.
pub struct Graph<B: Backend> {
    backend: B,
    nodes: Vec<Node<B>>,
}

/// The gradients of one scalar with respect to the graph's values.
pub struct Gradients<B: Backend> {
    grads: Vec<Option<B::Buffer>>,
}

impl<B: Backend> Gradients<B> {
    /// d(loss)/d(var), if `var` influenced the loss and requires a gradient.
    pub fn get(&self, var: Var) -> Option<&B::Buffer> {
        self.grads.get(var.0).and_then(Option::as_ref)
    }

    /// The gradients of a model's `params`, in their order, for its
    /// optimiser; an internal error if one of them got none.
    pub fn of_params(&self, params: &[Var]) -> Result<Vec<B::Buffer>, EngineError> {
        params
            .iter()
            .map(|&p| {
                self.get(p)
                    .cloned()
                    .ok_or(EngineError::Internal("a parameter got no gradient"))
            })
            .collect()
    }
}

/// The elements before and after `axis` of a shape, multiplied out: a tensor
/// is an `outer × (dims[axis]·inner)` matrix whose columns come in blocks of
/// `inner` per index along `axis`.
fn axis_blocks(dims: &[usize], axis: usize) -> (usize, usize) {
    (
        dims[..axis].iter().product(),
        dims[axis + 1..].iter().product(),
    )
}

impl<B: Backend> Graph<B> {
    /// An empty tape.
    pub fn new(backend: B) -> Self {
        Graph {
            backend,
            nodes: Vec::new(),
        }
    }

    /// The backend the graph computes on.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// A leaf whose gradient [`Graph::backward`] computes (a parameter).
    pub fn param(&mut self, tensor: &Tensor<B>) -> Var {
        self.push(
            tensor.buffer().clone(),
            tensor.shape().clone(),
            Op::Leaf,
            true,
        )
    }

    /// A leaf that needs no gradient (input data, targets).
    pub fn input(&mut self, tensor: &Tensor<B>) -> Var {
        self.push(
            tensor.buffer().clone(),
            tensor.shape().clone(),
            Op::Leaf,
            false,
        )
    }

    /// A constant tensor of `shape` filled with `value`.
    pub fn constant(&mut self, value: f32, shape: impl Into<Shape>) -> Var {
        let shape = shape.into();
        let buffer = self.backend.fill(shape.len(), value);
        self.push(buffer, shape, Op::Leaf, false)
    }

    /// The value of `var`.
    pub fn value(&self, var: Var) -> &B::Buffer {
        &self.nodes[var.0].value
    }

    /// The shape of `var`.
    pub fn shape(&self, var: Var) -> &Shape {
        &self.nodes[var.0].shape
    }

    /// The value of `var` as a tensor.
    pub fn tensor(&self, var: Var) -> Tensor<B> {
        let node = &self.nodes[var.0];
        Tensor::from_buffer(node.value.clone(), node.shape.clone())
    }

    /// Matrix product of an `m×k` and a `k×n` matrix.
    pub fn matmul(&mut self, a: Var, b: Var) -> Result<Var, EngineError> {
        let (m, k) = self.matrix_dims(a, "matmul")?;
        let (k2, n) = self.matrix_dims(b, "matmul")?;
        if k != k2 {
            return Err(EngineError::Shape(format!(
                "matmul of {} by {}: inner dimensions differ",
                self.shape(a),
                self.shape(b)
            )));
        }
        let dims = MatMul {
            m,
            k,
            n,
            transpose_a: false,
            transpose_b: false,
        };
        let value = self.backend.matmul(self.value(a), self.value(b), dims);
        Ok(self.push_op(value, Shape::new([m, n]), Op::MatMul(a, b)))
    }

    /// A dense layer, `activation(x·w + b)`: `x` is `m×k`, `w` is `k×n` and
    /// the bias `b` has `n` elements (shape `[n]` or `[1, n]`), added to every
    /// row.
    ///
    /// Recorded as one node computed by [`Backend::dense`] (one kernel on the
    /// GPU) when the activation's derivative follows from its output
    /// ([`Activation::derivative_from_output`]); otherwise the node computes
    /// `x·w + b` and the activation is a node of its own, since its gradient
    /// needs the pre-activation. Either way the values and gradients are those
    /// of `matmul`, `add` and `activation` recorded one after the other, bit
    /// for bit on the CPU.
    pub fn dense(
        &mut self,
        x: Var,
        w: Var,
        b: Var,
        activation: Activation,
    ) -> Result<Var, EngineError> {
        let (m, k) = self.matrix_dims(x, "dense")?;
        let (k2, n) = self.matrix_dims(w, "dense")?;
        if k != k2 {
            return Err(EngineError::Shape(format!(
                "dense layer with input {} and weights {}: inner dimensions differ",
                self.shape(x),
                self.shape(w)
            )));
        }
        if !matches!(self.shape(b).dims(), [len] | [1, len] if *len == n) {
            return Err(EngineError::Shape(format!(
                "dense layer with weights {}: the bias must have shape [{n}], not {}",
                self.shape(w),
                self.shape(b)
            )));
        }
        let (fused, after) = if activation.derivative_from_output() {
            (activation, None)
        } else {
            (Activation::Linear, Some(activation))
        };
        let dims = MatMul {
            m,
            k,
            n,
            transpose_a: false,
            transpose_b: false,
        };
        let value = self
            .backend
            .dense(self.value(x), self.value(w), self.value(b), dims, fused);
        let op = Op::Dense {
            x,
            w,
            b,
            activation: fused,
        };
        let out = self.push_op(value, Shape::new([m, n]), op);
        Ok(match after {
            Some(activation) => self.activation(out, activation),
            None => out,
        })
    }

    /// `a + b`, broadcasting.
    pub fn add(&mut self, a: Var, b: Var) -> Result<Var, EngineError> {
        self.binary(BinaryOp::Add, a, b)
    }

    /// `a − b`, broadcasting.
    pub fn sub(&mut self, a: Var, b: Var) -> Result<Var, EngineError> {
        self.binary(BinaryOp::Sub, a, b)
    }

    /// `a ⊙ b` (elementwise), broadcasting.
    pub fn mul(&mut self, a: Var, b: Var) -> Result<Var, EngineError> {
        self.binary(BinaryOp::Mul, a, b)
    }

    /// Sums `x` down to `shape`, which `x` must be a broadcast of.
    pub fn sum_to(&mut self, x: Var, shape: impl Into<Shape>) -> Result<Var, EngineError> {
        let target = shape.into();
        if target.broadcast(self.shape(x)).ok().as_ref() != Some(self.shape(x)) {
            return Err(EngineError::Shape(format!(
                "cannot sum {} down to {target}",
                self.shape(x)
            )));
        }
        let value = self.backend.sum_to(self.value(x), self.shape(x), &target);
        Ok(self.push_op(value, target, Op::SumTo(x)))
    }

    /// The sum of every element, as a scalar.
    pub fn sum(&mut self, x: Var) -> Var {
        self.sum_to(x, Shape::scalar())
            .expect("every shape sums down to a scalar")
    }

    /// The mean of every element, as a scalar.
    pub fn mean(&mut self, x: Var) -> Var {
        let count = self.shape(x).len().max(1) as f32;
        let total = self.sum(x);
        self.scale(total, 1.0 / count)
    }

    /// `factor · x`.
    pub fn scale(&mut self, x: Var, factor: f32) -> Var {
        let value = self.backend.scale(self.value(x), factor);
        let shape = self.shape(x).clone();
        self.push_op(value, shape, Op::Scale(x, factor))
    }

    /// An activation applied elementwise.
    pub fn activation(&mut self, x: Var, activation: Activation) -> Var {
        self.unary(UnaryOp::Activation(activation), x)
    }

    /// Natural logarithm elementwise (input clamped at [`crate::backend::LN_FLOOR`]).
    pub fn ln(&mut self, x: Var) -> Var {
        self.unary(UnaryOp::Ln, x)
    }

    /// Softmax along the last axis of a matrix.
    pub fn softmax(&mut self, x: Var) -> Result<Var, EngineError> {
        self.softmax_op(x, false)
    }

    /// Log-softmax along the last axis of a matrix (stable).
    pub fn log_softmax(&mut self, x: Var) -> Result<Var, EngineError> {
        self.softmax_op(x, true)
    }

    /// Transpose of a matrix.
    pub fn transpose(&mut self, x: Var) -> Result<Var, EngineError> {
        let (rows, cols) = self.matrix_dims(x, "transpose")?;
        let value = self.backend.transpose(self.value(x), rows, cols);
        Ok(self.push_op(value, Shape::new([cols, rows]), Op::Transpose(x)))
    }

    /// The same values seen with another shape of the same size.
    pub fn reshape(&mut self, x: Var, shape: impl Into<Shape>) -> Result<Var, EngineError> {
        let shape = shape.into();
        if shape.len() != self.shape(x).len() {
            return Err(EngineError::Shape(format!(
                "cannot reshape {} to {shape}",
                self.shape(x)
            )));
        }
        let value = self.value(x).clone();
        Ok(self.push_op(value, shape, Op::Reshape(x)))
    }

    /// `1/√x` elementwise (input clamped at [`crate::backend::RSQRT_FLOOR`]).
    pub fn rsqrt(&mut self, x: Var) -> Var {
        self.unary(UnaryOp::Rsqrt, x)
    }

    /// `eˣ` elementwise (input clamped above at [`crate::backend::EXP_CEILING`]).
    pub fn exp(&mut self, x: Var) -> Var {
        self.unary(UnaryOp::Exp, x)
    }

    /// `x` limited to `[lo, hi]` elementwise; the gradient passes where
    /// `lo ≤ x ≤ hi`. A NaN bound, or `lo > hi`, is refused.
    pub fn clamp(&mut self, x: Var, lo: f32, hi: f32) -> Result<Var, EngineError> {
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return Err(EngineError::Config(format!(
                "clamp needs lo ≤ hi, got [{lo}, {hi}]"
            )));
        }
        Ok(self.unary(UnaryOp::Clamp { lo, hi }, x))
    }

    /// The window positions of NHWC images `x` as rows of a matrix
    /// (`[positions, patch_len]`); see [`Backend::im2col`].
    pub fn im2col(&mut self, x: Var, window: &Window) -> Result<Var, EngineError> {
        self.check_images(x, window, "im2col")?;
        let value = self.backend.im2col(self.value(x), window);
        let shape = Shape::new([window.positions(), window.patch_len()]);
        Ok(self.push_op(value, shape, Op::Im2Col(x, *window)))
    }

    /// A 2-D convolution of NHWC images `x` with `filters`, a
    /// `[kernel_h·kernel_w·channels, out_channels]` matrix (rows ordered
    /// `ky, kx, channel`): the result is `[batch, out_h, out_w, out_channels]`.
    pub fn conv2d(&mut self, x: Var, filters: Var, window: &Window) -> Result<Var, EngineError> {
        let cols = self.im2col(x, window)?;
        let out = self.matmul(cols, filters)?;
        let channels = self.shape(filters).dims()[1];
        self.reshape(out, [window.batch, window.out_h, window.out_w, channels])
    }

    /// [`Graph::conv2d`] with a bias per output channel and an activation:
    /// the product, bias and activation recorded as [`Graph::dense`] does
    /// (one kernel on the GPU), with the same values and gradients as
    /// `conv2d`, `add` and `activation` one after the other.
    pub fn conv2d_dense(
        &mut self,
        x: Var,
        filters: Var,
        bias: Var,
        window: &Window,
        activation: Activation,
    ) -> Result<Var, EngineError> {
        let cols = self.im2col(x, window)?;
        let out = self.dense(cols, filters, bias, activation)?;
        let channels = self.shape(filters).dims()[1];
        self.reshape(out, [window.batch, window.out_h, window.out_w, channels])
    }

    /// Max-pooling of NHWC images: `[batch, out_h, out_w, channels]`.
    pub fn max_pool(&mut self, x: Var, window: &Window) -> Result<Var, EngineError> {
        self.check_images(x, window, "max_pool")?;
        let value = self.backend.max_pool(self.value(x), window);
        let shape = Shape::new([window.batch, window.out_h, window.out_w, window.channels]);
        Ok(self.push_op(value, shape, Op::MaxPool(x, *window)))
    }

    /// A depthwise 2-D convolution of NHWC images `x`: each channel with its
    /// own filter (`filter` is `[kernel_h, kernel_w, channels]`, as
    /// TensorFlow's `depthwise_conv2d` with a multiplier of 1), giving
    /// `[batch, out_h, out_w, channels]`. SAME padding follows TensorFlow's
    /// (an odd total pad puts the extra row and column at the bottom/right).
    pub fn depthwise_conv2d(
        &mut self,
        x: Var,
        filter: Var,
        window: &Window,
    ) -> Result<Var, EngineError> {
        self.check_images(x, window, "depthwise_conv2d")?;
        let expected = [window.kernel_h, window.kernel_w, window.channels];
        if self.shape(filter).dims() != expected {
            return Err(EngineError::Shape(format!(
                "depthwise_conv2d over {} channels with a {}×{} window needs a filter of shape {}, \
                 got {}",
                window.channels,
                window.kernel_h,
                window.kernel_w,
                Shape::new(expected),
                self.shape(filter)
            )));
        }
        let value = self
            .backend
            .depthwise_conv(self.value(x), self.value(filter), window);
        let shape = Shape::new([window.batch, window.out_h, window.out_w, window.channels]);
        let op = Op::DepthwiseConv {
            x,
            filter,
            window: *window,
        };
        Ok(self.push_op(value, shape, op))
    }

    /// Elements `start..start+len` of `x` along `axis` (the other axes whole).
    pub fn slice(
        &mut self,
        x: Var,
        axis: usize,
        start: usize,
        len: usize,
    ) -> Result<Var, EngineError> {
        let dims = self.shape(x).dims().to_vec();
        let Some(&size) = dims.get(axis) else {
            return Err(EngineError::Shape(format!(
                "cannot slice axis {axis} of {}",
                self.shape(x)
            )));
        };
        if start.checked_add(len).is_none_or(|end| end > size) {
            return Err(EngineError::Shape(format!(
                "cannot take {len} elements from {start} of axis {axis} of {}",
                self.shape(x)
            )));
        }
        let (outer, inner) = axis_blocks(&dims, axis);
        let columns = Columns {
            rows: outer,
            cols: size * inner,
            from: start * inner,
            out_cols: len * inner,
            at: 0,
            width: len * inner,
        };
        let mut out = dims;
        out[axis] = len;
        Ok(self.move_columns(x, columns, Shape::new(out)))
    }

    /// `a` and `b` joined along `axis` (every other axis equal).
    pub fn concat(&mut self, a: Var, b: Var, axis: usize) -> Result<Var, EngineError> {
        let (da, db) = (self.shape(a).dims().to_vec(), self.shape(b).dims().to_vec());
        let fits = da.len() == db.len()
            && axis < da.len()
            && da
                .iter()
                .zip(&db)
                .enumerate()
                .all(|(k, (p, q))| k == axis || p == q);
        if !fits {
            return Err(EngineError::Shape(format!(
                "cannot join {} and {} along axis {axis}",
                self.shape(a),
                self.shape(b)
            )));
        }
        let (outer, inner) = axis_blocks(&da, axis);
        let (wa, wb) = (da[axis] * inner, db[axis] * inner);
        let mut out = da.clone();
        out[axis] = da[axis] + db[axis];
        let out = Shape::new(out);
        let place = |at, width| Columns {
            rows: outer,
            cols: width,
            from: 0,
            out_cols: wa + wb,
            at,
            width,
        };
        let left = self.move_columns(a, place(0, wa), out.clone());
        let right = self.move_columns(b, place(wa, wb), out);
        self.add(left, right)
    }

    fn move_columns(&mut self, x: Var, columns: Columns, shape: Shape) -> Var {
        let value = self.backend.move_columns(self.value(x), columns);
        self.push_op(value, shape, Op::Columns(x, columns))
    }

    /// Average pooling of NHWC images: `[batch, out_h, out_w, channels]`,
    /// each window's mean over the taps inside the image (TensorFlow's
    /// `avg_pool`: padding is not counted). Recorded as the window rows
    /// ([`Graph::im2col`]), a sum over the taps and a scale per position, so
    /// every backend runs it and its gradient comes from those ops.
    pub fn avg_pool(&mut self, x: Var, window: &Window) -> Result<Var, EngineError> {
        let cols = self.im2col(x, window)?;
        let (positions, taps, channels) = (
            window.positions(),
            window.kernel_h * window.kernel_w,
            window.channels,
        );
        let patches = self.reshape(cols, [positions, taps, channels])?;
        let sums = self.sum_to(patches, [positions, 1, channels])?;
        let mut inverse = Vec::with_capacity(positions);
        for _ in 0..window.batch {
            for oy in 0..window.out_h {
                for ox in 0..window.out_w {
                    inverse.push(1.0 / window.taps_inside(oy, ox).max(1) as f32);
                }
            }
        }
        let inverse = Tensor::from_slice(&self.backend, &inverse, [positions, 1, 1])?;
        let inverse = self.input(&inverse);
        let means = self.mul(sums, inverse)?;
        self.reshape(means, [window.batch, window.out_h, window.out_w, channels])
    }

    /// The mean of each image over its height and width, per channel:
    /// `[batch, height, width, channels]` → `[batch, channels]` (the pooling
    /// before a classifier head).
    pub fn global_avg_pool(&mut self, x: Var) -> Result<Var, EngineError> {
        let &[batch, height, width, channels] = self.shape(x).dims() else {
            return Err(EngineError::Shape(format!(
                "global_avg_pool expects NHWC images, got {}",
                self.shape(x)
            )));
        };
        let pixels = height * width;
        let flat = self.reshape(x, [batch, pixels, channels])?;
        let sums = self.sum_to(flat, [batch, 1, channels])?;
        let means = self.scale(sums, 1.0 / pixels.max(1) as f32);
        self.reshape(means, [batch, channels])
    }

    /// Inverted dropout: each element is kept with probability `keep` and scaled
    /// by `1/keep`, so evaluation needs no rescaling. The mask comes from
    /// [`crate::backend::dropout_keeps`] with `seed`, the same on every backend.
    pub fn dropout(&mut self, x: Var, keep: f32, seed: u64) -> Result<Var, EngineError> {
        if !(keep > 0.0 && keep <= 1.0) {
            return Err(EngineError::Config(format!(
                "dropout keeps a fraction in (0, 1] of the values, not {keep}"
            )));
        }
        if keep == 1.0 {
            return Ok(x);
        }
        let shape = self.shape(x).clone();
        let mask = self.backend.dropout_mask(shape.len(), keep, seed);
        let mask = self.push(mask, shape, Op::Leaf, false);
        self.mul(x, mask)
    }

    /// The gradients of the product `x·w` (`x` m×k, `w` k×n) given the
    /// gradient `g` of its m×n output: `g·wᵀ` for `x` and `xᵀ·g` for `w`,
    /// each only when that operand wants one.
    pub(super) fn matmul_grads(
        &self,
        x: Var,
        w: Var,
        g: &B::Buffer,
        n: usize,
    ) -> (Option<B::Buffer>, Option<B::Buffer>) {
        let b = &self.backend;
        let (m, k) = (self.shape(x).dims()[0], self.shape(x).dims()[1]);
        let dx = self.nodes[x.0].requires_grad.then(|| {
            let dims = MatMul {
                m,
                k: n,
                n: k,
                transpose_a: false,
                transpose_b: true,
            };
            b.matmul(g, self.value(w), dims)
        });
        let dw = self.nodes[w.0].requires_grad.then(|| {
            let dims = MatMul {
                m: k,
                k: m,
                n,
                transpose_a: true,
                transpose_b: false,
            };
            b.matmul(self.value(x), g, dims)
        });
        (dx, dw)
    }

    /// Whether `var` wants a gradient (it depends on a parameter).
    pub(super) fn wants(&self, var: Var) -> bool {
        self.nodes[var.0].requires_grad
    }

    /// Gradients of the scalar `loss` with respect to every value that requires one.
    pub fn backward(&self, loss: Var) -> Result<Gradients<B>, EngineError> {
        if self.shape(loss).len() != 1 {
            return Err(EngineError::Shape(format!(
                "backward needs a scalar loss, got shape {}",
                self.shape(loss)
            )));
        }
        let b = &self.backend;
        let mut grads: Vec<Option<B::Buffer>> = vec![None; self.nodes.len()];
        grads[loss.0] = Some(b.fill(1, 1.0));
        for i in (0..=loss.0).rev() {
            let Some(g) = grads[i].clone() else { continue };
            let node = &self.nodes[i];
            if !node.requires_grad {
                continue;
            }
            let out_shape = &node.shape;
            let mut send = |var: Var, grad: B::Buffer| {
                if self.nodes[var.0].requires_grad {
                    grads[var.0] = Some(match grads[var.0].take() {
                        Some(acc) => {
                            let shape = self.shape(var);
                            b.binary(BinaryOp::Add, &acc, shape, &grad, shape)
                        }
                        None => grad,
                    });
                }
            };
            node.op.backward(self, &node.value, out_shape, g, &mut send);
        }
        Ok(Gradients { grads })
    }

    fn binary(&mut self, op: BinaryOp, a: Var, b: Var) -> Result<Var, EngineError> {
        let shape = self.shape(a).broadcast(self.shape(b))?;
        let value = self.backend.binary(
            op,
            self.value(a),
            self.shape(a),
            self.value(b),
            self.shape(b),
        );
        Ok(self.push_op(value, shape, Op::Binary(op, a, b)))
    }

    fn unary(&mut self, op: UnaryOp, x: Var) -> Var {
        let value = self.backend.unary(op, self.value(x));
        let shape = self.shape(x).clone();
        self.push_op(value, shape, Op::Unary(op, x))
    }

    fn softmax_op(&mut self, x: Var, log: bool) -> Result<Var, EngineError> {
        let (rows, cols) = self.matrix_dims(x, "softmax")?;
        let value = self.backend.softmax(self.value(x), rows, cols, log);
        let shape = self.shape(x).clone();
        Ok(self.push_op(value, shape, Op::Softmax { x, log }))
    }

    fn matrix_dims(&self, x: Var, what: &str) -> Result<(usize, usize), EngineError> {
        match *self.shape(x).dims() {
            [rows, cols] => Ok((rows, cols)),
            _ => Err(EngineError::Shape(format!(
                "{what} needs a matrix, got shape {}",
                self.shape(x)
            ))),
        }
    }

    fn check_images(&self, x: Var, window: &Window, what: &str) -> Result<(), EngineError> {
        let expected = [window.batch, window.height, window.width, window.channels];
        if self.shape(x).dims() != expected {
            return Err(EngineError::Shape(format!(
                "{what} expects images of shape {}, got {}",
                Shape::new(expected),
                self.shape(x)
            )));
        }
        Ok(())
    }

    fn push_op(&mut self, value: B::Buffer, shape: Shape, op: Op) -> Var {
        let requires_grad = op.inputs().any(|v| self.nodes[v.0].requires_grad);
        self.push(value, shape, op, requires_grad)
    }

    fn push(&mut self, value: B::Buffer, shape: Shape, op: Op, requires_grad: bool) -> Var {
        self.nodes.push(Node {
            value,
            shape,
            op,
            requires_grad,
        });
        Var(self.nodes.len() - 1)
    }
}

/// Sums a broadcast gradient back down to the shape of the operand it flows to.
fn reduce<B: Backend>(b: &B, grad: B::Buffer, from: &Shape, to: &Shape) -> B::Buffer {
    if from == to {
        grad
    } else {
        b.sum_to(&grad, from, to)
    }
}
