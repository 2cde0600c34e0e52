//! The built page's Content-Security-Policy (`cargo xtask csp` writes it as
//! a `<meta>` tag): in force, strict, and refusing what the page did not
//! ship. That the page itself trips none of it is checked by every test:
//! a [`Browser`] fails its test when it closes if the page recorded a
//! refusal.

use std::time::Duration;

use playnet_e2e::{
    Browser, BrowserOptions, Result, StaticServer, by_testid, dist_dir, parse_count, wait_until,
};
use serde_json::Value;

const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

fn policy(browser: &Browser) -> Result<String> {
    let v = browser.execute(
        "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); \
         return m ? m.content : null;",
        &[],
    )?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

#[test]
fn the_page_runs_only_its_own_scripts_and_talks_only_to_its_own_origin() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default())?;
    browser.goto(&server.url("/"))?;
    browser.find_within(LOAD_TIMEOUT, &by_testid("epoch"))?;
    let policy = policy(&browser)?;
    let directive = |name: &str| {
        policy
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with(&format!("{name} ")))
            .unwrap_or_default()
            .to_string()
    };
    let scripts = directive("script-src");
    assert!(
        scripts.starts_with("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{policy}"
    );
    assert!(
        !scripts.contains("unsafe-inline") && !scripts.contains("'unsafe-eval'"),
        "{scripts}"
    );
    assert_eq!(directive("connect-src"), "connect-src 'self' blob:");
    assert_eq!(directive("default-src"), "default-src 'self'");
    assert!(!policy.contains("http"), "another origin in {policy}");
    // Markup that tries to run code, a script the page did not ship, and a
    // request to another origin are all refused.
    browser.execute(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"data:,\" onerror=\"window.__pwned = 1\">'); \
         const s = document.createElement('script'); s.textContent = 'window.__pwned = 2'; \
         document.body.appendChild(s); \
         window.__fetched = 'pending'; \
         fetch('http://127.0.0.2:9/').then(() => window.__fetched = 'yes', () => window.__fetched = 'refused'); \
         return null;",
        &[],
    )?;
    wait_until(Duration::from_secs(10), "the refusals", || {
        let refused = browser.csp_violations()?;
        Ok(refused.len() >= 3)
    })?;
    let refused = browser.csp_violations()?;
    assert!(
        refused.iter().any(|r| r.starts_with("script-src-attr")),
        "{refused:?}"
    );
    assert!(
        refused.iter().any(|r| r.starts_with("script-src-elem")),
        "{refused:?}"
    );
    assert!(
        refused
            .iter()
            .any(|r| r.starts_with("connect-src http://127.0.0.2")),
        "{refused:?}"
    );
    assert_eq!(
        browser.execute("return window.__pwned ?? null;", &[])?,
        Value::Null
    );
    wait_until(Duration::from_secs(5), "the fetch to fail", || {
        Ok(browser.execute("return window.__fetched;", &[])? == "refused")
    })?;
    // The page still trains.
    browser.click_on(&by_testid("play"))?;
    wait_until(Duration::from_secs(20), "an epoch", || {
        Ok(parse_count(&browser.text_of(&by_testid("epoch"))?)? > 0)
    })?;
    browser.forget_csp_violations()
}

#[test]
fn the_lesson_page_allows_no_script_and_frames_only_the_page() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default())?;
    browser.goto(&server.url("/lesson.html"))?;
    let policy = policy(&browser)?;
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(policy.contains("frame-src 'self'"), "{policy}");
    assert!(!policy.contains("script-src"), "{policy}");
    Ok(())
}
