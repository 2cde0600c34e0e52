//! Training on the shipped Omniglot strokes: a short run lowers the
//! held-out NLL, and the trained model samples finished drawings.

use std::path::PathBuf;
use std::sync::Arc;

use playnet_engine::{Cpu, ready};
use playnet_sketch::Sampler;
use playnet_sketch::dataset::StrokeData;
use playnet_sketch::train::{SketchTrainer, TrainSettings};

#[test]
fn a_short_run_on_omniglot_lowers_the_held_out_nll() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sketch-rnn/omniglot.strokes");
    let data = StrokeData::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    let settings = TrainSettings {
        hidden: 32,
        batch: 20,
        learning_rate: 5e-3,
        valid_sequences: 50,
        ..TrainSettings::default()
    };
    let (train, valid) = (data.split("train").unwrap(), data.split("valid").unwrap());
    let mut trainer = SketchTrainer::new(Cpu, "omniglot", settings, train, valid, 1).unwrap();
    // The README's figure: the train offsets' spread is 53.44 (ours leaves
    // out the few drawings longer than 100 points).
    assert!(
        (trainer.scale_factor() - 53.44).abs() < 0.5,
        "{}",
        trainer.scale_factor()
    );
    assert_eq!(trainer.sizes().1, 50);
    let before = ready(trainer.validate()).unwrap().unwrap();
    for _ in 0..25 {
        ready(trainer.step()).unwrap().unwrap();
    }
    let after = ready(trainer.validate()).unwrap().unwrap();
    assert!(after < before - 0.5, "held-out NLL {before} → {after}");
    // The model samples; every candidate ends within its length.
    let decoder = Arc::new(trainer.decoder().unwrap());
    let mut sampler = Sampler::from_nothing(decoder, 3, 0.25, 4).unwrap();
    sampler.finish_now().unwrap();
    for i in 0..4 {
        assert!(!sampler.points(i).is_empty() && sampler.points(i).len() <= 101);
    }
}
