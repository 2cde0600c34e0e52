//! Self-test of the e2e harness on a tiny static page (no trunk, no app):
//! the file server, chromedriver, and the WebDriver client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use playnet_e2e::{Browser, Result, StaticServer, by_testid, parse_count, wait_until};

const PAGE: &str = r#"<!doctype html>
<html>
  <head><meta charset="utf-8"><title>harness</title><link rel="stylesheet" href="style.css"></head>
  <body>
    <p>Count: <span data-testid="count">000,000</span></p>
    <button data-testid="inc" title="add one">+1</button>
    <div class="error-panel" style="display:none">hidden</div>
    <script src="app.js"></script>
  </body>
</html>
"#;

const SCRIPT: &str = r#"
let n = 0;
document.querySelector('[data-testid="inc"]').addEventListener('click', () => {
  n += 1;
  document.querySelector('[data-testid="count"]').textContent = String(n).padStart(6, '0').replace(/(\d{3})(\d{3})/, '$1,$2');
});
console.log('harness page ready');
"#;

/// A fresh folder with the test page in it, removed on drop.
struct Site(PathBuf);

impl Site {
    fn new(name: &str) -> Site {
        let dir =
            std::env::temp_dir().join(format!("playnet-e2e-harness-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("index.html"), PAGE).unwrap();
        std::fs::write(dir.join("app.js"), SCRIPT).unwrap();
        std::fs::write(dir.join("style.css"), "body { font-family: sans-serif; }").unwrap();
        // The smallest valid wasm module: magic + version.
        std::fs::write(dir.join("pkg/app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        Site(dir)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A raw HTTP/1.1 GET (not through a client that would normalise the path).
fn raw_get(server: &StaticServer, target: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let body = response[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Type: "))
        .unwrap_or_default()
        .to_string();
    (status, content_type, body)
}

#[test]
fn static_server_serves_files_with_their_types() {
    let site = Site::new("types");
    let server = StaticServer::start(&site.0).unwrap();

    let (status, ty, body) = raw_get(&server, "/");
    assert_eq!((status, ty.as_str()), (200, "text/html; charset=utf-8"));
    assert_eq!(body, PAGE.as_bytes());

    let (status, ty, body) = raw_get(&server, "/pkg/app_bg.wasm");
    assert_eq!((status, ty.as_str()), (200, "application/wasm"));
    assert_eq!(body, b"\0asm\x01\0\0\0");

    let (status, ty, _) = raw_get(&server, "/app.js?v=1");
    assert_eq!(
        (status, ty.as_str()),
        (200, "text/javascript; charset=utf-8")
    );
    let (status, ty, _) = raw_get(&server, "/style.css");
    assert_eq!((status, ty.as_str()), (200, "text/css; charset=utf-8"));

    assert_eq!(raw_get(&server, "/missing.js").0, 404);
    assert_eq!(raw_get(&server, "/../../etc/passwd").0, 403);
    assert_eq!(raw_get(&server, "/pkg/%2e%2e/%2e%2e/etc/passwd").0, 403);

    // And through an ordinary HTTP client.
    let agent = ureq::Agent::config_builder()
        .proxy(None)
        .build()
        .new_agent();
    let mut response = agent.get(server.url("index.html")).call().unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("data-testid=\"count\"")
    );
}

#[test]
fn browser_clicks_reads_and_runs_scripts() -> Result<()> {
    let site = Site::new("browser");
    let server = StaticServer::start(&site.0)?;
    let browser = Browser::start()?;
    browser.goto(&server.url("/"))?;

    let count = browser.find(&by_testid("count"))?;
    assert_eq!(parse_count(&browser.text(&count)?)?, 0);

    let button = browser.find(&by_testid("inc"))?;
    assert_eq!(
        browser.attribute(&button, "title")?.as_deref(),
        Some("add one")
    );
    assert_eq!(browser.attribute(&button, "no-such-attribute")?, None);
    browser.click(&button)?;
    browser.click_on(&by_testid("inc"))?;
    wait_until(Duration::from_secs(5), "the count to reach 2", || {
        Ok(parse_count(&browser.text_of(&by_testid("count"))?)? == 2)
    })?;
    assert_eq!(browser.text(&count)?, "000,002");

    // Scripts: values come back as JSON; elements go in as arguments.
    let sum = browser.execute("return arguments[0] + arguments[1];", &[2.into(), 3.into()])?;
    assert_eq!(sum, 5);
    let tag = browser.execute("return arguments[0].tagName;", &[button.to_json()])?;
    assert_eq!(tag, "BUTTON");
    let panic = browser.execute("return window.__playnet_panic ?? null;", &[])?;
    assert!(panic.is_null());

    // Hidden elements are found but not displayed.
    let panels = browser.find_all(".error-panel")?;
    assert_eq!(panels.len(), 1);
    assert!(!browser.is_displayed(&panels[0])?);
    assert!(browser.is_displayed(&count)?);

    // Missing elements fail after the timeout, naming the selector.
    let err = browser
        .find_within(Duration::from_millis(300), "#nope")
        .unwrap_err();
    assert!(err.to_string().contains("#nope"), "{err}");

    // The console is readable.
    let log = browser.console_log()?;
    assert!(
        log.iter().any(|e| e.message.contains("harness page ready")),
        "console: {log:?}"
    );

    let shot = browser.screenshot("harness")?;
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG: {shot:?}");
    Ok(())
}
