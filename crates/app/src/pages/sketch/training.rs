//! "Train your own": a smaller sketch-rnn decoder trained in the sketch
//! worker ([`crate::worker::sketch`]) on a shipped stroke set (Omniglot,
//! KanjiVG) or on drawings the user collects on this page, with its loss
//! curve; the model joins the class menu as it trains, so the candidates
//! show it improving. Models export and import as config JSON + safetensors
//! (the shipped format), and are kept in the browser ([`store::Models`]).
//!
//! The worker is spawned on the first "Train", so a visit that only draws
//! loads no fourth wasm module.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_worker::{Spawnable, WorkerBridge};
use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_sketch::dataset::{Split, StrokeData};
use playnet_sketch::strokes::{lines_to_stroke3, scale};
use playnet_sketch::train::TrainSettings;
use serde_bytes::ByteBuf;

use super::session::{PIXEL_FACTOR, Session};
use super::store::{self, Drawing};
use crate::chart::LossHistory;
use crate::fetch::fetch_bytes;
use crate::worker::sketch::SketchWorker;
use crate::worker::sketch::protocol::{Command, Event};

/// The data sets offered: `(value, label)`; `mine` is the user's drawings.
pub const DATA: [(&str, &str); 3] = [
    ("omniglot", "Omniglot symbols"),
    ("short_kanji", "Kanji (KanjiVG)"),
    ("mine", "My drawings"),
];
/// LSTM sizes offered (Magenta's models have 512 units).
pub const HIDDEN: [usize; 3] = [64, 128, 256];
/// Step counts offered.
pub const STEPS: [u32; 4] = [50, 200, 1000, 5000];
/// The seed every page run trains with (`cargo xtask train-sketch`'s default).
pub const SEED: u64 = 1;
/// Training NLLs averaged for the readout (as `cargo xtask train-sketch`).
const RECENT: usize = 10;

/// The panel's signals.
#[derive(Clone, Copy)]
pub struct TrainUi {
    pub data: RwSignal<String>,
    pub hidden: RwSignal<usize>,
    pub steps: RwSignal<u32>,
    pub running: RwSignal<bool>,
    /// Steps taken in this run.
    pub step: RwSignal<u32>,
    /// The mean batch NLL per point of the last [`RECENT`] steps.
    pub train_nll: RwSignal<Option<f32>>,
    /// The held-out NLL per point, and the first one of the run.
    pub valid_nll: RwSignal<Option<f32>>,
    pub first_valid: RwSignal<Option<f32>>,
    /// The mean time of a training step in this run, in milliseconds.
    pub ms_per_step: RwSignal<f32>,
    pub status: RwSignal<String>,
    pub progress: RwSignal<Option<(f64, f64)>>,
    /// Drawings in "my drawings".
    pub mine: RwSignal<usize>,
    /// Points on the loss curve; bumped when it has a new one.
    pub curve: RwSignal<usize>,
    /// Download links of the exported model: weights, config, file stem.
    pub downloads: RwSignal<Option<(String, String, String)>>,
}

/// The panel's controller (see the module documentation).
pub struct Training {
    pub ui: TrainUi,
    session: Rc<Session>,
    bridge: RefCell<Option<WorkerBridge<SketchWorker>>>,
    /// The model being trained's name in the menu.
    name: RefCell<String>,
    recent: RefCell<Vec<f32>>,
    /// Milliseconds the worker spent on this run's steps.
    step_ms: Cell<f64>,
    history: RefCell<LossHistory>,
    mine: RefCell<Vec<Drawing>>,
    pub chart: NodeRef<Canvas>,
}

impl Training {
    pub fn new(session: Rc<Session>) -> Rc<Training> {
        let (mine, note) = store::load_mine();
        if let Some(note) = note {
            session.note(note);
        }
        Rc::new(Training {
            ui: TrainUi {
                data: RwSignal::new(DATA[0].0.to_string()),
                hidden: RwSignal::new(128),
                steps: RwSignal::new(200),
                running: RwSignal::new(false),
                step: RwSignal::new(0),
                train_nll: RwSignal::new(None),
                valid_nll: RwSignal::new(None),
                first_valid: RwSignal::new(None),
                ms_per_step: RwSignal::new(0.0),
                status: RwSignal::new(String::new()),
                progress: RwSignal::new(None),
                mine: RwSignal::new(mine.len()),
                curve: RwSignal::new(0),
                downloads: RwSignal::new(None),
            },
            session,
            bridge: RefCell::new(None),
            name: RefCell::new(String::new()),
            recent: RefCell::new(Vec::new()),
            step_ms: Cell::new(0.0),
            history: RefCell::new(LossHistory::default()),
            mine: RefCell::new(mine),
            chart: NodeRef::new(),
        })
    }

    /// The page is gone: the worker goes with it.
    pub fn detach(&self) {
        self.bridge.borrow_mut().take();
    }

    /// The command that trains the same model natively.
    pub fn reproduce(ui: TrainUi) -> String {
        let data = ui.data.get();
        if data == "mine" {
            return "Your drawings stay in this browser; export the model to keep it.".into();
        }
        format!(
            "cargo xtask train-sketch --data {data} --hidden {} --steps {} --seed {SEED}",
            ui.hidden.get(),
            ui.steps.get()
        )
    }

    fn send(self: &Rc<Self>, command: Command) {
        if self.bridge.borrow().is_none() {
            let me = Rc::downgrade(self);
            let bridge = SketchWorker::spawner()
                .callback(move |event| {
                    if let Some(me) = me.upgrade() {
                        me.on_event(event);
                    }
                })
                .spawn_with_loader("./sketch-worker_loader.js");
            *self.bridge.borrow_mut() = Some(bridge);
        }
        if let Some(bridge) = self.bridge.borrow().as_ref() {
            bridge.send(command);
        }
    }

    /// Train, or stop the run in progress.
    pub fn toggle(self: &Rc<Self>) {
        if self.ui.running.get_untracked() {
            self.ui.status.set("Stopping after this step…".into());
            return self.send(Command::Stop);
        }
        let ui = self.ui;
        let data = ui.data.get_untracked();
        let settings = TrainSettings {
            hidden: ui.hidden.get_untracked(),
            ..TrainSettings::default()
        };
        let Ok(settings) = serde_json::to_string(&settings) else {
            return;
        };
        *self.name.borrow_mut() = trained_name(&data);
        ui.running.set(true);
        ui.step.set(0);
        ui.train_nll.set(None);
        ui.valid_nll.set(None);
        ui.first_valid.set(None);
        self.recent.borrow_mut().clear();
        self.step_ms.set(0.0);
        ui.ms_per_step.set(0.0);
        self.history.borrow_mut().clear();
        ui.curve.set(0);
        let me = self.clone();
        leptos::task::spawn_local(async move {
            match me.data_file(&data).await {
                Ok(bytes) => {
                    ui.status.set("Starting…".into());
                    me.send(Command::Train {
                        data: ByteBuf::from(bytes),
                        name: me.name.borrow().clone(),
                        settings,
                        seed: SEED,
                        steps: ui.steps.get_untracked(),
                    });
                }
                Err(e) => {
                    ui.running.set(false);
                    ui.status.set(e);
                }
            }
            ui.progress.set(None);
        });
    }

    /// The `.strokes` file to train on.
    async fn data_file(&self, data: &str) -> Result<Vec<u8>, String> {
        if data == "mine" {
            return mine_file(&self.mine.borrow());
        }
        let ui = self.ui;
        ui.status.set(format!("Loading the {data} drawings…"));
        let url = format!("{}/{data}.strokes", self.session.folder());
        fetch_bytes(&url, move |done, total| {
            ui.progress.set(Some((done, total)))
        })
        .await
        .map_err(|e| format!("Could not load the {data} drawings: {e}"))
    }

    fn on_event(self: &Rc<Self>, event: Event) {
        let ui = self.ui;
        match event {
            Event::Started {
                train,
                valid,
                scale_factor,
            } => ui.status.set(format!(
                "Training on {train} drawings ({valid} held out; offsets spread {scale_factor:.1} px)…"
            )),
            Event::Step(r) => {
                ui.step.set(r.step);
                self.step_ms.set(self.step_ms.get() + f64::from(r.ms));
                ui.ms_per_step
                    .set((self.step_ms.get() / f64::from(r.step.max(1))) as f32);
                let mut recent = self.recent.borrow_mut();
                recent.push(r.nll);
                if recent.len() > RECENT {
                    recent.remove(0);
                }
                ui.train_nll
                    .set(Some(recent.iter().sum::<f32>() / recent.len() as f32));
            }
            Event::Validated { step, nll } => {
                ui.valid_nll.set(Some(nll));
                if ui.first_valid.get_untracked().is_none() {
                    ui.first_valid.set(Some(nll));
                }
                let train = ui.train_nll.get_untracked().unwrap_or(nll);
                let mut history = self.history.borrow_mut();
                history.push(u64::from(step), train, nll);
                ui.curve.set(history.len());
            }
            Event::Model {
                step,
                config,
                weights,
            } => {
                let name = self.name.borrow().clone();
                match self
                    .session
                    .add_model(&name, config, weights.into_vec(), step == 0)
                {
                    Ok(()) => self.session.keep_model(&name),
                    Err(e) => ui.status.set(format!("The trained model could not be read: {e}")),
                }
            }
            Event::Stopped { step, failed } => {
                ui.running.set(false);
                ui.status.set(match failed {
                    Some(why) => format!("Training stopped after {step} steps: {why}"),
                    None => format!(
                        "Trained {step} steps; “{}” is in the model menu.",
                        self.name.borrow().replace('_', " ")
                    ),
                });
            }
            Event::Crashed(why) => {
                ui.running.set(false);
                self.bridge.borrow_mut().take();
                ui.status.set(format!(
                    "The training worker failed ({why}); the model as last sent is kept. Train again to start a new one."
                ));
            }
        }
    }

    /// Redraws the loss curve.
    pub fn draw_curve(&self) {
        if let Some(canvas) = self.chart.get_untracked() {
            let _ = self.history.borrow().draw(
                &canvas,
                "step",
                &["training NLL", "validation NLL"],
                None,
            );
        }
    }

    /// Adds the drawing on the canvas to "my drawings".
    pub fn add_drawing(&self) {
        let lines = self.session.ui.lines.get_untracked();
        let Some(&first) = lines.first().and_then(|l| l.first()) else {
            return self.ui.status.set("Draw something first.".into());
        };
        let rows: Drawing = scale(&lines_to_stroke3(&lines, first), PIXEL_FACTOR)
            .iter()
            .map(|s| {
                let [dx, dy, _, lift, _] = s.to_stroke5();
                let clamp = |v: f32| v.round().clamp(-32_000.0, 32_000.0) as i16;
                [clamp(dx), clamp(dy), i16::from(lift > 0.5)]
            })
            .collect();
        let mut mine = self.mine.borrow_mut();
        if mine.len() >= store::MAX_MINE {
            return self.ui.status.set(format!(
                "My drawings holds at most {} drawings.",
                store::MAX_MINE
            ));
        }
        mine.push(rows);
        self.ui.mine.set(mine.len());
        self.ui.status.set(match store::save_mine(&mine) {
            Ok(()) => format!("Added: {} drawings in my set.", mine.len()),
            Err(e) => format!(
                "Added ({} drawings), but this browser will not keep them: {e}",
                mine.len()
            ),
        });
    }

    /// Empties "my drawings".
    pub fn clear_drawings(&self) {
        self.mine.borrow_mut().clear();
        self.ui.mine.set(0);
        let _ = store::save_mine(&[]);
        self.ui.status.set("My drawings is empty.".into());
    }

    /// Download links for the user's model shown in the menu.
    pub fn export(&self) {
        let class = self.session.ui.class.get_untracked();
        let Some((name, config, weights)) = self.session.own_model(&class) else {
            return self
                .ui
                .status
                .set("Pick one of your models in the menu to export it.".into());
        };
        let stem = playnet_sketch::format::file_stem(&name);
        match (
            crate::files::object_url(&weights, "application/octet-stream"),
            crate::files::object_url(config.as_bytes(), "application/json"),
        ) {
            (Ok(w), Ok(c)) => self.set_downloads(Some((w, c, stem))),
            _ => self.ui.status.set("Could not export the model.".into()),
        }
    }

    /// Shows new download links (or none), revoking the old ones' URLs.
    fn set_downloads(&self, links: Option<(String, String, String)>) {
        if let Some((weights, config, _)) = self.ui.downloads.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&weights);
            let _ = web_sys::Url::revoke_object_url(&config);
        }
        self.ui.downloads.set(links);
    }

    /// Loads an exported model (both files) into the menu.
    pub fn import(self: &Rc<Self>, files: Vec<web_sys::File>) {
        let me = self.clone();
        leptos::task::spawn_local(async move {
            let (config, weights) = match crate::files::read_model_files(files).await {
                Ok(files) => files,
                Err(e) => return me.ui.status.set(format!("Cannot load this model: {e}")),
            };
            let name = serde_json::from_str::<serde_json::Value>(&config)
                .ok()
                .and_then(|v| {
                    v.get("name")?
                        .as_str()
                        .map(playnet_sketch::format::file_stem)
                })
                .unwrap_or_else(|| "imported".into());
            let name = if me.session.is_shipped(&name) {
                format!("{name}_imported")
            } else {
                name
            };
            match me.session.add_model(&name, config, weights, true) {
                Ok(()) => {
                    me.session.keep_model(&name);
                    me.ui.status.set(format!("Loaded “{name}”."));
                }
                Err(e) => me.ui.status.set(format!("Cannot load this model: {e}")),
            }
        });
    }

    /// Forgets the user's model shown in the menu.
    pub fn delete(&self) {
        let class = self.session.ui.class.get_untracked();
        if self.session.own_model(&class).is_some() {
            self.session.delete_model(&class);
            self.set_downloads(None);
            self.ui.status.set(format!("Deleted “{class}”."));
        }
    }
}

/// The "Train your own" panel.
#[component]
pub fn TrainPanel(training: Rc<Training>, hide_text: bool) -> impl IntoView {
    let ui = training.ui;
    let session_ui = training.session.ui;
    {
        let t = training.clone();
        Effect::new(move |_| {
            ui.curve.track();
            t.draw_curve();
        });
    }
    let is_own = move || {
        let class = session_ui.class.get();
        session_ui.own.with(|own| own.contains(&class))
    };
    let toggle = {
        let t = training.clone();
        move |_| t.toggle()
    };
    let add = {
        let t = training.clone();
        move |_| t.add_drawing()
    };
    let clear = {
        let t = training.clone();
        move |_| t.clear_drawings()
    };
    let export = {
        let t = training.clone();
        move |_| t.export()
    };
    let delete = {
        let t = training.clone();
        move |_| t.delete()
    };
    let import = {
        let t = training.clone();
        move |ev: leptos::ev::Event| t.import(crate::files::picked(&ev))
    };
    let nll = |v: Option<f32>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.3}"));
    let attr = |v: Option<f32>| v.map_or_else(String::new, |v| format!("{v:.4}"));
    view! {
        <section class="sketch-train" data-testid="sketch-train-panel" aria-labelledby="sketch-train-title">
            <h2 id="sketch-train-title">"Train your own"</h2>
            <p class="explain" class:hidden=hide_text>
                "Train a smaller sketch-rnn on handwritten symbols, kanji or drawings you collect here. "
                "It joins the model menu as it trains, so the candidates show it learning: "
                "scribbles first, then strokes. The curve is the negative log-likelihood per stroke point "
                "(lower is better) on the training batches (grey) and on held-out drawings (black)."
            </p>
            <div class="controls">
                <label>
                    "Data"
                    <select data-testid="train-data" prop:disabled=move || ui.running.get()
                        on:change={move |ev| ui.data.set(event_target_value(&ev))}>
                        {DATA.into_iter().map(|(value, label)| view! {
                            <option value=value selected=move || ui.data.get() == value>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "LSTM units"
                    <select data-testid="train-hidden" prop:disabled=move || ui.running.get()
                        on:change={move |ev| if let Ok(h) = event_target_value(&ev).parse::<usize>() { ui.hidden.set(h) }}>
                        {HIDDEN.into_iter().map(|h| view! {
                            <option value=h.to_string() selected=move || ui.hidden.get() == h>{h}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "Steps"
                    <select data-testid="train-steps" prop:disabled=move || ui.running.get()
                        on:change={move |ev| if let Ok(n) = event_target_value(&ev).parse::<u32>() { ui.steps.set(n) }}>
                        {STEPS.into_iter().map(|n| view! {
                            <option value=n.to_string() selected=move || ui.steps.get() == n>{n}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button data-testid="train-sketch" class="primary" on:click=toggle
                    aria-pressed=move || ui.running.get().to_string()>
                    {move || if ui.running.get() { "Stop" } else { "Train" }}
                </button>
            </div>
            <div class="sketch-train-readouts">
                <span>"Step "<span data-testid="sketch-train-step">{move || ui.step.get()}</span>
                    {move || format!(" of {}", ui.steps.get())}</span>
                <span
                    data-testid="sketch-nll"
                    data-train=move || attr(ui.train_nll.get())
                    data-valid=move || attr(ui.valid_nll.get())
                    data-first-valid=move || attr(ui.first_valid.get())
                >
                    {move || format!("NLL per point: {} training, {} held out", nll(ui.train_nll.get()), nll(ui.valid_nll.get()))}
                </span>
                <span class="muted" data-testid="sketch-train-ms" data-ms=move || format!("{:.1}", ui.ms_per_step.get())>
                    {move || match ui.ms_per_step.get() {
                        ms if ms > 0.0 => format!("{ms:.0} ms a step"),
                        _ => String::new(),
                    }}
                </span>
            </div>
            <progress
                class:hidden=move || ui.progress.with(Option::is_none)
                max=move || ui.progress.get().map_or(1.0, |p| p.1.max(1.0))
                value=move || ui.progress.get().map_or(0.0, |p| p.0)
            ></progress>
            <p class="status" role="status" data-testid="train-status">{move || ui.status.get()}</p>
            <canvas node_ref=training.chart class="sketch-curve" width="360" height="120"
                data-testid="sketch-curve" data-points=move || ui.curve.get().to_string()
                aria-label="training and held-out NLL per point over the steps"></canvas>
            <p class="muted reproduce"><code>{move || Training::reproduce(ui)}</code></p>
            <div class="sketch-actions">
                <button data-testid="add-to-set" on:click=add disabled=move || session_ui.lines.with(Vec::is_empty)>
                    {move || format!("Add drawing to my set ({})", ui.mine.get())}
                </button>
                <button data-testid="clear-set" on:click=clear disabled=move || ui.mine.get() == 0>"Clear my set"</button>
            </div>
            <div class="sketch-actions model-files">
                <button data-testid="export-model" on:click=export disabled=move || !is_own()>"Export model"</button>
                <button data-testid="delete-model" on:click=delete disabled=move || !is_own()>"Delete model"</button>
                {move || ui.downloads.get().map(|(weights, config, stem)| view! {
                    <a href=weights download=format!("{stem}.safetensors") data-testid="download-weights">"weights (.safetensors)"</a>
                    " "
                    <a href=config download=format!("{stem}.json") data-testid="download-config">"config (.json)"</a>
                })}
                <label class="load">
                    "Load model (both files): "
                    <input type="file" multiple accept=".safetensors,.json" data-testid="load-model" on:change=import />
                </label>
            </div>
        </section>
    }
}

/// The menu name of a model trained on `data` (a link key: no spaces; the
/// menu shows `_` as a space).
pub fn trained_name(data: &str) -> String {
    match data {
        "mine" => "my_drawings".into(),
        other => format!("my_{other}"),
    }
}

/// "My drawings" as a `.strokes` file: every fifth drawing held out.
pub fn mine_file(set: &[Drawing]) -> Result<Vec<u8>, String> {
    if set.len() < 2 {
        return Err(format!(
            "My drawings has {} drawing{}: add at least 2 (one is held out to measure the model).",
            set.len(),
            if set.len() == 1 { "" } else { "s" }
        ));
    }
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    for (i, d) in set.iter().enumerate() {
        if i % 5 == 4 || (i == 1 && set.len() < 5) {
            valid.push(d.clone());
        } else {
            train.push(d.clone());
        }
    }
    let split = |name: &str, s: &[Drawing]| Split::new(name, s).map_err(|e| e.to_string());
    Ok(StrokeData {
        splits: vec![split("train", &train)?, split("valid", &valid)?],
    }
    .to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_drawings_become_a_file_with_a_held_out_split() {
        let d = |k: i16| vec![[0, 0, 0], [k, 2 * k, 1]];
        assert!(mine_file(&[d(1)]).unwrap_err().contains("at least 2"));
        let bytes = mine_file(&(1..=10).map(d).collect::<Vec<_>>()).unwrap();
        let data = StrokeData::from_bytes(&bytes).unwrap();
        assert_eq!(data.split("train").unwrap().len(), 8);
        assert_eq!(data.split("valid").unwrap().len(), 2);
        let two = StrokeData::from_bytes(&mine_file(&[d(1), d(2)]).unwrap()).unwrap();
        assert_eq!(
            (
                two.split("train").unwrap().len(),
                two.split("valid").unwrap().len()
            ),
            (1, 1)
        );
    }
}
