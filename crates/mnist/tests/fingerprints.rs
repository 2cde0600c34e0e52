//! Pinned fingerprints of short training runs of the MNIST presets on the
//! CPU: every batch loss and accuracy, the network's weights and moving
//! statistics after the run, and a 500-image test, bit for bit.
//!
//! They were taken on main before the engine's layer model was reshaped
//! (issue 11), so that a refactor that changes any number shows here. If one
//! changes on purpose (new maths, not new code), say why in the commit and pin
//! the new value the failure prints.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use playnet_data::{FINGERPRINT_START, Mnist, fingerprint_f32};
use playnet_engine::{Cpu, ready};
use playnet_mnist::{Lab, Setup, preset};

fn mnist() -> Arc<Mnist> {
    static DATA: OnceLock<Arc<Mnist>> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/mnist");
        Arc::new(Mnist::load_dir(&dir).expect("the MNIST files ship in assets/mnist"))
    })
    .clone()
}

/// Trains preset `id` for `steps` steps from seed 1 and fingerprints the run.
fn run(id: &str, steps: u32) -> u64 {
    let p = preset(id).expect("a preset");
    let mut lab = Lab::new(Cpu, mnist(), Setup::from(&p), 1).expect("a lab");
    let mut hash = FINGERPRINT_START;
    for _ in 0..steps {
        let s = ready(lab.step()).unwrap().expect("a finite step");
        hash = fingerprint_f32(hash, [s.loss, s.accuracy, s.learning_rate]);
    }
    let net = lab.net();
    for (_, tensor, _) in net.parameters() {
        hash = fingerprint_f32(hash, ready(tensor.to_vec(net.backend())).unwrap().unwrap());
    }
    for (_, tensor) in net.buffers() {
        hash = fingerprint_f32(hash, ready(tensor.to_vec(net.backend())).unwrap().unwrap());
    }
    let report = ready(lab.test(Some(500))).unwrap().expect("a test");
    fingerprint_f32(hash, [report.accuracy, report.loss])
}

fn check(id: &str, steps: u32, pinned: u64) {
    let got = run(id, steps);
    assert_eq!(
        got, pinned,
        "{id}, {steps} steps: fingerprint {got:#018x}, pinned {pinned:#018x}"
    );
}

#[test]
fn softmax_run_is_unchanged() {
    check("softmax", 40, 0xa7d5_af7d_c3ad_422e);
}

#[test]
fn relu5_dropout_run_is_unchanged() {
    check("relu5-dropout", 30, 0xa134_438c_1184_8648);
}

#[test]
fn conv_run_is_unchanged() {
    check("conv", 12, 0x826f_2350_dcef_bf3d);
}

#[test]
fn batchnorm_run_is_unchanged() {
    check("batchnorm", 6, 0x013b_270f_9e86_ad20);
}
