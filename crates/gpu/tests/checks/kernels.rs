//! Every GPU kernel against the CPU reference, on random data and awkward
//! shapes (1×1, primes, sizes that are not multiples of any tile). Written
//! once, run natively (`tests/kernels.rs`, on Vulkan: Mesa's lavapipe in CI)
//! and in the browser (`tests/web.rs`, on WebGPU: SwiftShader in headless
//! Chromium).
//!
//! Tolerances, stated per check:
//! - bit-exact: copies, broadcasts, add/sub/mul, scale, fill, transpose,
//!   im2col/col2im, max-pool and its gradient, dropout masks;
//! - matmul: `1e-5·Σₚ|aᵢₚ·bₚⱼ| + 1e-6` (accumulation order and fused
//!   multiply-adds differ); a dense layer's fused bias and activation: that
//!   times the activation's steepest slope, plus the activations' tolerance;
//! - sums: `1e-5·Σ|x| + 1e-6` (the GPU sums in a tree);
//! - activations, ln, rsqrt, softmax, optimiser steps: a few 1e-6 absolute
//!   plus 1e-5 relative (WGSL's exp/log/tanh/sqrt are not correctly rounded;
//!   sine and cosine are the shader's own, since WGSL's may be off by 2⁻¹¹).

use super::super::common::*;
use playnet_engine::{
    Activation, Backend, BinaryOp, Columns, Cpu, Graph, MatMul, Optimizer, Padding, Regularization,
    Shape, Tensor, UnaryOp, UpdateStep, Window,
};
use playnet_gpu::Gpu;

pub async fn empty_and_filled_buffers(gpu: &Gpu) {
    assert_eq!(read(gpu, &gpu.upload(&[])).await, Vec::<f32>::new());
    assert_eq!(read(gpu, &gpu.fill(0, 3.0)).await, Vec::<f32>::new());
    assert_eq!(read(gpu, &gpu.fill(5, 0.0)).await, vec![0.0; 5]);
    assert_eq!(read(gpu, &gpu.fill(1000, -2.5)).await, vec![-2.5; 1000]);
    let data = values(&mut rng(1), 1023, -1.0, 1.0);
    assert_exact(&read(gpu, &gpu.upload(&data)).await, &data, "upload");
}

pub async fn matmul_matches_on_awkward_shapes_and_every_transpose(gpu: &Gpu) {
    let mut r = rng(2);
    let shapes = [
        (1, 1, 1),
        (1, 7, 1),
        (3, 1, 5),
        (7, 13, 5),
        (16, 16, 16),
        (64, 64, 64),
        (65, 17, 129),
        (2, 300, 3),
        (131, 67, 61),
        (100, 784, 10),
        (257, 3, 1),
        // Each tile shape (narrow, short, small) and products split along k.
        (50, 40, 12),
        (10, 30, 100),
        (33, 1000, 7),
        (5, 2000, 70),
        (25, 20_000, 4),
        (300, 600, 17),
        // Large enough for 128×128 tiles, and not a multiple of them.
        (700, 45, 900),
    ];
    for (m, k, n) in shapes {
        let a = values(&mut r, m * k, -1.0, 1.0);
        let b = values(&mut r, k * n, -1.0, 1.0);
        for (transpose_a, transpose_b) in
            [(false, false), (true, false), (false, true), (true, true)]
        {
            let dims = MatMul {
                m,
                k,
                n,
                transpose_a,
                transpose_b,
            };
            let cpu = host(&Cpu.matmul(&Cpu.upload(&a), &Cpu.upload(&b), dims));
            let abs_a: Vec<f32> = a.iter().map(|v| v.abs()).collect();
            let abs_b: Vec<f32> = b.iter().map(|v| v.abs()).collect();
            let magnitude = host(&Cpu.matmul(&Cpu.upload(&abs_a), &Cpu.upload(&abs_b), dims));
            let bound: Vec<f32> = magnitude.iter().map(|s| 1e-5 * s + 1e-6).collect();
            let out = gpu.matmul(&gpu.upload(&a), &gpu.upload(&b), dims);
            assert_within(&read(gpu, &out).await, &cpu, &bound, &format!("{dims:?}"));
        }
    }
}

pub async fn matmul_with_nothing_to_sum_is_zero(gpu: &Gpu) {
    let dims = MatMul {
        m: 3,
        k: 0,
        n: 2,
        transpose_a: false,
        transpose_b: false,
    };
    assert_eq!(
        read(gpu, &gpu.matmul(&gpu.upload(&[]), &gpu.upload(&[]), dims)).await,
        vec![0.0; 6]
    );
}

/// The fused product of a dense layer, `act(op(a)·op(b) + bias)`, against
/// the CPU's product, add and activation: within the product's bound times
/// the activation's steepest slope (1.2 for GELU and swish), plus the
/// activations' own tolerance. Every tile shape, edges, products split along
/// k (which the GPU leaves unfused) and k = 0 (the activated bias).
pub async fn dense_fuses_bias_and_activation(gpu: &Gpu) {
    let mut r = rng(20);
    let shapes = [
        (1, 1, 1),
        (3, 1, 5),
        (7, 13, 5),
        (2, 300, 3),
        (50, 40, 12),
        (10, 30, 100),
        (65, 17, 129),
        (131, 67, 61),
        (257, 3, 1),
        (100, 784, 10),
        (300, 600, 17),
        (700, 45, 900),
        (3, 0, 2),
    ];
    for (m, k, n) in shapes {
        let a = values(&mut r, m * k, -1.0, 1.0);
        let b = values(&mut r, k * n, -1.0, 1.0);
        let bias = values(&mut r, n, -1.0, 1.0);
        let transposes: &[(bool, bool)] = if m * n > 50_000 {
            &[(false, false)]
        } else {
            &[(false, false), (true, false), (false, true), (true, true)]
        };
        let (ga, gb, gbias) = (gpu.upload(&a), gpu.upload(&b), gpu.upload(&bias));
        for &(transpose_a, transpose_b) in transposes {
            let dims = MatMul {
                m,
                k,
                n,
                transpose_a,
                transpose_b,
            };
            let abs_a: Vec<f32> = a.iter().map(|v| v.abs()).collect();
            let abs_b: Vec<f32> = b.iter().map(|v| v.abs()).collect();
            let magnitude = host(&Cpu.matmul(&Cpu.upload(&abs_a), &Cpu.upload(&abs_b), dims));
            for act in Activation::ALL {
                let cpu = host(&Cpu.dense(
                    &Cpu.upload(&a),
                    &Cpu.upload(&b),
                    &Cpu.upload(&bias),
                    dims,
                    act,
                ));
                let bound: Vec<f32> = magnitude
                    .iter()
                    .zip(&cpu)
                    .map(|(s, y)| 1.2 * (1e-5 * s + 1e-6) + 2e-6 + 1e-5 * y.abs())
                    .collect();
                let out = gpu.dense(&ga, &gb, &gbias, dims, act);
                assert_within(
                    &read(gpu, &out).await,
                    &cpu,
                    &bound,
                    &format!("dense {act} {dims:?}"),
                );
            }
        }
    }
}

pub async fn binary_ops_broadcast_like_numpy(gpu: &Gpu) {
    let mut r = rng(3);
    let pairs: [(&[usize], &[usize]); 9] = [
        (&[7, 5], &[7, 5]),
        (&[7, 5], &[5]),
        (&[7, 5], &[7, 1]),
        (&[4, 3], &[]),
        (&[], &[4, 3]),
        (&[2, 1, 3], &[4, 1]),
        (&[1], &[5]),
        (&[2, 3, 4, 5], &[3, 1, 5]),
        (&[1, 1], &[1]),
    ];
    for (a_dims, b_dims) in pairs {
        let (a_shape, b_shape) = (Shape::new(a_dims), Shape::new(b_dims));
        let a = values(&mut r, a_shape.len(), -2.0, 2.0);
        let b = values(&mut r, b_shape.len(), -2.0, 2.0);
        for op in [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul] {
            let cpu = host(&Cpu.binary(op, &Cpu.upload(&a), &a_shape, &Cpu.upload(&b), &b_shape));
            let out = gpu.binary(op, &gpu.upload(&a), &a_shape, &gpu.upload(&b), &b_shape);
            assert_exact(
                &read(gpu, &out).await,
                &cpu,
                &format!("{op:?} {a_shape} {b_shape}"),
            );
        }
    }
    // The same buffer on both sides (batch norm squares its centred values).
    let x = gpu.upload(&[1.5, -2.0, 3.0]);
    let shape = Shape::new([3]);
    let squares = gpu.binary(BinaryOp::Mul, &x, &shape, &x, &shape);
    assert_eq!(read(gpu, &squares).await, vec![2.25, 4.0, 9.0]);
}

pub async fn sum_to_and_expand_are_adjoint_reshapings(gpu: &Gpu) {
    let mut r = rng(4);
    let cases: [(&[usize], &[usize]); 11] = [
        (&[6, 5], &[5]),
        (&[6, 5], &[6, 1]),
        (&[2, 3, 4, 5], &[5]),
        (&[2, 3, 4, 5], &[3, 1, 5]),
        (&[2, 3, 4, 5], &[]),
        (&[1, 1], &[1]),
        (&[7], &[7]),
        (&[1000, 3], &[3]),
        (&[100, 200], &[200]),
        (&[20_011], &[1]),
        (&[3, 9000], &[1, 9000]),
    ];
    for (x_dims, t_dims) in cases {
        let (x_shape, target) = (Shape::new(x_dims), Shape::new(t_dims));
        let x = values(&mut r, x_shape.len(), -1.0, 1.0);
        let cpu = host(&Cpu.sum_to(&Cpu.upload(&x), &x_shape, &target));
        let abs: Vec<f32> = x.iter().map(|v| v.abs()).collect();
        let magnitude = host(&Cpu.sum_to(&Cpu.upload(&abs), &x_shape, &target));
        let bound: Vec<f32> = magnitude.iter().map(|s| 1e-5 * s + 1e-6).collect();
        let out = gpu.sum_to(&gpu.upload(&x), &x_shape, &target);
        assert_within(
            &read(gpu, &out).await,
            &cpu,
            &bound,
            &format!("sum {x_shape} to {target}"),
        );

        let small = values(&mut r, target.len(), -1.0, 1.0);
        let cpu = host(&Cpu.expand(&Cpu.upload(&small), &target, &x_shape));
        let out = gpu.expand(&gpu.upload(&small), &target, &x_shape);
        assert_exact(
            &read(gpu, &out).await,
            &cpu,
            &format!("expand {target} to {x_shape}"),
        );
    }
}

fn unary_ops() -> Vec<UnaryOp> {
    let mut ops: Vec<UnaryOp> = Activation::ALL
        .into_iter()
        .map(UnaryOp::Activation)
        .collect();
    ops.extend([
        UnaryOp::Ln,
        UnaryOp::Rsqrt,
        UnaryOp::Exp,
        UnaryOp::Clamp { lo: -0.5, hi: 2.0 },
        UnaryOp::Clamp {
            lo: 0.0,
            hi: f32::INFINITY,
        },
    ]);
    ops
}

/// Random inputs plus the edges: zeros, tiny, large, the floors of ln/rsqrt.
fn unary_inputs() -> Vec<f32> {
    let mut x = values(&mut rng(5), 2001, -6.0, 6.0);
    x.extend([
        0.0,
        -0.0,
        1e-8,
        -1e-8,
        1e-3,
        -1e-3,
        0.5,
        1.0,
        -1.0,
        9.5,
        -9.5,
        20.0,
        -20.0,
        88.0,
        -88.0,
        100.0,
        -100.0,
        1e-7,
        1e-12,
        2e-12,
        1000.0,
        -1234.5,
        6.0,
        5.999,
        6.001,
        2.0,
        -0.5,
        std::f32::consts::PI,
        -std::f32::consts::FRAC_PI_2,
    ]);
    x
}

pub async fn every_unary_op_and_its_gradient(gpu: &Gpu) {
    let x = unary_inputs();
    let grad = values(&mut rng(6), x.len(), -2.0, 2.0);
    let (gx, gg) = (gpu.upload(&x), gpu.upload(&grad));
    for op in unary_ops() {
        let (abs, rel) = (2e-6, 1e-5);
        let cpu_y = Cpu.unary(op, &Cpu.upload(&x));
        let gpu_y = gpu.unary(op, &gx);
        assert_close(
            &read(gpu, &gpu_y).await,
            &host(&cpu_y),
            abs,
            rel,
            &format!("{op:?}"),
        );
        // The gradient from the same y on both sides, so that only the
        // derivative is compared.
        let cpu_d = Cpu.unary_backward(op, &Cpu.upload(&x), &cpu_y, &Cpu.upload(&grad));
        let gpu_d = gpu.unary_backward(op, &gx, &gpu.upload(&host(&cpu_y)), &gg);
        assert_close(
            &read(gpu, &gpu_d).await,
            &host(&cpu_d),
            2.0 * abs,
            rel,
            &format!("{op:?}'"),
        );
    }
}

pub async fn scale_and_slice_rows_are_exact(gpu: &Gpu) {
    let x = values(&mut rng(7), 7 * 13, -3.0, 3.0);
    for factor in [0.0, 1.0, -0.37, 1e-3] {
        let cpu = host(&Cpu.scale(&Cpu.upload(&x), factor));
        assert_exact(
            &read(gpu, &gpu.scale(&gpu.upload(&x), factor)).await,
            &cpu,
            "scale",
        );
    }
    let g = gpu.upload(&x);
    for (start, count) in [(0, 7), (3, 1), (6, 1), (2, 0), (1, 5)] {
        let cpu = host(&Cpu.slice_rows(&Cpu.upload(&x), 13, start, count));
        assert_exact(
            &read(gpu, &gpu.slice_rows(&g, 13, start, count)).await,
            &cpu,
            "slice_rows",
        );
    }
}

pub async fn transpose_is_exact(gpu: &Gpu) {
    let mut r = rng(8);
    for (rows, cols) in [
        (1, 1),
        (1, 100),
        (100, 1),
        (16, 16),
        (17, 33),
        (300, 7),
        (64, 129),
    ] {
        let x = values(&mut r, rows * cols, -1.0, 1.0);
        let cpu = host(&Cpu.transpose(&Cpu.upload(&x), rows, cols));
        let out = gpu.transpose(&gpu.upload(&x), rows, cols);
        assert_exact(&read(gpu, &out).await, &cpu, &format!("{rows}×{cols}"));
    }
}

pub async fn softmax_and_its_gradient(gpu: &Gpu) {
    let mut r = rng(9);
    for (rows, cols) in [(1, 1), (5, 10), (3, 100), (2, 1000), (70_000, 2)] {
        let x = values(&mut r, rows * cols, -8.0, 8.0);
        let grad = values(&mut r, rows * cols, -1.0, 1.0);
        for log in [false, true] {
            let cpu_y = Cpu.softmax(&Cpu.upload(&x), rows, cols, log);
            let gpu_y = gpu.softmax(&gpu.upload(&x), rows, cols, log);
            let what = format!("{rows}×{cols} log {log}");
            assert_close(&read(gpu, &gpu_y).await, &host(&cpu_y), 1e-6, 1e-5, &what);
            let cpu_d = Cpu.softmax_backward(&cpu_y, &Cpu.upload(&grad), rows, cols, log);
            let gpu_d = gpu.softmax_backward(
                &gpu.upload(&host(&cpu_y)),
                &gpu.upload(&grad),
                rows,
                cols,
                log,
            );
            let what = format!("{what} backward");
            assert_close(&read(gpu, &gpu_d).await, &host(&cpu_d), 1e-5, 1e-4, &what);
        }
    }
}

fn windows() -> Vec<Window> {
    let mut out = Vec::new();
    for (dims, kernel, stride, padding) in [
        ([1, 1, 1, 1], 1, 1, Padding::Same),
        ([2, 7, 5, 3], 3, 1, Padding::Same),
        ([2, 7, 5, 3], 4, 2, Padding::Same),
        ([2, 7, 5, 3], 2, 3, Padding::Valid),
        ([3, 11, 13, 1], 5, 1, Padding::Same),
        ([2, 28, 28, 4], 2, 2, Padding::Same),
        ([1, 9, 9, 2], 3, 2, Padding::Valid),
        ([2, 6, 6, 5], 1, 2, Padding::Same),
    ] {
        out.push(Window::new(dims, kernel, stride, padding).expect("a valid test window"));
    }
    out
}

pub async fn im2col_and_col2im_are_exact(gpu: &Gpu) {
    let mut r = rng(10);
    for w in windows() {
        let x = values(&mut r, w.input_len(), -1.0, 1.0);
        let cpu = host(&Cpu.im2col(&Cpu.upload(&x), &w));
        assert_exact(
            &read(gpu, &gpu.im2col(&gpu.upload(&x), &w)).await,
            &cpu,
            &format!("im2col {w:?}"),
        );
        let cols = values(&mut r, w.positions() * w.patch_len(), -1.0, 1.0);
        let cpu = host(&Cpu.col2im(&Cpu.upload(&cols), &w));
        assert_exact(
            &read(gpu, &gpu.col2im(&gpu.upload(&cols), &w)).await,
            &cpu,
            &format!("col2im {w:?}"),
        );
    }
}

/// `sum(w ⊙ pool(x))` on `backend`, and its gradient with respect to `x`.
async fn pooled<B: Backend>(
    backend: &B,
    x: &[f32],
    w: &[f32],
    window: Option<&Window>,
) -> [Vec<f32>; 2] {
    let mut g = Graph::new(backend.clone());
    let dims = [2, 7, 7, 3];
    let xv = g.param(&Tensor::from_slice(backend, x, dims).unwrap());
    let y = match window {
        Some(window) => g.avg_pool(xv, window).unwrap(),
        None => g.global_avg_pool(xv).unwrap(),
    };
    let shape = g.shape(y).clone();
    let wv = g.input(&Tensor::from_slice(backend, &w[..shape.len()], shape).unwrap());
    let weighted = g.mul(y, wv).unwrap();
    let loss = g.sum(weighted);
    let grads = g.backward(loss).unwrap();
    let y = backend.read(g.value(y)).await.unwrap();
    let dx = backend.read(grads.get(xv).unwrap()).await.unwrap();
    [y, dx]
}

pub async fn average_pools_and_their_gradients_follow_the_cpu(gpu: &Gpu) {
    let x = values(&mut rng(40), 2 * 7 * 7 * 3, -2.0, 2.0);
    let w = values(&mut rng(41), 2 * 7 * 7 * 3, -1.0, 1.0);
    let windows = [
        (3, 2, Padding::Same),
        (5, 1, Padding::Same),
        (2, 2, Padding::Valid),
    ]
    .map(|(k, s, p)| Some(Window::new([2, 7, 7, 3], k, s, p).unwrap()));
    for window in windows.iter().chain([&None]) {
        let cpu = pooled(&Cpu, &x, &w, window.as_ref()).await;
        let on_gpu = pooled(gpu, &x, &w, window.as_ref()).await;
        for (what, (g, c)) in ["pool", "gradient"].iter().zip(on_gpu.iter().zip(&cpu)) {
            assert_close(g, c, 1e-6, 1e-5, &format!("{what} {window:?}"));
        }
    }
}

pub async fn moved_columns_are_exact(gpu: &Gpu) {
    let x = values(&mut rng(90), 7 * 13, -3.0, 3.0);
    let (cx, gx) = (Cpu.upload(&x), gpu.upload(&x));
    for (from, width, out_cols, at) in [
        (0, 13, 13, 0),
        (3, 5, 5, 0),
        (12, 1, 1, 0),
        (0, 13, 20, 7),
        (4, 0, 3, 0),
    ] {
        let m = Columns {
            rows: 7,
            cols: 13,
            from,
            out_cols,
            at,
            width,
        };
        assert_exact(
            &read(gpu, &gpu.move_columns(&gx, m)).await,
            &host(&Cpu.move_columns(&cx, m)),
            &format!("{m:?}"),
        );
    }
}

pub async fn depthwise_conv_and_its_gradients_follow_the_cpu(gpu: &Gpu) {
    // EfficientNet's kernels and strides, awkward sizes and channel counts.
    for (dims, kernel, stride, padding) in [
        ([2, 7, 6, 5], 3, 1, Padding::Same),
        ([1, 8, 8, 3], 3, 2, Padding::Same),
        ([2, 9, 7, 4], 5, 2, Padding::Same),
        ([1, 6, 6, 17], 5, 1, Padding::Same),
        ([2, 7, 7, 2], 3, 2, Padding::Valid),
    ] {
        let w = Window::new(dims, kernel, stride, padding).unwrap();
        let mut r = rng(80);
        let x = values(&mut r, w.input_len(), -1.0, 1.0);
        let f = values(&mut r, kernel * kernel * w.channels, -1.0, 1.0);
        let grad = values(&mut r, w.positions() * w.channels, -1.0, 1.0);
        let (cx, cf, cg) = (Cpu.upload(&x), Cpu.upload(&f), Cpu.upload(&grad));
        let (gx, gf, gg) = (gpu.upload(&x), gpu.upload(&f), gpu.upload(&grad));
        let what = format!("{dims:?} k{kernel} s{stride} {padding:?}");
        assert_close(
            &read(gpu, &gpu.depthwise_conv(&gx, &gf, &w)).await,
            &host(&Cpu.depthwise_conv(&cx, &cf, &w)),
            1e-6,
            1e-5,
            &format!("depthwise {what}"),
        );
        assert_close(
            &read(gpu, &gpu.depthwise_conv_backward_input(&gg, &gf, &w)).await,
            &host(&Cpu.depthwise_conv_backward_input(&cg, &cf, &w)),
            1e-6,
            1e-5,
            &format!("depthwise dx {what}"),
        );
        assert_close(
            &read(gpu, &gpu.depthwise_conv_backward_filter(&gx, &gg, &w)).await,
            &host(&Cpu.depthwise_conv_backward_filter(&cx, &cg, &w)),
            1e-5,
            1e-5,
            &format!("depthwise dfilter {what}"),
        );
    }
}

/// Three LSTM steps and a mixture-density loss on `backend`: the final
/// `(h, c)`, the loss, and the loss's gradients with respect to the kernel
/// and the bias (through every step).
async fn sequence_loss<B: Backend>(backend: &B) -> Vec<Vec<f32>> {
    use playnet_engine::lstm::{FORGET_BIAS, Lstm};
    use playnet_engine::mdn::{MixtureVars, StrokeTargets, negative_log_likelihood};
    let (inputs, hidden, batch, m) = (5, 6, 2, 3);
    let r = |seed, len| values(&mut rng(seed), len, -0.5, 0.5);
    let lstm = Lstm::from_packed(
        backend,
        inputs,
        hidden,
        &r(50, inputs * 4 * hidden),
        &r(51, hidden * 4 * hidden),
        &r(52, 4 * hidden),
        FORGET_BIAS,
    )
    .unwrap();
    let mut g = Graph::new(backend.clone());
    let vars = lstm.record(&mut g, false);
    let zeros = Tensor::full(backend, 0.0, [batch, hidden]);
    let (mut h, mut c) = (g.input(&zeros), g.input(&zeros));
    for step in 0..3 {
        let x = g.input(
            &Tensor::from_slice(backend, &r(60 + step, batch * inputs), [batch, inputs]).unwrap(),
        );
        (h, c) = vars.step(&mut g, x, h, c).unwrap();
    }
    let mut part = |seed, width| {
        let w = g.input(
            &Tensor::from_slice(backend, &r(seed, hidden * width), [hidden, width]).unwrap(),
        );
        g.matmul(h, w).unwrap()
    };
    let mixture = MixtureVars {
        pen_logits: part(70, 3),
        pi_logits: part(71, m),
        mu_x: part(72, m),
        mu_y: part(73, m),
        log_sigma_x: part(74, m),
        log_sigma_y: part(75, m),
        rho_raw: part(76, m),
    };
    let mut data = |values: &[f32], width: usize| {
        g.input(&Tensor::from_slice(backend, values, [batch, width]).unwrap())
    };
    let targets = StrokeTargets {
        dx: data(&[0.3, -0.2], 1),
        dy: data(&[0.1, 0.4], 1),
        pen: data(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0], 3),
        mask: data(&[1.0, 1.0], 1),
    };
    let loss = negative_log_likelihood(&mut g, &mixture, &targets).unwrap();
    let grads = g.backward(loss).unwrap();
    let mut out = Vec::new();
    for v in [h, c, loss] {
        out.push(backend.read(g.value(v)).await.unwrap());
    }
    for v in [vars.kernel, vars.bias] {
        out.push(backend.read(grads.get(v).unwrap()).await.unwrap());
    }
    out
}

pub async fn lstm_steps_and_the_mixture_loss_follow_the_cpu(gpu: &Gpu) {
    let cpu = sequence_loss(&Cpu).await;
    let on_gpu = sequence_loss(gpu).await;
    let names = ["h", "c", "loss", "d kernel", "d bias"];
    for ((name, g), c) in names.iter().zip(&on_gpu).zip(&cpu) {
        assert_close(g, c, 1e-5, 1e-4, name);
    }
}

pub async fn max_pool_and_its_gradient_are_exact_with_ties(gpu: &Gpu) {
    let mut r = rng(11);
    for w in windows() {
        // Small integers: many windows hold their maximum twice, which tests
        // that the gradient goes to the first one only.
        for smooth in [true, false] {
            let x: Vec<f32> = if smooth {
                values(&mut r, w.input_len(), -1.0, 1.0)
            } else {
                values(&mut r, w.input_len(), -3.0, 3.0)
                    .iter()
                    .map(|v| v.round())
                    .collect()
            };
            let cpu_y = Cpu.max_pool(&Cpu.upload(&x), &w);
            let gpu_y = gpu.max_pool(&gpu.upload(&x), &w);
            assert_exact(
                &read(gpu, &gpu_y).await,
                &host(&cpu_y),
                &format!("max_pool {w:?}"),
            );
            let grad = values(&mut r, w.positions() * w.channels, -1.0, 1.0);
            let cpu = host(&Cpu.max_pool_backward(&Cpu.upload(&x), &cpu_y, &Cpu.upload(&grad), &w));
            let out = gpu.max_pool_backward(&gpu.upload(&x), &gpu_y, &gpu.upload(&grad), &w);
            assert_exact(
                &read(gpu, &out).await,
                &cpu,
                &format!("max_pool_backward {w:?}"),
            );
        }
    }
}

pub async fn dropout_masks_are_the_cpus_bit_for_bit(gpu: &Gpu) {
    for (len, keep, seed) in [
        (1, 0.5, 0),
        (1000, 0.75, 42),
        (4097, 0.1, 0xdead_beef_0123_4567),
        (333, 1.0, u64::MAX),
        (10, 1e-30, 7),
    ] {
        let cpu = host(&Cpu.dropout_mask(len, keep, seed));
        let out = gpu.dropout_mask(len, keep, seed);
        assert_exact(
            &read(gpu, &out).await,
            &cpu,
            &format!("{len} keep {keep} seed {seed}"),
        );
    }
}

pub async fn optimiser_steps_follow_the_cpu(gpu: &Gpu) {
    let mut r = rng(12);
    let len = 1031;
    let optimizers = [
        Optimizer::Sgd,
        Optimizer::MOMENTUM,
        Optimizer::ADAM,
        Optimizer::Adam {
            beta1: 0.5,
            beta2: 0.9,
            epsilon: 1e-4,
        },
    ];
    let penalties = [
        None,
        Some((Regularization::L1, 0.3)),
        Some((Regularization::L2, 0.3)),
    ];
    for optimizer in optimizers {
        for penalty in penalties {
            let mut p = values(&mut r, len, -1.0, 1.0);
            // Some weights at zero and close to it (L1's sign flips).
            p[..20].fill(0.0);
            p[20..40].iter_mut().for_each(|v| *v *= 1e-3);
            let mut cpu_p = Cpu.upload(&p);
            let mut gpu_p = gpu.upload(&p);
            let slots = optimizer.state_slots();
            let mut cpu_s: Vec<_> = (0..slots).map(|_| Cpu.fill(len, 0.0)).collect();
            let mut gpu_s: Vec<_> = (0..slots).map(|_| gpu.fill(len, 0.0)).collect();
            // A clone of the parameter elsewhere must not see the update.
            let kept = gpu_p.clone();
            for step in 1..=3 {
                let g = values(&mut r, len, -1.0, 1.0);
                let update = UpdateStep {
                    optimizer,
                    learning_rate: 0.05,
                    step,
                    penalty,
                };
                Cpu.update(&mut cpu_p, &Cpu.upload(&g), &mut cpu_s, &update);
                gpu.update(&mut gpu_p, &gpu.upload(&g), &mut gpu_s, &update);
                let what = format!("{optimizer:?} {penalty:?} step {step}");
                assert_close(&read(gpu, &gpu_p).await, &host(&cpu_p), 1e-6, 1e-5, &what);
                for (c, g) in cpu_s.iter().zip(&gpu_s) {
                    assert_close(
                        &read(gpu, g).await,
                        &host(c),
                        1e-7,
                        1e-5,
                        &format!("{what} state"),
                    );
                }
            }
            assert_exact(
                &read(gpu, &kept).await,
                &p,
                "a shared parameter is copied, not changed",
            );
        }
    }
}

pub async fn more_elements_than_one_grid_row_holds(gpu: &Gpu) {
    // 65535 workgroups × 256 threads is one grid row; go past it.
    let len = 65_535 * 256 + 1000;
    let x: Vec<f32> = (0..len).map(|i| (i % 1000) as f32 - 500.0).collect();
    let out = read(gpu, &gpu.scale(&gpu.upload(&x), 0.5)).await;
    assert_eq!(out.len(), len);
    assert!(
        out.iter().zip(&x).all(|(o, v)| *o == v * 0.5),
        "every element past the first grid row is computed"
    );
}
