//! The page's controller: the classes and their examples, the frames on
//! their way to the worker, the heads, and what is kept in the browser.
//!
//! A timer asks for a frame every [`FRAME_MS`]; one frame is in the worker
//! at a time, so on a slow machine frames come as fast as it embeds them
//! and never pile up. A frame is recorded as an example while a class's
//! record button (or its number key) is held; every embedded frame is also
//! predicted, by the trained head or by nearest neighbours, smoothed
//! ([`Smoother`]) so that the game's control does not flicker.
//! Pictures (uploaded or the built-in samples) queue ahead of live frames.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use gloo_worker::{Spawnable, WorkerBridge};
use leptos::prelude::*;
use playnet_engine::Cpu;
use playnet_models::imagenet;
use playnet_webcam::augment::Augmentation;
use playnet_webcam::examples::Example;
use playnet_webcam::game::Direction;
use playnet_webcam::head::{Evaluation, Head, HeadSettings};
use playnet_webcam::knn::knn_scores;
use playnet_webcam::project::{HeadKind, Project, ProjectMeta};
use playnet_webcam::smooth::Smoother;
use playnet_webcam::{MAX_CLASSES, MAX_EXAMPLES};
use serde_bytes::ByteBuf;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{HtmlCanvasElement, HtmlVideoElement, MediaStream};

use super::camera::{self, Frames};
use super::link::LinkOptions;
use super::samples;
use super::store::Store;
use crate::fetch::{fetch_bytes, fetch_text};
use crate::kept::{Kept, Offer};
use crate::pages::mnist::choice;
use crate::worker::protocol::{BackendChoice, BackendReport};
use crate::worker::webcam::WebcamWorker;
use crate::worker::webcam::protocol::{Command, Embedded, EpochReport, Event};

/// A frame is asked for this often (10 frames/s at most).
pub const FRAME_MS: i32 = 100;
/// The ImageNet classes shown for each frame.
pub const TOP: u8 = 5;
/// Thumbnails shown per class (the count says how many there are).
pub const SHOWN_THUMBS: usize = 24;
/// The smoother's weight of a new frame, and the frames a class must lead
/// for before it steers.
const SMOOTHING: f32 = 0.35;
const HOLD: usize = 3;
/// The ImageNet names shipped with the page.
const NAMES: &str = "assets/imagenet/imagenet1k_names.json";

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The classes a new project starts with.
pub fn default_classes() -> Vec<ClassView> {
    Direction::ALL
        .into_iter()
        .enumerate()
        .map(|(i, d)| ClassView {
            key: i as u32,
            name: d.name().to_string(),
            direction: Some(d),
            count: 0,
            thumbs: Vec::new(),
        })
        .collect()
}

/// One class as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassView {
    /// Stable across renames and removals (for the view's keys).
    pub key: u32,
    pub name: String,
    /// Where it steers the game's player, if anywhere.
    pub direction: Option<Direction>,
    pub count: usize,
    /// The latest examples' ids and thumbnails (`data:` URLs).
    pub thumbs: Vec<(u32, String)>,
}

/// Where the frames come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Off,
    Starting,
    Camera,
    /// The built-in sample pictures (see [`samples`]).
    Samples,
    /// The camera could not start; pictures still work.
    Failed,
}

impl Source {
    pub fn id(self) -> &'static str {
        match self {
            Source::Off => "off",
            Source::Starting => "starting",
            Source::Camera => "on",
            Source::Samples => "samples",
            Source::Failed => "failed",
        }
    }
}

/// What the network is doing, for the status readout (`data-phase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    Ready,
    Error,
}

impl Phase {
    pub fn id(self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Ready => "ready",
            Phase::Error => "error",
        }
    }
}

/// The page's signals.
#[derive(Clone, Copy)]
pub struct Ui {
    pub phase: RwSignal<Phase>,
    pub status: RwSignal<String>,
    pub progress: RwSignal<Option<(f64, f64)>>,
    pub source: RwSignal<Source>,
    pub camera_status: RwSignal<String>,
    pub backend: RwSignal<BackendReport>,
    pub choice: RwSignal<BackendChoice>,
    pub classes: RwSignal<Vec<ClassView>>,
    pub recording: RwSignal<Option<usize>>,
    pub top: RwSignal<Vec<(String, f32)>>,
    pub embed_ms: RwSignal<f32>,
    pub fps: RwSignal<f32>,
    pub head_kind: RwSignal<HeadKind>,
    pub settings: RwSignal<HeadSettings>,
    pub k: RwSignal<usize>,
    pub training: RwSignal<bool>,
    pub history: RwSignal<Vec<EpochReport>>,
    pub evaluation: RwSignal<Option<Evaluation>>,
    /// Whether a trained head fits the classes as they are.
    pub head_ready: RwSignal<bool>,
    pub head_note: RwSignal<String>,
    pub confidences: RwSignal<Vec<f32>>,
    pub prediction: RwSignal<Option<usize>>,
    pub augment: RwSignal<bool>,
    pub include_examples: RwSignal<bool>,
    pub notes: RwSignal<Vec<String>>,
    /// What a reload brought back from this browser ("Restored your project…").
    pub kept: RwSignal<Option<Kept>>,
    pub hide_text: bool,
}

/// What a frame in the worker is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Live,
    /// An example of this class (recorded or a picture).
    Example(usize),
}

struct Pending {
    purpose: Purpose,
    thumbnail: Vec<u8>,
}

/// A picture waiting for the worker.
struct Queued {
    class: usize,
    rgba: Vec<u8>,
    thumbnail: Vec<u8>,
}

/// The controller; see the module documentation.
pub struct Controller {
    pub ui: Ui,
    link: LinkOptions,
    bridge: RefCell<Option<WorkerBridge<WebcamWorker>>>,
    frames: RefCell<Option<Frames>>,
    sample_canvas: RefCell<Option<HtmlCanvasElement>>,
    video: RefCell<Option<HtmlVideoElement>>,
    stream: RefCell<Option<MediaStream>>,
    examples: RefCell<Vec<(u32, Example)>>,
    next_example: Cell<u32>,
    next_frame: Cell<u32>,
    next_class_key: Cell<u32>,
    pending: RefCell<HashMap<u32, Pending>>,
    queue: RefCell<VecDeque<Queued>>,
    /// When the frame now in the worker was sent.
    in_flight: Cell<Option<f64>>,
    frame_times: RefCell<VecDeque<f64>>,
    names: RefCell<Vec<String>>,
    head: RefCell<Option<Head<Cpu>>>,
    head_bytes: RefCell<Option<Vec<u8>>>,
    smoother: RefCell<Smoother>,
    store: RefCell<Option<Store>>,
    timer: Cell<Option<i32>>,
    tick: RefCell<Option<Closure<dyn FnMut()>>>,
    loaded: Cell<bool>,
    seed: Cell<u32>,
    detached: Cell<bool>,
}

impl Controller {
    pub fn new(link: LinkOptions) -> Rc<Controller> {
        let classes = default_classes();
        let ui = Ui {
            phase: RwSignal::new(Phase::Loading),
            status: RwSignal::new("Loading the network…".into()),
            progress: RwSignal::new(None),
            source: RwSignal::new(Source::Off),
            camera_status: RwSignal::new("The camera is off.".into()),
            backend: RwSignal::new(BackendReport::default()),
            choice: RwSignal::new(choice::initial(link.backend)),
            recording: RwSignal::new(None),
            top: RwSignal::new(Vec::new()),
            embed_ms: RwSignal::new(0.0),
            fps: RwSignal::new(0.0),
            head_kind: RwSignal::new(link.head.unwrap_or(HeadKind::Dense)),
            settings: RwSignal::new(HeadSettings::default()),
            k: RwSignal::new(5),
            training: RwSignal::new(false),
            history: RwSignal::new(Vec::new()),
            evaluation: RwSignal::new(None),
            head_ready: RwSignal::new(false),
            head_note: RwSignal::new("Not trained yet.".into()),
            confidences: RwSignal::new(Vec::new()),
            prediction: RwSignal::new(None),
            augment: RwSignal::new(false),
            include_examples: RwSignal::new(true),
            notes: RwSignal::new(link.notes.clone()),
            kept: RwSignal::new(None),
            hide_text: link.hide_text,
            classes: RwSignal::new(Vec::new()),
        };
        let count = classes.len();
        ui.classes.set(classes);
        let me = Rc::new(Controller {
            ui,
            link,
            bridge: RefCell::new(None),
            frames: RefCell::new(None),
            sample_canvas: RefCell::new(None),
            video: RefCell::new(None),
            stream: RefCell::new(None),
            examples: RefCell::new(Vec::new()),
            next_example: Cell::new(1),
            next_frame: Cell::new(1),
            next_class_key: Cell::new(count as u32),
            pending: RefCell::new(HashMap::new()),
            queue: RefCell::new(VecDeque::new()),
            in_flight: Cell::new(None),
            frame_times: RefCell::new(VecDeque::new()),
            names: RefCell::new(Vec::new()),
            head: RefCell::new(None),
            head_bytes: RefCell::new(None),
            smoother: RefCell::new(Smoother::new(count, SMOOTHING, HOLD)),
            store: RefCell::new(None),
            timer: Cell::new(None),
            tick: RefCell::new(None),
            loaded: Cell::new(false),
            seed: Cell::new(1),
            detached: Cell::new(false),
        });
        me.spawn_worker();
        let start = me.clone();
        wasm_bindgen_futures::spawn_local(async move { start.start().await });
        me
    }

    /// The elements the controller draws into, once they are mounted.
    pub fn attach(self: &Rc<Self>, video: HtmlVideoElement, view: HtmlCanvasElement) {
        *self.video.borrow_mut() = Some(video);
        *self.frames.borrow_mut() = Frames::new(view);
        let sample = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("canvas").ok())
            .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok());
        if let Some(c) = &sample {
            c.set_width(camera::FRAME);
            c.set_height(camera::FRAME);
        }
        *self.sample_canvas.borrow_mut() = sample;
        let me = Rc::downgrade(self);
        let tick = Closure::<dyn FnMut()>::new(move || {
            if let Some(me) = me.upgrade() {
                me.tick();
            }
        });
        if let Some(window) = web_sys::window() {
            self.timer.set(
                window
                    .set_interval_with_callback_and_timeout_and_arguments_0(
                        tick.as_ref().unchecked_ref(),
                        FRAME_MS,
                    )
                    .ok(),
            );
        }
        *self.tick.borrow_mut() = Some(tick);
        if self.link.samples {
            self.use_samples();
        } else {
            self.start_camera();
        }
    }

    /// Stops the camera, the timer and the worker (the page is left).
    pub fn detach(&self) {
        self.detached.set(true);
        if let (Some(window), Some(id)) = (web_sys::window(), self.timer.take()) {
            window.clear_interval_with_handle(id);
        }
        self.tick.borrow_mut().take();
        if let Some(stream) = self.stream.borrow_mut().take() {
            camera::close(&stream);
        }
        self.bridge.borrow_mut().take();
    }

    fn spawn_worker(self: &Rc<Self>) {
        let me = Rc::downgrade(self);
        let bridge = WebcamWorker::spawner()
            .callback(move |event| {
                if let Some(me) = me.upgrade() {
                    me.on_event(event);
                }
            })
            .spawn_with_loader("./webcam-worker_loader.js");
        bridge.send(Command::Backend(self.ui.choice.get_untracked()));
        *self.bridge.borrow_mut() = Some(bridge);
    }

    fn send(&self, command: Command) {
        if let Some(bridge) = self.bridge.borrow().as_ref() {
            bridge.send(command);
        }
    }

    fn note(&self, note: impl Into<String>) {
        let note = note.into();
        self.ui.notes.update(|n| {
            if !n.contains(&note) {
                n.push(note);
            }
        });
    }

    /// Loads what the browser kept, the class names and the network.
    async fn start(self: Rc<Self>) {
        match Store::open().await {
            Ok(store) => {
                match store.load().await {
                    Ok(saved) => {
                        for note in saved.notes {
                            self.note(note);
                        }
                        if let Some(meta) = saved.meta {
                            let restored = restored_text(
                                meta.classes.len(),
                                saved.examples.len(),
                                saved.head.is_some(),
                            );
                            self.apply(meta, saved.head, saved.examples);
                            if let Some(text) = restored {
                                self.ui.kept.set(Some(Kept::restored(text)));
                            }
                        }
                    }
                    Err(e) => self.note(format!("the saved project could not be read: {e}")),
                }
                *self.store.borrow_mut() = Some(store);
            }
            Err(e) => self.note(format!(
                "this browser will not keep your examples after a reload ({e}); export the \
                 project to keep it"
            )),
        }
        match fetch_text(NAMES)
            .await
            .and_then(|json| imagenet::class_names(&json).map_err(|e| e.to_string()))
        {
            Ok(names) => *self.names.borrow_mut() = names,
            Err(e) => self.note(format!("the ImageNet class names could not be loaded: {e}")),
        }
        self.load_weights().await;
    }

    async fn load_weights(&self) {
        let progress = self.ui.progress;
        let path = self.link.weights_path().to_string();
        match fetch_bytes(&path, move |done, total| progress.set(Some((done, total)))).await {
            Ok(bytes) => {
                self.ui.status.set("Reading the network…".into());
                self.send(Command::Weights(ByteBuf::from(bytes)));
            }
            Err(e) => {
                self.ui.phase.set(Phase::Error);
                self.ui.status.set(format!(
                    "The network could not be downloaded ({e}). Check the connection and reload."
                ));
            }
        }
        progress.set(None);
    }

    /// Replaces the project with `meta`, `head` and `examples`.
    fn apply(&self, meta: ProjectMeta, head: Option<Vec<u8>>, examples: Vec<(u32, Example)>) {
        let classes: Vec<ClassView> = meta
            .classes
            .iter()
            .enumerate()
            .map(|(i, name)| ClassView {
                key: i as u32,
                name: name.clone(),
                direction: meta.directions.get(i).copied().flatten(),
                count: 0,
                thumbs: Vec::new(),
            })
            .collect();
        self.next_class_key.set(classes.len() as u32);
        self.next_example
            .set(examples.iter().map(|(id, _)| id + 1).max().unwrap_or(1));
        *self.examples.borrow_mut() = examples;
        self.ui.classes.set(classes);
        self.ui.settings.set(meta.settings);
        if self.link.head.is_none() {
            self.ui.head_kind.set(meta.head_kind);
        }
        self.ui.k.set(meta.k.max(1));
        self.set_head(head);
        self.ui.evaluation.set(None);
        self.ui.history.set(Vec::new());
        self.refresh_classes();
    }

    /// The project as it is now (without examples or head).
    pub fn meta(&self) -> ProjectMeta {
        let classes = self.ui.classes.get_untracked();
        ProjectMeta {
            classes: classes.iter().map(|c| c.name.clone()).collect(),
            directions: classes.iter().map(|c| c.direction).collect(),
            settings: self.ui.settings.get_untracked(),
            head_kind: self.ui.head_kind.get_untracked(),
            k: self.ui.k.get_untracked(),
        }
    }

    /// Recounts the classes' examples and thumbnails.
    fn refresh_classes(&self) {
        let examples = self.examples.borrow();
        self.ui.classes.update(|classes| {
            for (i, class) in classes.iter_mut().enumerate() {
                let mine: Vec<&(u32, Example)> =
                    examples.iter().filter(|(_, e)| e.class == i).collect();
                class.count = mine.len();
                class.thumbs = mine
                    .iter()
                    .rev()
                    .take(SHOWN_THUMBS)
                    .map(|(id, e)| (*id, String::from_utf8_lossy(&e.thumbnail).into_owned()))
                    .collect();
            }
        });
        let count = self.ui.classes.with_untracked(Vec::len);
        *self.smoother.borrow_mut() = Smoother::new(count, SMOOTHING, HOLD);
        self.ui.confidences.set(Vec::new());
        self.ui.prediction.set(None);
        self.check_head();
    }

    /// Whether the trained head still fits the classes.
    fn check_head(&self) {
        let classes = self.ui.classes.with_untracked(Vec::len);
        let fits = self
            .head
            .borrow()
            .as_ref()
            .is_some_and(|h| h.classes() == classes);
        self.ui.head_ready.set(fits);
        if self.head.borrow().is_some() && !fits {
            self.ui
                .head_note
                .set("The classes changed since training: train again.".into());
        }
    }

    fn set_head(&self, bytes: Option<Vec<u8>>) {
        let head = bytes.as_deref().map(|b| Head::from_bytes(Cpu, b));
        match head {
            Some(Ok(head)) => {
                *self.head.borrow_mut() = Some(head);
                *self.head_bytes.borrow_mut() = bytes;
                self.ui.head_note.set("Trained.".into());
            }
            Some(Err(e)) => {
                self.note(format!(
                    "the saved head could not be read ({e}); train again"
                ));
                *self.head.borrow_mut() = None;
                *self.head_bytes.borrow_mut() = None;
            }
            None => {
                *self.head.borrow_mut() = None;
                *self.head_bytes.borrow_mut() = None;
                self.ui.head_note.set("Not trained yet.".into());
            }
        }
        self.check_head();
    }

    fn with_store(&self, job: impl AsyncFnOnce(Store) -> Result<(), String> + 'static) {
        let Some(store) = self.store.borrow().clone() else {
            return;
        };
        let notes = self.ui.notes;
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = job(store).await {
                let note = format!("could not save in this browser: {e}");
                notes.update(|n| {
                    if !n.contains(&note) {
                        n.push(note);
                    }
                });
            }
        });
    }

    fn save_meta(&self) {
        let meta = self.meta();
        self.with_store(async move |store| store.save_meta(&meta).await);
    }

    // ----- frames -----

    /// Sends the next frame to the worker if none is there.
    fn tick(&self) {
        if self.detached.get() || !self.loaded.get() {
            return;
        }
        let t = now();
        if let Some(sent) = self.in_flight.get()
            && t - sent < 30_000.0
        {
            return;
        }
        let frames = self.frames.borrow();
        let Some(frames) = frames.as_ref() else {
            return;
        };
        if let Some(picture) = self.queue.borrow_mut().pop_front() {
            frames.show(&picture.rgba);
            return self.embed(
                picture.rgba,
                Purpose::Example(picture.class),
                picture.thumbnail,
            );
        }
        let recording = self.ui.recording.get_untracked();
        let augmentation = match recording {
            Some(_) if self.ui.augment.get_untracked() => {
                let seed = self.seed.get();
                self.seed.set(seed.wrapping_add(1));
                Augmentation::sample(u64::from(seed))
            }
            _ => Augmentation::NONE,
        };
        let rgba = match self.ui.source.get_untracked() {
            Source::Camera => self
                .video
                .borrow()
                .as_ref()
                .and_then(|v| frames.grab(v, &augmentation)),
            Source::Samples => {
                let seed = self.seed.get();
                self.seed.set(seed.wrapping_add(1));
                let direction = samples::live_direction(t);
                // What the sample shows, for people reading the page's code and for tests.
                let _ = frames.view.set_attribute("data-scene", direction.name());
                let rgba = self
                    .sample_canvas
                    .borrow()
                    .as_ref()
                    .and_then(|c| samples::arrow(c, direction, u64::from(seed) << 20));
                rgba.map(|mut rgba| {
                    augmentation.apply(&mut rgba, camera::FRAME as usize, camera::FRAME as usize);
                    frames.show(&rgba);
                    rgba
                })
            }
            _ => None,
        };
        let Some(rgba) = rgba else { return };
        let (purpose, thumbnail) = match recording {
            Some(class) if self.room() => (Purpose::Example(class), frames.thumbnail()),
            _ => (Purpose::Live, Vec::new()),
        };
        self.embed(rgba, purpose, thumbnail);
    }

    /// Whether another example fits (a note says so when not).
    fn room(&self) -> bool {
        let fits = self.examples.borrow().len() + self.queue.borrow().len() < MAX_EXAMPLES;
        if !fits {
            self.note(format!(
                "a project holds at most {MAX_EXAMPLES} examples: delete some to record more"
            ));
        }
        fits
    }

    fn embed(&self, rgba: Vec<u8>, purpose: Purpose, thumbnail: Vec<u8>) {
        let id = self.next_frame.get();
        self.next_frame.set(id.wrapping_add(1));
        self.pending
            .borrow_mut()
            .insert(id, Pending { purpose, thumbnail });
        self.in_flight.set(Some(now()));
        self.send(Command::Embed {
            id,
            pixels: ByteBuf::from(rgba),
            top: TOP,
        });
    }

    fn on_embedded(&self, e: Embedded) {
        crate::memory::worker_reported(e.memory_bytes);
        self.in_flight.set(None);
        let Some(pending) = self.pending.borrow_mut().remove(&e.id) else {
            return;
        };
        self.ui.embed_ms.set(e.ms);
        {
            let mut times = self.frame_times.borrow_mut();
            let t = now();
            times.push_back(t);
            while times.front().is_some_and(|&f| t - f > 2000.0) {
                times.pop_front();
            }
            if let (Some(first), n) = (times.front(), times.len())
                && n > 1
                && t > *first
            {
                self.ui
                    .fps
                    .set(((n - 1) as f64 * 1000.0 / (t - first)) as f32);
            }
        }
        let names = self.names.borrow();
        self.ui.top.set(
            e.top
                .iter()
                .map(|&(class, p)| {
                    let name = names
                        .get(class as usize)
                        .cloned()
                        .unwrap_or_else(|| format!("class {class}"));
                    (name, p)
                })
                .collect(),
        );
        drop(names);
        if let Purpose::Example(class) = pending.purpose
            && class < self.ui.classes.with_untracked(Vec::len)
        {
            self.add_example(Example {
                class,
                embedding: e.embedding.clone(),
                thumbnail: pending.thumbnail,
            });
        }
        self.predict(&e.embedding);
    }

    fn add_example(&self, example: Example) {
        let id = self.next_example.get();
        self.next_example.set(id + 1);
        let class = example.class;
        let thumb = String::from_utf8_lossy(&example.thumbnail).into_owned();
        let stored = example.clone();
        self.with_store(async move |store| store.put_example(id, &stored).await);
        self.examples.borrow_mut().push((id, example));
        self.ui.classes.update(|classes| {
            if let Some(c) = classes.get_mut(class) {
                c.count += 1;
                c.thumbs.insert(0, (id, thumb));
                c.thumbs.truncate(SHOWN_THUMBS);
            }
        });
    }

    /// The head's (or the neighbours') view of one embedding, smoothed.
    fn predict(&self, embedding: &[f32]) {
        let classes = self.ui.classes.with_untracked(Vec::len);
        let probabilities = match self.ui.head_kind.get_untracked() {
            HeadKind::Knn => {
                let examples = self.examples.borrow();
                (!examples.is_empty()).then(|| {
                    let refs: Vec<(usize, &[f32])> = examples
                        .iter()
                        .map(|(_, e)| (e.class, e.embedding.as_slice()))
                        .collect();
                    knn_scores(&refs, embedding, classes, self.ui.k.get_untracked())
                })
            }
            HeadKind::Dense => self
                .head
                .borrow()
                .as_ref()
                .filter(|h| h.classes() == classes)
                .and_then(|h| h.predict(embedding).ok()),
        };
        match probabilities {
            Some(p) if p.len() == classes => {
                let mut smoother = self.smoother.borrow_mut();
                let smoothed = smoother.push(&p).to_vec();
                self.ui.confidences.set(smoothed);
                self.ui.prediction.set(smoother.leader());
            }
            _ => {
                self.ui.confidences.set(Vec::new());
                self.ui.prediction.set(None);
            }
        }
    }

    // ----- the worker's events -----

    fn on_event(&self, event: Event) {
        match event {
            Event::Loaded { parameters, ms } => {
                self.loaded.set(true);
                self.ui.phase.set(Phase::Ready);
                self.ui.status.set(format!(
                    "EfficientNet-Lite0 is ready ({:.1} M parameters, built in {:.0} ms).",
                    f64::from(parameters) / 1e6,
                    ms
                ));
            }
            Event::LoadFailed(why) => {
                self.ui.phase.set(Phase::Error);
                self.ui.status.set(why);
            }
            Event::Backend(report) => self.ui.backend.set(report),
            Event::FellBack(reason) => self.note(format!(
                "WebGPU failed ({reason}); the CPU embeds from now on"
            )),
            Event::Embedded(e) => self.on_embedded(e),
            Event::EmbedFailed { id, reason } => {
                self.in_flight.set(None);
                self.pending.borrow_mut().remove(&id);
                self.note(format!("a frame could not be embedded: {reason}"));
            }
            Event::Epoch(report) => self.ui.history.update(|h| h.push(report)),
            Event::Trained {
                head,
                evaluation,
                ms,
            } => {
                self.ui.training.set(false);
                let bytes = head.into_vec();
                self.set_head(Some(bytes.clone()));
                match serde_json::from_str::<Evaluation>(&evaluation) {
                    Ok(e) => self.ui.evaluation.set(Some(e)),
                    Err(e) => self.note(format!("the evaluation could not be read: {e}")),
                }
                self.ui
                    .head_note
                    .set(format!("Trained in {:.1} s.", ms / 1000.0));
                self.with_store(async move |store| store.save_head(Some(&bytes)).await);
            }
            Event::TrainFailed(why) => {
                self.ui.training.set(false);
                self.ui.head_note.set(format!("Training failed: {why}"));
            }
            Event::Crashed(why) => {
                self.loaded.set(false);
                self.in_flight.set(None);
                self.ui.phase.set(Phase::Error);
                self.ui.training.set(false);
                self.ui.status.set(format!(
                    "The network's worker stopped ({why}). Reload the page; your examples are kept."
                ));
            }
        }
    }

    // ----- what people do -----

    pub fn start_camera(self: &Rc<Self>) {
        let Some(video) = self.video.borrow().clone() else {
            return;
        };
        self.ui.source.set(Source::Starting);
        self.ui
            .camera_status
            .set("Asking for the camera… (allow it when the browser asks)".into());
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match camera::open(&video).await {
                Ok(stream) => {
                    if me.detached.get() {
                        return camera::close(&stream);
                    }
                    *me.stream.borrow_mut() = Some(stream);
                    me.ui.source.set(Source::Camera);
                    me.ui.camera_status.set(
                        "The camera is on. Nothing leaves this page: frames are turned into \
                         numbers here."
                            .into(),
                    );
                }
                Err(why) => {
                    me.ui.source.set(Source::Failed);
                    me.ui.camera_status.set(why);
                }
            }
        });
    }

    /// Live frames from the sample pictures instead of the camera.
    pub fn use_samples(&self) {
        if let Some(stream) = self.stream.borrow_mut().take() {
            camera::close(&stream);
        }
        self.ui.source.set(Source::Samples);
        self.ui.camera_status.set(
            "Showing sample pictures: arrows turning up, right, down and left every 3 seconds."
                .into(),
        );
    }

    /// Adds [`samples::PER_CLASS`] sample pictures to each class that
    /// steers, of its direction.
    pub fn add_samples(&self) {
        let canvas = self.sample_canvas.borrow();
        let Some(canvas) = canvas.as_ref() else {
            return;
        };
        let frames = self.frames.borrow();
        let Some(frames) = frames.as_ref() else {
            return;
        };
        let classes = self.ui.classes.get_untracked();
        let mut added = 0;
        for (class, view) in classes.iter().enumerate() {
            let Some(direction) = view.direction else {
                continue;
            };
            for n in 0..samples::PER_CLASS {
                if !self.room() {
                    break;
                }
                let seed = (class as u64) << 32 | n as u64;
                if let Some(rgba) = samples::arrow(canvas, direction, seed) {
                    frames.show(&rgba);
                    self.queue.borrow_mut().push_back(Queued {
                        class,
                        rgba,
                        thumbnail: frames.thumbnail(),
                    });
                    added += 1;
                }
            }
        }
        if added == 0 {
            self.note("no class steers the game, so no sample arrows were added");
        }
    }

    /// Pictures chosen for `class`, decoded and queued.
    pub fn add_pictures(self: &Rc<Self>, class: usize, files: Vec<web_sys::File>) {
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            for file in files {
                match camera::decode(&file).await {
                    Ok(bitmap) => {
                        let frames = me.frames.borrow();
                        let Some(frames) = frames.as_ref() else {
                            return;
                        };
                        if !me.room() {
                            return;
                        }
                        if let Some(rgba) = frames.picture(&bitmap) {
                            me.queue.borrow_mut().push_back(Queued {
                                class,
                                rgba,
                                thumbnail: frames.thumbnail(),
                            });
                        }
                    }
                    Err(why) => me.note(why),
                }
            }
        });
    }

    pub fn rename(&self, class: usize, name: String) {
        let name: String = name.trim().chars().take(40).collect();
        if name.is_empty() {
            return;
        }
        self.ui.classes.update(|c| {
            if let Some(c) = c.get_mut(class) {
                c.name = name;
            }
        });
        self.save_meta();
    }

    pub fn set_direction(&self, class: usize, direction: Option<Direction>) {
        self.ui.classes.update(|c| {
            if let Some(c) = c.get_mut(class) {
                c.direction = direction;
            }
        });
        self.save_meta();
    }

    /// A new class; "background" is suggested when there is none.
    pub fn add_class(&self) {
        let count = self.ui.classes.with_untracked(Vec::len);
        if count >= MAX_CLASSES {
            return;
        }
        let has_background = self
            .ui
            .classes
            .with_untracked(|c| c.iter().any(|c| c.name == "background"));
        let name = if has_background {
            format!("class {}", count + 1)
        } else {
            "background".to_string()
        };
        let key = self.next_class_key.get();
        self.next_class_key.set(key + 1);
        self.ui.classes.update(|c| {
            c.push(ClassView {
                key,
                name,
                direction: None,
                count: 0,
                thumbs: Vec::new(),
            })
        });
        self.refresh_classes();
        self.save_meta();
    }

    /// Removes a class and its examples (later classes move up one).
    pub fn remove_class(&self, class: usize) {
        if self.ui.classes.with_untracked(Vec::len) <= 2 {
            return self.note("a project needs at least two classes");
        }
        self.ui.classes.update(|c| {
            c.remove(class);
        });
        {
            let mut examples = self.examples.borrow_mut();
            examples.retain(|(_, e)| e.class != class);
            for (_, e) in examples.iter_mut() {
                if e.class > class {
                    e.class -= 1;
                }
            }
        }
        self.refresh_classes();
        let examples = self.examples.borrow().clone();
        self.with_store(async move |store| store.replace_examples(&examples).await);
        self.save_meta();
    }

    /// Deletes one example.
    pub fn delete_example(&self, id: u32) {
        self.examples.borrow_mut().retain(|(i, _)| *i != id);
        self.refresh_classes();
        self.with_store(async move |store| store.delete_example(id).await);
    }

    /// Deletes a class's examples.
    pub fn clear_class(&self, class: usize) {
        let gone: Vec<u32> = self
            .examples
            .borrow()
            .iter()
            .filter(|(_, e)| e.class == class)
            .map(|(id, _)| *id)
            .collect();
        self.examples.borrow_mut().retain(|(_, e)| e.class != class);
        self.refresh_classes();
        self.with_store(async move |store| {
            for id in gone {
                store.delete_example(id).await?;
            }
            Ok(())
        });
    }

    pub fn set_head_kind(&self, kind: HeadKind) {
        self.ui.head_kind.set(kind);
        self.smoother.borrow_mut().reset();
        self.save_meta();
    }

    pub fn set_settings(&self, settings: HeadSettings) {
        self.ui.settings.set(settings);
        self.save_meta();
    }

    pub fn set_k(&self, k: usize) {
        self.ui.k.set(k.clamp(1, 50));
        self.save_meta();
    }

    pub fn choose_backend(&self, choice: BackendChoice) {
        self.ui.choice.set(choice);
        choice::remember(choice);
        self.send(Command::Backend(choice));
    }

    /// Trains a fresh head on every example.
    pub fn train(&self) {
        let settings = self.ui.settings.get_untracked();
        if let Err(e) = settings.validate() {
            return self.ui.head_note.set(e.to_string());
        }
        let examples = self.examples.borrow();
        let classes = self.ui.classes.with_untracked(Vec::len);
        let with_examples = (0..classes)
            .filter(|&c| examples.iter().any(|(_, e)| e.class == c))
            .count();
        if with_examples < 2 {
            return self
                .ui
                .head_note
                .set("Record examples of at least two classes first.".into());
        }
        let mut embeddings = Vec::with_capacity(examples.len() * playnet_webcam::EMBEDDING);
        let mut labels = Vec::with_capacity(examples.len());
        for (_, e) in examples.iter() {
            embeddings.extend_from_slice(&e.embedding);
            labels.push(e.class as u8);
        }
        let seed = self.seed.get();
        self.seed.set(seed.wrapping_add(1));
        self.ui.history.set(Vec::new());
        self.ui.evaluation.set(None);
        self.ui.training.set(true);
        self.ui.head_note.set("Training…".into());
        self.send(Command::Train {
            embeddings,
            labels,
            classes: classes as u8,
            settings: serde_json::to_string(&settings).unwrap_or_default(),
            seed,
        });
    }

    pub fn stop_training(&self) {
        self.send(Command::StopTraining);
    }

    /// The project as a file.
    pub fn export(&self) -> Result<Vec<u8>, String> {
        let project = Project {
            meta: self.meta(),
            head: self.head_bytes.borrow().clone(),
            examples: self
                .examples
                .borrow()
                .iter()
                .map(|(_, e)| e.clone())
                .collect(),
        };
        project
            .to_bytes(self.ui.include_examples.get_untracked())
            .map_err(|e| e.to_string())
    }

    /// Replaces the project with a file's (refused with the reason if it
    /// is not one).
    pub fn import(&self, bytes: &[u8]) -> Result<(), String> {
        let project = Project::from_bytes(bytes).map_err(|e| e.to_string())?;
        let examples: Vec<(u32, Example)> = project
            .examples
            .into_iter()
            .enumerate()
            .map(|(i, e)| (i as u32 + 1, e))
            .collect();
        let meta = project.meta;
        let head = project.head;
        self.apply(meta.clone(), head.clone(), examples.clone());
        self.with_store(async move |store| {
            store.save_meta(&meta).await?;
            store.save_head(head.as_deref()).await?;
            store.replace_examples(&examples).await
        });
        Ok(())
    }

    /// The kept note's Start fresh: forgets the restored project.
    pub fn kept_offer(&self, offer: Offer) {
        if offer == Offer::StartFresh {
            self.clear_all();
            self.ui
                .status
                .set("Started fresh: no classes recorded, no trained head.".into());
        }
    }

    /// Forgets every class, example and head, here and in the browser.
    pub fn clear_all(&self) {
        self.ui.kept.set(None);
        self.queue.borrow_mut().clear();
        self.examples.borrow_mut().clear();
        self.next_class_key.set(4);
        self.ui.classes.set(default_classes());
        self.ui.settings.set(HeadSettings::default());
        self.set_head(None);
        self.ui.evaluation.set(None);
        self.ui.history.set(Vec::new());
        self.refresh_classes();
        self.with_store(async move |store| store.clear().await);
    }
}
/// What the page says when a reload brought a project back, if there was
/// anything to bring (a project with no example and no head is the page as
/// it opens).
fn restored_text(classes: usize, examples: usize, head: bool) -> Option<String> {
    if examples == 0 && !head {
        return None;
    }
    let plural = |n: usize, one: &str, many: &str| {
        format!(
            "{} {}",
            crate::format::thousands(n as u64),
            if n == 1 { one } else { many }
        )
    };
    let mut text = format!(
        "Restored your project from this browser: {}, {}",
        plural(classes, "class", "classes"),
        plural(examples, "example", "examples")
    );
    if head {
        text.push_str(" and the trained head");
    }
    text.push('.');
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::restored_text;

    #[test]
    fn a_restored_project_is_named_with_its_counts() {
        assert_eq!(restored_text(4, 0, false), None);
        assert_eq!(
            restored_text(3, 1_204, true).as_deref(),
            Some(
                "Restored your project from this browser: 3 classes, 1,204 examples and the trained head."
            )
        );
        assert_eq!(
            restored_text(1, 1, false).as_deref(),
            Some("Restored your project from this browser: 1 class, 1 example.")
        );
    }
}
