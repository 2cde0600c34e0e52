//! The SIMD kernels against their scalar twins, natively (SSE) and in the
//! browser (`cargo xtask test` runs this file in headless Chromium, where the
//! SIMD path is WebAssembly SIMD128), tanh four lanes at a time against one
//! at a time and against bits pinned natively, and a whole convolutional network's
//! training step computed both ways.

use playnet_engine::kernels::{self, gemm_scalar, gemm_simd};
use playnet_engine::{
    Activation, Cpu, Features, Init, Layer, Loss, MatMul, Net, NetConfig, Optimizer, Padding,
    Schedule, Tensor, TrainConfig, Trainer, ready,
};
use rand::{Rng, SeedableRng};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Held by every test that reads or flips the process-wide SIMD switch
/// (tests run in parallel natively).
static SIMD_SWITCH: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
    (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// ReLU6 and clamp four lanes at a time give the scalar comparisons' bits,
/// NaN, ±0 and infinities included.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn simd_clamp_matches_scalar_bit_for_bit() {
    let _switch = SIMD_SWITCH.lock().unwrap_or_else(|e| e.into_inner());
    assert!(kernels::simd_enabled(), "the SIMD path is the default");
    let mut x: Vec<f32> = random(103, 7).iter().map(|v| v * 9.0).collect();
    x[..6].copy_from_slice(&[f32::NAN, -0.0, 0.0, f32::INFINITY, f32::NEG_INFINITY, 6.0]);
    let mut out = vec![0.0; x.len()];
    kernels::elementwise::clamp(&x, 0.0, 6.0, &mut out);
    for (v, o) in x.iter().zip(&out) {
        let scalar = kernels::elementwise::clamp_one(*v, 0.0, 6.0);
        assert_eq!(o.to_bits(), scalar.to_bits(), "clamp({v})");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn simd_gemm_matches_scalar_on_awkward_shapes() {
    // The browser build must really be the SIMD128 one (.cargo/config.toml).
    #[cfg(target_arch = "wasm32")]
    assert!(cfg!(target_feature = "simd128"), "built without +simd128");
    let shapes = [
        (1, 1, 1),
        (7, 13, 5),
        (31, 17, 29),
        (64, 64, 64),
        (100, 25, 4),
        (3, 200, 9),
    ];
    for (i, &(m, k, n)) in shapes.iter().enumerate() {
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
            let a = random(m * k, i as u64);
            let b = random(k * n, 100 + i as u64);
            let mut fast = vec![f32::NAN; m * n];
            let mut slow = vec![f32::NAN; m * n];
            gemm_simd(dims, &a, &b, &mut fast);
            gemm_scalar(dims, &a, &b, &mut slow);
            for (f, s) in fast.iter().zip(&slow) {
                assert!(
                    (f - s).abs() <= 1e-5 * (k as f32).max(1.0),
                    "{dims:?}: {f} vs {s}"
                );
            }
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_conv_training_step_is_the_same_with_and_without_simd() {
    let _switch = SIMD_SWITCH.lock().unwrap_or_else(|e| e.into_inner());
    let config = NetConfig {
        input: Features::Image([12, 12, 1]),
        layers: vec![
            Layer::Conv {
                filters: 4,
                kernel: 5,
                stride: 1,
                padding: Padding::Same,
                activation: Activation::Relu,
            },
            // The depthwise kernels (forward and both gradients) and ReLU6's
            // clamp run four lanes at a time on the SIMD path.
            Layer::DepthwiseConv {
                kernel: 3,
                stride: 1,
                padding: Padding::Same,
                activation: Activation::Relu6,
            },
            Layer::Conv {
                filters: 6,
                kernel: 4,
                stride: 2,
                padding: Padding::Same,
                activation: Activation::Linear,
            },
            Layer::BatchNorm {
                activation: Activation::Relu,
            },
            Layer::Dense {
                units: 20,
                activation: Activation::Relu,
            },
            Layer::Dropout { keep: 0.75 },
            Layer::Dense {
                units: 10,
                activation: Activation::Linear,
            },
        ],
        init: Init::He,
        loss: Loss::SoftmaxCrossEntropy,
    };
    let x = Tensor::from_slice(&Cpu, &random(8 * 144, 7), [8, 144]).unwrap();
    let y: Vec<f32> = (0..80)
        .map(|i| if i % 10 == (i / 10) % 10 { 1.0 } else { 0.0 })
        .collect();
    let y = Tensor::from_slice(&Cpu, &y, [8, 10]).unwrap();
    let run = |simd: bool| {
        kernels::set_simd_enabled(simd);
        let mut net = Net::new(Cpu, config.clone(), 10, 3).unwrap();
        let mut trainer = Trainer::new(
            TrainConfig::new(Optimizer::ADAM, Schedule::Constant { rate: 0.01 }, 8),
            5,
        );
        let losses: Vec<f32> = (0..3)
            .map(|_| {
                ready(trainer.step(&mut net, &x, &y).unwrap().loss.to_vec(&Cpu))
                    .unwrap()
                    .unwrap()[0]
            })
            .collect();
        let p = ready(net.predict(&x).unwrap().to_vec(&Cpu))
            .unwrap()
            .unwrap();
        kernels::set_simd_enabled(true);
        (losses, p)
    };
    let (fast_losses, fast_p) = run(true);
    let (slow_losses, slow_p) = run(false);
    for (f, s) in fast_losses
        .iter()
        .zip(&slow_losses)
        .chain(fast_p.iter().zip(&slow_p))
    {
        assert!((f - s).abs() <= 1e-4 * (1.0 + s.abs()), "{f} vs {s}");
    }
    assert!(
        fast_losses[2] < fast_losses[0],
        "training lowers the loss: {fast_losses:?}"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn tanh_lanes_match_the_scalar_and_the_pinned_bits() {
    use kernels::tanh::{tanh, tanh4};
    let mut xs: Vec<f32> = random(4001, 9).iter().map(|v| 12.0 * v).collect();
    xs.extend([
        0.0,
        -0.0,
        1e-30,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        9.3,
        -10.0,
        88.0,
    ]);
    xs.truncate(xs.len() / 4 * 4);
    for chunk in xs.chunks_exact(4) {
        let lanes = tanh4(kernels::F32x4::load(chunk)).to_array();
        for (&x, y) in chunk.iter().zip(lanes) {
            assert_eq!(y.to_bits(), tanh(x).to_bits(), "tanh({x})");
        }
    }
    for simd in [false, true] {
        kernels::set_simd_enabled(simd);
        let mut out = vec![0.0; xs.len()];
        kernels::tanh::tanh_slice(&xs, &mut out);
        for (&x, y) in xs.iter().zip(out) {
            assert_eq!(y.to_bits(), tanh(x).to_bits(), "tanh({x}), simd {simd}");
        }
    }
    kernels::set_simd_enabled(true);
    // Computed natively: the browser must give the same bits.
    let pinned: [(f32, u32); 5] = [
        (0.5, 0x3eec_9a9f),
        (-1.75, 0xbf70_fdfd),
        (3.0, 0x3f7e_bbe8),
        (8.1, 0x3f7f_fffe),
        (1e-3, 0x3a83_126c),
    ];
    for (x, bits) in pinned {
        assert_eq!(tanh(x).to_bits(), bits, "tanh({x}) = {}", tanh(x));
    }
}
