//! Drives training from button presses and animation frames, and paints
//! everything that shows the network: output regions, every neuron's
//! heatmap, the links, the data points, the loss chart and the confusion
//! matrix.
//!
//! The training session is plain Rust state outside the reactive graph; the
//! controller pushes what the page shows into signals once per frame, and
//! only what changed. All heatmaps come from one batched forward pass over
//! the grid per frame, and the whole network view (links and node heatmaps)
//! is one image put into one canvas (see [`super::network`]).
//!
//! A big network would not train and draw at display rate on a small
//! machine, so while it plays the page does less per frame, never less
//! often: the grid is coarser (the paused page redraws it fine), and the
//! network picture is redrawn a few strips a frame, in turn (see
//! [`super::refresh`]); the output panel and the output node follow every
//! frame, and the losses at least three times a second.
//!
//! What a frame costs is measured per phase and published as
//! `window.__playnet_timings` (milliseconds, smoothed), which the speed
//! benchmark prints.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use playnet_data::{Feature, Point, Split, feature_matrix, rng, shuffle, split};
use playnet_engine::{Cpu, Tensor, ready};
use playnet_playground::{Confusion, PlaygroundConfig, SavedModel, Session, write_points};
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::layout::{self, Layout};
use super::network::{self, Dash, LinkRef, Picture};
use super::painter::Painter;
use super::refresh::{Cycle, Part};
use super::store::{self, Record, SavedSession, Store};
use crate::chart::{Frame, LossHistory};
use crate::files::object_url;
use crate::heatmap::{self, ColourTable, Palette};
use crate::kept::{Kept, Offer};
use crate::meter::RateMeter;
use crate::saved;

/// The page's state and readouts, as signals.
#[derive(Clone, Copy)]
pub struct Signals {
    pub config: RwSignal<PlaygroundConfig>,
    pub show_test_data: RwSignal<bool>,
    pub discretize: RwSignal<bool>,
    /// The node under the pointer, as `(column, index)`; its heatmap then
    /// fills the output panel.
    pub hovered: RwSignal<Option<(usize, usize)>>,
    pub epoch: RwSignal<u64>,
    pub train_loss: RwSignal<f32>,
    pub test_loss: RwSignal<f32>,
    pub accuracy: RwSignal<Option<f32>>,
    pub playing: RwSignal<bool>,
    pub status: RwSignal<String>,
    /// Epochs trained per animation frame while playing.
    pub speed: RwSignal<u32>,
    /// Pause by itself on reaching this epoch.
    pub stop_at: RwSignal<Option<u64>>,
    pub fps: RwSignal<f64>,
    pub epochs_per_second: RwSignal<f64>,
    /// Edits the page asks for (weights, biases, points), applied in order
    /// by the controller.
    pub pending: RwSignal<Vec<Action>>,
    /// The neuron whose card is open, as `(column, index)`.
    pub selected: RwSignal<Option<(usize, usize)>>,
    /// The open card's live values.
    pub card: RwSignal<Option<NodeCard>>,
    /// The incoming weight (its row in the card) a click on a link asked to
    /// edit.
    pub focus_weight: RwSignal<Option<usize>>,
    /// Training and test points, as counted now.
    pub counts: RwSignal<(usize, usize)>,
    /// What a click on the output does.
    pub brush: RwSignal<super::Brush>,
    /// Object URLs of the last export: (weights, config).
    pub downloads: RwSignal<Option<(String, String)>>,
    /// Object URL of the last CSV export.
    pub csv_download: RwSignal<Option<String>>,
    /// What the page says about the session kept in this browser.
    pub kept: RwSignal<Option<Kept>>,
    /// Keep the network's weights when the regularisation, its rate or the
    /// batch size change (TensorFlow Playground starts over).
    pub keep_network: RwSignal<bool>,
    /// True × predicted counts on the training and the test set, for
    /// classification; refreshed a few times a second while training.
    pub confusion: RwSignal<Option<Confusions>>,
    /// The value under the pointer: a link's weight or a node's bias.
    pub tooltip: RwSignal<Option<Tooltip>>,
    /// The box the network view fills on a wide screen (measured by the
    /// page); `None` on a phone, where the view has its natural size.
    pub fit: RwSignal<Option<layout::Fit>>,
    /// The loss chart's point under the pointer: `(epoch, train, test)`.
    pub chart_hover: RwSignal<Option<(u64, f32, f32)>>,
}

/// The confusion matrices of both data sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Confusions {
    pub train: Confusion,
    pub test: Confusion,
}

/// What a tooltip shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TipKind {
    Link,
    Bias,
}

/// A value shown next to the pointer, at `(x, y)` in network-view pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Tooltip {
    pub kind: TipKind,
    pub text: String,
    pub x: f64,
    pub y: f64,
}

/// Something a person asks of the network: a change by hand, or saving and
/// loading it.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Packs the model into two downloadable files.
    Export,
    /// Replaces the session with a saved model.
    Import(SavedModel),
    /// Replaces the data with these points (an uploaded CSV), split into
    /// training and test points by the current ratio.
    SetPoints(Vec<Point>),
    /// Offers the current points as a CSV download.
    ExportCsv,
    /// The weight of the link into neuron `to` of network column `column`
    /// from neuron `from` of the column before.
    Weight {
        column: usize,
        from: usize,
        to: usize,
        value: f32,
    },
    /// The bias of neuron `neuron` of network column `column`.
    Bias {
        column: usize,
        neuron: usize,
        value: f32,
    },
    /// A new training point.
    AddPoint { x: f64, y: f64, label: f64 },
    /// Removes the point nearest to `(x, y)`, if one lies within reach.
    ErasePoint { x: f64, y: f64 },
}

/// What the card of a selected neuron shows.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeCard {
    pub title: String,
    pub bias: f32,
    /// Each incoming link: where it comes from, its index there, its weight.
    pub weights: Vec<(String, usize, f32)>,
}

impl Signals {
    pub fn new(config: PlaygroundConfig) -> Self {
        Signals {
            config: RwSignal::new(config),
            show_test_data: RwSignal::new(false),
            discretize: RwSignal::new(false),
            hovered: RwSignal::new(None),
            epoch: RwSignal::new(0),
            train_loss: RwSignal::new(f32::NAN),
            test_loss: RwSignal::new(f32::NAN),
            accuracy: RwSignal::new(None),
            playing: RwSignal::new(false),
            status: RwSignal::new(String::new()),
            speed: RwSignal::new(1),
            stop_at: RwSignal::new(None),
            fps: RwSignal::new(0.0),
            epochs_per_second: RwSignal::new(0.0),
            pending: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            card: RwSignal::new(None),
            focus_weight: RwSignal::new(None),
            counts: RwSignal::new((0, 0)),
            brush: RwSignal::new(super::Brush::Off),
            downloads: RwSignal::new(None),
            csv_download: RwSignal::new(None),
            kept: RwSignal::new(None),
            keep_network: RwSignal::new(true),
            confusion: RwSignal::new(None),
            tooltip: RwSignal::new(None),
            fit: RwSignal::new(None),
            chart_hover: RwSignal::new(None),
        }
    }

    /// Where the network view of `config` puts its nodes now.
    pub fn layout(&self, config: &PlaygroundConfig) -> Layout {
        layout::layout(&column_sizes(config), self.fit.get_untracked())
    }
}

/// Sets `signal` only when `value` differs, so nothing that reads it redraws
/// for nothing.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| v != &value) {
        signal.set(value);
    }
}

/// Heatmap cells per side when the network is still: fine for small
/// networks, coarser for big ones so that one forward pass stays cheap.
fn density_for(config: &PlaygroundConfig) -> usize {
    let widths = config.mlp_config().widths();
    let weights: usize = widths.windows(2).map(|w| w[0] * w[1]).sum();
    if weights <= 1_000 {
        100
    } else if weights <= 4_000 {
        64
    } else if weights <= 8_000 {
        48
    } else {
        32
    }
}

/// What one grid point costs the forward pass over the grid, in
/// multiply-adds: every weight once, and every activation as much as 100
/// of them (a `tanh` costs that much in wasm, next to the SIMD matmul).
fn cost_per_point(config: &PlaygroundConfig) -> usize {
    let widths = config.mlp_config().widths();
    let weights: usize = widths.windows(2).map(|w| w[0] * w[1]).sum();
    let neurons: usize = widths.iter().skip(1).sum();
    weights + 100 * neurons
}

/// Multiply-adds the forward pass over the grid may cost in a frame while
/// playing: about 5 ms in headless Chromium on a two-core machine.
const PLAYING_FORWARD_BUDGET: usize = 20_000_000;

/// Heatmap cells per side while playing: as many as fit
/// [`PLAYING_FORWARD_BUDGET`], at most the still density and at least 16.
/// Pausing redraws at the still density.
fn playing_density(config: &PlaygroundConfig) -> usize {
    let fit = (PLAYING_FORWARD_BUDGET / cost_per_point(config).max(1)) as f64;
    (fit.sqrt() as usize).clamp(16, density_for(config).max(16))
}

/// The inputs of a `density × density` grid over the plane, as `config`
/// feeds them to the network.
fn grid_inputs(config: &PlaygroundConfig, density: usize) -> Result<Tensor<Cpu>, String> {
    let inputs = feature_matrix(&heatmap::grid(density), &config.features);
    Tensor::from_slice(&Cpu, &inputs, [density * density, config.features.len()])
        .map_err(|e| e.to_string())
}

/// How long one frame may train before it draws: a speed of 100 epochs a
/// frame on the largest network would otherwise hold the page for seconds.
const FRAME_TRAINING_BUDGET_MS: f64 = 50.0;
/// Metrics that cost more than this are read at most every
/// [`SLOW_METRICS_EVERY_MS`] while playing (the heatmaps still move every
/// frame).
const CHEAP_METRICS_MS: f64 = 4.0;
const SLOW_METRICS_EVERY_MS: f64 = 300.0;
/// How long a frame may spend redrawing the network picture while playing
/// (see [`super::refresh`]): a small network is redrawn whole every frame,
/// a big one a few strips a frame.
const PICTURE_BUDGET_MS: f64 = 3.0;
/// The links' dashes while training: a period in layout pixels, and how
/// fast they flow towards the output, in layout pixels a second.
const FLOW_PERIOD: f64 = 12.0;
const FLOW_SPEED: f64 = 30.0;
/// How often the confusion matrix and the loss chart follow training (the
/// chart costs 1.6 ms a draw in headless Chromium on the benchmark machine:
/// a tenth of a 60 Hz frame if drawn every frame, 0.1 ms a frame this way).
const CONFUSION_EVERY_MS: f64 = 250.0;

/// A session, the grids its heatmaps are computed on (one for a still
/// network, a coarser one for a big network while it trains), and the
/// feature heatmaps (which never change).
struct Live {
    session: Session<Cpu>,
    grid: Tensor<Cpu>,
    density: usize,
    playing_grid: Tensor<Cpu>,
    playing_density: usize,
    features: Vec<Vec<u8>>,
}

impl Live {
    fn new(config: PlaygroundConfig) -> Result<Live, String> {
        Live::around(Session::new(Cpu, config).map_err(|e| e.to_string())?)
    }

    fn around(session: Session<Cpu>) -> Result<Live, String> {
        let config = session.config();
        let density = density_for(config);
        let playing_density = playing_density(config);
        let grid = grid_inputs(config, density)?;
        let playing_grid = if playing_density == density {
            grid.clone()
        } else {
            grid_inputs(config, playing_density)?
        };
        let features = Feature::ALL
            .into_iter()
            .map(|f| feature_pixels(f, density))
            .collect();
        Ok(Live {
            session,
            grid,
            density,
            playing_grid,
            playing_density,
            features,
        })
    }

    /// The layout index of each network input (the features in use).
    fn sources(&self) -> Vec<usize> {
        sources(self.session.config())
    }
}

/// The layout index (in [`Feature::ALL`]) of each feature `config` feeds
/// the network, in input order.
fn sources(config: &PlaygroundConfig) -> Vec<usize> {
    config
        .features
        .iter()
        .filter_map(|f| Feature::ALL.iter().position(|g| g == f))
        .collect()
}

/// The playground's engine room.
pub struct Controller {
    live: RefCell<Option<Live>>,
    history: RefCell<LossHistory>,
    /// Where the loss chart's plot lies, for turning the pointer into an
    /// epoch.
    chart_frame: Cell<Frame>,
    /// Bumped on every Play, so a stale frame loop knows to stop.
    run: Cell<u32>,
    meter: RefCell<RateMeter>,
    /// Where each frame's time goes, for the speed benchmark.
    timings: RefCell<Timings>,
    /// The network view's pixels, reused frame after frame. Links lie only
    /// in the gaps between columns and heatmaps only inside the nodes, so
    /// each can be redrawn without touching the other.
    picture: RefCell<Picture>,
    /// Which strips of the picture the next frame redraws.
    cycle: RefCell<Cycle>,
    colours: ColourTable,
    /// The link under the pointer and where the pointer is.
    hover_link: Cell<Option<(LinkRef, f64, f64)>>,
    /// When the metrics were last read (`performance.now()`).
    metrics_at: Cell<f64>,
    /// When the confusion matrix last changed on screen.
    confusion_at: Cell<f64>,
    /// A fingerprint of the points as last drawn.
    points_drawn: Cell<u64>,
    /// The session kept in this browser.
    keeping: Keeping,
    pub ui: Signals,
}

/// The controller's side of [`super::store`].
#[derive(Default)]
struct Keeping {
    store: RefCell<Option<Store>>,
    /// The fingerprint of the session as last saved.
    saved: Cell<u64>,
    writing: Cell<bool>,
    /// The person changed the session by hand (points, weights, a loaded
    /// model): worth keeping even before it trains.
    touched: Cell<bool>,
    ticker: Cell<Option<IntervalHandle>>,
}

/// How often a changed session is saved.
const SAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

impl Controller {
    pub fn new(ui: Signals) -> Rc<Self> {
        let controller = Rc::new(Controller {
            live: RefCell::new(None),
            history: RefCell::new(LossHistory::default()),
            chart_frame: Cell::new(Frame::default()),
            run: Cell::new(0),
            meter: RefCell::new(RateMeter::default()),
            timings: RefCell::new(Timings::default()),
            picture: RefCell::new(Picture::new(0, 0)),
            cycle: RefCell::new(Cycle::default()),
            colours: ColourTable::default(),
            hover_link: Cell::new(None),
            metrics_at: Cell::new(f64::NEG_INFINITY),
            confusion_at: Cell::new(f64::NEG_INFINITY),
            points_drawn: Cell::new(0),
            keeping: Keeping::default(),
            ui,
        });
        controller.apply(ui.config.get_untracked());
        controller
    }

    /// Brings the session in line with `config`: training settings change in
    /// place (the network keeps learning); anything else builds new data and a
    /// new network, as TensorFlow Playground does. With "keep the network"
    /// off, a new regularisation, rate or batch size also starts the network
    /// over (new weights, same data), as on TensorFlow Playground.
    pub fn apply(&self, config: PlaygroundConfig) {
        if self.apply_tfp(&config) {
            return self.refresh();
        }
        let keep = self.ui.keep_network.get_untracked();
        let retuned = match self.live.borrow_mut().as_mut() {
            Some(live) if live.session.config() == &config => return,
            Some(live) if live.session.config().same_data_and_network(&config) => {
                let old = live.session.config();
                let restart = !keep
                    && (old.regularization != config.regularization
                        || old.regularization_rate != config.regularization_rate
                        || old.batch_size != config.batch_size);
                let result = live.session.retune(config.clone()).and_then(|()| {
                    if restart {
                        live.session.reset()
                    } else {
                        Ok(())
                    }
                });
                Some(result.map(|()| restart).map_err(|e| e.to_string()))
            }
            _ => None,
        };
        match retuned {
            Some(Ok(restarted)) => {
                self.ui.status.set(String::new());
                if restarted {
                    self.ui.playing.set(false);
                    self.history.borrow_mut().clear();
                }
            }
            Some(Err(e)) => self.fail(format!("Cannot use these settings: {e}")),
            None => match Live::new(config) {
                Ok(live) => {
                    *self.live.borrow_mut() = Some(live);
                    self.history.borrow_mut().clear();
                    self.keeping.touched.set(false);
                    self.hover_link.set(None);
                    self.points_drawn.set(0);
                    self.ui.status.set(String::new());
                }
                Err(e) => self.fail(format!("Cannot build this playground: {e}")),
            },
        }
        self.refresh();
    }

    /// A TensorFlow Playground seed's session takes a change as TFP's page
    /// does, going on with its stream (see `Session`): the network alone
    /// changed → new weights from the stream, the same points; the data set,
    /// noise or training share changed → the next seed from the stream, its
    /// data and network; the page's Regenerate (a new number seed and
    /// nothing else) → TFP's Regenerate, the network kept. A new seed is
    /// written into the config, so the link reproduces what is on screen.
    /// False when this is not such a change, for [`Self::apply`] to take.
    fn apply_tfp(&self, config: &PlaygroundConfig) -> bool {
        enum Change {
            Regenerate,
            Network,
            Data,
        }
        let change = match self.live.borrow().as_ref() {
            Some(live) if live.session.tfp_seeded() => {
                let old = live.session.config();
                let same_seed = config.seed == old.seed && config.tfp_seed == old.tfp_seed;
                let reseeded = PlaygroundConfig {
                    seed: old.seed,
                    ..config.clone()
                } == *old;
                if old == config || old.same_data_and_network(config) {
                    return false;
                } else if reseeded && !same_seed {
                    Change::Regenerate
                } else if config.same_data(old) {
                    Change::Network
                } else if same_seed {
                    Change::Data
                } else {
                    // A seed of its own (a loaded model, say): a new session.
                    return false;
                }
            }
            _ => return false,
        };
        let Some(mut live) = self.live.borrow_mut().take() else {
            return false;
        };
        let result = match change {
            Change::Regenerate => live.session.regenerate().map(|()| None),
            Change::Network => live.session.rebuild(config.clone()).map(|()| None),
            Change::Data => live.session.follow(config.clone()).map(Some),
        }
        .map_err(|e| e.to_string());
        let (session, kept_epoch) = match result {
            Ok(Some(session)) => (session, false),
            Ok(None) => (live.session, matches!(change, Change::Regenerate)),
            Err(e) => {
                *self.live.borrow_mut() = Some(live);
                self.fail(format!("Cannot build this playground: {e}"));
                return true;
            }
        };
        let now = session.config().clone();
        match Live::around(session) {
            Ok(live) => *self.live.borrow_mut() = Some(live),
            Err(e) => {
                self.fail(format!("Cannot build this playground: {e}"));
                return true;
            }
        }
        if !kept_epoch {
            self.history.borrow_mut().clear();
            self.keeping.touched.set(false);
        }
        self.hover_link.set(None);
        self.points_drawn.set(0);
        self.ui.status.set(String::new());
        if &now != config {
            // The session already matches, so this rebuilds nothing.
            self.ui.config.set(now);
        }
        true
    }

    /// Applies edits made by hand; the network keeps training from there.
    pub fn edit(&self, edits: Vec<Action>) {
        if edits.is_empty() {
            return;
        }
        for edit in &edits {
            match edit {
                Action::Export => return self.export(),
                Action::Import(_) | Action::ExportCsv => {}
                _ => self.keeping.touched.set(true),
            }
            match edit {
                Action::Export => return self.export(),
                Action::Import(saved) => return self.import(saved),
                Action::ExportCsv => return self.export_csv(),
                _ => {}
            }
        }
        let result = match self.live.borrow_mut().as_mut() {
            Some(live) => edits
                .into_iter()
                .try_for_each(|e| apply_edit(&mut live.session, e)),
            None => return,
        };
        if let Err(e) = result {
            self.ui.status.set(format!("Cannot make that change: {e}"));
        }
        self.refresh();
    }

    fn export(&self) {
        let saved = match self
            .live
            .borrow()
            .as_ref()
            .map(|l| ready(l.session.export()))
        {
            Some(Ok(Ok(saved))) => saved,
            Some(Ok(Err(e))) => return self.fail(format!("Cannot export: {e}")),
            Some(Err(e)) => return self.fail(format!("Cannot export: {e}")),
            None => return,
        };
        let urls = object_url(&saved.safetensors, "application/octet-stream")
            .and_then(|w| Ok((w, object_url(saved.json.as_bytes(), "application/json")?)));
        match urls {
            Ok(urls) => {
                if let Some((old_w, old_j)) = self.ui.downloads.get_untracked() {
                    let _ = web_sys::Url::revoke_object_url(&old_w);
                    let _ = web_sys::Url::revoke_object_url(&old_j);
                }
                self.ui.downloads.set(Some(urls));
            }
            Err(e) => self.fail(format!("Cannot prepare the download: {e:?}")),
        }
    }

    fn export_csv(&self) {
        let text = match self.live.borrow().as_ref() {
            Some(live) => {
                let split = live.session.split();
                let all: Vec<Point> = split.train.iter().chain(&split.test).copied().collect();
                write_points(&all)
            }
            None => return,
        };
        match object_url(text.as_bytes(), "text/csv") {
            Ok(url) => {
                if let Some(old) = self.ui.csv_download.get_untracked() {
                    let _ = web_sys::Url::revoke_object_url(&old);
                }
                self.ui.csv_download.set(Some(url));
            }
            Err(e) => self.fail(format!("Cannot prepare the download: {e:?}")),
        }
    }

    fn import(&self, saved: &SavedModel) {
        match Session::import(Cpu, saved)
            .map_err(|e| e.to_string())
            .and_then(Live::around)
        {
            Ok(live) => {
                let config = live.session.config().clone();
                *self.live.borrow_mut() = Some(live);
                self.history.borrow_mut().clear();
                self.points_drawn.set(0);
                self.ui.playing.set(false);
                self.ui.status.set("Model loaded.".into());
                self.keeping.touched.set(true);
                // The session already matches, so this rebuilds nothing.
                self.ui.config.set(config);
                self.refresh();
            }
            Err(e) => self.ui.status.set(format!("Cannot load this model: {e}")),
        }
    }

    // ----- the session kept in this browser -----

    /// Opens the store: the session kept for this data and network comes
    /// back (with `bare`, a link that names no settings, the latest of
    /// any), and from then on a changed session is saved every
    /// [`SAVE_EVERY`].
    pub fn keep(self: &Rc<Self>, bare: bool) {
        let me = self.clone();
        leptos::task::spawn_local(async move {
            let store = match Store::open().await {
                Ok(store) => store,
                Err(e) => {
                    let text = saved::save_failed("this playground", &e);
                    return me.ui.kept.set(Some(Kept::problem(text)));
                }
            };
            let key = store::key(&me.ui.config.get_untracked());
            match store.find(&key).await {
                Ok(found) => {
                    let untouched = !me.keeping.touched.get()
                        && me
                            .live
                            .borrow()
                            .as_ref()
                            .is_some_and(|l| l.session.epoch() == 0);
                    let record = found.own.or(if bare { found.latest } else { None });
                    match record {
                        Some(record) if untouched => me.restore(&record),
                        _ => {
                            if let Some(note) = found.notes.into_iter().next() {
                                me.ui.kept.set(Some(Kept::problem(note)));
                            }
                        }
                    }
                }
                Err(e) => me.ui.kept.set(Some(Kept::problem(format!(
                    "Could not read what this browser keeps ({e})."
                )))),
            }
            *me.keeping.store.borrow_mut() = Some(store);
            let weak = Rc::downgrade(&me);
            let ticker = set_interval_with_handle(
                move || {
                    if let Some(c) = weak.upgrade() {
                        c.autosave();
                    }
                },
                SAVE_EVERY,
            );
            me.keeping.ticker.set(ticker.ok());
        });
    }

    /// Stops saving (the page goes), after one last save.
    pub fn stop_keeping(self: &Rc<Self>) {
        if let Some(ticker) = self.keeping.ticker.take() {
            ticker.clear();
        }
        self.autosave();
    }

    /// A fingerprint of what would be saved: settings, epoch, points and
    /// the loss chart's length.
    fn fingerprint(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let live = self.live.borrow();
        let session = &live.as_ref()?.session;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        serde_json::to_string(session.config()).ok()?.hash(&mut h);
        session.epoch().hash(&mut h);
        let split = session.split();
        for p in split.train.iter().chain(&split.test) {
            (p.x.to_bits(), p.y.to_bits(), p.label.to_bits()).hash(&mut h);
        }
        split.train.len().hash(&mut h);
        self.history.borrow().len().hash(&mut h);
        Some(h.finish())
    }

    /// Saves the session if it changed since the last save and is worth
    /// keeping (trained, or changed by hand).
    fn autosave(self: &Rc<Self>) {
        if self.keeping.writing.get() {
            return;
        }
        let Some(print) = self.fingerprint() else {
            return;
        };
        if print == self.keeping.saved.get() {
            return;
        }
        let record = {
            let live = self.live.borrow();
            let Some(session) = live.as_ref().map(|l| &l.session) else {
                return;
            };
            if session.epoch() == 0 && !self.keeping.touched.get() {
                return;
            }
            let key = store::key(session.config());
            ready(session.export())
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
                .and_then(|model| {
                    Record {
                        session: SavedSession {
                            saved_at: saved::now_ms(),
                            model_json: model.json,
                            epoch: session.epoch(),
                            train: session.split().train.clone(),
                            test: session.split().test.clone(),
                            history: self.history.borrow().points().to_vec(),
                        },
                        safetensors: model.safetensors,
                    }
                    .encode()
                })
                .map(|bytes| (key, bytes))
        };
        let Some(store) = self.keeping.store.borrow().clone() else {
            return;
        };
        let (key, bytes) = match record {
            Ok(r) => r,
            Err(e) => {
                let text = saved::save_failed("this playground", &e);
                return self.ui.kept.set(Some(Kept::problem(text)));
            }
        };
        self.keeping.writing.set(true);
        let me = self.clone();
        leptos::task::spawn_local(async move {
            let result = store.save(&key, &bytes).await;
            me.keeping.writing.set(false);
            match result {
                Ok(()) => {
                    me.keeping.saved.set(print);
                    if me
                        .ui
                        .kept
                        .with_untracked(|k| k.as_ref().is_some_and(|k| k.problem))
                    {
                        me.ui.kept.set(None);
                    }
                }
                Err(e) => {
                    // Tried again at the next tick, should the store have room.
                    let text = saved::save_failed("this playground", &e);
                    me.ui.kept.set(Some(Kept::problem(text)));
                }
            }
        });
    }

    /// Brings back a kept session.
    fn restore(&self, record: &Record) {
        let restored = Session::import(Cpu, &record.model())
            .map_err(|e| e.to_string())
            .and_then(|mut session| {
                session
                    .set_data(record.split())
                    .map_err(|e| e.to_string())?;
                session.set_epoch(record.session.epoch);
                Live::around(session)
            });
        match restored {
            Ok(live) => {
                let config = live.session.config().clone();
                *self.live.borrow_mut() = Some(live);
                *self.history.borrow_mut() =
                    LossHistory::from_points(record.session.history.clone());
                self.points_drawn.set(0);
                self.keeping.touched.set(true);
                self.keeping.saved.set(self.fingerprint().unwrap_or(0));
                self.ui.playing.set(false);
                self.ui.kept.set(Some(Kept::restored(format!(
                    "Restored your network from {}, epoch {}.",
                    saved::when(record.session.saved_at, saved::now_ms()),
                    crate::format::thousands(record.session.epoch)
                ))));
                // The session already matches, so this rebuilds nothing.
                self.ui.config.set(config);
                self.refresh();
            }
            Err(e) => self.ui.kept.set(Some(Kept::problem(format!(
                "Could not restore the playground saved in this browser ({e}); this is a new one."
            )))),
        }
    }

    /// Forgets the session kept for the current data and network.
    fn forget_saved(&self) {
        let Some(store) = self.keeping.store.borrow().clone() else {
            return;
        };
        self.keeping.saved.set(0);
        let key = store::key(&self.ui.config.get_untracked());
        let kept = self.ui.kept;
        leptos::task::spawn_local(async move {
            if let Err(e) = store.forget(&key).await {
                kept.set(Some(Kept::problem(format!(
                    "Could not forget the playground saved in this browser ({e})."
                ))));
            }
        });
    }

    /// The kept note's button: Start fresh forgets the kept session and
    /// starts this data and network anew (new points, new weights).
    pub fn kept_offer(&self, offer: Offer) {
        if offer != Offer::StartFresh {
            return;
        }
        self.ui.kept.set(None);
        self.keeping.touched.set(false);
        self.forget_saved();
        self.ui.playing.set(false);
        match Live::new(self.ui.config.get_untracked()) {
            Ok(live) => {
                *self.live.borrow_mut() = Some(live);
                self.history.borrow_mut().clear();
                self.points_drawn.set(0);
                self.ui
                    .status
                    .set("Started fresh: new points, new weights.".into());
            }
            Err(e) => self.fail(format!("Cannot build this playground: {e}")),
        }
        self.refresh();
    }

    fn fail(&self, message: String) {
        self.ui.playing.set(false);
        self.ui.status.set(message);
    }

    /// Trains `epochs` epochs, then redraws.
    pub fn step(&self, epochs: u32) {
        if self.train(epochs, f64::INFINITY) {
            self.refresh();
        }
    }

    /// Trains up to `epochs` epochs, stopping early (after at least one)
    /// once `budget_ms` have passed; false when training failed.
    fn train(&self, epochs: u32, budget_ms: f64) -> bool {
        let start = now();
        let result = match self.live.borrow_mut().as_mut() {
            Some(live) => {
                let mut result = Ok(());
                for done in 0..epochs {
                    if done > 0 && now() - start > budget_ms {
                        break;
                    }
                    result = live.session.train_epoch();
                    if result.is_err() {
                        break;
                    }
                }
                result.map_err(|e| e.to_string())
            }
            None => return false,
        };
        self.timings.borrow_mut().record("train", now() - start);
        match result {
            Ok(()) => true,
            Err(e) => {
                self.fail(format!("Training stopped: {e}"));
                false
            }
        }
    }

    /// New random weights, same data, paused at epoch 0.
    pub fn reset(&self) {
        self.ui.playing.set(false);
        let result = match self.live.borrow_mut().as_mut() {
            Some(live) => live.session.reset().map_err(|e| e.to_string()),
            None => return,
        };
        self.history.borrow_mut().clear();
        if !self.keeping.touched.get() {
            self.forget_saved();
        }
        match result {
            Ok(()) => {
                self.ui.status.set(String::new());
                self.refresh();
            }
            Err(e) => self.fail(format!("Cannot reset: {e}")),
        }
    }

    pub fn toggle_play(self: &Rc<Self>) {
        if self.ui.playing.get_untracked() {
            self.ui.playing.set(false);
            // Whatever was skipped while playing is shown now.
            self.refresh();
        } else {
            self.ui.playing.set(true);
            self.ui.status.set(String::new());
            self.run.set(self.run.get().wrapping_add(1));
            self.clone().next_frame(self.run.get());
        }
    }

    fn next_frame(self: Rc<Self>, run: u32) {
        request_animation_frame(move || {
            let started = now();
            if !self.ui.playing.get_untracked() || self.run.get() != run {
                self.meter.borrow_mut().pause();
                return;
            }
            let epoch = self.epoch();
            let stop = self.ui.stop_at.get_untracked();
            let epochs = epochs_this_frame(self.ui.speed.get_untracked(), epoch, stop);
            let trained = self.epoch();
            if epochs > 0 && self.train(epochs, FRAME_TRAINING_BUDGET_MS) {
                let metrics_due = self.timings.borrow().get("metrics") < CHEAP_METRICS_MS
                    || started - self.metrics_at.get() >= SLOW_METRICS_EVERY_MS;
                self.redraw(metrics_due, false);
            }
            let trained = self.epoch().saturating_sub(trained);
            {
                let mut meter = self.meter.borrow_mut();
                meter.frame(started, u32::try_from(trained).unwrap_or(u32::MAX));
                self.ui.fps.set(meter.fps().round());
                self.ui
                    .epochs_per_second
                    .set(meter.epochs_per_second().round());
            }
            if stop.is_some_and(|s| self.epoch() >= s) {
                self.ui.playing.set(false);
                self.refresh();
                self.ui.status.set(format!(
                    "Paused at epoch {}, as asked.",
                    self.ui.epoch.get_untracked()
                ));
            }
            let mut timings = self.timings.borrow_mut();
            timings.record("frame", now() - started);
            timings.publish();
            drop(timings);
            self.next_frame(run);
        });
    }

    /// Epochs trained so far.
    fn epoch(&self) -> u64 {
        self.live.borrow().as_ref().map_or(0, |l| l.session.epoch())
    }

    /// Draws the loss chart, with the hovered epoch marked.
    fn draw_chart(&self) {
        let Some(c) = canvas("[data-testid=loss-chart]") else {
            return;
        };
        let start = now();
        let hover = self.ui.chart_hover.get_untracked().map(|p| p.0);
        if let Ok(frame) =
            self.history
                .borrow()
                .draw(&c, "epoch", &["training loss", "test loss"], hover)
        {
            self.chart_frame.set(frame);
        }
        self.timings.borrow_mut().record("chart", now() - start);
    }

    /// The pointer is over the loss chart at CSS pixel column `x` (`None`:
    /// it left): shows the losses at the epoch under it.
    pub fn hover_chart(&self, x: Option<f64>) {
        let point = x.and_then(|x| {
            self.history
                .borrow()
                .nearest(self.chart_frame.get().x_at(x))
        });
        set_if_changed(self.ui.chart_hover, point);
        self.draw_chart();
    }

    /// Reads the metrics and repaints every view of the network.
    pub fn refresh(&self) {
        self.redraw(true, true);
    }

    /// Repaints the views of the network; `metrics` also reads the losses,
    /// accuracies and confusion matrices (a pass over all the data), and
    /// `whole` redraws the whole network picture (else the strips that fit
    /// a frame's budget, in turn).
    fn redraw(&self, metrics: bool, whole: bool) {
        let live = self.live.borrow();
        let Some(live) = live.as_ref() else { return };
        let session = &live.session;
        set_if_changed(self.ui.epoch, session.epoch());
        if metrics {
            let start = now();
            let report = match ready(session.report()) {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => return self.fail(format!("Cannot evaluate the network: {e}")),
                Err(e) => return self.fail(e.to_string()),
            };
            self.metrics_at.set(start);
            let m = &report.metrics;
            set_if_changed(self.ui.train_loss, m.train_loss);
            set_if_changed(self.ui.test_loss, m.test_loss);
            set_if_changed(self.ui.accuracy, m.test_accuracy);
            self.history
                .borrow_mut()
                .push(m.epoch, m.train_loss, m.test_loss);
            if m.diverged() {
                self.fail("diverged — lower the learning rate or reset".into());
            }
            let confusion = report
                .train_confusion
                .zip(report.test_confusion)
                .map(|(train, test)| Confusions { train, test });
            let playing = self.ui.playing.get_untracked();
            let due = !playing || start - self.confusion_at.get() >= CONFUSION_EVERY_MS;
            if due {
                self.confusion_at.set(start);
                set_if_changed(self.ui.confusion, confusion);
            }
            self.timings.borrow_mut().record("metrics", now() - start);
            if due {
                self.draw_chart();
            }
        }
        let split = session.split();
        set_if_changed(self.ui.counts, (split.train.len(), split.test.len()));
        set_if_changed(
            self.ui.card,
            self.ui
                .selected
                .get_untracked()
                .and_then(|(c, i)| node_card(session, c, i)),
        );
        self.update_tooltip(live);
        let start = now();
        let painted = self.paint(live, whole);
        self.timings.borrow_mut().record("paint", now() - start);
        if let Err(e) = painted {
            self.fail(format!("Cannot draw the network: {e:?}"));
        }
    }

    fn paint(&self, live: &Live, whole: bool) -> Result<(), JsValue> {
        let session = &live.session;
        let config = session.config();
        let engine_error = |e: playnet_engine::EngineError| JsValue::from_str(&e.to_string());
        // One batched forward pass over the grid gives every neuron's
        // heatmap; the CPU backend's buffers are read in place.
        let (grid, density) = if whole {
            (&live.grid, live.density)
        } else {
            (&live.playing_grid, live.playing_density)
        };
        let t0 = now();
        let layers = session.model().predict_layers(grid).map_err(engine_error)?;
        let values: Vec<&[f32]> = layers.iter().map(|t| t.buffer().as_slice()).collect();
        let widths: Vec<usize> = layers.iter().map(|t| t.shape().dims()[1]).collect();
        let t1 = now();
        self.timings.borrow_mut().record("forward", t1 - t0);
        let palette = Palette {
            loss: config.effective_loss(),
            problem: config.dataset.problem(),
            outputs: config.outputs(),
            discretize: self.ui.discretize.get_untracked(),
        };
        if let Some(c) = canvas("[data-testid=heatmap-output] canvas.regions") {
            match self.ui.hovered.get_untracked() {
                Some((0, k)) if k < live.features.len() => {
                    heatmap::paint(&c, &live.features[k], live.density)?
                }
                Some((column, j)) if column <= values.len() && j < widths[column - 1] => {
                    let pixels = heatmap::neuron_pixels(values[column - 1], widths[column - 1], j);
                    heatmap::paint(&c, &pixels, density)?
                }
                _ => {
                    let pixels = palette.pixels(values.last().copied().unwrap_or_default());
                    heatmap::paint(&c, &pixels, density)?
                }
            }
        }
        if let Some(c) = canvas("[data-testid=heatmap-output] canvas.points") {
            let show_test = self.ui.show_test_data.get_untracked();
            let key = points_key(session.split(), show_test, &palette);
            if key != self.points_drawn.get() {
                let test = show_test.then_some(session.split().test.as_slice());
                heatmap::draw_points(&c, &palette, &session.split().train, test)?;
                self.points_drawn.set(key);
            }
        }
        let t2 = now();
        self.timings.borrow_mut().record("output", t2 - t1);
        if let Some(c) = canvas("canvas.links") {
            self.draw_network(&c, live, (&values, &widths, density), whole)?;
        }
        self.timings.borrow_mut().record("network", now() - t2);
        Ok(())
    }

    /// Redraws the network view's picture — all of it, or the strips that
    /// fit a frame's budget, in turn, and the output column — and puts
    /// what changed into its canvas.
    fn draw_network(
        &self,
        canvas: &HtmlCanvasElement,
        live: &Live,
        (values, widths, density): (&[&[f32]], &[usize], usize),
        whole: bool,
    ) -> Result<(), JsValue> {
        let config = live.session.config();
        let lay: Layout = self.ui.layout(config);
        let scale = picture_scale(&lay);
        let (w, h) = (
            (lay.width * scale).ceil() as usize,
            (lay.height * scale).ceil() as usize,
        );
        let mut picture = self.picture.borrow_mut();
        let resized = (picture.width, picture.height) != (w, h)
            || canvas.width() as usize != w
            || canvas.height() as usize != h;
        if (picture.width, picture.height) != (w, h) {
            *picture = Picture::new(w, h);
        }
        let whole = whole || resized;
        let painter = Painter {
            lay: &lay,
            scale,
            layers: &live.session.model().dense_layers(),
            sources: &live.sources(),
            values,
            widths,
            density,
            features: &live.features,
            feature_density: live.density,
            colours: &self.colours,
            flow: self.ui.playing.get_untracked().then(|| Dash {
                period: FLOW_PERIOD,
                phase: (now() * FLOW_SPEED / 1000.0) % FLOW_PERIOD,
            }),
        };
        let gaps = live.session.model().dense_layers().len();
        let (mut links_ms, mut nodes_ms) = (0.0, 0.0);
        let mut draw = |picture: &mut Picture, part: Part| -> Result<(usize, usize), JsValue> {
            let start = now();
            let strip = painter.draw(picture, part)?;
            match part {
                Part::Links { .. } => links_ms += now() - start,
                Part::Nodes(_) => nodes_ms += now() - start,
            }
            Ok(strip)
        };
        let mut changed: Vec<(usize, usize)> = Vec::new();
        // The output column follows training every frame, like the output panel.
        changed.push(draw(&mut picture, Part::Nodes(gaps))?);
        if whole {
            painter.features(&mut picture);
            for part in super::refresh::parts(gaps) {
                draw(&mut picture, part)?;
            }
            self.cycle.borrow_mut().restart();
        } else {
            let budget_from = now();
            self.cycle.borrow_mut().run(
                gaps,
                || now() - budget_from < PICTURE_BUDGET_MS,
                |part| draw(&mut picture, part).map(|strip| changed.push(strip)),
            )?;
        }
        {
            let mut t = self.timings.borrow_mut();
            t.record("links", links_ms);
            t.record("heatmaps", nodes_ms);
        }
        let start = now();
        if resized {
            canvas.set_width(w as u32);
            canvas.set_height(h as u32);
        }
        // One image over the whole picture (a view of the wasm memory, not
        // a copy); only the strips that changed are copied into the canvas.
        let image = ImageData::new_with_u8_clamped_array_and_sh(
            Clamped(&picture.pixels),
            w as u32,
            h as u32,
        )?;
        let ctx = context(canvas)?;
        if whole {
            ctx.put_image_data(&image, 0.0, 0.0)?;
        } else {
            for (from, to) in changed {
                let to = to.min(w);
                if to > from {
                    ctx.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(
                        &image,
                        0.0,
                        0.0,
                        from as f64,
                        0.0,
                        (to - from) as f64,
                        h as f64,
                    )?;
                }
            }
        }
        self.timings.borrow_mut().record("put", now() - start);
        Ok(())
    }

    /// The pointer moved over the network view at `(x, y)`: shows the
    /// weight of the link there, if any.
    pub fn point_at(&self, x: f64, y: f64) {
        let live = self.live.borrow();
        let Some(live) = live.as_ref() else { return };
        let lay = self.ui.layout(live.session.config());
        let link = network::link_at(&lay, &live.sources(), x, y);
        self.hover_link.set(link.map(|l| (l, x, y)));
        self.update_tooltip(live);
    }

    /// The pointer left the network view.
    pub fn leave_links(&self) {
        self.hover_link.set(None);
        if let Some(live) = self.live.borrow().as_ref() {
            self.update_tooltip(live);
        }
    }

    /// A click (or tap) on the network view at `(x, y)`: on a link, opens
    /// the card of the neuron it feeds with that link's weight ready to
    /// edit. False when no link is there.
    pub fn click_at(&self, x: f64, y: f64) -> bool {
        self.point_at(x, y);
        let Some((link, _, _)) = self.hover_link.get() else {
            return false;
        };
        let row = {
            let live = self.live.borrow();
            let Some(live) = live.as_ref() else {
                return false;
            };
            weight_row(&live.sources(), link)
        };
        let Some(row) = row else { return false };
        self.ui.focus_weight.set(Some(row));
        self.ui.selected.set(Some((link.column + 1, link.to)));
        true
    }

    /// Shows the weight of the link under the pointer, or else the bias of
    /// the node under it, with the values as they are now.
    fn update_tooltip(&self, live: &Live) {
        let config = live.session.config();
        let lay = self.ui.layout(config);
        let layers = live.session.model().dense_layers();
        let tip = if let Some((link, x, y)) = self.hover_link.get() {
            weight_row(&live.sources(), link).and_then(|row| {
                let dense = layers.get(link.column)?;
                let cols = dense.weight.shape().dims()[1];
                let weight = *dense.weight.buffer().get(row * cols + link.to)?;
                let from = node_name(config, link.column, link.from, layers.len());
                let to = node_name(config, link.column + 1, link.to, layers.len());
                let text = format!("weight {weight:.3}: {from} → {to}");
                Some(Tooltip {
                    kind: TipKind::Link,
                    x: within(&lay, &text, x + 12.0),
                    y: y + 12.0,
                    text,
                })
            })
        } else {
            self.ui.hovered.get_untracked().and_then(|(c, i)| {
                let dense = layers.get(c.checked_sub(1)?)?;
                let bias = *dense.bias.buffer().get(i)?;
                let &(x, y) = lay.columns.get(c)?.get(i)?;
                let text = format!("bias {bias:.3}: {}", node_name(config, c, i, layers.len()));
                Some(Tooltip {
                    kind: TipKind::Bias,
                    x: within(&lay, &text, x + lay.node / 2.0 + 4.0),
                    y: y - lay.node / 2.0,
                    text,
                })
            })
        };
        set_if_changed(self.ui.tooltip, tip);
    }
}

/// `x`, moved left as far as needed for a tooltip showing `text` to fit in
/// the network view (about 7.5 pixels a character in its small monospace).
fn within(lay: &Layout, text: &str, x: f64) -> f64 {
    let width = text.chars().count() as f64 * 7.5 + 14.0;
    x.min(lay.width - width).max(0.0)
}

/// The canvas `selector` finds, if the page has it.
fn canvas(selector: &str) -> Option<HtmlCanvasElement> {
    web_sys::window()?
        .document()?
        .query_selector(selector)
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2-D canvas context"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| JsValue::from_str("the canvas context is not 2-D"))
}

/// Picture pixels per CSS pixel: 2 on high-density screens (crisp links on
/// phones and retina displays) unless the picture is big, 1 otherwise.
fn picture_scale(lay: &Layout) -> f64 {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    if ratio >= 1.5 && lay.width * lay.height <= 400_000.0 {
        2.0
    } else {
        1.0
    }
}

/// A fingerprint of what the points canvas shows.
fn points_key(split: &Split, show_test: bool, palette: &Palette) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |v: u64| hash = (hash ^ v).wrapping_mul(0x0000_0100_0000_01b3);
    mix(u64::from(show_test));
    mix(palette.problem as u64);
    mix(split.train.len() as u64);
    for p in split.train.iter().chain(&split.test) {
        mix(p.x.to_bits());
        mix(p.y.to_bits());
        mix(p.label.to_bits());
    }
    hash.max(1)
}

/// The row of a link's weight in its weight matrix: the input's position
/// among the features in use for the first layer, the node's index after.
fn weight_row(sources: &[usize], link: LinkRef) -> Option<usize> {
    if link.column == 0 {
        sources.iter().position(|&s| s == link.from)
    } else {
        Some(link.from)
    }
}

/// How a node is called in cards and tooltips.
fn node_name(config: &PlaygroundConfig, column: usize, index: usize, layers: usize) -> String {
    match column {
        0 => Feature::ALL
            .get(index)
            .map_or_else(|| format!("input {index}"), |f| f.label().to_string()),
        c if c == layers => {
            if config.outputs() > 1 {
                format!("output {}", index + 1)
            } else {
                "output".to_string()
            }
        }
        c => format!("layer {c} · neuron {}", index + 1),
    }
}

/// `performance.now()`, or 0 where there is none.
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Smoothed milliseconds per phase of a frame.
#[derive(Default)]
struct Timings {
    phases: Vec<(&'static str, f64)>,
}

impl Timings {
    fn record(&mut self, phase: &'static str, ms: f64) {
        match self.phases.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, avg)) => *avg += 0.1 * (ms - *avg),
            None => self.phases.push((phase, ms)),
        }
    }

    /// The smoothed time of `phase` (0 before it was first recorded).
    fn get(&self, phase: &str) -> f64 {
        self.phases
            .iter()
            .find(|(p, _)| *p == phase)
            .map_or(0.0, |(_, ms)| *ms)
    }

    /// Writes the phases to `window.__playnet_timings` as `{phase: ms}`.
    fn publish(&self) {
        let object = js_sys::Object::new();
        for (phase, ms) in &self.phases {
            let _ =
                js_sys::Reflect::set(&object, &JsValue::from_str(phase), &JsValue::from_f64(*ms));
        }
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &JsValue::from_str("__playnet_timings"), &object);
        }
    }
}

/// Distance (in plane units) within which a click erases a point.
const ERASE_REACH: f64 = 0.5;

fn apply_edit(session: &mut Session<Cpu>, edit: Action) -> Result<(), String> {
    let fail = |e: playnet_playground::SessionError| e.to_string();
    match edit {
        Action::Weight {
            column,
            from,
            to,
            value,
        } => session
            .set_weight(column.wrapping_sub(1), from, to, value)
            .map_err(fail),
        Action::Bias {
            column,
            neuron,
            value,
        } => session
            .set_bias(column.wrapping_sub(1), neuron, value)
            .map_err(fail),
        Action::AddPoint { x, y, label } => {
            let mut split = session.split().clone();
            split.train.push(Point { x, y, label });
            session.set_data(split).map_err(fail)
        }
        Action::Export | Action::Import(_) | Action::ExportCsv => Ok(()),
        Action::SetPoints(points) => {
            let config = session.config().clone();
            let mut points = points;
            shuffle(&mut points, &mut rng(config.seed));
            let (train, test) =
                split(&points, config.perc_train_data).map_err(|e| e.to_string())?;
            session.set_data(Split { train, test }).map_err(fail)
        }
        Action::ErasePoint { x, y } => {
            let mut split = session.split().clone();
            let distance = |p: &Point| (p.x - x).hypot(p.y - y);
            let nearest = |points: &[Point]| {
                points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i, distance(p)))
                    .filter(|&(_, d)| d <= ERASE_REACH)
                    .min_by(|a, b| a.1.total_cmp(&b.1))
            };
            match (nearest(&split.train), nearest(&split.test)) {
                (Some((i, a)), Some((_, b))) if a <= b => drop(split.train.remove(i)),
                (_, Some((j, _))) => drop(split.test.remove(j)),
                (Some((i, _)), None) => drop(split.train.remove(i)),
                (None, None) => return Ok(()),
            }
            session.set_data(split).map_err(fail)
        }
    }
}

/// The card of neuron `index` in network column `column` (1 is the first
/// hidden layer), or `None` for the feature column or a node that is gone.
fn node_card(session: &Session<Cpu>, column: usize, index: usize) -> Option<NodeCard> {
    let layers = session.model().dense_layers();
    let dense = layers.get(column.checked_sub(1)?)?;
    let weights = ready(dense.weight.to_vec(&Cpu)).ok()?.ok()?;
    let bias = ready(dense.bias.to_vec(&Cpu)).ok()?.ok()?;
    let (rows, cols) = (
        dense.weight.shape().dims()[0],
        dense.weight.shape().dims()[1],
    );
    if index >= cols {
        return None;
    }
    let config = session.config();
    let source = |i: usize| match column {
        1 => config
            .features
            .get(i)
            .map_or_else(|| format!("input {i}"), |f| f.label().to_string()),
        c => format!("layer {} · neuron {}", c - 1, i + 1),
    };
    let title = if column == layers.len() {
        if cols > 1 {
            format!("Output {}", index + 1)
        } else {
            "Output".to_string()
        }
    } else {
        format!(
            "Layer {column} · neuron {} ({})",
            index + 1,
            config.layer_activation(column - 1).name()
        )
    };
    Some(NodeCard {
        title,
        bias: bias[index],
        weights: (0..rows)
            .map(|i| (source(i), i, weights[i * cols + index]))
            .collect(),
    })
}

/// How many epochs one frame trains: the speed setting, but never past the
/// stop epoch.
pub fn epochs_this_frame(speed: u32, epoch: u64, stop_at: Option<u64>) -> u32 {
    let speed = speed.max(1);
    match stop_at {
        Some(stop) if stop <= epoch => 0,
        Some(stop) => speed.min(u32::try_from(stop - epoch).unwrap_or(u32::MAX)),
        None => speed,
    }
}

/// Nodes per column of the network view: every feature, the hidden layers, the outputs.
pub fn column_sizes(config: &PlaygroundConfig) -> Vec<usize> {
    std::iter::once(Feature::ALL.len())
        .chain(config.network_shape.iter().copied())
        .chain(std::iter::once(config.outputs()))
        .collect()
}

/// A feature's values over the plane, scaled to −1 … 1.
fn feature_pixels(feature: Feature, density: usize) -> Vec<u8> {
    let values = feature_matrix(&heatmap::grid(density), &[feature]);
    let scale = values.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
    let scaled: Vec<f32> = values.iter().map(|v| v / scale).collect();
    heatmap::neuron_pixels(&scaled, 1, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_never_train_past_the_stop_epoch() {
        assert_eq!(epochs_this_frame(10, 0, None), 10);
        assert_eq!(epochs_this_frame(10, 95, Some(100)), 5);
        assert_eq!(epochs_this_frame(10, 100, Some(100)), 0);
        assert_eq!(epochs_this_frame(0, 3, None), 1);
    }

    #[test]
    fn big_networks_draw_coarser_heatmaps_while_playing() {
        let default = PlaygroundConfig::default();
        assert_eq!(playing_density(&default), density_for(&default));
        assert_eq!(density_for(&default), 100);
        let largest = PlaygroundConfig {
            features: Feature::ALL.to_vec(),
            network_shape: vec![32; 10],
            ..Default::default()
        };
        let (still, playing) = (density_for(&largest), playing_density(&largest));
        assert_eq!(still, 32);
        assert!((16..still).contains(&playing), "{playing}");
        // Within the budget, whatever the network.
        for shape in [vec![8; 6], vec![32; 3], vec![1]] {
            let config = PlaygroundConfig {
                network_shape: shape,
                features: Feature::ALL.to_vec(),
                ..Default::default()
            };
            let d = playing_density(&config);
            assert!(d <= density_for(&config) && d >= 16);
            assert!(d == 16 || d * d * cost_per_point(&config) <= PLAYING_FORWARD_BUDGET);
        }
    }

    #[test]
    fn columns_are_features_hidden_layers_and_outputs() {
        let config = PlaygroundConfig::default();
        assert_eq!(column_sizes(&config), vec![9, 4, 2, 1]);
    }

    #[test]
    fn links_from_features_use_the_features_in_use() {
        let config = PlaygroundConfig {
            features: vec![Feature::X2, Feature::SinX1],
            ..Default::default()
        };
        let sources = sources(&config);
        assert_eq!(sources.len(), 2);
        let link = |column, from| LinkRef {
            column,
            from,
            to: 0,
        };
        assert_eq!(weight_row(&sources, link(0, sources[1])), Some(1));
        assert_eq!(weight_row(&sources, link(0, 8)), None);
        assert_eq!(weight_row(&sources, link(2, 3)), Some(3));
        assert_eq!(node_name(&config, 3, 0, 3), "output");
        assert_eq!(node_name(&config, 1, 1, 3), "layer 1 · neuron 2");
    }
}
