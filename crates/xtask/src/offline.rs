//! The built page's service worker (`dist/sw.js`): the list of every file
//! `trunk build` wrote and a version that changes with any of them, followed
//! by `web/sw.js`, which precaches that list on install and serves it when
//! the network is gone. A new build has a new version, so browsers install
//! its worker and drop the old build's cache (see `web/sw.js`).
//! `cargo xtask serve` writes none: a page rebuilt on every change and a
//! cache do not mix.

use std::path::{Path, PathBuf};

use crate::util::{Result, fail, workspace_root};

/// The service worker's file name in the build folder.
pub const SERVICE_WORKER: &str = "sw.js";

/// Writes `dist/sw.js` for the files under `dist`; returns how many it lists.
pub fn write_service_worker(dist: &Path) -> Result<usize> {
    let template_path = workspace_root().join("web/sw.js");
    let template = std::fs::read_to_string(&template_path)
        .map_err(|e| fail!("reading {}: {e}", template_path.display()))?;
    let files = built_files(dist)?;
    let mut hash = Fnv::new();
    for (name, path) in &files {
        let bytes = std::fs::read(path).map_err(|e| fail!("reading {}: {e}", path.display()))?;
        hash.write(name.as_bytes());
        hash.write(&(bytes.len() as u64).to_le_bytes());
        hash.write(&bytes);
    }
    hash.write(template.as_bytes());
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let script = service_worker(&format!("{:016x}", hash.finish()), &names, &template);
    let out = dist.join(SERVICE_WORKER);
    std::fs::write(&out, script).map_err(|e| fail!("writing {}: {e}", out.display()))?;
    Ok(files.len())
}

/// The script: the version, the file list, then the template.
fn service_worker(version: &str, files: &[&str], template: &str) -> String {
    let list = serde_json::to_string(files).unwrap_or_else(|_| "[]".into());
    format!("const VERSION = \"{version}\";\nconst FILES = {list};\n{template}")
}

/// Every file under `dist` but the service worker, as `(path relative to
/// dist with '/', full path)`, sorted.
fn built_files(dist: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut folders = vec![dist.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries =
            std::fs::read_dir(&folder).map_err(|e| fail!("listing {}: {e}", folder.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| fail!("listing {}: {e}", folder.display()))?;
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let Ok(relative) = path.strip_prefix(dist) else {
                continue;
            };
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if name != SERVICE_WORKER {
                out.push((name, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// FNV-1a, 64 bits: a version stamp, not a security measure.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dist(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("playnet-sw-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("assets/mnist")).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(dir.join("app.wasm"), [0, 97, 115, 109]).unwrap();
        std::fs::write(dir.join("assets/mnist/t10k.gz"), "digits").unwrap();
        dir
    }

    fn version(script: &str) -> String {
        script.lines().next().unwrap().to_string()
    }

    #[test]
    fn lists_every_built_file_and_changes_version_with_any_of_them() {
        let dist = temp_dist("list");
        assert_eq!(write_service_worker(&dist).unwrap(), 3);
        let first = std::fs::read_to_string(dist.join(SERVICE_WORKER)).unwrap();
        assert!(
            first.contains(r#"const FILES = ["app.wasm","assets/mnist/t10k.gz","index.html"];"#),
            "{first}"
        );
        assert!(
            first.contains("addEventListener('install'"),
            "the template follows"
        );
        // Rewriting it without a change keeps the version; it never lists itself.
        assert_eq!(write_service_worker(&dist).unwrap(), 3);
        let again = std::fs::read_to_string(dist.join(SERVICE_WORKER)).unwrap();
        assert_eq!(version(&first), version(&again));
        // One byte of one asset: a new version.
        std::fs::write(dist.join("assets/mnist/t10k.gz"), "digitz").unwrap();
        write_service_worker(&dist).unwrap();
        let changed = std::fs::read_to_string(dist.join(SERVICE_WORKER)).unwrap();
        assert_ne!(version(&first), version(&changed));
        let _ = std::fs::remove_dir_all(&dist);
    }
}
