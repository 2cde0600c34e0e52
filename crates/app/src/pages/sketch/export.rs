//! The drawing as files: SVG through playnet-sketch's writer (the same file
//! `cargo xtask sketch --svg` writes) and PNG from the canvas. Each export
//! shows a download link (`download-svg`, `download-png`) and follows it.

use leptos::prelude::*;

use crate::files::object_url;

/// Stroke width of the exported SVG, in canvas pixels.
const SVG_PEN: f32 = 3.0;

/// The drawing's SVG text.
pub fn svg(strokes: &[playnet_sketch::Stroke3]) -> String {
    playnet_sketch::svg::write(strokes, &[], SVG_PEN)
}

/// A `blob:` URL of the SVG, replacing (and revoking) the one in `slot`.
pub fn svg_url(text: &str, slot: RwSignal<Option<String>>) -> Result<String, String> {
    let url =
        object_url(text.as_bytes(), "image/svg+xml").map_err(|e| crate::fetch::describe(&e))?;
    if let Some(old) = slot.get_untracked() {
        let _ = web_sys::Url::revoke_object_url(&old);
    }
    slot.set(Some(url.clone()));
    Ok(url)
}

/// The canvas as a PNG `data:` URL.
pub fn png_url(canvas: &web_sys::HtmlCanvasElement) -> Result<String, String> {
    canvas
        .to_data_url_with_type("image/png")
        .map_err(|e| crate::fetch::describe(&e))
}
