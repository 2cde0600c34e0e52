//! Speed, for information (ignored by default; lavapipe is a CPU, so its
//! figures say nothing about a real GPU):
//!
//! ```sh
//! cargo test -p playnet-gpu --release --test bench -- --ignored --nocapture --test-threads=1
//! ```
//!
//! - matrix products of square sizes 256…2048: GFLOP/s on the GPU backend
//!   against the engine's CPU kernel (`kernels::gemm`, one thread);
//! - training steps per second of the MNIST lab's convolutional preset
//!   (batch 100) on each backend;
//! - the Playground's largest network (10 × 32, every feature, batch 10):
//!   epochs per second and the time of one pass of every neuron's heatmap,
//!   read back for drawing, on each backend — the figures behind the
//!   Playground's staying on the CPU.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::{Duration, Instant};

use common::*;
use playnet_data::{Feature, Point, feature_matrix};
use playnet_engine::{Backend, Cpu, MatMul, Net, Tensor, Trainer, kernels};
use playnet_gpu::Gpu;
use playnet_playground::{PlaygroundConfig, Session};
use rand::Rng;

/// Runs `f` until about `budget` has passed (at least twice, after a warm-up)
/// and returns the mean time per call.
fn time_per_call(budget: Duration, mut f: impl FnMut()) -> Duration {
    f();
    let start = Instant::now();
    let mut calls = 0;
    while calls < 2 || start.elapsed() < budget {
        f();
        calls += 1;
    }
    start.elapsed() / calls
}

/// Waits for everything recorded so far on the GPU (a one-element readback
/// queued after it).
fn sync(gpu: &Gpu) {
    let probe = gpu.fill(1, 1.0);
    read_now(gpu, &probe);
}

#[test]
#[ignore = "a benchmark; run with --ignored --nocapture"]
fn matmul_gflops() {
    let Some(gpu) = gpu() else { return };
    eprintln!("{:>6} {:>12} {:>12}", "n", "GPU GFLOP/s", "CPU GFLOP/s");
    for n in [256, 512, 1024, 2048] {
        let mut r = rng(n as u64);
        let a = values(&mut r, n * n, -1.0, 1.0);
        let b = values(&mut r, n * n, -1.0, 1.0);
        let dims = MatMul {
            m: n,
            k: n,
            n,
            transpose_a: false,
            transpose_b: false,
        };
        let flop = 2.0 * (n as f64).powi(3);
        let budget = Duration::from_secs(2);

        let (ga, gb) = (gpu.upload(&a), gpu.upload(&b));
        // A batch of products per readback, as a training step records them.
        let batch = (1 << 28) / (n * n * n).max(1) + 1;
        let gpu_time = time_per_call(budget, || {
            for _ in 0..batch {
                let _ = gpu.matmul(&ga, &gb, dims);
            }
            sync(&gpu);
        }) / batch as u32;

        let mut out = vec![0.0; n * n];
        let cpu_time = time_per_call(budget, || kernels::gemm(dims, &a, &b, &mut out));
        eprintln!(
            "{n:>6} {:>12.1} {:>12.1}",
            flop / gpu_time.as_secs_f64() / 1e9,
            flop / cpu_time.as_secs_f64() / 1e9
        );
    }
}

/// Seconds per training step of the conv preset on batches of 100, reading
/// the loss back every `read_every` steps (as the lab's worker does).
fn step_time<B: Backend>(backend: B, read_every: usize) -> Duration {
    let batch = 100;
    let mut r = rng(1);
    let xs: Vec<f32> = (0..batch * 784).map(|_| r.random_range(0.0..1.0)).collect();
    let ys: Vec<f32> = (0..batch)
        .flat_map(|n| (0..10).map(move |k| if k == n % 10 { 1.0 } else { 0.0 }))
        .collect();
    let x = Tensor::from_slice(&backend, &xs, [batch, 784]).expect("images");
    let y = Tensor::from_slice(&backend, &ys, [batch, 10]).expect("targets");
    let conv = playnet_mnist::preset("conv").expect("the MNIST lab's conv preset");
    assert_eq!(conv.training.batch_size, batch);
    let mut net = Net::new(backend.clone(), conv.network, 10, 1).expect("the conv preset");
    let mut trainer = Trainer::new(conv.training, 2);
    time_per_call(Duration::from_secs(5), || {
        let mut loss = None;
        for _ in 0..read_every {
            loss = Some(trainer.step(&mut net, &x, &y).expect("a step").loss);
        }
        if let Some(loss) = loss {
            pollster::block_on(loss.to_vec(&backend)).expect("the loss");
        }
    }) / read_every as u32
}

#[test]
#[ignore = "a benchmark; run with --ignored --nocapture"]
fn conv_training_steps_per_second() {
    let Some(gpu) = gpu() else { return };
    let read_every = 10;
    let gpu_step = step_time(gpu, read_every);
    let cpu_step = step_time(Cpu, read_every);
    eprintln!(
        "MNIST conv preset, batch 100, loss read every {read_every} steps: \
         GPU {:.1} steps/s, CPU {:.1} steps/s",
        1.0 / gpu_step.as_secs_f64(),
        1.0 / cpu_step.as_secs_f64()
    );
}

/// The Playground's largest network: 10 hidden layers of 32 neurons on every
/// input feature (as `tests/tests/bench_playground.rs` opens it in the page).
fn largest_playground() -> PlaygroundConfig {
    PlaygroundConfig {
        features: Feature::ALL.to_vec(),
        network_shape: vec![32; 10],
        ..PlaygroundConfig::default()
    }
}

/// Seconds per epoch of the Playground's largest network, and per heatmap
/// pass (every neuron over a `density²` grid, read back as the page draws
/// it).
fn playground_times<B: Backend>(backend: B, density: usize) -> (Duration, Duration) {
    let config = largest_playground();
    let mut session = Session::new(backend.clone(), config.clone()).expect("the largest network");
    let sync = |session: &Session<B>| {
        let (_, first, _) = &session.model().parameters()[0];
        pollster::block_on(first.to_vec(&backend)).expect("a weight");
    };
    let epoch = time_per_call(Duration::from_secs(3), || {
        session.train_epoch().expect("an epoch");
        sync(&session);
    });
    let cell = 12.0 / density as f64;
    let points: Vec<Point> = (0..density * density)
        .map(|i| Point {
            x: -6.0 + ((i % density) as f64 + 0.5) * cell,
            y: 6.0 - ((i / density) as f64 + 0.5) * cell,
            label: 0.0,
        })
        .collect();
    let inputs = feature_matrix(&points, &config.features);
    let grid = Tensor::from_slice(&backend, &inputs, [points.len(), config.features.len()])
        .expect("the grid");
    let heatmaps = time_per_call(Duration::from_secs(3), || {
        for layer in session.model().predict_layers(&grid).expect("heatmaps") {
            pollster::block_on(layer.to_vec(&backend)).expect("a heatmap");
        }
    });
    (epoch, heatmaps)
}

#[test]
#[ignore = "a benchmark; run with --ignored --nocapture"]
fn playground_largest_network() {
    let Some(gpu) = gpu() else { return };
    for density in [25, 50] {
        let (gpu_epoch, gpu_maps) = playground_times(gpu.clone(), density);
        let (cpu_epoch, cpu_maps) = playground_times(Cpu, density);
        eprintln!(
            "Playground 10×32, every feature, batch 10, heatmaps {density}²: \
             GPU {:.1} epochs/s, {:.1} ms a heatmap pass; \
             CPU {:.1} epochs/s, {:.1} ms a heatmap pass",
            1.0 / gpu_epoch.as_secs_f64(),
            gpu_maps.as_secs_f64() * 1e3,
            1.0 / cpu_epoch.as_secs_f64(),
            cpu_maps.as_secs_f64() * 1e3,
        );
    }
}
