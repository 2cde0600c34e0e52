//! The built-in sample pictures: arrows pointing up, down, left or right,
//! drawn on the spot with varied colours, sizes, places and a little tilt,
//! so the whole flow (record, train, predict, play) can be tried without a
//! camera. In sample mode the live view shows a fresh arrow every frame,
//! turning to the next direction every few seconds.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use playnet_webcam::game::Direction;

use super::camera::FRAME;

/// Pictures added to each class by "Add sample pictures".
pub const PER_CLASS: usize = 20;
/// How long the live view keeps one direction, in milliseconds.
pub const SCENE_MS: f64 = 3000.0;

/// The direction the live sample view shows at `ms` (page time).
pub fn live_direction(ms: f64) -> Direction {
    Direction::ALL[(ms / SCENE_MS) as usize % Direction::ALL.len()]
}

/// Draws one arrow pointing `direction` (seeded) and returns its RGBA bytes.
pub fn arrow(canvas: &HtmlCanvasElement, direction: Direction, seed: u64) -> Option<Vec<u8>> {
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let f = f64::from(FRAME);
    let hue = rng.random_range(0.0..360.0);
    ctx.set_fill_style_str(&format!(
        "hsl({hue:.0} 35% {:.0}%)",
        rng.random_range(70.0..92.0)
    ));
    ctx.fill_rect(0.0, 0.0, f, f);
    let angle = match direction {
        Direction::Right => 0.0,
        Direction::Down => std::f64::consts::FRAC_PI_2,
        Direction::Left => std::f64::consts::PI,
        Direction::Up => -std::f64::consts::FRAC_PI_2,
    } + rng.random_range(-0.25..0.25);
    let size = rng.random_range(0.45..0.8) * f;
    let (cx, cy) = (
        f / 2.0 + rng.random_range(-0.12..0.12) * f,
        f / 2.0 + rng.random_range(-0.12..0.12) * f,
    );
    ctx.save();
    let _ = ctx.translate(cx, cy);
    let _ = ctx.rotate(angle);
    let ink = (hue + 180.0) % 360.0;
    ctx.set_fill_style_str(&format!(
        "hsl({ink:.0} 70% {:.0}%)",
        rng.random_range(20.0..45.0)
    ));
    // A shaft and a head, pointing along +x.
    let (half, shaft) = (size / 2.0, size * 0.12);
    ctx.begin_path();
    ctx.move_to(-half, -shaft);
    ctx.line_to(half * 0.2, -shaft);
    ctx.line_to(half * 0.2, -size * 0.32);
    ctx.line_to(half, 0.0);
    ctx.line_to(half * 0.2, size * 0.32);
    ctx.line_to(half * 0.2, shaft);
    ctx.line_to(-half, shaft);
    ctx.close_path();
    ctx.fill();
    ctx.restore();
    Some(ctx.get_image_data(0.0, 0.0, f, f).ok()?.data().0)
}
