//! A backend buffer together with its shape.

use crate::{Backend, EngineError, Shape};

/// An `f32` tensor living on backend `B`.
pub struct Tensor<B: Backend> {
    buffer: B::Buffer,
    shape: Shape,
}

impl<B: Backend> Clone for Tensor<B> {
    fn clone(&self) -> Self {
        Tensor {
            buffer: self.buffer.clone(),
            shape: self.shape.clone(),
        }
    }
}

impl<B: Backend> Tensor<B> {
    /// Uploads `data` (row-major) as a tensor of `shape`.
    pub fn from_slice(
        backend: &B,
        data: &[f32],
        shape: impl Into<Shape>,
    ) -> Result<Self, EngineError> {
        let shape = shape.into();
        if data.len() != shape.len() {
            return Err(EngineError::Shape(format!(
                "{} values do not fill a tensor of shape {shape}",
                data.len()
            )));
        }
        Ok(Tensor {
            buffer: backend.upload(data),
            shape,
        })
    }

    /// A tensor of `shape` filled with `value`.
    pub fn full(backend: &B, value: f32, shape: impl Into<Shape>) -> Self {
        let shape = shape.into();
        Tensor {
            buffer: backend.fill(shape.len(), value),
            shape,
        }
    }

    /// Wraps a buffer the caller knows holds `shape.len()` values.
    pub fn from_buffer(buffer: B::Buffer, shape: Shape) -> Self {
        Tensor { buffer, shape }
    }

    /// The tensor's shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The backend buffer holding the values.
    pub fn buffer(&self) -> &B::Buffer {
        &self.buffer
    }

    /// Mutable access to the buffer (optimisers update parameters in place).
    pub fn buffer_mut(&mut self) -> &mut B::Buffer {
        &mut self.buffer
    }

    /// Reads the values back to the host (asynchronous on GPU backends).
    pub async fn to_vec(&self, backend: &B) -> Result<Vec<f32>, EngineError> {
        backend.read(&self.buffer).await
    }
}

impl<B: Backend> std::fmt::Debug for Tensor<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor({})", self.shape)
    }
}
