//! Talks to the training worker and keeps what the page shows.
//!
//! Small readouts live in signals ([`Signals`]); the histories and pictures
//! (curves, bands, digits, filters, maps) are plain Rust state outside the
//! reactive graph, and an animation-frame loop repaints the canvases whose
//! data changed, so a burst of worker messages costs at most one redraw per
//! frame. The frame loop also counts frames: the page's proof that it keeps
//! rendering while the worker trains.
//!
//! The controller outlives the page's view: leaving the lab for another
//! page and coming back finds the same worker, network and curves
//! ([`Controller::attach`]). It also watches the worker: one that dies
//! ([`Event::Crashed`]) is replaced by a new one, which gets the data again
//! and the last copy of the network the old one sent ([`Event::Keepsafe`]).
//! Anything that would throw a trained network away asks first
//! ([`Discard`]).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_worker::{Spawnable, WorkerBridge};
use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_mnist::{Bands, FilterImages, preset};
use serde_bytes::ByteBuf;
use web_sys::HtmlCanvasElement;

use super::draw::{self, Axes, DigitLayout, Series};
use super::link::LinkOptions;
use super::store::{SavedLab, Store};
use crate::chart::{self, Frame};
use crate::files::object_url;
use crate::kept::{Kept, Offer};
use crate::saved;
use crate::worker::MnistWorker;
use crate::worker::protocol::{
    BackendChoice, Command, DigitGrid, Event, Keepsafe, MapsReport, Origin, Progress, SetupSpec,
    TestSummary,
};

/// Where the page is with its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Downloading,
    Decoding,
    Ready,
    Failed,
}

/// The latest test evaluation, as the readouts show it.
#[derive(Clone, Debug, PartialEq)]
pub struct TestView {
    pub step: u32,
    pub count: u32,
    pub accuracy: f32,
    pub loss: f32,
    pub mistakes: u32,
    pub confusion: Vec<u32>,
    /// The backend that evaluated.
    pub backend: String,
}

/// The page's readouts and settings.
#[derive(Clone, Copy)]
pub struct Signals {
    pub phase: RwSignal<Phase>,
    /// Bytes downloaded and the total (0 when unknown).
    pub download: RwSignal<(f64, f64)>,
    pub status: RwSignal<String>,
    pub running: RwSignal<bool>,
    /// The preset being trained (`None`: a network of one's own).
    pub preset: RwSignal<Option<&'static str>>,
    /// The network being trained.
    pub setup: RwSignal<SetupSpec>,
    pub parameters: RwSignal<u32>,
    pub stats: RwSignal<Option<Progress>>,
    pub test: RwSignal<Option<TestView>>,
    /// The backend in use (`webgpu`, `cpu-simd128`, `cpu-scalar`), and for
    /// people the adapter and why.
    pub backend: RwSignal<String>,
    pub backend_detail: RwSignal<String>,
    pub backend_choice: RwSignal<BackendChoice>,
    pub simd: RwSignal<bool>,
    pub frames: RwSignal<u64>,
    /// The drawn digit's class probabilities (`None`: nothing drawn).
    pub probabilities: RwSignal<Option<Vec<f32>>>,
    /// The test digit whose maps are shown: index, label, probabilities.
    pub chosen: RwSignal<Option<(u32, u8, Vec<f32>)>>,
    /// Whether the network has image layers to show maps of.
    pub has_maps: RwSignal<bool>,
    /// Object URLs of the last export: (weights, config).
    pub downloads: RwSignal<Option<(String, String)>>,
    /// Layers with parameters (`layers.3`) and the one the bands show.
    pub band_layers: RwSignal<Vec<String>>,
    pub band_layer: RwSignal<usize>,
    /// What the link asked that the page ignored, one note each.
    pub notes: RwSignal<Vec<String>>,
    /// A question before a trained network is thrown away (see [`Discard`]).
    pub confirm: RwSignal<Option<String>>,
    /// The download failed: the folder it tried, and whether the link chose it.
    pub data_failed: RwSignal<Option<(String, bool)>>,
    /// What the page says about the network kept in this browser.
    pub kept: RwSignal<Option<Kept>>,
    /// What the curves read at the hovered step (empty: nothing hovered).
    pub curve_hover: RwSignal<String>,
}

impl Signals {
    fn new(preset_id: &'static str, choice: BackendChoice) -> Signals {
        let setup = preset(preset_id).map_or_else(fallback_setup, |p| SetupSpec {
            network: p.network,
            training: p.training,
        });
        Signals {
            phase: RwSignal::new(Phase::Downloading),
            download: RwSignal::new((0.0, 0.0)),
            status: RwSignal::new("Downloading MNIST…".into()),
            running: RwSignal::new(false),
            preset: RwSignal::new(Some(preset_id)),
            setup: RwSignal::new(setup),
            parameters: RwSignal::new(0),
            stats: RwSignal::new(None),
            test: RwSignal::new(None),
            backend: RwSignal::new(String::new()),
            backend_detail: RwSignal::new(String::new()),
            backend_choice: RwSignal::new(choice),
            simd: RwSignal::new(true),
            frames: RwSignal::new(0),
            probabilities: RwSignal::new(None),
            chosen: RwSignal::new(None),
            has_maps: RwSignal::new(false),
            downloads: RwSignal::new(None),
            band_layers: RwSignal::new(Vec::new()),
            band_layer: RwSignal::new(0),
            notes: RwSignal::new(Vec::new()),
            confirm: RwSignal::new(None),
            data_failed: RwSignal::new(None),
            curve_hover: RwSignal::new(String::new()),
            kept: RwSignal::new(None),
        }
    }
}

/// The softmax preset, should the presets ever lose it.
fn fallback_setup() -> SetupSpec {
    use playnet_engine::{
        Activation, Features, Init, Layer, Loss, NetConfig, Optimizer, Schedule, TrainConfig,
    };
    SetupSpec {
        network: NetConfig {
            input: Features::Image([28, 28, 1]),
            layers: vec![Layer::Dense {
                units: 10,
                activation: Activation::Linear,
            }],
            init: Init::Zero,
            loss: Loss::SoftmaxCrossEntropy,
        },
        training: TrainConfig::new(Optimizer::Sgd, Schedule::Constant { rate: 0.5 }, 100),
    }
}

/// The canvases the frame loop paints.
#[derive(Clone, Copy)]
pub struct Canvases {
    pub accuracy: NodeRef<Canvas>,
    pub loss: NodeRef<Canvas>,
    pub weights: NodeRef<Canvas>,
    pub biases: NodeRef<Canvas>,
    pub batch: NodeRef<Canvas>,
    pub test_digits: NodeRef<Canvas>,
    pub filters: NodeRef<Canvas>,
    pub maps: NodeRef<Canvas>,
}

impl Canvases {
    fn new() -> Canvases {
        Canvases {
            accuracy: NodeRef::new(),
            loss: NodeRef::new(),
            weights: NodeRef::new(),
            biases: NodeRef::new(),
            batch: NodeRef::new(),
            test_digits: NodeRef::new(),
            filters: NodeRef::new(),
            maps: NodeRef::new(),
        }
    }
}

/// How long the worker may take to decode the data before the page gives up.
const WORKER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Most points kept per curve; past it every other point goes.
const MAX_POINTS: usize = 2000;

fn push_thinned<T>(points: &mut Vec<T>, point: T) {
    points.push(point);
    if points.len() > MAX_POINTS {
        let mut keep = false;
        points.retain(|_| {
            keep = !keep;
            keep
        });
    }
}

/// Histories and pictures, painted by the frame loop when `dirty`.
#[derive(Default)]
struct Views {
    /// `(step, loss, accuracy)`.
    train: Vec<(f64, f64, f64)>,
    test: Vec<(f64, f64, f64)>,
    /// The hovered step, marked on both curve charts.
    hover: Option<f64>,
    /// Where each curve chart's plot lies (accuracy, loss).
    frames: [Frame; 2],
    bands: Vec<(u32, Vec<Bands>)>,
    batch: Option<DigitGrid>,
    test_digits: Option<DigitGrid>,
    filters: Option<FilterImages>,
    maps: Option<MapsReport>,
    dirty: Dirty,
}

#[derive(Default, Clone, Copy)]
struct Dirty {
    curves: bool,
    bands: bool,
    batch: bool,
    test_digits: bool,
    filters: bool,
    maps: bool,
}

impl Dirty {
    const ALL: Dirty = Dirty {
        curves: true,
        bands: true,
        batch: true,
        test_digits: true,
        filters: true,
        maps: true,
    };
}

/// What would replace a trained network, held until the person says yes.
#[derive(Clone, Debug)]
pub enum Discard {
    Reset,
    Preset(&'static str),
    Setup(SetupSpec),
    Load {
        config_json: String,
        weights: Vec<u8>,
    },
}

impl Discard {
    fn describe(&self) -> String {
        match self {
            Discard::Reset => "Reset starts again from new weights".into(),
            Discard::Preset(id) => format!(
                "Switching to {} starts a new network",
                preset(id).map_or(*id, |p| p.name)
            ),
            Discard::Setup(_) => "Training the edited network starts a new one".into(),
            Discard::Load { .. } => "Loading a model file replaces the network".into(),
        }
    }
}

/// The page's side of the worker.
pub struct Controller {
    pub ui: Signals,
    pub canvases: Canvases,
    bridge: RefCell<Option<WorkerBridge<MnistWorker>>>,
    views: RefCell<Views>,
    seed: Cell<u32>,
    alive: Cell<bool>,
    /// Whether the page's view is on screen (the controller outlives it).
    attached: Cell<bool>,
    /// The drawn digit, preprocessed (kept to re-classify as training goes on).
    pad: RefCell<Option<Vec<f32>>>,
    /// The downloaded MNIST files, to hand a new worker.
    files: RefCell<Option<Vec<ByteBuf>>>,
    /// The worker's last copy of the network, with the readouts of its step.
    keepsafe: RefCell<Option<(Keepsafe, Option<Progress>)>>,
    /// Set while a new worker takes over from one that died: why it died.
    restoring: RefCell<Option<String>>,
    /// Whether the network came from a file (trained, though at step 0).
    loaded: Cell<bool>,
    /// Reset was pressed: the next fresh network says so.
    resetting: Cell<bool>,
    pending: RefCell<Option<Discard>>,
    /// The network kept in this browser (see [`super::store`]).
    storage: Storage,
}

/// The controller's side of [`super::store`].
struct Storage {
    store: RefCell<Option<Store>>,
    /// What the store held when the page opened, until the page begins.
    found: RefCell<Found>,
    /// The data is in but the store was still being read.
    begin_waiting: Cell<bool>,
    /// The preset the link asked for (a saved network of another one is
    /// offered, not restored).
    link_preset: Option<&'static str>,
    /// A saved network sent to the worker, until it is back.
    resuming: RefCell<Option<(SavedLab, Vec<u8>)>>,
    /// A saved network the page did not restore, offered instead.
    offered: RefCell<Option<(SavedLab, Vec<u8>)>>,
    /// A write in flight, and the newest record waiting for it.
    writing: Cell<bool>,
    next: RefCell<Option<Vec<u8>>>,
}

enum Found {
    Looking,
    Nothing,
    Saved(Box<SavedLab>, Vec<u8>),
}

impl Controller {
    /// Spawns the worker, starts the download and the frame loop.
    pub fn new(link: LinkOptions) -> Rc<Controller> {
        let backend = super::choice::initial(link.backend);
        let controller = Rc::new(Controller {
            ui: Signals::new(link.preset.unwrap_or("softmax"), backend),
            canvases: Canvases::new(),
            bridge: RefCell::new(None),
            views: RefCell::new(Views::default()),
            seed: Cell::new(1),
            alive: Cell::new(true),
            attached: Cell::new(true),
            pad: RefCell::new(None),
            files: RefCell::new(None),
            keepsafe: RefCell::new(None),
            restoring: RefCell::new(None),
            loaded: Cell::new(false),
            resetting: Cell::new(false),
            pending: RefCell::new(None),
            storage: Storage {
                store: RefCell::new(None),
                found: RefCell::new(Found::Looking),
                begin_waiting: Cell::new(false),
                link_preset: link.preset,
                resuming: RefCell::new(None),
                offered: RefCell::new(None),
                writing: Cell::new(false),
                next: RefCell::new(None),
            },
        });
        controller.ui.notes.set(link.notes.clone());
        controller.clone().open_store();
        controller.spawn_worker();
        controller.arm_hooks(&link);
        controller
            .clone()
            .download(link.data_folder().to_string(), link.data.is_some());
        controller.clone().next_frame();
        controller
    }

    /// A worker, told where to build networks (before the data: the first
    /// network is built where the choice says) and which kernels to use.
    fn spawn_worker(self: &Rc<Self>) {
        let weak: Weak<Controller> = Rc::downgrade(self);
        let bridge = MnistWorker::spawner()
            .callback(move |event| {
                if let Some(c) = weak.upgrade() {
                    c.on_event(event);
                }
            })
            .spawn_with_loader("./mnist-worker_loader.js");
        *self.bridge.borrow_mut() = Some(bridge);
        self.ui.backend.set("starting…".into());
        self.send(Command::Backend(self.ui.backend_choice.get_untracked()));
        if !self.ui.simd.get_untracked() {
            self.send(Command::Simd(false));
        }
    }

    /// The page's view is (back) on screen: repaint everything. The pad
    /// starts blank, so what it shows is forgotten.
    pub fn attach(&self) {
        self.attached.set(true);
        self.views.borrow_mut().dirty = Dirty::ALL;
        self.classify(None);
    }

    /// The page's view went away (another page is shown); training goes on.
    pub fn detach(&self) {
        self.attached.set(false);
    }

    /// A link opened on a lab that already runs: its preset and backend
    /// apply as if chosen (a trained network is asked about first), and its
    /// test hooks are armed as on a fresh page.
    pub fn follow(&self, link: LinkOptions) {
        self.ui.notes.set(link.notes.clone());
        self.arm_hooks(&link);
        if let Some(choice) = link
            .backend
            .filter(|&c| c != self.ui.backend_choice.get_untracked())
        {
            self.choose_backend(choice);
        }
        if let Some(id) = link
            .preset
            .filter(|&id| self.ui.preset.get_untracked() != Some(id))
        {
            self.choose_preset(id);
        }
    }

    /// The link's test hooks (`lose-gpu-at`, `crash-worker-at`), told to
    /// the worker of the moment (a worker that replaces it is not told).
    fn arm_hooks(&self, link: &LinkOptions) {
        if let Some(step) = link.lose_gpu_at {
            self.send(Command::LoseGpuAt(step));
        }
        if let Some(step) = link.crash_at {
            self.send(Command::CrashAt(step));
        }
    }

    fn send(&self, command: Command) {
        if let Some(bridge) = self.bridge.borrow().as_ref() {
            bridge.send(command);
        }
    }

    fn download(self: Rc<Self>, folder: String, from_link: bool) {
        let ui = self.ui;
        ui.phase.set(Phase::Downloading);
        ui.status.set("Downloading MNIST…".into());
        ui.data_failed.set(None);
        leptos::task::spawn_local(async move {
            let result = super::fetch::fetch_files(&folder, |loaded, total| {
                ui.download.set((loaded, total));
            })
            .await;
            if !self.alive.get() {
                return;
            }
            match result {
                Ok(files) => {
                    let files: Vec<ByteBuf> = files.into_iter().map(ByteBuf::from).collect();
                    *self.files.borrow_mut() = Some(files.clone());
                    self.decode(files);
                }
                Err(e) => {
                    ui.phase.set(Phase::Failed);
                    ui.status.set(if from_link {
                        format!(
                            "Could not load the MNIST data from {folder}/, the folder the link \
                             names (?data=): {e}."
                        )
                    } else {
                        format!("Could not load the MNIST data: {e}.")
                    });
                    ui.data_failed.set(Some((folder, from_link)));
                }
            }
        });
    }

    /// Downloads again: from the same folder, or from the page's own data.
    pub fn retry_download(self: &Rc<Self>, built_in: bool) {
        let Some((folder, from_link)) = self.ui.data_failed.get_untracked() else {
            return;
        };
        if built_in {
            super::link::forget_data_option();
            self.clone()
                .download(super::link::DEFAULT_DATA.to_string(), false);
        } else {
            self.clone().download(folder, from_link);
        }
    }

    /// Hands the worker the files to decode.
    fn decode(&self, files: Vec<ByteBuf>) {
        let ui = self.ui;
        ui.phase.set(Phase::Decoding);
        ui.status.set("Decoding MNIST…".into());
        self.send(Command::Data(files));
        // A worker that never started (its script missing or refused) would
        // leave the page decoding for ever.
        set_timeout(
            move || {
                if ui.phase.get_untracked() == Phase::Decoding {
                    ui.phase.set(Phase::Failed);
                    ui.status.set(
                        "The training worker did not answer (is mnist-worker.js served next \
                         to the page?). Reload to try again."
                            .into(),
                    );
                }
            },
            WORKER_TIMEOUT,
        );
    }

    /// The worker died (`why`): a new one takes over, with the data and the
    /// last copy of the network (see [`Controller::on_configured`]).
    fn on_crash(self: &Rc<Self>, why: String) {
        let ui = self.ui;
        ui.running.set(false);
        if let Some(first) = self.restoring.borrow().as_ref() {
            // The new worker died before it had the network back: starting
            // yet another would only loop.
            ui.phase.set(Phase::Failed);
            ui.status.set(format!(
                "The training worker stopped ({first}), and so did the one that took over \
                 ({why}). Reload the page to start again."
            ));
            return;
        }
        ui.status.set(format!(
            "The training worker stopped: {why}. Starting a new one with your network…"
        ));
        *self.restoring.borrow_mut() = Some(why);
        // Not from inside the old bridge's own callback.
        let me = self.clone();
        set_timeout(
            move || {
                me.bridge.borrow_mut().take();
                me.spawn_worker();
                match me.files.borrow().clone() {
                    Some(files) => me.decode(files),
                    None => me
                        .clone()
                        .download(super::link::DEFAULT_DATA.to_string(), false),
                }
            },
            std::time::Duration::ZERO,
        );
    }

    fn on_event(self: &Rc<Self>, event: Event) {
        let ui = self.ui;
        match event {
            Event::DataReady { train, test } => {
                ui.phase.set(Phase::Ready);
                if self.restoring.borrow().is_some() {
                    return self.restore();
                }
                ui.status.set(format!(
                    "MNIST loaded: {} training and {} test digits. Press Start.",
                    thousands(train),
                    thousands(test)
                ));
                self.begin();
            }
            Event::Keepsafe(copy) => {
                let readouts = ui.stats.get_untracked().filter(|p| p.step == copy.step);
                *self.keepsafe.borrow_mut() = Some((copy, readouts));
                self.autosave();
            }
            Event::Crashed(why) => self.on_crash(why),
            Event::DataFailed(e) => {
                ui.phase.set(Phase::Failed);
                ui.status.set(format!("Could not read the MNIST data: {e}"));
            }
            Event::Configured {
                setup,
                parameters,
                origin,
            } => self.on_configured(&setup, parameters, origin),
            Event::Refused(reason) => {
                if self.storage.resuming.borrow_mut().take().is_some() {
                    ui.kept.set(Some(Kept::problem(format!(
                        "Could not restore the network saved in this browser ({reason}); \
                         started a new one."
                    ))));
                    return self.configure_current();
                }
                ui.status.set(reason);
            }
            Event::Backend(report) => {
                ui.backend.set(report.name);
                ui.backend_detail.set(report.detail);
            }
            Event::FellBack { step, reason } => {
                {
                    // The steps after the copy of the weights are trained again.
                    let mut views = self.views.borrow_mut();
                    let at = f64::from(step);
                    views.train.retain(|p| p.0 <= at);
                    views.test.retain(|p| p.0 <= at);
                    views.dirty.curves = true;
                }
                ui.status.set(format!(
                    "WebGPU failed ({reason}) — continued on the CPU from step {step}."
                ));
            }
            Event::Running(on) => {
                ui.running.set(on);
                if on {
                    ui.status.set("Training…".into());
                } else if ui.phase.get_untracked() == Phase::Ready
                    && ui.status.with_untracked(|s| s == "Training…")
                {
                    ui.status.set("Paused.".into());
                }
            }
            Event::Progress(p) => {
                crate::memory::worker_reported(p.memory_bytes);
                let mut views = self.views.borrow_mut();
                push_thinned(
                    &mut views.train,
                    (f64::from(p.step), f64::from(p.loss), f64::from(p.accuracy)),
                );
                views.dirty.curves = true;
                ui.stats.set(Some(p));
            }
            Event::Diverged(message) => {
                ui.running.set(false);
                ui.status.set(message);
            }
            Event::Batch(grid) => {
                let mut views = self.views.borrow_mut();
                views.batch = Some(grid);
                views.dirty.batch = true;
            }
            Event::Test(summary) => self.on_test(summary),
            Event::Bands { step, bands } => {
                let layers: Vec<String> = bands
                    .iter()
                    .filter_map(|b| b.name.rsplit_once('.').map(|(l, _)| l.to_string()))
                    .fold(Vec::new(), |mut v, l| {
                        if !v.contains(&l) {
                            v.push(l);
                        }
                        v
                    });
                if ui.band_layers.with_untracked(|v| *v != layers) {
                    ui.band_layers.set(layers);
                    ui.band_layer.set(0);
                }
                let mut views = self.views.borrow_mut();
                if views.bands.last().is_some_and(|(s, _)| *s >= step) {
                    views.bands.retain(|(s, _)| *s < step);
                }
                push_thinned(&mut views.bands, (step, bands));
                views.dirty.bands = true;
            }
            Event::Filters(filters) => {
                let mut views = self.views.borrow_mut();
                views.filters = filters;
                views.dirty.filters = true;
            }
            Event::Maps(report) => {
                ui.chosen.set(Some((
                    report.index,
                    report.label,
                    report.probabilities.clone(),
                )));
                let mut views = self.views.borrow_mut();
                views.maps = Some(report);
                views.dirty.maps = true;
            }
            Event::Probabilities(p) => {
                if self.pad.borrow().is_some() {
                    ui.probabilities.set(Some(p));
                }
            }
            Event::Exported {
                config_json,
                weights,
            } => self.offer_downloads(&config_json, &weights),
        }
    }

    /// A new worker has the data: it gets the last copy of the network (or,
    /// with none, a fresh one of the current setup).
    fn restore(&self) {
        let copy = self
            .keepsafe
            .borrow()
            .as_ref()
            .map(|(copy, _)| copy.clone());
        match copy {
            Some(copy) => self.send(Command::Restore {
                setup: self.ui.setup.get_untracked().to_json(),
                seed: self.seed.get(),
                copy,
            }),
            None => self.configure_current(),
        }
    }

    /// The worker built a network: show it.
    fn on_configured(&self, setup: &str, parameters: u32, origin: Origin) {
        let ui = self.ui;
        let spec = SetupSpec::from_json(setup).ok();
        if let Some(spec) = &spec {
            if origin == Origin::Loaded {
                let same = ui
                    .preset
                    .get_untracked()
                    .and_then(preset)
                    .is_some_and(|p| p.network == spec.network && p.training == spec.training);
                if !same {
                    ui.preset.set(None);
                }
            }
            ui.has_maps.set(spec.network.layers.iter().any(|l| {
                matches!(
                    l,
                    playnet_engine::Layer::Conv { .. } | playnet_engine::Layer::MaxPool { .. }
                )
            }));
            ui.setup.set(spec.clone());
        }
        ui.parameters.set(parameters);
        ui.running.set(false);
        ui.test.set(None);
        ui.chosen.set(None);
        let why = self.restoring.borrow_mut().take();
        if let (Origin::Restored { step }, Some((lab, weights))) =
            (origin, self.storage.resuming.borrow_mut().take())
        {
            return self.resumed(step, lab, weights);
        }
        match origin {
            Origin::Restored { step } => {
                // The curves up to the copy's step stay; what came after is
                // trained again.
                let mut views = self.views.borrow_mut();
                let at = f64::from(step);
                views.train.retain(|p| p.0 <= at);
                views.test.retain(|p| p.0 <= at);
                views.bands.retain(|b| b.0 <= step);
                views.dirty = Dirty::ALL;
                let readouts = self.keepsafe.borrow().as_ref().and_then(|(_, p)| *p);
                ui.stats.set(Some(readouts.unwrap_or(Progress {
                    step,
                    ..Progress::default()
                })));
                ui.status.set(format!(
                    "The training worker stopped ({}). A new one took over with your network \
                     from step {}: press Resume to go on.",
                    why.as_deref().unwrap_or("no reason given"),
                    thousands(step)
                ));
                return;
            }
            Origin::Loaded => {
                self.loaded.set(true);
                if let Some(spec) = &spec {
                    ui.status.set(format!(
                        "Model loaded: {}, {} parameters.",
                        plural(spec.network.layers.len(), "layer"),
                        thousands(parameters)
                    ));
                }
            }
            Origin::Fresh => {
                self.loaded.set(false);
                if let Some(why) = why {
                    ui.status.set(format!(
                        "The training worker stopped ({why}). A new one took over; nothing had \
                         been trained yet."
                    ));
                } else if self.resetting.replace(false) {
                    ui.status.set("Reset: new weights, step 0.".into());
                }
            }
        }
        // A new network: nothing of the old one is worth keeping.
        *self.keepsafe.borrow_mut() = None;
        ui.stats.set(None);
        *self.views.borrow_mut() = Views {
            dirty: Dirty::ALL,
            ..Views::default()
        };
    }

    fn on_test(&self, summary: TestSummary) {
        let ui = self.ui;
        {
            let mut views = self.views.borrow_mut();
            let point = (
                f64::from(summary.step),
                f64::from(summary.loss),
                f64::from(summary.accuracy),
            );
            if views.test.last().is_some_and(|p| p.0 >= point.0) {
                views.test.retain(|p| p.0 < point.0);
            }
            push_thinned(&mut views.test, point);
            views.test_digits = Some(summary.digits);
            views.dirty.curves = true;
            views.dirty.test_digits = true;
        }
        ui.test.set(Some(TestView {
            step: summary.step,
            count: summary.count,
            accuracy: summary.accuracy,
            loss: summary.loss,
            mistakes: summary.mistakes,
            confusion: summary.confusion,
            backend: summary.backend,
        }));
        // The drawn digit and the chosen test digit, seen by the newer network.
        if let Some(image) = self.pad.borrow().clone() {
            self.send(Command::Classify(image));
        }
        if let Some((index, _, _)) = ui.chosen.get_untracked() {
            self.send(Command::Maps(index));
        }
    }

    fn offer_downloads(&self, config_json: &str, weights: &[u8]) {
        match (
            object_url(weights, "application/octet-stream").ok(),
            object_url(config_json.as_bytes(), "application/json").ok(),
        ) {
            (Some(w), Some(c)) => {
                if let Some((old_w, old_c)) = self.ui.downloads.get_untracked() {
                    let _ = web_sys::Url::revoke_object_url(&old_w);
                    let _ = web_sys::Url::revoke_object_url(&old_c);
                }
                self.ui.downloads.set(Some((w, c)));
                self.ui
                    .status
                    .set("Model exported: save both files below.".into());
            }
            _ => self
                .ui
                .status
                .set("Cannot export: the browser refused to make the files.".into()),
        }
    }

    // ----- the network kept in this browser -----

    /// Opens the store and reads what it holds, while MNIST downloads.
    fn open_store(self: Rc<Self>) {
        leptos::task::spawn_local(async move {
            let found = match Store::open().await {
                Ok(store) => {
                    let found = store.load().await;
                    *self.storage.store.borrow_mut() = Some(store);
                    found
                }
                Err(e) => Err(saved::save_failed("your network", &e)),
            };
            *self.storage.found.borrow_mut() = match found {
                Ok(Some((lab, weights))) => Found::Saved(Box::new(lab), weights),
                Ok(None) => Found::Nothing,
                Err(note) => {
                    self.ui.kept.set(Some(Kept::problem(note)));
                    Found::Nothing
                }
            };
            if self.storage.begin_waiting.replace(false) {
                self.begin();
            }
        });
    }

    /// The data is in: the saved network comes back (unless the link asks
    /// for another preset: then it is offered), or a fresh one is built.
    fn begin(&self) {
        let found = std::mem::replace(&mut *self.storage.found.borrow_mut(), Found::Nothing);
        match found {
            Found::Looking => {
                *self.storage.found.borrow_mut() = Found::Looking;
                self.storage.begin_waiting.set(true);
            }
            Found::Nothing => self.configure_current(),
            Found::Saved(lab, weights) => {
                let other = self
                    .storage
                    .link_preset
                    .filter(|&id| lab.preset.as_deref() != Some(id));
                match other {
                    Some(id) => {
                        self.ui.kept.set(Some(Kept::offer(format!(
                            "Your network saved at {} ({}, step {}) is kept in this browser; \
                             this link opens {}. Training this one replaces it.",
                            saved::when(lab.saved_at, saved::now_ms()),
                            preset_name(lab.preset.as_deref()),
                            thousands(lab.step),
                            preset_name(Some(id)),
                        ))));
                        *self.storage.offered.borrow_mut() = Some((*lab, weights));
                        self.configure_current();
                    }
                    None => self.resume(*lab, weights),
                }
            }
        }
    }

    /// Sends a saved network to the worker ([`Controller::resumed`] shows it).
    fn resume(&self, lab: SavedLab, weights: Vec<u8>) {
        let Ok(setup) = SetupSpec::from_json(&lab.setup_json) else {
            self.ui.kept.set(Some(Kept::problem(
                "Ignored the network saved in this browser: its settings could not be read.".into(),
            )));
            return self.configure_current();
        };
        let id = lab
            .preset
            .as_deref()
            .and_then(|id| playnet_mnist::PRESETS.iter().copied().find(|&p| p == id));
        self.ui.preset.set(id);
        self.ui.setup.set(setup);
        self.seed.set(lab.seed);
        self.ui.status.set("Restoring your network…".into());
        self.send(Command::Restore {
            setup: lab.setup_json.clone(),
            seed: lab.seed,
            copy: lab.keepsafe(weights.clone()),
        });
        *self.storage.resuming.borrow_mut() = Some((lab, weights));
    }

    /// The worker has the saved network back: its curves and readouts too.
    fn resumed(&self, step: u32, lab: SavedLab, weights: Vec<u8>) {
        let ui = self.ui;
        let readouts = lab.readouts.filter(|p| p.step == step);
        *self.views.borrow_mut() = Views {
            train: lab.train.clone(),
            test: lab.test.clone(),
            dirty: Dirty::ALL,
            ..Views::default()
        };
        ui.stats.set(Some(readouts.unwrap_or(Progress {
            step,
            ..Progress::default()
        })));
        *self.keepsafe.borrow_mut() = Some((lab.keepsafe(weights), readouts));
        let text = format!(
            "Restored your network from {}, step {}.",
            saved::when(lab.saved_at, saved::now_ms()),
            thousands(step)
        );
        ui.status.set(format!("{text} Press Start to go on."));
        ui.kept.set(Some(Kept::restored(text)));
    }

    /// Writes the worker's latest copy, when the network is worth keeping.
    fn autosave(self: &Rc<Self>) {
        if !self.trained() || self.storage.resuming.borrow().is_some() {
            return;
        }
        let record = {
            let keepsafe = self.keepsafe.borrow();
            let Some((copy, readouts)) = keepsafe.as_ref() else {
                return;
            };
            let views = self.views.borrow();
            let lab = SavedLab {
                saved_at: saved::now_ms(),
                preset: self.ui.preset.get_untracked().map(str::to_string),
                setup_json: self.ui.setup.get_untracked().to_json(),
                seed: self.seed.get(),
                step: copy.step,
                epoch: copy.epoch,
                config_json: copy.config_json.clone(),
                readouts: *readouts,
                train: views.train.clone(),
                test: views.test.clone(),
            };
            super::store::encode(&lab, &copy.weights)
        };
        match record {
            Ok(bytes) if self.storage.writing.get() => {
                *self.storage.next.borrow_mut() = Some(bytes)
            }
            Ok(bytes) => self.clone().write(bytes),
            Err(e) => self
                .ui
                .kept
                .set(Some(Kept::problem(saved::save_failed("your network", &e)))),
        }
    }

    fn write(self: Rc<Self>, bytes: Vec<u8>) {
        let Some(store) = self.storage.store.borrow().clone() else {
            return;
        };
        self.storage.writing.set(true);
        leptos::task::spawn_local(async move {
            let result = store.save(&bytes).await;
            self.storage.writing.set(false);
            match result {
                Ok(()) => {
                    // The offered network was replaced; a failure is over.
                    self.storage.offered.borrow_mut().take();
                    let stale = self.ui.kept.with_untracked(|k| {
                        k.as_ref()
                            .is_some_and(|k| k.problem || k.offer == Some(Offer::Restore))
                    });
                    if stale {
                        self.ui.kept.set(None);
                    }
                }
                Err(e) => self
                    .ui
                    .kept
                    .set(Some(Kept::problem(saved::save_failed("your network", &e)))),
            }
            if let Some(next) = self.storage.next.borrow_mut().take() {
                self.clone().write(next);
            }
        });
    }

    /// The network in training is being replaced: its saved copy goes too
    /// (a saved network that was only offered stays).
    fn forget_saved(&self) {
        self.storage.next.borrow_mut().take();
        if self.storage.offered.borrow().is_some() {
            return;
        }
        if self
            .ui
            .kept
            .with_untracked(|k| k.as_ref().is_some_and(|k| !k.problem))
        {
            self.ui.kept.set(None);
        }
        if let Some(store) = self.storage.store.borrow().clone() {
            let ui = self.ui;
            leptos::task::spawn_local(async move {
                if let Err(e) = store.forget().await {
                    ui.kept.set(Some(Kept::problem(format!(
                        "Could not forget the network saved in this browser ({e})."
                    ))));
                }
            });
        }
    }

    /// The kept note's button.
    pub fn kept_offer(&self, offer: Offer) {
        match offer {
            Offer::StartFresh => self.reset(),
            Offer::Restore => {
                if let Some((lab, weights)) = self.storage.offered.borrow_mut().take() {
                    self.ui.kept.set(None);
                    self.resume(lab, weights);
                }
            }
        }
    }

    // ----- what the page's controls ask -----

    /// A fresh network of the current setup (step 0, paused).
    pub fn configure_current(&self) {
        if self.ui.phase.get_untracked() != Phase::Ready {
            return;
        }
        let setup = self.ui.setup.get_untracked().to_json();
        self.send(Command::Configure {
            setup,
            seed: self.seed.get(),
        });
    }

    /// Whether the network in training is worth asking about before it goes.
    fn trained(&self) -> bool {
        self.loaded.get()
            || self
                .ui
                .stats
                .with_untracked(|s| s.is_some_and(|s| s.step > 0))
    }

    /// Carries out `action` at once if nothing trained would be lost, else
    /// asks first ([`Controller::answer`] carries it out).
    fn ask(&self, action: Discard) {
        if !self.trained() {
            return self.carry_out(action);
        }
        let step = self.ui.stats.with_untracked(|s| s.map_or(0, |s| s.step));
        let what = if step > 0 {
            format!("your network trained for {} steps", thousands(step))
        } else {
            "the network you loaded".into()
        };
        self.ui.confirm.set(Some(format!(
            "{} and throws away {what}. Export it first to keep it.",
            action.describe()
        )));
        *self.pending.borrow_mut() = Some(action);
    }

    /// The person's answer to [`Signals::confirm`]'s question.
    pub fn answer(&self, discard: bool) {
        self.ui.confirm.set(None);
        if let Some(action) = self.pending.borrow_mut().take()
            && discard
        {
            self.carry_out(action);
        }
    }

    fn carry_out(&self, action: Discard) {
        self.forget_saved();
        match action {
            Discard::Reset => {
                self.resetting.set(true);
                self.configure_current();
            }
            Discard::Preset(id) => {
                let Some(p) = preset(id) else { return };
                self.ui.preset.set(Some(id));
                self.ui.setup.set(SetupSpec {
                    network: p.network,
                    training: p.training,
                });
                self.configure_current();
            }
            Discard::Setup(setup) => {
                self.ui.preset.set(None);
                self.ui.setup.set(setup);
                self.configure_current();
            }
            Discard::Load {
                config_json,
                weights,
            } => {
                self.ui.status.set("Loading the model…".into());
                self.send(Command::Load {
                    config_json,
                    weights: ByteBuf::from(weights),
                });
            }
        }
    }

    /// Switches to a preset (a fresh network).
    pub fn choose_preset(&self, id: &'static str) {
        self.ask(Discard::Preset(id));
    }

    /// Trains a network of one's own (already validated by the editor).
    pub fn choose_setup(&self, setup: SetupSpec) {
        self.ask(Discard::Setup(setup));
    }

    pub fn start(&self) {
        self.send(Command::Start);
    }

    pub fn pause(&self) {
        self.send(Command::Pause);
    }

    pub fn reset(&self) {
        self.ask(Discard::Reset);
    }

    pub fn set_simd(&self, on: bool) {
        self.ui.simd.set(on);
        self.send(Command::Simd(on));
    }

    /// Trains on `choice` from now on, keeping the weights.
    pub fn choose_backend(&self, choice: BackendChoice) {
        self.ui.backend_choice.set(choice);
        super::choice::remember(choice);
        self.send(Command::Backend(choice));
    }

    pub fn export(&self) {
        self.send(Command::Export);
    }

    pub fn load(&self, config_json: String, weights: Vec<u8>) {
        self.ask(Discard::Load {
            config_json,
            weights,
        });
    }

    /// A drawn digit (preprocessed), or `None` for an empty pad.
    pub fn classify(&self, image: Option<Vec<f32>>) {
        *self.pad.borrow_mut() = image.clone();
        match image {
            Some(image) => self.send(Command::Classify(image)),
            None => self.ui.probabilities.set(None),
        }
    }

    /// Shows the activation maps of test digit `index`.
    pub fn choose_test_digit(&self, index: u32) {
        self.send(Command::Maps(index));
    }

    /// The test digit under a click on the test-digit panel.
    pub fn test_digit_at(&self, x: f64, y: f64) -> Option<u32> {
        let views = self.views.borrow();
        let grid = views.test_digits.as_ref()?;
        let k = DigitLayout::GRID.hit(x, y, grid.len())?;
        grid.indices.get(k).copied()
    }

    pub fn repaint_bands(&self) {
        self.views.borrow_mut().dirty.bands = true;
    }

    // ----- painting -----

    fn next_frame(self: Rc<Self>) {
        request_animation_frame(move || {
            if !self.alive.get() {
                return;
            }
            self.ui.frames.update(|f| *f += 1);
            if self.attached.get() {
                self.paint();
            }
            self.next_frame();
        });
    }

    /// The pointer is over the accuracy (`loss` false) or the loss chart at
    /// CSS pixel column `x` (`None`: it left): both charts mark the step
    /// under it and the page reads the curves there.
    pub fn hover_curves(&self, loss: bool, x: Option<f64>) {
        let mut views = self.views.borrow_mut();
        let step = x.map(|x| views.frames[usize::from(loss)].x_at(x));
        views.hover = step;
        views.dirty.curves = true;
        let text = step.map_or_else(String::new, |step| {
            curve_reading(&views.train, &views.test, step)
        });
        self.ui.curve_hover.set(text);
    }

    fn paint(&self) {
        let dirty = std::mem::take(&mut self.views.borrow_mut().dirty);
        if dirty.curves {
            let mut views = self.views.borrow_mut();
            for (k, (node, which)) in [
                (self.canvases.accuracy, Curve::Accuracy),
                (self.canvases.loss, Curve::Loss),
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(c) = node.get_untracked()
                    && let Some(frame) =
                        paint_curves(&c, &views.train, &views.test, which, views.hover)
                {
                    views.frames[k] = frame;
                }
            }
        }
        let views = self.views.borrow();
        let canvas = |r: NodeRef<Canvas>| -> Option<HtmlCanvasElement> { r.get_untracked() };
        if dirty.bands {
            let layer = self
                .ui
                .band_layers
                .with_untracked(|l| l.get(self.ui.band_layer.get_untracked()).cloned());
            for (k, node) in [self.canvases.weights, self.canvases.biases]
                .into_iter()
                .enumerate()
            {
                if let Some(c) = canvas(node) {
                    paint_bands(&c, &views.bands, layer.as_deref(), k);
                }
            }
        }
        if dirty.batch
            && let (Some(c), Some(grid)) = (canvas(self.canvases.batch), &views.batch)
        {
            draw::digit_grid(&c, grid, DigitLayout::GRID);
        }
        if dirty.test_digits
            && let (Some(c), Some(grid)) = (canvas(self.canvases.test_digits), &views.test_digits)
        {
            draw::digit_grid(&c, grid, DigitLayout::GRID);
        }
        if dirty.filters
            && let Some(c) = canvas(self.canvases.filters)
        {
            paint_filters(&c, views.filters.as_ref());
        }
        if dirty.maps
            && let Some(c) = canvas(self.canvases.maps)
        {
            paint_maps(&c, views.maps.as_ref());
        }
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        self.alive.set(false);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Curve {
    Accuracy,
    Loss,
}

/// The point of `points` (`(step, loss, accuracy)`) nearest to `step`.
fn nearest(points: &[(f64, f64, f64)], step: f64) -> Option<(f64, f64, f64)> {
    points
        .iter()
        .min_by(|a, b| (a.0 - step).abs().total_cmp(&(b.0 - step).abs()))
        .copied()
}

/// What the curves say near `step`: the nearest test evaluation and the
/// nearest batch, each with its own step.
fn curve_reading(train: &[(f64, f64, f64)], test: &[(f64, f64, f64)], step: f64) -> String {
    let part = |name: &str, p: Option<(f64, f64, f64)>| {
        p.map(|(s, loss, accuracy)| {
            format!(
                "{name} at step {}: accuracy {}, loss {loss:.3}",
                crate::format::thousands(s.max(0.0).round() as u64),
                crate::format::percent(accuracy as f32)
            )
        })
    };
    [
        part("test", nearest(test, step)),
        part("batch", nearest(train, step)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ")
}

fn paint_curves(
    canvas: &HtmlCanvasElement,
    train: &[(f64, f64, f64)],
    test: &[(f64, f64, f64)],
    which: Curve,
    hover: Option<f64>,
) -> Option<Frame> {
    let pick = |p: &(f64, f64, f64)| match which {
        Curve::Accuracy => (p.0, p.2),
        Curve::Loss => (p.0, p.1),
    };
    let train: Vec<(f64, f64)> = train.iter().map(pick).collect();
    let test: Vec<(f64, f64)> = test.iter().map(pick).collect();
    let last = train
        .iter()
        .chain(&test)
        .map(|p| p.0)
        .fold(1.0f64, f64::max);
    let ys = train.iter().chain(&test).map(|p| p.1);
    let y = match which {
        // Zoom in on the top once the network is good, as the lecture does.
        Curve::Accuracy => {
            let (lo, _) = draw::range(ys, Some(0.0), Some(1.0));
            (lo.min(0.9), 1.0)
        }
        Curve::Loss => {
            let (_, hi) = draw::range(ys, Some(0.0), None);
            (0.0, hi)
        }
    };
    let format = move |v: f64| match which {
        Curve::Accuracy => format!("{:.1}%", v * 100.0),
        Curve::Loss => format!("{v:.2}"),
    };
    let lines = [
        chart::Line {
            name: "batch",
            colour: chart::RGBColor(0x90, 0xa4, 0xae),
            points: &train,
        },
        chart::Line {
            name: "test",
            colour: chart::RGBColor(0xe6, 0x51, 0x00),
            points: &test,
        },
    ];
    chart::lines_chart(
        canvas,
        &chart::Lines {
            x: (0.0, last),
            y,
            x_label: "step",
            y_format: &format,
            lines: &lines,
            hover,
        },
    )
    .ok()
}

/// The percentile bands of tensor `k` (0: weights or γ, 1: biases or β) of `layer`.
fn paint_bands(
    canvas: &HtmlCanvasElement,
    history: &[(u32, Vec<Bands>)],
    layer: Option<&str>,
    k: usize,
) {
    let Some(ctx) = draw::context(canvas) else {
        return;
    };
    let series: Vec<(f64, [f32; 7])> = history
        .iter()
        .filter_map(|(step, bands)| {
            let layer = layer?;
            bands
                .iter()
                .filter(|b| b.name.rsplit_once('.').is_some_and(|(l, _)| l == layer))
                .nth(k)
                .map(|b| (f64::from(*step), b.percentiles))
        })
        .collect();
    let y = draw::range(
        series
            .iter()
            .flat_map(|(_, p)| [f64::from(p[0]), f64::from(p[6])]),
        None,
        None,
    );
    let last = series.last().map_or(1.0, |s| s.0.max(1.0));
    let axes = Axes {
        x: (0.0, last),
        y,
        width: f64::from(canvas.width()),
        height: f64::from(canvas.height()),
    };
    axes.draw(&ctx, |v| format!("{v:.2}"));
    let xs: Vec<f64> = series.iter().map(|s| s.0).collect();
    let at = |i: usize| -> Vec<f64> { series.iter().map(|s| f64::from(s.1[i])).collect() };
    for ((lo, hi), fill) in [
        ((0, 6), "#e3f2fd"),
        ((1, 5), "#90caf9"),
        ((2, 4), "#42a5f5"),
    ] {
        axes.band(&ctx, &xs, &at(lo), &at(hi), fill);
    }
    let median: Vec<(f64, f64)> = xs.iter().copied().zip(at(3)).collect();
    axes.line(
        &ctx,
        &Series {
            points: &median,
            colour: "#0d47a1",
            width: 1.5,
        },
    );
}

fn paint_filters(canvas: &HtmlCanvasElement, filters: Option<&FilterImages>) {
    let Some(f) = filters.filter(|f| f.count > 0) else {
        draw::size(canvas, 300, 40);
        if let Some(ctx) = draw::context(canvas) {
            ctx.clear_rect(0.0, 0.0, 300.0, 40.0);
        }
        return;
    };
    let per = f.width * f.height;
    let raster = draw::tiles(f.count, (f.width, f.height), 56, 10, |k, i| {
        let image = f.values.get(k * per..(k + 1) * per).unwrap_or(&[]);
        let scale = draw::max_abs(image);
        draw::diverging(image.get(i).copied().unwrap_or(0.0), scale)
    });
    raster.put(canvas);
}

/// One row of maps per image layer, each map on its own scale.
fn paint_maps(canvas: &HtmlCanvasElement, maps: Option<&MapsReport>) {
    let Some(report) = maps else {
        draw::size(canvas, 300, 40);
        if let Some(ctx) = draw::context(canvas) {
            ctx.clear_rect(0.0, 0.0, 300.0, 40.0);
        }
        return;
    };
    const COLUMNS: usize = 12;
    const TARGET: usize = 56;
    const LABEL: usize = 18;
    let mut blocks = Vec::new();
    let mut height = 0;
    let mut width = 0;
    for layer in &report.layers {
        let per = layer.height * layer.width;
        let raster = draw::tiles(
            layer.channels,
            (layer.width, layer.height),
            TARGET,
            COLUMNS,
            |k, i| {
                let map = layer.values.get(k * per..(k + 1) * per).unwrap_or(&[]);
                let max = map
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .fold(f32::MIN, f32::max);
                let min = map
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .fold(f32::MAX, f32::min);
                let v = map.get(i).copied().unwrap_or(0.0);
                let t = if max > min {
                    (v - min) / (max - min)
                } else {
                    0.0
                };
                draw::mix(draw::PAPER, draw::INK, t)
            },
        );
        width = width.max(raster.width);
        height += LABEL + raster.height;
        blocks.push((layer.label.clone(), raster));
    }
    let width = width.max(300);
    let mut all = draw::Raster::new(width, height.max(40), draw::PAPER);
    let mut y = 0;
    let mut labels = Vec::new();
    for (label, raster) in &blocks {
        labels.push((label.clone(), y));
        y += LABEL;
        all.paste(raster, (0, y));
        y += raster.height;
    }
    if let Some(ctx) = all.put(canvas) {
        ctx.set_font("12px sans-serif");
        ctx.set_fill_style_str("#333");
        ctx.set_text_align("left");
        for (label, y) in labels {
            let _ = ctx.fill_text(&label, 2.0, (y + LABEL - 5) as f64);
        }
    }
}

/// `1 layer`, `3 layers`.
/// A preset's name for people (a network of one's own has none).
fn preset_name(id: Option<&str>) -> String {
    id.and_then(preset)
        .map_or_else(|| "your own network".into(), |p| p.name.to_string())
}

pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `60000` → `60,000`.
pub fn thousands(n: u32) -> String {
    crate::format::thousands(u64::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hovering_reads_the_nearest_test_and_batch() {
        let train = [(10.0, 0.5, 0.8), (20.0, 0.4, 0.85), (30.0, 0.3, 0.9)];
        let test = [(0.0, 2.3, 0.1), (25.0, 0.35, 0.88)];
        assert_eq!(
            curve_reading(&train, &test, 21.0),
            "test at step 25: accuracy 88.0%, loss 0.350 · batch at step 20: accuracy 85.0%, loss 0.400"
        );
        assert_eq!(curve_reading(&[], &[], 5.0), "");
        assert_eq!(nearest(&test, -3.0).map(|p| p.0), Some(0.0));
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(60_000), "60,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(plural(1, "layer"), "1 layer");
        assert_eq!(plural(3, "layer"), "3 layers");
    }

    #[test]
    fn long_histories_are_thinned_not_dropped_at_the_start() {
        let mut v = Vec::new();
        for i in 0..5000 {
            push_thinned(&mut v, i);
        }
        assert!(v.len() <= MAX_POINTS);
        assert_eq!(v.first(), Some(&0));
        assert!(v.windows(2).all(|w| w[0] < w[1]));
    }
}
