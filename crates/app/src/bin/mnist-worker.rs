//! The MNIST lab's training worker, a second wasm binary: trunk builds it
//! with `data-type="worker"` (see index.html) and the page spawns it as
//! `mnist-worker.js`. Everything it does is in `src/worker/`.

// Both workers share `src/worker/`; the webcam worker's part is unused here.
#[allow(dead_code)]
#[path = "../worker/mod.rs"]
mod worker;

use gloo_worker::Registrable;

fn main() {
    // The worker's own hook (`worker::crash`) replaces this one at creation.
    console_error_panic_hook::set_once();
    worker::MnistWorker::registrar().register();
}
