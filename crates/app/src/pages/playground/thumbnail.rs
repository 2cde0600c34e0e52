//! Dataset thumbnails for the Data column, as on TensorFlow Playground: a
//! small picture of each data set, its points coloured by label with the
//! page's orange/blue scale (class colours for multi-class sets).
//!
//! The points come from the data crate's own [`generate`] with a fixed seed
//! and no noise, so a thumbnail looks like the real data. Each canvas is
//! painted once, when it is mounted; nothing here runs per frame.

use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_data::{DatasetKind, Problem, generate, rng};

use crate::heatmap::{self, DOMAIN};

/// A thumbnail's width and height in canvas pixels.
pub const SIDE: usize = 48;
/// How many points a thumbnail shows.
const POINTS: usize = 200;
/// The fixed seed behind every thumbnail's points.
const SEED: u64 = 1;
/// The background: a light grey, lighter than the scale's neutral middle.
const BACKGROUND: [u8; 3] = [247, 247, 247];

/// The colour of a point with `label` in a data set of kind `kind`.
fn point_colour(kind: DatasetKind, label: f64) -> [u8; 3] {
    match kind.problem() {
        Problem::MultiClass => {
            // Labels are class indices 0.0, 1.0, …; anything else is class 0.
            let class = if label.is_finite() && label >= 0.0 {
                label as usize
            } else {
                0
            };
            heatmap::class_colour(class)
        }
        Problem::Classification | Problem::Regression => heatmap::colour(label as f32),
    }
}

/// RGBA pixels (`SIDE × SIDE`, row by row from the top) of `kind`'s thumbnail.
pub fn thumbnail_pixels(kind: DatasetKind) -> Vec<u8> {
    let mut pixels: Vec<u8> = (0..SIDE * SIDE)
        .flat_map(|_| {
            let [r, g, b] = BACKGROUND;
            [r, g, b, 255]
        })
        .collect();
    let points = generate(kind, POINTS, 0.0, &mut rng(SEED));
    let scale = SIDE as f64 / (2.0 * DOMAIN);
    for p in &points {
        let cx = ((p.x + DOMAIN) * scale).floor();
        let cy = ((DOMAIN - p.y) * scale).floor();
        if !cx.is_finite() || !cy.is_finite() {
            continue;
        }
        let [r, g, b] = point_colour(kind, p.label);
        // A 3 × 3 dot centred on the point's pixel, clipped to the canvas.
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (x, y) = (cx as i64 + dx, cy as i64 + dy);
                if !(0..SIDE as i64).contains(&x) || !(0..SIDE as i64).contains(&y) {
                    continue;
                }
                let i = (y as usize * SIDE + x as usize) * 4;
                if let Some(px) = pixels.get_mut(i..i + 4) {
                    px.copy_from_slice(&[r, g, b, 255]);
                }
            }
        }
    }
    pixels
}

/// A `SIDE × SIDE` canvas showing `kind`, painted once on mount.
#[component]
pub fn DatasetThumb(kind: DatasetKind) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(c) = canvas.get()
            && let Err(e) = heatmap::paint(&c, &thumbnail_pixels(kind), SIDE)
        {
            leptos::logging::warn!("dataset thumbnail {}: {e:?}", kind.name());
        }
    });
    view! {
        <canvas
            node_ref=canvas
            class="dataset-thumb"
            width=SIDE
            height=SIDE
            aria-hidden="true"
            data-testid=format!("dataset-thumb-{}", kind.name())
        ></canvas>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(pixels: &[u8], colour: [u8; 3]) -> usize {
        pixels
            .chunks_exact(4)
            .filter(|p| p[..3] == colour[..])
            .count()
    }

    #[test]
    fn classification_thumbnails_show_both_classes() {
        for kind in [
            DatasetKind::Circle,
            DatasetKind::Xor,
            DatasetKind::Gauss,
            DatasetKind::Spiral,
        ] {
            let pixels = thumbnail_pixels(kind);
            assert_eq!(pixels.len(), SIDE * SIDE * 4);
            assert!(count(&pixels, heatmap::colour(1.0)) > 50, "{kind:?} blue");
            assert!(
                count(&pixels, heatmap::colour(-1.0)) > 50,
                "{kind:?} orange"
            );
        }
    }

    #[test]
    fn every_thumbnail_has_points_and_is_the_same_each_time() {
        for kind in DatasetKind::ALL {
            let pixels = thumbnail_pixels(kind);
            assert!(count(&pixels, BACKGROUND) < SIDE * SIDE, "{kind:?}");
            assert_eq!(pixels, thumbnail_pixels(kind), "{kind:?}");
        }
    }
}
