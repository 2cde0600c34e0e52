//! The worker's one task: it owns the data and the lab, carries out the
//! page's commands, trains in slices and reports.
//!
//! Training on the GPU keeps a CPU-side copy of the weights (at every test
//! evaluation, and every few seconds). When the GPU fails — a lost device, a
//! kernel that does not run, any error it reports — training moves to the
//! CPU from that copy, and the page is told so ([`Event::FellBack`]).
//!
//! The page gets a copy too ([`Event::Keepsafe`], at the same moments, on any
//! backend): should this worker die, the page restores it in a new one
//! ([`Command::Restore`]).

use std::rc::Rc;
use std::sync::Arc;

use gloo_worker::WorkerScope;
use playnet_data::Mnist;
use playnet_engine::{Checkpoint, EngineError, kernels};
use playnet_mnist::{CLASSES, LabError, PIXELS, Setup, StepStats};
use serde_bytes::ByteBuf;

use super::devices::Devices;
use super::devices::Target;
use super::eval::Evaluation;
use super::inbox::{Inbox, Message, Ticker};
use super::lab::AnyLab;
use super::meter::{RateMeter, now};
use super::protocol::{
    BackendChoice, Command, DigitGrid, Event, Keepsafe, MapsReport, Origin, Progress, SetupSpec,
};
use super::shell::Page;
use super::{Mnist as MnistJob, MnistWorker};

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
/// Training digits sent with each batch, and first-layer images at most.
const PANEL_DIGITS: usize = 100;
/// Test images in the quick evaluation of a fresh network (a full one of a
/// big network takes a minute, and step 0 is not worth the wait).
const QUICK_TEST: usize = 1000;
const MAX_FILTERS: usize = 64;
/// While training, a copy of the weights at least this often (besides one
/// at every test evaluation and at a pause): CPU-side on the GPU, and for
/// the page on any backend.
const COPY_EVERY_MS: f64 = 2000.0;

/// Weights saved on the CPU side, and the step they are from.
struct Snapshot {
    weights: Checkpoint,
    step: u32,
}

/// See the module documentation.
pub struct Session {
    page: Page<MnistJob>,
    inbox: Rc<Inbox<Command>>,
    ticker: Ticker,
    data: Option<Arc<Mnist>>,
    lab: Option<AnyLab>,
    devices: Devices,
    /// Where new networks are built (the lab, when there is one, is there).
    target: Target,
    seed: u32,
    /// While on the GPU: the weights to carry on from if it fails (`None`:
    /// the network as the seed made it).
    snapshot: Option<Snapshot>,
    /// The test hook: destroy the GPU device at this step.
    lose_gpu_at: Option<u32>,
    /// The test hook: panic at this step.
    crash_at: Option<u32>,
    /// When the page was last sent a copy of the network.
    copied_at: f64,
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
}

impl Session {
    pub fn new(scope: WorkerScope<MnistWorker>, inbox: Rc<Inbox<Command>>) -> Session {
        Session {
            page: Page::new(scope),
            inbox,
            ticker: Ticker::new(),
            data: None,
            lab: None,
            devices: Devices::default(),
            target: Target::Cpu,
            seed: 1,
            snapshot: None,
            lose_gpu_at: None,
            crash_at: None,
            copied_at: 0.0,
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
        }
    }

    /// Runs for as long as the worker lives.
    pub async fn run(mut self) {
        loop {
            while let Some(message) = self.inbox.pop() {
                self.handle(message).await;
            }
            if self.eval.is_some() || self.running {
                self.tick().await;
                self.ticker.tick().await;
            } else {
                let inbox = self.inbox.clone();
                inbox.wait().await;
            }
        }
    }

    fn send(&self, event: Event) {
        self.page.send(event);
    }

    fn send_backend(&self) {
        self.send(Event::Backend(self.devices.report(&self.target)));
    }

    async fn handle(&mut self, message: Message<Command>) {
        match message {
            Message::Hello(id) => {
                self.page.hello(id);
                // Before the page's choice, there is nothing to tell.
                if self.devices.is_chosen() {
                    self.page
                        .tell(id, Event::Backend(self.devices.report(&self.target)));
                }
            }
            Message::Bye(id) => self.page.bye(id),
            Message::Command(command) => self.command(command).await,
        }
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::Data(files) => self.decode(files),
            Command::Configure { setup, seed } => self.configure(&setup, seed).await,
            Command::Start => {
                if self.lab.is_some() && !self.running {
                    // Training does not wait for a test that is under way:
                    // it is dropped, and the next one comes on schedule.
                    if self.eval.take().is_some() {
                        self.tested_step = None;
                    }
                    self.running = true;
                    self.meter.restart(now());
                    self.send(Event::Running(true));
                }
            }
            Command::Pause => {
                if self.running {
                    self.running = false;
                    self.flush_progress();
                    self.send(Event::Running(false));
                    self.send_views(true).await;
                    self.keep_copies().await;
                    self.begin_test(None);
                }
            }
            Command::Simd(on) => {
                kernels::set_simd_enabled(on);
                self.meter.restart(now());
                self.send_backend();
            }
            Command::Backend(choice) => self.choose_backend(choice).await,
            Command::LoseGpuAt(step) => self.lose_gpu_at = Some(step),
            Command::CrashAt(step) => self.crash_at = Some(step),
            Command::Restore { setup, seed, copy } => self.restore(&setup, seed, copy).await,
            Command::Classify(image) => {
                let Some(lab) = &self.lab else { return };
                if image.len() != PIXELS {
                    return;
                }
                match lab.classify(&image).await {
                    Ok(p) => self.send(Event::Probabilities(p.to_vec())),
                    Err(e) => self.failed("cannot classify", e).await,
                }
            }
            Command::Maps(index) => self.maps(index as usize).await,
            Command::Export => {
                let Some(lab) = &self.lab else { return };
                match lab.save().await {
                    Ok(c) => self.send(Event::Exported {
                        config_json: c.config_json,
                        weights: ByteBuf::from(c.weights),
                    }),
                    Err(e) => self.failed("cannot export", e).await,
                }
            }
            Command::Load {
                config_json,
                weights,
            } => {
                let checkpoint = Checkpoint {
                    config_json,
                    weights: weights.into_vec(),
                };
                self.load(checkpoint).await;
            }
        }
    }

    /// Reports `e`; a failure of the GPU moves training to the CPU instead.
    async fn failed(&mut self, what: &str, e: LabError) {
        match self.gpu_failure(&e) {
            Some(reason) => self.fall_back(reason).await,
            None => self.send(Event::Refused(format!("{what}: {e}"))),
        }
    }

    /// What went wrong, if `e` (or anything since) is the GPU failing.
    fn gpu_failure(&self, e: &LabError) -> Option<String> {
        let gpu = self.lab.as_ref()?.gpu()?;
        match (gpu.health(), e) {
            (Err(EngineError::Backend(reason)), _) => Some(reason),
            (_, LabError::Engine(EngineError::Backend(reason))) => Some(reason.clone()),
            _ => None,
        }
    }

    fn decode(&mut self, files: Vec<ByteBuf>) {
        let slices: Vec<&[u8]> = files.iter().map(|f| f.as_slice()).collect();
        let Ok(four) = <[&[u8]; 4]>::try_from(slices) else {
            return self.send(Event::DataFailed(format!(
                "expected 4 MNIST files, got {}",
                files.len()
            )));
        };
        match Mnist::from_files(four) {
            Ok(mnist) => {
                let (train, test) = (mnist.train.len() as u32, mnist.test.len() as u32);
                self.data = Some(Arc::new(mnist));
                self.send(Event::DataReady { train, test });
            }
            Err(e) => self.send(Event::DataFailed(e.to_string())),
        }
    }

    /// A fresh lab for `setup` (JSON) from `seed` on the current target, or
    /// why not.
    fn build(&self, setup: &str, seed: u32) -> Result<(AnyLab, SetupSpec), String> {
        let data = self
            .data
            .clone()
            .ok_or_else(|| "the data is not loaded yet".to_string())?;
        let spec = SetupSpec::from_json(setup)?;
        spec.network
            .validate(CLASSES)
            .map_err(|e| format!("this network does not work: {e}"))?;
        let lab_setup = Setup {
            network: spec.network.clone(),
            training: spec.training,
        };
        let lab = AnyLab::new(&self.target, data, lab_setup, u64::from(seed))
            .map_err(|e| format!("cannot build this network: {e}"))?;
        Ok((lab, spec))
    }

    async fn configure(&mut self, setup: &str, seed: u32) {
        match self.build(setup, seed) {
            Ok((lab, spec)) => {
                self.lab = Some(lab);
                self.seed = seed;
                // The seed remakes these weights, should the GPU fail.
                self.snapshot = None;
                self.fresh_network(spec, Origin::Fresh).await;
            }
            Err(e) => self.send(Event::Refused(e)),
        }
    }

    /// The network a dead worker left (the page's copy), on the current target.
    async fn restore(&mut self, setup: &str, seed: u32, copy: Keepsafe) {
        let weights = Checkpoint {
            config_json: copy.config_json,
            weights: copy.weights.into_vec(),
        };
        let restored = self.build(setup, seed).and_then(|(fresh, _)| {
            let mut lab = fresh
                .carry_to(&self.target, &weights, copy.step, u64::from(seed))
                .map_err(|e| format!("cannot restore the network: {e}"))?;
            lab.set_epoch(copy.epoch);
            Ok(lab)
        });
        match restored {
            Ok(lab) => {
                let spec = SetupSpec {
                    network: lab.setup().network.clone(),
                    training: lab.setup().training,
                };
                self.snapshot = lab.gpu().is_some().then_some(Snapshot {
                    weights,
                    step: copy.step,
                });
                self.lab = Some(lab);
                self.seed = seed;
                self.fresh_network(spec, Origin::Restored { step: copy.step })
                    .await;
            }
            Err(e) => self.send(Event::Refused(e)),
        }
    }

    /// After a new, loaded or restored network: stop, forget, show it and test it.
    async fn fresh_network(&mut self, spec: SetupSpec, origin: Origin) {
        let was_running = self.running;
        self.running = false;
        self.eval = None;
        self.tested_step = None;
        self.pending = (0, 0.0, 0.0);
        self.last = None;
        let parameters = spec.network.parameter_count().unwrap_or(0) as u32;
        self.send(Event::Configured {
            setup: spec.to_json(),
            parameters,
            origin,
        });
        if was_running {
            self.send(Event::Running(false));
        }
        self.send_views(true).await;
        // A loaded or restored model is tested in full (it may be compared
        // with the accuracy it had); a fresh one only glanced at.
        self.begin_test((origin == Origin::Fresh).then_some(QUICK_TEST));
    }

    async fn load(&mut self, checkpoint: Checkpoint) {
        let Some(lab) = self.lab.as_mut() else {
            return self.send(Event::Refused("the data is not loaded yet".into()));
        };
        match lab.load(&checkpoint, u64::from(self.seed)) {
            Ok(()) => {
                let spec = SetupSpec {
                    network: lab.setup().network.clone(),
                    training: lab.setup().training,
                };
                if lab.gpu().is_some() {
                    self.snapshot = Some(Snapshot {
                        weights: checkpoint,
                        step: 0,
                    });
                }
                self.fresh_network(spec, Origin::Loaded).await;
            }
            // The engine's reason already says it is about the model file.
            Err(LabError::Engine(EngineError::Checkpoint(why))) => self.send(Event::Refused(
                format!("Cannot load this model: {why}. Your network is unchanged."),
            )),
            Err(e) => self.send(Event::Refused(format!(
                "Cannot load this model: {e}. Your network is unchanged."
            ))),
        }
    }

    /// The page chose a backend: train there from now on, with the weights
    /// trained so far.
    async fn choose_backend(&mut self, choice: BackendChoice) {
        self.devices.choose(choice);
        let target = self.devices.target().await;
        self.move_to(target).await;
        self.send_backend();
    }

    /// Moves the network (if any) to `target`, keeping its weights and step.
    async fn move_to(&mut self, target: Target) {
        let Some(lab) = &self.lab else {
            self.target = target;
            return;
        };
        let on_gpu = matches!(target, Target::Gpu(_));
        if lab.gpu().is_some() == on_gpu {
            self.target = target;
            return;
        }
        let (weights, step) = match lab.save().await {
            Ok(weights) => (weights, lab.steps()),
            Err(e) => {
                return match self.gpu_failure(&e) {
                    // The GPU failed as we left it: that move is a fallback.
                    Some(reason) => self.fall_back(reason).await,
                    None => self.send(Event::Refused(format!(
                        "cannot move the network to another backend: {e}"
                    ))),
                };
            }
        };
        match lab.carry_to(&target, &weights, step, u64::from(self.seed)) {
            Ok(moved) => {
                self.lab = Some(moved);
                self.target = target;
                self.snapshot = on_gpu.then_some(Snapshot { weights, step });
                self.restart_after_move().await;
            }
            Err(e) => self.send(Event::Refused(format!(
                "cannot move the network to another backend: {e}"
            ))),
        }
    }

    /// After the network moved to another backend: measure afresh, show it.
    async fn restart_after_move(&mut self) {
        self.eval = None;
        self.tested_step = None;
        // What a test costs depends on the backend: measure it again.
        self.test_cost_ms = 0.0;
        self.pending = (0, 0.0, 0.0);
        self.last = None;
        self.meter.restart(now());
        self.send_views(true).await;
        if !self.running {
            self.begin_test(None);
        }
    }

    /// The GPU failed (`reason`): train on the CPU from the last copy of the
    /// weights, and say so.
    async fn fall_back(&mut self, reason: String) {
        let Some(lab) = self.lab.take() else { return };
        if lab.gpu().is_none() {
            self.lab = Some(lab);
            return;
        }
        self.devices.gpu_failed(&reason);
        self.target = Target::Cpu;
        let seed = u64::from(self.seed);
        let carried = match self.snapshot.take() {
            Some(s) => lab
                .carry_to(&Target::Cpu, &s.weights, s.step, seed)
                .map(|lab| (lab, s.step)),
            // No copy yet: the seed remakes the weights the network started with.
            None => match self.data.clone() {
                Some(data) => {
                    AnyLab::new(&Target::Cpu, data, lab.setup().clone(), seed).map(|lab| (lab, 0))
                }
                None => Err(LabError::NoData("training")),
            },
        };
        match carried {
            Ok((cpu, step)) => {
                self.lab = Some(cpu);
                self.send(Event::FellBack { step, reason });
                self.send_backend();
                self.restart_after_move().await;
            }
            Err(e) => {
                self.running = false;
                self.send(Event::Running(false));
                self.send(Event::Refused(format!(
                    "The GPU failed ({reason}) and the CPU cannot take over: {e}. Reload the page."
                )));
                self.send_backend();
            }
        }
    }

    /// Copies of the weights: for the page ([`Event::Keepsafe`]) and, on the
    /// GPU, the CPU-side one to fall back to. One readback serves both.
    async fn keep_copies(&mut self) {
        let Some(lab) = self.lab.as_ref() else {
            return;
        };
        let (step, epoch, on_gpu) = (lab.steps(), lab.epoch(), lab.gpu().is_some());
        match lab.save().await {
            Ok(weights) => {
                self.copied_at = now();
                // On the CPU there is no fallback copy: the page's takes the bytes.
                let for_page = if on_gpu {
                    let copy = weights.clone();
                    self.snapshot = Some(Snapshot { weights, step });
                    copy
                } else {
                    weights
                };
                self.send(Event::Keepsafe(Keepsafe {
                    step,
                    epoch,
                    config_json: for_page.config_json,
                    weights: ByteBuf::from(for_page.weights),
                }));
            }
            Err(e) => self.failed("cannot copy the weights", e).await,
        }
    }

    async fn maps(&mut self, index: usize) {
        let (Some(lab), Some(data)) = (&self.lab, &self.data) else {
            return;
        };
        if index >= data.test.len() {
            return;
        }
        let raw = data.test.image(index);
        let image: Vec<f32> = raw.iter().map(|&v| f32::from(v) / 255.0).collect();
        let result = match lab.activation_maps(&image).await {
            Ok(layers) => lab.classify(&image).await.map(|p| (layers, p)),
            Err(e) => Err(e),
        };
        match result {
            Ok((layers, p)) => {
                let report = MapsReport {
                    index: index as u32,
                    label: data.test.labels[index],
                    pixels: ByteBuf::from(raw.to_vec()),
                    probabilities: p.to_vec(),
                    layers,
                };
                self.send(Event::Maps(report));
            }
            Err(e) => self.failed("cannot show the maps", e).await,
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

    /// One slice of work: evaluation if one is under way, else training.
    async fn tick(&mut self) {
        if self.eval.is_some() {
            self.evaluate().await;
        } else if self.running {
            self.train().await;
        }
    }

    async fn evaluate(&mut self) {
        let started = now();
        let (Some(lab), Some(eval)) = (&self.lab, self.eval.as_mut()) else {
            self.eval = None;
            return;
        };
        match eval.advance(lab, started + SLICE_MS, SLICE_MS, now).await {
            Ok(true) => {
                let summary = eval.finish(lab, now());
                // What a full test would cost, for the schedule.
                self.test_cost_ms = f64::from(summary.millis) * lab.data().test.len() as f64
                    / f64::from(summary.count.max(1));
                self.tested_at = now();
                self.eval = None;
                self.send(Event::Test(summary));
                self.keep_copies().await;
                // Evaluation time is not training time.
                self.meter.restart(now());
            }
            Ok(false) => {}
            Err(e) => {
                self.eval = None;
                self.failed("cannot evaluate", e).await;
            }
        }
    }

    async fn train(&mut self) {
        let started = now();
        let mut steps = 0;
        let failure = loop {
            let Some(lab) = self.lab.as_mut() else {
                self.running = false;
                return;
            };
            if let (Some(at), Some(gpu)) = (self.lose_gpu_at, lab.gpu())
                && lab.steps() >= at
            {
                gpu.destroy();
                self.lose_gpu_at = None;
            }
            if let Some(at) = self.crash_at
                && lab.steps() >= at
            {
                panic!("deliberate crash at step {at} (the ?crash-worker-at test hook)");
            }
            match lab.step().await {
                Ok(stats) => {
                    steps += 1;
                    self.pending.0 += 1;
                    self.pending.1 += stats.loss;
                    self.pending.2 += stats.accuracy;
                    self.last = Some(stats);
                }
                Err(e) => break Some(e),
            }
            if now() - started >= SLICE_MS {
                break None;
            }
        };
        let t = now();
        self.meter.add(t, steps);
        self.flush_progress();
        if let Some(e) = failure {
            if let Some(reason) = self.gpu_failure(&e) {
                return self.fall_back(reason).await;
            }
            self.running = false;
            self.send(Event::Running(false));
            let message = match e {
                LabError::Diverged { .. } => e.to_string(),
                other => format!("training stopped: {other}"),
            };
            self.send(Event::Diverged(message));
            self.send_views(true).await;
            return;
        }
        self.send_views(false).await;
        let step = self.lab.as_ref().map_or(0, AnyLab::steps);
        let since = self
            .tested_step
            .map_or(u32::MAX, |s| step.saturating_sub(s));
        let quiet = t - self.tested_at;
        let due = since >= TEST_EVERY_STEPS || quiet >= TEST_EVERY_MS;
        if due && quiet >= TEST_SHARE * self.test_cost_ms {
            self.begin_test(None);
        } else if now() - self.copied_at >= COPY_EVERY_MS {
            self.keep_copies().await;
        }
    }

    fn flush_progress(&mut self) {
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
            memory_bytes: crate::worker::meter::wasm_bytes(),
        };
        self.send(Event::Progress(progress));
    }

    /// The batch grid, weight bands and filters, when due (or now, if
    /// `all`). A GPU failure here shows at the next training step.
    async fn send_views(&mut self, all: bool) {
        let (Some(lab), Some(data)) = (&self.lab, &self.data) else {
            return;
        };
        let t = now();
        let mut events = Vec::new();
        if all || t - self.sent_batch_at >= BATCH_EVERY_MS {
            self.sent_batch_at = t;
            let mut grid = DigitGrid::default();
            for (i, predicted, _) in lab.last_batch().into_iter().take(PANEL_DIGITS) {
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
            if let Ok(bands) = lab.bands().await {
                events.push(Event::Bands {
                    step: lab.steps(),
                    bands,
                });
            }
        }
        if all || t - self.sent_filters_at >= FILTERS_EVERY_MS {
            self.sent_filters_at = t;
            if let Ok(filters) = lab.first_layer(MAX_FILTERS).await {
                events.push(Event::Filters(filters));
            }
        }
        for event in events {
            self.send(event);
        }
    }
}
