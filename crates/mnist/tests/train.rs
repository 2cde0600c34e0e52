//! A short native training run on the real MNIST files in `assets/mnist/`:
//! the conv preset must pass 95% test accuracy within 300 steps, as the
//! lecture's network does.

use std::path::PathBuf;
use std::sync::Arc;

use playnet_data::Mnist;
use playnet_engine::{Cpu, ready};
use playnet_mnist::{Lab, Setup, preset};

fn mnist() -> Arc<Mnist> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/mnist");
    Arc::new(Mnist::load_dir(&dir).expect("the MNIST files ship in assets/mnist"))
}

#[test]
fn conv_preset_passes_95_percent_in_300_steps() {
    let conv = preset("conv").expect("conv preset");
    let mut lab = Lab::new(Cpu, mnist(), Setup::from(&conv), 1).expect("a lab");
    for _ in 0..300 {
        ready(lab.step()).unwrap().expect("a finite step");
    }
    let report = ready(lab.test(None)).unwrap().expect("a test run");
    assert_eq!(report.count, 10_000);
    assert!(
        report.accuracy >= 0.95,
        "test accuracy after 300 steps: {}",
        report.accuracy
    );
}
