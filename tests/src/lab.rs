//! The MNIST lab (`#/mnist`) in a browser, for everything that drives it
//! (`tests/mnist.rs`, `tests/webgpu.rs`, the `bench_mnist` benchmark): one
//! place that knows the page's `data-testid` contract.
//!
//! - `mnist-status` carries `data-phase` (`downloading`, `decoding`, `ready`,
//!   `failed`) and says what went wrong when the data cannot be had;
//! - readouts `mnist-step`, `test-accuracy` (percent), `tested-step` (the
//!   step it was measured at, `data-backend`: what measured it), `backend`
//!   (`webgpu`, `cpu-simd128`, `cpu-scalar`) and `backend-detail`;
//! - `backend-choice`, a `<select>` of `auto`, `webgpu` and `cpu`;
//! - the pad `mnist-pad` with `prob-<k>` rows (`data-value`: probability);
//!   the model input `load-model`;
//! - `discard-confirm` (hidden unless asking) with `discard-question`,
//!   `discard-yes` and `discard-no`: the question before a trained network
//!   is thrown away;
//! - `url-notes`: what the link asked that the page ignored.

use std::time::Duration;

use crate::{
    Browser, BrowserOptions, Error, Result, StaticServer, by_testid, dist_dir, parse_count,
    parse_decimal, put_files, wait_until,
};

/// Loading the wasm, opening the GPU where asked (compiling every kernel on
/// SwiftShader), downloading 11 MB from loopback and decoding it.
pub const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// The first test evaluation after the data is ready.
const FIRST_TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The lab open in a browser, with the server that serves it.
pub struct LabPage {
    pub browser: Browser,
    // Kept alive while the browser uses it.
    server: StaticServer,
}

impl LabPage {
    /// Opens the page at `#{hash}` (e.g. `/mnist?preset=softmax`) and waits
    /// for the lab to render.
    pub fn open(hash: &str, options: BrowserOptions) -> Result<LabPage> {
        let server = StaticServer::start(dist_dir()?)?;
        let browser = Browser::start_with(options)?;
        browser.goto(&server.url(&format!("/#{hash}")))?;
        browser
            .find_within(Duration::from_secs(30), &by_testid("mnist-lab"))
            .map_err(|e| e.context("waiting for the MNIST lab to render"))?;
        Ok(LabPage { browser, server })
    }

    /// Opens the lab and waits for the data and the first test evaluation.
    pub fn ready(hash: &str, options: BrowserOptions) -> Result<LabPage> {
        let page = LabPage::open(hash, options)?;
        page.wait_ready()?;
        Ok(page)
    }

    /// The address of `path` on the page's server.
    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// Waits for the data and the first test evaluation.
    pub fn wait_ready(&self) -> Result<()> {
        wait_until(READY_TIMEOUT, "the MNIST data to load", || {
            Ok(self.phase()? == "ready")
        })
        .map_err(|e| e.context(format!("status: {:?}", self.text("mnist-status").ok())))?;
        wait_until(FIRST_TEST_TIMEOUT, "the first test evaluation", || {
            Ok(self.text("test-accuracy")? != "—")
        })
    }

    /// The text of element `id`.
    pub fn text(&self, id: &str) -> Result<String> {
        self.browser.text_of(&by_testid(id))
    }

    /// Element `id`'s text as a decimal number.
    pub fn number(&self, id: &str) -> Result<f64> {
        parse_decimal(&self.text(id)?).map_err(|e| e.context(id))
    }

    /// Element `id`'s text as a whole number (`1,234`).
    pub fn count(&self, id: &str) -> Result<u64> {
        parse_count(&self.text(id)?).map_err(|e| e.context(id))
    }

    /// `mnist-status`'s `data-phase`.
    pub fn phase(&self) -> Result<String> {
        Ok(self
            .attribute("mnist-status", "data-phase")?
            .unwrap_or_default())
    }

    /// Attribute `name` of element `id`, if it has one.
    fn attribute(&self, id: &str, name: &str) -> Result<Option<String>> {
        let el = self.browser.find(&by_testid(id))?;
        self.browser.attribute(&el, name)
    }

    /// Clicks element `id`.
    pub fn click(&self, id: &str) -> Result<()> {
        self.browser.click_on(&by_testid(id))
    }

    /// Waits until element `id`'s text contains `needle`.
    pub fn wait_for_text(&self, id: &str, needle: &str, timeout: Duration) -> Result<()> {
        let mut last = String::new();
        wait_until(timeout, &format!("{id} to say {needle:?}"), || {
            last = self.text(id)?;
            Ok(last.contains(needle))
        })
        .map_err(|e| e.context(format!("{id} says {last:?}")))
    }

    /// The test accuracy as a fraction, and the step it was measured at.
    pub fn tested(&self) -> Result<(f64, u64)> {
        Ok((
            self.number("test-accuracy")? / 100.0,
            self.count("tested-step")?,
        ))
    }

    /// The backend that measured the test accuracy shown.
    pub fn tested_by(&self) -> Result<String> {
        Ok(self
            .attribute("tested-step", "data-backend")?
            .unwrap_or_default())
    }

    /// Waits until the accuracy shown was measured at the step shown (after
    /// a pause, or when no evaluation is pending) and returns it.
    pub fn wait_tested_now(&self, timeout: Duration) -> Result<(f64, u64)> {
        wait_until(timeout, "a test at the current step", || {
            Ok(self.text("tested-step")? == self.text("mnist-step")?)
        })?;
        self.tested()
    }

    /// Picks `value` in the backend menu, as a person would.
    pub fn choose_backend(&self, value: &str) -> Result<()> {
        let el = self.browser.find(&by_testid("backend-choice"))?;
        self.browser.execute(
            "arguments[0].value = arguments[1]; \
             arguments[0].dispatchEvent(new Event('change', { bubbles: true })); return null;",
            &[el.to_json(), value.into()],
        )?;
        Ok(())
    }

    /// The backend menu's value.
    pub fn chosen_backend(&self) -> Result<String> {
        let v = self.browser.execute(
            "return document.querySelector('[data-testid=backend-choice]').value;",
            &[],
        )?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Waits for `backend` to read `name`.
    pub fn wait_backend(&self, name: &str, timeout: Duration) -> Result<()> {
        let mut last = String::new();
        wait_until(timeout, &format!("the backend to be {name}"), || {
            last = self.text("backend")?;
            Ok(last == name)
        })
        .map_err(|e| {
            e.context(format!(
                "backend {last:?} ({:?}); status {:?}",
                self.text("backend-detail").ok(),
                self.text("mnist-status").ok()
            ))
        })
    }

    /// No panic recorded by the page's panic hook.
    pub fn expect_no_errors(&self) -> Result<()> {
        let panic = self
            .browser
            .execute("return window.__playnet_panic || null;", &[])?;
        if !panic.is_null() {
            return Err(Error::new(format!("the page panicked: {panic}")));
        }
        Ok(())
    }

    /// Draws strokes on the pad with pointer events (`pointerType` touch, as
    /// a finger would): each stroke is a list of points in pad pixels (0–280).
    pub fn draw(&self, strokes: serde_json::Value) -> Result<()> {
        self.browser.execute(
            "const pad = document.querySelector('[data-testid=mnist-pad]'); \
             const r = pad.getBoundingClientRect(); \
             const send = (type, [x, y]) => pad.dispatchEvent(new PointerEvent(type, { \
               clientX: r.left + x * r.width / 280, clientY: r.top + y * r.height / 280, \
               pointerId: 7, pointerType: 'touch', isPrimary: true, bubbles: true, \
               cancelable: true, buttons: 1 })); \
             for (const stroke of arguments[0]) { \
               send('pointerdown', stroke[0]); \
               for (const p of stroke.slice(1)) send('pointermove', p); \
               send('pointerup', stroke[stroke.length - 1]); \
             } \
             return null;",
            &[strokes],
        )?;
        Ok(())
    }

    /// The pad's class probabilities, or `None` when it shows none.
    pub fn probabilities(&self) -> Result<Option<Vec<f64>>> {
        let v = self.browser.execute(
            "const rows = [...document.querySelectorAll('[data-testid^=prob-]')]; \
             return rows.length ? rows.map(r => Number(r.dataset.value)) : null;",
            &[],
        )?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(|x| x.as_f64()).collect()))
    }

    /// Puts files into the model input, as if picked in the file dialog:
    /// each is `(name, blob URL or null, literal text)`.
    pub fn load_files(&self, files: serde_json::Value) -> Result<()> {
        put_files(&self.browser, "load-model", files)
    }

    /// The `href` of link `id`, once it shows.
    pub fn href(&self, id: &str) -> Result<String> {
        let el = self
            .browser
            .find_within(Duration::from_secs(10), &by_testid(id))?;
        self.browser
            .attribute(&el, "href")?
            .ok_or_else(|| Error::new(format!("{id} has no href")))
    }

    /// Types `value` into a text field and commits it (a `change` event).
    pub fn set_field(&self, id: &str, value: &str) -> Result<()> {
        self.browser.execute(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
             el.dispatchEvent(new Event('change', { bubbles: true })); return null;",
            &[by_testid(id).into(), value.into()],
        )?;
        Ok(())
    }

    /// Answers the question before a trained network is thrown away, once
    /// it shows: `discard` (yes) or keep it. Returns the question.
    pub fn answer_discard(&self, discard: bool) -> Result<String> {
        wait_until(Duration::from_secs(10), "the discard question", || {
            self.shown("discard-confirm")
        })?;
        let question = self.text("discard-question")?;
        self.click(if discard { "discard-yes" } else { "discard-no" })?;
        Ok(question)
    }

    /// Loads model files (as [`LabPage::load_files`]) over a trained
    /// network, says yes to replacing it, and waits for the refusal: the
    /// status that gives the reason. (Saying yes sets the status to "Loading
    /// the model…", so an earlier refusal is not read for this one.)
    pub fn load_refused(&self, files: serde_json::Value) -> Result<String> {
        self.load_files(files)?;
        self.answer_discard(true)?;
        self.wait_for_text(
            "mnist-status",
            "Cannot load this model",
            Duration::from_secs(10),
        )?;
        self.text("mnist-status")
    }

    /// Whether element `id` is shown (not hidden by the `hidden` class).
    pub fn shown(&self, id: &str) -> Result<bool> {
        let v = self.browser.execute(
            "const el = document.querySelector(arguments[0]); \
             return !!el && !el.classList.contains('hidden') && el.getClientRects().length > 0;",
            &[by_testid(id).into()],
        )?;
        Ok(v.as_bool().unwrap_or(false))
    }

    /// Trains from where it is until the step reaches `steps`, pauses and
    /// waits for the test of the paused step: (step, test accuracy).
    pub fn train_to(&self, steps: u64, timeout: Duration) -> Result<(u64, f64)> {
        self.click("mnist-start")?;
        wait_until(timeout, &format!("step {steps}"), || {
            Ok(self.count("mnist-step")? >= steps)
        })?;
        self.click("mnist-pause")?;
        let (accuracy, step) = self.wait_tested_now(timeout)?;
        Ok((step, accuracy))
    }

    /// Whether control `id` is disabled.
    pub fn disabled(&self, id: &str) -> Result<bool> {
        Ok(self.attribute(id, "disabled")?.is_some())
    }
}
