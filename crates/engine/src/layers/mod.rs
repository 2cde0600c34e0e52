//! The layers a [`crate::Net`] stacks, one file each.
//!
//! A layer is a variant of the serde config [`Layer`] plus a file here with
//! three functions: `output` (the shape it gives for an input shape, or why
//! it cannot take that input), `params` (the tensors it needs, as
//! [`ParamSpec`]s with their roles) and `forward` (what it records on a
//! [`Graph`]). This module only dispatches to them; `ADDING.md` at the
//! crate's root lists every step of adding a layer.

pub mod batch_norm;
pub mod conv2d;
pub mod dense;
pub mod depthwise;
pub mod dropout;
pub mod lstm;
pub mod pool;

use serde::{Deserialize, Serialize};

use crate::params::ParamSpec;
use crate::{Activation, Backend, EngineError, Graph, Padding, Shape, Var, Window};

/// One layer of a [`crate::NetConfig`].
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
    /// A square depthwise 2-D convolution with bias: each channel filtered
    /// on its own (EfficientNet's and MobileNet's middle layer).
    DepthwiseConv {
        kernel: usize,
        stride: usize,
        padding: Padding,
        activation: Activation,
    },
    /// The maximum over each `size × size` window, per channel.
    MaxPool { size: usize, stride: usize },
    /// The mean over each `size × size` window, per channel (padding not counted).
    AvgPool { size: usize, stride: usize },
    /// The mean of each channel over the whole image: images become vectors.
    GlobalAvgPool,
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
            Layer::DepthwiseConv {
                kernel,
                stride,
                activation,
                ..
            } => format!("depthwise {kernel}×{kernel}/{stride} {}", activation.name()),
            Layer::MaxPool { size, stride } => format!("max-pool {size}×{size}/{stride}"),
            Layer::AvgPool { size, stride } => format!("avg-pool {size}×{size}/{stride}"),
            Layer::GlobalAvgPool => "global avg-pool".into(),
            Layer::Dropout { keep } => format!("dropout keep {keep}"),
            Layer::BatchNorm { activation } => format!("batch norm {}", activation.name()),
        }
    }

    /// The shape this layer gives for `input`, or why it cannot take it.
    pub fn output(&self, input: Features) -> Result<Features, String> {
        match *self {
            Layer::Dense { units, .. } => dense::output(units),
            Layer::Conv {
                filters,
                kernel,
                stride,
                padding,
                ..
            } => conv2d::output(input, filters, Square::new(kernel, stride, padding)),
            Layer::DepthwiseConv {
                kernel,
                stride,
                padding,
                ..
            } => depthwise::output(input, Square::new(kernel, stride, padding)),
            Layer::MaxPool { size, stride } | Layer::AvgPool { size, stride } => {
                pool::output(input, Square::pool(size, stride))
            }
            Layer::GlobalAvgPool => pool::global_output(input),
            Layer::Dropout { keep } => dropout::output(input, keep),
            Layer::BatchNorm { .. } => Ok(input),
        }
    }

    /// The tensors this layer needs for `input`, in the order `forward`
    /// receives them.
    pub fn params(&self, input: Features) -> Vec<ParamSpec> {
        match *self {
            Layer::Dense { units, .. } => dense::params(input, units),
            Layer::Conv {
                filters, kernel, ..
            } => conv2d::params(input, filters, kernel),
            Layer::DepthwiseConv { kernel, .. } => depthwise::params(input, kernel),
            Layer::BatchNorm { .. } => batch_norm::params(input),
            Layer::MaxPool { .. }
            | Layer::AvgPool { .. }
            | Layer::GlobalAvgPool
            | Layer::Dropout { .. } => Vec::new(),
        }
    }

    /// Records the layer on `g`: `h` is its input, `params` its tensors (as
    /// [`Layer::params`] lists them).
    pub fn forward<B: Backend>(
        &self,
        g: &mut Graph<B>,
        h: Var,
        params: &[Var],
        at: &mut Pass,
    ) -> Result<Var, EngineError> {
        let missing = || EngineError::Internal("a layer was given too few tensors");
        let p = |k: usize| params.get(k).copied().ok_or_else(missing);
        match *self {
            Layer::Dense { activation, .. } => dense::forward(g, h, [p(0)?, p(1)?], activation, at),
            Layer::Conv {
                kernel,
                stride,
                padding,
                activation,
                ..
            } => conv2d::forward(
                g,
                h,
                [p(0)?, p(1)?],
                Square::new(kernel, stride, padding),
                activation,
                at,
            ),
            Layer::DepthwiseConv {
                kernel,
                stride,
                padding,
                activation,
            } => depthwise::forward(
                g,
                h,
                [p(0)?, p(1)?],
                Square::new(kernel, stride, padding),
                activation,
                at,
            ),
            Layer::MaxPool { size, stride } => pool::max(g, h, Square::pool(size, stride), at),
            Layer::AvgPool { size, stride } => pool::average(g, h, Square::pool(size, stride), at),
            Layer::GlobalAvgPool => g.global_avg_pool(h),
            Layer::Dropout { keep } => dropout::forward(g, h, keep, at),
            Layer::BatchNorm { activation } => {
                batch_norm::forward(g, h, [p(0)?, p(1)?, p(2)?, p(3)?], activation, at)
            }
        }
    }
}

/// The shape of the values between two layers, for one example. In a config
/// file an image is `[height, width, channels]` and a vector its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
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
    /// (32 bits in wasm): how [`crate::NetConfig::shapes`] sizes what a file
    /// asks for.
    pub fn checked_len(&self) -> Option<usize> {
        match *self {
            Features::Image(dims) => dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d)),
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
    pub fn channels(&self) -> usize {
        match *self {
            Features::Image([_, _, c]) => c,
            Features::Flat(n) => n,
        }
    }

    /// The image dimensions, or why a layer `what` needs images.
    fn image(&self, what: &str) -> Result<[usize; 3], String> {
        match *self {
            Features::Image(dims) => Ok(dims),
            Features::Flat(_) => Err(format!(
                "{what} needs images, but the layer before it gives a vector"
            )),
        }
    }
}

impl std::fmt::Display for Features {
    /// `28×28×1` or `10`, for messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Features::Image([h, w, c]) => write!(f, "{h}×{w}×{c}"),
            Features::Flat(n) => write!(f, "{n}"),
        }
    }
}

/// A square window's size, stride and padding, shared by convolutions and pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Square {
    pub kernel: usize,
    pub stride: usize,
    pub padding: Padding,
}

impl Square {
    /// A `kernel × kernel` window moving by `stride`.
    pub fn new(kernel: usize, stride: usize, padding: Padding) -> Self {
        Square {
            kernel,
            stride,
            padding,
        }
    }

    /// A pooling window (always SAME-padded, as TensorFlow's pooling layers
    /// are here).
    pub fn pool(size: usize, stride: usize) -> Self {
        Square::new(size, stride, Padding::Same)
    }

    /// The window over a batch of `[h, w, c]` images.
    pub fn over(&self, batch: usize, [h, w, c]: [usize; 3]) -> Result<Window, EngineError> {
        Window::new([batch, h, w, c], self.kernel, self.stride, self.padding)
    }

    /// The output image shape with `channels` channels, or why the window
    /// does not fit `input`.
    fn output(&self, input: [usize; 3], channels: usize) -> Result<Features, String> {
        let window = self.over(1, input).map_err(|e| e.to_string())?;
        Ok(Features::Image([window.out_h, window.out_w, channels]))
    }
}

/// Whether a pass trains (batch statistics, dropout on) or evaluates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// Training; `seed` picks the dropout masks of this step, and
    /// `hidden_dropout` (a fraction in `[0, 1)`, usually 0) drops that share
    /// of every layer's outputs but the last, as TensorFlow Playground's
    /// dropout setting does.
    Train { seed: u64, hidden_dropout: f32 },
    /// Evaluation: moving averages in batch norm, no dropout.
    Eval,
}

impl Mode {
    /// A training pass without hidden-layer dropout.
    pub fn train(seed: u64) -> Mode {
        Mode::Train {
            seed,
            hidden_dropout: 0.0,
        }
    }
}

/// Where a pass is: what a layer's `forward` may need besides its tensors.
pub struct Pass {
    /// The layer's position in the network (it mixes into dropout seeds).
    pub index: usize,
    /// Examples in the batch.
    pub batch: usize,
    /// The layer's input shape, per example.
    pub input: Features,
    pub mode: Mode,
    /// Batch norm's batch statistics in training: layer index, mean, variance.
    pub batch_stats: Vec<(usize, Var, Var)>,
}

impl Pass {
    /// The input's image dimensions (for a layer that a config check already
    /// let through only after images).
    fn image(&self) -> Result<[usize; 3], EngineError> {
        self.input
            .image("this layer")
            .map_err(|_| EngineError::Internal("an image layer after a vector"))
    }

    /// A per-layer dropout seed from the step's seed.
    pub fn dropout_seed(&self, seed: u64) -> u64 {
        seed ^ (self.index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}
