//! The MNIST lab against what a hostile (or unlucky) person does: crafted
//! model files, a worker that dies, leaving the page and coming back, fields
//! typed full of nonsense, and links with options the page cannot use.
//! Each test says what the page must show and that nothing trained is lost.

use std::time::Duration;

use playnet_e2e::lab::LabPage;
use playnet_e2e::{BrowserOptions, Result, by_testid, poisoned_weights, wait_until};
use serde_json::json;

/// Training the softmax preset to a few hundred steps in the page.
const TRAIN_TIMEOUT: Duration = Duration::from_secs(90);

/// The exported model of the page: (weights URL, config JSON).
fn export(page: &LabPage) -> Result<(String, String)> {
    page.click("export-model")?;
    let weights = page.href("download-weights")?;
    let config_url = page.href("download-config")?;
    let config = page.browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         fetch(arguments[0]).then(r => r.text()).then(done, e => done(String(e)));",
        &[config_url.into()],
    )?;
    Ok((weights, config.as_str().unwrap_or_default().to_string()))
}

/// The step and test accuracy the page shows.
fn readouts(page: &LabPage) -> Result<(u64, String)> {
    Ok((page.count("mnist-step")?, page.text("test-accuracy")?))
}

#[test]
fn crafted_and_non_finite_models_are_refused_and_the_network_kept() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    page.train_to(150, TRAIN_TIMEOUT)?;
    let before = readouts(&page)?;
    let (weights, config) = export(&page)?;

    // An input of 100000×100000×3 overflows a 32-bit size product.
    let mut crafted: serde_json::Value = serde_json::from_str(&config)
        .map_err(|e| playnet_e2e::Error::new(format!("the exported config: {e}: {config}")))?;
    crafted["input"] = json!([100000, 100000, 3]);
    let huge = crafted.to_string();
    let status = page.load_refused(json!([
        ["huge.json", null, huge],
        ["w.safetensors", weights, null]
    ]))?;
    assert!(
        status.contains("100000×100000×3") && status.contains("unchanged"),
        "{status}"
    );
    assert!(
        !status.contains("cannot load the model"),
        "said twice: {status}"
    );

    // NaN and +Inf weights name the tensor and replace nothing.
    for value in ["NaN", "Infinity"] {
        let bad = poisoned_weights(&page.browser, &weights, value)?;
        let status = page.load_refused(json!([
            ["m.json", null, config],
            ["m.safetensors", bad, null]
        ]))?;
        assert!(
            status.contains("layers.0.") && status.contains("finite"),
            "{status}"
        );
        println!("{value}: {status}");
        assert_eq!(readouts(&page)?, before, "the network changed");
    }
    // And the lab still trains.
    page.click("mnist-start")?;
    wait_until(
        Duration::from_secs(20),
        "training after the refusals",
        || Ok(page.count("mnist-step")? > before.0 + 20),
    )?;
    page.expect_no_errors()
}

#[test]
fn a_worker_that_dies_is_replaced_and_the_network_restored() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    let (paused_at, accuracy) = page.train_to(200, TRAIN_TIMEOUT)?;
    assert!(accuracy > 0.8, "{accuracy}");
    // The hook is armed only now, by a link opened on the paused lab, so a
    // slow machine cannot reach the crash before the pause.
    let crash_at = paused_at + 400;
    page.click("nav-playground")?;
    page.browser
        .find_within(Duration::from_secs(10), &by_testid("page-playground"))?;
    page.browser.execute(
        &format!("location.hash = '#/mnist?crash-worker-at={crash_at}'; return null;"),
        &[],
    )?;
    page.browser
        .find_within(Duration::from_secs(10), &by_testid("mnist-lab"))?;
    assert_eq!(page.count("mnist-step")?, paused_at);
    page.click("mnist-start")?;
    page.wait_for_text("mnist-status", "A new one took over", TRAIN_TIMEOUT)?;
    let status = page.text("mnist-status")?;
    println!("{status}");
    assert!(
        status.contains(&format!("deliberate crash at step {crash_at}")),
        "{status}"
    );
    let restored = page.count("mnist-step")?;
    assert!(
        (paused_at..crash_at).contains(&restored),
        "restored at step {restored}, paused at {paused_at}, crashed at {crash_at}"
    );
    // The restored network is tested at its step, as good as it was.
    let (tested, at) = page.wait_tested_now(Duration::from_secs(60))?;
    assert_eq!(at, restored);
    assert!(tested > 0.8, "restored accuracy {tested}");
    // Training goes on, past the step that crashed (the hook fires once).
    page.click("mnist-start")?;
    wait_until(TRAIN_TIMEOUT, "training past the crash", || {
        Ok(page.count("mnist-step")? > crash_at + 50)
    })?;
    page.expect_no_errors()
}

#[test]
fn leaving_the_lab_keeps_its_training_and_discarding_asks_first() -> Result<()> {
    // A projector's size.
    let options = BrowserOptions {
        window_size: (1024, 768),
        ..BrowserOptions::default()
    };
    let page = LabPage::ready("/mnist", options)?;
    page.click("mnist-start")?;
    // The keyboard's focus follows to Pause, not to the page.
    wait_until(Duration::from_secs(10), "focus on Pause", || {
        let v = page.browser.execute(
            "return document.activeElement?.dataset?.testid || null;",
            &[],
        )?;
        Ok(v.as_str() == Some("mnist-pause"))
    })?;
    wait_until(TRAIN_TIMEOUT, "some training", || {
        Ok(page.count("mnist-step")? >= 150)
    })?;
    page.click("mnist-pause")?;
    page.wait_tested_now(TRAIN_TIMEOUT)?;
    let before = readouts(&page)?;

    page.click("nav-playground")?;
    page.browser
        .find_within(Duration::from_secs(10), &by_testid("page-playground"))?;
    page.click("nav-mnist")?;
    page.browser
        .find_within(Duration::from_secs(10), &by_testid("mnist-lab"))?;
    wait_until(Duration::from_secs(5), "the same step and accuracy", || {
        Ok(readouts(&page)? == before)
    })
    .map_err(|e| e.context(format!("before {before:?}, now {:?}", readouts(&page).ok())))?;
    assert!(page.text("mnist-start")?.contains("Resume"));

    // A preset would throw the network away: asked, and "keep" keeps it.
    page.click("preset-conv")?;
    wait_until(Duration::from_secs(10), "the question", || {
        page.shown("discard-confirm")
    })?;
    page.browser.screenshot("mnist-discard-question")?;
    let question = page.answer_discard(false)?;
    assert!(
        question.contains(&format!("{} steps", before.0)),
        "{question}"
    );
    assert!(!page.shown("discard-confirm")?);
    assert_eq!(readouts(&page)?, before);
    // Resume goes on from the same step.
    page.click("mnist-start")?;
    wait_until(
        Duration::from_secs(20),
        "training from where it was",
        || Ok(page.count("mnist-step")? > before.0 + 20),
    )?;
    page.click("mnist-pause")?;
    // Reset, confirmed, starts again.
    page.click("mnist-reset")?;
    page.answer_discard(true)?;
    page.wait_for_text(
        "mnist-status",
        "Reset: new weights",
        Duration::from_secs(20),
    )?;
    assert_eq!(page.count("mnist-step")?, 0);
    page.expect_no_errors()
}

#[test]
fn editor_fields_the_verdict_and_what_trains_agree() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    page.browser.click_on("[data-testid=arch-editor] summary")?;
    let value = |id: &str| -> Result<String> {
        let v = page.browser.execute(
            "return document.querySelector(arguments[0]).value;",
            &[by_testid(id).into()],
        )?;
        Ok(v.as_str().unwrap_or_default().to_string())
    };
    for (text, says) in [
        ("1e9", "\"1e9\" is not a whole number"),
        ("-1", "\"-1\""),
        ("3.5", "\"3.5\""),
    ] {
        page.set_field("layer-0-units", text)?;
        page.wait_for_text("arch-error", says, Duration::from_secs(5))?;
        assert!(page.text("arch-error")?.contains("layer 1 units"));
        assert_eq!(
            value("layer-0-units")?,
            text,
            "the field shows what was typed"
        );
        assert!(page.disabled("arch-apply")?);
    }
    page.set_field("field-rate", "1e308")?;
    // The first bad field is the one the verdict names, until it is fixed.
    page.set_field("layer-0-units", "10")?;
    page.wait_for_text("arch-error", "too large", Duration::from_secs(5))?;
    assert_eq!(value("field-rate")?, "1e308");
    page.set_field("field-rate", "0.5")?;
    page.wait_for_text("arch-error", "OK: 7,850 parameters", Duration::from_secs(5))?;

    // An invalid batch size: Start keeps training the applied network, and says so.
    page.set_field("field-batch", "0")?;
    page.wait_for_text("arch-error", "batch size", Duration::from_secs(5))?;
    assert!(page.shown("arch-pending")?);
    let pending = page.text("arch-pending")?;
    assert!(
        pending.contains("Start trains") && pending.contains("Softmax"),
        "{pending}"
    );
    page.set_field("field-batch", "100")?;
    wait_until(Duration::from_secs(5), "no edits pending", || {
        Ok(!page.shown("arch-pending")?)
    })?;
    page.expect_no_errors()
}

#[test]
fn link_options_the_page_cannot_use_get_notes() -> Result<()> {
    let page = LabPage::ready(
        "/mnist?backend=gpu&lose-gpu-at=soon&preset=resnet&data=../up&zzz=1",
        BrowserOptions::default(),
    )?;
    assert!(page.shown("url-notes")?);
    let notes = page.text("url-notes")?;
    for part in [
        "backend=\"gpu\"",
        "lose-gpu-at=\"soon\"",
        "preset=\"resnet\"",
        "data=\"../up\"",
        "\"zzz\"",
    ] {
        assert!(notes.contains(part), "{part} missing from {notes}");
    }
    // Opened as if they were absent: the built-in data, softmax, auto.
    assert_eq!(page.text("lecture-accuracy")?, "92.00%");
    drop(page);

    // A data folder that is not there: the way out is a button, not "reload".
    let page = LabPage::open("/mnist?data=missing", BrowserOptions::default())?;
    wait_until(Duration::from_secs(30), "the download to fail", || {
        Ok(page.phase()? == "failed")
    })?;
    assert!(page.text("mnist-status")?.contains("?data="));
    page.click("mnist-built-in-data")?;
    page.wait_ready()?;
    let hash = page
        .browser
        .execute("return location.hash;", &[])?
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!hash.contains("data="), "{hash}");
    page.expect_no_errors()
}

#[test]
fn the_lab_has_no_horizontal_scrollbar_at_1280() -> Result<()> {
    let options = BrowserOptions {
        window_size: (1280, 800),
        ..BrowserOptions::default()
    };
    let page = LabPage::ready("/mnist", options)?;
    let widths = page.browser.execute(
        "const d = document.documentElement; return [d.scrollWidth, d.clientWidth];",
        &[],
    )?;
    let (scroll, client) = (
        widths[0].as_f64().unwrap_or(0.0),
        widths[1].as_f64().unwrap_or(0.0),
    );
    // What sticks out, for the message.
    let wide = page.browser.execute(
        "const w = document.documentElement.clientWidth; \
         return [...document.querySelectorAll('body *')] \
           .filter(e => e.getBoundingClientRect().right > w + 0.5) \
           .slice(0, 8) \
           .map(e => `${e.tagName}.${e.className}[${e.dataset.testid || ''}] \
             ${Math.round(e.getBoundingClientRect().right)}`);",
        &[],
    )?;
    assert!(
        scroll <= client,
        "scrollWidth {scroll} > clientWidth {client}; past the edge: {wide}"
    );
    page.expect_no_errors()
}
