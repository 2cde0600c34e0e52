//! How fast the sketch page works: sampling (a batched step of 9
//! candidates of the shipped 512-unit bird, on the page's thread:
//! `sketch-step`'s `data-ms-per-step`) and training one's own model (a
//! 128-unit decoder on Omniglot, batches of 100, in the sketch worker:
//! `sketch-train-ms`'s `data-ms`), and the same training natively
//! (`cargo run --release -p xtask -- train-sketch`), one after the other in
//! one run. A benchmark, not a test: it asserts nothing about speed and is
//! `#[ignore]`d so CI does not time it on a shared machine.
//!
//! ```sh
//! cargo xtask build --release
//! PLAYNET_DIST=$PWD/dist cargo test -p playnet-e2e --test bench_sketch -- --ignored --nocapture
//! ```

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use playnet_e2e::{
    Browser, BrowserOptions, Error, PointerKind, Result, StaticServer, by_testid, dist_dir,
    wait_until,
};
use serde_json::{Value, json};

/// Training steps timed on each side.
const STEPS: u32 = 50;
const HIDDEN: u32 = 128;

fn attribute(browser: &Browser, id: &str, attr: &str) -> Result<String> {
    let el = browser.find(&by_testid(id))?;
    Ok(browser.attribute(&el, attr)?.unwrap_or_default())
}

fn number(browser: &Browser, id: &str, attr: &str) -> Result<f64> {
    let text = attribute(browser, id, attr)?;
    text.parse()
        .map_err(|_| Error::new(format!("{id} {attr} is {text:?}")))
}

fn set(browser: &Browser, id: &str, value: &str) -> Result<()> {
    browser.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
         el.dispatchEvent(new Event('change', { bubbles: true })); return null;",
        &[json!(by_testid(id)), json!(value)],
    )?;
    Ok(())
}

/// Milliseconds per training step natively, from the xtask's JSON line.
fn native_ms_per_step() -> Result<f64> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or_else(|| Error::new("no workspace root"))?;
    let output = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["run", "--quiet", "--release", "-p", "xtask", "--"])
        .args(["train-sketch", "--data", "omniglot", "--seed", "1"])
        .args(["--steps", &STEPS.to_string(), "--every", &STEPS.to_string()])
        .args(["--hidden", &HIDDEN.to_string()])
        .output()
        .map_err(|e| Error::new(format!("cargo run xtask: {e}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .ok_or_else(|| {
            Error::new(format!(
                "train-sketch printed no result: {}",
                String::from_utf8_lossy(&output.stderr)
            ))
        })?;
    let report: Value = serde_json::from_str(line).map_err(|e| Error::new(e.to_string()))?;
    let per_second = report["steps_per_second"]
        .as_f64()
        .ok_or_else(|| Error::new(format!("no steps_per_second in {line}")))?;
    Ok(1000.0 / per_second)
}

#[test]
#[ignore = "a benchmark: run it on purpose, see the module docs"]
fn sampling_and_training_ms_in_the_page_and_natively() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default())?;
    browser.goto(&server.url("/#/sketch?class=bird&candidates=9&seed=1"))?;
    wait_until(Duration::from_secs(60), "the model", || {
        Ok(attribute(&browser, "sketch-status", "data-phase")? != "loading")
    })?;
    // Sampling: a stroke, then 9 candidates to their end.
    let rect = browser.execute(
        "const r = document.querySelector('[data-testid=sketch-canvas]').getBoundingClientRect(); \
         return [r.left, r.top, r.width / 400];",
        &[],
    )?;
    let r: Vec<f64> = serde_json::from_value(rect).map_err(|e| Error::new(e.to_string()))?;
    let stroke: Vec<(f64, f64)> = [(100.0, 200.0), (160.0, 150.0), (220.0, 200.0)]
        .iter()
        .map(|&(x, y)| (r[0] + x * r[2], r[1] + y * r[2]))
        .collect();
    browser.drag(PointerKind::Mouse, &stroke)?;
    wait_until(Duration::from_secs(120), "the candidates", || {
        Ok(attribute(&browser, "sketch-status", "data-phase")? == "done")
    })?;
    let sampled = number(&browser, "sketch-step", "data-ms-per-step")?;
    let steps = browser.text_of(&by_testid("sketch-step"))?;
    // Training in the worker.
    set(&browser, "train-data", "omniglot")?;
    set(&browser, "train-hidden", &HIDDEN.to_string())?;
    set(&browser, "train-steps", &STEPS.to_string())?;
    browser.click_on(&by_testid("train-sketch"))?;
    wait_until(Duration::from_secs(10), "training to start", || {
        Ok(attribute(&browser, "train-sketch", "aria-pressed")? == "true")
    })?;
    wait_until(Duration::from_secs(900), "the training", || {
        Ok(attribute(&browser, "train-sketch", "aria-pressed")? == "false")
    })?;
    let status = browser.text_of(&by_testid("train-status"))?;
    let page_ms = number(&browser, "sketch-train-ms", "data-ms")?;
    let native_ms = native_ms_per_step()?;
    println!(
        "sampling, 9 candidates of the 512-unit bird on the page's thread: {sampled:.2} ms per batched step ({steps} steps)"
    );
    println!(
        "training a {HIDDEN}-unit decoder on Omniglot (batch 100), {STEPS} steps: \
         {page_ms:.0} ms a step in the page's worker (SIMD128), {native_ms:.0} ms natively; \
         the page takes {:.2}× native",
        page_ms / native_ms
    );
    println!("page: {status}");
    Ok(())
}
