//! How fast the Playground trains and draws, measured by the page itself in
//! headless Chromium: a benchmark, not a test (it asserts nothing about
//! speed and is `#[ignore]`d so CI does not time it on a shared machine).
//!
//! For each network and speed it prints the page's frames/s and epochs/s,
//! and where a frame's time goes: the controller's smoothed milliseconds
//! per phase (`window.__playnet_timings`: training, metrics, the forward
//! pass over the grid, the output panel, the links, the network picture,
//! and the whole animation-frame callback).
//!
//! ```sh
//! cargo xtask build --release
//! PLAYNET_DIST=$PWD/dist cargo test -p playnet-e2e --test bench_playground -- --ignored --nocapture
//! ```
//!
//! To compare two builds under the same load (the machine is shared and
//! noisy), point `PLAYNET_BENCH_BASELINE` at the other build's folder
//! (e.g. `trunk build --release --dist /tmp/before` on the old commit):
//! every configuration is then measured on both pages in turn, in one
//! browser.
//!
//! `playground_frame_profile` records a DevTools timeline of the largest
//! network playing and prints where the renderer's main thread spends its
//! time, inside the frame callback and outside it (style, layout, paint,
//! garbage collection…).

use std::path::PathBuf;
use std::time::Duration;

use std::collections::HashMap;

use playnet_e2e::{
    Browser, BrowserOptions, Result, StaticServer, by_testid, dist_dir, parse_decimal,
};

/// The largest network the page offers: 10 hidden layers of 32 neurons, every feature.
const LARGEST: &str = "networkShape=32,32,32,32,32,32,32,32,32,32&x=true&y=true&xSquared=true\
    &ySquared=true&xTimesY=true&sinX=true&sinY=true&cosX=true&cosY=true";

/// How long each configuration plays before the page's figures are read.
const PLAY_FOR: Duration = Duration::from_secs(6);

fn measure(browser: &Browser, url: &str, speed: &str) -> Result<(f64, f64, String)> {
    browser.goto(url)?;
    browser.find_within(Duration::from_secs(30), &by_testid("epoch"))?;
    browser.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
         el.dispatchEvent(new Event('change', { bubbles: true })); return null;",
        &[by_testid("speed").into(), speed.into()],
    )?;
    browser.click_on(&by_testid("play"))?;
    std::thread::sleep(PLAY_FOR);
    let fps = parse_decimal(&browser.text_of(&by_testid("fps"))?)?;
    let eps = parse_decimal(&browser.text_of(&by_testid("epochs-per-second"))?)?;
    let timings = browser.execute(
        "const t = window.__playnet_timings || {}; \
         return Object.entries(t).map(([k, v]) => k + ' ' + v.toFixed(1)).join(', ');",
        &[],
    )?;
    browser.click_on(&by_testid("play"))?;
    Ok((fps, eps, timings.as_str().unwrap_or_default().to_string()))
}

#[test]
#[ignore = "a benchmark: run it on purpose, see the module docs"]
fn playground_frames_and_epochs_per_second() -> Result<()> {
    let mut pages = vec![("this build", StaticServer::start(dist_dir()?)?)];
    if let Some(baseline) = std::env::var_os("PLAYNET_BENCH_BASELINE") {
        pages.insert(
            0,
            ("baseline", StaticServer::start(PathBuf::from(baseline))?),
        );
    }
    let browser = Browser::start()?;
    for (name, hash) in [
        ("default (2→4→2→1)", "x=true&y=true"),
        ("largest (9→32×10→1)", LARGEST),
    ] {
        for speed in ["1", "10", "100"] {
            for (build, server) in &pages {
                let url = server.url(&format!("/#{hash}"));
                let (fps, eps, timings) = measure(&browser, &url, speed)?;
                println!(
                    "{name:<22} {speed:>3} epochs/frame {build:>10}: {fps:6.1} frames/s, {eps:8.1} epochs/s"
                );
                println!("    ms per frame: {timings}");
            }
        }
    }
    Ok(())
}

/// Milliseconds per second of each trace event name on the renderer's main
/// thread over the last `seconds` of the trace, largest first (nested
/// events count in each of their parents too).
fn main_thread_profile(events: &[serde_json::Value], seconds: f64) -> Vec<(String, f64)> {
    let trace: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| {
            e.pointer("/message/method").and_then(|m| m.as_str()) == Some("Tracing.dataCollected")
        })
        .filter_map(|e| e.pointer("/message/params"))
        .collect();
    let end = trace
        .iter()
        .filter_map(|e| e["ts"].as_f64())
        .fold(0.0, f64::max);
    let from = end - seconds * 1e6;
    // The busiest renderer main thread is the page's (Chromium may keep a
    // spare renderer).
    let mut per_thread: HashMap<(String, String), HashMap<String, f64>> = HashMap::new();
    let mains: Vec<(String, String)> = trace
        .iter()
        .filter(|e| e["name"] == "thread_name" && e["args"]["name"] == "CrRendererMain")
        .map(|e| (e["pid"].to_string(), e["tid"].to_string()))
        .collect();
    for e in &trace {
        let thread = (e["pid"].to_string(), e["tid"].to_string());
        let recent = e["ts"].as_f64().is_some_and(|ts| ts >= from);
        if !mains.contains(&thread) || !recent || e["ph"] != "X" {
            continue;
        }
        if let (Some(name), Some(dur)) = (e["name"].as_str(), e["dur"].as_f64()) {
            *per_thread
                .entry(thread)
                .or_default()
                .entry(name.to_string())
                .or_default() += dur / 1000.0 / seconds;
        }
    }
    let busiest = |t: &HashMap<String, f64>| t.get("RunTask").copied().unwrap_or(0.0);
    let totals = per_thread
        .into_values()
        .max_by(|a, b| busiest(a).total_cmp(&busiest(b)))
        .unwrap_or_default();
    let mut list: Vec<(String, f64)> = totals.into_iter().collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1));
    list
}

#[test]
#[ignore = "a profile: run it on purpose, see the module docs"]
fn playground_frame_profile() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let options = BrowserOptions::default()
        .trace("devtools.timeline,disabled-by-default-devtools.timeline,v8");
    let browser = Browser::start_with(options)?;
    browser.goto(&server.url(&format!("/#{LARGEST}")))?;
    browser.find_within(Duration::from_secs(30), &by_testid("epoch"))?;
    browser.click_on(&by_testid("play"))?;
    // ChromeDriver hands the trace over once, from the browser's start: the
    // window measured is its last `seconds`.
    let seconds = 4.0;
    std::thread::sleep(Duration::from_secs(2) + Duration::from_secs_f64(seconds));
    let events = browser.performance_log()?;
    let fps = parse_decimal(&browser.text_of(&by_testid("fps"))?)?;
    browser.click_on(&by_testid("play"))?;
    println!("largest network, 1 epoch/frame: {fps} frames/s; main thread ms per second:");
    for (name, ms) in main_thread_profile(&events, seconds).into_iter().take(25) {
        println!("    {name:<40} {ms:7.1}");
    }
    Ok(())
}
