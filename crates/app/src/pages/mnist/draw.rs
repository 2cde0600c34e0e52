//! Canvas drawing for the MNIST lab: digits, filters and activation maps are
//! composed into one RGBA buffer and put on the canvas in one call; curves
//! and percentile bands are plain 2-D canvas paths.
//!
//! Hand-drawn rather than plotters: the charts are a few lines and bands,
//! and this keeps the page's build and its wasm small (the Playground's loss
//! chart is drawn the same way).

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::worker::protocol::DigitGrid;

/// The 2-D context of a canvas.
pub fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

/// Resizes a canvas's drawing buffer (only when it changes: resizing clears it).
pub fn size(canvas: &HtmlCanvasElement, width: u32, height: u32) {
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
}

pub type Rgb = [u8; 3];

pub const PAPER: Rgb = [255, 255, 255];
pub const INK: Rgb = [33, 33, 33];
pub const WRONG_PAPER: Rgb = [255, 205, 205];
pub const WRONG_INK: Rgb = [150, 0, 0];

/// An RGBA picture built in memory.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    rgba: Vec<u8>,
}

impl Raster {
    pub fn new(width: usize, height: usize, background: Rgb) -> Raster {
        let mut rgba = Vec::with_capacity(width * height * 4);
        for _ in 0..width * height {
            rgba.extend_from_slice(&[background[0], background[1], background[2], 255]);
        }
        Raster {
            width,
            height,
            rgba,
        }
    }

    fn set(&mut self, x: usize, y: usize, c: Rgb) {
        if x < self.width && y < self.height {
            let i = (y * self.width + x) * 4;
            self.rgba[i..i + 3].copy_from_slice(&c);
        }
    }

    /// Draws `values` (`w × h`, row-major) at `(x, y)`, each value a
    /// `scale × scale` block coloured by `colour`.
    pub fn image(
        &mut self,
        (x, y): (usize, usize),
        (w, h): (usize, usize),
        scale: usize,
        values: impl Fn(usize) -> Rgb,
    ) {
        for row in 0..h {
            for col in 0..w {
                let c = values(row * w + col);
                for dy in 0..scale {
                    for dx in 0..scale {
                        self.set(x + col * scale + dx, y + row * scale + dy, c);
                    }
                }
            }
        }
    }

    /// A 28×28 digit (bytes, 255 = ink) with its own paper and ink colours.
    pub fn digit(&mut self, at: (usize, usize), pixels: &[u8], scale: usize, paper: Rgb, ink: Rgb) {
        self.image(at, (28, 28), scale, |i| {
            mix(
                paper,
                ink,
                f32::from(pixels.get(i).copied().unwrap_or(0)) / 255.0,
            )
        });
    }

    /// Copies `other` in with its top-left corner at `(x, y)`.
    pub fn paste(&mut self, other: &Raster, (x, y): (usize, usize)) {
        for row in 0..other.height {
            if y + row >= self.height {
                break;
            }
            let w = other.width.min(self.width.saturating_sub(x));
            let from = row * other.width * 4;
            let to = ((y + row) * self.width + x) * 4;
            self.rgba[to..to + w * 4].copy_from_slice(&other.rgba[from..from + w * 4]);
        }
    }

    /// Puts the picture on the canvas (resized to fit it).
    pub fn put(&self, canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
        size(canvas, self.width as u32, self.height as u32);
        let ctx = context(canvas)?;
        let data = ImageData::new_with_u8_clamped_array_and_sh(
            Clamped(&self.rgba),
            self.width as u32,
            self.height as u32,
        )
        .ok()?;
        ctx.put_image_data(&data, 0.0, 0.0).ok()?;
        Some(ctx)
    }
}

/// `a` at 0, `b` at 1.
pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|k| (f32::from(a[k]) + (f32::from(b[k]) - f32::from(a[k])) * t).round() as u8)
}

/// Blue for negative, white for 0, red for positive; `scale` maps to full colour.
pub fn diverging(v: f32, scale: f32) -> Rgb {
    let t = if scale > 0.0 { v / scale } else { 0.0 };
    if t.is_nan() {
        return [128, 128, 128];
    }
    if t < 0.0 {
        mix(PAPER, [33, 102, 172], -t)
    } else {
        mix(PAPER, [178, 24, 43], t)
    }
}

/// Largest absolute value (0 for none).
pub fn max_abs(values: &[f32]) -> f32 {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f32, |m, v| m.max(v.abs()))
}

/// Geometry of a grid of 28×28 digits with a label strip under each.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DigitLayout {
    pub columns: usize,
    pub scale: usize,
    pub label: usize,
    pub gap: usize,
}

impl DigitLayout {
    pub const GRID: DigitLayout = DigitLayout {
        columns: 10,
        scale: 2,
        label: 16,
        gap: 4,
    };

    fn cell(&self) -> (usize, usize) {
        (
            28 * self.scale + self.gap,
            28 * self.scale + self.label + self.gap,
        )
    }

    pub fn size(&self, count: usize) -> (usize, usize) {
        let (cw, ch) = self.cell();
        let rows = count.div_ceil(self.columns).max(1);
        (self.columns * cw, rows * ch)
    }

    /// Which digit a point on the canvas (in canvas pixels) falls on.
    pub fn hit(&self, x: f64, y: f64, count: usize) -> Option<usize> {
        let (cw, ch) = self.cell();
        if x < 0.0 || y < 0.0 {
            return None;
        }
        let (col, row) = (x as usize / cw, y as usize / ch);
        let i = row * self.columns + col;
        (col < self.columns && i < count).then_some(i)
    }
}

/// Draws a grid of digits; each label strip says the network's answer, and
/// on red (a mistake) also the true label.
pub fn digit_grid(canvas: &HtmlCanvasElement, grid: &DigitGrid, layout: DigitLayout) {
    let (width, height) = layout.size(grid.len());
    let (cw, ch) = layout.cell();
    let mut raster = Raster::new(width, height, [245, 245, 245]);
    for k in 0..grid.len() {
        let (x, y) = ((k % layout.columns) * cw, (k / layout.columns) * ch);
        let wrong = grid.labels[k] != grid.predicted.get(k).copied().unwrap_or(255);
        let (paper, ink) = if wrong {
            (WRONG_PAPER, WRONG_INK)
        } else {
            (PAPER, INK)
        };
        let pixels = grid.pixels.get(k * 784..(k + 1) * 784).unwrap_or(&[]);
        raster.digit((x, y), pixels, layout.scale, paper, ink);
        let strip = (28 * layout.scale, layout.label);
        raster.image((x, y + 28 * layout.scale), strip, 1, |_| paper);
    }
    let Some(ctx) = raster.put(canvas) else {
        return;
    };
    ctx.set_font("12px sans-serif");
    ctx.set_text_align("center");
    for k in 0..grid.len() {
        let (x, y) = ((k % layout.columns) * cw, (k / layout.columns) * ch);
        let (label, predicted) = (
            grid.labels[k],
            grid.predicted.get(k).copied().unwrap_or(255),
        );
        let text = if label == predicted {
            ctx.set_fill_style_str("#333");
            format!("{predicted}")
        } else {
            ctx.set_fill_style_str("#960000");
            format!("{predicted} ≠ {label}")
        };
        let _ = ctx.fill_text(
            &text,
            (x + 14 * layout.scale) as f64,
            (y + 28 * layout.scale + layout.label - 4) as f64,
        );
    }
}

/// Little images in rows (filters, activation maps), each normalised on its
/// own; returns the raster and where each image went.
pub fn tiles(
    count: usize,
    (w, h): (usize, usize),
    target: usize,
    columns: usize,
    value: impl Fn(usize, usize) -> Rgb,
) -> Raster {
    let scale = (target / w.max(h).max(1)).max(1);
    let (tw, th) = (w * scale + 4, h * scale + 4);
    let columns = columns.min(count).max(1);
    let rows = count.div_ceil(columns).max(1);
    let mut raster = Raster::new(columns * tw, rows * th, PAPER);
    for k in 0..count {
        let (x, y) = ((k % columns) * tw + 2, (k / columns) * th + 2);
        raster.image((x, y), (w, h), scale, |i| value(k, i));
    }
    raster
}

/// A line to plot: points `(x, y)`, a colour, a width.
pub struct Series<'a> {
    pub points: &'a [(f64, f64)],
    pub colour: &'a str,
    pub width: f64,
}

/// Margins of the plotted area inside a chart canvas.
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 18.0;
const TOP: f64 = 6.0;
const RIGHT: f64 = 8.0;

/// Axes with `y` grid lines at `ticks`, and `x` from `x0` to `x1` (steps).
pub struct Axes {
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub width: f64,
    pub height: f64,
}

impl Axes {
    pub fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x.0) / (self.x.1 - self.x.0).max(1e-9) * (self.width - LEFT - RIGHT)
    }

    pub fn py(&self, y: f64) -> f64 {
        let t = (y - self.y.0) / (self.y.1 - self.y.0).max(1e-12);
        self.height - BOTTOM - t.clamp(-0.02, 1.02) * (self.height - BOTTOM - TOP)
    }

    /// Clears the canvas and draws the frame, grid and tick labels.
    pub fn draw(&self, ctx: &CanvasRenderingContext2d, y_label: impl Fn(f64) -> String) {
        ctx.clear_rect(0.0, 0.0, self.width, self.height);
        ctx.set_font("11px sans-serif");
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str("#e0e0e0");
        ctx.set_fill_style_str("#666");
        ctx.set_text_align("right");
        for i in 0..=4 {
            let v = self.y.0 + (self.y.1 - self.y.0) * f64::from(i) / 4.0;
            let y = self.py(v);
            ctx.begin_path();
            ctx.move_to(LEFT, y);
            ctx.line_to(self.width - RIGHT, y);
            ctx.stroke();
            let _ = ctx.fill_text(&y_label(v), LEFT - 4.0, y + 4.0);
        }
        ctx.set_text_align("center");
        for i in 0..=4 {
            let v = self.x.0 + (self.x.1 - self.x.0) * f64::from(i) / 4.0;
            let _ = ctx.fill_text(&format!("{}", v.round()), self.px(v), self.height - 4.0);
        }
    }

    pub fn line(&self, ctx: &CanvasRenderingContext2d, s: &Series) {
        ctx.set_stroke_style_str(s.colour);
        ctx.set_line_width(s.width);
        ctx.begin_path();
        let mut started = false;
        for &(x, y) in s.points {
            if !y.is_finite() {
                started = false;
                continue;
            }
            if started {
                ctx.line_to(self.px(x), self.py(y));
            } else {
                ctx.move_to(self.px(x), self.py(y));
                started = true;
            }
        }
        ctx.stroke();
    }

    /// The area between two curves sampled at the same `x`s.
    pub fn band(
        &self,
        ctx: &CanvasRenderingContext2d,
        xs: &[f64],
        lo: &[f64],
        hi: &[f64],
        fill: &str,
    ) {
        if xs.is_empty() {
            return;
        }
        ctx.set_fill_style_str(fill);
        ctx.begin_path();
        for (i, (&x, &y)) in xs.iter().zip(hi).enumerate() {
            if i == 0 {
                ctx.move_to(self.px(x), self.py(y));
            } else {
                ctx.line_to(self.px(x), self.py(y));
            }
        }
        for (&x, &y) in xs.iter().zip(lo).rev() {
            ctx.line_to(self.px(x), self.py(y));
        }
        ctx.close_path();
        ctx.fill();
    }
}

/// A `y` range that holds every finite value, padded a little.
pub fn range(
    values: impl Iterator<Item = f64>,
    floor: Option<f64>,
    ceil: Option<f64>,
) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (floor.unwrap_or(0.0), ceil.unwrap_or(1.0));
    }
    let pad = ((hi - lo) * 0.05).max(1e-3);
    let (mut lo, mut hi) = (lo - pad, hi + pad);
    if let Some(f) = floor {
        lo = lo.max(f);
    }
    if let Some(c) = ceil {
        hi = hi.min(c);
    }
    if hi <= lo {
        hi = lo + 1e-3;
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_hits_land_on_the_digit_under_the_pointer() {
        let l = DigitLayout::GRID;
        assert_eq!(l.size(100), (600, 760));
        assert_eq!(l.hit(1.0, 1.0, 100), Some(0));
        assert_eq!(l.hit(61.0, 77.0, 100), Some(11));
        assert_eq!(l.hit(599.0, 759.0, 100), Some(99));
        assert_eq!(l.hit(599.0, 759.0, 95), None);
        assert_eq!(l.hit(-1.0, 0.0, 100), None);
    }

    #[test]
    fn colours_mix_and_diverge() {
        assert_eq!(mix(PAPER, INK, 0.0), PAPER);
        assert_eq!(mix(PAPER, INK, 1.0), INK);
        assert_eq!(diverging(0.0, 1.0), PAPER);
        assert!(diverging(-1.0, 1.0)[2] > diverging(1.0, 1.0)[2]);
        assert_eq!(max_abs(&[1.0, -3.0, f32::NAN]), 3.0);
    }

    #[test]
    fn ranges_hold_the_values_within_the_limits() {
        let (lo, hi) = range([0.5, 0.9].into_iter(), Some(0.0), Some(1.0));
        assert!(lo < 0.5 && hi > 0.9 && hi <= 1.0);
        assert_eq!(range(std::iter::empty(), Some(0.0), None), (0.0, 1.0));
    }
}
