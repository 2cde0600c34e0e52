//! The page's own parsers of bytes it did not make, as fuzz targets (see
//! `playnet-fuzz`): the records kept in IndexedDB and localStorage, read
//! back the way a reload reads them, and the pages' link readers.

use playnet_engine::{Checkpoint, Cpu, Net, backend::ready};
use playnet_fuzz::targets::unpair;
use playnet_fuzz::{Target, check};
use playnet_playground::{PlaygroundConfig, Session};
use playnet_sketch::Decoder;

use crate::pages::mnist::store::{self as mnist_store, SavedLab};
use crate::pages::playground::store::{Record, SavedSession};
use crate::pages::sketch::store as sketch_store;
use crate::pages::{mnist, sketch, webcam};
use crate::route::Route;
use crate::worker::protocol::SetupSpec;

#[global_allocator]
static ALLOC: playnet_fuzz::alloc::Capped = playnet_fuzz::alloc::Capped;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn refused(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// A record in the shared format, read as any page reads its header.
const SAVED_RECORD: Target = Target {
    name: "saved-record",
    seeds: || {
        let header = serde_json::json!({"saved_at": 1.7e12, "name": "x", "points": [[1, 2]]});
        vec![crate::saved::encode(1, &header, b"payload").expect("a small record")]
    },
    run: |input| {
        crate::saved::decode::<serde_json::Value>(input, 1).map_err(refused)?;
        Ok(())
    },
};

fn playground_record() -> Vec<u8> {
    let config = PlaygroundConfig {
        network_shape: vec![2],
        ..PlaygroundConfig::default()
    };
    let session = Session::new(Cpu, config).expect("a small playground");
    let model = ready(session.export())
        .expect("a CPU future")
        .expect("exporting");
    let record = Record {
        session: SavedSession {
            saved_at: 1.7e12,
            model_json: model.json,
            epoch: 12,
            train: session.split().train.iter().take(3).cloned().collect(),
            test: session.split().test.iter().take(2).cloned().collect(),
            history: vec![(0, 0.5, 0.6), (12, 0.2, 0.3)],
        },
        safetensors: model.safetensors,
    };
    record.encode().expect("encoding")
}

/// A kept Playground session, restored as a reload restores it.
const PLAYGROUND_RECORD: Target = Target {
    name: "playground-record",
    seeds: || vec![playground_record()],
    run: |input| {
        let record = Record::decode(input).map_err(refused)?;
        Session::import(Cpu, &record.model()).map_err(refused)?;
        Ok(())
    },
};

fn mnist_record() -> Vec<u8> {
    let preset = playnet_mnist::preset("softmax").expect("a preset");
    let setup = SetupSpec {
        network: preset.network.clone(),
        training: preset.training,
    };
    let net = Net::new(Cpu, preset.network, 10, 1).expect("a network");
    let saved = ready(net.save()).expect("a CPU future").expect("saving");
    let lab = SavedLab {
        saved_at: 1.7e12,
        preset: Some("softmax".into()),
        setup_json: setup.to_json(),
        seed: 3,
        step: 40,
        epoch: 0,
        config_json: saved.config_json,
        readouts: None,
        train: vec![(10.0, 0.9, 0.7)],
        test: vec![],
    };
    mnist_store::encode(&lab, &saved.weights).expect("encoding")
}

/// The MNIST lab's kept network, read and loaded as the worker loads it.
const MNIST_RECORD: Target = Target {
    name: "mnist-record",
    seeds: || vec![mnist_record()],
    run: |input| {
        let (lab, weights) = mnist_store::decode(input).map_err(refused)?;
        SetupSpec::from_json(&lab.setup_json)?;
        let checkpoint = Checkpoint {
            config_json: lab.config_json,
            weights,
        };
        Net::load(Cpu, &checkpoint, 10).map_err(refused)?;
        Ok(())
    },
};

fn tiny_sketch_model() -> (String, Vec<u8>) {
    let seed = (playnet_fuzz::targets::SKETCH_MODEL.seeds)().remove(0);
    let (config, weights) = unpair(&seed);
    (text(config), weights.to_vec())
}

/// A sketch model the page kept (its two files in one record), loaded.
const SKETCH_MODEL_RECORD: Target = Target {
    name: "sketch-model-record",
    seeds: || {
        let (config, weights) = tiny_sketch_model();
        vec![sketch_store::pack_model(&config, &weights)]
    },
    run: |input| {
        let (config, weights) = sketch_store::unpack_model(input)?;
        Decoder::from_safetensors(Cpu, &config, &weights).map_err(refused)?;
        Ok(())
    },
};

/// The sketch page's drawing, kept in localStorage.
const SKETCH_DRAWING: Target = Target {
    name: "sketch-drawing",
    seeds: || vec![b"[[[1.5,2],[3,4.25]],[[10,10]]]".to_vec(), b"[]".to_vec()],
    run: |input| {
        sketch_store::parse(&text(input))?;
        Ok(())
    },
};

/// The drawings a person collected to train on, kept in localStorage.
const SKETCH_MINE: Target = Target {
    name: "sketch-mine",
    seeds: || vec![b"[[[3,-4,0],[10,2,1]],[[1,1,1]]]".to_vec()],
    run: |input| {
        sketch_store::parse_mine(&text(input))?;
        Ok(())
    },
};

/// Every page's link reader: they never fail, and a data folder a link
/// names stays on this site.
const LINKS: Target = Target {
    name: "links",
    seeds: || {
        [
            "#/mnist?preset=conv&backend=cpu&data=assets/mnist&lose-gpu-at=30",
            "#/sketch?class=bird&seed=7&temperature=0.45&candidates=9&models=assets/sketch-rnn",
            "#/webcam?head=knn&hide=game,examples&hideText=true",
            "#/?activation=tanh&networkShape=4,2",
            "#/about",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect()
    },
    run: |input| {
        let hash = text(input);
        let _ = Route::from_hash(&hash);
        let mnist = mnist::link::LinkOptions::read(&hash);
        let sketch = sketch::link::LinkOptions::read(&hash);
        let _ = webcam::link::LinkOptions::read(&hash);
        for folder in [mnist.data.as_deref(), sketch.models.as_deref()]
            .into_iter()
            .flatten()
        {
            if folder.contains("..") || folder.contains(':') || folder.starts_with('/') {
                return Err(format!("BUG: the link's folder {folder:?} leaves the site"));
            }
        }
        Ok(())
    },
};

/// The network setup JSON the page sends its worker (also in saved labs).
const WORKER_SETUP: Target = Target {
    name: "worker-setup",
    seeds: || {
        playnet_mnist::PRESETS
            .iter()
            .filter_map(|id| playnet_mnist::preset(id))
            .map(|p| {
                SetupSpec {
                    network: p.network,
                    training: p.training,
                }
                .to_json()
                .into_bytes()
            })
            .collect()
    },
    run: |input| {
        let spec = SetupSpec::from_json(&text(input))?;
        spec.network.validate(10).map_err(refused)?;
        Ok(())
    },
};

#[test]
fn fuzz_saved_record() {
    check(&SAVED_RECORD);
}

#[test]
fn fuzz_playground_record() {
    check(&PLAYGROUND_RECORD);
}

#[test]
fn fuzz_mnist_record() {
    check(&MNIST_RECORD);
}

#[test]
fn fuzz_sketch_model_record() {
    check(&SKETCH_MODEL_RECORD);
}

#[test]
fn fuzz_sketch_drawing() {
    check(&SKETCH_DRAWING);
}

#[test]
fn fuzz_sketch_mine() {
    check(&SKETCH_MINE);
}

#[test]
fn fuzz_links() {
    check(&LINKS);
}

#[test]
fn fuzz_worker_setup() {
    check(&WORKER_SETUP);
}

#[test]
fn the_seeds_are_accepted() {
    for target in [
        &SAVED_RECORD,
        &PLAYGROUND_RECORD,
        &MNIST_RECORD,
        &SKETCH_MODEL_RECORD,
        &SKETCH_DRAWING,
        &SKETCH_MINE,
        &LINKS,
        &WORKER_SETUP,
    ] {
        for seed in (target.seeds)() {
            assert_eq!((target.run)(&seed), Ok(()), "a seed of {}", target.name);
        }
    }
}
