//! Small helpers shared by the subcommands: errors, running programs, finding
//! them on `PATH`, reading the workspace's pinned versions, formatting times.

use std::env;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// What went wrong, and whether it was the caller's command line.
#[derive(Debug)]
pub enum Error {
    /// Bad subcommand or flag: print usage, exit 2.
    Usage(String),
    /// Anything else: print the message, exit 1.
    Failed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(msg) | Error::Failed(msg) => f.write_str(msg),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for a [`Error::Failed`] with a formatted message.
macro_rules! fail {
    ($($arg:tt)*) => {
        $crate::util::Error::Failed(format!($($arg)*))
    };
}
pub(crate) use fail;

/// The workspace root (where `Cargo.toml`, `Trunk.toml` and `Cargo.lock` live).
pub fn workspace_root() -> PathBuf {
    // crates/xtask → crates → root
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/xtask has two parents")
        .to_path_buf()
}

/// Cargo's own bin folder (`$CARGO_HOME/bin`, usually `~/.cargo/bin`), where
/// `cargo install` puts trunk and wasm-bindgen.
pub fn cargo_bin_dir() -> Option<PathBuf> {
    if let Some(home) = env::var_os("CARGO_HOME") {
        return Some(PathBuf::from(home).join("bin"));
    }
    env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo").join("bin"))
}

/// `PATH` with cargo's bin folder in front, so that tools `cargo install`ed a
/// moment ago are found even when the shell's `PATH` lacks `~/.cargo/bin`.
pub fn search_path() -> OsString {
    let mut dirs: Vec<PathBuf> = cargo_bin_dir().into_iter().collect();
    if let Some(path) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&path));
    }
    env::join_paths(dirs).unwrap_or_else(|_| env::var_os("PATH").unwrap_or_default())
}

/// Finds an executable on [`search_path`], like `which`.
pub fn which(name: &str) -> Option<PathBuf> {
    env::split_paths(&search_path())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a file anyone may run.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The cargo that runs us (so a toolchain override stays in effect).
pub fn cargo_program() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A command with [`search_path`] as its `PATH`, run from the workspace root.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("PATH", search_path()).current_dir(workspace_root());
    cmd
}

/// A `cargo` command, see [`command`].
pub fn cargo() -> Command {
    command(cargo_program())
}

/// The command line as a person would type it, for messages.
pub fn display(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    // Show `cargo`, not `/root/.rustup/toolchains/…/bin/cargo`.
    let mut parts = vec![
        program
            .file_name()
            .unwrap_or(program.as_os_str())
            .to_string_lossy()
            .into_owned(),
    ];
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            parts.push(format!("'{arg}'"));
        } else {
            parts.push(arg.into_owned());
        }
    }
    parts.join(" ")
}

/// Runs a command with inherited stdio; an error names the command and its
/// exit status.
pub fn run(cmd: &mut Command) -> Result<()> {
    println!("  $ {}", display(cmd));
    let status = cmd.status().map_err(|e| spawn_error(cmd, &e))?;
    if status.success() {
        Ok(())
    } else {
        Err(fail!("`{}` failed ({status})", display(cmd)))
    }
}

/// Runs a command quietly and returns its trimmed stdout, or `None` when it
/// cannot be started or exits non-zero. For probes like `trunk --version`.
pub fn probe(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn spawn_error(cmd: &Command, e: &std::io::Error) -> Error {
    let program = cmd.get_program().to_string_lossy();
    if e.kind() == ErrorKind::NotFound {
        fail!(
            "could not start `{program}`: not found on PATH (`cargo xtask setup` installs the tools)"
        )
    } else {
        fail!("could not start `{}`: {e}", display(cmd))
    }
}

/// The version of `package` recorded in the workspace's `Cargo.lock`.
pub fn locked_version(package: &str) -> Result<String> {
    let path = workspace_root().join("Cargo.lock");
    let text =
        std::fs::read_to_string(&path).map_err(|e| fail!("cannot read {}: {e}", path.display()))?;
    parse_locked_version(&text, package).ok_or_else(|| {
        fail!(
            "{} has no entry for `{package}`; run `cargo generate-lockfile`",
            path.display()
        )
    })
}

fn parse_locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == name_line {
            let version = lines.next()?.strip_prefix("version = \"")?;
            return version.strip_suffix('"').map(str::to_string);
        }
    }
    None
}

/// The string value of `key` in `[section]` of a simple TOML file (enough
/// for `Trunk.toml`; no arrays or inline tables).
pub fn toml_string(text: &str, section: &str, key: &str) -> Option<String> {
    let header = format!("[{section}]");
    let mut in_section = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == header;
        } else if in_section {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            if k.trim() == key {
                let v = v.split('#').next().unwrap_or("").trim();
                return v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .map(str::to_string);
            }
        }
    }
    None
}

/// `3.2s`, `1m 05s`.
pub fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_locked_version() {
        let lock = r#"
[[package]]
name = "wasm-bindgen-futures"
version = "0.4.80"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
        assert_eq!(
            parse_locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(parse_locked_version(lock, "trunk"), None);
    }

    #[test]
    fn reads_toml_string_in_section() {
        let toml =
            "[build]\ntarget = \"index.html\"\n\n[tools]\nwasm_bindgen = \"0.2.130\" # pinned\n";
        assert_eq!(
            toml_string(toml, "tools", "wasm_bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(toml_string(toml, "build", "wasm_bindgen"), None);
        assert_eq!(
            toml_string(toml, "build", "target").as_deref(),
            Some("index.html")
        );
    }

    #[test]
    fn formats_durations() {
        assert_eq!(human(Duration::from_millis(3240)), "3.2s");
        assert_eq!(human(Duration::from_secs(65)), "1m 05s");
    }

    #[test]
    fn workspace_root_has_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.lock").is_file());
    }
}
