//! A mutation fuzzer on stable Rust for every parser of user-supplied bytes.
//!
//! Playnet reads bytes people hand it: URL hashes, CSV points, model files
//! for every page, IDX files, records kept in IndexedDB. Each such parser is
//! a [`Target`]: a name, a few valid inputs to start from, and a function
//! that parses one input and says whether it was accepted or refused (with
//! the reason). [`check`] runs a target the way a test does:
//!
//! 1. every file in `crates/fuzz/corpus/<name>/` (the crashers found
//!    before, kept as a regression corpus) is replayed;
//! 2. the seeds are mutated ([`mutate`]) for the budget that
//!    `PLAYNET_FUZZ_SECONDS` gives (a second and a half by default, so
//!    `cargo xtask test` stays quick; `cargo xtask fuzz` runs longer);
//!    inputs that reach a refusal not seen before join the pool that later
//!    mutations start from, a coarse stand-in for coverage feedback;
//! 3. a panic, an empty refusal, an input slower than a second or an
//!    allocation larger than [`alloc::CAP`] is a finding: the input is
//!    written to the corpus folder as `crash-<hash>` and the test fails,
//!    naming the file. Fix the parser, keep the file: it is replayed from
//!    then on.
//!
//! The library crates' targets are in [`targets`]; the page's own parsers
//! (stored records, the pages' link readers) are targets in the app's unit
//! tests, which use this driver too.

pub mod alloc;
pub mod mutate;
pub mod targets;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Once;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// What a target made of one input: accepted, or refused with the reason.
pub type Outcome = Result<(), String>;

/// One parser under test.
pub struct Target {
    /// A stable name: the corpus folder and the test are named after it.
    pub name: &'static str,
    /// Valid inputs to start mutating from.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Parses one input. It may refuse anything; it must never panic.
    pub run: fn(&[u8]) -> Outcome,
}

/// How long to fuzz and how large inputs may grow.
#[derive(Clone, Debug)]
pub struct Budget {
    pub time: Duration,
    /// Mutations never make an input longer than this (or than the
    /// longest seed, if that is longer).
    pub max_len: usize,
    /// The mutations' seed: fixed in tests so a run can be repeated.
    pub seed: u64,
    /// An input taking longer than this is a finding.
    pub slow: Duration,
}

impl Budget {
    /// `PLAYNET_FUZZ_SECONDS` (default 1.5) and `PLAYNET_FUZZ_SEED`
    /// (default 0).
    pub fn from_env() -> Budget {
        let seconds = std::env::var("PLAYNET_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(1.5);
        let seed = std::env::var("PLAYNET_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Budget {
            time: Duration::from_secs_f64(seconds),
            max_len: 1 << 16,
            seed,
            slow: Duration::from_secs(1),
        }
    }
}

/// Why an input is a finding.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// The parser panicked, with this message.
    Panic(String),
    /// The parser refused the input without saying why.
    SilentRefusal,
    /// The parser took this long.
    Slow(Duration),
}

/// An input the target got wrong.
#[derive(Clone, Debug)]
pub struct Finding {
    pub fault: Fault,
    pub input: Vec<u8>,
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Inputs run, corpus and seeds included.
    pub cases: u64,
    pub accepted: u64,
    pub refused: u64,
    /// Distinct refusals seen (numbers and quoted parts blanked), a rough
    /// map of the paths reached, most frequent first, with their counts.
    pub refusals: Vec<(String, u64)>,
    pub findings: Vec<Finding>,
}

/// At most this many distinct findings are collected before a run stops.
const MAX_FINDINGS: usize = 4;
/// At most this many distinct refusals are remembered (a long run of a
/// parser that quotes its input would otherwise grow without bound).
const MAX_SIGNATURES: usize = 50_000;
/// At most this many inputs are kept to mutate from.
const MAX_POOL: usize = 512;

/// The folder holding `target`'s regression corpus.
pub fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target)
}

/// The kept inputs of `target`'s corpus, in name order.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(corpus_dir(target)) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (!name.starts_with('.'))
                .then(|| std::fs::read(e.path()).ok().map(|bytes| (name, bytes)))
                .flatten()
        })
        .collect();
    files.sort();
    files
}

thread_local! {
    /// Set while a target runs on this thread: its panics are findings,
    /// not test failures, so the hook keeps quiet and notes where.
    static FUZZING: Cell<bool> = const { Cell::new(false) };
    static PANICKED_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Wraps the panic hook once: quiet while a target runs (the finding says
/// where it panicked), the usual hook everywhere else.
fn quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let usual = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if FUZZING.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                PANICKED_AT.with(|p| *p.borrow_mut() = at);
            } else {
                usual(info);
            }
        }));
    });
}

/// Runs `input` through `target`, catching a panic.
pub fn run_one(target: &Target, input: &[u8], slow: Duration) -> Result<Outcome, Fault> {
    quiet_hook();
    let started = Instant::now();
    let outcome = {
        let _watch = alloc::Watch::new(target.name, input);
        FUZZING.with(|f| f.set(true));
        let outcome = catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
        FUZZING.with(|f| f.set(false));
        outcome
    };
    let took = started.elapsed();
    match outcome {
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            let at = PANICKED_AT.with(|p| p.borrow_mut().take());
            Err(Fault::Panic(match at {
                Some(at) => format!("{message} (at {at})"),
                None => message,
            }))
        }
        Ok(Err(reason)) if reason.trim().is_empty() => Err(Fault::SilentRefusal),
        Ok(_) if took > slow => Err(Fault::Slow(took)),
        Ok(outcome) => Ok(outcome),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// A refusal with its numbers and quoted parts blanked, so "at byte 12"
/// and "at byte 345", or "unknown key `ab`" and "unknown key `cd`", count
/// as one path.
fn signature(outcome: &Outcome) -> String {
    let Err(reason) = outcome else {
        return "accepted".into();
    };
    let mut out = String::new();
    let mut quote = None;
    for c in reason.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '`' | '\'') => {
                quote = Some(c);
                out.push('…');
            }
            None if c.is_ascii_digit() => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            None => out.push(c),
        }
        if out.len() >= 60 {
            break;
        }
    }
    out
}

/// Fuzzes `target` for `budget`: the corpus and the seeds first, then
/// mutations of the pool.
pub fn fuzz(target: &Target, budget: &Budget) -> Report {
    let mut report = Report::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let kept = corpus(target.name).into_iter().map(|(_, bytes)| bytes);
    let start: Vec<Vec<u8>> = kept.chain((target.seeds)()).collect();
    let max_len = start
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(budget.max_len);
    let mut record = |input: Vec<u8>, report: &mut Report, pool: &mut Vec<Vec<u8>>| {
        report.cases += 1;
        match run_one(target, &input, budget.slow) {
            Ok(outcome) => {
                if outcome.is_ok() {
                    report.accepted += 1;
                } else {
                    report.refused += 1;
                }
                let signature = signature(&outcome);
                let new = !seen.contains_key(&signature);
                if new && seen.len() >= MAX_SIGNATURES {
                    return;
                }
                *seen.entry(signature).or_insert(0) += 1;
                if new {
                    if pool.len() < MAX_POOL {
                        pool.push(input);
                    } else {
                        let slot = fnv(&input) as usize % MAX_POOL;
                        pool[slot] = input;
                    }
                }
            }
            Err(fault) => {
                // One finding per fault: the same panic again adds nothing.
                let same = |f: &Finding| match (&f.fault, &fault) {
                    (Fault::Slow(_), Fault::Slow(_)) => true,
                    (a, b) => a == b,
                };
                if !report.findings.iter().any(same) {
                    report.findings.push(Finding { fault, input });
                }
            }
        }
    };
    for input in start {
        record(input.clone(), &mut report, &mut pool);
        if !pool.contains(&input) && pool.len() < MAX_POOL {
            pool.push(input);
        }
    }
    if pool.is_empty() {
        pool.push(Vec::new());
    }
    let mut rng = Pcg64Mcg::seed_from_u64(budget.seed ^ fnv(target.name.as_bytes()));
    let deadline = Instant::now() + budget.time;
    while Instant::now() < deadline && report.findings.len() < MAX_FINDINGS {
        let mut input = pool[rng.random_range(0..pool.len())].clone();
        mutate::mutate(&mut rng, &mut input, &pool, max_len);
        record(input, &mut report, &mut pool);
    }
    let mut refusals: Vec<(String, u64)> =
        seen.into_iter().filter(|(s, _)| s != "accepted").collect();
    refusals.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    report.refusals = refusals;
    report
}

/// FNV-1a: names the files of the corpus by their bytes.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Writes a finding's input to the corpus folder; returns its path.
pub fn keep(target: &str, input: &[u8]) -> std::io::Result<PathBuf> {
    let dir = corpus_dir(target);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("crash-{:016x}", fnv(input)));
    std::fs::write(&path, input)?;
    Ok(path)
}

/// The test of `target`: fuzzes for [`Budget::from_env`] and panics with
/// every finding (kept in the corpus), or prints what the run covered.
pub fn check(target: &Target) {
    let report = fuzz(target, &Budget::from_env());
    if report.findings.is_empty() {
        println!(
            "fuzz {}: {} inputs, {} accepted, {} refused ({} distinct refusals), no findings",
            target.name,
            report.cases,
            report.accepted,
            report.refused,
            report.refusals.len()
        );
        for (refusal, count) in report.refusals.iter().take(6) {
            println!("  {count:>8} × {refusal}");
        }
        assert!(
            report.cases > 0,
            "fuzz {}: no input was run (no seeds?)",
            target.name
        );
        return;
    }
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            let kept = keep(target.name, &f.input)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|e| format!("not kept: {e}"));
            let what = match &f.fault {
                Fault::Panic(message) => format!("panicked: {message}"),
                Fault::SilentRefusal => "refused without saying why".into(),
                Fault::Slow(took) => format!("took {:.2} s", took.as_secs_f64()),
            };
            format!("  {what} ({} bytes, kept as {kept})", f.input.len())
        })
        .collect();
    panic!(
        "fuzz {}: {} of {} inputs went wrong; fix the parser and commit the kept files \
         (they are replayed from then on):\n{}",
        target.name,
        report.findings.len(),
        report.cases,
        lines.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picky(input: &[u8]) -> Outcome {
        match input {
            [b'P', b'N', n, ..] if *n > 200 => panic!("too large"),
            [b'P', b'N', ..] => Ok(()),
            [] => Err(String::new()),
            _ => Err(format!("starts with {}", input[0])),
        }
    }

    const PICKY: Target = Target {
        name: "driver-self-test",
        seeds: || vec![b"PN\x01".to_vec()],
        run: picky,
    };

    #[test]
    fn a_panic_and_a_silent_refusal_are_found_and_the_rest_counted() {
        let budget = Budget {
            time: Duration::from_millis(300),
            max_len: 64,
            seed: 7,
            slow: Duration::from_secs(1),
        };
        let report = fuzz(&PICKY, &budget);
        assert!(report.cases > 100, "{report:?}");
        assert!(report.accepted > 0 && report.refused > 0);
        let faults: Vec<&Fault> = report.findings.iter().map(|f| &f.fault).collect();
        assert!(
            faults
                .iter()
                .any(|f| matches!(f, Fault::Panic(m) if m.starts_with("too large (at crates/fuzz/src/lib.rs:"))),
            "{faults:?}"
        );
        assert!(faults.contains(&&Fault::SilentRefusal), "{faults:?}");
        for finding in &report.findings {
            assert!(run_one(&PICKY, &finding.input, budget.slow).is_err());
        }
    }

    #[test]
    fn the_same_seed_runs_the_same_inputs() {
        let mut a = Pcg64Mcg::seed_from_u64(3);
        let mut b = Pcg64Mcg::seed_from_u64(3);
        let pool = vec![b"{\"a\": [1, 2]}".to_vec()];
        for _ in 0..50 {
            let (mut x, mut y) = (pool[0].clone(), pool[0].clone());
            mutate::mutate(&mut a, &mut x, &pool, 256);
            mutate::mutate(&mut b, &mut y, &pool, 256);
            assert_eq!(x, y);
            assert!(x.len() <= 256);
        }
    }

    #[test]
    fn refusals_differing_in_numbers_share_a_signature() {
        assert_eq!(
            signature(&Err("at byte 12".into())),
            signature(&Err("at byte 345".into()))
        );
        assert_ne!(signature(&Err("at byte 1".into())), signature(&Ok(())));
    }
}
