//! The same strokes, seed and temperature give the same candidates natively
//! and in wasm32: the bird model's candidates, bit for bit, hashed and
//! pinned here (natively), must hash the same when this file runs as wasm
//! (`cargo xtask test` runs it in headless Chromium; with no browser asked
//! for it runs in Node.js: `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=
//! wasm-bindgen-test-runner cargo test -p playnet-sketch --test determinism
//! --target wasm32-unknown-unknown`).
//!
//! The model is compiled in (`include_bytes!`): a wasm test has no files.

use std::sync::Arc;

use playnet_engine::Cpu;
use playnet_sketch::{Decoder, Sampler, Stroke3};

const CONFIG: &str = include_str!("../../../assets/sketch-rnn/bird.json");
const WEIGHTS: &[u8] = include_bytes!("../../../assets/sketch-rnn/bird.safetensors");

/// FNV-1a over the bits of every point of every candidate, and the points
/// drawn.
fn candidates(strokes: &[Stroke3], seed: u64, temperature: f32) -> (u64, usize) {
    let bird = Arc::new(Decoder::from_safetensors(Cpu, CONFIG, WEIGHTS).unwrap());
    let mut s = Sampler::new(bird, strokes, seed, temperature, 4).unwrap();
    s.advance_now(40).unwrap();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut count = 0;
    for i in 0..4 {
        for p in s.points(i) {
            let pen = p.pen as u32;
            for word in [p.x.to_bits(), p.y.to_bits(), pen] {
                for byte in word.to_le_bytes() {
                    hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
                }
            }
            count += 1;
        }
    }
    (hash, count)
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bird_candidates_are_the_same_bits_everywhere() {
    let from_nothing = candidates(&[], 1, 0.25);
    let stroke = [
        Stroke3::new(0.0, 0.0, false),
        Stroke3::new(30.0, -5.0, false),
        Stroke3::new(25.0, 10.0, true),
    ];
    let continued = candidates(&stroke, 7, 0.6);
    println!("{from_nothing:?} {continued:?}");
    assert_eq!(from_nothing, (14_397_587_949_251_078_591, 160));
    assert_eq!(continued, (1_831_212_366_734_430_108, 160));
}
