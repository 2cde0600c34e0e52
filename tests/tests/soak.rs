//! Soak: does the page run for half an hour without leaking or slowing
//! down? A benchmark, not a CI test (`#[ignore]`d): each scenario plays for
//! `PLAYNET_SOAK_MINUTES` (30 by default) in headless Chromium and records,
//! every `PLAYNET_SOAK_SAMPLE_SECONDS` (60):
//!
//! - frames/s, counted by `requestAnimationFrame` over five seconds, and the
//!   page's own rate (epochs/s, steps/s or embeddings' milliseconds);
//! - the JavaScript heap after a forced garbage collection (DevTools'
//!   `Runtime.getHeapUsage`);
//! - the WebAssembly memory of the page and of its worker
//!   (`window.__playnet_memory()`, see `crates/app/src/memory.rs`);
//! - live event listeners and DOM nodes (`Memory.getDOMCounters`): a
//!   listener left behind per frame or per autosave shows here first.
//!
//! The scenarios: the Playground's largest network playing, the MNIST lab
//! training its conv preset, and the webcam page's prediction loop on its
//! sample pictures. A scenario fails when, after the first fifth of the run
//! (the warm-up: caches fill, wasm memory grows to its working size), the
//! median of the last third of the samples is more than 5 % above that of
//! the first third for the heap, either wasm memory, the listeners or the
//! nodes, or frames/s over the last third fall below 80 % of the first.
//!
//! ```sh
//! cargo xtask build --release
//! PLAYNET_DIST=$PWD/dist cargo test -p playnet-e2e --release --test soak -- --ignored --nocapture --test-threads=1
//! # a shorter run:
//! PLAYNET_SOAK_MINUTES=5 PLAYNET_SOAK_SAMPLE_SECONDS=30 PLAYNET_DIST=$PWD/dist cargo test -p playnet-e2e --release --test soak -- --ignored --nocapture --test-threads=1
//! ```

use std::time::{Duration, Instant};

use playnet_e2e::lab::LabPage;
use playnet_e2e::{
    Browser, BrowserOptions, Error, Result, StaticServer, by_testid, dist_dir, open_webcam_samples,
    parse_decimal, wait_until,
};
use serde_json::{Value, json};

/// The Playground's largest network: 10 hidden layers of 32, every feature.
const LARGEST: &str = "networkShape=32,32,32,32,32,32,32,32,32,32&x=true&y=true&xSquared=true\
    &ySquared=true&xTimesY=true&sinX=true&sinY=true&cosX=true&cosY=true";

const MB: f64 = 1024.0 * 1024.0;

fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
        .unwrap_or(default)
}

/// One reading.
#[derive(Clone, Debug)]
struct Sample {
    minute: f64,
    fps: f64,
    rate: f64,
    heap_mb: f64,
    page_wasm_mb: f64,
    worker_wasm_mb: f64,
    /// Live event listeners and DOM nodes (DevTools' `Memory.getDOMCounters`).
    listeners: f64,
    nodes: f64,
}

/// Frames the page drew in five seconds, per second.
fn frames_per_second(browser: &Browser) -> Result<f64> {
    let counted = browser.execute_async(
        "const done = arguments[arguments.length - 1]; let n = 0; const t0 = performance.now(); \
         const tick = (t) => { n++; if (t - t0 < 5000) requestAnimationFrame(tick); \
         else done(n * 1000 / (t - t0)); }; requestAnimationFrame(tick);",
        &[],
    )?;
    counted
        .as_f64()
        .ok_or_else(|| Error::new(format!("the frame count came back as {counted}")))
}

fn sample(browser: &Browser, started: Instant, rate: &dyn Fn() -> Result<f64>) -> Result<Sample> {
    let fps = frames_per_second(browser)?;
    let rate = rate()?;
    browser.cdp("HeapProfiler.collectGarbage", json!({}))?;
    let heap = browser.cdp("Runtime.getHeapUsage", json!({}))?;
    let used = heap["usedSize"]
        .as_f64()
        .ok_or_else(|| Error::new(format!("Runtime.getHeapUsage gave {heap}")))?;
    let dom = browser.cdp("Memory.getDOMCounters", json!({}))?;
    let counter = |key: &str| dom.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let memory = browser.execute(
        "return window.__playnet_memory ? window.__playnet_memory() : null;",
        &[],
    )?;
    let bytes = |key: &str| memory.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    if memory.is_null() {
        return Err(Error::new(
            "window.__playnet_memory is missing: is dist/ an old build?",
        ));
    }
    Ok(Sample {
        minute: started.elapsed().as_secs_f64() / 60.0,
        fps,
        rate,
        heap_mb: used / MB,
        page_wasm_mb: bytes("page") / MB,
        worker_wasm_mb: bytes("worker") / MB,
        listeners: counter("jsEventListeners"),
        nodes: counter("nodes"),
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// Plays for the configured minutes, printing each sample, then judges.
fn soak(
    name: &str,
    rate_name: &str,
    browser: &Browser,
    rate: &dyn Fn() -> Result<f64>,
) -> Result<()> {
    let minutes = env_f64("PLAYNET_SOAK_MINUTES", 30.0);
    let every = Duration::from_secs_f64(env_f64("PLAYNET_SOAK_SAMPLE_SECONDS", 60.0));
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(minutes * 60.0);
    println!(
        "\n{name}: {minutes} min, a sample every {} s",
        every.as_secs()
    );
    println!(
        "{:>7} {:>7} {:>10} {:>9} {:>10} {:>12} {:>10} {:>7}",
        "minute", "fps", rate_name, "heap MB", "page wasm", "worker wasm", "listeners", "nodes"
    );
    let mut samples: Vec<Sample> = Vec::new();
    let mut next = started;
    while Instant::now() < end {
        let now = Instant::now();
        if now < next {
            std::thread::sleep(next - now);
        }
        next += every;
        let s = sample(browser, started, rate)?;
        println!(
            "{:>7.1} {:>7.1} {:>10.2} {:>9.2} {:>10.1} {:>12.1} {:>10} {:>7}",
            s.minute,
            s.fps,
            s.rate,
            s.heap_mb,
            s.page_wasm_mb,
            s.worker_wasm_mb,
            s.listeners,
            s.nodes
        );
        samples.push(s);
    }
    judge(name, &samples)
}

/// Memory after warm-up must stay within 5 %; frames/s must not decay.
fn judge(name: &str, samples: &[Sample]) -> Result<()> {
    let warm = samples.len() / 5;
    let steady = &samples[warm.min(samples.len().saturating_sub(2))..];
    if steady.len() < 2 {
        return Err(Error::new(format!("{name}: too few samples to judge")));
    }
    let third = (steady.len() / 3).max(1);
    let (first, last) = (&steady[..third], &steady[steady.len() - third..]);
    let mut problems = Vec::new();
    let mut report = Vec::new();
    type Metric = fn(&Sample) -> f64;
    let metrics: [(&str, &str, Metric); 5] = [
        ("JS heap", " MB", |s| s.heap_mb),
        ("page wasm", " MB", |s| s.page_wasm_mb),
        ("worker wasm", " MB", |s| s.worker_wasm_mb),
        ("event listeners", "", |s| s.listeners),
        ("DOM nodes", "", |s| s.nodes),
    ];
    for (label, unit, get) in metrics {
        // The first third's median against the last third's: one sample
        // caught mid-allocation does not decide it.
        let start = median(first.iter().map(get).collect());
        let end = median(last.iter().map(get).collect());
        let growth = if start > 0.0 { end / start - 1.0 } else { 0.0 };
        report.push(format!(
            "{label} {start:.2}{unit} → {end:.2}{unit} ({:+.1} %)",
            growth * 100.0
        ));
        if growth > 0.05 {
            problems.push(format!(
                "{label} grew {:.1} % after warm-up",
                growth * 100.0
            ));
        }
    }
    let (fps_first, fps_last) = (
        mean(first.iter().map(|s| s.fps)),
        mean(last.iter().map(|s| s.fps)),
    );
    let (rate_first, rate_last) = (
        mean(first.iter().map(|s| s.rate)),
        mean(last.iter().map(|s| s.rate)),
    );
    report.push(format!(
        "frames/s {fps_first:.1} (first third) → {fps_last:.1} (last third); \
         rate {rate_first:.2} → {rate_last:.2}"
    ));
    if fps_last < 0.8 * fps_first {
        problems.push(format!(
            "frames/s fell from {fps_first:.1} to {fps_last:.1}"
        ));
    }
    println!("{name} after warm-up: {}", report.join("; "));
    if problems.is_empty() {
        println!("{name}: flat");
        Ok(())
    } else {
        Err(Error::new(format!("{name}: {}", problems.join("; "))))
    }
}

#[test]
#[ignore = "a soak benchmark: 30 minutes, run it on purpose (see the module docs)"]
fn soak_playground_largest_network() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default())?;
    browser.goto(&server.url(&format!("/#/?{LARGEST}")))?;
    browser.find_within(Duration::from_secs(30), &by_testid("epoch"))?;
    browser.click_on(&by_testid("play"))?;
    soak("Playground, largest network", "epochs/s", &browser, &|| {
        parse_decimal(&browser.text_of(&by_testid("epochs-per-second"))?)
    })
}

#[test]
#[ignore = "a soak benchmark: 30 minutes, run it on purpose (see the module docs)"]
fn soak_mnist_conv_preset() -> Result<()> {
    let page = LabPage::ready("/mnist?preset=conv", BrowserOptions::default())?;
    page.click("mnist-start")?;
    wait_until(Duration::from_secs(120), "training to start", || {
        Ok(page.count("mnist-step")? > 3)
    })?;
    soak("MNIST lab, conv preset", "steps/s", &page.browser, &|| {
        page.number("steps-per-second")
    })?;
    page.expect_no_errors()
}

#[test]
#[ignore = "a soak benchmark: 30 minutes, run it on purpose (see the module docs)"]
fn soak_webcam_prediction_loop() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default())?;
    open_webcam_samples(&browser, &server)?;
    let embed_ms = || parse_decimal(&browser.text_of(&by_testid("embed-ms"))?);
    soak(
        "Webcam page, prediction loop",
        "embed ms",
        &browser,
        &embed_ms,
    )
}
