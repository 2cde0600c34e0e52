//! `cargo xtask test`: every check CI runs, in order, stopping at the first
//! failure.
//!
//! 1. `fmt`    — `cargo fmt --all -- --check`
//! 2. `clippy` — clippy on the whole workspace (native, all targets) and on
//!    the page's crates for wasm32, warnings denied
//! 3. `doc`    — `cargo doc --workspace --no-deps`, rustdoc's warnings
//!    (broken or ambiguous links) denied
//! 4. `unit`   — native `cargo test` (unit tests, gradient checks, training;
//!    the GPU backend's tests on Mesa's lavapipe, required once setup has
//!    installed it)
//! 5. `wasm`   — the playground crate's tests, the engine's model-loader and
//!    SIMD128-vs-scalar kernel tests, the sketch sampler's bits pinned natively,
//!    the GPU backend's kernel and training checks (on SwiftShader's WebGPU),
//!    and EfficientNet-Lite0 against its reference on SIMD128 and WebGPU,
//!    for wasm32, in headless Chromium through
//!    `wasm-bindgen-test-runner`
//! 6. `e2e`    — `trunk build --release`, then the `playnet-e2e` browser tests
//!    against `dist/`

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::setup::{Browser, Needs, WASM_TARGET, setup};
use crate::util::{Error, Result, cargo, display, fail, human, run, workspace_root};
use crate::web::trunk_build;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stage {
    Fmt,
    Clippy,
    Doc,
    Unit,
    Wasm,
    E2e,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Fmt,
        Stage::Clippy,
        Stage::Doc,
        Stage::Unit,
        Stage::Wasm,
        Stage::E2e,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Fmt => "fmt",
            Stage::Clippy => "clippy",
            Stage::Doc => "doc",
            Stage::Unit => "unit",
            Stage::Wasm => "wasm",
            Stage::E2e => "e2e",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Stage::Fmt => "formatting (cargo fmt --check)",
            Stage::Clippy => "lints (clippy, native and wasm32, -D warnings)",
            Stage::Doc => "API docs (cargo doc, -D warnings)",
            Stage::Unit => "native tests (cargo test)",
            Stage::Wasm => "wasm tests in headless Chromium (wasm-bindgen-test-runner)",
            Stage::E2e => "page build + end-to-end browser tests (trunk, playnet-e2e)",
        }
    }

    fn needs_browser(self) -> bool {
        matches!(self, Stage::Wasm | Stage::E2e)
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.name() == s)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Skip the stages that need Chromium (`wasm`, `e2e`).
    pub skip_browser: bool,
    /// Run only these stages (in their usual order).
    pub only: Vec<Stage>,
}

pub fn test(opts: &Options) -> Result<()> {
    let started = Instant::now();
    let stages: Vec<Stage> = Stage::ALL
        .into_iter()
        .filter(|s| opts.only.is_empty() || opts.only.contains(s))
        .filter(|s| !(opts.skip_browser && s.needs_browser()))
        .collect();
    if stages.is_empty() {
        return Err(Error::Usage("no stages left to run".into()));
    }

    let needs = if stages.iter().any(|s| s.needs_browser()) {
        Needs::Everything
    } else {
        Needs::Web
    };
    let browser = setup(needs)?;
    let setup_time = started.elapsed();

    let mut times: Vec<(Stage, Duration)> = Vec::new();
    let mut tally = Tally::default();
    for (i, &stage) in stages.iter().enumerate() {
        println!();
        println!(
            "==> [{}/{}] {}: {}",
            i + 1,
            stages.len(),
            stage.name(),
            stage.title()
        );
        let t = Instant::now();
        let result = run_stage(stage, browser.as_ref(), &mut tally);
        let took = t.elapsed();
        if let Err(e) = result {
            println!();
            println!(
                "✗ stage `{}` failed after {} (total {})",
                stage.name(),
                human(took),
                human(started.elapsed())
            );
            return Err(e);
        }
        println!("✓ {} ({})", stage.name(), human(took));
        times.push((stage, took));
    }

    println!();
    println!("==> all {} stages passed", times.len());
    println!("    {:<8} {}", "setup", human(setup_time));
    for (stage, took) in &times {
        println!("    {:<8} {}", stage.name(), human(*took));
    }
    println!("    {:<8} {}", "total", human(started.elapsed()));
    // The one closing line CI reads: every test of every stage, summed.
    println!("tests: {} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

/// Test counts summed over every `test result:` line the test stages print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl Tally {
    /// Adds the counts of one libtest (or wasm-bindgen-test) summary line:
    /// `test result: ok. 12 passed; 0 failed; 0 ignored; …`.
    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(kind), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else {
                continue;
            };
            match kind {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                _ => {}
            }
        }
    }
}

/// Runs a test command, echoing its standard output line by line and adding
/// its summary lines to `tally`.
fn run_counting(cmd: &mut Command, tally: &mut Tally) -> Result<()> {
    println!("  $ {}", display(cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| fail!("cannot start `{}`: {e}", display(cmd)))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line =
                line.map_err(|e| fail!("cannot read the output of `{}`: {e}", display(cmd)))?;
            println!("{line}");
            tally.add_line(&line);
        }
    }
    let status = child
        .wait()
        .map_err(|e| fail!("`{}` did not finish: {e}", display(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(fail!("`{}` failed ({status})", display(cmd)))
    }
}

fn run_stage(stage: Stage, browser: Option<&Browser>, tally: &mut Tally) -> Result<()> {
    // Setup installs lavapipe together with the browser.
    let gpu_installed = browser.is_some();
    let browser = || browser.ok_or_else(|| fail!("internal: stage needs the browser tools"));
    match stage {
        Stage::Fmt => run(cargo().args(["fmt", "--all", "--", "--check"])),
        Stage::Clippy => {
            run(cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            // Code behind cfg(target_arch = "wasm32") is invisible to the
            // native run: lint the page's crates as the browser gets them.
            run(cargo().args([
                "clippy",
                "--workspace",
                "--exclude",
                "xtask",
                "--exclude",
                "playnet-e2e",
                // The fuzzer runs natively only (its allocator guard writes
                // to a file descriptor).
                "--exclude",
                "playnet-fuzz",
                "--lib",
                "--bins",
                "--target",
                WASM_TARGET,
                "--",
                "-D",
                "warnings",
            ]))
        }
        Stage::Doc => run(cargo()
            .args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings")),
        Stage::Unit => {
            let mut cmd = cargo();
            cmd.args(["test", "--workspace", "--exclude", "playnet-e2e"]);
            require_gpu_when_installed(&mut cmd, gpu_installed);
            run_counting(&mut cmd, tally)
        }
        Stage::Wasm => {
            let browser = browser()?;
            let mut cmd = cargo();
            cmd.args(["test", "-p", "playnet-playground", "--target", WASM_TARGET]);
            wasm_test_env(&mut cmd, browser, PLAIN_CHROMIUM);
            run_counting(&mut cmd, tally)?;
            // The GPU kernels and training against the CPU on WebGPU
            // (SwiftShader: Chromium's Vulkan on the CPU), and EfficientNet-Lite0
            // against its reference on SIMD128 and WebGPU.
            let mut cmd = cargo();
            cmd.args([
                "test",
                "-p",
                "playnet-gpu",
                "--test",
                "kernels",
                "--test",
                "training",
                "--test",
                "efficientnet",
                "--target",
                WASM_TARGET,
            ]);
            wasm_test_env(&mut cmd, browser, WEBGPU_CHROMIUM);
            // Read at compile time by the browser tests: no adapter is a failure.
            require_gpu_when_installed(&mut cmd, true);
            run_counting(&mut cmd, tally)?;
            // The SIMD128 kernels against the scalar ones, and the model
            // loaders against hostile files with a 32-bit `usize`, in the browser.
            let mut cmd = cargo();
            cmd.args([
                "test",
                "-p",
                "playnet-engine",
                "--test",
                "kernels",
                "--test",
                "loaders",
                "--target",
                WASM_TARGET,
            ]);
            wasm_test_env(&mut cmd, browser, PLAIN_CHROMIUM);
            run_counting(&mut cmd, tally)?;
            // The sketch sampler's candidates, bit for bit as natively.
            let mut cmd = cargo();
            cmd.args([
                "test",
                "-p",
                "playnet-sketch",
                "--test",
                "determinism",
                "--target",
                WASM_TARGET,
            ]);
            wasm_test_env(&mut cmd, browser, PLAIN_CHROMIUM);
            run_counting(&mut cmd, tally)
        }
        Stage::E2e => {
            let browser = browser()?;
            let dist = trunk_build(true)?;
            let mut cmd = cargo();
            // One Chromium at a time: the machine has two cores.
            cmd.args(["test", "-p", "playnet-e2e", "--", "--test-threads=1"])
                .env("PLAYNET_DIST", &dist)
                .env("CHROMEDRIVER", &browser.chromedriver)
                .env("CHROMIUM", &browser.chromium);
            run_counting(&mut cmd, tally)
        }
    }
}

/// Chromium's flags for the wasm tests (see [`wasm_test_env`]): kept off the
/// network.
const PLAIN_CHROMIUM: &str = "crates/playground/webdriver.json";
/// The same, plus WebGPU on SwiftShader for the GPU backend's checks.
const WEBGPU_CHROMIUM: &str = "crates/gpu/webdriver.json";

/// The GPU tests skip themselves when no adapter exists, so that a plain
/// `cargo test` passes on any machine; once setup has installed lavapipe (and
/// Chromium) a missing adapter is a failure, not a silent skip. An explicit
/// `PLAYNET_REQUIRE_GPU` in the environment wins.
fn require_gpu_when_installed(cmd: &mut Command, installed: bool) {
    if installed && std::env::var_os("PLAYNET_REQUIRE_GPU").is_none() {
        cmd.env("PLAYNET_REQUIRE_GPU", "1");
    }
}

/// What `wasm-bindgen-test-runner` needs to run the tests in headless
/// Chromium as root: the runner, the driver, and the `webdriver.json` (a
/// path from the workspace root) with the flags that keep Chromium off the
/// network (the runner adds `headless`, `no-sandbox` and
/// `disable-dev-shm-usage` itself).
fn wasm_test_env(cmd: &mut Command, browser: &Browser, webdriver_json: &str) {
    let webdriver_json = workspace_root().join(webdriver_json);
    cmd.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env("CHROMEDRIVER", &browser.chromedriver)
    .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json)
    // A test binary without `wasm_bindgen_test_configure!(run_in_browser)`
    // would otherwise run in Node.js.
    .env("WASM_BINDGEN_USE_BROWSER", "1");
    // The runner prefers geckodriver and remote drivers when these are set.
    for var in [
        "GECKODRIVER",
        "GECKODRIVER_REMOTE",
        "SAFARIDRIVER",
        "SAFARIDRIVER_REMOTE",
        "MSEDGEDRIVER",
        "MSEDGEDRIVER_REMOTE",
        "CHROMEDRIVER_REMOTE",
    ] {
        cmd.env_remove(var);
    }
    // Training tests in a debug-built wasm are slow; the default is 20 s.
    if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "180");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_sums_libtest_and_wasm_bindgen_summaries() {
        let mut t = Tally::default();
        t.add_line("test result: ok. 41 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.06s");
        t.add_line(
            "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 filtered out; finished in 0.01s",
        );
        t.add_line("running 4 tests");
        t.add_line("test passed ... ok");
        assert_eq!(
            t,
            Tally {
                passed: 43,
                failed: 1
            }
        );
    }
}
