//! What the device does when things go wrong: every failure becomes an
//! `EngineError::Backend` with its cause on the next readback, never a panic,
//! so the app can fall back to the CPU. Each test opens its own device, since
//! a failure stays with the device it happened on.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use playnet_engine::{Backend, EngineError, ready};
use playnet_gpu::Gpu;

/// A device of its own, or `None` when the machine has no adapter.
fn fresh_gpu() -> Option<Gpu> {
    common::gpu()?;
    Some(pollster::block_on(Gpu::new()).expect("a second device on the same adapter"))
}

#[test]
fn a_lost_device_fails_readbacks_with_the_reason() {
    let Some(gpu) = fresh_gpu() else { return };
    let x = gpu.upload(&[1.0, 2.0]);
    assert_eq!(common::read_now(&gpu, &x), vec![1.0, 2.0]);
    assert!(gpu.health().is_ok());
    gpu.destroy();
    // Operations after the loss do not panic…
    let y = gpu.scale(&x, 2.0);
    let z = gpu.upload(&[3.0]);
    // …and every readback says what happened.
    for buffer in [&x, &y, &z] {
        let err = pollster::block_on(gpu.read(buffer)).expect_err("a lost device reads nothing");
        assert!(
            matches!(&err, EngineError::Backend(m) if m.contains("destroyed") || m.contains("lost")),
            "{err}"
        );
    }
    assert!(gpu.health().is_err());
}

#[test]
fn an_invalid_operation_is_reported_not_panicked() {
    let Some(gpu) = fresh_gpu() else { return };
    let x = gpu.upload(&[1.0; 6]);
    // Rows 5 and 6 of a 2×3 matrix do not exist.
    let bad = gpu.slice_rows(&x, 3, 5, 2);
    let err = pollster::block_on(gpu.read(&bad)).expect_err("an out-of-range copy");
    assert!(matches!(err, EngineError::Backend(_)), "{err}");
    assert!(err.to_string().contains("GPU error"), "{err}");
    // The failure stays: results computed after it may be wrong.
    let fine = gpu.upload(&[1.0]);
    assert!(pollster::block_on(gpu.read(&fine)).is_err());
}

#[test]
fn recycled_buffers_keep_pending_work_and_promised_zeros() {
    let Some(gpu) = common::gpu() else { return };
    let data: Vec<f32> = (0..1000).map(|i| i as f32).collect();
    let other: Vec<f32> = (0..1000).map(|i| -(i as f32)).collect();
    let a = gpu.upload(&data);
    // A pass that reads `a` is pending when `a` goes back to the pool…
    let doubled = gpu.scale(&a, 2.0);
    drop(a);
    // …and an upload and a kernel of the same size may take its memory.
    let uploaded = gpu.upload(&other);
    let tripled = gpu.scale(&doubled, 3.0);
    let expected: Vec<f32> = data.iter().map(|v| v * 2.0).collect();
    assert_eq!(common::read_now(&gpu, &doubled), expected);
    assert_eq!(common::read_now(&gpu, &uploaded), other);
    let expected: Vec<f32> = data.iter().map(|v| v * 6.0).collect();
    assert_eq!(common::read_now(&gpu, &tripled), expected);
    // Zeros are zeros even in memory that held something else.
    drop((doubled, tripled, uploaded));
    assert_eq!(
        common::read_now(&gpu, &gpu.fill(1000, 0.0)),
        vec![0.0; 1000]
    );
}

#[test]
fn native_readbacks_complete_in_one_poll() {
    // `playnet_engine::ready` polls once: natively the readback waits for
    // the device inside that poll, so synchronous callers can use it.
    let Some(gpu) = common::gpu() else { return };
    let x = gpu.upload(&[4.0, 5.0]);
    let y = gpu.scale(&x, 0.5);
    assert_eq!(
        ready(gpu.read(&y)).expect("ready at once").expect("read"),
        vec![2.0, 2.5]
    );
}

#[test]
fn the_backend_names_itself_and_its_adapter() {
    let Some(gpu) = common::gpu() else { return };
    assert_eq!(gpu.name(), "webgpu");
    assert!(!gpu.describe().is_empty());
    assert!(format!("{gpu:?}").contains(&gpu.adapter_info().name));
    // lavapipe (CI) is a CPU emulation; a real GPU is not.
    let lavapipe = gpu.adapter_info().name.contains("llvmpipe");
    assert!(!lavapipe || gpu.is_software());
}
