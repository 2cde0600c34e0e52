//! # playnet-models
//!
//! Pretrained architectures built on the engine's ops, with no web
//! dependencies, for the webcam page's frozen feature extractor, and the
//! readers of the Python formats their weights and data come in:
//!
//! - [`efficientnet`]: EfficientNet-Lite0 inference (batch norm folded into
//!   the convolutions), from PyTorch's state dict names or from the shipped
//!   compact safetensors file;
//! - [`preprocess`]: the ImageNet preprocessing its reference used
//!   (Pillow's antialiased bilinear resize, centre crop, `(p − 127)/128`);
//! - [`pickle`]: a pickle machine that builds a value tree and never
//!   imports or calls anything, the one pickle reader of the workspace, on
//!   which
//!   - [`pth`] reads PyTorch's legacy `.pth` files, and
//!   - [`npz`] reads numpy's `.npz` archives of pickled object arrays (the
//!     sketch-rnn stroke datasets, for `cargo xtask convert-strokes`);
//! - [`imagenet`]: class names and top-k.
//!
//! The library reads bytes, never files, so the page can use it in
//! WebAssembly; `cargo xtask convert-efficientnet`, `cargo xtask classify`
//! and `cargo xtask convert-strokes` do the file work. It is not a model
//! zoo: each architecture is written out for the weights it ships with.

pub mod efficientnet;
pub mod error;
pub mod imagenet;
pub mod npz;
pub mod pickle;
pub mod preprocess;
pub mod pth;
pub mod tensors;

pub use efficientnet::{EfficientNet, Images, Layout, Precision};
pub use error::ModelError;
pub use tensors::{HostTensor, TensorMap};
