//! Whole training runs on the GPU and on the CPU from the same seed: the
//! losses must agree step by step.
//!
//! Tolerance: `1e-3` relative on every step's loss (and `1e-3` absolute on the
//! final probabilities). The kernels differ from the CPU's by a few units in
//! the last place (sums in another order, WGSL's exp and sqrt), and training
//! carries those differences forward, so bit-equality is not expected; a
//! kernel that is actually wrong moves the loss by far more within a step or
//! two.

use super::super::common::*;
use playnet_engine::{
    Activation, Backend, Cpu, Examples, Features, Init, Layer, Loss, MlpConfig, Net, NetConfig,
    Optimizer, Padding, Regularization, Schedule, Tensor, TrainConfig, Trainer, evaluate,
};
use playnet_gpu::Gpu;
use rand::Rng;

const CLASSES: usize = 3;

/// A small convnet with every layer kind: convolutions, batch norm, max-pool,
/// dense and dropout.
fn convnet() -> NetConfig {
    NetConfig {
        input: Features::Image([10, 10, 1]),
        layers: vec![
            Layer::Conv {
                filters: 4,
                kernel: 3,
                stride: 1,
                padding: Padding::Same,
                activation: Activation::Linear,
            },
            Layer::BatchNorm {
                activation: Activation::Relu,
            },
            Layer::MaxPool { size: 2, stride: 2 },
            Layer::Conv {
                filters: 6,
                kernel: 3,
                stride: 2,
                padding: Padding::Same,
                activation: Activation::Relu,
            },
            Layer::Dense {
                units: 16,
                activation: Activation::Relu,
            },
            Layer::Dropout { keep: 0.75 },
            Layer::Dense {
                units: CLASSES,
                activation: Activation::Linear,
            },
        ],
        init: Init::He,
        loss: Loss::SoftmaxCrossEntropy,
    }
}

/// Images whose class is the band (top, middle, bottom) holding a bright
/// stripe, with noise; one-hot targets.
fn images(count: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut r = rng(seed);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for n in 0..count {
        let class = n % CLASSES;
        for row in 0..10 {
            for _ in 0..10 {
                let stripe = row * CLASSES / 10 == class;
                xs.push(if stripe { 1.0 } else { 0.0 } + r.random_range(-0.3..0.3));
            }
        }
        ys.extend((0..CLASSES).map(|k| if k == class { 1.0 } else { 0.0 }));
    }
    (xs, ys)
}

/// Each step's loss, then the final evaluation-mode probabilities.
async fn train_convnet<B: Backend>(backend: B, steps: usize) -> (Vec<f32>, Vec<f32>) {
    let batch = 12;
    let (xs, ys) = images(batch * 4, 1);
    let mut net = Net::new(backend.clone(), convnet(), CLASSES, 7).expect("a valid net");
    let mut trainer = Trainer::new(
        TrainConfig::new(Optimizer::ADAM, Schedule::Constant { rate: 0.01 }, batch),
        11,
    );
    let mut losses = Vec::new();
    for step in 0..steps {
        let at = step % 4 * batch;
        let x = Tensor::from_slice(&backend, &xs[at * 100..(at + batch) * 100], [batch, 100])
            .expect("a batch of images");
        let y = Tensor::from_slice(
            &backend,
            &ys[at * CLASSES..(at + batch) * CLASSES],
            [batch, CLASSES],
        )
        .expect("a batch of targets");
        let out = trainer.step(&mut net, &x, &y).expect("a training step");
        let loss = out.loss.to_vec(&backend).await.expect("the loss");
        losses.push(loss[0]);
    }
    let x = Tensor::from_slice(&backend, &xs[..batch * 100], [batch, 100]).expect("images");
    let p = net.predict(&x).expect("a prediction");
    let p = p.to_vec(&backend).await.expect("the probabilities");
    (losses, p)
}

pub async fn a_convnet_with_batch_norm_and_dropout_trains_alike(gpu: &Gpu) {
    let steps = 24;
    let (cpu_losses, cpu_p) = train_convnet(Cpu, steps).await;
    let (gpu_losses, gpu_p) = train_convnet(gpu.clone(), steps).await;
    for (step, (g, c)) in gpu_losses.iter().zip(&cpu_losses).enumerate() {
        assert!(
            (g - c).abs() <= 1e-3 * c.abs(),
            "step {step}: GPU loss {g} vs CPU loss {c}"
        );
    }
    assert!(
        cpu_losses[steps - 1] < 0.5 * cpu_losses[0],
        "the net learns: {cpu_losses:?}"
    );
    assert_close(&gpu_p, &cpu_p, 1e-3, 0.0, "probabilities after training");
}

/// The Playground's MLP: tanh, squared error, SGD with an L2 penalty, the
/// last batch smaller than the others (row slices of the data).
async fn train_mlp<B: Backend>(backend: B, epochs: usize) -> Vec<f32> {
    let mut r = rng(3);
    let n = 50;
    let x: Vec<f32> = (0..2 * n).map(|_| r.random_range(-6.0..6.0)).collect();
    let y: Vec<f32> = x
        .chunks(2)
        .map(|p| if p[0] * p[1] > 0.0 { 1.0 } else { -1.0 })
        .collect();
    let data = Examples::new(&backend, &x, 2, &y, 1).expect("examples");
    let config = MlpConfig::uniform(
        2,
        &[8, 5],
        Activation::Tanh,
        1,
        Activation::Tanh,
        Loss::HalfSquaredError,
    );
    let mut model = config.build(backend, 5).expect("an MLP");
    let mut trainer = Trainer::new(
        TrainConfig {
            optimizer: Optimizer::Sgd,
            schedule: Schedule::Constant { rate: 0.03 },
            batch_size: 7,
            regularization: Some(Regularization::L2),
            regularization_rate: 0.001,
        },
        0,
    );
    let mut losses = Vec::new();
    for _ in 0..epochs {
        trainer.epoch(&mut model, &data).expect("an epoch");
        let eval = evaluate(&model, &data).await.expect("an evaluation");
        losses.push(eval.loss);
    }
    losses
}

pub async fn the_playground_mlp_trains_alike(gpu: &Gpu) {
    let cpu = train_mlp(Cpu, 15).await;
    let gpu = train_mlp(gpu.clone(), 15).await;
    for (epoch, (g, c)) in gpu.iter().zip(&cpu).enumerate() {
        assert!(
            (g - c).abs() <= 1e-3 * c.abs(),
            "epoch {epoch}: GPU loss {g} vs CPU loss {c}"
        );
    }
}
