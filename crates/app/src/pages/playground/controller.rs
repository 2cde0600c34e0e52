//! Drives training from button presses and animation frames, and paints
//! everything that shows the network: output regions, every neuron's
//! heatmap, the links, the data points and the loss chart.
//!
//! The training session is plain Rust state outside the reactive graph; the
//! controller pushes what the page shows into signals once per frame. All
//! heatmaps come from one batched forward pass over the grid per frame.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use playnet_data::{Feature, Point, Split, feature_matrix, rng, shuffle, split};
use playnet_engine::{Cpu, Tensor, ready};
use playnet_playground::{PlaygroundConfig, SavedModel, Session, write_points};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::layout::{self, Layout};
use crate::chart::LossHistory;
use crate::heatmap::{self, Palette};
use crate::meter::RateMeter;

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
    /// Training and test points, as counted now.
    pub counts: RwSignal<(usize, usize)>,
    /// What a click on the output does.
    pub brush: RwSignal<super::Brush>,
    /// Object URLs of the last export: (weights, config).
    pub downloads: RwSignal<Option<(String, String)>>,
    /// Object URL of the last CSV export.
    pub csv_download: RwSignal<Option<String>>,
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
            counts: RwSignal::new((0, 0)),
            brush: RwSignal::new(super::Brush::Off),
            downloads: RwSignal::new(None),
            csv_download: RwSignal::new(None),
        }
    }
}

/// Heatmap cells per side: fine for small networks, coarser for big ones so
/// the one forward pass per frame stays cheap.
fn density_for(config: &PlaygroundConfig) -> usize {
    let widths = config.mlp_config().widths();
    let weights: usize = widths.windows(2).map(|w| w[0] * w[1]).sum();
    if weights <= 1_000 {
        100
    } else if weights <= 4_000 {
        64
    } else {
        40
    }
}

/// A session and the grid inputs its heatmaps are computed on.
struct Live {
    session: Session<Cpu>,
    grid: Tensor<Cpu>,
    density: usize,
}

impl Live {
    fn new(config: PlaygroundConfig) -> Result<Live, String> {
        Live::around(Session::new(Cpu, config).map_err(|e| e.to_string())?)
    }

    fn around(session: Session<Cpu>) -> Result<Live, String> {
        let config = session.config();
        let density = density_for(config);
        let inputs = feature_matrix(&heatmap::grid(density), &config.features);
        let grid = Tensor::from_slice(&Cpu, &inputs, [density * density, config.features.len()])
            .map_err(|e| e.to_string())?;
        Ok(Live {
            session,
            grid,
            density,
        })
    }
}

/// The playground's engine room.
pub struct Controller {
    live: RefCell<Option<Live>>,
    history: RefCell<LossHistory>,
    /// Bumped on every Play, so a stale frame loop knows to stop.
    run: Cell<u32>,
    meter: RefCell<RateMeter>,
    pub ui: Signals,
}

impl Controller {
    pub fn new(ui: Signals) -> Rc<Self> {
        let controller = Rc::new(Controller {
            live: RefCell::new(None),
            history: RefCell::new(LossHistory::default()),
            run: Cell::new(0),
            meter: RefCell::new(RateMeter::default()),
            ui,
        });
        controller.apply(ui.config.get_untracked());
        controller
    }

    /// Brings the session in line with `config`: training settings change in
    /// place (the network keeps learning); anything else builds new data and a
    /// new network, as TensorFlow Playground does.
    pub fn apply(&self, config: PlaygroundConfig) {
        let retuned = match self.live.borrow_mut().as_mut() {
            Some(live) if live.session.config() == &config => return,
            Some(live) if live.session.config().same_data_and_network(&config) => Some(
                live.session
                    .retune(config.clone())
                    .map_err(|e| e.to_string()),
            ),
            _ => None,
        };
        match retuned {
            Some(Ok(())) => self.ui.status.set(String::new()),
            Some(Err(e)) => self.fail(format!("Cannot use these settings: {e}")),
            None => match Live::new(config) {
                Ok(live) => {
                    *self.live.borrow_mut() = Some(live);
                    self.history.borrow_mut().clear();
                    self.ui.status.set(String::new());
                }
                Err(e) => self.fail(format!("Cannot build this playground: {e}")),
            },
        }
        self.refresh();
    }

    /// Applies edits made by hand; the network keeps training from there.
    pub fn edit(&self, edits: Vec<Action>) {
        if edits.is_empty() {
            return;
        }
        for edit in &edits {
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
                self.ui.playing.set(false);
                self.ui.status.set("Model loaded.".into());
                // The session already matches, so this rebuilds nothing.
                self.ui.config.set(config);
                self.refresh();
            }
            Err(e) => self.ui.status.set(format!("Cannot load this model: {e}")),
        }
    }

    fn fail(&self, message: String) {
        self.ui.playing.set(false);
        self.ui.status.set(message);
    }

    /// Trains `epochs` epochs, then redraws.
    pub fn step(&self, epochs: u32) {
        let result = match self.live.borrow_mut().as_mut() {
            Some(live) => (0..epochs)
                .try_for_each(|_| live.session.train_epoch())
                .map_err(|e| e.to_string()),
            None => return,
        };
        match result {
            Ok(()) => self.refresh(),
            Err(e) => self.fail(format!("Training stopped: {e}")),
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
        } else {
            self.ui.playing.set(true);
            self.ui.status.set(String::new());
            self.run.set(self.run.get().wrapping_add(1));
            self.clone().next_frame(self.run.get());
        }
    }

    fn next_frame(self: Rc<Self>, run: u32) {
        request_animation_frame(move || {
            if !self.ui.playing.get_untracked() || self.run.get() != run {
                self.meter.borrow_mut().pause();
                return;
            }
            let epoch = self.ui.epoch.get_untracked();
            let stop = self.ui.stop_at.get_untracked();
            let epochs = epochs_this_frame(self.ui.speed.get_untracked(), epoch, stop);
            if epochs > 0 {
                self.step(epochs);
            }
            if let Some(now) = web_sys::window()
                .and_then(|w| w.performance())
                .map(|p| p.now())
            {
                let mut meter = self.meter.borrow_mut();
                meter.frame(now, epochs);
                self.ui.fps.set(meter.fps());
                self.ui.epochs_per_second.set(meter.epochs_per_second());
            }
            if stop.is_some_and(|s| self.ui.epoch.get_untracked() >= s) {
                self.ui.playing.set(false);
                self.ui.status.set(format!(
                    "Paused at epoch {}, as asked.",
                    self.ui.epoch.get_untracked()
                ));
            }
            self.next_frame(run);
        });
    }

    /// Reads the metrics and repaints every view of the network.
    pub fn refresh(&self) {
        let live = self.live.borrow();
        let Some(live) = live.as_ref() else { return };
        let metrics = match ready(live.session.metrics()) {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => return self.fail(format!("Cannot evaluate the network: {e}")),
            Err(e) => return self.fail(e.to_string()),
        };
        self.ui.epoch.set(metrics.epoch);
        self.ui.train_loss.set(metrics.train_loss);
        self.ui.test_loss.set(metrics.test_loss);
        self.ui.accuracy.set(metrics.test_accuracy);
        self.history
            .borrow_mut()
            .push(metrics.epoch, metrics.train_loss, metrics.test_loss);
        if metrics.diverged() {
            self.fail("diverged — lower the learning rate or reset".into());
        }
        let split = live.session.split();
        self.ui.counts.set((split.train.len(), split.test.len()));
        self.ui.card.set(
            self.ui
                .selected
                .get_untracked()
                .and_then(|(c, i)| node_card(&live.session, c, i)),
        );
        if let Err(e) = self.paint(live) {
            self.fail(format!("Cannot draw the network: {e:?}"));
        }
    }

    fn paint(&self, live: &Live) -> Result<(), JsValue> {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return Ok(());
        };
        let canvas = |selector: &str| -> Option<HtmlCanvasElement> {
            document
                .query_selector(selector)
                .ok()
                .flatten()?
                .dyn_into()
                .ok()
        };
        let session = &live.session;
        let config = session.config();
        let engine_error = |e: playnet_engine::EngineError| JsValue::from_str(&e.to_string());
        // One batched forward pass over the grid gives every neuron's heatmap.
        let layers = session
            .model()
            .predict_layers(&live.grid)
            .map_err(engine_error)?;
        let values = layers.iter().map(host).collect::<Result<Vec<_>, _>>()?;
        let widths: Vec<usize> = layers.iter().map(|t| t.shape().dims()[1]).collect();
        for (l, (v, &width)) in values.iter().zip(&widths).enumerate() {
            for j in 0..width {
                if let Some(c) = canvas(&format!("canvas[data-node=\"{}-{j}\"]", l + 1)) {
                    heatmap::paint(&c, &heatmap::neuron_pixels(v, width, j), live.density)?;
                }
            }
        }
        let palette = Palette {
            loss: config.effective_loss(),
            problem: config.dataset.problem(),
            outputs: config.outputs(),
            discretize: self.ui.discretize.get_untracked(),
        };
        if let Some(c) = canvas("[data-testid=heatmap-output] canvas.regions") {
            let pixels = match self.ui.hovered.get_untracked() {
                Some((0, k)) => feature_pixels(Feature::ALL[k], live.density),
                Some((column, j)) if column <= values.len() && j < widths[column - 1] => {
                    heatmap::neuron_pixels(&values[column - 1], widths[column - 1], j)
                }
                _ => palette.pixels(values.last().map_or(&[][..], Vec::as_slice)),
            };
            heatmap::paint(&c, &pixels, live.density)?;
        }
        if let Some(c) = canvas("[data-testid=heatmap-output] canvas.points") {
            let test = self
                .ui
                .show_test_data
                .get_untracked()
                .then_some(session.split().test.as_slice());
            heatmap::draw_points(&c, &palette, &session.split().train, test)?;
        }
        if let Some(c) = canvas("canvas.links") {
            self.draw_links(&c, live)?;
        }
        if let Some(c) = canvas("[data-testid=loss-chart]") {
            self.history.borrow().draw(&c)?;
        }
        Ok(())
    }

    /// Paints the feature thumbnails (they never change for a given config).
    pub fn paint_features(&self) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let density = self.live.borrow().as_ref().map_or(40, |l| l.density);
        for (k, feature) in Feature::ALL.into_iter().enumerate() {
            let found = document
                .query_selector(&format!("canvas[data-node=\"0-{k}\"]"))
                .ok()
                .flatten();
            if let Some(c) = found.and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok()) {
                let _ = heatmap::paint(&c, &feature_pixels(feature, density), density);
            }
        }
    }

    fn draw_links(&self, canvas: &HtmlCanvasElement, live: &Live) -> Result<(), JsValue> {
        let ctx = canvas
            .get_context("2d")?
            .ok_or_else(|| JsValue::from_str("no 2-D canvas context"))?
            .dyn_into::<CanvasRenderingContext2d>()?;
        let config = live.session.config();
        let lay: Layout = layout::layout(&column_sizes(config));
        canvas.set_width(lay.width as u32);
        canvas.set_height(lay.height as u32);
        ctx.clear_rect(0.0, 0.0, lay.width, lay.height);
        // Input rows of the first weight matrix are the active features.
        let sources_of_first: Vec<usize> = config
            .features
            .iter()
            .filter_map(|f| Feature::ALL.iter().position(|g| g == f))
            .collect();
        // Links are bucketed by their quantised weight and each bucket is
        // stroked as one path: a few dozen canvas calls instead of one per
        // link (the largest network has over ten thousand).
        let mut buckets: Vec<Vec<[f64; 4]>> = vec![Vec::new(); layout::LINK_LEVELS];
        for (l, dense) in live.session.model().layers().iter().enumerate() {
            let weights = host(&dense.weight)?;
            let (rows, cols) = (
                dense.weight.shape().dims()[0],
                dense.weight.shape().dims()[1],
            );
            for i in 0..rows {
                let from_index = if l == 0 { sources_of_first[i] } else { i };
                let (x0, y0) = lay.columns[l][from_index];
                for j in 0..cols {
                    let (x1, y1) = lay.columns[l + 1][j];
                    let level = layout::link_level(weights[i * cols + j]);
                    buckets[level].push([x0 + layout::NODE / 2.0, y0, x1 - layout::NODE / 2.0, y1]);
                }
            }
        }
        for (level, links) in buckets.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            let w = layout::level_weight(level);
            let [r, g, b] = heatmap::colour(w);
            ctx.set_stroke_style_str(&format!("rgb({r},{g},{b})"));
            ctx.set_line_width(layout::link_width(w));
            ctx.begin_path();
            for &[x0, y0, x1, y1] in links {
                let mid = (x0 + x1) / 2.0;
                ctx.move_to(x0, y0);
                ctx.bezier_curve_to(mid, y0, mid, y1, x1, y1);
            }
            ctx.stroke();
        }
        Ok(())
    }
}

/// A tensor's values on the host (CPU readbacks are ready at once).
fn host(tensor: &Tensor<Cpu>) -> Result<Vec<f32>, JsValue> {
    let engine_error = |e: playnet_engine::EngineError| JsValue::from_str(&e.to_string());
    ready(tensor.to_vec(&Cpu))
        .map_err(engine_error)?
        .map_err(engine_error)
}

/// A `blob:` URL holding `bytes`, for a download link.
fn object_url(bytes: &[u8], mime: &str) -> Result<String, JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    web_sys::Url::create_object_url_with_blob(&blob)
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
    let layers = session.model().layers();
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
        format!("Layer {column} · neuron {}", index + 1)
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
    fn columns_are_features_hidden_layers_and_outputs() {
        let config = PlaygroundConfig::default();
        assert_eq!(column_sizes(&config), vec![9, 4, 2, 1]);
    }
}
