//! The Playground page, first cut: a small network trains live on a 2-D data
//! set, epoch by epoch, while the decision regions and the losses update.
//!
//! The [`Controller`] owns the training session (outside the reactive graph:
//! it is plain Rust state) and pushes what the page shows into signals once
//! per animation frame.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_data::{DatasetKind, feature_matrix};
use playnet_engine::{Backend, Cpu, Tensor, ready};
use playnet_playground::{PlaygroundConfig, Session};

use crate::format;
use crate::heatmap::{self, DENSITY, Palette};

/// Everything the page shows about training, as signals.
#[derive(Clone, Copy)]
struct Readouts {
    epoch: RwSignal<u64>,
    train_loss: RwSignal<f32>,
    test_loss: RwSignal<f32>,
    accuracy: RwSignal<Option<f32>>,
    playing: RwSignal<bool>,
    status: RwSignal<String>,
}

/// A session plus the heatmap grid's inputs for its features.
struct Live {
    session: Session<Cpu>,
    grid: Tensor<Cpu>,
}

impl Live {
    fn new(config: PlaygroundConfig) -> Result<Live, String> {
        let inputs = feature_matrix(&heatmap::grid(DENSITY), &config.features);
        let width = config.features.len();
        let grid = Tensor::from_slice(&Cpu, &inputs, [DENSITY * DENSITY, width])
            .map_err(|e| e.to_string())?;
        let session = Session::new(Cpu, config).map_err(|e| e.to_string())?;
        Ok(Live { session, grid })
    }
}

/// Drives training from button presses and animation frames.
struct Controller {
    live: RefCell<Option<Live>>,
    /// Bumped on every Play, so a stale frame loop knows to stop.
    run: Cell<u32>,
    ui: Readouts,
    heatmap: NodeRef<Canvas>,
    points: NodeRef<Canvas>,
}

impl Controller {
    fn load(&self, config: PlaygroundConfig) {
        match Live::new(config) {
            Ok(live) => {
                *self.live.borrow_mut() = Some(live);
                self.ui.status.set(String::new());
            }
            Err(e) => self.fail(format!("Cannot build this playground: {e}")),
        }
        self.refresh();
    }

    fn fail(&self, message: String) {
        self.ui.playing.set(false);
        self.ui.status.set(message);
    }

    /// One epoch, then redraw.
    fn step(&self) {
        let result = match self.live.borrow_mut().as_mut() {
            Some(live) => live.session.train_epoch().map_err(|e| e.to_string()),
            None => return,
        };
        match result {
            Ok(()) => self.refresh(),
            Err(e) => self.fail(format!("Training stopped: {e}")),
        }
    }

    fn reset(&self) {
        let result = match self.live.borrow_mut().as_mut() {
            Some(live) => live.session.reset().map_err(|e| e.to_string()),
            None => return,
        };
        match result {
            Ok(()) => {
                self.ui.status.set(String::new());
                self.refresh();
            }
            Err(e) => self.fail(format!("Cannot reset: {e}")),
        }
    }

    /// Reads the metrics and repaints the output heatmap.
    fn refresh(&self) {
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
        if metrics.diverged() {
            self.fail("diverged — lower the learning rate or reset".into());
        }
        if let Err(e) = self.paint(live) {
            self.fail(format!("Cannot draw the heatmap: {e:?}"));
        }
    }

    fn paint(&self, live: &Live) -> Result<(), wasm_bindgen::JsValue> {
        let (Some(heat), Some(points)) =
            (self.heatmap.get_untracked(), self.points.get_untracked())
        else {
            return Ok(()); // not mounted yet
        };
        let session = &live.session;
        let config = session.config();
        let palette = Palette {
            loss: config.effective_loss(),
            problem: config.dataset.problem(),
            outputs: config.outputs(),
        };
        let outputs = session
            .model()
            .predict(&live.grid)
            .and_then(|t| ready(Cpu.read(t.buffer()))?)
            .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))?;
        heatmap::paint(&heat, &palette.pixels(&outputs), DENSITY)?;
        heatmap::draw_points(&points, &palette, &session.split().train, None)
    }

    fn toggle_play(self: &Rc<Self>) {
        if self.ui.playing.get_untracked() {
            self.ui.playing.set(false);
        } else {
            self.ui.playing.set(true);
            self.run.set(self.run.get().wrapping_add(1));
            self.clone().next_frame(self.run.get());
        }
    }

    fn next_frame(self: Rc<Self>, run: u32) {
        request_animation_frame(move || {
            if self.ui.playing.get_untracked() && self.run.get() == run {
                self.step();
                self.next_frame(run);
            }
        });
    }
}

/// The Playground page.
#[component]
pub fn Playground() -> impl IntoView {
    let ui = Readouts {
        epoch: RwSignal::new(0),
        train_loss: RwSignal::new(f32::NAN),
        test_loss: RwSignal::new(f32::NAN),
        accuracy: RwSignal::new(None),
        playing: RwSignal::new(false),
        status: RwSignal::new(String::new()),
    };
    let controller = Rc::new(Controller {
        live: RefCell::new(None),
        run: Cell::new(0),
        ui,
        heatmap: NodeRef::new(),
        points: NodeRef::new(),
    });
    let dataset = RwSignal::new(PlaygroundConfig::default().dataset);
    controller.load(PlaygroundConfig::default());
    {
        // Paint once the canvases exist.
        let c = controller.clone();
        request_animation_frame(move || c.refresh());
    }
    // Leaving the page stops the frame loop (signals are Send; the controller is not).
    let playing = ui.playing;
    on_cleanup(move || playing.set(false));

    let (c_play, c_step, c_reset, c_data) = (
        controller.clone(),
        controller.clone(),
        controller.clone(),
        controller.clone(),
    );
    let on_dataset = move |ev| {
        let Ok(kind) = event_target_value(&ev).parse::<DatasetKind>() else {
            return;
        };
        dataset.set(kind);
        c_data.load(PlaygroundConfig {
            dataset: kind,
            ..PlaygroundConfig::default()
        });
    };

    view! {
        <section class="playground">
            <div class="controls">
                <button data-testid="reset" title="New random weights, same data" on:click=move |_| c_reset.reset()>
                    "Reset"
                </button>
                <button data-testid="play" class="play" on:click=move |_| c_play.toggle_play()>
                    {move || if ui.playing.get() { "Pause" } else { "Play" }}
                </button>
                <button data-testid="step" title="Train exactly one epoch" on:click=move |_| c_step.step()>
                    "Step"
                </button>
                <div class="metric">
                    <span class="label">"Epoch"</span>
                    <span class="value" data-testid="epoch">{move || format::epoch(ui.epoch.get())}</span>
                </div>
                <label class="metric">
                    <span class="label">"Data"</span>
                    <select data-testid="dataset" on:change=on_dataset>
                        {DatasetKind::ALL
                            .into_iter()
                            .map(|kind| {
                                view! {
                                    <option value=kind.name() selected=move || dataset.get() == kind>
                                        {kind.name()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
            <div class="output">
                <div class="heatmap" data-testid="heatmap-output">
                    <canvas class="regions" node_ref=controller.heatmap></canvas>
                    <canvas class="points" width="400" height="400" node_ref=controller.points></canvas>
                </div>
                <div class="readout">
                    <div class="metric">
                        <span class="label">"Test loss"</span>
                        <span class="value" data-testid="test-loss">{move || format::loss(ui.test_loss.get())}</span>
                    </div>
                    <div class="metric">
                        <span class="label">"Training loss"</span>
                        <span class="value" data-testid="train-loss">{move || format::loss(ui.train_loss.get())}</span>
                    </div>
                    <div class="metric">
                        <span class="label">"Test accuracy"</span>
                        <span class="value" data-testid="accuracy">
                            {move || ui.accuracy.get().map(format::percent).unwrap_or_else(|| "—".into())}
                        </span>
                    </div>
                    <div class="metric">
                        <span class="label">"Computing on"</span>
                        <span class="value" data-testid="backend">{Cpu.name()}</span>
                    </div>
                    <p class="status" data-testid="status" role="status">{move || ui.status.get()}</p>
                </div>
            </div>
            <p class="explain">
                "A network with two hidden layers (4 and 2 tanh neurons) learns to separate the orange \
                 points from the blue ones. The background shows what it predicts at every spot of the \
                 plane; press Play and watch the regions bend to fit the data as the test loss falls."
            </p>
        </section>
    }
}
