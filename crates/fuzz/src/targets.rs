//! The library crates' parsers of user-supplied bytes, as fuzz targets.
//!
//! Each target takes raw bytes. Where a parser takes two files (a model's
//! JSON and its weights) the input is [`pair`]-encoded: a little-endian
//! `u32` length, the first file, then the second. Where it takes text, bytes
//! that are not UTF-8 are read lossily, as a browser's `TextDecoder` would.

use playnet_data::{Digits, Problem, parse_idx, parse_idx_gz};
use playnet_engine::{Checkpoint, Cpu, Net, Tensor, backend::ready};
use playnet_playground::{PageState, PlaygroundConfig, SavedModel, Session, parse_points};
use playnet_sketch::Decoder;
use playnet_sketch::dataset::StrokeData;
use playnet_webcam::{Example, Head, HeadSettings, HeadTrainer, Project};

use crate::{Outcome, Target};

/// Every library target.
pub const ALL: [Target; 13] = [
    IDX,
    MNIST_FILES,
    PLAYGROUND_URL,
    PLAYGROUND_CSV,
    PLAYGROUND_MODEL,
    MNIST_MODEL,
    SKETCH_MAGENTA,
    SKETCH_MODEL,
    SKETCH_STROKES,
    WEBCAM_PROJECT,
    WEBCAM_EXAMPLE,
    WEBCAM_HEAD,
    EFFICIENTNET_WEIGHTS,
];

/// Two files in one input.
pub fn pair(first: &[u8], second: &[u8]) -> Vec<u8> {
    let mut out = (first.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(first);
    out.extend_from_slice(second);
    out
}

/// The two files of a [`pair`]-encoded input (the first cut short if the
/// length says more than there is).
pub fn unpair(input: &[u8]) -> (&[u8], &[u8]) {
    let Some((len, rest)) = input.split_first_chunk::<4>() else {
        return (input, &[]);
    };
    let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
    rest.split_at(len)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn refused(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(bytes).expect("writing to a Vec");
    z.finish().expect("finishing a Vec")
}

fn idx(kind: u8, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, kind, dims.len() as u8];
    for d in dims {
        out.extend(d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

fn idx_seeds() -> Vec<Vec<u8>> {
    let images = idx(0x08, &[3, 4, 4], &[7; 48]);
    vec![
        images.clone(),
        gzip(&images),
        idx(0x08, &[5], &[1, 2, 3, 4, 5]),
        idx(0x0d, &[2, 2], &[0; 16]),
    ]
}

/// IDX files, plain or gzipped (the MNIST lab's data, and digit files a
/// person points it at).
pub const IDX: Target = Target {
    name: "idx",
    seeds: idx_seeds,
    run: |input| {
        let array = if playnet_data::is_gzip(input) {
            parse_idx_gz(input)
        } else {
            parse_idx(input)
        }
        .map_err(refused)?;
        let count: usize = array.dims.iter().product();
        if count != array.data.len() {
            return Err(format!(
                "BUG: dims {:?} but {} values",
                array.dims,
                array.data.len()
            ));
        }
        Ok(())
    },
};

/// An images file and a labels file read as one digit set.
pub const MNIST_FILES: Target = Target {
    name: "mnist-files",
    seeds: || {
        let images = idx(0x08, &[3, 28, 28], &[9; 3 * 28 * 28]);
        let labels = idx(0x08, &[3], &[1, 7, 3]);
        vec![pair(&images, &labels), pair(&gzip(&images), &gzip(&labels))]
    },
    run: |input| {
        let (images, labels) = unpair(input);
        let digits = Digits::from_idx(images, labels).map_err(refused)?;
        for i in 0..digits.len() {
            let _ = digits.image(i);
        }
        Ok(())
    },
};

/// The Playground's URL hash: anything is read (unknown keys and bad values
/// become notes), and what it reads must survive its own link unchanged.
pub const PLAYGROUND_URL: Target = Target {
    name: "playground-url",
    seeds: || {
        let mut seeds: Vec<Vec<u8>> = vec![
            PageState::default().to_hash().into_bytes(),
            b"#activation=relu&batchSize=10&dataset=spiral&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.53&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false".to_vec(),
        ];
        seeds.push(b"networkShape=8,8,8,8,8,8&regularization=L1&problem=regression".to_vec());
        seeds
    },
    run: |input| {
        let hash = text(input);
        let (state, _notes) = PageState::from_hash(&hash);
        let again = state.to_hash();
        let (reread, notes) = PageState::from_hash(&again);
        if reread != state || !notes.is_empty() {
            return Err(format!(
                "BUG: the link {again:?} does not read back as itself: {notes:?}"
            ));
        }
        Ok(())
    },
};

/// Points a person uploads to the Playground, as CSV (first byte picks the
/// problem and number of classes).
pub const PLAYGROUND_CSV: Target = Target {
    name: "playground-csv",
    seeds: || {
        vec![
            b"\x00x,y,label\n0.5,-1.2,1\n-3,4,-1\n".to_vec(),
            b"\x01x,y,value\n1,2,0.25\n-4.5,3e-1,-0.75\n".to_vec(),
            b"\x02x,y,class\n1,1,0\n2,2,1\n3,3,2\n".to_vec(),
            b"\x00# a comment\r\n1;2;1\r\n".to_vec(),
        ]
    },
    run: |input| {
        let Some((&pick, rest)) = input.split_first() else {
            return Err("empty input".into());
        };
        let (problem, classes) = match pick % 3 {
            0 => (Problem::Classification, 2),
            1 => (Problem::Regression, 1),
            _ => (Problem::MultiClass, 2 + usize::from(pick / 3 % 5)),
        };
        let points = parse_points(&text(rest), problem, classes).map_err(refused)?;
        if points.iter().any(|p| !(p.x.is_finite() && p.y.is_finite())) {
            return Err("BUG: a point with a non-finite coordinate was accepted".into());
        }
        Ok(())
    },
};

fn playground_seed(config: PlaygroundConfig) -> Vec<u8> {
    let session = Session::new(Cpu, config).expect("the default playground");
    let saved = ready(session.export())
        .expect("a CPU future")
        .expect("exporting a fresh session");
    pair(saved.json.as_bytes(), &saved.safetensors)
}

/// A Playground model file (JSON) and its weights (safetensors).
pub const PLAYGROUND_MODEL: Target = Target {
    name: "playground-model",
    seeds: || {
        let small = PlaygroundConfig {
            network_shape: vec![3],
            ..PlaygroundConfig::default()
        };
        vec![
            playground_seed(PlaygroundConfig::default()),
            playground_seed(small),
        ]
    },
    run: |input| {
        let (json, weights) = unpair(input);
        let saved = SavedModel {
            json: text(json),
            safetensors: weights.to_vec(),
        };
        let session = Session::import(Cpu, &saved).map_err(refused)?;
        let _ = ready(session.export()).map_err(refused)?;
        Ok(())
    },
};

fn net_seed(preset: &str) -> Vec<u8> {
    let preset = playnet_mnist::preset(preset).expect("a preset");
    let net = Net::new(Cpu, preset.network, 10, 1).expect("a preset's network");
    let saved = ready(net.save())
        .expect("a CPU future")
        .expect("saving a network");
    pair(saved.config_json.as_bytes(), &saved.weights)
}

/// An MNIST lab model file (the network's JSON and its weights), loaded and
/// run once on a blank input.
pub const MNIST_MODEL: Target = Target {
    name: "mnist-model",
    seeds: || vec![net_seed("softmax"), net_seed("relu5-dropout")],
    run: |input| {
        let (json, weights) = unpair(input);
        let checkpoint = Checkpoint {
            config_json: text(json),
            weights: weights.to_vec(),
        };
        let net = Net::load(Cpu, &checkpoint, 10).map_err(refused)?;
        let len = net.config().input_len();
        let blank = Tensor::from_slice(&Cpu, &vec![0.0; len], [1, len]).map_err(refused)?;
        net.predict(&blank).map_err(refused)?;
        Ok(())
    },
};

fn tiny_magenta() -> String {
    use base64::Engine as _;
    let (hidden, components) = (4, 2);
    let raw = 3 + 6 * components;
    let shapes = [
        vec![hidden, raw],
        vec![raw],
        vec![5, 4 * hidden],
        vec![hidden, 4 * hidden],
        vec![4 * hidden],
    ];
    let weights: Vec<String> = shapes
        .iter()
        .map(|s| {
            let n: usize = s.iter().product();
            let bytes: Vec<u8> = (0..n)
                .flat_map(|i| ((i as i16 * 37) % 200 - 100).to_le_bytes())
                .collect();
            base64::engine::general_purpose::STANDARD.encode(bytes)
        })
        .collect();
    serde_json::json!([
        {"name": "tiny", "scale_factor": 40.0, "max_seq_len": 30, "mode": 2},
        shapes,
        weights
    ])
    .to_string()
}

/// A Magenta sketch-rnn decoder file (the format people bring from
/// Magenta's site), loaded and stepped once.
pub const SKETCH_MAGENTA: Target = Target {
    name: "sketch-magenta",
    seeds: || vec![tiny_magenta().into_bytes()],
    run: |input| {
        let decoder = Decoder::from_magenta_json(Cpu, &text(input)).map_err(refused)?;
        step_once(&decoder)
    },
};

fn step_once(decoder: &Decoder<Cpu>) -> Outcome {
    let state = decoder.zero_state();
    let _ = ready(decoder.outputs(&state)).map_err(refused)?;
    Ok(())
}

/// A sketch model as the page exports it (config JSON and safetensors).
pub const SKETCH_MODEL: Target = Target {
    name: "sketch-model",
    seeds: || {
        let converted =
            playnet_sketch::format::convert_magenta(&tiny_magenta(), "fuzz").expect("tiny model");
        vec![pair(converted.config_json.as_bytes(), &converted.weights)]
    },
    run: |input| {
        let (json, weights) = unpair(input);
        let decoder = Decoder::from_safetensors(Cpu, &text(json), weights).map_err(refused)?;
        step_once(&decoder)
    },
};

/// A stroke data set in the page's own format.
pub const SKETCH_STROKES: Target = Target {
    name: "sketch-strokes",
    seeds: || {
        let split = playnet_sketch::dataset::Split::new(
            "train",
            &[
                vec![[3, -4, 0], [10, 2, 1], [-5, 5, 0]],
                vec![[1, 1, 0], [2, 2, 1]],
            ],
        )
        .expect("a small split");
        vec![
            StrokeData {
                splits: vec![split],
            }
            .to_bytes(),
        ]
    },
    run: |input| {
        StrokeData::from_bytes(input).map_err(refused)?;
        Ok(())
    },
};

fn webcam_examples(classes: usize, per_class: usize) -> Vec<(usize, Vec<f32>)> {
    (0..classes * per_class)
        .map(|i| {
            let class = i % classes;
            let embedding = (0..playnet_webcam::EMBEDDING)
                .map(|k| ((k * (class + 1) + i) % 17) as f32 / 8.0)
                .collect();
            (class, embedding)
        })
        .collect()
}

fn webcam_head() -> Vec<u8> {
    let data = webcam_examples(2, 4);
    let borrowed: Vec<(usize, &[f32])> = data.iter().map(|(c, e)| (*c, e.as_slice())).collect();
    let settings = HeadSettings {
        hidden: 0,
        epochs: 1,
        ..HeadSettings::default()
    };
    let trainer = HeadTrainer::new(Cpu, &borrowed, 2, &settings, 1).expect("a tiny head");
    let (head, _) = trainer.finish().expect("finishing a tiny head");
    head.to_bytes().expect("writing a tiny head")
}

/// A webcam project file (classes, settings, examples, head).
pub const WEBCAM_PROJECT: Target = Target {
    name: "webcam-project",
    seeds: || {
        let examples: Vec<Example> = webcam_examples(2, 2)
            .into_iter()
            .map(|(class, embedding)| Example {
                class,
                embedding,
                thumbnail: vec![0xff, 0xd8, class as u8],
            })
            .collect();
        let project = Project {
            meta: playnet_webcam::ProjectMeta {
                classes: vec!["left".into(), "right".into()],
                settings: HeadSettings::default(),
                head_kind: playnet_webcam::HeadKind::Dense,
                k: 5,
                directions: vec![
                    Some(playnet_webcam::Direction::Left),
                    Some(playnet_webcam::Direction::Right),
                ],
            },
            head: Some(webcam_head()),
            examples,
        };
        vec![
            project.to_bytes(true).expect("a small project"),
            project.to_bytes(false).expect("a small project"),
        ]
    },
    run: |input| {
        Project::from_bytes(input).map_err(refused)?;
        Ok(())
    },
};

/// One recorded example as the webcam page keeps it.
pub const WEBCAM_EXAMPLE: Target = Target {
    name: "webcam-example",
    seeds: || {
        let (class, embedding) = webcam_examples(3, 1).remove(2);
        vec![
            Example {
                class,
                embedding,
                thumbnail: vec![1, 2, 3],
            }
            .to_bytes(),
        ]
    },
    run: |input| {
        Example::from_bytes(input).map_err(refused)?;
        Ok(())
    },
};

/// A trained webcam head, loaded and asked for one prediction.
pub const WEBCAM_HEAD: Target = Target {
    name: "webcam-head",
    seeds: || vec![webcam_head()],
    run: |input| {
        let head = Head::from_bytes(Cpu, input).map_err(refused)?;
        let probabilities = head
            .predict(&vec![0.5; playnet_webcam::EMBEDDING])
            .map_err(refused)?;
        if probabilities.len() != head.classes() {
            return Err("BUG: a prediction of the wrong length".into());
        }
        Ok(())
    },
};

/// The shipped EfficientNet weights file (a cache could hand back a
/// damaged one).
pub const EFFICIENTNET_WEIGHTS: Target = Target {
    name: "efficientnet-weights",
    seeds: || {
        let mut tensors = playnet_models::TensorMap::new();
        tensors.insert(
            "stem.weight".into(),
            playnet_models::HostTensor::new([2, 3], vec![0.5, -1.0, 2.0, 0.0, 1e-3, 7.0]),
        );
        tensors.insert(
            "stem.bias".into(),
            playnet_models::HostTensor::new([2], vec![0.25, -0.25]),
        );
        [
            playnet_models::Precision::F16,
            playnet_models::Precision::F32,
        ]
        .into_iter()
        .map(|p| playnet_models::efficientnet::shipped::write(&tensors, p).expect("small weights"))
        .collect()
    },
    run: |input| {
        playnet_models::efficientnet::shipped::read(input).map_err(refused)?;
        Ok(())
    },
};
