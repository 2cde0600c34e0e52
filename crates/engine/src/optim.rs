//! Optimisers and weight penalties: what one update step does to one parameter.
//!
//! The per-element rule lives in [`update_element`] so that every backend can
//! follow (and be tested against) exactly the same arithmetic.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Backend, EngineError, Tensor};

/// How gradients become parameter changes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Optimizer {
    /// `p ← p − lr·g`.
    Sgd,
    /// Heavy-ball momentum: `v ← μ·v + g; p ← p − lr·v`.
    Momentum { momentum: f32 },
    /// Adam (Kingma & Ba) with bias correction.
    Adam {
        beta1: f32,
        beta2: f32,
        epsilon: f32,
    },
}

impl Optimizer {
    /// Momentum with the usual μ = 0.9.
    pub const MOMENTUM: Optimizer = Optimizer::Momentum { momentum: 0.9 };
    /// Adam with the paper's defaults.
    pub const ADAM: Optimizer = Optimizer::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };

    /// Number of state buffers the optimiser keeps per parameter.
    pub fn state_slots(&self) -> usize {
        match self {
            Optimizer::Sgd => 0,
            Optimizer::Momentum { .. } => 1,
            Optimizer::Adam { .. } => 2,
        }
    }

    /// The name used on the command line and in configs.
    pub fn name(&self) -> &'static str {
        match self {
            Optimizer::Sgd => "sgd",
            Optimizer::Momentum { .. } => "momentum",
            Optimizer::Adam { .. } => "adam",
        }
    }
}

impl fmt::Display for Optimizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Optimizer {
    type Err = EngineError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sgd" => Ok(Optimizer::Sgd),
            "momentum" => Ok(Optimizer::MOMENTUM),
            "adam" => Ok(Optimizer::ADAM),
            _ => Err(EngineError::Config(format!(
                "unknown optimiser {s:?}; expected sgd, momentum or adam"
            ))),
        }
    }
}

/// A penalty on weight size (never applied to biases).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Regularization {
    /// `|w|`: pushes weights to exactly zero.
    L1,
    /// `½·w²`: shrinks weights in proportion to their size.
    L2,
}

impl Regularization {
    /// d(penalty)/dw.
    pub fn derivative(self, w: f32) -> f32 {
        match self {
            Regularization::L1 => {
                if w < 0.0 {
                    -1.0
                } else if w > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Regularization::L2 => w,
        }
    }

    /// The penalty itself.
    pub fn penalty(self, w: f32) -> f32 {
        match self {
            Regularization::L1 => w.abs(),
            Regularization::L2 => 0.5 * w * w,
        }
    }
}

impl FromStr for Regularization {
    type Err = EngineError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "l1" => Ok(Regularization::L1),
            "l2" => Ok(Regularization::L2),
            _ => Err(EngineError::Config(format!(
                "unknown regularisation {s:?}; expected none, l1 or l2"
            ))),
        }
    }
}

/// Everything one update of one parameter needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpdateStep {
    pub optimizer: Optimizer,
    pub learning_rate: f32,
    /// 1 for the first step (Adam's bias correction needs it).
    pub step: u32,
    /// The weight penalty and its rate; `None` for biases.
    pub penalty: Option<(Regularization, f32)>,
}

/// Applies one update to one element: `p` is the parameter, `g` its gradient and
/// `state` the optimiser's per-element state (see [`Optimizer::state_slots`]).
///
/// The penalty follows TensorFlow Playground: its derivative is taken at the
/// weight *before* the gradient step and applied after it; under L1, a weight
/// whose sign that flips becomes exactly 0.
pub fn update_element(step: &UpdateStep, p: &mut f32, g: f32, state: &mut [f32]) {
    update_element_corrected(step, step.bias_corrections(), p, g, state);
}

impl UpdateStep {
    /// Adam's bias corrections `(1 − β₁ᵗ, 1 − β₂ᵗ)` for this step (1 for other
    /// optimisers): the same for every element, so kernels compute them once.
    pub fn bias_corrections(&self) -> (f32, f32) {
        match self.optimizer {
            Optimizer::Adam { beta1, beta2, .. } => {
                let t = self.step.max(1) as f32;
                (1.0 - libm::powf(beta1, t), 1.0 - libm::powf(beta2, t))
            }
            _ => (1.0, 1.0),
        }
    }
}

/// [`update_element`] with the step's [`UpdateStep::bias_corrections`] given.
pub fn update_element_corrected(
    step: &UpdateStep,
    (correction1, correction2): (f32, f32),
    p: &mut f32,
    g: f32,
    state: &mut [f32],
) {
    let before = *p;
    let lr = step.learning_rate;
    match step.optimizer {
        Optimizer::Sgd => *p -= lr * g,
        Optimizer::Momentum { momentum } => {
            state[0] = momentum * state[0] + g;
            *p -= lr * state[0];
        }
        Optimizer::Adam {
            beta1,
            beta2,
            epsilon,
        } => {
            state[0] = beta1 * state[0] + (1.0 - beta1) * g;
            state[1] = beta2 * state[1] + (1.0 - beta2) * g * g;
            let m_hat = state[0] / correction1;
            let v_hat = state[1] / correction2;
            *p -= lr * m_hat / (libm::sqrtf(v_hat) + epsilon);
        }
    }
    if let Some((kind, rate)) = step.penalty {
        let stepped = *p - lr * rate * kind.derivative(before);
        *p = if kind == Regularization::L1 && *p * stepped < 0.0 {
            0.0
        } else {
            stepped
        };
    }
}

/// The learning rate as a function of the step number.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// The same rate at every step.
    Constant { rate: f32 },
    /// `min + (max − min)·e^(−step/decay_steps)`: fast at first, then settling.
    ExponentialDecay {
        max: f32,
        min: f32,
        decay_steps: f32,
    },
}

impl Schedule {
    /// The rate for `step` (0 for the first update).
    pub fn rate(&self, step: u32) -> f32 {
        match *self {
            Schedule::Constant { rate } => rate,
            Schedule::ExponentialDecay {
                max,
                min,
                decay_steps,
            } => {
                min + (max - min) * libm::expf(-(step as f32) / decay_steps.max(f32::MIN_POSITIVE))
            }
        }
    }
}

/// Optimiser state for a list of parameters, and the step count.
///
/// Models hand it their parameters and gradients in a fixed order; it keeps
/// one set of state buffers per parameter and starts afresh when the optimiser
/// or the parameter shapes change.
pub struct Updater<B: Backend> {
    state: Vec<Vec<B::Buffer>>,
    state_for: Option<Optimizer>,
    lens: Vec<usize>,
    steps: u32,
}

impl<B: Backend> Default for Updater<B> {
    fn default() -> Self {
        Updater {
            state: Vec::new(),
            state_for: None,
            lens: Vec::new(),
            steps: 0,
        }
    }
}

impl<B: Backend> Updater<B> {
    /// Number of updates applied since the state was last reset.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// One update of every parameter. `params` pairs each tensor with whether it
    /// is a weight (weights take the penalty, biases do not); `grads` follows
    /// the same order.
    pub fn apply(
        &mut self,
        backend: &B,
        optimizer: Optimizer,
        learning_rate: f32,
        penalty: Option<(Regularization, f32)>,
        params: Vec<(&mut Tensor<B>, bool)>,
        grads: &[B::Buffer],
    ) -> Result<(), EngineError> {
        if grads.len() != params.len() {
            return Err(EngineError::Internal("one gradient per parameter"));
        }
        let lens: Vec<usize> = params.iter().map(|(p, _)| p.shape().len()).collect();
        if self.state_for != Some(optimizer) || self.lens != lens {
            self.state = params
                .iter()
                .map(|(p, _)| {
                    (0..optimizer.state_slots())
                        .map(|_| backend.fill(p.shape().len(), 0.0))
                        .collect()
                })
                .collect();
            self.state_for = Some(optimizer);
            self.lens = lens;
            self.steps = 0;
        }
        self.steps += 1;
        for ((param, is_weight), (grad, state)) in
            params.into_iter().zip(grads.iter().zip(&mut self.state))
        {
            let step = UpdateStep {
                optimizer,
                learning_rate,
                step: self.steps,
                penalty: if is_weight { penalty } else { None },
            };
            backend.update(param.buffer_mut(), grad, state, &step);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(optimizer: Optimizer) -> UpdateStep {
        UpdateStep {
            optimizer,
            learning_rate: 0.1,
            step: 1,
            penalty: None,
        }
    }

    #[test]
    fn sgd_moves_against_the_gradient() {
        let mut p = 1.0;
        update_element(&step(Optimizer::Sgd), &mut p, 2.0, &mut []);
        assert!((p - 0.8).abs() < 1e-7);
    }

    #[test]
    fn momentum_accumulates_velocity() {
        let mut p = 0.0;
        let mut v = [0.0];
        let s = step(Optimizer::MOMENTUM);
        update_element(&s, &mut p, 1.0, &mut v);
        update_element(&s, &mut p, 1.0, &mut v);
        // v = 1, then 1.9; p = −0.1 − 0.19.
        assert!((v[0] - 1.9).abs() < 1e-6);
        assert!((p + 0.29).abs() < 1e-6);
    }

    #[test]
    fn adam_first_step_is_learning_rate_sized() {
        let mut p = 0.0;
        let mut state = [0.0, 0.0];
        update_element(&step(Optimizer::ADAM), &mut p, 123.0, &mut state);
        assert!((p + 0.1).abs() < 1e-5, "{p}");
    }

    #[test]
    fn l2_shrinks_with_the_weight_before_the_step() {
        let mut p = 2.0;
        let mut s = step(Optimizer::Sgd);
        s.penalty = Some((Regularization::L2, 0.5));
        update_element(&s, &mut p, 1.0, &mut []);
        // 2 − 0.1·1 − 0.1·0.5·2
        assert!((p - 1.8).abs() < 1e-6);
    }

    #[test]
    fn l1_zeroes_a_weight_whose_sign_it_would_flip() {
        let mut p = 0.01;
        let mut s = step(Optimizer::Sgd);
        s.penalty = Some((Regularization::L1, 1.0));
        update_element(&s, &mut p, 0.0, &mut []);
        assert_eq!(p, 0.0);
        let mut q = 1.0;
        update_element(&s, &mut q, 0.0, &mut []);
        assert!((q - 0.9).abs() < 1e-6);
    }

    #[test]
    fn exponential_decay_goes_from_max_to_min() {
        let s = Schedule::ExponentialDecay {
            max: 0.003,
            min: 0.0001,
            decay_steps: 2000.0,
        };
        assert!((s.rate(0) - 0.003).abs() < 1e-9);
        assert!((s.rate(2000) - (0.0001 + 0.0029 / std::f32::consts::E)).abs() < 1e-7);
        assert!((s.rate(100_000) - 0.0001).abs() < 1e-7);
        assert_eq!(Schedule::Constant { rate: 0.5 }.rate(9), 0.5);
    }

    #[test]
    fn names_parse() {
        assert_eq!("adam".parse::<Optimizer>().unwrap(), Optimizer::ADAM);
        assert!("rmsprop".parse::<Optimizer>().is_err());
        assert_eq!("L1".parse::<Regularization>().unwrap(), Regularization::L1);
    }
}
