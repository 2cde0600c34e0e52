//! Speed in the browser, for information (ignored by default): the backend
//! on the browser's WebGPU against the engine's SIMD128 CPU kernels in the
//! same dedicated worker. With the flags in `webdriver.json` the adapter is
//! SwiftShader, a CPU emulation, so this measures overheads, not a GPU.
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//! WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
//! WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/crates/gpu/webdriver.json WASM_BINDGEN_TEST_TIMEOUT=900 \
//! cargo test -p playnet-gpu --release --target wasm32-unknown-unknown --test web_bench \
//!   -- --include-ignored --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

mod common;

use playnet_engine::{Backend, Cpu, MatMul, Net, Tensor, Trainer, kernels};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// Milliseconds (worker clocks are coarse; the runs below last seconds).
fn now() -> f64 {
    js_sys::Date::now()
}

/// Training steps per second on batches of 100, the loss read once at the end.
async fn steps_per_second<B: Backend>(backend: B, steps: usize) -> f64 {
    let batch = 100;
    let xs: Vec<f32> = (0..batch * 784).map(|i| (i % 17) as f32 / 17.0).collect();
    let ys: Vec<f32> = (0..batch)
        .flat_map(|n| (0..10).map(move |k| if k == n % 10 { 1.0 } else { 0.0 }))
        .collect();
    let x = Tensor::from_slice(&backend, &xs, [batch, 784]).expect("images");
    let y = Tensor::from_slice(&backend, &ys, [batch, 10]).expect("targets");
    let conv = playnet_mnist::preset("conv").expect("the MNIST lab's conv preset");
    assert_eq!(conv.training.batch_size, batch);
    let mut net = Net::new(backend.clone(), conv.network, 10, 1).expect("the conv preset");
    let mut trainer = Trainer::new(conv.training, 2);
    let warm = trainer.step(&mut net, &x, &y).expect("a step");
    warm.loss.to_vec(&backend).await.expect("the loss");
    let start = now();
    let mut loss = warm.loss;
    for _ in 0..steps {
        loss = trainer.step(&mut net, &x, &y).expect("a step").loss;
    }
    loss.to_vec(&backend).await.expect("the loss");
    steps as f64 / ((now() - start) / 1000.0)
}

#[wasm_bindgen_test]
#[ignore = "a benchmark; run with --include-ignored --nocapture"]
async fn webgpu_against_simd128() {
    let Some(gpu) = common::gpu().await else {
        return;
    };
    for n in [256, 512, 1024] {
        let dims = MatMul {
            m: n,
            k: n,
            n,
            transpose_a: false,
            transpose_b: false,
        };
        let (a, b) = (vec![0.5; n * n], vec![0.25; n * n]);
        let (ga, gb) = (gpu.upload(&a), gpu.upload(&b));
        gpu.read(&gpu.matmul(&ga, &gb, dims))
            .await
            .expect("warm-up");
        let reps = 4;
        let start = now();
        for _ in 0..reps {
            let _ = gpu.matmul(&ga, &gb, dims);
        }
        gpu.read(&gpu.fill(1, 1.0)).await.expect("sync");
        let gpu_s = (now() - start) / 1000.0 / reps as f64;
        let mut out = vec![0.0; n * n];
        let start = now();
        for _ in 0..reps {
            kernels::gemm(dims, &a, &b, &mut out);
        }
        let cpu_s = (now() - start) / 1000.0 / reps as f64;
        let flop = 2.0 * (n as f64).powi(3);
        console_log!(
            "matmul {n}: WebGPU {:.2} GFLOP/s, SIMD128 CPU {:.2} GFLOP/s",
            flop / gpu_s / 1e9,
            flop / cpu_s / 1e9
        );
    }
    let on_gpu = steps_per_second(gpu.clone(), 5).await;
    let on_cpu = steps_per_second(Cpu, 20).await;
    console_log!(
        "MNIST conv preset, batch 100: WebGPU {on_gpu:.2} steps/s, SIMD128 CPU {on_cpu:.2} steps/s"
    );
}
