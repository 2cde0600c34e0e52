//! # playnet-mnist
//!
//! The MNIST lab without the page: the lecture's presets ([`presets`]) and a
//! training session ([`Lab`]) that draws shuffled batches from the full MNIST
//! set, takes steps, evaluates on the 10,000 test images and answers the
//! questions the page asks (the current batch, mistakes, a confusion matrix,
//! weight percentiles, first-layer filters, activation maps, a drawn digit's
//! class probabilities).
//!
//! The page's training worker and `cargo xtask train-mnist` both drive a
//! [`Lab`], so a figure the page shows can be reproduced natively with the same
//! preset and seed. Not here: decoding files (that is `playnet-data`) and
//! anything that needs a browser.

mod inspect;
pub(crate) mod lab;
pub mod presets;

pub use inspect::{Bands, FilterImages, LayerMaps};
pub use lab::{Lab, LabError, Setup, StepStats, TestReport};
pub use presets::{PRESETS, Preset, preset};

/// Number of digit classes.
pub const CLASSES: usize = 10;
/// Side of an MNIST image.
pub const SIDE: usize = 28;
/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;
