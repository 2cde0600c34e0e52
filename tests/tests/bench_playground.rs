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

use std::time::Duration;

use playnet_e2e::{Browser, Result, StaticServer, by_testid, dist_dir, parse_decimal};

/// The largest network the page offers: 10 hidden layers of 32 neurons, every feature.
const LARGEST: &str = "networkShape=32,32,32,32,32,32,32,32,32,32&x=true&y=true&xSquared=true\
    &ySquared=true&xTimesY=true&sinX=true&sinY=true&cosX=true&cosY=true";

fn measure(browser: &Browser, url: &str, speed: &str) -> Result<(f64, f64)> {
    browser.goto(url)?;
    browser.find_within(Duration::from_secs(30), &by_testid("epoch"))?;
    browser.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
         el.dispatchEvent(new Event('change', { bubbles: true })); return null;",
        &[by_testid("speed").into(), speed.into()],
    )?;
    browser.click_on(&by_testid("play"))?;
    std::thread::sleep(Duration::from_secs(6));
    let fps = parse_decimal(&browser.text_of(&by_testid("fps"))?)?;
    let eps = parse_decimal(&browser.text_of(&by_testid("epochs-per-second"))?)?;
    let timings = browser.execute(
        "const t = window.__playnet_timings || {}; \
         return Object.entries(t).map(([k, v]) => k + ' ' + v.toFixed(1)).join(', ');",
        &[],
    )?;
    println!("    ms per frame: {}", timings.as_str().unwrap_or_default());
    browser.click_on(&by_testid("play"))?;
    Ok((fps, eps))
}

#[test]
#[ignore = "a benchmark: run it on purpose, see the module docs"]
fn playground_frames_and_epochs_per_second() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start()?;
    for (name, hash) in [
        ("default (2→4→2→1)", "x=true&y=true"),
        ("largest (9→32×10→1)", LARGEST),
    ] {
        for speed in ["1", "10", "100"] {
            let (fps, eps) = measure(&browser, &server.url(&format!("/#{hash}")), speed)?;
            println!("{name:<22} {speed:>3} epochs/frame: {fps:6.1} frames/s, {eps:8.1} epochs/s");
        }
    }
    Ok(())
}
