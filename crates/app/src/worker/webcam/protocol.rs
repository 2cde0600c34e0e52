//! The messages between the webcam page and its worker.
//!
//! Frames travel as 224×224 RGBA byte strings (what a canvas's `ImageData`
//! holds), embeddings as plain `f32` lists, and the head's settings and
//! evaluation as JSON (bincode cannot read every serde shape).

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

pub use crate::worker::protocol::{BackendChoice, BackendReport};

/// What the page asks of the webcam worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// The shipped EfficientNet-Lite0 safetensors file.
    Weights(ByteBuf),
    /// Embed on this backend from now on.
    Backend(BackendChoice),
    /// Embed one 224×224 RGBA frame; `top` ImageNet classes come back with it.
    Embed { id: u32, pixels: ByteBuf, top: u8 },
    /// Train a fresh head: `labels.len()` embeddings of
    /// [`playnet_webcam::EMBEDDING`] values each, one after another;
    /// `settings` is [`playnet_webcam::head::HeadSettings`] JSON.
    Train {
        embeddings: Vec<f32>,
        labels: Vec<u8>,
        classes: u8,
        settings: String,
        seed: u32,
    },
    /// Stop training; the head trained so far is kept.
    StopTraining,
}

/// One embedded frame.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Embedded {
    pub id: u32,
    pub embedding: Vec<f32>,
    /// ImageNet classes and their probabilities, most likely first.
    pub top: Vec<(u32, f32)>,
    /// Milliseconds the network took (not counting the message).
    pub ms: f32,
    /// The worker's WebAssembly memory in bytes (for the soak benchmark).
    pub memory_bytes: u64,
}

/// One epoch of head training.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    pub epoch: u32,
    pub epochs: u32,
    pub loss: f32,
    pub held_out_accuracy: Option<f32>,
}

/// What the webcam worker tells the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// The network is ready: its parameter count and how long loading took.
    Loaded {
        parameters: u32,
        ms: f32,
    },
    /// The weights could not be read; nothing can be embedded.
    LoadFailed(String),
    /// Which backend embeds (after the page's choice or a fallback).
    Backend(BackendReport),
    /// The GPU failed (`reason`); embedding goes on on the CPU.
    FellBack(String),
    Embedded(Embedded),
    /// A frame could not be embedded (its id and why).
    EmbedFailed {
        id: u32,
        reason: String,
    },
    Epoch(EpochReport),
    /// The trained head ([`playnet_webcam::head::Head::to_bytes`]) and its
    /// evaluation (JSON of [`playnet_webcam::head::Evaluation`]).
    Trained {
        head: ByteBuf,
        evaluation: String,
        ms: f32,
    },
    /// Training could not start or stopped (diverged): why.
    TrainFailed(String),
    /// The worker panicked or trapped and is closing itself: what went wrong.
    Crashed(String),
}
