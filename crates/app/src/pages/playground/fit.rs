//! One screen on a wide window: measures the room left under the page's bars
//! and gives it to the output plot (as the CSS variable `--output-side`) and
//! to the network view (as a [`Fit`]), again whenever the window or anything
//! above them changes size.
//!
//! The style sheet's one-screen rules apply under the same media query as
//! [`ONE_SCREEN`]; below it (a phone) the page flows and scrolls, the plot
//! has its natural size and the network view scrolls sideways.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{HtmlElement, ResizeObserver};

use super::layout::Fit;

/// When the page is one screen; `web/style.css` repeats it.
pub const ONE_SCREEN: &str = "(min-width: 900px)";
/// Space kept below the plot and the network, in CSS pixels.
const BOTTOM_GAP: f64 = 10.0;
/// The output plot's side: at most this share of the window's width…
const OUTPUT_WIDTH_SHARE: f64 = 0.34;
/// …and between these sizes.
const OUTPUT_MIN: f64 = 200.0;
const OUTPUT_MAX: f64 = 720.0;

/// The output plot's side for a window `width` wide, with `height` pixels
/// left below the plot's top edge.
pub fn output_side(width: f64, height: f64) -> f64 {
    (height - BOTTOM_GAP)
        .min(width * OUTPUT_WIDTH_SHARE)
        .clamp(OUTPUT_MIN, OUTPUT_MAX)
}

/// The network view's box, given the width of its column and `height`
/// pixels left below the view's top edge.
pub fn network_fit(width: f64, height: f64) -> Fit {
    Fit {
        width: width.max(0.0),
        height: (height - BOTTOM_GAP).max(0.0),
    }
}

fn one_screen(window: &web_sys::Window) -> bool {
    window
        .match_media(ONE_SCREEN)
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// The top of `el` in page coordinates (the same wherever the page is
/// scrolled).
fn page_top(window: &web_sys::Window, el: &web_sys::Element) -> f64 {
    el.get_bounding_client_rect().top() + window.scroll_y().unwrap_or(0.0)
}

/// Sizes the output plot and returns the network view's box, or `None`
/// when the page is not one screen (or not built yet).
pub fn measure(section: &HtmlElement) -> Option<Fit> {
    let window = web_sys::window()?;
    let style = section.style();
    if !one_screen(&window) {
        let _ = style.remove_property("--output-side");
        return None;
    }
    let (width, height) = (
        window.inner_width().ok()?.as_f64()?,
        window.inner_height().ok()?.as_f64()?,
    );
    let plot = section
        .query_selector("[data-testid=heatmap-output]")
        .ok()??;
    let side = output_side(width, height - page_top(&window, &plot));
    let _ = style.set_property("--output-side", &format!("{side:.0}px"));
    // Read after the plot's new size: the network's column is what is
    // left of the row.
    let view = section.query_selector(".network-fit").ok()??;
    Some(network_fit(
        f64::from(view.client_width()),
        height - page_top(&window, &view),
    ))
}

/// Measures now and whenever the window or the page section resizes,
/// writing the network's box into `fit` when it changes; stops when the
/// page goes.
pub fn watch(section: HtmlElement, fit: RwSignal<Option<Fit>>) {
    let update = {
        let section = section.clone();
        move || {
            let measured = measure(&section);
            let same = fit.with_untracked(|f| match (f, &measured) {
                (Some(a), Some(b)) => {
                    (a.width - b.width).abs() < 0.5 && (a.height - b.height).abs() < 0.5
                }
                (None, None) => true,
                _ => false,
            });
            if !same {
                fit.set(measured);
            }
        }
    };
    update();
    let on_resize = Closure::<dyn FnMut()>::new(update.clone());
    let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
    if let Some(observer) = &observer {
        observer.observe(&section);
        if let Ok(Some(view)) = section.query_selector(".network-fit") {
            observer.observe(&view);
        }
    }
    let window = web_sys::window();
    if let Some(window) = &window {
        let _ =
            window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    }
    let guard = send_wrapper::SendWrapper::new((on_resize, observer, window));
    on_cleanup(move || {
        let (on_resize, observer, window) = guard.take();
        if let Some(observer) = observer {
            observer.disconnect();
        }
        if let Some(window) = window {
            let _ = window
                .remove_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_takes_the_height_left_up_to_a_third_of_the_width() {
        // A projector: the height decides.
        assert_eq!(output_side(1024.0, 330.0), 320.0);
        // A wide monitor: a third of the width at most.
        assert!((output_side(1920.0, 900.0) - 1920.0 * OUTPUT_WIDTH_SHARE).abs() < 1e-9);
        assert_eq!(output_side(1000.0, 50.0), OUTPUT_MIN);
        assert_eq!(output_side(5000.0, 5000.0), OUTPUT_MAX);
    }

    #[test]
    fn the_network_box_never_goes_negative() {
        assert_eq!(
            network_fit(-5.0, 3.0),
            Fit {
                width: 0.0,
                height: 0.0
            }
        );
        assert_eq!(network_fit(600.0, 410.0).height, 400.0);
    }
}
