//! Seeded 2-D toy data sets for the playground, the input features
//! computed from them, and MNIST for the MNIST lab.
//!
//! What is here:
//!
//! - TensorFlow Playground's six data sets (circle, xor, gauss, spiral,
//!   plane and multi-gaussian regression), transcribed draw for draw from
//!   its `dataset.ts`, with its shuffle and train/test split ([`make`] does
//!   the whole reset in one call);
//! - multi-class sets of our own in the same style (3 or 4 spiral arms,
//!   3 or 4 gaussian blobs);
//! - the input features (X₁, X₂, X₁², …, sin, cos) and the feature matrix
//!   a network is fed.
//!
//! Everything is deterministic: the same seed gives bit-identical points
//! natively and in wasm32. The generator is a PCG ([`Rng`]) for our own
//! seeds, or TFP's own seedrandom stream ([`Arc4`]) for a TFP link's seed
//! text; both are integer arithmetic. Every transcendental function comes
//! from the pure-Rust `libm` crate, because platform maths libraries differ
//! in the last bit. [`fingerprint`] and the constants in [`golden`] let tests
//! check that across platforms.
//!
//! With TFP's stream the points equal TFP's bit for bit wherever its maths
//! is exactly rounded (xor, the regression sets, the shuffle and split); the
//! points that go through `sin`, `cos` or `log` (circle, spiral, gauss) may
//! differ from Chromium's in the last bit of an `f64`, because Chromium's
//! maths equals glibc's and `libm` is musl's (about 3 % of sines). We keep
//! `libm` on both paths rather than switch to the platform's maths for TFP
//! seeds: the page (wasm32, where std's maths *is* `libm`) and
//! `cargo xtask train` then agree bit for bit on a TFP link too, and the
//! network sees `f32`s, in which those last bits vanish (the tests in
//! `tests/tfp_reference.rs` show every point equal after rounding to `f32`).
//!
//! - MNIST: decoding IDX files (gzip or raw) with errors that say what is
//!   wrong ([`parse_idx_gz`], [`IdxError`]), the data set as [`Mnist`] and
//!   [`Digits`], and [`preprocess_digit`], which makes a hand-drawn digit
//!   look like an MNIST one.
//!
//! What is not here: neural networks (the engine crate), drawing, and the
//! playground's state or URL handling. Other large real data (strokes,
//! images) will get modules of their own.

mod digit;
mod error;
mod features;
pub mod golden;
mod idx;
mod kind;
mod mnist;
mod multiclass;
mod point;
mod rng;
mod seedrandom;
mod split;
mod tfp;

pub use digit::{DIGIT_CENTRE, DIGIT_FIT, DIGIT_SIDE, INK_THRESHOLD, preprocess_digit};
pub use error::DataError;
pub use features::{Feature, feature_matrix, parse_list};
pub use idx::{IdxArray, IdxError, MAX_GUNZIP_BYTES, gunzip, is_gzip, parse_idx, parse_idx_gz};
pub use kind::{DatasetKind, Problem, generate};
pub use mnist::{Digits, MNIST_CLASSES, MNIST_FILES, MNIST_SIDE, Mnist};
pub use point::{FINGERPRINT_START, Point, fingerprint, fingerprint_f32};
pub use rng::{Rng, Stream, normal_random, rng, uniform};
pub use seedrandom::{Arc4, key as seedrandom_key, to_fixed5};
pub use split::{Split, make, make_from, shuffle, split};
