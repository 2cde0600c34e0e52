//! The Playground on one screen: at a projector's and a laptop's window
//! sizes every input feature, every neuron, the output plot and Play are in
//! the viewport without scrolling — for the default network and for
//! 6 layers × 8 neurons — and projector mode keeps that at 1024×768 with
//! values readable from the back of a room. Screenshots land in
//! `tests/artifacts/`.

use std::time::Duration;

use playnet_e2e::{Browser, BrowserOptions, Result, StaticServer, by_testid, dist_dir};
use serde_json::Value;

/// How long the wasm may take to load and render the first frame.
const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// The browser windows a lesson is given in: a classroom projector, the two
/// common laptop screens and a full-HD monitor.
const WINDOWS: [(u32, u32); 4] = [(1024, 768), (1366, 768), (1440, 900), (1920, 1080)];

/// The default network, and the largest the page allows.
const NETWORKS: [(&str, &str); 2] = [("default", ""), ("6x8", "&networkShape=8,8,8,8,8,8")];

/// Every element that must be on screen, with its bounding box, read in one
/// script: the features, the neurons, the output plot, Play, and the top
/// bar's rows.
const MEASURE: &str = r#"
const box = (el) => { const r = el.getBoundingClientRect();
  return { id: el.dataset.testid, left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
const ids = [...document.querySelectorAll(
  '[data-testid^="feature-"], [data-testid^="node-"], [data-testid="heatmap-output"], [data-testid="play"]')];
const bar = document.querySelector('.playground .controls');
// Rows of the bar: a child starts a new row when it lies below the last.
let rows = 0, bottom = -Infinity;
for (const r of [...bar.children].filter(c => c.offsetParent !== null)
    .map(c => c.getBoundingClientRect()).sort((a, b) => a.top - b.top)) {
  if (r.top >= bottom - 1) { rows += 1; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); }
}
const value = document.querySelector('[data-testid="test-loss"]');
const node = document.querySelector('[data-testid="node-1-0"]');
const area = document.querySelector('.network-area').getBoundingClientRect();
const output = document.querySelector('.column.output').getBoundingClientRect();
return { width: window.innerWidth, height: window.innerHeight,
  scrollX: window.scrollX, scrollY: window.scrollY,
  boxes: ids.map(box), barRows: rows,
  valueFont: parseFloat(getComputedStyle(value).fontSize),
  node: node ? node.getBoundingClientRect().width : 0,
  overlap: area.right - output.left };
"#;

struct Measured {
    width: f64,
    height: f64,
    boxes: Vec<(String, [f64; 4])>,
    bar_rows: u64,
    value_font: f64,
    node: f64,
    /// How far the network view reaches into the output column (≤ 0: not).
    overlap: f64,
}

fn measure(browser: &Browser) -> Result<Measured> {
    let v = browser.execute(MEASURE, &[])?;
    let num = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    let boxes = v["boxes"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|b| {
                    let id = b["id"].as_str().unwrap_or("?").to_string();
                    (
                        id,
                        [
                            num(b, "left"),
                            num(b, "top"),
                            num(b, "right"),
                            num(b, "bottom"),
                        ],
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Measured {
        width: num(&v, "width"),
        height: num(&v, "height"),
        boxes,
        bar_rows: v["barRows"].as_u64().unwrap_or(0),
        value_font: num(&v, "valueFont"),
        node: num(&v, "node"),
        overlap: num(&v, "overlap"),
    })
}

/// The elements not wholly inside the viewport, and the network view if it
/// runs into the output column.
fn outside(m: &Measured) -> Vec<String> {
    let overlap =
        (m.overlap > 0.0).then(|| format!("the network view, {:.0} px into the output", m.overlap));
    m.boxes
        .iter()
        .filter(|(_, [l, t, r, b])| {
            *l < 0.0 || *t < 0.0 || *r > m.width + 0.5 || *b > m.height + 0.5
        })
        .map(|(id, [l, t, r, b])| format!("{id} ({l:.0},{t:.0})–({r:.0},{b:.0})"))
        .chain(overlap)
        .collect()
}

fn open(path: &str, (w, h): (u32, u32)) -> Result<(Browser, StaticServer)> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default().window_size(w, h))?;
    browser.goto(&server.url(path))?;
    browser.find_within(LOAD_TIMEOUT, &by_testid("heatmap-output"))?;
    // Two frames, so the network view has its final size.
    browser.execute_async(
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
        &[],
    )?;
    Ok((browser, server))
}

fn output_side(m: &Measured) -> f64 {
    m.boxes
        .iter()
        .find(|(id, _)| id == "heatmap-output")
        .map_or(0.0, |(_, [l, t, r, b])| (r - l).min(b - t))
}

#[test]
fn the_whole_network_and_the_output_fit_one_screen_at_every_lesson_size() -> Result<()> {
    let mut failures = Vec::new();
    for window in WINDOWS {
        for (name, shape) in NETWORKS {
            let (browser, _server) = open(&format!("/#seed=1{shape}"), window)?;
            let m = measure(&browser)?;
            let (w, h) = window;
            let shot = browser.screenshot(&format!("playground-{name}-{w}x{h}"))?;
            eprintln!(
                "{name} at {w}×{h} (viewport {}×{}): bar rows {}, node {:.0} px, output {:.0} px — {}",
                m.width,
                m.height,
                m.bar_rows,
                m.node,
                output_side(&m),
                shot.display()
            );
            let wide = browser.execute(
                "return document.documentElement.scrollWidth - window.innerWidth;",
                &[],
            )?;
            if wide.as_f64().is_none_or(|px| px > 1.0) {
                failures.push(format!(
                    "{name} at {w}×{h}: the page is {wide} px wider than the window"
                ));
            }
            let out = outside(&m);
            if !out.is_empty() {
                failures.push(format!(
                    "{name} at {w}×{h}: outside the viewport: {}",
                    out.join(", ")
                ));
            }
            if w >= 1366 && m.bar_rows > 1 {
                failures.push(format!(
                    "{name} at {w}×{h}: the top bar has {} rows",
                    m.bar_rows
                ));
            }
            // TFP's neuron squares are 30 px.
            if w >= 1366 && m.node < 30.0 {
                failures.push(format!("{name} at {w}×{h}: neurons are {:.0} px", m.node));
            }
            if (w, h) == (1920, 1080) && output_side(&m) < 300.0 {
                failures.push(format!(
                    "{name} at {w}×{h}: the output plot is {:.0} px",
                    output_side(&m)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

#[test]
fn the_output_plot_grows_with_the_window() -> Result<()> {
    let mut sides = Vec::new();
    for window in [(1024, 768), (1920, 1080)] {
        let (browser, _server) = open("/#seed=1", window)?;
        sides.push(output_side(&measure(&browser)?));
    }
    assert!(
        sides[1] > sides[0] * 1.2,
        "the output plot is {:.0} px at 1024×768 and {:.0} px at 1920×1080",
        sides[0],
        sides[1]
    );
    Ok(())
}

#[test]
fn projector_mode_is_readable_from_the_back_and_still_fits_a_projector() -> Result<()> {
    for (name, shape) in NETWORKS {
        let (browser, _server) = open(&format!("/#seed=1&projector=true{shape}"), (1024, 768))?;
        let m = measure(&browser)?;
        let shot = browser.screenshot(&format!("playground-projector-{name}-1024x768"))?;
        eprintln!(
            "projector {name}: values {} px — {}",
            m.value_font,
            shot.display()
        );
        let out = outside(&m);
        assert!(
            out.is_empty(),
            "projector {name}: outside the viewport: {}",
            out.join(", ")
        );
        assert!(
            m.value_font >= 24.0,
            "projector {name}: values are {} px",
            m.value_font
        );
        let article = browser.find(&by_testid("article"))?;
        assert!(
            !browser.is_displayed(&article)?,
            "projector mode hides the article"
        );
    }
    Ok(())
}

#[test]
fn the_projector_button_turns_projector_mode_on_and_into_the_link() -> Result<()> {
    let (browser, _server) = open("/#seed=1", (1366, 768))?;
    let before = measure(&browser)?.value_font;
    browser.click_on(&by_testid("projector"))?;
    let after = measure(&browser)?.value_font;
    assert!(
        after >= 24.0 && after > before,
        "values {before} px → {after} px"
    );
    let url = browser.current_url()?;
    assert!(url.contains("projector=true"), "{url}");
    browser.click_on(&by_testid("projector"))?;
    let url = browser.current_url()?;
    assert!(!url.contains("projector"), "{url}");
    assert_eq!(measure(&browser)?.value_font, before);
    Ok(())
}
