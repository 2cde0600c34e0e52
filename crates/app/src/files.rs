//! Files in and out of the page: `blob:` URLs for download links, and the
//! two files of an exported model (JSON config and safetensors weights)
//! read back from a file input, and a download link followed once it is on
//! the page. Shared by every page.

use wasm_bindgen::{JsCast, JsValue};

/// A `blob:` URL holding `bytes`, for a download link.
pub fn object_url(bytes: &[u8], mime: &str) -> Result<String, JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    web_sys::Url::create_object_url_with_blob(&blob)
}

/// The files picked in the file input that fired `event` (none for any
/// other target). The input is emptied, so picking the same files again
/// fires another `change`.
pub fn picked(event: &web_sys::Event) -> Vec<web_sys::File> {
    let Some(input) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = input
        .files()
        .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default();
    input.set_value("");
    files
}

/// Reads the two files of an exported model, whichever order they were
/// picked in: the `.json` config as text and the other file's bytes.
pub async fn read_model_files(files: Vec<web_sys::File>) -> Result<(String, Vec<u8>), String> {
    let mut json = None;
    let mut weights = None;
    for file in files {
        let bytes = read_bytes(&file).await?;
        if file.name().ends_with(".json") {
            json =
                Some(String::from_utf8(bytes).map_err(|_| format!("{} is not text", file.name()))?);
        } else {
            weights = Some(bytes);
        }
    }
    match (json, weights) {
        (Some(json), Some(weights)) => Ok((json, weights)),
        _ => Err(
            "pick both files of an exported model: the .json config and the .safetensors weights"
                .into(),
        ),
    }
}

/// A picked file's bytes.
pub async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("cannot read {}", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Follows the download link with this `data-testid` once it is on the page.
pub fn follow_link(testid: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        if let Some(link) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!("[data-testid={testid}]"))
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            link.click();
        }
    });
}
