//! The page's Content-Security-Policy, written into the built `index.html`
//! as a `<meta http-equiv>` tag by `cargo xtask csp`, which trunk runs as a
//! post-build hook (Trunk.toml) on every build, `cargo xtask serve`'s too.
//!
//! Trunk writes one inline script into the page (the module that loads the
//! app's wasm; under `serve`, its live-reload script too). The policy allows
//! exactly those by their SHA-256 hashes, the page's own files, and
//! WebAssembly compilation (`'wasm-unsafe-eval'`); nothing else runs, and
//! nothing is fetched from another origin. `blob:` is allowed where the page
//! shows or reads back bytes it made itself (exports, camera frames);
//! inline `style` attributes are allowed because Leptos positions the
//! Playground's nodes with them (styles cannot run code).

use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::util::{Result, fail};

/// What the page may load, apart from the hashes of its inline scripts.
const DIRECTIVES: [&str; 11] = [
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self' blob:",
    "worker-src 'self'",
    "frame-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
];

/// What trunk's live-reload script holds until `trunk serve` fills it in
/// per request: such a script cannot be hashed ahead of time.
const TRUNK_TEMPLATE: &str = "{{__TRUNK_ADDRESS__}}";

/// The marker the tag carries, so a second run replaces it.
const MARK: &str = "data-playnet-csp";

/// The policy for a page whose inline scripts are `scripts`.
pub fn policy<'a>(scripts: impl IntoIterator<Item = &'a str>) -> String {
    let mut script_src = String::from("script-src 'self' 'wasm-unsafe-eval'");
    for script in scripts {
        let digest = Sha256::digest(script.as_bytes());
        script_src.push_str(&format!(
            " 'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
    }
    let mut out = DIRECTIVES.join("; ");
    out.push_str("; ");
    out.push_str(&script_src);
    out
}

/// The bodies of the inline `<script>` elements of `html` (those without a
/// `src`), in order.
pub fn inline_scripts(html: &str) -> Result<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let open_end = after
            .find('>')
            .ok_or_else(|| fail!("an unclosed <script tag"))?;
        let attributes = &after[..open_end];
        let body_start = open_end + 1;
        let close = after[body_start..]
            .find("</script>")
            .ok_or_else(|| fail!("a <script> without </script>"))?;
        if !attributes.contains(" src=") {
            out.push(&after[body_start..body_start + close]);
        }
        rest = &after[body_start + close + "</script>".len()..];
    }
    Ok(out)
}

/// `html` with its policy tag (replaced if there is one) in `<head>`, after
/// the `<meta charset>` (which must come first) and before anything it
/// governs.
pub fn with_policy(html: &str) -> Result<String> {
    let html = without_policy(html);
    let scripts = inline_scripts(&html)?;
    let (templates, scripts): (Vec<&str>, Vec<&str>) = scripts
        .into_iter()
        .partition(|s| s.contains(TRUNK_TEMPLATE));
    if !templates.is_empty() {
        eprintln!(
            "warning: the policy refuses trunk's live-reload script (its bytes change per request); \
             `cargo xtask serve` runs trunk with --no-autoreload"
        );
    }
    let tag = format!(
        "<meta http-equiv=\"Content-Security-Policy\" {MARK} content=\"{}\">",
        policy(scripts)
    );
    let head = html
        .find("<head>")
        .ok_or_else(|| fail!("the page has no <head>"))?
        + "<head>".len();
    let at = html[head..]
        .find("<meta charset")
        .and_then(|c| html[head + c..].find('>').map(|e| head + c + e + 1))
        .unwrap_or(head);
    Ok(format!("{}\n    {tag}{}", &html[..at], &html[at..]))
}

/// `html` without a tag an earlier run wrote.
fn without_policy(html: &str) -> String {
    let Some(mark) = html.find(MARK) else {
        return html.to_string();
    };
    let start = html[..mark].rfind("<meta").unwrap_or(mark);
    let end = html[mark..].find('>').map_or(html.len(), |e| mark + e + 1);
    let mut start_line = start;
    while start_line > 0 && html.as_bytes()[start_line - 1] == b' ' {
        start_line -= 1;
    }
    if start_line > 0 && html.as_bytes()[start_line - 1] == b'\n' {
        start_line -= 1;
    }
    format!("{}{}", &html[..start_line], &html[end..])
}

/// Writes the policy into `folder/index.html` (trunk's staging folder, from
/// `TRUNK_STAGING_DIR`, when run as its hook); returns how many inline
/// scripts it allows.
pub fn write_policy(folder: &Path) -> Result<usize> {
    let path = folder.join("index.html");
    let html =
        std::fs::read_to_string(&path).map_err(|e| fail!("reading {}: {e}", path.display()))?;
    let out = with_policy(&html)?;
    let scripts = inline_scripts(&out)?
        .iter()
        .filter(|s| !s.contains(TRUNK_TEMPLATE))
        .count();
    std::fs::write(&path, out).map_err(|e| fail!("writing {}: {e}", path.display()))?;
    Ok(scripts)
}

/// Whether the built page in `folder` carries a policy.
pub fn has_policy(folder: &Path) -> bool {
    std::fs::read_to_string(folder.join("index.html")).is_ok_and(|html| html.contains(MARK))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\" />\n    <title>x</title>\n    \
        <script type=\"module\">import init from './a.js';</script>\n    \
        <script src=\"./b.js\"></script>\n  </head>\n</html>\n";

    #[test]
    fn the_policy_allows_each_inline_script_by_its_hash_and_nothing_from_elsewhere() {
        let scripts = inline_scripts(PAGE).unwrap();
        assert_eq!(scripts, ["import init from './a.js';"]);
        let p = policy(scripts);
        let digest = Sha256::digest(b"import init from './a.js';");
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(p.contains(&format!("'sha256-{hash}'")), "{p}");
        assert!(p.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(p.contains("connect-src 'self' blob:"));
        assert!(!p.contains(" 'unsafe-eval'"), "{p}");
        assert!(!p.contains("http"), "no other origin: {p}");
        assert!(!p.contains("script-src 'self' 'unsafe-inline'"));
    }

    #[test]
    fn writing_twice_keeps_one_tag_and_the_page() {
        let once = with_policy(PAGE).unwrap();
        let twice = with_policy(&once).unwrap();
        assert_eq!(once, twice);
        assert_eq!(once.matches(MARK).count(), 1);
        assert!(once.starts_with(
            "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\" />\n    <meta http-equiv"
        ));
        assert_eq!(without_policy(&once), PAGE);
    }

    #[test]
    fn trunks_live_reload_template_is_not_allowed() {
        let page = PAGE.replace(
            "</head>",
            "<script>const a = '{{__TRUNK_ADDRESS__}}';</script></head>",
        );
        let with = with_policy(&page).unwrap();
        assert_eq!(with.matches("'sha256-").count(), 1, "{with}");
    }

    #[test]
    fn a_page_without_a_head_or_with_a_broken_script_is_refused() {
        assert!(with_policy("<html></html>").is_err());
        assert!(inline_scripts("<head><script>oops").is_err());
    }
}
