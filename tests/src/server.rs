//! A static file server for the built page: one thread accepting on
//! `127.0.0.1:0`, one short-lived thread per connection, `Connection: close`.
//! Enough for a browser loading a page; nothing more.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{Context, Error, Result};

/// Serves a folder over HTTP on loopback until dropped.
pub struct StaticServer {
    addr: SocketAddr,
    root: PathBuf,
    /// The URL folder the files are served under: `/`, or e.g. `/some/folder/`.
    prefix: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Starts serving `root` on an ephemeral loopback port.
    pub fn start(root: impl AsRef<Path>) -> Result<Self> {
        Self::start_under(root, "/")
    }

    /// Serves `root` under the URL folder `prefix` (`/some/folder/`), as a
    /// host that puts a site in a sub-folder does: other paths are 404.
    pub fn start_under(root: impl AsRef<Path>, prefix: &str) -> Result<Self> {
        let prefix = format!("/{}/", prefix.trim_matches('/')).replace("//", "/");
        let root = root.as_ref();
        let root = root
            .canonicalize()
            .context(format!("cannot serve {}", root.display()))?;
        if !root.is_dir() {
            return Err(Error::new(format!(
                "cannot serve {}: not a folder",
                root.display()
            )));
        }
        let listener =
            TcpListener::bind("127.0.0.1:0").context("binding the static server to 127.0.0.1")?;
        let addr = listener
            .local_addr()
            .context("reading the server's address")?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (root, stop, prefix) = (root.clone(), stop.clone(), prefix.clone());
            std::thread::Builder::new()
                .name("static-server".into())
                .spawn(move || accept_loop(listener, &root, &prefix, &stop))
                .context("starting the static server thread")?
        };
        Ok(StaticServer {
            addr,
            root,
            prefix,
            stop,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The folder being served (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `http://127.0.0.1:PORT/` and the folder served, followed by `path`
    /// (without its leading `/`).
    pub fn url(&self, path: &str) -> String {
        format!(
            "http://{}{}{}",
            self.addr,
            self.prefix,
            path.trim_start_matches('/')
        )
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: TcpListener, root: &Path, prefix: &str, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let (root, prefix) = (root.to_path_buf(), prefix.to_string());
        // A connection that fails is the browser's problem to report.
        let _ = std::thread::Builder::new()
            .name("static-conn".into())
            .spawn(move || {
                let _ = handle(stream, &root, &prefix);
            });
    }
}

fn handle(mut stream: TcpStream, root: &Path, prefix: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    // Skip the headers; we need none of them. Cap their size.
    let mut header_bytes = 0;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line)?;
        header_bytes += n;
        if n == 0 || line == "\r\n" || line == "\n" || header_bytes > 64 * 1024 {
            break;
        }
    }

    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            405,
            "text/plain",
            b"method not allowed\n",
            true,
        );
    }
    let head_only = method == "HEAD";
    // Under a folder, only its paths exist: `/some/folder/x` is `/x`.
    let Some(target) = target.strip_prefix(&prefix[..prefix.len() - 1]) else {
        return respond(&mut stream, 404, "text/plain", b"not found\n", !head_only);
    };
    let target = if target.is_empty() { "/" } else { target };
    match resolve(root, target) {
        Resolved::File(path) => match std::fs::read(&path) {
            Ok(body) => respond(&mut stream, 200, content_type(&path), &body, !head_only),
            Err(_) => respond(&mut stream, 404, "text/plain", b"not found\n", !head_only),
        },
        Resolved::NotFound => respond(&mut stream, 404, "text/plain", b"not found\n", !head_only),
        Resolved::Forbidden => respond(&mut stream, 403, "text/plain", b"forbidden\n", !head_only),
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    send_body: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: {content_type}\r\n\
         Content-Length: {}\r\n\
         Cache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if send_body {
        stream.write_all(body)?;
    }
    stream.flush()?;
    // Close our side first and give the client a moment to do the same, so
    // the kernel does not reset a connection whose data is still in flight.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let _ = stream.read(&mut [0u8; 512]);
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    File(PathBuf),
    NotFound,
    Forbidden,
}

/// Maps a request target to a file under `root` (canonical). `..`, encoded
/// or not, and symlinks that lead outside `root` are refused.
fn resolve(root: &Path, target: &str) -> Resolved {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(path) = percent_decode(path) else {
        return Resolved::Forbidden;
    };
    if !path.starts_with('/') {
        return Resolved::Forbidden;
    }
    let mut file = root.to_path_buf();
    for segment in path.split('/') {
        if segment.is_empty() || segment == "." {
            continue;
        }
        if segment == ".." || segment.contains(['\\', '\0']) {
            return Resolved::Forbidden;
        }
        // A segment must be one normal path component.
        let mut components = Path::new(segment).components();
        if !matches!(
            (components.next(), components.next()),
            (Some(Component::Normal(_)), None)
        ) {
            return Resolved::Forbidden;
        }
        file.push(segment);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    match file.canonicalize() {
        Ok(real) if !real.starts_with(root) => Resolved::Forbidden,
        Ok(real) if real.is_file() => Resolved::File(real),
        _ => Resolved::NotFound,
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` for a file, by extension. `.wasm` must be
/// `application/wasm` for `WebAssembly.instantiateStreaming`.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("playnet-e2e-resolve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join("sub/a b.js"), "1").unwrap();
        dir.canonicalize().unwrap()
    }

    #[test]
    fn resolves_files_and_refuses_traversal() {
        let root = temp_root("paths");
        assert_eq!(resolve(&root, "/"), Resolved::File(root.join("index.html")));
        assert_eq!(
            resolve(&root, "/index.html?x=1#y"),
            Resolved::File(root.join("index.html"))
        );
        assert_eq!(
            resolve(&root, "/sub/a%20b.js"),
            Resolved::File(root.join("sub/a b.js"))
        );
        assert_eq!(resolve(&root, "/sub"), Resolved::NotFound);
        assert_eq!(resolve(&root, "/missing.js"), Resolved::NotFound);
        assert_eq!(resolve(&root, "/../etc/passwd"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/%2e%2e/etc/passwd"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/sub/..%2f..%2fetc"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/a%5c..%5cb"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/bad%zz"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "http://x/"), Resolved::Forbidden);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn knows_the_content_types_a_page_needs() {
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("a.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.css")), "text/css; charset=utf-8");
        assert_eq!(content_type(Path::new("x.json")), "application/json");
        assert_eq!(content_type(Path::new("x.png")), "image/png");
        assert_eq!(content_type(Path::new("x.svg")), "image/svg+xml");
        assert_eq!(
            content_type(Path::new("weights.bin")),
            "application/octet-stream"
        );
    }
}
