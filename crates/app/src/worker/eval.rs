//! A test evaluation done a chunk at a time, so that it fits between the
//! worker's slices and the reported accuracy belongs to one exact step.
//!
//! Chunks are sized to take about half a slice, and never exceed
//! [`MAX_CHUNK`] images, which bounds the buffers of a forward pass (on the
//! GPU each chunk is one upload, one forward pass and one readback).

use playnet_engine::loss::arg_max;
use playnet_mnist::{CLASSES, LabError};

use super::lab::AnyLab;
use super::protocol::{DigitGrid, TestSummary};

/// Most test images per forward pass.
pub const MAX_CHUNK: usize = 1000;
/// Test digits sent with each evaluation.
const PANEL_DIGITS: usize = 100;

pub struct Evaluation {
    step: u32,
    count: usize,
    next: usize,
    /// Images per chunk, adapted so that a chunk fits in a slice.
    chunk: usize,
    confusion: [[u32; CLASSES]; CLASSES],
    loss: f64,
    predictions: Vec<(u8, f32)>,
    started: f64,
    pixels: Vec<f32>,
}

impl Evaluation {
    /// An evaluation of the first `count` test images at `step`, begun at
    /// `started` (ms).
    pub fn new(step: u32, count: usize, started: f64) -> Self {
        Evaluation {
            step,
            count,
            next: 0,
            chunk: 50,
            confusion: [[0; CLASSES]; CLASSES],
            loss: 0.0,
            predictions: Vec::with_capacity(count),
            started,
            pixels: Vec::new(),
        }
    }

    /// Evaluates chunks until `deadline` (ms, by `now`); `true` once every
    /// image is done. A chunk takes about `slice_ms / 2`.
    pub async fn advance(
        &mut self,
        lab: &AnyLab,
        deadline: f64,
        slice_ms: f64,
        now: impl Fn() -> f64,
    ) -> Result<bool, LabError> {
        let test = &lab.data().test;
        while self.next < self.count {
            let t = now();
            let end = (self.next + self.chunk).min(self.count);
            let indices: Vec<usize> = (self.next..end).collect();
            test.to_f32_batch(&indices, &mut self.pixels);
            let p = lab.predict(&self.pixels, indices.len()).await?;
            for (row, &i) in p.chunks_exact(CLASSES).zip(&indices) {
                let label = usize::from(test.labels[i]);
                let predicted = arg_max(row);
                self.confusion[label][predicted] += 1;
                self.loss -= f64::from(row[label].max(1e-7).ln());
                self.predictions.push((predicted as u8, row[predicted]));
            }
            let per_image = (now() - t).max(0.001) / indices.len() as f64;
            self.chunk = ((slice_ms / 2.0 / per_image) as usize).clamp(10, MAX_CHUNK);
            self.next = end;
            if now() >= deadline {
                break;
            }
        }
        Ok(self.next >= self.count)
    }

    /// The summary for the page, at `t` (ms), from `lab`.
    pub fn finish(&self, lab: &AnyLab, t: f64) -> TestSummary {
        let data = lab.data();
        let labels = &data.test.labels;
        let count = self.predictions.len();
        let correct: u32 = (0..CLASSES).map(|k| self.confusion[k][k]).sum();
        let mut wrong: Vec<usize> = (0..count)
            .filter(|&i| labels.get(i).is_some_and(|&l| l != self.predictions[i].0))
            .collect();
        let mistakes = wrong.len() as u32;
        wrong.sort_by(|&a, &b| self.predictions[b].1.total_cmp(&self.predictions[a].1));
        let right = (0..count).filter(|&i| labels.get(i) == Some(&self.predictions[i].0));
        let mut digits = DigitGrid::default();
        for i in wrong.into_iter().chain(right).take(PANEL_DIGITS) {
            digits.indices.push(i as u32);
            digits.pixels.extend_from_slice(data.test.image(i));
            digits.labels.push(labels[i]);
            digits.predicted.push(self.predictions[i].0);
        }
        TestSummary {
            step: self.step,
            count: count as u32,
            accuracy: correct as f32 / count.max(1) as f32,
            loss: (self.loss / count.max(1) as f64) as f32,
            confusion: self.confusion.iter().flatten().copied().collect(),
            mistakes,
            digits,
            millis: (t - self.started) as f32,
            backend: lab.backend_name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::sync::Arc;

    use playnet_data::{Digits, Mnist};
    use playnet_engine::ready;
    use playnet_mnist::{PIXELS, Setup, preset};

    use super::super::devices::Target;
    use super::*;

    /// Digits whose class is the row they light.
    fn digits(count: usize) -> Digits {
        let mut images = vec![0u8; count * PIXELS];
        let labels: Vec<u8> = (0..count).map(|n| (n % CLASSES) as u8).collect();
        for (n, &k) in labels.iter().enumerate() {
            let row = 2 * usize::from(k) + 4;
            images[n * PIXELS + row * 28..n * PIXELS + row * 28 + 28].fill(255);
        }
        Digits {
            images,
            labels,
            rows: 28,
            cols: 28,
        }
    }

    #[test]
    fn an_evaluation_goes_a_chunk_at_a_time_and_counts_every_image() {
        let data = Arc::new(Mnist {
            train: digits(100),
            test: digits(1234),
        });
        let setup = Setup::from(&preset("softmax").unwrap());
        let lab = AnyLab::new(&Target::Cpu, data, setup, 1).unwrap();
        let mut eval = Evaluation::new(0, 1234, 0.0);
        // A clock where each reading is 1 ms later: chunks grow to the cap.
        let clock = Cell::new(0.0);
        let now = || {
            clock.set(clock.get() + 1.0);
            clock.get()
        };
        let mut rounds = 0;
        while !ready(eval.advance(&lab, clock.get() + 4.0, 1e6, now))
            .unwrap()
            .unwrap()
        {
            assert!(eval.chunk <= MAX_CHUNK);
            rounds += 1;
        }
        assert!(rounds >= 1, "a deadline stops an evaluation part way");
        let summary = eval.finish(&lab, clock.get());
        assert_eq!(summary.count, 1234);
        assert_eq!(summary.confusion.iter().sum::<u32>(), 1234);
        assert_eq!(summary.backend, lab.backend_name());
        assert_eq!(summary.digits.len(), 100);
    }
}
