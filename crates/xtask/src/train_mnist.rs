//! `cargo xtask train-mnist`: trains one of the MNIST lab's presets natively
//! on the full data set in `assets/mnist/`, with the same engine and seeds as
//! the page, printing progress and ending with one JSON line.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use playnet_data::Mnist;
use playnet_engine::{Cpu, ready};
use playnet_mnist::{Lab, PRESETS, Preset, Setup, preset};

use crate::Flags;
use crate::util::{Error, Result, fail};

pub fn help() -> String {
    format!(
        "\
usage: cargo xtask train-mnist --preset NAME [options]

Trains an MNIST lab preset natively on the 60,000 training images and tests
on all 10,000 test images. The last line of standard output is one JSON
object: preset, steps, test_accuracy and test_loss (at the last step),
best_test_accuracy and best_step (the highest of all tests, the figure the
lecture's scripts print as \"max test accuracy\"; they test every 100 steps),
seconds, lecture_accuracy.

options:
  --preset NAME    {}
  --steps N        training steps (batches of 100)   [the lecture's count]
  --seed N         seeds the initial weights, batch order and dropout  [1]
  --every N        test on all 10,000 images every N steps  [steps / 10]
  --init NAME      override the preset's initialiser: he, xavier, lecture
                   (truncated normal σ 0.1, biases 0.1), tfp, zero
  --scalar         use the scalar kernels instead of the SIMD ones
  --data DIR       where the four IDX files are      [assets/mnist]",
        PRESETS.join(", ")
    )
}

/// What the flags ask for.
#[derive(Debug)]
struct Options {
    preset: Preset,
    setup: Setup,
    steps: u64,
    seed: u64,
    every: u64,
    scalar: bool,
    data: PathBuf,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut flags = Flags::new("train-mnist", args);
    let id = flags.value("--preset")?.ok_or_else(|| {
        Error::Usage(format!(
            "--preset is required: one of {}",
            PRESETS.join(", ")
        ))
    })?;
    let preset = preset(&id).ok_or_else(|| {
        Error::Usage(format!(
            "unknown preset `{id}`; expected one of {}",
            PRESETS.join(", ")
        ))
    })?;
    let steps = flags.count("--steps")?.unwrap_or(preset.steps.into());
    let seed = match flags.value("--seed")? {
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| Error::Usage(format!("--seed wants a whole number, got `{v}`")))?,
        None => 1,
    };
    let every = flags.count("--every")?.unwrap_or((steps / 10).max(1));
    let scalar = flags.switch("--scalar")?;
    let mut setup = Setup::from(&preset);
    if let Some(name) = flags.value("--init")? {
        setup.network.init = serde_json::from_value(serde_json::Value::String(name.clone()))
            .map_err(|_| {
                Error::Usage(format!(
                    "unknown initialiser `{name}`; expected he, xavier, lecture, tfp or zero"
                ))
            })?;
    }
    let data = flags
        .value("--data")?
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/mnist"));
    flags.finish()?;
    Ok(Options {
        preset,
        setup,
        steps,
        seed,
        every,
        scalar,
        data,
    })
}

/// Parses the flags, trains, prints.
pub fn run(args: &[String]) -> Result<()> {
    let Options {
        preset,
        setup,
        steps,
        seed,
        every,
        scalar,
        data: dir,
    } = parse(args)?;
    playnet_engine::kernels::set_simd_enabled(!scalar);

    let loaded = Instant::now();
    let data = Mnist::load_dir(&dir)
        .map_err(|e| fail!("cannot load MNIST from {}: {e}", dir.display()))?;
    println!(
        "{}: {} training and {} test images loaded in {:.1} s; {} steps{}",
        preset.name,
        data.train.len(),
        data.test.len(),
        loaded.elapsed().as_secs_f32(),
        steps,
        if scalar { " (scalar kernels)" } else { "" }
    );
    let init = setup.network.init;
    let mut lab = Lab::new(Cpu, Arc::new(data), setup, seed).map_err(|e| fail!("{e}"))?;
    let started = Instant::now();
    let mut report = None;
    let mut best: Option<(f32, u64)> = None;
    for step in 1..=steps {
        let stats = ready(lab.step())
            .map_err(|e| fail!("{e}"))?
            .map_err(|e| fail!("step {step}: {e}"))?;
        if step % every == 0 || step == steps {
            let test = ready(lab.test(None))
                .map_err(|e| fail!("{e}"))?
                .map_err(|e| fail!("testing at step {step}: {e}"))?;
            println!(
                "step {step:>6}  epoch {:>2}  lr {:.5}  batch loss {:.4}  test loss {:.4}  test accuracy {:.2}%  ({:.1} steps/s)",
                stats.epoch,
                stats.learning_rate,
                stats.loss,
                test.loss,
                test.accuracy * 100.0,
                step as f64 / started.elapsed().as_secs_f64()
            );
            if best.is_none_or(|(accuracy, _)| test.accuracy > accuracy) {
                best = Some((test.accuracy, step));
            }
            report = Some(test);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let (test_accuracy, test_loss) = report
        .map(|r| (r.accuracy, r.loss))
        .unwrap_or((f32::NAN, f32::NAN));
    let (best_accuracy, best_step) = best.unwrap_or((f32::NAN, 0));
    println!(
        "{}",
        serde_json::json!({
            "preset": preset.id,
            "steps": steps,
            "seed": seed,
            "test_accuracy": round4(test_accuracy),
            "test_loss": round4(test_loss),
            "best_test_accuracy": round4(best_accuracy),
            "best_step": best_step,
            "seconds": (seconds * 10.0).round() / 10.0,
            "lecture_accuracy": round4(preset.lecture_accuracy),
            "kernels": if scalar { "scalar" } else { "simd" },
            "init": init,
        })
    );
    Ok(())
}

/// `x` to 4 decimals, so the JSON shows 0.992 rather than 0.9919999837875366.
fn round4(x: f32) -> f64 {
    (f64::from(x) * 1e4).round() / 1e4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn counts_default_to_the_lecture_and_zero_is_refused() {
        let o = parse(&args("--preset conv")).unwrap();
        assert_eq!((o.steps, o.every, o.seed), (10_000, 1000, 1));
        let o = parse(&args("--preset softmax --steps 5 --seed 0")).unwrap();
        assert_eq!((o.steps, o.every, o.seed), (5, 1, 0));
        for (bad, needle) in [
            (
                "--preset softmax --steps 0",
                "--steps wants a whole number of at least 1",
            ),
            (
                "--preset softmax --every 0",
                "--every wants a whole number of at least 1",
            ),
            ("--preset softmax --steps 5 --steps 6", "more than once"),
            ("--preset softmax --scalar --scalar", "more than once"),
            ("--steps 5", "--preset is required"),
            ("--preset lenet", "unknown preset `lenet`"),
            ("--preset softmax --init magic", "unknown initialiser"),
        ] {
            match parse(&args(bad)) {
                Err(Error::Usage(msg)) => assert!(msg.contains(needle), "{bad}: {msg}"),
                other => panic!("{bad}: expected a usage error, got {other:?}"),
            }
        }
    }
}
