//! A small maze game steered by the predicted class: the player walks a
//! perfect maze from the top-left cell to the exit at the bottom-right,
//! picking up coins on the way; each exit starts a bigger maze. Cells are
//! `(x, y)` with `x` to the right and `y` down.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

/// A maze of the first level that fits a phone held upright.
pub const DEFAULT_WIDTH: usize = 7;
/// See [`DEFAULT_WIDTH`].
pub const DEFAULT_HEIGHT: usize = 9;
/// Largest maze side (levels stop growing there).
pub const MAX_SIDE: usize = 30;
/// Score for a coin.
pub const COIN_POINTS: u32 = 10;
/// Score for reaching the exit.
pub const EXIT_BONUS: u32 = 50;

/// A step of the player.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Up,
    Down,
    Left,
    Right,
}

impl Direction {
    /// Every direction, in this order.
    pub const ALL: [Direction; 4] = [
        Direction::Up,
        Direction::Down,
        Direction::Left,
        Direction::Right,
    ];

    /// `"up"`, `"down"`, `"left"` or `"right"`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Left => "left",
            Direction::Right => "right",
        }
    }

    /// The direction back.
    pub fn opposite(self) -> Direction {
        match self {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
            Direction::Left => Direction::Right,
            Direction::Right => Direction::Left,
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    fn delta(self) -> (isize, isize) {
        match self {
            Direction::Up => (0, -1),
            Direction::Down => (0, 1),
            Direction::Left => (-1, 0),
            Direction::Right => (1, 0),
        }
    }
}

/// A perfect maze (exactly one path between any two cells) of
/// `width × height` cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Maze {
    width: usize,
    height: usize,
    /// Per cell, row-major: a bit per [`Direction`] that is open.
    open: Vec<u8>,
}

impl Maze {
    /// A maze carved by randomised depth-first search from `seed`; sides are
    /// clamped to 1 ..= [`MAX_SIDE`].
    pub fn generate(width: usize, height: usize, seed: u64) -> Maze {
        let (width, height) = (width.clamp(1, MAX_SIDE), height.clamp(1, MAX_SIDE));
        let mut maze = Maze {
            width,
            height,
            open: vec![0; width * height],
        };
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let mut visited = vec![false; width * height];
        let mut stack = vec![(0usize, 0usize)];
        visited[0] = true;
        while let Some(&(x, y)) = stack.last() {
            let mut choices: Vec<(Direction, (usize, usize))> = Direction::ALL
                .iter()
                .filter_map(|&d| maze.neighbour(x, y, d).map(|n| (d, n)))
                .filter(|&(_, (nx, ny))| !visited[ny * width + nx])
                .collect();
            if choices.is_empty() {
                stack.pop();
                continue;
            }
            choices.shuffle(&mut rng);
            let (d, (nx, ny)) = choices[0];
            maze.open[y * width + x] |= d.bit();
            maze.open[ny * width + nx] |= d.opposite().bit();
            visited[ny * width + nx] = true;
            stack.push((nx, ny));
        }
        maze
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    /// The cell next to `(x, y)` towards `dir`, if inside the maze.
    fn neighbour(&self, x: usize, y: usize, dir: Direction) -> Option<(usize, usize)> {
        let (dx, dy) = dir.delta();
        let nx = x.checked_add_signed(dx).filter(|&v| v < self.width)?;
        let ny = y.checked_add_signed(dy).filter(|&v| v < self.height)?;
        Some((nx, ny))
    }

    /// Whether one can walk from `(x, y)` towards `dir` (false outside the maze).
    pub fn open(&self, x: usize, y: usize, dir: Direction) -> bool {
        x < self.width && y < self.height && self.open[y * self.width + x] & dir.bit() != 0
    }

    /// The cell reached from `(x, y)` towards `dir`, if that way is open.
    pub fn step(&self, x: usize, y: usize, dir: Direction) -> Option<(usize, usize)> {
        if self.open(x, y, dir) {
            self.neighbour(x, y, dir)
        } else {
            None
        }
    }

    /// Every wall as a line segment `(x1, y1, x2, y2)` in cell units (the
    /// maze spans `0..width × 0..height`), the outer border included.
    pub fn walls(&self) -> Vec<(f32, f32, f32, f32)> {
        let mut out = Vec::new();
        for y in 0..self.height {
            for x in 0..self.width {
                let (fx, fy) = (x as f32, y as f32);
                if !self.open(x, y, Direction::Up) {
                    out.push((fx, fy, fx + 1.0, fy));
                }
                if !self.open(x, y, Direction::Left) {
                    out.push((fx, fy, fx, fy + 1.0));
                }
                if y + 1 == self.height {
                    out.push((fx, fy + 1.0, fx + 1.0, fy + 1.0));
                }
                if x + 1 == self.width {
                    out.push((fx + 1.0, fy, fx + 1.0, fy + 1.0));
                }
            }
        }
        out
    }
}

/// What a tick did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// The player stepped into an empty cell.
    Moved,
    /// A wall is that way; the player stays.
    Blocked,
    /// The player stepped onto a coin and picked it up.
    Coin,
    /// The player reached the exit; the next level has begun.
    LevelDone,
    /// No direction: nothing happened.
    Idle,
}

/// The game: a maze, the player, the coins, the score.
#[derive(Clone, Debug)]
pub struct Game {
    seed: u64,
    base: (usize, usize),
    level: u32,
    score: u32,
    maze: Maze,
    player: (usize, usize),
    coins: Vec<(usize, usize)>,
}

impl Game {
    /// Level 1 on a `width × height` maze from `seed` (sides clamped to
    /// 2 ..= [`MAX_SIDE`]).
    pub fn new(width: usize, height: usize, seed: u64) -> Game {
        let base = (width.clamp(2, MAX_SIDE), height.clamp(2, MAX_SIDE));
        let mut game = Game {
            seed,
            base,
            level: 0,
            score: 0,
            maze: Maze::generate(1, 1, 0),
            player: (0, 0),
            coins: Vec::new(),
        };
        game.next_level();
        game
    }

    /// Starts the next level: one cell wider and taller per level (up to
    /// [`MAX_SIDE`]), a maze and coins from the game's seed and the level,
    /// the player back at the top-left.
    fn next_level(&mut self) {
        self.level += 1;
        let grow = self.level as usize - 1;
        let (w, h) = (
            (self.base.0 + grow).min(MAX_SIDE),
            (self.base.1 + grow).min(MAX_SIDE),
        );
        let seed = self.seed ^ u64::from(self.level).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.maze = Maze::generate(w, h, seed);
        self.player = (0, 0);
        let exit = self.exit();
        // Every cell of a perfect maze is reachable; coins go anywhere but
        // the start and the exit.
        let mut cells: Vec<(usize, usize)> = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&c| c != (0, 0) && c != exit)
            .collect();
        let mut rng = Pcg64Mcg::seed_from_u64(seed ^ 0xC0_1A5);
        cells.shuffle(&mut rng);
        let count = (3 + self.level as usize + rng.random_range(0..2)).min(cells.len());
        cells.truncate(count);
        self.coins = cells;
    }

    /// One step towards `dir`, if that way is open.
    pub fn tick(&mut self, dir: Option<Direction>) -> Event {
        let Some(dir) = dir else {
            return Event::Idle;
        };
        let (x, y) = self.player;
        let Some(next) = self.maze.step(x, y, dir) else {
            return Event::Blocked;
        };
        self.player = next;
        if next == self.exit() {
            self.score = self.score.saturating_add(EXIT_BONUS);
            self.next_level();
            return Event::LevelDone;
        }
        if let Some(i) = self.coins.iter().position(|&c| c == next) {
            self.coins.swap_remove(i);
            self.score = self.score.saturating_add(COIN_POINTS);
            return Event::Coin;
        }
        Event::Moved
    }

    /// The player's cell.
    pub fn player(&self) -> (usize, usize) {
        self.player
    }

    pub fn score(&self) -> u32 {
        self.score
    }

    /// The level, from 1.
    pub fn level(&self) -> u32 {
        self.level
    }

    pub fn maze(&self) -> &Maze {
        &self.maze
    }

    /// The cells that still hold a coin.
    pub fn coins(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.coins.iter().copied()
    }

    /// The exit: the bottom-right cell.
    pub fn exit(&self) -> (usize, usize) {
        (self.maze.width - 1, self.maze.height - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Directions from `from` to `to` along the maze's one path.
    fn path(maze: &Maze, from: (usize, usize), to: (usize, usize)) -> Vec<Direction> {
        let (w, h) = (maze.width(), maze.height());
        let mut came: Vec<Option<(Direction, (usize, usize))>> = vec![None; w * h];
        let mut seen = vec![false; w * h];
        let mut queue = std::collections::VecDeque::from([from]);
        seen[from.1 * w + from.0] = true;
        while let Some((x, y)) = queue.pop_front() {
            for d in Direction::ALL {
                if let Some((nx, ny)) = maze.step(x, y, d)
                    && !seen[ny * w + nx]
                {
                    seen[ny * w + nx] = true;
                    came[ny * w + nx] = Some((d, (x, y)));
                    queue.push_back((nx, ny));
                }
            }
        }
        let mut out = Vec::new();
        let mut at = to;
        while at != from {
            let (d, prev) = came[at.1 * w + at.0].expect("reachable");
            out.push(d);
            at = prev;
        }
        out.reverse();
        out
    }

    #[test]
    fn mazes_are_perfect_and_deterministic() {
        for seed in 0..30 {
            for (w, h) in [(7, 9), (1, 5), (12, 3), (2, 2)] {
                let maze = Maze::generate(w, h, seed);
                let mut openings = 0;
                for y in 0..h {
                    for x in 0..w {
                        for d in Direction::ALL {
                            let open = maze.open(x, y, d);
                            match maze.neighbour(x, y, d) {
                                Some((nx, ny)) => {
                                    assert_eq!(
                                        open,
                                        maze.open(nx, ny, d.opposite()),
                                        "both sides agree"
                                    );
                                    openings += usize::from(open);
                                }
                                None => assert!(!open, "the border is closed"),
                            }
                        }
                    }
                }
                assert_eq!(
                    openings / 2,
                    w * h - 1,
                    "a spanning tree: {w}×{h} seed {seed}"
                );
                // Every cell reachable (the path search panics otherwise).
                for y in 0..h {
                    for x in 0..w {
                        path(&maze, (0, 0), (x, y));
                    }
                }
                assert_eq!(Maze::generate(w, h, seed), maze);
                // Walls: the border (2w + 2h) plus every closed inner edge.
                let inner = (w - 1) * h + w * (h - 1);
                assert_eq!(maze.walls().len(), 2 * (w + h) + inner - (w * h - 1));
            }
        }
        assert_ne!(Maze::generate(7, 9, 1), Maze::generate(7, 9, 2));
        assert!(!Maze::generate(3, 3, 1).open(5, 5, Direction::Up));
    }

    #[test]
    fn walls_block_coins_score_and_the_exit_starts_the_next_level() {
        let mut game = Game::new(DEFAULT_WIDTH, DEFAULT_HEIGHT, 4);
        assert_eq!((game.level(), game.score(), game.player()), (1, 0, (0, 0)));
        assert_eq!(game.exit(), (6, 8));
        assert_eq!(game.tick(None), Event::Idle);
        assert_eq!(game.tick(Some(Direction::Up)), Event::Blocked, "the border");
        assert_eq!(game.tick(Some(Direction::Left)), Event::Blocked);
        // A closed way from the start.
        let closed = Direction::ALL.into_iter().find(|&d| {
            !game.maze().open(0, 0, d) && matches!(d, Direction::Right | Direction::Down)
        });
        if let Some(d) = closed {
            assert_eq!(game.tick(Some(d)), Event::Blocked);
            assert_eq!(game.player(), (0, 0));
        }
        let coins: Vec<_> = game.coins().collect();
        assert!(coins.len() >= 3 && !coins.contains(&(0, 0)) && !coins.contains(&game.exit()));
        // Walk to the first coin.
        let coin = coins[0];
        let walk = path(game.maze(), (0, 0), coin);
        let mut got = 0;
        for d in walk {
            match game.tick(Some(d)) {
                Event::Coin => got += 1,
                Event::Moved => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(game.player(), coin);
        assert!(got >= 1);
        assert_eq!(game.score(), got * COIN_POINTS);
        assert_eq!(game.coins().count(), coins.len() - got as usize);
        // Then to the exit.
        let walk = path(game.maze(), coin, game.exit());
        let last = walk.len() - 1;
        for (i, d) in walk.into_iter().enumerate() {
            let e = game.tick(Some(d));
            if i == last {
                assert_eq!(e, Event::LevelDone);
            } else {
                assert_ne!(e, Event::LevelDone);
            }
        }
        assert!(game.score() >= got * COIN_POINTS + EXIT_BONUS);
        assert_eq!((game.level(), game.player()), (2, (0, 0)));
        assert_eq!(
            (game.maze().width(), game.maze().height()),
            (8, 10),
            "bigger"
        );
        assert!(game.coins().count() >= 3);
        // The same seed plays the same game.
        let other = Game::new(DEFAULT_WIDTH, DEFAULT_HEIGHT, 4);
        assert_eq!(
            other.maze(),
            Game::new(DEFAULT_WIDTH, DEFAULT_HEIGHT, 4).maze()
        );
        assert_eq!(
            Direction::ALL.map(Direction::name),
            ["up", "down", "left", "right"]
        );
    }
}
