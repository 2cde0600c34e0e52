//! The MNIST lab (`#/mnist`): train the networks of Görner's lecture, or one
//! of your own, on the full MNIST set in a Web Worker, and watch it learn.
//!
//! The page downloads the four files (with a progress bar), hands them to
//! the worker (`crate::worker`, the second wasm binary), and
//! shows what the worker reports: readouts, curves, weight bands, the
//! current batch, test mistakes, a confusion matrix, first-layer filters,
//! activation maps, and a pad to draw a digit on. The link's options
//! (`?preset=`, `?backend=`, `?data=`, see [`link`]) are read once, and a
//! value the page cannot use gets a note.
//!
//! The lab lives as long as the app: its controller (and so the worker and
//! the network) is made on the first visit and kept when another page is
//! shown, so coming back finds training where it was.

pub(crate) mod choice;
mod controller;
mod draw;
mod editor;
mod fetch;
pub(crate) mod link;
mod pad;
pub(crate) mod store;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use playnet_mnist::{PRESETS, preset};

use controller::{Controller, Phase, thousands};
use link::LinkOptions;

/// Percent with one decimal, or a dash.
fn percent(v: Option<f32>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "—".into(), |v| format!("{:.2}%", v * 100.0))
}

fn decimal(v: Option<f32>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "—".into(), |v| format!("{v:.4}"))
}

thread_local! {
    /// The lab's controller and the reactive owner of its signals, made on
    /// the first visit and kept for the app's lifetime.
    static LAB: RefCell<Option<(Owner, Rc<Controller>)>> = const { RefCell::new(None) };
}

/// The lab's controller: the one already running (which follows the new
/// link's preset and backend), or a new one for this link.
fn lab_controller(link: LinkOptions) -> Rc<Controller> {
    if let Some(controller) = LAB.with_borrow(|lab| lab.as_ref().map(|(_, c)| c.clone())) {
        controller.attach();
        controller.follow(link);
        return controller;
    }
    // A root owner: the page's own owner goes when another page is shown.
    let owner = Owner::new_root(None);
    let controller = owner.with(|| Controller::new(link));
    LAB.with_borrow_mut(|lab| *lab = Some((owner, controller.clone())));
    controller
}

/// The backend of the lab already running (its short name and why it was
/// chosen), if it has been opened.
pub fn running_backend() -> Option<(RwSignal<String>, RwSignal<String>)> {
    LAB.with_borrow(|lab| {
        lab.as_ref()
            .map(|(_, c)| (c.ui.backend, c.ui.backend_detail))
    })
}

/// The MNIST lab page.
#[component]
pub fn MnistLab() -> impl IntoView {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let controller = lab_controller(LinkOptions::read(&hash));
    {
        // Cleanup runs on this (the only) thread; the wrapper only satisfies
        // `on_cleanup`'s `Send` bound.
        let c = send_wrapper::SendWrapper::new(controller.clone());
        on_cleanup(move || c.detach());
    }
    let ui = controller.ui;

    view! {
        <section class="mnist" data-testid="mnist-lab">
            <h1 class="visually-hidden">"MNIST lab: train a digit classifier"</h1>
            <LoadBar controller=controller.clone() />
            <ul class="url-notes" data-testid="url-notes" class:hidden=move || ui.notes.with(Vec::is_empty)>
                {move || ui.notes.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
            <crate::kept::KeptNote kept=ui.kept on_offer={
                let c = controller.clone();
                std::rc::Rc::new(move |offer| c.kept_offer(offer))
            } />
            <div class="mnist-layout">
                <aside class="mnist-presets">
                    <Presets controller=controller.clone() />
                    <editor::Editor controller=controller.clone() />
                </aside>
                <div class="mnist-main">
                    <Controls controller=controller.clone() />
                    <Confirm controller=controller.clone() />
                    <Readouts controller=controller.clone() />
                    <Charts controller=controller.clone() />
                    <Digits controller=controller.clone() />
                    <Inside controller=controller.clone() />
                </div>
                <aside class="mnist-side">
                    <h2>"Draw a digit"</h2>
                    <pad::Pad controller=controller.clone() />
                    <ModelFiles controller=controller.clone() />
                </aside>
            </div>
            <p class="mnist-frames muted">
                "Frames drawn: " <span data-testid="frame-counter">{move || ui.frames.get()}</span>
                " — the page keeps drawing while the worker trains."
            </p>
        </section>
    }
}

/// The question before a trained network is thrown away.
#[component]
fn Confirm(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let (yes, no) = (controller.clone(), controller);
    view! {
        <div class="mnist-confirm" role="alertdialog" aria-live="assertive" data-testid="discard-confirm" class:hidden=move || ui.confirm.with(Option::is_none)>
            <span data-testid="discard-question">{move || ui.confirm.get().unwrap_or_default()}</span>
            " "
            <button class="danger" data-testid="discard-yes" on:click=move |_| yes.answer(true)>"Replace it"</button>
            " "
            <button data-testid="discard-no" on:click=move |_| no.answer(false)>"Keep training this one"</button>
        </div>
    }
}

#[component]
fn LoadBar(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    // Reactive views want `Send`; the page has one thread.
    let retry = send_wrapper::SendWrapper::new(controller);
    let mb = |bytes: f64| format!("{:.1} MB", bytes / 1e6);
    view! {
        <div class="mnist-load" class:failed=move || ui.phase.get() == Phase::Failed>
            <progress
                data-testid="mnist-progress"
                max=move || { let (_, total) = ui.download.get(); if total > 0.0 { total } else { 1.0 } }
                value=move || { let (loaded, total) = ui.download.get(); if total > 0.0 { loaded } else { 0.0 } }
                class:hidden=move || ui.phase.get() == Phase::Ready
            ></progress>
            <span class="bytes" class:hidden=move || ui.phase.get() != Phase::Downloading>
                {move || {
                    let (loaded, total) = ui.download.get();
                    if total > 0.0 { format!("{} of {}", mb(loaded), mb(total)) } else { mb(loaded) }
                }}
            </span>
            <span class="status" data-testid="mnist-status" data-phase=move || format!("{:?}", ui.phase.get()).to_lowercase() role="status">
                {move || ui.status.get()}
            </span>
            {move || ui.data_failed.get().map(|(_, from_link)| {
                let (again, built_in) = ((*retry).clone(), (*retry).clone());
                view! {
                    " "
                    <button data-testid="mnist-retry" on:click=move |_| again.retry_download(false)>"Try again"</button>
                    {from_link.then(|| view! {
                        " "
                        <button data-testid="mnist-built-in-data" on:click=move |_| built_in.retry_download(true)>"Use the built-in MNIST files"</button>
                    })}
                }
            })}
        </div>
    }
}

#[component]
fn Presets(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let current = move || ui.preset.get().and_then(preset);
    view! {
        <h2>"Görner's networks"</h2>
        <ol class="preset-list">
            {PRESETS
                .into_iter()
                .filter_map(preset)
                .map(|p| {
                    let c = controller.clone();
                    let id = p.id;
                    view! {
                        <li>
                            <button
                                class="preset"
                                class:active=move || ui.preset.get() == Some(id)
                                data-testid=format!("preset-{id}")
                                title=p.summary
                                on:click=move |_| c.choose_preset(id)
                            >
                                <span class="name">{p.name}</span>
                                <span class="figure">{format!("{:.1}%", p.lecture_accuracy * 100.0)}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <div class="preset-summary">
            <p>{move || current().map_or_else(|| "Your own network.".to_string(), |p| p.summary.to_string())}</p>
            <p class="muted">
                {move || current().map_or_else(String::new, |p| format!("The lecture trains {} steps.", thousands(p.steps)))}
                " "
                {move || format!("{} parameters.", thousands(ui.parameters.get()))}
            </p>
        </div>
    }
}

#[component]
fn Controls(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let ready = move || ui.phase.get() == Phase::Ready;
    let (c1, c2, c3, c4, c5) = (
        controller.clone(),
        controller.clone(),
        controller.clone(),
        controller.clone(),
        controller.clone(),
    );
    let started = move || ui.stats.with(Option::is_some);
    // Start is disabled while training and Pause while not: the keyboard's
    // focus moves to the one that can be pressed, instead of to the page.
    let (start_button, pause_button) = (
        NodeRef::<leptos::html::Button>::new(),
        NodeRef::<leptos::html::Button>::new(),
    );
    Effect::new(move |_| {
        let (from, to) = if ui.running.get() {
            (start_button, pause_button)
        } else {
            (pause_button, start_button)
        };
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        // The disabled button may already have handed focus to the body.
        let lost = document.active_element().is_none_or(|f| {
            let is = |node: Option<web_sys::Node>| node.is_some_and(|n| f.is_same_node(Some(&n)));
            is(from.get_untracked().map(Into::into)) || is(document.body().map(Into::into))
        });
        if lost && let Some(b) = to.get_untracked() {
            let _ = b.focus();
        }
    });
    view! {
        <div class="mnist-controls">
            <button class="primary" node_ref=start_button data-testid="mnist-start" disabled=move || !ready() || ui.running.get() on:click=move |_| c1.start()>
                {move || if started() { "Resume" } else { "Start" }}
            </button>
            <button node_ref=pause_button data-testid="mnist-pause" disabled=move || !ui.running.get() on:click=move |_| c2.pause()>"Pause"</button>
            <button data-testid="mnist-reset" disabled=move || !ready() on:click=move |_| c3.reset()>"Reset"</button>
            <label class="simd">
                <input
                    type="checkbox"
                    data-testid="simd-toggle"
                    prop:checked=move || ui.simd.get()
                    on:change=move |ev| c4.set_simd(event_target_checked(&ev))
                />
                " SIMD128 kernels"
            </label>
            <label class="backend-choice">
                "Train on "
                <select
                    data-testid="backend-choice"
                    on:change=move |ev| {
                        if let Some(choice) = choice::from_id(&event_target_value(&ev)) {
                            c5.choose_backend(choice);
                        }
                    }
                >
                    {choice::CHOICES.into_iter().map(|c| view! {
                        <option value=choice::id(c) selected=move || ui.backend_choice.get() == c>{choice::label(c)}</option>
                    }).collect_view()}
                </select>
            </label>
            <span class="backend" title=move || ui.backend_detail.get()>
                "Backend: " <code data-testid="backend">{move || ui.backend.get()}</code>
                " " <span class="backend-detail muted" data-testid="backend-detail">{move || ui.backend_detail.get()}</span>
            </span>
        </div>
    }
}

#[component]
fn Readouts(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let stats = ui.stats;
    let test = ui.test;
    let lecture = move || ui.preset.get().and_then(preset).map(|p| p.lecture_accuracy);
    view! {
        <div class="mnist-readouts">
            <div class="metric big">
                <span class="label">"Test accuracy"</span>
                <span class="value" id="mnist-accuracy-readout" data-testid="test-accuracy">{move || percent(test.with(|t| t.as_ref().map(|t| t.accuracy)))}</span>
                <span class="sub">"lecture: " <span data-testid="lecture-accuracy">{move || percent(lecture())}</span></span>
            </div>
            <div class="metric">
                <span class="label">"Step"</span>
                <span class="value" data-testid="mnist-step">{move || stats.with(|s| s.map_or(0, |s| s.step))}</span>
            </div>
            <div class="metric">
                <span class="label">"Epoch"</span>
                <span class="value" data-testid="mnist-epoch">{move || stats.with(|s| s.map_or(0, |s| s.epoch))}</span>
            </div>
            <div class="metric">
                <span class="label">"Batch accuracy"</span>
                <span class="value" data-testid="train-accuracy">{move || percent(stats.with(|s| s.map(|s| s.accuracy)))}</span>
            </div>
            <div class="metric">
                <span class="label">"Batch loss"</span>
                <span class="value" data-testid="train-loss">{move || decimal(stats.with(|s| s.map(|s| s.loss)))}</span>
            </div>
            <div class="metric">
                <span class="label">"Test loss"</span>
                <span class="value" data-testid="test-loss">{move || decimal(test.with(|t| t.as_ref().map(|t| t.loss)))}</span>
            </div>
            <div class="metric">
                <span class="label">"Learning rate"</span>
                <span class="value" data-testid="learning-rate">{move || stats.with(|s| s.map_or_else(|| "—".into(), |s| format!("{:.5}", s.learning_rate)))}</span>
            </div>
            <div class="metric">
                <span class="label">"Steps/s"</span>
                <span class="value" data-testid="steps-per-second">{move || stats.with(|s| format!("{:.1}", s.map_or(0.0, |s| s.steps_per_second)))}</span>
            </div>
            <div class="metric">
                <span class="label">"Tested at step"</span>
                <span class="value" data-testid="tested-step" data-backend=move || test.with(|t| t.as_ref().map(|t| t.backend.clone()))>{move || test.with(|t| t.as_ref().map_or_else(|| "—".into(), |t| t.step.to_string()))}</span>
                <span class="sub" data-testid="test-mistakes">{move || test.with(|t| t.as_ref().map_or_else(String::new, |t| format!("{} wrong of {}", thousands(t.mistakes), thousands(t.count))))}</span>
            </div>
        </div>
    }
}

#[component]
fn Charts(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let cv = controller.canvases;
    let c = controller.clone();
    view! {
        <div class="mnist-charts">
            <figure>
                <figcaption id="mnist-accuracy-caption">"Accuracy: " <span class="key test">"test"</span> " " <span class="key train">"batch"</span></figcaption>
                <canvas node_ref=cv.accuracy width="480" height="200" data-testid="mnist-accuracy-chart"
                    role="img" aria-labelledby="mnist-accuracy-caption" aria-describedby="mnist-accuracy-readout"
                    on:pointermove={ let c = controller.clone(); move |ev| c.hover_curves(false, Some(f64::from(ev.offset_x()))) }
                    on:pointerleave={ let c = controller.clone(); move |_| c.hover_curves(false, None) }></canvas>
            </figure>
            <figure>
                <figcaption id="mnist-loss-caption">"Loss: " <span class="key test">"test"</span> " " <span class="key train">"batch"</span></figcaption>
                <canvas node_ref=cv.loss width="480" height="200" data-testid="mnist-loss-chart"
                    role="img" aria-labelledby="mnist-loss-caption"
                    on:pointermove={ let c = controller.clone(); move |ev| c.hover_curves(true, Some(f64::from(ev.offset_x()))) }
                    on:pointerleave={ let c = controller.clone(); move |_| c.hover_curves(true, None) }></canvas>
            </figure>
            <p class="chart-hover mnist-curve-hover" data-testid="mnist-curve-hover" aria-live="polite">
                {move || { let t = ui.curve_hover.get(); if t.is_empty() { "Hover a chart to read the curves at a step.".to_string() } else { t } }}
            </p>
            <figure>
                <figcaption id="mnist-weights-caption">
                    "Weights (min, 10/25/50/75/90th percentile, max) of "
                    <select data-testid="band-layer" aria-label="The layer whose weights and biases are shown" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse() {
                            ui.band_layer.set(i);
                            c.repaint_bands();
                        }
                    }>
                        {move || ui.band_layers.get().into_iter().enumerate().map(|(i, name)| {
                            view! { <option value=i.to_string() selected={i == ui.band_layer.get_untracked()}>{name}</option> }
                        }).collect_view()}
                    </select>
                </figcaption>
                <canvas node_ref=cv.weights width="480" height="160" data-testid="mnist-weights-chart"
                    role="img" aria-labelledby="mnist-weights-caption"></canvas>
            </figure>
            <figure>
                <figcaption id="mnist-biases-caption">"Biases (batch norm: γ and β) of the same layer"</figcaption>
                <canvas node_ref=cv.biases width="480" height="160" data-testid="mnist-biases-chart"
                    role="img" aria-labelledby="mnist-biases-caption"></canvas>
            </figure>
        </div>
    }
}

#[component]
fn Digits(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let cv = controller.canvases;
    let c = controller.clone();
    let pick = move |ev: leptos::ev::MouseEvent| {
        let Some(canvas) = cv.test_digits.get_untracked() else {
            return;
        };
        let rect = canvas.get_bounding_client_rect();
        let sx = f64::from(canvas.width()) / rect.width().max(1.0);
        let sy = f64::from(canvas.height()) / rect.height().max(1.0);
        let x = (f64::from(ev.client_x()) - rect.left()) * sx;
        let y = (f64::from(ev.client_y()) - rect.top()) * sy;
        if let Some(index) = c.test_digit_at(x, y) {
            c.choose_test_digit(index);
        }
    };
    view! {
        <div class="mnist-digits">
            <figure>
                <figcaption id="mnist-batch-caption">"This batch: the network's answer under each digit; on red, a mistake (answer ≠ label)."</figcaption>
                <canvas node_ref=cv.batch width="600" height="760" data-testid="mnist-batch"
                    role="img" aria-labelledby="mnist-batch-caption"></canvas>
            </figure>
            <figure>
                <figcaption id="mnist-test-digits-caption">"Test digits, mistakes first (most confident first). Click one to see inside the network."</figcaption>
                <canvas node_ref=cv.test_digits width="600" height="760" data-testid="mnist-test-digits" on:click=pick
                    role="img" aria-labelledby="mnist-test-digits-caption"></canvas>
            </figure>
            <figure class="confusion">
                <figcaption>"Confusion matrix: rows are true digits, columns the network's answers."</figcaption>
                <Confusion test=ui.test />
            </figure>
        </div>
    }
}

#[component]
fn Confusion(test: RwSignal<Option<controller::TestView>>) -> impl IntoView {
    view! {
        <table class="confusion-matrix" data-testid="mnist-confusion">
            <thead>
                <tr>
                    <th><span class="visually-hidden">"true digit ↓, answer →"</span></th>
                    {(0..10).map(|k| view! { <th>{k}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {move || test.with(|t| {
                    let confusion = t.as_ref().map(|t| t.confusion.clone()).unwrap_or_else(|| vec![0; 100]);
                    (0..10usize).map(|row| {
                        let total: u32 = confusion.iter().skip(row * 10).take(10).sum();
                        view! {
                            <tr>
                                <th>{row}</th>
                                {(0..10usize).map(|col| {
                                    let n = confusion.get(row * 10 + col).copied().unwrap_or(0);
                                    let share = if total > 0 { f64::from(n) / f64::from(total) } else { 0.0 };
                                    // Diagonal in green, mistakes in red, deeper for more,
                                    // never so deep that the count is hard to read (at
                                    // most 60%: 5.4:1 or more against the text).
                                    let colour = if row == col {
                                        format!("rgba(46, 125, 50, {:.3})", share.min(0.6))
                                    } else {
                                        format!("rgba(198, 40, 40, {:.3})", (share * 8.0).min(0.6))
                                    };
                                    view! { <td style:background-color=colour class:diagonal={row == col}>{n}</td> }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()
                })}
            </tbody>
        </table>
    }
}

#[component]
fn Inside(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let cv = controller.canvases;
    view! {
        <div class="mnist-inside">
            <figure>
                <figcaption id="mnist-filters-caption">"First layer's weights (blue negative, red positive): one image per unit or filter."</figcaption>
                <canvas node_ref=cv.filters width="300" height="40" data-testid="mnist-filters"
                    role="img" aria-labelledby="mnist-filters-caption"></canvas>
            </figure>
            <figure>
                <figcaption id="mnist-maps-caption">
                    {move || match (ui.has_maps.get(), ui.chosen.get()) {
                        (false, _) => "Activation maps: this network has no convolution layers.".to_string(),
                        (true, None) => "Activation maps: click a test digit above.".to_string(),
                        (true, Some((index, label, p))) => {
                            let best = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(k, _)| k);
                            format!("Activation maps of test digit #{index} ({} {label}; the network says {best}, {:.1}%).", if label == 8 { "an" } else { "a" }, p.get(best).copied().unwrap_or(0.0) * 100.0)
                        }
                    }}
                </figcaption>
                <canvas node_ref=cv.maps width="300" height="40" data-testid="mnist-maps"
                    role="img" aria-labelledby="mnist-maps-caption"></canvas>
            </figure>
        </div>
    }
}

/// Export the trained model (safetensors + JSON) and load one back.
#[component]
fn ModelFiles(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let c = controller.clone();
    let load = move |ev: leptos::ev::Event| {
        let files = crate::files::picked(&ev);
        let c = c.clone();
        leptos::task::spawn_local(async move {
            match crate::files::read_model_files(files).await {
                Ok((json, weights)) => c.load(json, weights),
                Err(e) => ui.status.set(format!("Cannot load this model: {e}")),
            }
        });
    };
    let export = controller.clone();
    view! {
        <div class="model-files">
            <h2>"Model"</h2>
            <button data-testid="export-model" on:click=move |_| export.export()>"Export model"</button>
            {move || ui.downloads.get().map(|(weights, config)| view! {
                <a href=weights download="playnet-mnist.safetensors" data-testid="download-weights">"weights (.safetensors)"</a>
                " "
                <a href=config download="playnet-mnist.json" data-testid="download-config">"config (.json)"</a>
            })}
            <label class="load">
                "Load model (both files): "
                <input type="file" multiple accept=".safetensors,.json" data-testid="load-model" on:change=load />
            </label>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readouts_format_missing_values_as_a_dash() {
        assert_eq!(percent(Some(0.9123)), "91.23%");
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(f32::NAN)), "—");
        assert_eq!(decimal(Some(0.5)), "0.5000");
    }
}
