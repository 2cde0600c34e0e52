//! A training session: the data and the network a config describes, trained
//! one epoch at a time.
//!
//! A TensorFlow Playground seed ([`SeedSource::Tfp`], a link's
//! `seed=0.12345`) makes the session TFP's: the points, their shuffle and
//! split and the initial weights come from one seedrandom stream
//! ([`playnet_data::Arc4`]) in TFP's order, so they are TFP's own (the
//! points within the last bit of a double where `sin`, `cos` or `log` are
//! involved, the weights exactly, both then rounded to `f32`). The session
//! keeps the stream and goes on drawing from it as TFP's page does:
//! [`Session::reset`] and [`Session::rebuild`] (a new network, the same
//! points) draw the next weights from wherever it stands, and
//! [`Session::regenerate`] and [`Session::follow`] (new points) first make
//! the next seed text from it with JavaScript's `toFixed(5)`. Our integer
//! seeds ([`SeedSource::Pcg`]) keep the PCG path, untouched.

use playnet_data::{
    Arc4, DatasetKind, Feature, Point, Problem, Split, Stream, feature_matrix, generate, make,
    make_from, to_fixed5,
};
use playnet_engine::loss::arg_max;
use playnet_engine::{
    Backend, Checkpoint, EngineError, Examples, Loss, Net, Tensor, Trainer, evaluate, ready,
};
use serde::Serialize;

use crate::{ConfigError, PlaygroundConfig, SeedSource};

/// Losses and accuracies after some epoch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub epoch: u64,
    pub train_loss: f32,
    pub test_loss: f32,
    /// Only for classification problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_accuracy: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_accuracy: Option<f32>,
}

impl Metrics {
    /// True when training has blown up (a loss is NaN or infinite).
    pub fn diverged(&self) -> bool {
        !(self.train_loss.is_finite() && self.test_loss.is_finite())
    }
}

/// How many points of each true class the network put in each class, on one
/// data set.
///
/// Binary problems have two classes: 0 for the −1 (orange) points and 1 for
/// the +1 (blue) ones. Multi-class problems number their classes from 0 as
/// their labels do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Confusion {
    pub classes: usize,
    /// `counts[truth * classes + predicted]`.
    pub counts: Vec<u32>,
}

impl Confusion {
    /// Points of class `truth` that the network called `predicted`.
    pub fn get(&self, truth: usize, predicted: usize) -> u32 {
        if truth < self.classes && predicted < self.classes {
            self.counts[truth * self.classes + predicted]
        } else {
            0
        }
    }

    /// Every point counted.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// Points classified correctly (the diagonal).
    pub fn correct(&self) -> u32 {
        (0..self.classes).map(|c| self.get(c, c)).sum()
    }
}

/// [`Metrics`] and, for classification, the confusion matrices behind the
/// accuracies.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub metrics: Metrics,
    pub train_confusion: Option<Confusion>,
    pub test_confusion: Option<Confusion>,
}

/// Why a session could not be built or stepped.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("data: {0}")]
    Data(#[from] playnet_data::DataError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Data, network and optimiser for one playground configuration.
pub struct Session<B: Backend> {
    config: PlaygroundConfig,
    split: Split,
    train: Examples<B>,
    test: Examples<B>,
    model: Net<B>,
    trainer: Trainer<B>,
    epoch: u64,
    resets: u64,
    /// TFP's stream where it stands, for a TFP-seeded session; `None` for
    /// our PCG seeds.
    stream: Option<Arc4>,
}

impl<B: Backend> Session<B> {
    /// Generates the data and a fresh network for `config`.
    pub fn new(backend: B, config: PlaygroundConfig) -> Result<Self, SessionError> {
        Self::build(backend, config, None)
    }

    /// [`Session::new`]; with a TFP seed and `thumbnails`, the draws of
    /// TFP's dataset thumbnails for that problem come between the shuffle
    /// and the weights (TFP redraws them when the problem changes).
    fn build(
        backend: B,
        config: PlaygroundConfig,
        thumbnails: Option<Problem>,
    ) -> Result<Self, SessionError> {
        config.validate()?;
        let (kind, noise, perc) = (config.dataset, config.noise, config.perc_train_data);
        let mut stream = match config.seed_source() {
            SeedSource::Pcg(_) => None,
            SeedSource::Tfp(text) => Some(Arc4::new(text)),
        };
        let split = match stream.as_mut() {
            None => make(kind, noise, perc, config.seed)?,
            Some(stream) => {
                let split = make_from(kind, noise, perc, stream)?;
                if let Some(problem) = thumbnails {
                    draw_thumbnails(problem, stream);
                }
                split
            }
        };
        let train = examples(&backend, &config, &split.train)?;
        let test = examples(&backend, &config, &split.test)?;
        let model = network(backend, &config, config.seed, stream.as_mut())?;
        let trainer = trainer(&config, config.seed);
        Ok(Session {
            config,
            split,
            train,
            test,
            model,
            trainer,
            epoch: 0,
            resets: 0,
            stream,
        })
    }

    /// True when the data and weights come from TFP's stream (a TFP seed).
    pub fn tfp_seeded(&self) -> bool {
        self.stream.is_some()
    }

    /// TFP's reaction to a new data set, noise or training share
    /// (`generateData()` then `reset()`): the next seed text is drawn from
    /// this session's stream and replaces `config`'s seed, and the new
    /// session is built from it, so its link reproduces it. When the
    /// problem (classification or regression) changes, TFP's thumbnails
    /// take their draws between the shuffle and the weights, as there.
    ///
    /// A session on our own seeds just builds `Session::new(config)`.
    pub fn follow(&mut self, mut config: PlaygroundConfig) -> Result<Session<B>, SessionError> {
        let backend = self.model.backend().clone();
        let Some(text) = self.next_seed_text() else {
            return Session::new(backend, config);
        };
        config.set_seed_text(&text);
        let (old, new) = (self.config.dataset.problem(), config.dataset.problem());
        let tfp_problem = |p| matches!(p, Problem::Classification | Problem::Regression);
        let thumbnails = (old != new && tfp_problem(old) && tfp_problem(new)).then_some(new);
        Session::build(backend, config, thumbnails)
    }

    /// TFP's Regenerate (`generateData()` alone): a new seed text from the
    /// stream, the points it gives, and the same network, epoch and
    /// optimiser. The config then carries the new seed. Only for a
    /// TFP-seeded session; ours get a new number seed and a new session.
    pub fn regenerate(&mut self) -> Result<(), SessionError> {
        let Some(text) = self.next_seed_text() else {
            return Err(ConfigError(
                "only a TensorFlow Playground seed regenerates from its stream".into(),
            )
            .into());
        };
        let mut config = self.config.clone();
        config.set_seed_text(&text);
        let mut stream = Arc4::new(&text);
        let split = make_from(
            config.dataset,
            config.noise,
            config.perc_train_data,
            &mut stream,
        )?;
        let backend = self.model.backend().clone();
        self.train = examples(&backend, &config, &split.train)?;
        self.test = examples(&backend, &config, &split.test)?;
        self.split = split;
        self.config = config;
        self.stream = Some(stream);
        Ok(())
    }

    /// TFP's `reset()` after a change of the network alone (activation,
    /// layers, neurons, features, loss…): the same points, a new network at
    /// epoch 0. With a TFP seed its weights are the stream's next draws; with
    /// ours it is exactly the network `Session::new(config)` would build.
    /// `config` must have this session's data ([`PlaygroundConfig::same_data`]).
    pub fn rebuild(&mut self, config: PlaygroundConfig) -> Result<(), SessionError> {
        config.validate()?;
        if !config.same_data(&self.config) {
            return Err(
                ConfigError("this change needs new data; build a new session".into()).into(),
            );
        }
        let backend = self.model.backend().clone();
        let train = examples(&backend, &config, &self.split.train)?;
        let test = examples(&backend, &config, &self.split.test)?;
        let model = network(backend, &config, config.seed, self.stream.as_mut())?;
        self.trainer = trainer(&config, config.seed);
        self.train = train;
        self.test = test;
        self.model = model;
        self.config = config;
        self.resets = 0;
        self.epoch = 0;
        Ok(())
    }

    /// `Math.random().toFixed(5)` from the stream, as TFP makes a new seed;
    /// `None` without a TFP seed.
    fn next_seed_text(&mut self) -> Option<String> {
        self.stream.as_mut().map(|s| to_fixed5(s.next_f64()))
    }

    /// The configuration this session was built from.
    pub fn config(&self) -> &PlaygroundConfig {
        &self.config
    }

    /// The generated training and test points.
    pub fn split(&self) -> &Split {
        &self.split
    }

    /// Replaces the data (points a person added, erased or uploaded) and
    /// keeps the network, its optimiser and the epoch count.
    pub fn set_data(&mut self, split: Split) -> Result<(), SessionError> {
        let problem = self.config.dataset.problem();
        let classes = self.config.dataset.num_classes();
        let valid = |p: &Point| match problem {
            Problem::Classification => p.label == 1.0 || p.label == -1.0,
            Problem::Regression => (-1.0..=1.0).contains(&p.label),
            Problem::MultiClass => {
                p.label.fract() == 0.0 && (0.0..classes as f64).contains(&p.label)
            }
        };
        if let Some(p) = split.train.iter().chain(&split.test).find(|p| !valid(p)) {
            return Err(ConfigError(format!(
                "label {} does not fit {} data",
                p.label,
                self.config.dataset.name()
            ))
            .into());
        }
        let backend = self.model.backend().clone();
        self.train = examples(&backend, &self.config, &split.train)?;
        self.test = examples(&backend, &self.config, &split.test)?;
        self.split = split;
        Ok(())
    }

    /// Sets one weight of dense layer `layer` (0 is the first hidden layer):
    /// the link from neuron `from` of the layer below to neuron `to`.
    pub fn set_weight(
        &mut self,
        layer: usize,
        from: usize,
        to: usize,
        value: f32,
    ) -> Result<(), SessionError> {
        self.edit_parameter(
            layer,
            true,
            |dims| (from < dims[0] && to < dims[1]).then(|| from * dims[1] + to),
            value,
        )
    }

    /// Sets the bias of neuron `neuron` of dense layer `layer`.
    pub fn set_bias(
        &mut self,
        layer: usize,
        neuron: usize,
        value: f32,
    ) -> Result<(), SessionError> {
        self.edit_parameter(
            layer,
            false,
            |dims| (neuron < dims[0]).then_some(neuron),
            value,
        )
    }

    fn edit_parameter(
        &mut self,
        layer: usize,
        weight: bool,
        index: impl Fn(&[usize]) -> Option<usize>,
        value: f32,
    ) -> Result<(), SessionError> {
        if !value.is_finite() {
            return Err(ConfigError(format!("{value} is not a number a weight can take")).into());
        }
        let backend = self.model.backend().clone();
        let name = format!("layers.{layer}.{}", if weight { "weight" } else { "bias" });
        let tensor = self
            .model
            .param_mut(&name)
            .ok_or_else(|| ConfigError(format!("the network has no layer {layer}")))?;
        let i = index(tensor.shape().dims()).ok_or_else(|| {
            ConfigError(format!(
                "no such {} in layer {layer}",
                if weight { "weight" } else { "bias" }
            ))
        })?;
        let mut values = ready(tensor.to_vec(&backend))??;
        values[i] = value;
        *tensor = Tensor::from_slice(&backend, &values, tensor.shape().clone())?;
        Ok(())
    }

    /// The network.
    pub fn model(&self) -> &Net<B> {
        &self.model
    }

    /// Epochs trained since the last reset.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Goes on counting from `epoch` (a session brought back from storage).
    pub fn set_epoch(&mut self, epoch: u64) {
        self.epoch = epoch;
    }

    /// Takes a config whose data and network are this session's own and whose
    /// training settings (learning rate, batch size, optimiser, regularisation,
    /// dropout) may differ: the network keeps its weights and trains on with
    /// the new ones.
    pub fn retune(&mut self, config: PlaygroundConfig) -> Result<(), SessionError> {
        config.validate()?;
        if !config.same_data_and_network(&self.config) {
            return Err(ConfigError(
                "this change needs new data or a new network; build a new session".into(),
            )
            .into());
        }
        if config.optimizer != self.config.optimizer {
            self.trainer = trainer(&config, self.run_seed());
        } else {
            self.trainer.config = config.train_config();
            self.trainer.dropout = config.dropout;
        }
        self.config = config;
        Ok(())
    }

    /// New random weights (a different draw each time, still determined by the
    /// seed), the same data, epoch 0. With a TFP seed the weights are the
    /// stream's next draws, as TFP's Reset gives.
    pub fn reset(&mut self) -> Result<(), SessionError> {
        self.resets += 1;
        let seed = self.run_seed();
        self.model = network(
            self.model.backend().clone(),
            &self.config,
            seed,
            self.stream.as_mut(),
        )?;
        self.trainer = trainer(&self.config, seed);
        self.epoch = 0;
        Ok(())
    }

    /// The seed of the current weights and dropout masks: the config's, then
    /// a new one after each reset.
    fn run_seed(&self) -> u64 {
        self.config
            .seed
            .wrapping_add(self.resets.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// Trains one epoch: every training point once, in mini-batches.
    pub fn train_epoch(&mut self) -> Result<(), SessionError> {
        self.trainer.epoch(&mut self.model, &self.train)?;
        self.epoch += 1;
        Ok(())
    }

    /// Loss (and, for classification, accuracy) on the training and test sets.
    pub async fn metrics(&self) -> Result<Metrics, SessionError> {
        Ok(self.report().await?.metrics)
    }

    /// [`Session::metrics`] with, for classification, both confusion
    /// matrices (from the same evaluation, so they agree with the
    /// accuracies).
    pub async fn report(&self) -> Result<Report, SessionError> {
        let train = evaluate(&self.model, &self.train).await?;
        let test = evaluate(&self.model, &self.test).await?;
        let classification = self.config.dataset.problem() != Problem::Regression;
        let confusion = |outputs: &[f32], points: &[Point]| {
            classification.then(|| confusion(&self.config, outputs, points))
        };
        Ok(Report {
            train_confusion: confusion(&train.outputs, &self.split.train),
            test_confusion: confusion(&test.outputs, &self.split.test),
            metrics: Metrics {
                epoch: self.epoch,
                train_loss: train.loss,
                test_loss: test.loss,
                train_accuracy: classification.then_some(train.accuracy),
                test_accuracy: classification.then_some(test.accuracy),
            },
        })
    }
}

/// A saved playground model: the config as JSON (the playground's settings
/// and the network's shape) and the weights as safetensors.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedModel {
    pub json: String,
    pub safetensors: Vec<u8>,
}

/// The JSON half of a [`SavedModel`].
#[derive(Serialize, serde::Deserialize)]
struct SavedConfig {
    playground: PlaygroundConfig,
    network: serde_json::Value,
}

impl<B: Backend> Session<B> {
    /// The trained network with everything needed to load it back.
    pub async fn export(&self) -> Result<SavedModel, SessionError> {
        let checkpoint = self.model.save().await?;
        let network = serde_json::from_str(&checkpoint.config_json)
            .map_err(|e| ConfigError(format!("cannot write the network config: {e}")))?;
        let saved = SavedConfig {
            playground: self.config.clone(),
            network,
        };
        let json = serde_json::to_string_pretty(&saved)
            .map_err(|e| ConfigError(format!("cannot write the config: {e}")))?;
        Ok(SavedModel {
            json,
            safetensors: checkpoint.weights,
        })
    }

    /// A session on the saved model's data and network, with its weights.
    /// Files that do not belong together (or to any playground) are refused
    /// with the reason.
    pub fn import(backend: B, saved: &SavedModel) -> Result<Self, SessionError> {
        let parsed: SavedConfig = serde_json::from_str(&saved.json)
            .map_err(|e| ConfigError(format!("this is not a Playnet playground config: {e}")))?;
        let mut session = Session::new(backend.clone(), parsed.playground)?;
        let checkpoint = Checkpoint {
            config_json: parsed.network.to_string(),
            weights: saved.safetensors.clone(),
        };
        let model = Net::load(backend, &checkpoint, session.config.outputs())?;
        if model.config() != &session.config.mlp_config().network() {
            return Err(ConfigError(
                "the network in this file does not match its playground settings".into(),
            )
            .into());
        }
        session.model = model;
        Ok(session)
    }
}

/// Counts true × predicted classes of `points` given the network's `outputs`
/// for them, deciding a class as the loss's accuracy does (sign for squared
/// error, ½ for binary cross-entropy, the largest output for softmax).
fn confusion(config: &PlaygroundConfig, outputs: &[f32], points: &[Point]) -> Confusion {
    let binary = config.dataset.problem() == Problem::Classification;
    let classes = if binary {
        2
    } else {
        config.dataset.num_classes().max(2)
    };
    let loss = config.effective_loss();
    let width = config.outputs().max(1);
    let mut counts = vec![0; classes * classes];
    for (row, point) in outputs.chunks_exact(width).zip(points) {
        let truth = if binary {
            usize::from(point.label > 0.0)
        } else {
            point.label as usize
        };
        let predicted = match loss {
            Loss::HalfSquaredError => usize::from(row[0] >= 0.0),
            Loss::BinaryCrossEntropy => usize::from(row[0] >= 0.5),
            Loss::SoftmaxCrossEntropy => arg_max(row),
        };
        if truth < classes && predicted < classes {
            counts[truth * classes + predicted] += 1;
        }
    }
    Confusion { classes, counts }
}

/// A fresh network for `config`: initialised from `seed` (our PCG), or with
/// TFP's weights drawn from `stream` for a TFP-seeded session.
fn network<B: Backend>(
    backend: B,
    config: &PlaygroundConfig,
    seed: u64,
    stream: Option<&mut Arc4>,
) -> Result<Net<B>, SessionError> {
    let mut model = config.mlp_config().build(backend, seed)?;
    if let Some(stream) = stream {
        tfp_weights(&mut model, config, stream)?;
    }
    Ok(model)
}

/// Sets `model`'s weights and biases as TFP's `buildNetwork` makes them,
/// drawing from `stream`: layer by layer, node by node, each node's input
/// links in order, one `Math.random() − 0.5` per link (drawn even with
/// `initZero`, which then sets it to 0); biases 0.1, or 0 with `initZero`.
///
/// TFP's input nodes are the features in its fixed order ([`Feature::ALL`]'s,
/// ours last), which may not be `config.features`' order; our weight matrix
/// is `[inputs, outputs]` row-major, so link `from → to` is
/// `from · outputs + to`.
fn tfp_weights<B: Backend>(
    model: &mut Net<B>,
    config: &PlaygroundConfig,
    stream: &mut Arc4,
) -> Result<(), SessionError> {
    let backend = model.backend().clone();
    let rank = |f: &Feature| Feature::ALL.iter().position(|g| g == f);
    let mut inputs: Vec<usize> = (0..config.features.len()).collect();
    inputs.sort_by_key(|&i| rank(&config.features[i]));
    let zero = config.init_zero;
    let layers = model.dense_layers().len();
    for layer in 0..layers {
        let name = format!("layers.{layer}.weight");
        let weight = model
            .param_mut(&name)
            .ok_or_else(|| ConfigError(format!("the network has no {name}")))?;
        let (rows, cols) = match weight.shape().dims() {
            &[rows, cols] => (rows, cols),
            dims => return Err(ConfigError(format!("{name} has shape {dims:?}")).into()),
        };
        let sources: Vec<usize> = if layer == 0 {
            inputs.clone()
        } else {
            (0..rows).collect()
        };
        let mut values = vec![0.0f32; rows * cols];
        for to in 0..cols {
            for &from in &sources {
                let w = stream.next_f64() - 0.5;
                values[from * cols + to] = if zero { 0.0 } else { w as f32 };
            }
        }
        *weight = Tensor::from_slice(&backend, &values, [rows, cols])?;
        let name = format!("layers.{layer}.bias");
        let bias = model
            .param_mut(&name)
            .ok_or_else(|| ConfigError(format!("the network has no {name}")))?;
        let b = if zero { 0.0 } else { 0.1 };
        *bias = Tensor::from_slice(&backend, &vec![b; cols], [cols])?;
    }
    Ok(())
}

/// The draws of TFP's `drawDatasetThumbnails()`: 200 points at noise 0 of
/// each of the problem's data sets, in TFP's order (which is
/// [`DatasetKind::ALL`]'s). Multi-class is ours: TFP draws nothing for it.
fn draw_thumbnails(problem: Problem, stream: &mut (impl Stream + ?Sized)) {
    if problem == Problem::MultiClass {
        return;
    }
    for kind in DatasetKind::ALL
        .into_iter()
        .filter(|k| k.problem() == problem)
    {
        generate(kind, 200, 0.0, stream);
    }
}

/// A fresh trainer for `config`, its dropout masks drawn from `seed`.
fn trainer<B: Backend>(config: &PlaygroundConfig, seed: u64) -> Trainer<B> {
    Trainer::new(config.train_config(), seed).with_dropout(config.dropout)
}

/// Features and targets of `points` as `config` feeds them to the network.
fn examples<B: Backend>(
    backend: &B,
    config: &PlaygroundConfig,
    points: &[Point],
) -> Result<Examples<B>, EngineError> {
    let x = feature_matrix(points, &config.features);
    let y = config.targets(points);
    Examples::new(backend, &x, config.features.len(), &y, config.outputs())
}

/// A hash of everything the seed determines for `config`: the data points and
/// the network's initial weights, bit for bit. Native and wasm32 builds must
/// agree on it.
pub fn fingerprint(config: &PlaygroundConfig) -> Result<u64, SessionError> {
    let session = Session::new(playnet_engine::Cpu, config.clone())?;
    let mut hash = session.split.fingerprint();
    for (_, tensor, _) in session.model.parameters() {
        for v in ready(tensor.to_vec(session.model.backend()))?? {
            hash = (hash ^ u64::from(v.to_bits())).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use playnet_data::{DatasetKind, Feature};
    use playnet_engine::{Activation, Cpu};

    fn run(config: PlaygroundConfig, epochs: u64) -> Metrics {
        let mut s = Session::new(Cpu, config).unwrap();
        for _ in 0..epochs {
            s.train_epoch().unwrap();
        }
        ready(s.metrics()).unwrap().unwrap()
    }

    #[test]
    fn default_circle_is_learned() {
        let m = run(PlaygroundConfig::default(), 100);
        assert_eq!(m.epoch, 100);
        assert!(m.test_loss < 0.05, "{m:?}");
        assert!(m.test_accuracy.unwrap() > 0.97, "{m:?}");
    }

    /// The reference run: spiral, x1 x2 sin x1 sin x2, 8-8 tanh, lr 0.03,
    /// batch 10, 1000 epochs, seed 7. TensorFlow Playground reaches a test loss
    /// of about 0.01–0.05 on this setup; we measured 0.0061 (seeds 1–5: 0.0067–0.027)
    /// and hold this seed to 0.02.
    #[test]
    fn spiral_reference_run_reaches_low_test_loss() {
        let config = PlaygroundConfig {
            dataset: DatasetKind::Spiral,
            features: vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2],
            network_shape: vec![8, 8],
            activation: Activation::Tanh,
            seed: 7,
            ..Default::default()
        };
        let m = run(config, 1000);
        assert!(m.test_loss < 0.02, "{m:?}");
        assert!(m.test_accuracy.unwrap() > 0.97, "{m:?}");
    }

    #[test]
    fn regression_reports_no_accuracy() {
        let config = PlaygroundConfig {
            dataset: DatasetKind::RegPlane,
            ..Default::default()
        };
        let m = run(config, 20);
        assert!(m.train_accuracy.is_none() && m.test_loss < 0.05, "{m:?}");
    }

    #[test]
    fn multi_class_spiral_learns() {
        let config = PlaygroundConfig {
            dataset: DatasetKind::Blobs3,
            learning_rate: 0.1,
            ..Default::default()
        };
        let m = run(config, 50);
        assert!(m.test_accuracy.unwrap() > 0.9, "{m:?}");
    }

    #[test]
    fn confusion_matrices_agree_with_the_accuracies() {
        for config in [
            PlaygroundConfig::default(),
            PlaygroundConfig {
                dataset: DatasetKind::Xor,
                loss: Some(playnet_engine::Loss::BinaryCrossEntropy),
                ..Default::default()
            },
            PlaygroundConfig {
                dataset: DatasetKind::Gauss,
                loss: Some(playnet_engine::Loss::SoftmaxCrossEntropy),
                ..Default::default()
            },
            PlaygroundConfig {
                dataset: DatasetKind::Blobs3,
                learning_rate: 0.1,
                ..Default::default()
            },
        ] {
            let mut s = Session::new(Cpu, config.clone()).unwrap();
            for _ in 0..10 {
                s.train_epoch().unwrap();
            }
            let r = ready(s.report()).unwrap().unwrap();
            for (confusion, accuracy, points) in [
                (&r.test_confusion, r.metrics.test_accuracy, &s.split().test),
                (
                    &r.train_confusion,
                    r.metrics.train_accuracy,
                    &s.split().train,
                ),
            ] {
                let c = confusion.as_ref().unwrap();
                assert_eq!(c.classes, config.dataset.num_classes().max(2));
                assert_eq!(c.total() as usize, points.len(), "{config:?}");
                let share = c.correct() as f32 / c.total() as f32;
                assert!((share - accuracy.unwrap()).abs() < 1e-6, "{config:?}");
                // Every true class is counted as often as it occurs.
                for truth in 0..c.classes {
                    let row: u32 = (0..c.classes).map(|p| c.get(truth, p)).sum();
                    let label = |p: &&Point| match c.classes {
                        2 if config.dataset.problem() == Problem::Classification => {
                            usize::from(p.label > 0.0) == truth
                        }
                        _ => p.label as usize == truth,
                    };
                    assert_eq!(row as usize, points.iter().filter(label).count());
                }
            }
        }
        let regression = PlaygroundConfig {
            dataset: DatasetKind::RegPlane,
            ..Default::default()
        };
        let r = ready(Session::new(Cpu, regression).unwrap().report())
            .unwrap()
            .unwrap();
        assert!(r.train_confusion.is_none() && r.test_confusion.is_none());
    }

    #[test]
    fn reset_draws_new_weights_and_keeps_the_data() {
        let mut s = Session::new(Cpu, PlaygroundConfig::default()).unwrap();
        let weights = |s: &Session<Cpu>| {
            ready(s.model().dense_layers()[0].weight.to_vec(&Cpu))
                .unwrap()
                .unwrap()
        };
        let before = weights(&s);
        let data = s.split().clone();
        s.train_epoch().unwrap();
        s.reset().unwrap();
        assert_eq!(s.epoch(), 0);
        assert_ne!(weights(&s), before);
        assert_eq!(s.split(), &data);
    }

    #[test]
    fn retune_keeps_the_weights_and_refuses_structural_changes() {
        let mut s = Session::new(Cpu, PlaygroundConfig::default()).unwrap();
        s.train_epoch().unwrap();
        let weights = ready(s.model().dense_layers()[0].weight.to_vec(&Cpu))
            .unwrap()
            .unwrap();
        let faster = PlaygroundConfig {
            learning_rate: 0.3,
            batch_size: 5,
            ..PlaygroundConfig::default()
        };
        s.retune(faster).unwrap();
        assert_eq!(s.epoch(), 1);
        assert_eq!(
            ready(s.model().dense_layers()[0].weight.to_vec(&Cpu))
                .unwrap()
                .unwrap(),
            weights
        );
        assert_eq!(s.config().learning_rate, 0.3);
        let wider = PlaygroundConfig {
            network_shape: vec![5, 2],
            ..PlaygroundConfig::default()
        };
        assert!(s.retune(wider).is_err());
    }

    /// Dropout changes what training does, never what the network is
    /// evaluated or drawn as.
    #[test]
    fn dropout_changes_training_but_not_evaluation() {
        let plain = PlaygroundConfig {
            dataset: DatasetKind::Xor,
            network_shape: vec![8, 8],
            ..Default::default()
        };
        let dropped = PlaygroundConfig {
            dropout: 0.3,
            ..plain.clone()
        };
        let mut a = Session::new(Cpu, plain.clone()).unwrap();
        let mut b = Session::new(Cpu, dropped.clone()).unwrap();
        // Same weights: the same losses and the same heatmaps, dropout or not.
        let grid = Tensor::from_slice(&Cpu, &[0.5, -1.0, 2.0, 3.0, -4.0, 0.0], [3, 2]).unwrap();
        let heatmaps = |s: &Session<Cpu>| -> Vec<Vec<f32>> {
            s.model()
                .predict_layers(&grid)
                .unwrap()
                .iter()
                .map(|t| ready(t.to_vec(&Cpu)).unwrap().unwrap())
                .collect()
        };
        assert_eq!(heatmaps(&a), heatmaps(&b));
        let metrics = |s: &Session<Cpu>| ready(s.metrics()).unwrap().unwrap();
        assert_eq!(metrics(&a), metrics(&b));
        for _ in 0..5 {
            a.train_epoch().unwrap();
            b.train_epoch().unwrap();
        }
        let (ma, mb) = (metrics(&a), metrics(&b));
        assert_ne!(ma.train_loss, mb.train_loss);
        // Evaluating twice drops nothing, so it gives the same numbers.
        assert_eq!(metrics(&b), mb);
        // The same seed gives the same masks, so the same run.
        let mut c = Session::new(Cpu, dropped.clone()).unwrap();
        for _ in 0..5 {
            c.train_epoch().unwrap();
        }
        assert_eq!(metrics(&c), mb);
        assert_eq!(heatmaps(&c), heatmaps(&b));
        // Dropout is a training setting: switching it keeps the weights.
        let weights = |s: &Session<Cpu>| {
            ready(s.model().dense_layers()[1].weight.to_vec(&Cpu))
                .unwrap()
                .unwrap()
        };
        let before = weights(&a);
        a.retune(dropped).unwrap();
        assert_eq!((a.epoch(), weights(&a)), (5, before));
        a.train_epoch().unwrap();
        a.retune(plain).unwrap();
        assert_eq!(a.config().dropout, 0.0);
    }

    #[test]
    fn dropout_still_learns() {
        let config = PlaygroundConfig {
            network_shape: vec![8, 8],
            dropout: 0.2,
            ..Default::default()
        };
        let m = run(config, 100);
        assert!(m.test_loss < 0.1, "{m:?}");
        assert!(m.test_accuracy.unwrap() > 0.9, "{m:?}");
    }

    #[test]
    fn edited_weights_and_data_take_effect_at_once() {
        let mut s = Session::new(Cpu, PlaygroundConfig::default()).unwrap();
        let before = ready(s.metrics()).unwrap().unwrap();
        s.set_weight(0, 1, 2, 3.5).unwrap();
        s.set_bias(2, 0, -0.75).unwrap();
        let w = ready(s.model().dense_layers()[0].weight.to_vec(&Cpu))
            .unwrap()
            .unwrap();
        assert_eq!(w[4 + 2], 3.5);
        let b = ready(s.model().dense_layers()[2].bias.to_vec(&Cpu))
            .unwrap()
            .unwrap();
        assert_eq!(b, vec![-0.75]);
        assert_ne!(
            ready(s.metrics()).unwrap().unwrap().test_loss,
            before.test_loss
        );
        assert!(s.set_weight(0, 2, 0, 1.0).is_err(), "two inputs only");
        assert!(s.set_bias(5, 0, 1.0).is_err());
        assert!(s.set_weight(0, 0, 0, f32::NAN).is_err());

        let mut split = s.split().clone();
        split.train.push(Point {
            x: 1.0,
            y: 1.0,
            label: 1.0,
        });
        s.train_epoch().unwrap();
        s.set_data(split.clone()).unwrap();
        assert_eq!(s.split().train.len(), 251);
        assert_eq!(s.epoch(), 1);
        s.train_epoch().unwrap();
        split.train.push(Point {
            x: 0.0,
            y: 0.0,
            label: 0.5,
        });
        assert!(s.set_data(split).is_err(), "0.5 is no class label");
    }

    #[test]
    fn export_then_import_gives_identical_predictions() {
        let config = PlaygroundConfig {
            dataset: DatasetKind::Xor,
            network_shape: vec![5, 3],
            ..Default::default()
        };
        let mut s = Session::new(Cpu, config).unwrap();
        for _ in 0..5 {
            s.train_epoch().unwrap();
        }
        let saved = ready(s.export()).unwrap().unwrap();
        let loaded = Session::import(Cpu, &saved).unwrap();
        assert_eq!(loaded.config(), s.config());
        let outputs = |s: &Session<Cpu>| ready(s.metrics()).unwrap().unwrap();
        assert_eq!(outputs(&loaded).test_loss, outputs(&s).test_loss);
        let x = s.train.x.clone();
        let predict = |s: &Session<Cpu>| {
            ready(s.model().predict(&x).unwrap().to_vec(&Cpu))
                .unwrap()
                .unwrap()
        };
        assert_eq!(predict(&loaded), predict(&s));

        // Weights of another architecture are refused with a reason.
        let other = Session::new(Cpu, PlaygroundConfig::default()).unwrap();
        let other_saved = ready(other.export()).unwrap().unwrap();
        let mixed = SavedModel {
            json: saved.json.clone(),
            safetensors: other_saved.safetensors,
        };
        let err = Session::import(Cpu, &mixed).err().unwrap().to_string();
        assert!(err.contains("shape") || err.contains("tensor"), "{err}");
        let garbage = SavedModel {
            json: "{}".into(),
            safetensors: vec![1, 2, 3],
        };
        assert!(Session::import(Cpu, &garbage).is_err());
        let not_json = SavedModel {
            json: "hello".into(),
            safetensors: saved.safetensors,
        };
        assert!(
            Session::import(Cpu, &not_json)
                .err()
                .unwrap()
                .to_string()
                .contains("not a Playnet")
        );
    }

    #[test]
    fn divergence_is_detected() {
        // A linear output under a huge learning rate blows up within a few epochs.
        let config = PlaygroundConfig {
            dataset: DatasetKind::RegPlane,
            activation: Activation::Relu,
            learning_rate: 10.0,
            ..Default::default()
        };
        let mut s = Session::new(Cpu, config).unwrap();
        for _ in 0..20 {
            s.train_epoch().unwrap();
        }
        assert!(ready(s.metrics()).unwrap().unwrap().diverged());
    }

    fn tfp(text: &str) -> PlaygroundConfig {
        let mut c = PlaygroundConfig::default();
        c.set_seed_text(text);
        c
    }

    fn all_weights(s: &Session<Cpu>) -> Vec<Vec<f32>> {
        s.model()
            .parameters()
            .into_iter()
            .map(|(_, t, _)| ready(t.to_vec(&Cpu)).unwrap().unwrap())
            .collect()
    }

    /// Counts the draws of a stream.
    struct Counting(Arc4, usize);

    impl Stream for Counting {
        fn next_f64(&mut self) -> f64 {
            self.1 += 1;
            self.0.next_f64()
        }
    }

    #[test]
    fn the_thumbnails_take_as_many_draws_as_on_tfps_page() {
        // tfp-reference's page_load_events for seed 0.12345: 3,024 draws
        // for the classification thumbnails, 1,600 for regression.
        for (problem, draws) in [(Problem::Classification, 3024), (Problem::Regression, 1600)] {
            let mut stream = Counting(Arc4::new("0.12345"), 0);
            draw_thumbnails(problem, &mut stream);
            assert_eq!(stream.1, draws, "{problem:?}");
        }
    }

    #[test]
    fn a_tfp_seed_draws_everything_from_one_stream_and_goes_on() {
        let config = tfp("0.12345");
        assert_eq!(config.seed_source(), SeedSource::Tfp("0.12345"));
        let a = Session::new(Cpu, config.clone()).unwrap();
        assert!(a.tfp_seeded());
        // The same text, the same session; another text, another one.
        let b = Session::new(Cpu, config.clone()).unwrap();
        assert_eq!((a.split(), all_weights(&a)), (b.split(), all_weights(&b)));
        let other = Session::new(Cpu, tfp("0.12346")).unwrap();
        assert_ne!(a.split(), other.split());
        // TFP's biases and the stream's weights, not the PCG's.
        let pcg = Session::new(Cpu, PlaygroundConfig::default()).unwrap();
        assert!(!pcg.tfp_seeded());
        assert_ne!(all_weights(&a), all_weights(&pcg));
        assert!(all_weights(&a)[1].iter().all(|&b| b == 0.1));

        // Reset draws on: new weights each time, never the first ones again.
        let mut s = Session::new(Cpu, config.clone()).unwrap();
        s.reset().unwrap();
        let once = all_weights(&s);
        assert_ne!(once, all_weights(&a));
        s.reset().unwrap();
        assert_ne!(all_weights(&s), once);
        assert_eq!(s.split(), a.split());

        // With initZero the links still draw (TFP draws, then zeroes them).
        let zero = PlaygroundConfig {
            init_zero: true,
            ..config.clone()
        };
        let mut z = Session::new(Cpu, zero.clone()).unwrap();
        assert!(all_weights(&z).iter().flatten().all(|&w| w == 0.0));
        let mut plain = Session::new(Cpu, config.clone()).unwrap();
        z.rebuild(config.clone()).unwrap();
        plain.reset().unwrap();
        assert_eq!(all_weights(&z), all_weights(&plain));
    }

    #[test]
    fn rebuild_follow_and_regenerate_on_our_seeds() {
        // Rebuild is exactly a new session for our seeds.
        let mut s = Session::new(Cpu, PlaygroundConfig::default()).unwrap();
        s.reset().unwrap();
        let relu = PlaygroundConfig {
            activation: Activation::Relu,
            ..Default::default()
        };
        s.rebuild(relu.clone()).unwrap();
        let new = Session::new(Cpu, relu.clone()).unwrap();
        assert_eq!(all_weights(&s), all_weights(&new));
        assert_eq!((s.split(), s.config()), (new.split(), &relu));
        // So is follow, with the config's own seed.
        let xor = PlaygroundConfig {
            dataset: DatasetKind::Xor,
            ..Default::default()
        };
        let next = s.follow(xor.clone()).unwrap();
        assert_eq!(next.config(), &xor);
        assert_eq!(next.split(), Session::new(Cpu, xor).unwrap().split());
        // Regenerate belongs to TFP's seeds.
        assert!(s.regenerate().is_err());
    }

    #[test]
    fn a_number_seed_after_a_tfp_seed_is_ours() {
        let mut c = tfp("0.5");
        c.seed = 9;
        assert_eq!(c.seed_source(), SeedSource::Pcg(9));
        let s = Session::new(Cpu, c).unwrap();
        assert!(!s.tfp_seeded());
        assert_eq!(
            s.split(),
            Session::new(
                Cpu,
                PlaygroundConfig {
                    seed: 9,
                    ..Default::default()
                }
            )
            .unwrap()
            .split()
        );
    }

    #[test]
    fn fingerprint_depends_on_the_seed() {
        let a = fingerprint(&PlaygroundConfig::default()).unwrap();
        let b = fingerprint(&PlaygroundConfig {
            seed: 2,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(a, fingerprint(&PlaygroundConfig::default()).unwrap());
        assert_ne!(a, b);
    }
}
