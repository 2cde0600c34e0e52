//! A training session on MNIST: shuffled batches, steps, test evaluation.

use std::sync::Arc;

use playnet_data::Mnist;
use playnet_engine::{
    Backend, Checkpoint, EngineError, Net, NetConfig, Schedule, Tensor, TrainConfig, Trainer,
    loss::arg_max,
};
use rand::SeedableRng;
use rand::seq::SliceRandom;

use crate::{CLASSES, PIXELS, Preset};

/// Images per forward pass when evaluating (bounds memory, not results).
const EVAL_CHUNK: usize = 500;

/// What can stop a lab.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The network or training settings do not work.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The loss became NaN or infinite.
    #[error(
        "training diverged at step {step} (the loss is {loss}) — lower the learning rate or reset"
    )]
    Diverged { step: u32, loss: f32 },
    /// A set with no images to train or test on.
    #[error("the {0} set has no images")]
    NoData(&'static str),
}

/// A network and how to train it.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub network: NetConfig,
    pub training: TrainConfig,
}

impl From<&Preset> for Setup {
    fn from(p: &Preset) -> Self {
        Setup {
            network: p.network.clone(),
            training: p.training,
        }
    }
}

/// The numbers of one training step.
#[derive(Clone, Debug, PartialEq)]
pub struct StepStats {
    /// Steps taken so far (this one included).
    pub step: u32,
    /// Full passes over the 60,000 training images completed.
    pub epoch: u32,
    /// Mean cross-entropy on this batch.
    pub loss: f32,
    /// Fraction of this batch classified correctly.
    pub accuracy: f32,
    /// The learning rate used.
    pub learning_rate: f32,
}

/// An evaluation on (part of) the test set.
#[derive(Clone, Debug, PartialEq)]
pub struct TestReport {
    /// Images evaluated.
    pub count: usize,
    pub accuracy: f32,
    /// Mean cross-entropy.
    pub loss: f32,
    /// `confusion[true][predicted]` counts.
    pub confusion: [[u32; CLASSES]; CLASSES],
    /// Predicted class and its probability, per evaluated image (in test order).
    pub predictions: Vec<(u8, f32)>,
}

impl TestReport {
    /// Test images the network gets wrong, most confident mistakes first.
    pub fn mistakes(&self, labels: &[u8]) -> Vec<usize> {
        let mut wrong: Vec<usize> = (0..self.predictions.len())
            .filter(|&i| labels.get(i).is_some_and(|&l| l != self.predictions[i].0))
            .collect();
        wrong.sort_by(|&a, &b| self.predictions[b].1.total_cmp(&self.predictions[a].1));
        wrong
    }
}

/// A network training on MNIST.
pub struct Lab<B: Backend> {
    backend: B,
    data: Arc<Mnist>,
    setup: Setup,
    net: Net<B>,
    trainer: Trainer<B>,
    rng: rand_pcg::Pcg64Mcg,
    order: Vec<usize>,
    cursor: usize,
    epoch: u32,
    batch: Vec<usize>,
    batch_predictions: Vec<(u8, f32)>,
    pixels: Vec<f32>,
    /// Steps taken before the trainer was made (a network carried over from
    /// another backend, see [`Lab::carry_to`]); the trainer counts the rest.
    carried_steps: u32,
}

impl<B: Backend> Lab<B> {
    /// A fresh network from `setup`, its weights and batch order drawn from `seed`.
    pub fn new(backend: B, data: Arc<Mnist>, setup: Setup, seed: u64) -> Result<Self, LabError> {
        if data.train.is_empty() {
            return Err(LabError::NoData("training"));
        }
        let net = Net::new(backend.clone(), setup.network.clone(), CLASSES, seed)?;
        let trainer = Trainer::new(setup.training, seed.wrapping_add(1));
        let mut lab = Lab {
            backend,
            order: (0..data.train.len()).collect(),
            data,
            setup,
            net,
            trainer,
            rng: rand_pcg::Pcg64Mcg::seed_from_u64(seed.wrapping_add(2)),
            cursor: 0,
            epoch: 0,
            batch: Vec::new(),
            batch_predictions: Vec::new(),
            pixels: Vec::new(),
            carried_steps: 0,
        };
        lab.order.shuffle(&mut lab.rng);
        Ok(lab)
    }

    /// The same session on another backend: the weights of `weights` (saved
    /// at step `step`, on this or any backend), this lab's data, settings and
    /// place in the shuffled batches. Training goes on from `step` — the
    /// learning-rate schedule included — with fresh optimiser state, as after
    /// [`Lab::load`].
    ///
    /// This is how the page moves a network between the CPU and the GPU, and
    /// how it carries on from a CPU-side copy of the weights when the GPU
    /// fails: nothing here reads this lab's own weights.
    pub fn carry_to<C: Backend>(
        &self,
        backend: C,
        weights: &Checkpoint,
        step: u32,
        seed: u64,
    ) -> Result<Lab<C>, LabError> {
        let net = Net::load(backend.clone(), weights, CLASSES)?;
        let mut setup = self.setup.clone();
        setup.network = net.config().clone();
        let trainer = Trainer::new(
            resumed(setup.training, step),
            seed.wrapping_add(1).wrapping_add(u64::from(step)),
        );
        Ok(Lab {
            backend,
            data: self.data.clone(),
            setup,
            net,
            trainer,
            rng: self.rng.clone(),
            order: self.order.clone(),
            cursor: self.cursor,
            epoch: self.epoch,
            batch: self.batch.clone(),
            batch_predictions: self.batch_predictions.clone(),
            pixels: Vec::new(),
            carried_steps: step,
        })
    }

    /// Counts epochs from `epoch` (a network restored after its worker died
    /// goes on counting where it was; its batches start a fresh pass).
    pub fn set_epoch(&mut self, epoch: u32) {
        self.epoch = epoch;
    }

    /// The epoch the next batch is in.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The network being trained.
    pub fn net(&self) -> &Net<B> {
        &self.net
    }

    /// The network and training settings.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The data set.
    pub fn data(&self) -> &Mnist {
        &self.data
    }

    /// Steps taken.
    pub fn steps(&self) -> u32 {
        self.carried_steps + self.trainer.steps()
    }

    /// Changes the optimiser, schedule or batch size without touching the weights.
    pub fn retune(&mut self, training: TrainConfig) {
        self.setup.training = training;
        self.trainer.config = resumed(training, self.carried_steps);
    }

    /// The training images of the last batch, with the predicted class and its
    /// probability before the step.
    pub fn last_batch(&self) -> impl Iterator<Item = (usize, u8, f32)> + '_ {
        self.batch
            .iter()
            .zip(&self.batch_predictions)
            .map(|(&i, &(class, p))| (i, class, p))
    }

    /// One optimiser step on the next batch (reshuffling after each epoch).
    pub async fn step(&mut self) -> Result<StepStats, LabError> {
        let size = self.setup.training.batch_size.clamp(1, self.order.len());
        if self.cursor + size > self.order.len() {
            self.order.shuffle(&mut self.rng);
            self.cursor = 0;
            self.epoch += 1;
        }
        self.batch.clear();
        self.batch
            .extend_from_slice(&self.order[self.cursor..self.cursor + size]);
        self.cursor += size;
        self.data.train.to_f32_batch(&self.batch, &mut self.pixels);
        let x = Tensor::from_slice(&self.backend, &self.pixels, [size, PIXELS])?;
        let y = Tensor::from_slice(
            &self.backend,
            &self.data.train.one_hot(&self.batch),
            [size, CLASSES],
        )?;
        let out = self.trainer.step(&mut self.net, &x, &y)?;
        let loss = out
            .loss
            .to_vec(&self.backend)
            .await?
            .first()
            .copied()
            .unwrap_or(f32::NAN);
        let probabilities = out.probabilities.to_vec(&self.backend).await?;
        let step = self.steps();
        if !loss.is_finite() {
            return Err(LabError::Diverged { step, loss });
        }
        self.batch_predictions = top_classes(&probabilities);
        let correct = self
            .batch
            .iter()
            .zip(&self.batch_predictions)
            .filter(|&(&i, &(class, _))| self.data.train.labels[i] == class)
            .count();
        Ok(StepStats {
            step,
            epoch: self.epoch,
            loss,
            accuracy: correct as f32 / size as f32,
            learning_rate: out.learning_rate,
        })
    }

    /// Evaluates the first `limit` test images (all 10,000 with `None`).
    pub async fn test(&self, limit: Option<usize>) -> Result<TestReport, LabError> {
        let test = &self.data.test;
        let count = limit.unwrap_or(test.len()).min(test.len());
        if count == 0 {
            return Err(LabError::NoData("test"));
        }
        let mut confusion = [[0u32; CLASSES]; CLASSES];
        let mut predictions = Vec::with_capacity(count);
        let mut loss = 0.0f64;
        let mut pixels = Vec::new();
        for start in (0..count).step_by(EVAL_CHUNK) {
            let indices: Vec<usize> = (start..(start + EVAL_CHUNK).min(count)).collect();
            test.to_f32_batch(&indices, &mut pixels);
            let x = Tensor::from_slice(&self.backend, &pixels, [indices.len(), PIXELS])?;
            let p = self.net.predict(&x)?.to_vec(&self.backend).await?;
            for (row, &i) in p.chunks_exact(CLASSES).zip(&indices) {
                let label = usize::from(test.labels[i]);
                let predicted = arg_max(row);
                confusion[label][predicted] += 1;
                loss -= f64::from(row[label].max(1e-7).ln());
                predictions.push((predicted as u8, row[predicted]));
            }
        }
        let correct: u32 = (0..CLASSES).map(|k| confusion[k][k]).sum();
        Ok(TestReport {
            count,
            accuracy: correct as f32 / count as f32,
            loss: (loss / count as f64) as f32,
            confusion,
            predictions,
        })
    }

    /// Class probabilities of one 28×28 image (values 0–1, row-major).
    pub async fn classify(&self, image: &[f32]) -> Result<[f32; CLASSES], LabError> {
        let x = Tensor::from_slice(&self.backend, image, [1, PIXELS])?;
        let p = self.net.predict(&x)?.to_vec(&self.backend).await?;
        let mut out = [0.0; CLASSES];
        for (o, v) in out.iter_mut().zip(p) {
            *o = v;
        }
        Ok(out)
    }

    /// The trained network as a file pair (JSON config + safetensors).
    pub async fn save(&self) -> Result<Checkpoint, LabError> {
        Ok(self.net.save().await?)
    }

    /// Replaces the network with a saved one (training settings stay; the
    /// optimiser starts afresh). A file for another kind of network is refused
    /// and the current one kept.
    pub fn load(&mut self, checkpoint: &Checkpoint, seed: u64) -> Result<(), LabError> {
        let net = Net::load(self.backend.clone(), checkpoint, CLASSES)?;
        self.setup.network = net.config().clone();
        self.net = net;
        self.trainer = Trainer::new(self.setup.training, seed.wrapping_add(1));
        self.carried_steps = 0;
        Ok(())
    }
}

/// `training` for a trainer that starts counting at step `step` of it: the
/// schedule shifted so that its step 0 is the original's step `step`.
fn resumed(training: TrainConfig, step: u32) -> TrainConfig {
    let schedule = match training.schedule {
        Schedule::Constant { rate } => Schedule::Constant { rate },
        Schedule::ExponentialDecay {
            max,
            min,
            decay_steps,
        } => Schedule::ExponentialDecay {
            // min + (max − min)·e^(−(s + step)/d) = min + (max′ − min)·e^(−s/d)
            max: min
                + (max - min) * libm::expf(-(step as f32) / decay_steps.max(f32::MIN_POSITIVE)),
            min,
            decay_steps,
        },
    };
    TrainConfig {
        schedule,
        ..training
    }
}

/// The most likely class and its probability for each row of probabilities.
fn top_classes(probabilities: &[f32]) -> Vec<(u8, f32)> {
    probabilities
        .chunks_exact(CLASSES)
        .map(|row| {
            let k = arg_max(row);
            (k as u8, row[k])
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use playnet_data::Digits;
    use playnet_engine::{Cpu, ready};

    /// A tiny MNIST stand-in: class k lights row 2k+3 of the image.
    pub(crate) fn toy_mnist(count: usize) -> Arc<Mnist> {
        let digits = |count: usize, offset: usize| {
            let mut images = Vec::new();
            let mut labels = Vec::new();
            for n in 0..count {
                let k = (n + offset) % CLASSES;
                let mut image = vec![0u8; PIXELS];
                for x in 4..24 {
                    image[(2 * k + 4) * 28 + x] = 200 + (n % 50) as u8;
                }
                images.extend(image);
                labels.push(k as u8);
            }
            Digits {
                images,
                labels,
                rows: 28,
                cols: 28,
            }
        };
        Arc::new(Mnist {
            train: digits(count, 0),
            test: digits(count / 2, 3),
        })
    }

    #[test]
    fn softmax_learns_the_toy_digits_and_reports_them() {
        let preset = crate::preset("softmax").unwrap();
        let mut lab = Lab::new(Cpu, toy_mnist(400), Setup::from(&preset), 1).unwrap();
        let first = ready(lab.step()).unwrap().unwrap();
        assert_eq!((first.step, first.epoch), (1, 0));
        for _ in 0..10 {
            ready(lab.step()).unwrap().unwrap();
        }
        // 400 images, batches of 100: the fifth step started epoch 1.
        assert_eq!(lab.steps(), 11);
        let report = ready(lab.test(None)).unwrap().unwrap();
        assert_eq!(report.count, 200);
        assert!(report.accuracy > 0.99, "{report:?}");
        let total: u32 = report.confusion.iter().flatten().sum();
        assert_eq!(total, 200);
        assert_eq!(lab.last_batch().count(), 100);
        let image: Vec<f32> = lab
            .data()
            .test
            .image(0)
            .iter()
            .map(|&v| v as f32 / 255.0)
            .collect();
        let p = ready(lab.classify(&image)).unwrap().unwrap();
        assert_eq!(arg_max(&p), usize::from(lab.data().test.labels[0]));
        assert!(report.mistakes(&lab.data().test.labels).is_empty());
    }

    #[test]
    fn divergence_is_reported_not_hidden() {
        let mut setup = Setup::from(&crate::preset("softmax").unwrap());
        setup.training.schedule = playnet_engine::Schedule::Constant { rate: f32::MAX };
        let mut lab = Lab::new(Cpu, toy_mnist(200), setup, 1).unwrap();
        let err = (0..50)
            .find_map(|_| ready(lab.step()).unwrap().err())
            .expect("the largest f32 rate diverges");
        assert!(err.to_string().contains("diverged"), "{err}");
    }

    #[test]
    fn save_and_load_keep_predictions_and_refuse_other_files() {
        let preset = crate::preset("conv").unwrap();
        let mut lab = Lab::new(Cpu, toy_mnist(200), Setup::from(&preset), 3).unwrap();
        ready(lab.step()).unwrap().unwrap();
        let saved = ready(lab.save()).unwrap().unwrap();
        let before = ready(lab.test(Some(20))).unwrap().unwrap();
        let mut other = Lab::new(Cpu, toy_mnist(200), Setup::from(&preset), 4).unwrap();
        other.load(&saved, 4).unwrap();
        assert_eq!(ready(other.test(Some(20))).unwrap().unwrap(), before);
        let garbage = Checkpoint {
            config_json: "{}".into(),
            weights: vec![1, 2, 3],
        };
        assert!(other.load(&garbage, 4).is_err());
        assert_eq!(ready(other.test(Some(20))).unwrap().unwrap(), before);
    }

    #[test]
    fn carried_labs_keep_weights_steps_batches_and_the_schedule() {
        let mut setup = Setup::from(&crate::preset("softmax").unwrap());
        setup.training.schedule = playnet_engine::Schedule::ExponentialDecay {
            max: 0.5,
            min: 0.01,
            decay_steps: 4.0,
        };
        let mut lab = Lab::new(Cpu, toy_mnist(400), setup, 5).unwrap();
        for _ in 0..3 {
            ready(lab.step()).unwrap().unwrap();
        }
        let saved = ready(lab.save()).unwrap().unwrap();
        let carried = lab.carry_to(Cpu, &saved, lab.steps(), 5).unwrap();
        assert_eq!(carried.steps(), 3);
        assert_eq!(
            ready(carried.test(Some(50))).unwrap().unwrap(),
            ready(lab.test(Some(50))).unwrap().unwrap()
        );
        let mut carried = carried;
        let (a, b) = (
            ready(lab.step()).unwrap().unwrap(),
            ready(carried.step()).unwrap().unwrap(),
        );
        // Same batch, same step number, same learning rate (SGD has no state).
        assert_eq!((a.step, a.epoch), (b.step, b.epoch));
        assert!(
            (a.learning_rate - b.learning_rate).abs() < 1e-6,
            "{a:?} {b:?}"
        );
        assert!((a.loss - b.loss).abs() < 1e-6, "{a:?} {b:?}");
        assert_eq!(
            lab.last_batch().collect::<Vec<_>>(),
            carried.last_batch().collect::<Vec<_>>()
        );
        // An older copy of the weights carries on from its own step.
        let older = carried.carry_to(Cpu, &saved, 3, 5).unwrap();
        assert_eq!(older.steps(), 3);
    }
}
