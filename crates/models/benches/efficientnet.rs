//! Speed of EfficientNet-Lite0 on the CPU backend:
//! `cargo bench -p playnet-models --bench efficientnet`.
//!
//! `embedding` times one 224×224 image through the whole network (features
//! and logits) with the shipped weights; `preprocess` the resize, crop and
//! scaling of a 451×300 photo (chelsea's size). Kept short (10 samples) so
//! that it runs in well under a minute on two shared cores.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use playnet_engine::Cpu;
use playnet_models::efficientnet::shipped;
use playnet_models::preprocess::{RgbImage, imagenet_input};
use playnet_models::{EfficientNet, Images, Layout};

/// Deterministic bytes without pulling a RNG into the bench.
fn bytes(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9u32;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/efficientnet-lite0/efficientnet-lite0.safetensors");
    let file = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let net = EfficientNet::from_folded(Cpu, &shipped::read(&file).expect("the shipped weights"))
        .expect("the shipped network");
    let photo = RgbImage::new(451, 300, bytes(451 * 300 * 3)).expect("an image");
    let input = imagenet_input(&photo).expect("a 224×224 input");

    let mut group = c.benchmark_group("efficientnet-lite0 (cpu)");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("embedding 224×224", |b| {
        b.iter(|| {
            let images = Images::new(black_box(&input), 1, 224, 224, Layout::Nhwc).unwrap();
            net.forward(&images).unwrap()
        })
    });
    group.bench_function("preprocess 451×300", |b| {
        b.iter(|| imagenet_input(black_box(&photo)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
