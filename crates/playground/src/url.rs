//! The whole Playground state in the URL hash, spelt the way TensorFlow
//! Playground spells it, so its links open here and ours open there.
//!
//! The format is TFP's (`src/state.ts`): `#key=value&key=value…`, values
//! percent-encoded, booleans `true`/`false`, numbers as JavaScript writes
//! them, `networkShape` a comma list (empty for no hidden layers), the seed
//! a free string, and `<control>_hide=true` to hide a control when the page
//! is embedded. Our extras (`optimizer`, `loss`, `layerActivations`,
//! `dropout`, the multi-class data sets and the extra activations) use the
//! same style and
//! are written only when they differ from the default, so links to plain TFP
//! states stay plain.
//!
//! [`PageState::from_hash`] never fails: it loads the nearest valid state and
//! returns, next to it, one short plain-text note for each thing it ignored,
//! clamped or replaced. Notes quote at most 40 characters of any value, so a
//! hostile link cannot flood the page; the page shows them as text, never as
//! HTML. The state it returns always passes [`PlaygroundConfig::validate`],
//! and writing it with [`PageState::to_hash`] and reading it back gives the
//! same state with no notes.
//!
//! What is not here: reading or writing `window.location` (the app does that)
//! and the controls themselves.

use std::collections::BTreeSet;

use playnet_data::{DatasetKind, Feature, Problem};
use playnet_engine::{Activation, Loss, Optimizer, Regularization};
use serde::{Deserialize, Serialize};

use crate::{BATCH_SIZES, MAX_DROPOUT, MAX_LAYERS, MAX_NEURONS, PlaygroundConfig, SeedSource};

/// Most notes [`PageState::from_hash`] returns; the rest are counted in a
/// last note.
const MAX_NOTES: usize = 20;
/// Most characters of a value that a note repeats.
const ECHO_CHARS: usize = 40;
/// Most characters kept of the `seed` string.
const MAX_SEED_CHARS: usize = 64;
/// Most characters in a hidden control's name.
const MAX_CONTROL_CHARS: usize = 40;
/// Most hidden controls kept.
const MAX_HIDDEN: usize = 64;
/// Learning rates below the smallest one TFP offers clamp to it.
const MIN_LEARNING_RATE: f32 = 0.00001;
const MAX_LEARNING_RATE: f32 = 10.0;
const MAX_REGULARIZATION_RATE: f32 = 10.0;

/// TFP's keys that we read, in the order [`PageState::to_hash`] writes them
/// (the hidden controls and our extras come after).
pub const KNOWN_KEYS: &[&str] = &[
    "activation",
    "batchSize",
    "dataset",
    "regDataset",
    "learningRate",
    "regularization",
    "regularizationRate",
    "noise",
    "networkShape",
    "seed",
    "showTestData",
    "discretize",
    "percTrainData",
    "x",
    "y",
    "xTimesY",
    "xSquared",
    "ySquared",
    "cosX",
    "sinX",
    "cosY",
    "sinY",
    "collectStats",
    "tutorial",
    "problem",
    "initZero",
    "hideText",
    // Ours.
    "optimizer",
    "loss",
    "layerActivations",
    "dropout",
    "projector",
    "more",
];

/// Feature toggles in the order TFP writes them.
const FEATURE_KEY_ORDER: [Feature; 9] = [
    Feature::X1,
    Feature::X2,
    Feature::X1TimesX2,
    Feature::X1Squared,
    Feature::X2Squared,
    Feature::CosX1,
    Feature::SinX1,
    Feature::CosX2,
    Feature::SinX2,
];

/// Everything a Playground page shows, as its URL hash carries it: the
/// training configuration plus the settings that only change the view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PageState {
    pub config: PlaygroundConfig,
    /// TFP's seed string, kept verbatim (e.g. `"0.12345"`); `config.seed`
    /// derives from it through [`seed_from_text`], and a text that is not a
    /// plain integer is also `config.tfp_seed` (TFP's own stream). The
    /// page's later seeds live in `config`, which [`PageState::to_hash`]
    /// prefers.
    pub seed_text: String,
    /// Show the test points on the plane (TFP's `showTestData`).
    pub show_test_data: bool,
    /// Draw the output as two colours instead of a gradient (`discretize`).
    pub discretize: bool,
    /// Hide the explanatory text below the playground (`hideText`).
    pub hide_text: bool,
    /// Projector mode (`projector=true`): larger text and controls for a
    /// room, the article hidden.
    pub projector: bool,
    /// Whether the row of settings beyond TFP's (optimiser, loss, speed…)
    /// is open (`more`); `None` leaves it to the mode: open, except in
    /// projector mode.
    pub more: Option<bool>,
    /// Controls hidden for embedding via `<control>_hide=true` (e.g.
    /// `"dataset"`, `"learningRate"`), sorted, deduplicated.
    pub hidden: BTreeSet<String>,
    /// The data set of the problem kind not in use: TFP remembers both a
    /// classification set (`dataset`) and a regression set (`regDataset`),
    /// and `problem` picks one. A regression set here when `config.dataset`
    /// is a classification one, and the other way round.
    pub other_dataset: DatasetKind,
}

impl Default for PageState {
    /// TFP's opening state, with the seed `"1"` (so `config.seed` is
    /// [`PlaygroundConfig::default`]'s 1) instead of TFP's random one.
    fn default() -> Self {
        PageState {
            config: PlaygroundConfig::default(),
            seed_text: "1".into(),
            show_test_data: false,
            discretize: false,
            hide_text: false,
            projector: false,
            more: None,
            hidden: BTreeSet::new(),
            other_dataset: DatasetKind::RegPlane,
        }
    }
}

/// The numeric seed for TFP's seed string.
///
/// A text of 1 to 20 ASCII digits that fits in a `u64` is that number, so
/// `#seed=7` in the URL and `--seed 7` on the command line give the same run.
/// Any other text (TFP's own seeds look like `"0.61427"`) is hashed: the
/// 64-bit FNV-1a hash of its UTF-8 bytes (offset basis
/// `0xcbf29ce484222325`, prime `0x100000001b3`).
///
/// Those other texts are TensorFlow Playground's seeds: with one, the data
/// and weights come from TFP's own random stream instead (see
/// [`PlaygroundConfig::seed_source`]); the hash still names the run.
pub fn seed_from_text(text: &str) -> u64 {
    integer_seed(text).unwrap_or_else(|| {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    })
}

/// The number a plain-integer seed text is (1 to 20 ASCII digits that fit
/// in a `u64`), or `None`.
fn integer_seed(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    text.parse::<u64>().ok().filter(|_| digits)
}

/// True when a seed text is TensorFlow Playground's (not a plain integer),
/// so it keys TFP's stream rather than our PCG.
pub(crate) fn is_tfp_seed(text: &str) -> bool {
    integer_seed(text).is_none()
}

impl PageState {
    /// Sets the seed string and the config's seed that derives from it
    /// ([`PlaygroundConfig::set_seed_text`]).
    pub fn set_seed_text(&mut self, text: impl Into<String>) {
        self.seed_text = text.into();
        self.config.set_seed_text(&self.seed_text);
    }

    /// Reads a URL hash (with or without the leading `#`).
    ///
    /// Never panics and never fails: unknown keys are ignored, unreadable
    /// values fall back to the key's default, out-of-range numbers are
    /// clamped to the nearest valid value, and a loss that cannot train the
    /// data set gives way to the problem's usual one. The second value holds
    /// one plain-text note for each of those (at most 20, then a count).
    /// Absent keys take TFP's defaults, except the seed, which is `"1"`.
    pub fn from_hash(hash: &str) -> (PageState, Vec<String>) {
        let mut notes = Notes::default();
        let raw = Raw::split(state_part(hash), &mut notes);
        let state = raw.into_state(&mut notes);
        (state, notes.finish())
    }

    /// Writes the state as a URL hash, without the leading `#`.
    ///
    /// Keys come in TFP's order, then the hidden controls, then our extras
    /// (`optimizer` unless SGD, `loss` when one is chosen, and
    /// `layerActivations`, every hidden layer's activation as a comma list,
    /// when some layer's differs from `activation`, and `dropout`, the drop
    /// rate, when it is not 0). Numbers are
    /// written as the shortest text that reads back to the same `f32`.
    /// What the hash cannot carry is lost: the order of the features (it is
    /// [`Feature::ALL`]'s on reading), an optimiser's own constants (the
    /// names give the usual ones), and hidden-control names that
    /// [`PageState::from_hash`] would refuse. If `config.seed` is not the
    /// one `seed_text` gives, the number is written instead of the text.
    pub fn to_hash(&self) -> String {
        let c = &self.config;
        let (dataset, reg_dataset) = if c.dataset.problem() == Problem::Regression {
            let other = if self.other_dataset.problem() == Problem::Regression {
                DatasetKind::Circle
            } else {
                self.other_dataset
            };
            (other, c.dataset)
        } else {
            let other = if self.other_dataset.problem() == Problem::Regression {
                self.other_dataset
            } else {
                DatasetKind::RegPlane
            };
            (c.dataset, other)
        };
        // The config's TFP seed wins: the page draws a new one from TFP's
        // stream when the data changes, as TFP does.
        let seed = match c.seed_source() {
            SeedSource::Tfp(text) => encode(text),
            SeedSource::Pcg(seed) if seed_from_text(&self.seed_text) == seed => {
                encode(&self.seed_text)
            }
            SeedSource::Pcg(seed) => seed.to_string(),
        };
        let bool_text = |b: bool| if b { "true" } else { "false" };
        let mut pairs: Vec<(String, String)> = vec![
            ("activation".into(), c.activation.name().into()),
            ("batchSize".into(), c.batch_size.to_string()),
            ("dataset".into(), dataset.name().into()),
            ("regDataset".into(), reg_dataset.name().into()),
            ("learningRate".into(), number_text(c.learning_rate)),
            (
                "regularization".into(),
                match c.regularization {
                    None => "none",
                    Some(Regularization::L1) => "L1",
                    Some(Regularization::L2) => "L2",
                }
                .into(),
            ),
            (
                "regularizationRate".into(),
                number_text(c.regularization_rate),
            ),
            ("noise".into(), c.noise.to_string()),
            (
                "networkShape".into(),
                c.network_shape
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("seed".into(), seed),
            ("showTestData".into(), bool_text(self.show_test_data).into()),
            ("discretize".into(), bool_text(self.discretize).into()),
            ("percTrainData".into(), c.perc_train_data.to_string()),
        ];
        for f in FEATURE_KEY_ORDER {
            pairs.push((
                f.tfp_key().into(),
                bool_text(c.features.contains(&f)).into(),
            ));
        }
        let problem = if c.dataset.problem() == Problem::Regression {
            "regression"
        } else {
            "classification"
        };
        pairs.extend([
            ("collectStats".into(), "false".into()),
            ("problem".into(), problem.into()),
            ("initZero".into(), bool_text(c.init_zero).into()),
            ("hideText".into(), bool_text(self.hide_text).into()),
        ]);
        for name in self.hidden.iter().filter(|n| valid_control(n)) {
            pairs.push((format!("{name}_hide"), "true".into()));
        }
        if c.optimizer != Optimizer::Sgd {
            pairs.push(("optimizer".into(), c.optimizer.name().into()));
        }
        if let Some(loss) = c.loss {
            pairs.push(("loss".into(), loss_text(loss).into()));
        }
        let layers = 0..c.network_shape.len();
        if layers
            .clone()
            .any(|l| c.layer_activation(l) != c.activation)
        {
            let names: Vec<&str> = layers.map(|l| c.layer_activation(l).name()).collect();
            pairs.push(("layerActivations".into(), names.join(",")));
        }
        if c.dropout != 0.0 {
            pairs.push(("dropout".into(), number_text(c.dropout)));
        }
        if self.projector {
            pairs.push(("projector".into(), "true".into()));
        }
        if let Some(more) = self.more {
            pairs.push(("more".into(), bool_text(more).into()));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The short name we write for a loss (any of [`Loss`]'s names reads back).
fn loss_text(loss: Loss) -> &'static str {
    match loss {
        Loss::HalfSquaredError => "squared",
        Loss::BinaryCrossEntropy => "bce",
        Loss::SoftmaxCrossEntropy => "cross-entropy",
    }
}

/// JavaScript's `String(n)` for the values TFP uses: the shortest text that
/// reads back to the same `f32`, never with an exponent (Rust's `Display`).
fn number_text(v: f32) -> String {
    if v == 0.0 { "0".into() } else { v.to_string() }
}

/// Notes for the person, capped at [`MAX_NOTES`].
#[derive(Default)]
struct Notes {
    list: Vec<String>,
    dropped: usize,
}

impl Notes {
    /// Adds a note unless the same words are already there.
    fn push(&mut self, note: String) {
        if self.list.contains(&note) {
        } else if self.list.len() < MAX_NOTES {
            self.list.push(note);
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("… and {} more things ignored", self.dropped));
        }
        self.list
    }
}

/// `text` in double quotes, cut to [`ECHO_CHARS`] characters (then `…`),
/// with control and other invisible characters escaped, for a note.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for (i, ch) in text.chars().enumerate() {
        if i == ECHO_CHARS {
            out.push('…');
            break;
        }
        out.extend(ch.escape_debug());
    }
    out.push('"');
    out
}

/// Decodes `%XX` escapes and `+` (a space). A `%` not followed by two hex
/// digits stays as it is; bytes that are not UTF-8 become U+FFFD. The flag
/// says whether the bytes were valid UTF-8.
fn decode(text: &str) -> (String, bool) {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push((hi << 4) | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(s) => (s, true),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), false),
    }
}

/// `encodeURIComponent` without its `!'()*`: everything but ASCII letters,
/// digits and `-_.~` as `%XX`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A control name `<name>_hide` may hide: ASCII letters and digits only.
fn valid_control(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_CONTROL_CHARS
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The state keys of a hash: without the `#`, and without the Playground's
/// route (`#/` or `#/?`), which names the page and is no setting.
fn state_part(hash: &str) -> &str {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    let hash = hash.strip_prefix('/').unwrap_or(hash);
    hash.strip_prefix('?').unwrap_or(hash)
}

/// The hash split into known keys (last value wins) and hidden controls.
#[derive(Default)]
struct Raw {
    values: Vec<(&'static str, String)>,
    hidden: BTreeSet<String>,
}

impl Raw {
    fn split(hash: &str, notes: &mut Notes) -> Raw {
        let mut raw = Raw::default();
        for part in hash.split('&').filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                let (key, _) = decode(part);
                notes.push(format!("ignored {} (it has no value)", quoted(&key)));
                continue;
            };
            let (key, _) = decode(key);
            let (value, utf8) = decode(value);
            if !utf8 {
                notes.push(format!(
                    "{}: the value was not valid UTF-8; read it as {}",
                    quoted(&key),
                    quoted(&value)
                ));
            }
            if let Some(&known) = KNOWN_KEYS.iter().find(|k| **k == key.as_str()) {
                if let Some(slot) = raw.values.iter_mut().find(|(k, _)| *k == known) {
                    notes.push(format!(
                        "{known} was given more than once; the last value counts"
                    ));
                    slot.1 = value;
                } else {
                    raw.values.push((known, value));
                }
            } else if let Some(control) = key.strip_suffix("_hide") {
                raw.hide(control, &value, notes);
            } else if key.is_empty() {
                notes.push("ignored a setting with no name".into());
            } else {
                notes.push(format!("ignored unknown setting {}", quoted(&key)));
            }
        }
        raw
    }

    fn hide(&mut self, control: &str, value: &str, notes: &mut Notes) {
        if !valid_control(control) {
            notes.push(format!(
                "ignored {}: a control name is 1 to {MAX_CONTROL_CHARS} ASCII letters or digits",
                quoted(&format!("{control}_hide"))
            ));
            return;
        }
        match value {
            "true" => {
                if self.hidden.len() < MAX_HIDDEN || self.hidden.contains(control) {
                    self.hidden.insert(control.to_owned());
                } else {
                    notes.push(format!(
                        "at most {MAX_HIDDEN} controls can be hidden; ignored {}",
                        quoted(&format!("{control}_hide"))
                    ));
                }
            }
            "false" => {}
            _ => notes.push(format!(
                "{}: {} is not true or false; the control stays visible",
                quoted(&format!("{control}_hide")),
                quoted(value)
            )),
        }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    fn into_state(self, notes: &mut Notes) -> PageState {
        let mut s = PageState::default();
        let defaults = PlaygroundConfig::default();
        let c = &mut s.config;

        if let Some(v) = self.get("activation") {
            match v.parse::<Activation>() {
                Ok(a) => c.activation = a,
                Err(_) => notes.push(format!(
                    "activation: unknown function {}; using {}",
                    quoted(v),
                    defaults.activation.name()
                )),
            }
        }
        if let Some(v) = self.get("batchSize") {
            c.batch_size = int_setting(
                notes,
                "batchSize",
                v,
                *BATCH_SIZES.start() as u32,
                *BATCH_SIZES.end() as u32,
                defaults.batch_size as u32,
            ) as usize;
        }
        let problem = match self.get("problem") {
            None | Some("classification") => Problem::Classification,
            Some("regression") => Problem::Regression,
            Some(v) => {
                notes.push(format!(
                    "problem: {} is not classification or regression; using classification",
                    quoted(v)
                ));
                Problem::Classification
            }
        };
        let dataset = dataset_setting(notes, self.get("dataset"), false);
        let reg_dataset = dataset_setting(notes, self.get("regDataset"), true);
        (c.dataset, s.other_dataset) = if problem == Problem::Regression {
            (reg_dataset, dataset)
        } else {
            (dataset, reg_dataset)
        };
        if let Some(v) = self.get("learningRate") {
            c.learning_rate = rate_setting(
                notes,
                "learningRate",
                v,
                RateRange::Learning,
                defaults.learning_rate,
            );
        }
        if let Some(v) = self.get("regularization") {
            c.regularization = match v {
                "none" => None,
                _ => match v.parse::<Regularization>() {
                    Ok(r) => Some(r),
                    Err(_) => {
                        notes.push(format!(
                            "regularization: {} is not none, L1 or L2; using none",
                            quoted(v)
                        ));
                        None
                    }
                },
            };
        }
        if let Some(v) = self.get("regularizationRate") {
            c.regularization_rate = rate_setting(
                notes,
                "regularizationRate",
                v,
                RateRange::Regularization,
                defaults.regularization_rate,
            );
        }
        if let Some(v) = self.get("noise") {
            c.noise = int_setting(notes, "noise", v, 0, 50, defaults.noise);
        }
        if let Some(v) = self.get("networkShape") {
            c.network_shape = shape_setting(notes, v);
        }
        if let Some(v) = self.get("seed") {
            let kept: String = v.chars().take(MAX_SEED_CHARS).collect();
            if kept.is_empty() {
                notes.push("seed: empty; using 1".into());
            } else {
                if kept.len() < v.len() {
                    notes.push(format!(
                        "seed: longer than {MAX_SEED_CHARS} characters; kept the first {MAX_SEED_CHARS}"
                    ));
                }
                s.seed_text = kept;
            }
        }
        s.show_test_data = bool_setting(notes, &self, "showTestData", false);
        s.discretize = bool_setting(notes, &self, "discretize", false);
        if let Some(v) = self.get("percTrainData") {
            c.perc_train_data =
                int_setting(notes, "percTrainData", v, 10, 90, defaults.perc_train_data);
        }
        let mut features = Vec::new();
        for f in Feature::ALL {
            let default = defaults.features.contains(&f);
            if bool_setting(notes, &self, f.tfp_key(), default) {
                features.push(f);
            }
        }
        if features.is_empty() {
            notes.push("no input feature was on; using x and y".into());
            features = vec![Feature::X1, Feature::X2];
        }
        c.features = features;
        c.init_zero = bool_setting(notes, &self, "initZero", false);
        s.hide_text = bool_setting(notes, &self, "hideText", false);
        s.projector = bool_setting(notes, &self, "projector", false);
        if self.get("more").is_some() {
            s.more = Some(bool_setting(notes, &self, "more", true));
        }
        // `collectStats` and `tutorial` are TFP's and have no effect here.
        if let Some(v) = self.get("optimizer") {
            match v.parse::<Optimizer>() {
                Ok(o) => c.optimizer = o,
                Err(_) => notes.push(format!(
                    "optimizer: {} is not sgd, momentum or adam; using sgd",
                    quoted(v)
                )),
            }
        }
        if let Some(v) = self.get("loss") {
            match v.parse::<Loss>() {
                Ok(l) => c.loss = Some(l),
                Err(_) => notes.push(format!(
                    "loss: {} is not squared, bce or cross-entropy; using the usual loss for {}",
                    quoted(v),
                    c.dataset.name()
                )),
            }
        }
        if let Some(v) = self.get("layerActivations") {
            layer_activations_setting(notes, c, v);
        }
        if let Some(v) = self.get("dropout") {
            c.dropout = rate_setting(notes, "dropout", v, RateRange::Dropout, defaults.dropout);
        }
        if let (Some(loss), Err(why)) = (c.loss, c.validate()) {
            notes.push(format!(
                "loss: {} cannot train {} ({why}); using its usual loss",
                loss_text(loss),
                c.dataset.name()
            ));
            c.loss = None;
        }
        s.config.set_seed_text(&s.seed_text);
        s.hidden = self.hidden;
        if let Err(why) = s.config.validate() {
            // Unreachable by construction; the promise of a valid state
            // holds even if a new check in `validate` is not mirrored here.
            notes.push(format!("{why}; using the default settings"));
            return PageState::default();
        }
        s
    }
}

/// `layerActivations`: a comma list of activation names, one per hidden
/// layer (an empty list leaves every layer at `activation`). Unknown names
/// keep `activation` for that layer; names past the last layer are dropped.
fn layer_activations_setting(notes: &mut Notes, c: &mut PlaygroundConfig, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    let layers = c.network_shape.len();
    let items = text.split(',').count();
    if items > layers {
        notes.push(format!(
            "layerActivations: {items} activations for {layers} hidden layers; ignored the rest"
        ));
    }
    for (layer, item) in text.split(',').take(layers).enumerate() {
        match item.trim().parse::<Activation>() {
            Ok(a) => c.set_layer_activation(layer, a),
            Err(_) => notes.push(format!(
                "layerActivations: unknown function {} for layer {}; using {}",
                quoted(item),
                layer + 1,
                c.activation.name()
            )),
        }
    }
}

/// A boolean key: `true` or `false`, anything else gives `default`.
fn bool_setting(notes: &mut Notes, raw: &Raw, key: &str, default: bool) -> bool {
    match raw.get(key) {
        None => default,
        Some("true") => true,
        Some("false") => false,
        Some(v) => {
            notes.push(format!(
                "{key}: {} is not true or false; using {default}",
                quoted(v)
            ));
            default
        }
    }
}

/// `dataset` (classification and multi-class sets) or `regDataset`
/// (regression sets), defaulting to circle or reg-plane.
fn dataset_setting(notes: &mut Notes, value: Option<&str>, regression: bool) -> DatasetKind {
    let (key, default) = if regression {
        ("regDataset", DatasetKind::RegPlane)
    } else {
        ("dataset", DatasetKind::Circle)
    };
    let Some(v) = value else { return default };
    match v.parse::<DatasetKind>() {
        Ok(kind) if (kind.problem() == Problem::Regression) == regression => kind,
        Ok(kind) => {
            let other = if regression { "dataset" } else { "regDataset" };
            notes.push(format!(
                "{key}: {} belongs in {other}; using {}",
                kind.name(),
                default.name()
            ));
            default
        }
        Err(_) => {
            notes.push(format!(
                "{key}: unknown data set {}; using {}",
                quoted(v),
                default.name()
            ));
            default
        }
    }
}

/// A whole number in `lo..=hi`: unreadable or infinite values give
/// `default`, fractions round, the rest clamp.
fn int_setting(notes: &mut Notes, key: &str, text: &str, lo: u32, hi: u32, default: u32) -> u32 {
    match whole_number(text) {
        None => {
            notes.push(format!(
                "{key}: {} is not a number; using {default}",
                quoted(text)
            ));
            default
        }
        Some((v, rounded)) => {
            if rounded {
                notes.push(format!(
                    "{key}: {} is not a whole number; rounded it",
                    quoted(text)
                ));
            }
            clamp_int(notes, &format!("{key}:"), v, lo, hi)
        }
    }
}

/// `v` clamped to `lo..=hi`, with a note that starts with `subject` when
/// it moved.
fn clamp_int(notes: &mut Notes, subject: &str, v: f64, lo: u32, hi: u32) -> u32 {
    if v < f64::from(lo) || v > f64::from(hi) {
        let to = if v < f64::from(lo) { lo } else { hi };
        notes.push(format!(
            "{subject} {} is out of range ({lo} to {hi}); using {to}",
            short_number(v)
        ));
        to
    } else {
        v as u32
    }
}

/// A finite number rounded to a whole one, and whether rounding changed it.
fn whole_number(text: &str) -> Option<(f64, bool)> {
    let v: f64 = text.trim().parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    let r = v.round();
    Some((r, r != v))
}

/// A whole number for a note, huge ones with an exponent.
fn short_number(v: f64) -> String {
    if v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:e}")
    }
}

/// The range a rate may take.
#[derive(Clone, Copy)]
enum RateRange {
    /// Above 0 and at most 10; values at or below 0 become TFP's smallest
    /// menu value, 0.00001.
    Learning,
    /// 0 to 10.
    Regularization,
    /// 0 to [`MAX_DROPOUT`].
    Dropout,
}

/// A learning or regularisation rate: unreadable and non-finite values
/// give `default`, values out of range clamp, any other is kept.
fn rate_setting(notes: &mut Notes, key: &str, text: &str, range: RateRange, default: f32) -> f32 {
    let Ok(wide) = text.trim().parse::<f64>() else {
        notes.push(format!(
            "{key}: {} is not a number; using {}",
            quoted(text),
            number_text(default)
        ));
        return default;
    };
    if !wide.is_finite() {
        notes.push(format!(
            "{key}: {} is not a finite number; using {}",
            quoted(text),
            number_text(default)
        ));
        return default;
    }
    // The f32 comes from the text itself: casting the f64 would round twice.
    let v = text.trim().parse::<f32>().unwrap_or(wide as f32);
    let (too_low, low, range_text) = match range {
        RateRange::Learning => (v <= 0.0, MIN_LEARNING_RATE, "above 0, at most 10"),
        RateRange::Regularization => (wide < 0.0, 0.0, "0 to 10"),
        RateRange::Dropout => (wide < 0.0, 0.0, "0 to 0.9"),
    };
    let high = match range {
        RateRange::Learning => MAX_LEARNING_RATE,
        RateRange::Regularization => MAX_REGULARIZATION_RATE,
        RateRange::Dropout => MAX_DROPOUT,
    };
    // 0.9 is not an f32: the bound is the f32 nearest to it, as the text is.
    let too_high = match range {
        RateRange::Dropout => v > high,
        RateRange::Learning | RateRange::Regularization => wide > f64::from(high),
    };
    if too_low || too_high {
        let to = if too_low { low } else { high };
        notes.push(format!(
            "{key}: {} is out of range ({range_text}); using {}",
            quoted(text),
            number_text(to)
        ));
        return to;
    }
    if v == 0.0 { 0.0 } else { v }
}

/// `networkShape`: a comma list of layer widths, empty for none. Unreadable
/// items are dropped, widths clamp to `1..=MAX_NEURONS`, layers past
/// [`MAX_LAYERS`] are dropped.
fn shape_setting(notes: &mut Notes, text: &str) -> Vec<usize> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let items = text.split(',').count();
    if items > MAX_LAYERS {
        notes.push(format!(
            "networkShape: at most {MAX_LAYERS} hidden layers, not {items}; kept the first {MAX_LAYERS}"
        ));
    }
    let mut shape = Vec::new();
    for item in text.split(',').take(MAX_LAYERS) {
        match whole_number(item) {
            None => notes.push(format!(
                "networkShape: {} is not a number of neurons; dropped that layer",
                quoted(item)
            )),
            Some((v, rounded)) => {
                if rounded {
                    notes.push(format!(
                        "networkShape: {} is not a whole number; rounded it",
                        quoted(item)
                    ));
                }
                let subject = "networkShape: a layer of";
                let n = clamp_int(notes, subject, v, 1, MAX_NEURONS as u32);
                shape.push(n as usize);
            }
        }
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(hash: &str) -> (PageState, Vec<String>) {
        let (s, notes) = PageState::from_hash(hash);
        assert!(s.config.validate().is_ok(), "{hash}: {:?}", s.config);
        (s, notes)
    }

    fn round_trips(s: &PageState) {
        let hash = s.to_hash();
        let (back, notes) = PageState::from_hash(&hash);
        assert_eq!(&back, s, "{hash}");
        assert!(notes.is_empty(), "{hash}: {notes:?}");
    }

    #[test]
    fn seed_text_is_a_number_or_its_fnv_hash() {
        assert_eq!(seed_from_text("7"), 7);
        assert_eq!(seed_from_text("007"), 7);
        assert_eq!(seed_from_text("1"), PlaygroundConfig::default().seed);
        assert_eq!(seed_from_text("18446744073709551615"), u64::MAX);
        // FNV-1a 64 reference values.
        assert_eq!(seed_from_text(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(seed_from_text("a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(seed_from_text("0.12345"), seed_from_text("0.12346"));
        assert_ne!(seed_from_text("+7"), 7);
        assert_ne!(seed_from_text("18446744073709551616"), 0);
    }

    #[test]
    fn default_state_is_tfps_and_round_trips() {
        let s = PageState::default();
        assert_eq!(s.config, PlaygroundConfig::default());
        assert_eq!(s.config.seed, seed_from_text(&s.seed_text));
        assert_eq!(
            s.to_hash(),
            "activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&\
             learningRate=0.03&regularization=none&regularizationRate=0&noise=0&\
             networkShape=4,2&seed=1&showTestData=false&discretize=false&\
             percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&\
             ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&\
             collectStats=false&problem=classification&initZero=false&hideText=false"
        );
        round_trips(&s);
        assert_eq!(PageState::from_hash(""), (s.clone(), vec![]));
        assert_eq!(PageState::from_hash("#"), (s.clone(), vec![]));
        // The Playground's route is no setting.
        assert_eq!(PageState::from_hash("#/"), (s.clone(), vec![]));
        assert_eq!(PageState::from_hash("#/?"), (s, vec![]));
    }

    #[test]
    fn settings_after_the_route_apply() {
        for hash in [
            "#/?learningRate=0.1",
            "#/learningRate=0.1",
            "#?learningRate=0.1",
        ] {
            let (s, notes) = parse(hash);
            assert_eq!(s.config.learning_rate, 0.1, "{hash}");
            assert!(notes.is_empty(), "{hash}: {notes:?}");
        }
    }

    #[test]
    fn varied_states_round_trip() {
        let mut regression = PageState::default();
        regression.config.dataset = DatasetKind::RegGauss;
        regression.other_dataset = DatasetKind::Spiral;
        regression.config.network_shape = vec![];
        regression.config.learning_rate = 0.00001;
        regression.config.regularization = Some(Regularization::L1);
        regression.config.regularization_rate = 0.003;
        regression.set_seed_text("0.12345");
        regression.show_test_data = true;
        regression.hidden = ["dataset".to_string(), "learningRate".to_string()].into();
        round_trips(&regression);
        assert!(
            regression
                .to_hash()
                .contains("dataset=spiral&regDataset=reg-gauss")
        );
        assert!(regression.to_hash().contains("problem=regression"));
        assert!(regression.to_hash().contains("learningRate=0.00001&"));
        assert!(regression.to_hash().contains("networkShape=&"));

        let mut multi = PageState::default();
        multi.config.dataset = DatasetKind::Blobs4;
        multi.other_dataset = DatasetKind::RegGauss;
        multi.config.features = Feature::ALL.to_vec();
        multi.config.network_shape = vec![32; MAX_LAYERS];
        multi.config.activation = Activation::Gelu;
        multi.config.optimizer = Optimizer::ADAM;
        multi.config.loss = Some(Loss::SoftmaxCrossEntropy);
        multi.config.learning_rate = 10.0;
        multi.config.regularization = Some(Regularization::L2);
        multi.config.regularization_rate = 10.0;
        multi.config.noise = 50;
        multi.config.perc_train_data = 90;
        multi.config.batch_size = 30;
        multi.config.init_zero = true;
        multi.discretize = true;
        multi.hide_text = true;
        multi.config.dropout = MAX_DROPOUT;
        multi.set_seed_text("héllo wörld & friends=1%");
        round_trips(&multi);
        let hash = multi.to_hash();
        assert!(
            hash.ends_with("&optimizer=adam&loss=cross-entropy&dropout=0.9"),
            "{hash}"
        );

        let mut bce = PageState::default();
        bce.config.dataset = DatasetKind::Xor;
        bce.config.loss = Some(Loss::BinaryCrossEntropy);
        bce.config.optimizer = Optimizer::MOMENTUM;
        bce.config.activation = Activation::LeakyRelu;
        bce.config.learning_rate = 0.1234567;
        round_trips(&bce);
    }

    #[test]
    fn projector_mode_and_the_extras_row_are_in_the_link() {
        let mut s = PageState {
            projector: true,
            more: Some(true),
            ..Default::default()
        };
        round_trips(&s);
        assert!(
            s.to_hash().ends_with("&projector=true&more=true"),
            "{}",
            s.to_hash()
        );
        s.projector = false;
        s.more = Some(false);
        round_trips(&s);
        assert!(s.to_hash().ends_with("&hideText=false&more=false"));
        // Neither is written when it is the default.
        assert!(!PageState::default().to_hash().contains("projector"));
        assert!(!PageState::default().to_hash().contains("more"));
        let (s, notes) = PageState::from_hash("#projector=yes&more=maybe");
        assert!(!s.projector && s.more == Some(true));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn layer_activations_round_trip_and_stay_out_of_plain_links() {
        let mut s = PageState::default();
        s.config.network_shape = vec![4, 3, 2];
        s.config.set_layer_activation(1, Activation::Relu);
        round_trips(&s);
        let hash = s.to_hash();
        assert!(hash.ends_with("&layerActivations=tanh,relu,tanh"), "{hash}");
        // Every layer differing, with an extra key before it.
        s.config.set_activation(Activation::Sigmoid);
        s.config.optimizer = Optimizer::ADAM;
        for (l, a) in [Activation::Sine, Activation::Gelu, Activation::LeakyRelu]
            .into_iter()
            .enumerate()
        {
            s.config.set_layer_activation(l, a);
        }
        round_trips(&s);
        assert!(
            s.to_hash()
                .ends_with("&optimizer=adam&layerActivations=sine,gelu,leakyrelu"),
            "{}",
            s.to_hash()
        );
        // Layers that all use the global activation write nothing.
        let (plain, notes) = parse("activation=relu&networkShape=4,2&layerActivations=relu,relu");
        assert!(notes.is_empty(), "{notes:?}");
        assert!(plain.config.layer_activations.is_empty());
        assert!(!plain.to_hash().contains("layerActivations"));
        // A TFP link has no such key, and an empty value is no change.
        let (tfp, notes) = parse("activation=relu&networkShape=4,2&layerActivations=");
        assert!(notes.is_empty() && tfp.config.layer_activations.is_empty());
    }

    #[test]
    fn bad_layer_activations_are_repaired_with_a_note() {
        let (s, notes) = parse("networkShape=4,2&layerActivations=relu,softplus,sine");
        assert_eq!(s.config.layer_activations, vec![Activation::Relu]);
        assert_eq!(
            notes,
            vec![
                "layerActivations: 3 activations for 2 hidden layers; ignored the rest",
                "layerActivations: unknown function \"softplus\" for layer 2; using tanh",
            ]
        );
        let (s, notes) = parse("networkShape=&layerActivations=relu");
        assert!(s.config.layer_activations.is_empty());
        assert_eq!(notes.len(), 1, "{notes:?}");
        let (s, notes) = parse("networkShape=3,3&layerActivations=%3Cscript%3E,,relu");
        assert!(s.config.layer_activations.is_empty());
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[1].contains("\"<script>\" for layer 1"), "{notes:?}");
        // The global activation comes first whatever the key order.
        let (s, _) = parse("layerActivations=relu,tanh&activation=relu&networkShape=2,2");
        assert_eq!(s.config.layer_activation(1), Activation::Tanh);
        assert_eq!(s.config.layer_activation(0), Activation::Relu);
        round_trips(&s);
    }

    #[test]
    fn dropout_round_trips_and_stays_out_of_plain_links() {
        assert!(!PageState::default().to_hash().contains("dropout"));
        for rate in [0.1, 0.2, 0.3, 0.5, 0.25, 0.9] {
            let mut s = PageState::default();
            s.config.dropout = rate;
            round_trips(&s);
            assert!(
                s.to_hash().ends_with(&format!("&dropout={rate}")),
                "{}",
                s.to_hash()
            );
        }
        let (s, notes) = parse("dropout=0.2&networkShape=8,8");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(s.config.dropout, 0.2);
        let (s, notes) = parse("dropout=0");
        assert!(notes.is_empty() && s.config.dropout == 0.0);
    }

    #[test]
    fn bad_dropout_is_repaired_with_a_note() {
        for (hash, rate, note) in [
            (
                "dropout=NaN",
                0.0,
                "dropout: \"NaN\" is not a finite number; using 0",
            ),
            (
                "dropout=half",
                0.0,
                "dropout: \"half\" is not a number; using 0",
            ),
            (
                "dropout=1",
                MAX_DROPOUT,
                "dropout: \"1\" is out of range (0 to 0.9); using 0.9",
            ),
            (
                "dropout=-0.2",
                0.0,
                "dropout: \"-0.2\" is out of range (0 to 0.9); using 0",
            ),
            (
                "dropout=%3Cscript%3E",
                0.0,
                "dropout: \"<script>\" is not a number; using 0",
            ),
        ] {
            let (s, notes) = parse(hash);
            assert_eq!(s.config.dropout, rate, "{hash}");
            assert_eq!(notes, vec![note], "{hash}");
            round_trips(&s);
        }
    }

    #[test]
    fn a_seed_that_disagrees_with_its_text_is_written_as_the_number() {
        let mut s = PageState::default();
        s.config.seed = 42;
        let (back, notes) = PageState::from_hash(&s.to_hash());
        assert!(notes.is_empty());
        assert_eq!((back.config.seed, back.seed_text.as_str()), (42, "42"));
    }

    #[test]
    fn a_tfp_seed_rides_in_the_config_and_its_newest_text_is_written() {
        let (mut s, notes) = parse("seed=0.12345&dataset=circle");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(s.config.seed_source(), SeedSource::Tfp("0.12345"));
        round_trips(&s);
        // The page draws the next seed into the config (TFP's data change).
        s.config.set_seed_text("0.62930");
        assert!(s.to_hash().contains("&seed=0.62930&"), "{}", s.to_hash());
        assert_eq!(seed_from_text("0.62930"), s.config.seed);
        // A number seed set since is written as the number.
        s.config.seed = 5;
        assert!(s.to_hash().contains("&seed=5&"), "{}", s.to_hash());
        let (back, _) = PageState::from_hash(&s.to_hash());
        assert_eq!(back.config.seed_source(), SeedSource::Pcg(5));
        // Integer seeds stay ours.
        let (s, _) = parse("seed=7");
        assert_eq!(s.config.seed_source(), SeedSource::Pcg(7));
        assert_eq!(s.config.tfp_seed, None);
    }

    #[test]
    fn the_issue_example_sets_every_field() {
        let (s, notes) = parse(
            "activation=relu&batchSize=10&dataset=spiral&learningRate=0.03&\
             networkShape=8,8,5&seed=0.12345&percTrainData=50&x=true&y=true&\
             sinX=true&sinY=true&problem=classification",
        );
        assert!(notes.is_empty(), "{notes:?}");
        let c = &s.config;
        assert_eq!(c.activation, Activation::Relu);
        assert_eq!(c.batch_size, 10);
        assert_eq!(c.dataset, DatasetKind::Spiral);
        assert_eq!(c.learning_rate, 0.03);
        assert_eq!(c.network_shape, vec![8, 8, 5]);
        assert_eq!(s.seed_text, "0.12345");
        assert_eq!(c.seed, seed_from_text("0.12345"));
        assert_eq!(c.perc_train_data, 50);
        assert_eq!(
            c.features,
            vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2]
        );
        assert_eq!(c.dataset.problem(), Problem::Classification);
        assert_eq!(s.other_dataset, DatasetKind::RegPlane);
    }

    #[test]
    fn tfps_full_default_hash_loads_without_notes() {
        let (s, notes) = parse(
            "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&\
             learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&\
             seed=0.61427&showTestData=false&discretize=false&percTrainData=50&\
             x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&\
             sinX=false&cosY=false&sinY=false&collectStats=false&\
             problem=classification&initZero=false&hideText=false",
        );
        assert!(notes.is_empty(), "{notes:?}");
        let mut expected = PageState::default();
        expected.set_seed_text("0.61427");
        assert_eq!(s, expected);
    }

    #[test]
    fn problem_picks_the_data_set_and_both_are_remembered() {
        let (s, notes) = parse("dataset=xor&regDataset=reg-gauss&problem=regression");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            (s.config.dataset, s.other_dataset),
            (DatasetKind::RegGauss, DatasetKind::Xor)
        );
        let (s, _) = parse("problem=regression");
        assert_eq!(s.config.dataset, DatasetKind::RegPlane);
        let (s, notes) = parse("dataset=spiral3");
        assert!(notes.is_empty());
        assert_eq!(s.config.dataset, DatasetKind::Spiral3);
        let (s, notes) = parse("dataset=reg-gauss&regDataset=circle&problem=maybe");
        assert_eq!(s.config.dataset, DatasetKind::Circle);
        assert_eq!(s.other_dataset, DatasetKind::RegPlane);
        assert_eq!(
            notes,
            vec![
                "problem: \"maybe\" is not classification or regression; using classification",
                "dataset: reg-gauss belongs in regDataset; using circle",
                "regDataset: circle belongs in dataset; using reg-plane",
            ]
        );
    }

    #[test]
    fn out_of_range_numbers_clamp_with_a_note() {
        let (s, notes) = parse("networkShape=999,999");
        assert_eq!(s.config.network_shape, vec![32, 32]);
        assert_eq!(
            notes,
            vec!["networkShape: a layer of 999 is out of range (1 to 32); using 32"]
        );
        let (s, notes) = parse("noise=-5&percTrainData=95&batchSize=0");
        assert_eq!(
            (
                s.config.noise,
                s.config.perc_train_data,
                s.config.batch_size
            ),
            (0, 90, 1)
        );
        assert_eq!(
            notes,
            vec![
                "batchSize: 0 is out of range (1 to 30); using 1",
                "noise: -5 is out of range (0 to 50); using 0",
                "percTrainData: 95 is out of range (10 to 90); using 90",
            ]
        );
        let (s, notes) = parse("learningRate=0&regularizationRate=11");
        assert_eq!(s.config.learning_rate, MIN_LEARNING_RATE);
        assert_eq!(s.config.regularization_rate, 10.0);
        assert_eq!(
            notes,
            vec![
                "learningRate: \"0\" is out of range (above 0, at most 10); using 0.00001",
                "regularizationRate: \"11\" is out of range (0 to 10); using 10",
            ]
        );
        let (s, notes) = parse("learningRate=1e-60&batchSize=1e300&noise=2.5");
        assert_eq!(s.config.learning_rate, MIN_LEARNING_RATE);
        assert_eq!(s.config.batch_size, 30);
        assert_eq!(s.config.noise, 3);
        assert_eq!(
            notes,
            vec![
                "batchSize: 1e300 is out of range (1 to 30); using 30",
                "learningRate: \"1e-60\" is out of range (above 0, at most 10); using 0.00001",
                "noise: \"2.5\" is not a whole number; rounded it",
            ]
        );
        // Any finite value in range is kept as it is.
        let (s, notes) = parse("learningRate=0.000001&regularizationRate=0.5");
        assert!(notes.is_empty());
        assert_eq!(s.config.learning_rate, 0.000001);
        assert_eq!(s.config.regularization_rate, 0.5);
    }

    #[test]
    fn unreadable_values_fall_back_to_the_default() {
        let (s, notes) = parse("learningRate=NaN&regularizationRate=inf&batchSize=ten&x=maybe");
        assert_eq!(s.config.learning_rate, 0.03);
        assert_eq!(s.config.regularization_rate, 0.0);
        assert_eq!(s.config.batch_size, 10);
        assert_eq!(s.config.features, vec![Feature::X1, Feature::X2]);
        assert_eq!(
            notes,
            vec![
                "batchSize: \"ten\" is not a number; using 10",
                "learningRate: \"NaN\" is not a finite number; using 0.03",
                "regularizationRate: \"inf\" is not a finite number; using 0",
                "x: \"maybe\" is not true or false; using true",
            ]
        );
        let (s, notes) =
            parse("activation=softplus&regularization=L3&optimizer=rmsprop&loss=hinge");
        assert_eq!(s.config, PlaygroundConfig::default());
        assert_eq!(notes.len(), 4, "{notes:?}");
        assert!(notes[0].starts_with("activation: unknown function \"softplus\""));
    }

    #[test]
    fn layers_beyond_ten_and_bad_widths() {
        let (s, notes) = parse("networkShape=1,2,3,4,5,6,7,8,9,10,11,12");
        assert_eq!(s.config.network_shape, (1..=10).collect::<Vec<_>>());
        assert_eq!(
            notes,
            vec!["networkShape: at most 10 hidden layers, not 12; kept the first 10"]
        );
        let (s, notes) = parse("networkShape=4,,x,0,2.4");
        assert_eq!(s.config.network_shape, vec![4, 1, 2]);
        assert_eq!(notes.len(), 4, "{notes:?}");
        let (s, notes) = parse("networkShape=");
        assert!(notes.is_empty());
        assert!(s.config.network_shape.is_empty());
    }

    #[test]
    fn no_features_falls_back_to_x_and_y() {
        let (s, notes) = parse("x=false&y=false");
        assert_eq!(s.config.features, vec![Feature::X1, Feature::X2]);
        assert_eq!(notes, vec!["no input feature was on; using x and y"]);
        let (s, notes) = parse("x=false&cosY=true&xSquared=true");
        assert!(notes.is_empty());
        assert_eq!(
            s.config.features,
            vec![Feature::X2, Feature::X1Squared, Feature::CosX2]
        );
    }

    #[test]
    fn a_loss_that_cannot_train_the_data_set_gives_way() {
        let (s, notes) = parse("dataset=spiral3&loss=bce");
        assert_eq!(s.config.loss, None);
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].starts_with("loss: bce cannot train spiral3 ("),
            "{notes:?}"
        );
        let (s, notes) = parse("problem=regression&loss=cross-entropy");
        assert_eq!(s.config.loss, None);
        assert_eq!(notes.len(), 1);
        let (s, notes) = parse("dataset=circle&loss=cross-entropy&optimizer=momentum");
        assert!(notes.is_empty());
        assert_eq!(s.config.loss, Some(Loss::SoftmaxCrossEntropy));
        assert_eq!(s.config.optimizer, Optimizer::MOMENTUM);
    }

    #[test]
    fn hostile_keys_and_encodings() {
        let (_, notes) = parse("<script>alert(1)</script>=1");
        assert_eq!(
            notes,
            vec!["ignored unknown setting \"<script>alert(1)</script>\""]
        );
        let (s, notes) = parse("dataset=%E0%A4%A");
        assert_eq!(s.config.dataset, DatasetKind::Circle);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("not valid UTF-8"));
        assert!(notes[1].starts_with("dataset: unknown data set \"\u{fffd}%A\""));
        let (_, notes) = parse("&&&==");
        assert_eq!(notes, vec!["ignored a setting with no name"]);
        let (s, notes) = parse("seed=hello+world%21&foo");
        assert_eq!(s.seed_text, "hello world!");
        assert_eq!(notes, vec!["ignored \"foo\" (it has no value)"]);
        let (s, notes) = parse("%64ataset=xor&dataset=gauss");
        assert_eq!(s.config.dataset, DatasetKind::Gauss);
        assert_eq!(
            notes,
            vec!["dataset was given more than once; the last value counts"]
        );
    }

    #[test]
    fn long_values_are_cut_in_notes() {
        let long = "a".repeat(10_000);
        for key in [
            "dataset",
            "learningRate",
            "x",
            "noise",
            "networkShape",
            &long,
        ] {
            let (_, notes) = parse(&format!("{key}={long}"));
            assert_eq!(notes.len(), 1, "{key}: {notes:?}");
            assert!(notes[0].chars().count() < 140, "{}", notes[0]);
            assert!(notes[0].contains(&format!("{}…\"", "a".repeat(40))));
        }
        let (s, notes) = parse(&format!("seed={long}"));
        assert_eq!(s.seed_text.len(), MAX_SEED_CHARS);
        assert_eq!(notes.len(), 1);
        // The same note is given once; many different ones are counted.
        let (_, notes) = parse(&"zz=1&".repeat(5000));
        assert_eq!(notes, vec!["ignored unknown setting \"zz\""]);
        let many: String = (0..5000).map(|i| format!("z{i}=1&")).collect();
        let (_, notes) = parse(&many);
        assert_eq!(notes.len(), MAX_NOTES + 1);
        assert_eq!(notes[MAX_NOTES], "… and 4980 more things ignored");
        // Control characters are escaped, never passed through.
        let (_, notes) = parse("a%0Ab%1B=1");
        assert_eq!(notes, vec!["ignored unknown setting \"a\\nb\\u{1b}\""]);
    }

    #[test]
    fn hidden_controls() {
        let (s, notes) = parse(
            "dataset_hide=true&learningRate_hide=true&noise_hide=false&dataset_hide=true&\
             bad-name_hide=true&_hide=true&x_hide=maybe",
        );
        assert_eq!(
            s.hidden,
            ["dataset".to_string(), "learningRate".to_string()].into()
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].starts_with("ignored \"bad-name_hide\""));
        round_trips(&s);
        assert!(
            s.to_hash()
                .ends_with("hideText=false&dataset_hide=true&learningRate_hide=true")
        );
        let many: String = (0..100).map(|i| format!("c{i}_hide=true&")).collect();
        let (s, notes) = parse(&many);
        assert_eq!(s.hidden.len(), MAX_HIDDEN);
        assert_eq!(notes.len(), MAX_NOTES + 1);
        let long = format!("{}_hide=true", "a".repeat(41));
        assert_eq!(parse(&long).1.len(), 1);
    }

    #[test]
    fn numbers_are_written_like_javascript() {
        for (v, text) in [
            (0.03, "0.03"),
            (0.00001, "0.00001"),
            (0.0001, "0.0001"),
            (0.003, "0.003"),
            (0.3, "0.3"),
            (1.0, "1"),
            (3.0, "3"),
            (10.0, "10"),
            (0.0, "0"),
            (-0.0, "0"),
        ] {
            assert_eq!(number_text(v), text);
        }
    }

    #[test]
    fn encoding_round_trips_every_character() {
        let text = "a b+c&d=e%f#g/h?i\u{0}\u{7f}é😀~-_.";
        assert_eq!(decode(&encode(text)), (text.to_string(), true));
        assert_eq!(decode("%zz%4"), ("%zz%4".to_string(), true));
        assert!(!decode("%ff").1);
    }
}
