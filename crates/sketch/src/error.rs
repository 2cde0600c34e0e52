//! The one error type of this crate.
//!
//! Every message names the value that was wrong and, where there is one, what
//! would have been accepted, so that the page can show it as it is.

use playnet_engine::EngineError;

/// Why a model, a drawing, a data file or a sampling request was refused.
#[derive(Debug, thiserror::Error)]
pub enum SketchError {
    /// A Magenta `*.gen.json` file that is not a decoder-only model.
    #[error("not a sketch-rnn model file: {0}")]
    Format(String),
    /// A converted model's JSON description that cannot be used.
    #[error("the model config is not valid: {0}")]
    Config(String),
    /// A weights file that is not safetensors at all (truncated, overwritten…).
    #[error("the weights file is corrupt: {0}")]
    Corrupt(String),
    /// A weights file whose tensor does not fit the architecture its config
    /// describes.
    #[error("{name} has shape {found:?} but the config needs {expected:?}")]
    Shape {
        name: String,
        found: Vec<usize>,
        expected: Vec<usize>,
    },
    /// A tensor stored in another number type than the config says.
    #[error("{name} is stored as {found} but the config says {expected}")]
    Dtype {
        name: String,
        found: String,
        expected: String,
    },
    /// A tensor the architecture needs and the file lacks.
    #[error("the weights file has no tensor {0}")]
    MissingTensor(String),
    /// A file with tensors the architecture does not have.
    #[error("the weights file has {found} tensors; a decoder has {expected}")]
    TensorCount { found: usize, expected: usize },
    /// A stored weight that is NaN or infinite.
    #[error("{name} holds {value} at index {index}; a decoder needs finite weights")]
    NonFinite {
        name: String,
        index: usize,
        value: f32,
    },
    /// A sampling temperature outside Magenta's range.
    #[error("the temperature must be between 0.01 and 1, not {0}")]
    Temperature(f32),
    /// A number of candidates the sampler does not offer.
    #[error("{found} candidates; the sampler draws between 1 and {max}")]
    Candidates { found: usize, max: usize },
    /// A stroke with an offset that is not a finite number.
    #[error("stroke {index} has the offset ({dx}, {dy}); offsets must be finite")]
    Stroke { index: usize, dx: f32, dy: f32 },
    /// A flat stroke file (`*.strokes`) that cannot be read.
    #[error("not a stroke data file: {0}")]
    Strokes(String),
    /// Training met a loss that is not a number (the weights were kept
    /// as they were before that step).
    #[error("training diverged at step {step}: the loss was {value}")]
    Diverged { step: u32, value: f32 },
    #[error(transparent)]
    Engine(#[from] EngineError),
}
