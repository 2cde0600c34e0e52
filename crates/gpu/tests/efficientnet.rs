//! EfficientNet-Lite0 with the shipped weights (f16, as the webcam page
//! loads them) against the float64 reference for `chelsea`: on the CPU
//! kernels and on the GPU backend, natively (SSE, Vulkan) and in a browser's
//! dedicated worker (SIMD128, WebGPU on SwiftShader) — where the webcam
//! page embeds its frames. `playnet-models`' own tests check all three
//! images natively, with the `.pth`'s f32 weights as well.
//!
//! The reference is built into the binary (see `build.rs`); a clone without
//! `../shared/data` skips, saying so, unless built with
//! `PLAYNET_REQUIRE_SHARED=1`.

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[cfg(playnet_reference)]
mod reference {
    use playnet_engine::{Backend, Cpu};
    use playnet_models::efficientnet::shipped;
    use playnet_models::imagenet::top_k;
    use playnet_models::{EfficientNet, Images, Layout};

    /// The deviation f16 weights are allowed, as in `playnet-models`'
    /// `shipped` test (measured there: features 0.029, logits 0.034 over
    /// the three images).
    const F16_TOLERANCE: f32 = 0.05;

    static WEIGHTS: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/efficientnet-lite0/efficientnet-lite0.safetensors"
    ));
    static INPUT: &[u8] = include_bytes!(concat!(env!("PLAYNET_REFERENCE"), "/chelsea.input.f32"));
    static FEATURES: &[u8] =
        include_bytes!(concat!(env!("PLAYNET_REFERENCE"), "/chelsea.features.f32"));
    static LOGITS: &[u8] =
        include_bytes!(concat!(env!("PLAYNET_REFERENCE"), "/chelsea.logits.f32"));

    fn floats(bytes: &[u8]) -> Vec<f32> {
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len(), "lengths differ");
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    fn top5(logits: &[f32]) -> Vec<usize> {
        top_k(logits, 5).into_iter().map(|t| t.0).collect()
    }

    /// Runs chelsea's reference input through the shipped network on
    /// `backend` and checks features, logits and the top-5.
    pub async fn matches_the_reference<B: Backend>(backend: B, name: &str) {
        let tensors = shipped::read(WEIGHTS).expect("the shipped weights");
        let net = EfficientNet::from_folded(backend, &tensors).expect("the network");
        let input = floats(INPUT);
        let images = Images::new(&input, 1, 224, 224, Layout::Nchw).expect("the input");
        let out = net.forward_async(&images).await.expect("the forward pass");
        let (features, logits) = (floats(FEATURES), floats(LOGITS));
        let feature_error = max_abs_diff(&out.features, &features);
        let logit_error = max_abs_diff(&out.logits, &logits);
        let message = format!(
            "chelsea on {name}: max |Δ| features {feature_error:.4}, logits {logit_error:.4}"
        );
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen_test::console_log!("{message}");
        #[cfg(not(target_arch = "wasm32"))]
        println!("{message}");
        assert_eq!(
            top5(&out.logits),
            top5(&logits),
            "chelsea's top-5 changed on {name}"
        );
        assert!(
            feature_error < F16_TOLERANCE && logit_error < F16_TOLERANCE,
            "{message} (allowed {F16_TOLERANCE})"
        );
    }

    pub async fn on_the_cpu() {
        matches_the_reference(Cpu, "the CPU").await;
    }
}

#[cfg(not(playnet_reference))]
mod reference {
    fn skip() {
        assert!(
            option_env!("PLAYNET_REQUIRE_SHARED") != Some("1"),
            "no ../shared/data/efficientnet-lite0/reference beside the repository"
        );
        let message = "skipped: no shared reference data when this test was built";
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen_test::console_log!("{message}");
        #[cfg(not(target_arch = "wasm32"))]
        eprintln!("{message}");
    }

    pub async fn matches_the_reference<B>(_backend: B, _name: &str) {
        skip();
    }

    pub async fn on_the_cpu() {
        skip();
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn efficientnet_on_the_cpu_matches_the_reference() {
    pollster::block_on(reference::on_the_cpu());
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn efficientnet_on_the_cpu_matches_the_reference() {
    reference::on_the_cpu().await;
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn efficientnet_on_the_gpu_matches_the_reference() {
    if let Some(gpu) = common::gpu() {
        pollster::block_on(reference::matches_the_reference(gpu, "the GPU"));
    }
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn efficientnet_on_the_gpu_matches_the_reference() {
    if let Some(gpu) = common::gpu().await {
        reference::matches_the_reference(gpu, "WebGPU").await;
    }
}
