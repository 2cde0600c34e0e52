//! The messages between the sketch page and its worker.
//!
//! Data travels as a `.strokes` file ([`playnet_sketch::dataset`]), models
//! as the shipped format (config JSON + safetensors bytes), settings as
//! [`playnet_sketch::train::TrainSettings`] JSON.

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// What the page asks of the sketch worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Train a fresh decoder called `name` on the `train` and `valid`
    /// splits of `data` for `steps` steps (or until stopped).
    Train {
        data: ByteBuf,
        name: String,
        settings: String,
        seed: u64,
        steps: u32,
    },
    /// Stop training; the model trained so far comes back.
    Stop,
}

/// One training step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: u32,
    /// The batch's NLL per point, before the update.
    pub nll: f32,
    pub learning_rate: f32,
    /// Milliseconds the step took.
    pub ms: f32,
}

/// What the sketch worker tells the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// Training started: drawings trained on and held out, and the scale
    /// factor the data gave.
    Started {
        train: u32,
        valid: u32,
        scale_factor: f32,
    },
    Step(StepReport),
    /// The held-out NLL per point after `step` steps.
    Validated {
        step: u32,
        nll: f32,
    },
    /// The model as it stands after `step` steps, in the shipped format.
    Model {
        step: u32,
        config: String,
        weights: ByteBuf,
    },
    /// Training ended: all steps done, stopped, or (`failed`) why not.
    Stopped {
        step: u32,
        failed: Option<String>,
    },
    /// The worker panicked or trapped and is closing itself: what went wrong.
    Crashed(String),
}
