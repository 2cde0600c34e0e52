//! The Playground page: TensorFlow Playground's layout — controls on top, then
//! data, the network (features, hidden layers, output) and the output panel —
//! on our engine, with an article below that explains what it shows.

mod article;
mod controller;
mod fit;
mod layout;
mod network;
mod painter;
mod refresh;
pub(crate) mod store;
mod thumbnail;

use std::rc::Rc;

use leptos::prelude::*;
use playnet_data::{DatasetKind, Feature, Problem};
use playnet_engine::{Activation, Backend, Cpu, Loss, Optimizer, Regularization};
use std::collections::BTreeSet;

use playnet_playground::{BATCH_SIZES, MAX_LAYERS, MAX_NEURONS, PageState, PlaygroundConfig};

use self::controller::{Action, Controller, Signals, TipKind};
use crate::format;

/// The point of the plane under pixel `(px, py)` of a `w × h` view of it.
fn plane_point(px: f64, py: f64, w: f64, h: f64) -> (f64, f64) {
    let d = crate::heatmap::DOMAIN;
    (
        (px / w * 2.0 * d - d).clamp(-d, d),
        (d - py / h * 2.0 * d).clamp(-d, d),
    )
}

/// TensorFlow Playground's learning-rate menu.
const LEARNING_RATES: [f32; 11] = [
    0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
];
/// TensorFlow Playground's regularisation-rate menu.
const REGULARIZATION_RATES: [f32; 10] = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0];
/// The dropout menu: the share of hidden values dropped while training.
const DROPOUTS: [f32; 5] = [0.0, 0.1, 0.2, 0.3, 0.5];

/// The dropout menu's entries, with `current` among them when a link asked
/// for a rate the menu lacks (so the menu shows what is in use).
fn dropout_options(current: f32) -> Vec<f32> {
    let mut options = DROPOUTS.to_vec();
    if !options.contains(&current) {
        options.push(current);
        options.sort_by(f32::total_cmp);
    }
    options
}

/// How the dropout menu names a rate.
fn dropout_label(rate: f32) -> String {
    if rate == 0.0 {
        "None".into()
    } else {
        rate.to_string()
    }
}

/// The Playground page.
#[component]
pub fn Playground() -> impl IntoView {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let (state, notes) = PageState::from_hash(&hash);
    let ui = Signals::new(state.config.clone());
    ui.show_test_data.set(state.show_test_data);
    ui.discretize.set(state.discretize);
    let page = Page {
        base: StoredValue::new(state),
        hide_text: RwSignal::new(false),
        projector: RwSignal::new(false),
        more: RwSignal::new(None),
        hidden: RwSignal::new(Default::default()),
        notes: RwSignal::new(notes),
    };
    // An embed's `hideText` hides the nav's About link too.
    if let Some(chrome) = use_context::<crate::app::Chrome>() {
        chrome.hide_text.set(page.base.with_value(|s| s.hide_text));
        on_cleanup(move || chrome.hide_text.set(false));
    }
    page.base.with_value(|s| {
        page.hide_text.set(s.hide_text);
        page.projector.set(s.projector);
        page.more.set(s.more);
        page.hidden.set(s.hidden.clone());
    });
    let controller = Controller::new(ui);
    // A link that names no settings finds the latest kept session.
    controller.keep(!hash.contains('='));
    // Every change is written back to the URL (without a history entry), so
    // the address is always a link to what is on screen.
    Effect::new(move |_| {
        let hash = page.state(ui).to_hash();
        if let Some(window) = web_sys::window()
            && let Ok(history) = window.history()
        {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("#{hash}")),
            );
        }
    });
    {
        let c = controller.clone();
        Effect::new(move |_| {
            let config = ui.config.get();
            c.apply(config);
            // Repaint once the view has caught up with the new shape.
            let c = c.clone();
            request_animation_frame(move || c.refresh());
        });
    }
    {
        // Edits made by hand, applied in order.
        let c = controller.clone();
        Effect::new(move |_| {
            let edits = ui.pending.get();
            if !edits.is_empty() {
                ui.pending.set(Vec::new());
                c.edit(edits);
            }
        });
    }
    {
        // View options only repaint.
        let c = controller.clone();
        Effect::new(move |_| {
            ui.hovered.track();
            ui.show_test_data.track();
            ui.discretize.track();
            ui.selected.track();
            ui.fit.track();
            c.refresh();
        });
    }
    let playing = ui.playing;
    let keys = {
        let c = controller.clone();
        window_event_listener(leptos::ev::keydown, move |ev| {
            if let Some(action) = shortcut(&ev) {
                ev.prevent_default();
                match action {
                    Shortcut::PlayPause => c.toggle_play(),
                    Shortcut::Step => c.step(1),
                    Shortcut::Reset => c.reset(),
                }
            }
        })
    };
    let keeping = send_wrapper::SendWrapper::new(controller.clone());
    on_cleanup(move || {
        playing.set(false);
        keys.remove();
        keeping.stop_keeping();
    });

    // On a wide screen the page is one screen: the plot and the network
    // fill what the bars leave.
    let section = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(el) = section.get() {
            fit::watch(el, ui.fit);
        }
    });
    provide_context(page);
    view! {
        <section class="playground" node_ref=section class:projector=move || page.projector.get()>
            <h1 class="visually-hidden">"Neural network playground"</h1>
            <ul class="url-notes" data-testid="url-notes" class:hidden=move || page.notes.with(Vec::is_empty)>
                <li class="lead">"Some settings in this link could not be used:"</li>
                {move || page.notes.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
            <crate::kept::KeptNote kept=ui.kept on_offer={
                let c = controller.clone();
                Rc::new(move |offer| c.kept_offer(offer))
            } />
            <TopBar controller=controller.clone() />
            <div class="columns">
                <DataColumn ui=ui />
                <NetworkView controller=controller.clone() />
                <OutputColumn controller=controller.clone() />
            </div>
            <Share ui=ui />
            <p class="explain" data-testid="explain" class:hidden=move || page.hide_text.get() || page.projector.get()>
                "Each square in the network shows what one neuron computes over the plane: orange \
                 for negative outputs, blue for positive. The inputs on the left are features of a \
                 point; every hidden neuron mixes the previous column through the links (blue \
                 positive, orange negative, thicker for larger weights), and the output on the right \
                 is the network's answer, drawn behind the data. Press Play and watch the regions bend \
                 to fit the points as the test loss falls; hover any neuron to see it large."
            </p>
            <article::Article hidden=Signal::derive(move || page.hide_text.get() || page.projector.get()) />
        </section>
    }
}

/// The parts of the URL state that are not training settings.
#[derive(Clone, Copy)]
struct Page {
    /// The state the page was opened with (seed text, the other dataset…).
    base: StoredValue<PageState>,
    hide_text: RwSignal<bool>,
    /// Projector mode: large text and controls, no article.
    projector: RwSignal<bool>,
    /// The extras row asked open or closed; `None`: open unless projecting.
    more: RwSignal<Option<bool>>,
    hidden: RwSignal<BTreeSet<String>>,
    /// What the URL asked for that could not be used.
    notes: RwSignal<Vec<String>>,
}

impl Page {
    /// The whole state as it stands (tracked).
    fn state(&self, ui: Signals) -> PageState {
        let mut state = self.base.get_value();
        state.config = ui.config.get();
        state.show_test_data = ui.show_test_data.get();
        state.discretize = ui.discretize.get();
        state.hide_text = self.hide_text.get();
        state.projector = self.projector.get();
        state.more = self.more.get();
        state.hidden = self.hidden.get();
        state
    }

    /// Whether the row of settings beyond TensorFlow Playground's shows.
    fn more_open(&self) -> bool {
        self.more.get().unwrap_or(!self.projector.get())
    }
}

/// True when the URL hides the control TensorFlow Playground calls `name`.
fn hidden(name: &'static str) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    move || use_context::<Page>().is_some_and(|p| p.hidden.with(|h| h.contains(name)))
}

/// The controls an embed can hide: TensorFlow Playground's names and labels.
const HIDABLE: [(&str, &str); 16] = [
    ("showTestData", "Show test data"),
    ("discretize", "Discretize output"),
    ("playButton", "Play button"),
    ("stepButton", "Step button"),
    ("resetButton", "Reset button"),
    ("learningRate", "Learning rate"),
    ("activation", "Activation"),
    ("regularization", "Regularization"),
    ("regularizationRate", "Regularization rate"),
    ("dropout", "Dropout"),
    ("problem", "Problem type"),
    ("dataset", "Which dataset"),
    ("percTrainData", "Ratio train data"),
    ("noise", "Noise level"),
    ("batchSize", "Batch size"),
    ("numHiddenLayers", "# of hidden layers"),
];

/// "Copy link" and "Embed": the current state as a link or an `<iframe>`.
#[component]
fn Share(ui: Signals) -> impl IntoView {
    let page = use_context::<Page>().expect("the playground provides its page state");
    let copied = RwSignal::new(false);
    let embed_open = RwSignal::new(false);
    let embed_hidden = RwSignal::new(BTreeSet::<String>::new());
    let embed_hide_text = RwSignal::new(true);
    let base_url = move || {
        web_sys::window()
            .and_then(|w| w.location().href().ok())
            .map(|href| href.split('#').next().unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    let link = move || format!("{}#{}", base_url(), page.state(ui).to_hash());
    let snippet = move || {
        let mut state = page.state(ui);
        state.hide_text = embed_hide_text.get();
        state.hidden.extend(embed_hidden.get());
        embed_snippet(&base_url(), &state.to_hash())
    };
    let copy = move |_| {
        let text = link();
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
        copied.set(true);
    };
    view! {
        <div class="share">
            <p class="shortcuts">"Keys: space play/pause · → step · r reset"</p>
            <button data-testid="copy-link" on:click=copy>"Copy link"</button>
            <input class="share-url" readonly aria-label="Link to this playground" data-testid="share-url" prop:value=link />
            <span class="hint" class:hidden=move || !copied.get()>"Copied."</span>
            <button data-testid="embed" on:click=move |_| embed_open.update(|o| *o = !*o)>"Embed…"</button>
            <div class="embed-dialog" data-testid="embed-dialog" class:hidden=move || !embed_open.get()>
                <p>"Paste this into a lesson page. Tick what to hide:"</p>
                <label class="check">
                    <input type="checkbox" prop:checked=move || embed_hide_text.get()
                        on:change=move |ev| embed_hide_text.set(event_target_checked(&ev)) />
                    "The explanation text"
                </label>
                <div class="hide-options">
                    {HIDABLE.map(|(name, label)| view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("embed-hide-{name}")
                                prop:checked=move || embed_hidden.with(|h| h.contains(name))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    embed_hidden.update(|h| { if on { h.insert(name.to_string()); } else { h.remove(name); } });
                                } />
                            {label}
                        </label>
                    }).collect_view()}
                </div>
                <textarea readonly rows="3" aria-label="Embed code" data-testid="embed-snippet" prop:value=snippet></textarea>
            </div>
        </div>
    }
}

/// The `<iframe>` that embeds the playground at `base#hash`.
fn embed_snippet(base: &str, hash: &str) -> String {
    let src = format!("{base}#{hash}")
        .replace('&', "&amp;")
        .replace('"', "&quot;");
    format!(
        r#"<iframe src="{src}" width="1100" height="760" style="border:0" title="Playnet playground" loading="lazy"></iframe>"#
    )
}

/// What a keyboard shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shortcut {
    PlayPause,
    Step,
    Reset,
}

/// Space plays or pauses, → steps one epoch, r resets; never while typing in
/// a field or with a modifier held, and Space never on a focused button or
/// link (it presses that).
fn shortcut(ev: &web_sys::KeyboardEvent) -> Option<Shortcut> {
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
        return None;
    }
    let tag = ev
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        .map(|el| el.tag_name())
        .unwrap_or_default();
    let typing = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
    // Space on a focused button or link presses it, as everywhere else.
    let pressing = ev.key() == " " && matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY");
    if typing || pressing {
        return None;
    }
    shortcut_for_key(&ev.key())
}

fn shortcut_for_key(key: &str) -> Option<Shortcut> {
    match key {
        " " => Some(Shortcut::PlayPause),
        "ArrowRight" => Some(Shortcut::Step),
        "r" | "R" => Some(Shortcut::Reset),
        _ => None,
    }
}

fn parse_option<T>(options: &[T], value: &str) -> Option<T>
where
    T: Copy + std::fmt::Display,
{
    options.iter().copied().find(|o| o.to_string() == value)
}

#[component]
fn TopBar(controller: Rc<Controller>) -> impl IntoView {
    let page = use_context::<Page>().expect("the playground provides its page state");
    let ui = controller.ui;
    let config = ui.config;
    let (c_play, c_step, c_reset) = (controller.clone(), controller.clone(), controller.clone());
    let problem_of = move || config.with(|c| c.dataset.problem());
    view! {
        <div class="controls top">
            <button data-testid="reset" class:hidden=hidden("resetButton") title="New random weights, same data" on:click=move |_| c_reset.reset()>
                "Reset"
            </button>
            <button data-testid="play" class="play" class:hidden=hidden("playButton") on:click=move |_| c_play.toggle_play()>
                {move || if ui.playing.get() { "Pause" } else { "Play" }}
            </button>
            <button data-testid="step" class:hidden=hidden("stepButton") title="Train exactly one epoch" on:click=move |_| c_step.step(1)>
                "Step"
            </button>
            <div class="metric">
                <span class="label">"Epoch"</span>
                <span class="value" data-testid="epoch">{move || format::epoch(ui.epoch.get())}</span>
            </div>
            <label class="metric" class:hidden=hidden("learningRate")>
                <span class="label">"Learning rate"</span>
                <select
                    data-testid="learning-rate"
                    prop:value=move || config.with(|c| c.learning_rate.to_string())
                    on:change=move |ev| {
                        if let Some(lr) = parse_option(&LEARNING_RATES, &event_target_value(&ev)) {
                            config.update(|c| c.learning_rate = lr);
                        }
                    }
                >
                    {LEARNING_RATES.map(|lr| view! { <option value=lr.to_string()>{lr.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label class="metric" class:hidden=hidden("activation")>
                <span class="label">"Activation"</span>
                <select
                    data-testid="activation"
                    prop:value=move || config.with(|c| c.activation.name().to_string())
                    on:change=move |ev| {
                        if let Ok(a) = event_target_value(&ev).parse::<Activation>() {
                            config.update(|c| c.set_activation(a));
                        }
                    }
                >
                    {Activation::ALL.map(|a| view! { <option value=a.name()>{a.name()}</option> }).collect_view()}
                </select>
            </label>
            <label class="metric" class:hidden=hidden("regularization")>
                <span class="label">"Regularization"</span>
                <select
                    data-testid="regularization"
                    prop:value=move || config.with(|c| match c.regularization {
                        None => "none",
                        Some(Regularization::L1) => "L1",
                        Some(Regularization::L2) => "L2",
                    }.to_string())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        config.update(|c| c.regularization = value.parse::<Regularization>().ok());
                    }
                >
                    <option value="none">"None"</option>
                    <option value="L1">"L1"</option>
                    <option value="L2">"L2"</option>
                </select>
            </label>
            <label class="metric" class:hidden=hidden("regularizationRate")>
                <span class="label">"Regularization rate"</span>
                <select
                    data-testid="regularization-rate"
                    prop:value=move || config.with(|c| c.regularization_rate.to_string())
                    on:change=move |ev| {
                        if let Some(r) = parse_option(&REGULARIZATION_RATES, &event_target_value(&ev)) {
                            config.update(|c| c.regularization_rate = r);
                        }
                    }
                >
                    {REGULARIZATION_RATES.map(|r| view! { <option value=r.to_string()>{r.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label class="metric" class:hidden=hidden("problem")>
                <span class="label">"Problem type"</span>
                <select
                    data-testid="problem"
                    prop:value=move || problem_name(problem_of()).to_string()
                    on:change=move |ev| {
                        let dataset = match event_target_value(&ev).as_str() {
                            "regression" => DatasetKind::RegPlane,
                            "multiclass" => DatasetKind::Spiral3,
                            _ => DatasetKind::Circle,
                        };
                        config.update(|c| {
                            c.dataset = dataset;
                            c.loss = None;
                        });
                    }
                >
                    <option value="classification">"Classification"</option>
                    <option value="regression">"Regression"</option>
                    <option value="multiclass">"Multi-class"</option>
                </select>
            </label>
            <div class="view-buttons">
                <button
                    data-testid="more"
                    aria-expanded=move || page.more_open().to_string()
                    aria-controls="playground-more"
                    title="Optimizer, loss, dropout, speed and more"
                    on:click=move |_| page.more.set(Some(!page.more_open()))
                >
                    {move || if page.more_open() { "Fewer settings" } else { "More settings" }}
                </button>
                <button
                    data-testid="projector"
                    aria-pressed=move || page.projector.get().to_string()
                    title="Large text and controls for a room; hides the article"
                    on:click=move |_| {
                        page.projector.update(|p| *p = !*p);
                        page.more.set(None);
                    }
                >
                    "Projector"
                </button>
            </div>
        </div>
        <TrainingBar ui=ui />
    }
}

/// Epochs per frame for the speed menu.
const SPEEDS: [u32; 7] = [1, 2, 5, 10, 20, 50, 100];

/// Beyond TensorFlow Playground: optimiser, loss, speed, stop epoch, and the
/// page's own measure of how fast it runs.
#[component]
fn TrainingBar(ui: Signals) -> impl IntoView {
    let page = use_context::<Page>().expect("the playground provides its page state");
    let config = ui.config;
    let binary = move || config.with(|c| c.dataset.problem() == Problem::Classification);
    view! {
        <div class="controls training" id="playground-more" class:hidden=move || !page.more_open()>
            <label class="metric" class:hidden=hidden("dropout")>
                <span class="label">"Dropout"</span>
                <select
                    data-testid="dropout"
                    title="Share of each hidden layer's outputs dropped in every training step (never when drawing or testing)"
                    prop:value=move || config.with(|c| c.dropout.to_string())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        let options = config.with_untracked(|c| dropout_options(c.dropout));
                        if let Some(rate) = parse_option(&options, &value) {
                            config.update(|c| c.dropout = rate);
                        }
                    }
                >
                    {move || dropout_options(config.with(|c| c.dropout))
                        .into_iter()
                        .map(|r| view! { <option value=r.to_string() selected=move || config.with(|c| c.dropout == r)>{dropout_label(r)}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="metric">
                <span class="label">"Optimizer"</span>
                <select
                    data-testid="optimizer"
                    prop:value=move || config.with(|c| c.optimizer.name().to_string())
                    on:change=move |ev| {
                        if let Ok(o) = event_target_value(&ev).parse::<Optimizer>() {
                            config.update(|c| c.optimizer = o);
                        }
                    }
                >
                    <option value="sgd">"SGD"</option>
                    <option value="momentum">"Momentum"</option>
                    <option value="adam">"Adam"</option>
                </select>
            </label>
            <label class="metric" class:hidden=move || !binary()>
                <span class="label">"Loss"</span>
                <select
                    data-testid="loss"
                    prop:value=move || config.with(|c| c.effective_loss().name().to_string())
                    on:change=move |ev| {
                        if let Ok(l) = event_target_value(&ev).parse::<Loss>() {
                            config.update(|c| c.loss = Some(l));
                        }
                    }
                >
                    {Loss::ALL.map(|l| view! { <option value=l.name()>{loss_label(l)}</option> }).collect_view()}
                </select>
            </label>
            <label class="metric">
                <span class="label">"Epochs per frame"</span>
                <select
                    data-testid="speed"
                    prop:value=move || ui.speed.get().to_string()
                    on:change=move |ev| {
                        if let Some(s) = parse_option(&SPEEDS, &event_target_value(&ev)) {
                            ui.speed.set(s);
                        }
                    }
                >
                    {SPEEDS.map(|s| view! { <option value=s.to_string()>{s.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label class="metric">
                <span class="label">"Stop at epoch"</span>
                <input
                    type="number"
                    min="1"
                    placeholder="never"
                    data-testid="stop-at"
                    prop:value=move || ui.stop_at.get().map(|e| e.to_string()).unwrap_or_default()
                    on:change=move |ev| ui.stop_at.set(event_target_value(&ev).trim().parse::<u64>().ok().filter(|&e| e > 0))
                />
            </label>
            <div class="metric">
                <span class="label">"Speed"</span>
                <span class="value small">
                    <span data-testid="epochs-per-second">{move || format!("{:.0}", ui.epochs_per_second.get())}</span>
                    " epochs/s · "
                    <span data-testid="fps">{move || format!("{:.0}", ui.fps.get())}</span>
                    " frames/s"
                </span>
            </div>
            <label class="check keep-network">
                <input type="checkbox" data-testid="keep-network"
                    prop:checked=move || ui.keep_network.get()
                    on:change=move |ev| ui.keep_network.set(event_target_checked(&ev)) />
                "Keep weights when changing regularization or batch size"
            </label>
            <div class="metric">
                <span class="label">"Computing on"</span>
                <span class="value small" data-testid="backend">{Cpu.name()}</span>
            </div>
        </div>
    }
}

fn loss_label(loss: Loss) -> &'static str {
    match loss {
        Loss::HalfSquaredError => "Squared error (tanh)",
        Loss::BinaryCrossEntropy => "Cross-entropy (sigmoid)",
        Loss::SoftmaxCrossEntropy => "Softmax cross-entropy",
    }
}

/// What a click on the output does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Brush {
    Off,
    /// Adds a training point with this label.
    Add(f64),
    Erase,
}

fn brush_value(brush: Brush) -> String {
    match brush {
        Brush::Off => "off".into(),
        Brush::Add(label) => label.to_string(),
        Brush::Erase => "erase".into(),
    }
}

fn parse_brush(value: &str) -> Brush {
    match value {
        "erase" => Brush::Erase,
        other => other.parse::<f64>().map_or(Brush::Off, Brush::Add),
    }
}

/// The labels a person can paint for a problem, as `(value, menu text)`.
fn brush_options(problem: Problem, classes: usize) -> Vec<(String, String)> {
    match problem {
        Problem::Classification => vec![
            ("1".into(), "add blue (+1) points".into()),
            ("-1".into(), "add orange (−1) points".into()),
        ],
        Problem::Regression => vec![
            ("1".into(), "add points of value +1".into()),
            ("0".into(), "add points of value 0".into()),
            ("-1".into(), "add points of value −1".into()),
        ],
        Problem::MultiClass => (0..classes)
            .map(|k| (k.to_string(), format!("add class {} points", k + 1)))
            .collect(),
    }
}

fn problem_name(problem: Problem) -> &'static str {
    match problem {
        Problem::Classification => "classification",
        Problem::Regression => "regression",
        Problem::MultiClass => "multiclass",
    }
}

#[component]
fn DataColumn(ui: Signals) -> impl IntoView {
    let config = ui.config;
    let upload_csv = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        let (problem, classes) =
            config.with_untracked(|c| (c.dataset.problem(), c.dataset.num_classes()));
        leptos::task::spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => return ui.status.set(format!("Cannot read {}", file.name())),
            };
            match playnet_playground::parse_points(&text, problem, classes) {
                Ok(points) => {
                    ui.status.set(String::new());
                    ui.pending.update(|p| p.push(Action::SetPoints(points)));
                }
                Err(e) => ui
                    .status
                    .set(format!("{} was not loaded: {e}", file.name())),
            }
        });
    };
    // Only a change of problem changes which data sets are listed (and so
    // redraws their thumbnails); other settings leave the buttons alone.
    let problem = Memo::new(move |_| config.with(|c| c.dataset.problem()));
    let datasets = move || {
        let problem = problem.get();
        DatasetKind::ALL
            .into_iter()
            .filter(move |d| d.problem() == problem)
    };
    let slider = move |id: &'static str,
                       control: &'static str,
                       label: &'static str,
                       min: u32,
                       max: u32,
                       step: u32,
                       get: fn(&PlaygroundConfig) -> u32,
                       set: fn(&mut PlaygroundConfig, u32)| {
        view! {
            <label class="slider" class:hidden=hidden(control)>
                <span class="label">{label} ": " <b>{move || config.with(get)}</b></span>
                <input
                    type="range"
                    data-testid=id
                    min=min
                    max=max
                    step=step
                    prop:value=move || config.with(get).to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                            config.update(|c| set(c, v.clamp(min, max)));
                        }
                    }
                />
            </label>
        }
    };
    view! {
        <div class="column data">
            <h2>"Data"</h2>
            <p class="hint" class:hidden=hidden("dataset")>"Which dataset do you want to use?"</p>
            <div class="datasets" class:hidden=hidden("dataset")>
                {move || datasets()
                    .map(|d| view! {
                        <button
                            class="dataset"
                            data-testid=format!("dataset-{}", d.name())
                            class:selected=move || config.with(|c| c.dataset == d)
                            title=d.name()
                            aria-label=d.name()
                            on:click=move |_| config.update(|c| c.dataset = d)
                        >
                            <thumbnail::DatasetThumb kind=d />
                            <span class="dataset-name">{d.name()}</span>
                        </button>
                    })
                    .collect_view()}
            </div>
            {slider("perc-train-data", "percTrainData", "Ratio of training to test data (%)", 10, 90, 10,
                |c| c.perc_train_data, |c, v| c.perc_train_data = v)}
            {slider("noise", "noise", "Noise", 0, 50, 5, |c| c.noise, |c, v| c.noise = v)}
            {slider("batch-size", "batchSize", "Batch size", *BATCH_SIZES.start() as u32, *BATCH_SIZES.end() as u32, 1,
                |c| c.batch_size as u32, |c, v| c.batch_size = v as usize)}
            <label class="slider">
                <span class="label">"Click or drag on the output to"</span>
                <select data-testid="brush" prop:value=move || brush_value(ui.brush.get()) on:change=move |ev| {
                    ui.brush.set(parse_brush(&event_target_value(&ev)));
                }>
                    <option value="off">"look only"</option>
                    {move || brush_options(config.with(|c| c.dataset.problem()), config.with(|c| c.dataset.num_classes()))
                        .into_iter()
                        .map(|(value, label)| view! { <option value=value>{label}</option> })
                        .collect_view()}
                    <option value="erase">"erase points"</option>
                </select>
            </label>
            <label class="slider">
                <span class="label">"Your own data (CSV: x, y, label)"</span>
                <input type="file" accept=".csv,text/csv,text/plain" data-testid="upload-csv" on:change=upload_csv />
            </label>
            <div class="csv-export">
                <button data-testid="export-csv" on:click=move |_| ui.pending.update(|p| p.push(Action::ExportCsv))>
                    "Export data as CSV"
                </button>
                {move || ui.csv_download.get().map(|url| view! {
                    <a href=url download="playnet-data.csv" data-testid="download-csv">"playnet-data.csv"</a>
                })}
            </div>
            <p class="hint" data-testid="data-count">
                {move || { let (train, test) = ui.counts.get(); format!("{train} training · {test} test points") }}
            </p>
            <button
                data-testid="regenerate"
                title="New random data (a new seed)"
                on:click=move |_| config.update(|c| c.seed = (js_sys::Math::random() * 1e9) as u64)
            >
                "Regenerate"
            </button>
        </div>
    }
}

#[component]
fn NetworkView(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let config = ui.config;
    let lay = move || {
        ui.fit.track();
        config.with(|c| ui.layout(c))
    };
    let hidden_count = move || config.with(|c| c.network_shape.len());
    let node = move |column: usize, index: usize, x: f64, y: f64, side: f64| {
        let feature = (column == 0).then(|| Feature::ALL[index]);
        let active = move || feature.is_none_or(|f| config.with(|c| c.features.contains(&f)));
        let toggle = move |_| {
            if feature.is_none() {
                ui.focus_weight.set(None);
                ui.selected.update(|s| {
                    *s = if *s == Some((column, index)) {
                        None
                    } else {
                        Some((column, index))
                    }
                });
            }
            if let Some(f) = feature {
                config.update(|c| {
                    if c.features.contains(&f) {
                        if c.features.len() > 1 {
                            c.features.retain(|g| *g != f);
                        }
                    } else {
                        c.features.push(f);
                        c.features
                            .sort_by_key(|g| Feature::ALL.iter().position(|h| h == g));
                    }
                });
            }
        };
        // A button, so the keyboard reaches every node: Enter or Space
        // toggles a feature or opens a neuron's card, and focus shows the
        // neuron large as hovering does.
        let name = move || match feature {
            Some(f) => format!("Input feature {}", f.label()),
            None if column > hidden_count() => "Output neuron".to_string(),
            None => format!("Neuron {} of hidden layer {column}", index + 1),
        };
        view! {
            <button
                type="button"
                class="node"
                class:inactive=move || !active()
                class:input=feature.is_some()
                class:selected=move || ui.selected.get() == Some((column, index))
                aria-label=name
                aria-pressed=move || {
                    let pressed = if feature.is_some() { active() } else { ui.selected.get() == Some((column, index)) };
                    pressed.to_string()
                }
                style=format!("left:{}px;top:{}px;width:{side}px;height:{side}px", x - side / 2.0, y - side / 2.0)
                data-testid=match feature {
                    Some(f) => format!("feature-{}", f.tfp_key()),
                    None => format!("node-{column}-{index}"),
                }
                data-node=format!("{column}-{index}")
                on:click=toggle
                on:mouseenter=move |_| ui.hovered.set(Some((column, index)))
                on:mouseleave=move |_| ui.hovered.set(None)
                on:focus=move |_| ui.hovered.set(Some((column, index)))
                on:blur=move |_| ui.hovered.set(None)
            >
                {feature.map(|f| view! { <span class="feature-label">{f.label()}</span> })}
            </button>
        }
    };
    // The links canvas lies under the nodes, so it only hears the pointer
    // between them: hovering shows a link's weight, a click or tap opens
    // the card of the neuron it feeds with that weight ready to edit.
    let (c_move, c_down, c_leave, c_click) = (
        controller.clone(),
        controller.clone(),
        controller.clone(),
        controller.clone(),
    );
    let tooltip = move |kind: TipKind| {
        move || {
            ui.tooltip.with(|t| {
                t.as_ref()
                    .filter(|t| t.kind == kind)
                    .map(|t| (t.text.clone(), t.x, t.y))
            })
        }
    };
    let (link_tip, bias_tip) = (tooltip(TipKind::Link), tooltip(TipKind::Bias));
    view! {
        <div class="column network">
            <div class="layers-header" class:hidden=hidden("numHiddenLayers")>
                <button
                    data-testid="add-layer"
                    title="Add a hidden layer"
                    disabled=move || { hidden_count() >= MAX_LAYERS }
                    on:click=move |_| config.update(|c| if c.network_shape.len() < MAX_LAYERS { c.network_shape.push(2) })
                >
                    "+"
                </button>
                <button
                    data-testid="remove-layer"
                    title="Remove the last hidden layer"
                    disabled=move || hidden_count() == 0
                    on:click=move |_| config.update(|c| {
                        c.network_shape.pop();
                        c.trim_layer_activations();
                    })
                >
                    "−"
                </button>
                <span data-testid="layer-count">
                    {move || match hidden_count() { 1 => "1 hidden layer".to_string(), n => format!("{n} hidden layers") }}
                </span>
            </div>
            <div class="layer-buttons" style=move || format!("width:{}px", lay().width)>
                {move || {
                    let l = lay();
                    // As wide as the column spacing allows (60 px at most);
                    // narrower, a layer says only its neuron count.
                    let spacing = l.columns.get(1).zip(l.columns.first()).map_or(60.0, |(b, a)| b[0].0 - a[0].0);
                    let control = (spacing - 4.0).clamp(30.0, 60.0);
                    let narrow = control < 56.0;
                    (0..hidden_count())
                        .map(|i| {
                            let x = l.columns[i + 1][0].0;
                            let width = move || config.with(|c| c.network_shape.get(i).copied().unwrap_or(0));
                            view! {
                                <div class="layer-control" class:narrow=narrow style=format!("left:{}px;width:{control}px", x - control / 2.0)>
                                    <button
                                        data-testid=format!("layer-{i}-add-neuron")
                                        disabled=move || { width() >= MAX_NEURONS }
                                        on:click=move |_| config.update(|c| {
                                            if let Some(n) = c.network_shape.get_mut(i) { *n = (*n + 1).min(MAX_NEURONS) }
                                        })
                                    >"+"</button>
                                    <button
                                        data-testid=format!("layer-{i}-remove-neuron")
                                        disabled=move || { width() <= 1 }
                                        on:click=move |_| config.update(|c| {
                                            if let Some(n) = c.network_shape.get_mut(i) { *n = (*n - 1).max(1) }
                                        })
                                    >"−"</button>
                                    <div class="neuron-count" title=move || format!("{} in hidden layer {}", match width() { 1 => "1 neuron".to_string(), n => format!("{n} neurons") }, i + 1)>
                                        {move || match (narrow, width()) { (true, n) => n.to_string(), (false, 1) => "1 neuron".to_string(), (false, n) => format!("{n} neurons") }}
                                    </div>
                                    <select
                                        class="layer-activation"
                                        title=format!("Activation of hidden layer {}", i + 1)
                                        aria-label=format!("Activation of hidden layer {}", i + 1)
                                        data-testid=format!("layer-{i}-activation")
                                        prop:value=move || config.with(|c| c.layer_activation(i).name().to_string())
                                        on:change=move |ev| {
                                            if let Ok(a) = event_target_value(&ev).parse::<Activation>() {
                                                config.update(|c| c.set_layer_activation(i, a));
                                            }
                                        }
                                    >
                                        {Activation::ALL.map(|a| view! { <option value=a.name()>{a.name()}</option> }).collect_view()}
                                    </select>
                                </div>
                            }
                        })
                        .collect_view()
                }}
            </div>
            <div class="network-fit">
            <div class="network-area" style=move || { let l = lay(); format!("width:{}px;height:{}px", l.width, l.height) }>
                <canvas
                    class="links"
                    data-testid="links"
                    aria-label="The network: each neuron's output over the plane, and the links between \
                                them coloured by weight (blue positive, orange negative). Hover or tap a \
                                link to see its weight."
                    on:pointermove=move |ev| c_move.point_at(f64::from(ev.offset_x()), f64::from(ev.offset_y()))
                    on:pointerdown=move |ev| c_down.point_at(f64::from(ev.offset_x()), f64::from(ev.offset_y()))
                    on:pointerleave=move |_| c_leave.leave_links()
                    on:click=move |ev| { c_click.click_at(f64::from(ev.offset_x()), f64::from(ev.offset_y())); }
                ></canvas>
                {move || {
                    let l = lay();
                    l.columns
                        .iter()
                        .enumerate()
                        .flat_map(|(c, nodes)| nodes.iter().enumerate().map(move |(i, &(x, y))| (c, i, x, y)))
                        .map(|(c, i, x, y)| node(c, i, x, y, l.node))
                        .collect_view()
                }}
                <div
                    class="tooltip"
                    data-testid="link-tooltip"
                    class:hidden=move || link_tip().is_none()
                    style=move || link_tip().map(|(_, x, y)| format!("left:{x}px;top:{y}px")).unwrap_or_default()
                >
                    {move || link_tip().map(|(text, _, _)| text).unwrap_or_default()}
                </div>
                <div
                    class="tooltip"
                    data-testid="bias-tooltip"
                    class:hidden=move || bias_tip().is_none()
                    style=move || bias_tip().map(|(_, x, y)| format!("left:{x}px;top:{y}px")).unwrap_or_default()
                >
                    {move || bias_tip().map(|(text, _, _)| text).unwrap_or_default()}
                </div>
            </div>
            </div>
            <NodeCardView ui=ui />
        </div>
    }
}

/// The card of the selected neuron: its bias and incoming weights, live and
/// editable (reachable by tap, no hover needed). A click on a link opens the
/// card of the neuron it feeds with that link's weight focused.
#[component]
fn NodeCardView(ui: Signals) -> impl IntoView {
    let column = move || ui.selected.get().map_or(0, |(c, _)| c);
    let index = move || ui.selected.get().map_or(0, |(_, i)| i);
    // The rows change only with the neuron, not with every weight update,
    // so a field being typed in is not rebuilt under the cursor.
    let rows = Memo::new(move |_| {
        ui.card.with(|c| {
            c.as_ref()
                .map(|c| {
                    c.weights
                        .iter()
                        .map(|(label, from, _)| (label.clone(), *from))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    Effect::new(move |_| {
        let open = ui.card.with(Option::is_some);
        rows.track();
        if let (true, Some(row)) = (open, ui.focus_weight.get()) {
            request_animation_frame(move || {
                let input = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| {
                        d.query_selector(&format!("[data-testid=weight-input-{row}]"))
                            .ok()
                            .flatten()
                    })
                    .and_then(|e| {
                        wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok()
                    });
                if let Some(input) = input {
                    let _ = input.focus();
                    input.select();
                }
            });
        }
    });
    let number = |ev: &leptos::ev::Event| {
        event_target_value(ev)
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
    };
    view! {
        <div class="node-card" data-testid="node-card" class:hidden=move || ui.card.with(Option::is_none)>
            <div class="card-head">
                <b data-testid="node-card-title">{move || ui.card.with(|c| c.as_ref().map(|c| c.title.clone()).unwrap_or_default())}</b>
                <button title="Close" on:click=move |_| ui.selected.set(None)>"×"</button>
            </div>
            <label class="param">
                <span>"Bias"</span>
                <input
                    type="number"
                    step="0.1"
                    data-testid="bias-input"
                    prop:value=move || ui.card.with(|c| c.as_ref().map(|c| format!("{:.3}", c.bias)).unwrap_or_default())
                    on:change=move |ev| {
                        if let Some(value) = number(&ev) {
                            let (column, neuron) = (column(), index());
                            ui.pending.update(|p| p.push(Action::Bias { column, neuron, value }));
                        }
                    }
                />
            </label>
            {move || rows.get()
                .into_iter()
                .map(|(from_label, from)| view! {
                    <label class="param" class:focused=move || ui.focus_weight.get() == Some(from)>
                        <span>"from " {from_label}</span>
                        <input
                            type="number"
                            step="0.1"
                            data-testid=format!("weight-input-{from}")
                            prop:value=move || ui.card.with(|c| c.as_ref().and_then(|c| c.weights.get(from)).map(|w| format!("{:.3}", w.2)).unwrap_or_default())
                            on:change=move |ev| {
                                if let Some(value) = number(&ev) {
                                    let (column, to) = (column(), index());
                                    ui.pending.update(|p| p.push(Action::Weight { column, from, to, value }));
                                }
                            }
                        />
                    </label>
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn OutputColumn(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    // Where the last point of a drag went, so painting spaces points out.
    let last_paint = RwSignal::new(None::<(f64, f64)>);
    let paint_at = move |ev: &web_sys::PointerEvent| {
        let brush = ui.brush.get_untracked();
        if brush == Brush::Off {
            return;
        }
        let Some(target) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        else {
            return;
        };
        let (w, h) = (
            f64::from(target.client_width().max(1)),
            f64::from(target.client_height().max(1)),
        );
        let (x, y) = plane_point(f64::from(ev.offset_x()), f64::from(ev.offset_y()), w, h);
        if last_paint
            .get_untracked()
            .is_some_and(|(px, py): (f64, f64)| (px - x).hypot(py - y) < 0.4)
        {
            return;
        }
        last_paint.set(Some((x, y)));
        let edit = match brush {
            Brush::Add(label) => Action::AddPoint { x, y, label },
            Brush::Erase => Action::ErasePoint { x, y },
            Brush::Off => return,
        };
        ui.pending.update(|p| p.push(edit));
    };
    view! {
        <div class="column output">
            <h2>"Output"</h2>
            <div class="output-metrics">
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
            </div>
            <div class="heatmap" data-testid="heatmap-output">
                <canvas class="regions" aria-hidden="true"></canvas>
                <canvas
                    class="points"
                    width="400"
                    height="400"
                    aria-label="The network's output over the plane (orange negative, blue positive), \
                                with the data points on top"
                    class:painting=move || ui.brush.get() != Brush::Off
                    on:pointerdown=move |ev| {
                        last_paint.set(None);
                        paint_at(&ev);
                    }
                    on:pointermove=move |ev| {
                        if ev.buttons() & 1 == 1 {
                            paint_at(&ev);
                        }
                    }
                ></canvas>
                <div class="axis y-axis" aria-hidden="true">
                    {AXIS_TICKS.iter().rev().map(|t| view! { <span>{*t}</span> }).collect_view()}
                </div>
            </div>
            <div class="axis x-axis" data-testid="x-axis" aria-hidden="true">
                {AXIS_TICKS.map(|t| view! { <span>{t}</span> }).collect_view()}
            </div>
            <div class="legend" aria-label="Colour scale from −1 (orange) to 1 (blue)">
                <span>"−1"</span><span class="scale"></span><span>"1"</span>
            </div>
            <label class="check" class:hidden=hidden("showTestData")>
                <input type="checkbox" data-testid="show-test-data"
                    prop:checked=move || ui.show_test_data.get()
                    on:change=move |ev| ui.show_test_data.set(event_target_checked(&ev)) />
                "Show test data"
            </label>
            <label class="check" class:hidden=hidden("discretize")>
                <input type="checkbox" data-testid="discretize"
                    prop:checked=move || ui.discretize.get()
                    on:change=move |ev| ui.discretize.set(event_target_checked(&ev)) />
                "Discretize output"
            </label>
            <p class="status" data-testid="status" role="status">{move || ui.status.get()}</p>
            <LossChart controller=controller.clone() />
            <ConfusionMatrix ui=ui />
            <ModelFiles ui=ui />
        </div>
    }
}

/// The training and test loss over the epochs, with axes and a legend;
/// hovering (or touching) it reads the losses at the epoch under the
/// pointer.
#[component]
fn LossChart(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let (c_move, c_leave) = (controller.clone(), controller);
    view! {
        <div class="loss-chart-box">
            <canvas class="loss-chart" data-testid="loss-chart"
                aria-label="Training and test loss over the epochs (the readouts above give the latest)"
                on:pointermove=move |ev| c_move.hover_chart(Some(f64::from(ev.offset_x())))
                on:pointerleave=move |_| c_leave.hover_chart(None)></canvas>
            <p class="chart-hover" data-testid="loss-chart-hover" aria-live="polite">
                {move || ui.chart_hover.get().map(|(epoch, train, test)| format!(
                    "Epoch {}: training loss {} · test loss {}",
                    format::thousands(epoch), format::loss(train), format::loss(test)
                )).unwrap_or_else(|| "Hover the chart to read the losses at an epoch.".into())}
            </p>
        </div>
    }
}

/// Tick labels on the output plot's axes: the plane runs from −6 to 6.
const AXIS_TICKS: [&str; 7] = ["−6", "−4", "−2", "0", "2", "4", "6"];

/// Which data set the confusion matrix counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DataSet {
    Test,
    Train,
}

/// True × predicted counts for classification (hidden for regression):
/// rows are the true classes, columns what the network says. Binary
/// problems have two classes, −1 (orange) and +1 (blue).
#[component]
fn ConfusionMatrix(ui: Signals) -> impl IntoView {
    let which = RwSignal::new(DataSet::Test);
    let classes = Memo::new(move |_| {
        ui.confusion
            .with(|c| c.as_ref().map_or(0, |c| c.test.classes))
    });
    let binary = move || {
        ui.config
            .with(|c| c.dataset.problem() == Problem::Classification)
    };
    let count = move |truth: usize, predicted: usize| {
        ui.confusion.with(|c| {
            c.as_ref().map_or(0, |c| match which.get() {
                DataSet::Test => c.test.get(truth, predicted),
                DataSet::Train => c.train.get(truth, predicted),
            })
        })
    };
    let total = move || {
        ui.confusion.with(|c| {
            c.as_ref().map_or(0, |c| match which.get() {
                DataSet::Test => c.test.total(),
                DataSet::Train => c.train.total(),
            })
        })
    };
    let label = move |class: usize| {
        let [r, g, b] = if binary() {
            crate::heatmap::colour(if class == 1 { 1.0 } else { -1.0 })
        } else {
            crate::heatmap::class_colour(class)
        };
        let name = match (binary(), class) {
            (true, 0) => "−1".to_string(),
            (true, _) => "+1".to_string(),
            (false, k) => (k + 1).to_string(),
        };
        view! { <span class="swatch" style=format!("background:rgb({r},{g},{b})")></span>{name} }
    };
    view! {
        <div class="confusion" class:hidden=move || { classes.get() == 0 }>
            <div class="confusion-head">
                <span class="label">"Confusion matrix"</span>
                <select
                    data-testid="confusion-set"
                    aria-label="Which data the confusion matrix counts"
                    prop:value=move || if which.get() == DataSet::Test { "test" } else { "train" }
                    on:change=move |ev| which.set(if event_target_value(&ev) == "train" { DataSet::Train } else { DataSet::Test })
                >
                    <option value="test">"test data"</option>
                    <option value="train">"training data"</option>
                </select>
            </div>
            <table data-testid="confusion-matrix">
                {move || {
                    let n = classes.get();
                    view! {
                        <thead>
                            <tr>
                                <th class="corner" title="rows: true class · columns: predicted class">"true ↓ · predicted →"</th>
                                {(0..n).map(|p| view! { <th>{label(p)}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {(0..n).map(|t| view! {
                                <tr>
                                    <th>{label(t)}</th>
                                    {(0..n).map(|p| view! {
                                        <td
                                            data-testid=format!("confusion-{t}-{p}")
                                            class:diagonal={ t == p }
                                            style=move || {
                                                let share = f64::from(count(t, p)) / f64::from(total().max(1));
                                                let hue = if t == p { "52,168,83" } else { "198,40,40" };
                                                format!("background:rgba({hue},{:.2})", (share * 1.5).min(0.6))
                                            }
                                        >
                                            {move || count(t, p)}
                                        </td>
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    }
                }}
            </table>
        </div>
    }
}

/// Export the trained model (safetensors + JSON) and load one back.
#[component]
fn ModelFiles(ui: Signals) -> impl IntoView {
    let load = move |ev: leptos::ev::Event| {
        let files = crate::files::picked(&ev);
        leptos::task::spawn_local(async move {
            match crate::files::read_model_files(files).await {
                Ok((json, safetensors)) => ui.pending.update(|p| {
                    p.push(Action::Import(playnet_playground::SavedModel {
                        json,
                        safetensors,
                    }))
                }),
                Err(e) => ui.status.set(format!("Cannot load this model: {e}")),
            }
        });
    };
    view! {
        <div class="model-files">
            <button data-testid="export-model" on:click=move |_| ui.pending.update(|p| p.push(Action::Export))>
                "Export model"
            </button>
            {move || ui.downloads.get().map(|(weights, config)| view! {
                <a href=weights download="playnet-model.safetensors" data-testid="download-weights">"weights (.safetensors)"</a>
                <a href=config download="playnet-model.json" data-testid="download-config">"config (.json)"</a>
            })}
            <label class="load">
                "Load model: "
                <input type="file" multiple accept=".safetensors,.json" data-testid="load-model" on:change=load />
            </label>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_shortcuts() {
        assert_eq!(shortcut_for_key(" "), Some(Shortcut::PlayPause));
        assert_eq!(shortcut_for_key("ArrowRight"), Some(Shortcut::Step));
        assert_eq!(shortcut_for_key("R"), Some(Shortcut::Reset));
        assert_eq!(shortcut_for_key("x"), None);
    }

    #[test]
    fn pixels_map_onto_the_plane() {
        assert_eq!(plane_point(0.0, 0.0, 400.0, 400.0), (-6.0, 6.0));
        assert_eq!(plane_point(200.0, 200.0, 400.0, 400.0), (0.0, 0.0));
        assert_eq!(plane_point(500.0, 400.0, 400.0, 400.0), (6.0, -6.0));
    }

    #[test]
    fn brushes_round_trip_through_the_menu() {
        for brush in [
            Brush::Off,
            Brush::Erase,
            Brush::Add(1.0),
            Brush::Add(-1.0),
            Brush::Add(2.0),
        ] {
            assert_eq!(parse_brush(&brush_value(brush)), brush);
        }
        for (value, _) in brush_options(Problem::MultiClass, 3) {
            assert!(matches!(parse_brush(&value), Brush::Add(_)));
        }
    }

    #[test]
    fn embed_snippets_escape_the_link() {
        let s = embed_snippet("http://h/", "a=1&b=\"x\"");
        assert!(
            s.starts_with("<iframe src=\"http://h/#a=1&amp;b=&quot;x&quot;\""),
            "{s}"
        );
        assert!(s.contains("title=\"Playnet playground\""));
    }

    #[test]
    fn menus_parse_their_own_labels() {
        for lr in LEARNING_RATES {
            assert_eq!(parse_option(&LEARNING_RATES, &lr.to_string()), Some(lr));
        }
        assert_eq!(parse_option(&REGULARIZATION_RATES, "0.003"), Some(0.003));
        assert_eq!(parse_option(&SPEEDS, "7"), None);
        for rate in DROPOUTS {
            assert_eq!(parse_option(&DROPOUTS, &rate.to_string()), Some(rate));
        }
        assert_eq!(dropout_options(0.2), DROPOUTS.to_vec());
        assert_eq!(dropout_options(0.25), vec![0.0, 0.1, 0.2, 0.25, 0.3, 0.5]);
        assert_eq!(dropout_label(0.0), "None");
    }
}
