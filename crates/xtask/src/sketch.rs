//! The sketch-rnn commands: converting Magenta's models and the stroke
//! datasets into what `assets/sketch-rnn/` ships (`convert-sketch`,
//! `convert-strokes`), and sampling or checking a shipped model natively
//! (`sketch`), with the same code and seeds as the page.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use playnet_engine::Cpu;
use playnet_models::npz;
use playnet_sketch::dataset::{Split, StrokeData};
use playnet_sketch::format::{IndexEntry, ModelIndex, convert_magenta};
use playnet_sketch::{Decoder, STROKE5, Sampler, Stroke3, sample, svg};
use serde_json::{Value, json};

use crate::Flags;
use crate::util::{Error, Result, fail, workspace_root};

pub const CONVERT_SKETCH_HELP: &str = "\
usage: cargo xtask convert-sketch [--models DIR] [--out DIR]

Converts every Magenta decoder-only model (`<class>.gen.json`) in DIR into
the shipped format: `<class>.safetensors` (the weights by name, int16 as
Magenta stored them) and `<class>.json` (its description), plus
`index.json` listing the classes. The last line is one JSON object: models,
bytes (of the weights files).

options:
  --models DIR   Magenta's files    [../shared/data/sketch-rnn/models]
  --out DIR      where to write     [assets/sketch-rnn]";

pub const CONVERT_STROKES_HELP: &str = "\
usage: cargo xtask convert-strokes [--datasets DIR] [--out DIR]

Converts the sketch-rnn stroke datasets (omniglot.npz, short_kanji.npz: zips
of pickled numpy arrays) into flat `<name>.strokes` files the page and a
trainer read (the format is in playnet_sketch::dataset), and copies their
licence files beside them. The last line is one JSON object with each
dataset's sequences and rows per split.

options:
  --datasets DIR   the .npz files      [../shared/data/sketch-rnn/datasets]
  --out DIR        where to write      [assets/sketch-rnn]";

pub const SKETCH_HELP: &str = "\
usage: cargo xtask sketch --model NAME [options]
       cargo xtask sketch --reference FILE [--models DIR]

Samples candidates from a shipped sketch-rnn model natively: continuing
the strokes of FILE (stroke-3 rows [dx, dy, lift] in pixels, as JSON), or
from nothing. The last line is one JSON object: model, seed, temperature,
points (per candidate), ms_per_step (one batched step of all candidates).

With --reference, feeds the input of a reference file of Magenta's JS
(`reference/<model>.json`) through the shipped model and ends with
{\"max_abs_error\": …} over every value it records.

options:
  --model NAME        a class of assets/sketch-rnn/index.json (bird, …)
  --seed N            seeds the candidates                      [1]
  --temperature X     0.01–1                                    [0.25]
  --candidates N      1–9, drawn together as one batch          [4]
  --strokes FILE      stroke-3 JSON to continue      [draw from nothing]
  --svg DIR           write each candidate as DIR/<model>-<seed>-<i>.svg
  --reference FILE    check the model against Magenta's reference outputs
  --models DIR        the shipped models                 [assets/sketch-rnn]";

const DATASETS: [&str; 2] = ["omniglot", "short_kanji"];
const SPLITS: [&str; 3] = ["train", "valid", "test"];
const LICENCE_FILES: [(&str, &str); 2] = [
    ("omniglot-LICENSE", "omniglot-LICENSE"),
    ("kanji-README.md", "short_kanji-README.md"),
];

fn assets() -> PathBuf {
    workspace_root().join("assets/sketch-rnn")
}

fn shared(part: &str) -> PathBuf {
    workspace_root()
        .join("../shared/data/sketch-rnn")
        .join(part)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| fail!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| fail!("cannot write {}: {e}", path.display()))
}

fn dir_flag(flags: &mut Flags, name: &str, default: PathBuf) -> Result<PathBuf> {
    Ok(flags.value(name)?.map(PathBuf::from).unwrap_or(default))
}

/// `cargo xtask convert-sketch`.
pub fn convert_sketch(args: &[String]) -> Result<()> {
    let mut flags = Flags::new("convert-sketch", args);
    let models = dir_flag(&mut flags, "--models", shared("models"))?;
    let out = dir_flag(&mut flags, "--out", assets())?;
    flags.finish()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&models)
        .map_err(|e| fail!("cannot list {}: {e}", models.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".gen.json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(fail!("no *.gen.json models in {}", models.display()));
    }
    std::fs::create_dir_all(&out).map_err(|e| fail!("cannot create {}: {e}", out.display()))?;
    let mut index = ModelIndex { models: Vec::new() };
    let mut total = 0;
    for file in &files {
        let text = String::from_utf8(read(file)?)
            .map_err(|_| fail!("{} is not UTF-8 text", file.display()))?;
        let source = format!(
            "Magenta sketch-rnn (Google), trained on Quick, Draw! (CC BY 4.0); converted from {}",
            file.file_name().unwrap_or_default().to_string_lossy()
        );
        let converted =
            convert_magenta(&text, &source).map_err(|e| fail!("{}: {e}", file.display()))?;
        let name = converted.config.name.clone();
        // The conversion must be exact: the shipped file computes what the source does.
        let original = Decoder::from_magenta_json(Cpu, &text).map_err(|e| fail!("{name}: {e}"))?;
        let shipped = Decoder::from_safetensors(Cpu, &converted.config_json, &converted.weights)
            .map_err(|e| fail!("{name}: the converted file does not load: {e}"))?;
        let row = shipped.to_model([3.0, -2.0, 1.0, 0.0, 0.0], 1.0);
        let (_, a) = original
            .step_now(row, &original.zero_state())
            .map_err(|e| fail!("{e}"))?;
        let (_, b) = shipped
            .step_now(row, &shipped.zero_state())
            .map_err(|e| fail!("{e}"))?;
        if a != b {
            return Err(fail!("{name}: the converted model computes other numbers"));
        }
        let weights = format!("{name}.safetensors");
        write(&out.join(&weights), &converted.weights)?;
        write(
            &out.join(format!("{name}.json")),
            converted.config_json.as_bytes(),
        )?;
        println!(
            "{name:>10}: {} units, {} components, {} bytes",
            converted.config.hidden,
            converted.config.components,
            converted.weights.len()
        );
        total += converted.weights.len();
        index.models.push(IndexEntry {
            config: format!("{name}.json"),
            weights,
            bytes: converted.weights.len(),
            name,
        });
    }
    let text = serde_json::to_string_pretty(&index).map_err(|e| fail!("{e}"))?;
    write(&out.join("index.json"), format!("{text}\n").as_bytes())?;
    println!("{}", json!({"models": index.models.len(), "bytes": total}));
    Ok(())
}

/// `cargo xtask convert-strokes`.
pub fn convert_strokes(args: &[String]) -> Result<()> {
    let mut flags = Flags::new("convert-strokes", args);
    let datasets = dir_flag(&mut flags, "--datasets", shared("datasets"))?;
    let out = dir_flag(&mut flags, "--out", assets())?;
    flags.finish()?;
    std::fs::create_dir_all(&out).map_err(|e| fail!("cannot create {}: {e}", out.display()))?;
    let mut report = serde_json::Map::new();
    for name in DATASETS {
        let file = datasets.join(format!("{name}.npz"));
        let mut splits =
            npz::read_npz(&read(&file)?, &format!("{name}.npz")).map_err(|e| fail!("{e}"))?;
        // train, valid, test, whatever order the zip has them in.
        splits.sort_by_key(|(split, _)| {
            SPLITS
                .iter()
                .position(|s| s == split)
                .unwrap_or(SPLITS.len())
        });
        let data = StrokeData {
            splits: splits
                .iter()
                .map(|(split, sequences)| Split::new(split, sequences))
                .collect::<Result<_, _>>()
                .map_err(|e| fail!("{name}: {e}"))?,
        };
        let bytes = data.to_bytes();
        let target = out.join(format!("{name}.strokes"));
        write(&target, &bytes)?;
        let mut counts = serde_json::Map::new();
        for s in &data.splits {
            println!(
                "{name:>12} {:>6}: {:>6} sequences, {:>7} rows",
                s.name,
                s.len(),
                s.rows().len()
            );
            counts.insert(
                s.name.clone(),
                json!({"sequences": s.len(), "rows": s.rows().len()}),
            );
        }
        counts.insert("bytes".into(), json!(bytes.len()));
        report.insert(name.into(), Value::Object(counts));
    }
    for (from, to) in LICENCE_FILES {
        write(&out.join(to), &read(&datasets.join(from))?)?;
    }
    println!("{}", Value::Object(report));
    Ok(())
}

/// What `cargo xtask sketch` was asked to do.
#[derive(Debug, PartialEq)]
enum Sketch {
    Sample {
        model: String,
        seed: u64,
        temperature: f32,
        candidates: usize,
        strokes: Option<PathBuf>,
        svg: Option<PathBuf>,
        models: PathBuf,
    },
    Reference {
        file: PathBuf,
        models: PathBuf,
    },
}

fn parse(args: &[String]) -> Result<Sketch> {
    let mut flags = Flags::new("sketch", args);
    let models = dir_flag(&mut flags, "--models", assets())?;
    if let Some(file) = flags.value("--reference")? {
        flags.finish().map_err(|e| match e {
            Error::Usage(msg) => Error::Usage(format!("{msg} (--reference takes only --models)")),
            other => other,
        })?;
        return Ok(Sketch::Reference {
            file: file.into(),
            models,
        });
    }
    let model = flags
        .value("--model")?
        .ok_or_else(|| Error::Usage("--model NAME (or --reference FILE) is required".into()))?;
    let seed = match flags.value("--seed")? {
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| Error::Usage(format!("--seed wants a whole number, got `{v}`")))?,
        None => 1,
    };
    let temperature = match flags.value("--temperature")? {
        Some(v) => v
            .parse::<f32>()
            .ok()
            .filter(|t| (sample::MIN_TEMPERATURE..=sample::MAX_TEMPERATURE).contains(t))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--temperature wants a number from 0.01 to 1, got `{v}`"
                ))
            })?,
        None => 0.25,
    };
    let candidates = match flags.value("--candidates")? {
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=sample::MAX_CANDIDATES).contains(n))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--candidates wants a whole number from 1 to {}, got `{v}`",
                    sample::MAX_CANDIDATES
                ))
            })?,
        None => 4,
    };
    let strokes = flags.value("--strokes")?.map(PathBuf::from);
    let svg = flags.value("--svg")?.map(PathBuf::from);
    flags.finish()?;
    Ok(Sketch::Sample {
        model,
        seed,
        temperature,
        candidates,
        strokes,
        svg,
        models,
    })
}

/// Loads a shipped model by name.
fn load(models: &Path, name: &str) -> Result<Decoder<Cpu>> {
    let index_path = models.join("index.json");
    let index: ModelIndex = serde_json::from_slice(&read(&index_path)?)
        .map_err(|e| fail!("{}: {e}", index_path.display()))?;
    let entry = index
        .models
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| {
            let known: Vec<&str> = index.models.iter().map(|m| m.name.as_str()).collect();
            Error::Usage(format!(
                "unknown model `{name}`; the models are {}",
                known.join(", ")
            ))
        })?;
    let config = String::from_utf8(read(&models.join(&entry.config))?)
        .map_err(|_| fail!("{} is not UTF-8", entry.config))?;
    Decoder::from_safetensors(Cpu, &config, &read(&models.join(&entry.weights))?)
        .map_err(|e| fail!("{name}: {e}"))
}

/// `cargo xtask sketch`.
pub fn run(args: &[String]) -> Result<()> {
    match parse(args)? {
        Sketch::Reference { file, models } => reference(&file, &models),
        Sketch::Sample {
            model,
            seed,
            temperature,
            candidates,
            strokes,
            svg: svg_dir,
            models,
        } => {
            let decoder = Arc::new(load(&models, &model)?);
            let user: Vec<Stroke3> = match &strokes {
                Some(path) => serde_json::from_slice(&read(path)?).map_err(|e| {
                    fail!(
                        "{}: not stroke-3 JSON ([[dx, dy, lift], …]): {e}",
                        path.display()
                    )
                })?,
                None => Vec::new(),
            };
            let started = Instant::now();
            let mut sampler = Sampler::new(decoder.clone(), &user, seed, temperature, candidates)
                .map_err(|e| fail!("{e}"))?;
            let conditioned = started.elapsed();
            let mut steps = 0;
            while !sampler.all_done() {
                sampler.advance_now(1).map_err(|e| fail!("{e}"))?;
                steps += 1;
            }
            let sampling = started.elapsed() - conditioned;
            let points: Vec<usize> = (0..candidates).map(|i| sampler.points(i).len()).collect();
            for (i, n) in points.iter().enumerate() {
                let end = sampler.points(i).last().map(|p| p.pen);
                println!(
                    "candidate {i}: {n} points, ends {end:?}, {} repaired",
                    sampler.repaired(i)
                );
            }
            if sampler.truncated() {
                println!(
                    "the strokes were longer than {} rows: only the last ones were read",
                    decoder.info().max_seq_len
                );
            }
            if let Some(dir) = svg_dir {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| fail!("cannot create {}: {e}", dir.display()))?;
                for i in 0..candidates {
                    let path = dir.join(format!("{model}-{seed}-{i}.svg"));
                    write(&path, svg::write(&user, sampler.strokes(i), 2.0).as_bytes())?;
                    println!("wrote {}", path.display());
                }
            }
            let ms_per_step = sampling.as_secs_f64() * 1e3 / steps.max(1) as f64;
            println!(
                "{}",
                json!({
                    "model": model,
                    "seed": seed,
                    "temperature": temperature,
                    "candidates": candidates,
                    "points": points,
                    "steps": steps,
                    "ms_per_step": (ms_per_step * 1000.0).round() / 1000.0,
                    "conditioning_ms": (conditioned.as_secs_f64() * 1e4).round() / 10.0,
                })
            );
            Ok(())
        }
    }
}

fn floats(v: &Value, what: &str) -> Result<Vec<f32>> {
    v.as_array()
        .ok_or_else(|| fail!("the reference's {what} is not an array"))?
        .iter()
        .map(|x| {
            x.as_f64()
                .map(|f| f as f32)
                .ok_or_else(|| fail!("a non-number in {what}"))
        })
        .collect()
}

fn number(v: &Value, what: &str) -> Result<f32> {
    v.as_f64()
        .map(|f| f as f32)
        .ok_or_else(|| fail!("the reference's {what} is not a number"))
}

/// The largest difference, and where.
#[derive(Default)]
struct Worst {
    error: f32,
    at: String,
    values: usize,
}

impl Worst {
    fn compare(&mut self, got: &[f32], want: &[f32], what: &str) -> Result<()> {
        if got.len() != want.len() {
            return Err(fail!(
                "{what}: {} values, the reference has {}",
                got.len(),
                want.len()
            ));
        }
        for (g, w) in got.iter().zip(want) {
            let e = (g - w).abs();
            // NaN counts as the worst error there is.
            if e.is_nan() || e > self.error {
                self.error = if e.is_nan() { f32::INFINITY } else { e };
                self.at = what.to_string();
            }
        }
        self.values += got.len();
        Ok(())
    }
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

/// `cargo xtask sketch --reference FILE`.
fn reference(file: &Path, models: &Path) -> Result<()> {
    let r: Value =
        serde_json::from_slice(&read(file)?).map_err(|e| fail!("{}: {e}", file.display()))?;
    let name = r["model"]
        .as_str()
        .ok_or_else(|| fail!("{}: no \"model\"", file.display()))?;
    let decoder = load(models, name)?;
    let pixel_factor = number(&r["conventions"]["pixel_factor"], "pixel_factor")?;
    let rows = r["input"]["stroke5_pixels"]
        .as_array()
        .ok_or_else(|| fail!("the reference has no input.stroke5_pixels"))?;
    let steps = r["steps"]
        .as_array()
        .ok_or_else(|| fail!("the reference has no steps"))?;
    if rows.len() != steps.len() {
        return Err(fail!("{} input rows for {} steps", rows.len(), steps.len()));
    }
    let mut worst = Worst::default();
    let mut state = decoder.zero_state();
    for (t, (row, step)) in rows.iter().zip(steps).enumerate() {
        let row: [f32; STROKE5] = floats(row, "input row")?
            .try_into()
            .map_err(|_| fail!("input row {t} is not 5 numbers"))?;
        let (next, raw) = decoder
            .step_now(decoder.to_model(row, pixel_factor), &state)
            .map_err(|e| fail!("{e}"))?;
        let (h, c) = (next.h.buffer().to_vec(), next.c.buffer().to_vec());
        let at = |what: &str| format!("steps[{t}].{what}");
        worst.compare(
            &h[..8],
            &floats(&step["h_first8"], "h_first8")?,
            &at("h_first8"),
        )?;
        worst.compare(
            &c[..8],
            &floats(&step["c_first8"], "c_first8")?,
            &at("c_first8"),
        )?;
        worst.compare(
            &[norm(&h)],
            &[number(&step["h_norm"], "h_norm")?],
            &at("h_norm"),
        )?;
        worst.compare(
            &[norm(&c)],
            &[number(&step["c_norm"], "c_norm")?],
            &at("c_norm"),
        )?;
        worst.compare(&raw, &floats(&step["raw"], "raw")?, &at("raw"))?;
        let pdfs = step["pdf"]
            .as_array()
            .ok_or_else(|| fail!("steps[{t}] has no pdf"))?;
        for (k, pdf) in pdfs.iter().enumerate() {
            let temperature = number(&pdf["temperature"], "temperature")?;
            let m = decoder
                .mixture(&raw, temperature)
                .map_err(|e| fail!("{e}"))?;
            let sigma_y = floats(&pdf["sigma_y"], "sigma_y")?;
            // The JS's sigmaY holds 43 values (a slice quirk): the first 20 count.
            let fields: [(&str, &[f32], Vec<f32>); 7] = [
                ("pi", &m.pi, floats(&pdf["pi"], "pi")?),
                ("mu_x", &m.mu_x, floats(&pdf["mu_x"], "mu_x")?),
                ("mu_y", &m.mu_y, floats(&pdf["mu_y"], "mu_y")?),
                ("sigma_x", &m.sigma_x, floats(&pdf["sigma_x"], "sigma_x")?),
                (
                    "sigma_y",
                    &m.sigma_y,
                    sigma_y.get(..m.sigma_y.len()).unwrap_or(&sigma_y).to_vec(),
                ),
                ("rho", &m.rho, floats(&pdf["rho"], "rho")?),
                ("pen", &m.pen, floats(&pdf["pen"], "pen")?),
            ];
            for (field, got, want) in fields {
                worst.compare(got, &want, &at(&format!("pdf[{k}].{field}")))?;
            }
        }
        state = next;
    }
    let last = &r["state_final"];
    worst.compare(
        state.h.buffer(),
        &floats(&last["h"], "state_final.h")?,
        "state_final.h",
    )?;
    worst.compare(
        state.c.buffer(),
        &floats(&last["c"], "state_final.c")?,
        "state_final.c",
    )?;
    println!(
        "{name}: {} values over {} steps, largest difference at {}",
        worst.values,
        steps.len(),
        worst.at
    );
    println!(
        "{}",
        json!({"model": name, "values": worst.values, "worst_at": worst.at, "max_abs_error": worst.error})
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn sampling_flags_have_defaults_and_ranges() {
        match parse(&args("--model bird")).unwrap() {
            Sketch::Sample {
                model,
                seed,
                temperature,
                candidates,
                strokes,
                svg,
                models,
            } => {
                assert_eq!(
                    (model.as_str(), seed, temperature, candidates),
                    ("bird", 1, 0.25, 4)
                );
                assert_eq!((strokes, svg), (None, None));
                assert!(models.ends_with("assets/sketch-rnn"));
            }
            other => panic!("{other:?}"),
        }
        let got = parse(&args(
            "--model dog --seed 7 --temperature 0.5 --candidates 9 --strokes s.json --svg out",
        ))
        .unwrap();
        assert!(matches!(
            got,
            Sketch::Sample { seed: 7, candidates: 9, ref strokes, ref svg, .. }
                if strokes.as_deref() == Some(Path::new("s.json")) && svg.as_deref() == Some(Path::new("out"))
        ));
        for (bad, needle) in [
            ("", "--model NAME (or --reference FILE) is required"),
            (
                "--model bird --temperature 0",
                "--temperature wants a number from 0.01 to 1",
            ),
            ("--model bird --temperature 1.5", "got `1.5`"),
            ("--model bird --temperature warm", "got `warm`"),
            (
                "--model bird --candidates 0",
                "--candidates wants a whole number from 1 to 9",
            ),
            ("--model bird --candidates 10", "got `10`"),
            ("--model bird --seed -1", "--seed wants a whole number"),
            ("--model bird --seed 1 --seed 2", "more than once"),
            (
                "--model bird --frobnicate",
                "unknown argument `--frobnicate`",
            ),
            ("--model", "needs a value"),
            (
                "--reference r.json --seed 3",
                "--reference takes only --models",
            ),
        ] {
            match parse(&args(bad)) {
                Err(Error::Usage(msg)) => assert!(msg.contains(needle), "{bad}: {msg}"),
                other => panic!("{bad}: expected a usage error, got {other:?}"),
            }
        }
    }

    #[test]
    fn the_reference_mode_takes_a_file_and_the_models() {
        assert_eq!(
            parse(&args("--reference r.json --models m")).unwrap(),
            Sketch::Reference {
                file: "r.json".into(),
                models: "m".into()
            }
        );
    }

    #[test]
    fn an_unknown_model_is_a_usage_error_naming_the_models() {
        match load(&assets(), "unicorn") {
            Err(Error::Usage(msg)) => {
                assert!(
                    msg.contains("unknown model `unicorn`") && msg.contains("bird"),
                    "{msg}"
                )
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("a unicorn loaded"),
        }
    }

    #[test]
    fn the_converter_flags_are_checked() {
        for (command, f) in [
            (
                "convert-sketch",
                convert_sketch as fn(&[String]) -> Result<()>,
            ),
            ("convert-strokes", convert_strokes),
        ] {
            match f(&args("--bogus")) {
                Err(Error::Usage(msg)) => assert!(msg.contains(command), "{msg}"),
                other => panic!("{command}: {other:?}"),
            }
        }
        // A folder with no models is refused before anything is written.
        let empty = std::env::temp_dir().join("playnet-no-models");
        std::fs::create_dir_all(&empty).unwrap();
        let err = convert_sketch(&[
            "--models".into(),
            empty.display().to_string(),
            "--out".into(),
            empty.join("out").display().to_string(),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("no *.gen.json models"), "{err}");
    }
}

/// Against the real `.npz` files, where a copy of the shared data sits
/// beside the checkout (it does on developers' machines and in CI).
#[cfg(test)]
mod real_data {
    use super::*;

    fn datasets() -> Option<PathBuf> {
        let dir = shared("datasets");
        if dir.join("omniglot.npz").is_file() {
            Some(dir)
        } else {
            eprintln!("skipped: no {} here", dir.display());
            None
        }
    }

    #[test]
    fn the_shipped_strokes_are_the_conversion_of_the_npz_files() {
        let Some(dir) = datasets() else { return };
        let out = std::env::temp_dir().join(format!("playnet-strokes-{}", std::process::id()));
        convert_strokes(&[
            "--datasets".into(),
            dir.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ])
        .unwrap();
        for name in [
            "omniglot.strokes",
            "short_kanji.strokes",
            "omniglot-LICENSE",
        ] {
            let fresh = std::fs::read(out.join(name)).unwrap();
            let shipped = std::fs::read(assets().join(name)).unwrap();
            assert!(fresh == shipped, "{name} differs from a fresh conversion");
        }
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn a_truncated_npz_is_refused_with_a_clear_error() {
        let Some(dir) = datasets() else { return };
        let bytes = std::fs::read(dir.join("omniglot.npz")).unwrap();
        let err = npz::read_npz(&bytes[..bytes.len() - 100], "omniglot.npz").unwrap_err();
        assert_eq!(
            err.to_string(),
            "omniglot.npz: no end of central directory: not a zip file, or truncated"
        );
        // Cut in the middle of train.npy's data, the directory kept.
        let mut cut = bytes[..1_000_000].to_vec();
        let n = bytes.len();
        let dir_at = u32::from_le_bytes(bytes[n - 6..n - 2].try_into().unwrap()) as usize;
        cut.extend(&bytes[dir_at..]);
        let n = cut.len();
        cut[n - 6..n - 2].copy_from_slice(&1_000_000u32.to_le_bytes());
        let err = npz::read_npz(&cut, "omniglot.npz").unwrap_err().to_string();
        assert!(
            err.starts_with("omniglot.npz: train.npy: its 2135366 bytes from byte 144687"),
            "{err}"
        );
        assert!(err.ends_with("truncated"), "{err}");
    }
}
