//! Smoothing of the live prediction for display and game control: an
//! exponential moving average of the class probabilities, and a leader
//! with hysteresis, so that one odd frame neither flickers the bars nor
//! turns the player.

/// Smooths per-frame class probabilities and picks a steady leader.
#[derive(Clone, Debug)]
pub struct Smoother {
    alpha: f32,
    hold: usize,
    smoothed: Vec<f32>,
    started: bool,
    /// The state (a class above 0.5, or none) of the last pushes, and for how many.
    candidate: Option<usize>,
    streak: usize,
    leader: Option<usize>,
}

impl Smoother {
    /// A smoother over `classes` classes. `alpha` is the weight of each new
    /// frame (`smoothed ← alpha·new + (1 − alpha)·smoothed`), clamped to
    /// 0.01 ..= 1 (1: no smoothing; a non-finite value counts as 1). The
    /// leader changes only after the new state has lasted `hold` pushes
    /// (at least 1).
    pub fn new(classes: usize, alpha: f32, hold: usize) -> Smoother {
        Smoother {
            alpha: if alpha.is_finite() {
                alpha.clamp(0.01, 1.0)
            } else {
                1.0
            },
            hold: hold.max(1),
            smoothed: vec![0.0; classes],
            started: false,
            candidate: None,
            streak: 0,
            leader: None,
        }
    }

    /// Folds in one frame's probabilities and returns the smoothed ones. The
    /// first frame is taken as it is; missing or non-finite values count as 0.
    pub fn push(&mut self, probs: &[f32]) -> &[f32] {
        let a = if self.started { self.alpha } else { 1.0 };
        self.started = true;
        for (i, s) in self.smoothed.iter_mut().enumerate() {
            let p = probs
                .get(i)
                .copied()
                .filter(|p| p.is_finite())
                .unwrap_or(0.0);
            *s = a * p + (1.0 - a) * *s;
        }
        // The highest smoothed class (the first of equals), if above 0.5.
        let top = self
            .smoothed
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, f32)>, (i, &v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((i, v)),
            })
            .filter(|&(_, v)| v > 0.5)
            .map(|(i, _)| i);
        if top == self.candidate {
            self.streak = self.streak.saturating_add(1);
        } else {
            self.candidate = top;
            self.streak = 1;
        }
        if self.streak >= self.hold {
            self.leader = self.candidate;
        }
        &self.smoothed
    }

    /// The smoothed probabilities so far.
    pub fn smoothed(&self) -> &[f32] {
        &self.smoothed
    }

    /// The class that has been highest and above 0.5 for at least `hold`
    /// consecutive pushes; it stays the leader until another class (or no
    /// class above 0.5) has lasted `hold` pushes in turn.
    pub fn leader(&self) -> Option<usize> {
        self.leader
    }

    /// Forgets everything (a new session, another head).
    pub fn reset(&mut self) {
        self.smoothed.iter_mut().for_each(|s| *s = 0.0);
        self.started = false;
        self.candidate = None;
        self.streak = 0;
        self.leader = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_frame_spike_does_not_flip_the_leader_but_a_sustained_change_does() {
        let mut s = Smoother::new(3, 0.5, 3);
        let a = [0.9, 0.05, 0.05];
        let b = [0.05, 0.9, 0.05];
        s.push(&a);
        s.push(&a);
        assert_eq!(s.leader(), None, "not yet held for 3 pushes");
        s.push(&a);
        assert_eq!(s.leader(), Some(0));
        s.push(&b);
        assert_eq!(s.leader(), Some(0), "one frame of b");
        for _ in 0..2 {
            s.push(&a);
        }
        assert_eq!(s.leader(), Some(0));
        let mut pushes = 0;
        while s.leader() != Some(1) {
            s.push(&b);
            pushes += 1;
            assert!(pushes < 10, "never followed b");
        }
        assert!(pushes >= 3, "followed after {pushes}");
        let smoothed = s.smoothed();
        assert!(smoothed[1] > smoothed[0]);
        // Uncertain frames: after `hold` of them there is no leader.
        for _ in 0..10 {
            s.push(&[0.34, 0.33, 0.33]);
        }
        assert_eq!(s.leader(), None);
        s.reset();
        assert_eq!(s.leader(), None);
        assert_eq!(s.smoothed(), &[0.0; 3]);
    }

    #[test]
    fn the_average_follows_and_ignores_bad_values() {
        let mut s = Smoother::new(2, 0.25, 1);
        assert_eq!(s.push(&[1.0, 0.0]), &[1.0, 0.0]);
        assert_eq!(s.push(&[0.0, 1.0]), &[0.75, 0.25]);
        assert_eq!(s.leader(), Some(0));
        let out = s.push(&[f32::NAN]).to_vec();
        assert!(out.iter().all(|v| v.is_finite()));
        let mut plain = Smoother::new(2, f32::NAN, 0);
        assert_eq!(plain.push(&[0.2, 0.8]), &[0.2, 0.8]);
        assert_eq!(plain.push(&[0.7, 0.3]), &[0.7, 0.3]);
        assert_eq!(plain.leader(), Some(0));
    }
}
