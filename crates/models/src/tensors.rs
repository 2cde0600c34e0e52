//! Tensors on the host by name: what a weights file gives and a network
//! takes, before they are uploaded to a backend.

use std::collections::BTreeMap;

/// A contiguous row-major `f32` tensor in host memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl HostTensor {
    /// A tensor of `shape` holding `data` (the caller makes them agree).
    pub fn new(shape: impl Into<Vec<usize>>, data: Vec<f32>) -> Self {
        HostTensor {
            shape: shape.into(),
            data,
        }
    }
}

/// Tensors by name, sorted by name.
pub type TensorMap = BTreeMap<String, HostTensor>;
