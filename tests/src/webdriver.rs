//! A small W3C WebDriver client for headless Chromium over plain HTTP.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::driver::{ChromeDriver, find_on_path};
use crate::error::{Context, Error, Result};

/// W3C WebDriver's key for an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Flags that keep Chromium quiet and off the network, from TOOLING.md
/// (`--user-data-dir` is added per session).
const BASE_ARGS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// WebGPU on the CPU through SwiftShader: slow, but correct.
pub const WEBGPU_ARGS: [&str; 4] = [
    "--enable-unsafe-webgpu",
    "--enable-features=Vulkan",
    "--use-vulkan=swiftshader",
    "--use-webgpu-adapter=swiftshader",
];

/// A device for [`BrowserOptions::device`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Device {
    /// Viewport size in CSS pixels.
    pub width: u32,
    pub height: u32,
    /// Device pixels per CSS pixel.
    pub pixel_ratio: f64,
    /// Touch events instead of a mouse (no hover).
    pub touch: bool,
}

impl Device {
    /// A 390 × 844 phone at 3× with touch (an iPhone 12–14's viewport).
    pub const PHONE: Device = Device {
        width: 390,
        height: 844,
        pixel_ratio: 3.0,
        touch: true,
    };
}

/// What moves for [`Browser::pointer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointerKind {
    Mouse,
    Touch,
}

/// One browser at a time on a two-core machine, whatever the test threads.
static BROWSER_LOCK: Mutex<()> = Mutex::new(());

/// How a [`Browser`] is started.
#[derive(Clone, Debug)]
pub struct BrowserOptions {
    /// The Chromium binary; default `$CHROMIUM`, else `/usr/bin/chromium`,
    /// else `chromium` on `PATH`.
    pub chromium: Option<PathBuf>,
    /// Add [`WEBGPU_ARGS`].
    pub webgpu: bool,
    /// Any further command-line flags.
    pub extra_args: Vec<String>,
    pub window_size: (u32, u32),
    /// How long [`Browser::find`] polls for an element.
    pub find_timeout: Duration,
    /// How long navigation may take.
    pub page_load_timeout: Duration,
    /// Emulate a phone or tablet (ChromeDriver's `mobileEmulation`): the
    /// viewport, pixel ratio and touch input of the device instead of
    /// `window_size` (headless Chromium will not make a window narrower
    /// than 500 pixels, a device can be).
    pub device: Option<Device>,
    /// Chromium trace categories (e.g. `"devtools.timeline"`) to record into
    /// the performance log that [`Browser::performance_log`] reads.
    pub trace_categories: Option<String>,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            chromium: None,
            webgpu: false,
            extra_args: Vec::new(),
            window_size: (1280, 900),
            find_timeout: Duration::from_secs(20),
            page_load_timeout: Duration::from_secs(60),
            trace_categories: None,
            device: None,
        }
    }
}

impl BrowserOptions {
    pub fn with_webgpu(mut self) -> Self {
        self.webgpu = true;
        self
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.extra_args.push(arg.into());
        self
    }

    /// The browser window's size in CSS pixels (headless: the viewport).
    pub fn window_size(mut self, width: u32, height: u32) -> Self {
        self.window_size = (width, height);
        self
    }

    /// Emulates `device` (viewport, pixel ratio, touch).
    pub fn device(mut self, device: Device) -> Self {
        self.device = Some(device);
        self
    }

    /// Records these Chromium trace categories for [`Browser::performance_log`].
    pub fn trace(mut self, categories: impl Into<String>) -> Self {
        self.trace_categories = Some(categories.into());
        self
    }

    pub fn find_timeout(mut self, timeout: Duration) -> Self {
        self.find_timeout = timeout;
        self
    }

    fn chromium(&self) -> Result<PathBuf> {
        if let Some(path) = &self.chromium {
            return Ok(path.clone());
        }
        if let Some(path) = std::env::var_os("CHROMIUM") {
            return Ok(path.into());
        }
        let debian = PathBuf::from("/usr/bin/chromium");
        if debian.is_file() {
            return Ok(debian);
        }
        find_on_path("chromium").ok_or_else(|| {
            Error::new(
                "Chromium not found: set CHROMIUM, or run `cargo xtask setup` \
                 (it installs Debian's chromium)",
            )
        })
    }
}

/// An element found by [`Browser::find`]; remembers its selector for
/// error messages.
#[derive(Clone, Debug)]
pub struct Element {
    id: String,
    selector: String,
}

impl Element {
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The element as a script argument for [`Browser::execute`].
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }
}

/// One line of the browser's console.
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`, …
    pub level: String,
    pub message: String,
}

/// A WebDriver session in headless Chromium, closed when dropped.
pub struct Browser {
    agent: ureq::Agent,
    /// `http://127.0.0.1:PORT/session/ID`
    session_url: String,
    profile_dir: PathBuf,
    find_timeout: Duration,
    // Dropped after the session is deleted (see `Drop`), in this order.
    _driver: ChromeDriver,
    _lock: MutexGuard<'static, ()>,
}

pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        // WebDriver errors come as JSON with a 4xx/5xx status: read them.
        .http_status_as_error(false)
        // Loopback only: never through a proxy from the environment.
        .proxy(None)
        .timeout_global(Some(timeout))
        .build()
        .new_agent()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with default options.
    pub fn start() -> Result<Self> {
        Self::start_with(BrowserOptions::default())
    }

    pub fn start_with(options: BrowserOptions) -> Result<Self> {
        let lock = BROWSER_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let chromium = options.chromium()?;
        let driver = ChromeDriver::start()?;
        let profile_dir = fresh_profile_dir()?;

        let mut args: Vec<String> = BASE_ARGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile_dir.display()));
        args.push(format!(
            "--window-size={},{}",
            options.window_size.0, options.window_size.1
        ));
        if options.webgpu {
            args.extend(WEBGPU_ARGS.iter().map(|s| s.to_string()));
        }
        args.extend(options.extra_args.iter().cloned());

        let mut chrome_options = json!({
            "binary": chromium,
            "args": args,
        });
        if let Some(d) = options.device {
            chrome_options["mobileEmulation"] = json!({
                "deviceMetrics": {
                    "width": d.width,
                    "height": d.height,
                    "pixelRatio": d.pixel_ratio,
                    "touch": d.touch,
                },
            });
        }
        let mut logging = json!({ "browser": "ALL" });
        if let Some(categories) = &options.trace_categories {
            chrome_options["perfLoggingPrefs"] = json!({
                "enableNetwork": false,
                "enablePage": false,
                "traceCategories": categories,
            });
            logging["performance"] = json!("ALL");
        }
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": chrome_options,
                    "goog:loggingPrefs": logging,
                    "timeouts": {
                        "pageLoad": options.page_load_timeout.as_millis() as u64,
                        "script": 30_000,
                        "implicit": 0,
                    },
                }
            }
        });
        let agent = agent(options.page_load_timeout + Duration::from_secs(30));
        let new_session_url = format!("{}/session", driver.url());
        let value = send(&agent, Method::Post(&capabilities), &new_session_url).map_err(|e| {
            let _ = std::fs::remove_dir_all(&profile_dir);
            e.context(format!(
                "starting headless Chromium ({}) through chromedriver; chromedriver's log, {}:\n{}\nerror",
                chromium.display(),
                driver.log_path().display(),
                driver.log_tail()
            ))
        })?;
        let Some(id) = value["sessionId"].as_str() else {
            let _ = std::fs::remove_dir_all(&profile_dir);
            return Err(Error::new(format!(
                "chromedriver's new session has no sessionId: {value}"
            )));
        };
        Ok(Browser {
            agent,
            session_url: format!("{new_session_url}/{id}"),
            profile_dir,
            find_timeout: options.find_timeout,
            _driver: driver,
            _lock: lock,
        })
    }

    fn cmd(&self, method: Method<'_>, path: &str) -> Result<Value> {
        send(&self.agent, method, &format!("{}{path}", self.session_url))
    }

    /// Navigates and waits for the page's `load` event.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.cmd(Method::Post(&json!({ "url": url })), "/url")
            .map(drop)
            .map_err(|e| e.context(format!("opening {url}")))
    }

    pub fn current_url(&self) -> Result<String> {
        let v = self.cmd(Method::Get, "/url")?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// The first element matching `css`, polling until the find timeout.
    pub fn find(&self, css: &str) -> Result<Element> {
        self.find_within(self.find_timeout, css)
    }

    /// The first element matching `css`, polling for up to `timeout`.
    pub fn find_within(&self, timeout: Duration, css: &str) -> Result<Element> {
        let start = Instant::now();
        loop {
            match self.find_now(css) {
                Ok(el) => return Ok(el),
                Err(e) if e.code() == Some("no such element") && start.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) if e.code() == Some("no such element") => {
                    return Err(Error::new(format!(
                        "no element matches `{css}` after {:.1}s on {}",
                        timeout.as_secs_f64(),
                        self.current_url().unwrap_or_else(|_| "?".into())
                    )));
                }
                Err(e) => return Err(e.context(format!("finding `{css}`"))),
            }
        }
    }

    fn find_now(&self, css: &str) -> Result<Element> {
        let v = self.cmd(
            Method::Post(&json!({ "using": "css selector", "value": css })),
            "/element",
        )?;
        element_from(&v, css)
    }

    /// Every element matching `css` right now (no waiting).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let v = self
            .cmd(
                Method::Post(&json!({ "using": "css selector", "value": css })),
                "/elements",
            )
            .map_err(|e| e.context(format!("finding all `{css}`")))?;
        v.as_array()
            .ok_or_else(|| Error::new(format!("finding all `{css}`: not a list: {v}")))?
            .iter()
            .map(|item| element_from(item, css))
            .collect()
    }

    /// The rendered text of an element.
    pub fn text(&self, el: &Element) -> Result<String> {
        let v = self
            .cmd(Method::Get, &format!("/element/{}/text", el.id))
            .map_err(|e| e.context(format!("reading the text of `{}`", el.selector)))?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Finds `css` and reads its text, re-finding if the page re-rendered it.
    pub fn text_of(&self, css: &str) -> Result<String> {
        let mut last = None;
        for _ in 0..5 {
            let el = self.find(css)?;
            match self.text(&el) {
                Err(e) if e.code() == Some("stale element reference") => last = Some(e),
                other => return other,
            }
        }
        Err(last.expect("looped at least once"))
    }

    /// Clicks `el` as a person would, after scrolling it to the middle of the
    /// viewport (ChromeDriver's own scrolling can leave it under a sticky
    /// header, which would then take the click).
    pub fn click(&self, el: &Element) -> Result<()> {
        self.cmd(
            Method::Post(&json!({
                "script": "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' });",
                "args": [el.to_json()],
            })),
            "/execute/sync",
        )
        .map_err(|e| e.context(format!("scrolling to `{}`", el.selector)))?;
        self.cmd(
            Method::Post(&json!({})),
            &format!("/element/{}/click", el.id),
        )
        .map(drop)
        .map_err(|e| e.context(format!("clicking `{}`", el.selector)))
    }

    /// Moves a mouse or a finger to `(x, y)` in viewport (CSS) pixels and,
    /// with `press`, presses and releases there (a click or a tap), through
    /// WebDriver's input actions: the browser dispatches the events a person
    /// would cause, hit-testing included.
    pub fn pointer(&self, kind: PointerKind, x: f64, y: f64, press: bool) -> Result<()> {
        let pointer_type = match kind {
            PointerKind::Mouse => "mouse",
            PointerKind::Touch => "touch",
        };
        let mut steps = vec![json!({
            "type": "pointerMove",
            "duration": 0,
            "origin": "viewport",
            "x": x.round() as i64,
            "y": y.round() as i64,
        })];
        if press {
            steps.push(json!({ "type": "pointerDown", "button": 0 }));
            steps.push(json!({ "type": "pointerUp", "button": 0 }));
        }
        let actions = json!({
            "actions": [{
                "type": "pointer",
                "id": format!("{pointer_type}-1"),
                "parameters": { "pointerType": pointer_type },
                "actions": steps,
            }]
        });
        self.cmd(Method::Post(&actions), "/actions")
            .map(drop)
            .map_err(|e| e.context(format!("{pointer_type} at ({x:.0}, {y:.0})")))
    }

    /// Presses at `(x, y)` (viewport CSS pixels), holds for `ms`
    /// milliseconds and releases: a press-and-hold, as on a record button.
    pub fn hold(&self, kind: PointerKind, x: f64, y: f64, ms: u64) -> Result<()> {
        let pointer_type = match kind {
            PointerKind::Mouse => "mouse",
            PointerKind::Touch => "touch",
        };
        let actions = json!({
            "actions": [{
                "type": "pointer",
                "id": format!("{pointer_type}-1"),
                "parameters": { "pointerType": pointer_type },
                "actions": [
                    { "type": "pointerMove", "duration": 0, "origin": "viewport",
                      "x": x.round() as i64, "y": y.round() as i64 },
                    { "type": "pointerDown", "button": 0 },
                    { "type": "pause", "duration": ms },
                    { "type": "pointerUp", "button": 0 },
                ],
            }]
        });
        self.cmd(Method::Post(&actions), "/actions")
            .map(drop)
            .map_err(|e| e.context(format!("{pointer_type} hold at ({x:.0}, {y:.0})")))
    }

    /// Draws one stroke through WebDriver's input actions: the pointer
    /// goes down at the first point (viewport CSS pixels), moves through
    /// the others and is released at the last, so the page gets the
    /// `pointerdown`, `pointermove`s and `pointerup` a person would cause.
    pub fn drag(&self, kind: PointerKind, points: &[(f64, f64)]) -> Result<()> {
        let pointer_type = match kind {
            PointerKind::Mouse => "mouse",
            PointerKind::Touch => "touch",
        };
        let Some(&(x0, y0)) = points.first() else {
            return Ok(());
        };
        let to = |x: f64, y: f64, duration: u64| {
            json!({
                "type": "pointerMove",
                "duration": duration,
                "origin": "viewport",
                "x": x.round() as i64,
                "y": y.round() as i64,
            })
        };
        let mut steps = vec![to(x0, y0, 0), json!({ "type": "pointerDown", "button": 0 })];
        steps.extend(points[1..].iter().map(|&(x, y)| to(x, y, 20)));
        steps.push(json!({ "type": "pointerUp", "button": 0 }));
        let actions = json!({
            "actions": [{
                "type": "pointer",
                "id": format!("{pointer_type}-1"),
                "parameters": { "pointerType": pointer_type },
                "actions": steps,
            }]
        });
        self.cmd(Method::Post(&actions), "/actions")
            .map(drop)
            .map_err(|e| e.context(format!("{pointer_type} drag from ({x0:.0}, {y0:.0})")))
    }

    /// Presses and releases each key in turn through WebDriver's input
    /// actions, as a person at a keyboard would: the browser moves focus on
    /// Tab itself. A key is a character or one of WebDriver's codes (Tab is
    /// `"\u{E004}"`, Shift `"\u{E008}"`).
    pub fn keys(&self, keys: &[&str]) -> Result<()> {
        let mut steps = Vec::with_capacity(keys.len() * 2);
        for key in keys {
            steps.push(json!({ "type": "keyDown", "value": key }));
            steps.push(json!({ "type": "keyUp", "value": key }));
        }
        let actions = json!({
            "actions": [{ "type": "key", "id": "keyboard-1", "actions": steps }]
        });
        self.cmd(Method::Post(&actions), "/actions")
            .map(drop)
            .map_err(|e| e.context(format!("pressing {} keys", keys.len())))
    }

    /// Makes the `index`th frame of the current document the one that
    /// [`execute`](Self::execute) and [`find`](Self::find) work in; `None`
    /// goes back to the top-level document.
    pub fn switch_to_frame(&self, index: Option<u32>) -> Result<()> {
        self.cmd(Method::Post(&json!({ "id": index })), "/frame")
            .map(drop)
            .map_err(|e| e.context(format!("switching to frame {index:?}")))
    }

    /// Finds `css` and clicks it.
    pub fn click_on(&self, css: &str) -> Result<()> {
        let el = self.find(css)?;
        self.click(&el)
    }

    /// An attribute's value, or `None` when the element lacks it.
    pub fn attribute(&self, el: &Element, name: &str) -> Result<Option<String>> {
        let v = self
            .cmd(Method::Get, &format!("/element/{}/attribute/{name}", el.id))
            .map_err(|e| e.context(format!("reading `{name}` of `{}`", el.selector)))?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Whether the element is rendered visibly.
    pub fn is_displayed(&self, el: &Element) -> Result<bool> {
        let v = self
            .cmd(Method::Get, &format!("/element/{}/displayed", el.id))
            .map_err(|e| e.context(format!("checking whether `{}` is shown", el.selector)))?;
        Ok(v.as_bool().unwrap_or(false))
    }

    /// Runs `script` as the body of a function with `arguments` = `args`;
    /// returns what it returns (`null` for `undefined`).
    /// Runs an asynchronous script: it receives a callback as its last
    /// argument and its result is what it passes to that callback.
    pub fn execute_async(&self, script: &str, args: &[Value]) -> Result<Value> {
        self.cmd(
            Method::Post(&json!({ "script": script, "args": args })),
            "/execute/async",
        )
        .map_err(|e| e.context(format!("running async script `{}`", abbreviate(script))))
    }

    pub fn execute(&self, script: &str, args: &[Value]) -> Result<Value> {
        self.cmd(
            Method::Post(&json!({ "script": script, "args": args })),
            "/execute/sync",
        )
        .map_err(|e| e.context(format!("running script `{}`", abbreviate(script))))
    }

    /// What the page's Content-Security-Policy refused in this tab (the
    /// app records it, across reloads, in `sessionStorage["playnet.csp"]`);
    /// empty on a page that is not Playnet's.
    pub fn csp_violations(&self) -> Result<Vec<String>> {
        let v = self.execute(
            "try { return JSON.parse(sessionStorage.getItem('playnet.csp') || '[]'); }              catch (e) { return []; }",
            &[],
        )?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Forgets what the Content-Security-Policy refused so far (for a test
    /// that provokes a refusal on purpose).
    pub fn forget_csp_violations(&self) -> Result<()> {
        self.execute(
            "try { sessionStorage.removeItem('playnet.csp'); } catch (e) {} return null;",
            &[],
        )?;
        Ok(())
    }

    /// Runs a Chrome DevTools Protocol command through ChromeDriver's
    /// extension (e.g. `Profiler.start`), returning its result.
    pub fn cdp(&self, command: &str, params: Value) -> Result<Value> {
        self.cmd(
            Method::Post(&json!({ "cmd": command, "params": params })),
            "/goog/cdp/execute",
        )
        .map_err(|e| e.context(format!("DevTools command {command}")))
    }

    /// Saves a PNG of the viewport as `tests/artifacts/<name>.png`.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let v = self.cmd(Method::Get, "/screenshot")?;
        let png = v
            .as_str()
            .and_then(crate::base64::decode)
            .ok_or_else(|| Error::new("screenshot: the driver sent no base64 PNG"))?;
        let path = crate::artifacts_dir()?.join(format!("{name}.png"));
        std::fs::write(&path, png).context(format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// The performance log since the last call: DevTools events and, with
    /// [`BrowserOptions::trace`], trace events, each as its JSON message.
    pub fn performance_log(&self) -> Result<Vec<Value>> {
        let v = self
            .cmd(Method::Post(&json!({ "type": "performance" })), "/se/log")
            .map_err(|e| e.context("reading the performance log"))?;
        Ok(v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| e["message"].as_str())
                    .filter_map(|m| serde_json::from_str(m).ok())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The browser console since the last call (Chromium's log extension).
    pub fn console_log(&self) -> Result<Vec<LogEntry>> {
        let v = self
            .cmd(Method::Post(&json!({ "type": "browser" })), "/se/log")
            .map_err(|e| e.context("reading the browser console"))?;
        Ok(v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| LogEntry {
                        level: e["level"].as_str().unwrap_or_default().to_string(),
                        message: e["message"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }
}

impl Drop for Browser {
    /// Quits Chromium; and fails the test if the page's
    /// Content-Security-Policy refused anything (unless it failed already),
    /// so the whole suite checks that the page runs only what it ships.
    fn drop(&mut self) {
        let refused = if std::thread::panicking() {
            Vec::new()
        } else {
            self.csp_violations().unwrap_or_default()
        };
        // Chromedriver and the lock go after, with the fields.
        if send(&self.agent, Method::Delete, &self.session_url).is_err() {
            // A page that hangs makes chromedriver give up on it, and killing
            // chromedriver leaves its Chromium running: end the browser that
            // uses this session's own profile folder.
            kill_browser_using(&self.profile_dir);
        }
        let _ = std::fs::remove_dir_all(&self.profile_dir);
        assert!(
            refused.is_empty(),
            "the page's Content-Security-Policy refused: {refused:?}"
        );
    }
}

/// Sends SIGKILL to each process whose command line names `profile_dir`
/// (the Chromium this session started, and its helpers); Linux only.
fn kill_browser_using(profile_dir: &std::path::Path) {
    let needle = format!("--user-data-dir={}", profile_dir.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let matches = cmdline
            .split(|&b| b == 0)
            .any(|arg| arg == needle.as_bytes());
        if matches {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

enum Method<'a> {
    Get,
    Post(&'a Value),
    Delete,
}

/// One WebDriver command; returns the response's `value`, or its error.
fn send(agent: &ureq::Agent, method: Method<'_>, url: &str) -> Result<Value> {
    let (verb, response) = match method {
        Method::Get => ("GET", agent.get(url).call()),
        Method::Post(body) => ("POST", agent.post(url).send_json(body)),
        Method::Delete => ("DELETE", agent.delete(url).call()),
    };
    let mut response = response.context(format!("{verb} {url}"))?;
    let status = response.status();
    let text = response
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_string()
        .context(format!("{verb} {url}: reading the response"))?;
    let mut body: Value = serde_json::from_str(&text).context(format!(
        "{verb} {url}: not JSON ({status}): {}",
        abbreviate(&text)
    ))?;
    let value = body["value"].take();
    if status.is_success() {
        return Ok(value);
    }
    let code = value["error"].as_str().unwrap_or("unknown error");
    let message = value["message"].as_str().unwrap_or_default();
    Err(Error::webdriver(
        code,
        format!("{code} ({status}): {}", first_line(message)),
    ))
}

fn element_from(v: &Value, css: &str) -> Result<Element> {
    v[ELEMENT_KEY]
        .as_str()
        .map(|id| Element {
            id: id.to_string(),
            selector: css.to_string(),
        })
        .ok_or_else(|| Error::new(format!("finding `{css}`: no element reference in {v}")))
}

fn fresh_profile_dir() -> Result<PathBuf> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "playnet-e2e-profile-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).context(format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

fn abbreviate(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
