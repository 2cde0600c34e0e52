//! Downloads the four MNIST files, reporting bytes loaded out of the total
//! as they stream in.

use playnet_data::MNIST_FILES;

use crate::fetch::{content_length, read_body, response};

/// Fetches `folder/<file>` for each of [`MNIST_FILES`]; `progress(loaded,
/// total)` is called as bytes arrive (`total` is 0 when the server does not
/// say how large the files are).
pub async fn fetch_files(
    folder: &str,
    progress: impl Fn(f64, f64),
) -> Result<Vec<Vec<u8>>, String> {
    let mut responses = Vec::new();
    let mut total = 0.0;
    let mut sizes_known = true;
    for name in MNIST_FILES {
        let url = format!("{folder}/{name}");
        let response = response(&url).await?;
        match content_length(&response) {
            Some(n) => total += n,
            None => sizes_known = false,
        }
        responses.push((url, response));
    }
    let total = if sizes_known { total } else { 0.0 };
    let mut before = 0.0;
    progress(before, total);
    let mut files = Vec::new();
    for (url, response) in responses {
        let bytes = read_body(&url, &response, |n| progress(before + n as f64, total)).await?;
        before += bytes.len() as f64;
        files.push(bytes);
    }
    Ok(files)
}
