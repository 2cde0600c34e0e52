//! The sketch page (`#/sketch`): draw with WebDriver pointer actions on
//! `sketch-canvas`, and sketch-rnn continues the drawing in the
//! `candidate-<i>` cells (`data-points`, `data-done`, `data-start` and
//! `data-strokes`: stroke-3 rows in canvas pixels). `sketch-drawing` holds
//! the drawing (`data-lines`, `data-end`), `sketch-status` the phase
//! (`data-phase`: loading, idle, drawing, done, error).

use std::time::Duration;

use playnet_e2e::{
    Browser, BrowserOptions, Error, PointerKind, Result, StaticServer, by_testid, dist_dir,
    put_files, wait_until,
};
use serde_json::{Value, json};

/// Loading the wasm and a 2.2 MB model from loopback.
const READY: Duration = Duration::from_secs(60);
/// Sampling 9 candidates to their end (at most 129 steps of the models).
const DONE: Duration = Duration::from_secs(60);
/// Loading the drawings and training a 64-unit model for 50 steps in the
/// worker (about 30 s on a laptop; the CI machine has two cores).
const TRAINED: Duration = Duration::from_secs(300);
/// The canvas's buffer, in canvas pixels.
const SIDE: f64 = 400.0;

struct SketchPage {
    browser: Browser,
    _server: StaticServer,
}

/// One candidate as the page exposes it.
#[derive(Debug, PartialEq)]
struct Candidate {
    points: u64,
    done: bool,
    start: [f64; 2],
    strokes: Value,
}

impl SketchPage {
    fn open_with(hash: &str, options: BrowserOptions) -> Result<SketchPage> {
        let server = StaticServer::start(dist_dir()?)?;
        let browser = Browser::start_with(options)?;
        browser.goto(&server.url(&format!("/#{hash}")))?;
        browser.find_within(Duration::from_secs(30), &by_testid("sketch-page"))?;
        Ok(SketchPage {
            browser,
            _server: server,
        })
    }

    /// Opens `#{hash}` and waits for the model.
    fn ready(hash: &str) -> Result<SketchPage> {
        let page = SketchPage::open_with(hash, BrowserOptions::default())?;
        page.wait_model()?;
        Ok(page)
    }

    fn phase(&self) -> Result<String> {
        let el = self.browser.find(&by_testid("sketch-status"))?;
        Ok(self
            .browser
            .attribute(&el, "data-phase")?
            .unwrap_or_default())
    }

    fn wait_model(&self) -> Result<()> {
        wait_until(READY, "the model to load", || {
            let phase = self.phase()?;
            if phase == "error" {
                return Err(Error::new(
                    self.browser.text_of(&by_testid("sketch-status"))?,
                ));
            }
            Ok(phase != "loading")
        })
    }

    /// Draws strokes given in canvas pixels (0–400) with mouse actions.
    fn draw(&self, strokes: &[Vec<(f64, f64)>]) -> Result<()> {
        for stroke in strokes {
            // Where the canvas is now (the page may have moved).
            let rect = self.browser.execute(
                "const c = document.querySelector('[data-testid=sketch-canvas]'); \
                 c.scrollIntoView({ block: 'center' }); \
                 const r = c.getBoundingClientRect(); return [r.left, r.top, r.width, r.height];",
                &[],
            )?;
            let r: Vec<f64> =
                serde_json::from_value(rect).map_err(|e| Error::new(e.to_string()))?;
            let points: Vec<(f64, f64)> = stroke
                .iter()
                .map(|&(x, y)| (r[0] + x * r[2] / SIDE, r[1] + y * r[3] / SIDE))
                .collect();
            self.browser.drag(PointerKind::Mouse, &points)?;
        }
        Ok(())
    }

    fn candidates(&self) -> Result<Vec<Candidate>> {
        let v = self.browser.execute(
            "return [...document.querySelectorAll('[data-testid^=candidate-]')] \
               .filter(c => c.dataset.testid !== 'candidate-count') \
               .map(c => [Number(c.dataset.points), c.dataset.done, c.dataset.start, c.dataset.strokes]);",
            &[],
        )?;
        let rows = v.as_array().cloned().unwrap_or_default();
        rows.iter()
            .map(|r| {
                let start: Vec<f64> = serde_json::from_str(r[2].as_str().unwrap_or(""))
                    .map_err(|e| Error::new(format!("data-start: {e}")))?;
                Ok(Candidate {
                    points: r[0].as_u64().unwrap_or(0),
                    done: r[1].as_str() == Some("true"),
                    start: [start[0], start[1]],
                    strokes: serde_json::from_str(r[3].as_str().unwrap_or(""))
                        .map_err(|e| Error::new(format!("data-strokes: {e}")))?,
                })
            })
            .collect()
    }

    /// Waits until `n` candidates have all ended; returns them.
    fn wait_done(&self, n: usize) -> Result<Vec<Candidate>> {
        let mut seen_points = false;
        wait_until(DONE, "the candidates to finish", || {
            let c = self.candidates()?;
            seen_points |= c.iter().any(|c| c.points > 0);
            Ok(c.len() == n && c.iter().all(|c| c.done) && self.phase()? == "done")
        })?;
        assert!(seen_points, "no candidate ever drew a point");
        self.candidates()
    }

    fn drawing(&self, attr: &str) -> Result<String> {
        let el = self.browser.find(&by_testid("sketch-drawing"))?;
        Ok(self.browser.attribute(&el, attr)?.unwrap_or_default())
    }

    fn click(&self, id: &str) -> Result<()> {
        self.browser.click_on(&by_testid(id))
    }

    /// Sets an input or select and commits it (a `change` event).
    fn set(&self, id: &str, value: &str) -> Result<()> {
        self.browser.execute(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
             el.dispatchEvent(new Event('change', { bubbles: true })); return null;",
            &[json!(by_testid(id)), json!(value)],
        )?;
        Ok(())
    }

    fn attribute(&self, id: &str, attr: &str) -> Result<String> {
        let el = self.browser.find(&by_testid(id))?;
        Ok(self.browser.attribute(&el, attr)?.unwrap_or_default())
    }

    fn number(&self, id: &str, attr: &str) -> Result<f64> {
        let text = self.attribute(id, attr)?;
        text.parse()
            .map_err(|_| Error::new(format!("{id} {attr} is {text:?}, not a number")))
    }

    fn value(&self, id: &str) -> Result<String> {
        let v = self.browser.execute(
            "return document.querySelector(arguments[0]).value;",
            &[json!(by_testid(id))],
        )?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// The names in the model menu.
    fn models(&self) -> Result<Vec<String>> {
        let v = self.browser.execute(
            "return [...document.querySelectorAll('[data-testid=sketch-class] option')].map(o => o.value);",
            &[],
        )?;
        serde_json::from_value(v).map_err(|e| Error::new(e.to_string()))
    }

    fn no_panic(&self) -> Result<()> {
        let panic = self
            .browser
            .execute("return window.__playnet_panic || null;", &[])?;
        assert!(panic.is_null(), "the page panicked: {panic}");
        Ok(())
    }
}

/// Three strokes: a head, a beak and a wing, ending at (300, 250).
fn bird() -> Vec<Vec<(f64, f64)>> {
    vec![
        vec![
            (100.0, 150.0),
            (140.0, 110.0),
            (190.0, 110.0),
            (220.0, 150.0),
        ],
        vec![(220.0, 150.0), (250.0, 160.0), (220.0, 170.0)],
        vec![(120.0, 200.0), (200.0, 240.0), (300.0, 250.0)],
    ]
}

fn close(a: [f64; 2], b: [f64; 2], tolerance: f64) -> bool {
    (a[0] - b[0]).abs() <= tolerance && (a[1] - b[1]).abs() <= tolerance
}

#[test]
fn candidates_grow_from_the_last_point_of_the_drawing() -> Result<()> {
    let page = SketchPage::ready("/sketch?seed=3")?;
    page.draw(&bird())?;
    assert_eq!(page.drawing("data-lines")?, "3");
    let candidates = page.wait_done(9)?;
    let end: Vec<f64> =
        serde_json::from_str(&page.drawing("data-end")?).map_err(|e| Error::new(e.to_string()))?;
    assert!(close([end[0], end[1]], [300.0, 250.0], 1.5), "{end:?}");
    for (i, c) in candidates.iter().enumerate() {
        assert!(
            close(c.start, [300.0, 250.0], 1.5),
            "candidate {i} starts at {:?}",
            c.start
        );
        let rows = c.strokes.as_array().map_or(0, Vec::len) as u64;
        assert!(
            rows > 0 && rows == c.points,
            "candidate {i}: {rows} rows, {} points",
            c.points
        );
    }
    // Not all the same continuation.
    assert!(
        candidates
            .iter()
            .any(|c| c.strokes != candidates[0].strokes)
    );
    let steps: u64 = page
        .browser
        .text_of(&by_testid("sketch-step"))?
        .parse()
        .map_err(|_| Error::new("sketch-step is not a number"))?;
    let most = candidates.iter().map(|c| c.points).max().unwrap_or(0);
    assert_eq!(steps, most, "steps sampled");
    let el = page.browser.find(&by_testid("sketch-step"))?;
    let ms = page
        .browser
        .attribute(&el, "data-ms-per-step")?
        .unwrap_or_default();
    eprintln!("ms per batched step of 9: {ms}");
    page.no_panic()
}

#[test]
fn undo_removes_the_last_stroke_and_the_candidates_follow() -> Result<()> {
    let page = SketchPage::ready("/sketch?candidates=4")?;
    page.draw(&bird()[..2])?;
    page.wait_done(4)?;
    page.click("undo")?;
    assert_eq!(page.drawing("data-lines")?, "1");
    let candidates = page.wait_done(4)?;
    for c in &candidates {
        assert!(
            close(c.start, [220.0, 150.0], 1.5),
            "starts at {:?}",
            c.start
        );
    }
    page.click("clear")?;
    assert_eq!(page.drawing("data-lines")?, "0");
    wait_until(Duration::from_secs(5), "the grid to empty", || {
        Ok(page.candidates()?.is_empty() && page.phase()? == "idle")
    })?;
    page.no_panic()
}

#[test]
fn changing_the_temperature_redraws() -> Result<()> {
    let page = SketchPage::ready("/sketch?seed=7&temperature=0.25")?;
    page.draw(&bird())?;
    let cold = page.wait_done(9)?;
    page.set("temperature", "0.9")?;
    wait_until(Duration::from_secs(10), "the link to follow", || {
        Ok(page.browser.current_url()?.contains("temperature=0.9"))
    })?;
    let warm = page.wait_done(9)?;
    assert_ne!(cold, warm, "the same candidates at another temperature");
    // And another count redraws with that many.
    page.set("candidate-count", "1")?;
    assert_eq!(page.wait_done(1)?.len(), 1);
    page.no_panic()
}

#[test]
fn the_links_seed_and_the_saved_drawing_reproduce_the_candidates() -> Result<()> {
    let page = SketchPage::ready("/sketch?class=cat_or_bird&seed=5")?;
    page.draw(&bird())?;
    let first = page.wait_done(9)?;
    let url = page.browser.current_url()?;
    assert!(
        url.contains("seed=5") && url.contains("class=bird"),
        "{url}"
    );
    page.browser
        .execute("location.reload(); return null;", &[])?;
    page.browser
        .find_within(Duration::from_secs(30), &by_testid("sketch-page"))?;
    page.wait_model()?;
    assert_eq!(page.drawing("data-lines")?, "3", "the drawing survives");
    assert_eq!(
        page.browser.text_of(&by_testid("kept-text"))?,
        "Restored your drawing from this browser (3 strokes)."
    );
    let again = page.wait_done(9)?;
    assert_eq!(first, again, "the same link and drawing, other candidates");
    // Redraw picks a new seed, writes it to the link, and draws others.
    page.click("redraw")?;
    let other = page.wait_done(9)?;
    let url = page.browser.current_url()?;
    assert!(!url.contains("seed=5&"), "{url}");
    assert_ne!(first, other);
    // The kept note's Start fresh empties the page.
    page.browser.click_on(&by_testid("kept-action"))?;
    assert_eq!(page.drawing("data-lines")?, "0");
    let note = page.browser.find(&by_testid("kept-note"))?;
    assert!(
        !page.browser.is_displayed(&note)?,
        "the note goes with the drawing"
    );
    page.no_panic()
}

#[test]
fn export_svg_writes_the_drawing() -> Result<()> {
    let page = SketchPage::ready("/sketch")?;
    // Two strokes that do not touch (a line that starts where the last one
    // ended is one polyline in the file).
    page.draw(&bird()[1..])?;
    page.click("export-svg")?;
    let link = page
        .browser
        .find_within(Duration::from_secs(5), &by_testid("download-svg"))?;
    let href = page.browser.attribute(&link, "href")?.unwrap_or_default();
    assert!(href.starts_with("blob:"), "{href}");
    let svg = page.browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         fetch(arguments[0]).then(r => r.text()).then(done, e => done('error: ' + e));",
        &[json!(href)],
    )?;
    let svg = svg.as_str().unwrap_or_default();
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    let user = svg.split("class=\"user\"").nth(1).unwrap_or_default();
    let user = user.split("</g>").next().unwrap_or_default();
    assert_eq!(user.matches("<polyline").count(), 2, "{svg}");
    // The first point drawn is the file's first.
    let first: Vec<f64> = user
        .split("points=\"")
        .nth(1)
        .and_then(|p| p.split(' ').next())
        .map(|p| p.split(',').filter_map(|v| v.parse().ok()).collect())
        .unwrap_or_default();
    assert!(
        first.len() == 2 && close([first[0], first[1]], [220.0, 150.0], 1.5),
        "{svg}"
    );
    page.click("export-png")?;
    let png = page
        .browser
        .find_within(Duration::from_secs(5), &by_testid("download-png"))?;
    let href = page.browser.attribute(&png, "href")?.unwrap_or_default();
    assert!(
        href.starts_with("data:image/png;base64,"),
        "{}",
        &href[..href.len().min(40)]
    );
    page.no_panic()
}

#[test]
fn a_bogus_class_or_a_corrupt_saved_drawing_gets_a_note_and_the_page_works() -> Result<()> {
    let page = SketchPage::ready("/sketch?class=unicorn&temperature=7")?;
    let notes = page.browser.text_of(&by_testid("url-notes"))?;
    assert!(
        notes.contains("unicorn") && notes.contains("bird"),
        "{notes}"
    );
    assert!(notes.contains("temperature"), "{notes}");
    let class = page.browser.execute(
        "return document.querySelector('[data-testid=sketch-class]').value;",
        &[],
    )?;
    assert_eq!(class, json!("bird"));
    page.draw(&bird()[..1])?;
    page.wait_done(9)?;
    // A saved drawing that is not one is ignored with a note.
    page.browser.execute(
        "localStorage.setItem('playnet.sketch.drawing', '{oops'); location.reload(); return null;",
        &[],
    )?;
    page.browser
        .find_within(Duration::from_secs(30), &by_testid("sketch-page"))?;
    page.wait_model()?;
    let notes = page.browser.text_of(&by_testid("url-notes"))?;
    assert!(notes.contains("ignored the drawing saved"), "{notes}");
    assert_eq!(page.drawing("data-lines")?, "0");
    page.no_panic()
}

#[test]
fn models_that_cannot_be_loaded_say_so() -> Result<()> {
    let page = SketchPage::open_with("/sketch?models=nowhere", BrowserOptions::default())?;
    wait_until(READY, "the error", || Ok(page.phase()? == "error"))?;
    let status = page.browser.text_of(&by_testid("sketch-status"))?;
    assert!(
        status.contains("Could not load") && status.contains("nowhere/index.json"),
        "{status}"
    );
    // Drawing still works; nothing is sampled.
    page.draw(&bird()[..1])?;
    assert_eq!(page.drawing("data-lines")?, "1");
    page.no_panic()
}

#[test]
fn drawing_from_nothing_and_keeping_a_candidate() -> Result<()> {
    let page = SketchPage::ready("/sketch?candidates=4&class=cat")?;
    page.set("sketch-class", "sheep")?;
    page.wait_model()?;
    page.click("from-nothing")?;
    let candidates = page.wait_done(4)?;
    assert!(candidates.iter().all(|c| c.points > 0));
    assert!(page.browser.current_url()?.contains("class=sheep"));
    page.click("candidate-2")?;
    let lines: u64 = page
        .drawing("data-lines")?
        .parse()
        .map_err(|_| Error::new("data-lines"))?;
    assert!(lines > 0, "the kept candidate is the drawing");
    page.no_panic()
}

#[test]
fn the_layout_fits_a_laptop_and_a_phone() -> Result<()> {
    for (w, h) in [(1024, 768), (390, 844)] {
        let page = SketchPage::open_with(
            "/sketch?seed=2",
            BrowserOptions::default().window_size(w, h),
        )?;
        page.wait_model()?;
        page.draw(&bird())?;
        page.wait_done(9)?;
        let overflow = page.browser.execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            &[],
        )?;
        assert!(
            overflow.as_f64().unwrap_or(1.0) <= 0.0,
            "{w}×{h}: overflows by {overflow}"
        );
        for id in [
            "sketch-canvas",
            "candidate-8",
            "temperature",
            "export-svg",
            "train-sketch",
            "sketch-curve",
            "load-model",
        ] {
            let el = page.browser.find(&by_testid(id))?;
            assert!(page.browser.is_displayed(&el)?, "{id} hidden at {w}×{h}");
        }
        page.browser
            .execute("window.scrollTo(0, 0); return null;", &[])?;
        let shot = page.browser.screenshot(&format!("sketch-{w}x{h}"))?;
        eprintln!("screenshot: {}", shot.display());
        page.browser.execute(
            "document.querySelector('[data-testid=sketch-train-panel]').scrollIntoView(); return null;",
            &[],
        )?;
        let shot = page.browser.screenshot(&format!("sketch-train-{w}x{h}"))?;
        eprintln!("screenshot: {}", shot.display());
        page.no_panic()?;
    }
    Ok(())
}

#[test]
fn a_drawing_longer_than_the_model_reads_keeps_its_latest_part_and_says_so() -> Result<()> {
    let page = SketchPage::ready("/sketch?candidates=4")?;
    page.draw(&bird()[..1])?;
    page.wait_done(4)?;
    let note = page.browser.find(&by_testid("sketch-truncated"))?;
    assert!(!page.browser.is_displayed(&note)?, "a short drawing is cut");
    // One zigzag of 200 corners (the bird model reads 129 strokes), saved
    // as the page saves drawings, then a reload.
    let line: Vec<[f64; 2]> = (0..200)
        .map(|i| {
            [
                20.0 + f64::from(i) * 1.8,
                if i % 2 == 0 { 100.0 } else { 130.0 },
            ]
        })
        .collect();
    page.browser.execute(
        "localStorage.setItem('playnet.sketch.drawing', JSON.stringify([arguments[0]])); \
         location.reload(); return null;",
        &[json!(line)],
    )?;
    page.browser
        .find_within(Duration::from_secs(30), &by_testid("sketch-page"))?;
    page.wait_model()?;
    assert_eq!(page.drawing("data-lines")?, "1");
    let candidates = page.wait_done(4)?;
    let text = page.browser.text_of(&by_testid("sketch-truncated"))?;
    assert!(
        text.contains("200 points") && text.contains("latest 129"),
        "{text}"
    );
    for c in candidates {
        assert!(
            close(c.start, [20.0 + 199.0 * 1.8, 130.0], 0.5),
            "{:?}",
            c.start
        );
    }
    page.no_panic()
}

#[test]
fn an_embed_with_hide_text_shows_no_prose_and_keeps_it_in_the_link() -> Result<()> {
    {
        // Without it, the prose shows.
        let plain = SketchPage::ready("/sketch")?;
        let el = plain.browser.find(&by_testid("sketch-explain"))?;
        assert!(plain.browser.is_displayed(&el)?);
    }
    let page = SketchPage::ready("/sketch?hideText=true")?;
    for id in ["sketch-explain", "nav-about"] {
        let el = page.browser.find(&by_testid(id))?;
        assert!(!page.browser.is_displayed(&el)?, "{id} shows in an embed");
    }
    page.set("temperature", "0.5")?;
    wait_until(Duration::from_secs(5), "the link to follow", || {
        let url = page.browser.current_url()?;
        Ok(url.contains("temperature=0.5") && url.contains("hideText=true"))
    })?;
    page.no_panic()
}

#[test]
fn training_your_own_model_lowers_the_held_out_loss_and_the_model_is_kept() -> Result<()> {
    let page = SketchPage::ready("/sketch?candidates=4")?;
    page.set("train-data", "omniglot")?;
    page.set("train-hidden", "64")?;
    page.set("train-steps", "50")?;
    page.click("train-sketch")?;
    wait_until(Duration::from_secs(10), "training to start", || {
        Ok(page.attribute("train-sketch", "aria-pressed")? == "true")
    })?;
    wait_until(TRAINED, "50 training steps", || {
        let status = page.browser.text_of(&by_testid("train-status"))?;
        if status.contains("stopped") || status.contains("failed") {
            return Err(Error::new(status));
        }
        Ok(page.attribute("train-sketch", "aria-pressed")? == "false")
    })?;
    let status = page.browser.text_of(&by_testid("train-status"))?;
    assert!(status.contains("Trained 50 steps"), "{status}");
    assert_eq!(page.browser.text_of(&by_testid("sketch-train-step"))?, "50");
    let first = page.number("sketch-nll", "data-first-valid")?;
    let last = page.number("sketch-nll", "data-valid")?;
    assert!(
        last < first - 0.5,
        "held-out NLL per point went {first} → {last}"
    );
    assert!(page.number("sketch-nll", "data-train")?.is_finite());
    // Validated at step 0 and every 10 steps: 6 points.
    assert!(page.number("sketch-curve", "data-points")? >= 6.0);
    // The model is in the menu, chosen, and draws.
    assert_eq!(page.value("sketch-class")?, "my_omniglot");
    assert!(page.browser.current_url()?.contains("class=my_omniglot"));
    page.draw(&bird()[..1])?;
    page.wait_done(4)?;
    // Exported as two files named after it.
    page.click("export-model")?;
    let weights = page.attribute("download-weights", "href")?;
    assert!(weights.starts_with("blob:"), "{weights}");
    assert_eq!(
        page.attribute("download-config", "download")?,
        "my_omniglot.json"
    );
    // Kept across a reload (IndexedDB), with the link still choosing it.
    page.browser
        .execute("location.reload(); return null;", &[])?;
    page.browser
        .find_within(Duration::from_secs(30), &by_testid("sketch-page"))?;
    page.wait_model()?;
    wait_until(Duration::from_secs(10), "the kept model", || {
        Ok(page.value("sketch-class")? == "my_omniglot")
    })?;
    assert!(page.models()?.contains(&"bird".to_string()));
    page.click("from-nothing")?;
    page.wait_done(4)?;
    // Deleting it leaves the shipped models.
    page.click("delete-model")?;
    assert!(!page.models()?.contains(&"my_omniglot".to_string()));
    page.browser
        .execute("location.reload(); return null;", &[])?;
    page.browser
        .find_within(Duration::from_secs(30), &by_testid("sketch-page"))?;
    page.wait_model()?;
    assert!(!page.models()?.contains(&"my_omniglot".to_string()));
    page.no_panic()
}

#[test]
fn a_corrupt_or_mismatched_model_file_is_refused_and_a_good_one_loads() -> Result<()> {
    let page = SketchPage::ready("/sketch?candidates=4")?;
    let before = page.models()?;
    // Each refusal says something new in train-status.
    let shown = || page.browser.text_of(&by_testid("train-status"));
    let refused = |files: Value| -> Result<String> {
        let before = shown()?;
        put_files(&page.browser, "load-model", files)?;
        wait_until(Duration::from_secs(10), "the refusal", || {
            Ok(shown()? != before)
        })?;
        shown()
    };
    // Not a model at all.
    let status = refused(json!([
        ["x.json", null, "{oops"],
        ["x.safetensors", null, "not safetensors"]
    ]))?;
    assert!(status.starts_with("Cannot load this model"), "{status}");
    // Only one of the two files.
    let status = refused(json!([["x.json", null, "{}"]]))?;
    assert!(status.starts_with("Cannot load this model"), "{status}");
    // The bird's weights with a config that claims a different size.
    let folder = page.browser.execute(
        "return new URL('assets/sketch-rnn/', location.href).href;",
        &[],
    )?;
    let folder = folder.as_str().unwrap_or_default().to_string();
    let config = page.browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         fetch(arguments[0]).then(r => r.text()).then(done, e => done('error: ' + e));",
        &[json!(format!("{folder}bird.json"))],
    )?;
    let mut config: Value = serde_json::from_str(config.as_str().unwrap_or_default())
        .map_err(|e| Error::new(format!("bird.json: {e}")))?;
    config["hidden"] = json!(64);
    let status = refused(json!([
        ["bird.json", null, config.to_string()],
        [
            "bird.safetensors",
            format!("{folder}bird.safetensors"),
            null
        ]
    ]))?;
    assert!(status.starts_with("Cannot load this model"), "{status}");
    assert_eq!(page.models()?, before, "a refused file changed the menu");
    // The shipped bird as it is loads under a name of its own.
    let config = page.browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         fetch(arguments[0]).then(r => r.text()).then(done, e => done('error: ' + e));",
        &[json!(format!("{folder}bird.json"))],
    )?;
    put_files(
        &page.browser,
        "load-model",
        json!([
            ["bird.json", null, config],
            [
                "bird.safetensors",
                format!("{folder}bird.safetensors"),
                null
            ]
        ]),
    )?;
    wait_until(Duration::from_secs(10), "the import", || {
        Ok(page
            .browser
            .text_of(&by_testid("train-status"))?
            .starts_with("Loaded"))
    })?;
    assert_eq!(page.value("sketch-class")?, "bird_imported");
    page.click("from-nothing")?;
    page.wait_done(4)?;
    page.no_panic()
}
