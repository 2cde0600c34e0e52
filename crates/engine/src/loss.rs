//! Loss functions, built from graph operations so their gradients come for free.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Backend, EngineError, Graph, Var};

/// What training minimises. Every loss is averaged over the examples (rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// `½·Σ(output − target)²` per example: TensorFlow Playground's loss.
    HalfSquaredError,
    /// Softmax over the outputs (logits), then cross-entropy against one-hot targets.
    SoftmaxCrossEntropy,
    /// Cross-entropy of sigmoid outputs (probabilities) against 0/1 targets.
    BinaryCrossEntropy,
}

impl Loss {
    /// Every loss, in menu order.
    pub const ALL: [Loss; 3] = [
        Loss::HalfSquaredError,
        Loss::SoftmaxCrossEntropy,
        Loss::BinaryCrossEntropy,
    ];

    /// The name used on the command line and in configs.
    pub fn name(self) -> &'static str {
        match self {
            Loss::HalfSquaredError => "half-squared-error",
            Loss::SoftmaxCrossEntropy => "softmax-cross-entropy",
            Loss::BinaryCrossEntropy => "binary-cross-entropy",
        }
    }

    /// Records the loss of `output` (the network's last layer) against `target`
    /// on `g` and returns the scalar.
    pub fn record<B: Backend>(
        self,
        g: &mut Graph<B>,
        output: Var,
        target: Var,
    ) -> Result<Var, EngineError> {
        if g.shape(output) != g.shape(target) {
            return Err(EngineError::Shape(format!(
                "{} of outputs {} against targets {}",
                self.name(),
                g.shape(output),
                g.shape(target)
            )));
        }
        let rows = g.shape(output).dims().first().copied().unwrap_or(1).max(1) as f32;
        let total = match self {
            Loss::HalfSquaredError => {
                let diff = g.sub(output, target)?;
                let squared = g.mul(diff, diff)?;
                let sum = g.sum(squared);
                g.scale(sum, 0.5)
            }
            Loss::SoftmaxCrossEntropy => {
                let log_p = g.log_softmax(output)?;
                let picked = g.mul(target, log_p)?;
                let sum = g.sum(picked);
                g.scale(sum, -1.0)
            }
            Loss::BinaryCrossEntropy => {
                let shape = g.shape(output).clone();
                let one = g.constant(1.0, shape);
                let log_p = g.ln(output);
                let not_p = g.sub(one, output)?;
                let log_not_p = g.ln(not_p);
                let not_t = g.sub(one, target)?;
                let pos = g.mul(target, log_p)?;
                let neg = g.mul(not_t, log_not_p)?;
                let both = g.add(pos, neg)?;
                let sum = g.sum(both);
                g.scale(sum, -1.0)
            }
        };
        Ok(g.scale(total, 1.0 / rows))
    }

    /// The fraction of rows classified correctly, given the network's outputs and
    /// the targets (both row-major with `width` columns).
    ///
    /// Half squared error compares signs (targets ±1, as in TensorFlow
    /// Playground); binary cross-entropy thresholds at ½; softmax cross-entropy
    /// compares the arg-max.
    pub fn accuracy(self, outputs: &[f32], targets: &[f32], width: usize) -> f32 {
        let width = width.max(1);
        let rows = outputs.len() / width;
        if rows == 0 {
            return 0.0;
        }
        let correct = outputs
            .chunks_exact(width)
            .zip(targets.chunks_exact(width))
            .filter(|(o, t)| match self {
                Loss::HalfSquaredError => o.iter().zip(*t).all(|(o, t)| (*o >= 0.0) == (*t >= 0.0)),
                Loss::BinaryCrossEntropy => {
                    o.iter().zip(*t).all(|(o, t)| (*o >= 0.5) == (*t >= 0.5))
                }
                Loss::SoftmaxCrossEntropy => arg_max(o) == arg_max(t),
            })
            .count();
        correct as f32 / rows as f32
    }
}

/// Index of the largest value (the first one on ties).
pub fn arg_max(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Loss {
    type Err = EngineError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "half-squared-error" | "squared" | "mse" => Ok(Loss::HalfSquaredError),
            "softmax-cross-entropy" | "cross-entropy" | "ce" => Ok(Loss::SoftmaxCrossEntropy),
            "binary-cross-entropy" | "bce" => Ok(Loss::BinaryCrossEntropy),
            _ => Err(EngineError::Config(format!(
                "unknown loss {s:?}; expected squared, cross-entropy or bce"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cpu, Tensor, ready};

    fn loss_value(loss: Loss, out: &[f32], target: &[f32], shape: [usize; 2]) -> f32 {
        let mut g = Graph::new(Cpu);
        let o = g.input(&Tensor::from_slice(&Cpu, out, shape).unwrap());
        let t = g.input(&Tensor::from_slice(&Cpu, target, shape).unwrap());
        let l = loss.record(&mut g, o, t).unwrap();
        ready(g.tensor(l).to_vec(&Cpu)).unwrap().unwrap()[0]
    }

    #[test]
    fn half_squared_error_matches_the_formula() {
        // rows: ½(0.5² ) and ½(2²) → mean = (0.125 + 2)/2
        let v = loss_value(Loss::HalfSquaredError, &[0.5, -1.0], &[1.0, 1.0], [2, 1]);
        assert!((v - 1.0625).abs() < 1e-6, "{v}");
    }

    #[test]
    fn cross_entropy_of_uniform_logits_is_ln_k() {
        let v = loss_value(
            Loss::SoftmaxCrossEntropy,
            &[0.0; 3],
            &[0.0, 1.0, 0.0],
            [1, 3],
        );
        assert!((v - 3f32.ln()).abs() < 1e-6, "{v}");
    }

    #[test]
    fn binary_cross_entropy_matches_the_formula() {
        let v = loss_value(Loss::BinaryCrossEntropy, &[0.8, 0.3], &[1.0, 0.0], [2, 1]);
        let expected = -(0.8f32.ln() + 0.7f32.ln()) / 2.0;
        assert!((v - expected).abs() < 1e-6, "{v} vs {expected}");
        let certain = loss_value(Loss::BinaryCrossEntropy, &[0.0], &[1.0], [1, 1]);
        assert!(certain.is_finite() && certain > 15.0);
    }

    #[test]
    fn accuracy_rules() {
        assert_eq!(
            Loss::HalfSquaredError.accuracy(&[0.3, -0.2], &[1.0, 1.0], 1),
            0.5
        );
        assert_eq!(
            Loss::BinaryCrossEntropy.accuracy(&[0.7, 0.2], &[1.0, 0.0], 1),
            1.0
        );
        let out = [0.1, 0.9, 0.8, 0.2];
        assert_eq!(
            Loss::SoftmaxCrossEntropy.accuracy(&out, &[0., 1., 0., 1.], 2),
            0.5
        );
    }

    #[test]
    fn mismatched_shapes_are_an_error() {
        let mut g = Graph::new(Cpu);
        let o = g.input(&Tensor::full(&Cpu, 0.0, [2, 1]));
        let t = g.input(&Tensor::full(&Cpu, 0.0, [3, 1]));
        assert!(Loss::HalfSquaredError.record(&mut g, o, t).is_err());
    }
}
