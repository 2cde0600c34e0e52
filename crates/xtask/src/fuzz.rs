//! `cargo xtask fuzz`: runs the fuzz targets (`crates/fuzz`, and the page's
//! own in `crates/app/src/fuzzing.rs`) for longer than `cargo xtask test`
//! gives them, optimised, with a fresh seed each run.

use crate::Flags;
use crate::util::{Error, Result, cargo, run};

pub const HELP: &str = "\
usage: cargo xtask fuzz [--seconds N] [--seed N] [TARGET…]

Mutates the seeds and the kept corpus of every parser of user-supplied bytes
(URL hashes, CSV, model files, IDX, stored records) for N seconds each,
optimised (`cargo test --release`), two targets at a time. An input that
panics a parser, is refused without a reason, takes over a second or asks for
more than 256 MiB at once is written to crates/fuzz/corpus/<target>/ and the
run fails naming it: fix the parser and commit the file, which every later
run (and `cargo xtask test`, at 1.5 s a target) replays.

targets: idx, mnist-files, playground-url, playground-csv, playground-model,
mnist-model, sketch-magenta, sketch-model, sketch-strokes, webcam-project,
webcam-example, webcam-head, efficientnet-weights (crates/fuzz); saved-record,
playground-record, mnist-record, sketch-model-record, sketch-drawing,
sketch-mine, links, worker-setup (the page's).

options:
  --seconds N   how long each target runs                 [60]
  --seed N      the mutations' seed (repeat a run)        [a fresh one]";

/// Parses the flags and runs the targets.
pub fn run_fuzz(args: &[String]) -> Result<()> {
    let mut flags = Flags::new("fuzz", args);
    let seconds = flags.count("--seconds")?.unwrap_or(60);
    let seed = match flags.value("--seed")? {
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| Error::Usage(format!("--seed wants a whole number, got `{v}`")))?,
        None => fresh_seed(),
    };
    let targets = flags.positional()?;
    let filters: Vec<String> = if targets.is_empty() {
        vec!["fuzz_".into()]
    } else {
        targets
            .iter()
            .map(|t| format!("fuzz_{}", t.replace('-', "_")))
            .collect()
    };
    eprintln!("fuzzing for {seconds} s a target with seed {seed} (repeat with --seed {seed})");
    run(cargo()
        .args([
            "test",
            "--release",
            "-p",
            "playnet-fuzz",
            "-p",
            "playnet-app",
        ])
        .arg("--")
        .args(&filters)
        .args(["--nocapture", "--test-threads=2"])
        .env("PLAYNET_FUZZ_SECONDS", seconds.to_string())
        .env("PLAYNET_FUZZ_SEED", seed.to_string()))
}

fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)
}
