//! The autograd ops: each variant's inputs and gradients side by side, so
//! that adding an op is one variant, one arm in [`Op::inputs`], one in
//! [`Op::backward`], and the method in `graph/mod.rs` that records it.

use super::{Graph, Var, reduce};
use crate::backend::{Backend, BinaryOp, Columns, UnaryOp};
use crate::window::Window;
use crate::{Activation, Shape};

#[derive(Clone, Copy, Debug)]
pub(super) enum Op {
    Leaf,
    MatMul(Var, Var),
    /// `activation(x·w + b)` in one backend call; only for activations whose
    /// derivative follows from the output ([`Activation::derivative_from_output`]).
    Dense {
        x: Var,
        w: Var,
        b: Var,
        activation: Activation,
    },
    Binary(BinaryOp, Var, Var),
    SumTo(Var),
    Scale(Var, f32),
    Unary(UnaryOp, Var),
    Softmax {
        x: Var,
        log: bool,
    },
    Transpose(Var),
    Reshape(Var),
    Im2Col(Var, Window),
    MaxPool(Var, Window),
    DepthwiseConv {
        x: Var,
        filter: Var,
        window: Window,
    },
    Columns(Var, Columns),
}

impl Op {
    /// The values this op reads (a leaf reads none), without allocating:
    /// every op is recorded through here.
    pub(super) fn inputs(&self) -> impl Iterator<Item = Var> {
        let list = match *self {
            Op::Leaf => [None; 3],
            Op::MatMul(a, b) | Op::Binary(_, a, b) => [Some(a), Some(b), None],
            Op::Dense { x, w, b, .. } => [Some(x), Some(w), Some(b)],
            Op::SumTo(x)
            | Op::Scale(x, _)
            | Op::Unary(_, x)
            | Op::Softmax { x, .. }
            | Op::Transpose(x)
            | Op::Reshape(x)
            | Op::Im2Col(x, _)
            | Op::MaxPool(x, _)
            | Op::Columns(x, _) => [Some(x), None, None],
            Op::DepthwiseConv { x, filter, .. } => [Some(x), Some(filter), None],
        };
        list.into_iter().flatten()
    }

    /// Sends the gradient of each input, given the gradient `g` of this
    /// op's output (`value`, of shape `out_shape`), to `send`.
    pub(super) fn backward<B: Backend>(
        &self,
        graph: &Graph<B>,
        value: &B::Buffer,
        out_shape: &Shape,
        g: B::Buffer,
        send: &mut impl FnMut(Var, B::Buffer),
    ) {
        let b = graph.backend();
        match *self {
            Op::Leaf => {}
            Op::MatMul(x, w) => {
                let (dx, dw) = graph.matmul_grads(x, w, &g, out_shape.dims()[1]);
                if let Some(dx) = dx {
                    send(x, dx);
                }
                if let Some(dw) = dw {
                    send(w, dw);
                }
            }
            Op::Dense {
                x,
                w,
                b: bias,
                activation,
            } => {
                // The gradients the unfused chain would send, in its
                // order: through the activation (from the output alone,
                // which `Graph::dense` ensures suffices), to the bias
                // (the add), then to x and w (the product).
                let g = if activation == Activation::Linear {
                    g
                } else {
                    let op = UnaryOp::Activation(activation);
                    b.unary_backward(op, value, value, &g)
                };
                send(bias, reduce(b, g.clone(), out_shape, graph.shape(bias)));
                let (dx, dw) = graph.matmul_grads(x, w, &g, out_shape.dims()[1]);
                if let Some(dx) = dx {
                    send(x, dx);
                }
                if let Some(dw) = dw {
                    send(w, dw);
                }
            }
            Op::Binary(op, x, y) => {
                let (xs, ys) = (graph.shape(x), graph.shape(y));
                let (gx, gy) = match op {
                    BinaryOp::Add => (g.clone(), g.clone()),
                    BinaryOp::Sub => (g.clone(), b.scale(&g, -1.0)),
                    BinaryOp::Mul => (
                        b.binary(BinaryOp::Mul, &g, out_shape, graph.value(y), ys),
                        b.binary(BinaryOp::Mul, &g, out_shape, graph.value(x), xs),
                    ),
                };
                send(x, reduce(b, gx, out_shape, xs));
                send(y, reduce(b, gy, out_shape, ys));
            }
            Op::SumTo(x) => send(x, b.expand(&g, out_shape, graph.shape(x))),
            Op::Scale(x, factor) => send(x, b.scale(&g, factor)),
            Op::Unary(op, x) => send(x, b.unary_backward(op, graph.value(x), value, &g)),
            Op::Softmax { x, log } => {
                let (rows, cols) = (out_shape.dims()[0], out_shape.dims()[1]);
                send(x, b.softmax_backward(value, &g, rows, cols, log));
            }
            Op::Transpose(x) => {
                let (rows, cols) = (out_shape.dims()[0], out_shape.dims()[1]);
                send(x, b.transpose(&g, rows, cols));
            }
            Op::Reshape(x) => send(x, g),
            Op::Im2Col(x, window) => send(x, b.col2im(&g, &window)),
            Op::MaxPool(x, window) => {
                send(x, b.max_pool_backward(graph.value(x), value, &g, &window))
            }
            Op::Columns(x, columns) => send(x, b.move_columns(&g, columns.reversed())),
            Op::DepthwiseConv { x, filter, window } => {
                if graph.wants(x) {
                    let dx = b.depthwise_conv_backward_input(&g, graph.value(filter), &window);
                    send(x, dx);
                }
                if graph.wants(filter) {
                    let df = b.depthwise_conv_backward_filter(graph.value(x), &g, &window);
                    send(filter, df);
                }
            }
        }
    }
}
