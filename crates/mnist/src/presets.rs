//! The networks of Martin Görner's "TensorFlow and deep learning, without a
//! PhD", each with its optimiser, learning-rate schedule, step count and the
//! test accuracy the lecture reports.
//!
//! The lecture scales its cross-entropy by 100 (a sum over a batch of 100);
//! ours is the batch mean, so plain SGD's rate is 100× the lecture's 0.005.
//! Adam does not care about the loss's scale, so its rates are the lecture's.

use playnet_engine::{
    Activation, Features, Init, Layer, Loss, NetConfig, Optimizer, Padding, Schedule, TrainConfig,
};

use crate::{CLASSES, SIDE};

/// One row of the lecture's table.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    /// Short stable name used in URLs, tests and on the command line.
    pub id: &'static str,
    /// Name shown on the page.
    pub name: &'static str,
    /// One sentence on what this step of the lecture adds.
    pub summary: &'static str,
    /// Test accuracy the lecture reaches (a fraction).
    pub lecture_accuracy: f32,
    /// Training steps the lecture runs.
    pub steps: u32,
    pub network: NetConfig,
    pub training: TrainConfig,
}

/// Every preset id, in the lecture's order.
pub const PRESETS: [&str; 8] = [
    "softmax",
    "sigmoid5",
    "relu5",
    "relu5-decay",
    "relu5-dropout",
    "conv",
    "bigconv-dropout",
    "batchnorm",
];

/// The preset called `id`, if there is one.
pub fn preset(id: &str) -> Option<Preset> {
    let dense = |units, activation| Layer::Dense { units, activation };
    let conv = |filters, kernel, stride, activation| Layer::Conv {
        filters,
        kernel,
        stride,
        padding: Padding::Same,
        activation,
    };
    let logits = dense(CLASSES, Activation::Linear);
    let five = |activation, dropout: Option<f32>| {
        let mut layers = Vec::new();
        for units in [200, 100, 60, 30] {
            layers.push(dense(units, activation));
            if let Some(keep) = dropout {
                layers.push(Layer::Dropout { keep });
            }
        }
        layers.push(logits);
        layers
    };
    let adam = |schedule| TrainConfig::new(Optimizer::ADAM, schedule, 100);
    let decay = |max: f32, decay_steps: f32| Schedule::ExponentialDecay {
        max,
        min: 0.0001,
        decay_steps,
    };
    let relu = Activation::Relu;
    let net = |layers, init| NetConfig {
        input: Features::Image([SIDE, SIDE, 1]),
        layers,
        init,
        loss: Loss::SoftmaxCrossEntropy,
    };
    let p = match id {
        "softmax" => Preset {
            id: "softmax",
            name: "1 · Softmax",
            summary: "One dense layer: a weighted sum of pixels per digit, then softmax.",
            lecture_accuracy: 0.92,
            steps: 2000,
            network: net(vec![logits], Init::Zero),
            training: TrainConfig::new(Optimizer::Sgd, Schedule::Constant { rate: 0.5 }, 100),
        },
        "sigmoid5" => Preset {
            id: "sigmoid5",
            name: "2 · Five layers, sigmoid",
            summary: "Four hidden layers (200, 100, 60, 30) with sigmoid, trained with Adam.",
            lecture_accuracy: 0.979,
            steps: 10_000,
            network: net(five(Activation::Sigmoid, None), Init::Xavier),
            training: adam(Schedule::Constant { rate: 0.003 }),
        },
        "relu5" => Preset {
            id: "relu5",
            name: "3 · Five layers, ReLU",
            summary: "The same layers with ReLU: faster start, but a noisy test accuracy.",
            lecture_accuracy: 0.982,
            steps: 10_000,
            network: net(five(relu, None), Init::He),
            training: adam(Schedule::Constant { rate: 0.003 }),
        },
        "relu5-decay" => Preset {
            id: "relu5-decay",
            name: "4 · ReLU + learning-rate decay",
            summary: "lr = 0.0001 + 0.003·e^(−step/2000): the noise settles.",
            lecture_accuracy: 0.982,
            steps: 10_000,
            network: net(five(relu, None), Init::He),
            training: adam(decay(0.003, 2000.0)),
        },
        "relu5-dropout" => Preset {
            id: "relu5-dropout",
            name: "5 · + dropout",
            summary: "Dropout (keep 0.75) after each hidden layer keeps the test loss down.",
            lecture_accuracy: 0.982,
            steps: 10_000,
            network: net(five(relu, Some(0.75)), Init::He),
            training: adam(decay(0.003, 2000.0)),
        },
        "conv" => Preset {
            id: "conv",
            name: "6 · Convolutional",
            summary: "5×5 ×4, 4×4/2 ×8, 4×4/2 ×12 convolutions, dense 200, then 10.",
            lecture_accuracy: 0.989,
            steps: 10_000,
            network: net(
                vec![
                    conv(4, 5, 1, relu),
                    conv(8, 4, 2, relu),
                    conv(12, 4, 2, relu),
                    dense(200, relu),
                    logits,
                ],
                Init::He,
            ),
            training: adam(decay(0.003, 2000.0)),
        },
        "bigconv-dropout" => Preset {
            id: "bigconv-dropout",
            name: "7 · Bigger conv + dropout",
            summary: "6×6 ×6, 5×5/2 ×12, 4×4/2 ×24, dense 200 with dropout 0.75.",
            lecture_accuracy: 0.993,
            steps: 10_000,
            network: net(
                vec![
                    conv(6, 6, 1, relu),
                    conv(12, 5, 2, relu),
                    conv(24, 4, 2, relu),
                    dense(200, relu),
                    Layer::Dropout { keep: 0.75 },
                    logits,
                ],
                Init::He,
            ),
            training: adam(decay(0.003, 2000.0)),
        },
        "batchnorm" => {
            let bn = Layer::BatchNorm { activation: relu };
            let linear = Activation::Linear;
            Preset {
                id: "batchnorm",
                name: "8 · Batch norm",
                summary: "Conv 24/48/64 and dense 200, each batch-normalised; lr from 0.02.",
                lecture_accuracy: 0.995,
                steps: 10_000,
                network: net(
                    vec![
                        conv(24, 6, 1, linear),
                        bn,
                        conv(48, 5, 2, linear),
                        bn,
                        conv(64, 4, 2, linear),
                        bn,
                        dense(200, linear),
                        bn,
                        Layer::Dropout { keep: 0.75 },
                        logits,
                    ],
                    Init::He,
                ),
                training: adam(decay(0.02, 1600.0)),
            }
        }
        _ => return None,
    };
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_builds_and_ends_in_ten_logits() {
        for id in PRESETS {
            let p = preset(id).unwrap();
            assert_eq!(p.id, id);
            p.network.validate(CLASSES).unwrap();
            assert_eq!(p.training.batch_size, 100);
        }
        assert!(preset("resnet").is_none());
    }

    #[test]
    fn sizes_match_the_lecture() {
        // 784·10 + 10
        assert_eq!(
            preset("softmax")
                .unwrap()
                .network
                .parameter_count()
                .unwrap(),
            7850
        );
        // 784·200+200 + 200·100+100 + 100·60+60 + 60·30+30 + 30·10+10
        assert_eq!(
            preset("relu5").unwrap().network.parameter_count().unwrap(),
            157_000 + 20_100 + 6_060 + 1_830 + 310
        );
        // The conv net's last image is 7×7×12 = 588 values.
        let shapes = preset("conv").unwrap().network.shapes().unwrap();
        assert_eq!(shapes[3].len(), 588);
    }
}
