//! # playnet-app
//!
//! The Playnet single-page app: a Leptos (client-side rendered) page built by
//! trunk into a static folder. It mounts the navigation shell ([`app::App`])
//! and installs a panic hook that shows an error panel instead of leaving a
//! dead page; where the build has a service worker it registers it, so the
//! page works offline after the first visit. The built page carries a strict
//! Content-Security-Policy (`cargo xtask csp`); [`csp`] records anything it
//! refuses, for the end-to-end tests.
//!
//! The app owns presentation only: data, networks and training come from the
//! `playnet-*` crates, so every number on the page can be reproduced natively.

mod app;
mod chart;
mod csp;
mod fetch;
mod files;
mod format;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzzing;
mod heatmap;
mod idb;
mod kept;
mod link_notes;
mod memory;
mod meter;
mod offline;
mod pages;
mod panic;
mod route;
mod saved;
mod worker;

fn main() {
    panic::install();
    csp::record_violations();
    memory::install();
    leptos::mount::mount_to_body(app::App);
    offline::register();
}
