//! The architecture editor: layers (dense, convolution, depthwise
//! convolution, max- and average pooling, dropout,
//! batch norm) with their sizes and activations, the optimiser and the
//! learning-rate schedule. The draft is checked as it is edited
//! ([`check`]: `NetConfig::validate` plus the training settings) and the
//! reason shown; only a valid network can be trained.
//!
//! What the fields show, what the verdict says and what trains always
//! agree: a field whose text is not a value it can take keeps that text and
//! makes the verdict an error naming it (the draft is not changed behind
//! it), and while the draft differs from the network in training the editor
//! says that Start trains the latter.

use std::rc::Rc;

use leptos::prelude::*;
use playnet_engine::{Activation, Layer, Optimizer, Padding, Schedule, TrainConfig};
use playnet_mnist::CLASSES;

use super::controller::{Controller, thousands};
use crate::worker::protocol::SetupSpec;

/// Largest batch the editor accepts (memory, not maths, is the limit).
const MAX_BATCH: usize = 1000;

/// Whether `setup` can be trained: its parameter count, or why not.
pub fn check(setup: &SetupSpec) -> Result<usize, String> {
    let net = &setup.network;
    if net.layers.len() > 16 {
        return Err("at most 16 layers".into());
    }
    for (i, layer) in net.layers.iter().enumerate() {
        let n = i + 1;
        match *layer {
            Layer::Dense { units, .. } if !(1..=4096).contains(&units) => {
                return Err(format!("layer {n}: a dense layer needs 1 to 4096 units"));
            }
            Layer::Conv {
                filters,
                kernel,
                stride,
                ..
            } if !(1..=128).contains(&filters)
                || !(1..=9).contains(&kernel)
                || !(1..=4).contains(&stride) =>
            {
                return Err(format!(
                    "layer {n}: a convolution needs 1–128 filters, a 1–9 kernel and a 1–4 stride"
                ));
            }
            Layer::MaxPool { size, stride }
                if !(1..=4).contains(&size) || !(1..=4).contains(&stride) =>
            {
                return Err(format!("layer {n}: pooling size and stride must be 1 to 4"));
            }
            Layer::Dropout { keep } if !(keep > 0.0 && keep <= 1.0) => {
                return Err(format!("layer {n}: dropout keeps a fraction in (0, 1]"));
            }
            _ => {}
        }
    }
    net.validate(CLASSES).map_err(|e| e.to_string())?;
    let t = &setup.training;
    if !(1..=MAX_BATCH).contains(&t.batch_size) {
        return Err(format!("the batch size must be 1 to {MAX_BATCH}"));
    }
    let rates_ok = match t.schedule {
        Schedule::Constant { rate } => rate.is_finite() && rate > 0.0,
        Schedule::ExponentialDecay {
            max,
            min,
            decay_steps,
        } => {
            max.is_finite()
                && min.is_finite()
                && min >= 0.0
                && max >= min
                && max > 0.0
                && decay_steps.is_finite()
                && decay_steps > 0.0
        }
    };
    if !rates_ok {
        return Err(
            "learning rates must be positive numbers (decay: max ≥ min ≥ 0, decay steps > 0)"
                .into(),
        );
    }
    let parameters = net.parameter_count().map_err(|e| e.to_string())?;
    if parameters > 5_000_000 {
        return Err(format!(
            "{} parameters is too many for a browser tab (at most 5,000,000)",
            thousands(parameters as u32)
        ));
    }
    Ok(parameters)
}

fn kind(layer: &Layer) -> &'static str {
    match layer {
        Layer::Dense { .. } => "dense",
        Layer::Conv { .. } => "conv",
        Layer::DepthwiseConv { .. } => "depthwise conv",
        Layer::MaxPool { .. } => "max-pool",
        Layer::AvgPool { .. } => "avg-pool",
        Layer::GlobalAvgPool => "global avg-pool",
        Layer::Dropout { .. } => "dropout",
        Layer::BatchNorm { .. } => "batch norm",
    }
}

/// A field's text that the draft could not take, and why.
#[derive(Clone, Debug, PartialEq)]
struct BadField {
    /// The field's test id.
    id: String,
    text: String,
    message: String,
}

/// Puts a field's text into the draft, or says why it cannot.
type FieldSetter = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// A whole number from a field's text, or why not.
fn whole(text: &str) -> Result<usize, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{:?} is not a whole number", text.trim()))
}

/// A finite `f32` from a field's text, or why not.
fn decimal(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) if text.trim().parse::<f64>().is_ok_and(f64::is_finite) => Err(format!(
            "{:?} is too large (at most {:e})",
            text.trim(),
            f32::MAX
        )),
        _ => Err(format!("{:?} is not a number", text.trim())),
    }
}

fn optimizer_name(o: Optimizer) -> &'static str {
    match o {
        Optimizer::Sgd => "sgd",
        Optimizer::Momentum { .. } => "momentum",
        Optimizer::Adam { .. } => "adam",
    }
}

#[component]
pub fn Editor(controller: Rc<Controller>) -> impl IntoView {
    let ui = controller.ui;
    let draft = RwSignal::new(ui.setup.get_untracked());
    // Fields whose text the draft could not take (the draft keeps its value).
    let bad = RwSignal::new(Vec::<BadField>::new());
    // A new preset (or a loaded model) replaces the draft.
    Effect::new(move |_| {
        draft.set(ui.setup.get());
        bad.set(Vec::new());
    });
    let verdict = Memo::new(
        move |_| match bad.with(|b| b.first().map(|f| f.message.clone())) {
            Some(e) => Err(e),
            None => draft.with(check),
        },
    );
    // Layers added or removed: every layer field is drawn anew from the draft.
    let restructure = move || bad.update(|b| b.retain(|f| !f.id.starts_with("layer-")));
    let pending = move || draft.with(|d| ui.setup.with(|s| d != s));
    let training_now = move || {
        ui.preset
            .get()
            .and_then(playnet_mnist::preset)
            .map_or_else(|| "your network".to_string(), |p| p.name.to_string())
    };
    let edit = move |i: usize, f: Box<dyn FnOnce(&mut Layer) + Send>| {
        draft.update(|s| {
            if let Some(l) = s.network.layers.get_mut(i) {
                f(l);
            }
        })
    };
    let add = move |layer: Layer| {
        restructure();
        draft.update(|s| {
            // New layers go before the logits, where they usually belong.
            let at = s.network.layers.len().saturating_sub(1);
            s.network.layers.insert(at, layer);
        })
    };
    let training =
        move |f: Box<dyn FnOnce(&mut TrainConfig) + Send>| draft.update(|s| f(&mut s.training));
    let apply = {
        let controller = controller.clone();
        move |_| {
            let setup = draft.get_untracked();
            if check(&setup).is_ok() {
                controller.choose_setup(setup);
            }
        }
    };

    // A text field; its test id is `layer-<i>-<label>` or `field-<label>`.
    // `on` puts the text into the draft, or says why it cannot.
    let number = move |layer: Option<usize>,
                       label: &'static str,
                       value: String,
                       on: FieldSetter| {
        let slug = label.replace(' ', "-");
        let id = layer.map_or_else(|| format!("field-{slug}"), |i| format!("layer-{i}-{slug}"));
        let name = layer.map_or_else(|| label.to_string(), |i| format!("layer {} {label}", i + 1));
        // A rejected text stays in its field when the rows are drawn again.
        let shown = bad
            .with_untracked(|b| b.iter().find(|f| f.id == id).map(|f| f.text.clone()))
            .unwrap_or(value);
        let field = id.clone();
        view! {
            <label class="field">
                <span>{label}</span>
                <input type="text" inputmode="decimal" size="5" data-testid=id prop:value=shown on:change=move |ev| {
                    let text = event_target_value(&ev);
                    let result = on(&text);
                    bad.update(|b| {
                        b.retain(|f| f.id != field);
                        if let Err(why) = result {
                            b.push(BadField { id: field.clone(), text, message: format!("{name}: {why}") });
                        }
                    });
                } />
            </label>
        }
    };
    let activation_select = move |i: usize, current: Activation| {
        view! {
            <label class="field">
                <span>"activation"</span>
                <select
                    prop:value=current.name()
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some(a) = Activation::ALL.into_iter().find(|a| a.name() == value) {
                            edit(i, Box::new(move |l| match l {
                                Layer::Dense { activation, .. }
                                | Layer::Conv { activation, .. }
                                | Layer::BatchNorm { activation } => *activation = a,
                                _ => {}
                            }));
                        }
                    }
                >
                    {Activation::ALL.map(|a| view! { <option value=a.name() selected={a == current}>{a.name()}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    let row = move |i: usize, layer: Layer| {
        let fields = match layer {
            Layer::Dense { units, activation } => view! {
                {number(Some(i), "units", units.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::Dense { units, .. } = l { *units = u }))
                })))}
                {activation_select(i, activation)}
            }
            .into_any(),
            Layer::Conv { filters, kernel, stride, padding, activation } => view! {
                {number(Some(i), "filters", filters.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::Conv { filters, .. } = l { *filters = u }))
                })))}
                {number(Some(i), "kernel", kernel.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::Conv { kernel, .. } = l { *kernel = u }))
                })))}
                {number(Some(i), "stride", stride.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::Conv { stride, .. } = l { *stride = u }))
                })))}
                <label class="field">
                    <span>"padding"</span>
                    <select on:change=move |ev| {
                        let same = event_target_value(&ev) == "same";
                        edit(i, Box::new(move |l| if let Layer::Conv { padding, .. } = l {
                            *padding = if same { Padding::Same } else { Padding::Valid }
                        }))
                    }>
                        <option value="same" selected={padding == Padding::Same}>"same"</option>
                        <option value="valid" selected={padding == Padding::Valid}>"valid"</option>
                    </select>
                </label>
                {activation_select(i, activation)}
            }
            .into_any(),
            Layer::DepthwiseConv { kernel, stride, activation, .. } => view! {
                {number(Some(i), "kernel", kernel.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::DepthwiseConv { kernel, .. } = l { *kernel = u }))
                })))}
                {number(Some(i), "stride", stride.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::DepthwiseConv { stride, .. } = l { *stride = u }))
                })))}
                {activation_select(i, activation)}
            }
            .into_any(),
            Layer::AvgPool { size, stride } => view! {
                {number(Some(i), "size", size.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::AvgPool { size, .. } = l { *size = u }))
                })))}
                {number(Some(i), "stride", stride.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::AvgPool { stride, .. } = l { *stride = u }))
                })))}
            }
            .into_any(),
            Layer::GlobalAvgPool => ().into_any(),
            Layer::MaxPool { size, stride } => view! {
                {number(Some(i), "size", size.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::MaxPool { size, .. } = l { *size = u }))
                })))}
                {number(Some(i), "stride", stride.to_string(), Box::new(move |v| whole(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::MaxPool { stride, .. } = l { *stride = u }))
                })))}
            }
            .into_any(),
            Layer::Dropout { keep } => view! {
                {number(Some(i), "keep", keep.to_string(), Box::new(move |v| decimal(v).map(|u| {
                    edit(i, Box::new(move |l| if let Layer::Dropout { keep } = l { *keep = u }))
                })))}
            }
            .into_any(),
            Layer::BatchNorm { activation } => activation_select(i, activation).into_any(),
        };
        view! {
            <li class="layer" data-testid=format!("layer-{i}")>
                <span class="kind">{kind(&layer)}</span>
                {fields}
                <button class="remove" title="Remove this layer" data-testid=format!("remove-layer-{i}")
                    on:click=move |_| { restructure(); draft.update(|s| { if i < s.network.layers.len() { s.network.layers.remove(i); } }) }>
                    "×"
                </button>
            </li>
        }
    };
    let schedule_kind = move || {
        draft.with(|s| match s.training.schedule {
            Schedule::Constant { .. } => "constant",
            Schedule::ExponentialDecay { .. } => "decay",
        })
    };

    view! {
        <details class="mnist-editor" data-testid="arch-editor">
            <summary>"Build your own network"</summary>
            <p class="muted">"Input: a 28×28 digit. The last layer must be dense with 10 units (the logits)."</p>
            <ol class="layers">
                {move || draft.with(|s| s.network.layers.clone()).into_iter().enumerate().map(|(i, l)| row(i, l)).collect_view()}
            </ol>
            <div class="add-layers">
                "Add: "
                <button data-testid="add-dense" on:click=move |_| add(Layer::Dense { units: 100, activation: Activation::Relu })>"dense"</button>
                <button data-testid="add-conv" on:click=move |_| add(Layer::Conv { filters: 8, kernel: 5, stride: 1, padding: Padding::Same, activation: Activation::Relu })>"conv"</button>
                <button data-testid="add-pool" on:click=move |_| add(Layer::MaxPool { size: 2, stride: 2 })>"max-pool"</button>
                <button data-testid="add-avg-pool" on:click=move |_| add(Layer::AvgPool { size: 2, stride: 2 })>"avg-pool"</button>
                <button data-testid="add-depthwise" on:click=move |_| add(Layer::DepthwiseConv { kernel: 3, stride: 1, padding: Padding::Same, activation: Activation::Relu })>"depthwise conv"</button>
                <button data-testid="add-dropout" on:click=move |_| add(Layer::Dropout { keep: 0.75 })>"dropout"</button>
                <button data-testid="add-batchnorm" on:click=move |_| add(Layer::BatchNorm { activation: Activation::Relu })>"batch norm"</button>
            </div>
            <div class="training-fields">
                <label class="field">
                    <span>"optimiser"</span>
                    <select data-testid="arch-optimizer" prop:value=move || draft.with(|s| optimizer_name(s.training.optimizer)) on:change=move |ev| {
                        let o = match event_target_value(&ev).as_str() {
                            "sgd" => Optimizer::Sgd,
                            "momentum" => Optimizer::MOMENTUM,
                            _ => Optimizer::ADAM,
                        };
                        training(Box::new(move |t| t.optimizer = o));
                    }>
                        <option value="sgd">"SGD"</option>
                        <option value="momentum">"momentum 0.9"</option>
                        <option value="adam">"Adam"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"schedule"</span>
                    <select data-testid="arch-schedule" prop:value=schedule_kind on:change=move |ev| {
                        let decay = event_target_value(&ev) == "decay";
                        training(Box::new(move |t| {
                            t.schedule = match (decay, t.schedule) {
                                (true, Schedule::Constant { rate }) => Schedule::ExponentialDecay { max: rate, min: 0.0001, decay_steps: 2000.0 },
                                (false, Schedule::ExponentialDecay { max, .. }) => Schedule::Constant { rate: max },
                                (_, s) => s,
                            }
                        }));
                    }>
                        <option value="constant">"constant"</option>
                        <option value="decay">"exponential decay"</option>
                    </select>
                </label>
                {move || match draft.with(|s| s.training.schedule) {
                    Schedule::Constant { rate } => number(None, "rate", rate.to_string(), Box::new(move |v| decimal(v).map(|r| {
                        training(Box::new(move |t| t.schedule = Schedule::Constant { rate: r }))
                    }))).into_any(),
                    Schedule::ExponentialDecay { max, min, decay_steps } => view! {
                        {number(None, "max", max.to_string(), Box::new(move |v| decimal(v).map(|r| {
                            training(Box::new(move |t| if let Schedule::ExponentialDecay { max, .. } = &mut t.schedule { *max = r }))
                        })))}
                        {number(None, "min", min.to_string(), Box::new(move |v| decimal(v).map(|r| {
                            training(Box::new(move |t| if let Schedule::ExponentialDecay { min, .. } = &mut t.schedule { *min = r }))
                        })))}
                        {number(None, "decay steps", decay_steps.to_string(), Box::new(move |v| decimal(v).map(|r| {
                            training(Box::new(move |t| if let Schedule::ExponentialDecay { decay_steps, .. } = &mut t.schedule { *decay_steps = r }))
                        })))}
                    }.into_any(),
                }}
                {move || number(None, "batch", draft.with(|s| s.training.batch_size.to_string()), Box::new(move |v| whole(v).map(|b| {
                    training(Box::new(move |t| t.batch_size = b))
                })))}
            </div>
            <p class="verdict" class:error=move || verdict.with(Result::is_err) data-testid="arch-error">
                {move || match verdict.get() {
                    Ok(n) => format!("OK: {} parameters.", thousands(n as u32)),
                    Err(e) => format!("Cannot train this: {e}"),
                }}
            </p>
            <button data-testid="arch-apply" disabled=move || verdict.with(Result::is_err) on:click=apply>
                "Train this network"
            </button>
            <p class="pending muted" data-testid="arch-pending" class:hidden=move || !pending() && bad.with(Vec::is_empty)>
                {move || format!(
                    "These edits are not applied: Start trains {} as it is until {}.",
                    training_now(),
                    if verdict.with(Result::is_ok) { "you press “Train this network”" } else { "the edits are fixed and applied" }
                )}
            </p>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(id: &str) -> SetupSpec {
        let p = playnet_mnist::preset(id).unwrap();
        SetupSpec {
            network: p.network,
            training: p.training,
        }
    }

    #[test]
    fn every_preset_passes_the_editor_check() {
        for id in playnet_mnist::PRESETS {
            assert!(check(&setup(id)).is_ok(), "{id}");
        }
        assert_eq!(check(&setup("softmax")), Ok(7850));
    }

    #[test]
    fn fields_take_only_values_they_can_hold() {
        assert_eq!(whole(" 12 "), Ok(12));
        for text in ["1e9", "-1", "3.5", "", "x"] {
            assert!(whole(text).unwrap_err().contains("whole number"), "{text}");
        }
        assert!(whole("3.5").unwrap_err().contains("3.5"));
        assert_eq!(decimal("0.003"), Ok(0.003));
        assert!(decimal("1e308").unwrap_err().contains("too large"));
        assert!(decimal("NaN").unwrap_err().contains("not a number"));
        assert!(decimal("inf").unwrap_err().contains("not a number"));
        assert!(decimal("fast").unwrap_err().contains("not a number"));
    }

    #[test]
    fn broken_networks_say_why() {
        let mut s = setup("softmax");
        s.network.layers.clear();
        assert!(check(&s).unwrap_err().contains("last layer"));
        let mut s = setup("softmax");
        s.network.layers = vec![Layer::Dense {
            units: 7,
            activation: Activation::Linear,
        }];
        assert!(check(&s).unwrap_err().contains("10 classes"));
        let mut s = setup("conv");
        s.training.schedule = Schedule::Constant { rate: -1.0 };
        assert!(check(&s).unwrap_err().contains("positive"));
        let mut s = setup("conv");
        s.training.batch_size = 0;
        assert!(check(&s).unwrap_err().contains("batch size"));
        let mut s = setup("relu5-dropout");
        s.network.layers.insert(0, Layer::Dropout { keep: 0.0 });
        assert!(check(&s).unwrap_err().contains("dropout"));
    }
}
