//! The `chromedriver` process: started on an ephemeral loopback port, ready
//! once `/status` says so, killed when dropped.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Context, Error, Result};

/// How long chromedriver may take to answer `/status` with `ready: true`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

pub struct ChromeDriver {
    child: Child,
    url: String,
    log: PathBuf,
}

impl ChromeDriver {
    /// Starts `$CHROMEDRIVER`, or `chromedriver` from `PATH`.
    pub fn start() -> Result<Self> {
        let program = chromedriver_path()?;
        let log = crate::artifacts_dir()?.join("chromedriver.log");
        // The port may be taken between our probe and chromedriver's bind;
        // try a few.
        let mut last_error = None;
        for _ in 0..3 {
            match Self::start_once(&program, &log) {
                Ok(driver) => return Ok(driver),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.expect("tried at least once"))
    }

    fn start_once(program: &Path, log: &Path) -> Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("finding a free port for chromedriver")?
            .port();
        let log_file = File::create(log).context(format!("creating {}", log.display()))?;
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(
                log_file
                    .try_clone()
                    .context("opening the chromedriver log")?,
            )
            .stderr(log_file)
            .spawn()
            .context(format!("starting {}", program.display()))?;
        let mut driver = ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log: log.to_path_buf(),
        };
        driver.wait_ready()?;
        Ok(driver)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let agent = crate::webdriver::agent(Duration::from_secs(2));
        let status_url = format!("{}/status", self.url);
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(Error::new(format!(
                    "chromedriver exited during startup ({status}); its log, {}:\n{}",
                    self.log.display(),
                    self.log_tail()
                )));
            }
            let ready = agent
                .get(&status_url)
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<serde_json::Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                return Ok(());
            }
            if start.elapsed() > STARTUP_TIMEOUT {
                return Err(Error::new(format!(
                    "chromedriver at {} was not ready after {}s; its log, {}:\n{}",
                    self.url,
                    STARTUP_TIMEOUT.as_secs(),
                    self.log.display(),
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The file chromedriver writes its output to.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The last lines of chromedriver's output, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver_path() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMEDRIVER") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::new(format!(
                "CHROMEDRIVER={} does not exist",
                path.display()
            )))
        };
    }
    find_on_path("chromedriver").ok_or_else(|| {
        Error::new(
            "chromedriver not found: set CHROMEDRIVER, or run `cargo xtask setup` \
             (it installs Debian's chromium-driver)",
        )
    })
}

pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
