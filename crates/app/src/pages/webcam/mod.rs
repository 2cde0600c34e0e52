//! The webcam page (`#/webcam`): a frozen EfficientNet-Lite0 turns camera
//! frames into 1280 numbers in a worker; people record examples of a few
//! classes, train a small head (or use nearest neighbours), and steer a
//! maze with what the head predicts. Nothing leaves the page.
//!
//! - [`camera`]: the camera, the frames and thumbnails, uploaded pictures;
//! - [`samples`]: the built-in sample pictures (arrows), for trying it
//!   without a camera;
//! - [`session`]: the controller (classes, examples, worker, heads);
//! - [`store`]: the project kept in IndexedDB;
//! - [`game`]: the maze;
//! - [`link`]: the settings a link may carry.

mod camera;
mod game;
pub(crate) mod link;
mod samples;
mod session;
pub(crate) mod store;

use std::rc::Rc;

use leptos::html::{Canvas, Video};
use leptos::prelude::*;
use playnet_webcam::MAX_CLASSES;
use playnet_webcam::game::Direction;
use playnet_webcam::head::HeadSettings;
use playnet_webcam::project::HeadKind;
use wasm_bindgen::JsCast;

use crate::chart::LossHistory;
use crate::files::object_url;
use crate::format;
use crate::pages::mnist::choice;
use link::LinkOptions;
use session::{Controller, Source, Ui};

/// The controller as the view holds it: Leptos wants what its closures
/// capture to be `Send`; the page has one thread, so the wrapper never moves.
type Handle = send_wrapper::SendWrapper<Rc<Controller>>;

/// The webcam page.
#[component]
pub fn Webcam() -> impl IntoView {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let link = LinkOptions::read(&hash);
    if let Some(chrome) = use_context::<crate::app::Chrome>() {
        chrome.hide_text.set(link.hide_text);
        on_cleanup(move || chrome.hide_text.set(false));
    }
    let hides = {
        let link = link.clone();
        move |panel: &str| link.hides(panel)
    };
    let (hide_imagenet, hide_head, hide_game, hide_project) = (
        hides("imagenet"),
        hides("head"),
        hides("game"),
        hides("project"),
    );
    let controller = Handle::new(Controller::new(link));
    {
        let c = controller.clone();
        on_cleanup(move || c.detach());
    }
    let ui = controller.ui;
    let video = NodeRef::<Video>::new();
    let view_canvas = NodeRef::<Canvas>::new();
    {
        let c = controller.clone();
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            match (video.get(), view_canvas.get()) {
                (Some(v), Some(canvas)) => {
                    c.attach(v, canvas);
                    true
                }
                _ => false,
            }
        });
    }

    // Hold a number key to record into that class (1–9, then 0 for the tenth).
    {
        let c = controller.clone();
        let down = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.repeat() || typing(&ev) {
                return;
            }
            if let Some(class) = number_key(&ev.key())
                && class < ui.classes.with_untracked(Vec::len)
            {
                ui.recording.set(Some(class));
            }
            let _ = &c;
        });
        let up = window_event_listener(leptos::ev::keyup, move |ev| {
            if number_key(&ev.key()).is_some() {
                ui.recording.set(None);
            }
        });
        on_cleanup(move || {
            down.remove();
            up.remove();
        });
    }

    let (for_head, for_project) = (controller.clone(), controller.clone());
    let kept_offer: Rc<dyn Fn(crate::kept::Offer)> = {
        let c = controller.clone();
        Rc::new(move |offer| c.kept_offer(offer))
    };
    view! {
        <div class="webcam-page" data-testid="webcam-page">
            <header class="page-intro">
                <h1>"Teach a network with your camera"</h1>
                <p class="prose" class:hidden=ui.hide_text>
                    "A network trained on a million ImageNet photos (EfficientNet-Lite0) turns "
                    "each camera frame into 1280 numbers. Record a few dozen frames of each class "
                    "— hold the record button while you smile, raise a hand, lean left — then "
                    "train a small network on those numbers and steer the maze. Everything runs "
                    "in this page; nothing is sent anywhere."
                </p>
                <p class="status" data-testid="status" data-phase=move || ui.phase.get().id()>
                    {move || ui.status.get()}
                </p>
                {move || {
                    ui.progress
                        .get()
                        .map(|(done, total)| {
                            view! {
                                <progress
                                    data-testid="weights-progress"
                                    max=total.max(1.0)
                                    value=done
                                ></progress>
                            }
                        })
                }}
                <ul class="notes" data-testid="notes">
                    {move || {
                        ui.notes
                            .get()
                            .into_iter()
                            .map(|n| view! { <li>{n}</li> })
                            .collect_view()
                    }}
                </ul>
                <crate::kept::KeptNote kept=ui.kept on_offer=kept_offer />
            </header>
            // Wide: what the room watches (camera, prediction, game) on the
            // left, the teaching (classes, head, project) on the right; narrow:
            // one column in the order of the work (see web/webcam.css).
            <div class="webcam-grid">
                <div class="webcam-live">
                    <CameraPanel controller=controller.clone() video view_canvas hide_imagenet />
                    <PredictionPanel controller=controller.clone() />
                    <Show when=move || !hide_game>
                        <game::MazeGame ui />
                    </Show>
                </div>
                <div class="webcam-teach">
                    <ClassesPanel controller=controller.clone() />
                    <Show when=move || !hide_head>
                        <HeadPanel controller=for_head.clone() />
                    </Show>
                    <Show when=move || !hide_project>
                        <ProjectPanel controller=for_project.clone() />
                    </Show>
                </div>
            </div>
        </div>
    }
}

/// Whether a key event comes from a text field (typing a class name).
fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

/// The class a number key records into: 1–9 are the first nine, 0 the tenth.
fn number_key(key: &str) -> Option<usize> {
    match key {
        "0" => Some(9),
        k if k.len() == 1 => k.parse::<usize>().ok().filter(|&n| n >= 1).map(|n| n - 1),
        _ => None,
    }
}

#[component]
fn CameraPanel(
    controller: Handle,
    video: NodeRef<Video>,
    view_canvas: NodeRef<Canvas>,
    hide_imagenet: bool,
) -> impl IntoView {
    let ui = controller.ui;
    let start = {
        let c = controller.clone();
        move |_| c.start_camera()
    };
    let samples = {
        let c = controller.clone();
        move |_| c.use_samples()
    };
    let on_backend = {
        let c = controller.clone();
        move |ev: leptos::ev::Event| {
            if let Some(choice) = choice::from_id(&event_target_value(&ev)) {
                c.choose_backend(choice);
            }
        }
    };
    view! {
        <section class="webcam-camera" aria-labelledby="camera-title">
            <h2 id="camera-title">"Camera"</h2>
            <div class="camera-views">
                <video
                    node_ref=video
                    class="camera-preview"
                    class:hidden=move || ui.source.get() != Source::Camera
                    autoplay=true
                    muted=true
                    playsinline=true
                    aria-label="Your camera, mirrored"
                ></video>
                <figure>
                    <canvas
                        node_ref=view_canvas
                        class="camera-view"
                        data-testid="camera-view"
                        aria-label="What the network sees: the centre square, 224 by 224"
                    ></canvas>
                    <figcaption>"What the network sees"</figcaption>
                </figure>
            </div>
            <p
                class="camera-status"
                data-testid="camera-status"
                data-source=move || ui.source.get().id()
                role="status"
            >
                {move || ui.camera_status.get()}
            </p>
            <div class="camera-buttons">
                <button data-testid="start-camera" on:click=start>
                    "Start camera"
                </button>
                <button data-testid="use-samples" on:click=samples>
                    "Use sample pictures"
                </button>
            </div>
            <p class="readouts">
                <span>
                    "Embedding: " <strong data-testid="embed-ms">
                        {move || format!("{:.0} ms", ui.embed_ms.get())}
                    </strong>
                </span>
                <span>
                    " · " <span data-testid="fps">{move || format!("{:.1}", ui.fps.get())}</span>
                    " frames/s"
                </span>
            </p>
            <label class="backend-choice">
                "Compute on "
                <select data-testid="backend-choice" on:change=on_backend>
                    {choice::CHOICES
                        .into_iter()
                        .map(|c| {
                            view! {
                                <option
                                    value=choice::id(c)
                                    selected=move || ui.choice.get() == c
                                >
                                    {choice::label(c)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                " — "
                <span data-testid="backend" title=move || ui.backend.get().detail>
                    {move || ui.backend.get().name}
                </span>
            </label>
            <Show when=move || !hide_imagenet>
                <div class="imagenet">
                    <h3>"What ImageNet sees"</h3>
                    <ol data-testid="imagenet-top5">
                        {move || {
                            ui.top
                                .get()
                                .into_iter()
                                .map(|(name, p)| {
                                    view! {
                                        <li>
                                            <span class="name">{name}</span>
                                            " "
                                            <span class="p">{format::percent(p)}</span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ol>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn ClassesPanel(controller: Handle) -> impl IntoView {
    let ui = controller.ui;
    let add = {
        let c = controller.clone();
        move |_| c.add_class()
    };
    let samples = {
        let c = controller.clone();
        move |_| c.add_samples()
    };
    let c = controller.clone();
    view! {
        <section class="webcam-classes" aria-labelledby="classes-title">
            <h2 id="classes-title">"Classes"</h2>
            <p class="prose" class:hidden=ui.hide_text>
                "Hold a class's record button (or its number key) to record about ten frames a "
                "second. Aim for 30–100 varied examples per class; a "
                "“background” class for “nothing in particular” helps."
            </p>
            <ol class="class-list">
                <For
                    each=move || {
                        ui.classes.get().into_iter().enumerate().collect::<Vec<_>>()
                    }
                    key=|(i, class)| {
                        (*i, class.key, class.count, class.name.clone(), class.direction.map(Direction::name))
                    }
                    children=move |(i, _)| view! { <ClassCard controller=c.clone() index=i /> }
                />
            </ol>
            <div class="class-actions">
                <button
                    data-testid="add-class"
                    on:click=add
                    disabled=move || { ui.classes.with(Vec::len) >= MAX_CLASSES }
                >
                    "Add a class"
                </button>
                <button data-testid="add-samples" on:click=samples>
                    "Add sample pictures"
                </button>
                <label>
                    <input
                        type="checkbox"
                        data-testid="augment"
                        prop:checked=move || ui.augment.get()
                        on:change=move |ev| ui.augment.set(event_target_checked(&ev))
                    />
                    " Vary recorded frames (flip, shift, zoom, brightness)"
                </label>
            </div>
        </section>
    }
}

#[component]
fn ClassCard(controller: Handle, index: usize) -> impl IntoView {
    let ui = controller.ui;
    let class = move || ui.classes.with(|c| c.get(index).cloned());
    let recording = move || ui.recording.get() == Some(index);
    let rename = {
        let c = controller.clone();
        move |ev: leptos::ev::Event| c.rename(index, event_target_value(&ev))
    };
    let direction = {
        let c = controller.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            c.set_direction(
                index,
                Direction::ALL.into_iter().find(|d| d.name() == value),
            );
        }
    };
    let pictures = {
        let c = controller.clone();
        move |ev: leptos::ev::Event| {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let files: Vec<web_sys::File> = input
                .files()
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
                .unwrap_or_default();
            input.set_value("");
            c.add_pictures(index, files);
        }
    };
    let clear = {
        let c = controller.clone();
        move |_| c.clear_class(index)
    };
    let remove = {
        let c = controller.clone();
        move |_| c.remove_class(index)
    };
    let start = move |ev: leptos::ev::PointerEvent| {
        if let Some(target) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        ev.prevent_default();
        ui.recording.set(Some(index));
    };
    let stop = move |_| {
        if ui.recording.get_untracked() == Some(index) {
            ui.recording.set(None);
        }
    };
    let key_start = move |ev: leptos::ev::KeyboardEvent| {
        if (ev.key() == " " || ev.key() == "Enter") && !ev.repeat() {
            ev.prevent_default();
            ui.recording.set(Some(index));
        }
    };
    let key_stop = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == " " || ev.key() == "Enter" {
            ui.recording.set(None);
        }
    };
    let delete = controller.clone();
    view! {
        <li class="class-card" class:recording=recording>
            <div class="class-head">
                <input
                    class="class-name"
                    data-testid=format!("class-{index}-name")
                    aria-label=format!("Name of class {}", index + 1)
                    maxlength="40"
                    prop:value=move || class().map(|c| c.name).unwrap_or_default()
                    on:change=rename
                />
                <select
                    data-testid=format!("class-{index}-direction")
                    aria-label="Where this class steers the maze"
                    on:change=direction
                >
                    <option value="" selected=move || class().is_some_and(|c| c.direction.is_none())>
                        "steers nothing"
                    </option>
                    {Direction::ALL
                        .into_iter()
                        .map(|d| {
                            view! {
                                <option
                                    value=d.name()
                                    selected=move || class().is_some_and(|c| c.direction == Some(d))
                                >
                                    {format!("steers {}", d.name())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="class-body">
                <button
                    class="record"
                    data-testid=format!("class-{index}-record")
                    aria-pressed=move || recording().to_string()
                    title=format!("Hold to record (or hold the {} key)", key_name(index))
                    on:pointerdown=start
                    on:pointerup=stop
                    on:pointercancel=stop
                    on:lostpointercapture=stop
                    on:keydown=key_start
                    on:keyup=key_stop
                    on:contextmenu=|ev| ev.prevent_default()
                >
                    {move || if recording() { "Recording…" } else { "Hold to record" }}
                </button>
                <span class="count">
                    <strong data-testid=format!("class-{index}-count")>
                        {move || class().map(|c| c.count).unwrap_or(0)}
                    </strong>
                    " examples"
                </span>
                <label class="pictures">
                    "Add pictures"
                    <input
                        type="file"
                        accept="image/*"
                        multiple=true
                        data-testid=format!("class-{index}-pictures")
                        on:change=pictures
                    />
                </label>
                <button on:click=clear data-testid=format!("class-{index}-clear")>"Clear"</button>
                <button on:click=remove data-testid=format!("class-{index}-remove")>"Remove"</button>
            </div>
            <div class="thumbs">
                {move || {
                    let delete = delete.clone();
                    class()
                        .map(|c| c.thumbs)
                        .unwrap_or_default()
                        .into_iter()
                        .map(move |(id, url)| {
                            let d = delete.clone();
                            view! {
                                <button
                                    class="thumb"
                                    title="Delete this example"
                                    aria-label="Delete this example"
                                    on:click=move |_| d.delete_example(id)
                                >
                                    <img src=url alt="" width="48" height="48" />
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </li>
    }
}

/// The key that records class `index`.
fn key_name(index: usize) -> String {
    ((index + 1) % 10).to_string()
}

#[component]
fn HeadPanel(controller: Handle) -> impl IntoView {
    let ui = controller.ui;
    let chart = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let mut history = LossHistory::default();
        for r in ui.history.get() {
            history.push(u64::from(r.epoch), r.loss, r.loss);
        }
        if let Some(canvas) = chart.get() {
            let _ = history.draw(&canvas, "epoch", &["training loss"], None);
        }
    });
    let on_kind = {
        let c = controller.clone();
        move |ev: leptos::ev::Event| {
            c.set_head_kind(match event_target_value(&ev).as_str() {
                "knn" => HeadKind::Knn,
                _ => HeadKind::Dense,
            })
        }
    };
    let setting = {
        let c = controller.clone();
        move |apply: fn(&mut HeadSettings, f64)| {
            let c = c.clone();
            move |ev: leptos::ev::Event| {
                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                    let mut s = ui.settings.get_untracked();
                    apply(&mut s, v);
                    c.set_settings(s);
                }
            }
        }
    };
    let on_k = {
        let c = controller.clone();
        move |ev: leptos::ev::Event| {
            if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                c.set_k(k);
            }
        }
    };
    let train = {
        let c = controller.clone();
        move |_| {
            if ui.training.get_untracked() {
                c.stop_training()
            } else {
                c.train()
            }
        }
    };
    let dense = move || ui.head_kind.get() == HeadKind::Dense;
    view! {
        <section class="webcam-head" aria-labelledby="head-title">
            <h2 id="head-title">"Head"</h2>
            <label>
                "Predict with "
                <select data-testid="head-choice" on:change=on_kind>
                    <option value="dense" selected=dense>
                        "a trained network (dense → softmax)"
                    </option>
                    <option value="knn" selected=move || !dense()>
                        "nearest neighbours (instant, no training)"
                    </option>
                </select>
            </label>
            <Show
                when=dense
                fallback=move || {
                    view! {
                        <label>
                            "Neighbours (k) "
                            <input
                                type="number"
                                min="1"
                                max="50"
                                data-testid="knn-k"
                                prop:value=move || ui.k.get()
                                on:change=on_k.clone()
                            />
                        </label>
                    }
                }
            >
                <div class="knobs">
                    {knob(
                        ui,
                        "Learning rate ",
                        "head-rate",
                        &[0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03],
                        |s| f64::from(s.learning_rate),
                        setting(|s, v| s.learning_rate = v as f32),
                    )}
                    {knob(
                        ui,
                        "Batch size (share of examples) ",
                        "head-batch",
                        &[0.05, 0.1, 0.4, 1.0],
                        |s| f64::from(s.batch_fraction),
                        setting(|s, v| s.batch_fraction = v as f32),
                    )}
                    {knob(
                        ui,
                        "Epochs ",
                        "head-epochs",
                        &[10.0, 20.0, 40.0, 100.0],
                        |s| s.epochs as f64,
                        setting(|s, v| s.epochs = v as usize),
                    )}
                    {knob(
                        ui,
                        "Hidden units ",
                        "head-hidden",
                        &[0.0, 10.0, 100.0, 200.0],
                        |s| s.hidden as f64,
                        setting(|s, v| s.hidden = v as usize),
                    )}
                </div>
                <button data-testid="train-head" on:click=train.clone()>
                    {move || if ui.training.get() { "Stop" } else { "Train" }}
                </button>
                <p class="head-note" data-testid="head-note">{move || ui.head_note.get()}</p>
                <p class="readouts">
                    "Loss "
                    <strong data-testid="head-loss">
                        {move || {
                            ui.history.get().last().map(|r| format::loss(r.loss)).unwrap_or_else(|| "–".into())
                        }}
                    </strong>
                    " · held-out accuracy "
                    <strong data-testid="head-accuracy">
                        {move || {
                            ui.evaluation
                                .get()
                                .and_then(|e| e.accuracy)
                                .or_else(|| ui.history.get().last().and_then(|r| r.held_out_accuracy))
                                .map(format::percent)
                                .unwrap_or_else(|| "–".into())
                        }}
                    </strong>
                    " · epoch "
                    <span data-testid="head-epoch">
                        {move || ui.history.get().last().map(|r| format!("{}/{}", r.epoch, r.epochs)).unwrap_or_default()}
                    </span>
                </p>
                <canvas node_ref=chart class="head-chart" width="280" height="80" aria-label="Training loss per epoch"></canvas>
                <Evaluation controller=controller.clone() />
            </Show>
        </section>
    }
}

/// Held-out accuracy per class and the confusion matrix.
#[component]
fn Evaluation(controller: Handle) -> impl IntoView {
    let ui = controller.ui;
    move || {
        let evaluation = ui.evaluation.get()?;
        let names: Vec<String> = ui.classes.get().into_iter().map(|c| c.name).collect();
        let name = |i: usize| {
            names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("{}", i + 1))
        };
        let caption = if evaluation.on_held_out {
            "Held-out examples: rows are the true class, columns the prediction"
        } else {
            "Too few examples to hold any out: training examples, rows true, columns predicted"
        };
        Some(view! {
            <table class="confusion" data-testid="confusion">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th><span class="visually-hidden">"true class ↓, predicted →"</span></th>
                        {(0..evaluation.confusion.len())
                            .map(|i| view! { <th scope="col">{name(i)}</th> })
                            .collect_view()}
                        <th scope="col">"accuracy"</th>
                    </tr>
                </thead>
                <tbody>
                    {evaluation
                        .confusion
                        .iter()
                        .enumerate()
                        .map(|(i, row)| {
                            let accuracy = evaluation
                                .per_class_accuracy
                                .get(i)
                                .copied()
                                .flatten()
                                .map(format::percent)
                                .unwrap_or_else(|| "–".into());
                            view! {
                                <tr>
                                    <th scope="row">{name(i)}</th>
                                    {row.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                                    <td data-testid=format!("class-{i}-accuracy")>{accuracy}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        })
    }
}

/// One of the head's knobs: a menu of `values`, with the one the settings
/// hold (within a thousandth of it) selected; choosing one calls
/// `on_change`. A zero value reads "none" (no hidden layer).
fn knob(
    ui: Ui,
    label: &'static str,
    testid: &'static str,
    values: &'static [f64],
    current: fn(&HeadSettings) -> f64,
    on_change: impl Fn(leptos::ev::Event) + 'static,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <select on:change=on_change data-testid=testid>
                {values
                    .iter()
                    .map(|&v| {
                        let selected = move || {
                            (current(&ui.settings.get()) - v).abs() <= v.abs() * 1e-3
                        };
                        view! {
                            <option value=v selected=selected>
                                {if v == 0.0 { "none".to_string() } else { v.to_string() }}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn PredictionPanel(controller: Handle) -> impl IntoView {
    let ui = controller.ui;
    view! {
        <section class="webcam-prediction" aria-labelledby="prediction-title">
            <h2 id="prediction-title">"Prediction"</h2>
            <p class="prediction" aria-live="polite">
                <span data-testid="prediction">
                    {move || {
                        ui.prediction
                            .get()
                            .and_then(|i| ui.classes.with(|c| c.get(i).map(|c| c.name.clone())))
                            .unwrap_or_default()
                    }}
                </span>
                {move || {
                    (ui.confidences.with(Vec::is_empty))
                        .then(|| match ui.head_kind.get() {
                            HeadKind::Dense if !ui.head_ready.get() => "Train the head to see predictions.",
                            HeadKind::Knn => "Record examples to see predictions.",
                            _ => "",
                        })
                }}
            </p>
            <ul class="confidences">
                {move || {
                    let confidences = ui.confidences.get();
                    ui.classes
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, class)| {
                            let p = confidences.get(i).copied().unwrap_or(0.0);
                            view! {
                                <li>
                                    <span class="name">{class.name}</span>
                                    <meter
                                        min="0"
                                        max="1"
                                        value=p
                                        data-testid=format!("confidence-{i}")
                                        data-value=format!("{p:.4}")
                                    ></meter>
                                    <span class="p">{format::percent(p)}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

#[component]
fn ProjectPanel(controller: Handle) -> impl IntoView {
    let ui = controller.ui;
    let url = RwSignal::new(None::<String>);
    let message = RwSignal::new(String::new());
    let export = {
        let c = controller.clone();
        move |_| match c.export().and_then(|bytes| {
            object_url(&bytes, "application/octet-stream").map_err(|e| crate::fetch::describe(&e))
        }) {
            Ok(u) => {
                if let Some(old) = url.get_untracked() {
                    let _ = web_sys::Url::revoke_object_url(&old);
                }
                url.set(Some(u));
                message.set("Exported: save the file to keep this project.".into());
                crate::files::follow_link("project-file");
            }
            Err(e) => message.set(format!("The project could not be exported: {e}")),
        }
    };
    let import = {
        let c = controller.clone();
        move |ev: leptos::ev::Event| {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let c = c.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                match crate::files::read_bytes(&file).await {
                    Ok(bytes) => match c.import(&bytes) {
                        Ok(()) => message.set(format!("Opened {name}.")),
                        Err(why) => message.set(format!("{name} was not opened: {why}")),
                    },
                    Err(why) => message.set(format!("{name} could not be read: {why}")),
                }
            });
        }
    };
    let clear = {
        let c = controller.clone();
        move |_| {
            let sure = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(
                        "Delete every class, example and trained head from this browser?",
                    )
                    .ok()
                })
                .unwrap_or(false);
            if sure {
                c.clear_all();
                message.set("Everything was cleared.".into());
            }
        }
    };
    view! {
        <section class="webcam-project" aria-labelledby="project-title">
            <h2 id="project-title">"Project"</h2>
            <p class="prose" class:hidden=ui.hide_text>
                "Your classes, examples and head are kept in this browser. Export them as a file "
                "to move them to another one."
            </p>
            <div class="project-buttons">
                <button data-testid="export-project" on:click=export>
                    "Export project"
                </button>
                <label>
                    <input
                        type="checkbox"
                        prop:checked=move || ui.include_examples.get()
                        on:change=move |ev| ui.include_examples.set(event_target_checked(&ev))
                    />
                    " with the examples"
                </label>
                <label class="file-button">
                    "Open project"
                    <input type="file" data-testid="import-project" accept=".safetensors" on:change=import />
                </label>
                <button data-testid="clear-all" on:click=clear>
                    "Clear everything"
                </button>
            </div>
            {move || {
                url.get()
                    .map(|u| {
                        view! {
                            <a data-testid="project-file" href=u download="webcam-project.safetensors">
                                "webcam-project.safetensors"
                            </a>
                        }
                    })
            }}
            <p data-testid="project-message" role="status">{move || message.get()}</p>
        </section>
    }
}
