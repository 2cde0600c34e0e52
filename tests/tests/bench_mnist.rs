//! How fast the MNIST lab trains the lecture's conv net (and its 5-layer ReLU
//! net) in headless Chromium,
//! with the SIMD128 kernels and with the scalar ones, as the page itself
//! measures it (`steps-per-second`, evaluation time left out); and, when
//! TensorFlow.js is installed, the same network (same layers, Adam, batch
//! 100) trained by TensorFlow.js's WebAssembly backend in the same browser.
//! A benchmark, not a test: it asserts nothing about speed and is
//! `#[ignore]`d so CI does not time it on a shared machine.
//!
//! A second benchmark trains the conv preset on WebGPU in the page's worker
//! (SwiftShader's WebGPU, a CPU emulation, without a GPU) and then on the
//! SIMD128 CPU kernels, in the same browser.
//!
//! ```sh
//! cargo xtask build --release
//! # optional, for the TensorFlow.js comparison (into a git-ignored folder):
//! npm install --prefix target/tfjs-bench @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
//! PLAYNET_DIST=$PWD/dist cargo test -p playnet-e2e --test bench_mnist -- --ignored --nocapture
//! # WebGPU vs SIMD128 only:
//! PLAYNET_DIST=$PWD/dist cargo test -p playnet-e2e --test bench_mnist -- --ignored --nocapture webgpu
//! ```

use std::time::{Duration, Instant};

use playnet_e2e::lab::LabPage;
use playnet_e2e::{Browser, BrowserOptions, Error, Result, StaticServer, tfjs, wait_until};

/// Readings of the page's steps/s meter (it updates about once a second).
const READINGS: usize = 8;

/// Trains with the kernels set to `simd`: the median of the page's steps/s
/// readings, and the steps counted over the same window.
fn page_steps_per_second(page: &LabPage, simd: bool) -> Result<(f64, f64)> {
    page.wait_tested_now(Duration::from_secs(120))?;
    let checked = page
        .browser
        .execute(
            "return document.querySelector('[data-testid=simd-toggle]').checked;",
            &[],
        )?
        .as_bool()
        .unwrap_or(true);
    if checked != simd {
        page.click("simd-toggle")?;
    }
    let want = if simd { "cpu-simd128" } else { "cpu-scalar" };
    page.wait_backend(want, Duration::from_secs(5))?;
    measure(page, want, Duration::from_secs(60))
}

/// Trains on whatever the page trains on now: the median of its steps/s
/// readings, and the steps counted over the same window; `warm_up` bounds
/// the wait for the first steps.
fn measure(page: &LabPage, label: &str, warm_up: Duration) -> Result<(f64, f64)> {
    let before = page.count("mnist-step")?;
    page.click("mnist-start")?;
    // Warm up past the meter's first reading.
    wait_until(warm_up, "training to start", || {
        Ok(page.count("mnist-step")? > before + 3)
    })?;
    std::thread::sleep(Duration::from_secs(2));
    let mut readings = Vec::new();
    let start_step = page.count("mnist-step")?;
    let started = Instant::now();
    for _ in 0..READINGS {
        std::thread::sleep(Duration::from_millis(1100));
        readings.push(page.number("steps-per-second")?);
    }
    let end_step = page.count("mnist-step")?;
    let window = (end_step - start_step) as f64 / started.elapsed().as_secs_f64();
    page.click("mnist-pause")?;
    readings.sort_by(f64::total_cmp);
    println!(
        "  {label:<12} steps/s readings {readings:?}; {} steps in {:.1}s (tests included)",
        end_step - start_step,
        started.elapsed().as_secs_f64()
    );
    Ok((readings[readings.len() / 2], window))
}

/// The same conv net in TensorFlow.js, timed in the page: Adam, batch 100,
/// the loss read back after every step (as the lab's worker does).
const TFJS_PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<script src="tf.min.js"></script>
<script src="tf-backend-wasm.min.js"></script>
<script>
window.bench = async (backend, net, seconds) => {
  if (backend === 'wasm') tf.wasm.setWasmPaths(location.href.replace(/[^/]*$/, ''));
  if (!(await tf.setBackend(backend))) throw new Error('no backend ' + backend);
  await tf.ready();
  const model = tf.sequential();
  if (net === 'conv') {
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 5, strides: 1, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.conv2d({ filters: 8, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.conv2d({ filters: 12, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.flatten());
  } else {
    model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
    for (const units of [200, 100, 60, 30]) model.add(tf.layers.dense({ units, activation: 'relu' }));
  }
  if (net === 'conv') model.add(tf.layers.dense({ units: 200, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10 }));
  const optimizer = tf.train.adam(0.003);
  const x = tf.randomUniform([100, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([100], 0, 10, 'int32'), 10).toFloat();
  const step = async () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
    await loss.data();
    loss.dispose();
  };
  for (let i = 0; i < 2; i++) await step();
  const t0 = performance.now();
  let steps = 0;
  while (steps < 3 || performance.now() - t0 < seconds * 1000) {
    await step();
    steps += 1;
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { backend: tf.getBackend(), net, steps, stepsPerSecond: steps / elapsed };
};
</script>
"#;

fn tfjs_steps_per_second(
    browser: &Browser,
    server: &StaticServer,
    backend: &str,
    net: &str,
) -> Result<f64> {
    browser.goto(&server.url("/mnist.html"))?;
    let result = browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         window.bench(arguments[0], arguments[1], arguments[2]).then(done, e => done({ error: String(e) }));",
        &[backend.into(), net.into(), 8.into()],
    )?;
    if let Some(e) = result.get("error") {
        return Err(Error::new(format!("{e}")));
    }
    println!("  tfjs {result}");
    result["stepsPerSecond"]
        .as_f64()
        .ok_or_else(|| Error::new(format!("TensorFlow.js gave {result}")))
}

/// The lab's presets measured, each with its TensorFlow.js twin.
const NETS: [(&str, &str); 2] = [
    (
        "conv",
        "conv (5×5×4, 4×4/2×8, 4×4/2×12, dense 200, 10; Adam; batch 100)",
    ),
    (
        "relu5",
        "5-layer ReLU (784→200→100→60→30→10; Adam; batch 100)",
    ),
];

#[test]
#[ignore = "a benchmark: run it on purpose, see the module docs"]
fn conv_preset_steps_per_second_simd_scalar_and_tfjs() -> Result<()> {
    let page = LabPage::open("/mnist", BrowserOptions::default())?;
    let site = tfjs::site("mnist.html", TFJS_PAGE)?;
    let tf_server = site.map(StaticServer::start).transpose()?;
    if tf_server.is_none() {
        println!(
            "TensorFlow.js not installed (no comparison): {}",
            tfjs::INSTALL
        );
    }
    for (preset, title) in NETS {
        println!("{title}:");
        page.browser
            .goto(&page.url(&format!("/#/mnist?preset={preset}")))?;
        page.browser
            .execute("location.reload(); return null;", &[])?;
        page.wait_ready()?;
        let (simd, simd_window) = page_steps_per_second(&page, true)?;
        let (scalar, scalar_window) = page_steps_per_second(&page, false)?;
        println!(
            "  Playnet page (worker): SIMD128 {simd:.1} steps/s, scalar {scalar:.1} steps/s, ×{:.2} \
             (counted over the window: {simd_window:.1} vs {scalar_window:.1})",
            simd / scalar.max(1e-9)
        );
        let Some(tf_server) = &tf_server else {
            continue;
        };
        for backend in ["wasm", "cpu"] {
            match tfjs_steps_per_second(&page.browser, tf_server, backend, preset) {
                Ok(tf) => println!(
                    "  TensorFlow.js {backend}: {tf:.1} steps/s; Playnet SIMD128 / TensorFlow.js {backend} = {:.2}",
                    simd / tf.max(1e-9)
                ),
                Err(e) => println!("  TensorFlow.js {backend}: cannot train this network: {e}"),
            }
        }
    }
    Ok(())
}

#[test]
#[ignore = "a benchmark: run it on purpose, see the module docs"]
fn conv_preset_steps_per_second_webgpu_and_simd() -> Result<()> {
    let page = LabPage::open(
        "/mnist?preset=conv&backend=webgpu",
        BrowserOptions::default().with_webgpu(),
    )?;
    wait_until(Duration::from_secs(180), "the MNIST data", || {
        Ok(page.phase()? == "ready")
    })?;
    println!(
        "conv (5×5×4, 4×4/2×8, 4×4/2×12, dense 200, 10; Adam; batch 100), on {}:",
        page.text("backend-detail")?
    );
    if page.text("backend")? != "webgpu" {
        return Err(Error::new(format!(
            "no WebGPU in this browser: {}",
            page.text("backend-detail")?
        )));
    }
    page.wait_tested_now(Duration::from_secs(300))?;
    let (gpu, gpu_window) = measure(&page, "webgpu", Duration::from_secs(120))?;
    // Moving drops the full test that pausing began on the GPU (minutes on
    // SwiftShader) and tests on the CPU instead.
    page.choose_backend("cpu")?;
    page.wait_backend("cpu-simd128", Duration::from_secs(60))?;
    page.wait_tested_now(Duration::from_secs(300))?;
    let (cpu, cpu_window) = measure(&page, "cpu-simd128", Duration::from_secs(60))?;
    println!(
        "  Playnet page (worker): WebGPU {gpu:.2} steps/s, SIMD128 CPU {cpu:.2} steps/s, \
         CPU/GPU ×{:.2} (counted over the window: {gpu_window:.2} vs {cpu_window:.2})",
        cpu / gpu.max(1e-9)
    );
    Ok(())
}
