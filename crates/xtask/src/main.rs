//! `cargo xtask …`: the project's automation, in Rust so that a fresh clone
//! with nothing but rustup and cargo can build, serve and test Playnet.
//!
//! - `setup` installs the wasm target, trunk, wasm-bindgen's CLI (the version
//!   in `Cargo.lock`), Chromium, ChromeDriver and lavapipe; each step is
//!   skipped when already done.
//! - `serve` and `build` run trunk after `setup`.
//! - `test` runs every check CI runs (see [`testing`]).
//! - `train` trains a playground network on the command line, with the same
//!   engine and seeds as the page; `train-mnist` does the same for the
//!   MNIST lab's presets.
//! - `convert-sketch` and `convert-strokes` turn Magenta's sketch-rnn models
//!   and the stroke datasets into what `assets/sketch-rnn/` ships; `sketch`
//!   samples a shipped model natively, or checks it against Magenta's
//!   reference outputs; `train-sketch` trains a decoder of one's own on a
//!   stroke data set, as the sketch page's worker does.
//! - `convert-efficientnet` folds EfficientNet-Lite0's PyTorch weights into
//!   the compact safetensors file the page ships; `classify` runs it on
//!   images or against the reference outputs.
//! - `fuzz` runs the fuzz targets of every parser of user-supplied bytes
//!   longer than `test` does.
//!
//! This crate uses only std (plus serde_json) for the automation itself, so
//! it builds quickly before anything else is installed. It is not a library
//! and has no stable interface beyond its command line.

mod classify;
mod convert_efficientnet;
mod csp;
mod fuzz;
mod images;
mod offline;
mod setup;
mod sketch;
mod testing;
mod train;
mod train_mnist;
mod train_sketch;
mod util;
mod web;

use std::process::ExitCode;

use crate::setup::{Needs, setup};
use crate::testing::Stage;
use crate::util::{Error, Result};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup                      install the tools below (skips what is there)
  serve [--port N] [--release]
                             build and serve the page at http://127.0.0.1:8080/,
                             rebuilding on every change (into target/serve/)
  build [--release]          build the static page into dist/, to host
  csp [FOLDER]               write the Content-Security-Policy into FOLDER/index.html
                             (trunk runs it after each build; FOLDER defaults to
                             $TRUNK_STAGING_DIR)
  test [--skip-browser] [--only STAGE[,STAGE…]]
                             run every check CI runs, stopping at the first failure;
                             stages: fmt, clippy, doc, unit, wasm, e2e
  train [options]            train a playground network natively
                             (see `cargo xtask train --help`)
  train-mnist --preset NAME [--steps N] [--seed S]
                             train an MNIST lab preset natively on the full set
                             (see `cargo xtask train-mnist --help`)
  convert-sketch [--models DIR] [--out DIR]
                             convert Magenta's sketch-rnn models into assets/sketch-rnn/
  convert-strokes [--datasets DIR] [--out DIR]
                             convert the stroke datasets (.npz) into flat .strokes files
  sketch --model NAME [options] | --reference FILE
                             sample a sketch-rnn model natively, or check it
                             (see `cargo xtask sketch --help`)
  train-sketch [--data NAME] [--steps N] [--hidden N] [--out DIR]
                             train a sketch-rnn decoder natively on a stroke data set
                             (see `cargo xtask train-sketch --help`)
  convert-efficientnet [--pth PATH] [--out DIR] [--f32]
                             fold EfficientNet-Lite0's PyTorch weights into
                             assets/efficientnet-lite0/efficientnet-lite0.safetensors
  classify IMAGE… | --reference DIR [--shipped]
                             EfficientNet-Lite0's top-5 for images, or its error
                             against the reference outputs
  fuzz [--seconds N] [TARGET…]
                             fuzz every parser of user-supplied bytes for N s each
                             (see `cargo xtask fuzz --help`)
  help                       show this message

`cargo xtask <command> --help` shows one command's options.

setup installs: the wasm32-unknown-unknown target (rustup), trunk 0.21.14 and
wasm-bindgen-cli at the version in Cargo.lock (cargo install), and Chromium,
ChromeDriver and Mesa's lavapipe (apt-get).";

const SETUP_HELP: &str = "\
usage: cargo xtask setup

Installs what serving and testing need, skipping whatever is already there:
the wasm32-unknown-unknown target (rustup), trunk 0.21.14 and wasm-bindgen-cli
at the version in Cargo.lock (cargo install), the crates (cargo fetch), and
Chromium, ChromeDriver and Mesa's lavapipe (apt-get; elsewhere install them
yourself and point CHROMIUM and CHROMEDRIVER at them).";

const SERVE_HELP: &str = "\
usage: cargo xtask serve [--port N] [--release]

Builds the page into target/serve/ (never dist/: that is what you host) and
serves it at http://127.0.0.1:PORT/, rebuilding it on every change (reload the
tab to see it: trunk's live-reload script is an inline script the page's
Content-Security-Policy would refuse, so it is off).

options:
  --port N      the port, 1–65535                 [8080]
  --release     an optimised build (slower to rebuild)";

const BUILD_HELP: &str = "\
usage: cargo xtask build [--release]

Builds the static page into dist/: upload the folder's contents to any web
server (the page fetches nothing from elsewhere).

options:
  --release     an optimised build: the one to host";

const CSP_HELP: &str = "\
usage: cargo xtask csp [FOLDER]

Writes the page's Content-Security-Policy into FOLDER/index.html as a <meta>
tag: the page's own files, WebAssembly, and each inline script trunk wrote by
its SHA-256 hash; nothing from another origin. Trunk runs it as a post-build
hook (Trunk.toml), with FOLDER its staging folder ($TRUNK_STAGING_DIR), so
`serve` and `build` both get it.";

const TEST_HELP: &str = "\
usage: cargo xtask test [--skip-browser] [--only STAGE[,STAGE…]]

Runs every check CI runs, in order, stopping at the first failure; installs
what is missing first (see `cargo xtask setup --help`).

options:
  --skip-browser    skip the stages that need Chromium (wasm, e2e)
  --only LIST       run only these stages: fmt, clippy, doc, unit, wasm, e2e";

/// The help of `command` (the whole usage for anything else).
fn help(command: Option<&str>) -> String {
    match command {
        Some("setup") => SETUP_HELP.into(),
        Some("serve") => SERVE_HELP.into(),
        Some("build") => BUILD_HELP.into(),
        Some("csp") => CSP_HELP.into(),
        Some("test") => TEST_HELP.into(),
        Some("train") => train::HELP.into(),
        Some("train-mnist") => train_mnist::help(),
        Some("convert-sketch") => sketch::CONVERT_SKETCH_HELP.into(),
        Some("convert-strokes") => sketch::CONVERT_STROKES_HELP.into(),
        Some("sketch") => sketch::SKETCH_HELP.into(),
        Some("train-sketch") => train_sketch::HELP.into(),
        Some("convert-efficientnet") => convert_efficientnet::HELP.into(),
        Some("classify") => classify::HELP.into(),
        Some("fuzz") => fuzz::HELP.into(),
        _ => USAGE.into(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(msg)) => {
            let command = args.first().map(String::as_str);
            eprintln!("error: {msg}\n\n{}", help(command));
            ExitCode::from(2)
        }
        Err(Error::Failed(msg)) => {
            eprintln!("\nerror: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", help(Some(command)));
        return Ok(());
    }
    match command.as_str() {
        "setup" => {
            no_flags("setup", rest)?;
            setup(Needs::Everything).map(drop)
        }
        "serve" => {
            let mut flags = Flags::new("serve", rest);
            let release = flags.switch("--release")?;
            let port = match flags.value("--port")? {
                Some(p) => p.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| {
                    Error::Usage(format!("--port wants a port number (1–65535), got `{p}`"))
                })?,
                None => web::DEFAULT_PORT,
            };
            flags.finish()?;
            web::serve(port, release)
        }
        "build" => {
            let mut flags = Flags::new("build", rest);
            let release = flags.switch("--release")?;
            flags.finish()?;
            web::build(release).map(drop)
        }
        "csp" => {
            let folder = match rest {
                [] => std::env::var_os("TRUNK_STAGING_DIR")
                    .map(std::path::PathBuf::from)
                    .ok_or_else(|| {
                        Error::Usage("csp wants a folder (or TRUNK_STAGING_DIR)".into())
                    })?,
                [folder] if !folder.starts_with('-') => folder.into(),
                _ => return Err(Error::Usage("csp takes one folder".into())),
            };
            let scripts = csp::write_policy(&folder)?;
            println!(
                "✓ Content-Security-Policy written into {} ({scripts} inline script{} allowed by hash)",
                folder.join("index.html").display(),
                if scripts == 1 { "" } else { "s" }
            );
            Ok(())
        }
        "test" => {
            let mut flags = Flags::new("test", rest);
            let skip_browser = flags.switch("--skip-browser")?;
            let only = match flags.value("--only")? {
                Some(list) => parse_stages(&list)?,
                None => Vec::new(),
            };
            flags.finish()?;
            testing::test(&testing::Options { skip_browser, only })
        }
        "train" => train::run(rest),
        "train-mnist" => train_mnist::run(rest),
        "convert-sketch" => sketch::convert_sketch(rest),
        "convert-strokes" => sketch::convert_strokes(rest),
        "sketch" => sketch::run(rest),
        "train-sketch" => train_sketch::run(rest),
        "convert-efficientnet" => convert_efficientnet::run(rest),
        "classify" => classify::run(rest),
        "fuzz" => fuzz::run_fuzz(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(Error::Usage(format!("unknown command `{other}`"))),
    }
}

fn parse_stages(list: &str) -> Result<Vec<Stage>> {
    list.split(',')
        .map(|name| {
            Stage::parse(name.trim()).ok_or_else(|| {
                let known: Vec<&str> = Stage::ALL.iter().map(|s| s.name()).collect();
                Error::Usage(format!(
                    "unknown stage `{name}` (stages: {})",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

fn no_flags(command: &str, rest: &[String]) -> Result<()> {
    Flags::new(command, rest).finish()
}

/// A tiny flag parser: `--switch`, `--key value` and `--key=value`; a flag
/// given twice, or anything left over, is a usage error.
struct Flags<'a> {
    command: &'a str,
    args: Vec<&'a str>,
}

impl<'a> Flags<'a> {
    fn new(command: &'a str, args: &'a [String]) -> Self {
        Flags {
            command,
            args: args.iter().map(String::as_str).collect(),
        }
    }

    /// Whether `--name` is there (once).
    fn switch(&mut self, name: &str) -> Result<bool> {
        let before = self.args.len();
        self.args.retain(|a| *a != name);
        match before - self.args.len() {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.twice(name)),
        }
    }

    /// The value of `--name value` or `--name=value`, given at most once.
    fn value(&mut self, name: &str) -> Result<Option<String>> {
        let value = self.take_value(name)?;
        let prefix = format!("{name}=");
        if value.is_some()
            && self
                .args
                .iter()
                .any(|a| *a == name || a.starts_with(&prefix))
        {
            return Err(self.twice(name));
        }
        Ok(value)
    }

    /// A count such as `--epochs N`: a whole number of at least 1.
    fn count(&mut self, name: &str) -> Result<Option<u64>> {
        self.value(name)?
            .map(|v| {
                v.parse::<u64>().ok().filter(|&n| n >= 1).ok_or_else(|| {
                    Error::Usage(format!(
                        "{name} wants a whole number of at least 1, got `{v}`"
                    ))
                })
            })
            .transpose()
    }

    fn take_value(&mut self, name: &str) -> Result<Option<String>> {
        let prefix = format!("{name}=");
        if let Some(i) = self.args.iter().position(|a| a.starts_with(&prefix)) {
            let arg = self.args.remove(i);
            return Ok(Some(arg[prefix.len()..].to_string()));
        }
        let Some(i) = self.args.iter().position(|a| *a == name) else {
            return Ok(None);
        };
        match self.args.get(i + 1) {
            Some(v) if !v.starts_with("--") => {
                let v = v.to_string();
                self.args.drain(i..=i + 1);
                Ok(Some(v))
            }
            _ => Err(Error::Usage(format!(
                "`{} {name}` needs a value",
                self.command
            ))),
        }
    }

    /// What is left once every flag is taken: positional arguments (such
    /// as file names); anything that looks like a flag is a usage error.
    fn positional(self) -> Result<Vec<&'a str>> {
        match self.args.iter().find(|a| a.starts_with("--")) {
            Some(arg) => Err(Error::Usage(format!(
                "unknown argument `{arg}` for `cargo xtask {}`",
                self.command
            ))),
            None => Ok(self.args),
        }
    }

    fn twice(&self, name: &str) -> Error {
        Error::Usage(format!(
            "`{name}` is given more than once to `cargo xtask {}`",
            self.command
        ))
    }

    fn finish(self) -> Result<()> {
        match self.args.first() {
            None => Ok(()),
            Some(arg) => Err(Error::Usage(format!(
                "unknown argument `{arg}` for `cargo xtask {}`",
                self.command
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_switches_and_values() {
        let args = strings(&["--release", "--port", "9000"]);
        let mut flags = Flags::new("serve", &args);
        assert!(flags.switch("--release").unwrap());
        assert_eq!(flags.value("--port").unwrap().as_deref(), Some("9000"));
        assert!(flags.finish().is_ok());

        let args = strings(&["--port=9001"]);
        let mut flags = Flags::new("serve", &args);
        assert!(!flags.switch("--release").unwrap());
        assert_eq!(flags.value("--port").unwrap().as_deref(), Some("9001"));
        assert!(flags.finish().is_ok());
    }

    #[test]
    fn rejects_unknown_and_valueless_flags() {
        let args = strings(&["--bogus"]);
        assert!(matches!(
            Flags::new("build", &args).finish(),
            Err(Error::Usage(_))
        ));
        let args = strings(&["--port"]);
        assert!(matches!(
            Flags::new("serve", &args).value("--port"),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            dispatch(&strings(&["frobnicate"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            dispatch(&strings(&["serve", "--port", "http"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            dispatch(&strings(&["test", "--only", "fmt,lint"])),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn a_flag_given_twice_says_so() {
        for args in [
            &["--port", "1", "--port", "2"][..],
            &["--port=1", "--port", "2"],
            &["--port=1", "--port=1"],
            &["--port", "1", "--port"],
        ] {
            let args = strings(args);
            match Flags::new("serve", &args).value("--port") {
                Err(Error::Usage(msg)) => assert!(msg.contains("more than once"), "{msg}"),
                other => panic!("{args:?}: {other:?}"),
            }
        }
        let args = strings(&["--release", "--release"]);
        match Flags::new("build", &args).switch("--release") {
            Err(Error::Usage(msg)) => {
                assert!(msg.contains("`--release` is given more than once"), "{msg}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn counts_are_whole_numbers_of_at_least_one() {
        for (value, ok) in [
            ("1", Some(1)),
            ("250", Some(250)),
            ("0", None),
            ("-3", None),
        ] {
            let args = strings(&["--steps", value]);
            let got = Flags::new("train-mnist", &args).count("--steps");
            match (got, ok) {
                (Ok(Some(n)), Some(want)) => assert_eq!(n, want),
                (Err(Error::Usage(msg)), None) => {
                    assert!(msg.contains("at least 1") && msg.contains(value), "{msg}")
                }
                (other, _) => panic!("--steps {value}: {other:?}"),
            }
        }
    }

    #[test]
    fn every_command_has_its_own_help() {
        for command in [
            "setup",
            "serve",
            "build",
            "csp",
            "test",
            "train",
            "train-mnist",
            "convert-sketch",
            "convert-strokes",
            "sketch",
            "train-sketch",
            "convert-efficientnet",
            "classify",
        ] {
            let text = help(Some(command));
            assert!(
                text.starts_with(&format!("usage: cargo xtask {command}")),
                "{command}: {text}"
            );
            assert!(dispatch(&strings(&[command, "--help"])).is_ok());
        }
        assert_eq!(help(Some("frobnicate")), USAGE);
        assert_eq!(help(None), USAGE);
    }

    /// Cargo.toml's licence has its texts in the tree, and NOTICE credits
    /// every folder of shipped assets.
    #[test]
    fn the_licence_files_are_there() {
        let root = util::workspace_root();
        let read = |name: &str| {
            std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        assert!(read("Cargo.toml").contains("license = \"MIT OR Apache-2.0\""));
        assert!(read("LICENSE-MIT").contains("Permission is hereby granted, free of charge"));
        assert!(read("LICENSE-APACHE").contains("Apache License\n"));
        let notice = read("NOTICE");
        for entry in std::fs::read_dir(root.join("assets")).unwrap().flatten() {
            if entry.path().is_dir() {
                let folder = format!("assets/{}/", entry.file_name().to_string_lossy());
                assert!(notice.contains(&folder), "NOTICE does not credit {folder}");
            }
        }
    }

    #[test]
    fn positional_arguments_are_what_is_left() {
        let args = strings(&["a.png", "--shipped", "b.jpg"]);
        let mut flags = Flags::new("classify", &args);
        assert!(flags.switch("--shipped").unwrap());
        assert_eq!(flags.positional().unwrap(), ["a.png", "b.jpg"]);
        let args = strings(&["a.png", "--bogus"]);
        assert!(matches!(
            Flags::new("classify", &args).positional(),
            Err(Error::Usage(msg)) if msg.contains("--bogus")
        ));
        assert!(matches!(
            dispatch(&strings(&[
                "classify",
                "--shipped",
                "--pth",
                "x.pth",
                "a.png"
            ])),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn parses_stage_lists() {
        assert_eq!(
            parse_stages("unit,e2e").unwrap(),
            vec![Stage::Unit, Stage::E2e]
        );
    }
}
