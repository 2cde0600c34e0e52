//! Gradient checks: every graph op and loss against central finite differences.
//!
//! Each check builds a scalar from random inputs, asks [`Graph::backward`] for
//! the gradient of every input, and compares it with `(f(x+h) − f(x−h)) / 2h`
//! where the scalar is accumulated in f64. With h = 1e-2 in f32, truncation and
//! rounding errors stay near 1e-4, so a relative tolerance of 1e-2 still catches
//! any wrong factor, sign or transposition.

use rand::{Rng, SeedableRng};

use crate::{Activation, Cpu, Graph, Loss, Tensor, Var, ready};

const H: f32 = 1e-2;
const TOLERANCE: f64 = 1e-2;

/// Each of `values` as a parameter of `g`, shaped as the matching input.
fn params(g: &mut Graph<Cpu>, values: &[&[f32]], inputs: &[(Vec<f32>, Vec<usize>)]) -> Vec<Var> {
    values
        .iter()
        .zip(inputs)
        .map(|(v, (_, shape))| g.param(&Tensor::from_slice(&Cpu, v, shape.as_slice()).unwrap()))
        .collect()
}

/// The inputs' own values, for [`params`].
fn own_values(inputs: &[(Vec<f32>, Vec<usize>)]) -> Vec<&[f32]> {
    inputs.iter().map(|(v, _)| v.as_slice()).collect()
}

/// Checks the gradient of `build(inputs)` for every input tensor.
fn check(
    name: &str,
    inputs: &[(Vec<f32>, Vec<usize>)],
    build: impl Fn(&mut Graph<Cpu>, &[Var]) -> Var,
) {
    let eval = |values: &[Vec<f32>]| -> f64 {
        let mut g = Graph::new(Cpu);
        let values: Vec<&[f32]> = values.iter().map(Vec::as_slice).collect();
        let vars = params(&mut g, &values, inputs);
        let out = build(&mut g, &vars);
        let total = g.sum(out);
        ready(g.tensor(total).to_vec(&Cpu)).unwrap().unwrap()[0] as f64
    };
    let values: Vec<Vec<f32>> = inputs.iter().map(|(v, _)| v.clone()).collect();
    let mut g = Graph::new(Cpu);
    let vars = params(&mut g, &own_values(inputs), inputs);
    let out = build(&mut g, &vars);
    let total = g.sum(out);
    let grads = g.backward(total).unwrap();
    for (k, &var) in vars.iter().enumerate() {
        let analytic = grads
            .get(var)
            .map(|b| b.to_vec())
            .unwrap_or_else(|| vec![0.0; values[k].len()]);
        for i in 0..values[k].len() {
            let mut plus = values.clone();
            plus[k][i] += H;
            let mut minus = values.clone();
            minus[k][i] -= H;
            let numeric = (eval(&plus) - eval(&minus)) / (2.0 * H as f64);
            let a = analytic[i] as f64;
            assert!(
                (numeric - a).abs() <= TOLERANCE * (1.0 + numeric.abs().max(a.abs())),
                "{name}: input {k}, element {i}: numeric {numeric} vs analytic {a}"
            );
        }
    }
}

fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
    // Keep away from 0 so kinks (ReLU at 0) are never straddled.
    (0..len)
        .map(|_| {
            let v: f32 = rng.random_range(0.2..1.5);
            if rng.random::<bool>() { v } else { -v }
        })
        .collect()
}

fn input(shape: &[usize], seed: u64) -> (Vec<f32>, Vec<usize>) {
    (random(shape.iter().product(), seed), shape.to_vec())
}

#[test]
fn matmul() {
    check("matmul", &[input(&[3, 4], 1), input(&[4, 2], 2)], |g, v| {
        g.matmul(v[0], v[1]).unwrap()
    });
}

#[test]
fn broadcast_add_sub_mul() {
    let m = input(&[3, 4], 3);
    check("add row", &[m.clone(), input(&[4], 4)], |g, v| {
        g.add(v[0], v[1]).unwrap()
    });
    check("sub column", &[m.clone(), input(&[3, 1], 5)], |g, v| {
        g.sub(v[0], v[1]).unwrap()
    });
    check("mul scalar", &[m.clone(), input(&[], 6)], |g, v| {
        g.mul(v[0], v[1]).unwrap()
    });
    check("mul same", &[m.clone(), input(&[3, 4], 7)], |g, v| {
        g.mul(v[0], v[1]).unwrap()
    });
    // x·x: a value used twice must accumulate both gradients.
    check("square", &[m], |g, v| g.mul(v[0], v[0]).unwrap());
}

#[test]
fn reductions_scale_transpose_reshape() {
    let m = [input(&[3, 4], 8)];
    // Weighting by a fixed tensor makes each output element's gradient distinct.
    let weigh = |g: &mut Graph<Cpu>, x: Var| {
        let shape = g.shape(x).clone();
        let w = g.input(&Tensor::from_slice(&Cpu, &random(shape.len(), 99), shape).unwrap());
        g.mul(x, w).unwrap()
    };
    check("sum_to rows", &m, |g, v| {
        let s = g.sum_to(v[0], [4]).unwrap();
        weigh(g, s)
    });
    check("sum_to columns", &m, |g, v| {
        let s = g.sum_to(v[0], [3, 1]).unwrap();
        weigh(g, s)
    });
    check("mean", &m, |g, v| g.mean(v[0]));
    check("scale", &m, |g, v| {
        let s = g.scale(v[0], -2.5);
        weigh(g, s)
    });
    check("transpose", &m, |g, v| {
        let t = g.transpose(v[0]).unwrap();
        weigh(g, t)
    });
    check("reshape", &m, |g, v| {
        let r = g.reshape(v[0], [2, 6]).unwrap();
        weigh(g, r)
    });
}

#[test]
fn activations_and_ln() {
    for act in Activation::ALL {
        check(act.name(), &[input(&[2, 5], 10)], |g, v| {
            let a = g.activation(v[0], act);
            g.mul(a, a).unwrap()
        });
    }
    let positive: Vec<f32> = random(6, 11).iter().map(|v| v.abs()).collect();
    check("ln", &[(positive, vec![2, 3])], |g, v| g.ln(v[0]));
}

#[test]
fn relu6_on_both_sides_of_its_ceiling() {
    // Inputs from −7.5 to 7.5, none within H of 0 or 6.
    let wide: Vec<f32> = random(12, 31).iter().map(|v| v * 5.0).collect();
    assert!(wide.iter().any(|&v| v > 6.0) && wide.iter().any(|&v| (0.0..6.0).contains(&v)));
    assert!(wide.iter().all(|&v| (v.abs() - 6.0).abs() > 2.0 * H));
    check("relu6", &[(wide, vec![3, 4])], |g, v| {
        let a = g.activation(v[0], Activation::Relu6);
        g.mul(a, a).unwrap()
    });
}

#[test]
fn exp_and_clamp() {
    check("exp", &[input(&[2, 5], 32)], |g, v| {
        let e = g.exp(v[0]);
        g.mul(e, v[0]).unwrap()
    });
    // Bounds inside the inputs' range (±0.2…1.5) and away from every input,
    // so that both the clamped and the passing elements are checked.
    let (lo, hi) = (-0.9, 0.7);
    let x = input(&[3, 5], 33);
    assert!(
        x.0.iter()
            .all(|&v| (v - lo).abs() > 2.0 * H && (v - hi).abs() > 2.0 * H)
    );
    assert!(x.0.iter().any(|&v| v < lo) && x.0.iter().any(|&v| v > hi));
    check("clamp", &[x], |g, v| {
        let c = g.clamp(v[0], lo, hi).unwrap();
        g.mul(c, v[0]).unwrap()
    });
    let mut g = Graph::new(Cpu);
    let x = g.constant(1.0, [2]);
    assert!(g.clamp(x, 1.0, 0.0).is_err());
    assert!(g.clamp(x, f32::NAN, 1.0).is_err());
    assert!(g.clamp(x, f32::NEG_INFINITY, f32::INFINITY).is_ok());
}

#[test]
fn softmax_and_log_softmax() {
    let weigh = |g: &mut Graph<Cpu>, x: Var| {
        let w = g.input(&Tensor::from_slice(&Cpu, &random(12, 98), [3, 4]).unwrap());
        g.mul(x, w).unwrap()
    };
    check("softmax", &[input(&[3, 4], 12)], |g, v| {
        let s = g.softmax(v[0]).unwrap();
        weigh(g, s)
    });
    check("log_softmax", &[input(&[3, 4], 13)], |g, v| {
        let s = g.log_softmax(v[0]).unwrap();
        weigh(g, s)
    });
}

#[test]
fn losses() {
    let targets_pm1 = Tensor::from_slice(&Cpu, &[1., -1., -1., 1.], [4, 1]).unwrap();
    check("half squared error", &[input(&[4, 1], 14)], |g, v| {
        let t = g.input(&targets_pm1);
        Loss::HalfSquaredError.record(g, v[0], t).unwrap()
    });
    let onehot = Tensor::from_slice(&Cpu, &[0., 1., 0., 1., 0., 0.], [2, 3]).unwrap();
    check("softmax cross-entropy", &[input(&[2, 3], 15)], |g, v| {
        let t = g.input(&onehot);
        Loss::SoftmaxCrossEntropy.record(g, v[0], t).unwrap()
    });
    let probabilities: Vec<f32> = vec![0.2, 0.7, 0.55, 0.9];
    let targets01 = Tensor::from_slice(&Cpu, &[0., 1., 0., 1.], [4, 1]).unwrap();
    check(
        "binary cross-entropy",
        &[(probabilities, vec![4, 1])],
        |g, v| {
            let t = g.input(&targets01);
            Loss::BinaryCrossEntropy.record(g, v[0], t).unwrap()
        },
    );
}

#[test]
fn whole_mlp_forward_and_loss() {
    use crate::MlpConfig;
    let cfg = MlpConfig::uniform(
        3,
        &[4, 3],
        Activation::Tanh,
        2,
        Activation::Linear,
        Loss::SoftmaxCrossEntropy,
    );
    let model = cfg.build(Cpu, 2).unwrap();
    let params: Vec<(Vec<f32>, Vec<usize>)> = model
        .parameters()
        .iter()
        .map(|(_, t, _)| (t.buffer().to_vec(), t.shape().dims().to_vec()))
        .collect();
    let x = Tensor::from_slice(&Cpu, &random(15, 16), [5, 3]).unwrap();
    let y = Tensor::from_slice(&Cpu, &[1., 0., 0., 1., 0., 1., 1., 0., 1., 0.], [5, 2]).unwrap();
    check("mlp", &params, |g, v| {
        let mut h = g.input(&x);
        for (i, pair) in v.chunks(2).enumerate() {
            let z = g.matmul(h, pair[0]).unwrap();
            let z = g.add(z, pair[1]).unwrap();
            h = if i + 1 < v.len() / 2 {
                g.activation(z, Activation::Tanh)
            } else {
                z
            };
        }
        let t = g.input(&y);
        Loss::SoftmaxCrossEntropy.record(g, h, t).unwrap()
    });
}

/// A fixed random weighting, so that each output element's gradient differs.
fn weigh(g: &mut Graph<Cpu>, x: Var, seed: u64) -> Var {
    let shape = g.shape(x).clone();
    let w = g.input(&Tensor::from_slice(&Cpu, &random(shape.len(), seed), shape).unwrap());
    g.mul(x, w).unwrap()
}

#[test]
fn conv2d_same_and_valid_with_strides() {
    use crate::{Padding, Window};
    for (kernel, stride, padding) in [
        (3, 1, Padding::Same),
        (2, 2, Padding::Same),
        (3, 2, Padding::Valid),
        (4, 2, Padding::Same),
    ] {
        let window = Window::new([2, 5, 5, 2], kernel, stride, padding).unwrap();
        let name = format!("conv2d k{kernel} s{stride} {padding:?}");
        check(
            &name,
            &[
                input(&[2, 5, 5, 2], 20),
                input(&[kernel * kernel * 2, 3], 21),
            ],
            |g, v| {
                let y = g.conv2d(v[0], v[1], &window).unwrap();
                weigh(g, y, 22)
            },
        );
    }
}

#[test]
fn max_pool_routes_to_the_maximum() {
    use crate::{Padding, Window};
    use rand::seq::SliceRandom;
    // Distinct values 0.1 apart: a ±h nudge never changes which one is largest.
    let mut values: Vec<f32> = (0..2 * 5 * 5 * 3).map(|i| i as f32 * 0.1 - 7.0).collect();
    values.shuffle(&mut rand_pcg::Pcg64Mcg::seed_from_u64(23));
    for (kernel, stride, padding) in [(2, 2, Padding::Same), (3, 1, Padding::Valid)] {
        let window = Window::new([2, 5, 5, 3], kernel, stride, padding).unwrap();
        check(
            &format!("max_pool k{kernel} s{stride}"),
            &[(values.clone(), vec![2, 5, 5, 3])],
            |g, v| {
                let y = g.max_pool(v[0], &window).unwrap();
                weigh(g, y, 24)
            },
        );
    }
}

#[test]
fn depthwise_conv2d_same_and_valid_with_strides() {
    use crate::{Padding, Window};
    // EfficientNet's cases (kernels 3 and 5, strides 1 and 2, SAME, whose
    // stride-2 pad on an even size is asymmetric), and VALID.
    for (size, kernel, stride, padding) in [
        (5, 3, 1, Padding::Same),
        (6, 3, 2, Padding::Same),
        (7, 5, 2, Padding::Same),
        (6, 5, 1, Padding::Same),
        (6, 3, 2, Padding::Valid),
    ] {
        let window = Window::new([2, size, size, 3], kernel, stride, padding).unwrap();
        check(
            &format!("depthwise k{kernel} s{stride} {padding:?} on {size}×{size}"),
            &[
                input(&[2, size, size, 3], 44),
                input(&[kernel, kernel, 3], 45),
            ],
            |g, v| {
                let y = g.depthwise_conv2d(v[0], v[1], &window).unwrap();
                weigh(g, y, 46)
            },
        );
    }
}

#[test]
fn depthwise_conv2d_pads_as_tensorflow() {
    use crate::{Padding, Window};
    // 4×4 of ones, 3×3 stride 2 SAME: total pad 1, all of it at the bottom
    // and right, so the first window has 3×3 = 9 taps inside, the last 2×2.
    let mut g = Graph::new(Cpu);
    let x = g.input(&Tensor::full(&Cpu, 1.0, [1, 4, 4, 1]));
    let filter = g.input(&Tensor::full(&Cpu, 1.0, [3, 3, 1]));
    let window = Window::new([1, 4, 4, 1], 3, 2, Padding::Same).unwrap();
    assert_eq!((window.pad_top, window.pad_left, window.out_h), (0, 0, 2));
    let y = g.depthwise_conv2d(x, filter, &window).unwrap();
    let y = ready(g.tensor(y).to_vec(&Cpu)).unwrap().unwrap();
    assert_eq!(y, [9.0, 6.0, 6.0, 4.0]);
    // Channels stay apart: channel 1's filter never sees channel 0.
    let two = g.input(&Tensor::from_slice(&Cpu, &[1.0, 10.0], [1, 1, 1, 2]).unwrap());
    let taps = g.input(&Tensor::from_slice(&Cpu, &[2.0, 3.0], [1, 1, 2]).unwrap());
    let window = Window::new([1, 1, 1, 2], 1, 1, Padding::Same).unwrap();
    let y = g.depthwise_conv2d(two, taps, &window).unwrap();
    assert_eq!(
        ready(g.tensor(y).to_vec(&Cpu)).unwrap().unwrap(),
        [2.0, 30.0]
    );
    let wrong = g.input(&Tensor::full(&Cpu, 1.0, [3, 3, 2]));
    assert!(g.depthwise_conv2d(two, wrong, &window).is_err());
}

#[test]
fn average_pools() {
    use crate::{Padding, Window};
    // Stride 2 over an odd size: TensorFlow's SAME pads at the bottom/right
    // only, and those windows average fewer taps.
    for (kernel, stride, padding) in [
        (3, 2, Padding::Same),
        (2, 2, Padding::Same),
        (3, 1, Padding::Valid),
    ] {
        let window = Window::new([2, 5, 5, 3], kernel, stride, padding).unwrap();
        check(
            &format!("avg_pool k{kernel} s{stride} {padding:?}"),
            &[input(&[2, 5, 5, 3], 40)],
            |g, v| {
                let y = g.avg_pool(v[0], &window).unwrap();
                weigh(g, y, 41)
            },
        );
    }
    check("global_avg_pool", &[input(&[2, 3, 4, 5], 42)], |g, v| {
        let y = g.global_avg_pool(v[0]).unwrap();
        weigh(g, y, 43)
    });
}

#[test]
fn average_pools_are_means_of_the_taps_inside() {
    use crate::{Padding, Window};
    // One 3×3 channel, 0…8: a 2×2 stride-2 SAME pool has windows of 4, 2,
    // 2 and 1 pixels.
    let x: Vec<f32> = (0..9).map(|v| v as f32).collect();
    let mut g = Graph::new(Cpu);
    let v = g.input(&Tensor::from_slice(&Cpu, &x, [1, 3, 3, 1]).unwrap());
    let window = Window::new([1, 3, 3, 1], 2, 2, Padding::Same).unwrap();
    let y = g.avg_pool(v, &window).unwrap();
    assert_eq!(g.shape(y).dims(), [1, 2, 2, 1]);
    let y = ready(g.tensor(y).to_vec(&Cpu)).unwrap().unwrap();
    assert_eq!(y, [2.0, 3.5, 6.5, 8.0]);
    let mean = g.global_avg_pool(v).unwrap();
    assert_eq!(g.shape(mean).dims(), [1, 1]);
    assert_eq!(ready(g.tensor(mean).to_vec(&Cpu)).unwrap().unwrap(), [4.0]);
    let flat = g.reshape(v, [9]).unwrap();
    assert!(g.global_avg_pool(flat).is_err());
}

#[test]
fn rsqrt_and_dropout() {
    let positive: Vec<f32> = random(6, 25).iter().map(|v| v.abs()).collect();
    check("rsqrt", &[(positive, vec![2, 3])], |g, v| {
        let y = g.rsqrt(v[0]);
        weigh(g, y, 26)
    });
    check("dropout", &[input(&[4, 6], 27)], |g, v| {
        let y = g.dropout(v[0], 0.6, 28).unwrap();
        weigh(g, y, 29)
    });
}

#[test]
fn dropout_keeps_about_the_fraction_asked_and_scales() {
    let mut g = Graph::new(Cpu);
    let ones = g.constant(1.0, [100, 100]);
    let y = g.dropout(ones, 0.75, 7).unwrap();
    let values = g.tensor(y).buffer().to_vec();
    let kept = values.iter().filter(|&&v| v > 0.0).count() as f32 / 10_000.0;
    assert!((kept - 0.75).abs() < 0.02, "kept {kept}");
    assert!(
        values
            .iter()
            .all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-6)
    );
    // Another seed, another mask; the same seed, the same mask.
    let other = g.dropout(ones, 0.75, 8).unwrap();
    assert_ne!(g.tensor(other).buffer().to_vec(), values);
    let again = g.dropout(ones, 0.75, 7).unwrap();
    assert_eq!(g.tensor(again).buffer().to_vec(), values);
}

#[test]
fn dense_fused_for_every_activation() {
    // Pre-activations at least 0.5 from 0 (small inputs, biases beyond ±1.2),
    // so that no step straddles a kink.
    let small = |(v, shape): (Vec<f32>, Vec<usize>)| (v.iter().map(|x| 0.1 * x).collect(), shape);
    let far = |(v, shape): (Vec<f32>, Vec<usize>)| {
        let v = v.iter().map(|x| x + x.signum()).collect();
        (v, shape)
    };
    for act in Activation::ALL {
        let inputs = [
            small(input(&[4, 3], 40)),
            input(&[3, 5], 41),
            far(input(&[5], 42)),
        ];
        check(&format!("dense {act}"), &inputs, |g, v| {
            let y = g.dense(v[0], v[1], v[2], act).unwrap();
            weigh(g, y, 43)
        });
    }
    // A bias of shape [1, n], and 1×1.
    let inputs = [
        small(input(&[2, 3], 44)),
        input(&[3, 4], 45),
        far(input(&[1, 4], 46)),
    ];
    check("dense tanh, [1, n] bias", &inputs, |g, v| {
        let y = g.dense(v[0], v[1], v[2], Activation::Tanh).unwrap();
        weigh(g, y, 47)
    });
    let inputs = [input(&[1, 1], 48), input(&[1, 1], 49), input(&[1], 50)];
    check("dense 1×1 sigmoid", &inputs, |g, v| {
        g.dense(v[0], v[1], v[2], Activation::Sigmoid).unwrap()
    });
}

/// The values and gradients of every input, as bits, after `build` and a
/// weighted sum.
fn values_and_gradients(
    inputs: &[(Vec<f32>, Vec<usize>)],
    build: impl Fn(&mut Graph<Cpu>, &[Var]) -> Var,
) -> (Vec<u32>, Vec<Vec<u32>>) {
    let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
    let mut g = Graph::new(Cpu);
    let vars = params(&mut g, &own_values(inputs), inputs);
    let out = build(&mut g, &vars);
    let value = ready(g.tensor(out).to_vec(&Cpu)).unwrap().unwrap();
    let weighted = weigh(&mut g, out, 77);
    let total = g.sum(weighted);
    let grads = g.backward(total).unwrap();
    let grads = vars
        .iter()
        .map(|&v| bits(grads.get(v).expect("every input has a gradient").to_vec()))
        .collect();
    (bits(value), grads)
}

#[test]
fn dense_is_bit_identical_to_matmul_add_activation() {
    // Large enough for the SIMD kernels' blocked paths and their edges, with
    // values on both sides of every kink.
    for (m, k, n) in [(1, 1, 1), (7, 13, 5), (33, 70, 19)] {
        for act in Activation::ALL {
            let inputs = [input(&[m, k], 60), input(&[k, n], 61), input(&[n], 62)];
            let fused =
                values_and_gradients(&inputs, |g, v| g.dense(v[0], v[1], v[2], act).unwrap());
            let unfused = values_and_gradients(&inputs, |g, v| {
                let z = g.matmul(v[0], v[1]).unwrap();
                let z = g.add(z, v[2]).unwrap();
                g.activation(z, act)
            });
            assert!(fused == unfused, "dense {m}×{k}×{n} {act} differs");
        }
    }
}

#[test]
fn conv2d_dense_is_bit_identical_to_conv2d_add_activation() {
    use crate::{Padding, Window};
    let window = Window::new([2, 6, 5, 3], 3, 2, Padding::Same).unwrap();
    for act in Activation::ALL {
        let inputs = [
            input(&[2, 6, 5, 3], 63),
            input(&[27, 4], 64),
            input(&[4], 65),
        ];
        let fused = values_and_gradients(&inputs, |g, v| {
            g.conv2d_dense(v[0], v[1], v[2], &window, act).unwrap()
        });
        let unfused = values_and_gradients(&inputs, |g, v| {
            let z = g.conv2d(v[0], v[1], &window).unwrap();
            let z = g.add(z, v[2]).unwrap();
            g.activation(z, act)
        });
        assert!(fused == unfused, "conv2d_dense {act} differs");
    }
}

#[test]
fn dense_rejects_shapes_that_do_not_fit() {
    let mut g = Graph::new(Cpu);
    let x = g.param(&Tensor::from_slice(&Cpu, &[1.0; 6], [2, 3]).unwrap());
    let w = g.param(&Tensor::from_slice(&Cpu, &[1.0; 8], [4, 2]).unwrap());
    let b = g.param(&Tensor::from_slice(&Cpu, &[1.0; 2], [2]).unwrap());
    assert!(g.dense(x, w, b, Activation::Relu).is_err());
    let w = g.param(&Tensor::from_slice(&Cpu, &[1.0; 6], [3, 2]).unwrap());
    let wrong_bias = g.param(&Tensor::from_slice(&Cpu, &[1.0; 3], [3]).unwrap());
    assert!(g.dense(x, w, wrong_bias, Activation::Relu).is_err());
    assert!(g.dense(x, w, b, Activation::Relu).is_ok());
}

#[test]
fn gradients_of_params_come_in_order_and_a_missing_one_is_an_error() {
    let mut g = Graph::new(Cpu);
    let a = g.param(&Tensor::from_slice(&Cpu, &[1.0, 2.0], [2]).unwrap());
    let b = g.param(&Tensor::from_slice(&Cpu, &[3.0, 4.0], [2]).unwrap());
    let unused = g.param(&Tensor::from_slice(&Cpu, &[5.0], [1]).unwrap());
    let product = g.mul(a, b).unwrap();
    let total = g.sum(product);
    let grads = g.backward(total).unwrap();
    let got: Vec<Vec<f32>> = grads
        .of_params(&[b, a])
        .unwrap()
        .iter()
        .map(|buffer| buffer.to_vec())
        .collect();
    assert_eq!(got, [vec![1.0, 2.0], vec![3.0, 4.0]]);
    assert!(grads.of_params(&[a, unused]).is_err());
}

#[test]
fn lstm_unrolled_over_three_steps() {
    use crate::lstm::{FORGET_BIAS, LstmVars};
    // Three steps of x ([2, 3]), the kernel [3 + 4, 16], the bias [16], h₀, c₀.
    let mut inputs: Vec<(Vec<f32>, Vec<usize>)> = (0..3).map(|s| input(&[2, 3], 50 + s)).collect();
    inputs.push(input(&[7, 16], 60));
    inputs.push(input(&[16], 61));
    inputs.push(input(&[2, 4], 90));
    inputs.push(input(&[2, 4], 91));
    check("lstm", &inputs, |g, v| {
        let vars = LstmVars {
            kernel: v[3],
            bias: v[4],
            forget_bias: FORGET_BIAS,
        };
        let (mut h, mut c) = (v[5], v[6]);
        for &x in &v[..3] {
            (h, c) = vars.step(g, x, h, c).unwrap();
        }
        let hc = g.mul(h, c).unwrap();
        weigh(g, hc, 92)
    });
}

#[test]
fn lstm_stacks_its_kernels_and_advance_is_the_cells_formula() {
    use crate::lstm::{FORGET_BIAS, Lstm};
    let (inputs, hidden) = (3, 2);
    let w_x = random(inputs * 4 * hidden, 93);
    let w_h = random(hidden * 4 * hidden, 94);
    let b = random(4 * hidden, 95);
    let lstm = Lstm::from_packed(&Cpu, inputs, hidden, &w_x, &w_h, &b, FORGET_BIAS).unwrap();
    assert_eq!((lstm.inputs(), lstm.hidden()), (inputs, hidden));
    assert_eq!(lstm.kernel.buffer()[..w_x.len()], w_x[..]);
    assert_eq!(lstm.kernel.buffer()[w_x.len()..], w_h[..]);
    // Two steps by hand, with the packed layout, against `advance`.
    let sigmoid = |v: f32| 1.0 / (1.0 + (-v).exp());
    let (mut h, mut c) = (vec![0.0; hidden], vec![0.0; hidden]);
    let mut state = lstm.zero_state(&Cpu, 1);
    for x in [[0.3, -0.7, 1.1], [-0.2, 0.5, 0.9]] {
        state = lstm
            .advance(
                &Cpu,
                &Tensor::from_slice(&Cpu, &x, [1, inputs]).unwrap(),
                &state,
            )
            .unwrap();
        let pre = |col: usize| {
            b[col]
                + (0..inputs).map(|r| x[r] * w_x[r * 8 + col]).sum::<f32>()
                + (0..hidden).map(|r| h[r] * w_h[r * 8 + col]).sum::<f32>()
        };
        let gates: Vec<[f32; 4]> = (0..hidden)
            .map(|u| [pre(u), pre(2 + u), pre(4 + u), pre(6 + u)])
            .collect();
        for (u, [i, j, f, o]) in gates.into_iter().enumerate() {
            c[u] = c[u] * sigmoid(f + FORGET_BIAS) + sigmoid(i) * j.tanh();
            h[u] = c[u].tanh() * sigmoid(o);
        }
        for u in 0..hidden {
            assert!((state.c.buffer()[u] - c[u]).abs() < 1e-6, "c[{u}]");
            assert!((state.h.buffer()[u] - h[u]).abs() < 1e-6, "h[{u}]");
        }
    }
    assert_eq!(lstm.parameters().len(), 2);
    assert!(Lstm::from_packed(&Cpu, inputs, hidden, &w_x[1..], &w_h, &b, 1.0).is_err());
}

#[test]
fn mixture_density_negative_log_likelihood() {
    use crate::mdn::{MixtureVars, StrokeTargets, negative_log_likelihood};
    // Batch 2, three components: pen logits, then π, μx, μy, log σx, log σy, ρ.
    let mut inputs = vec![input(&[2, 3], 100)];
    for part in 0..6 {
        inputs.push(input(&[2, 3], 101 + part));
    }
    let dx = Tensor::from_slice(&Cpu, &[0.4, -0.6], [2, 1]).unwrap();
    let dy = Tensor::from_slice(&Cpu, &[-0.2, 0.9], [2, 1]).unwrap();
    let pen = Tensor::from_slice(&Cpu, &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0], [2, 3]).unwrap();
    let mask = Tensor::from_slice(&Cpu, &[1.0, 1.0], [2, 1]).unwrap();
    check("mixture density", &inputs, |g, v| {
        let m = MixtureVars {
            pen_logits: v[0],
            pi_logits: v[1],
            mu_x: v[2],
            mu_y: v[3],
            log_sigma_x: v[4],
            log_sigma_y: v[5],
            rho_raw: v[6],
        };
        let t = StrokeTargets {
            dx: g.input(&dx),
            dy: g.input(&dy),
            pen: g.input(&pen),
            mask: g.input(&mask),
        };
        negative_log_likelihood(g, &m, &t).unwrap()
    });
}

#[test]
fn mixture_density_loss_is_the_formula() {
    use crate::mdn::{MixtureVars, StrokeTargets, negative_log_likelihood};
    // One component, ρ = 0, σ = 1, μ = 0: N(dx, dy) = e^(−(dx²+dy²)/2) / 2π;
    // two pen states equally likely among three logits of 0.
    let mut g = Graph::new(Cpu);
    let zeros = |g: &mut Graph<Cpu>, n: usize| g.constant(0.0, [1, n]);
    let m = MixtureVars {
        pen_logits: zeros(&mut g, 3),
        pi_logits: zeros(&mut g, 1),
        mu_x: zeros(&mut g, 1),
        mu_y: zeros(&mut g, 1),
        log_sigma_x: zeros(&mut g, 1),
        log_sigma_y: zeros(&mut g, 1),
        rho_raw: zeros(&mut g, 1),
    };
    let t = StrokeTargets {
        dx: g.constant(0.6, [1, 1]),
        dy: g.constant(-0.8, [1, 1]),
        pen: g.input(&Tensor::from_slice(&Cpu, &[0.0, 1.0, 0.0], [1, 3]).unwrap()),
        mask: g.constant(1.0, [1, 1]),
    };
    let loss = negative_log_likelihood(&mut g, &m, &t).unwrap();
    let got = ready(g.tensor(loss).to_vec(&Cpu)).unwrap().unwrap()[0];
    let want = 0.5 + std::f32::consts::TAU.ln() + 3.0f32.ln();
    assert!((got - want).abs() < 1e-5, "{got} vs {want}");
}

/// Batch norm in inference after a layer, as `Net` computes it: per channel
/// `(y − mean)·rsqrt(var + eps)·gamma + beta`, then ReLU6.
fn batch_norm_eval(g: &mut Graph<Cpu>, y: Var, stats: &[Vec<f32>; 4], eps: f32) -> Var {
    let channels = stats[0].len();
    let shape = g.shape(y).clone();
    let flat = g.reshape(y, [shape.len() / channels, channels]).unwrap();
    let [gamma, beta, mean, var] = stats
        .each_ref()
        .map(|v| g.input(&Tensor::from_slice(&Cpu, v, [channels]).unwrap()));
    let centred = g.sub(flat, mean).unwrap();
    let eps = g.constant(eps, [channels]);
    let shifted = g.add(var, eps).unwrap();
    let inv = g.rsqrt(shifted);
    let normal = g.mul(centred, inv).unwrap();
    let scaled = g.mul(normal, gamma).unwrap();
    let out = g.add(scaled, beta).unwrap();
    let out = g.activation(out, Activation::Relu6);
    g.reshape(out, shape).unwrap()
}

#[test]
fn batch_norm_folds_into_convolutions() {
    use crate::fold::{BatchNormStats, fold_batch_norm};
    use crate::{Padding, Window};
    let (cin, cout, k) = (3, 4, 3);
    let window = Window::new([2, 6, 6, cin], k, 2, Padding::Same).unwrap();
    let x = random(window.input_len(), 110);
    // One dead channel (variance 0), as EfficientNet-Lite0 has.
    let stats = |seed: u64, channels: usize| -> [Vec<f32>; 4] {
        let mut var: Vec<f32> = random(channels, seed + 3).iter().map(|v| v * v).collect();
        var[0] = 0.0;
        [
            random(channels, seed),
            random(channels, seed + 1),
            random(channels, seed + 2),
            var,
        ]
    };
    let eps = 1e-3;
    let max_difference = |a: &[f32], b: &[f32]| {
        a.iter()
            .zip(b)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f32::max)
    };

    // A convolution without a bias, then batch norm.
    let w = random(k * k * cin * cout, 111);
    let bn = stats(112, cout);
    let mut g = Graph::new(Cpu);
    let xv = g.input(&Tensor::from_slice(&Cpu, &x, [2, 6, 6, cin]).unwrap());
    let wv = g.input(&Tensor::from_slice(&Cpu, &w, [k * k * cin, cout]).unwrap());
    let conv = g.conv2d(xv, wv, &window).unwrap();
    let reference = batch_norm_eval(&mut g, conv, &bn, eps);
    let [gamma, beta, mean, var] = &bn;
    let folded = BatchNormStats {
        gamma,
        beta,
        mean,
        var,
        epsilon: eps,
    };
    let (w2, b2) = fold_batch_norm(&w, None, &folded).unwrap();
    let wv2 = g.input(&Tensor::from_slice(&Cpu, &w2, [k * k * cin, cout]).unwrap());
    let bv2 = g.input(&Tensor::from_slice(&Cpu, &b2, [cout]).unwrap());
    let fused = g
        .conv2d_dense(xv, wv2, bv2, &window, Activation::Relu6)
        .unwrap();
    let (a, b) = (g.value(reference).to_vec(), g.value(fused).to_vec());
    assert!(
        max_difference(&a, &b) < 1e-5,
        "conv: {}",
        max_difference(&a, &b)
    );

    // A depthwise convolution with a bias, then batch norm.
    let window = Window::new([2, 6, 6, cin], 5, 1, Padding::Same).unwrap();
    let f = random(5 * 5 * cin, 113);
    let bias = random(cin, 114);
    let bn = stats(115, cin);
    let fv = g.input(&Tensor::from_slice(&Cpu, &f, [5, 5, cin]).unwrap());
    let bv = g.input(&Tensor::from_slice(&Cpu, &bias, [cin]).unwrap());
    let depthwise = g.depthwise_conv2d(xv, fv, &window).unwrap();
    let with_bias = g.add(depthwise, bv).unwrap();
    let reference = batch_norm_eval(&mut g, with_bias, &bn, eps);
    let [gamma, beta, mean, var] = &bn;
    let folded = BatchNormStats {
        gamma,
        beta,
        mean,
        var,
        epsilon: eps,
    };
    let (f2, b2) = fold_batch_norm(&f, Some(&bias), &folded).unwrap();
    let fv2 = g.input(&Tensor::from_slice(&Cpu, &f2, [5, 5, cin]).unwrap());
    let bv2 = g.input(&Tensor::from_slice(&Cpu, &b2, [cin]).unwrap());
    let depthwise = g.depthwise_conv2d(xv, fv2, &window).unwrap();
    let with_bias = g.add(depthwise, bv2).unwrap();
    let fused = g.activation(with_bias, Activation::Relu6);
    let (a, b) = (g.value(reference).to_vec(), g.value(fused).to_vec());
    assert!(
        max_difference(&a, &b) < 1e-5,
        "depthwise: {}",
        max_difference(&a, &b)
    );

    // Mismatched lengths and negative variances are refused.
    let short = BatchNormStats {
        gamma: &gamma[..2],
        ..folded
    };
    assert!(fold_batch_norm(&f, None, &short).is_err());
    assert!(fold_batch_norm(&f, Some(&bias[..1]), &folded).is_err());
    let negative = [-1.0; 3];
    let bad = BatchNormStats {
        var: &negative,
        ..folded
    };
    assert!(fold_batch_norm(&f, None, &bad).is_err());
}

#[test]
fn slices_and_concatenations_along_every_axis() {
    for axis in 0..3 {
        check(
            &format!("slice axis {axis}"),
            &[input(&[3, 4, 5], 120)],
            |g, v| {
                let y = g.slice(v[0], axis, 1, 2).unwrap();
                weigh(g, y, 121)
            },
        );
        let mut other = [3, 4, 5];
        other[axis] = 2;
        check(
            &format!("concat axis {axis}"),
            &[input(&[3, 4, 5], 122), input(&other, 123)],
            |g, v| {
                let y = g.concat(v[0], v[1], axis).unwrap();
                weigh(g, y, 124)
            },
        );
    }
}

#[test]
fn slices_and_concatenations_take_the_right_elements() {
    // A 2×3 matrix: 0 1 2 / 3 4 5.
    let mut g = Graph::new(Cpu);
    let x = g.input(&Tensor::from_slice(&Cpu, &[0., 1., 2., 3., 4., 5.], [2, 3]).unwrap());
    let values = |g: &Graph<Cpu>, v: Var| ready(g.tensor(v).to_vec(&Cpu)).unwrap().unwrap();
    let cols = g.slice(x, 1, 1, 2).unwrap();
    assert_eq!(g.shape(cols).dims(), [2, 2]);
    assert_eq!(values(&g, cols), [1., 2., 4., 5.]);
    let row = g.slice(x, 0, 1, 1).unwrap();
    assert_eq!(values(&g, row), [3., 4., 5.]);
    let wide = g.concat(x, cols, 1).unwrap();
    assert_eq!(g.shape(wide).dims(), [2, 5]);
    assert_eq!(values(&g, wide), [0., 1., 2., 1., 2., 3., 4., 5., 4., 5.]);
    let tall = g.concat(x, row, 0).unwrap();
    assert_eq!(values(&g, tall), [0., 1., 2., 3., 4., 5., 3., 4., 5.]);
    assert!(g.slice(x, 1, 2, 2).is_err());
    assert!(g.slice(x, 2, 0, 1).is_err());
    assert!(g.concat(x, cols, 0).is_err());
    assert!(g.slice(x, 1, usize::MAX, 2).is_err());
}
