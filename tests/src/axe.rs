//! Accessibility checks with [axe-core](https://github.com/dequelabs/axe-core),
//! test tooling only (never shipped in the page): npm installs it into
//! `target/axe` (`cargo xtask setup` does, see [`INSTALL`]), [`inject`] puts
//! `axe.min.js` into the page through WebDriver, and [`run`] returns what it
//! finds.
//!
//! WebDriver's scripts run outside the page's Content-Security-Policy (they
//! are not markup the policy could refuse), and axe itself evaluates no
//! strings, so checking a page trips none of the refusals the harness fails a
//! test on.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::json;

use crate::{Browser, Error, Result};

/// The axe-core release the tests use (`cargo xtask setup` installs it).
pub const VERSION: &str = "4.14.1";

/// What to run when axe-core is missing.
pub const INSTALL: &str = "npm install --prefix target/axe axe-core@4.14.1";

/// `axe.min.js`: `$PLAYNET_AXE` when set, else npm's copy in `target/axe`.
pub fn script_path() -> PathBuf {
    match std::env::var_os("PLAYNET_AXE") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/axe/node_modules/axe-core/axe.min.js"),
    }
}

/// The text of `axe.min.js`, or an error that says how to install it.
pub fn script() -> Result<String> {
    let path = script_path();
    std::fs::read_to_string(&path).map_err(|e| {
        Error::new(format!(
            "axe-core is not installed ({}: {e}): run `cargo xtask setup`, or `{INSTALL}` \
             from the workspace root (or point PLAYNET_AXE at an axe.min.js)",
            path.display()
        ))
    })
}

/// Puts axe into the current document (the top-level one, or the frame
/// [`Browser::switch_to_frame`] chose), unless it is there already.
pub fn inject(browser: &Browser) -> Result<()> {
    let present = browser.execute("return typeof window.axe === 'object';", &[])?;
    if present.as_bool() == Some(true) {
        return Ok(());
    }
    let source = script()?;
    let loaded = browser.execute(
        &format!("{source}\n;return typeof window.axe === 'object' ? window.axe.version : null;"),
        &[],
    )?;
    match loaded.as_str() {
        Some(_) => Ok(()),
        None => Err(Error::new("axe.min.js ran but left no window.axe")),
    }
}

/// Puts axe into the top-level document and each of its `frames` frames
/// (same-origin ones: axe in the top document asks them for their results).
pub fn inject_with_frames(browser: &Browser, frames: u32) -> Result<()> {
    for index in 0..frames {
        browser.switch_to_frame(Some(index))?;
        let injected = inject(browser);
        browser.switch_to_frame(None)?;
        injected.map_err(|e| e.context(format!("axe in frame {index}")))?;
    }
    inject(browser)
}

/// One node a rule failed on.
#[derive(Clone, Debug, Deserialize)]
pub struct Node {
    /// CSS selectors to the node (more than one when it is inside frames).
    pub target: Vec<String>,
    /// axe's explanation of what to fix.
    #[serde(default)]
    pub summary: String,
    /// The node's markup, shortened by axe.
    #[serde(default)]
    pub html: String,
}

/// One rule the page fails.
#[derive(Clone, Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    #[serde(default)]
    pub impact: String,
    pub help: String,
    #[serde(default)]
    pub help_url: String,
    pub nodes: Vec<Node>,
}

impl Violation {
    /// Serious and critical violations fail the tests.
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}): {} — {}",
            self.id, self.impact, self.help, self.help_url
        )?;
        for node in &self.nodes {
            writeln!(f, "    at {}", node.target.join(" >>> "))?;
            if !node.html.is_empty() {
                writeln!(f, "       {}", node.html)?;
            }
            for line in node.summary.lines() {
                writeln!(f, "       {line}")?;
            }
        }
        Ok(())
    }
}

/// Runs every axe rule on the whole document (frames with axe included) and
/// returns the violations.
pub fn run(browser: &Browser) -> Result<Vec<Violation>> {
    let outcome = browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         window.axe.run(document, arguments[0]).then(r => done({ violations: \
           r.violations.map(v => ({ id: v.id, impact: v.impact || '', help: v.help, \
             help_url: v.helpUrl, nodes: v.nodes.map(n => ({ target: n.target.map(String), \
               summary: n.failureSummary || '', html: n.html || '' })) })) }), \
           e => done({ error: String(e && e.stack || e) }));",
        &[json!({ "resultTypes": ["violations"] })],
    )?;
    if let Some(error) = outcome.get("error") {
        return Err(Error::new(format!("axe.run failed: {error}")));
    }
    serde_json::from_value(outcome["violations"].clone())
        .map_err(|e| Error::new(format!("axe's violations: {e}: {outcome}")))
}

/// Checks the page as it is now: every violation is printed, and serious or
/// critical ones are an error naming `state` (what the page was showing).
pub fn check(browser: &Browser, state: &str) -> Result<()> {
    inject(browser)?;
    expect_none_serious(state, run(browser)?)
}

/// Prints `violations` under `state` and fails on the serious ones.
pub fn expect_none_serious(state: &str, violations: Vec<Violation>) -> Result<()> {
    let (serious, other): (Vec<_>, Vec<_>) = violations.into_iter().partition(|v| v.is_serious());
    for v in &other {
        println!("axe, {state} (not failing): {v}");
    }
    if serious.is_empty() {
        println!("axe, {state}: no serious or critical violations");
        return Ok(());
    }
    let report: String = serious.iter().map(ToString::to_string).collect();
    Err(Error::new(format!(
        "axe found {} serious or critical violation(s) on {state}:\n{report}",
        serious.len()
    )))
}
