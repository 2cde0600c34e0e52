//! The URL hash against hostile input: a regression corpus (every line of
//! `corpus/url.txt` is one hash, run natively and in the browser) and, natively,
//! property tests that feed `PageState::from_hash` arbitrary text.
//!
//! Whatever the input, the state that comes back is valid, and writing it and
//! reading it back gives the same state with no notes.

use playnet_playground::PageState;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CORPUS: &str = include_str!("corpus/url.txt");

/// Everything `from_hash` promises, for one input.
fn check(hash: &str) {
    let (state, notes) = PageState::from_hash(hash);
    let short: String = hash.chars().take(80).collect();
    assert!(
        state.config.validate().is_ok(),
        "{short}: {:?}",
        state.config
    );
    assert!(notes.len() <= 21, "{short}: {} notes", notes.len());
    for note in &notes {
        assert!(note.chars().count() <= 200, "{short}: {note}");
        assert!(!note.chars().any(char::is_control), "{short}: {note:?}");
    }
    let written = state.to_hash();
    let (again, notes_again) = PageState::from_hash(&written);
    assert_eq!(again, state, "{short} → {written}");
    assert!(notes_again.is_empty(), "{written}: {notes_again:?}");
    assert_eq!(again.to_hash(), written);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_corpus_hash_loads_a_valid_state() {
    let mut count = 0;
    for line in CORPUS.lines() {
        check(line);
        count += 1;
    }
    assert!(count >= 30, "the corpus lost lines: {count}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn corpus_lines_give_the_notes_we_expect() {
    let notes = |hash: &str| PageState::from_hash(hash).1;
    assert!(notes("").is_empty());
    assert_eq!(notes("&&&=="), vec!["ignored a setting with no name"]);
    assert_eq!(
        notes("networkShape=999,999"),
        vec!["networkShape: a layer of 999 is out of range (1 to 32); using 32"]
    );
    assert_eq!(
        notes("learningRate=NaN"),
        vec!["learningRate: \"NaN\" is not a finite number; using 0.03"]
    );
    assert_eq!(
        notes("noise=-5"),
        vec!["noise: -5 is out of range (0 to 50); using 0"]
    );
    assert_eq!(
        notes("dropout=NaN&networkShape=8,8"),
        vec!["dropout: \"NaN\" is not a finite number; using 0"]
    );
    assert_eq!(
        notes("dropout=2"),
        vec!["dropout: \"2\" is out of range (0 to 0.9); using 0.9"]
    );
    assert_eq!(
        notes("x=maybe"),
        vec!["x: \"maybe\" is not true or false; using true"]
    );
    assert_eq!(
        notes("#x=false&y=false"),
        vec!["no input feature was on; using x and y"]
    );
    let long = notes(&format!("x={}", "a".repeat(10_000)));
    assert_eq!(
        long,
        vec![format!(
            "x: \"{}…\" is not true or false; using true",
            "a".repeat(40)
        )]
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::check;
    use playnet_data::{DatasetKind, Feature, Problem};
    use playnet_engine::{Activation, Loss, Optimizer, Regularization};
    use playnet_playground::{KNOWN_KEYS, PageState, PlaygroundConfig};
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;

    /// Fixed seed so CI is repeatable; `PROPTEST_RNG_SEED` (and
    /// `PROPTEST_CASES`) explore further. Failures go into
    /// `corpus/url.txt` by hand, not into proptest's own files.
    fn config() -> ProptestConfig {
        let base = ProptestConfig::default();
        ProptestConfig {
            rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
                base.rng_seed
            } else {
                RngSeed::Fixed(0x9a4e_0001)
            },
            failure_persistence: None,
            ..base
        }
    }

    /// Every key the state reads, plus two `_hide` keys.
    fn keys() -> Vec<&'static str> {
        KNOWN_KEYS
            .iter()
            .copied()
            .chain(["dataset_hide", "x_hide"])
            .collect()
    }

    const VALUES: &[&str] = &[
        "",
        "true",
        "false",
        "0",
        "-1",
        "1e400",
        "NaN",
        "0.03",
        "10",
        "31",
        "4,2",
        "8,8,5",
        ",",
        "relu",
        "sine",
        "L1",
        "none",
        "circle",
        "spiral3",
        "blobs4",
        "reg-plane",
        "reg-gauss",
        "regression",
        "classification",
        "adam",
        "momentum",
        "bce",
        "cross-entropy",
        "squared",
        "%E0%A4%A",
        "%FF",
        "0.5",
        "0.9",
        "0.95",
    ];

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(VALUES).prop_map(str::to_owned),
            "[-+0-9.,eE]{0,16}",
            "[a-zA-Z0-9%=&,+. -]{0,24}",
            any::<String>(),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(keys()).prop_map(str::to_owned),
            1 => "[a-zA-Z0-9_%<>-]{0,12}",
        ]
    }

    /// A valid state, built field by field.
    fn state() -> impl Strategy<Value = PageState> {
        let data = (
            prop::sample::select(DatasetKind::ALL.to_vec()),
            prop::sample::select(DatasetKind::ALL.to_vec()),
            prop::collection::vec(any::<bool>(), 9),
            prop::collection::vec(1usize..=32, 0..=10),
            0u32..=50,
            10u32..=90,
            prop_oneof![Just(0.0f32), Just(0.2f32), 0.0f32..=0.9],
        );
        let training = (
            prop::sample::select(Activation::ALL.to_vec()),
            1usize..=30,
            prop_oneof![Just(0.03f32), 0.00001f32..=10.0],
            prop_oneof![Just(0.0f32), 0.0f32..=10.0],
            prop::option::of(prop_oneof![
                Just(Regularization::L1),
                Just(Regularization::L2)
            ]),
            prop::sample::select(vec![Optimizer::Sgd, Optimizer::MOMENTUM, Optimizer::ADAM]),
            prop::option::of(prop::sample::select(Loss::ALL.to_vec())),
            any::<bool>(),
            prop::collection::vec(prop::sample::select(Activation::ALL.to_vec()), 0..=10),
        );
        let view = (
            prop_oneof!["[0-9]{1,20}", "0\\.[0-9]{5}", "\\PC{1,64}"],
            any::<[bool; 3]>(),
            prop::collection::btree_set("[a-zA-Z0-9]{1,40}", 0..5),
        );
        (data, training, view).prop_map(|(data, training, view)| {
            let (dataset, other, on, network_shape, noise, perc_train_data, dropout) = data;
            let (
                activation,
                batch_size,
                learning_rate,
                regularization_rate,
                regularization,
                optimizer,
                loss,
                init_zero,
                layer_activations,
            ) = training;
            let (seed_text, [show_test_data, discretize, hide_text], hidden) = view;
            let regression = |k: DatasetKind| k.problem() == Problem::Regression;
            let other_dataset = match (regression(dataset), regression(other)) {
                (true, false) | (false, true) => other,
                (true, true) => DatasetKind::Spiral,
                (false, false) => DatasetKind::RegGauss,
            };
            let mut features: Vec<Feature> = Feature::ALL
                .into_iter()
                .zip(on)
                .filter_map(|(f, on)| on.then_some(f))
                .collect();
            if features.is_empty() {
                features.push(Feature::CosX2);
            }
            let mut config = PlaygroundConfig {
                dataset,
                noise,
                perc_train_data,
                batch_size,
                features,
                network_shape,
                activation,
                layer_activations: Vec::new(),
                loss,
                learning_rate,
                optimizer,
                regularization,
                regularization_rate,
                dropout,
                init_zero,
                seed: 0,
                // set_seed_text below sets it for TFP's seed texts.
                tfp_seed: None,
            };
            for (layer, a) in layer_activations.into_iter().enumerate() {
                config.set_layer_activation(layer, a);
            }
            if config.validate().is_err() {
                config.loss = None;
            }
            let mut s = PageState {
                config,
                seed_text: String::new(),
                show_test_data,
                discretize,
                hide_text,
                projector: false,
                more: None,
                hidden,
                other_dataset,
            };
            s.set_seed_text(seed_text);
            s
        })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_text_loads_a_valid_fixed_point(hash in any::<String>()) {
            check(&hash);
        }

        #[test]
        fn url_like_text_loads_a_valid_fixed_point(hash in "[#a-zA-Z0-9=&%,._+<>-]{0,120}") {
            check(&hash);
        }

        #[test]
        fn known_keys_with_any_values_load_a_valid_fixed_point(
            pairs in prop::collection::vec((key(), value()), 0..40)
        ) {
            let hash: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            check(&hash.join("&"));
        }

        #[test]
        fn valid_states_survive_the_hash_exactly(state in state()) {
            prop_assert!(state.config.validate().is_ok());
            let hash = state.to_hash();
            let (back, notes) = PageState::from_hash(&hash);
            prop_assert!(notes.is_empty(), "{}: {:?}", hash, notes);
            prop_assert_eq!(back, state);
        }
    }
}
