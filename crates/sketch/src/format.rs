//! The shipped model format: a JSON description ([`ModelConfig`],
//! `<class>.json`) beside a safetensors file of weights by name
//! (`<class>.safetensors`), and an index of the classes (`index.json`).
//!
//! | tensor | shape | what |
//! |---|---|---|
//! | `lstm.kernel` | `[5 + H, 4·H]` | W_xh's rows, then W_hh's (the engine's stacked [`playnet_engine::lstm::Lstm`] kernel), gates i, j, f, o |
//! | `lstm.bias` | `[4·H]` | |
//! | `output.weight` | `[H, 3 + 6·M]` | to the mixture's raw outputs |
//! | `output.bias` | `[3 + 6·M]` | |
//!
//! Magenta's models are stored as they came, int16 with `value = int16 ·
//! 10 / 32767` ([`Storage::I16`]): that *is* the source precision, so the
//! conversion loses nothing and the files are half the size of `f32` (`f16`
//! would be no smaller). [`Storage::F32`] is there for decoders trained here.

use std::collections::BTreeMap;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use crate::magenta::{self, MagentaModel};
use crate::{STROKE5, SketchError};

/// The tensor names of a decoder, in the order of the table above.
pub const TENSORS: [&str; 4] = ["lstm.kernel", "lstm.bias", "output.weight", "output.bias"];

/// How the weights are stored.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dtype", rename_all = "lowercase")]
pub enum Storage {
    /// `I16` tensors, each value `int16 · max_abs / steps` (computed in `f64`,
    /// then rounded to `f32`, as Magenta's JS does).
    I16 { max_abs: f64, steps: f64 },
    /// `F32` tensors, as they are.
    F32,
}

impl Storage {
    /// Magenta's encoding: `int16 · 10 / 32767`.
    pub const MAGENTA: Storage = Storage::I16 {
        max_abs: magenta::MAX_ABS,
        steps: magenta::STEPS,
    };

    fn dtype(self) -> Dtype {
        match self {
            Storage::I16 { .. } => Dtype::I16,
            Storage::F32 => Dtype::F32,
        }
    }
}

/// A converted decoder's description: `assets/sketch-rnn/<class>.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// The Quick, Draw! class (`bird`, …).
    pub name: String,
    /// The training set's offset standard deviation in Quick, Draw! pixels.
    pub scale_factor: f32,
    /// The longest training sequence: a cap on conditioning and sampling.
    pub max_seq_len: usize,
    /// Values per input row: 5 (stroke-5).
    pub inputs: usize,
    /// LSTM units.
    pub hidden: usize,
    /// Mixture components.
    pub components: usize,
    /// Added to the forget gate before its sigmoid (1 for Magenta's models).
    pub forget_bias: f32,
    pub storage: Storage,
    /// The weights file, beside this one.
    pub weights: String,
    /// Where the weights came from, for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

impl ModelConfig {
    /// The shape of each of [`TENSORS`].
    pub fn shapes(&self) -> [Vec<usize>; 4] {
        let (h, raw) = (self.hidden, playnet_engine::mdn::raw_len(self.components));
        [
            vec![self.inputs + h, 4 * h],
            vec![4 * h],
            vec![h, raw],
            vec![raw],
        ]
    }

    /// Refuses descriptions no decoder can have, with the value.
    pub fn validate(&self) -> Result<(), SketchError> {
        let bad = |why: String| Err(SketchError::Config(why));
        if self.inputs != STROKE5 {
            return bad(format!(
                "inputs {} (a sketch-rnn decoder reads stroke-5 rows: 5)",
                self.inputs
            ));
        }
        if self.hidden == 0 || self.hidden > 4096 {
            return bad(format!("hidden {} (1 to 4096 units)", self.hidden));
        }
        if self.components == 0 || self.components > 256 {
            return bad(format!("components {} (1 to 256)", self.components));
        }
        if !(self.scale_factor > 0.0 && self.scale_factor.is_finite()) {
            return bad(format!(
                "scale_factor {} (a positive number)",
                self.scale_factor
            ));
        }
        if self.max_seq_len == 0 {
            return bad("max_seq_len 0 (at least 1)".into());
        }
        if !self.forget_bias.is_finite() {
            return bad(format!("forget_bias {}", self.forget_bias));
        }
        if let Storage::I16 { max_abs, steps } = self.storage
            && !(max_abs.is_finite() && max_abs > 0.0 && steps.is_finite() && steps >= 1.0)
        {
            return bad(format!(
                "i16 storage with max_abs {max_abs} and steps {steps} (both positive)"
            ));
        }
        Ok(())
    }
}

/// The classes shipped: `assets/sketch-rnn/index.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelIndex {
    pub models: Vec<IndexEntry>,
}

/// One class of [`ModelIndex`]: its name and its two files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub name: String,
    pub config: String,
    pub weights: String,
    /// The weights file's size, so the page can show the download.
    pub bytes: usize,
}

/// A converted model: its description, as JSON too, and its weights file.
#[derive(Clone, Debug)]
pub struct Converted {
    pub config: ModelConfig,
    pub config_json: String,
    pub weights: Vec<u8>,
}

/// Converts a Magenta `*.gen.json` file into the shipped format, keeping its
/// int16 values unchanged.
pub fn convert_magenta(json: &str, source: &str) -> Result<Converted, SketchError> {
    let m = MagentaModel::parse(json)?;
    let config = ModelConfig {
        name: m.info.name.clone(),
        scale_factor: m.info.scale_factor,
        max_seq_len: m.info.max_seq_len,
        inputs: STROKE5,
        hidden: m.hidden,
        components: m.components,
        forget_bias: playnet_engine::lstm::FORGET_BIAS,
        storage: Storage::MAGENTA,
        weights: format!("{}.safetensors", m.info.name),
        source: source.into(),
    };
    let kernel = [m.input_kernel.as_slice(), &m.recurrent_kernel].concat();
    let bytes = |v: &[i16]| -> Vec<u8> { v.iter().flat_map(|x| x.to_le_bytes()).collect() };
    write(
        config,
        [
            bytes(&kernel),
            bytes(&m.bias),
            bytes(&m.output_weight),
            bytes(&m.output_bias),
        ],
    )
}

/// A model's files from its description and the little-endian bytes of its
/// four tensors (in the order of [`TENSORS`], stored as `config.storage`
/// says).
pub fn write(config: ModelConfig, data: [Vec<u8>; 4]) -> Result<Converted, SketchError> {
    config.validate()?;
    let shapes = config.shapes();
    let dtype = config.storage.dtype();
    let views = TENSORS
        .iter()
        .zip(&shapes)
        .zip(&data)
        .map(|((name, shape), data)| {
            TensorView::new(dtype, shape.clone(), data)
                .map(|view| (name.to_string(), view))
                .map_err(|e| SketchError::Format(format!("{name}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let metadata = BTreeMap::from([("format".to_string(), "playnet-sketch decoder".to_string())]);
    let weights = safetensors::serialize(views, Some(metadata.into_iter().collect()))
        .map_err(|e| SketchError::Format(format!("cannot write safetensors: {e}")))?;
    let config_json = serde_json::to_string_pretty(&config)
        .map_err(|e| SketchError::Format(format!("cannot write the config: {e}")))?;
    Ok(Converted {
        config,
        config_json,
        weights,
    })
}

/// A file name for a model called `name`: letters, digits, `-` and `_`
/// kept, anything else `_` (at most 40 characters; `model` if none is left).
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if stem.trim_matches('_').is_empty() {
        "model".into()
    } else {
        stem
    }
}

/// The four tensors of a weights file as `f32`, checked against `config`:
/// in the order of [`TENSORS`].
pub(crate) fn read_weights(
    config: &ModelConfig,
    bytes: &[u8],
) -> Result<[Vec<f32>; 4], SketchError> {
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| SketchError::Corrupt(format!("not a safetensors file ({e})")))?;
    if file.len() != TENSORS.len() {
        return Err(SketchError::TensorCount {
            found: file.len(),
            expected: TENSORS.len(),
        });
    }
    let shapes = config.shapes();
    let mut out: [Vec<f32>; 4] = Default::default();
    for ((name, shape), slot) in TENSORS.iter().zip(&shapes).zip(&mut out) {
        let view = file
            .tensor(name)
            .map_err(|_| SketchError::MissingTensor(name.to_string()))?;
        if view.shape() != shape.as_slice() {
            return Err(SketchError::Shape {
                name: name.to_string(),
                found: view.shape().to_vec(),
                expected: shape.clone(),
            });
        }
        let want = config.storage.dtype();
        if view.dtype() != want {
            return Err(SketchError::Dtype {
                name: name.to_string(),
                found: format!("{:?}", view.dtype()),
                expected: format!("{want:?}"),
            });
        }
        *slot = match config.storage {
            Storage::I16 { max_abs, steps } => view
                .data()
                .chunks_exact(2)
                .map(|b| (f64::from(i16::from_le_bytes([b[0], b[1]])) * max_abs / steps) as f32)
                .collect(),
            Storage::F32 => view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        };
        if let Some((index, &value)) = slot.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SketchError::NonFinite {
                name: name.to_string(),
                index,
                value,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generic_i16_rule_is_magentas_rule_for_every_integer() {
        let Storage::I16 { max_abs, steps } = Storage::MAGENTA else {
            unreachable!()
        };
        for v in i16::MIN..=i16::MAX {
            let generic = (f64::from(v) * max_abs / steps) as f32;
            assert_eq!(generic.to_bits(), magenta::dequantize(v).to_bits(), "{v}");
        }
    }

    #[test]
    fn configs_that_no_decoder_has_are_refused() {
        let good = ModelConfig {
            name: "x".into(),
            scale_factor: 50.0,
            max_seq_len: 100,
            inputs: 5,
            hidden: 8,
            components: 2,
            forget_bias: 1.0,
            storage: Storage::MAGENTA,
            weights: "x.safetensors".into(),
            source: String::new(),
        };
        assert!(good.validate().is_ok());
        assert_eq!(good.shapes()[0], [13, 32]);
        assert_eq!(good.shapes()[2], [8, 15]);
        for (bad, needle) in [
            (
                ModelConfig {
                    inputs: 3,
                    ..good.clone()
                },
                "inputs 3",
            ),
            (
                ModelConfig {
                    hidden: 0,
                    ..good.clone()
                },
                "hidden 0",
            ),
            (
                ModelConfig {
                    components: 0,
                    ..good.clone()
                },
                "components 0",
            ),
            (
                ModelConfig {
                    scale_factor: f32::NAN,
                    ..good.clone()
                },
                "scale_factor NaN",
            ),
            (
                ModelConfig {
                    max_seq_len: 0,
                    ..good.clone()
                },
                "max_seq_len 0",
            ),
            (
                ModelConfig {
                    storage: Storage::I16 {
                        max_abs: 10.0,
                        steps: 0.0,
                    },
                    ..good.clone()
                },
                "steps 0",
            ),
        ] {
            let err = bad.validate().unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
