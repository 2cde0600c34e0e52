//! Speed of the CPU kernels, scalar against SIMD: `cargo bench -p playnet-engine --bench kernels`.
//!
//! GEMM throughput is declared as `2·m·n·k` elements, so criterion's "elem/s"
//! reads directly as FLOP/s (`Gelem/s` = GFLOP/s). Shapes: squares, and the
//! MNIST lab's dense layers (forward and weight gradient) and a 5×5 convolution
//! over a batch of 100 28×28 images as an im2col product.
//!
//! `depthwise conv` times the depthwise convolution on EfficientNet-Lite0's
//! shapes (batch 1), counted in bytes read and written (input, filter,
//! output once each), so that its figure compares with memory bandwidth.
//!
//! `conv forward` times a whole convolution (im2col then GEMM) for the conv
//! presets' layers, counted in the convolution's own FLOPs. `tanh` compares
//! libm's `tanhf` with the engine's own tanh, scalar and SIMD.
//!
//! Kept short (10 samples, one second each) so that it runs in a few minutes on
//! two cores; raise the times for careful comparisons.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use playnet_engine::kernels::{self, elementwise, gemm_scalar, gemm_simd, simd};
use playnet_engine::{Backend, Cpu, MatMul, Padding, Window};

/// (name, m, k, n, transpose_a, transpose_b)
const SHAPES: &[(&str, usize, usize, usize, bool, bool)] = &[
    ("square 64", 64, 64, 64, false, false),
    ("square 128", 128, 128, 128, false, false),
    ("square 256", 256, 256, 256, false, false),
    ("square 512", 512, 512, 512, false, false),
    ("mnist dense 784→200 fwd", 100, 784, 200, false, false),
    ("mnist dense 200→100 fwd", 100, 200, 100, false, false),
    ("mnist dense 784→200 dW (aᵀ·g)", 784, 100, 200, true, false),
    ("mnist dense 784→200 dX (g·Wᵀ)", 100, 200, 784, false, true),
    ("mnist conv5x5 im2col ×4", 78_400, 25, 4, false, false),
    ("mnist conv5x5 im2col ×8", 78_400, 25, 8, false, false),
];

/// Deterministic data in [-1, 1) without pulling a RNG into the bench.
fn data(len: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

fn bench_gemm(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("gemm ({})", simd::IMPLEMENTATION));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for &(name, m, k, n, transpose_a, transpose_b) in SHAPES {
        let dims = MatMul {
            m,
            k,
            n,
            transpose_a,
            transpose_b,
        };
        let a = data(m * k, 1);
        let b = data(k * n, 2);
        let mut out = vec![0.0; m * n];
        group.throughput(Throughput::Elements(2 * (m * n * k) as u64));
        group.bench_function(BenchmarkId::new("scalar", name), |bench| {
            bench.iter(|| gemm_scalar(dims, black_box(&a), black_box(&b), black_box(&mut out)))
        });
        group.bench_function(BenchmarkId::new("simd", name), |bench| {
            bench.iter(|| gemm_simd(dims, black_box(&a), black_box(&b), black_box(&mut out)))
        });
    }
    group.finish();
}

fn bench_elementwise(c: &mut Criterion) {
    let mut group = c.benchmark_group("elementwise add");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let len = 1 << 20;
    let a = data(len, 3);
    let b = data(len, 4);
    let mut out = vec![0.0; len];
    group.throughput(Throughput::Elements(len as u64));
    for (label, on) in [("scalar", false), ("simd", true)] {
        group.bench_function(BenchmarkId::new(label, len), |bench| {
            kernels::set_simd_enabled(on);
            bench.iter(|| elementwise::add(black_box(&a), black_box(&b), black_box(&mut out)))
        });
    }
    kernels::set_simd_enabled(true);
    group.finish();
}

/// The tanh activation over a layer's worth of values: libm's `tanhf` (what
/// the engine used before) against [`kernels::tanh`], one at a time and
/// four lanes at a time.
fn bench_tanh(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("tanh ({})", simd::IMPLEMENTATION));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let len = 1 << 16;
    let x: Vec<f32> = data(len, 7).iter().map(|v| 4.0 * v).collect();
    let mut out = vec![0.0; len];
    group.throughput(Throughput::Elements(len as u64));
    group.bench_function(BenchmarkId::new("libm tanhf", len), |bench| {
        bench.iter(|| {
            for (o, &v) in out.iter_mut().zip(black_box(&x)) {
                *o = libm::tanhf(v);
            }
        })
    });
    for (label, on) in [("scalar", false), ("simd", true)] {
        group.bench_function(BenchmarkId::new(label, len), |bench| {
            kernels::set_simd_enabled(on);
            bench.iter(|| kernels::tanh::tanh_slice(black_box(&x), black_box(&mut out)))
        });
    }
    kernels::set_simd_enabled(true);
    group.finish();
}

/// (name, [batch, h, w, c], kernel, stride, filters): the conv presets' layers.
const CONVS: &[(&str, [usize; 4], usize, usize, usize)] = &[
    ("conv 5×5/1 1→4 28²", [100, 28, 28, 1], 5, 1, 4),
    ("conv 4×4/2 4→8 28²", [100, 28, 28, 4], 4, 2, 8),
    ("conv 4×4/2 8→12 14²", [100, 14, 14, 8], 4, 2, 12),
    ("conv 5×5/2 6→12 28²", [100, 28, 28, 6], 5, 2, 12),
    ("conv 4×4/2 12→24 14²", [100, 14, 14, 12], 4, 2, 24),
];

/// A whole forward convolution as the CPU backend runs it: im2col, then GEMM.
/// Throughput counts the multiply-adds of the convolution itself (2 per tap).
fn bench_conv(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!(
        "conv forward, im2col + gemm ({})",
        simd::IMPLEMENTATION
    ));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for &(name, dims, kernel, stride, filters) in CONVS {
        let window = Window::new(dims, kernel, stride, Padding::Same).expect("a valid window");
        let x = Cpu.upload(&data(window.input_len(), 5));
        let w = Cpu.upload(&data(window.patch_len() * filters, 6));
        let mm = MatMul {
            m: window.positions(),
            k: window.patch_len(),
            n: filters,
            transpose_a: false,
            transpose_b: false,
        };
        group.throughput(Throughput::Elements(2 * (mm.m * mm.k * mm.n) as u64));
        for (label, on) in [("scalar", false), ("simd", true)] {
            group.bench_function(BenchmarkId::new(label, name), |bench| {
                kernels::set_simd_enabled(on);
                bench.iter(|| {
                    let cols = Cpu.im2col(black_box(&x), &window);
                    Cpu.matmul(&cols, black_box(&w), mm)
                })
            });
        }
        kernels::set_simd_enabled(true);
    }
    group.finish();
}

/// (name, [batch, height, width, channels], kernel, stride): EfficientNet-Lite0's.
const DEPTHWISE: &[(&str, [usize; 4], usize, usize)] = &[
    ("3×3/1 112²×32", [1, 112, 112, 32], 3, 1),
    ("5×5/1 112²×32", [1, 112, 112, 32], 5, 1),
    ("3×3/1 14²×480", [1, 14, 14, 480], 3, 1),
    ("5×5/1 14²×480", [1, 14, 14, 480], 5, 1),
    ("3×3/2 112²×96", [1, 112, 112, 96], 3, 2),
];

fn bench_depthwise(c: &mut Criterion) {
    let mut group = c.benchmark_group("depthwise conv forward (bytes moved)");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for &(name, dims, kernel, stride) in DEPTHWISE {
        let window = Window::new(dims, kernel, stride, Padding::Same).expect("a valid window");
        let x = Cpu.upload(&data(window.input_len(), 7));
        let f = Cpu.upload(&data(kernel * kernel * window.channels, 8));
        let moved = window.input_len()
            + kernel * kernel * window.channels
            + window.positions() * window.channels;
        group.throughput(Throughput::Bytes(4 * moved as u64));
        for (label, on) in [("scalar", false), ("simd", true)] {
            group.bench_function(BenchmarkId::new(label, name), |bench| {
                kernels::set_simd_enabled(on);
                bench.iter(|| Cpu.depthwise_conv(black_box(&x), black_box(&f), &window))
            });
        }
        kernels::set_simd_enabled(true);
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_depthwise,
    bench_gemm,
    bench_conv,
    bench_elementwise,
    bench_tanh
);
criterion_main!(benches);
