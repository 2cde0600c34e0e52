//! Layered networks for images: dense, convolution, max-pool, dropout and
//! batch-norm layers stacked from a serde config ([`NetConfig`]).
//!
//! Images flow as NHWC tensors (`[batch, height, width, channels]`); a dense
//! layer after an image layer flattens it. The last layer gives logits, and the
//! loss is softmax cross-entropy. [`Net::forward`] records one pass on a
//! [`Graph`] in training or evaluation [`Mode`]; [`NetTrainer`] turns a batch
//! into one optimiser step (and keeps batch norm's moving averages).
//! The 2-D playground keeps its own small [`crate::Mlp`]; this is the model of
//! the MNIST lab.

use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{Unpacker, pack};
use crate::optim::{Schedule, Updater};
use crate::{
    Activation, Backend, BinaryOp, Checkpoint, EngineError, Graph, Init, Loss, Optimizer, Padding,
    Shape, Tensor, Var, Window,
};

/// Batch norm's ε, added to the variance before the square root.
pub const BATCH_NORM_EPSILON: f32 = 1e-3;
/// How much of the old moving average batch norm keeps at each step.
pub const BATCH_NORM_MOMENTUM: f32 = 0.9;

/// One layer of a [`NetConfig`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Layer {
    /// A fully connected layer (flattens images first).
    Dense {
        units: usize,
        activation: Activation,
    },
    /// A square 2-D convolution with bias.
    Conv {
        filters: usize,
        kernel: usize,
        stride: usize,
        padding: Padding,
        activation: Activation,
    },
    /// The maximum over each `size × size` window, per channel.
    MaxPool { size: usize, stride: usize },
    /// Inverted dropout while training; nothing in evaluation.
    Dropout { keep: f32 },
    /// Batch normalisation per channel (per unit after a dense layer), with a
    /// learned scale and offset, then `activation`.
    BatchNorm { activation: Activation },
}

impl Layer {
    /// A short label such as `conv 5×5/1 ×4 relu`.
    pub fn label(&self) -> String {
        match *self {
            Layer::Dense { units, activation } => format!("dense {units} {}", activation.name()),
            Layer::Conv {
                filters,
                kernel,
                stride,
                activation,
                ..
            } => format!(
                "conv {kernel}×{kernel}/{stride} ×{filters} {}",
                activation.name()
            ),
            Layer::MaxPool { size, stride } => format!("max-pool {size}×{size}/{stride}"),
            Layer::Dropout { keep } => format!("dropout keep {keep}"),
            Layer::BatchNorm { activation } => format!("batch norm {}", activation.name()),
        }
    }
}

/// The shape of the values between two layers, for one example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Features {
    /// `height × width × channels` images.
    Image([usize; 3]),
    /// A flat vector.
    Flat(usize),
}

impl Features {
    /// Values per example.
    pub fn len(&self) -> usize {
        match *self {
            Features::Image([h, w, c]) => h * w * c,
            Features::Flat(n) => n,
        }
    }

    /// Values per example, or `None` when the count does not fit a `usize`
    /// (32 bits in wasm): how [`NetConfig::shapes`] sizes what a file asks for.
    pub fn checked_len(&self) -> Option<usize> {
        match *self {
            Features::Image(dims) => checked_product(&dims),
            Features::Flat(n) => Some(n),
        }
    }

    /// True for zero values per example.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shape of a batch of `batch` examples.
    pub fn batch_shape(&self, batch: usize) -> Shape {
        match *self {
            Features::Image([h, w, c]) => Shape::new([batch, h, w, c]),
            Features::Flat(n) => Shape::new([batch, n]),
        }
    }

    /// The channels a per-channel layer (batch norm) works on.
    fn channels(&self) -> usize {
        match *self {
            Features::Image([_, _, c]) => c,
            Features::Flat(n) => n,
        }
    }
}

/// A network: its input and its layers, in order. The last layer's outputs are
/// the class logits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetConfig {
    /// `[height, width, channels]` of one input image.
    pub input: [usize; 3],
    pub layers: Vec<Layer>,
    /// How weights start out (biases start at the initialiser's bias).
    pub init: Init,
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

/// The product of `dims`, or `None` if it overflows a `usize`.
fn checked_product(dims: &[usize]) -> Option<usize> {
    dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

impl NetConfig {
    /// The shape after each layer (`[0]` is the input), or why the layers do not fit.
    pub fn shapes(&self) -> Result<Vec<Features>, EngineError> {
        let [h, w, c] = self.input;
        if h == 0 || w == 0 || c == 0 {
            return Err(EngineError::Config(format!(
                "the input must be at least 1×1×1, got {h}×{w}×{c}"
            )));
        }
        if checked_product(&self.input).is_none_or(|n| n > MAX_FEATURES) {
            return Err(EngineError::Config(format!(
                "an input of {h}×{w}×{c} is more than the {MAX_FEATURES} values per example \
                 this page handles"
            )));
        }
        let mut shapes = vec![Features::Image(self.input)];
        let mut parameters = 0usize;
        for (i, layer) in self.layers.iter().enumerate() {
            let here = shapes[i];
            let bad = |why: String| {
                EngineError::Config(format!("layer {} ({}): {why}", i + 1, layer.label()))
            };
            let next = match *layer {
                Layer::Dense { units, .. } => {
                    if units == 0 {
                        return Err(bad("needs at least one unit".into()));
                    }
                    Features::Flat(units)
                }
                Layer::Conv {
                    filters,
                    kernel,
                    stride,
                    padding,
                    ..
                } => {
                    let Features::Image([h, w, c]) = here else {
                        return Err(bad(
                            "a convolution needs images, but the layer before it is dense".into(),
                        ));
                    };
                    if filters == 0 {
                        return Err(bad("needs at least one filter".into()));
                    }
                    let window = Window::new([1, h, w, c], kernel, stride, padding)
                        .map_err(|e| bad(e.to_string()))?;
                    if checked_product(&[window.positions(), kernel, kernel, c])
                        .is_none_or(|n| n > MAX_WINDOW_VALUES)
                    {
                        return Err(bad(format!(
                            "a {kernel}×{kernel} window over {h}×{w}×{c} is more than the \
                             {MAX_WINDOW_VALUES} values per example this page handles"
                        )));
                    }
                    Features::Image([window.out_h, window.out_w, filters])
                }
                Layer::MaxPool { size, stride } => {
                    let Features::Image([h, w, c]) = here else {
                        return Err(bad(
                            "pooling needs images, but the layer before it is dense".into(),
                        ));
                    };
                    let window = Window::new([1, h, w, c], size, stride, Padding::Same)
                        .map_err(|e| bad(e.to_string()))?;
                    Features::Image([window.out_h, window.out_w, c])
                }
                Layer::Dropout { keep } => {
                    if !(keep > 0.0 && keep <= 1.0) {
                        return Err(bad(format!("keep must be in (0, 1], not {keep}")));
                    }
                    here
                }
                Layer::BatchNorm { .. } => here,
            };
            if next.checked_len().is_none_or(|n| n > MAX_FEATURES) {
                return Err(bad(format!(
                    "{} values per example is more than the {MAX_FEATURES} this page handles",
                    describe(next)
                )));
            }
            // Every size here is at most MAX_FEATURES, so only the products
            // below can overflow.
            let own = param_shapes(layer, here)
                .iter()
                .try_fold(0usize, |sum, s| sum.checked_add(checked_product(s)?));
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

    /// Checks that the layers fit together and end in a dense layer of `classes` logits.
    pub fn validate(&self, classes: usize) -> Result<(), EngineError> {
        let shapes = self.shapes()?;
        match self
            .layers
            .iter()
            .rposition(|l| !matches!(l, Layer::Dropout { .. }))
        {
            Some(i) if matches!(self.layers[i], Layer::Dense { .. }) => {}
            _ => {
                return Err(EngineError::Config(
                    "the last layer must be dense (it gives one logit per class)".into(),
                ));
            }
        }
        let out = shapes.last().map(Features::len).unwrap_or(0);
        if out != classes {
            return Err(EngineError::Config(format!(
                "the last layer gives {out} outputs; there are {classes} classes"
            )));
        }
        Ok(())
    }

    /// Values per input example (`usize::MAX` for an input too large to
    /// count, which [`NetConfig::shapes`] refuses).
    pub fn input_len(&self) -> usize {
        checked_product(&self.input).unwrap_or(usize::MAX)
    }

    /// Number of trainable values (at most [`MAX_PARAMETERS`]).
    pub fn parameter_count(&self) -> Result<usize, EngineError> {
        let shapes = self.shapes()?;
        Ok(self
            .layers
            .iter()
            .zip(&shapes)
            .map(|(layer, input)| {
                param_shapes(layer, *input)
                    .iter()
                    .map(|s| s.iter().product::<usize>())
                    .sum::<usize>()
            })
            .sum())
    }

    /// Every tensor a saved network of this config holds, named as
    /// [`Net::parameters`] and [`Net::buffers`] name them, with its shape.
    fn tensor_shapes(&self, shapes: &[Features]) -> Vec<(String, Vec<usize>)> {
        let mut out = Vec::new();
        for (i, (layer, input)) in self.layers.iter().zip(shapes).enumerate() {
            for (name, shape) in param_names(layer).iter().zip(param_shapes(layer, *input)) {
                out.push((format!("layers.{i}.{name}"), shape));
            }
            if let Layer::BatchNorm { .. } = layer {
                for name in MOVING_NAMES {
                    out.push((format!("layers.{i}.{name}"), vec![input.channels()]));
                }
            }
        }
        out
    }
}

/// `28×28×1` or `10`, for messages.
fn describe(features: Features) -> String {
    match features {
        Features::Image([h, w, c]) => format!("{h}×{w}×{c}"),
        Features::Flat(n) => n.to_string(),
    }
}

/// The trainable tensors' shapes of one layer given its input, in the order
/// [`Net::parameters`] lists them.
fn param_shapes(layer: &Layer, input: Features) -> Vec<Vec<usize>> {
    match *layer {
        Layer::Dense { units, .. } => vec![vec![input.len(), units], vec![units]],
        Layer::Conv {
            filters, kernel, ..
        } => vec![
            vec![kernel * kernel * input.channels(), filters],
            vec![filters],
        ],
        Layer::BatchNorm { .. } => vec![vec![input.channels()], vec![input.channels()]],
        Layer::MaxPool { .. } | Layer::Dropout { .. } => vec![],
    }
}

/// The names of one layer's trainable tensors, in [`param_shapes`] order.
fn param_names(layer: &Layer) -> &'static [&'static str] {
    match layer {
        Layer::BatchNorm { .. } => &["gamma", "beta"],
        Layer::Dense { .. } | Layer::Conv { .. } => &["weight", "bias"],
        Layer::MaxPool { .. } | Layer::Dropout { .. } => &[],
    }
}

/// The names of batch norm's moving mean and variance.
const MOVING_NAMES: [&str; 2] = ["moving_mean", "moving_var"];

/// Whether a pass trains (batch statistics, dropout on) or evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Training; `seed` picks the dropout masks of this step.
    Train { seed: u64 },
    /// Evaluation: moving averages in batch norm, no dropout.
    Eval,
}

/// One layer's tensors.
struct LayerState<B: Backend> {
    /// Weight then bias (dense, conv) or scale then offset (batch norm).
    params: Vec<Tensor<B>>,
    /// Batch norm's moving mean and variance.
    moving: Option<[Tensor<B>; 2]>,
}

/// What [`Net::forward`] recorded.
pub struct NetForward {
    /// `[batch, classes]` logits.
    pub logits: Var,
    /// The trainable parameters as graph values, in [`Net::parameters`] order.
    pub params: Vec<Var>,
    /// Each layer's output (`layers[i]` is layer `i`'s).
    pub layers: Vec<Var>,
    /// For each batch-norm layer in training: its index, batch mean and variance.
    pub batch_stats: Vec<(usize, Var, Var)>,
}

/// A network built from a [`NetConfig`] on backend `B`.
pub struct Net<B: Backend> {
    backend: B,
    config: NetConfig,
    shapes: Vec<Features>,
    layers: Vec<LayerState<B>>,
}

impl<B: Backend> Net<B> {
    /// A network with fresh weights drawn from `seed`.
    pub fn new(
        backend: B,
        config: NetConfig,
        classes: usize,
        seed: u64,
    ) -> Result<Self, EngineError> {
        config.validate(classes)?;
        let shapes = config.shapes()?;
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
        let mut layers = Vec::with_capacity(config.layers.len());
        for (layer, input) in config.layers.iter().zip(&shapes) {
            let ps = param_shapes(layer, *input);
            let params = match layer {
                Layer::Dense { .. } | Layer::Conv { .. } => {
                    let (fan_in, fan_out) = (ps[0][0], ps[0][1]);
                    vec![
                        Tensor::from_slice(
                            &backend,
                            &config.init.weights(fan_in, fan_out, &mut rng),
                            ps[0].as_slice(),
                        )?,
                        Tensor::full(&backend, config.init.bias(), ps[1].as_slice()),
                    ]
                }
                Layer::BatchNorm { .. } => vec![
                    Tensor::full(&backend, 1.0, ps[0].as_slice()),
                    Tensor::full(&backend, 0.0, ps[1].as_slice()),
                ],
                _ => vec![],
            };
            layers.push(LayerState {
                params,
                moving: moving_stats(&backend, layer, *input),
            });
        }
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

    /// Number of classes (outputs of the last layer).
    pub fn classes(&self) -> usize {
        self.shapes.last().map(Features::len).unwrap_or(0)
    }

    /// Every trainable tensor with its name (`layers.{i}.weight`, `.bias`,
    /// `.gamma`, `.beta`) and whether it is a weight (takes a penalty).
    pub fn parameters(&self) -> Vec<(String, &Tensor<B>, bool)> {
        let mut out = Vec::new();
        for (i, (layer, state)) in self.config.layers.iter().zip(&self.layers).enumerate() {
            let names = param_names(layer);
            for (k, tensor) in state.params.iter().enumerate() {
                out.push((
                    format!("layers.{i}.{}", names[k]),
                    tensor,
                    k == 0 && !matches!(layer, Layer::BatchNorm { .. }),
                ));
            }
        }
        out
    }

    /// Batch norm's moving averages, named `layers.{i}.moving_mean` / `.moving_var`.
    pub fn buffers(&self) -> Vec<(String, &Tensor<B>)> {
        let mut out = Vec::new();
        for (i, state) in self.layers.iter().enumerate() {
            if let Some(moving) = &state.moving {
                for (name, tensor) in MOVING_NAMES.iter().zip(moving) {
                    out.push((format!("layers.{i}.{name}"), tensor));
                }
            }
        }
        out
    }

    fn parameters_mut(&mut self) -> Vec<(&mut Tensor<B>, bool)> {
        let mut out = Vec::new();
        for (layer, state) in self.config.layers.iter().zip(&mut self.layers) {
            let norm = matches!(layer, Layer::BatchNorm { .. });
            for (k, tensor) in state.params.iter_mut().enumerate() {
                out.push((tensor, k == 0 && !norm));
            }
        }
        out
    }

    /// Records a forward pass of the `[batch, h, w, c]` (or `[batch, h·w·c]`) input `x`.
    pub fn forward(&self, g: &mut Graph<B>, x: Var, mode: Mode) -> Result<NetForward, EngineError> {
        let batch = g.shape(x).dims().first().copied().unwrap_or(0);
        let mut h = g.reshape(x, self.shapes[0].batch_shape(batch))?;
        let mut params = Vec::new();
        let mut outputs = Vec::with_capacity(self.layers.len());
        let mut batch_stats = Vec::new();
        for (i, (layer, state)) in self.config.layers.iter().zip(&self.layers).enumerate() {
            let input = self.shapes[i];
            let p: Vec<Var> = state.params.iter().map(|t| g.param(t)).collect();
            params.extend(&p);
            h = match *layer {
                Layer::Dense { units, activation } => {
                    let flat = g.reshape(h, [batch, input.len()])?;
                    let out = g.dense(flat, p[0], p[1], activation)?;
                    debug_assert_eq!(g.shape(out).dims(), [batch, units]);
                    out
                }
                Layer::Conv {
                    kernel,
                    stride,
                    padding,
                    activation,
                    ..
                } => {
                    let Features::Image(dims) = input else {
                        return Err(EngineError::Internal("conv after a dense layer"));
                    };
                    let [ih, iw, ic] = dims;
                    let window = Window::new([batch, ih, iw, ic], kernel, stride, padding)?;
                    g.conv2d_dense(h, p[0], p[1], &window, activation)?
                }
                Layer::MaxPool { size, stride } => {
                    let Features::Image([ih, iw, ic]) = input else {
                        return Err(EngineError::Internal("pooling after a dense layer"));
                    };
                    let window = Window::new([batch, ih, iw, ic], size, stride, Padding::Same)?;
                    g.max_pool(h, &window)?
                }
                Layer::Dropout { keep } => match mode {
                    Mode::Train { seed } => g.dropout(h, keep, layer_seed(seed, i))?,
                    Mode::Eval => h,
                },
                Layer::BatchNorm { activation } => {
                    let channels = input.channels();
                    let rows = batch * input.len() / channels.max(1);
                    let flat = g.reshape(h, [rows, channels])?;
                    let (centred, inv_std) = match mode {
                        Mode::Train { .. } => {
                            let mean = g.sum_to(flat, [channels])?;
                            let mean = g.scale(mean, 1.0 / rows.max(1) as f32);
                            let centred = g.sub(flat, mean)?;
                            let squares = g.mul(centred, centred)?;
                            let var = g.sum_to(squares, [channels])?;
                            let var = g.scale(var, 1.0 / rows.max(1) as f32);
                            batch_stats.push((i, mean, var));
                            let eps = g.constant(BATCH_NORM_EPSILON, [channels]);
                            let shifted = g.add(var, eps)?;
                            (centred, g.rsqrt(shifted))
                        }
                        Mode::Eval => {
                            let [mean, var] = state.moving.as_ref().ok_or(
                                EngineError::Internal("batch norm without moving averages"),
                            )?;
                            let mean = g.input(mean);
                            let var = g.input(var);
                            let centred = g.sub(flat, mean)?;
                            let eps = g.constant(BATCH_NORM_EPSILON, [channels]);
                            let shifted = g.add(var, eps)?;
                            (centred, g.rsqrt(shifted))
                        }
                    };
                    let normal = g.mul(centred, inv_std)?;
                    let scaled = g.mul(normal, p[0])?;
                    let shifted = g.add(scaled, p[1])?;
                    let out = g.activation(shifted, activation);
                    g.reshape(out, input.batch_shape(batch))?
                }
            };
            outputs.push(h);
        }
        let logits = g.reshape(h, [batch, self.classes()])?;
        Ok(NetForward {
            logits,
            params,
            layers: outputs,
            batch_stats,
        })
    }

    /// Class probabilities (`[batch, classes]`) in evaluation mode.
    pub fn predict(&self, x: &Tensor<B>) -> Result<Tensor<B>, EngineError> {
        let mut g = Graph::new(self.backend.clone());
        let x = g.input(x);
        let forward = self.forward(&mut g, x, Mode::Eval)?;
        let p = g.softmax(forward.logits)?;
        Ok(g.tensor(p))
    }

    /// Folds one training step's batch statistics into the moving averages.
    fn update_moving(&mut self, g: &Graph<B>, stats: &[(usize, Var, Var)]) {
        let b = self.backend.clone();
        for &(i, mean, var) in stats {
            if let Some([moving_mean, moving_var]) = &mut self.layers[i].moving {
                for (moving, batch) in [(moving_mean, mean), (moving_var, var)] {
                    let shape = moving.shape().clone();
                    let old = b.scale(moving.buffer(), BATCH_NORM_MOMENTUM);
                    let new = b.scale(g.value(batch), 1.0 - BATCH_NORM_MOMENTUM);
                    *moving = Tensor::from_buffer(
                        b.binary(BinaryOp::Add, &old, &shape, &new, &shape),
                        shape,
                    );
                }
            }
        }
    }

    /// Reads the weights back and packs them with the config.
    pub async fn save(&self) -> Result<Checkpoint, EngineError> {
        let mut named: Vec<(String, Tensor<B>)> = self
            .parameters()
            .into_iter()
            .map(|(name, t, _)| (name, t.clone()))
            .collect();
        named.extend(
            self.buffers()
                .into_iter()
                .map(|(name, t)| (name, t.clone())),
        );
        let weights = pack(&self.backend, &named).await?;
        let config_json = serde_json::to_string_pretty(&self.config)
            .map_err(|e| EngineError::Checkpoint(format!("cannot write the config: {e}")))?;
        Ok(Checkpoint {
            config_json,
            weights,
        })
    }

    /// Rebuilds a network from a checkpoint. A file whose config is not this
    /// kind of network, whose tensors do not match it, or that does not give
    /// `classes` outputs is refused with the reason.
    pub fn load(backend: B, checkpoint: &Checkpoint, classes: usize) -> Result<Self, EngineError> {
        let config: NetConfig = serde_json::from_str(&checkpoint.config_json).map_err(|e| {
            EngineError::Checkpoint(format!("the model config is not a network of layers: {e}"))
        })?;
        // Sizes are bounded here, before anything is allocated.
        config
            .validate(classes)
            .map_err(|e| EngineError::Checkpoint(format!("the model config does not fit: {e}")))?;
        let shapes = config.shapes()?;
        let expected = config.tensor_shapes(&shapes);
        let file = Unpacker::new(&checkpoint.weights)?;
        // Every name and shape is checked against the file's header before
        // any tensor is read, so a mismatch costs nothing.
        for (name, shape) in &expected {
            file.check(name, shape)?;
        }
        file.expect_count(expected.len())?;
        let mut tensors = expected
            .iter()
            .map(|(name, shape)| file.tensor(&backend, name, shape))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let mut layers = Vec::with_capacity(config.layers.len());
        for layer in &config.layers {
            let (params, moving) = match layer {
                Layer::Dense { .. } | Layer::Conv { .. } => {
                    (tensors.by_ref().take(2).collect(), None)
                }
                Layer::BatchNorm { .. } => {
                    let params = tensors.by_ref().take(2).collect();
                    match (tensors.next(), tensors.next()) {
                        (Some(mean), Some(var)) => (params, Some([mean, var])),
                        _ => return Err(EngineError::Internal("batch norm without its buffers")),
                    }
                }
                Layer::MaxPool { .. } | Layer::Dropout { .. } => (Vec::new(), None),
            };
            layers.push(LayerState { params, moving });
        }
        Ok(Net {
            backend,
            config,
            shapes,
            layers,
        })
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

fn moving_stats<B: Backend>(backend: &B, layer: &Layer, input: Features) -> Option<[Tensor<B>; 2]> {
    matches!(layer, Layer::BatchNorm { .. }).then(|| {
        let c = input.channels();
        [
            Tensor::full(backend, 0.0, [c]),
            Tensor::full(backend, 1.0, [c]),
        ]
    })
}

/// A per-layer dropout seed from the step's seed.
fn layer_seed(seed: u64, layer: usize) -> u64 {
    seed ^ (layer as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// How a [`Net`] is trained; may change between steps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetTrainConfig {
    pub optimizer: Optimizer,
    pub schedule: Schedule,
    pub batch_size: usize,
}

/// Optimiser state and the step count of one network.
pub struct NetTrainer<B: Backend> {
    pub config: NetTrainConfig,
    updater: Updater<B>,
    steps: u32,
    seed: u64,
}

impl<B: Backend> NetTrainer<B> {
    /// A trainer with fresh optimiser state; `seed` drives the dropout masks.
    pub fn new(config: NetTrainConfig, seed: u64) -> Self {
        NetTrainer {
            config,
            updater: Updater::default(),
            steps: 0,
            seed,
        }
    }

    /// Number of steps taken.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// One update of `net` on a batch of inputs `x` (`[batch, …]`) and one-hot
    /// targets `y` (`[batch, classes]`). Returns the batch loss and
    /// probabilities as backend buffers (read them back only when needed).
    pub fn step(
        &mut self,
        net: &mut Net<B>,
        x: &Tensor<B>,
        y: &Tensor<B>,
    ) -> Result<StepOutput<B>, EngineError> {
        let backend = net.backend.clone();
        let learning_rate = self.config.schedule.rate(self.steps);
        let seed = self.seed ^ u64::from(self.steps).wrapping_mul(0xd134_2543_de82_ef95);
        let mut g = Graph::new(backend.clone());
        let xv = g.input(x);
        let yv = g.input(y);
        let forward = net.forward(&mut g, xv, Mode::Train { seed })?;
        let loss = Loss::SoftmaxCrossEntropy.record(&mut g, forward.logits, yv)?;
        let probabilities = g.softmax(forward.logits)?;
        let grads = g.backward(loss)?;
        let grads = grads.of_params(&forward.params)?;
        net.update_moving(&g, &forward.batch_stats);
        let (loss, probabilities) = (g.tensor(loss), g.tensor(probabilities));
        // The tape shares the parameters' buffers; dropping it first lets the
        // optimiser update them in place instead of copying each one.
        drop(g);
        let params = net.parameters_mut();
        self.updater.apply(
            &backend,
            self.config.optimizer,
            learning_rate,
            None,
            params,
            &grads,
        )?;
        self.steps += 1;
        Ok(StepOutput {
            loss,
            probabilities,
            learning_rate,
        })
    }
}

/// What one training step leaves on the backend.
pub struct StepOutput<B: Backend> {
    /// The batch's mean cross-entropy, a scalar.
    pub loss: Tensor<B>,
    /// `[batch, classes]` probabilities before the update.
    pub probabilities: Tensor<B>,
    /// The learning rate used.
    pub learning_rate: f32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cpu, ready};

    fn small(layers: Vec<Layer>) -> NetConfig {
        NetConfig {
            input: [6, 6, 1],
            layers,
            init: Init::He,
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

    /// Every parameter's gradient in training mode (batch statistics, a fixed
    /// dropout mask) against central differences of the whole network's loss.
    #[test]
    fn whole_convnet_gradients_match_finite_differences() {
        let net = Net::new(Cpu, smooth_convnet(), 3, 4).unwrap();
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
            let f = net.forward(&mut g, xv, Mode::Train { seed: 9 }).unwrap();
            let loss = Loss::SoftmaxCrossEntropy
                .record(&mut g, f.logits, yv)
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
        for k in 0..count {
            let len = analytic[k].len();
            // Every element of small tensors, a spread of the larger ones.
            for i in (0..len).step_by((len / 12).max(1)) {
                let nudged = |delta: f32| {
                    let mut other = Net::new(Cpu, smooth_convnet(), 3, 4).unwrap();
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
        let mut trainer = NetTrainer::new(
            NetTrainConfig {
                optimizer: Optimizer::ADAM,
                schedule: Schedule::Constant { rate: 0.01 },
                batch_size: 30,
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
