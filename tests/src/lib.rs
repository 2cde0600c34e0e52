//! End-to-end test harness for Playnet: serve a built page on loopback and
//! drive it in headless Chromium through WebDriver.
//!
//! The pieces, each small and std-only apart from the HTTP client:
//!
//! - [`StaticServer`] serves a folder (normally trunk's `dist/`, see
//!   [`dist_dir`]) on `127.0.0.1` at an ephemeral port.
//! - [`ChromeDriver`] runs `chromedriver` on another ephemeral port and kills
//!   it when dropped.
//! - [`lab::LabPage`] is the MNIST lab open in a browser, with helpers that
//!   read its readouts.
//! - [`stored`] reads and writes what a page keeps in IndexedDB, and makes
//!   the store full.
//! - [`tfjs::site`] is TensorFlow.js beside a benchmark's page, when npm
//!   installed it.
//! - [`axe`] checks a page with axe-core (npm installs it in `target/axe`).
//! - [`Browser`] is a WebDriver session in headless Chromium with the flags
//!   that keep it off the network: find elements by CSS, click, read text,
//!   run scripts, take screenshots. It holds a global lock, so tests that
//!   each open a browser run one at a time.
//!
//! This is not a general WebDriver client: it implements what Playnet's
//! tests use, with errors that say which selector, URL or command failed.
//! `cargo xtask test` builds the page and runs these tests; run
//! `cargo test -p playnet-e2e --test harness` to check the harness alone.

pub mod axe;
pub mod base64;
mod driver;
mod error;
pub mod lab;
mod server;
pub mod stored;
pub mod tfjs;
mod webdriver;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use driver::ChromeDriver;
pub use error::{Context, Error, Result};
pub use server::{StaticServer, content_type};
pub use webdriver::{Browser, BrowserOptions, Device, Element, LogEntry, PointerKind, WEBGPU_ARGS};

/// The folder of the built page, from `PLAYNET_DIST`.
pub fn dist_dir() -> Result<PathBuf> {
    let Some(dist) = std::env::var_os("PLAYNET_DIST") else {
        return Err(Error::new(
            "PLAYNET_DIST is not set: run `cargo xtask test`, which builds the page first \
             (or set PLAYNET_DIST to the dist/ folder that `trunk build` made)",
        ));
    };
    let dist = PathBuf::from(dist);
    if !dist.join("index.html").is_file() {
        return Err(Error::new(format!(
            "PLAYNET_DIST={} has no index.html: run `cargo xtask test`, which builds the page first",
            dist.display()
        )));
    }
    Ok(dist)
}

/// Where tests put screenshots and logs: `tests/artifacts/` (git-ignored).
pub fn artifacts_dir() -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).context(format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// CSS selector for `data-testid="id"`, the page's stable test hooks.
pub fn by_testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Polls `condition` every 50 ms until it returns `Ok(true)` or `timeout`
/// passes. Errors from `condition` are treated as "not yet" (an element may
/// be re-rendered between two calls) and the last one is reported on timeout.
pub fn wait_until(
    timeout: Duration,
    what: &str,
    mut condition: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let start = Instant::now();
    let mut last_error = None;
    loop {
        match condition() {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_error = Some(e),
        }
        if start.elapsed() >= timeout {
            let detail = last_error.map_or(String::new(), |e| format!(" (last error: {e})"));
            return Err(Error::new(format!(
                "timed out after {:.1}s waiting for {what}{detail}",
                timeout.as_secs_f64()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A count shown with any formatting (`000,123`, `1 234`): its digits only.
pub fn parse_count(text: &str) -> Result<u64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .map_err(|_| Error::new(format!("expected a count, got {text:?}")))
}

/// Opens the webcam page on its sample pictures with the CPU backend (the
/// benchmarks' setting) and waits for the network to load and embed.
pub fn open_webcam_samples(browser: &Browser, server: &StaticServer) -> Result<()> {
    browser.goto(&server.url("/#/webcam?samples=true&backend=cpu"))?;
    wait_until(Duration::from_secs(180), "the network to load", || {
        let status = browser.find(&by_testid("status"))?;
        Ok(browser.attribute(&status, "data-phase")?.as_deref() == Some("ready"))
    })?;
    wait_until(Duration::from_secs(60), "the first embeddings", || {
        Ok(parse_decimal(&browser.text_of(&by_testid("embed-ms"))?)? > 0.0)
    })
}

/// The first decimal number in `text` (`0.512`, `loss 1.2e-3`), which must be
/// finite.
pub fn parse_decimal(text: &str) -> Result<f64> {
    let start = text
        .find(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
        .ok_or_else(|| Error::new(format!("expected a number, got {text:?}")))?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(rest.len());
    match rest[..end].parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Error::new(format!(
            "expected a finite number, got {text:?}"
        ))),
    }
}

/// Puts files into the file input `testid`, as if picked in the file
/// dialog: `files` is a list of `[name, blob URL or null, literal text]`.
pub fn put_files(browser: &Browser, testid: &str, files: serde_json::Value) -> Result<()> {
    let outcome = browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         (async () => { \
           const dt = new DataTransfer(); \
           for (const [name, url, text] of arguments[1]) { \
             const body = url ? await (await fetch(url)).arrayBuffer() : text; \
             dt.items.add(new File([body], name)); \
           } \
           const input = document.querySelector(arguments[0]); \
           input.files = dt.files; \
           input.dispatchEvent(new Event('change', { bubbles: true })); \
         })().then(() => done(null), e => done(String(e)));",
        &[by_testid(testid).into(), files],
    )?;
    match outcome {
        serde_json::Value::Null => Ok(()),
        other => Err(Error::new(format!("putting files into {testid}: {other}"))),
    }
}

/// A blob URL, made in the page, of the safetensors file at `weights` with
/// every value of every tensor set to `value` (a JavaScript number
/// expression such as `NaN` or `Infinity`): a valid file with poisoned data.
pub fn poisoned_weights(browser: &Browser, weights: &str, value: &str) -> Result<String> {
    let url = browser.execute_async(
        &format!(
            "const done = arguments[arguments.length - 1]; \
             (async () => {{ \
               const buf = await (await fetch(arguments[0])).arrayBuffer(); \
               const n = Number(new DataView(buf).getBigUint64(0, true)); \
               new Float32Array(buf, 8 + n, (buf.byteLength - 8 - n) / 4).fill({value}); \
               return URL.createObjectURL(new Blob([buf])); \
             }})().then(done, e => done('error: ' + e));"
        ),
        &[weights.into()],
    )?;
    match url.as_str() {
        Some(u) if u.starts_with("blob:") => Ok(u.to_string()),
        _ => Err(Error::new(format!("poisoning {weights}: {url}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_counts_and_decimals() {
        assert_eq!(parse_count("000,123").unwrap(), 123);
        assert_eq!(parse_count("Epoch 1 234").unwrap(), 1234);
        assert!(parse_count("—").is_err());
        assert_eq!(parse_decimal("0.512").unwrap(), 0.512);
        assert_eq!(parse_decimal(" loss: 1.5e-3 ").unwrap(), 0.0015);
        assert!(parse_decimal("NaN").is_err());
        assert!(parse_decimal("").is_err());
    }

    #[test]
    fn builds_testid_selectors() {
        assert_eq!(by_testid("epoch"), "[data-testid=\"epoch\"]");
    }

    #[test]
    fn wait_until_reports_what_it_waited_for() {
        let err = wait_until(Duration::from_millis(100), "the moon", || {
            Err(Error::new("not yet"))
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("the moon") && msg.contains("not yet"), "{msg}");
        let mut n = 0;
        wait_until(Duration::from_secs(5), "three calls", || {
            n += 1;
            Ok(n == 3)
        })
        .unwrap();
    }
}
