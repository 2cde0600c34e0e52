//! The built page served from a sub-folder of a static host
//! (`/some/folder/`), as a GitHub Pages project site or a school's web
//! server would: every page loads its CSS, scripts, workers and assets from
//! there (the MNIST files, the networks), and so does the example lesson.

use std::time::Duration;

use playnet_e2e::{
    Browser, Error, Result, StaticServer, by_testid, dist_dir, parse_count, wait_until,
};

const FOLDER: &str = "/some/folder/";

fn attribute(browser: &Browser, id: &str, name: &str) -> Result<String> {
    let el = browser.find(&by_testid(id))?;
    Ok(browser.attribute(&el, name)?.unwrap_or_default())
}

/// Waits until `id`'s `data-phase` is `ready`, failing at once on `error`.
fn wait_phase(browser: &Browser, id: &str, what: &str) -> Result<()> {
    wait_until(Duration::from_secs(180), what, || {
        match attribute(browser, id, "data-phase")?.as_str() {
            "error" => Err(Error::new(format!(
                "{id}: {}",
                browser.text_of(&by_testid(id))?
            ))),
            phase => Ok(phase == "ready"),
        }
    })
}

#[test]
fn every_page_and_the_lesson_work_from_a_sub_folder() -> Result<()> {
    let server = StaticServer::start_under(dist_dir()?, FOLDER)?;
    assert!(
        server.url("/").ends_with(FOLDER),
        "the server's URLs carry the folder: {}",
        server.url("/")
    );
    let browser = Browser::start()?;

    // The Playground trains.
    browser.goto(&server.url("/"))?;
    browser.find_within(Duration::from_secs(30), &by_testid("play"))?;
    browser.click_on(&by_testid("play"))?;
    wait_until(Duration::from_secs(30), "the Playground to train", || {
        Ok(parse_count(&browser.text_of(&by_testid("epoch"))?)? > 0)
    })?;

    // The MNIST lab's worker loads the data from the folder's assets/.
    browser.goto(&server.url("/#/mnist"))?;
    browser.find_within(Duration::from_secs(30), &by_testid("mnist-lab"))?;
    wait_phase(&browser, "mnist-status", "the MNIST data")?;

    // The webcam worker loads EfficientNet-Lite0.
    browser.goto(&server.url("/#/webcam?samples=true"))?;
    browser.find_within(Duration::from_secs(30), &by_testid("webcam-page"))?;
    wait_phase(&browser, "status", "the webcam page's network")?;

    // The sketch page loads its model.
    browser.goto(&server.url("/#/sketch?class=bird"))?;
    wait_until(
        Duration::from_secs(120),
        "the sketch model",
        || match attribute(&browser, "sketch-status", "data-phase")?.as_str() {
            "error" => Err(Error::new(browser.text_of(&by_testid("sketch-status"))?)),
            phase => Ok(!phase.is_empty() && phase != "loading"),
        },
    )?;

    // The lesson's two embedded playgrounds render.
    browser.goto(&server.url("/lesson.html"))?;
    wait_until(Duration::from_secs(60), "the lesson's playgrounds", || {
        let rendered = browser.execute(
            "return [...document.querySelectorAll('iframe')].filter(f => \
               f.contentDocument && f.contentDocument.querySelector('[data-testid=play]')).length;",
            &[],
        )?;
        Ok(rendered.as_u64() == Some(2))
    })?;
    let panic = browser.execute("return window.__playnet_panic || null;", &[])?;
    if !panic.is_null() {
        return Err(Error::new(format!("the page panicked: {panic}")));
    }
    Ok(())
}
