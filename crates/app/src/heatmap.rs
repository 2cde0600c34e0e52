//! Decision-region heatmaps: the network's output over the input plane,
//! painted pixel by pixel into a canvas, with the data points on top.
//!
//! The colour scale is TensorFlow Playground's: orange for −1, light grey for
//! 0, blue for +1. Multi-class outputs blend one colour per class by
//! probability.

use playnet_data::{Point, Problem};
use playnet_engine::Loss;
use playnet_engine::loss::arg_max;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The plane shown runs from −DOMAIN to +DOMAIN on both axes.
pub const DOMAIN: f64 = 6.0;

const NEGATIVE: [f32; 3] = [245.0, 147.0, 34.0]; // #f59322
const NEUTRAL: [f32; 3] = [232.0, 234.0, 235.0]; // #e8eaeb
const POSITIVE: [f32; 3] = [8.0, 119.0, 189.0]; // #0877bd
const CLASS_COLOURS: [[f32; 3]; 4] = [
    POSITIVE,
    NEGATIVE,
    [52.0, 168.0, 83.0],
    [142.0, 68.0, 173.0],
];

/// Cell centres, row by row from the top (y = +DOMAIN) to the bottom.
pub fn grid(density: usize) -> Vec<Point> {
    let cell = 2.0 * DOMAIN / density as f64;
    (0..density)
        .flat_map(|row| {
            (0..density).map(move |col| Point {
                x: -DOMAIN + (col as f64 + 0.5) * cell,
                y: DOMAIN - (row as f64 + 0.5) * cell,
                label: 0.0,
            })
        })
        .collect()
}

/// TensorFlow Playground's colour for a value in [−1, 1] (clamped).
pub fn colour(value: f32) -> [u8; 3] {
    let v = if value.is_nan() {
        0.0
    } else {
        value.clamp(-1.0, 1.0)
    };
    let (from, to, t) = if v < 0.0 {
        (NEUTRAL, NEGATIVE, -v)
    } else {
        (NEUTRAL, POSITIVE, v)
    };
    [0, 1, 2].map(|i| (from[i] + (to[i] - from[i]) * t).round() as u8)
}

/// [`colour`] for many values at once: the scale in 511 steps, looked up
/// (the heatmaps of a big network need hundreds of thousands a frame).
pub struct ColourTable {
    colours: Vec<[u8; 3]>,
}

impl Default for ColourTable {
    fn default() -> Self {
        ColourTable {
            colours: (0..=Self::STEPS)
                .map(|i| colour(i as f32 / Self::STEPS as f32 * 2.0 - 1.0))
                .collect(),
        }
    }
}

impl ColourTable {
    const STEPS: usize = 510;

    /// The colour of `value` (clamped to −1 … 1; NaN is 0).
    pub fn get(&self, value: f32) -> [u8; 3] {
        let v = if value.is_nan() {
            0.0
        } else {
            value.clamp(-1.0, 1.0)
        };
        // `+ 0.5` and truncation round this non-negative index (`round` is
        // a library call in wasm, and this runs for every heatmap pixel).
        let i = ((v + 1.0) * 0.5 * Self::STEPS as f32 + 0.5) as usize;
        self.colours[i.min(Self::STEPS)]
    }
}

/// The colour of class `class` (for multi-class points and regions).
pub fn class_colour(class: usize) -> [u8; 3] {
    CLASS_COLOURS[class % CLASS_COLOURS.len()].map(|c| c as u8)
}

/// How to read the network's outputs as colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    pub loss: Loss,
    pub problem: Problem,
    pub outputs: usize,
    /// Paint each class's region in its full colour instead of shading by confidence.
    pub discretize: bool,
}

impl Palette {
    /// The colour of one row of outputs.
    pub fn output_colour(&self, row: &[f32]) -> [u8; 3] {
        let sign = |v: f32| if v >= 0.0 { 1.0 } else { -1.0 };
        if self.discretize {
            return match (self.loss, self.problem) {
                (_, Problem::Regression) => colour(row[0]),
                (Loss::SoftmaxCrossEntropy, Problem::MultiClass) => class_colour(arg_max(row)),
                (Loss::SoftmaxCrossEntropy, _) => colour(sign(row[1] - row[0])),
                (Loss::BinaryCrossEntropy, _) => colour(sign(row[0] - 0.5)),
                (Loss::HalfSquaredError, _) => colour(sign(row[0])),
            };
        }
        match (self.loss, self.problem) {
            (Loss::SoftmaxCrossEntropy, Problem::MultiClass) => {
                let mut rgb = [0.0f32; 3];
                for (c, &p) in row.iter().enumerate() {
                    let colour = CLASS_COLOURS[c % CLASS_COLOURS.len()];
                    for i in 0..3 {
                        rgb[i] += p * colour[i];
                    }
                }
                // Uncertain regions fade towards the neutral grey.
                let confidence = row.iter().copied().fold(0.0, f32::max);
                let t = ((confidence * row.len() as f32 - 1.0) / (row.len() as f32 - 1.0))
                    .clamp(0.0, 1.0);
                [0, 1, 2].map(|i| (NEUTRAL[i] + (rgb[i] - NEUTRAL[i]) * t).round() as u8)
            }
            (Loss::SoftmaxCrossEntropy, _) => colour(row[1] - row[0]),
            (Loss::BinaryCrossEntropy, _) => colour(2.0 * row[0] - 1.0),
            (Loss::HalfSquaredError, _) => colour(row[0]),
        }
    }

    /// The colour of a data point.
    pub fn point_colour(&self, point: &Point) -> [u8; 3] {
        match self.problem {
            Problem::MultiClass => class_colour(point.label as usize),
            Problem::Classification | Problem::Regression => colour(point.label as f32),
        }
    }

    /// RGBA pixels for a grid of outputs (`outputs` values per cell).
    pub fn pixels(&self, outputs: &[f32]) -> Vec<u8> {
        outputs
            .chunks_exact(self.outputs.max(1))
            .flat_map(|row| {
                let [r, g, b] = self.output_colour(row);
                [r, g, b, 255]
            })
            .collect()
    }
}

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("this browser gives no 2-D canvas context"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| JsValue::from_str("the canvas context is not 2-D"))
}

/// RGBA pixels for one neuron: column `column` of a `rows × width` matrix,
/// on the −1 … 1 scale.
pub fn neuron_pixels(values: &[f32], width: usize, column: usize) -> Vec<u8> {
    values
        .chunks_exact(width.max(1))
        .flat_map(|row| {
            let [r, g, b] = colour(row[column]);
            [r, g, b, 255]
        })
        .collect()
}

/// Paints `pixels` (a `density × density` RGBA image) into `canvas`.
pub fn paint(canvas: &HtmlCanvasElement, pixels: &[u8], density: usize) -> Result<(), JsValue> {
    let side = density as u32;
    // Setting a canvas's size clears and reallocates it even when it does
    // not change; the image below covers every pixel anyway.
    if canvas.width() != side || canvas.height() != side {
        canvas.set_width(side);
        canvas.set_height(side);
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), side, side)?;
    context(canvas)?.put_image_data(&image, 0.0, 0.0)
}

/// Draws the data points over a transparent `canvas`: training points with a
/// white ring, test points (when shown) with a black one.
pub fn draw_points(
    canvas: &HtmlCanvasElement,
    palette: &Palette,
    train: &[Point],
    test: Option<&[Point]>,
) -> Result<(), JsValue> {
    let ctx = context(canvas)?;
    let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.clear_rect(0.0, 0.0, w, h);
    let radius = (w / 100.0).max(2.5);
    let sets = [(train, "#ffffff")]
        .into_iter()
        .chain(test.map(|t| (t, "#000000")));
    for (points, ring) in sets {
        ctx.set_stroke_style_str(ring);
        for p in points {
            let [r, g, b] = palette.point_colour(p);
            ctx.set_fill_style_str(&format!("rgb({r},{g},{b})"));
            let x = (p.x + DOMAIN) / (2.0 * DOMAIN) * w;
            let y = (DOMAIN - p.y) / (2.0 * DOMAIN) * h;
            ctx.begin_path();
            ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU)?;
            ctx.fill();
            ctx.stroke();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_the_plane_top_left_first() {
        let g = grid(4);
        assert_eq!(g.len(), 16);
        assert_eq!((g[0].x, g[0].y), (-4.5, 4.5));
        assert_eq!((g[15].x, g[15].y), (4.5, -4.5));
    }

    #[test]
    fn colour_scale_ends_and_middle() {
        assert_eq!(colour(-1.0), [245, 147, 34]);
        assert_eq!(colour(0.0), [232, 234, 235]);
        assert_eq!(colour(1.0), [8, 119, 189]);
        assert_eq!(colour(7.0), colour(1.0));
        assert_eq!(colour(f32::NAN), colour(0.0));
    }

    #[test]
    fn the_colour_table_matches_the_scale() {
        let table = ColourTable::default();
        for v in [-1.0, 0.0, 1.0, 7.0, f32::NAN] {
            assert_eq!(table.get(v), colour(v), "{v}");
        }
        for i in 0..=1000 {
            let v = i as f32 / 500.0 - 1.0;
            let (a, b) = (table.get(v), colour(v));
            for c in 0..3 {
                assert!(a[c].abs_diff(b[c]) <= 1, "{v}: {a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn palettes_read_each_loss() {
        let tanh = Palette {
            loss: Loss::HalfSquaredError,
            problem: Problem::Classification,
            outputs: 1,
            discretize: false,
        };
        assert_eq!(tanh.output_colour(&[1.0]), colour(1.0));
        let bce = Palette {
            loss: Loss::BinaryCrossEntropy,
            ..tanh
        };
        assert_eq!(bce.output_colour(&[0.0]), colour(-1.0));
        let ce = Palette {
            loss: Loss::SoftmaxCrossEntropy,
            problem: Problem::MultiClass,
            outputs: 3,
            discretize: false,
        };
        assert_eq!(ce.output_colour(&[1.0, 0.0, 0.0]), class_colour(0));
        assert_eq!(ce.output_colour(&[1.0 / 3.0; 3]), colour(0.0));
        assert_eq!(ce.pixels(&[0.0, 1.0, 0.0, 0.0, 0.0, 1.0]).len(), 8);
        let sharp = Palette {
            discretize: true,
            ..tanh
        };
        assert_eq!(sharp.output_colour(&[0.2]), colour(1.0));
        assert_eq!(sharp.output_colour(&[-0.01]), colour(-1.0));
        let sharp_ce = Palette {
            discretize: true,
            ..ce
        };
        assert_eq!(sharp_ce.output_colour(&[0.3, 0.36, 0.34]), class_colour(1));
    }
}
