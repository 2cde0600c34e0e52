//! The drawing pad: draw a digit with a mouse, a pen or a finger (pointer
//! events cover all three), and see what the network makes of it.
//!
//! The strokes' ink is read back from the canvas, preprocessed like MNIST
//! (`playnet_data::preprocess_digit`) and sent to the worker; an empty pad
//! classifies nothing.

use std::cell::Cell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_data::preprocess_digit;
use web_sys::PointerEvent;

use super::controller::Controller;
use super::draw;

/// The pad's drawing buffer, in canvas pixels.
const SIDE: u32 = 280;
/// Pen width, in canvas pixels (about MNIST's stroke once scaled to 20 px).
const PEN: f64 = 20.0;
/// Least time between two classifications while a stroke goes on.
const CLASSIFY_EVERY_MS: f64 = 100.0;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The pointer's position in canvas pixels (the canvas may be shown smaller).
fn position(canvas: &web_sys::HtmlCanvasElement, ev: &PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let sx = f64::from(canvas.width()) / rect.width().max(1.0);
    let sy = f64::from(canvas.height()) / rect.height().max(1.0);
    (
        (f64::from(ev.client_x()) - rect.left()) * sx,
        (f64::from(ev.client_y()) - rect.top()) * sy,
    )
}

/// The drawn digit, preprocessed; `None` when the pad is empty.
fn read_digit(canvas: &web_sys::HtmlCanvasElement) -> Option<Vec<f32>> {
    let ctx = draw::context(canvas)?;
    let (w, h) = (canvas.width(), canvas.height());
    let data = ctx
        .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
        .ok()?;
    let ink: Vec<f32> = data
        .data()
        .chunks_exact(4)
        .map(|px| f32::from(px[3]) / 255.0)
        .collect();
    preprocess_digit(w as usize, h as usize, &ink).map(|d| d.to_vec())
}

#[component]
pub fn Pad(controller: Rc<Controller>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let last: Rc<Cell<Option<(f64, f64)>>> = Rc::new(Cell::new(None));
    let classified_at = Rc::new(Cell::new(0.0));
    let ui = controller.ui;

    let classify = {
        let controller = controller.clone();
        let classified_at = classified_at.clone();
        move || {
            if let Some(c) = canvas.get_untracked() {
                classified_at.set(now());
                controller.classify(read_digit(&c));
            }
        }
    };
    let stroke_to = move |from: (f64, f64), to: (f64, f64)| {
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        let Some(ctx) = draw::context(&c) else { return };
        ctx.set_stroke_style_str("#000");
        ctx.set_line_width(PEN);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        ctx.begin_path();
        ctx.move_to(from.0, from.1);
        // A tap leaves a dot: a zero-length round-capped line.
        ctx.line_to(to.0 + 0.01, to.1);
        ctx.stroke();
    };
    let down = {
        let last = last.clone();
        move |ev: PointerEvent| {
            let Some(c) = canvas.get_untracked() else {
                return;
            };
            ev.prevent_default();
            let _ = c.set_pointer_capture(ev.pointer_id());
            let p = position(&c, &ev);
            stroke_to(p, p);
            last.set(Some(p));
        }
    };
    let moved = {
        let last = last.clone();
        let classify = classify.clone();
        let classified_at = classified_at.clone();
        move |ev: PointerEvent| {
            let (Some(c), Some(from)) = (canvas.get_untracked(), last.get()) else {
                return;
            };
            ev.prevent_default();
            let p = position(&c, &ev);
            stroke_to(from, p);
            last.set(Some(p));
            if now() - classified_at.get() >= CLASSIFY_EVERY_MS {
                classify();
            }
        }
    };
    let up = {
        let last = last.clone();
        let classify = classify.clone();
        move |_: PointerEvent| {
            if last.take().is_some() {
                classify();
            }
        }
    };
    let clear = {
        let controller = controller.clone();
        move |_| {
            if let Some(c) = canvas.get_untracked()
                && let Some(ctx) = draw::context(&c)
            {
                ctx.clear_rect(0.0, 0.0, f64::from(c.width()), f64::from(c.height()));
            }
            controller.classify(None);
        }
    };
    // The most likely class, if it stands out from the rest.
    let best = move || {
        ui.probabilities.with(|p| {
            let p = p.as_ref()?;
            let (k, top) = p
                .iter()
                .copied()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))?;
            let second = p
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != k)
                .fold(0.0f32, |m, (_, &v)| m.max(v));
            (top > second + 0.01).then_some(k)
        })
    };

    view! {
        <div class="mnist-pad">
            <canvas
                node_ref=canvas
                width=SIDE
                height=SIDE
                data-testid="mnist-pad"
                aria-label="Drawing pad: draw a digit"
                on:pointerdown=down
                on:pointermove=moved
                on:pointerup=up.clone()
                on:pointercancel=up
            ></canvas>
            <div class="pad-actions">
                <button data-testid="pad-clear" on:click=clear>"Clear"</button>
                <span class="pad-guess" data-testid="pad-guess">
                    {move || match (ui.probabilities.with(Option::is_some), best()) {
                        (false, _) => String::new(),
                        (true, Some(k)) => format!("It looks like a {k}."),
                        (true, None) => "The network cannot tell yet.".to_string(),
                    }}
                </span>
            </div>
            <div class="pad-probabilities" data-testid="pad-probabilities">
                {move || match ui.probabilities.get() {
                    None => view! { <p class="muted" data-testid="pad-hint">"Draw a digit."</p> }.into_any(),
                    Some(p) => {
                        let top = best();
                        p.into_iter()
                            .enumerate()
                            .map(|(k, v)| {
                                let width = format!("{:.1}%", (v * 100.0).clamp(0.0, 100.0));
                                view! {
                                    <div class="prob" class:best={top == Some(k)} data-testid=format!("prob-{k}") data-value=v.to_string()>
                                        <span class="digit">{k}</span>
                                        <span class="bar"><span style:width=width.clone()></span></span>
                                        <span class="value">{width}</span>
                                    </div>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                }}
            </div>
        </div>
    }
}
