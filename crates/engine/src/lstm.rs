//! A long short-term memory cell, as TensorFlow's `BasicLSTMCell` (and so
//! sketch-rnn) computes it:
//!
//! ```text
//! i, j, f, o = x·W_x + h·W_h + b          (four gates of `hidden` values each)
//! c' = c ⊙ σ(f + forget_bias) + σ(i) ⊙ tanh(j)
//! h' = tanh(c') ⊙ σ(o)
//! ```
//!
//! Each gate keeps its own kernels and bias (`lstm.input.i.weight`, …), so a
//! step is matrix products, adds and activations every backend already has,
//! and the gradients come from the graph. [`Lstm::from_packed`] splits the
//! usual packed layout (`[inputs, 4·hidden]`, gates in the order i, j, f, o).
//!
//! Training unrolls a sequence through one [`Graph`] ([`LstmVars::step`] per
//! element); sampling calls [`Lstm::advance`], which builds a graph for the
//! one step and drops it, so the state is carried without a growing tape.

use crate::{Activation, Backend, EngineError, Graph, Tensor, Var};

/// The gates, in the packed layout's order: input, candidate, forget, output.
pub const GATES: [&str; 4] = ["i", "j", "f", "o"];

/// TensorFlow's and sketch-rnn's forget-gate bias: the cell remembers at first.
pub const FORGET_BIAS: f32 = 1.0;

/// An LSTM cell's parameters.
pub struct Lstm<B: Backend> {
    /// Per gate (see [`GATES`]): `[inputs, hidden]`.
    pub input: [Tensor<B>; 4],
    /// Per gate: `[hidden, hidden]`.
    pub recurrent: [Tensor<B>; 4],
    /// Per gate: `[hidden]`.
    pub bias: [Tensor<B>; 4],
    /// Added to the forget gate before its sigmoid.
    pub forget_bias: f32,
}

/// The cell's values between steps: `[batch, hidden]` each.
pub struct LstmState<B: Backend> {
    pub h: Tensor<B>,
    pub c: Tensor<B>,
}

/// The cell's parameters recorded on a graph.
#[derive(Clone, Copy, Debug)]
pub struct LstmVars {
    pub input: [Var; 4],
    pub recurrent: [Var; 4],
    pub bias: [Var; 4],
    pub forget_bias: f32,
}

/// Columns `block·width .. (block+1)·width` of a row-major `rows × cols` matrix.
fn columns(data: &[f32], cols: usize, block: usize, width: usize) -> Vec<f32> {
    data.chunks_exact(cols)
        .flat_map(|row| &row[block * width..(block + 1) * width])
        .copied()
        .collect()
}

impl<B: Backend> Lstm<B> {
    /// A cell from the packed layout: `input_kernel` is `[inputs, 4·hidden]`,
    /// `recurrent_kernel` `[hidden, 4·hidden]` and `bias` `[4·hidden]`, all
    /// row-major, the gates' columns in the order i, j, f, o.
    pub fn from_packed(
        backend: &B,
        inputs: usize,
        hidden: usize,
        input_kernel: &[f32],
        recurrent_kernel: &[f32],
        bias: &[f32],
        forget_bias: f32,
    ) -> Result<Self, EngineError> {
        let packed = 4 * hidden;
        for (what, len, want) in [
            ("input kernel", input_kernel.len(), inputs * packed),
            ("recurrent kernel", recurrent_kernel.len(), hidden * packed),
            ("bias", bias.len(), packed),
        ] {
            if len != want || hidden == 0 || inputs == 0 {
                return Err(EngineError::Shape(format!(
                    "an LSTM of {inputs} inputs and {hidden} units needs a {what} of {want} \
                     values, got {len}"
                )));
            }
        }
        let gate = |data: &[f32], rows: usize, g: usize| {
            Tensor::from_slice(backend, &columns(data, packed, g, hidden), [rows, hidden])
        };
        let each = |f: &dyn Fn(usize) -> Result<Tensor<B>, EngineError>| {
            Ok::<_, EngineError>([f(0)?, f(1)?, f(2)?, f(3)?])
        };
        Ok(Lstm {
            input: each(&|g| gate(input_kernel, inputs, g))?,
            recurrent: each(&|g| gate(recurrent_kernel, hidden, g))?,
            bias: each(&|g| Tensor::from_slice(backend, &bias[g * hidden..][..hidden], [hidden]))?,
            forget_bias,
        })
    }

    /// Values each step takes in.
    pub fn inputs(&self) -> usize {
        self.input[0].shape().dims()[0]
    }

    /// Units (the length of `h` and `c`).
    pub fn hidden(&self) -> usize {
        self.recurrent[0].shape().dims()[0]
    }

    /// Every parameter with its dotted name: `lstm.input.i.weight`,
    /// `lstm.recurrent.i.weight`, `lstm.i.bias`, … for each gate.
    pub fn parameters(&self) -> Vec<(String, &Tensor<B>)> {
        let mut out = Vec::new();
        for (g, name) in GATES.iter().enumerate() {
            out.push((format!("lstm.input.{name}.weight"), &self.input[g]));
            out.push((format!("lstm.recurrent.{name}.weight"), &self.recurrent[g]));
            out.push((format!("lstm.{name}.bias"), &self.bias[g]));
        }
        out
    }

    /// Zeros for `batch` sequences.
    pub fn zero_state(&self, backend: &B, batch: usize) -> LstmState<B> {
        let zeros = || Tensor::full(backend, 0.0, [batch, self.hidden()]);
        LstmState {
            h: zeros(),
            c: zeros(),
        }
    }

    /// Records the parameters on `g`: as trainable parameters, or (`frozen`)
    /// as inputs that get no gradient.
    pub fn record(&self, g: &mut Graph<B>, frozen: bool) -> LstmVars {
        let mut leaf = |t: &Tensor<B>| if frozen { g.input(t) } else { g.param(t) };
        LstmVars {
            input: self.input.each_ref().map(&mut leaf),
            recurrent: self.recurrent.each_ref().map(&mut leaf),
            bias: self.bias.each_ref().map(&mut leaf),
            forget_bias: self.forget_bias,
        }
    }

    /// One step from `state` for input `x` (`[batch, inputs]`), with no
    /// gradients: the graph it uses is dropped on return.
    pub fn advance(
        &self,
        backend: &B,
        x: &Tensor<B>,
        state: &LstmState<B>,
    ) -> Result<LstmState<B>, EngineError> {
        let mut g = Graph::new(backend.clone());
        let vars = self.record(&mut g, true);
        let (x, h, c) = (g.input(x), g.input(&state.h), g.input(&state.c));
        let (h, c) = vars.step(&mut g, x, h, c)?;
        Ok(LstmState {
            h: g.tensor(h),
            c: g.tensor(c),
        })
    }
}

impl LstmVars {
    /// One step: `x` is `[batch, inputs]`, `h` and `c` are `[batch, hidden]`;
    /// returns the new `(h, c)`.
    pub fn step<B: Backend>(
        &self,
        g: &mut Graph<B>,
        x: Var,
        h: Var,
        c: Var,
    ) -> Result<(Var, Var), EngineError> {
        let mut gate = |k: usize, activation: Activation, shift: f32| -> Result<Var, EngineError> {
            let from_x = g.dense(x, self.input[k], self.bias[k], Activation::Linear)?;
            let from_h = g.matmul(h, self.recurrent[k])?;
            let mut z = g.add(from_x, from_h)?;
            if shift != 0.0 {
                let shift = g.constant(shift, [1]);
                z = g.add(z, shift)?;
            }
            Ok(g.activation(z, activation))
        };
        let i = gate(0, Activation::Sigmoid, 0.0)?;
        let j = gate(1, Activation::Tanh, 0.0)?;
        let f = gate(2, Activation::Sigmoid, self.forget_bias)?;
        let o = gate(3, Activation::Sigmoid, 0.0)?;
        let kept = g.mul(c, f)?;
        let written = g.mul(i, j)?;
        let c = g.add(kept, written)?;
        let squashed = g.activation(c, Activation::Tanh);
        let h = g.mul(squashed, o)?;
        Ok((h, c))
    }
}
