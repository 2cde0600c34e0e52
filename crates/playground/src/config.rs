//! The playground configuration: one struct that the controls, the URL, saved
//! files and the trainer all read and write.

use playnet_data::{DatasetKind, Feature, Point, Problem};
use playnet_engine::{
    Activation, HiddenLayer, Init, Loss, MlpConfig, Optimizer, Regularization, Schedule,
    TrainConfig,
};
use serde::{Deserialize, Serialize};

/// Most hidden layers the playground offers.
pub const MAX_LAYERS: usize = 10;
/// Most neurons per hidden layer the playground offers.
pub const MAX_NEURONS: usize = 32;
/// Batch sizes the playground offers.
pub const BATCH_SIZES: std::ops::RangeInclusive<usize> = 1..=30;
/// The largest dropout rate a configuration may ask for (the page's menu
/// stops at 0.5; links may go further).
pub const MAX_DROPOUT: f32 = 0.9;

/// Why a configuration cannot be used, in words a person can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Everything that defines a playground run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PlaygroundConfig {
    pub dataset: DatasetKind,
    /// Noise, 0–50 (percent, as TensorFlow Playground's slider).
    pub noise: u32,
    /// Share of the points used for training, 10–90 percent.
    pub perc_train_data: u32,
    pub batch_size: usize,
    /// Input features, in the order they feed the network.
    pub features: Vec<Feature>,
    /// Neurons in each hidden layer.
    pub network_shape: Vec<usize>,
    /// Activation of the hidden layers (each layer's unless
    /// `layer_activations` says otherwise).
    pub activation: Activation,
    /// Hidden layers whose activation differs from `activation`: entry `i`
    /// is layer `i`'s, and layers past the end use `activation`. Empty (the
    /// usual case) when every layer uses `activation`.
    /// [`PlaygroundConfig::set_layer_activation`] keeps it as short as it can
    /// be, so two configs with the same network compare equal.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layer_activations: Vec<Activation>,
    /// What training minimises; `None` picks the problem's usual loss
    /// (half squared error for binary classification and regression,
    /// softmax cross-entropy for multi-class).
    pub loss: Option<Loss>,
    pub learning_rate: f32,
    pub optimizer: Optimizer,
    pub regularization: Option<Regularization>,
    pub regularization_rate: f32,
    /// Fraction of each hidden layer's outputs dropped in every training
    /// step, 0 to [`MAX_DROPOUT`]; 0 (the default) is no dropout.
    /// Evaluation and the heatmaps never drop anything.
    pub dropout: f32,
    /// Start every weight at 0 (TensorFlow Playground's `initZero`).
    pub init_zero: bool,
    /// Seeds both the data and the initial weights (our PCG), unless
    /// `tfp_seed` says the seed is TensorFlow Playground's.
    pub seed: u64,
    /// The seed text of a TensorFlow Playground link (`seed=0.12345`: any
    /// text that is not a plain integer), set with
    /// [`PlaygroundConfig::set_seed_text`]. While `seed` is still the
    /// number it gives ([`crate::seed_from_text`]), the data and the initial
    /// weights come from TFP's own seedrandom stream keyed with this text,
    /// exactly as TFP makes them ([`PlaygroundConfig::seed_source`]).
    /// Absent for our integer seeds, so older saved files read as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tfp_seed: Option<String>,
}

/// Where a configuration's data and initial weights come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedSource<'a> {
    /// Our PCG generator seeded with the number (`#seed=7`, `--seed 7`).
    Pcg(u64),
    /// TensorFlow Playground's seedrandom stream keyed with its seed text
    /// (`#seed=0.12345`): data, shuffle and initial weights from one stream
    /// in TFP's order, so they equal TFP's.
    Tfp(&'a str),
}

impl Default for PlaygroundConfig {
    /// TensorFlow Playground's opening state.
    fn default() -> Self {
        PlaygroundConfig {
            dataset: DatasetKind::Circle,
            noise: 0,
            perc_train_data: 50,
            batch_size: 10,
            features: vec![Feature::X1, Feature::X2],
            network_shape: vec![4, 2],
            activation: Activation::Tanh,
            layer_activations: Vec::new(),
            loss: None,
            learning_rate: 0.03,
            optimizer: Optimizer::Sgd,
            regularization: None,
            regularization_rate: 0.0,
            dropout: 0.0,
            init_zero: false,
            seed: 1,
            tfp_seed: None,
        }
    }
}

impl PlaygroundConfig {
    /// Sets the seed from a link's or the command line's seed text: a plain
    /// integer (1 to 20 ASCII digits that fit a `u64`) is our PCG seed; any
    /// other text is a TensorFlow Playground seed (see `tfp_seed`).
    pub fn set_seed_text(&mut self, text: &str) {
        self.seed = crate::seed_from_text(text);
        self.tfp_seed = crate::url::is_tfp_seed(text).then(|| text.to_owned());
    }

    /// Where the data and initial weights come from: TFP's stream while
    /// `tfp_seed` is set and `seed` is still the number its text gives
    /// (a seed changed to another number since is ours), else our PCG.
    pub fn seed_source(&self) -> SeedSource<'_> {
        match &self.tfp_seed {
            Some(text) if crate::seed_from_text(text) == self.seed => SeedSource::Tfp(text),
            _ => SeedSource::Pcg(self.seed),
        }
    }

    /// True when `other` has the same points: data set, noise, training
    /// share and seed (the network and training settings may differ).
    pub fn same_data(&self, other: &PlaygroundConfig) -> bool {
        self.dataset == other.dataset
            && self.noise == other.noise
            && self.perc_train_data == other.perc_train_data
            && self.seed_source() == other.seed_source()
    }

    /// The loss in use: the chosen one, or the problem's usual one.
    pub fn effective_loss(&self) -> Loss {
        self.loss.unwrap_or(match self.dataset.problem() {
            Problem::MultiClass => Loss::SoftmaxCrossEntropy,
            Problem::Classification | Problem::Regression => Loss::HalfSquaredError,
        })
    }

    /// The activation of hidden layer `layer` (0 is the first).
    pub fn layer_activation(&self, layer: usize) -> Activation {
        self.layer_activations
            .get(layer)
            .copied()
            .unwrap_or(self.activation)
    }

    /// Sets every hidden layer's activation (TensorFlow Playground's menu).
    pub fn set_activation(&mut self, activation: Activation) {
        self.activation = activation;
        self.layer_activations.clear();
    }

    /// Sets one hidden layer's activation; a layer the network does not
    /// have is ignored.
    pub fn set_layer_activation(&mut self, layer: usize, activation: Activation) {
        if layer >= self.network_shape.len() {
            return;
        }
        if self.layer_activations.len() <= layer {
            self.layer_activations.resize(layer + 1, self.activation);
        }
        self.layer_activations[layer] = activation;
        self.trim_layer_activations();
    }

    /// Drops per-layer activations that say nothing: entries for layers the
    /// network no longer has, and trailing ones equal to `activation`. Call
    /// it after removing hidden layers.
    pub fn trim_layer_activations(&mut self) {
        self.layer_activations.truncate(self.network_shape.len());
        while self.layer_activations.last() == Some(&self.activation) {
            self.layer_activations.pop();
        }
    }

    /// Number of network outputs.
    pub fn outputs(&self) -> usize {
        match self.effective_loss() {
            Loss::SoftmaxCrossEntropy => self.dataset.num_classes().max(2),
            Loss::HalfSquaredError | Loss::BinaryCrossEntropy => 1,
        }
    }

    /// Checks every field and the combinations, explaining the first problem.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |msg: String| Err(ConfigError(msg));
        if self.noise > 50 {
            return bad(format!("noise must be 0 to 50, not {}", self.noise));
        }
        if !(10..=90).contains(&self.perc_train_data) {
            return bad(format!(
                "the training share must be 10 to 90 percent, not {}",
                self.perc_train_data
            ));
        }
        if !BATCH_SIZES.contains(&self.batch_size) {
            return bad(format!(
                "batch size must be 1 to 30, not {}",
                self.batch_size
            ));
        }
        if self.features.is_empty() {
            return bad("choose at least one input feature".into());
        }
        if self.network_shape.len() > MAX_LAYERS {
            return bad(format!(
                "at most {MAX_LAYERS} hidden layers, not {}",
                self.network_shape.len()
            ));
        }
        if let Some(n) = self
            .network_shape
            .iter()
            .find(|&&n| n == 0 || n > MAX_NEURONS)
        {
            return bad(format!(
                "each hidden layer needs 1 to {MAX_NEURONS} neurons, not {n}"
            ));
        }
        if !(self.learning_rate.is_finite()
            && self.learning_rate > 0.0
            && self.learning_rate <= 10.0)
        {
            return bad(format!(
                "the learning rate must be above 0 and at most 10, not {}",
                self.learning_rate
            ));
        }
        if !(self.regularization_rate.is_finite()
            && (0.0..=10.0).contains(&self.regularization_rate))
        {
            return bad(format!(
                "the regularisation rate must be 0 to 10, not {}",
                self.regularization_rate
            ));
        }
        if !(self.dropout.is_finite() && (0.0..=MAX_DROPOUT).contains(&self.dropout)) {
            return bad(format!(
                "dropout must be 0 to {MAX_DROPOUT}, not {}",
                self.dropout
            ));
        }
        let loss = self.effective_loss();
        match (self.dataset.problem(), loss) {
            (Problem::Regression, Loss::HalfSquaredError) => Ok(()),
            (Problem::Regression, _) => {
                bad(format!("regression trains on squared error, not {loss}"))
            }
            (Problem::MultiClass, Loss::SoftmaxCrossEntropy) => Ok(()),
            (Problem::MultiClass, _) => bad(format!(
                "{} has {} classes: it needs softmax cross-entropy, not {loss}",
                self.dataset.name(),
                self.dataset.num_classes()
            )),
            (Problem::Classification, _) => Ok(()),
        }
    }

    /// True when `other` describes the same data and the same network, so a
    /// session can switch to it without rebuilding (only the training settings
    /// — learning rate, batch size, optimiser, regularisation, dropout —
    /// differ).
    pub fn same_data_and_network(&self, other: &PlaygroundConfig) -> bool {
        self.data_and_network() == other.data_and_network()
    }

    /// This config with every training setting at a fixed value: two
    /// configs with the same data and network give the same one.
    fn data_and_network(&self) -> PlaygroundConfig {
        PlaygroundConfig {
            learning_rate: 0.0,
            batch_size: 0,
            optimizer: Optimizer::Sgd,
            regularization: None,
            regularization_rate: 0.0,
            dropout: 0.0,
            ..self.clone()
        }
    }

    /// A text naming this config's data and network (not its training
    /// settings), for keeping a session per data set and network.
    pub fn data_and_network_key(&self) -> String {
        serde_json::to_string(&self.data_and_network()).unwrap_or_default()
    }

    /// The network this configuration describes.
    pub fn mlp_config(&self) -> MlpConfig {
        let loss = self.effective_loss();
        let output_activation = match (loss, self.dataset.problem()) {
            (Loss::SoftmaxCrossEntropy, _) => Activation::Linear,
            (Loss::BinaryCrossEntropy, _) => Activation::Sigmoid,
            (Loss::HalfSquaredError, Problem::Regression) => Activation::Linear,
            (Loss::HalfSquaredError, _) => Activation::Tanh,
        };
        MlpConfig {
            inputs: self.features.len(),
            hidden: self
                .network_shape
                .iter()
                .enumerate()
                .map(|(layer, &neurons)| HiddenLayer {
                    neurons,
                    activation: self.layer_activation(layer),
                })
                .collect(),
            outputs: self.outputs(),
            output_activation,
            loss,
            init: if self.init_zero {
                Init::Zero
            } else {
                Init::Tfp
            },
        }
    }

    /// The optimiser settings this configuration describes.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            optimizer: self.optimizer,
            schedule: Schedule::Constant {
                rate: self.learning_rate,
            },
            batch_size: self.batch_size,
            regularization: self.regularization,
            regularization_rate: self.regularization_rate,
        }
    }

    /// Network targets for `points`, row-major with [`Self::outputs`] columns:
    /// ±1 (half squared error), 0/1 (binary cross-entropy), one-hot (softmax),
    /// or the value itself (regression).
    pub fn targets(&self, points: &[Point]) -> Vec<f32> {
        let loss = self.effective_loss();
        let width = self.outputs();
        let binary = self.dataset.problem() == Problem::Classification;
        let mut out = Vec::with_capacity(points.len() * width);
        for p in points {
            match loss {
                Loss::HalfSquaredError => out.push(p.label as f32),
                Loss::BinaryCrossEntropy => out.push(if p.label > 0.0 { 1.0 } else { 0.0 }),
                Loss::SoftmaxCrossEntropy => {
                    let class = if binary {
                        usize::from(p.label > 0.0)
                    } else {
                        p.label as usize
                    };
                    out.extend((0..width).map(|c| if c == class { 1.0 } else { 0.0 }));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_names_data_and_network_not_training_settings() {
        let base = PlaygroundConfig::default();
        let retuned = PlaygroundConfig {
            learning_rate: 0.3,
            batch_size: 1,
            dropout: 0.2,
            ..base.clone()
        };
        assert!(base.same_data_and_network(&retuned));
        assert_eq!(base.data_and_network_key(), retuned.data_and_network_key());
        let reseeded = PlaygroundConfig {
            seed: base.seed + 1,
            ..base.clone()
        };
        let wider = PlaygroundConfig {
            network_shape: vec![8, 2],
            ..base.clone()
        };
        for other in [reseeded, wider] {
            assert!(!base.same_data_and_network(&other));
            assert_ne!(base.data_and_network_key(), other.data_and_network_key());
        }
    }

    #[test]
    fn default_is_tensorflow_playgrounds_opening_state() {
        let c = PlaygroundConfig::default();
        assert!(c.validate().is_ok());
        let m = c.mlp_config();
        assert_eq!(m.widths(), vec![2, 4, 2, 1]);
        assert_eq!(m.output_activation, Activation::Tanh);
        assert_eq!(m.loss, Loss::HalfSquaredError);
    }

    #[test]
    fn multi_class_uses_softmax_with_one_output_per_class() {
        let c = PlaygroundConfig {
            dataset: DatasetKind::Spiral3,
            ..Default::default()
        };
        assert!(c.validate().is_ok());
        assert_eq!(c.outputs(), 3);
        let t = c.targets(&[Point {
            x: 0.0,
            y: 0.0,
            label: 2.0,
        }]);
        assert_eq!(t, vec![0.0, 0.0, 1.0]);
        let wrong = PlaygroundConfig {
            loss: Some(Loss::HalfSquaredError),
            ..c
        };
        assert!(wrong.validate().unwrap_err().0.contains("softmax"));
    }

    #[test]
    fn binary_targets_follow_the_loss() {
        let p = [
            Point {
                x: 0.0,
                y: 0.0,
                label: -1.0,
            },
            Point {
                x: 0.0,
                y: 0.0,
                label: 1.0,
            },
        ];
        let base = PlaygroundConfig::default();
        assert_eq!(base.targets(&p), vec![-1.0, 1.0]);
        let bce = PlaygroundConfig {
            loss: Some(Loss::BinaryCrossEntropy),
            ..base.clone()
        };
        assert_eq!(bce.targets(&p), vec![0.0, 1.0]);
        assert_eq!(bce.mlp_config().output_activation, Activation::Sigmoid);
        let ce = PlaygroundConfig {
            loss: Some(Loss::SoftmaxCrossEntropy),
            ..base
        };
        assert_eq!(ce.targets(&p), vec![1.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn out_of_range_values_are_explained() {
        let base = PlaygroundConfig::default();
        let cases = [
            PlaygroundConfig {
                noise: 51,
                ..base.clone()
            },
            PlaygroundConfig {
                perc_train_data: 95,
                ..base.clone()
            },
            PlaygroundConfig {
                batch_size: 0,
                ..base.clone()
            },
            PlaygroundConfig {
                features: vec![],
                ..base.clone()
            },
            PlaygroundConfig {
                network_shape: vec![999, 999],
                ..base.clone()
            },
            PlaygroundConfig {
                network_shape: vec![1; 11],
                ..base.clone()
            },
            PlaygroundConfig {
                learning_rate: f32::NAN,
                ..base.clone()
            },
            PlaygroundConfig {
                regularization_rate: -1.0,
                ..base.clone()
            },
            PlaygroundConfig {
                dropout: f32::NAN,
                ..base.clone()
            },
            PlaygroundConfig {
                dropout: 0.95,
                ..base.clone()
            },
            PlaygroundConfig {
                dropout: -0.1,
                ..base.clone()
            },
        ];
        for c in cases {
            assert!(c.validate().is_err(), "{c:?}");
        }
    }

    #[test]
    fn layers_can_have_their_own_activation() {
        let mut c = PlaygroundConfig {
            network_shape: vec![4, 3, 2],
            ..Default::default()
        };
        c.set_layer_activation(1, Activation::Relu);
        assert_eq!(
            c.layer_activations,
            vec![Activation::Tanh, Activation::Relu]
        );
        let activations: Vec<Activation> =
            c.mlp_config().hidden.iter().map(|l| l.activation).collect();
        assert_eq!(
            activations,
            vec![Activation::Tanh, Activation::Relu, Activation::Tanh]
        );
        // Setting a layer back to the global activation leaves nothing behind.
        c.set_layer_activation(1, Activation::Tanh);
        assert!(c.layer_activations.is_empty());
        c.set_layer_activation(9, Activation::Relu);
        assert!(c.layer_activations.is_empty(), "no layer 9");
        // Removing the layer drops its activation.
        c.set_layer_activation(2, Activation::Sine);
        c.network_shape.pop();
        c.trim_layer_activations();
        assert!(c.layer_activations.is_empty());
        // The global menu sets every layer.
        c.set_layer_activation(0, Activation::Elu);
        c.set_activation(Activation::Sigmoid);
        assert_eq!(c.layer_activation(0), Activation::Sigmoid);
        assert!(c.layer_activations.is_empty());
        // Saved files written before this field existed still load.
        let json = serde_json::to_string(&PlaygroundConfig::default()).unwrap();
        assert!(!json.contains("layerActivations"), "{json}");
        c.set_layer_activation(1, Activation::Relu);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<PlaygroundConfig>(&json).unwrap(), c);
    }

    #[test]
    fn seed_texts_pick_the_stream() {
        let mut c = PlaygroundConfig::default();
        assert_eq!(c.seed_source(), SeedSource::Pcg(1));
        for text in ["7", "007", "18446744073709551615"] {
            c.set_seed_text(text);
            assert_eq!(c.tfp_seed, None, "{text}");
            assert!(matches!(c.seed_source(), SeedSource::Pcg(_)), "{text}");
        }
        for text in [
            "0.12345",
            "0.42420",
            "hello",
            "-5",
            "+7",
            "18446744073709551616",
        ] {
            c.set_seed_text(text);
            assert_eq!(c.seed_source(), SeedSource::Tfp(text));
            assert_eq!(c.seed, crate::seed_from_text(text));
        }
        // Saved files: the field only when set, and older files read as ours.
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains(r#""tfpSeed":"18446744073709551616""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<PlaygroundConfig>(&json).unwrap(), c);
        let plain = serde_json::to_string(&PlaygroundConfig::default()).unwrap();
        assert!(!plain.contains("tfpSeed"), "{plain}");
        // Same data: the seed counts, the network does not.
        let a = {
            let mut a = PlaygroundConfig::default();
            a.set_seed_text("0.1");
            a
        };
        let wider = PlaygroundConfig {
            network_shape: vec![8],
            ..a.clone()
        };
        assert!(a.same_data(&wider));
        let mut other = a.clone();
        other.set_seed_text("0.2");
        assert!(!a.same_data(&other));
        assert!(!a.same_data(&PlaygroundConfig {
            noise: 5,
            ..a.clone()
        }));
    }

    #[test]
    fn json_round_trip_and_defaults_for_missing_fields() {
        let c = PlaygroundConfig {
            dataset: DatasetKind::Xor,
            seed: 42,
            ..Default::default()
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<PlaygroundConfig>(&json).unwrap(), c);
        let partial: PlaygroundConfig = serde_json::from_str(r#"{"dataset":"spiral"}"#).unwrap();
        assert_eq!(partial.dataset, DatasetKind::Spiral);
        assert_eq!(partial.network_shape, vec![4, 2]);
    }
}
