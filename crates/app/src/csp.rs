//! Records the page's Content-Security-Policy violations (the policy is the
//! `<meta>` tag `cargo xtask csp` writes into the built page), so the
//! end-to-end tests can check that nothing was refused across the suite:
//! each refusal, as `"<directive> <blocked URL>"`, goes into
//! `window.__playnet_csp` and, to survive reloads in the same tab, into the
//! JSON list under `sessionStorage["playnet.csp"]`. The browser logs each one
//! to the console itself.

use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

/// The window property the tests read.
const RECORD: &str = "__playnet_csp";
/// The session storage key the tests read after reloads.
const SESSION_KEY: &str = "playnet.csp";

/// Starts recording; call once, first thing.
pub fn record_violations() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let record = js_sys::Array::new();
    let _ = js_sys::Reflect::set(&window, &JsValue::from_str(RECORD), &record);
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let field = |name: &str| {
            js_sys::Reflect::get(&event, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let line = format!("{} {}", field("effectiveDirective"), field("blockedURI"));
        record.push(&JsValue::from_str(&line));
        remember(&line);
    });
    let _ = window.add_event_listener_with_callback(
        "securitypolicyviolation",
        listener.as_ref().unchecked_ref(),
    );
    // The listener lives as long as the page.
    listener.forget();
}

/// Appends `line` to the session's list (best effort: no storage, no list).
fn remember(line: &str) {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else {
        return;
    };
    let mut lines: Vec<String> = storage
        .get_item(SESSION_KEY)
        .ok()
        .flatten()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    lines.push(line.to_string());
    if let Ok(text) = serde_json::to_string(&lines) {
        let _ = storage.set_item(SESSION_KEY, &text);
    }
}
