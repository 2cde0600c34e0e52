//! The MNIST lab's training worker: a gloo-worker [`Worker`] that owns the
//! data and a [`Lab`] on the CPU backend, trains in slices of about 40 ms,
//! and sends the page compact snapshots ([`protocol::Event`]).
//!
//! Between slices it yields to the event loop (a `MessageChannel` message,
//! which, unlike `setTimeout(0)`, is not clamped to 4 ms), so that a pause or
//! any other command gets through at once. Test evaluations are split into
//! chunks the same way and run while training waits, so the reported accuracy
//! belongs to one exact step.
//!
//! This module is compiled into both binaries: the worker binary registers
//! [`MnistWorker`]; the page only needs the type to spawn it. It refers to
//! nothing else of the app's.

pub mod protocol;

use std::sync::Arc;

use gloo_worker::{HandlerId, Worker, WorkerScope};
use playnet_data::Mnist;
use playnet_engine::{Checkpoint, Cpu, Tensor, kernels, loss::arg_max, ready};
use playnet_mnist::{CLASSES, Lab, LabError, PIXELS, Setup, StepStats};
use serde_bytes::ByteBuf;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageChannel, MessageEvent};

use protocol::{Command, DigitGrid, Event, MapsReport, Progress, SetupSpec, TestSummary};

/// Milliseconds of work between two yields to the event loop.
const SLICE_MS: f64 = 40.0;
/// How often the last batch, the weight bands and the filters are sent.
const BATCH_EVERY_MS: f64 = 250.0;
const BANDS_EVERY_MS: f64 = 1000.0;
const FILTERS_EVERY_MS: f64 = 2000.0;
/// A full test evaluation after this many steps or this much time, but never
/// more than a tenth of the time (each evaluation's cost is measured).
const TEST_EVERY_STEPS: u32 = 500;
const TEST_EVERY_MS: f64 = 5000.0;
const TEST_SHARE: f64 = 10.0;
/// Test digits sent with each evaluation, and first-layer images at most.
const PANEL_DIGITS: usize = 100;
/// Test images in the quick evaluation of a fresh network (a full one of a
/// big network takes a minute, and step 0 is not worth the wait).
const QUICK_TEST: usize = 1000;
const MAX_FILTERS: usize = 64;

/// A message channel whose messages come back as ticks, and its handler.
type TickPort = (MessageChannel, Closure<dyn FnMut(MessageEvent)>);

/// The worker's own messages.
pub enum Tick {
    Tick,
}

/// The training worker.
pub struct MnistWorker {
    clients: Vec<HandlerId>,
    data: Option<Arc<Mnist>>,
    lab: Option<Lab<Cpu>>,
    seed: u32,
    running: bool,
    /// A test evaluation in progress (training waits for it).
    eval: Option<Evaluation>,
    /// Step of the last finished (or started) evaluation, and when it ended.
    tested_step: Option<u32>,
    tested_at: f64,
    test_cost_ms: f64,
    sent_batch_at: f64,
    sent_bands_at: f64,
    sent_filters_at: f64,
    meter: RateMeter,
    /// Sums over the steps since the last progress report.
    pending: (u32, f32, f32),
    last: Option<StepStats>,
    tick_queued: bool,
    channel: Option<TickPort>,
}

impl Worker for MnistWorker {
    type Message = Tick;
    type Input = Command;
    type Output = Event;

    fn create(scope: &WorkerScope<Self>) -> Self {
        // Ticks come back through a message port: a task of its own, after
        // any command the page has already posted.
        let channel = MessageChannel::new().ok().map(|channel| {
            let scope = scope.clone();
            let on_message =
                Closure::<dyn FnMut(MessageEvent)>::new(move |_| scope.send_message(Tick::Tick));
            channel
                .port1()
                .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            (channel, on_message)
        });
        MnistWorker {
            clients: Vec::new(),
            data: None,
            lab: None,
            seed: 1,
            running: false,
            eval: None,
            tested_step: None,
            tested_at: 0.0,
            test_cost_ms: 0.0,
            sent_batch_at: 0.0,
            sent_bands_at: 0.0,
            sent_filters_at: 0.0,
            meter: RateMeter::default(),
            pending: (0, 0.0, 0.0),
            last: None,
            tick_queued: false,
            channel,
        }
    }

    fn connected(&mut self, scope: &WorkerScope<Self>, id: HandlerId) {
        self.clients.push(id);
        scope.respond(id, Event::Backend(backend_name()));
    }

    fn disconnected(&mut self, _scope: &WorkerScope<Self>, id: HandlerId) {
        self.clients.retain(|&c| c != id);
    }

    fn update(&mut self, scope: &WorkerScope<Self>, _tick: Tick) {
        self.tick_queued = false;
        self.tick(scope);
    }

    fn received(&mut self, scope: &WorkerScope<Self>, command: Command, _id: HandlerId) {
        match command {
            Command::Data(files) => self.decode(scope, files),
            Command::Configure { setup, seed } => self.configure(scope, &setup, seed),
            Command::Start => {
                if self.lab.is_some() && !self.running {
                    // Training does not wait for a test that is under way:
                    // it is dropped, and the next one comes on schedule.
                    if self.eval.take().is_some() {
                        self.tested_step = None;
                    }
                    self.running = true;
                    self.meter.restart(now());
                    self.send(scope, Event::Running(true));
                    self.queue_tick(scope);
                }
            }
            Command::Pause => {
                if self.running {
                    self.running = false;
                    self.flush_progress(scope);
                    self.send(scope, Event::Running(false));
                    self.send_views(scope, true);
                    self.begin_test(None);
                    self.queue_tick(scope);
                }
            }
            Command::Simd(on) => {
                kernels::set_simd_enabled(on);
                self.meter.restart(now());
                self.send(scope, Event::Backend(backend_name()));
            }
            Command::Classify(image) => {
                let Some(lab) = &self.lab else { return };
                if image.len() != PIXELS {
                    return;
                }
                match settle(lab.classify(&image)) {
                    Ok(p) => self.send(scope, Event::Probabilities(p.to_vec())),
                    Err(e) => self.send(scope, Event::Refused(format!("cannot classify: {e}"))),
                }
            }
            Command::Maps(index) => self.maps(scope, index as usize),
            Command::Export => {
                let Some(lab) = &self.lab else { return };
                match settle(lab.save()) {
                    Ok(c) => self.send(
                        scope,
                        Event::Exported {
                            config_json: c.config_json,
                            weights: ByteBuf::from(c.weights),
                        },
                    ),
                    Err(e) => self.send(scope, Event::Refused(format!("cannot export: {e}"))),
                }
            }
            Command::Load {
                config_json,
                weights,
            } => self.load(scope, config_json, weights.into_vec()),
        }
    }
}

impl MnistWorker {
    fn send(&self, scope: &WorkerScope<Self>, event: Event) {
        if let Some((&last, rest)) = self.clients.split_last() {
            for &id in rest {
                scope.respond(id, event.clone());
            }
            scope.respond(last, event);
        }
    }

    fn queue_tick(&mut self, scope: &WorkerScope<Self>) {
        if self.tick_queued {
            return;
        }
        self.tick_queued = true;
        match &self.channel {
            Some((channel, _)) => {
                if channel
                    .port2()
                    .post_message(&wasm_bindgen::JsValue::NULL)
                    .is_err()
                {
                    scope.send_message(Tick::Tick);
                }
            }
            None => scope.send_message(Tick::Tick),
        }
    }

    fn decode(&mut self, scope: &WorkerScope<Self>, files: Vec<ByteBuf>) {
        let slices: Vec<&[u8]> = files.iter().map(|f| f.as_slice()).collect();
        let Ok(four) = <[&[u8]; 4]>::try_from(slices) else {
            return self.send(
                scope,
                Event::DataFailed(format!("expected 4 MNIST files, got {}", files.len())),
            );
        };
        match Mnist::from_files(four) {
            Ok(mnist) => {
                let (train, test) = (mnist.train.len() as u32, mnist.test.len() as u32);
                self.data = Some(Arc::new(mnist));
                self.send(scope, Event::DataReady { train, test });
            }
            Err(e) => self.send(scope, Event::DataFailed(e.to_string())),
        }
    }

    fn configure(&mut self, scope: &WorkerScope<Self>, setup: &str, seed: u32) {
        let Some(data) = self.data.clone() else {
            return self.send(scope, Event::Refused("the data is not loaded yet".into()));
        };
        let spec = match SetupSpec::from_json(setup) {
            Ok(spec) => spec,
            Err(e) => return self.send(scope, Event::Refused(e)),
        };
        if let Err(e) = spec.network.validate(CLASSES) {
            return self.send(
                scope,
                Event::Refused(format!("this network does not work: {e}")),
            );
        }
        let lab_setup = Setup {
            network: spec.network.clone(),
            training: spec.training,
        };
        match Lab::new(Cpu, data, lab_setup, u64::from(seed)) {
            Ok(lab) => {
                self.lab = Some(lab);
                self.seed = seed;
                self.fresh_network(scope, spec, false);
            }
            Err(e) => self.send(
                scope,
                Event::Refused(format!("cannot build this network: {e}")),
            ),
        }
    }

    /// After a new or loaded network: stop, forget, show it and test it.
    fn fresh_network(&mut self, scope: &WorkerScope<Self>, spec: SetupSpec, loaded: bool) {
        let was_running = self.running;
        self.running = false;
        self.eval = None;
        self.tested_step = None;
        self.pending = (0, 0.0, 0.0);
        self.last = None;
        let parameters = spec.network.parameter_count().unwrap_or(0) as u32;
        self.send(
            scope,
            Event::Configured {
                setup: spec.to_json(),
                parameters,
                loaded,
            },
        );
        if was_running {
            self.send(scope, Event::Running(false));
        }
        self.send_views(scope, true);
        // A loaded model is tested in full (it may be compared with the
        // accuracy it was exported at); a fresh one only glanced at.
        self.begin_test((!loaded).then_some(QUICK_TEST));
        self.queue_tick(scope);
    }

    fn load(&mut self, scope: &WorkerScope<Self>, config_json: String, weights: Vec<u8>) {
        let Some(lab) = self.lab.as_mut() else {
            return self.send(scope, Event::Refused("the data is not loaded yet".into()));
        };
        let checkpoint = Checkpoint {
            config_json,
            weights,
        };
        match lab.load(&checkpoint, u64::from(self.seed)) {
            Ok(()) => {
                let spec = SetupSpec {
                    network: lab.setup().network.clone(),
                    training: lab.setup().training,
                };
                self.fresh_network(scope, spec, true);
            }
            Err(e) => self.send(
                scope,
                Event::Refused(format!("Cannot load this model: {e}")),
            ),
        }
    }

    fn maps(&self, scope: &WorkerScope<Self>, index: usize) {
        let (Some(lab), Some(data)) = (&self.lab, &self.data) else {
            return;
        };
        if index >= data.test.len() {
            return;
        }
        let raw = data.test.image(index);
        let image: Vec<f32> = raw.iter().map(|&v| f32::from(v) / 255.0).collect();
        let result = settle(lab.activation_maps(&image))
            .and_then(|layers| Ok((layers, settle(lab.classify(&image))?)));
        match result {
            Ok((layers, p)) => self.send(
                scope,
                Event::Maps(MapsReport {
                    index: index as u32,
                    label: data.test.labels[index],
                    pixels: ByteBuf::from(raw.to_vec()),
                    probabilities: p.to_vec(),
                    layers,
                }),
            ),
            Err(e) => self.send(scope, Event::Refused(format!("cannot show the maps: {e}"))),
        }
    }

    /// Starts evaluating the first `limit` test images (all with `None`).
    fn begin_test(&mut self, limit: Option<usize>) {
        let (Some(lab), Some(data)) = (&self.lab, &self.data) else {
            return;
        };
        if self.eval.is_some() || self.tested_step == Some(lab.steps()) {
            return;
        }
        self.tested_step = Some(lab.steps());
        let count = limit.map_or(data.test.len(), |l| l.min(data.test.len()));
        self.eval = Some(Evaluation::new(lab.steps(), count, now()));
    }

    fn tick(&mut self, scope: &WorkerScope<Self>) {
        let started = now();
        if let Some(eval) = self.eval.as_mut() {
            let (Some(lab), Some(data)) = (&self.lab, &self.data) else {
                self.eval = None;
                return;
            };
            match eval.advance(lab, started + SLICE_MS) {
                Ok(true) => {
                    let summary = eval.finish(data, now());
                    // What a full test would cost, for the schedule.
                    self.test_cost_ms = f64::from(summary.millis) * data.test.len() as f64
                        / f64::from(summary.count.max(1));
                    self.tested_at = now();
                    self.eval = None;
                    self.send(scope, Event::Test(summary));
                    // Evaluation time is not training time.
                    self.meter.restart(now());
                }
                Ok(false) => {}
                Err(e) => {
                    self.eval = None;
                    self.send(scope, Event::Refused(format!("cannot evaluate: {e}")));
                }
            }
            if self.eval.is_some() || self.running {
                self.queue_tick(scope);
            }
            return;
        }
        if !self.running {
            return;
        }
        let Some(lab) = self.lab.as_mut() else {
            self.running = false;
            return;
        };
        let mut steps = 0;
        loop {
            match settle(lab.step()) {
                Ok(stats) => {
                    steps += 1;
                    self.pending.0 += 1;
                    self.pending.1 += stats.loss;
                    self.pending.2 += stats.accuracy;
                    self.last = Some(stats);
                }
                Err(e) => {
                    self.running = false;
                    self.flush_progress(scope);
                    self.send(scope, Event::Running(false));
                    let message = match e {
                        LabError::Diverged { .. } => e.to_string(),
                        other => format!("training stopped: {other}"),
                    };
                    self.send(scope, Event::Diverged(message));
                    self.send_views(scope, true);
                    return;
                }
            }
            if now() - started >= SLICE_MS {
                break;
            }
        }
        let t = now();
        self.meter.add(t, steps);
        self.flush_progress(scope);
        self.send_views(scope, false);
        let step = self.lab.as_ref().map_or(0, Lab::steps);
        let since = self
            .tested_step
            .map_or(u32::MAX, |s| step.saturating_sub(s));
        let quiet = t - self.tested_at;
        let due = since >= TEST_EVERY_STEPS || quiet >= TEST_EVERY_MS;
        if due && quiet >= TEST_SHARE * self.test_cost_ms {
            self.begin_test(None);
        }
        self.queue_tick(scope);
    }

    fn flush_progress(&mut self, scope: &WorkerScope<Self>) {
        let Some(last) = &self.last else { return };
        let (n, loss, accuracy) = self.pending;
        if n == 0 {
            return;
        }
        self.pending = (0, 0.0, 0.0);
        let progress = Progress {
            step: last.step,
            epoch: last.epoch,
            loss: loss / n as f32,
            accuracy: accuracy / n as f32,
            learning_rate: last.learning_rate,
            steps_per_second: self.meter.rate() as f32,
        };
        self.send(scope, Event::Progress(progress));
    }

    /// The batch grid, weight bands and filters, when due (or now, if `all`).
    fn send_views(&mut self, scope: &WorkerScope<Self>, all: bool) {
        let (Some(lab), Some(data)) = (&self.lab, &self.data) else {
            return;
        };
        let t = now();
        let mut events = Vec::new();
        if all || t - self.sent_batch_at >= BATCH_EVERY_MS {
            self.sent_batch_at = t;
            let mut grid = DigitGrid::default();
            for (i, predicted, _) in lab.last_batch().take(PANEL_DIGITS) {
                grid.indices.push(i as u32);
                grid.pixels.extend_from_slice(data.train.image(i));
                grid.labels.push(data.train.labels[i]);
                grid.predicted.push(predicted);
            }
            if grid.len() > 0 {
                events.push(Event::Batch(grid));
            }
        }
        if all || t - self.sent_bands_at >= BANDS_EVERY_MS {
            self.sent_bands_at = t;
            if let Ok(bands) = settle(lab.bands()) {
                events.push(Event::Bands {
                    step: lab.steps(),
                    bands,
                });
            }
        }
        if all || t - self.sent_filters_at >= FILTERS_EVERY_MS {
            self.sent_filters_at = t;
            if let Ok(filters) = settle(lab.first_layer(MAX_FILTERS)) {
                events.push(Event::Filters(filters));
            }
        }
        for event in events {
            self.send(scope, event);
        }
    }
}

/// Runs a CPU-backend future to completion (its readbacks never wait).
fn settle<T>(
    future: impl std::future::Future<Output = Result<T, LabError>>,
) -> Result<T, LabError> {
    ready(future).map_err(LabError::from)?
}

/// `performance.now()` in the worker (or the page), in milliseconds.
fn now() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The kernels in use, as the page's `backend` readout shows them.
pub fn backend_name() -> String {
    let simd = cfg!(target_feature = "simd128") && kernels::simd_enabled();
    if simd { "cpu-simd128" } else { "cpu-scalar" }.to_string()
}

/// Training steps per second over the last second or so of training.
#[derive(Default)]
struct RateMeter {
    since: f64,
    steps: u32,
    rate: f64,
}

impl RateMeter {
    fn restart(&mut self, t: f64) {
        self.since = t;
        self.steps = 0;
    }

    fn add(&mut self, t: f64, steps: u32) {
        self.steps += steps;
        let elapsed = t - self.since;
        if elapsed >= 1000.0 || (self.rate == 0.0 && elapsed >= 200.0) {
            self.rate = f64::from(self.steps) * 1000.0 / elapsed.max(1.0);
            self.restart(t);
        }
    }

    fn rate(&self) -> f64 {
        self.rate
    }
}

/// A test evaluation done a chunk at a time.
struct Evaluation {
    step: u32,
    count: usize,
    next: usize,
    /// Images per chunk, adapted so that a chunk fits in a slice.
    chunk: usize,
    confusion: [[u32; CLASSES]; CLASSES],
    loss: f64,
    predictions: Vec<(u8, f32)>,
    started: f64,
    pixels: Vec<f32>,
}

impl Evaluation {
    fn new(step: u32, count: usize, started: f64) -> Self {
        Evaluation {
            step,
            count,
            next: 0,
            chunk: 50,
            confusion: [[0; CLASSES]; CLASSES],
            loss: 0.0,
            predictions: Vec::with_capacity(count),
            started,
            pixels: Vec::new(),
        }
    }

    /// Evaluates chunks until `deadline`; `true` once every image is done.
    fn advance(&mut self, lab: &Lab<Cpu>, deadline: f64) -> Result<bool, LabError> {
        let test = &lab.data().test;
        let backend = lab.net().backend();
        while self.next < self.count {
            let t = now();
            let end = (self.next + self.chunk).min(self.count);
            let indices: Vec<usize> = (self.next..end).collect();
            test.to_f32_batch(&indices, &mut self.pixels);
            let x = Tensor::from_slice(backend, &self.pixels, [indices.len(), PIXELS])?;
            let p =
                settle(async { Ok::<_, LabError>(lab.net().predict(&x)?.to_vec(backend).await?) })?;
            for (row, &i) in p.chunks_exact(CLASSES).zip(&indices) {
                let label = usize::from(test.labels[i]);
                let predicted = arg_max(row);
                self.confusion[label][predicted] += 1;
                self.loss -= f64::from(row[label].max(1e-7).ln());
                self.predictions.push((predicted as u8, row[predicted]));
            }
            let per_image = (now() - t).max(0.001) / indices.len() as f64;
            self.chunk = ((SLICE_MS / 2.0 / per_image) as usize).clamp(10, 2000);
            self.next = end;
            if now() >= deadline {
                break;
            }
        }
        Ok(self.next >= self.count)
    }

    fn finish(&self, data: &Mnist, t: f64) -> TestSummary {
        let labels = &data.test.labels;
        let count = self.predictions.len();
        let correct: u32 = (0..CLASSES).map(|k| self.confusion[k][k]).sum();
        let mut wrong: Vec<usize> = (0..count)
            .filter(|&i| labels.get(i).is_some_and(|&l| l != self.predictions[i].0))
            .collect();
        let mistakes = wrong.len() as u32;
        wrong.sort_by(|&a, &b| self.predictions[b].1.total_cmp(&self.predictions[a].1));
        let right = (0..count).filter(|&i| labels.get(i) == Some(&self.predictions[i].0));
        let mut digits = DigitGrid::default();
        for i in wrong.into_iter().chain(right).take(PANEL_DIGITS) {
            digits.indices.push(i as u32);
            digits.pixels.extend_from_slice(data.test.image(i));
            digits.labels.push(labels[i]);
            digits.predicted.push(self.predictions[i].0);
        }
        TestSummary {
            step: self.step,
            count: count as u32,
            accuracy: correct as f32 / count.max(1) as f32,
            loss: (self.loss / count.max(1) as f64) as f32,
            confusion: self.confusion.iter().flatten().copied().collect(),
            mistakes,
            digits,
            millis: (t - self.started) as f32,
        }
    }
}
