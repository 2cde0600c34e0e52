//! A panic hook that keeps the page alive enough to say what went wrong.
//!
//! The panel is built with plain DOM calls (not Leptos, whose state may be
//! what panicked) and the message is set as text, never as markup. The message
//! is also stored in `window.__playnet_panic` for the end-to-end tests.

use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

/// Installs the hook; call once, first thing.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_error_panel(&info.to_string());
    }));
}

/// Panics on purpose, so the end-to-end tests can check that the hook shows
/// the panel (trunk exposes it as `window.wasmBindings.playnet_test_panic`).
#[wasm_bindgen]
pub fn playnet_test_panic() {
    panic!("deliberate test panic <b>not markup</b>");
}

/// Appends the error panel to the page (best effort: a failure here has
/// nowhere left to be reported but the console).
fn show_error_panel(message: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let _ = js_sys::Reflect::set(
        &window,
        &JsValue::from_str("__playnet_panic"),
        &JsValue::from_str(message),
    );
    let Some(document) = window.document() else {
        return;
    };
    let Some(body) = document.body() else { return };
    let Ok(panel) = document.create_element("div") else {
        return;
    };
    panel.set_class_name("error-panel");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("data-testid", "error-panel");
    panel.set_text_content(Some(&format!(
        "Something went wrong inside Playnet and this page stopped. Reload to start again. \
         If it happens again, please report this message: {message}"
    )));
    let _ = body.append_child(&panel);
}
