//! # playnet-playground
//!
//! The Playground's state and training loop, with no web dependencies.
//!
//! [`PlaygroundConfig`] is the one serde struct that describes a playground
//! (data set, features, network, training settings, seed); [`Session`] turns it
//! into data and a network and trains it epoch by epoch. The page and
//! `cargo xtask train` both drive a `Session`, so any number the page shows can
//! be reproduced from the command line with the same config.
//!
//! Not here: drawing, URL parsing and anything else that needs a browser.

mod config;
mod session;

pub use config::{BATCH_SIZES, ConfigError, MAX_LAYERS, MAX_NEURONS, PlaygroundConfig};
pub use session::{Metrics, Session, SessionError, fingerprint};
