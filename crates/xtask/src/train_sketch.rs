//! `cargo xtask train-sketch`: trains a sketch-rnn decoder natively on one of
//! the shipped stroke data sets, with the same code, settings and seeds as
//! the sketch page's worker (`playnet_sketch::train`), printing progress and
//! ending with one JSON line.

use std::path::PathBuf;
use std::time::Instant;

use playnet_engine::{Cpu, ready};
use playnet_sketch::dataset::StrokeData;
use playnet_sketch::train::{SketchTrainer, TrainSettings};

use crate::Flags;
use crate::util::{Error, Result, fail};

pub const HELP: &str = "\
usage: cargo xtask train-sketch [options]

Trains a sketch-rnn decoder (an LSTM over stroke-5 rows with a 20-component
mixture-density output) on a shipped stroke data set, as the sketch page's
\"Train your own\" does: the same settings, batches and seeds give the same
model. Progress goes to standard error; the last line of standard output is
one JSON object: data, hidden, batch, seed, steps, train_nll (the mean
batch NLL per stroke point over the last 10 steps), valid_nll (per point on
the first 100 held-out drawings), seconds, steps_per_second.

options:
  --data NAME      omniglot or short_kanji                 [omniglot]
  --steps N        training steps                          [200]
  --hidden N       LSTM units, 1–1024                      [128]
  --batch N        drawings per step, 1–1000               [100]
  --seed N         seeds the weights, batches and stretches [1]
  --every N        measure the held-out NLL every N steps  [steps / 10]
  --out DIR        write DIR/<data>-h<hidden>.json and .safetensors, a model
                   the page's \"Import model\" reads
  --strokes DIR    where the .strokes files are            [assets/sketch-rnn]";

#[derive(Debug)]
struct Options {
    data: String,
    steps: u64,
    seed: u64,
    every: u64,
    settings: TrainSettings,
    out: Option<PathBuf>,
    strokes: PathBuf,
}

const DATA: [&str; 2] = ["omniglot", "short_kanji"];

fn parse(args: &[String]) -> Result<Options> {
    let mut flags = Flags::new("train-sketch", args);
    let data = flags.value("--data")?.unwrap_or_else(|| "omniglot".into());
    if !DATA.contains(&data.as_str()) {
        return Err(Error::Usage(format!(
            "--data {data}: the data sets are {}",
            DATA.join(", ")
        )));
    }
    let steps = flags.count("--steps")?.unwrap_or(200);
    let seed = match flags.value("--seed")? {
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| Error::Usage(format!("--seed wants a whole number, got `{v}`")))?,
        None => 1,
    };
    let every = flags.count("--every")?.unwrap_or((steps / 10).max(1));
    let mut settings = TrainSettings::default();
    if let Some(h) = flags.count("--hidden")? {
        settings.hidden = h as usize;
    }
    if let Some(b) = flags.count("--batch")? {
        settings.batch = b as usize;
    }
    settings
        .validate()
        .map_err(|e| Error::Usage(e.to_string()))?;
    let out = flags.value("--out")?.map(PathBuf::from);
    let strokes = flags
        .value("--strokes")?
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::util::workspace_root().join("assets/sketch-rnn"));
    flags.finish()?;
    Ok(Options {
        data,
        steps,
        seed,
        every,
        settings,
        out,
        strokes,
    })
}

/// Parses the flags, trains, prints.
pub fn run(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    let path = o.strokes.join(format!("{}.strokes", o.data));
    let bytes = std::fs::read(&path).map_err(|e| fail!("cannot read {}: {e}", path.display()))?;
    let data = StrokeData::from_bytes(&bytes).map_err(|e| fail!("{}: {e}", path.display()))?;
    let split = |name: &str| {
        data.split(name)
            .ok_or_else(|| fail!("{} has no {name} split", path.display()))
    };
    let name = format!("{}-h{}", o.data, o.settings.hidden);
    let mut trainer = SketchTrainer::new(
        Cpu,
        &name,
        o.settings.clone(),
        split("train")?,
        split("valid")?,
        o.seed,
    )
    .map_err(|e| fail!("{e}"))?;
    let (train_n, valid_n) = trainer.sizes();
    eprintln!(
        "{name}: {train_n} training drawings (at most {} points), {valid_n} held out, scale factor {:.2}; {} steps of {}",
        o.settings.max_seq_len,
        trainer.scale_factor(),
        o.steps,
        o.settings.batch
    );
    let started = Instant::now();
    let mut recent: Vec<f32> = Vec::new();
    let mut valid = f32::NAN;
    for step in 1..=o.steps {
        let report = ready(trainer.step())
            .map_err(|e| fail!("{e}"))?
            .map_err(|e| fail!("{e}"))?;
        recent.push(report.nll);
        if recent.len() > 10 {
            recent.remove(0);
        }
        if step % o.every == 0 || step == o.steps {
            valid = ready(trainer.validate())
                .map_err(|e| fail!("{e}"))?
                .map_err(|e| fail!("validating at step {step}: {e}"))?;
            eprintln!(
                "step {step:>6}  lr {:.6}  batch NLL {:.4}  held-out NLL {valid:.4}  ({:.2} steps/s)",
                report.learning_rate,
                report.nll,
                step as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(dir) = &o.out {
        let files = ready(trainer.to_files(&format!(
            "cargo xtask train-sketch --data {} --steps {} --hidden {} --batch {} --seed {}",
            o.data, o.steps, o.settings.hidden, o.settings.batch, o.seed
        )))
        .map_err(|e| fail!("{e}"))?
        .map_err(|e| fail!("{e}"))?;
        std::fs::create_dir_all(dir).map_err(|e| fail!("cannot create {}: {e}", dir.display()))?;
        let config = dir.join(format!("{name}.json"));
        let weights = dir.join(&files.config.weights);
        for (path, bytes) in [
            (&config, files.config_json.as_bytes()),
            (&weights, &files.weights),
        ] {
            std::fs::write(path, bytes)
                .map_err(|e| fail!("cannot write {}: {e}", path.display()))?;
        }
        eprintln!("wrote {} and {}", config.display(), weights.display());
    }
    let train_nll = recent.iter().sum::<f32>() / recent.len().max(1) as f32;
    let round = |v: f64, places: i32| (v * 10f64.powi(places)).round() / 10f64.powi(places);
    println!(
        "{}",
        serde_json::json!({
            "data": o.data,
            "hidden": o.settings.hidden,
            "batch": o.settings.batch,
            "seed": o.seed,
            "steps": o.steps,
            "train_nll": round(f64::from(train_nll), 4),
            "valid_nll": round(f64::from(valid), 4),
            "seconds": round(seconds, 1),
            "steps_per_second": round(o.steps as f64 / seconds, 3),
        })
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
    fn flags_have_defaults_and_are_checked() {
        let o = parse(&[]).unwrap();
        assert_eq!(
            (o.data.as_str(), o.steps, o.seed, o.every),
            ("omniglot", 200, 1, 20)
        );
        assert_eq!(o.settings, TrainSettings::default());
        let o = parse(&args(
            "--data short_kanji --steps 5 --hidden 64 --batch 10 --seed 3",
        ))
        .unwrap();
        assert_eq!(
            (o.steps, o.every, o.settings.hidden, o.settings.batch),
            (5, 1, 64, 10)
        );
        for (bad, needle) in [
            ("--data mnist", "omniglot, short_kanji"),
            ("--hidden 5000", "hidden 5000"),
            ("--steps 0", "at least 1"),
            ("--seed x", "whole number"),
            ("--frob", "unknown argument"),
        ] {
            let err = parse(&args(bad)).unwrap_err().to_string();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }
}
