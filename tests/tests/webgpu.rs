//! The MNIST lab on WebGPU in headless Chromium: SwiftShader's WebGPU (a CPU
//! emulation, so slow: these tests train the softmax preset for a few hundred
//! steps at most), the automatic choice without it, moving a network between
//! backends, and carrying on on the CPU when the GPU device is lost.
//!
//! The page's contract, besides `tests/mnist.rs`'s: `backend-choice` is a
//! `<select>` (`auto`, `webgpu`, `cpu`); `backend` says what trains
//! (`webgpu`, `cpu-simd128`, `cpu-scalar`) and `backend-detail` the adapter
//! and why; `?backend=` in the hash picks the backend and `?lose-gpu-at=N`
//! destroys the GPU device at step `N`.
//!
//! Run through `cargo xtask test`, which builds the page into `dist/` first.

use std::time::Duration;

use playnet_e2e::lab::LabPage;
use playnet_e2e::{BrowserOptions, Error, Result, parse_count, wait_until};

/// Softmax passing the accuracy below, on SwiftShader on a loaded two-core
/// machine.
const TRAIN_TIMEOUT: Duration = Duration::from_secs(90);
/// Softmax passes 90% within a few hundred steps; 85% leaves room.
const TRAINED: f64 = 0.85;
/// Steps trained on SwiftShader, and the accuracy they reach (87% on the CPU).
const GPU_STEPS: u64 = 40;
const GPU_TRAINED: f64 = 0.8;

/// Waits for a test accuracy above `at_least` measured after step `after`.
fn wait_accuracy(page: &LabPage, at_least: f64, after: u64) -> Result<(f64, u64)> {
    let mut last = (0.0, 0);
    wait_until(
        TRAIN_TIMEOUT,
        &format!("a test accuracy over {at_least} after step {after}"),
        || {
            last = page.tested()?;
            Ok(last.0 > at_least && last.1 > after)
        },
    )
    .map_err(|e| {
        e.context(format!(
            "last test {last:?}, at step {:?}, {:?}",
            page.text("mnist-step").ok(),
            page.text("mnist-status").ok()
        ))
    })?;
    Ok(last)
}

/// Pauses and waits for the test at the step where training stopped.
fn pause_and_test(page: &LabPage) -> Result<(f64, u64)> {
    page.click("mnist-pause")?;
    page.wait_tested_now(Duration::from_secs(60))
}

#[test]
fn softmax_trains_on_swiftshader_webgpu_and_moves_between_backends() -> Result<()> {
    let page = LabPage::ready(
        "/mnist?preset=softmax&backend=webgpu",
        BrowserOptions::default().with_webgpu(),
    )?;
    page.wait_backend("webgpu", Duration::from_secs(5))?;
    assert_eq!(page.chosen_backend()?, "webgpu");
    let detail = page.text("backend-detail")?;
    assert!(
        detail.contains("CPU emulation"),
        "SwiftShader's adapter: {detail:?}"
    );
    let (before, _) = page.tested()?;
    assert_eq!(page.tested_by()?, "webgpu");

    // SwiftShader trains a few steps a second; softmax passes 85% by step 40.
    page.click("mnist-start")?;
    wait_until(TRAIN_TIMEOUT, "40 steps on the GPU", || {
        Ok(page.count("mnist-step")? >= GPU_STEPS)
    })?;
    let (on_gpu, paused_at) = pause_and_test(&page)?;
    println!("{detail}: {before} → {on_gpu} at step {paused_at}");
    assert_eq!(page.tested_by()?, "webgpu", "tested on the GPU");
    assert!(
        on_gpu > GPU_TRAINED,
        "{before} → {on_gpu} at step {paused_at}"
    );

    // Moving the network keeps its weights: the same test, the same
    // accuracy (within float tolerance: a handful of borderline digits).
    page.choose_backend("cpu")?;
    page.wait_backend("cpu-simd128", Duration::from_secs(10))?;
    wait_until(Duration::from_secs(30), "a test on the CPU", || {
        Ok(page.tested_by()? == "cpu-simd128")
    })?;
    let (on_cpu, step_on_cpu) = page.tested()?;
    println!("moved at step {paused_at}: GPU {on_gpu}, CPU {on_cpu}");
    assert_eq!(step_on_cpu, paused_at, "the step count survives the move");
    assert!(
        (on_cpu - on_gpu).abs() <= 0.002,
        "GPU {on_gpu} vs CPU {on_cpu} at step {paused_at}"
    );
    // …and training goes on from there.
    page.click("mnist-start")?;
    wait_accuracy(&page, TRAINED.max(on_cpu), paused_at)?;
    page.expect_no_errors()
}

#[test]
fn auto_without_webgpu_trains_on_the_cpu() -> Result<()> {
    // Chromium's default headless flags: no usable WebGPU adapter.
    let page = LabPage::ready("/mnist?preset=softmax", BrowserOptions::default())?;
    page.wait_backend("cpu-simd128", Duration::from_secs(5))?;
    assert_eq!(page.chosen_backend()?, "auto");
    let detail = page.text("backend-detail")?;
    assert!(detail.starts_with("CPU"), "{detail:?}");
    page.click("mnist-start")?;
    let (accuracy, step) = wait_accuracy(&page, TRAINED, 0)?;
    println!("{detail}: {accuracy} at step {step}");
    assert_eq!(page.text("backend")?, "cpu-simd128");
    page.expect_no_errors()
}

#[test]
fn a_lost_gpu_device_moves_training_to_the_cpu_with_the_weights() -> Result<()> {
    let page = LabPage::ready(
        "/mnist?preset=softmax&backend=webgpu&lose-gpu-at=20",
        BrowserOptions::default().with_webgpu(),
    )?;
    page.wait_backend("webgpu", Duration::from_secs(5))?;
    page.click("mnist-start")?;
    page.wait_backend("cpu-simd128", TRAIN_TIMEOUT)?;
    let status = page.text("mnist-status")?;
    let from = status
        .split("continued on the CPU from step ")
        .nth(1)
        .ok_or_else(|| Error::new(format!("the status does not say what happened: {status:?}")))
        .and_then(parse_count)?;
    assert!(status.contains("WebGPU failed"), "{status:?}");
    assert!(from <= 20, "the copy of the weights is from step {from}");
    assert!(
        page.text("backend-detail")?.contains("destroyed"),
        "{:?}",
        page.text("backend-detail")
    );
    // Training goes on on the CPU, and the accuracy keeps rising.
    let (accuracy, step) = wait_accuracy(&page, TRAINED, from)?;
    println!(
        "{status} {:?}; then {accuracy} at step {step}",
        page.text("backend-detail")
    );
    assert!(step > 20, "{accuracy} at step {step}");
    assert_eq!(page.text("backend")?, "cpu-simd128");
    page.expect_no_errors()
}
