//! EfficientNet-Lite0 (Tan & Le 2019, the "Lite" variant for mobile: ReLU6,
//! no squeeze-and-excitation) for inference, on the engine's ops.
//!
//! Batch norm is folded into each convolution ([`playnet_engine::fold`]), so
//! a block is three convolutions with biases: 1×1 expansion (ReLU6), depthwise
//! (ReLU6), 1×1 projection, plus the residual add. Padding is TensorFlow's
//! SAME ([`playnet_engine::Window`] puts an odd total's extra row and column
//! at the bottom/right), as the weights were trained with: symmetric
//! padding moves chelsea's logits by up to 1.39.
//!
//! Weights come either from the PyTorch state dict ([`EfficientNet::from_torch`],
//! folded here) or already folded ([`EfficientNet::from_folded`], what
//! [`shipped`] stores and reads back, in f32 or f16). Images are NHWC inside
//! (the engine's layout); [`Images`] takes NCHW too and transposes.
//!
//! `crates/models/tests/efficientnet.rs` holds it to the float64 reference
//! of `shared/data/efficientnet-lite0/reference/`.

pub mod arch;
mod names;
pub mod shipped;
pub mod torch;

use playnet_engine::{
    Activation, Backend, EngineError, Graph, Padding, Tensor, Var, Window, ready,
};

use crate::error::ModelError;
use crate::tensors::TensorMap;
use arch::{BlockSpec, CLASSES, COLOURS, FEATURES, STEM};
pub use shipped::Precision;

/// How an image batch is laid out in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[batch, channels, height, width]` (PyTorch's, the reference files').
    Nchw,
    /// `[batch, height, width, channels]` (the engine's, a canvas's).
    Nhwc,
}

/// A batch of preprocessed RGB images (`(p − 127)/128`, see
/// [`crate::preprocess`]).
#[derive(Clone, Copy, Debug)]
pub struct Images<'a> {
    pub data: &'a [f32],
    pub batch: usize,
    pub height: usize,
    pub width: usize,
    pub layout: Layout,
}

impl<'a> Images<'a> {
    /// `batch` images of `height × width` RGB pixels; the length must match.
    pub fn new(
        data: &'a [f32],
        batch: usize,
        height: usize,
        width: usize,
        layout: Layout,
    ) -> Result<Self, ModelError> {
        let needed = batch * height * width * COLOURS;
        if data.len() != needed || needed == 0 {
            return Err(ModelError::Input(format!(
                "{} values are not {batch} RGB images of {height}×{width} ({needed} values)",
                data.len()
            )));
        }
        Ok(Images {
            data,
            batch,
            height,
            width,
            layout,
        })
    }

    /// The pixels in NHWC order.
    fn nhwc(&self) -> Vec<f32> {
        match self.layout {
            Layout::Nhwc => self.data.to_vec(),
            Layout::Nchw => {
                let (hw, c) = (self.height * self.width, COLOURS);
                let mut out = vec![0.0; self.data.len()];
                for n in 0..self.batch {
                    let (src, dst) = (&self.data[n * hw * c..], &mut out[n * hw * c..]);
                    for p in 0..hw {
                        for ch in 0..c {
                            dst[p * c + ch] = src[ch * hw + p];
                        }
                    }
                }
                out
            }
        }
    }
}

/// What one pass gives: per image, the 1280 pooled features (the input of
/// the classifier) and the 1000 ImageNet logits, batch-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub features: Vec<f32>,
    pub logits: Vec<f32>,
}

/// A convolution (or dense layer) with its folded bias.
struct Conv<B: Backend> {
    weight: Tensor<B>,
    bias: Tensor<B>,
}

struct Block<B: Backend> {
    spec: BlockSpec,
    expand: Option<Conv<B>>,
    depthwise: Conv<B>,
    project: Conv<B>,
}

/// EfficientNet-Lite0 with folded weights on backend `B`.
pub struct EfficientNet<B: Backend> {
    backend: B,
    stem: Conv<B>,
    blocks: Vec<Block<B>>,
    head: Conv<B>,
    fc: Conv<B>,
}

/// The folded tensors, by name and engine shape.
pub fn folded_names() -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    let mut conv = |name: String, weight: Vec<usize>, channels: usize| {
        out.push((format!("{name}.weight"), weight));
        out.push((format!("{name}.bias"), vec![channels]));
    };
    conv("stem".into(), vec![9 * COLOURS, STEM], STEM);
    for (i, b) in arch::blocks().iter().enumerate() {
        let (h, k) = (b.hidden(), b.kernel);
        if b.expand != 1 {
            conv(format!("blocks.{i}.expand"), vec![b.input, h], h);
        }
        conv(format!("blocks.{i}.depthwise"), vec![k, k, h], h);
        conv(format!("blocks.{i}.project"), vec![h, b.output], b.output);
    }
    conv("head".into(), vec![arch::head_input(), FEATURES], FEATURES);
    conv("fc".into(), vec![FEATURES, CLASSES], CLASSES);
    out
}

impl<B: Backend> EfficientNet<B> {
    /// From a PyTorch state dict (names and shapes as in the `.pth`; see
    /// [`torch::expected`]), folding each batch norm into its convolution.
    pub fn from_torch(backend: B, state: &TensorMap) -> Result<Self, ModelError> {
        Self::from_folded(backend, &torch::fold(state)?)
    }

    /// From folded weights named as [`folded_names`] says, with exactly
    /// those shapes (a missing, extra or mis-shaped tensor is refused).
    pub fn from_folded(backend: B, tensors: &TensorMap) -> Result<Self, ModelError> {
        names::check(tensors, &folded_names())?;
        let conv = |name: &str| -> Result<Conv<B>, ModelError> {
            let w = &tensors[&format!("{name}.weight")];
            let b = &tensors[&format!("{name}.bias")];
            Ok(Conv {
                weight: Tensor::from_slice(&backend, &w.data, w.shape.as_slice())?,
                bias: Tensor::from_slice(&backend, &b.data, b.shape.as_slice())?,
            })
        };
        let blocks = arch::blocks()
            .into_iter()
            .enumerate()
            .map(|(i, spec)| {
                Ok(Block {
                    spec,
                    expand: (spec.expand != 1)
                        .then(|| conv(&format!("blocks.{i}.expand")))
                        .transpose()?,
                    depthwise: conv(&format!("blocks.{i}.depthwise"))?,
                    project: conv(&format!("blocks.{i}.project"))?,
                })
            })
            .collect::<Result<_, ModelError>>()?;
        Ok(EfficientNet {
            stem: conv("stem")?,
            blocks,
            head: conv("head")?,
            fc: conv("fc")?,
            backend,
        })
    }

    /// Features and logits of a batch (any image size of at least 1×1;
    /// the weights were trained at 224×224), on a backend whose reads
    /// complete at once (the CPU); see [`EfficientNet::forward_async`].
    pub fn forward(&self, images: &Images) -> Result<Output, ModelError> {
        ready(self.forward_async(images))?
    }

    /// [`EfficientNet::forward`] on any backend, awaiting the readback
    /// (WebGPU's is asynchronous).
    pub async fn forward_async(&self, images: &Images<'_>) -> Result<Output, ModelError> {
        let mut g = Graph::new(self.backend.clone());
        let (features, logits) = self.record(&mut g, images)?;
        Ok(Output {
            features: g.tensor(features).to_vec(&self.backend).await?,
            logits: g.tensor(logits).to_vec(&self.backend).await?,
        })
    }

    /// The 1280 pooled features of each image, batch-major.
    pub fn features(&self, images: &Images) -> Result<Vec<f32>, ModelError> {
        Ok(self.forward(images)?.features)
    }

    /// The 1000 ImageNet logits of each image, batch-major.
    pub fn logits(&self, images: &Images) -> Result<Vec<f32>, ModelError> {
        Ok(self.forward(images)?.logits)
    }

    /// Records the network on `g`: the features and logits.
    fn record(&self, g: &mut Graph<B>, images: &Images) -> Result<(Var, Var), ModelError> {
        let input = Tensor::from_slice(
            &self.backend,
            &images.nhwc(),
            [images.batch, images.height, images.width, COLOURS],
        )?;
        let x = g.input(&input);
        let window = Window::new(dims(g, x)?, 3, 2, Padding::Same)?;
        let (w, b) = self.stem.vars(g);
        let mut x = g.conv2d_dense(x, w, b, &window, Activation::Relu6)?;
        for block in &self.blocks {
            x = block.record(g, x)?;
        }
        let x = pointwise(g, x, &self.head, Activation::Relu6)?;
        let features = g.global_avg_pool(x)?;
        let (w, b) = self.fc.vars(g);
        let logits = g.dense(features, w, b, Activation::Linear)?;
        Ok((features, logits))
    }
}

impl<B: Backend> Conv<B> {
    fn vars(&self, g: &mut Graph<B>) -> (Var, Var) {
        (g.input(&self.weight), g.input(&self.bias))
    }
}

impl<B: Backend> Block<B> {
    fn record(&self, g: &mut Graph<B>, input: Var) -> Result<Var, ModelError> {
        let mut x = input;
        if let Some(expand) = &self.expand {
            x = pointwise(g, x, expand, Activation::Relu6)?;
        }
        let window = Window::new(
            dims(g, x)?,
            self.spec.kernel,
            self.spec.stride,
            Padding::Same,
        )?;
        let (w, b) = self.depthwise.vars(g);
        x = g.depthwise_conv2d(x, w, &window)?;
        x = g.add(x, b)?;
        x = g.activation(x, Activation::Relu6);
        x = pointwise(g, x, &self.project, Activation::Linear)?;
        if self.spec.residual() {
            x = g.add(x, input)?;
        }
        Ok(x)
    }
}

/// A 1×1 convolution of NHWC images as one product over all pixels.
fn pointwise<B: Backend>(
    g: &mut Graph<B>,
    x: Var,
    conv: &Conv<B>,
    activation: Activation,
) -> Result<Var, ModelError> {
    let [n, h, w, c] = dims(g, x)?;
    let (weight, bias) = conv.vars(g);
    let out = g.shape(weight).dims()[1];
    let flat = g.reshape(x, [n * h * w, c])?;
    let y = g.dense(flat, weight, bias, activation)?;
    Ok(g.reshape(y, [n, h, w, out])?)
}

/// The `[batch, height, width, channels]` of an image batch on the graph.
fn dims<B: Backend>(g: &Graph<B>, x: Var) -> Result<[usize; 4], ModelError> {
    match *g.shape(x).dims() {
        [n, h, w, c] => Ok([n, h, w, c]),
        _ => Err(EngineError::Internal("an EfficientNet layer lost its NHWC shape").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's SAME windows pad as the reference README's table:
    /// `total // 2` before, the rest after (the bottom/right pad is what
    /// the window spans past the image).
    #[test]
    fn strided_windows_pad_as_tensorflow() {
        for (kernel, size, before, after) in
            [(3, 224, 0, 1), (3, 112, 0, 1), (5, 56, 1, 2), (5, 14, 1, 2)]
        {
            let w = Window::new([1, size, size, 1], kernel, 2, Padding::Same).unwrap();
            let span = (w.out_h - 1) * 2 + kernel;
            assert_eq!(w.out_h, size / 2);
            assert_eq!(
                (w.pad_top, w.pad_left),
                (before, before),
                "{kernel}×{kernel} over {size}"
            );
            assert_eq!(span - size - before, after, "{kernel}×{kernel} over {size}");
        }
        // Stride 1, odd kernels: symmetric k // 2.
        let w = Window::new([1, 14, 14, 1], 5, 1, Padding::Same).unwrap();
        assert_eq!((w.out_h, w.pad_top), (14, 2));
    }

    #[test]
    fn folded_names_cover_every_weight_once() {
        let names = folded_names();
        assert_eq!(names.len(), 100);
        let values: usize = names.iter().map(|(_, s)| s.iter().product::<usize>()).sum();
        // Lite0's learned parameters less the batch norms' (γ, β), plus one
        // folded bias per convolution's channel.
        assert_eq!(values, 4_631_000);
    }
}
