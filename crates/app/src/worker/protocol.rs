//! The messages between the MNIST page and its training worker.
//!
//! gloo-worker carries them with bincode, which cannot read internally tagged
//! enums, so a network and its training settings travel as the JSON of
//! [`SetupSpec`] (the same JSON an exported model's config uses). Pixels and
//! files travel as byte strings ([`ByteBuf`]), which bincode copies in one go.

use playnet_engine::{NetConfig, TrainConfig};
use playnet_mnist::{Bands, FilterImages, LayerMaps};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// A network and how to train it: [`playnet_mnist::Setup`] with serde.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupSpec {
    pub network: NetConfig,
    pub training: TrainConfig,
}

impl SetupSpec {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(json: &str) -> Result<SetupSpec, String> {
        serde_json::from_str(json).map_err(|e| format!("not a network setup: {e}"))
    }
}

/// Which backend the page asks the worker to train on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendChoice {
    /// WebGPU when the browser has a hardware adapter, else the CPU (a
    /// software adapter such as SwiftShader is slower than the CPU kernels).
    #[default]
    Auto,
    /// WebGPU whenever there is an adapter, software ones included.
    WebGpu,
    /// The engine's CPU kernels (SIMD128 or scalar).
    Cpu,
}

/// The backend in use, as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackendReport {
    /// Short and stable: `webgpu`, `cpu-simd128` or `cpu-scalar`.
    pub name: String,
    /// For people: the adapter and why this backend (e.g. "auto: SwiftShader
    /// is a software adapter; the CPU is faster").
    pub detail: String,
}

/// What the page asks of the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// The four gzip IDX files, in `playnet_data::MNIST_FILES` order.
    Data(Vec<ByteBuf>),
    /// A fresh network, paused at step 0 (`setup` is [`SetupSpec`] JSON).
    Configure {
        setup: String,
        seed: u32,
    },
    /// Train (again).
    Start,
    Pause,
    /// SIMD128 kernels (`true`) or the scalar reference kernels.
    Simd(bool),
    /// Train on this backend from now on, keeping the weights.
    Backend(BackendChoice),
    /// A test hook (`?lose-gpu-at=N` in the page's hash): destroy the GPU
    /// device once training on it reaches step `N`, as a lost device would.
    LoseGpuAt(u32),
    /// Class probabilities of a preprocessed 28×28 digit.
    Classify(Vec<f32>),
    /// Activation maps and probabilities of test digit `index`.
    Maps(u32),
    /// The trained model as a file pair.
    Export,
    /// Replace the network with a saved one (refused if it does not fit).
    Load {
        config_json: String,
        weights: ByteBuf,
    },
    /// After a restart: the network of `setup` (with `seed`) as a
    /// [`Event::Keepsafe`] copy from the worker that died left it.
    Restore {
        setup: String,
        seed: u32,
        copy: Keepsafe,
    },
    /// A test hook (`?crash-worker-at=N`): panic once training reaches step
    /// `N`, as a bug would, so that the page's recovery can be tested.
    CrashAt(u32),
}

/// A copy of the network that the page keeps, to bring it back should the
/// worker die.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Keepsafe {
    pub step: u32,
    pub epoch: u32,
    pub config_json: String,
    pub weights: ByteBuf,
}

/// Where the network of an [`Event::Configured`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Fresh weights from the seed.
    Fresh,
    /// A model file the person loaded.
    Loaded,
    /// The page's [`Keepsafe`] copy, after the worker was restarted.
    Restored { step: u32 },
}

/// Digits to show, with what the network thinks of them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DigitGrid {
    /// Index of each digit in its set.
    pub indices: Vec<u32>,
    /// 784 bytes (0 = paper, 255 = ink) per digit.
    pub pixels: ByteBuf,
    pub labels: Vec<u8>,
    pub predicted: Vec<u8>,
}

impl DigitGrid {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
}

/// The numbers of the training steps since the last report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub step: u32,
    pub epoch: u32,
    /// Mean batch loss and accuracy over the steps since the last report.
    pub loss: f32,
    pub accuracy: f32,
    pub learning_rate: f32,
    /// Training steps per second of wall time (evaluation time left out).
    pub steps_per_second: f32,
    /// The worker's WebAssembly memory in bytes (for the soak benchmark).
    #[serde(default)]
    pub memory_bytes: u64,
}

/// An evaluation of the test set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TestSummary {
    /// The step the weights were at.
    pub step: u32,
    pub count: u32,
    pub accuracy: f32,
    pub loss: f32,
    /// `confusion[true * 10 + predicted]`.
    pub confusion: Vec<u32>,
    pub mistakes: u32,
    /// Test digits, mistakes (most confident first) before correct ones.
    pub digits: DigitGrid,
    /// Milliseconds the evaluation took.
    pub millis: f32,
    /// The backend that evaluated (as [`BackendReport::name`]).
    pub backend: String,
}

/// What each image layer makes of one test digit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MapsReport {
    pub index: u32,
    pub label: u8,
    pub pixels: ByteBuf,
    pub probabilities: Vec<f32>,
    pub layers: Vec<LayerMaps>,
}

/// What the worker tells the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// MNIST is decoded: training and test image counts.
    DataReady {
        train: u32,
        test: u32,
    },
    /// The data could not be decoded; nothing can train.
    DataFailed(String),
    /// A fresh, loaded or restored network: its setup JSON and parameter count.
    Configured {
        setup: String,
        parameters: u32,
        origin: Origin,
    },
    /// A command could not be carried out; training state is unchanged.
    Refused(String),
    /// Which backend trains (after the page's choice, a SIMD switch or a
    /// fallback).
    Backend(BackendReport),
    /// The GPU failed (`reason`); training went on on the CPU from the
    /// weights of step `step`.
    FellBack {
        step: u32,
        reason: String,
    },
    Running(bool),
    Progress(Progress),
    /// Training stopped: the loss is no longer finite.
    Diverged(String),
    /// The last training batch.
    Batch(DigitGrid),
    Test(TestSummary),
    Bands {
        step: u32,
        bands: Vec<Bands>,
    },
    Filters(Option<FilterImages>),
    Maps(MapsReport),
    Probabilities(Vec<f32>),
    Exported {
        config_json: String,
        weights: ByteBuf,
    },
    /// The network as it is now, for the page to keep (every few seconds
    /// while training, after each test and at a pause).
    Keepsafe(Keepsafe),
    /// The worker panicked or trapped and is closing itself: what went wrong.
    Crashed(String),
}
