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
//! [`PageState`] is the whole page as its URL hash carries it, in TensorFlow
//! Playground's key names ([`PageState::from_hash`], [`PageState::to_hash`]);
//! [`parse_points`] and [`write_points`] read and write a person's own data
//! as CSV.
//!
//! Not here: drawing, reading `window.location`, and anything else that needs
//! a browser.

mod config;
mod csv;
mod session;
mod url;

pub use config::{
    BATCH_SIZES, ConfigError, MAX_DROPOUT, MAX_LAYERS, MAX_NEURONS, PlaygroundConfig, SeedSource,
};
pub use csv::{CsvError, MAX_POINTS, parse_points, write_points};
pub use session::{Confusion, Metrics, Report, SavedModel, Session, SessionError, fingerprint};
pub use url::{KNOWN_KEYS, PageState, seed_from_text};
