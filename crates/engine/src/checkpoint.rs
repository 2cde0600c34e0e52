//! Saving and loading models: weights as safetensors, shape as JSON.
//!
//! The JSON is the network's config ([`crate::NetConfig`]; Playground files
//! from before there was one model hold an [`crate::MlpConfig`], which still
//! loads); the safetensors file holds one `F32` tensor per parameter, named
//! as [`crate::Net::params`] names them. [`crate::Net::save`] and
//! [`crate::Net::load`] are the one checkpoint path; [`pack`] and
//! [`Unpacker`] also serve anything else stored by name.

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::{Backend, EngineError, Tensor};

/// A saved model: what a person downloads and loads back.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// The network's config as pretty JSON.
    pub config_json: String,
    /// The parameters in safetensors format.
    pub weights: Vec<u8>,
}

/// Reads named tensors back from `backend` and writes them as one safetensors file.
pub async fn pack<B: Backend>(
    backend: &B,
    named: &[(String, Tensor<B>)],
) -> Result<Vec<u8>, EngineError> {
    let mut bytes = Vec::with_capacity(named.len());
    for (name, tensor) in named {
        let values: Vec<u8> = tensor
            .to_vec(backend)
            .await?
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        bytes.push((name, tensor.shape().dims().to_vec(), values));
    }
    let views = bytes
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map(|view| (name.to_string(), view))
                .map_err(|e| EngineError::Checkpoint(format!("{name}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    safetensors::serialize(views, None)
        .map_err(|e| EngineError::Checkpoint(format!("cannot write safetensors: {e}")))
}

/// A safetensors file being read back tensor by tensor, with reasons for refusal.
pub struct Unpacker<'a> {
    file: SafeTensors<'a>,
}

impl<'a> Unpacker<'a> {
    /// Parses the file's header.
    pub fn new(bytes: &'a [u8]) -> Result<Self, EngineError> {
        let file = SafeTensors::deserialize(bytes).map_err(|e| {
            EngineError::Checkpoint(format!("the weights file is not valid safetensors: {e}"))
        })?;
        Ok(Unpacker { file })
    }

    /// Checks that the file has an `F32` tensor `name` of `shape`, reading
    /// only the header.
    pub fn check(&self, name: &str, shape: &[usize]) -> Result<(), EngineError> {
        self.view(name, shape).map(|_| ())
    }

    fn view(&self, name: &str, shape: &[usize]) -> Result<TensorView<'a>, EngineError> {
        let view = self.file.tensor(name).map_err(|_| {
            EngineError::Checkpoint(format!("the weights file has no tensor {name}"))
        })?;
        if view.dtype() != Dtype::F32 {
            return Err(EngineError::Checkpoint(format!(
                "{name} is {:?}, expected F32",
                view.dtype()
            )));
        }
        if view.shape() != shape {
            return Err(EngineError::Checkpoint(format!(
                "{name} has shape {:?} but the config needs {shape:?}",
                view.shape()
            )));
        }
        Ok(view)
    }

    /// The `F32` tensor `name`, which must have `shape` and hold only finite
    /// numbers (a NaN or an infinity would only show later, as a network that
    /// "diverged" before training).
    pub fn tensor<B: Backend>(
        &self,
        backend: &B,
        name: &str,
        shape: &[usize],
    ) -> Result<Tensor<B>, EngineError> {
        let view = self.view(name, shape)?;
        let values: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(EngineError::Checkpoint(format!(
                "{name} holds {v} at index {i}; a network needs finite numbers"
            )));
        }
        Tensor::from_slice(backend, &values, shape)
    }

    /// Refuses a file with more (or fewer) tensors than the network has.
    pub fn expect_count(&self, expected: usize) -> Result<(), EngineError> {
        if self.file.len() != expected {
            return Err(EngineError::Checkpoint(format!(
                "the weights file has {} tensors; this network has {expected}",
                self.file.len()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Cpu, Loss, MlpConfig, Net, NetConfig, ready};

    fn mlp() -> MlpConfig {
        MlpConfig::uniform(
            3,
            &[5, 4],
            Activation::Relu,
            2,
            Activation::Linear,
            Loss::SoftmaxCrossEntropy,
        )
    }

    fn predictions(m: &Net<Cpu>) -> Vec<f32> {
        let x = Tensor::from_slice(&Cpu, &[0.1, -0.4, 2.0, 1.0, 1.0, -3.0], [2, 3]).unwrap();
        ready(m.predict(&x).unwrap().to_vec(&Cpu)).unwrap().unwrap()
    }

    #[test]
    fn save_then_load_gives_identical_predictions() {
        let original = mlp().build(Cpu, 9).unwrap();
        let checkpoint = ready(original.save()).unwrap().unwrap();
        let loaded = Net::load(Cpu, &checkpoint, 2).unwrap();
        assert_eq!(loaded.config(), original.config());
        assert_eq!(predictions(&loaded), predictions(&original));
    }

    /// Playground files saved before there was one model hold the
    /// perceptron's own config; they load as the same network.
    #[test]
    fn a_checkpoint_in_the_older_playground_format_still_loads() {
        let original = mlp().build(Cpu, 9).unwrap();
        let checkpoint = Checkpoint {
            config_json: serde_json::to_string_pretty(&mlp()).unwrap(),
            ..ready(original.save()).unwrap().unwrap()
        };
        let loaded = Net::load(Cpu, &checkpoint, 2).unwrap();
        assert_eq!(loaded.config(), &mlp().network());
        assert_eq!(predictions(&loaded), predictions(&original));
        // An old file whose perceptron is invalid says so.
        let mut bad = mlp();
        bad.hidden[0].neurons = 0;
        let refused = Checkpoint {
            config_json: serde_json::to_string(&bad).unwrap(),
            ..checkpoint
        };
        let err = Net::load(Cpu, &refused, 2).unwrap_err().to_string();
        assert!(err.contains("hidden layer 1"), "{err}");
    }

    #[test]
    fn a_file_for_another_architecture_is_refused() {
        let checkpoint = ready(mlp().build(Cpu, 9).unwrap().save()).unwrap().unwrap();
        let mut other: NetConfig = serde_json::from_str(&checkpoint.config_json).unwrap();
        other.layers[0] = crate::Layer::Dense {
            units: 6,
            activation: Activation::Relu,
        };
        let wrong = Checkpoint {
            config_json: serde_json::to_string(&other).unwrap(),
            ..checkpoint.clone()
        };
        let err = Net::load(Cpu, &wrong, 2).err().unwrap().to_string();
        assert!(
            err.contains("layers.0.weight") && err.contains("shape"),
            "{err}"
        );
        let corrupt = Checkpoint {
            weights: b"not a safetensors file".to_vec(),
            ..checkpoint.clone()
        };
        assert!(Net::load(Cpu, &corrupt, 2).is_err());
        let bad_json = Checkpoint {
            config_json: "{".into(),
            ..checkpoint
        };
        assert!(
            Net::load(Cpu, &bad_json, 2)
                .err()
                .unwrap()
                .to_string()
                .contains("config")
        );
    }
}
