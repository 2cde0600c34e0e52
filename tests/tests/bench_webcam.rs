//! How fast the webcam page embeds a 224×224 frame with EfficientNet-Lite0 in
//! its worker (SIMD128 CPU kernels, as the page measures it: `embed-ms`,
//! `fps`), and, when TensorFlow.js is installed, the same network shape
//! (stem, 16 MBConv blocks with their residuals, head 1×1 to 1280, global
//! average pool, 1000-way classifier; batch norm folded into the
//! convolutions as ours is; random weights) predicting one frame on its
//! WebAssembly backend in the same browser.
//! A benchmark, not a test: it asserts nothing about speed and is
//! `#[ignore]`d so CI does not time it on a shared machine.
//!
//! ```sh
//! cargo xtask build --release
//! # optional, for the TensorFlow.js comparison (into a git-ignored folder):
//! npm install --prefix target/tfjs-bench @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
//! PLAYNET_DIST=$PWD/dist cargo test -p playnet-e2e --test bench_webcam -- --ignored --nocapture
//! ```

use std::time::Duration;

use playnet_e2e::{
    Browser, BrowserOptions, Error, Result, StaticServer, by_testid, dist_dir, open_webcam_samples,
    parse_decimal, tfjs,
};

/// Readings of the page's meters, one a second.
const READINGS: usize = 12;

/// EfficientNet-Lite0's shape in TensorFlow.js's layers API, timed in the
/// page: the median of `runs` single-frame predictions, each read back.
const TFJS_PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<script src="tf.min.js"></script>
<script src="tf-backend-wasm.min.js"></script>
<script>
window.bench = async (backend, runs) => {
  if (backend === 'wasm') tf.wasm.setWasmPaths(location.href.replace(/[^/]*$/, ''));
  if (!(await tf.setBackend(backend))) throw new Error('no backend ' + backend);
  await tf.ready();
  const relu6 = (x) => tf.layers.reLU({ maxValue: 6 }).apply(x);
  const conv = (x, filters, kernelSize, strides) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same' }).apply(x);
  const stages = [[1, 3, 1, 1, 16], [2, 3, 2, 6, 24], [2, 5, 2, 6, 40], [3, 3, 2, 6, 80],
                  [3, 5, 1, 6, 112], [4, 5, 2, 6, 192], [1, 3, 1, 6, 320]];
  const input = tf.input({ shape: [224, 224, 3] });
  let x = relu6(conv(input, 32, 3, 2));
  let channels = 32;
  for (const [repeats, kernelSize, firstStride, expand, out] of stages) {
    for (let r = 0; r < repeats; r++) {
      const strides = r === 0 ? firstStride : 1;
      let h = expand === 1 ? x : relu6(conv(x, channels * expand, 1, 1));
      h = relu6(tf.layers.depthwiseConv2d({ kernelSize, strides, padding: 'same' }).apply(h));
      h = conv(h, out, 1, 1);
      if (strides === 1 && channels === out) h = tf.layers.add().apply([h, x]);
      x = h;
      channels = out;
    }
  }
  const features = tf.layers.globalAveragePooling2d({}).apply(relu6(conv(x, 1280, 1, 1)));
  const logits = tf.layers.dense({ units: 1000 }).apply(features);
  const model = tf.model({ inputs: input, outputs: [features, logits] });
  const frame = tf.randomUniform([1, 224, 224, 3], -1, 1);
  const once = async () => {
    const outs = model.predict(frame);
    for (const o of outs) { await o.data(); o.dispose(); }
  };
  for (let i = 0; i < 2; i++) await once();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { backend: tf.getBackend(), params: model.countParams(), runs, medianMs: times[runs >> 1], times };
};
</script>
"#;

fn number(browser: &Browser, id: &str) -> Result<f64> {
    parse_decimal(&browser.text_of(&by_testid(id))?)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[test]
#[ignore = "a benchmark: run it on purpose, see the module docs"]
fn embedding_ms_in_the_page_and_in_tfjs() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default())?;
    open_webcam_samples(&browser, &server)?;
    std::thread::sleep(Duration::from_secs(3));
    let (mut ms, mut fps) = (Vec::new(), Vec::new());
    for _ in 0..READINGS {
        std::thread::sleep(Duration::from_secs(1));
        ms.push(number(&browser, "embed-ms")?);
        fps.push(number(&browser, "fps")?);
    }
    let backend = browser.text_of(&by_testid("backend"))?;
    let page_ms = median(ms.clone());
    println!(
        "Playnet page (worker, {backend}): {page_ms:.0} ms per embedding (median of {READINGS} \
         readings {ms:?}), {:.1} frames/s ({:.1} embeddings/s of compute)",
        median(fps),
        1000.0 / page_ms.max(1e-9)
    );
    let Some(site) = tfjs::site("webcam.html", TFJS_PAGE)? else {
        println!(
            "TensorFlow.js not installed (no comparison): {}",
            tfjs::INSTALL
        );
        return Ok(());
    };
    let tf_server = StaticServer::start(site)?;
    browser.goto(&tf_server.url("/webcam.html"))?;
    let result = browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         window.bench(arguments[0], arguments[1]).then(done, e => done({ error: String(e) }));",
        &["wasm".into(), 15.into()],
    )?;
    if let Some(e) = result.get("error") {
        return Err(Error::new(format!("TensorFlow.js: {e}")));
    }
    let tf_ms = result["medianMs"]
        .as_f64()
        .ok_or_else(|| Error::new(format!("TensorFlow.js gave {result}")))?;
    println!(
        "TensorFlow.js wasm: {tf_ms:.0} ms per prediction ({} parameters; {result}); \
         TensorFlow.js time / Playnet time = {:.2}",
        result["params"],
        tf_ms / page_ms.max(1e-9)
    );
    Ok(())
}
