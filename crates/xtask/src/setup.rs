//! `cargo xtask setup`: installs what the build and the tests need, each step
//! skipped when its tool is already there at the right version.
//!
//! A fresh machine has only rustup and cargo; this gets it to a state where
//! `trunk build` and the browser tests run, without ever fetching anything
//! outside the package registries (crates.io, Debian's apt, and npm for
//! axe-core, the accessibility tests' checker).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::util::{
    self, Result, cargo, command, fail, human, locked_version, probe, run, toml_string, which,
    workspace_root,
};

/// The trunk release we build with: 0.22 needs a newer rustc than we have.
pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// axe-core, the accessibility checker of the browser tests (test tooling
/// only, never in the page): `tests/src/axe.rs` names the same version.
pub const AXE_VERSION: &str = "4.14.1";
/// Where npm installs axe-core, from the workspace root (the tests read
/// `node_modules/axe-core/axe.min.js` there).
pub const AXE_DIR: &str = "target/axe";

/// How much of the tool chain a subcommand needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Needs {
    /// wasm target, trunk, wasm-bindgen: enough to build and serve the page.
    Web,
    /// Also Chromium, ChromeDriver, lavapipe and axe-core (with npm):
    /// enough to run every test.
    Everything,
}

/// Paths of the browser tools, for the test stages' environment.
#[derive(Clone, Debug)]
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Runs every step `needs` asks for. Returns the browser paths when they
/// were asked for.
pub fn setup(needs: Needs) -> Result<Option<Browser>> {
    let started = Instant::now();
    println!("==> setup");
    let bindgen_version = bindgen_version()?;
    wasm_target()?;
    cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &bindgen_version, false)?;
    cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
    fetch_crates()?;
    let browser = match needs {
        Needs::Web => None,
        Needs::Everything => {
            let browser = system_packages()?;
            axe_core()?;
            Some(browser)
        }
    };
    println!("==> setup done ({})", human(started.elapsed()));
    Ok(browser)
}

/// The wasm-bindgen version from `Cargo.lock`, checked against the pin in
/// `Trunk.toml` (trunk would try to download any other version).
fn bindgen_version() -> Result<String> {
    let locked = locked_version("wasm-bindgen")?;
    let trunk_toml = util::workspace_root().join("Trunk.toml");
    let text = std::fs::read_to_string(&trunk_toml)
        .map_err(|e| fail!("cannot read {}: {e}", trunk_toml.display()))?;
    match toml_string(&text, "tools", "wasm_bindgen") {
        Some(pinned) if pinned == locked => Ok(locked),
        Some(pinned) => Err(fail!(
            "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen {locked}; \
             make them agree (the CLI must match the library exactly)"
        )),
        None => Err(fail!(
            "Trunk.toml has no `[tools] wasm_bindgen = \"{locked}\"`; without it trunk may try to download one"
        )),
    }
}

fn wasm_target() -> Result<()> {
    let label = format!("{WASM_TARGET} target");
    if let Some(rustup) = which("rustup") {
        let installed = probe(command(&rustup).args(["target", "list", "--installed"]))
            .ok_or_else(|| fail!("`rustup target list --installed` failed"))?;
        if installed.lines().any(|l| l.trim() == WASM_TARGET) {
            return done_already(&label);
        }
        installing(&label);
        let t = Instant::now();
        run(command(&rustup).args(["target", "add", WASM_TARGET]))?;
        return installed_in(&label, t);
    }
    // No rustup (a distribution's Rust): look in the sysroot instead.
    let sysroot = probe(command("rustc").args(["--print", "sysroot"]))
        .ok_or_else(|| fail!("cannot run `rustc --print sysroot`"))?;
    if Path::new(&sysroot)
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .is_dir()
    {
        done_already(&label)
    } else {
        Err(fail!(
            "the {WASM_TARGET} standard library is missing and rustup is not installed; \
             install the target for your Rust toolchain (with rustup: `rustup target add {WASM_TARGET}`)"
        ))
    }
}

/// Installs `krate` with `cargo install` unless `bin --version` already
/// reports `version`.
fn cargo_tool(krate: &str, bin: &str, version: &str, locked: bool) -> Result<()> {
    let label = format!("{bin} {version}");
    let found = which(bin).and_then(|path| probe(command(path).arg("--version")));
    // `trunk 0.21.14`, `wasm-bindgen 0.2.130`
    let found_version = found
        .as_deref()
        .and_then(|s| s.split_whitespace().nth(1))
        .map(str::to_string);
    if found_version.as_deref() == Some(version) {
        return done_already(&label);
    }
    match &found_version {
        Some(other) => println!("… installing {label} (found {bin} {other})"),
        None => installing(&label),
    }
    let t = Instant::now();
    let mut cmd = cargo();
    cmd.args(["install", krate, "--version", version, "--force"]);
    // wasm-bindgen-cli 0.2.130's own lockfile names a crate version that the
    // registry lacks, so it installs without --locked.
    if locked {
        cmd.arg("--locked");
    }
    run(&mut cmd).map_err(|e| fail!("installing {label} failed: {e}"))?;
    // Make sure the binary we will call is the one just installed.
    let now = which(bin).and_then(|path| probe(command(path).arg("--version")));
    match now.as_deref().and_then(|s| s.split_whitespace().nth(1)) {
        Some(v) if v == version => installed_in(&label, t),
        other => Err(fail!(
            "installed {label}, but `{bin} --version` on PATH reports {}; \
             is another {bin} earlier on PATH than {}?",
            other.unwrap_or("nothing"),
            util::cargo_bin_dir().map_or("~/.cargo/bin".into(), |p| p.display().to_string()),
        )),
    }
}

/// Downloads every crate for every target, so trunk (offline, see
/// Trunk.toml) and the wasm tests never wait on the network.
fn fetch_crates() -> Result<()> {
    let t = Instant::now();
    let mut cmd = cargo();
    cmd.args(["fetch", "--quiet"]);
    run_quiet(&mut cmd)?;
    println!("✓ crates fetched for all targets ({})", human(t.elapsed()));
    Ok(())
}

/// Runs a command, echoing it only when it fails.
fn run_quiet(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .output()
        .map_err(|e| fail!("could not start `{}`: {e}", util::display(cmd)))?;
    if out.status.success() {
        return Ok(());
    }
    Err(fail!(
        "`{}` failed ({}):\n{}{}",
        util::display(cmd),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

const LAVAPIPE_ICD_DIR: &str = "/usr/share/vulkan/icd.d";

fn lavapipe_installed() -> bool {
    std::fs::read_dir(LAVAPIPE_ICD_DIR)
        .map(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("lvp_icd") && name.ends_with(".json")
            })
        })
        .unwrap_or(false)
}

/// A Debian package and how to tell it is installed.
struct SystemPackage {
    label: &'static str,
    apt: &'static str,
    present: bool,
}

/// A browser tool: the executable its environment variable names (which
/// wins, for machines without apt), else the one on `PATH`.
fn browser_tool(variable: &str, name: &str) -> Result<Option<PathBuf>> {
    match std::env::var_os(variable) {
        Some(path) => {
            let path = PathBuf::from(path);
            if util::is_executable(&path) {
                Ok(Some(path))
            } else {
                Err(fail!(
                    "{variable}={} is not an executable file: point it at your {name}, or unset it",
                    path.display()
                ))
            }
        }
        None => Ok(which(name)),
    }
}

/// Chromium, ChromeDriver and Mesa's lavapipe from Debian's apt (`CHROMIUM`
/// and `CHROMEDRIVER` name ones installed by hand instead).
fn system_packages() -> Result<Browser> {
    let chromium = browser_tool("CHROMIUM", "chromium")?;
    let chromedriver = browser_tool("CHROMEDRIVER", "chromedriver")?;
    let (has_chromium, has_driver) = (chromium.is_some(), chromedriver.is_some());
    let wanted = [
        SystemPackage {
            label: "chromium",
            apt: "chromium",
            present: has_chromium,
        },
        SystemPackage {
            label: "chromedriver",
            apt: "chromium-driver",
            present: has_driver,
        },
        SystemPackage {
            label: "lavapipe (Mesa's Vulkan on the CPU)",
            apt: "mesa-vulkan-drivers",
            present: lavapipe_installed(),
        },
        SystemPackage {
            label: "npm (installs axe-core for the accessibility tests)",
            apt: "npm",
            present: which("npm").is_some(),
        },
    ];
    let mut missing = Vec::new();
    for package in wanted {
        if package.present {
            done_already(package.label)?;
        } else {
            missing.push((package.label, package.apt));
        }
    }
    if !missing.is_empty() {
        let packages: Vec<&str> = missing.iter().map(|(_, p)| *p).collect();
        for (label, package) in &missing {
            println!("… installing {label} (apt package {package})");
        }
        let t = Instant::now();
        apt_install(&packages)?;
        for (label, _) in &missing {
            println!("✓ {label} installed");
        }
        println!("  apt took {}", human(t.elapsed()));
    }
    let chromium = chromium
        .or_else(|| which("chromium"))
        .ok_or_else(|| fail!("chromium is not on PATH after apt"))?;
    let chromedriver = chromedriver
        .or_else(|| which("chromedriver"))
        .ok_or_else(|| fail!("chromedriver is not on PATH after apt"))?;
    if !lavapipe_installed() {
        return Err(fail!(
            "mesa-vulkan-drivers is installed but no {LAVAPIPE_ICD_DIR}/lvp_icd*.json exists"
        ));
    }
    check_driver_matches(&chromium, &chromedriver);
    Ok(Browser {
        chromium,
        chromedriver,
    })
}

/// The `version` of the npm package whose `package.json` is at `path`.
fn npm_package_version(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["version"].as_str().map(str::to_string)
}

/// axe-core from npm into [`AXE_DIR`], for the e2e accessibility tests.
fn axe_core() -> Result<()> {
    let label = format!("axe-core {AXE_VERSION} (npm, in {AXE_DIR})");
    let dir = workspace_root().join(AXE_DIR);
    let package = dir.join("node_modules/axe-core/package.json");
    let found = npm_package_version(&package);
    if found.as_deref() == Some(AXE_VERSION) {
        return done_already(&label);
    }
    let Some(npm) = which("npm") else {
        return Err(fail!(
            "npm not found: the browser tests check each page with axe-core, which npm installs \
             (`npm install --prefix {AXE_DIR} axe-core@{AXE_VERSION}`); install Node.js's npm \
             (Debian: `apt-get install npm`), or `cargo xtask test --skip-browser` runs what \
             needs no browser"
        ));
    };
    match &found {
        Some(other) => println!("… installing {label} (found axe-core {other})"),
        None => installing(&label),
    }
    let t = Instant::now();
    let mut cmd = command(npm);
    cmd.args([
        "install",
        "--no-audit",
        "--no-fund",
        "--save-exact",
        "--prefix",
    ])
    .arg(&dir)
    .arg(format!("axe-core@{AXE_VERSION}"));
    run(&mut cmd).map_err(|e| fail!("installing {label} failed: {e}"))?;
    match npm_package_version(&package) {
        Some(v) if v == AXE_VERSION => installed_in(&label, t),
        other => Err(fail!(
            "npm installed axe-core, but {} says {}",
            package.display(),
            other.as_deref().unwrap_or("nothing")
        )),
    }
}

fn apt_install(packages: &[&str]) -> Result<()> {
    let Some(apt) = which("apt-get") else {
        return Err(fail!(
            "apt-get not found (setup installs system packages on Debian and Ubuntu): install \
             {} (Debian's names) with your system's package manager; CHROMIUM=<path> and \
             CHROMEDRIVER=<path> point at a Chromium and a matching ChromeDriver installed \
             elsewhere, or `cargo xtask test --skip-browser` runs what needs neither",
            packages.join(", ")
        ));
    };
    let is_root = probe(Command::new("id").arg("-u")).as_deref() == Some("0");
    let apt_cmd = |args: &[&str]| -> Result<Command> {
        let mut cmd = if is_root {
            command(&apt)
        } else {
            let sudo = which("sudo").ok_or_else(|| {
                fail!(
                    "not root and no sudo: run `apt-get install -y {}` as root",
                    packages.join(" ")
                )
            })?;
            let mut cmd = command(sudo);
            cmd.arg(&apt);
            cmd
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        Ok(cmd)
    };
    run(&mut apt_cmd(&["update"])?).map_err(|e| fail!("apt-get update failed: {e}"))?;
    let mut install = apt_cmd(&["install", "-y"])?;
    install.args(packages);
    run(&mut install).map_err(|e| fail!("installing {} failed: {e}", packages.join(", ")))
}

/// ChromeDriver only drives the Chromium of its own major version; a
/// mismatch makes every browser test fail with a confusing session error.
fn check_driver_matches(chromium: &Path, chromedriver: &Path) {
    let major = |out: Option<String>| -> Option<String> {
        // "Chromium 156.0.8078.73 built on Debian …", "ChromeDriver 156.0.8078.73 (…)"
        let out = out?;
        let version = out.split_whitespace().nth(1)?;
        version.split('.').next().map(str::to_string)
    };
    let browser = major(probe(command(chromium).arg("--version")));
    let driver = major(probe(command(chromedriver).arg("--version")));
    match (browser, driver) {
        (Some(b), Some(d)) if b == d => {
            println!("✓ chromium and chromedriver are both version {b}")
        }
        (b, d) => println!(
            "! chromium ({}) and chromedriver ({}) major versions differ; browser tests may fail",
            b.as_deref().unwrap_or("?"),
            d.as_deref().unwrap_or("?")
        ),
    }
}

fn done_already(label: &str) -> Result<()> {
    println!("✓ {label} already installed");
    Ok(())
}

fn installing(label: &str) {
    println!("… installing {label}");
}

fn installed_in(label: &str, started: Instant) -> Result<()> {
    println!("✓ {label} installed ({})", human(started.elapsed()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_installs_the_axe_core_the_tests_read() {
        let axe = std::fs::read_to_string(workspace_root().join("tests/src/axe.rs")).unwrap();
        assert!(
            axe.contains(&format!("pub const VERSION: &str = \"{AXE_VERSION}\";")),
            "tests/src/axe.rs names another axe-core than setup's {AXE_VERSION}"
        );
        assert!(axe.contains(&format!("--prefix {AXE_DIR} axe-core@{AXE_VERSION}")));
        assert!(axe.contains(&format!("../{AXE_DIR}/node_modules/axe-core/axe.min.js")));
    }
}
