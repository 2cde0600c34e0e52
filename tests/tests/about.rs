//! The About view: reachable from the nav on every page, hidden in an embed
//! (`hideText=true`), crediting every dataset and idea with its licence, and
//! telling what this page computes on.

use std::time::Duration;

use playnet_e2e::lab::LabPage;
use playnet_e2e::{Browser, BrowserOptions, Result, StaticServer, by_testid, dist_dir, wait_until};

const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

fn open(path: &str, ready: &str) -> Result<(Browser, StaticServer)> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default())?;
    browser.goto(&server.url(path))?;
    browser.find_within(LOAD_TIMEOUT, &by_testid(ready))?;
    Ok((browser, server))
}

/// Clicks the nav's About link and returns the view's text.
fn go_to_about(browser: &Browser) -> Result<String> {
    browser.click_on(&by_testid("nav-about"))?;
    let about = browser.find_within(Duration::from_secs(10), &by_testid("about"))?;
    browser.text(&about)
}

fn no_panic(browser: &Browser) -> Result<()> {
    let panic = browser.execute("return window.__playnet_panic || null;", &[])?;
    assert!(panic.is_null(), "the page panicked: {panic}");
    Ok(())
}

#[test]
fn about_credits_every_source_and_says_what_computes() -> Result<()> {
    let (browser, _server) = open("/", "epoch")?;
    let playground_backend = browser.text_of(&by_testid("backend"))?;
    go_to_about(&browser)?;
    let rows = browser.find_all(&format!("{} {}", by_testid("credits"), by_testid("credit")))?;
    let rows: Vec<String> = rows
        .iter()
        .map(|r| browser.text(r))
        .collect::<Result<_>>()?;
    for (what, licence) in [
        ("TensorFlow Playground", "Apache-2.0"),
        ("MNIST", "CC BY-SA 3.0"),
        ("without a PhD", "Apache-2.0"),
        ("Rust crates", "MIT / Apache-2.0"),
        ("Playnet", "MIT OR Apache-2.0"),
    ] {
        assert!(
            rows.iter().any(|r| r.contains(what) && r.contains(licence)),
            "no credit for {what} under {licence}: {rows:#?}"
        );
    }
    // The Playground's kernels, as the Playground itself shows them.
    let kernels = browser.text_of(&by_testid("about-playground-backend"))?;
    assert!(kernels.starts_with("cpu-"), "{kernels}");
    assert_eq!(playground_backend, "cpu");
    let lab = browser.text_of(&by_testid("about-lab-backend"))?;
    assert!(lab.contains("not started"), "{lab}");
    let webgpu = browser.text_of(&by_testid("about-webgpu"))?;
    assert!(
        ["available", "not available"].contains(&webgpu.as_str()),
        "{webgpu}"
    );
    // The nav marks it as the page shown, and the address is a link to it.
    let active = browser.find(&format!("{}.active", by_testid("nav-about")))?;
    assert!(browser.is_displayed(&active)?);
    assert!(browser.current_url()?.ends_with("#/about"));
    no_panic(&browser)
}

#[test]
fn about_is_reachable_from_every_page() -> Result<()> {
    let (browser, _server) = open("/", "epoch")?;
    for page in ["webcam", "sketch", "playground"] {
        browser.click_on(&by_testid(&format!("nav-{page}")))?;
        browser.find_within(Duration::from_secs(10), &by_testid(&format!("page-{page}")))?;
        let text = go_to_about(&browser)?;
        assert!(text.contains("Credits"), "from {page}: {text}");
    }
    no_panic(&browser)
}

#[test]
fn about_names_the_running_labs_backend() -> Result<()> {
    let page = LabPage::ready("/mnist", BrowserOptions::default())?;
    let backend = page.text("backend")?;
    go_to_about(&page.browser)?;
    let shown = page.text("about-lab-backend")?;
    assert!(
        shown.starts_with(&backend),
        "lab: {backend}, about: {shown}"
    );
    page.expect_no_errors()
}

#[test]
fn an_embed_with_hide_text_has_no_about_link() -> Result<()> {
    let (browser, _server) = open("/#hideText=true", "epoch")?;
    let link = browser.find(&by_testid("nav-about"))?;
    assert!(!browser.is_displayed(&link)?, "About shows in an embed");
    // Other pages (which have no hideText) show it again.
    browser.click_on(&by_testid("nav-sketch"))?;
    browser.find_within(Duration::from_secs(10), &by_testid("page-sketch"))?;
    wait_until(Duration::from_secs(5), "the About link to show", || {
        let link = browser.find(&by_testid("nav-about"))?;
        browser.is_displayed(&link)
    })?;
    no_panic(&browser)
}

#[test]
fn on_a_phone_the_nav_stays_one_row_and_about_is_reachable() -> Result<()> {
    let server = StaticServer::start(dist_dir()?)?;
    let browser = Browser::start_with(BrowserOptions::default().window_size(390, 844))?;
    browser.goto(&server.url("/"))?;
    browser.find_within(LOAD_TIMEOUT, &by_testid("epoch"))?;
    // Every link on one line, none taller than the bar (they scroll sideways).
    let rows = browser.execute(
        "const bar = document.querySelector('.nav').getBoundingClientRect(); \
         return [...document.querySelectorAll('.nav nav a')].map(a => { \
           const r = a.getBoundingClientRect(); \
           return [Math.round(r.top - bar.top), Math.round(r.bottom - bar.bottom)]; });",
        &[],
    )?;
    let rows = rows.as_array().expect("link positions").clone();
    assert_eq!(rows.len(), 5);
    assert!(
        rows.windows(2).all(|w| w[0][0] == w[1][0])
            && rows.iter().all(|r| r[1].as_i64() <= Some(0)),
        "the nav links wrap: {rows:?}"
    );
    let text = go_to_about(&browser)?;
    assert!(text.contains("Credits"));
    no_panic(&browser)
}
