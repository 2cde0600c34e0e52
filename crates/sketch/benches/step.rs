//! Speed of one decoder step of the shipped 512-unit bird model on the CPU:
//! `cargo bench -p playnet-sketch --bench step`.
//!
//! A step is what the sampler does per stroke: the LSTM on `[batch, 5]`
//! rows (one `[batch, 517] · [517, 2048]` product and the gates) and the
//! output projection to the mixture, read back. Batches of 1 (one
//! candidate), 9 (the page's 3×3 grid) and 10; `sampler` adds the
//! sampling of 9 candidates from the outputs. Kept short (10 samples, one
//! second each) so that it runs in well under a minute on two cores.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use playnet_engine::Cpu;
use playnet_sketch::{Decoder, START, Sampler};

fn bird() -> Decoder<Cpu> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sketch-rnn");
    let config =
        std::fs::read_to_string(dir.join("bird.json")).expect("assets/sketch-rnn/bird.json");
    let weights = std::fs::read(dir.join("bird.safetensors")).expect("bird.safetensors");
    Decoder::from_safetensors(Cpu, &config, &weights).expect("the shipped bird loads")
}

fn bench_step(c: &mut Criterion) {
    let decoder = bird();
    let mut group = c.benchmark_group("decoder step (bird, 512 units)");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for batch in [1, 9, 10] {
        let rows = vec![[0.1, -0.2, 1.0, 0.0, 0.0]; batch];
        let mut state = decoder.lstm().zero_state(&Cpu, batch);
        for _ in 0..3 {
            state = decoder
                .step_batch_now(&vec![START; batch], &state)
                .unwrap()
                .0;
        }
        group.bench_with_input(BenchmarkId::new("batch", batch), &batch, |b, _| {
            b.iter(|| black_box(decoder.step_batch_now(black_box(&rows), &state).unwrap()))
        });
    }
    group.finish();

    let decoder = Arc::new(decoder);
    let mut group = c.benchmark_group("sampler");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    group.bench_function("9 candidates, one step", |b| {
        b.iter_batched(
            || Sampler::from_nothing(decoder.clone(), 1, 0.25, 9).unwrap(),
            |mut s| black_box(s.advance_now(1).unwrap()),
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_step);
criterion_main!(benches);
