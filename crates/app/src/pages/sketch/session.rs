//! The page's controller: the drawing, the loaded models, and the candidates
//! being sampled.
//!
//! **Sampling runs on the main thread**, a few batched steps per animation
//! frame: [`Session::tick`] advances the [`Sampler`] (every candidate
//! together, one `[N, 517] · [517, 2048]` product per step) until
//! [`FRAME_BUDGET_MS`] of the frame is spent, then hands the frame back. A
//! 512-unit step for 9 candidates costs about 2 ms natively and a few ms in
//! wasm (the page shows its own figure in `sketch-step`'s title), so the
//! page stays responsive without a worker; moving the sampler into the
//! worker is a later step.
//!
//! Each sampling run has a generation number: a new stroke, an undo or a
//! changed setting starts a new run, and the frames of an older one stop.
//!
//! The class menu offers the shipped models and the user's own (trained in
//! the page or imported, kept in IndexedDB by [`store::Models`]): those are
//! read back before the shipped list, so a link to one works after a reload.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use playnet_engine::Cpu;
use playnet_sketch::format::{IndexEntry, ModelIndex};
use playnet_sketch::strokes::{end_point, lines_to_stroke3, scale, to_lines};
use playnet_sketch::{Decoder, Sampler, Stroke3};

use super::link::{self, LinkOptions};
use super::{Lines, store};
use crate::fetch::{fetch_bytes, fetch_text};

/// The drawing canvas's buffer, in canvas pixels (square).
pub const SIDE: f32 = 400.0;
/// Canvas pixels to the model's pixels (Magenta's "pixel factor"): a
/// model's whole drawing spans some 500–1000 of its pixels (offsets have a
/// standard deviation of `scale_factor`, about 70, over 30–120 strokes), so
/// at 2 a finished drawing about fills the 400 px canvas. Magenta's
/// full-window demos use 3.
pub const PIXEL_FACTOR: f32 = 2.0;
/// Sampling stops for the frame once it has taken this long.
pub const FRAME_BUDGET_MS: f64 = 8.0;
/// The class shown when the link names none.
pub const DEFAULT_CLASS: &str = "bird";

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// What the page is doing, for the status readout (`data-phase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    Idle,
    Drawing,
    Done,
    Error,
}

impl Phase {
    pub fn id(self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Idle => "idle",
            Phase::Drawing => "drawing",
            Phase::Done => "done",
            Phase::Error => "error",
        }
    }
}

/// One candidate as the grid shows it, in canvas pixels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CandidateView {
    /// Where it starts: the end of the user's strokes.
    pub start: [f32; 2],
    /// Its stroke-3 rows so far (the last one lifts when it ends).
    pub strokes: Vec<Stroke3>,
    pub done: bool,
}

impl CandidateView {
    /// Its pen-down lines.
    pub fn lines(&self) -> Lines {
        to_lines(&self.strokes, self.start)
    }
}

/// The page's signals.
#[derive(Clone, Copy)]
pub struct Ui {
    /// The drawing, in canvas pixels.
    pub lines: RwSignal<Lines>,
    pub classes: RwSignal<Vec<String>>,
    /// Which of them are the user's own (trained here or imported).
    pub own: RwSignal<Vec<String>>,
    pub class: RwSignal<String>,
    pub seed: RwSignal<u64>,
    pub temperature: RwSignal<f32>,
    pub count: RwSignal<usize>,
    pub candidates: RwSignal<Vec<CandidateView>>,
    pub phase: RwSignal<Phase>,
    pub status: RwSignal<String>,
    /// Bytes loaded and expected of the model being downloaded.
    pub progress: RwSignal<Option<(f64, f64)>>,
    /// Steps sampled in the current run.
    pub steps: RwSignal<usize>,
    pub ms_per_step: RwSignal<f64>,
    pub notes: RwSignal<Vec<String>>,
    /// Said when the drawing is longer than the model reads.
    pub truncated: RwSignal<Option<String>>,
    /// The drawing a reload brought back ("Restored your drawing…").
    pub kept: RwSignal<Option<crate::kept::Kept>>,
    pub hide_text: bool,
}

struct Run {
    sampler: Sampler<Cpu>,
    /// Where the model's `(0, 0)` is on the canvas.
    origin: [f32; 2],
}

/// The controller; see the module doc.
pub struct Session {
    pub ui: Ui,
    folder: String,
    index: RefCell<Vec<IndexEntry>>,
    decoders: RefCell<HashMap<String, Arc<Decoder<Cpu>>>>,
    run: RefCell<Option<Run>>,
    generation: Cell<u64>,
    /// The last run sampled from nothing (and a redraw should too).
    from_nothing: Cell<bool>,
    /// Step timings of the current run: total ms and steps.
    timing: Cell<(f64, usize)>,
    /// False once the page is left: downloads that finish later and
    /// frames already asked for touch nothing (the signals are gone).
    alive: Cell<bool>,
    /// The user's models, in menu order, with their files (config JSON and
    /// weights) for export.
    own: RefCell<Vec<(String, String, Vec<u8>)>>,
    /// Where the user's models are kept (none where the browser keeps none).
    kept: RefCell<Option<store::Models>>,
}

impl Session {
    pub fn new(link: &LinkOptions) -> Rc<Session> {
        let (lines, stored_note) = store::load();
        let mut notes = link.notes.clone();
        notes.extend(stored_note);
        let kept = restored_text(lines.len()).map(crate::kept::Kept::restored);
        let ui = Ui {
            lines: RwSignal::new(lines),
            classes: RwSignal::new(Vec::new()),
            own: RwSignal::new(Vec::new()),
            class: RwSignal::new(
                link.class
                    .clone()
                    .unwrap_or_else(|| DEFAULT_CLASS.to_string()),
            ),
            seed: RwSignal::new(link.seed),
            temperature: RwSignal::new(link.temperature),
            count: RwSignal::new(link.candidates),
            candidates: RwSignal::new(Vec::new()),
            phase: RwSignal::new(Phase::Loading),
            status: RwSignal::new("Loading the list of models…".into()),
            progress: RwSignal::new(None),
            steps: RwSignal::new(0),
            ms_per_step: RwSignal::new(0.0),
            notes: RwSignal::new(notes),
            truncated: RwSignal::new(None),
            kept: RwSignal::new(kept),
            hide_text: link.hide_text,
        };
        let session = Rc::new(Session {
            ui,
            folder: link.models_folder().to_string(),
            index: RefCell::new(Vec::new()),
            decoders: RefCell::new(HashMap::new()),
            run: RefCell::new(None),
            generation: Cell::new(0),
            from_nothing: Cell::new(false),
            timing: Cell::new((0.0, 0)),
            alive: Cell::new(true),
            own: RefCell::new(Vec::new()),
            kept: RefCell::new(None),
        });
        session.write_link(link.models.as_deref());
        let s = session.clone();
        let models = link.models.clone();
        leptos::task::spawn_local(async move {
            s.restore_models().await;
            s.load_index(models).await;
        });
        session
    }

    /// The page is gone: stop sampling, and let late downloads go unused.
    pub fn detach(&self) {
        self.alive.set(false);
        self.stop();
    }

    /// Writes the settings to the address bar, without a history entry.
    fn write_link(&self, models: Option<&str>) {
        let ui = self.ui;
        let hash = link::to_hash(
            &ui.class.get_untracked(),
            ui.seed.get_untracked(),
            ui.temperature.get_untracked(),
            ui.count.get_untracked(),
            ui.hide_text,
            models,
        );
        if let Some(window) = web_sys::window()
            && let Ok(history) = window.history()
        {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
        }
    }

    fn link_models(&self) -> Option<String> {
        (self.folder != link::DEFAULT_MODELS).then(|| self.folder.clone())
    }

    fn fail(&self, message: String) {
        if !self.alive.get() {
            return;
        }
        self.ui.phase.set(Phase::Error);
        self.ui.status.set(message);
        self.ui.progress.set(None);
    }

    async fn load_index(self: Rc<Self>, models: Option<String>) {
        let url = format!("{}/index.json", self.folder);
        let index = match fetch_text(&url)
            .await
            .and_then(|t| serde_json::from_str::<ModelIndex>(&t).map_err(|e| format!("{url}: {e}")))
        {
            Ok(index) if !index.models.is_empty() => index,
            Ok(_) => return self.fail(format!("{url} lists no models.")),
            Err(e) => return self.fail(format!("Could not load the list of models: {e}")),
        };
        if !self.alive.get() {
            return;
        }
        let mut names: Vec<String> = index.models.iter().map(|m| m.name.clone()).collect();
        names.extend(self.own.borrow().iter().map(|m| m.0.clone()));
        let wanted = self.ui.class.get_untracked();
        if !names.contains(&wanted) {
            let fallback = if names.iter().any(|n| n == DEFAULT_CLASS) {
                DEFAULT_CLASS.to_string()
            } else {
                names[0].clone()
            };
            self.ui.notes.update(|n| {
                n.push(format!(
                    "ignored class=\"{wanted}\": the models are {}; showing {fallback}",
                    names.join(", ")
                ))
            });
            self.ui.class.set(fallback);
            self.write_link(models.as_deref());
        }
        *self.index.borrow_mut() = index.models;
        self.ui.classes.set(names);
        let class = self.ui.class.get_untracked();
        self.load_class(class);
    }

    /// Switches to `class`, downloading it first if need be, and redraws.
    pub fn load_class(self: &Rc<Self>, class: String) {
        self.ui.class.set(class.clone());
        self.write_link(self.link_models().as_deref());
        self.stop();
        if self.decoders.borrow().contains_key(&class) {
            self.resample();
            return;
        }
        let Some(entry) = self
            .index
            .borrow()
            .iter()
            .find(|m| m.name == class)
            .cloned()
        else {
            return self.fail(format!("There is no {class} model."));
        };
        self.ui.phase.set(Phase::Loading);
        self.ui.status.set(format!("Loading the {class} model…"));
        self.ui.progress.set(Some((0.0, entry.bytes as f64)));
        let s = self.clone();
        leptos::task::spawn_local(async move {
            let config_url = format!("{}/{}", s.folder, entry.config);
            let weights_url = format!("{}/{}", s.folder, entry.weights);
            let progress = s.ui.progress;
            let loaded = async {
                let config = fetch_text(&config_url).await?;
                let weights = fetch_bytes(&weights_url, |done, total| {
                    let total = if total > 0.0 {
                        total
                    } else {
                        entry.bytes as f64
                    };
                    progress.set(Some((done, total)));
                })
                .await?;
                Decoder::from_safetensors(Cpu, &config, &weights)
                    .map_err(|e| format!("{weights_url}: {e}"))
            }
            .await;
            if !s.alive.get() {
                return;
            }
            match loaded {
                Ok(decoder) => {
                    s.decoders
                        .borrow_mut()
                        .insert(class.clone(), Arc::new(decoder));
                    s.ui.progress.set(None);
                    // Another class may have been picked meanwhile.
                    if s.ui.class.get_untracked() == class {
                        s.resample();
                    }
                }
                Err(e) if s.ui.class.get_untracked() == class => {
                    s.fail(format!("Could not load the {class} model: {e}"));
                }
                Err(_) => {}
            }
        });
    }

    /// The models the user kept in this browser, back in the menu.
    async fn restore_models(self: &Rc<Self>) {
        let kept = match store::Models::open().await {
            Ok(kept) => kept,
            Err(e) => {
                return self.note(format!(
                    "this browser will not keep the models you train after a reload ({e}); \
                     export them to keep them"
                ));
            }
        };
        match kept.load().await {
            Ok((models, bad)) => {
                for (name, config, weights) in models {
                    if let Err(e) = self.add_model(&name, config, weights, false) {
                        self.note(format!("ignored your saved model {name}: {e}"));
                    }
                }
                for name in bad {
                    self.note(format!(
                        "ignored your saved model {name}: it could not be read"
                    ));
                }
            }
            Err(e) => self.note(format!("your saved models could not be read: {e}")),
        }
        *self.kept.borrow_mut() = Some(kept);
    }

    /// Says `note` once above the page.
    pub fn note(&self, note: String) {
        if self.alive.get() {
            self.ui.notes.update(|n| {
                if !n.contains(&note) {
                    n.push(note);
                }
            });
        }
    }

    /// Adds (or replaces) the user's model `name` from its files; it is drawn
    /// from at once if it is the model shown.
    pub fn add_model(
        self: &Rc<Self>,
        name: &str,
        config: String,
        weights: Vec<u8>,
        select: bool,
    ) -> Result<(), String> {
        let decoder =
            Decoder::from_safetensors(Cpu, &config, &weights).map_err(|e| e.to_string())?;
        self.decoders
            .borrow_mut()
            .insert(name.to_string(), Arc::new(decoder));
        {
            let mut own = self.own.borrow_mut();
            match own.iter_mut().find(|m| m.0 == name) {
                Some(m) => *m = (name.to_string(), config, weights),
                None => own.push((name.to_string(), config, weights)),
            }
        }
        if !self
            .ui
            .classes
            .with_untracked(|c| c.iter().any(|c| c == name))
        {
            self.ui.classes.update(|c| c.push(name.to_string()));
        }
        if !self.ui.own.with_untracked(|c| c.iter().any(|c| c == name)) {
            self.ui.own.update(|c| c.push(name.to_string()));
        }
        if select {
            self.ui.class.set(name.to_string());
            self.write_link(self.link_models().as_deref());
            let empty = self.ui.lines.with_untracked(Vec::is_empty);
            self.sample(empty);
        } else if self.ui.class.get_untracked() == name {
            self.resample();
        }
        Ok(())
    }

    /// Keeps the user's model `name` for the next visit.
    pub fn keep_model(&self, name: &str) {
        let Some((_, config, weights)) = self.own_model(name) else {
            return;
        };
        let Some(kept) = self.kept.borrow().clone() else {
            return;
        };
        let name = name.to_string();
        let ui = self.ui;
        leptos::task::spawn_local(async move {
            if let Err(e) = kept.save(&name, &config, &weights).await {
                ui.notes.update(|n| {
                    n.push(format!(
                        "your model {name} could not be kept in this browser ({e}); export it \
                         to keep it"
                    ))
                });
            }
        });
    }

    /// The user's model `name`: its name, config JSON and weights.
    pub fn own_model(&self, name: &str) -> Option<(String, String, Vec<u8>)> {
        self.own.borrow().iter().find(|m| m.0 == name).cloned()
    }

    /// Whether `name` is one of the shipped classes.
    pub fn is_shipped(&self, name: &str) -> bool {
        self.index.borrow().iter().any(|m| m.name == name)
    }

    /// Removes the user's model `name` from the menu and the browser.
    pub fn delete_model(self: &Rc<Self>, name: &str) {
        self.own.borrow_mut().retain(|m| m.0 != name);
        self.decoders.borrow_mut().remove(name);
        self.ui.classes.update(|c| c.retain(|c| c != name));
        self.ui.own.update(|c| c.retain(|c| c != name));
        if let Some(kept) = self.kept.borrow().clone() {
            let name = name.to_string();
            leptos::task::spawn_local(async move {
                let _ = kept.delete(&name).await;
            });
        }
        if self.ui.class.get_untracked() == name {
            let next = if self.is_shipped(DEFAULT_CLASS) {
                Some(DEFAULT_CLASS.to_string())
            } else {
                self.ui.classes.with_untracked(|c| c.first().cloned())
            };
            if let Some(next) = next {
                self.load_class(next);
            }
        }
    }

    /// The folder the models and stroke data are fetched from.
    pub fn folder(&self) -> &str {
        &self.folder
    }

    /// Stops the current run (its frames end at their next tick).
    fn stop(&self) {
        self.generation.set(self.generation.get() + 1);
        *self.run.borrow_mut() = None;
    }

    fn decoder(&self) -> Option<Arc<Decoder<Cpu>>> {
        self.decoders
            .borrow()
            .get(&self.ui.class.get_untracked())
            .cloned()
    }

    /// New candidates for the drawing as it is (from nothing if it is empty
    /// and the last run was from nothing).
    pub fn resample(self: &Rc<Self>) {
        let nothing = self.from_nothing.get();
        let empty = self.ui.lines.with_untracked(Vec::is_empty);
        if empty && !nothing {
            self.stop();
            self.ui.candidates.set(Vec::new());
            self.ui.steps.set(0);
            self.ui.truncated.set(None);
            if self.decoder().is_some() {
                self.ui.phase.set(Phase::Idle);
                self.ui
                    .status
                    .set("Draw something on the canvas, or press “Draw from nothing”.".into());
            }
            return;
        }
        self.sample(nothing && empty);
    }

    /// Starts a run: candidates continuing the drawing, or drawn from
    /// nothing.
    pub fn sample(self: &Rc<Self>, from_nothing: bool) {
        self.stop();
        self.from_nothing.set(from_nothing);
        let Some(decoder) = self.decoder() else {
            // Sampled once the model arrives.
            return;
        };
        let ui = self.ui;
        let lines = ui.lines.get_untracked();
        let (origin, strokes) = match lines.first().and_then(|l| l.first()) {
            Some(&first) if !from_nothing => {
                (first, scale(&lines_to_stroke3(&lines, first), PIXEL_FACTOR))
            }
            _ => ([SIDE / 2.0, SIDE / 3.0], Vec::new()),
        };
        let (seed, temperature, count) = (
            ui.seed.get_untracked(),
            ui.temperature.get_untracked(),
            ui.count.get_untracked(),
        );
        let max = decoder.info().max_seq_len;
        match Sampler::new(decoder, &strokes, seed, temperature, count) {
            Ok(sampler) => {
                ui.truncated.set(sampler.truncated().then(|| {
                    format!(
                        "The drawing has {} points; the model reads only the latest {max}.",
                        strokes.len()
                    )
                }));
                let start = self::to_canvas(origin, sampler.start());
                ui.candidates.set(
                    (0..count)
                        .map(|_| CandidateView {
                            start,
                            ..Default::default()
                        })
                        .collect(),
                );
                *self.run.borrow_mut() = Some(Run { sampler, origin });
            }
            Err(e) => return self.fail(format!("Cannot sample: {e}")),
        }
        self.timing.set((0.0, 0));
        ui.steps.set(0);
        ui.phase.set(Phase::Drawing);
        ui.status.set(if from_nothing {
            format!("Drawing {count} {} from nothing…", ui.class.get_untracked())
        } else {
            format!("Drawing {count} continuations…")
        });
        let generation = self.generation.get();
        let s = self.clone();
        request_animation_frame(move || s.tick(generation));
    }

    /// One frame of sampling; see the module doc.
    fn tick(self: Rc<Self>, generation: u64) {
        if generation != self.generation.get() || !self.alive.get() {
            return;
        }
        let ui = self.ui;
        let started = now();
        let mut finished = false;
        {
            let mut run = self.run.borrow_mut();
            let Some(run) = run.as_mut() else { return };
            let mut steps = 0;
            loop {
                let before = now();
                if let Err(e) = run.sampler.advance_now(1) {
                    return self.fail(format!("Sampling failed: {e}"));
                }
                let (total, n) = self.timing.get();
                self.timing.set((total + now() - before, n + 1));
                steps += 1;
                if run.sampler.all_done() {
                    finished = true;
                    break;
                }
                if now() - started >= FRAME_BUDGET_MS {
                    break;
                }
            }
            let s = &run.sampler;
            let start = to_canvas(run.origin, s.start());
            ui.candidates.set(
                (0..s.candidates())
                    .map(|i| CandidateView {
                        start,
                        strokes: scale(s.strokes(i), 1.0 / PIXEL_FACTOR),
                        done: s.done(i),
                    })
                    .collect(),
            );
            ui.steps.update(|n| *n += steps);
            let (total, n) = self.timing.get();
            ui.ms_per_step.set(total / n.max(1) as f64);
        }
        if finished {
            ui.phase.set(Phase::Done);
            ui.status.set(format!(
                "Done: {} candidates. Click one to keep it.",
                ui.count.get_untracked()
            ));
            return;
        }
        request_animation_frame(move || self.tick(generation));
    }

    /// A line finished on the canvas (already simplified).
    pub fn add_line(self: &Rc<Self>, line: Vec<[f32; 2]>) {
        if line.is_empty() {
            return;
        }
        self.ui.lines.update(|l| l.push(line));
        self.changed_drawing();
    }

    fn changed_drawing(self: &Rc<Self>) {
        self.ui.lines.with_untracked(store::save);
        self.from_nothing.set(false);
        self.resample();
    }

    pub fn undo(self: &Rc<Self>) {
        self.ui.lines.update(|l| {
            l.pop();
        });
        self.changed_drawing();
    }

    pub fn clear(self: &Rc<Self>) {
        self.ui.kept.set(None);
        self.ui.lines.set(Vec::new());
        self.changed_drawing();
    }

    /// The kept note's Start fresh: an empty page.
    pub fn kept_offer(self: &Rc<Self>, offer: crate::kept::Offer) {
        if offer == crate::kept::Offer::StartFresh {
            self.clear();
        }
    }

    /// Candidate `i` becomes part of the drawing.
    pub fn accept(self: &Rc<Self>, i: usize) {
        let Some(c) = self.ui.candidates.with_untracked(|c| c.get(i).cloned()) else {
            return;
        };
        let lines = c.lines();
        if lines.is_empty() {
            return;
        }
        self.ui.lines.update(|l| l.extend(lines));
        self.changed_drawing();
    }

    /// A new seed, and new candidates.
    pub fn redraw(self: &Rc<Self>) {
        let seed = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        self.ui.seed.set(seed);
        self.settings_changed();
    }

    pub fn settings_changed(self: &Rc<Self>) {
        self.write_link(self.link_models().as_deref());
        self.resample();
    }

    /// Candidates drawn from nothing, whatever is on the canvas.
    pub fn from_nothing(self: &Rc<Self>) {
        self.sample(true);
    }

    /// The drawing's strokes for the SVG writer, in canvas pixels from the
    /// canvas's corner.
    pub fn drawing_strokes(&self) -> Vec<Stroke3> {
        self.ui
            .lines
            .with_untracked(|l| lines_to_stroke3(l, [0.0, 0.0]))
    }
}

/// A point of the model's (relative to `origin`, in model pixels) on the
/// canvas.
fn to_canvas(origin: [f32; 2], p: [f32; 2]) -> [f32; 2] {
    [
        origin[0] + p[0] / PIXEL_FACTOR,
        origin[1] + p[1] / PIXEL_FACTOR,
    ]
}

/// Where the drawing ends, in canvas pixels.
pub fn drawing_end(lines: &Lines) -> Option<[f32; 2]> {
    let first = *lines.first()?.first()?;
    Some(end_point(&lines_to_stroke3(lines, first), first))
}

/// What the page says when a reload brought a drawing back.
fn restored_text(strokes: usize) -> Option<String> {
    match strokes {
        0 => None,
        1 => Some("Restored your drawing from this browser (1 stroke).".into()),
        n => Some(format!(
            "Restored your drawing from this browser ({n} strokes)."
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_restored_drawing_is_named_with_its_strokes() {
        assert_eq!(super::restored_text(0), None);
        assert_eq!(
            super::restored_text(3).as_deref(),
            Some("Restored your drawing from this browser (3 strokes).")
        );
        assert_eq!(
            super::restored_text(1).as_deref(),
            Some("Restored your drawing from this browser (1 stroke).")
        );
    }
}
