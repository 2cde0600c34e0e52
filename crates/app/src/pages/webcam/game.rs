//! The maze the prediction steers ([`playnet_webcam::game`]): the predicted
//! class's direction moves the player one cell per beat; the arrow keys
//! move it too, so the game can be tried before any training. Coins score,
//! the exit starts a bigger maze.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use playnet_webcam::game::{Direction, Game};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::CanvasRenderingContext2d;

use super::session::Ui;

/// One move per this many milliseconds while the prediction steers.
pub const BEAT_MS: i32 = 450;
/// The first maze: portrait, so it fits a phone.
const WIDTH: usize = 7;
const HEIGHT: usize = 9;
/// Canvas pixels per cell.
const CELL: f64 = 36.0;

/// The game panel.
#[component]
pub fn MazeGame(ui: Ui) -> impl IntoView {
    let game = Rc::new(RefCell::new(Game::new(WIDTH, HEIGHT, 1)));
    let running = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let position = RwSignal::new(game.borrow().player());
    let score = RwSignal::new(0u32);
    let level = RwSignal::new(1u32);
    let steering = RwSignal::new(None::<Direction>);
    let canvas = NodeRef::<Canvas>::new();

    let step = {
        let game = game.clone();
        move |direction: Option<Direction>| {
            let mut g = game.borrow_mut();
            g.tick(direction);
            position.set(g.player());
            score.set(g.score());
            level.set(g.level());
            version.update(|v| *v += 1);
        }
    };

    // The beat: the steady prediction's direction, if it has one.
    let beat = {
        let step = step.clone();
        Closure::<dyn FnMut()>::new(move || {
            if !running.get_untracked() {
                return;
            }
            let direction = ui.prediction.get_untracked().and_then(|class| {
                ui.classes
                    .with_untracked(|c| c.get(class).and_then(|c| c.direction))
            });
            steering.set(direction);
            step(direction);
        })
    };
    let timer = web_sys::window().and_then(|w| {
        w.set_interval_with_callback_and_timeout_and_arguments_0(
            beat.as_ref().unchecked_ref(),
            BEAT_MS,
        )
        .ok()
    });
    let beat = send_wrapper::SendWrapper::new(beat);
    on_cleanup(move || {
        if let (Some(w), Some(id)) = (web_sys::window(), timer) {
            w.clear_interval_with_handle(id);
        }
        drop(beat);
    });

    let on_key = {
        let step = step.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let direction = match ev.key().as_str() {
                "ArrowUp" => Direction::Up,
                "ArrowDown" => Direction::Down,
                "ArrowLeft" => Direction::Left,
                "ArrowRight" => Direction::Right,
                _ => return,
            };
            ev.prevent_default();
            if !running.get_untracked() {
                running.set(true);
            }
            step(Some(direction));
        }
    };

    {
        let game = game.clone();
        Effect::new(move |_| {
            version.track();
            if let Some(canvas) = canvas.get() {
                draw(&canvas, &game.borrow());
            }
        });
    }
    let restart = {
        let game = game.clone();
        move |_| {
            *game.borrow_mut() = Game::new(WIDTH, HEIGHT, js_sys::Date::now() as u64);
            let g = game.borrow();
            position.set(g.player());
            score.set(0);
            level.set(1);
            version.update(|v| *v += 1);
        }
    };

    view! {
        <section class="webcam-game" aria-labelledby="game-title">
            <h2 id="game-title">"Maze"</h2>
            <p class="prose" class:hidden=ui.hide_text>
                "Collect the coins and reach the flag. The predicted class moves the player "
                "(give each class a direction above); the arrow keys work too."
            </p>
            <div class="game-controls">
                <button data-testid="game-start" on:click=move |_| running.update(|r| *r = !*r)>
                    {move || if running.get() { "Pause" } else { "Start" }}
                </button>
                <button on:click=restart>"New maze"</button>
                <span>"Score " <strong data-testid="game-score">{move || score.get()}</strong></span>
                <span>"Level " {move || level.get()}</span>
                <span class="game-steering">
                    {move || match (running.get(), steering.get()) {
                        (false, _) => "paused".to_string(),
                        (true, Some(d)) => format!("steering {}", d.name()),
                        (true, None) => "no steady direction".to_string(),
                    }}
                </span>
            </div>
            <canvas
                node_ref=canvas
                class="maze"
                data-testid="game-maze"
                tabindex="0"
                role="img"
                aria-label=move || {
                    let (x, y) = position.get();
                    format!("Maze, player at column {}, row {}", x + 1, y + 1)
                }
                on:keydown=on_key
            ></canvas>
            <span
                class="game-player"
                data-testid="game-player"
                data-x=move || position.get().0
                data-y=move || position.get().1
            >
                {move || {
                    let (x, y) = position.get();
                    format!("player at ({x}, {y})")
                }}
            </span>
        </section>
    }
}

/// Draws the maze, coins, exit and player.
fn draw(canvas: &web_sys::HtmlCanvasElement, game: &Game) {
    let maze = game.maze();
    let (w, h) = (maze.width() as f64, maze.height() as f64);
    let pad = 6.0;
    canvas.set_width((w * CELL + 2.0 * pad) as u32);
    canvas.set_height((h * CELL + 2.0 * pad) as u32);
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    ctx.set_fill_style_str("#fbfaf7");
    ctx.fill_rect(0.0, 0.0, w * CELL + 2.0 * pad, h * CELL + 2.0 * pad);
    let centre =
        |(x, y): (usize, usize)| (pad + (x as f64 + 0.5) * CELL, pad + (y as f64 + 0.5) * CELL);
    // The exit: a green square.
    let (ex, ey) = centre(game.exit());
    ctx.set_fill_style_str("#2e9d5b");
    ctx.fill_rect(ex - CELL * 0.3, ey - CELL * 0.3, CELL * 0.6, CELL * 0.6);
    ctx.set_fill_style_str("#e0a400");
    for coin in game.coins() {
        let (cx, cy) = centre(coin);
        ctx.begin_path();
        let _ = ctx.arc(cx, cy, CELL * 0.16, 0.0, std::f64::consts::TAU);
        ctx.fill();
    }
    ctx.set_stroke_style_str("#333");
    ctx.set_line_width(3.0);
    ctx.set_line_cap("round");
    ctx.begin_path();
    for (x0, y0, x1, y1) in maze.walls() {
        ctx.move_to(pad + f64::from(x0) * CELL, pad + f64::from(y0) * CELL);
        ctx.line_to(pad + f64::from(x1) * CELL, pad + f64::from(y1) * CELL);
    }
    ctx.stroke();
    let (px, py) = centre(game.player());
    ctx.set_fill_style_str("#1f6feb");
    ctx.begin_path();
    let _ = ctx.arc(px, py, CELL * 0.3, 0.0, std::f64::consts::TAU);
    ctx.fill();
}
