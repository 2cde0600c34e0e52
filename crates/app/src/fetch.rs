//! Downloads files of this site, reporting bytes as they stream in, with
//! errors that name the URL: the sketch page's models, and (through
//! [`response`], [`content_length`] and [`read_body`]) the MNIST lab's four
//! files at once.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

/// A JavaScript error's message.
pub fn describe(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "network error".into())
}

/// The successful response to `url`, or why there is none.
pub async fn response(url: &str) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: {}", describe(&e)))?
        .dyn_into()
        .map_err(|_| format!("{url}: not a response"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    Ok(response)
}

/// The text of `url`.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let promise = response(url)
        .await?
        .text()
        .map_err(|e| format!("{url}: {}", describe(&e)))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| format!("{url}: {}", describe(&e)))?
        .as_string()
        .ok_or_else(|| format!("{url}: not text"))
}

/// The size the server gives for `response`, if it gives one.
pub fn content_length(response: &Response) -> Option<f64> {
    response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<f64>().ok())
}

/// The bytes of `url`; `progress(loaded, total)` as they arrive (`total` is
/// 0 when the server does not say).
pub async fn fetch_bytes(url: &str, progress: impl Fn(f64, f64)) -> Result<Vec<u8>, String> {
    let response = response(url).await?;
    let total = content_length(&response).unwrap_or(0.0);
    progress(0.0, total);
    read_body(url, &response, |loaded| progress(loaded as f64, total)).await
}

/// The body of `response` (from `url`, for messages); `loaded(bytes so
/// far)` after each chunk.
pub async fn read_body(
    url: &str,
    response: &Response,
    mut loaded: impl FnMut(usize),
) -> Result<Vec<u8>, String> {
    let body = response
        .body()
        .ok_or_else(|| format!("{url}: empty body"))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("{url}: {}", describe(&e)))?;
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        if let Ok(value) = Reflect::get(&chunk, &"value".into())
            && let Some(array) = value.dyn_ref::<Uint8Array>()
        {
            let start = bytes.len();
            bytes.resize(start + array.length() as usize, 0);
            array.copy_to(&mut bytes[start..]);
            loaded(bytes.len());
        }
    }
    Ok(bytes)
}
