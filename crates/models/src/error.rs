//! The one error type of this crate.

use playnet_engine::EngineError;

use crate::pickle::PickleError;

/// Why a weights file, a data archive, a set of named tensors or an input was
/// refused.
///
/// Each message names what was wrong and where (a byte offset, a tensor's
/// name, both shapes), so that it can be shown to a person as it is.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file does not start with PyTorch's legacy magic number.
    #[error(
        "not a legacy PyTorch file: it starts with {found}, not the magic number \
         0x1950a86a20f9469cfc6c (a zip-format .pth, or another file?)"
    )]
    BadMagic { found: String },
    /// One of the file's pickles could not be run.
    #[error("the PyTorch file's {part} (the pickle at byte {start}): {source}")]
    Pickle {
        part: &'static str,
        start: usize,
        source: PickleError,
    },
    /// A `.npz` archive or `.npy` array that cannot be read.
    #[error("{file}: {reason}")]
    Npz { file: String, reason: String },
    /// The pickle of a `.npy` array in a `.npz` archive could not be run.
    #[error("{file}: {source}")]
    NpzPickle { file: String, source: PickleError },
    /// The raw storages after the pickles end early.
    #[error(
        "the PyTorch file is truncated: storage {key} (number {index} of {count}) at byte \
         {offset} needs {needed} bytes, {left} left"
    )]
    Truncated {
        key: String,
        index: usize,
        count: usize,
        offset: usize,
        needed: usize,
        left: usize,
    },
    /// The pickles run but do not describe a state dict as PyTorch writes it.
    #[error("not a PyTorch state dict: {0}")]
    Format(String),
    /// A tensor's size, stride and offset reach past the end of its storage.
    #[error(
        "tensor {tensor}: its view (offset {offset}, size {size:?}, stride {stride:?}) needs \
         {needed} elements of storage {storage}, which holds {len}"
    )]
    StorageTooShort {
        tensor: String,
        storage: String,
        offset: usize,
        size: Vec<usize>,
        stride: Vec<usize>,
        needed: usize,
        len: usize,
    },
    /// A network's tensor is not among the named tensors given.
    #[error("tensor {name} is missing (expected shape {expected:?})")]
    MissingTensor { name: String, expected: Vec<usize> },
    /// A named tensor the network has no place for.
    #[error("tensor {name} (shape {shape:?}) is not part of the network")]
    UnexpectedTensor { name: String, shape: Vec<usize> },
    /// A named tensor of the wrong shape.
    #[error("tensor {name} has shape {found:?}, but the network needs {expected:?}")]
    ShapeMismatch {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    /// A safetensors file that cannot be read or written.
    #[error("weights file: {0}")]
    Safetensors(String),
    /// An image or input batch that does not fit what it claims to be.
    #[error("bad input: {0}")]
    Input(String),
    /// The engine refused an operation.
    #[error(transparent)]
    Engine(#[from] EngineError),
}
