//! Offline use: registers the service worker that `cargo xtask build` writes
//! beside the page (`sw.js`, from `web/sw.js`), which keeps every file of the
//! build — the app, both workers, MNIST, the networks — in the browser after
//! the first visit, so the page works with the network off.
//!
//! `cargo xtask serve` writes no `sw.js` (live reload and a cache do not mix);
//! registering then fails and the page says so in the console only.
//! A browser driven by WebDriver (the e2e tests) registers only when
//! `localStorage["playnet-service-worker"]` is `on`: otherwise every test
//! would download the whole build into its cache; the offline tests opt in.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The key a WebDriver-driven test sets to `on` to get the service worker.
const TEST_OPT_IN: &str = "playnet-service-worker";

/// Registers `./sw.js` where the browser has service workers (a secure
/// context: https, or localhost).
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let has = |object: &JsValue, key: &str| {
        js_sys::Reflect::get(object, &JsValue::from_str(key))
            .map(|v| !v.is_undefined() && !v.is_null() && v.as_bool() != Some(false))
            .unwrap_or(false)
    };
    if !has(navigator.as_ref(), "serviceWorker") {
        return;
    }
    let opted_in = window
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(TEST_OPT_IN).ok().flatten())
        .is_some_and(|v| v == "on");
    if has(navigator.as_ref(), "webdriver") && !opted_in {
        return;
    }
    let registering = navigator.service_worker().register("./sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = JsFuture::from(registering).await {
            let why = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{e:?}"));
            leptos::logging::log!(
                "Playnet: no offline copy ({why}); `cargo xtask build` makes the service worker"
            );
        }
    });
}
