//! Nothing lost on a reload: the MNIST lab keeps its network, step and
//! curves in IndexedDB and says so when it restores them; a full store is a
//! message while training goes on; a record of a format the page does not
//! read is ignored with a note; the About page's "Clear stored data"
//! forgets everything; autosaving leaves no event listener behind. (The
//! Playground's reload test is in `playground.rs`.)

use std::time::Duration;

use playnet_e2e::lab::LabPage;
use playnet_e2e::{
    Browser, BrowserOptions, Result, StaticServer, by_testid, dist_dir, parse_count, stored,
    wait_until,
};
use serde_json::json;

const TRAIN: Duration = Duration::from_secs(90);

/// The steps of the MNIST lab's saved records.
fn saved_steps(page: &LabPage) -> Result<Vec<u64>> {
    Ok(stored::headers(&page.browser, "playnet-mnist", "lab")?
        .iter()
        .filter_map(|h| h["step"].as_u64())
        .collect())
}

fn kept_text(page: &LabPage) -> Result<String> {
    page.text("kept-text")
}

fn reload(page: &LabPage) -> Result<()> {
    page.browser
        .execute("location.reload(); return null;", &[])?;
    // The old document may answer once more; wait for the new one.
    std::thread::sleep(Duration::from_millis(500));
    page.browser
        .find_within(Duration::from_secs(30), &by_testid("mnist-lab"))?;
    page.wait_ready()
}

#[test]
fn a_reload_restores_the_network_its_step_and_accuracy_and_start_fresh_forgets_it() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    assert!(
        saved_steps(&page)?.is_empty(),
        "an untrained network is not kept"
    );
    page.click("mnist-start")?;
    wait_until(TRAIN, "some training", || {
        Ok(page.count("mnist-step")? >= 150)
    })?;
    page.click("mnist-pause")?;
    let (accuracy, step) = page.wait_tested_now(Duration::from_secs(60))?;
    wait_until(Duration::from_secs(20), "the paused network saved", || {
        Ok(saved_steps(&page)? == vec![step])
    })?;

    reload(&page)?;
    page.wait_for_text(
        "kept-text",
        "Restored your network from",
        Duration::from_secs(20),
    )?;
    let text = kept_text(&page)?;
    let said = text
        .split_once("step ")
        .map(|(_, n)| parse_count(n.trim_end_matches('.')))
        .transpose()?;
    assert_eq!(said, Some(step), "{text}");
    assert_eq!(page.count("mnist-step")?, step);
    let (again, at) = page.wait_tested_now(Duration::from_secs(60))?;
    assert_eq!(
        (again, at),
        (accuracy, step),
        "the same network, tested again"
    );
    // It trains on from there.
    page.click("mnist-start")?;
    wait_until(TRAIN, "training on", || {
        Ok(page.count("mnist-step")? > step + 20)
    })?;
    page.click("mnist-pause")?;

    // Start fresh asks (a trained network would be thrown away), then forgets.
    page.click("kept-action")?;
    let question = page.answer_discard(true)?;
    assert!(question.contains("Reset"), "{question}");
    wait_until(Duration::from_secs(30), "a fresh network", || {
        Ok(page.count("mnist-step")? == 0)
    })?;
    wait_until(
        Duration::from_secs(10),
        "the saved network forgotten",
        || Ok(saved_steps(&page)?.is_empty()),
    )?;
    reload(&page)?;
    assert_eq!(page.count("mnist-step")?, 0);
    assert!(!page.shown("kept-note")?, "nothing to restore: no note");
    page.expect_no_errors()
}

#[test]
fn a_full_store_is_a_message_and_training_goes_on() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    stored::fill_the_store(&page.browser)?;
    page.click("mnist-start")?;
    page.wait_for_text("kept-text", "storage for this site is full", TRAIN)?;
    let step = page.count("mnist-step")?;
    wait_until(TRAIN, "training going on", || {
        Ok(page.count("mnist-step")? > step + 50)
    })?;
    assert_eq!(page.text("mnist-status")?, "Training…");
    page.click("mnist-pause")?;
    assert!(saved_steps(&page)?.is_empty(), "nothing could be written");
    page.expect_no_errors()
}

#[test]
fn a_record_of_another_format_is_ignored_with_a_note() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    stored::put_record(
        &page.browser,
        "playnet-mnist",
        "lab",
        "network",
        99,
        r#"{"step":5000}"#,
    )?;
    reload(&page)?;
    page.wait_for_text("kept-text", "format 99", Duration::from_secs(20))?;
    let text = kept_text(&page)?;
    assert!(text.contains("Ignored"), "{text}");
    assert_eq!(page.count("mnist-step")?, 0, "a fresh network instead");
    // Training this one replaces the unreadable record.
    page.click("mnist-start")?;
    wait_until(TRAIN, "some training", || {
        Ok(page.count("mnist-step")? >= 30)
    })?;
    page.click("mnist-pause")?;
    wait_until(Duration::from_secs(30), "the new network saved", || {
        let headers = stored::headers(&page.browser, "playnet-mnist", "lab")?;
        Ok(headers.len() == 1 && headers[0]["format"] == 1)
    })?;
    page.expect_no_errors()
}

#[test]
fn clear_stored_data_forgets_every_page() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    page.click("mnist-start")?;
    wait_until(TRAIN, "some training", || {
        Ok(page.count("mnist-step")? >= 30)
    })?;
    page.click("mnist-pause")?;
    wait_until(Duration::from_secs(30), "the network saved", || {
        Ok(!saved_steps(&page)?.is_empty())
    })?;
    page.browser.execute(
        "localStorage.setItem('playnet.sketch.drawing', '[]'); return null;",
        &[],
    )?;
    page.browser.goto(&page.url("/#/about"))?;
    page.click("clear-stored-data")?;
    page.click("clear-stored-yes")?;
    // The page reloads and says what it did.
    page.wait_for_text("clear-stored-status", "Cleared", Duration::from_secs(20))?;
    assert!(saved_steps(&page)?.is_empty());
    let left = page.browser.execute(
        "return localStorage.getItem('playnet.sketch.drawing');",
        &[],
    )?;
    assert!(left.is_null(), "localStorage keeps {left}");
    page.browser.goto(&page.url("/#/mnist"))?;
    page.wait_ready()?;
    assert_eq!(page.count("mnist-step")?, 0);
    assert!(!page.shown("kept-note")?);
    page.expect_no_errors()
}

/// Live event listeners after a garbage collection.
fn listeners(browser: &Browser) -> Result<u64> {
    browser.cdp("HeapProfiler.collectGarbage", json!({}))?;
    let dom = browser.cdp("Memory.getDOMCounters", json!({}))?;
    Ok(dom["jsEventListeners"].as_u64().unwrap_or(0))
}

#[test]
fn autosaving_leaves_no_event_listener_behind() -> Result<()> {
    // Each IndexedDB request once leaked its handlers and itself: two
    // listeners per request, six per autosave, for as long as the page ran.
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default())?;
    browser.goto(&server.url("/#/?dataset=xor"))?;
    browser.find_within(Duration::from_secs(30), &by_testid("epoch"))?;
    browser.click_on(&by_testid("play"))?;
    let saved_epoch = || -> Result<u64> {
        Ok(stored::headers(&browser, "playnet-playground", "sessions")?
            .iter()
            .filter_map(|h| h["epoch"].as_u64())
            .max()
            .unwrap_or(0))
    };
    let mut last = 0;
    wait_until(Duration::from_secs(20), "a first save", || {
        last = saved_epoch()?;
        Ok(last > 0)
    })?;
    let before = listeners(&browser)?;
    for save in 1..=4 {
        wait_until(
            Duration::from_secs(20),
            &format!("save {save} more"),
            || {
                let now = saved_epoch()?;
                let newer = now > last;
                last = now;
                Ok(newer)
            },
        )?;
    }
    let after = listeners(&browser)?;
    assert!(
        after <= before + 2,
        "{before} event listeners before four autosaves, {after} after"
    );
    Ok(())
}
