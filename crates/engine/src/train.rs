//! Training any [`Net`]: one optimiser step on a batch ([`Trainer::step`]),
//! an epoch over a data set in order ([`Trainer::epoch`]), and evaluation
//! ([`evaluate`]). The Playground and the MNIST lab share all of it.

use serde::{Deserialize, Serialize};

use crate::optim::{Schedule, Updater};
use crate::{Backend, EngineError, Graph, Mode, Net, Optimizer, Regularization, Tensor};

/// Examples as two row-aligned matrices on a backend: inputs and targets.
pub struct Examples<B: Backend> {
    pub x: Tensor<B>,
    pub y: Tensor<B>,
}

impl<B: Backend> Clone for Examples<B> {
    fn clone(&self) -> Self {
        Examples {
            x: self.x.clone(),
            y: self.y.clone(),
        }
    }
}

impl<B: Backend> Examples<B> {
    /// Uploads `x` (`rows × inputs`) and `y` (`rows × outputs`), row-major.
    pub fn new(
        backend: &B,
        x: &[f32],
        inputs: usize,
        y: &[f32],
        outputs: usize,
    ) -> Result<Self, EngineError> {
        let rows = x.len().checked_div(inputs).unwrap_or(0);
        if inputs == 0 || outputs == 0 || x.len() != rows * inputs || y.len() != rows * outputs {
            return Err(EngineError::Shape(format!(
                "{} input values and {} target values do not make rows of {inputs} inputs and {outputs} outputs",
                x.len(),
                y.len()
            )));
        }
        Ok(Examples {
            x: Tensor::from_slice(backend, x, [rows, inputs])?,
            y: Tensor::from_slice(backend, y, [rows, outputs])?,
        })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.x.shape().dims()[0]
    }

    /// True when there are no examples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn rows(&self, backend: &B, start: usize, count: usize) -> Examples<B> {
        let slice = |t: &Tensor<B>| {
            let width = t.shape().dims()[1];
            Tensor::from_buffer(
                backend.slice_rows(t.buffer(), width, start, count),
                [count, width].into(),
            )
        };
        Examples {
            x: slice(&self.x),
            y: slice(&self.y),
        }
    }
}

/// How training proceeds; every field may change between steps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub optimizer: Optimizer,
    /// The learning rate at each step.
    pub schedule: Schedule,
    pub batch_size: usize,
    /// The weight penalty, on parameters whose role decays (weights).
    #[serde(default)]
    pub regularization: Option<Regularization>,
    #[serde(default)]
    pub regularization_rate: f32,
}

impl TrainConfig {
    /// Plain training with no weight penalty.
    pub fn new(optimizer: Optimizer, schedule: Schedule, batch_size: usize) -> Self {
        TrainConfig {
            optimizer,
            schedule,
            batch_size,
            regularization: None,
            regularization_rate: 0.0,
        }
    }
}

impl Default for TrainConfig {
    /// TensorFlow Playground's defaults.
    fn default() -> Self {
        TrainConfig {
            optimizer: Optimizer::Sgd,
            schedule: Schedule::Constant { rate: 0.03 },
            batch_size: 10,
            regularization: None,
            regularization_rate: 0.0,
        }
    }
}

/// A model's loss (and accuracy) over a whole data set.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean loss per example, without the weight penalty (as TensorFlow Playground shows it).
    pub loss: f32,
    /// Fraction of examples classified correctly (see [`crate::Loss::accuracy`]).
    pub accuracy: f32,
    /// The network's predictions, row-major (probabilities for softmax cross-entropy).
    pub outputs: Vec<f32>,
}

/// What one training step leaves on the backend.
pub struct StepOutput<B: Backend> {
    /// The batch's mean loss, a scalar.
    pub loss: Tensor<B>,
    /// `[batch, outputs]` predictions before the update (probabilities for
    /// softmax cross-entropy).
    pub probabilities: Tensor<B>,
    /// The learning rate used.
    pub learning_rate: f32,
}

/// Optimiser state, the step count and the dropout stream of one network.
pub struct Trainer<B: Backend> {
    pub config: TrainConfig,
    /// Fraction of each hidden layer's outputs dropped in every training
    /// step (TensorFlow Playground's dropout), in `[0, 1)`; 0 (the default)
    /// is none. Dropout layers in the network drop on their own. It may
    /// change between steps.
    pub dropout: f32,
    /// Seeds the dropout masks; each step mixes in its number.
    seed: u64,
    steps: u32,
    updater: Updater<B>,
}

impl<B: Backend> Trainer<B> {
    /// A trainer with fresh optimiser state; `seed` drives the dropout
    /// masks (the same seed gives the same masks step by step).
    pub fn new(config: TrainConfig, seed: u64) -> Self {
        Trainer {
            config,
            dropout: 0.0,
            seed,
            steps: 0,
            updater: Updater::default(),
        }
    }

    /// The same trainer with dropout `rate` on the hidden layers.
    pub fn with_dropout(mut self, rate: f32) -> Self {
        self.dropout = rate;
        self
    }

    /// Number of steps taken.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// One update of `net` on a batch of inputs `x` (`[batch, …]`) and
    /// targets `y` (`[batch, outputs]`, one-hot for classes). Returns the
    /// batch loss and predictions as backend buffers (read them back only
    /// when needed).
    pub fn step(
        &mut self,
        net: &mut Net<B>,
        x: &Tensor<B>,
        y: &Tensor<B>,
    ) -> Result<StepOutput<B>, EngineError> {
        let backend = net.backend().clone();
        let learning_rate = self.config.schedule.rate(self.steps);
        let mode = Mode::Train {
            seed: self.seed ^ u64::from(self.steps).wrapping_mul(0xd134_2543_de82_ef95),
            hidden_dropout: self.dropout,
        };
        let mut g = Graph::new(backend.clone());
        let xv = g.input(x);
        let yv = g.input(y);
        let forward = net.forward(&mut g, xv, mode)?;
        let loss = net.config().loss.record(&mut g, forward.output, yv)?;
        let probabilities = net.prediction(&mut g, forward.output)?;
        // Every node's gradient stays alive until the update is done: freed
        // here instead, glibc hands the large buffers back to the system and
        // the next step faults them in again (a conv MNIST step was 40%
        // slower natively for it; wasm's allocator keeps its memory).
        let gradients = g.backward(loss)?;
        let grads = gradients.of_params(&forward.params)?;
        net.update_moving(&g, &forward.batch_stats);
        let (loss, probabilities) = (g.tensor(loss), g.tensor(probabilities));
        // The tape shares the parameters' buffers; dropping it first lets the
        // optimiser update them in place instead of copying each one.
        drop(g);
        let c = self.config;
        let penalty = c.regularization.map(|r| (r, c.regularization_rate));
        self.updater.apply(
            &backend,
            c.optimizer,
            learning_rate,
            penalty,
            net.parameters_mut(),
            &grads,
        )?;
        drop(gradients);
        self.steps += 1;
        Ok(StepOutput {
            loss,
            probabilities,
            learning_rate,
        })
    }

    /// One pass over `data` in order, in batches of `batch_size` (the last one
    /// may be smaller), as TensorFlow Playground does.
    pub fn epoch(&mut self, net: &mut Net<B>, data: &Examples<B>) -> Result<(), EngineError> {
        let batch = self.config.batch_size.max(1);
        let backend = net.backend().clone();
        let mut start = 0;
        while start < data.len() {
            let count = batch.min(data.len() - start);
            let rows = data.rows(&backend, start, count);
            self.step(net, &rows.x, &rows.y)?;
            start += count;
        }
        Ok(())
    }
}

/// The loss and accuracy of `net` on `data` (one readback).
pub async fn evaluate<B: Backend>(
    net: &Net<B>,
    data: &Examples<B>,
) -> Result<Evaluation, EngineError> {
    let backend = net.backend().clone();
    // One forward pass gives both the loss and the outputs.
    let (loss, outputs) = {
        let mut g = Graph::new(backend.clone());
        let x = g.input(&data.x);
        let y = g.input(&data.y);
        let forward = net.forward(&mut g, x, Mode::Eval)?;
        let loss = net.config().loss.record(&mut g, forward.output, y)?;
        let outputs = net.prediction(&mut g, forward.output)?;
        (g.tensor(loss), g.tensor(outputs))
    };
    let loss = loss.to_vec(&backend).await?;
    let outputs = outputs.to_vec(&backend).await?;
    let targets = data.y.to_vec(&backend).await?;
    Ok(Evaluation {
        loss: loss.first().copied().unwrap_or(f32::NAN),
        accuracy: net
            .config()
            .loss
            .accuracy(&outputs, &targets, net.classes()),
        outputs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Cpu, Loss, MlpConfig, ready};

    /// XOR of ±1 inputs, targets ±1.
    fn xor() -> Examples<Cpu> {
        let x = [-1., -1., -1., 1., 1., -1., 1., 1.];
        let y = [1., -1., -1., 1.];
        Examples::new(&Cpu, &x, 2, &y, 1).unwrap()
    }

    fn trained_loss(optimizer: Optimizer, learning_rate: f32) -> (f32, f32) {
        let cfg = MlpConfig::uniform(
            2,
            &[4],
            Activation::Tanh,
            1,
            Activation::Tanh,
            Loss::HalfSquaredError,
        );
        let mut model = cfg.build(Cpu, 11).unwrap();
        let data = xor();
        let before = ready(evaluate(&model, &data)).unwrap().unwrap().loss;
        let mut trainer = Trainer::new(
            TrainConfig {
                optimizer,
                schedule: Schedule::Constant {
                    rate: learning_rate,
                },
                batch_size: 4,
                ..Default::default()
            },
            0,
        );
        for _ in 0..500 {
            trainer.epoch(&mut model, &data).unwrap();
        }
        let after = ready(evaluate(&model, &data)).unwrap().unwrap();
        assert_eq!(after.accuracy, 1.0, "{optimizer:?}");
        (before, after.loss)
    }

    #[test]
    fn every_optimiser_learns_xor() {
        for (opt, lr) in [
            (Optimizer::Sgd, 0.3),
            (Optimizer::MOMENTUM, 0.05),
            (Optimizer::ADAM, 0.03),
        ] {
            let (before, after) = trained_loss(opt, lr);
            assert!(
                after < 0.05 && after < before / 5.0,
                "{opt:?}: {before} → {after}"
            );
        }
    }

    #[test]
    fn epoch_runs_ceil_n_over_batch_steps() {
        let cfg = MlpConfig::uniform(
            2,
            &[2],
            Activation::Relu,
            1,
            Activation::Tanh,
            Loss::HalfSquaredError,
        );
        let mut model = cfg.build(Cpu, 1).unwrap();
        let mut trainer = Trainer::new(
            TrainConfig {
                batch_size: 3,
                ..Default::default()
            },
            0,
        );
        trainer.epoch(&mut model, &xor()).unwrap();
        assert_eq!(trainer.steps(), 2);
    }

    #[test]
    fn l1_drives_useless_weights_to_exact_zero() {
        let cfg = MlpConfig::uniform(
            2,
            &[4],
            Activation::Tanh,
            1,
            Activation::Tanh,
            Loss::HalfSquaredError,
        );
        let mut model = cfg.build(Cpu, 5).unwrap();
        // Targets ignore the inputs entirely.
        let data = Examples::new(&Cpu, &[1., 2., -1., 0.5], 2, &[0.3, 0.3], 1).unwrap();
        let mut trainer = Trainer::new(
            TrainConfig {
                regularization: Some(Regularization::L1),
                regularization_rate: 0.1,
                schedule: Schedule::Constant { rate: 0.1 },
                ..Default::default()
            },
            0,
        );
        for _ in 0..300 {
            trainer.epoch(&mut model, &data).unwrap();
        }
        let w = ready(model.dense_layers()[0].weight.to_vec(&Cpu))
            .unwrap()
            .unwrap();
        assert!(w.iter().filter(|&&v| v == 0.0).count() >= 4, "{w:?}");
    }

    #[test]
    fn dropout_changes_training_deterministically() {
        let cfg = MlpConfig::uniform(
            2,
            &[8, 8],
            Activation::Tanh,
            1,
            Activation::Tanh,
            Loss::HalfSquaredError,
        );
        let data = xor();
        let train = |dropout: f32, seed: u64| {
            let mut model = cfg.build(Cpu, 4).unwrap();
            let mut trainer = Trainer::new(
                TrainConfig {
                    batch_size: 2,
                    schedule: Schedule::Constant { rate: 0.1 },
                    ..Default::default()
                },
                seed,
            )
            .with_dropout(dropout);
            for _ in 0..20 {
                trainer.epoch(&mut model, &data).unwrap();
            }
            ready(model.dense_layers()[1].weight.to_vec(&Cpu))
                .unwrap()
                .unwrap()
        };
        let plain = train(0.0, 1);
        assert_eq!(train(0.0, 2), plain, "no dropout, no use of the seed");
        let dropped = train(0.3, 1);
        assert_ne!(dropped, plain);
        assert_eq!(train(0.3, 1), dropped, "same seed, same masks");
        assert_ne!(train(0.3, 2), dropped);
        // A rate the trainer cannot use fails the step with a reason.
        let mut model = cfg.build(Cpu, 4).unwrap();
        let mut trainer = Trainer::new(TrainConfig::default(), 0).with_dropout(1.0);
        let err = trainer.epoch(&mut model, &data).unwrap_err().to_string();
        assert!(err.contains("dropout"), "{err}");
    }

    #[test]
    fn evaluation_outputs_are_the_predictions() {
        for (outputs, activation, loss) in [
            (1, Activation::Tanh, Loss::HalfSquaredError),
            (1, Activation::Sigmoid, Loss::BinaryCrossEntropy),
            (2, Activation::Linear, Loss::SoftmaxCrossEntropy),
        ] {
            let cfg = MlpConfig::uniform(2, &[3], Activation::Relu, outputs, activation, loss);
            let model = cfg.build(Cpu, 9).unwrap();
            let y: Vec<f32> = (0..4 * outputs).map(|i| (i % 2) as f32).collect();
            let x = [-1., -1., -1., 1., 1., -1., 1., 1.];
            let data = Examples::new(&Cpu, &x, 2, &y, outputs).unwrap();
            let eval = ready(evaluate(&model, &data)).unwrap().unwrap();
            let predicted = ready(model.predict(&data.x).unwrap().to_vec(&Cpu))
                .unwrap()
                .unwrap();
            assert_eq!(eval.outputs, predicted, "{loss}");
            assert!(eval.loss.is_finite() && eval.loss > 0.0, "{loss}");
        }
    }

    #[test]
    fn mismatched_examples_are_rejected() {
        assert!(Examples::new(&Cpu, &[1., 2., 3.], 2, &[1.], 1).is_err());
        assert!(Examples::new(&Cpu, &[1., 2.], 2, &[1., 2.], 1).is_err());
    }
}
