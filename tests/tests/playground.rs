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
    Browser, BrowserOptions, Device, Error, PointerKind, Result, StaticServer, by_testid, dist_dir,
    parse_count, parse_decimal, poisoned_weights, put_files, wait_until,
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
        Page::open_at("/", BrowserOptions::default())
    }

    /// Opens `path` (which may carry a `#` state) in a browser with `options`.
    fn open_at(path: &str, options: BrowserOptions) -> Result<Page> {
        let server = StaticServer::start(dist_dir()?)?;
        let browser = Browser::start_with(options)?;
        browser.goto(&server.url(path))?;
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

impl Page {
    /// Sets a form control's value by script and fires `change`, as a person
    /// picking from a menu or typing into a field would.
    fn set_value(&self, testid: &str, value: &str) -> Result<()> {
        self.browser.execute(
            "const el = document.querySelector(arguments[0]); \
             el.value = arguments[1]; \
             el.dispatchEvent(new Event('change', { bubbles: true })); return null;",
            &[by_testid(testid).into(), value.into()],
        )?;
        Ok(())
    }

    fn press(&self, key: &str) -> Result<()> {
        self.browser.execute(
            "window.dispatchEvent(new KeyboardEvent('keydown', { key: arguments[0], bubbles: true })); return null;",
            &[key.into()],
        )?;
        Ok(())
    }

    fn exists(&self, testid: &str) -> Result<bool> {
        Ok(!self.browser.find_all(&by_testid(testid))?.is_empty())
    }

    fn wait_for_text(&self, testid: &str, expected: &str) -> Result<()> {
        let mut last = String::new();
        wait_until(
            Duration::from_secs(5),
            &format!("{testid} to read {expected:?}"),
            || {
                last = self.browser.text_of(&by_testid(testid))?;
                Ok(last.contains(expected))
            },
        )
        .map_err(|e| e.context(format!("last text: {last:?}")))
    }
}

#[test]
fn keyboard_shortcuts_step_reset_and_play() -> Result<()> {
    let page = Page::open()?;
    page.expect_paused_at_zero()?;
    page.press("ArrowRight")?;
    page.press("ArrowRight")?;
    page.wait_for_epoch("epoch 2 after two → presses", |e| e == 2)?;
    page.press("r")?;
    page.wait_for_epoch("epoch 0 after r", |e| e == 0)?;
    page.press(" ")?;
    page.wait_for_epoch("space to start training", |e| e > 3)?;
    page.press(" ")?;
    let paused = page.epoch()?;
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(page.epoch()?, paused, "space did not pause");
    page.expect_no_errors()
}

#[test]
fn layers_and_neurons_are_added_and_removed() -> Result<()> {
    let page = Page::open()?;
    page.wait_for_text("layer-count", "2 hidden layers")?;
    // Columns: 0 the features, 1 and 2 the hidden layers (4, 2), 3 the output.
    assert!(page.exists("node-2-1")? && page.exists("node-3-0")? && !page.exists("node-4-0")?);
    page.click("add-layer")?;
    page.wait_for_text("layer-count", "3 hidden layers")?;
    assert!(page.exists("node-3-1")?, "the new layer has two neurons");
    assert!(
        page.exists("node-4-0")?,
        "the output moved one column right"
    );
    page.click("layer-0-add-neuron")?;
    wait_until(Duration::from_secs(5), "a fifth neuron in layer 1", || {
        page.exists("node-1-4")
    })?;
    page.click("remove-layer")?;
    page.click("remove-layer")?;
    page.wait_for_text("layer-count", "1 hidden layer")?;
    assert!(page.exists("node-1-4")? && page.exists("node-2-0")? && !page.exists("node-3-0")?);
    // The smaller network still trains.
    page.click("step")?;
    page.wait_for_epoch("a step on the new network", |e| e == 1)?;
    page.expect_no_errors()
}

#[test]
fn features_toggle_on_click() -> Result<()> {
    let page = Page::open()?;
    let class = |id: &str| -> Result<String> {
        let el = page.browser.find(&by_testid(id))?;
        Ok(page.browser.attribute(&el, "class")?.unwrap_or_default())
    };
    assert!(class("feature-sinX")?.contains("inactive"));
    assert!(!class("feature-x")?.contains("inactive"));
    page.click("feature-sinX")?;
    wait_until(Duration::from_secs(5), "sin(X1) to become active", || {
        Ok(!class("feature-sinX")?.contains("inactive"))
    })?;
    page.click("step")?;
    page.wait_for_epoch("a step with three features", |e| e == 1)?;
    page.expect_no_errors()
}

#[test]
fn learning_rate_changes_without_a_reset() -> Result<()> {
    let page = Page::open()?;
    page.click("step")?;
    page.click("step")?;
    page.wait_for_epoch("two steps", |e| e == 2)?;
    let loss = page.loss("test-loss")?;
    page.set_value("learning-rate", "0.3")?;
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        page.epoch()?,
        2,
        "changing the learning rate reset the network"
    );
    assert_eq!(
        page.loss("test-loss")?,
        loss,
        "changing the learning rate changed the weights"
    );
    page.click("step")?;
    page.wait_for_epoch("a step at the new rate", |e| e == 3)?;
    page.expect_no_errors()
}

#[test]
fn speed_and_stop_epoch_pause_exactly_there() -> Result<()> {
    let page = Page::open()?;
    page.set_value("speed", "10")?;
    page.set_value("stop-at", "50")?;
    page.click("play")?;
    page.wait_for_epoch("training to stop at epoch 50", |e| e == 50)?;
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(page.epoch()?, 50, "training went past the stop epoch");
    let fps = parse_decimal(&page.browser.text_of(&by_testid("fps"))?)?;
    let eps = parse_decimal(&page.browser.text_of(&by_testid("epochs-per-second"))?)?;
    assert!(
        fps > 0.0 && eps > fps,
        "the page measured {fps} frames/s and {eps} epochs/s"
    );
    page.expect_no_errors()
}

#[test]
fn discretize_paints_two_colours_only() -> Result<()> {
    let page = Page::open()?;
    let colours = || -> Result<u64> {
        let n = page.browser.execute(
            "const c = document.querySelector('[data-testid=heatmap-output] canvas.regions'); \
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
             const seen = new Set(); \
             for (let i = 0; i < d.length; i += 4) seen.add(d[i] * 65536 + d[i + 1] * 256 + d[i + 2]); \
             return seen.size;",
            &[],
        )?;
        n.as_u64()
            .ok_or_else(|| Error::new(format!("colour count: {n}")))
    };
    page.click("step")?;
    page.wait_for_epoch("one step", |e| e == 1)?;
    assert!(
        colours()? > 2,
        "the plain output should shade by confidence"
    );
    page.click("discretize")?;
    wait_until(
        Duration::from_secs(5),
        "the output to use two colours",
        || Ok(colours()? <= 2),
    )?;
    page.expect_no_errors()
}

impl Page {
    /// A hash of the output heatmap's pixels.
    fn output_pixels(&self) -> Result<u64> {
        let v = self.browser.execute(
            "const c = document.querySelector('[data-testid=heatmap-output] canvas.regions'); \
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
             let h = 0; for (let i = 0; i < d.length; i++) h = (h * 31 + d[i]) % 1000000007; return h;",
            &[],
        )?;
        v.as_u64()
            .ok_or_else(|| Error::new(format!("pixel hash: {v}")))
    }

    fn data_count(&self) -> Result<(u64, u64)> {
        let text = self.browser.text_of(&by_testid("data-count"))?;
        let numbers: Vec<u64> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse().ok())
            .collect();
        match numbers[..] {
            [train, test] => Ok((train, test)),
            _ => Err(Error::new(format!("data count: {text:?}"))),
        }
    }

    /// Clicks the output plane at `(x, y)` in plane units (−6 … 6).
    fn click_plane(&self, x: f64, y: f64) -> Result<()> {
        self.browser.execute(
            "const c = document.querySelector('[data-testid=heatmap-output] canvas.points'); \
             const r = c.getBoundingClientRect(); \
             const px = r.left + (arguments[0] + 6) / 12 * r.width; \
             const py = r.top + (6 - arguments[1]) / 12 * r.height; \
             const init = { bubbles: true, clientX: px, clientY: py, buttons: 1, pointerId: 1 }; \
             c.dispatchEvent(new PointerEvent('pointerdown', init)); \
             c.dispatchEvent(new PointerEvent('pointerup', init)); return null;",
            &[x.into(), y.into()],
        )?;
        Ok(())
    }
}

#[test]
fn editing_the_output_bias_changes_the_output_heatmap() -> Result<()> {
    let page = Page::open()?;
    page.click("step")?;
    page.wait_for_epoch("one step", |e| e == 1)?;
    let before = page.output_pixels()?;
    let loss = page.loss("test-loss")?;
    page.click("node-3-0")?;
    page.wait_for_text("node-card-title", "Output")?;
    page.set_value("bias-input", "3")?;
    wait_until(
        Duration::from_secs(5),
        "the output heatmap to change",
        || Ok(page.output_pixels()? != before),
    )?;
    assert_ne!(
        page.loss("test-loss")?,
        loss,
        "the loss ignores the new bias"
    );
    let shown = page.browser.execute(
        "return document.querySelector('[data-testid=bias-input]').value;",
        &[],
    )?;
    assert_eq!(shown.as_str(), Some("3.000"));
    // A weight too: the link from X₁ into the first hidden neuron.
    page.click("node-1-0")?;
    page.wait_for_text("node-card-title", "Layer 1")?;
    let before = page.output_pixels()?;
    page.set_value("weight-input-0", "-4")?;
    wait_until(
        Duration::from_secs(5),
        "the heatmap to follow the weight",
        || Ok(page.output_pixels()? != before),
    )?;
    page.expect_no_errors()
}

#[test]
fn clicking_the_plane_adds_and_erases_points() -> Result<()> {
    let page = Page::open()?;
    wait_until(Duration::from_secs(5), "the data count", || {
        Ok(page.data_count().is_ok())
    })?;
    let (train, test) = page.data_count()?;
    assert_eq!((train, test), (250, 250));
    page.set_value("brush", "1")?;
    page.click_plane(5.5, 5.5)?;
    page.click_plane(-5.5, 5.5)?;
    wait_until(Duration::from_secs(5), "two new training points", || {
        Ok(page.data_count()? == (252, 250))
    })?;
    page.set_value("brush", "erase")?;
    page.click_plane(5.5, 5.5)?;
    wait_until(Duration::from_secs(5), "one point erased", || {
        Ok(page.data_count()? == (251, 250))
    })?;
    page.click("step")?;
    page.wait_for_epoch("training on the edited data", |e| e == 1)?;
    page.expect_no_errors()
}

impl Page {
    /// Loads files into the model input, as if picked in the file dialog:
    /// each is `(name, blob URL or null, literal text)`.
    fn load_files(&self, files: serde_json::Value) -> Result<()> {
        put_files(&self.browser, "load-model", files)
    }
}

#[test]
fn export_then_load_gives_identical_predictions() -> Result<()> {
    let page = Page::open()?;
    page.click("add-layer")?;
    page.wait_for_text("layer-count", "3 hidden layers")?;
    for _ in 0..3 {
        page.click("step")?;
    }
    page.wait_for_epoch("three steps", |e| e == 3)?;
    let trained = page.loss("test-loss")?;
    let pixels = page.output_pixels()?;
    page.click("export-model")?;
    let link = |id: &str| -> Result<String> {
        let el = page
            .browser
            .find_within(Duration::from_secs(5), &by_testid(id))?;
        page.browser
            .attribute(&el, "href")?
            .ok_or_else(|| Error::new(format!("{id} has no href")))
    };
    let (weights, config) = (link("download-weights")?, link("download-config")?);

    page.click("reset")?;
    wait_until(Duration::from_secs(5), "new weights after reset", || {
        Ok(page.loss("test-loss")? != trained)
    })?;
    page.load_files(serde_json::json!([
        ["playnet-model.json", config, null],
        ["playnet-model.safetensors", weights, null]
    ]))?;
    page.wait_for_text("status", "Model loaded")?;
    assert_eq!(
        page.loss("test-loss")?,
        trained,
        "the loaded model predicts differently"
    );
    assert_eq!(
        page.output_pixels()?,
        pixels,
        "the loaded model paints differently"
    );
    page.wait_for_text("layer-count", "3 hidden layers")?;

    // A corrupt weights file is refused with a reason and changes nothing.
    page.load_files(serde_json::json!([
        ["playnet-model.json", config, null],
        ["playnet-model.safetensors", null, "not safetensors at all"]
    ]))?;
    page.wait_for_text("status", "Cannot load this model")?;
    assert_eq!(page.loss("test-loss")?, trained);

    // So is a valid file whose numbers are NaN or infinite, naming the tensor.
    for value in ["NaN", "Infinity"] {
        page.load_files(serde_json::json!([
            ["playnet-model.json", config, null],
            [
                "playnet-model.safetensors",
                poisoned_weights(&page.browser, &weights, value)?,
                null
            ]
        ]))?;
        page.wait_for_text("status", "finite")?;
        let status = page.browser.text_of(&by_testid("status"))?;
        assert!(status.contains("layers.0.weight"), "{status}");
        assert_eq!(page.loss("test-loss")?, trained);
        assert_eq!(page.output_pixels()?, pixels);
    }
    page.expect_no_errors()
}

impl Page {
    fn value_of(&self, testid: &str) -> Result<String> {
        let v = self.browser.execute(
            "return document.querySelector(arguments[0]).value;",
            &[by_testid(testid).into()],
        )?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    fn shown(&self, testid: &str) -> Result<bool> {
        let el = self.browser.find(&by_testid(testid))?;
        self.browser.is_displayed(&el)
    }

    fn hash(&self) -> Result<String> {
        let v = self.browser.execute("return location.hash;", &[])?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }
}

const TFP_LINK: &str = "/#activation=relu&batchSize=10&dataset=spiral&learningRate=0.03\
    &networkShape=8,8,5&seed=0.12345&percTrainData=50&x=true&y=true&sinX=true&sinY=true\
    &problem=classification";

#[test]
fn a_tensorflow_playground_link_sets_every_control() -> Result<()> {
    let page = Page::open_at(TFP_LINK, BrowserOptions::default())?;
    page.wait_for_text("layer-count", "3 hidden layers")?;
    assert_eq!(page.value_of("activation")?, "relu");
    assert_eq!(page.value_of("learning-rate")?, "0.03");
    assert_eq!(page.value_of("batch-size")?, "10");
    assert_eq!(page.value_of("perc-train-data")?, "50");
    assert_eq!(page.value_of("noise")?, "0");
    assert_eq!(page.value_of("problem")?, "classification");
    assert!(page.exists("node-1-7")? && page.exists("node-3-4")? && !page.exists("node-3-5")?);
    let class = |id: &str| -> Result<String> {
        let el = page.browser.find(&by_testid(id))?;
        Ok(page.browser.attribute(&el, "class")?.unwrap_or_default())
    };
    assert!(class("dataset-spiral")?.contains("selected"));
    for (feature, on) in [
        ("x", true),
        ("y", true),
        ("sinX", true),
        ("sinY", true),
        ("xSquared", false),
    ] {
        let active = !class(&format!("feature-{feature}"))?.contains("inactive");
        assert_eq!(active, on, "feature {feature}");
    }
    assert!(!page.shown("url-notes")?, "a clean TFP link needs no notes");
    // The page writes the same state back, with TFP's keys.
    let hash = page.hash()?;
    for part in [
        "activation=relu",
        "dataset=spiral",
        "networkShape=8,8,5",
        "seed=0.12345",
        "sinX=true",
    ] {
        assert!(hash.contains(part), "{part} missing from {hash}");
    }
    // Same seed, same data and weights: a second page opened on the link agrees.
    page.click("step")?;
    page.wait_for_epoch("one step", |e| e == 1)?;
    let loss = page.loss("test-loss")?;
    page.expect_no_errors()?;
    // One browser at a time (the harness holds a lock while one is open).
    drop(page);
    let again = Page::open_at(TFP_LINK, BrowserOptions::default())?;
    again.click("step")?;
    again.wait_for_epoch("one step", |e| e == 1)?;
    assert_eq!(again.loss("test-loss")?, loss);
    Ok(())
}

#[test]
fn the_playground_route_opens_cleanly_and_applies_its_settings() -> Result<()> {
    // `#/` is the Playground's own route (the nav's link), not a setting.
    let page = Page::open_at("/#/", BrowserOptions::default())?;
    assert!(!page.shown("url-notes")?, "#/ needs no notes");
    page.expect_paused_at_zero()?;
    drop(page);
    let page = Page::open_at("/#/?learningRate=0.1", BrowserOptions::default())?;
    assert_eq!(page.value_of("learning-rate")?, "0.1");
    assert!(
        !page.shown("url-notes")?,
        "#/?learningRate=0.1 needs no notes"
    );
    assert!(page.hash()?.contains("learningRate=0.1"));
    page.expect_no_errors()
}

#[test]
fn controls_are_written_to_the_url() -> Result<()> {
    let page = Page::open()?;
    page.set_value("activation", "sigmoid")?;
    wait_until(
        Duration::from_secs(5),
        "the URL to follow the activation",
        || Ok(page.hash()?.contains("activation=sigmoid")),
    )?;
    page.expect_no_errors()
}

#[test]
fn hide_keys_hide_those_controls() -> Result<()> {
    let hidden = Page::open_at(
        "/#learningRate_hide=true&playButton_hide=true&numHiddenLayers_hide=true&hideText=true",
        BrowserOptions::default(),
    )?;
    assert!(!hidden.shown("play")?, "playButton_hide");
    assert!(!hidden.shown("learning-rate")?, "learningRate_hide");
    assert!(!hidden.shown("add-layer")?, "numHiddenLayers_hide");
    assert!(!hidden.shown("explain")?, "hideText");
    assert!(!hidden.shown("article")?, "hideText hides the article");
    assert!(
        hidden.shown("step")? && hidden.shown("activation")?,
        "only what was asked is hidden"
    );
    hidden.expect_no_errors()
}

#[test]
fn a_hostile_url_loads_the_nearest_valid_state_and_says_so() -> Result<()> {
    let page = Page::open_at(
        "/#networkShape=999,999&learningRate=NaN&noise=-5&%3Cimg%20src=x%20onerror=alert(1)%3E=1&dataset=%3Cscript%3E",
        BrowserOptions::default(),
    )?;
    page.wait_for_text("url-notes", "networkShape")?;
    let notes = page.browser.text_of(&by_testid("url-notes"))?;
    for part in ["learningRate", "noise", "dataset"] {
        assert!(notes.contains(part), "{part} not mentioned in {notes}");
    }
    assert_eq!(page.value_of("learning-rate")?, "0.03");
    assert!(page.exists("node-2-31")?, "999 neurons clamp to 32");
    let injected = page.browser.execute(
        "return document.querySelectorAll('.url-notes img, .url-notes script').length;",
        &[],
    )?;
    assert_eq!(
        injected.as_u64(),
        Some(0),
        "markup from the URL reached the page"
    );
    page.click("step")?;
    page.wait_for_epoch("training on the repaired state", |e| e == 1)?;
    page.expect_no_errors()
}

#[test]
fn embed_dialog_gives_an_iframe_with_the_chosen_controls_hidden() -> Result<()> {
    let page = Page::open()?;
    page.click("embed")?;
    page.click("embed-hide-playButton")?;
    let snippet = page.value_of("embed-snippet")?;
    assert!(snippet.starts_with("<iframe src=\""), "{snippet}");
    assert!(
        snippet.contains("playButton_hide=true") && snippet.contains("hideText=true"),
        "{snippet}"
    );
    let link = page.value_of("share-url")?;
    assert!(
        link.contains("#activation=tanh") && !link.contains("_hide"),
        "{link}"
    );
    page.expect_no_errors()
}

#[test]
fn the_lesson_page_embeds_two_working_playgrounds() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start()?;
    browser.goto(&server.url("/lesson.html"))?;
    let frames = browser.execute("return document.querySelectorAll('iframe').length;", &[])?;
    assert_eq!(frames.as_u64(), Some(2));
    wait_until(
        Duration::from_secs(30),
        "both playgrounds to render",
        || {
            let ready = browser.execute(
                "return [...document.querySelectorAll('iframe')].every(f => \
               f.contentDocument && f.contentDocument.querySelector('[data-testid=epoch]'));",
                &[],
            )?;
            Ok(ready.as_bool() == Some(true))
        },
    )?;
    Ok(())
}

#[test]
fn three_layouts_render_without_overlap() -> Result<()> {
    for (name, width, height) in [
        ("desktop", 1920, 1080),
        ("projector", 1024, 768),
        ("phone", 390, 844),
    ] {
        let options = if name == "phone" {
            // Headless Chromium keeps windows at least 500 pixels wide; a
            // device can be narrower.
            BrowserOptions::default().device(Device::PHONE)
        } else {
            BrowserOptions::default().window_size(width, height)
        };
        let page = Page::open_at("/", options)?;
        let inner = page
            .browser
            .execute("return [window.innerWidth, window.innerHeight];", &[])?;
        assert_eq!(inner[0], width, "{name}: the viewport is not {width} wide");
        if name == "phone" {
            assert_eq!(inner[1], height, "the phone's viewport is {inner}");
        }
        page.click("step")?;
        page.wait_for_epoch("one step", |e| e == 1)?;
        page.browser.screenshot(&format!("layout-{name}"))?;
        let overlaps = page.browser.execute(
            "const parts = ['.playground > .controls.top', '.controls.training', '.column.data', \
                            '.column.network', '.column.output', '.share', '.article'] \
               .map(s => [s, document.querySelector(s).getBoundingClientRect()]); \
             const bad = []; \
             for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) { \
               const [a, r] = parts[i], [b, q] = parts[j]; \
               const w = Math.min(r.right, q.right) - Math.max(r.left, q.left); \
               const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top); \
               if (w > 1 && h > 1) bad.push(a + ' / ' + b); } \
             const wide = document.documentElement.scrollWidth > window.innerWidth + 1; \
             if (wide) bad.push('page wider than the window'); \
             return bad;",
            &[],
        )?;
        assert_eq!(overlaps, serde_json::json!([]), "{name} ({width}×{height})");
        page.expect_no_errors()?;
    }
    Ok(())
}

impl Page {
    /// Puts a text file into the CSV upload, as if picked in the file dialog.
    fn upload_csv(&self, name: &str, text: &str) -> Result<()> {
        self.browser.execute(
            "const dt = new DataTransfer(); dt.items.add(new File([arguments[1]], arguments[0])); \
             const input = document.querySelector('[data-testid=upload-csv]'); \
             input.files = dt.files; input.dispatchEvent(new Event('change', { bubbles: true })); \
             return null;",
            &[name.into(), text.into()],
        )?;
        Ok(())
    }
}

#[test]
fn csv_upload_replaces_the_data_and_export_gives_it_back() -> Result<()> {
    let page = Page::open()?;
    page.upload_csv("mine.csv", "x,y,label\n1,1,1\n-1,-1,-1\n2,-2,1\n-3,3,-1\n")?;
    wait_until(Duration::from_secs(5), "the four uploaded points", || {
        Ok(page.data_count()? == (2, 2))
    })?;
    page.click("step")?;
    page.wait_for_epoch("training on the uploaded points", |e| e == 1)?;

    page.upload_csv("bad.csv", "x,y,label\n1,1,1\n0,zero,1\n")?;
    page.wait_for_text("status", "row 3")?;
    assert_eq!(
        page.data_count()?,
        (2, 2),
        "a rejected file must change nothing"
    );

    page.click("export-csv")?;
    let el = page
        .browser
        .find_within(Duration::from_secs(5), &by_testid("download-csv"))?;
    let url = page
        .browser
        .attribute(&el, "href")?
        .ok_or_else(|| Error::new("the CSV link has no href"))?;
    let text = page.browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         fetch(arguments[0]).then(r => r.text()).then(done, e => done(String(e)));",
        &[url.into()],
    )?;
    let text = text.as_str().unwrap_or_default();
    assert!(text.starts_with("x,y,label"), "{text}");
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains("-3,3,-1"), "{text}");
    page.expect_no_errors()
}

impl Page {
    /// The number in a confusion-matrix cell.
    fn confusion(&self, truth: usize, predicted: usize) -> Result<u64> {
        parse_count(
            &self
                .browser
                .text_of(&by_testid(&format!("confusion-{truth}-{predicted}")))?,
        )
    }

    /// Every cell of a `classes × classes` confusion matrix, row by row.
    fn confusion_matrix(&self, classes: usize) -> Result<Vec<u64>> {
        let mut cells = Vec::new();
        for t in 0..classes {
            for p in 0..classes {
                cells.push(self.confusion(t, p)?);
            }
        }
        Ok(cells)
    }

    /// Moves a slider as a person dragging it would (`input` events).
    fn slide(&self, testid: &str, value: &str) -> Result<()> {
        self.browser.execute(
            "const el = document.querySelector(arguments[0]); \
             el.value = arguments[1]; \
             el.dispatchEvent(new Event('input', { bubbles: true })); return null;",
            &[by_testid(testid).into(), value.into()],
        )?;
        Ok(())
    }

    /// Viewport coordinates of a point on the link from feature `feature`
    /// to node `to` of the first hidden layer, after scrolling it into view:
    /// 30% of the way along, where no other link crosses it. Links leave a
    /// node's right edge and reach the next node's left edge as the S-curve
    /// `y = y0 + (y1 − y0)(3t² − 2t³)`.
    fn link_point(&self, feature: &str, to: &str) -> Result<(f64, f64)> {
        let v = self.browser.execute(
            "const a = document.querySelector(arguments[0]); \
             const b = document.querySelector(arguments[1]); \
             b.scrollIntoView({ block: 'center', inline: 'center' }); \
             const r = a.getBoundingClientRect(), q = b.getBoundingClientRect(); \
             const t = 0.3, s = 3 * t * t - 2 * t * t * t; \
             const y0 = (r.top + r.bottom) / 2, y1 = (q.top + q.bottom) / 2; \
             return [r.right + t * (q.left - r.right), y0 + (y1 - y0) * s];",
            &[by_testid(feature).into(), by_testid(to).into()],
        )?;
        match (v[0].as_f64(), v[1].as_f64()) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err(Error::new(format!("link point: {v}"))),
        }
    }

    /// The `data-testid` of the focused element.
    fn focused(&self) -> Result<String> {
        let v = self.browser.execute(
            "return document.activeElement && document.activeElement.getAttribute('data-testid');",
            &[],
        )?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }
}

#[test]
fn the_confusion_matrix_counts_the_test_set_and_fills_its_diagonal() -> Result<()> {
    let page = Page::open()?;
    wait_until(Duration::from_secs(10), "the confusion matrix", || {
        page.shown("confusion-matrix")
    })?;
    let (train, test) = page.data_count()?;
    let before = page.confusion_matrix(2)?;
    assert_eq!(
        before.iter().sum::<u64>(),
        test,
        "the test cells should count every test point: {before:?}"
    );
    let diagonal = |m: &[u64]| m[0] + m[3];
    page.set_value("speed", "20")?;
    page.set_value("stop-at", "200")?;
    page.click("play")?;
    page.wait_for_epoch("training to stop at epoch 200", |e| e == 200)?;
    let mut after = Vec::new();
    wait_until(
        Duration::from_secs(5),
        "the matrix to follow training",
        || {
            after = page.confusion_matrix(2)?;
            Ok(after != before)
        },
    )?;
    assert_eq!(after.iter().sum::<u64>(), test, "{after:?}");
    assert!(
        diagonal(&after) > diagonal(&before) && diagonal(&after) as f64 >= 0.9 * test as f64,
        "the diagonal should grow with training: {before:?} → {after:?}"
    );
    // The diagonal is the accuracy shown beside the losses.
    let accuracy = parse_decimal(&page.browser.text_of(&by_testid("accuracy"))?)?;
    let share = 100.0 * diagonal(&after) as f64 / test as f64;
    assert!((accuracy - share).abs() < 0.06, "{accuracy}% vs {share}%");
    // The training set, on request.
    page.set_value("confusion-set", "train")?;
    wait_until(Duration::from_secs(5), "the training counts", || {
        Ok(page.confusion_matrix(2)?.iter().sum::<u64>() == train)
    })?;
    // Multi-class: one row and one column per class.
    page.set_value("problem", "multiclass")?;
    wait_until(Duration::from_secs(10), "a 3 × 3 matrix", || {
        page.exists("confusion-2-2")
    })?;
    assert!(!page.exists("confusion-3-3")?);
    page.set_value("confusion-set", "test")?;
    let (_, test) = page.data_count()?;
    assert_eq!(page.confusion_matrix(3)?.iter().sum::<u64>(), test);
    // Regression has no classes, so no matrix.
    page.set_value("problem", "regression")?;
    wait_until(Duration::from_secs(10), "the matrix to go away", || {
        Ok(!page.shown("confusion-matrix")?)
    })?;
    page.expect_no_errors()
}

#[test]
fn hovering_a_link_shows_its_weight_and_clicking_it_edits_it() -> Result<()> {
    let page = Page::open()?;
    page.click("step")?;
    page.wait_for_epoch("one step", |e| e == 1)?;
    let tip = || page.browser.text_of(&by_testid("link-tooltip"));
    assert!(!page.shown("link-tooltip")?, "no tooltip before hovering");
    // The link from x₁ into the first neuron of the first hidden layer.
    let (x, y) = page.link_point("feature-x", "node-1-0")?;
    page.browser.pointer(PointerKind::Mouse, x, y, false)?;
    wait_until(Duration::from_secs(5), "the link's tooltip", || {
        page.shown("link-tooltip")
    })?;
    let text = tip()?;
    assert!(text.contains("X₁ → layer 1 · neuron 1"), "{text}");
    let weight = parse_decimal(text.trim_start_matches("weight"))?;
    // A click opens the card of the neuron the link feeds, its weight focused.
    page.browser.pointer(PointerKind::Mouse, x, y, true)?;
    page.wait_for_text("node-card-title", "Layer 1 · neuron 1")?;
    wait_until(
        Duration::from_secs(5),
        "the weight's field to take focus",
        || Ok(page.focused()? == "weight-input-0"),
    )?;
    assert_eq!(page.value_of("weight-input-0")?, format!("{weight:.3}"));
    let before = page.output_pixels()?;
    page.set_value("weight-input-0", "2.5")?;
    wait_until(
        Duration::from_secs(5),
        "the output to follow the new weight",
        || Ok(page.output_pixels()? != before),
    )?;
    // Hovering again reads the new weight back (focusing the field may
    // have scrolled the page, so the link is found again).
    page.browser.pointer(PointerKind::Mouse, 1.0, 1.0, false)?;
    let (x, y) = page.link_point("feature-x", "node-1-0")?;
    page.browser.pointer(PointerKind::Mouse, x, y, false)?;
    let mut last = String::new();
    wait_until(Duration::from_secs(5), "the tooltip to read 2.500", || {
        last = tip()?;
        Ok(last.contains("weight 2.500"))
    })
    .map_err(|e| e.context(format!("the tooltip read {last:?}")))?;
    // A node's bias shows on hover too.
    let centre = page.browser.execute(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
         return [(r.left + r.right) / 2, (r.top + r.bottom) / 2];",
        &[by_testid("node-2-1").into()],
    )?;
    let (cx, cy) = (
        centre[0].as_f64().unwrap_or(0.0),
        centre[1].as_f64().unwrap_or(0.0),
    );
    page.browser.pointer(PointerKind::Mouse, cx, cy, false)?;
    wait_until(Duration::from_secs(5), "the bias tooltip", || {
        Ok(page.shown("bias-tooltip")?
            && page
                .browser
                .text_of(&by_testid("bias-tooltip"))?
                .starts_with("bias "))
    })?;
    assert!(
        !page.shown("link-tooltip")?,
        "the link tooltip should go with the pointer"
    );
    page.expect_no_errors()
}

#[test]
fn keep_network_decides_whether_regularization_and_batch_size_reset() -> Result<()> {
    let page = Page::open()?;
    let keep = || -> Result<bool> {
        let v = page.browser.execute(
            "return document.querySelector('[data-testid=keep-network]').checked;",
            &[],
        )?;
        Ok(v.as_bool() == Some(true))
    };
    assert!(keep()?, "keeping the network is the default");
    for _ in 0..3 {
        page.click("step")?;
    }
    page.wait_for_epoch("three steps", |e| e == 3)?;
    let loss = page.loss("test-loss")?;
    page.slide("batch-size", "20")?;
    page.set_value("regularization", "L2")?;
    page.set_value("regularization-rate", "0.001")?;
    wait_until(
        Duration::from_secs(5),
        "the URL to take the new settings",
        || {
            let h = page.hash()?;
            Ok(h.contains("batchSize=20")
                && h.contains("regularization=L2")
                && h.contains("regularizationRate=0.001"))
        },
    )?;
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(page.epoch()?, 3, "kept: the epoch goes on");
    assert_eq!(page.loss("test-loss")?, loss, "kept: the weights stay");

    // Off: as on TensorFlow Playground, such a change starts over.
    page.click("keep-network")?;
    wait_until(Duration::from_secs(5), "the box to clear", || Ok(!keep()?))?;
    page.set_value("regularization", "L1")?;
    page.wait_for_epoch("a reset for the new regularization", |e| e == 0)?;
    page.click("step")?;
    page.wait_for_epoch("a step", |e| e == 1)?;
    page.slide("batch-size", "5")?;
    page.wait_for_epoch("a reset for the new batch size", |e| e == 0)?;
    page.click("step")?;
    page.wait_for_epoch("a step", |e| e == 1)?;
    page.set_value("regularization-rate", "0.01")?;
    page.wait_for_epoch("a reset for the new rate", |e| e == 0)?;
    // The learning rate never resets.
    page.click("step")?;
    page.wait_for_epoch("a step", |e| e == 1)?;
    page.set_value("learning-rate", "0.1")?;
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(page.epoch()?, 1, "a new learning rate keeps the network");
    page.expect_no_errors()
}

#[test]
fn each_hidden_layer_has_its_own_activation() -> Result<()> {
    let page = Page::open()?;
    assert_eq!(page.value_of("layer-0-activation")?, "tanh");
    assert_eq!(page.value_of("layer-1-activation")?, "tanh");
    page.click("step")?;
    page.wait_for_epoch("one step", |e| e == 1)?;
    let before = page.output_pixels()?;
    page.set_value("layer-0-activation", "relu")?;
    wait_until(
        Duration::from_secs(5),
        "the output to change with layer 1's activation",
        || Ok(page.output_pixels()? != before),
    )?;
    wait_until(Duration::from_secs(5), "the URL to carry it", || {
        Ok(page.hash()?.contains("layerActivations=relu,tanh"))
    })?;
    assert_eq!(page.value_of("layer-1-activation")?, "tanh");
    assert_eq!(page.value_of("activation")?, "tanh");
    page.click("node-1-0")?;
    page.wait_for_text("node-card-title", "(relu)")?;
    // The global menu sets every layer.
    page.set_value("activation", "sigmoid")?;
    wait_until(Duration::from_secs(5), "every layer to follow", || {
        Ok(page.value_of("layer-0-activation")? == "sigmoid"
            && page.value_of("layer-1-activation")? == "sigmoid"
            && !page.hash()?.contains("layerActivations"))
    })?;
    page.expect_no_errors()?;
    drop(page);
    // A link opens with the layers it names; a bad name is repaired with a note.
    let page = Page::open_at(
        "/#networkShape=3,3&layerActivations=sine,nonsense",
        BrowserOptions::default(),
    )?;
    assert_eq!(page.value_of("layer-0-activation")?, "sine");
    assert_eq!(page.value_of("layer-1-activation")?, "tanh");
    page.wait_for_text("url-notes", "layerActivations")?;
    page.expect_no_errors()
}

#[test]
fn the_article_explains_the_page_and_hide_text_hides_it() -> Result<()> {
    let page = Page::open()?;
    assert!(page.shown("article")?);
    let text = page.browser.text_of(&by_testid("article"))?;
    for part in [
        "What am I looking at?",
        "neuron",
        "Learning rate",
        "Regularization",
        "Things to try",
        "sin",
    ] {
        assert!(text.contains(part), "the article should mention {part:?}");
    }
    drop(page);
    let page = Page::open_at("/#hideText=true", BrowserOptions::default())?;
    assert!(!page.shown("article")?, "hideText=true hides the article");
    page.expect_no_errors()
}

#[test]
fn on_a_phone_every_control_is_in_reach_by_touch() -> Result<()> {
    let page = Page::open_at("/", BrowserOptions::default().device(Device::PHONE))?;
    let touch = page.browser.execute(
        "return [window.innerWidth, navigator.maxTouchPoints > 0, matchMedia('(hover: none)').matches];",
        &[],
    )?;
    assert_eq!(touch[0], 390, "{touch}");
    assert_eq!(touch[1], true, "no touch points: {touch}");
    // Every visible control, scrolled to, is the topmost thing at its
    // centre and lies inside the screen's width.
    let unreachable = page.browser.execute(
        "const bad = []; \
         const controls = document.querySelectorAll('.playground button, .playground select, \
             .playground input, .playground textarea, .playground a[href], .playground .node'); \
         for (const el of controls) { \
           if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue; \
           el.scrollIntoView({ block: 'center', inline: 'center' }); \
           const r = el.getBoundingClientRect(); \
           const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2; \
           const hit = document.elementFromPoint(x, y); \
           const name = el.getAttribute('data-testid') || el.tagName + '.' + el.className; \
           if (r.left < -1 || r.right > window.innerWidth + 1) bad.push(name + ' off screen'); \
           else if (!hit || !(hit === el || el.contains(hit) || hit.contains(el) || hit.control === el)) \
             bad.push(name + ' covered by ' + (hit ? hit.tagName + '.' + hit.className : 'nothing')); \
         } \
         window.scrollTo(0, 0); \
         return bad;",
        &[],
    )?;
    assert_eq!(unreachable, serde_json::json!([]));
    // A tap on a neuron opens its card: no hover needed.
    page.browser.execute(
        "document.querySelector('[data-testid=node-1-1]').scrollIntoView({ block: 'center', inline: 'center' }); return null;",
        &[],
    )?;
    let centre = page.browser.execute(
        "const r = document.querySelector('[data-testid=node-1-1]').getBoundingClientRect(); \
         return [(r.left + r.right) / 2, (r.top + r.bottom) / 2];",
        &[],
    )?;
    let (cx, cy) = (
        centre[0].as_f64().unwrap_or(0.0),
        centre[1].as_f64().unwrap_or(0.0),
    );
    page.browser.pointer(PointerKind::Touch, cx, cy, true)?;
    page.wait_for_text("node-card-title", "Layer 1 · neuron 2")?;
    // A tap on a link shows its weight and opens it for editing.
    let (x, y) = page.link_point("feature-y", "node-1-0")?;
    page.browser.pointer(PointerKind::Touch, x, y, true)?;
    page.wait_for_text("node-card-title", "Layer 1 · neuron 1")?;
    wait_until(Duration::from_secs(5), "the tapped link's tooltip", || {
        Ok(page
            .browser
            .text_of(&by_testid("link-tooltip"))?
            .starts_with("weight "))
    })?;
    wait_until(
        Duration::from_secs(5),
        "the weight from X₂ to take focus",
        || Ok(page.focused()? == "weight-input-1"),
    )?;
    page.browser.screenshot("layout-phone-touch")?;
    page.expect_no_errors()
}

#[test]
fn dropout_is_set_by_its_menu_and_by_a_link_and_training_still_learns() -> Result<()> {
    let page = Page::open()?;
    assert_eq!(page.value_of("dropout")?, "0");
    assert!(!page.hash()?.contains("dropout"), "no dropout, no key");
    page.click("step")?;
    page.click("step")?;
    page.wait_for_epoch("two steps", |e| e == 2)?;
    let loss = page.loss("test-loss")?;
    page.set_value("dropout", "0.2")?;
    wait_until(Duration::from_secs(5), "the URL to carry dropout", || {
        Ok(page.hash()?.contains("dropout=0.2"))
    })?;
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(page.epoch()?, 2, "changing dropout reset the network");
    assert_eq!(
        page.loss("test-loss")?,
        loss,
        "changing dropout changed the weights (or the evaluation drops values)"
    );
    page.click("step")?;
    page.wait_for_epoch("a step with dropout", |e| e == 3)?;
    page.set_value("dropout", "0")?;
    wait_until(Duration::from_secs(5), "the key to leave the URL", || {
        Ok(!page.hash()?.contains("dropout"))
    })?;
    page.expect_no_errors()?;
    drop(page);

    // A link sets it, and the network still learns with it.
    let page = Page::open_at("/#dropout=0.3&networkShape=8,8", BrowserOptions::default())?;
    assert_eq!(page.value_of("dropout")?, "0.3");
    assert!(!page.shown("url-notes")?, "a valid rate needs no note");
    let initial = page.loss("test-loss")?;
    page.set_value("speed", "10")?;
    page.click("play")?;
    page.wait_for_epoch("100 epochs with dropout", |e| e >= 100)?;
    page.click("play")?;
    std::thread::sleep(Duration::from_millis(300));
    let trained = page.loss("test-loss")?;
    assert!(
        trained < initial,
        "test loss did not go down with dropout 0.3: {initial} → {trained}"
    );
    assert!(page.hash()?.contains("dropout=0.3"));
    page.expect_no_errors()?;
    drop(page);

    // A rate the menu lacks still shows (and `dropout_hide` hides the
    // menu); a bad one is repaired with a note.
    let page = Page::open_at(
        "/#dropout=0.25&dropout_hide=true",
        BrowserOptions::default(),
    )?;
    assert_eq!(page.value_of("dropout")?, "0.25");
    assert!(!page.shown("dropout")?, "dropout_hide");
    drop(page);
    let page = Page::open_at("/#dropout=NaN", BrowserOptions::default())?;
    page.wait_for_text("url-notes", "dropout")?;
    assert_eq!(page.value_of("dropout")?, "0");
    page.expect_no_errors()
}

#[test]
fn the_largest_network_plays_and_draws_every_heatmap() -> Result<()> {
    let page = Page::open_at(
        "/#networkShape=32,32,32,32,32,32,32,32,32,32&x=true&y=true&xSquared=true\
         &ySquared=true&xTimesY=true&sinX=true&sinY=true&cosX=true&cosY=true",
        BrowserOptions::default(),
    )?;
    page.click("play")?;
    page.wait_for_epoch("the largest network to train", |e| e >= 5)?;
    std::thread::sleep(Duration::from_secs(2));
    page.click("play")?;
    // Paused, the whole picture is drawn: sample the centre of a node in
    // every column (the picture is at the layout's scale or twice it).
    let blank = page.browser.execute(
        "const c = document.querySelector('canvas.links'); \
         const s = c.width / c.clientWidth; \
         const ctx = c.getContext('2d'); \
         const blank = []; \
         for (let col = 1; col <= 11; col++) { \
           for (const i of [0, col === 11 ? 0 : 31]) { \
             const n = document.querySelector(`[data-node='${col}-${i}']`); \
             const x = Math.round((n.offsetLeft + n.offsetWidth / 2) * s), y = Math.round((n.offsetTop + n.offsetHeight / 2) * s); \
             const p = ctx.getImageData(x, y, 1, 1).data; \
             if (p[0] === 247 && p[1] === 247 && p[2] === 247) blank.push(`${col}-${i}`); \
           } \
         } \
         return blank;",
        &[],
    )?;
    assert_eq!(
        blank.as_array().map(Vec::len),
        Some(0),
        "nodes without a heatmap: {blank}"
    );
    assert!(page.exists("node-10-31")? && page.exists("node-11-0")?);
    page.expect_no_errors()
}

#[test]
fn the_output_plot_has_axes_and_every_node_shows_its_bias() -> Result<()> {
    let page = Page::open()?;
    let axis = page.browser.text_of(&by_testid("x-axis"))?;
    assert!(
        axis.contains("−6") && axis.contains('0') && axis.contains('6'),
        "{axis}"
    );
    page.click("step")?;
    page.wait_for_epoch("one step", |e| e == 1)?;
    // The bias square's dark rim in the bottom-left corner of each node's
    // heatmap (inside the node's 1-pixel border), for hidden and output nodes.
    let rims = page.browser.execute(
        "const c = document.querySelector('canvas.links'); \
         const s = c.width / c.clientWidth; \
         const ctx = c.getContext('2d'); \
         return ['1-0', '1-3', '2-1', '3-0'].map(id => { \
           const n = document.querySelector(`[data-node='${id}']`); \
           const x = Math.round((n.offsetLeft + 1) * s), y = Math.round((n.offsetTop + n.offsetHeight - 1) * s) - 1; \
           return Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3)).join(','); });",
        &[],
    )?;
    assert_eq!(
        rims,
        serde_json::json!(["80,80,80", "80,80,80", "80,80,80", "80,80,80"]),
        "bias marks at the nodes' corners"
    );
    page.expect_no_errors()
}

impl Page {
    /// How many of a dataset thumbnail's pixels are orange-ish and blue-ish,
    /// its width, and how many pixels are not grey (painted points).
    fn thumbnail_colours(&self, name: &str) -> Result<(u64, u64, u64, u64)> {
        let v = self.browser.execute(
            "const c = document.querySelector(arguments[0]); \
             if (!c) return null; \
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
             let orange = 0, blue = 0, painted = 0; \
             for (let i = 0; i < d.length; i += 4) { \
               const [r, g, b] = [d[i], d[i + 1], d[i + 2]]; \
               if (r !== g || g !== b) painted++; \
               if (r > 200 && g > 100 && g < 190 && b < 100) orange++; \
               if (b > 150 && r < 80 && g < 160) blue++; \
             } \
             return [orange, blue, c.width, painted];",
            &[by_testid(&format!("dataset-thumb-{name}")).into()],
        )?;
        match (v[0].as_u64(), v[1].as_u64(), v[2].as_u64(), v[3].as_u64()) {
            (Some(orange), Some(blue), Some(width), Some(painted)) => {
                Ok((orange, blue, width, painted))
            }
            _ => Err(Error::new(format!("thumbnail {name}: {v}"))),
        }
    }
}

#[test]
fn dataset_buttons_show_thumbnails_and_still_select() -> Result<()> {
    let page = Page::open()?;
    for name in ["circle", "xor", "gauss", "spiral"] {
        let mut last = (0, 0, 0, 0);
        wait_until(
            Duration::from_secs(5),
            &format!("the {name} thumbnail to show both classes"),
            || {
                last = page.thumbnail_colours(name)?;
                Ok(last.0 > 20 && last.1 > 20)
            },
        )
        .map_err(|e| e.context(format!("orange, blue, width: {last:?}")))?;
        assert_eq!(last.2, 48, "{name} thumbnail width");
        let button = page.browser.find(&by_testid(&format!("dataset-{name}")))?;
        assert_eq!(
            page.browser.attribute(&button, "title")?.as_deref(),
            Some(name)
        );
    }
    page.browser.screenshot("dataset-thumbnails")?;
    // Clicking a thumbnail's button still picks that data set.
    page.click("dataset-xor")?;
    wait_until(Duration::from_secs(5), "the URL to say xor", || {
        Ok(page.hash()?.contains("dataset=xor"))
    })?;
    let class = page
        .browser
        .attribute(&page.browser.find(&by_testid("dataset-xor"))?, "class")?
        .unwrap_or_default();
    assert!(class.contains("selected"), "{class}");
    let circle = page
        .browser
        .attribute(&page.browser.find(&by_testid("dataset-circle"))?, "class")?
        .unwrap_or_default();
    assert!(!circle.contains("selected"), "{circle}");
    // Regression lists its own two, with thumbnails.
    page.set_value("problem", "regression")?;
    wait_until(Duration::from_secs(5), "the regression thumbnails", || {
        Ok(page.exists("dataset-thumb-reg-plane")? && page.exists("dataset-thumb-reg-gauss")?)
    })?;
    for name in ["reg-plane", "reg-gauss"] {
        let (.., painted) = page.thumbnail_colours(name)?;
        assert!(
            painted > 50,
            "{name} thumbnail is blank: {painted} pixels painted"
        );
    }
    page.expect_no_errors()
}

impl Page {
    /// How even the links' ink is across the pixel columns between the
    /// inputs and the first hidden layer: the faintest column's ink over the
    /// strongest's. Solid links give a smooth profile (about 0.64 for the
    /// default network); flowing ones have gap columns where every link is
    /// faint (about 0.21).
    fn link_ink_evenness(&self) -> Result<f64> {
        let v = self.browser.execute(
            "const c = document.querySelector('canvas.links'); \
             const s = c.width / c.clientWidth; \
             const a = document.querySelector(\"[data-node='0-0']\"); \
             const b = document.querySelector(\"[data-node='1-0']\"); \
             const x0 = (a.offsetLeft + a.offsetWidth) * s, x1 = b.offsetLeft * s; \
             const from = Math.round(x0 + 0.25 * (x1 - x0)), to = Math.round(x0 + 0.75 * (x1 - x0)); \
             const w = to - from; \
             const d = c.getContext('2d').getImageData(from, 0, w, c.height).data; \
             const ink = new Array(w).fill(0); \
             for (let y = 0; y < c.height; y++) for (let x = 0; x < w; x++) { \
               const i = (y * w + x) * 4; \
               ink[x] += Math.abs(d[i] - 247) + Math.abs(d[i + 1] - 247) + Math.abs(d[i + 2] - 247); \
             } \
             return w >= 24 ? Math.min(...ink) / Math.max(...ink) : null;",
            &[],
        )?;
        v.as_f64()
            .ok_or_else(|| Error::new(format!("the links between inputs and layer 1: {v}")))
    }
}

#[test]
fn links_flow_while_training_and_are_solid_when_paused() -> Result<()> {
    // A tiny learning rate keeps the weights, and so the links' colours
    // and widths, nearly still: only the dashes change.
    let page = Page::open_at("/#learningRate=0.00001", BrowserOptions::default())?;
    let paused = page.link_ink_evenness()?;
    assert!(
        paused > 0.5,
        "paused, the links are solid: evenness {paused:.2}"
    );
    page.click("play")?;
    page.wait_for_epoch("training to start", |e| e >= 3)?;
    let mut flowing = 1.0;
    wait_until(Duration::from_secs(5), "the links to show dashes", || {
        flowing = page.link_ink_evenness()?;
        Ok(flowing < 0.35)
    })
    .map_err(|e| e.context(format!("evenness while playing {flowing:.2}")))?;
    page.click("play")?;
    let mut again = 0.0;
    wait_until(
        Duration::from_secs(5),
        "the links to be solid again",
        || {
            again = page.link_ink_evenness()?;
            Ok(again > 0.5)
        },
    )
    .map_err(|e| e.context(format!("evenness after pausing {again:.2}")))?;
    page.expect_no_errors()
}

#[test]
fn a_reload_keeps_the_trained_network_its_epoch_and_the_points_drawn() -> Result<()> {
    let page = Page::open_at("/#dataset=xor", BrowserOptions::default())?;
    wait_until(Duration::from_secs(5), "the data count", || {
        Ok(page.data_count().is_ok())
    })?;
    page.set_value("brush", "1")?;
    page.click_plane(5.5, 5.5)?;
    page.click_plane(-5.5, 5.5)?;
    wait_until(Duration::from_secs(5), "two new points", || {
        Ok(page.data_count()?.0 == 252)
    })?;
    for _ in 0..25 {
        page.click("step")?;
    }
    let epoch = page.wait_for_epoch("25 epochs", |e| e == 25)?;
    let loss = page.browser.text_of(&by_testid("test-loss"))?;
    let saved = || -> Result<Vec<serde_json::Value>> {
        playnet_e2e::stored::headers(&page.browser, "playnet-playground", "sessions")
    };
    wait_until(Duration::from_secs(10), "the session saved", || {
        Ok(saved()?.iter().any(|h| h["epoch"] == epoch))
    })?;

    page.browser
        .execute("location.reload(); return null;", &[])?;
    std::thread::sleep(Duration::from_millis(500));
    page.browser
        .find_within(LOAD_TIMEOUT, &by_testid("epoch"))?;
    wait_until(Duration::from_secs(10), "the restore note", || {
        Ok(page
            .browser
            .text_of(&by_testid("kept-text"))?
            .contains("Restored your network from"))
    })?;
    assert_eq!(page.epoch()?, epoch);
    assert_eq!(page.data_count()?.0, 252, "the points drawn are back");
    assert_eq!(page.browser.text_of(&by_testid("test-loss"))?, loss);

    // A link that names no settings finds the latest session too.
    page.browser.goto(&page._server.url("/"))?;
    page.browser
        .find_within(LOAD_TIMEOUT, &by_testid("epoch"))?;
    wait_until(Duration::from_secs(10), "the latest session", || {
        Ok(page.epoch()? == epoch)
    })?;
    assert_eq!(page.browser.text_of(&by_testid("test-loss"))?, loss);

    // Start fresh: new points, new weights, epoch 0; the session is forgotten.
    page.click("kept-action")?;
    page.wait_for_epoch("a fresh start", |e| e == 0)?;
    assert_eq!(page.data_count()?.0, 250);
    wait_until(Duration::from_secs(10), "the session forgotten", || {
        Ok(saved()?.is_empty())
    })?;
    page.expect_no_errors()
}

#[test]
fn the_loss_chart_has_axes_a_legend_and_reads_the_hovered_epoch() -> Result<()> {
    let page = Page::open()?;
    // Record what the page writes on the chart from here on.
    page.browser.execute(
        "window.__chart_text = []; const fill = CanvasRenderingContext2D.prototype.fillText; \
         CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) { \
           if (this.canvas.dataset.testid === 'loss-chart') window.__chart_text.push(String(text)); \
           return fill.call(this, text, ...rest); }; return null;",
        &[],
    )?;
    for n in 1..=3 {
        page.click("step")?;
        page.wait_for_epoch("a step", |e| e == n)?;
    }
    let texts = page.browser.execute("return window.__chart_text;", &[])?;
    let texts: Vec<String> =
        serde_json::from_value(texts).map_err(|e| Error::new(e.to_string()))?;
    for wanted in ["epoch", "training loss", "test loss", "0", "3"] {
        assert!(
            texts.iter().any(|t| t == wanted),
            "{wanted:?} not drawn on the chart: {texts:?}"
        );
    }
    assert!(
        texts.iter().filter(|t| parse_decimal(t).is_ok()).count() >= 6,
        "tick labels on both axes: {texts:?}"
    );
    // The pointer at the plot's right end reads the latest epoch, as the
    // readouts above show it; at its left end, epoch 0.
    page.browser.execute(
        "document.querySelector('[data-testid=loss-chart]').scrollIntoView({block: 'center'}); return null;",
        &[],
    )?;
    let r = page.browser.execute(
        "const r = document.querySelector('[data-testid=loss-chart]').getBoundingClientRect(); \
         return [r.left, r.right, r.top, r.bottom];",
        &[],
    )?;
    let num = |i: usize| r[i].as_f64().unwrap_or(f64::NAN);
    let (left, right, mid) = (num(0), num(1), (num(2) + num(3)) / 2.0);
    page.browser
        .pointer(PointerKind::Mouse, right - 10.0, mid, false)?;
    let hover = page.browser.text_of(&by_testid("loss-chart-hover"))?;
    let train = page.browser.text_of(&by_testid("train-loss"))?;
    let test = page.browser.text_of(&by_testid("test-loss"))?;
    assert_eq!(
        hover,
        format!("Epoch 3: training loss {train} · test loss {test}")
    );
    page.browser.screenshot("loss-chart-hover")?;
    page.browser
        .pointer(PointerKind::Mouse, left + 2.0, mid, false)?;
    let hover = page.browser.text_of(&by_testid("loss-chart-hover"))?;
    assert!(hover.starts_with("Epoch 0: training loss "), "{hover}");
    page.expect_no_errors()
}
