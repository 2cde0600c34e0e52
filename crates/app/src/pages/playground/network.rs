//! The network picture: every link and every node's heatmap rasterised in
//! Rust into one RGBA image, put into one canvas per frame; and the inverse,
//! which link lies under a point of that picture.
//!
//! Why not canvas strokes: the largest network has over ten thousand links,
//! and a browser rasterising that many anti-aliased curves takes hundreds of
//! milliseconds a frame on a small machine (measured in headless Chromium),
//! where filling the same curves here as vertical spans takes a few. One
//! image also replaces one canvas per node (over three hundred), each of
//! which the browser would composite separately.
//!
//! A link runs from the right edge of its source node to the left edge of
//! its target as an S-curve: `y = y0 + (y1 − y0)·s(t)` with `s` the
//! smoothstep `3t² − 2t³` of the horizontal position `t ∈ [0, 1]`. The
//! picture and [`link_at`] use the same curve, so what the pointer is over
//! is what is drawn there.

use std::ops::Range;

use super::layout::Layout;
use crate::heatmap::ColourTable;

/// One link of the network view: from node `from` of column `column` to
/// node `to` of column `column + 1` (both counted as the layout counts
/// them: column 0 lists every feature, used or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkRef {
    pub column: usize,
    pub from: usize,
    pub to: usize,
}

/// Where a link starts and ends, in picture pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Span {
    /// The link from node `from` of column `column` to node `to` of the next.
    pub fn of(lay: &Layout, link: LinkRef) -> Option<Span> {
        let &(x0, y0) = lay.columns.get(link.column)?.get(link.from)?;
        let &(x1, y1) = lay.columns.get(link.column + 1)?.get(link.to)?;
        Some(Span {
            x0: x0 + lay.node / 2.0,
            y0,
            x1: x1 - lay.node / 2.0,
            y1,
        })
    }

    /// The curve's height at `x` (clamped to the link's ends) and its slope
    /// there.
    pub fn at(&self, x: f64) -> (f64, f64) {
        let dx = (self.x1 - self.x0).max(1e-9);
        let t = ((x - self.x0) / dx).clamp(0.0, 1.0);
        let s = t * t * (3.0 - 2.0 * t);
        let ds = 6.0 * t * (1.0 - t) / dx;
        let dy = self.y1 - self.y0;
        (self.y0 + dy * s, dy * ds)
    }
}

/// The page's background (`--background` in the style sheet), which the
/// picture is painted on.
pub const BACKGROUND: [u8; 3] = [247, 247, 247];

/// A dash pattern along the picture's x axis, as TensorFlow Playground's
/// links have while training: `period` pixels, the last quarter of which
/// is a gap, shifted right by `phase` pixels so that the dashes move from
/// the inputs towards the output as the phase grows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dash {
    pub period: f64,
    pub phase: f64,
}

impl Dash {
    /// How strongly a gap is drawn (of 256): faint, so the link stays
    /// visible where its dashes are not.
    const GAP_STRENGTH: u32 = 64;
    /// The share of a period that is dash; the rest is gap.
    const ON: f64 = 0.75;

    /// Whether pixel column `x` falls in a gap.
    fn is_gap(self, x: usize) -> bool {
        let t = (x as f64 + 0.5 - self.phase) / self.period.max(1.0);
        t - t.floor() >= Self::ON
    }
}

/// An opaque RGBA image.
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Picture {
    /// A picture of the page's background colour.
    pub fn new(width: usize, height: usize) -> Picture {
        let mut picture = Picture {
            width,
            height,
            pixels: vec![0; width * height * 4],
        };
        picture.clear();
        picture
    }

    /// Paints everything the background colour again, keeping the memory.
    pub fn clear(&mut self) {
        let [r, g, b] = BACKGROUND;
        for px in self.pixels.chunks_exact_mut(4) {
            px.copy_from_slice(&[r, g, b, 255]);
        }
    }

    /// Paints pixel columns `from..to` the background colour again.
    pub fn clear_columns(&mut self, from: usize, to: usize) {
        let [r, g, b] = BACKGROUND;
        let to = to.min(self.width);
        if from >= to {
            return;
        }
        for row in self.pixels.chunks_exact_mut(self.width * 4) {
            for px in row[from * 4..to * 4].chunks_exact_mut(4) {
                px.copy_from_slice(&[r, g, b, 255]);
            }
        }
    }

    /// Mixes `rgb` into pixel `(x, y)` by `alpha` (0 … 256 for 0 … 1).
    fn blend(&mut self, x: usize, y: usize, rgb: [u8; 3], alpha: u32) {
        let i = (y * self.width + x) * 4;
        let Some(px) = self.pixels.get_mut(i..i + 3) else {
            return;
        };
        if alpha >= 256 {
            px.copy_from_slice(&rgb);
            return;
        }
        for (d, &s) in px.iter_mut().zip(&rgb) {
            *d = ((u32::from(*d) * (256 - alpha) + u32::from(s) * alpha) >> 8) as u8;
        }
    }

    /// Draws a link `width` pixels thick in `rgb`, in the pixel columns of
    /// `columns` only (so a gap's links can be redrawn a slice at a time):
    /// one vertical span per pixel column, as tall as the line is thick
    /// across its slope, with its two end pixels shaded by how much of them
    /// the line covers. The gaps of `dash`, when given, are drawn faint:
    /// moving the dash's phase from frame to frame makes the links flow.
    pub fn link(
        &mut self,
        span: &Span,
        width: f64,
        rgb: [u8; 3],
        columns: Range<usize>,
        dash: Option<Dash>,
    ) {
        let first = (span.x0.floor().max(0.0) as usize).max(columns.start);
        let last = (span.x1.ceil().max(0.0) as usize)
            .min(self.width)
            .min(columns.end);
        let height = self.height as f64;
        // `+ 0.5` and truncation rounds these non-negative values (`round` is a
        // library call in wasm, and this runs millions of times a frame).
        let alpha = |cover: f64| (cover.clamp(0.0, 1.0) * 256.0 + 0.5) as u32;
        for x in first..last {
            let (y, slope) = span.at(x as f64 + 0.5);
            let half = 0.5 * width * (1.0 + slope * slope).sqrt();
            let (top, bottom) = ((y - half).max(0.0), (y + half).min(height));
            if bottom <= top {
                continue;
            }
            // 256 for a solid column, less in a dash's gap.
            let strength = match dash {
                Some(d) if d.is_gap(x) => Dash::GAP_STRENGTH,
                _ => 256,
            };
            let shade = |cover: f64| (alpha(cover) * strength) >> 8;
            let (first_row, last_row) = (top.floor() as usize, (bottom.ceil() as usize).max(1) - 1);
            if first_row == last_row {
                self.blend(x, first_row, rgb, shade(bottom - top));
                continue;
            }
            // Partly covered end pixels, fully covered ones between.
            self.blend(x, first_row, rgb, shade(first_row as f64 + 1.0 - top));
            self.blend(x, last_row, rgb, shade(bottom - last_row as f64));
            if strength < 256 {
                for row in first_row + 1..last_row {
                    self.blend(x, row, rgb, strength);
                }
                continue;
            }
            let stride = self.width * 4;
            let mut i = ((first_row + 1) * self.width + x) * 4;
            for _ in first_row + 1..last_row {
                self.pixels[i..i + 3].copy_from_slice(&rgb);
                i += stride;
            }
        }
    }

    /// Copies a `density × density` RGBA heatmap into the square of `side`
    /// pixels whose top-left corner is `(left, top)`, nearest neighbour;
    /// `fade` (0 … 1) mixes it towards white.
    pub fn thumbnail(
        &mut self,
        left: usize,
        top: usize,
        side: usize,
        heatmap: &[u8],
        density: usize,
        fade: f32,
    ) {
        if density == 0 || heatmap.len() < density * density * 4 {
            return;
        }
        let keep = 1.0 - fade.clamp(0.0, 1.0);
        self.square(left, top, side, density, |cell| {
            let s = cell * 4;
            [0, 1, 2].map(|c| (f32::from(heatmap[s + c]) * keep + 255.0 * (1.0 - keep) + 0.5) as u8)
        });
    }

    /// Draws one neuron's heatmap — column `neuron` of a `density² × width`
    /// matrix of outputs, on the −1 … 1 scale — into the square of `side`
    /// pixels at `(left, top)`, nearest neighbour.
    #[allow(clippy::too_many_arguments)]
    pub fn neuron(
        &mut self,
        left: usize,
        top: usize,
        side: usize,
        values: &[f32],
        width: usize,
        neuron: usize,
        density: usize,
        colours: &ColourTable,
    ) {
        if density == 0 || neuron >= width || values.len() < density * density * width {
            return;
        }
        self.square(left, top, side, density, |cell| {
            colours.get(values[cell * width + neuron])
        });
    }

    /// A node's bias, as TensorFlow Playground shows it: a small square of
    /// its colour in the node's bottom-left corner, `side` pixels with a
    /// dark rim, whose bottom-left pixel is `(left, bottom)`.
    pub fn bias_mark(&mut self, left: usize, bottom: usize, side: usize, rgb: [u8; 3]) {
        let top = (bottom + 1).saturating_sub(side);
        for y in top..=bottom.min(self.height.saturating_sub(1)) {
            for x in left..(left + side).min(self.width) {
                let rim = y == top || y == bottom || x == left || x + 1 == left + side;
                let d = (y * self.width + x) * 4;
                let colour = if rim { [80, 80, 80] } else { rgb };
                self.pixels[d..d + 4].copy_from_slice(&[colour[0], colour[1], colour[2], 255]);
            }
        }
    }

    /// Fills the square of `side` pixels at `(left, top)` from a
    /// `density × density` grid, nearest neighbour: `cell` gives the colour
    /// of grid cell `row * density + column` (asked once per pixel, so
    /// only the cells that show are computed).
    fn square(
        &mut self,
        left: usize,
        top: usize,
        side: usize,
        density: usize,
        cell: impl Fn(usize) -> [u8; 3],
    ) {
        if side == 0 {
            return;
        }
        let columns: Vec<usize> = (0..side).map(|dx| dx * density / side).collect();
        for dy in 0..side {
            let y = top + dy;
            if y >= self.height {
                break;
            }
            let row = dy * density / side * density;
            for (dx, &column) in columns.iter().enumerate() {
                let x = left + dx;
                if x >= self.width {
                    break;
                }
                let [r, g, b] = cell(row + column);
                let d = (y * self.width + x) * 4;
                self.pixels[d..d + 4].copy_from_slice(&[r, g, b, 255]);
            }
        }
    }
}

/// How far (in pixels) from a link's centre line the pointer may be and
/// still be on it.
pub const REACH: f64 = 5.0;

/// The link under `(x, y)`, if any: the nearest one whose centre line is
/// within [`REACH`] there. `sources` lists, for column 0, the layout index
/// of each network input (only the features in use have links); the other
/// columns link every node to every node of the next.
pub fn link_at(lay: &Layout, sources: &[usize], x: f64, y: f64) -> Option<LinkRef> {
    let mut best: Option<(f64, LinkRef)> = None;
    for column in 0..lay.columns.len().saturating_sub(1) {
        let (cx0, _) = *lay.columns[column].first()?;
        let (cx1, _) = *lay.columns[column + 1].first()?;
        if x < cx0 + lay.node / 2.0 || x > cx1 - lay.node / 2.0 {
            continue;
        }
        let froms: Vec<usize> = if column == 0 {
            sources.to_vec()
        } else {
            (0..lay.columns[column].len()).collect()
        };
        for &from in &froms {
            for to in 0..lay.columns[column + 1].len() {
                let link = LinkRef { column, from, to };
                let Some(span) = Span::of(lay, link) else {
                    continue;
                };
                let (cy, slope) = span.at(x);
                // Distance across the line, not straight down.
                let distance = (y - cy).abs() / (1.0 + slope * slope).sqrt();
                if distance <= REACH && best.is_none_or(|(d, _)| distance < d) {
                    best = Some((distance, link));
                }
            }
        }
    }
    best.map(|(_, link)| link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_join_their_nodes_smoothly() {
        let span = Span {
            x0: 10.0,
            y0: 20.0,
            x1: 70.0,
            y1: 80.0,
        };
        assert_eq!(span.at(10.0), (20.0, 0.0));
        assert_eq!(span.at(70.0), (80.0, 0.0));
        assert_eq!(span.at(40.0).0, 50.0);
        assert!(span.at(40.0).1 > 1.0, "steepest in the middle");
        assert_eq!(span.at(-5.0).0, 20.0);
    }

    #[test]
    fn a_link_is_drawn_where_link_at_finds_it() {
        let lay = super::super::layout::layout(&[9, 4, 1], None);
        let sources = [0, 1];
        let link = LinkRef {
            column: 0,
            from: 1,
            to: 3,
        };
        let span = Span::of(&lay, link).unwrap();
        let mut picture = Picture::new(lay.width as usize, lay.height as usize);
        picture.link(&span, 3.0, [8, 119, 189], 0..usize::MAX, None);
        let x = (span.x0 + span.x1) / 2.0;
        let (y, _) = span.at(x);
        let i = ((y as usize) * picture.width + x as usize) * 4;
        assert_eq!(&picture.pixels[i..i + 4], &[8, 119, 189, 255]);
        let [r, g, b] = BACKGROUND;
        assert_eq!(&picture.pixels[0..4], &[r, g, b, 255]);
        assert_eq!(link_at(&lay, &sources, x, y), Some(link));
        assert_eq!(link_at(&lay, &sources, x, y + 3.0), Some(link));
        // Far from every link, and over a node, there is none.
        assert_eq!(link_at(&lay, &sources, x, 0.0), None);
        let (nx, ny) = lay.columns[1][0];
        assert_eq!(link_at(&lay, &sources, nx, ny), None);
        // Unused features have no links.
        let (fx, fy) = lay.columns[0][5];
        assert_eq!(link_at(&lay, &sources, fx + 20.0, fy), None);
        // Between the hidden layer and the output.
        let out = Span::of(
            &lay,
            LinkRef {
                column: 1,
                from: 2,
                to: 0,
            },
        )
        .unwrap();
        let (oy, _) = out.at(out.x0 + 10.0);
        assert_eq!(
            link_at(&lay, &sources, out.x0 + 10.0, oy),
            Some(LinkRef {
                column: 1,
                from: 2,
                to: 0
            })
        );
    }

    #[test]
    fn edges_are_shaded_and_blending_keeps_colour() {
        let mut p = Picture::new(4, 4);
        p.blend(0, 0, [0, 0, 0], 128);
        assert_eq!(&p.pixels[0..4], &[123, 123, 123, 255]);
        p.blend(0, 0, [0, 100, 200], 256);
        assert_eq!(&p.pixels[0..4], &[0, 100, 200, 255]);
        p.blend(9, 9, [1, 2, 3], 256); // outside: ignored
        p.clear();
        assert_eq!(&p.pixels[0..4], &[247, 247, 247, 255]);
        p.blend(1, 2, [0, 0, 0], 256);
        p.blend(3, 2, [0, 0, 0], 256);
        p.clear_columns(1, 3);
        let at = |p: &Picture, x: usize| p.pixels[(2 * 4 + x) * 4];
        assert_eq!((at(&p, 1), at(&p, 3)), (247, 0));
        p.clear_columns(3, 99);
        assert_eq!(at(&p, 3), 247);
        p.clear_columns(5, 9); // outside: ignored
    }

    #[test]
    fn a_link_drawn_in_slices_is_the_link_drawn_whole() {
        let span = Span {
            x0: 3.0,
            y0: 4.0,
            x1: 57.0,
            y1: 35.0,
        };
        let mut whole = Picture::new(64, 40);
        whole.link(&span, 2.5, [10, 20, 30], 0..usize::MAX, None);
        let mut sliced = Picture::new(64, 40);
        for from in (0..64).step_by(13) {
            sliced.link(&span, 2.5, [10, 20, 30], from..from + 13, None);
        }
        assert!(whole.pixels == sliced.pixels);
        assert!(whole.pixels.chunks(4).any(|p| p[..3] == [10, 20, 30]));
        let mut clipped = Picture::new(64, 40);
        clipped.link(&span, 2.5, [10, 20, 30], 20..30, None);
        for (i, (a, b)) in clipped
            .pixels
            .chunks(4)
            .zip(whole.pixels.chunks(4))
            .enumerate()
        {
            let x = i % 64;
            if (20..30).contains(&x) {
                assert_eq!(a, b, "inside the slice, at x {x}");
            } else {
                assert_eq!(a, [247, 247, 247, 255], "outside the slice, at x {x}");
            }
        }
    }

    #[test]
    fn dashed_links_have_faint_gaps_that_move_with_the_phase() {
        let span = Span {
            x0: 0.0,
            y0: 10.0,
            x1: 64.0,
            y1: 10.0,
        };
        let ink = [0, 0, 0];
        let row = |dash: Option<Dash>| -> Vec<u8> {
            let mut p = Picture::new(64, 20);
            p.link(&span, 4.0, ink, 0..usize::MAX, dash);
            // The red channel of the middle row, a value per column.
            (0..64).map(|x| p.pixels[(10 * 64 + x) * 4]).collect()
        };
        let solid = row(None);
        assert!(solid.iter().all(|&v| v == 0), "no dash: solid ink");
        let dash = Dash {
            period: 16.0,
            phase: 0.0,
        };
        let dashed = row(Some(dash));
        // Columns 12..16 of every 16 are gaps: faint, not background, not ink.
        for (x, &v) in dashed.iter().enumerate() {
            if x % 16 >= 12 {
                assert!(v > 100 && v < 247, "gap at column {x}: {v}");
            } else {
                assert_eq!(v, 0, "dash at column {x}");
            }
        }
        let moved = row(Some(Dash { phase: 4.0, ..dash }));
        assert_eq!(
            &moved[4..],
            &dashed[..60],
            "the pattern moves right with the phase"
        );
        // Drawn in slices, a dashed link is the same link.
        let mut sliced = Picture::new(64, 20);
        for from in (0..64).step_by(7) {
            sliced.link(&span, 4.0, ink, from..from + 7, Some(dash));
        }
        let mut whole = Picture::new(64, 20);
        whole.link(&span, 4.0, ink, 0..usize::MAX, Some(dash));
        assert!(whole.pixels == sliced.pixels);
    }

    #[test]
    fn bias_marks_sit_in_the_bottom_left_corner() {
        let mut p = Picture::new(10, 10);
        p.bias_mark(1, 8, 4, [8, 119, 189]);
        let at = |p: &Picture, x: usize, y: usize| {
            p.pixels[(y * 10 + x) * 4..(y * 10 + x) * 4 + 3].to_vec()
        };
        assert_eq!(at(&p, 2, 6), [8, 119, 189], "inside");
        assert_eq!(at(&p, 1, 8), [80, 80, 80], "rim");
        assert_eq!(at(&p, 4, 5), [80, 80, 80], "rim");
        assert_eq!(at(&p, 5, 6), [247, 247, 247], "right of it");
        assert_eq!(at(&p, 2, 4), [247, 247, 247], "above it");
        p.bias_mark(8, 9, 4, [1, 2, 3]); // at the edge: clipped, no panic
        assert_eq!(at(&p, 9, 9), [80, 80, 80]);
    }

    #[test]
    fn thumbnails_scale_and_fade() {
        let mut p = Picture::new(8, 8);
        // A 2 × 2 heatmap: red, green / blue, black.
        let heatmap = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 255];
        p.thumbnail(2, 2, 4, &heatmap, 2, 0.0);
        let at = |p: &Picture, x: usize, y: usize| {
            let i = (y * 8 + x) * 4;
            [
                p.pixels[i],
                p.pixels[i + 1],
                p.pixels[i + 2],
                p.pixels[i + 3],
            ]
        };
        assert_eq!(at(&p, 2, 2), [255, 0, 0, 255]);
        assert_eq!(at(&p, 5, 2), [0, 255, 0, 255]);
        assert_eq!(at(&p, 2, 5), [0, 0, 255, 255]);
        assert_eq!(at(&p, 1, 1), [247, 247, 247, 255]);
        p.thumbnail(2, 2, 4, &heatmap, 2, 1.0);
        assert_eq!(at(&p, 5, 5), [255, 255, 255, 255]);
        // Neuron 1 of a 2-wide matrix over a 2 × 2 grid.
        let values = [0.0, -1.0, 0.0, 1.0, 0.0, 1.0, 0.0, -1.0];
        p.neuron(0, 0, 4, &values, 2, 1, 2, &ColourTable::default());
        let rgb = |v: f32| {
            let [r, g, b] = crate::heatmap::colour(v);
            [r, g, b, 255]
        };
        assert_eq!(at(&p, 0, 0), rgb(-1.0));
        assert_eq!(at(&p, 3, 0), rgb(1.0));
        assert_eq!(at(&p, 3, 3), rgb(-1.0));
    }
}
