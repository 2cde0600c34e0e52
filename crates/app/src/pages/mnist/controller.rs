//! Talks to the training worker and keeps what the page shows.
//!
//! Small readouts live in signals ([`Signals`]); the histories and pictures
//! (curves, bands, digits, filters, maps) are plain Rust state outside the
//! reactive graph, and an animation-frame loop repaints the canvases whose
//! data changed, so a burst of worker messages costs at most one redraw per
//! frame. The frame loop also counts frames: the page's proof that it keeps
//! rendering while the worker trains.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_worker::{Spawnable, WorkerBridge};
use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_mnist::{Bands, FilterImages, preset};
use serde_bytes::ByteBuf;
use web_sys::HtmlCanvasElement;

use super::draw::{self, Axes, DigitLayout, Series};
use super::worker::MnistWorker;
use super::worker::protocol::{
    BackendChoice, Command, DigitGrid, Event, MapsReport, Progress, SetupSpec, TestSummary,
};
use crate::files::object_url;

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
        }
    }
}

/// The softmax preset, should the presets ever lose it.
fn fallback_setup() -> SetupSpec {
    use playnet_engine::{Activation, Init, Layer, NetConfig, NetTrainConfig, Optimizer, Schedule};
    SetupSpec {
        network: NetConfig {
            input: [28, 28, 1],
            layers: vec![Layer::Dense {
                units: 10,
                activation: Activation::Linear,
            }],
            init: Init::Zero,
        },
        training: NetTrainConfig {
            optimizer: Optimizer::Sgd,
            schedule: Schedule::Constant { rate: 0.5 },
            batch_size: 100,
        },
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

/// How the page starts.
pub struct Start {
    pub preset: &'static str,
    /// Where the MNIST files are.
    pub data_folder: String,
    pub backend: BackendChoice,
    /// The test hook `?lose-gpu-at=N`.
    pub lose_gpu_at: Option<u32>,
}

/// The page's side of the worker.
pub struct Controller {
    pub ui: Signals,
    pub canvases: Canvases,
    bridge: RefCell<Option<WorkerBridge<MnistWorker>>>,
    views: RefCell<Views>,
    seed: Cell<u32>,
    alive: Cell<bool>,
    /// The drawn digit, preprocessed (kept to re-classify as training goes on).
    pad: RefCell<Option<Vec<f32>>>,
}

impl Controller {
    /// Spawns the worker, starts the download and the frame loop.
    pub fn new(start: Start) -> Rc<Controller> {
        let controller = Rc::new(Controller {
            ui: Signals::new(start.preset, start.backend),
            canvases: Canvases::new(),
            bridge: RefCell::new(None),
            views: RefCell::new(Views::default()),
            seed: Cell::new(1),
            alive: Cell::new(true),
            pad: RefCell::new(None),
        });
        let weak: Weak<Controller> = Rc::downgrade(&controller);
        let bridge = MnistWorker::spawner()
            .callback(move |event| {
                if let Some(c) = weak.upgrade() {
                    c.on_event(event);
                }
            })
            .spawn("./mnist-worker.js");
        *controller.bridge.borrow_mut() = Some(bridge);
        controller.ui.backend.set("starting…".into());
        // Before the data: the first network is built where the choice says.
        controller.send(Command::Backend(start.backend));
        if let Some(step) = start.lose_gpu_at {
            controller.send(Command::LoseGpuAt(step));
        }
        controller.clone().download(start.data_folder);
        controller.clone().next_frame();
        controller
    }

    /// Stops the frame loop and the worker (the page is going away).
    pub fn shut_down(&self) {
        self.alive.set(false);
        self.bridge.borrow_mut().take();
        if let Some((w, c)) = self.ui.downloads.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&w);
            let _ = web_sys::Url::revoke_object_url(&c);
        }
    }

    fn send(&self, command: Command) {
        if let Some(bridge) = self.bridge.borrow().as_ref() {
            bridge.send(command);
        }
    }

    fn download(self: Rc<Self>, folder: String) {
        let ui = self.ui;
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
                    ui.phase.set(Phase::Decoding);
                    ui.status.set("Decoding MNIST…".into());
                    self.send(Command::Data(
                        files.into_iter().map(ByteBuf::from).collect(),
                    ));
                    // A worker that never started (its script missing or
                    // refused) would leave the page decoding for ever.
                    set_timeout(
                        move || {
                            if ui.phase.get_untracked() == Phase::Decoding {
                                ui.phase.set(Phase::Failed);
                                ui.status.set(
                                    "The training worker did not answer (is mnist-worker.js \
                                     served next to the page?). Reload to try again."
                                        .into(),
                                );
                            }
                        },
                        WORKER_TIMEOUT,
                    );
                }
                Err(e) => {
                    ui.phase.set(Phase::Failed);
                    ui.status.set(format!(
                        "Could not load the MNIST data: {e}. Reload to try again."
                    ));
                }
            }
        });
    }

    fn on_event(&self, event: Event) {
        let ui = self.ui;
        match event {
            Event::DataReady { train, test } => {
                ui.phase.set(Phase::Ready);
                ui.status.set(format!(
                    "MNIST loaded: {} training and {} test digits. Press Start.",
                    thousands(train),
                    thousands(test)
                ));
                self.configure_current();
            }
            Event::DataFailed(e) => {
                ui.phase.set(Phase::Failed);
                ui.status.set(format!("Could not read the MNIST data: {e}"));
            }
            Event::Configured {
                setup,
                parameters,
                loaded,
            } => {
                if let Ok(spec) = SetupSpec::from_json(&setup) {
                    if loaded {
                        let same = ui.preset.get_untracked().and_then(preset).is_some_and(|p| {
                            p.network == spec.network && p.training == spec.training
                        });
                        if !same {
                            ui.preset.set(None);
                        }
                        ui.status.set(format!(
                            "Model loaded: {} layers, {} parameters.",
                            spec.network.layers.len(),
                            thousands(parameters)
                        ));
                    }
                    ui.has_maps.set(spec.network.layers.iter().any(|l| {
                        matches!(
                            l,
                            playnet_engine::Layer::Conv { .. }
                                | playnet_engine::Layer::MaxPool { .. }
                        )
                    }));
                    ui.setup.set(spec);
                }
                ui.parameters.set(parameters);
                ui.running.set(false);
                ui.stats.set(None);
                ui.test.set(None);
                ui.chosen.set(None);
                let mut views = self.views.borrow_mut();
                *views = Views {
                    dirty: Dirty::ALL,
                    ..Views::default()
                };
            }
            Event::Refused(reason) => ui.status.set(reason),
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

    /// Switches to a preset (a fresh network).
    pub fn choose_preset(&self, id: &'static str) {
        let Some(p) = preset(id) else { return };
        self.ui.preset.set(Some(id));
        self.ui.setup.set(SetupSpec {
            network: p.network,
            training: p.training,
        });
        self.configure_current();
    }

    /// Trains a network of one's own (already validated by the editor).
    pub fn choose_setup(&self, setup: SetupSpec) {
        self.ui.preset.set(None);
        self.ui.setup.set(setup);
        self.configure_current();
    }

    pub fn start(&self) {
        self.send(Command::Start);
    }

    pub fn pause(&self) {
        self.send(Command::Pause);
    }

    pub fn reset(&self) {
        self.configure_current();
        if self.ui.phase.get_untracked() == Phase::Ready {
            self.ui.status.set("Reset: new weights, step 0.".into());
        }
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
        self.send(Command::Load {
            config_json,
            weights: ByteBuf::from(weights),
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
            self.paint();
            self.next_frame();
        });
    }

    fn paint(&self) {
        let dirty = std::mem::take(&mut self.views.borrow_mut().dirty);
        let views = self.views.borrow();
        let canvas = |r: NodeRef<Canvas>| -> Option<HtmlCanvasElement> { r.get_untracked() };
        if dirty.curves {
            if let Some(c) = canvas(self.canvases.accuracy) {
                paint_curves(&c, &views.train, &views.test, Curve::Accuracy);
            }
            if let Some(c) = canvas(self.canvases.loss) {
                paint_curves(&c, &views.train, &views.test, Curve::Loss);
            }
        }
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

fn paint_curves(
    canvas: &HtmlCanvasElement,
    train: &[(f64, f64, f64)],
    test: &[(f64, f64, f64)],
    which: Curve,
) {
    let Some(ctx) = draw::context(canvas) else {
        return;
    };
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
    let axes = Axes {
        x: (0.0, last),
        y,
        width: f64::from(canvas.width()),
        height: f64::from(canvas.height()),
    };
    axes.draw(&ctx, |v| match which {
        Curve::Accuracy => format!("{:.1}%", v * 100.0),
        Curve::Loss => format!("{v:.2}"),
    });
    axes.line(
        &ctx,
        &Series {
            points: &train,
            colour: "#90a4ae",
            width: 1.0,
        },
    );
    axes.line(
        &ctx,
        &Series {
            points: &test,
            colour: "#e65100",
            width: 2.0,
        },
    );
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

/// `60000` → `60,000`.
pub fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(60_000), "60,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
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
