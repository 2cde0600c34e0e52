//! Time in a worker: [`now`], and training steps per second over the last
//! second or so of training.

use wasm_bindgen::JsCast;

/// Milliseconds on the worker's clock (`performance.now()`, or the date
/// where a worker has no `performance`).
pub fn now() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

#[derive(Default)]
pub struct RateMeter {
    since: f64,
    steps: u32,
    rate: f64,
}

impl RateMeter {
    /// Starts a new window at `t` (ms): after a pause, a test or a switch of
    /// backend, whose time is not training time.
    pub fn restart(&mut self, t: f64) {
        self.since = t;
        self.steps = 0;
    }

    /// Counts `steps` finished by `t`; the rate is updated about once a second.
    pub fn add(&mut self, t: f64, steps: u32) {
        self.steps += steps;
        let elapsed = t - self.since;
        if elapsed >= 1000.0 || (self.rate == 0.0 && elapsed >= 200.0) {
            self.rate = f64::from(self.steps) * 1000.0 / elapsed.max(1.0);
            self.restart(t);
        }
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }
}

/// This module's WebAssembly memory in bytes (0 natively): workers send it
/// with their progress for the soak benchmark (see `crate::memory` in the page).
pub fn wasm_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as u64 * 65_536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_steps_per_second_of_the_last_window() {
        let mut m = RateMeter::default();
        m.restart(0.0);
        m.add(100.0, 5);
        assert_eq!(m.rate(), 0.0);
        m.add(250.0, 5);
        assert!((m.rate() - 40.0).abs() < 1e-9);
        m.add(1250.0, 20);
        assert!((m.rate() - 20.0).abs() < 1e-9);
    }
}
