//! The sketch page's worker, a fourth wasm binary: trunk builds it with
//! `data-type="worker"` (see index.html) and the page spawns it as
//! `sketch-worker.js`. Everything it does is in `src/worker/sketch/`.

// The workers share `src/worker/`; the other workers' parts are unused here.
#[allow(dead_code)]
#[path = "../worker/mod.rs"]
mod worker;

use gloo_worker::Registrable;

fn main() {
    // The worker's own hook (`worker::crash`) replaces this one at creation.
    console_error_panic_hook::set_once();
    worker::sketch::SketchWorker::registrar().register();
}
