//! The Playground page, built by trunk and driven in headless Chromium.
//!
//! The page's contract with these tests: at `/` it shows a paused training
//! session at epoch 0, with
//! - `data-testid="epoch"`: the epoch count (any formatting; digits are read),
//! - `data-testid="train-loss"`, `data-testid="test-loss"`: decimals,
//! - buttons `play` (play/pause), `step` (exactly one epoch) and `reset`
//!   (back to epoch 0 with new weights),
//! - no visible `.error-panel`, and `window.__playnet_panic` unset unless the
//!   panic hook ran.
//!
//! Run through `cargo xtask test`, which builds the page into `dist/` first.

use std::time::Duration;

use playnet_e2e::{
    Browser, Error, Result, StaticServer, by_testid, dist_dir, parse_count, parse_decimal,
    wait_until,
};

/// How long the wasm may take to load and render the first frame.
const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// The served page and a browser on it.
struct Page {
    browser: Browser,
    // Kept alive while the browser uses it.
    _server: StaticServer,
}

impl Page {
    fn open() -> Result<Page> {
        let server = StaticServer::start(dist_dir()?)?;
        let browser = Browser::start()?;
        browser.goto(&server.url("/"))?;
        browser
            .find_within(LOAD_TIMEOUT, &by_testid("epoch"))
            .map_err(|e| e.context("waiting for the playground to render"))?;
        Ok(Page {
            browser,
            _server: server,
        })
    }

    fn epoch(&self) -> Result<u64> {
        parse_count(&self.browser.text_of(&by_testid("epoch"))?)
    }

    fn loss(&self, which: &str) -> Result<f64> {
        let text = self.browser.text_of(&by_testid(which))?;
        parse_decimal(&text).map_err(|e| e.context(which))
    }

    fn click(&self, button: &str) -> Result<()> {
        self.browser.click_on(&by_testid(button))
    }

    fn wait_for_epoch(&self, what: &str, mut ok: impl FnMut(u64) -> bool) -> Result<u64> {
        let mut last = None;
        wait_until(Duration::from_secs(15), what, || {
            let epoch = self.epoch()?;
            last = Some(epoch);
            Ok(ok(epoch))
        })
        .map_err(|e| e.context(format!("last epoch read: {last:?}")))?;
        self.epoch()
    }

    fn expect_paused_at_zero(&self) -> Result<()> {
        let epoch = self.epoch()?;
        if epoch != 0 {
            return Err(Error::new(format!(
                "expected the page to open paused at epoch 0, found epoch {epoch}"
            )));
        }
        Ok(())
    }

    /// No visible error panel, no recorded panic, no panic in the console.
    fn expect_no_errors(&self) -> Result<()> {
        let b = &self.browser;
        for panel in b.find_all(".error-panel")? {
            if b.is_displayed(&panel)? {
                return Err(Error::new(format!(
                    "an error panel is showing: {:?}",
                    b.text(&panel)?
                )));
            }
        }
        let panic = b.execute("return window.__playnet_panic ?? null;", &[])?;
        if !panic.is_null() {
            return Err(Error::new(format!("the page panicked: {panic}")));
        }
        let panics: Vec<String> = b
            .console_log()?
            .into_iter()
            .filter(|e| e.message.contains("panicked at"))
            .map(|e| e.message)
            .collect();
        if !panics.is_empty() {
            return Err(Error::new(format!(
                "the console shows a panic: {panics:#?}"
            )));
        }
        Ok(())
    }
}

#[test]
fn play_trains_and_lowers_the_test_loss() -> Result<()> {
    let page = Page::open()?;
    page.expect_paused_at_zero()?;
    let initial = page.loss("test-loss")?;
    page.loss("train-loss")?;

    page.click("play")?;
    page.wait_for_epoch("training to start after clicking play", |e| e > 0)?;
    std::thread::sleep(Duration::from_secs(3));
    let epoch = page.epoch()?;
    let trained = page.loss("test-loss")?;
    let shot = page.browser.screenshot("playground-after-play")?;
    eprintln!(
        "after ~3 s of play: epoch {epoch}, test loss {initial} → {trained} (screenshot {})",
        shot.display()
    );
    assert!(
        trained < initial,
        "test loss did not go down while playing: {initial} at epoch 0, {trained} at epoch {epoch}"
    );
    page.loss("train-loss")?;
    page.expect_no_errors()
}

#[test]
fn step_advances_exactly_one_epoch() -> Result<()> {
    let page = Page::open()?;
    page.expect_paused_at_zero()?;
    page.click("step")?;
    page.wait_for_epoch("epoch 1 after one step", |e| e >= 1)?;
    page.click("step")?;
    let epoch = page.wait_for_epoch("epoch 2 after two steps", |e| e >= 2)?;
    // Paused: nothing moves on its own.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        (epoch, page.epoch()?),
        (2, 2),
        "step is not exactly one epoch"
    );
    page.expect_no_errors()
}

#[test]
fn reset_returns_to_epoch_zero() -> Result<()> {
    let page = Page::open()?;
    page.expect_paused_at_zero()?;
    page.click("step")?;
    page.click("step")?;
    page.wait_for_epoch("epoch 2 after two steps", |e| e >= 2)?;
    page.click("reset")?;
    page.wait_for_epoch("epoch 0 after reset", |e| e == 0)?;

    // Also from a running session: play, pause, reset.
    page.click("play")?;
    page.wait_for_epoch("training to start", |e| e > 0)?;
    page.click("play")?;
    page.click("reset")?;
    page.wait_for_epoch("epoch 0 after reset", |e| e == 0)?;
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(page.epoch()?, 0, "training went on after pause and reset");
    page.loss("test-loss")?;
    page.expect_no_errors()
}

#[test]
fn page_shows_no_error_and_does_not_panic() -> Result<()> {
    let page = Page::open()?;
    page.expect_no_errors()?;
    page.click("play")?;
    page.wait_for_epoch("training to start", |e| e > 0)?;
    std::thread::sleep(Duration::from_secs(1));
    page.click("play")?;
    page.expect_no_errors()
}

#[test]
fn a_panic_shows_the_error_panel_as_text() -> Result<()> {
    let page = Page::open()?;
    page.expect_no_errors()?;
    // The call throws (the wasm aborts); the hook has run by then.
    page.browser.execute(
        "try { window.wasmBindings.playnet_test_panic(); } catch (e) {} return null;",
        &[],
    )?;
    let panel = page
        .browser
        .find_within(Duration::from_secs(5), &by_testid("error-panel"))?;
    assert!(
        page.browser.is_displayed(&panel)?,
        "the error panel is hidden"
    );
    let text = page.browser.text(&panel)?;
    assert!(
        text.contains("deliberate test panic <b>not markup</b>"),
        "the panel should show the message as text: {text}"
    );
    let recorded = page
        .browser
        .execute("return window.__playnet_panic || null;", &[])?;
    assert!(
        recorded
            .as_str()
            .is_some_and(|m| m.contains("deliberate test panic")),
        "window.__playnet_panic: {recorded}"
    );
    Ok(())
}
