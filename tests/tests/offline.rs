//! Offline: after one visit the service worker (`sw.js`, which `cargo xtask
//! build` writes) holds the whole build, so with the server gone every page
//! still works — the Playground trains, the MNIST lab loads its data, the
//! webcam page its network, the sketch page a model, and the lesson its
//! playgrounds. A new build's worker replaces the old one and its cache
//! (no old files left to mix with new ones). Chromium finds the page
//! installable (a manifest with icons, a controlling service worker).
//!
//! The build is copied to a temporary folder so that the test can make a
//! "new build" of it; stopping the test server is the network going away
//! (connections refused, as on a plane).

use std::path::{Path, PathBuf};
use std::time::Duration;

use playnet_e2e::{
    Browser, Error, Result, StaticServer, by_testid, dist_dir, parse_count, wait_until,
};
use serde_json::Value;

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| Error::new(format!("{}: {e}", to.display())))?;
    let entries = std::fs::read_dir(from).map_err(|e| Error::new(format!("{from:?}: {e}")))?;
    for entry in entries.flatten() {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_dir(&source, &target)?;
        } else {
            std::fs::copy(&source, &target)
                .map_err(|e| Error::new(format!("copying {}: {e}", source.display())))?;
        }
    }
    Ok(())
}

/// The `playnet-…` caches, and how many entries each holds.
fn caches(browser: &Browser) -> Result<Value> {
    browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         (async () => { \
           const out = {}; \
           for (const name of await caches.keys()) { \
             if (name.startsWith('playnet-')) out[name] = (await (await caches.open(name)).keys()).length; \
           } \
           return { caches: out, controlled: !!navigator.serviceWorker.controller }; \
         })().then(done, e => done({ error: String(e) }));",
        &[],
    )
}

/// Waits until exactly one build is cached, whole (`files` + the folder's
/// own URL), named after `version`, and the page is controlled by it.
fn wait_cached(browser: &Browser, version: &str, files: usize) -> Result<()> {
    let want = format!("playnet-{version}");
    wait_until(
        Duration::from_secs(120),
        &format!("{want} cached whole"),
        || {
            let state = caches(browser)?;
            if let Some(e) = state.get("error") {
                return Err(Error::new(format!("reading the caches: {e}")));
            }
            let names = state["caches"].as_object().cloned().unwrap_or_default();
            Ok(names.len() == 1
                && names.get(&want).and_then(Value::as_u64) == Some(files as u64 + 1)
                && state["controlled"] == Value::Bool(true))
        },
    )
}

/// The version and file count `sw.js` starts with.
fn service_worker_build(site: &Path) -> Result<(String, usize)> {
    let script = std::fs::read_to_string(site.join("sw.js")).map_err(|e| {
        Error::new(format!(
            "no sw.js in the build (cargo xtask build writes it): {e}"
        ))
    })?;
    let mut lines = script.lines();
    let version = lines
        .next()
        .and_then(|l| l.split('"').nth(1))
        .ok_or_else(|| Error::new("sw.js does not start with its version"))?
        .to_string();
    let files = lines
        .next()
        .and_then(|l| l.strip_prefix("const FILES = "))
        .and_then(|l| serde_json::from_str::<Vec<String>>(l.trim_end_matches(';')).ok())
        .ok_or_else(|| Error::new("sw.js's second line is not its file list"))?;
    Ok((version, files.len()))
}

fn attribute(browser: &Browser, id: &str, name: &str) -> Result<String> {
    let el = browser.find(&by_testid(id))?;
    Ok(browser.attribute(&el, name)?.unwrap_or_default())
}

fn wait_phase(browser: &Browser, id: &str, ready: fn(&str) -> bool, what: &str) -> Result<()> {
    wait_until(Duration::from_secs(120), what, || {
        match attribute(browser, id, "data-phase")?.as_str() {
            "error" => Err(Error::new(format!(
                "{id}: {}",
                browser.text_of(&by_testid(id))?
            ))),
            phase => Ok(ready(phase)),
        }
    })
}

#[test]
fn after_one_visit_every_page_works_offline_and_a_new_build_replaces_the_old() -> Result<()> {
    let site: PathBuf =
        std::env::temp_dir().join(format!("playnet-offline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(&dist_dir()?, &site)?;
    let (first, files) = service_worker_build(&site)?;
    let server = StaticServer::start(&site)?;
    let browser = Browser::start()?;

    // The first visit (a WebDriver browser opts in; see crates/app/src/offline.rs).
    browser.goto(&server.url("/"))?;
    browser.find_within(Duration::from_secs(30), &by_testid("play"))?;
    browser.execute(
        "localStorage.setItem('playnet-service-worker', 'on'); location.reload(); return null;",
        &[],
    )?;
    browser.find_within(Duration::from_secs(30), &by_testid("play"))?;
    wait_cached(&browser, &first, files)?;

    // A new build: another page and another sw.js. Its worker takes over
    // and the old build's cache is gone.
    let index =
        std::fs::read_to_string(site.join("index.html")).map_err(|e| Error::new(e.to_string()))?;
    std::fs::write(
        site.join("index.html"),
        index.replace(
            "<head>",
            "<head>\n    <meta name=\"playnet-build\" content=\"second\" />",
        ),
    )
    .map_err(|e| Error::new(e.to_string()))?;
    let script =
        std::fs::read_to_string(site.join("sw.js")).map_err(|e| Error::new(e.to_string()))?;
    let second = "0123456789abcdef";
    std::fs::write(site.join("sw.js"), script.replacen(&first, second, 1))
        .map_err(|e| Error::new(e.to_string()))?;
    browser.execute("location.reload(); return null;", &[])?;
    browser.find_within(Duration::from_secs(30), &by_testid("play"))?;
    wait_cached(&browser, second, files)?;

    // The network goes away.
    drop(server);
    browser.execute("location.reload(); return null;", &[])?;
    browser
        .find_within(Duration::from_secs(30), &by_testid("play"))
        .map_err(|e| e.context("the Playground offline"))?;
    let build = browser.execute(
        "const m = document.querySelector('meta[name=playnet-build]'); return m ? m.content : null;",
        &[],
    )?;
    assert_eq!(
        build,
        Value::from("second"),
        "offline, the page is the new build's"
    );
    browser.click_on(&by_testid("play"))?;
    wait_until(
        Duration::from_secs(30),
        "the Playground to train offline",
        || Ok(parse_count(&browser.text_of(&by_testid("epoch"))?)? > 0),
    )?;

    let url = browser.current_url()?;
    let base = url.split('#').next().unwrap_or(&url).to_string();
    browser.goto(&format!("{base}#/mnist"))?;
    browser.find_within(Duration::from_secs(30), &by_testid("mnist-lab"))?;
    wait_phase(&browser, "mnist-status", |p| p == "ready", "MNIST offline")?;

    browser.goto(&format!("{base}#/webcam?samples=true"))?;
    browser.find_within(Duration::from_secs(30), &by_testid("webcam-page"))?;
    wait_phase(
        &browser,
        "status",
        |p| p == "ready",
        "the webcam network offline",
    )?;

    browser.goto(&format!("{base}#/sketch?class=bird"))?;
    wait_phase(
        &browser,
        "sketch-status",
        |p| !p.is_empty() && p != "loading",
        "the sketch model offline",
    )?;

    browser.goto(&format!("{base}lesson.html"))?;
    wait_until(Duration::from_secs(60), "the lesson offline", || {
        let rendered = browser.execute(
            "return [...document.querySelectorAll('iframe')].filter(f => \
               f.contentDocument && f.contentDocument.querySelector('[data-testid=play]')).length;",
            &[],
        )?;
        Ok(rendered.as_u64() == Some(2))
    })?;
    let panic = browser.execute("return window.__playnet_panic || null;", &[])?;
    assert!(panic.is_null(), "the page panicked: {panic}");
    let _ = std::fs::remove_dir_all(&site);
    Ok(())
}

#[test]
fn the_page_is_installable() -> Result<()> {
    // Chromium's own verdict (what its install button and Lighthouse's
    // installability audit read): a manifest with a name, a start URL and
    // 192 and 512 px icons, a service worker that controls the page.
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start()?;
    browser.goto(&server.url("/"))?;
    browser.find_within(Duration::from_secs(30), &by_testid("epoch"))?;
    // A WebDriver browser opts in to the service worker (see crates/app/src/offline.rs).
    browser.execute(
        "localStorage.setItem('playnet-service-worker', 'on'); location.reload(); return null;",
        &[],
    )?;
    browser.find_within(Duration::from_secs(30), &by_testid("epoch"))?;
    wait_until(
        Duration::from_secs(120),
        "the service worker to control the page",
        || {
            Ok(browser
                .execute("return !!navigator.serviceWorker.controller;", &[])?
                .as_bool()
                .unwrap_or(false))
        },
    )?;
    let manifest = browser.cdp("Page.getAppManifest", serde_json::json!({}))?;
    let errors = manifest["errors"].as_array().cloned().unwrap_or_default();
    assert!(errors.is_empty(), "the manifest has errors: {errors:?}");
    let mut last = Value::Null;
    wait_until(Duration::from_secs(20), "no installability errors", || {
        last = browser.cdp("Page.getInstallabilityErrors", serde_json::json!({}))?;
        Ok(last["installabilityErrors"]
            .as_array()
            .is_some_and(|e| e.is_empty()))
    })
    .map_err(|e| e.context(format!("Chromium says: {last}")))?;
    Ok(())
}
