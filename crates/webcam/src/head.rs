//! The trained head: a small network on the frozen extractor's embeddings
//! (`EMBEDDING` → dense ReLU hidden layer, if any → dense softmax over the
//! classes), trained with Adam on softmax cross-entropy. [`HeadTrainer`]
//! trains it epoch by epoch (the page shows each [`EpochReport`]) and judges
//! it on the held-out examples ([`Evaluation`]); [`Head`] predicts and is
//! saved with the engine's own checkpoint format.
//!
//! Reading results back goes through [`playnet_engine::ready`], so it needs a
//! backend that reads back at once, such as [`playnet_engine::Cpu`]; with an
//! asynchronous one each call fails with the engine's "not ready" error.
//!
//! A saved head ([`Head::to_bytes`]) is, little-endian: the magic `PWH1`, the
//! length of the network's config JSON (`u32`), that JSON
//! ([`playnet_engine::NetConfig`]), then the weights as the engine's
//! safetensors checkpoint.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use playnet_engine::loss::arg_max;
use playnet_engine::{
    Activation, Backend, Checkpoint, Features, Init, Layer, Loss, Net, NetConfig, Optimizer,
    Schedule, Tensor, TrainConfig, Trainer, ready,
};

use crate::{EMBEDDING, MAX_CLASSES, WebcamError, split};

/// Most hidden units a head may have.
pub const MAX_HIDDEN: usize = 1000;
/// Most epochs one training run may have.
pub const MAX_EPOCHS: usize = 500;
const HEAD_MAGIC: [u8; 4] = *b"PWH1";

/// How the head is built and trained.
///
/// The defaults are TensorFlow.js's webcam-transfer-learning demo (100
/// hidden units, Adam, 20 epochs) except two, which the tests and a sweep on
/// webcam-like synthetic embeddings (one scene shared by every class, a
/// small offset per class, per-frame noise; 4 classes × 50) chose:
///
/// - **learning rate 0.001, not 0.0001**: Adam moves each weight by about
///   the learning rate per step, and 20 epochs are only a few dozen steps,
///   so at 0.0001 the loss has barely fallen when training stops (held-out
///   accuracy 40–80% across seeds; the demo lets people press "train" again
///   and again);
/// - **batches of 10% of the examples, not 40%**: ten steps per epoch
///   instead of two or three, for the same arithmetic; with 40% the same
///   learning rate reaches about 90% on the harder variants of that data,
///   with 10% 95–100%.
///
/// Training 4 classes × 50 examples this way takes about 0.3 s natively in
/// a release build on two shared cores (`cargo bench -p playnet-webcam
/// --bench head`). A fifth of each class's
/// examples is held out to measure the head.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct HeadSettings {
    /// Hidden ReLU units; 0 is a softmax layer on the embeddings alone.
    pub hidden: usize,
    /// Adam's learning rate.
    pub learning_rate: f32,
    /// Batch size as a fraction of the training examples.
    pub batch_fraction: f32,
    /// Passes over the training examples.
    pub epochs: usize,
    /// Fraction of each class's examples held out to judge the head (0: none).
    pub held_out: f32,
}

impl Default for HeadSettings {
    fn default() -> Self {
        HeadSettings {
            hidden: 100,
            learning_rate: 0.001,
            batch_fraction: 0.1,
            epochs: 20,
            held_out: 0.2,
        }
    }
}

impl HeadSettings {
    /// Refuses values out of range, saying which and what is allowed.
    pub fn validate(&self) -> Result<(), WebcamError> {
        let bad = |why: String| Err(WebcamError::Settings(why));
        if self.hidden > MAX_HIDDEN {
            return bad(format!(
                "{} hidden units is more than the {MAX_HIDDEN} allowed",
                self.hidden
            ));
        }
        let lr = self.learning_rate;
        if !(lr.is_finite() && lr > 0.0 && lr <= 1.0) {
            return bad(format!(
                "the learning rate must be above 0 and at most 1, not {lr}"
            ));
        }
        let b = self.batch_fraction;
        if !(b.is_finite() && b > 0.0 && b <= 1.0) {
            return bad(format!(
                "the batch size must be above 0 and at most 1 (a fraction of the examples), not {b}"
            ));
        }
        if !(1..=MAX_EPOCHS).contains(&self.epochs) {
            return bad(format!(
                "the epochs must be 1 to {MAX_EPOCHS}, not {}",
                self.epochs
            ));
        }
        let h = self.held_out;
        if !(h.is_finite() && (0.0..1.0).contains(&h)) {
            return bad(format!(
                "the held-out fraction must be at least 0 and below 1, not {h}"
            ));
        }
        Ok(())
    }

    /// The head's network for `classes` classes.
    pub fn network(&self, classes: usize) -> NetConfig {
        let mut layers = Vec::new();
        if self.hidden > 0 {
            layers.push(Layer::Dense {
                units: self.hidden,
                activation: Activation::Relu,
            });
        }
        layers.push(Layer::Dense {
            units: classes,
            activation: Activation::Linear,
        });
        NetConfig {
            input: Features::Flat(EMBEDDING),
            layers,
            init: Init::He,
            loss: Loss::SoftmaxCrossEntropy,
        }
    }
}

/// What one epoch did.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EpochReport {
    /// The epoch's number, from 1.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (before each update).
    pub loss: f32,
    /// Fraction of held-out examples classified correctly after the epoch;
    /// `None` when nothing is held out.
    pub held_out_accuracy: Option<f32>,
}

/// How well a trained head does.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Held-out accuracy of each class; `None` for a class with no held-out
    /// examples (all `None` when nothing is held out).
    pub per_class_accuracy: Vec<Option<f32>>,
    /// `confusion[true][predicted]` counts, over the held-out examples, or
    /// over the training examples when none are held out (see `on_held_out`).
    pub confusion: Vec<Vec<u32>>,
    /// Whether `confusion` counts held-out examples (else training ones).
    pub on_held_out: bool,
    /// Overall held-out accuracy; `None` when nothing is held out.
    pub accuracy: Option<f32>,
}

/// Rows of embeddings with their labels.
struct Set {
    x: Vec<f32>,
    labels: Vec<usize>,
}

/// Trains a head epoch by epoch.
pub struct HeadTrainer<B: Backend> {
    net: Net<B>,
    trainer: Trainer<B>,
    train: Set,
    held: Set,
    classes: usize,
    epochs: usize,
    epoch: usize,
    rng: Pcg64Mcg,
}

/// Checks one embedding: its length and that every value is finite.
fn check_embedding(e: &[f32], what: &str) -> Result<(), WebcamError> {
    if e.len() != EMBEDDING {
        return Err(WebcamError::Data(format!(
            "{what} has {} values, not the {EMBEDDING} the feature extractor gives",
            e.len()
        )));
    }
    if let Some(i) = e.iter().position(|v| !v.is_finite()) {
        return Err(WebcamError::Data(format!(
            "{what} holds {} at position {i}; embeddings must be finite numbers (record it again)",
            e[i]
        )));
    }
    Ok(())
}

impl<B: Backend> HeadTrainer<B> {
    /// A fresh head for `classes` classes on `examples` (class, embedding),
    /// split into training and held-out examples by [`split`] with `seed`,
    /// which also draws the initial weights and the batch order. Refuses bad
    /// settings, fewer than 2 classes with examples, a class index
    /// `≥ classes`, and embeddings of the wrong length or with non-finite
    /// values.
    pub fn new(
        backend: B,
        examples: &[(usize, &[f32])],
        classes: usize,
        settings: &HeadSettings,
        seed: u64,
    ) -> Result<Self, WebcamError> {
        settings.validate()?;
        if !(2..=MAX_CLASSES).contains(&classes) {
            return Err(WebcamError::Data(format!(
                "a head needs 2 to {MAX_CLASSES} classes, not {classes}"
            )));
        }
        for (i, &(class, e)) in examples.iter().enumerate() {
            if class >= classes {
                return Err(WebcamError::Data(format!(
                    "example {} is of class {}, but there are only {classes} classes",
                    i + 1,
                    class + 1
                )));
            }
            check_embedding(e, &format!("example {}", i + 1))?;
        }
        let labels: Vec<usize> = examples.iter().map(|e| e.0).collect();
        let with_examples = (0..classes).filter(|c| labels.contains(c)).count();
        if with_examples < 2 {
            return Err(WebcamError::Data(format!(
                "record examples of at least 2 classes before training (only {with_examples} of \
                 the {classes} classes has any)"
            )));
        }
        let (train, held) = split(&labels, classes, settings.held_out, seed);
        let gather = |indices: &[usize]| Set {
            x: indices
                .iter()
                .flat_map(|&i| examples[i].1.iter().copied())
                .collect(),
            labels: indices.iter().map(|&i| labels[i]).collect(),
        };
        let (train, held) = (gather(&train), gather(&held));
        let batch =
            ((settings.batch_fraction as f64 * train.labels.len() as f64).round() as usize).max(1);
        let net = Net::new(backend, settings.network(classes), classes, seed)?;
        let trainer = Trainer::new(
            TrainConfig::new(
                Optimizer::ADAM,
                Schedule::Constant {
                    rate: settings.learning_rate,
                },
                batch,
            ),
            seed,
        );
        Ok(HeadTrainer {
            net,
            trainer,
            train,
            held,
            classes,
            epochs: settings.epochs,
            epoch: 0,
            rng: Pcg64Mcg::seed_from_u64(seed ^ 0x5851_F42D_4C95_7F2D),
        })
    }

    /// Number of training examples (the rest are held out).
    pub fn train_count(&self) -> usize {
        self.train.labels.len()
    }

    /// Number of held-out examples.
    pub fn held_out_count(&self) -> usize {
        self.held.labels.len()
    }

    /// Examples per batch: `max(1, round(batch_fraction × training examples))`.
    pub fn batch_size(&self) -> usize {
        self.trainer.config.batch_size
    }

    /// One pass over the training examples in a fresh random order.
    pub fn epoch(&mut self) -> Result<EpochReport, WebcamError> {
        let backend = self.net.backend().clone();
        let n = self.train.labels.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut self.rng);
        let batch = self.batch_size();
        let mut total = 0.0f64;
        for rows in order.chunks(batch) {
            let x: Vec<f32> = rows
                .iter()
                .flat_map(|&i| {
                    self.train.x[i * EMBEDDING..(i + 1) * EMBEDDING]
                        .iter()
                        .copied()
                })
                .collect();
            let y = one_hot(rows.iter().map(|&i| self.train.labels[i]), self.classes);
            let x = Tensor::from_slice(&backend, &x, [rows.len(), EMBEDDING])?;
            let y = Tensor::from_slice(&backend, &y, [rows.len(), self.classes])?;
            let step = self.trainer.step(&mut self.net, &x, &y)?;
            let loss = ready(step.loss.to_vec(&backend))??
                .first()
                .copied()
                .unwrap_or(f32::NAN);
            if !loss.is_finite() {
                return Err(WebcamError::Diverged {
                    epoch: self.epoch + 1,
                    loss,
                });
            }
            total += loss as f64 * rows.len() as f64;
        }
        self.epoch += 1;
        let held_out_accuracy = if self.held.labels.is_empty() {
            None
        } else {
            let predicted = predictions(&self.net, &self.held)?;
            let right = predicted
                .iter()
                .zip(&self.held.labels)
                .filter(|(p, l)| p == l)
                .count();
            Some(right as f32 / predicted.len() as f32)
        };
        Ok(EpochReport {
            epoch: self.epoch,
            loss: (total / n.max(1) as f64) as f32,
            held_out_accuracy,
        })
    }

    /// Epochs done so far.
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }

    /// Whether the settings' epochs have all run.
    pub fn done(&self) -> bool {
        self.epoch >= self.epochs
    }

    /// The trained head and how well it does (see [`Evaluation`]).
    pub fn finish(self) -> Result<(Head<B>, Evaluation), WebcamError> {
        let classes = self.classes;
        let on_held_out = !self.held.labels.is_empty();
        let set = if on_held_out { &self.held } else { &self.train };
        let predicted = predictions(&self.net, set)?;
        let mut confusion = vec![vec![0u32; classes]; classes];
        for (&truth, &p) in set.labels.iter().zip(&predicted) {
            confusion[truth][p] += 1;
        }
        let (per_class_accuracy, accuracy) = if on_held_out {
            let per_class = confusion
                .iter()
                .enumerate()
                .map(|(c, row)| {
                    let total: u32 = row.iter().sum();
                    (total > 0).then(|| row[c] as f32 / total as f32)
                })
                .collect();
            let right: u32 = (0..classes).map(|c| confusion[c][c]).sum();
            (per_class, Some(right as f32 / predicted.len() as f32))
        } else {
            (vec![None; classes], None)
        };
        Ok((
            Head { net: self.net },
            Evaluation {
                per_class_accuracy,
                confusion,
                on_held_out,
                accuracy,
            },
        ))
    }
}

fn one_hot(labels: impl Iterator<Item = usize>, classes: usize) -> Vec<f32> {
    labels
        .flat_map(|l| (0..classes).map(move |c| if c == l { 1.0 } else { 0.0 }))
        .collect()
}

/// The predicted class of each row of `set`.
fn predictions<B: Backend>(net: &Net<B>, set: &Set) -> Result<Vec<usize>, WebcamError> {
    let rows = set.labels.len();
    if rows == 0 {
        return Ok(Vec::new());
    }
    let backend = net.backend().clone();
    let x = Tensor::from_slice(&backend, &set.x, [rows, EMBEDDING])?;
    let p = ready(net.predict(&x)?.to_vec(&backend))??;
    Ok(p.chunks(net.classes()).map(arg_max).collect())
}

/// The shape of a saved head, read without building it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadInfo {
    pub classes: usize,
    /// Hidden units (0: softmax only).
    pub hidden: usize,
}

impl HeadInfo {
    /// Reads a saved head's config (see the module doc) and checks that it
    /// is a head: input [`EMBEDDING`], an optional dense ReLU layer of at most
    /// [`MAX_HIDDEN`] units, then a dense layer of 2 to [`MAX_CLASSES`]
    /// classes.
    pub fn read(bytes: &[u8]) -> Result<HeadInfo, WebcamError> {
        Ok(parse(bytes)?.0)
    }
}

/// The head's info, its config and its weights.
fn parse(bytes: &[u8]) -> Result<(HeadInfo, NetConfig, &[u8]), WebcamError> {
    let bad = |why: String| Err(WebcamError::Head(why));
    if bytes.len() < 8 || bytes[..4] != HEAD_MAGIC {
        return bad("it is not a saved Playnet webcam head; train the model again".into());
    }
    let len = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    let Some(json) = bytes.get(8..8usize.saturating_add(len)) else {
        return bad("it is cut short; train the model again".into());
    };
    let config: NetConfig = match serde_json::from_slice(json) {
        Ok(c) => c,
        Err(e) => return bad(format!("its network description is unreadable: {e}")),
    };
    if config.input != Features::Flat(EMBEDDING) {
        return bad(format!(
            "it takes {} values per example, not the {EMBEDDING} of this page's feature extractor",
            config.input
        ));
    }
    let dense = |l: &Layer, activation: Activation| match *l {
        Layer::Dense {
            units,
            activation: a,
        } if a == activation => Some(units),
        _ => None,
    };
    let (hidden, classes) = match config.layers.as_slice() {
        [last] => (Some(0), dense(last, Activation::Linear)),
        [first, last] => (
            dense(first, Activation::Relu).filter(|&h| h > 0),
            dense(last, Activation::Linear),
        ),
        _ => (None, None),
    };
    let (Some(hidden), Some(classes)) = (hidden, classes) else {
        return bad("its layers are not a head's (dense ReLU, then dense softmax)".into());
    };
    if config.loss != Loss::SoftmaxCrossEntropy {
        return bad("it is not a classifier (softmax cross-entropy)".into());
    }
    if hidden > MAX_HIDDEN {
        return bad(format!(
            "it has {hidden} hidden units, more than the {MAX_HIDDEN} allowed"
        ));
    }
    if !(2..=MAX_CLASSES).contains(&classes) {
        return bad(format!(
            "it has {classes} classes; a head has 2 to {MAX_CLASSES}"
        ));
    }
    Ok((HeadInfo { classes, hidden }, config, &bytes[8 + len..]))
}

/// A trained head.
pub struct Head<B: Backend> {
    net: Net<B>,
}

impl<B: Backend> Head<B> {
    /// Class probabilities for one embedding.
    pub fn predict(&self, embedding: &[f32]) -> Result<Vec<f32>, WebcamError> {
        check_embedding(embedding, "the embedding")?;
        let backend = self.net.backend().clone();
        let x = Tensor::from_slice(&backend, embedding, [1, EMBEDDING])?;
        Ok(ready(self.net.predict(&x)?.to_vec(&backend))??)
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.net.classes()
    }

    /// Hidden units (0: softmax only).
    pub fn hidden(&self) -> usize {
        match self.net.config().layers.as_slice() {
            [Layer::Dense { units, .. }, _] => *units,
            _ => 0,
        }
    }

    /// The underlying network.
    pub fn net(&self) -> &Net<B> {
        &self.net
    }

    /// The head saved (see the module doc).
    pub fn to_bytes(&self) -> Result<Vec<u8>, WebcamError> {
        let checkpoint = ready(self.net.save())??;
        let json = checkpoint.config_json.as_bytes();
        let len = u32::try_from(json.len())
            .map_err(|_| WebcamError::Head("its description is too long".into()))?;
        let mut out = Vec::with_capacity(8 + json.len() + checkpoint.weights.len());
        out.extend_from_slice(&HEAD_MAGIC);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(json);
        out.extend_from_slice(&checkpoint.weights);
        Ok(out)
    }

    /// A saved head loaded on `backend`; refuses anything but a head on
    /// [`EMBEDDING`] inputs (see [`HeadInfo::read`]) with whole, finite weights.
    pub fn from_bytes(backend: B, bytes: &[u8]) -> Result<Head<B>, WebcamError> {
        let (info, config, weights) = parse(bytes)?;
        let checkpoint = Checkpoint {
            config_json: serde_json::to_string(&config)
                .map_err(|e| WebcamError::Head(format!("its description: {e}")))?,
            weights: weights.to_vec(),
        };
        let net = Net::load(backend, &checkpoint, info.classes)
            .map_err(|e| WebcamError::Head(e.to_string()))?;
        Ok(Head { net })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use playnet_engine::Cpu;
    use rand::Rng;

    /// `per_class` examples of each of `classes` classes, like a webcam's:
    /// one scene (a random vector in 0..2, the room and the person) that
    /// every class shares, a small random offset per class (±0.25 per
    /// value: the pose or the object held up) and per-frame noise (±1),
    /// clipped to 0..=3 like ReLU6-pooled features.
    pub(crate) fn synthetic(classes: usize, per_class: usize, seed: u64) -> Vec<(usize, Vec<f32>)> {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let scene: Vec<f32> = (0..EMBEDDING).map(|_| rng.random_range(0.0..2.0)).collect();
        let centres: Vec<Vec<f32>> = (0..classes)
            .map(|_| {
                scene
                    .iter()
                    .map(|v| v + rng.random_range(-0.25..0.25))
                    .collect()
            })
            .collect();
        (0..classes * per_class)
            .map(|i| {
                let c = i % classes;
                let e = centres[c]
                    .iter()
                    .map(|v| (v + rng.random_range(-1.0f32..1.0)).clamp(0.0, 3.0))
                    .collect();
                (c, e)
            })
            .collect()
    }

    pub(crate) fn borrowed(data: &[(usize, Vec<f32>)]) -> Vec<(usize, &[f32])> {
        data.iter().map(|(c, e)| (*c, e.as_slice())).collect()
    }

    fn train(settings: &HeadSettings) -> (Vec<EpochReport>, Head<Cpu>, Evaluation) {
        let data = synthetic(4, 50, 11);
        let mut trainer = HeadTrainer::new(Cpu, &borrowed(&data), 4, settings, 5).unwrap();
        let mut reports = Vec::new();
        while !trainer.done() {
            reports.push(trainer.epoch().unwrap());
        }
        let (head, eval) = trainer.finish().unwrap();
        (reports, head, eval)
    }

    #[test]
    fn the_defaults_learn_distinct_classes() {
        let settings = HeadSettings::default();
        let (reports, head, eval) = train(&settings);
        assert_eq!(reports.len(), 20);
        let first = reports[0].loss;
        let last = reports[19].loss;
        assert!(last < first / 2.0, "loss {first} → {last}");
        let accuracy = eval.accuracy.unwrap();
        assert!(accuracy >= 0.95, "held-out accuracy {accuracy}: {eval:?}");
        assert_eq!(reports[19].held_out_accuracy, Some(accuracy));
        assert!(eval.on_held_out);
        // 20% of 50 per class held out.
        assert_eq!(
            eval.confusion
                .iter()
                .map(|r| r.iter().sum::<u32>())
                .collect::<Vec<_>>(),
            vec![10; 4]
        );
        assert!(eval.per_class_accuracy.iter().all(|a| a.is_some()));
        assert_eq!((head.classes(), head.hidden()), (4, 100));
    }

    #[test]
    fn softmax_only_and_nothing_held_out() {
        let settings = HeadSettings {
            hidden: 0,
            held_out: 0.0,
            ..HeadSettings::default()
        };
        let (reports, head, eval) = train(&settings);
        assert!(reports.iter().all(|r| r.held_out_accuracy.is_none()));
        assert_eq!(eval.accuracy, None);
        assert!(!eval.on_held_out);
        assert_eq!(eval.per_class_accuracy, vec![None; 4]);
        let total: u32 = eval.confusion.iter().flatten().sum();
        assert_eq!(total, 200, "over the training examples");
        assert_eq!(head.hidden(), 0);
    }

    #[test]
    fn a_saved_head_predicts_bit_for_bit_the_same() {
        let settings = HeadSettings {
            epochs: 3,
            ..HeadSettings::default()
        };
        let (_, head, _) = train(&settings);
        let bytes = head.to_bytes().unwrap();
        let loaded = Head::from_bytes(Cpu, &bytes).unwrap();
        assert_eq!(
            HeadInfo::read(&bytes).unwrap(),
            HeadInfo {
                classes: 4,
                hidden: 100
            }
        );
        for (_, e) in synthetic(4, 3, 99) {
            let a = head.predict(&e).unwrap();
            let b = loaded.predict(&e).unwrap();
            assert_eq!(
                a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            assert!((a.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
        let err = |b: &[u8]| Head::from_bytes(Cpu, b).err().unwrap().to_string();
        assert!(err(&bytes[..bytes.len() - 10]).contains("cannot be used"));
        assert!(err(&bytes[..20]).contains("cut short"));
        assert!(err(b"PK\x03\x04 a zip").contains("not a saved"));
        // A network on other inputs is not a head for this page.
        let mut config = settings.network(4);
        config.input = Features::Flat(1000);
        let json = serde_json::to_vec(&config).unwrap();
        let mut other = HEAD_MAGIC.to_vec();
        other.extend_from_slice(&(json.len() as u32).to_le_bytes());
        other.extend_from_slice(&json);
        assert!(err(&other).contains("1000 values"), "{}", err(&other));
        // Wrong-length or non-finite queries are refused.
        assert!(
            head.predict(&[0.0; 10])
                .unwrap_err()
                .to_string()
                .contains("10 values")
        );
        let mut nan = vec![0.5; EMBEDDING];
        nan[3] = f32::INFINITY;
        assert!(
            head.predict(&nan)
                .unwrap_err()
                .to_string()
                .contains("finite")
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        let ok = HeadSettings::default();
        assert!(ok.validate().is_ok());
        let cases = [
            (
                HeadSettings {
                    hidden: 1001,
                    ..ok.clone()
                },
                "hidden",
            ),
            (
                HeadSettings {
                    learning_rate: 0.0,
                    ..ok.clone()
                },
                "learning rate",
            ),
            (
                HeadSettings {
                    learning_rate: 1.5,
                    ..ok.clone()
                },
                "learning rate",
            ),
            (
                HeadSettings {
                    learning_rate: f32::NAN,
                    ..ok.clone()
                },
                "learning rate",
            ),
            (
                HeadSettings {
                    batch_fraction: 0.0,
                    ..ok.clone()
                },
                "batch",
            ),
            (
                HeadSettings {
                    batch_fraction: 1.01,
                    ..ok.clone()
                },
                "batch",
            ),
            (
                HeadSettings {
                    batch_fraction: f32::INFINITY,
                    ..ok.clone()
                },
                "batch",
            ),
            (
                HeadSettings {
                    epochs: 0,
                    ..ok.clone()
                },
                "epochs",
            ),
            (
                HeadSettings {
                    epochs: 501,
                    ..ok.clone()
                },
                "epochs",
            ),
            (
                HeadSettings {
                    held_out: 1.0,
                    ..ok.clone()
                },
                "held-out",
            ),
            (
                HeadSettings {
                    held_out: -0.1,
                    ..ok.clone()
                },
                "held-out",
            ),
            (
                HeadSettings {
                    held_out: f32::NAN,
                    ..ok.clone()
                },
                "held-out",
            ),
        ];
        for (settings, word) in cases {
            let err = settings.validate().unwrap_err().to_string();
            assert!(err.contains(word), "{settings:?}: {err}");
        }
        let edge = HeadSettings {
            hidden: 1000,
            learning_rate: 1.0,
            batch_fraction: 1.0,
            epochs: 500,
            held_out: 0.0,
        };
        assert!(edge.validate().is_ok());
    }

    #[test]
    fn bad_examples_are_refused() {
        let data = synthetic(3, 4, 1);
        let s = HeadSettings::default();
        let err = |examples: &[(usize, &[f32])], classes| {
            HeadTrainer::new(Cpu, examples, classes, &s, 1)
                .err()
                .unwrap()
                .to_string()
        };
        let mut examples = borrowed(&data);
        assert!(err(&examples, 2).contains("class 3"));
        assert!(
            err(
                &examples[..4]
                    .iter()
                    .filter(|e| e.0 == 0)
                    .copied()
                    .collect::<Vec<_>>(),
                3
            )
            .contains("at least 2 classes")
        );
        assert!(err(&examples, 11).contains("2 to 10"));
        let short = [1.0f32; 5];
        examples[2].1 = &short;
        assert!(err(&examples, 3).contains("example 3 has 5 values"));
        let mut nan = data[1].1.clone();
        nan[7] = f32::NAN;
        let mut examples = borrowed(&data);
        examples[1].1 = &nan;
        assert!(err(&examples, 3).contains("example 2 holds NaN"));
    }

    #[test]
    fn a_diverging_run_is_an_error_not_a_result() {
        // Huge inputs at the largest learning rate overflow the logits.
        let data: Vec<(usize, Vec<f32>)> = (0..20)
            .map(|i| {
                (
                    i % 2,
                    vec![if i % 2 == 0 { 1.0e38 } else { -1.0e38 }; EMBEDDING],
                )
            })
            .collect();
        let settings = HeadSettings {
            learning_rate: 1.0,
            held_out: 0.0,
            ..HeadSettings::default()
        };
        let mut trainer = HeadTrainer::new(Cpu, &borrowed(&data), 2, &settings, 1).unwrap();
        let mut failed = None;
        for _ in 0..5 {
            if let Err(e) = trainer.epoch() {
                failed = Some(e);
                break;
            }
        }
        let err = failed.expect("the loss should blow up").to_string();
        assert!(err.contains("lower the learning rate"), "{err}");
    }

    #[test]
    fn batch_size_is_a_fraction_of_the_training_examples() {
        let data = synthetic(2, 10, 3);
        let s = HeadSettings {
            batch_fraction: 0.01,
            ..HeadSettings::default()
        };
        let t = HeadTrainer::new(Cpu, &borrowed(&data), 2, &s, 1).unwrap();
        assert_eq!(
            (t.train_count(), t.held_out_count(), t.batch_size()),
            (16, 4, 1)
        );
        let s = HeadSettings::default();
        let t = HeadTrainer::new(Cpu, &borrowed(&data), 2, &s, 1).unwrap();
        assert_eq!(t.batch_size(), 2, "round(0.1 × 16)");
        let s = HeadSettings {
            batch_fraction: 0.4,
            ..HeadSettings::default()
        };
        let t = HeadTrainer::new(Cpu, &borrowed(&data), 2, &s, 1).unwrap();
        assert_eq!(t.batch_size(), 6, "round(0.4 × 16)");
    }

    /// Why the defaults differ from TensorFlow.js's: on the same examples
    /// and seed, its learning rate and batches leave the head far behind
    /// after 20 epochs.
    #[test]
    fn tfjs_settings_learn_too_slowly_in_20_epochs() {
        let tfjs = HeadSettings {
            learning_rate: 0.0001,
            batch_fraction: 0.4,
            ..HeadSettings::default()
        };
        let (slow, _, slow_eval) = train(&tfjs);
        let (ours, _, ours_eval) = train(&HeadSettings::default());
        let (a, b) = (slow_eval.accuracy.unwrap(), ours_eval.accuracy.unwrap());
        assert!(a < 0.9 && b >= 0.95, "TF.js {a}, ours {b}");
        let (l, m) = (slow[19].loss, ours[19].loss);
        assert!(l > 5.0 * m, "final loss: TF.js {l}, ours {m}");
    }
}
