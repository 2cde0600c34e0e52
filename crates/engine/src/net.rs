//! The one network model: a sequence of [`Layer`]s built from a serde
//! config ([`NetConfig`]), with named parameters, for every page — the
//! Playground's multi-layer perceptrons ([`crate::MlpConfig::network`]) and
//! the MNIST lab's convnets alike.
//!
//! Images flow as NHWC tensors (`[batch, height, width, channels]`); a dense
//! layer after an image layer flattens it. [`Net::forward`] records one pass
//! on a [`Graph`] in training or evaluation [`Mode`], keeping every layer's
//! output (the Playground draws its heatmaps from them); [`crate::Trainer`]
//! turns a batch into one optimiser step. Parameters are named
//! `layers.{i}.{name}` and carry a [`Role`]; any of them can be frozen.

use crate::checkpoint::{Unpacker, pack};
use crate::layers::Pass;
use crate::params::{Builder, Param, Role};
use crate::{
    Activation, Backend, BinaryOp, Checkpoint, EngineError, Features, Graph, Init, Layer, Loss,
    MlpConfig, Mode, Tensor, Var,
};
use serde::{Deserialize, Serialize};

pub use crate::layers::batch_norm::{
    EPSILON as BATCH_NORM_EPSILON, MOMENTUM as BATCH_NORM_MOMENTUM,
};

/// A network: its input, its layers in order, how it starts out and what it
/// is trained for. The last layer's outputs are the network's outputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetConfig {
    /// One example's shape: `[height, width, channels]` or a vector length.
    pub input: Features,
    pub layers: Vec<Layer>,
    /// How weights start out (biases start at the initialiser's bias).
    pub init: Init,
    /// The training loss; it also decides what predictions are
    /// (probabilities for softmax cross-entropy, the outputs otherwise).
    #[serde(default = "softmax_cross_entropy")]
    pub loss: Loss,
}

fn softmax_cross_entropy() -> Loss {
    Loss::SoftmaxCrossEntropy
}

/// Largest number of values between two layers, per example (keeps a typo such
/// as 10,000 filters from freezing the page).
pub const MAX_FEATURES: usize = 1 << 20;
/// Most trainable values a network may have (64 MB of `f32`; the largest
/// preset has about 0.25 M). Checked before anything is allocated, so that a
/// crafted model file cannot make the page build a huge network.
pub const MAX_PARAMETERS: usize = 1 << 24;
/// Most values under all the windows of one example's convolution (the
/// `im2col` matrix's share of one example).
pub const MAX_WINDOW_VALUES: usize = 1 << 23;

impl NetConfig {
    /// The shape after each layer (`[0]` is the input), or why the layers do not fit.
    pub fn shapes(&self) -> Result<Vec<Features>, EngineError> {
        let input = self.input;
        if input
            .checked_len()
            .is_none_or(|n| n == 0 || n > MAX_FEATURES)
        {
            return Err(EngineError::Config(format!(
                "the input must have 1 to {MAX_FEATURES} values per example, not {input}"
            )));
        }
        if let Features::Image(dims) = input
            && dims.contains(&0)
        {
            return Err(EngineError::Config(format!(
                "the input must be at least 1×1×1, got {input}"
            )));
        }
        let mut shapes = vec![input];
        let mut parameters = 0usize;
        for (i, layer) in self.layers.iter().enumerate() {
            let here = shapes[i];
            let bad = |why: String| {
                EngineError::Config(format!("layer {} ({}): {why}", i + 1, layer.label()))
            };
            let next = layer.output(here).map_err(bad)?;
            if next
                .checked_len()
                .is_none_or(|n| n == 0 || n > MAX_FEATURES)
            {
                return Err(bad(format!(
                    "{next} values per example is outside the 1 to {MAX_FEATURES} this page \
                     handles"
                )));
            }
            // Every size here is at most MAX_FEATURES, so only the products
            // below can overflow.
            let own = layer
                .params(here)
                .iter()
                .filter(|s| s.role.is_trained())
                .try_fold(0usize, |sum, s| sum.checked_add(s.checked_len()?));
            parameters = own
                .and_then(|n| parameters.checked_add(n))
                .filter(|&n| n <= MAX_PARAMETERS)
                .ok_or_else(|| {
                    bad(format!(
                        "the network would have more than the {MAX_PARAMETERS} parameters \
                         this page handles"
                    ))
                })?;
            shapes.push(next);
        }
        Ok(shapes)
    }

    /// Checks that the layers fit together, end in a dense layer of
    /// `outputs` values whose activation suits the loss.
    pub fn validate(&self, outputs: usize) -> Result<(), EngineError> {
        let shapes = self.shapes()?;
        let last = self
            .layers
            .iter()
            .rev()
            .find(|l| !matches!(l, Layer::Dropout { .. }));
        let Some(&Layer::Dense { activation, .. }) = last else {
            return Err(EngineError::Config(
                "the last layer must be dense (it gives one output per class)".into(),
            ));
        };
        let out = shapes.last().map(Features::len).unwrap_or(0);
        if out != outputs {
            let what = if self.loss == Loss::SoftmaxCrossEntropy {
                "classes"
            } else {
                "outputs"
            };
            return Err(EngineError::Config(format!(
                "the last layer gives {out} outputs; there are {outputs} {what}"
            )));
        }
        // Softmax cross-entropy takes whatever the last layer gives (the
        // MNIST lab has always let people pick its activation); the
        // Playground's stricter pairing is `MlpConfig::validate`'s.
        if self.loss == Loss::BinaryCrossEntropy && activation != Activation::Sigmoid {
            return Err(EngineError::Config(
                "binary cross-entropy needs a sigmoid output layer".into(),
            ));
        }
        Ok(())
    }

    /// Values per input example (`usize::MAX` for an input too large to
    /// count, which [`NetConfig::shapes`] refuses).
    pub fn input_len(&self) -> usize {
        self.input.checked_len().unwrap_or(usize::MAX)
    }

    /// Number of trainable values (at most [`MAX_PARAMETERS`]).
    pub fn parameter_count(&self) -> Result<usize, EngineError> {
        let shapes = self.shapes()?;
        Ok(self
            .layers
            .iter()
            .zip(&shapes)
            .flat_map(|(layer, input)| layer.params(*input))
            .filter(|s| s.role.is_trained())
            .map(|s| s.shape.iter().product::<usize>())
            .sum())
    }
}

/// What [`Net::forward`] recorded.
pub struct NetForward {
    /// `[batch, outputs]`: logits for softmax cross-entropy, else the outputs.
    pub output: Var,
    /// The trainable parameters as graph values, in [`Net::parameters`] order.
    pub params: Vec<Var>,
    /// Each layer's output (`layers[i]` is layer `i`'s), after the hidden
    /// dropout of a training pass, if any.
    pub layers: Vec<Var>,
    /// For each batch-norm layer in training: its index, batch mean and variance.
    pub batch_stats: Vec<(usize, Var, Var)>,
}

/// One dense layer's parameters, borrowed from a [`Net`]: `weight` is
/// `inputs × outputs`, `bias` is `outputs`.
pub struct Dense<'a, B: Backend> {
    pub weight: &'a Tensor<B>,
    pub bias: &'a Tensor<B>,
}

/// A network built from a [`NetConfig`] on backend `B`.
pub struct Net<B: Backend> {
    backend: B,
    config: NetConfig,
    shapes: Vec<Features>,
    /// Each layer's tensors, in [`Layer::params`] order.
    layers: Vec<Vec<Param<B>>>,
}

impl<B: Backend> Net<B> {
    /// A network with fresh weights drawn from `seed`, giving `outputs` values.
    pub fn new(
        backend: B,
        config: NetConfig,
        outputs: usize,
        seed: u64,
    ) -> Result<Self, EngineError> {
        let init = config.init;
        Net::build(
            backend.clone(),
            config,
            outputs,
            Builder::fresh(backend, init, seed),
        )
    }

    /// A network whose tensors all come from `builder` by name, after the
    /// config is checked (which bounds every size before anything is
    /// allocated).
    fn build(
        backend: B,
        config: NetConfig,
        outputs: usize,
        mut builder: Builder<'_, B>,
    ) -> Result<Self, EngineError> {
        config.validate(outputs)?;
        let shapes = config.shapes()?;
        let mut layers = Vec::with_capacity(config.layers.len());
        for (i, (layer, input)) in config.layers.iter().zip(&shapes).enumerate() {
            let prefix = format!("layers.{i}");
            let params = layer
                .params(*input)
                .iter()
                .map(|spec| builder.make(&prefix, spec))
                .collect::<Result<Vec<_>, _>>()?;
            layers.push(params);
        }
        builder.finish()?;
        Ok(Net {
            backend,
            config,
            shapes,
            layers,
        })
    }

    /// The backend the network lives on.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The network's config.
    pub fn config(&self) -> &NetConfig {
        &self.config
    }

    /// The shape after each layer (`[0]` is the input).
    pub fn shapes(&self) -> &[Features] {
        &self.shapes
    }

    /// Number of outputs (of the last layer): the classes, for a classifier.
    pub fn classes(&self) -> usize {
        self.shapes.last().map(Features::len).unwrap_or(0)
    }

    /// Every tensor of the network, trained or not, with its name and role.
    pub fn params(&self) -> impl Iterator<Item = &Param<B>> {
        self.layers.iter().flatten()
    }

    /// The tensor named `name` (`layers.2.bias`), if there is one.
    pub fn param(&self, name: &str) -> Option<&Tensor<B>> {
        self.params().find(|p| p.name == name).map(|p| &p.tensor)
    }

    /// The tensor named `name`, to change by hand.
    pub fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<B>> {
        self.layers
            .iter_mut()
            .flatten()
            .find(|p| p.name == name)
            .map(|p| &mut p.tensor)
    }

    /// Every trainable tensor with its name (`layers.{i}.weight`, `.bias`,
    /// `.gamma`, `.beta`) and whether the weight penalty applies to it.
    pub fn parameters(&self) -> Vec<(String, &Tensor<B>, bool)> {
        self.params()
            .filter(|p| p.is_trainable())
            .map(|p| (p.name.clone(), &p.tensor, p.role.decays()))
            .collect()
    }

    /// Mutable trainable tensors in [`Net::parameters`] order, each with
    /// whether the weight penalty applies.
    pub(crate) fn parameters_mut(&mut self) -> Vec<(&mut Tensor<B>, bool)> {
        self.layers
            .iter_mut()
            .flatten()
            .filter(|p| p.is_trainable())
            .map(|p| {
                let decays = p.role.decays();
                (&mut p.tensor, decays)
            })
            .collect()
    }

    /// Batch norm's moving averages, named `layers.{i}.moving_mean` / `.moving_var`.
    pub fn buffers(&self) -> Vec<(String, &Tensor<B>)> {
        self.params()
            .filter(|p| !p.role.is_trained())
            .map(|p| (p.name.clone(), &p.tensor))
            .collect()
    }

    /// The dense layers' weights and biases, input side first (the
    /// Playground draws its links from them).
    pub fn dense_layers(&self) -> Vec<Dense<'_, B>> {
        self.config
            .layers
            .iter()
            .zip(&self.layers)
            .filter(|(layer, _)| matches!(layer, Layer::Dense { .. }))
            .filter_map(|(_, params)| match params.as_slice() {
                [weight, bias] => Some(Dense {
                    weight: &weight.tensor,
                    bias: &bias.tensor,
                }),
                _ => None,
            })
            .collect()
    }

    /// Freezes (or thaws) every tensor whose name starts with `prefix`
    /// (`""` for all, `layers.3.` for one layer): a frozen tensor gets no
    /// gradient and the optimiser never moves it. Returns how many tensors
    /// matched.
    pub fn set_frozen(&mut self, prefix: &str, frozen: bool) -> usize {
        let mut count = 0;
        for p in self.layers.iter_mut().flatten() {
            if p.name.starts_with(prefix) {
                p.frozen = frozen;
                count += 1;
            }
        }
        count
    }

    /// Records a forward pass of the `[batch, …]` input `x` (any shape with
    /// the input's values per row).
    pub fn forward(&self, g: &mut Graph<B>, x: Var, mode: Mode) -> Result<NetForward, EngineError> {
        let hidden_dropout = match mode {
            Mode::Train {
                seed,
                hidden_dropout,
            } if hidden_dropout != 0.0 => {
                if !(0.0..1.0).contains(&hidden_dropout) {
                    return Err(EngineError::Config(format!(
                        "dropout drops a fraction in [0, 1) of the values, not {hidden_dropout}"
                    )));
                }
                Some((seed, 1.0 - hidden_dropout))
            }
            _ => None,
        };
        let batch = g.shape(x).dims().first().copied().unwrap_or(0);
        let mut h = g.reshape(x, self.shapes[0].batch_shape(batch))?;
        let mut params = Vec::new();
        let mut outputs = Vec::with_capacity(self.layers.len());
        let mut at = Pass {
            index: 0,
            batch,
            input: self.shapes[0],
            mode,
            batch_stats: Vec::new(),
        };
        let last = self.layers.len().saturating_sub(1);
        for (i, (layer, tensors)) in self.config.layers.iter().zip(&self.layers).enumerate() {
            at.index = i;
            at.input = self.shapes[i];
            let vars: Vec<Var> = tensors
                .iter()
                .map(|p| {
                    if p.is_trainable() {
                        let v = g.param(&p.tensor);
                        params.push(v);
                        v
                    } else {
                        g.input(&p.tensor)
                    }
                })
                .collect();
            h = layer.forward(g, h, &vars, &mut at)?;
            if let Some((seed, keep)) = hidden_dropout.filter(|_| i < last) {
                h = g.dropout(h, keep, at.dropout_seed(seed))?;
            }
            outputs.push(h);
        }
        let output = g.reshape(h, [batch, self.classes()])?;
        Ok(NetForward {
            output,
            params,
            layers: outputs,
            batch_stats: at.batch_stats,
        })
    }

    /// Every layer's output in evaluation mode for a batch of inputs, the
    /// last one as predictions (probabilities for softmax cross-entropy).
    /// The Playground draws one heatmap per neuron from this.
    pub fn predict_layers(&self, x: &Tensor<B>) -> Result<Vec<Tensor<B>>, EngineError> {
        let mut g = Graph::new(self.backend.clone());
        let input = g.input(x);
        let forward = self.forward(&mut g, input, Mode::Eval)?;
        let mut layers = forward.layers;
        if let Some(last) = layers.last_mut() {
            *last = self.prediction(&mut g, forward.output)?;
        }
        Ok(layers.iter().map(|&v| g.tensor(v)).collect())
    }

    /// The predictions for a batch of inputs (`[batch, outputs]`),
    /// probabilities for softmax cross-entropy.
    pub fn predict(&self, x: &Tensor<B>) -> Result<Tensor<B>, EngineError> {
        let mut g = Graph::new(self.backend.clone());
        let x = g.input(x);
        let forward = self.forward(&mut g, x, Mode::Eval)?;
        let p = self.prediction(&mut g, forward.output)?;
        Ok(g.tensor(p))
    }

    /// What the loss makes of the network's output: softmax for softmax
    /// cross-entropy, the output itself otherwise.
    pub fn prediction(&self, g: &mut Graph<B>, output: Var) -> Result<Var, EngineError> {
        match self.config.loss {
            Loss::SoftmaxCrossEntropy => g.softmax(output),
            Loss::HalfSquaredError | Loss::BinaryCrossEntropy => Ok(output),
        }
    }

    /// Folds one training step's batch statistics into the moving averages.
    pub(crate) fn update_moving(&mut self, g: &Graph<B>, stats: &[(usize, Var, Var)]) {
        let b = self.backend.clone();
        for &(i, mean, var) in stats {
            for p in &mut self.layers[i] {
                let batch = match p.role {
                    Role::MovingMean => mean,
                    Role::MovingVariance => var,
                    _ => continue,
                };
                let moving = &mut p.tensor;
                let shape = moving.shape().clone();
                let old = b.scale(moving.buffer(), BATCH_NORM_MOMENTUM);
                let new = b.scale(g.value(batch), 1.0 - BATCH_NORM_MOMENTUM);
                *moving =
                    Tensor::from_buffer(b.binary(BinaryOp::Add, &old, &shape, &new, &shape), shape);
            }
        }
    }

    /// Reads every tensor back and packs them with the config.
    pub async fn save(&self) -> Result<Checkpoint, EngineError> {
        let named: Vec<(String, Tensor<B>)> = self
            .params()
            .map(|p| (p.name.clone(), p.tensor.clone()))
            .collect();
        let weights = pack(&self.backend, &named).await?;
        let config_json = serde_json::to_string_pretty(&self.config)
            .map_err(|e| EngineError::Checkpoint(format!("cannot write the config: {e}")))?;
        Ok(Checkpoint {
            config_json,
            weights,
        })
    }

    /// Rebuilds a network from a checkpoint: its config (a [`NetConfig`], or
    /// the [`MlpConfig`] that Playground files saved before there was one
    /// model) and its tensors by name. A file whose config is neither, whose
    /// tensors do not match it, or that does not give `outputs` values is
    /// refused with the reason.
    pub fn load(backend: B, checkpoint: &Checkpoint, outputs: usize) -> Result<Self, EngineError> {
        let config = NetConfig::from_checkpoint(&checkpoint.config_json)?;
        // Sizes are bounded here, before anything is allocated.
        config
            .validate(outputs)
            .map_err(|e| EngineError::Checkpoint(format!("the model config does not fit: {e}")))?;
        let file = Unpacker::new(&checkpoint.weights)?;
        Net::build(
            backend.clone(),
            config,
            outputs,
            Builder::from_file(backend, &file),
        )
    }
}

impl NetConfig {
    /// The config of a checkpoint's JSON, in either format it has had.
    fn from_checkpoint(json: &str) -> Result<NetConfig, EngineError> {
        let net_error = match serde_json::from_str::<NetConfig>(json) {
            Ok(config) => return Ok(config),
            Err(e) => e,
        };
        match serde_json::from_str::<MlpConfig>(json) {
            Ok(mlp) => {
                mlp.validate().map_err(|e| {
                    EngineError::Checkpoint(format!("the model config does not fit: {e}"))
                })?;
                Ok(mlp.network())
            }
            Err(_) => Err(EngineError::Checkpoint(format!(
                "the model config is not a network of layers (nor an older Playground \
                 network): {net_error}"
            ))),
        }
    }
}

impl<B: Backend> std::fmt::Debug for Net<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Net")
            .field("backend", &self.backend.name())
            .field("config", &self.config)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cpu, Optimizer, Padding, Schedule, TrainConfig, Trainer, ready};
    use rand::SeedableRng;

    fn small(layers: Vec<Layer>) -> NetConfig {
        NetConfig {
            input: Features::Image([6, 6, 1]),
            layers,
            init: Init::He,
            loss: Loss::SoftmaxCrossEntropy,
        }
    }

    fn convnet() -> NetConfig {
        small(vec![
            Layer::Conv {
                filters: 3,
                kernel: 3,
                stride: 1,
                padding: Padding::Same,
                activation: Activation::Linear,
            },
            Layer::BatchNorm {
                activation: Activation::Relu,
            },
            Layer::MaxPool { size: 2, stride: 2 },
            Layer::Conv {
                filters: 4,
                kernel: 2,
                stride: 2,
                padding: Padding::Same,
                activation: Activation::Relu,
            },
            Layer::Dense {
                units: 5,
                activation: Activation::Relu,
            },
            Layer::Dropout { keep: 0.75 },
            Layer::Dense {
                units: 3,
                activation: Activation::Linear,
            },
        ])
    }

    #[test]
    fn shapes_follow_the_layers() {
        let shapes = convnet().shapes().unwrap();
        assert_eq!(
            shapes,
            vec![
                Features::Image([6, 6, 1]),
                Features::Image([6, 6, 3]),
                Features::Image([6, 6, 3]),
                Features::Image([3, 3, 3]),
                Features::Image([2, 2, 4]),
                Features::Flat(5),
                Features::Flat(5),
                Features::Flat(3),
            ]
        );
        // 3·3·1·3+3, 3+3, 2·2·3·4+4, 16·5+5, 5·3+3
        assert_eq!(convnet().parameter_count().unwrap(), 30 + 6 + 52 + 85 + 18);
    }

    #[test]
    fn bad_configs_are_explained() {
        let conv_after_dense = small(vec![
            Layer::Dense {
                units: 4,
                activation: Activation::Relu,
            },
            Layer::Conv {
                filters: 2,
                kernel: 3,
                stride: 1,
                padding: Padding::Same,
                activation: Activation::Relu,
            },
            Layer::Dense {
                units: 3,
                activation: Activation::Linear,
            },
        ]);
        let err = conv_after_dense.validate(3).unwrap_err().to_string();
        assert!(
            err.contains("layer 2") && err.contains("needs images"),
            "{err}"
        );
        let wrong_classes = small(vec![Layer::Dense {
            units: 4,
            activation: Activation::Linear,
        }]);
        assert!(
            wrong_classes
                .validate(3)
                .unwrap_err()
                .to_string()
                .contains("3 classes")
        );
        // The lab lets people pick the last layer's activation; softmax
        // cross-entropy takes it (an e2e test trains such a network).
        let relu_logits = small(vec![Layer::Dense {
            units: 3,
            activation: Activation::Relu,
        }]);
        assert!(relu_logits.validate(3).is_ok());
        let ends_in_pool = small(vec![Layer::MaxPool { size: 2, stride: 2 }]);
        assert!(ends_in_pool.validate(27).is_err());
        let bad_keep = small(vec![
            Layer::Dropout { keep: 0.0 },
            Layer::Dense {
                units: 3,
                activation: Activation::Linear,
            },
        ]);
        assert!(
            bad_keep
                .validate(3)
                .unwrap_err()
                .to_string()
                .contains("keep")
        );
    }

    /// The convnet with smooth activations: finite differences straddle no
    /// ReLU kink and no max-pool tie between zeros.
    fn smooth_convnet() -> NetConfig {
        let mut config = convnet();
        for layer in &mut config.layers {
            match layer {
                Layer::Conv { activation, .. }
                | Layer::Dense { activation, .. }
                | Layer::BatchNorm { activation }
                    if *activation == Activation::Relu =>
                {
                    *activation = Activation::Tanh
                }
                _ => {}
            }
        }
        config
    }

    /// Every parameter's gradient of `config`'s network in training mode
    /// (batch statistics, a fixed dropout mask) against central differences
    /// of the whole network's loss.
    fn check_whole_network_gradients(config: NetConfig) {
        let net = Net::new(Cpu, config.clone(), 3, 4).unwrap();
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(5);
        use rand::Rng;
        let xs: Vec<f32> = (0..4 * 36).map(|_| rng.random_range(-1.0..1.0)).collect();
        let x = Tensor::from_slice(&Cpu, &xs, [4, 36]).unwrap();
        let ys = [1., 0., 0., 0., 1., 0., 0., 0., 1., 0., 1., 0.];
        let y = Tensor::from_slice(&Cpu, &ys, [4, 3]).unwrap();
        let loss_of = |net: &Net<Cpu>| -> (f64, Vec<Vec<f32>>) {
            let mut g = Graph::new(Cpu);
            let xv = g.input(&x);
            let yv = g.input(&y);
            let f = net.forward(&mut g, xv, Mode::train(9)).unwrap();
            let loss = Loss::SoftmaxCrossEntropy
                .record(&mut g, f.output, yv)
                .unwrap();
            let grads = g.backward(loss).unwrap();
            let gs = f
                .params
                .iter()
                .map(|p| grads.get(*p).unwrap().to_vec())
                .collect();
            (g.value(loss)[0] as f64, gs)
        };
        let (_, analytic) = loss_of(&net);
        let h = 1e-2f32;
        let count = net.parameters().len();
        assert_eq!(analytic.len(), count);
        for k in 0..count {
            let len = analytic[k].len();
            // Every element of small tensors, a spread of the larger ones.
            for i in (0..len).step_by((len / 12).max(1)) {
                let nudged = |delta: f32| {
                    let mut other = Net::new(Cpu, config.clone(), 3, 4).unwrap();
                    let mut params = other.parameters_mut();
                    let buffer = std::sync::Arc::make_mut(params[k].0.buffer_mut());
                    buffer[i] += delta;
                    loss_of(&other).0
                };
                let numeric = (nudged(h) - nudged(-h)) / (2.0 * h as f64);
                let a = analytic[k][i] as f64;
                assert!(
                    (numeric - a).abs() <= 2e-2 * (1.0 + numeric.abs().max(a.abs())),
                    "{}: element {i}: numeric {numeric} vs analytic {a}",
                    net.parameters()[k].0
                );
            }
        }
    }

    #[test]
    fn whole_convnet_gradients_match_finite_differences() {
        check_whole_network_gradients(smooth_convnet());
    }

    /// EfficientNet's kind of layers (a strided stem, batch norm, depthwise
    /// convolutions at strides 1 and 2 with TensorFlow's SAME padding, a 1×1
    /// projection, average and global average pooling) in one network.
    fn mobile_net() -> NetConfig {
        let tanh = Activation::Tanh;
        small(vec![
            Layer::Conv {
                filters: 3,
                kernel: 3,
                stride: 2,
                padding: Padding::Same,
                activation: Activation::Linear,
            },
            Layer::BatchNorm { activation: tanh },
            Layer::DepthwiseConv {
                kernel: 3,
                stride: 1,
                padding: Padding::Same,
                activation: tanh,
            },
            Layer::DepthwiseConv {
                kernel: 2,
                stride: 2,
                padding: Padding::Same,
                activation: tanh,
            },
            Layer::AvgPool { size: 2, stride: 1 },
            Layer::Conv {
                filters: 4,
                kernel: 1,
                stride: 1,
                padding: Padding::Same,
                activation: tanh,
            },
            Layer::GlobalAvgPool,
            Layer::Dense {
                units: 3,
                activation: Activation::Linear,
            },
        ])
    }

    #[test]
    fn depthwise_and_pooling_layers_fit_and_their_gradients_match() {
        let shapes = mobile_net().shapes().unwrap();
        assert_eq!(
            shapes,
            vec![
                Features::Image([6, 6, 1]),
                Features::Image([3, 3, 3]),
                Features::Image([3, 3, 3]),
                Features::Image([3, 3, 3]),
                Features::Image([2, 2, 3]),
                Features::Image([2, 2, 3]),
                Features::Image([2, 2, 4]),
                Features::Flat(4),
                Features::Flat(3),
            ]
        );
        let net = Net::new(Cpu, mobile_net(), 3, 1).unwrap();
        let names: Vec<_> = net.params().map(|p| (p.name.as_str(), p.role)).collect();
        assert!(names.contains(&("layers.2.weight", Role::Weight)));
        assert!(names.contains(&("layers.1.moving_var", Role::MovingVariance)));
        assert_eq!(
            net.param("layers.3.weight").unwrap().shape().dims(),
            [2, 2, 3]
        );
        check_whole_network_gradients(mobile_net());
        // Pooling and depthwise layers need images.
        let mut after_dense = mobile_net();
        after_dense.layers.insert(
            0,
            Layer::Dense {
                units: 4,
                activation: Activation::Relu,
            },
        );
        let err = after_dense.validate(3).unwrap_err().to_string();
        assert!(
            err.contains("layer 2") && err.contains("needs images"),
            "{err}"
        );
    }

    #[test]
    fn frozen_parameters_get_no_gradient_and_never_move() {
        let mut net = Net::new(Cpu, convnet(), 3, 1).unwrap();
        let all = net.parameters().len();
        assert_eq!(net.set_frozen("layers.0.", true), 2);
        assert_eq!(net.parameters().len(), all - 2);
        let before: Vec<Vec<f32>> = net.params().map(|p| p.tensor.buffer().to_vec()).collect();
        let x = Tensor::from_slice(&Cpu, &[0.3; 72], [2, 36]).unwrap();
        let y = Tensor::from_slice(&Cpu, &[1., 0., 0., 0., 1., 0.], [2, 3]).unwrap();
        let mut g = Graph::new(Cpu);
        let xv = g.input(&x);
        let f = net.forward(&mut g, xv, Mode::train(1)).unwrap();
        assert_eq!(
            f.params.len(),
            all - 2,
            "no graph parameter for a frozen tensor"
        );
        drop(g);
        let mut trainer = Trainer::new(
            TrainConfig::new(Optimizer::ADAM, Schedule::Constant { rate: 0.1 }, 2),
            1,
        );
        trainer.step(&mut net, &x, &y).unwrap();
        let after: Vec<Vec<f32>> = net.params().map(|p| p.tensor.buffer().to_vec()).collect();
        let names: Vec<String> = net.params().map(|p| p.name.clone()).collect();
        for ((name, b), a) in names.iter().zip(&before).zip(&after) {
            if name.starts_with("layers.0.") {
                assert_eq!(a, b, "{name} is frozen");
            } else if name.ends_with("weight") {
                assert_ne!(a, b, "{name} trains");
            }
        }
        // Thawed, it trains again.
        net.set_frozen("", false);
        trainer.step(&mut net, &x, &y).unwrap();
        assert_ne!(
            net.param("layers.0.weight").unwrap().buffer().to_vec(),
            before[0]
        );
    }

    #[test]
    fn training_learns_a_separable_toy_problem_and_moving_averages_follow() {
        // Class = which third of the image holds the bright stripe.
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for n in 0..30 {
            let class = n % 3;
            for r in 0..6 {
                for _c in 0..6 {
                    xs.push(if r / 2 == class {
                        1.0
                    } else {
                        0.1 * ((n + r) % 3) as f32
                    });
                }
            }
            ys.extend((0..3).map(|k| if k == class { 1.0 } else { 0.0 }));
        }
        let x = Tensor::from_slice(&Cpu, &xs, [30, 36]).unwrap();
        let y = Tensor::from_slice(&Cpu, &ys, [30, 3]).unwrap();
        let mut net = Net::new(Cpu, convnet(), 3, 1).unwrap();
        let mut trainer = Trainer::new(
            TrainConfig {
                optimizer: Optimizer::ADAM,
                schedule: Schedule::Constant { rate: 0.01 },
                batch_size: 30,
                ..TrainConfig::default()
            },
            3,
        );
        let first = ready(trainer.step(&mut net, &x, &y).unwrap().loss.to_vec(&Cpu))
            .unwrap()
            .unwrap()[0];
        for _ in 0..150 {
            trainer.step(&mut net, &x, &y).unwrap();
        }
        let p = ready(net.predict(&x).unwrap().to_vec(&Cpu))
            .unwrap()
            .unwrap();
        let correct = p
            .chunks(3)
            .enumerate()
            .filter(|(n, row)| crate::loss::arg_max(row) == n % 3)
            .count();
        assert_eq!(correct, 30, "first loss {first}");
        let moving_var = net.buffers()[1].1.buffer().to_vec();
        assert!(
            moving_var.iter().any(|&v| (v - 1.0).abs() > 1e-3),
            "moving variance never moved"
        );
        assert_eq!(trainer.steps(), 151);
    }

    #[test]
    fn save_then_load_gives_identical_predictions_and_refuses_others() {
        let net = Net::new(Cpu, convnet(), 3, 2).unwrap();
        let x = Tensor::from_slice(&Cpu, &[0.5; 72], [2, 36]).unwrap();
        let checkpoint = ready(net.save()).unwrap().unwrap();
        let loaded = Net::load(Cpu, &checkpoint, 3).unwrap();
        assert_eq!(
            net.predict(&x).unwrap().buffer().to_vec(),
            loaded.predict(&x).unwrap().buffer().to_vec()
        );
        assert!(
            Net::load(Cpu, &checkpoint, 10)
                .unwrap_err()
                .to_string()
                .contains("classes")
        );
        let mut other = convnet();
        other.layers[0] = Layer::Conv {
            filters: 5,
            kernel: 3,
            stride: 1,
            padding: Padding::Same,
            activation: Activation::Linear,
        };
        let wrong = Checkpoint {
            config_json: serde_json::to_string(&other).unwrap(),
            ..checkpoint.clone()
        };
        let err = Net::load(Cpu, &wrong, 3).unwrap_err().to_string();
        assert!(
            err.contains("layers.0.weight") && err.contains("shape"),
            "{err}"
        );
        let mlp_json = Checkpoint {
            config_json: "{\"inputs\": 2}".into(),
            ..checkpoint
        };
        assert!(
            Net::load(Cpu, &mlp_json, 3)
                .unwrap_err()
                .to_string()
                .contains("not a network")
        );
    }
}
