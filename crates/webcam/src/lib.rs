//! # playnet-webcam
//!
//! The domain logic of the webcam transfer-learning page, with no web
//! dependencies. A frozen EfficientNet-Lite0 (in `playnet-models`) turns each
//! camera frame into an [`EMBEDDING`]-long vector of pooled features; this
//! crate does everything after that:
//!
//! - [`examples`]: a recorded example (class, embedding, thumbnail) as a
//!   compact binary record, and a stratified train/held-out split;
//! - [`knn`]: Teachable Machine v1's k-nearest neighbours over cosine
//!   similarity (no training at all);
//! - [`head`]: a small trained head (dense ReLU → softmax) on the engine's
//!   [`playnet_engine::Net`], its evaluation and its saved form;
//! - [`project`]: a whole project (class names, settings, head, examples)
//!   as one safetensors file, with clear reasons when a file is refused;
//! - [`smooth`]: smoothing of live predictions, with hysteresis for steering;
//! - [`augment`]: light augmentation while recording (crop, flip, brightness);
//! - [`game`]: a small maze game steered by the predicted class.
//!
//! Every random number comes from a seeded PCG (no OS entropy), so the same
//! seed gives the same split, weights, augmentation and maze natively and
//! in wasm32.

pub mod augment;
pub mod examples;
pub mod game;
pub mod head;
pub mod knn;
pub mod project;
pub mod smooth;

pub use augment::Augmentation;
pub use examples::{Example, split};
pub use game::{Direction, Event, Game, Maze};
pub use head::{EpochReport, Evaluation, Head, HeadInfo, HeadSettings, HeadTrainer};
pub use knn::knn_scores;
pub use project::{HeadKind, MAX_EXAMPLES, Project, ProjectMeta};
pub use smooth::Smoother;

use playnet_engine::EngineError;

/// Values in one embedding: EfficientNet-Lite0's pooled features.
pub const EMBEDDING: usize = 1280;
/// Most classes a project may have.
pub const MAX_CLASSES: usize = 10;
/// The feature extractor the embeddings come from; a project records it, and
/// one made with another extractor is refused (its embeddings would not fit).
pub const EXTRACTOR: &str = "efficientnet-lite0 pooled features (1280)";

/// Everything that can go wrong, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum WebcamError {
    /// Training settings out of range.
    #[error("the training settings cannot be used: {0}")]
    Settings(String),
    /// Examples (or a query) that cannot be trained on or predicted from.
    #[error("{0}")]
    Data(String),
    /// The loss stopped being a finite number.
    #[error(
        "training went wrong at epoch {epoch}: the loss became {loss}; lower the learning rate \
         and train again"
    )]
    Diverged { epoch: usize, loss: f32 },
    /// A stored example record that cannot be read.
    #[error("a stored example is damaged: {0}")]
    Record(String),
    /// A saved head that cannot be used.
    #[error("the trained model cannot be used: {0}")]
    Head(String),
    /// A project file that cannot be opened (or written).
    #[error("cannot open this project: {0}")]
    Project(String),
    /// The engine refused (a bug here, or a backend failure).
    #[error("{0}")]
    Engine(#[from] EngineError),
}
