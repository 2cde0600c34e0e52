//! How much memory the page and its workers hold, for the soak benchmark
//! (`tests/tests/soak.rs`): `window.__playnet_memory()` returns
//! `{ page, worker }`, the page's WebAssembly memory in bytes and the last
//! size a worker reported with its progress (0 before any). Nothing on the
//! page shows it; the JavaScript heap the benchmark reads from DevTools.

use std::sync::atomic::{AtomicU64, Ordering};

static WORKER_BYTES: AtomicU64 = AtomicU64::new(0);

/// Notes the size a worker reported.
pub fn worker_reported(bytes: u64) {
    WORKER_BYTES.store(bytes, Ordering::Relaxed);
}

/// Defines `window.__playnet_memory`.
pub fn install() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let read = Closure::<dyn Fn() -> js_sys::Object>::new(|| {
        let out = js_sys::Object::new();
        let set = |key: &str, bytes: u64| {
            let _ = js_sys::Reflect::set(&out, &key.into(), &(bytes as f64).into());
        };
        set("page", crate::worker::meter::wasm_bytes());
        set("worker", WORKER_BYTES.load(Ordering::Relaxed));
        out
    });
    let _ = js_sys::Reflect::set(
        &window,
        &"__playnet_memory".into(),
        read.as_ref().unchecked_ref(),
    );
    read.forget();
}
