//! Accessibility of every page, in the states the other tests reach:
//!
//! - axe-core (`playnet_e2e::axe`, npm's `axe-core` in `target/axe`, which
//!   `cargo xtask setup` installs) finds no serious or critical violation;
//!   each one found is printed with its rule, impact, help and the selectors
//!   of the failing nodes;
//! - with the keyboard alone, Tab reaches every visible control (buttons,
//!   inputs, menus, links, summaries), none is taken out of the tab order
//!   with `tabindex="-1"`, and each one shows where the focus is (an outline
//!   or a box shadow);
//! - nothing that looks clickable (a pointer cursor) is out of the
//!   keyboard's reach, canvases aside (drawing and picking on a canvas is
//!   for a pointer; the pages' buttons and menus do the rest);
//! - every canvas has a text alternative: a name or a description of its
//!   own, or it is hidden from assistive technology as a decoration of a
//!   labelled image, button or link, or a layer under a labelled canvas.
//!
//! Each page's test gathers every problem before it fails, so one run shows
//! them all.

use std::time::Duration;

use playnet_e2e::lab::LabPage;
use playnet_e2e::{
    Browser, BrowserOptions, Error, Result, StaticServer, axe, by_testid, dist_dir, parse_count,
    wait_until,
};
use serde_json::Value;

const LOAD_TIMEOUT: Duration = Duration::from_secs(30);
/// The webcam page loads three wasm binaries and a 9 MB network.
const WEBCAM_READY: Duration = Duration::from_secs(120);
/// WebDriver's code for the Tab key.
const TAB: &str = "\u{E004}";

/// The problems a page's checks found, reported together at the end.
#[derive(Default)]
struct Findings(Vec<String>);

impl Findings {
    fn add(&mut self, outcome: Result<()>) {
        if let Err(e) = outcome {
            self.0.push(e.to_string());
        }
    }

    fn finish(self, page: &str) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(Error::new(format!(
            "{page}: {} accessibility problem(s):\n\n{}",
            self.0.len(),
            self.0.join("\n\n")
        )))
    }
}

fn open(path: &str, ready: &str, options: BrowserOptions) -> Result<(Browser, StaticServer)> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(options)?;
    browser.goto(&server.url(path))?;
    browser.find_within(LOAD_TIMEOUT, &by_testid(ready))?;
    Ok((browser, server))
}

fn no_panic(browser: &Browser) -> Result<()> {
    let panic = browser.execute("return window.__playnet_panic || null;", &[])?;
    if panic.is_null() {
        Ok(())
    } else {
        Err(Error::new(format!("the page panicked: {panic}")))
    }
}

/// Clicks by script: a control that may be scrolled anywhere.
fn click(browser: &Browser, testid: &str) -> Result<()> {
    browser.execute(
        "document.querySelector(arguments[0]).click(); return null;",
        &[by_testid(testid).into()],
    )?;
    Ok(())
}

/// Every canvas shown has a text alternative.
fn canvases_have_text(browser: &Browser, state: &str) -> Result<()> {
    let unnamed = browser.execute(
        "const text = ids => (ids || '').split(/\\s+/).filter(Boolean) \
           .map(id => document.getElementById(id)).filter(Boolean) \
           .map(el => el.textContent.trim()).join(' ').trim(); \
         const named = el => !!((el.getAttribute('aria-label') || '').trim() \
           || text(el.getAttribute('aria-labelledby'))); \
         const ok = c => { \
           if (named(c) || text(c.getAttribute('aria-describedby'))) return true; \
           if (!c.closest('[aria-hidden=\"true\"]')) return false; \
           const img = c.closest('[role=\"img\"]'); \
           const control = c.closest('button, a[href]'); \
           const layers = [...c.parentElement.querySelectorAll(':scope > canvas')]; \
           return !!((img && named(img)) || (control && (named(control) || control.textContent.trim())) \
             || layers.some(l => l !== c && named(l))); }; \
         return [...document.querySelectorAll('canvas')] \
           .filter(c => c.getClientRects().length > 0) \
           .filter(c => !ok(c)) \
           .map(c => (c.closest('[data-testid]') ? c.closest('[data-testid]').dataset.testid + ' ' : '') \
             + c.outerHTML.slice(0, 120));",
        &[],
    )?;
    let unnamed: Vec<String> = unnamed
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if unnamed.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "{state}: {} canvas(es) with no text alternative (aria-label, aria-labelledby, \
             aria-describedby, or aria-hidden inside a labelled role=img):\n  {}",
            unnamed.len(),
            unnamed.join("\n  ")
        )))
    }
}

/// What a Tab walk saw: each focus in turn, and the controls that should be
/// reachable.
const FOCUS_RECORDER: &str = "\
    const ids = window.__a11yIds = new WeakMap(); let next = 0; \
    window.__a11yId = el => { if (!ids.has(el)) ids.set(el, next++); return ids.get(el); }; \
    window.__a11yName = el => { \
      const t = el.closest('[data-testid]'); \
      const label = (el.getAttribute('aria-label') || el.textContent || el.value || '') \
        .trim().replace(/\\s+/g, ' ').slice(0, 40); \
      return el.tagName.toLowerCase() + (el.type ? '[type=' + el.type + ']' : '') \
        + (t ? ' in [data-testid=' + t.dataset.testid + ']' : '') \
        + (label ? ' \"' + label + '\"' : ''); }; \
    window.__a11yFocus = []; \
    if (!window.__a11yListening) { \
      window.__a11yListening = true; \
      document.addEventListener('focusin', e => { \
        const el = e.target; const cs = getComputedStyle(el); \
        const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0; \
        const shadow = cs.boxShadow && cs.boxShadow !== 'none'; \
        window.__a11yFocus.push({ id: window.__a11yId(el), name: window.__a11yName(el), \
          indicator: outline || shadow, \
          style: 'outline: ' + cs.outlineStyle + ' ' + cs.outlineWidth + '; box-shadow: ' + cs.boxShadow }); \
      }, true); } \
    document.activeElement && document.activeElement.blur(); \
    window.scrollTo(0, 0); \
    return null;";

/// The controls a keyboard user must reach: visible, enabled, not inert.
/// Radio buttons of one group are one stop.
const CONTROLS: &str = "\
    const selector = 'a[href], button, input, select, textarea, summary, iframe, \
      [tabindex], [contenteditable=\"\"], [contenteditable=\"true\"]'; \
    const shown = el => el.getClientRects().length > 0 \
      && el.checkVisibility({ visibilityProperty: true }); \
    return [...document.querySelectorAll(selector)] \
      .filter(el => shown(el) && !el.disabled && !el.closest('[inert]')) \
      .filter(el => !(el.tagName === 'INPUT' && el.type === 'hidden')) \
      .filter(el => !(el.matches('[tabindex]') && !el.matches('a[href], button, input, select, \
        textarea, summary, iframe') && el.tabIndex < 0)) \
      .map(el => ({ id: window.__a11yId(el), name: window.__a11yName(el), \
        tabindex: el.getAttribute('tabindex'), \
        group: el.type === 'radio' && el.name ? 'radio:' + el.name : null }));";

/// What shows a pointer cursor but is neither a control nor inside one
/// (outermost such elements only: the cursor is inherited).
const POINTER_ONLY: &str = "\
    const reachable = 'a[href], button, input, select, textarea, summary, label, [tabindex]'; \
    const pointer = el => el && getComputedStyle(el).cursor === 'pointer'; \
    return [...document.querySelectorAll('body *')] \
      .filter(el => el.tagName !== 'CANVAS' && el.getClientRects().length > 0) \
      .filter(el => pointer(el) && !pointer(el.parentElement)) \
      .filter(el => !el.closest(reachable) && !el.querySelector(reachable)) \
      .map(el => window.__a11yName(el));";

/// Tabs through the whole page from the top: every control is reached, none
/// is out of the tab order, and each focus is visible.
fn keyboard_reaches_every_control(browser: &Browser, state: &str) -> Result<()> {
    browser.execute(FOCUS_RECORDER, &[])?;
    let controls = browser.execute(CONTROLS, &[])?;
    let controls = controls.as_array().cloned().unwrap_or_default();
    // A few more presses than controls: every one is passed at least once.
    let presses = controls.len() + 5;
    for chunk in (0..presses).collect::<Vec<_>>().chunks(40) {
        browser.keys(&vec![TAB; chunk.len()])?;
    }
    let seen = browser.execute("return window.__a11yFocus;", &[])?;
    let seen = seen.as_array().cloned().unwrap_or_default();
    let reached = |c: &Value| -> bool {
        seen.iter().any(|s| s["id"] == c["id"])
            || (!c["group"].is_null()
                && controls
                    .iter()
                    .any(|o| o["group"] == c["group"] && seen.iter().any(|s| s["id"] == o["id"])))
    };
    let mut problems = Vec::new();
    for c in &controls {
        let name = c["name"].as_str().unwrap_or("?");
        if c["tabindex"].as_str().is_some_and(|t| t.trim() == "-1") {
            problems.push(format!("{name}: tabindex=-1 takes it out of the tab order"));
        } else if !reached(c) {
            problems.push(format!("{name}: Tab never reaches it"));
        }
    }
    let pointer_only = browser.execute(POINTER_ONLY, &[])?;
    for name in pointer_only.as_array().into_iter().flatten() {
        problems.push(format!(
            "{}: looks clickable (pointer cursor) but the keyboard cannot reach it",
            name.as_str().unwrap_or("?")
        ));
    }
    let mut reported = std::collections::HashSet::new();
    for s in &seen {
        if s["indicator"] != true && reported.insert(s["id"].to_string()) {
            problems.push(format!(
                "{}: no visible focus indicator ({})",
                s["name"].as_str().unwrap_or("?"),
                s["style"].as_str().unwrap_or("")
            ));
        }
    }
    println!(
        "keyboard, {state}: {} controls, {} Tab presses, {} focus stops",
        controls.len(),
        presses,
        seen.len()
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "keyboard, {state}: {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        )))
    }
}

/// axe, canvases and keyboard on the page as it is now.
fn check_all(browser: &Browser, state: &str, findings: &mut Findings) {
    findings.add(axe::check(browser, state));
    findings.add(canvases_have_text(browser, state));
    findings.add(keyboard_reaches_every_control(browser, state));
}

fn epoch(browser: &Browser) -> Result<u64> {
    parse_count(&browser.text_of(&by_testid("epoch"))?)
}

/// Focuses the input feature X₁² by Tab and presses Space: the feature
/// toggles and training does not start.
fn space_presses_the_focused_button(browser: &Browser) -> Result<()> {
    let pressed = || -> Result<String> {
        let el = browser.find(&by_testid("feature-xSquared"))?;
        Ok(browser.attribute(&el, "aria-pressed")?.unwrap_or_default())
    };
    let before = pressed()?;
    let epoch_before = epoch(browser)?;
    browser.execute(FOCUS_RECORDER, &[])?;
    wait_until(Duration::from_secs(10), "Tab to reach X₁²", || {
        browser.keys(&[TAB])?;
        let focused = browser.execute(
            "return document.activeElement && document.activeElement.dataset.testid || null;",
            &[],
        )?;
        Ok(focused.as_str() == Some("feature-xSquared"))
    })?;
    browser.keys(&[" "])?;
    wait_until(Duration::from_secs(5), "Space to toggle X₁²", || {
        Ok(pressed()? != before)
    })?;
    std::thread::sleep(Duration::from_millis(500));
    let epoch_after = epoch(browser)?;
    if epoch_after != epoch_before {
        return Err(Error::new(format!(
            "Space on a focused feature also played: epoch {epoch_before} → {epoch_after}"
        )));
    }
    // Back as it was.
    browser.keys(&[" "])?;
    wait_until(
        Duration::from_secs(5),
        "Space to toggle X₁² back",
        || Ok(pressed()? == before),
    )
}

#[test]
fn the_playground_is_accessible_idle_trained_and_with_its_dialogs_open() -> Result<()> {
    let (browser, _server) = open("/", "epoch", BrowserOptions::default())?;
    let mut findings = Findings::default();
    check_all(&browser, "the Playground at rest", &mut findings);
    // Space presses the focused button (here a feature's) instead of
    // playing: the page's shortcut leaves focused buttons alone.
    findings.add(space_presses_the_focused_button(&browser));

    // Trained a few epochs, paused: every heatmap and readout is filled in.
    click(&browser, "play")?;
    wait_until(Duration::from_secs(30), "a few epochs", || {
        Ok(epoch(&browser)? >= 20)
    })?;
    click(&browser, "play")?;
    check_all(&browser, "the Playground after training", &mut findings);

    // While it trains (the live readouts change under axe).
    click(&browser, "play")?;
    findings.add(axe::check(&browser, "the Playground while training"));
    click(&browser, "play")?;

    // The embed dialog.
    click(&browser, "embed")?;
    browser.find_within(Duration::from_secs(5), &by_testid("embed-dialog"))?;
    check_all(
        &browser,
        "the Playground with the embed dialog open",
        &mut findings,
    );
    no_panic(&browser)?;
    findings.finish("Playground")
}

#[test]
fn a_regression_playground_with_hidden_controls_is_accessible() -> Result<()> {
    let (browser, _server) = open(
        "/#problem=regression&regDataset=reg-plane&networkShape=4,2&hideText=true&activation_hide=true",
        "epoch",
        BrowserOptions::default(),
    )?;
    let mut findings = Findings::default();
    check_all(&browser, "a regression embed", &mut findings);
    no_panic(&browser)?;
    findings.finish("Playground, regression embed")
}

#[test]
fn the_error_panel_is_accessible() -> Result<()> {
    let (browser, _server) = open("/", "epoch", BrowserOptions::default())?;
    browser.execute(
        "try { window.wasmBindings.playnet_test_panic(); } catch (e) {} return null;",
        &[],
    )?;
    browser.find_within(Duration::from_secs(5), &by_testid("error-panel"))?;
    let mut findings = Findings::default();
    findings.add(axe::check(&browser, "the error panel"));
    findings.finish("error panel")
}

#[test]
fn the_mnist_lab_is_accessible_idle_and_training() -> Result<()> {
    let page = LabPage::ready("/mnist?preset=softmax", BrowserOptions::default())?;
    let browser = &page.browser;
    let mut findings = Findings::default();
    check_all(browser, "the MNIST lab, ready", &mut findings);

    // Training (axe only: the keyboard walk would race the readouts), then
    // paused with its architecture editor open.
    page.click("mnist-start")?;
    wait_until(Duration::from_secs(60), "a few steps", || {
        Ok(page.count("mnist-step")? >= 30)
    })?;
    findings.add(axe::check(browser, "the MNIST lab while training"));
    page.click("mnist-pause")?;
    page.wait_tested_now(Duration::from_secs(60))?;
    browser.execute(
        "document.querySelector(arguments[0]).open = true; return null;",
        &[by_testid("arch-editor").into()],
    )?;
    check_all(
        browser,
        "the MNIST lab, trained, architecture editor open",
        &mut findings,
    );
    page.expect_no_errors()?;
    findings.finish("MNIST lab")
}

fn webcam_ready(browser: &Browser) -> Result<()> {
    browser.find_within(LOAD_TIMEOUT, &by_testid("webcam-page"))?;
    wait_until(WEBCAM_READY, "the network to load", || {
        let status = browser.find(&by_testid("status"))?;
        match browser.attribute(&status, "data-phase")?.as_deref() {
            Some("error") => Err(Error::new(browser.text(&status)?)),
            Some("ready") => Ok(true),
            _ => Ok(false),
        }
    })
}

#[test]
fn the_webcam_page_is_accessible_with_sample_pictures_and_a_trained_head() -> Result<()> {
    let (browser, _server) = open(
        "/#/webcam?samples=true",
        "webcam-page",
        BrowserOptions::default(),
    )?;
    webcam_ready(&browser)?;
    let mut findings = Findings::default();
    check_all(
        &browser,
        "the webcam page, samples, no examples",
        &mut findings,
    );

    click(&browser, "add-samples")?;
    wait_until(Duration::from_secs(120), "the sample pictures", || {
        let counts: Result<Vec<u64>> = (0..4)
            .map(|c| {
                browser
                    .text_of(&by_testid(&format!("class-{c}-count")))
                    .and_then(|t| parse_count(&t))
            })
            .collect();
        Ok(counts?.iter().sum::<u64>() >= 80)
    })?;
    browser.execute(
        "const s = document.querySelector(arguments[0]); s.value = '5'; \
         s.dispatchEvent(new Event('change', { bubbles: true })); return null;",
        &[by_testid("head-epochs").into()],
    )?;
    click(&browser, "train-head")?;
    wait_until(Duration::from_secs(90), "the head to train", || {
        let note = browser.text_of(&by_testid("head-note"))?;
        if note.starts_with("Training failed") {
            return Err(Error::new(note));
        }
        Ok(note.starts_with("Trained"))
    })?;
    check_all(&browser, "the webcam page, trained head", &mut findings);
    no_panic(&browser)?;
    findings.finish("webcam page")
}

#[test]
fn the_webcam_page_is_accessible_with_a_camera_and_without_one() -> Result<()> {
    // Chromium's fake camera (its own test pattern), allowed.
    let (browser, _server) = open(
        "/#/webcam",
        "webcam-page",
        BrowserOptions::default()
            .arg("--use-fake-ui-for-media-stream")
            .arg("--use-fake-device-for-media-stream"),
    )?;
    webcam_ready(&browser)?;
    wait_until(Duration::from_secs(30), "the camera", || {
        let status = browser.find(&by_testid("camera-status"))?;
        Ok(browser.attribute(&status, "data-source")?.as_deref() == Some("on"))
    })?;
    let mut findings = Findings::default();
    check_all(&browser, "the webcam page with a camera", &mut findings);
    no_panic(&browser)?;
    drop(browser);

    // The camera refused: the page explains why and offers pictures.
    let (browser, _server) = open(
        "/#/webcam",
        "webcam-page",
        BrowserOptions::default()
            .arg("--use-fake-device-for-media-stream")
            .arg("--deny-permission-prompts"),
    )?;
    wait_until(Duration::from_secs(60), "the camera to be refused", || {
        let status = browser.find(&by_testid("camera-status"))?;
        Ok(browser.attribute(&status, "data-source")?.as_deref() == Some("failed"))
    })?;
    check_all(&browser, "the webcam page, camera refused", &mut findings);
    no_panic(&browser)?;
    findings.finish("webcam page, camera")
}

fn sketch_phase(browser: &Browser) -> Result<String> {
    let status = browser.find(&by_testid("sketch-status"))?;
    Ok(browser
        .attribute(&status, "data-phase")?
        .unwrap_or_default())
}

#[test]
fn the_sketch_page_is_accessible_with_candidates() -> Result<()> {
    let (browser, _server) = open("/#/sketch", "sketch-page", BrowserOptions::default())?;
    wait_until(Duration::from_secs(60), "the model to load", || {
        let phase = sketch_phase(&browser)?;
        if phase == "error" {
            return Err(Error::new(browser.text_of(&by_testid("sketch-status"))?));
        }
        Ok(phase != "loading")
    })?;
    let mut findings = Findings::default();
    check_all(&browser, "the sketch page, empty", &mut findings);
    click(&browser, "from-nothing")?;
    wait_until(Duration::from_secs(60), "the candidates", || {
        Ok(sketch_phase(&browser)? == "done")
    })?;
    check_all(&browser, "the sketch page with candidates", &mut findings);
    no_panic(&browser)?;
    findings.finish("sketch page")
}

#[test]
fn the_about_page_is_accessible() -> Result<()> {
    let (browser, _server) = open("/#/about", "about", BrowserOptions::default())?;
    let mut findings = Findings::default();
    check_all(&browser, "the About page", &mut findings);
    no_panic(&browser)?;
    findings.finish("About")
}

#[test]
fn the_lesson_page_and_its_playgrounds_are_accessible() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start()?;
    browser.goto(&server.url("/lesson.html"))?;
    wait_until(LOAD_TIMEOUT, "both playgrounds to render", || {
        let ready = browser.execute(
            "return [...document.querySelectorAll('iframe')].every(f => \
               f.contentDocument && f.contentDocument.querySelector('[data-testid=epoch]'));",
            &[],
        )?;
        Ok(ready.as_bool() == Some(true))
    })?;
    // axe in the lesson and in both frames: one report for all three.
    axe::inject_with_frames(&browser, 2)?;
    let mut findings = Findings::default();
    findings.add(axe::run(&browser).and_then(|v| axe::expect_none_serious("the lesson", v)));
    findings.add(canvases_have_text(&browser, "the lesson"));
    findings.finish("lesson")
}

/// A page with one of each problem the checks look for, so a check that
/// silently stopped finding anything would fail here.
const FLAWED_PAGE: &str = r#"<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>flawed</title>
    <style>
      #ringless:focus { outline: none; box-shadow: none; }
      .faint { color: #bbb; }
      .fake { cursor: pointer; }
    </style>
  </head>
  <body>
    <main>
      <h1>Flawed</h1>
      <button id="fine">Fine</button>
      <button id="ringless">No focus ring</button>
      <button tabindex="-1">Out of the tab order</button>
      <input type="text">
      <p class="faint">Hard to read</p>
      <div class="fake">Looks like a button</div>
      <canvas width="10" height="10"></canvas>
    </main>
  </body>
</html>
"#;

#[test]
fn the_checks_find_what_they_look_for() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("playnet-e2e-a11y-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::new(e.to_string()))?;
    std::fs::write(dir.join("index.html"), FLAWED_PAGE).map_err(|e| Error::new(e.to_string()))?;
    let server = StaticServer::start(&dir)?;
    let browser = Browser::start()?;
    browser.goto(&server.url("/"))?;
    axe::inject(&browser)?;
    let violations = axe::run(&browser)?;
    let ids: Vec<&str> = violations.iter().map(|v| v.id.as_str()).collect();
    assert!(
        ids.contains(&"label") && ids.contains(&"color-contrast"),
        "{ids:?}"
    );
    let report = axe::expect_none_serious("the flawed page", violations)
        .expect_err("serious violations fail")
        .to_string();
    assert!(
        report.contains("label (critical)") && report.contains("at input"),
        "{report}"
    );
    let canvases = canvases_have_text(&browser, "flawed")
        .expect_err("an unnamed canvas")
        .to_string();
    assert!(canvases.contains("1 canvas"), "{canvases}");
    let keyboard = keyboard_reaches_every_control(&browser, "flawed")
        .expect_err("keyboard problems")
        .to_string();
    for expected in [
        "\"Out of the tab order\": tabindex=-1",
        "\"No focus ring\": no visible focus indicator",
        "\"Looks like a button\": looks clickable",
    ] {
        assert!(keyboard.contains(expected), "{expected}: {keyboard}");
    }
    assert!(!keyboard.contains("\"Fine\""), "{keyboard}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
