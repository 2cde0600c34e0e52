//! Draws the strips of the network picture: a gap's links, a column's node
//! heatmaps, the feature thumbnails. Each strip is a range of pixel columns
//! that no other strip touches, so any of them can be redrawn (and put into
//! the canvas) on its own.

use playnet_engine::{Cpu, Dense};
use wasm_bindgen::JsValue;

use super::layout::{self, Layout};
use super::network::{Dash, LinkRef, Picture, Span};
use super::refresh::{LINK_SLICES, Part};
use crate::heatmap::ColourTable;

/// Side of the square in a node's bottom-left corner that shows its bias,
/// in layout pixels.
const BIAS_MARK: f64 = 7.0;

/// Everything one frame's drawing reads.
pub struct Painter<'a> {
    pub lay: &'a Layout,
    /// Picture pixels per layout pixel.
    pub scale: f64,
    /// The network's dense layers, input side first.
    pub layers: &'a [Dense<'a, Cpu>],
    /// The layout index (in the feature column) of each network input.
    pub sources: &'a [usize],
    /// Each layer's outputs over the heatmap grid (`density² × width`).
    pub values: &'a [&'a [f32]],
    pub widths: &'a [usize],
    /// Grid cells per side of `values`.
    pub density: usize,
    /// The feature heatmaps (RGBA, `feature_density²` cells), in layout
    /// order.
    pub features: &'a [Vec<u8>],
    pub feature_density: usize,
    pub colours: &'a ColourTable,
    /// While training, the links' dash pattern (in layout pixels; its
    /// phase grows with time, so the links flow); `None` draws them solid.
    pub flow: Option<Dash>,
}

impl Painter<'_> {
    /// Draws `part` into `picture`; returns the pixel columns it covers.
    pub fn draw(&self, picture: &mut Picture, part: Part) -> Result<(usize, usize), JsValue> {
        match part {
            Part::Links { gap, slice } => self.links(picture, gap, slice),
            Part::Nodes(column) => Ok(self.nodes(picture, column)),
        }
    }

    /// The pixel columns between the node edges of columns `gap` and
    /// `gap + 1`, where that gap's links lie.
    fn gap_strip(&self, gap: usize) -> Option<(usize, usize)> {
        let left = self.lay.columns.get(gap)?.first()?.0;
        let right = self.lay.columns.get(gap + 1)?.first()?.0;
        Some((
            ((left + self.lay.node / 2.0) * self.scale).floor() as usize,
            ((right - self.lay.node / 2.0) * self.scale).ceil() as usize,
        ))
    }

    /// Clears slice `slice` (of [`LINK_SLICES`]) of the gap's strip and
    /// draws its links there.
    fn links(
        &self,
        picture: &mut Picture,
        gap: usize,
        slice: usize,
    ) -> Result<(usize, usize), JsValue> {
        let (Some(dense), Some((left, right))) = (self.layers.get(gap), self.gap_strip(gap)) else {
            return Ok((0, 0));
        };
        let columns = right.saturating_sub(left);
        let strip = (
            left + columns * slice / LINK_SLICES,
            left + columns * (slice + 1) / LINK_SLICES,
        );
        picture.clear_columns(strip.0, strip.1);
        let weights = dense.weight.buffer().as_slice();
        let (rows, cols) = (
            dense.weight.shape().dims()[0],
            dense.weight.shape().dims()[1],
        );
        // Between two wide layers a thousand links at TensorFlow
        // Playground's widths would be one solid block.
        let thin = (12.0 / rows.max(cols) as f64).clamp(0.35, 1.0);
        let scale = self.scale;
        let dash = self.flow.map(|d| Dash {
            period: d.period * scale,
            phase: d.phase * scale,
        });
        for i in 0..rows {
            let from = if gap == 0 {
                match self.sources.get(i) {
                    Some(&s) => s,
                    None => continue,
                }
            } else {
                i
            };
            for to in 0..cols {
                let link = LinkRef {
                    column: gap,
                    from,
                    to,
                };
                let (Some(span), Some(&weight)) =
                    (Span::of(self.lay, link), weights.get(i * cols + to))
                else {
                    continue;
                };
                let span = Span {
                    x0: span.x0 * scale,
                    y0: span.y0 * scale,
                    x1: span.x1 * scale,
                    y1: span.y1 * scale,
                };
                let width = layout::link_width(weight) * thin * scale;
                picture.link(
                    &span,
                    width,
                    self.colours.get(weight),
                    strip.0..strip.1,
                    dash,
                );
            }
        }
        Ok(strip)
    }

    /// Side of a node's heatmap square (inside its 1-pixel border) and the
    /// top-left pixel of the square of the node centred at `at`.
    fn square(&self, at: (f64, f64)) -> (usize, usize, usize) {
        let inner = self.lay.node - 2.0;
        let side = (inner * self.scale).round() as usize;
        let (x, y) = at;
        (
            side,
            ((x - inner / 2.0) * self.scale).max(0.0).round() as usize,
            ((y - inner / 2.0) * self.scale).max(0.0).round() as usize,
        )
    }

    /// Draws the heatmap of every node of network column `column` (1 is
    /// the first hidden layer), with its bias in the corner; returns the
    /// pixel columns they cover.
    fn nodes(&self, picture: &mut Picture, column: usize) -> (usize, usize) {
        let (Some(nodes), Some(values), Some(&width)) = (
            self.lay.columns.get(column),
            column.checked_sub(1).and_then(|l| self.values.get(l)),
            column.checked_sub(1).and_then(|l| self.widths.get(l)),
        ) else {
            return (0, 0);
        };
        let biases = self
            .layers
            .get(column - 1)
            .map_or(&[][..], |d| d.bias.buffer().as_slice());
        let mark = ((BIAS_MARK * self.scale).round() as usize).max(3);
        let mut strip = (usize::MAX, 0);
        for (j, &at) in nodes.iter().enumerate() {
            let (side, left, top) = self.square(at);
            picture.neuron(
                left,
                top,
                side,
                values,
                width,
                j,
                self.density,
                self.colours,
            );
            if let Some(&bias) = biases.get(j) {
                let bottom = (top + side).saturating_sub(1);
                picture.bias_mark(left, bottom, mark, self.colours.get(bias));
            }
            strip = (strip.0.min(left), strip.1.max(left + side));
        }
        if strip.0 > strip.1 { (0, 0) } else { strip }
    }

    /// Draws the feature thumbnails, the unused ones faded.
    pub fn features(&self, picture: &mut Picture) {
        let Some(column) = self.lay.columns.first() else {
            return;
        };
        for (k, &at) in column.iter().enumerate() {
            let Some(pixels) = self.features.get(k) else {
                continue;
            };
            let (side, left, top) = self.square(at);
            let fade = if self.sources.contains(&k) { 0.0 } else { 0.7 };
            picture.thumbnail(left, top, side, pixels, self.feature_density, fade);
        }
    }
}
