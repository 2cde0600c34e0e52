//! # playnet-engine
//!
//! The neural-network engine behind every Playnet page: `f32` tensors, a
//! reverse-mode autograd tape, activations, losses, optimisers, initialisers,
//! one network model built from a serde config of layers (one file per
//! layer under [`layers`], parameters by dotted name with a [`Role`], any of
//! them frozen), one trainer for it, and checkpoints (safetensors + JSON).
//! `ADDING.md` at the crate's root is the checklist for adding an op, a
//! layer or a GPU kernel.
//!
//! All computation goes through the [`Backend`] trait. [`Cpu`] is the reference
//! implementation; a WebGPU backend plugs into the same seam, so models and
//! training code never change with the device. Reading results back is
//! asynchronous (WebGPU's is), and [`ready`] runs such a future when it is known
//! to complete at once, as on the CPU.
//!
//! Pure Rust with no web dependencies: the same code trains in `cargo test`,
//! `cargo xtask train` and in the browser. It is not a general tensor library:
//! it has the operations Playnet's networks need, each with its gradient check.

pub mod activation;
pub mod backend;
pub mod checkpoint;
pub mod cpu;
pub mod fold;
pub mod graph;
pub mod init;
pub mod kernels;
pub mod layers;
pub mod loss;
pub mod mdn;
pub mod mlp;
pub mod net;
pub mod optim;
pub mod params;
pub mod shape;
pub mod tensor;
pub mod train;
pub mod window;

#[cfg(test)]
mod gradcheck;

pub use activation::Activation;
pub use backend::{Backend, BinaryOp, Columns, MatMul, UnaryOp, ready};
pub use checkpoint::Checkpoint;
pub use cpu::Cpu;
pub use graph::{Gradients, Graph, Var};
pub use init::Init;
pub use layers::{Features, Layer, Mode, lstm};
pub use loss::Loss;
pub use mlp::{HiddenLayer, MlpConfig};
pub use net::{Dense, Net, NetConfig, NetForward};
pub use optim::{Optimizer, Regularization, Schedule, UpdateStep, Updater};
pub use params::{Param, ParamSpec, Role};
pub use shape::Shape;
pub use tensor::Tensor;
pub use train::{Evaluation, Examples, StepOutput, TrainConfig, Trainer, evaluate};
pub use window::{Padding, Window};

/// Everything that can go wrong in the engine, with what and why.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Operands whose shapes do not fit together.
    #[error("shape error: {0}")]
    Shape(String),
    /// A configuration that cannot be built.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A model file that cannot be read or does not fit its config.
    #[error("cannot load the model: {0}")]
    Checkpoint(String),
    /// A backend failure (device lost, shader compilation…).
    #[error("backend error: {0}")]
    Backend(String),
    /// [`ready`] was given a future that had not completed.
    #[error("the result is not ready yet (this backend reads back asynchronously)")]
    Pending,
    /// A broken invariant inside the engine: a bug, reported rather than panicking.
    #[error("internal error: {0}")]
    Internal(&'static str),
}
