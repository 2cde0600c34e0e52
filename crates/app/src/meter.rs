//! Frame-rate and training-speed meter: what the page reports about itself.

/// Smoothed frames per second and epochs per second, from frame timestamps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateMeter {
    last_ms: Option<f64>,
    fps: f64,
    epochs_per_second: f64,
}

/// Weight of the newest frame in the running averages.
const SMOOTHING: f64 = 0.1;

impl RateMeter {
    /// Records a frame drawn at `now_ms` (e.g. `performance.now()`) that
    /// trained `epochs` epochs.
    pub fn frame(&mut self, now_ms: f64, epochs: u32) {
        if let Some(last) = self.last_ms {
            let dt = (now_ms - last).max(1e-3) / 1000.0;
            let blend = |old: f64, new: f64| {
                if old == 0.0 {
                    new
                } else {
                    old + SMOOTHING * (new - old)
                }
            };
            self.fps = blend(self.fps, 1.0 / dt);
            self.epochs_per_second = blend(self.epochs_per_second, f64::from(epochs) / dt);
        }
        self.last_ms = Some(now_ms);
    }

    /// Forgets the last frame (after a pause, the gap is not a frame).
    pub fn pause(&mut self) {
        self.last_ms = None;
    }

    pub fn fps(&self) -> f64 {
        self.fps
    }

    pub fn epochs_per_second(&self) -> f64 {
        self.epochs_per_second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_frames_give_steady_rates() {
        let mut m = RateMeter::default();
        for i in 0..200 {
            m.frame(f64::from(i) * 20.0, 5);
        }
        assert!((m.fps() - 50.0).abs() < 0.5, "{}", m.fps());
        assert!(
            (m.epochs_per_second() - 250.0).abs() < 2.5,
            "{}",
            m.epochs_per_second()
        );
    }

    #[test]
    fn a_pause_is_not_counted_as_a_slow_frame() {
        let mut m = RateMeter::default();
        m.frame(0.0, 1);
        m.frame(10.0, 1);
        m.pause();
        m.frame(60_000.0, 1);
        m.frame(60_010.0, 1);
        assert!(m.fps() > 90.0, "{}", m.fps());
    }
}
