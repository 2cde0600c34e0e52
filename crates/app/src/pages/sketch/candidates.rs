//! The candidates grid: each continuation drawn as it grows, after the
//! user's strokes, in an SVG fitted to both; clicking one (or Enter on it)
//! keeps it.
//!
//! Each cell carries what a test reads: `data-points` (points drawn so far),
//! `data-done`, `data-start` (where it starts, `[x, y]` in canvas pixels)
//! and `data-strokes` (its stroke-3 rows in canvas pixels, as JSON).

use std::rc::Rc;

use leptos::prelude::*;
use playnet_sketch::svg::{MODEL_COLOUR, USER_COLOUR};

use super::Lines;
use super::session::{CandidateView, SIDE, Session};

/// A polyline's `points` attribute.
fn points(line: &[[f32; 2]]) -> String {
    line.iter()
        .map(|p| format!("{:.1},{:.1}", p[0], p[1]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The view box fitting the drawing and the candidate, with a margin; the
/// whole canvas when both are empty.
fn view_box(user: &Lines, theirs: &Lines) -> String {
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for p in user.iter().chain(theirs).flatten() {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    if !lo[0].is_finite() {
        return format!("0 0 {SIDE} {SIDE}");
    }
    let side = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(40.0);
    let margin = 0.08 * side;
    let (cx, cy) = ((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0);
    let full = side + 2.0 * margin;
    format!(
        "{:.1} {:.1} {:.1} {:.1}",
        cx - full / 2.0,
        cy - full / 2.0,
        full,
        full
    )
}

#[component]
fn Candidate(session: Rc<Session>, index: usize) -> impl IntoView {
    let ui = session.ui;
    let view = Memo::new(move |_| {
        ui.candidates
            .with(|c| c.get(index).cloned())
            .unwrap_or_default()
    });
    let theirs = Memo::new(move |_| view.with(CandidateView::lines));
    let width = move || {
        let side = view_box(&ui.lines.get(), &theirs.get());
        let w: f32 = side
            .split(' ')
            .nth(2)
            .and_then(|w| w.parse().ok())
            .unwrap_or(SIDE);
        format!("{:.1}", (w / 100.0).max(1.5))
    };
    let accept = move |_| session.accept(index);
    view! {
        <button
            class="sketch-candidate"
            data-testid=format!("candidate-{index}")
            data-points=move || view.with(|v| v.strokes.len()).to_string()
            data-done=move || view.with(|v| v.done).to_string()
            data-start=move || view.with(|v| format!("[{},{}]", v.start[0], v.start[1]))
            data-strokes=move || view.with(|v| serde_json::to_string(&v.strokes).unwrap_or_default())
            aria-label=format!("Candidate {}: keep it", index + 1)
            on:click=accept
        >
            <svg viewBox=move || view_box(&ui.lines.get(), &theirs.get()) xmlns="http://www.w3.org/2000/svg">
                <g fill="none" stroke=USER_COLOUR stroke-width=width stroke-linecap="round" stroke-linejoin="round">
                    {move || ui.lines.get().iter().map(|l| view! { <polyline points=points(l) /> }).collect_view()}
                </g>
                <g fill="none" stroke=MODEL_COLOUR stroke-width=width stroke-linecap="round" stroke-linejoin="round">
                    {move || theirs.get().iter().map(|l| view! { <polyline points=points(l) /> }).collect_view()}
                </g>
            </svg>
        </button>
    }
}

/// The grid of 1, 4 or 9 candidates.
#[component]
pub fn Candidates(session: Rc<Session>) -> impl IntoView {
    let ui = session.ui;
    // Cells are made again only when their number changes, not every frame.
    let n = Memo::new(move |_| ui.candidates.with(Vec::len));
    // Only this thread ever runs the view; the wrapper satisfies `Send`.
    let session = send_wrapper::SendWrapper::new(session);
    view! {
        <div
            class="sketch-candidates"
            data-testid="candidates"
            data-count=move || ui.count.get().to_string()
            class:one=move || ui.count.get() == 1
            class:four=move || ui.count.get() == 4
        >
            {move || {
                (0..n.get())
                    .map(|i| view! { <Candidate session=Rc::clone(&session) index=i /> })
                    .collect_view()
            }}
        </div>
    }
}
