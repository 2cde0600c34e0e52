//! A long short-term memory cell, as TensorFlow's `BasicLSTMCell` (and so
//! sketch-rnn) computes it:
//!
//! ```text
//! i, j, f, o = x·W_x + h·W_h + b          (four gates of `hidden` values each)
//! c' = c ⊙ σ(f + forget_bias) + σ(i) ⊙ tanh(j)
//! h' = tanh(c') ⊙ σ(o)
//! ```
//!
//! The gates come from one product: `[x, h]` (joined along the features)
//! times one `[inputs + hidden, 4·hidden]` kernel, sliced into four; the
//! gradients come from the graph. [`Lstm::from_packed`] takes the usual
//! separate input and recurrent kernels (gates in the order i, j, f, o) and
//! stacks them.
//!
//! Training unrolls a sequence through one [`Graph`] ([`LstmVars::step`] per
//! element); sampling calls [`Lstm::advance`], which builds a graph for the
//! one step and drops it, so the state is carried without a growing tape.

use crate::params::{Builder, ParamSpec, Role};
use crate::{Activation, Backend, EngineError, Graph, Tensor, Var};

/// The gates, in the packed layout's order: input, candidate, forget, output.
pub const GATES: [&str; 4] = ["i", "j", "f", "o"];

/// TensorFlow's and sketch-rnn's forget-gate bias: the cell remembers at first.
pub const FORGET_BIAS: f32 = 1.0;

/// An LSTM cell's parameters.
pub struct Lstm<B: Backend> {
    /// `[inputs + hidden, 4·hidden]`: the input kernel's rows, then the
    /// recurrent kernel's; the columns are the gates i, j, f, o.
    pub kernel: Tensor<B>,
    /// `[4·hidden]`.
    pub bias: Tensor<B>,
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
    pub kernel: Var,
    pub bias: Var,
    pub forget_bias: f32,
}

/// The tensors of a cell of `inputs` inputs and `hidden` units: the stacked
/// `kernel` `[inputs + hidden, 4·hidden]` and the `bias` `[4·hidden]`.
pub fn params(inputs: usize, hidden: usize) -> [ParamSpec; 2] {
    [
        ParamSpec::new("kernel", Role::Weight, [inputs + hidden, 4 * hidden]),
        ParamSpec::new("bias", Role::Bias, [4 * hidden]),
    ]
}

impl<B: Backend> Lstm<B> {
    /// A cell whose tensors come from `builder` as `{prefix}.kernel` and
    /// `{prefix}.bias`: fresh from the initialiser (the kernel's fan-in is
    /// `inputs + hidden`), or by name from a file, which must hold exactly
    /// those shapes.
    pub fn build(
        builder: &mut Builder<'_, B>,
        prefix: &str,
        inputs: usize,
        hidden: usize,
        forget_bias: f32,
    ) -> Result<Self, EngineError> {
        if inputs == 0 || hidden == 0 {
            return Err(EngineError::Config(format!(
                "an LSTM needs at least one input and one unit, not {inputs} and {hidden}"
            )));
        }
        let [kernel, bias] = params(inputs, hidden);
        Ok(Lstm {
            kernel: builder.make(prefix, &kernel)?.tensor,
            bias: builder.make(prefix, &bias)?.tensor,
            forget_bias,
        })
    }

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
        let stacked = [input_kernel, recurrent_kernel].concat();
        Ok(Lstm {
            kernel: Tensor::from_slice(backend, &stacked, [inputs + hidden, packed])?,
            bias: Tensor::from_slice(backend, bias, [packed])?,
            forget_bias,
        })
    }

    /// Units (the length of `h` and `c`).
    pub fn hidden(&self) -> usize {
        self.kernel.shape().dims()[1] / 4
    }

    /// Values each step takes in.
    pub fn inputs(&self) -> usize {
        self.kernel.shape().dims()[0] - self.hidden()
    }

    /// Every parameter with its dotted name: `lstm.kernel`, `lstm.bias`.
    pub fn parameters(&self) -> Vec<(String, &Tensor<B>)> {
        vec![
            ("lstm.kernel".into(), &self.kernel),
            ("lstm.bias".into(), &self.bias),
        ]
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
            kernel: leaf(&self.kernel),
            bias: leaf(&self.bias),
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
        let &[_, hidden] = g.shape(h).dims() else {
            return Err(EngineError::Shape(format!(
                "an LSTM's state is [batch, hidden], not {}",
                g.shape(h)
            )));
        };
        let joined = g.concat(x, h, 1)?;
        let gates = g.dense(joined, self.kernel, self.bias, Activation::Linear)?;
        let mut gate = |k: usize, activation: Activation, shift: f32| -> Result<Var, EngineError> {
            let mut z = g.slice(gates, 1, k * hidden, hidden)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{Unpacker, pack};
    use crate::{Cpu, Init, ready};

    #[test]
    fn a_cell_is_built_fresh_or_by_name_and_a_wrong_file_is_refused() {
        let mut fresh = Builder::fresh(Cpu, Init::Xavier, 4);
        let cell = Lstm::build(&mut fresh, "decoder.lstm", 5, 3, FORGET_BIAS).unwrap();
        assert_eq!(cell.kernel.shape().dims(), [8, 12]);
        assert_eq!((cell.inputs(), cell.hidden()), (5, 3));
        let named = [
            ("decoder.lstm.kernel".to_string(), cell.kernel.clone()),
            ("decoder.lstm.bias".to_string(), cell.bias.clone()),
        ];
        let bytes = ready(pack(&Cpu, &named)).unwrap().unwrap();
        let file = Unpacker::new(&bytes).unwrap();
        let mut loading = Builder::from_file(Cpu, &file);
        let loaded = Lstm::build(&mut loading, "decoder.lstm", 5, 3, FORGET_BIAS).unwrap();
        loading.finish().unwrap();
        assert_eq!(
            loaded.kernel.buffer().to_vec(),
            cell.kernel.buffer().to_vec()
        );
        let err = Lstm::build(
            &mut Builder::from_file(Cpu, &file),
            "decoder.lstm",
            5,
            4,
            1.0,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.contains("decoder.lstm.kernel") && err.contains("[9, 16]"),
            "{err}"
        );
        assert!(Lstm::<Cpu>::build(&mut Builder::fresh(Cpu, Init::He, 1), "l", 0, 3, 1.0).is_err());
    }
}
