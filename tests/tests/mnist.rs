//! The MNIST lab (`#/mnist`), built by trunk and driven in headless Chromium.
//!
//! The page's contract with these tests, all through `data-testid`s:
//! - `mnist-status` carries `data-phase` (`downloading`, `decoding`, `ready`,
//!   `failed`) and says what went wrong when the data cannot be had;
//!   `mnist-progress` is the download's `<progress>`;
//! - `mnist-start` / `mnist-pause` / `mnist-reset`, readouts `mnist-step`,
//!   `mnist-epoch`, `train-accuracy`, `train-loss`, `test-accuracy`,
//!   `test-loss`, `tested-step`, `steps-per-second`, `lecture-accuracy`,
//!   `frame-counter` (animation frames drawn), `backend` and `simd-toggle`;
//! - `preset-<id>` buttons; the pad `mnist-pad`, `pad-clear`,
//!   `pad-probabilities` with `prob-<k>` rows (`data-value`: probability) or
//!   `pad-hint`; `export-model`, `download-weights`, `download-config`,
//!   `load-model`; `mnist-confusion`.
//!
//! Run through `cargo xtask test`, which builds the page into `dist/` first.

use std::time::{Duration, Instant};

use playnet_e2e::lab::{LabPage, READY_TIMEOUT};
use playnet_e2e::{Browser, BrowserOptions, Result, StaticServer, by_testid, dist_dir, wait_until};
use serde_json::json;

/// Softmax reaching 80% on a loaded two-core machine.
const TRAIN_TIMEOUT: Duration = Duration::from_secs(90);
/// A full test evaluation after a pause.
const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A vertical stroke: a "1".
fn one() -> serde_json::Value {
    json!([(0..=20).map(|i| [140, 40 + i * 10]).collect::<Vec<_>>()])
}

#[test]
fn softmax_trains_in_a_worker_while_the_page_keeps_drawing() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    // The download finished: the bar is full.
    let progress = page.browser.execute(
        "const p = document.querySelector('[data-testid=mnist-progress]'); return [p.value, p.max];",
        &[],
    )?;
    assert_eq!(
        progress[0], progress[1],
        "progress bar not full: {progress}"
    );
    assert!(page.text("mnist-status")?.contains("60,000"));
    assert_eq!(page.text("lecture-accuracy")?, "92.00%");
    assert_eq!(page.count("mnist-step")?, 0);
    assert_eq!(page.text("backend")?, "cpu-simd128");

    page.click("preset-softmax")?;
    page.click("mnist-start")?;
    let frames_before = page.count("frame-counter")?;
    let started = Instant::now();
    let mut accuracy = 0.0;
    wait_until(TRAIN_TIMEOUT, "test accuracy above 80%", || {
        accuracy = page.number("test-accuracy")?;
        Ok(accuracy > 80.0)
    })
    .map_err(|e| e.context(format!("test accuracy {accuracy}%")))?;
    let took = started.elapsed();

    // The page kept drawing frames while the worker trained.
    let t0 = Instant::now();
    let (f0, s0) = (page.count("frame-counter")?, page.count("mnist-step")?);
    std::thread::sleep(Duration::from_secs(2));
    let (f1, s1) = (page.count("frame-counter")?, page.count("mnist-step")?);
    let fps = (f1 - f0) as f64 / t0.elapsed().as_secs_f64();
    println!(
        "softmax: {accuracy}% after {:.1}s; {fps:.0} frames/s while training; steps {s0}→{s1}; {} frames since start",
        took.as_secs_f64(),
        f1 - frames_before
    );
    assert!(f1 > f0 + 10, "frames {f0}→{f1} in 2 s while training");
    assert!(s1 > s0, "steps {s0}→{s1}: training is not running");
    assert!(page.number("steps-per-second")? > 0.0);
    assert!(page.number("train-accuracy")? > 50.0);
    assert!(page.number("train-loss")? < 2.0);
    assert!(page.number("test-loss")? < 1.5);

    // Pause stops the step counter, and the frames go on.
    page.click("mnist-pause")?;
    page.wait_for_text("mnist-status", "Paused", Duration::from_secs(10))?;
    let paused = page.count("mnist-step")?;
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        page.count("mnist-step")?,
        paused,
        "steps went on after pause"
    );
    let (tested, _) = page.wait_tested_now(TEST_TIMEOUT)?;
    assert!(tested > 0.8, "{tested}");
    assert!(
        page.text("mnist-confusion")?.len() > 100,
        "the confusion matrix is empty"
    );
    // The curves read the step under the pointer: at the right end of the
    // accuracy chart, the latest test, as the readout shows it.
    let r = page.browser.execute(
        "const c = document.querySelector('[data-testid=mnist-accuracy-chart]'); \
         c.scrollIntoView({block: 'center'}); const r = c.getBoundingClientRect(); \
         return [r.right - 10, (r.top + r.bottom) / 2];",
        &[],
    )?;
    let at = |i: usize| r[i].as_f64().unwrap_or(f64::NAN);
    page.browser
        .pointer(playnet_e2e::PointerKind::Mouse, at(0), at(1), false)?;
    let hover = page.text("mnist-curve-hover")?;
    let shown = page.number("test-accuracy")?;
    let read = hover
        .strip_prefix("test at step ")
        .and_then(|rest| rest.split("accuracy ").nth(1))
        .and_then(|rest| rest.split('%').next())
        .and_then(|v| v.parse::<f64>().ok());
    assert!(
        read.is_some_and(|v| (v - shown).abs() < 0.051) && hover.contains(" · batch at step "),
        "hovered {hover:?}, the readout says {shown}%"
    );

    // The kernel switch changes the backend, and training still works.
    page.click("simd-toggle")?;
    page.wait_for_text("backend", "cpu-scalar", Duration::from_secs(5))?;
    page.click("mnist-start")?;
    wait_until(Duration::from_secs(20), "scalar steps", || {
        Ok(page.count("mnist-step")? > paused + 20)
    })?;
    page.click("mnist-pause")?;
    page.click("simd-toggle")?;
    page.wait_for_text("backend", "cpu-simd128", Duration::from_secs(5))?;
    page.browser.screenshot("mnist-softmax-trained")?;
    page.expect_no_errors()
}

#[test]
fn the_pad_classifies_drawings_and_export_then_load_keeps_the_accuracy() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    // An empty pad classifies nothing.
    assert_eq!(page.probabilities()?, None);
    page.browser.find(&by_testid("pad-hint"))?;

    page.click("mnist-start")?;
    wait_until(TRAIN_TIMEOUT, "some training", || {
        Ok(page.count("mnist-step")? >= 200)
    })?;
    page.click("mnist-pause")?;
    page.wait_tested_now(TEST_TIMEOUT)?;
    let trained = page.number("test-accuracy")?;

    page.draw(one())?;
    let mut probabilities = None;
    wait_until(
        Duration::from_secs(10),
        "probabilities for the drawing",
        || {
            probabilities = page.probabilities()?;
            Ok(probabilities.is_some())
        },
    )?;
    let p = probabilities.unwrap_or_default();
    let sum: f64 = p.iter().sum();
    assert_eq!(p.len(), 10, "{p:?}");
    assert!(
        (sum - 1.0).abs() < 1e-3,
        "probabilities sum to {sum}: {p:?}"
    );
    println!("a drawn 1: {p:?}");
    page.click("pad-clear")?;
    wait_until(
        Duration::from_secs(5),
        "no probabilities after clear",
        || Ok(page.probabilities()?.is_none()),
    )?;

    // Export, reset (fresh weights), load: the same test accuracy again.
    page.click("export-model")?;
    let (weights, config) = (
        page.href("download-weights")?,
        page.href("download-config")?,
    );
    page.click("mnist-reset")?;
    let question = page.answer_discard(true)?;
    assert!(
        question.contains("Reset") && question.contains("Export"),
        "{question}"
    );
    wait_until(Duration::from_secs(30), "a fresh network", || {
        Ok(page.count("mnist-step")? == 0 && page.number("test-accuracy")? != trained)
    })?;
    page.load_files(json!([
        ["playnet-mnist.json", config, null],
        ["playnet-mnist.safetensors", weights, null]
    ]))?;
    page.wait_for_text("mnist-status", "Model loaded", Duration::from_secs(20))?;
    wait_until(
        Duration::from_secs(30),
        "the loaded model's accuracy",
        || Ok(page.number("test-accuracy")? == trained),
    )
    .map_err(|e| e.context(format!("trained {trained}%")))?;

    // A model of another architecture is refused, and the network kept.
    let other = r#"{"input":[28,28,1],"layers":[{"type":"dense","units":30,"activation":"relu"},{"type":"dense","units":10,"activation":"linear"}],"init":"he"}"#;
    // The loaded network is a trained one: replacing it is asked about.
    let refused = page.load_refused(json!([
        ["other.json", null, other],
        ["playnet-mnist.safetensors", weights, null]
    ]))?;
    println!("refused: {refused}");
    // Garbage weights, and a single file, too.
    page.load_refused(json!([
        ["playnet-mnist.json", config, null],
        ["playnet-mnist.safetensors", null, "not safetensors"]
    ]))?;
    page.load_files(json!([["playnet-mnist.json", config, null]]))?;
    page.wait_for_text("mnist-status", "pick both files", Duration::from_secs(10))?;
    assert_eq!(page.number("test-accuracy")?, trained);
    page.expect_no_errors()
}

#[test]
fn missing_or_corrupt_data_is_a_message_not_a_hang() -> Result<()> {
    let page = LabPage::open("/mnist?data=missing", BrowserOptions::default())?;
    wait_until(Duration::from_secs(30), "the download to fail", || {
        Ok(page.phase()? == "failed")
    })?;
    let status = page.text("mnist-status")?;
    assert!(
        status.contains("Could not load the MNIST data") && status.contains("404"),
        "{status}"
    );
    assert!(
        page.browser
            .find(&by_testid("mnist-start"))
            .and_then(|b| page.browser.attribute(&b, "disabled"))?
            .is_some(),
        "Start should be disabled without data"
    );

    // Corrupt files: every fetch of the lab's data answers with junk.
    page.browser.goto(&page.url("/"))?;
    page.browser.find_within(Duration::from_secs(30), "main")?;
    page.browser.execute(
        "const real = window.fetch.bind(window); \
         window.fetch = (url, ...rest) => String(url).includes('mnist/') \
           ? Promise.resolve(new Response(new Uint8Array([1, 2, 3, 4, 5]))) \
           : real(url, ...rest); \
         location.hash = '#/mnist'; return null;",
        &[],
    )?;
    wait_until(Duration::from_secs(60), "decoding to fail", || {
        Ok(page.phase()? == "failed")
    })?;
    let status = page.text("mnist-status")?;
    assert!(status.contains("Could not read the MNIST data"), "{status}");
    println!("corrupt data: {status}");
    page.expect_no_errors()
}

#[test]
fn the_lab_fits_a_projector_a_laptop_and_a_phone() -> Result<()> {
    for (name, width, height) in [("projector", 1920, 1080), ("laptop", 1024, 768)] {
        let page = LabPage::ready(
            "/mnist?preset=conv",
            BrowserOptions::default().window_size(width, height),
        )?;
        assert_eq!(page.text("lecture-accuracy")?, "98.90%");
        page.click("mnist-start")?;
        wait_until(Duration::from_secs(30), "a few conv steps", || {
            Ok(page.count("mnist-step")? >= 5)
        })?;
        // Choose a test digit to show the activation maps.
        page.browser.execute(
            "const c = document.querySelector('[data-testid=mnist-test-digits]'); \
             const r = c.getBoundingClientRect(); \
             c.dispatchEvent(new MouseEvent('click', { clientX: r.left + 10, clientY: r.top + 10, bubbles: true })); \
             return null;",
            &[],
        )?;
        std::thread::sleep(Duration::from_secs(2));
        let overflow = page.browser.execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            &[],
        )?;
        assert!(
            overflow.as_f64().unwrap_or(1.0) <= 0.0,
            "{name}: the page is {overflow} px wider than the window"
        );
        page.browser.screenshot(&format!("mnist-{name}"))?;
        for part in ["mnist-accuracy-chart", "mnist-batch", "mnist-filters"] {
            page.browser.execute(
                "document.querySelector(arguments[0]).scrollIntoView(); return null;",
                &[by_testid(part).into()],
            )?;
            std::thread::sleep(Duration::from_millis(300));
            page.browser.screenshot(&format!(
                "mnist-{name}-{}",
                part.trim_start_matches("mnist-")
            ))?;
        }
        page.click("mnist-pause")?;
        page.expect_no_errors()?;
    }

    // A phone: the lab inside a 390 × 844 frame (headless Chromium windows
    // cannot be that narrow), drawn on with touch.
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default().window_size(600, 900))?;
    browser.goto(&server.url("/lesson.html"))?;
    browser.execute(
        "document.body.innerHTML = '<iframe id=phone src=\"/#/mnist\" width=390 height=844 \
           style=\"border:0;display:block\"></iframe>'; \
         document.body.style.margin = '0'; return null;",
        &[],
    )?;
    let in_frame = |script: &str| -> Result<serde_json::Value> {
        browser.execute(
            &format!(
                "const d = document.getElementById('phone').contentDocument; \
                 const w = document.getElementById('phone').contentWindow; {script}"
            ),
            &[],
        )
    };
    wait_until(READY_TIMEOUT, "the phone lab to load", || {
        Ok(in_frame(
            "const s = d && d.querySelector('[data-testid=mnist-status]'); \
             return s ? s.dataset.phase : null;",
        )?
        .as_str()
            == Some("ready"))
    })?;
    let overflow = in_frame("return d.documentElement.scrollWidth - w.innerWidth;")?;
    assert!(
        overflow.as_f64().unwrap_or(1.0) <= 0.0,
        "phone: the page is {overflow} px wider than the screen"
    );
    in_frame(
        "const pad = d.querySelector('[data-testid=mnist-pad]'); \
         pad.scrollIntoView(); const r = pad.getBoundingClientRect(); \
         const send = (type, x, y) => pad.dispatchEvent(new w.PointerEvent(type, { \
           clientX: r.left + x * r.width / 280, clientY: r.top + y * r.height / 280, \
           pointerId: 3, pointerType: 'touch', isPrimary: true, bubbles: true, buttons: 1 })); \
         send('pointerdown', 140, 40); \
         for (let y = 50; y <= 240; y += 10) send('pointermove', 140, y); \
         send('pointerup', 140, 240); return null;",
    )?;
    wait_until(
        Duration::from_secs(10),
        "probabilities on the phone",
        || {
            Ok(
                in_frame("return d.querySelectorAll('[data-testid^=prob-]').length;")?.as_u64()
                    == Some(10),
            )
        },
    )?;
    browser.screenshot("mnist-phone")?;
    Ok(())
}

#[test]
fn the_editor_checks_networks_and_divergence_pauses_training() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    page.browser.click_on("[data-testid=arch-editor] summary")?;
    // Softmax plus a hidden layer.
    page.click("add-dense")?;
    page.wait_for_text("arch-error", "79,510 parameters", Duration::from_secs(5))?;
    page.set_field("layer-0-units", "0")?;
    page.wait_for_text("arch-error", "1 to 4096 units", Duration::from_secs(5))?;
    assert!(page.disabled("arch-apply")?);
    page.set_field("layer-0-units", "lots")?;
    page.wait_for_text("arch-error", "not a whole number", Duration::from_secs(5))?;
    page.set_field("layer-0-units", "32")?;
    page.wait_for_text("arch-error", "OK", Duration::from_secs(5))?;
    page.click("remove-layer-1")?;
    page.wait_for_text("arch-error", "last layer", Duration::from_secs(5))?;
    page.click("add-dense")?;
    page.set_field("layer-1-units", "10")?;
    page.wait_for_text("arch-error", "OK", Duration::from_secs(5))?;

    // Softmax with a learning rate far too large: training diverges and pauses.
    page.click("preset-softmax")?;
    page.wait_for_text("arch-error", "7,850 parameters", Duration::from_secs(10))?;
    page.set_field("field-rate", "3e38")?;
    page.wait_for_text("arch-error", "OK", Duration::from_secs(5))?;
    page.click("arch-apply")?;
    page.wait_for_text("lecture-accuracy", "—", Duration::from_secs(10))?;
    wait_until(Duration::from_secs(20), "the new network", || {
        Ok(page.text("test-accuracy")? != "—")
    })?;
    page.click("mnist-start")?;
    page.wait_for_text(
        "mnist-status",
        "lower the learning rate or reset",
        Duration::from_secs(30),
    )?;
    println!("{}", page.text("mnist-status")?);
    assert!(page.text("mnist-status")?.contains("diverged"));
    wait_until(Duration::from_secs(5), "Start enabled again", || {
        Ok(!page.disabled("mnist-start")? && page.disabled("mnist-pause")?)
    })?;
    page.expect_no_errors()
}
