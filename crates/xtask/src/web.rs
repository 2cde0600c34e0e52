//! `cargo xtask serve` and `cargo xtask build`: trunk, after setup.
//!
//! The two never share an output folder: `serve` writes a debug page with
//! no live-reload script (the page's Content-Security-Policy would refuse
//! it) into [`SERVE_DIR`], `build` the page to host
//! into [`BUILD_DIR`].

use std::path::PathBuf;
use std::process::Command;

use crate::setup::{Needs, setup};
use crate::util::{Result, command, fail, run, workspace_root};

pub const DEFAULT_PORT: u16 = 8080;

/// Where `cargo xtask build` puts the page to host (Trunk.toml's `dist`).
pub const BUILD_DIR: &str = "dist";

/// Where `cargo xtask serve` puts the page it serves (ignored by git, never
/// uploaded by mistake).
pub const SERVE_DIR: &str = "target/serve";

/// `trunk serve` on loopback; rebuilds the page on every change.
pub fn serve(port: u16, release: bool) -> Result<()> {
    setup(Needs::Web)?;
    println!("==> serving Playnet at http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    run(&mut serve_command(port, release))
}

/// The `trunk serve` command line for `port`.
fn serve_command(port: u16, release: bool) -> Command {
    let mut cmd = command("trunk");
    cmd.args([
        "serve",
        "--no-autoreload",
        "--address",
        "127.0.0.1",
        "--port",
    ])
    .arg(port.to_string())
    .arg("--dist")
    .arg(workspace_root().join(SERVE_DIR));
    if release {
        cmd.arg("--release");
    }
    cmd
}

/// `trunk build` into `dist/`, the static folder any web server can host.
pub fn build(release: bool) -> Result<PathBuf> {
    setup(Needs::Web)?;
    trunk_build(release)
}

/// `trunk build` without the setup step; returns the absolute `dist/`.
pub fn trunk_build(release: bool) -> Result<PathBuf> {
    let dist = workspace_root().join(BUILD_DIR);
    let mut cmd = command("trunk");
    cmd.arg("build").arg("--dist").arg(&dist);
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)?;
    if !crate::csp::has_policy(&dist) {
        return Err(fail!(
            "{}/index.html has no Content-Security-Policy: trunk did not run the `cargo xtask csp` hook of Trunk.toml",
            dist.display()
        ));
    }
    let files = crate::offline::write_service_worker(&dist)?;
    println!(
        "✓ page built into {} (its service worker keeps {files} files for offline use)",
        dist.display()
    );
    Ok(dist)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_and_build_never_share_a_folder() {
        let cmd = serve_command(DEFAULT_PORT, false);
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let at = args
            .iter()
            .position(|a| a == "--dist")
            .expect("serve names its folder");
        let served = PathBuf::from(&args[at + 1]);
        assert_eq!(served, workspace_root().join(SERVE_DIR));
        assert!(!served.starts_with(workspace_root().join(BUILD_DIR)));
        // No live-reload script, which the page's policy would refuse.
        assert!(args.iter().any(|a| a == "--no-autoreload"));
        // Trunk runs `cargo xtask csp` after every build.
        let trunk = std::fs::read_to_string(workspace_root().join("Trunk.toml")).unwrap();
        assert!(trunk.contains("command_arguments = [\"xtask\", \"csp\"]"));
        // Trunk.toml's own `dist` (what a bare `trunk build` writes) is the
        // build folder, not the served one.
        let trunk_toml = std::fs::read_to_string(workspace_root().join("Trunk.toml")).unwrap();
        assert!(trunk_toml.contains(&format!("dist = \"{BUILD_DIR}\"")));
        // A served folder is ignored by git, so it is never committed.
        let gitignore = std::fs::read_to_string(workspace_root().join(".gitignore")).unwrap();
        assert!(gitignore.lines().any(|l| l.trim_matches('/') == "target"));
    }
}
