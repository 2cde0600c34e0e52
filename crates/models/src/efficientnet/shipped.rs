//! The shipped weights: EfficientNet-Lite0's folded tensors (see
//! [`super::folded_names`]) in one safetensors file, weights in f16 or f32.
//!
//! f16 halves the file (it ships in git and the page downloads it) for a
//! small cost: the weights' relative rounding is at most 2⁻¹¹. Biases stay
//! f32 (17,000 of them, 68 kB), since a bias's error passes straight to its
//! output. The reader takes F32 and F16 tensors alike, whatever their names.
//! The figures behind the choice are in `assets/README.md`.

use std::collections::HashMap;

use half::f16;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::error::ModelError;
use crate::tensors::{HostTensor, TensorMap};

/// How the weights are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// Everything f32: the folded weights exactly.
    F32,
    /// Weights (`*.weight`) f16, biases f32.
    F16,
}

/// What the file's metadata calls its contents.
pub const FORMAT: &str = "playnet efficientnet-lite0, batch norm folded";

/// Writes `tensors` as a safetensors file.
pub fn write(tensors: &TensorMap, precision: Precision) -> Result<Vec<u8>, ModelError> {
    let mut encoded = Vec::with_capacity(tensors.len());
    for (name, t) in tensors {
        let half = precision == Precision::F16 && name.ends_with(".weight");
        let bytes: Vec<u8> = if half {
            let mut out = Vec::with_capacity(t.data.len() * 2);
            for &v in &t.data {
                let h = f16::from_f32(v);
                if !h.is_finite() && v.is_finite() {
                    return Err(ModelError::Safetensors(format!(
                        "tensor {name} holds {v}, which f16 cannot store"
                    )));
                }
                out.extend(h.to_le_bytes());
            }
            out
        } else {
            t.data.iter().flat_map(|v| v.to_le_bytes()).collect()
        };
        let dtype = if half { Dtype::F16 } else { Dtype::F32 };
        encoded.push((name.clone(), dtype, t.shape.clone(), bytes));
    }
    let views = encoded
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes)
                .map(|view| (name.clone(), view))
                .map_err(|e| ModelError::Safetensors(format!("tensor {name}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let metadata = HashMap::from([("format".to_string(), FORMAT.to_string())]);
    safetensors::serialize(views, Some(metadata))
        .map_err(|e| ModelError::Safetensors(format!("cannot write safetensors: {e}")))
}

/// Reads every tensor of a safetensors file as f32 (F32 and F16 tensors).
pub fn read(bytes: &[u8]) -> Result<TensorMap, ModelError> {
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| ModelError::Safetensors(format!("not a valid safetensors file: {e}")))?;
    let mut out = TensorMap::new();
    for (name, view) in file.tensors() {
        let raw = view.data();
        let data: Vec<f32> = match view.dtype() {
            Dtype::F32 => raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F16 => raw
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            other => {
                return Err(ModelError::Safetensors(format!(
                    "tensor {name} is {other:?}; only F32 and F16 are read"
                )));
            }
        };
        out.insert(name, HostTensor::new(view.shape(), data));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TensorMap {
        TensorMap::from([
            (
                "a.weight".into(),
                HostTensor::new([2, 2], vec![1.0, -0.1, 3.3, 1e-3]),
            ),
            ("a.bias".into(), HostTensor::new([2], vec![0.1, -7.25])),
        ])
    }

    #[test]
    fn f32_round_trips_exactly_and_f16_within_its_rounding() {
        let t = sample();
        assert_eq!(read(&write(&t, Precision::F32).unwrap()).unwrap(), t);
        let back = read(&write(&t, Precision::F16).unwrap()).unwrap();
        assert_eq!(back["a.bias"], t["a.bias"], "biases stay f32");
        for (x, y) in t["a.weight"].data.iter().zip(&back["a.weight"].data) {
            assert!((x - y).abs() <= x.abs() / 2048.0, "{x} → {y}");
        }
        assert_ne!(back["a.weight"], t["a.weight"]);
    }

    #[test]
    fn refuses_what_f16_cannot_hold_and_what_is_not_safetensors() {
        let big = TensorMap::from([("w.weight".into(), HostTensor::new([1], vec![1e6]))]);
        let err = write(&big, Precision::F16).unwrap_err();
        assert!(err.to_string().contains("w.weight"), "{err}");
        let err = read(b"not safetensors").unwrap_err();
        assert!(err.to_string().contains("not a valid safetensors"), "{err}");
    }
}
