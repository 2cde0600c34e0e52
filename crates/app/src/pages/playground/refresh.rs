//! Which parts of the network picture a frame redraws while training.
//!
//! The picture is a row of vertical strips: node columns (each neuron's
//! heatmap) and the gaps between them (the links). A big network has ten
//! thousand links and over three hundred heatmaps, too many to redraw at
//! display rate on a slow machine, and they change little from one frame
//! to the next. So a frame redraws the strips in turn, from where the last
//! one stopped, until its time budget is spent (at least one strip, at
//! most all of them once). A small network fits the budget and is redrawn
//! whole every frame; a big one is redrawn whole every few frames, always
//! in the same order, so no part lags behind. The output column is not in
//! the cycle: the controller draws it every frame, as it does the output
//! panel. A gap's links are redrawn in [`LINK_SLICES`] slices of pixel
//! columns, so that one part never costs much more than a frame can give.

/// Slices of pixel columns each gap's links are redrawn in.
pub const LINK_SLICES: usize = 4;

/// One strip of the network picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Slice `slice` (of [`LINK_SLICES`]) of the links between node
    /// columns `gap` and `gap + 1`.
    Links { gap: usize, slice: usize },
    /// The heatmaps of the nodes of network column `column` (1 is the
    /// first hidden layer).
    Nodes(usize),
}

/// The strips of a network with `gaps` gaps between its columns (its dense
/// layers), in the order they are redrawn: each gap's links, slice by
/// slice, then the hidden column to its right. The output column is left
/// out.
pub fn parts(gaps: usize) -> Vec<Part> {
    (0..gaps)
        .flat_map(|gap| {
            let nodes = gap + 1;
            (0..LINK_SLICES)
                .map(move |slice| Part::Links { gap, slice })
                .chain((nodes < gaps).then_some(Part::Nodes(nodes)))
        })
        .collect()
}

/// Where the cycle of redrawn parts stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cycle {
    next: usize,
}

impl Cycle {
    /// Draws parts of a network with `gaps` gaps in turn, from where the
    /// last call stopped: at least one, then more while `within_budget`
    /// says so, and never one part twice. Returns the parts drawn; an error
    /// from `draw` stops the round (the failed part is tried again next
    /// time).
    pub fn run<E>(
        &mut self,
        gaps: usize,
        mut within_budget: impl FnMut() -> bool,
        mut draw: impl FnMut(Part) -> Result<(), E>,
    ) -> Result<Vec<Part>, E> {
        let all = parts(gaps);
        let mut drawn = Vec::new();
        if all.is_empty() {
            return Ok(drawn);
        }
        self.next %= all.len();
        while drawn.len() < all.len() && (drawn.is_empty() || within_budget()) {
            let part = all[self.next];
            draw(part)?;
            drawn.push(part);
            self.next = (self.next + 1) % all.len();
        }
        Ok(drawn)
    }

    /// Starts the next round from the first part (after the whole picture
    /// was redrawn).
    pub fn restart(&mut self) {
        self.next = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(gap: usize) -> Vec<Part> {
        (0..LINK_SLICES)
            .map(|slice| Part::Links { gap, slice })
            .collect()
    }

    #[test]
    fn parts_alternate_links_and_hidden_columns() {
        assert_eq!(parts(0), vec![]);
        assert_eq!(parts(1), links(0));
        let mut three = links(0);
        three.push(Part::Nodes(1));
        three.extend(links(1));
        three.push(Part::Nodes(2));
        three.extend(links(2));
        assert_eq!(parts(3), three);
        assert_eq!(parts(11).len(), 11 * LINK_SLICES + 10);
    }

    #[test]
    fn a_generous_budget_draws_everything_once() {
        let mut cycle = Cycle::default();
        let drawn = cycle.run(3, || true, |_| Ok::<(), ()>(())).unwrap();
        assert_eq!(drawn, parts(3));
        // And again from the start the next frame.
        assert_eq!(
            cycle.run(3, || true, |_| Ok::<(), ()>(())).unwrap(),
            parts(3)
        );
    }

    #[test]
    fn a_spent_budget_draws_one_part_a_frame_in_turn() {
        let mut cycle = Cycle::default();
        let mut seen = Vec::new();
        for _ in 0..7 {
            let drawn = cycle.run(3, || false, |_| Ok::<(), ()>(())).unwrap();
            assert_eq!(drawn.len(), 1);
            seen.extend(drawn);
        }
        assert_eq!(seen, parts(3)[..7]);
    }

    #[test]
    fn a_budget_for_two_parts_goes_on_where_it_stopped() {
        let mut cycle = Cycle::default();
        let frame = |cycle: &mut Cycle| {
            let mut budget = 1;
            cycle
                .run(
                    2,
                    || {
                        let left = budget > 0;
                        budget -= 1;
                        left
                    },
                    |_| Ok::<(), ()>(()),
                )
                .unwrap()
        };
        let all = parts(2);
        let mut seen = Vec::new();
        for _ in 0..all.len() {
            let drawn = frame(&mut cycle);
            assert_eq!(drawn.len(), 2);
            seen.extend(drawn);
        }
        // Twice round, in order.
        assert_eq!(seen[..all.len()], all[..]);
        assert_eq!(seen[all.len()..], all[..]);
        cycle.restart();
        assert_eq!(frame(&mut cycle), all[..2]);
    }

    #[test]
    fn a_failed_part_is_tried_again() {
        let mut cycle = Cycle::default();
        let err = cycle.run(
            2,
            || true,
            |p| {
                if p == Part::Nodes(1) {
                    Err("no")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(err, Err("no"));
        let drawn = cycle.run(2, || false, |_| Ok::<(), ()>(())).unwrap();
        assert_eq!(drawn, vec![Part::Nodes(1)]);
        // A network that lost layers starts within its own parts.
        let mut cycle = Cycle::default();
        for _ in 0..LINK_SLICES + 2 {
            cycle.run(2, || false, |_| Ok::<(), ()>(())).unwrap();
        }
        let drawn = cycle.run(1, || false, |_| Ok::<(), ()>(())).unwrap();
        assert_eq!(drawn.len(), 1);
        assert!(matches!(drawn[0], Part::Links { gap: 0, .. }));
    }
}
