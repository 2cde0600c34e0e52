//! Downloads the four MNIST files, reporting bytes loaded out of the total
//! as they stream in.

use js_sys::{Reflect, Uint8Array};
use playnet_data::MNIST_FILES;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

fn describe(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "network error".into())
}

/// Fetches `folder/<file>` for each of [`MNIST_FILES`]; `progress(loaded,
/// total)` is called as bytes arrive (`total` is 0 when the server does not
/// say how large the files are).
pub async fn fetch_files(
    folder: &str,
    progress: impl Fn(f64, f64),
) -> Result<Vec<Vec<u8>>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let mut responses = Vec::new();
    let mut total = 0.0;
    let mut sizes_known = true;
    for name in MNIST_FILES {
        let url = format!("{folder}/{name}");
        let response: Response = JsFuture::from(window.fetch_with_str(&url))
            .await
            .map_err(|e| format!("{url}: {}", describe(&e)))?
            .dyn_into()
            .map_err(|_| format!("{url}: not a response"))?;
        if !response.ok() {
            return Err(format!("{url}: HTTP {}", response.status()));
        }
        match response
            .headers()
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|v| v.parse::<f64>().ok())
        {
            Some(n) => total += n,
            None => sizes_known = false,
        }
        responses.push((url, response));
    }
    let total = if sizes_known { total } else { 0.0 };
    let mut loaded = 0.0;
    progress(loaded, total);
    let mut files = Vec::new();
    for (url, response) in responses {
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
                loaded += f64::from(array.length());
                progress(loaded, total);
            }
        }
        files.push(bytes);
    }
    Ok(files)
}
