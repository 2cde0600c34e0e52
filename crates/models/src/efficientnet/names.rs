//! The tensors a network of this shape needs, by name and shape, and the
//! check that a set of named tensors is exactly that.

use crate::error::ModelError;
use crate::tensors::TensorMap;

/// An expected tensor: its name and shape.
pub type Expected = (String, Vec<usize>);

/// Refuses `tensors` unless it holds exactly the `expected` names with
/// their shapes: the first missing, mis-shaped or extra tensor is named.
pub fn check(tensors: &TensorMap, expected: &[Expected]) -> Result<(), ModelError> {
    for (name, shape) in expected {
        match tensors.get(name) {
            None => {
                return Err(ModelError::MissingTensor {
                    name: name.clone(),
                    expected: shape.clone(),
                });
            }
            Some(t) if t.shape != *shape => {
                return Err(ModelError::ShapeMismatch {
                    name: name.clone(),
                    expected: shape.clone(),
                    found: t.shape.clone(),
                });
            }
            Some(t) if t.data.len() != shape.iter().product::<usize>() => {
                return Err(ModelError::Input(format!(
                    "tensor {name} of shape {shape:?} holds {} values",
                    t.data.len()
                )));
            }
            Some(_) => {}
        }
    }
    if let Some((name, t)) = tensors
        .iter()
        .find(|(name, _)| !expected.iter().any(|(n, _)| n == *name))
    {
        return Err(ModelError::UnexpectedTensor {
            name: name.clone(),
            shape: t.shape.clone(),
        });
    }
    Ok(())
}
