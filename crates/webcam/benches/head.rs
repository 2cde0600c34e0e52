//! Speed of training a head on the CPU backend:
//! `cargo bench -p playnet-webcam --bench head`.
//!
//! `train_default` trains a 4-class head on 200 synthetic embeddings (one
//! scene shared by every class, a small offset per class, per-frame noise,
//! non-negative like EfficientNet's pooled features; the unit tests' data)
//! with [`HeadSettings::default`]: 20 epochs, 100 hidden units, 10%
//! batches, a fifth held out. Kept short (10 samples) so that it
//! runs in well under a minute on two shared cores.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use playnet_engine::Cpu;
use playnet_webcam::{EMBEDDING, HeadSettings, HeadTrainer};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

fn synthetic(classes: usize, per_class: usize, seed: u64) -> Vec<(usize, Vec<f32>)> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let scene: Vec<f32> = (0..EMBEDDING).map(|_| rng.random_range(0.0..2.0)).collect();
    let centres: Vec<Vec<f32>> = (0..classes)
        .map(|_| {
            scene
                .iter()
                .map(|v| v + rng.random_range(-0.25..0.25))
                .collect()
        })
        .collect();
    (0..classes * per_class)
        .map(|i| {
            let c = i % classes;
            let e = centres[c]
                .iter()
                .map(|v| (v + rng.random_range(-1.0f32..1.0)).clamp(0.0, 3.0))
                .collect();
            (c, e)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let data = synthetic(4, 50, 11);
    let examples: Vec<(usize, &[f32])> = data.iter().map(|(c, e)| (*c, e.as_slice())).collect();
    let settings = HeadSettings::default();
    c.bench_function("train_default", |b| {
        b.iter(|| {
            let mut trainer = HeadTrainer::new(Cpu, &examples, 4, &settings, 5).expect("a trainer");
            while !trainer.done() {
                black_box(trainer.epoch().expect("an epoch"));
            }
            let (_, eval) = trainer.finish().expect("a head");
            assert!(eval.accuracy.unwrap_or(0.0) >= 0.95, "{eval:?}");
            eval
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
