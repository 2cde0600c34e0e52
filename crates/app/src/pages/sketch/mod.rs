//! The sketch page (`#/sketch`): start a drawing and a sketch-rnn model
//! (playnet-sketch's [`Decoder`](playnet_sketch::Decoder)) continues it,
//! 1, 4 or 9 candidates at once, animated as they are sampled.
//!
//! - [`pad`]: the canvas and its pointer events, strokes simplified on pen-up;
//! - [`session`]: the models, the drawing and the sampling loop;
//! - [`candidates`]: the grid of continuations;
//! - [`link`]: the settings in the URL, so a link reproduces the candidates;
//! - [`store`]: the drawing kept across reloads;
//! - [`export`]: SVG and PNG files of the drawing;
//! - [`training`]: "Train your own", a decoder trained in the sketch worker.

mod candidates;
mod export;
pub(crate) mod link;
mod pad;
mod session;
pub(crate) mod store;
mod training;

use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_sketch::sample::{MAX_TEMPERATURE, MIN_TEMPERATURE};

use link::{COUNTS, LinkOptions};
use session::{Phase, Session, drawing_end};

/// A drawing: pen-down lines of absolute points, in canvas pixels.
pub type Lines = Vec<Vec<[f32; 2]>>;

/// The sketch page.
#[component]
pub fn Sketch() -> impl IntoView {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let link = LinkOptions::read(&hash);
    if let Some(chrome) = use_context::<crate::app::Chrome>() {
        chrome.hide_text.set(link.hide_text);
        on_cleanup(move || chrome.hide_text.set(false));
    }
    let session = Session::new(&link);
    {
        // Cleanup runs on this (the only) thread; the wrapper only satisfies
        // `on_cleanup`'s `Send` bound.
        let s = send_wrapper::SendWrapper::new(session.clone());
        on_cleanup(move || s.detach());
    }
    let training = training::Training::new(session.clone());
    {
        let t = send_wrapper::SendWrapper::new(training.clone());
        on_cleanup(move || t.detach());
    }
    let ui = session.ui;
    let canvas = NodeRef::<Canvas>::new();
    let svg_url = RwSignal::new(None::<String>);
    let svg_text = RwSignal::new(String::new());
    let png_url = RwSignal::new(None::<String>);

    let on_class = {
        let s = session.clone();
        move |ev: leptos::ev::Event| s.load_class(event_target_value(&ev))
    };
    let on_count = {
        let s = session.clone();
        move |ev: leptos::ev::Event| {
            if let Ok(n) = event_target_value(&ev).parse::<usize>()
                && COUNTS.contains(&n)
            {
                ui.count.set(n);
                s.settings_changed();
            }
        }
    };
    let on_temperature = {
        let s = session.clone();
        move |ev: leptos::ev::Event| {
            if let Ok(t) = event_target_value(&ev).parse::<f32>()
                && (MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(&t)
            {
                ui.temperature.set(t);
                s.settings_changed();
            }
        }
    };
    let undo = {
        let s = session.clone();
        move |_| s.undo()
    };
    let clear = {
        let s = session.clone();
        move |_| s.clear()
    };
    let redraw = {
        let s = session.clone();
        move |_| s.redraw()
    };
    let nothing = {
        let s = session.clone();
        move |_| s.from_nothing()
    };
    let export_svg = {
        let s = session.clone();
        move |_| {
            let text = export::svg(&s.drawing_strokes());
            match export::svg_url(&text, svg_url) {
                Ok(_) => {
                    svg_text.set(text);
                    crate::files::follow_link("download-svg");
                }
                Err(e) => {
                    s.ui.notes
                        .update(|n| n.push(format!("Could not export: {e}")))
                }
            }
        }
    };
    let export_png = {
        let s = session.clone();
        move |_| {
            let Some(c) = canvas.get_untracked() else {
                return;
            };
            match export::png_url(&c) {
                Ok(url) => {
                    png_url.set(Some(url));
                    crate::files::follow_link("download-png");
                }
                Err(e) => {
                    s.ui.notes
                        .update(|n| n.push(format!("Could not export: {e}")))
                }
            }
        }
    };
    let kept_offer: std::rc::Rc<dyn Fn(crate::kept::Offer)> = {
        let s = session.clone();
        std::rc::Rc::new(move |offer| s.kept_offer(offer))
    };
    let loading = move || ui.phase.get() == Phase::Loading;
    let no_model = move || matches!(ui.phase.get(), Phase::Loading | Phase::Error);

    view! {
        <section class="sketch" data-testid="sketch-page">
            <h1 class="visually-hidden">"Sketch autocomplete"</h1>
            <ul class="url-notes" data-testid="url-notes" class:hidden=move || ui.notes.with(Vec::is_empty)>
                {move || ui.notes.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
            <crate::kept::KeptNote kept=ui.kept on_offer=kept_offer />
            <p class="explain" data-testid="sketch-explain" class:hidden=ui.hide_text>
                "Start a drawing: when you lift the pen, a recurrent network trained on "
                "Quick, Draw! (Magenta's sketch-rnn) finishes it, several ways at once. "
                "Low temperatures play it safe; high ones take risks. Click a candidate to keep it."
            </p>
            <div class="controls sketch-controls">
                <label>
                    "Model"
                    <select data-testid="sketch-class" on:change=on_class prop:disabled=move || ui.classes.with(Vec::is_empty)>
                        {move || {
                            let chosen = ui.class.get();
                            ui.classes
                                .get()
                                .into_iter()
                                .map(|c| {
                                    let selected = c == chosen;
                                    view! { <option value=c.clone() selected=selected>{c.replace('_', " ")}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label>
                    "Candidates"
                    <select data-testid="candidate-count" on:change=on_count>
                        {COUNTS
                            .into_iter()
                            .map(|n| view! { <option value=n.to_string() selected=move || ui.count.get() == n>{n}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {move || format!("Temperature {:.2}", ui.temperature.get())}
                    <input
                        type="range"
                        data-testid="temperature"
                        min=MIN_TEMPERATURE.to_string()
                        max=MAX_TEMPERATURE.to_string()
                        step="0.01"
                        prop:value=move || ui.temperature.get().to_string()
                        on:change=on_temperature
                    />
                </label>
            </div>
            <div class="sketch-layout">
                <div class="sketch-draw">
                    <pad::Pad session=session.clone() canvas=canvas />
                    <span
                        class="hidden"
                        data-testid="sketch-drawing"
                        data-lines=move || ui.lines.with(|l| l.len()).to_string()
                        data-end=move || ui.lines.with(|l| drawing_end(l).map(|e| format!("[{},{}]", e[0], e[1])).unwrap_or_default())
                        data-json=move || ui.lines.with(|l| serde_json::to_string(l).unwrap_or_default())
                    ></span>
                    <div class="sketch-actions">
                        <button data-testid="undo" on:click=undo disabled=move || ui.lines.with(Vec::is_empty)>"Undo"</button>
                        <button data-testid="clear" on:click=clear disabled=move || ui.lines.with(Vec::is_empty)>"Clear"</button>
                        <button data-testid="redraw" on:click=redraw disabled=no_model>"Redraw"</button>
                        <button data-testid="from-nothing" on:click=nothing disabled=no_model>"Draw from nothing"</button>
                    </div>
                    <div class="sketch-actions">
                        <button data-testid="export-svg" on:click=export_svg>"Export SVG"</button>
                        <button data-testid="export-png" on:click=export_png>"Export PNG"</button>
                        {move || svg_url.get().map(|u| view! {
                            <a data-testid="download-svg" href=u download="sketch.svg" data-svg=move || svg_text.get()>"sketch.svg"</a>
                        })}
                        {move || png_url.get().map(|u| view! {
                            <a data-testid="download-png" href=u download="sketch.png">"sketch.png"</a>
                        })}
                    </div>
                </div>
                // Beside the canvas on a wide screen, under it on a phone:
                // the status's changing height never moves the canvas.
                <div class="sketch-results" aria-busy=move || loading().to_string()>
                <div class="sketch-status" class:failed=move || ui.phase.get() == Phase::Error>
                    <span class="status" data-testid="sketch-status" data-phase=move || ui.phase.get().id() role="status">
                        {move || ui.status.get()}
                    </span>
                    <progress
                        data-testid="sketch-progress"
                        class:hidden=move || ui.progress.with(Option::is_none)
                        max=move || ui.progress.get().map_or(1.0, |p| p.1.max(1.0))
                        value=move || ui.progress.get().map_or(0.0, |p| p.0)
                    ></progress>
                    <span class="steps">
                        "Steps sampled: "
                        <span
                            data-testid="sketch-step"
                            data-ms-per-step=move || format!("{:.2}", ui.ms_per_step.get())
                            title=move || format!("{:.2} ms per batched step", ui.ms_per_step.get())
                        >
                            {move || ui.steps.get()}
                        </span>
                    </span>
                    <span class="muted" data-testid="sketch-truncated" class:hidden=move || ui.truncated.with(Option::is_none)>
                        {move || ui.truncated.get().unwrap_or_default()}
                    </span>
                </div>
                    <candidates::Candidates session=session.clone() />
                </div>
            </div>
            <training::TrainPanel training=training hide_text=ui.hide_text />
        </section>
    }
}
