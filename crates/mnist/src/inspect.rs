//! Looking inside a [`Lab`]'s network: weight percentiles, first-layer weights
//! as images, and each image layer's activation maps for one digit.

use playnet_engine::{Backend, Features, Graph, Layer, Mode, Tensor};
use serde::{Deserialize, Serialize};

use crate::{Lab, LabError, PIXELS};

/// Percentiles of one parameter tensor's values, for the "weights over time" bands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bands {
    /// The tensor's name, e.g. `layers.0.weight`.
    pub name: String,
    /// Minimum, 10th, 25th, 50th, 75th, 90th percentile and maximum.
    pub percentiles: [f32; 7],
}

/// The first layer's weights as little images: one per output unit (dense,
/// 28×28) or per filter (conv, kernel×kernel, first input channel).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterImages {
    pub width: usize,
    pub height: usize,
    /// `count × height × width` values, row-major.
    pub values: Vec<f32>,
    pub count: usize,
}

/// One image layer's output for one digit: `channels` maps of `height × width`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerMaps {
    /// The layer's label, e.g. `conv 5×5/1 ×4 relu`.
    pub label: String,
    pub height: usize,
    pub width: usize,
    pub channels: usize,
    /// Channel-major: map `c` is `values[c·h·w .. (c+1)·h·w]`.
    pub values: Vec<f32>,
}

impl<B: Backend> Lab<B> {
    /// Percentiles of every weight and bias tensor.
    pub async fn bands(&self) -> Result<Vec<Bands>, LabError> {
        let mut out = Vec::new();
        for (name, tensor, _) in self.net().parameters() {
            let mut values = tensor.to_vec(self.net().backend()).await?;
            values.sort_by(f32::total_cmp);
            let at = |q: f32| {
                let i = ((values.len().saturating_sub(1)) as f32 * q).round() as usize;
                values.get(i).copied().unwrap_or(0.0)
            };
            out.push(Bands {
                name,
                percentiles: [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0].map(at),
            });
        }
        Ok(out)
    }

    /// The first layer's weights as images (at most `limit` of them).
    pub async fn first_layer(&self, limit: usize) -> Result<Option<FilterImages>, LabError> {
        let net = self.net();
        let Some((_, weight, _)) = net.parameters().into_iter().next() else {
            return Ok(None);
        };
        let [rows, units] = *weight.shape().dims() else {
            return Ok(None);
        };
        let w = weight.to_vec(net.backend()).await?;
        let (side, channels) = match net.config().layers.first() {
            Some(Layer::Dense { .. }) if rows == PIXELS => (28, 1),
            Some(Layer::Conv { kernel, .. }) => (*kernel, rows / (kernel * kernel).max(1)),
            _ => return Ok(None),
        };
        let count = units.min(limit);
        let mut values = Vec::with_capacity(count * side * side);
        for unit in 0..count {
            for pixel in 0..side * side {
                // Rows are ordered (y, x, channel); show channel 0.
                values.push(w[(pixel * channels) * units + unit]);
            }
        }
        Ok(Some(FilterImages {
            width: side,
            height: side,
            values,
            count,
        }))
    }

    /// What each convolution, pooling or image batch-norm layer outputs for
    /// `image` (28×28, values 0–1), in evaluation mode.
    pub async fn activation_maps(&self, image: &[f32]) -> Result<Vec<LayerMaps>, LabError> {
        let net = self.net();
        let backend = net.backend();
        let x = Tensor::from_slice(backend, image, [1, PIXELS])?;
        let mut g = Graph::new(backend.clone());
        let xv = g.input(&x);
        let forward = net.forward(&mut g, xv, Mode::Eval)?;
        let mut out = Vec::new();
        for (i, (layer, &var)) in net.config().layers.iter().zip(&forward.layers).enumerate() {
            let Features::Image([h, w, c]) = net.shapes()[i + 1] else {
                continue;
            };
            if matches!(layer, Layer::Dropout { .. }) {
                continue;
            }
            let nhwc = g.tensor(var).to_vec(backend).await?;
            let mut values = vec![0.0; h * w * c];
            for (p, pixel) in nhwc.chunks_exact(c).enumerate() {
                for (ch, &v) in pixel.iter().enumerate() {
                    values[ch * h * w + p] = v;
                }
            }
            out.push(LayerMaps {
                label: layer.label(),
                height: h,
                width: w,
                channels: c,
                values,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::lab::tests::toy_mnist;
    use crate::{Lab, Setup, preset};
    use playnet_engine::{Cpu, ready};

    #[test]
    fn conv_preset_shows_filters_maps_and_bands() {
        let p = preset("conv").unwrap();
        let lab = Lab::new(Cpu, toy_mnist(100), Setup::from(&p), 1).unwrap();
        let filters = ready(lab.first_layer(64)).unwrap().unwrap().unwrap();
        assert_eq!(
            (filters.width, filters.count, filters.values.len()),
            (5, 4, 100)
        );
        let image = vec![0.5; 784];
        let maps = ready(lab.activation_maps(&image)).unwrap().unwrap();
        let sizes: Vec<_> = maps.iter().map(|m| (m.height, m.channels)).collect();
        assert_eq!(sizes, vec![(28, 4), (14, 8), (7, 12)]);
        let bands = ready(lab.bands()).unwrap().unwrap();
        assert_eq!(bands.len(), 10);
        assert!(
            bands
                .iter()
                .all(|b| b.percentiles.windows(2).all(|w| w[0] <= w[1]))
        );
    }

    #[test]
    fn dense_first_layer_is_shown_as_digit_sized_images() {
        let p = preset("relu5").unwrap();
        let lab = Lab::new(Cpu, toy_mnist(100), Setup::from(&p), 1).unwrap();
        let images = ready(lab.first_layer(16)).unwrap().unwrap().unwrap();
        assert_eq!((images.width, images.count), (28, 16));
        assert!(
            ready(lab.activation_maps(&[0.0; 784]))
                .unwrap()
                .unwrap()
                .is_empty()
        );
    }
}
