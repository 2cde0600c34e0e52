//! The drawing canvas: a mouse, a pen or a finger (pointer events cover all
//! three; `touch-action: none` keeps a finger from scrolling the page).
//!
//! A move shorter than [`MIN_MOVE`] px is not recorded, and on pen-up the
//! line is simplified as Magenta's demos do ([`simplify`], ε = [`EPSILON`]
//! px) before it joins the drawing, so the model sees strokes like the ones
//! it was trained on.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_sketch::strokes::{EPSILON, MIN_MOVE, is_move, simplify};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};

use super::Lines;
use super::session::{SIDE, Session};

/// Pen width, in canvas pixels.
const PEN: f64 = 3.0;
const INK: &str = "#1f2937";

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// The pointer's position in canvas pixels (the canvas may be shown smaller).
fn position(canvas: &HtmlCanvasElement, ev: &PointerEvent) -> [f32; 2] {
    let rect = canvas.get_bounding_client_rect();
    let sx = f64::from(canvas.width()) / rect.width().max(1.0);
    let sy = f64::from(canvas.height()) / rect.height().max(1.0);
    [
        ((f64::from(ev.client_x()) - rect.left()) * sx) as f32,
        ((f64::from(ev.client_y()) - rect.top()) * sy) as f32,
    ]
}

fn stroke_line(ctx: &CanvasRenderingContext2d, line: &[[f32; 2]]) {
    let Some(first) = line.first() else { return };
    ctx.begin_path();
    ctx.move_to(f64::from(first[0]), f64::from(first[1]));
    if line.len() == 1 {
        // A tap leaves a dot.
        ctx.line_to(f64::from(first[0]) + 0.01, f64::from(first[1]));
    }
    for p in &line[1..] {
        ctx.line_to(f64::from(p[0]), f64::from(p[1]));
    }
    ctx.stroke();
}

/// Paints the drawing (white paper, so the PNG export has a background).
pub fn paint(canvas: &HtmlCanvasElement, lines: &Lines, current: &[[f32; 2]]) {
    let Some(ctx) = context(canvas) else { return };
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(
        0.0,
        0.0,
        f64::from(canvas.width()),
        f64::from(canvas.height()),
    );
    ctx.set_stroke_style_str(INK);
    ctx.set_line_width(PEN);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    for line in lines {
        stroke_line(&ctx, line);
    }
    stroke_line(&ctx, current);
}

#[component]
pub fn Pad(session: Rc<Session>, canvas: NodeRef<Canvas>) -> impl IntoView {
    let ui = session.ui;
    // The line being drawn, in canvas pixels.
    let current: Rc<RefCell<Option<Vec<[f32; 2]>>>> = Rc::new(RefCell::new(None));

    Effect::new(move |_| {
        let lines = ui.lines.get();
        if let Some(c) = canvas.get() {
            paint(&c, &lines, &[]);
        }
    });

    let down = {
        let current = current.clone();
        move |ev: PointerEvent| {
            let Some(c) = canvas.get_untracked() else {
                return;
            };
            if ev.button() > 0 {
                return;
            }
            ev.prevent_default();
            let _ = c.set_pointer_capture(ev.pointer_id());
            let line = vec![position(&c, &ev)];
            ui.lines.with_untracked(|l| paint(&c, l, &line));
            *current.borrow_mut() = Some(line);
        }
    };
    let moved = {
        let current = current.clone();
        move |ev: PointerEvent| {
            let Some(c) = canvas.get_untracked() else {
                return;
            };
            let mut current = current.borrow_mut();
            let Some(line) = current.as_mut() else { return };
            ev.prevent_default();
            let p = position(&c, &ev);
            let Some(&last) = line.last() else { return };
            if !is_move(last, p, MIN_MOVE) {
                return;
            }
            line.push(p);
            if let Some(ctx) = context(&c) {
                stroke_line(&ctx, &[last, p]);
            }
        }
    };
    let up = {
        let current = current.clone();
        let session = session.clone();
        move |ev: PointerEvent| {
            let Some(line) = current.borrow_mut().take() else {
                return;
            };
            if let Some(c) = canvas.get_untracked() {
                let p = position(&c, &ev);
                let mut line = line;
                if line.last().is_some_and(|&last| is_move(last, p, MIN_MOVE)) {
                    line.push(p);
                }
                session.add_line(simplify(&line, EPSILON));
            }
        }
    };

    view! {
        <canvas
            node_ref=canvas
            class="sketch-canvas"
            width=SIDE as u32
            height=SIDE as u32
            data-testid="sketch-canvas"
            aria-label="Drawing canvas: draw with a mouse, a pen or a finger"
            on:pointerdown=down
            on:pointermove=moved
            on:pointerup=up.clone()
            on:pointercancel=up
        ></canvas>
    }
}
