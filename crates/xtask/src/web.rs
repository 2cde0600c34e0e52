//! `cargo xtask serve` and `cargo xtask build`: trunk, after setup.

use std::path::PathBuf;

use crate::setup::{Needs, setup};
use crate::util::{Result, command, run, workspace_root};

pub const DEFAULT_PORT: u16 = 8080;

/// `trunk serve` on loopback; rebuilds and reloads the page on every change.
pub fn serve(port: u16, release: bool) -> Result<()> {
    setup(Needs::Web)?;
    println!("==> serving Playnet at http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    let mut cmd = command("trunk");
    cmd.args(["serve", "--address", "127.0.0.1", "--port"])
        .arg(port.to_string());
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)
}

/// `trunk build` into `dist/`, the static folder any web server can host.
pub fn build(release: bool) -> Result<PathBuf> {
    setup(Needs::Web)?;
    trunk_build(release)
}

/// `trunk build` without the setup step; returns the absolute `dist/`.
pub fn trunk_build(release: bool) -> Result<PathBuf> {
    let mut cmd = command("trunk");
    cmd.arg("build");
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)?;
    let dist = workspace_root().join("dist");
    println!("✓ page built into {}", dist.display());
    Ok(dist)
}
