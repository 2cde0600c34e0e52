//! The MNIST lab's link options: `#/mnist?preset=conv&backend=cpu&data=…`.
//!
//! Like the Playground's URL state ([`playnet_playground::PageState::from_hash`]),
//! reading never fails: a value the page cannot use is ignored with a
//! plain-text note saying what was ignored and what would have been
//! accepted, and the page opens as if the key were absent.
//!
//! | key | value |
//! |---|---|
//! | `preset` | a preset's id (`softmax`, `conv`, …) |
//! | `backend` | `auto`, `webgpu` or `cpu` (see [`super::choice`]) |
//! | `data` | a folder on this site with the four MNIST files (the tests use a missing one) |
//! | `lose-gpu-at` | test hook: destroy the GPU device at this step |
//! | `crash-worker-at` | test hook: make the worker panic at this step |

use crate::link_notes::{self, quoted};
use playnet_mnist::PRESETS;

use super::choice;
use crate::worker::protocol::BackendChoice;

/// Where the MNIST files are unless the link says otherwise.
pub const DEFAULT_DATA: &str = "assets/mnist";

/// What a link asks of the lab, and what was ignored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkOptions {
    pub preset: Option<&'static str>,
    pub backend: Option<BackendChoice>,
    /// A folder of this site (no `..`, no scheme), without surrounding `/`.
    pub data: Option<String>,
    pub lose_gpu_at: Option<u32>,
    pub crash_at: Option<u32>,
    /// One note per ignored part, for people.
    pub notes: Vec<String>,
}

impl LinkOptions {
    /// Reads a hash (`#/mnist?…`, with or without `#`). Never fails.
    pub fn read(hash: &str) -> LinkOptions {
        let mut options = LinkOptions::default();
        let Some((_, query)) = hash.split_once('?') else {
            return options;
        };
        let mut seen: Vec<&str> = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                options.note(format!("ignored {} (it has no value)", quoted(part)));
                continue;
            };
            if seen.contains(&key) {
                options.note(format!(
                    "{key} was given more than once; the last value counts"
                ));
            }
            seen.push(key);
            options.set(key, value);
        }
        options
    }

    fn set(&mut self, key: &str, value: &str) {
        match key {
            "preset" => match PRESETS.into_iter().find(|id| *id == value) {
                Some(id) => self.preset = Some(id),
                None => self.note(format!(
                    "ignored preset={}: the presets are {}",
                    quoted(value),
                    PRESETS.join(", ")
                )),
            },
            "backend" => match choice::from_id(value) {
                Some(c) => self.backend = Some(c),
                None => self.note(format!(
                    "ignored backend={}: it is auto, webgpu or cpu",
                    quoted(value)
                )),
            },
            "data" => {
                let folder = value.trim_matches('/');
                if folder.is_empty() || folder.contains("..") || folder.contains(':') {
                    self.note(format!(
                        "ignored data={}: it names a folder of this site, such as {DEFAULT_DATA}",
                        quoted(value)
                    ));
                } else {
                    self.data = Some(folder.to_string());
                }
            }
            "lose-gpu-at" => self.lose_gpu_at = self.step(key, value),
            "crash-worker-at" => self.crash_at = self.step(key, value),
            _ => self.note(format!("ignored unknown setting {}", quoted(key))),
        }
    }

    fn step(&mut self, key: &str, value: &str) -> Option<u32> {
        let step = value.parse().ok();
        if step.is_none() {
            self.note(format!(
                "ignored {key}={}: it is a step number (0 to {})",
                quoted(value),
                u32::MAX
            ));
        }
        step
    }

    /// Adds a note (see [`link_notes::push`]).
    fn note(&mut self, note: String) {
        link_notes::push(&mut self.notes, note);
    }

    /// The data folder to load from.
    pub fn data_folder(&self) -> &str {
        self.data.as_deref().unwrap_or(DEFAULT_DATA)
    }
}

/// Takes `?data=` out of the address (`replaceState`: no navigation), once
/// the person chose the page's own data instead.
pub fn forget_data_option() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(hash) = window.location().hash() else {
        return;
    };
    let kept = without(&hash, "data");
    if kept != hash
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&kept));
    }
}

/// `hash` without `key` in its query (and without a `?` left empty).
fn without(hash: &str, key: &str) -> String {
    let Some((path, query)) = hash.split_once('?') else {
        return hash.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| kv.split_once('=').map_or(*kv, |(k, _)| k) != key)
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_options_are_read_without_notes() {
        let o = LinkOptions::read("#/mnist?preset=conv&backend=cpu&data=/x/y/&lose-gpu-at=20");
        assert_eq!(o.preset, Some("conv"));
        assert_eq!(o.backend, Some(BackendChoice::Cpu));
        assert_eq!(o.data_folder(), "x/y");
        assert_eq!(o.lose_gpu_at, Some(20));
        assert!(o.notes.is_empty(), "{:?}", o.notes);
        assert_eq!(LinkOptions::read("#/mnist"), LinkOptions::default());
        assert_eq!(LinkOptions::read("#/mnist").data_folder(), DEFAULT_DATA);
    }

    #[test]
    fn bad_options_are_ignored_with_a_note_each() {
        let o = LinkOptions::read(
            "#/mnist?preset=resnet&backend=gpu&data=../secret&lose-gpu-at=soon&crash-worker-at=-1&x=1&flag",
        );
        assert_eq!(
            (
                o.preset,
                o.backend,
                o.data_folder(),
                o.lose_gpu_at,
                o.crash_at
            ),
            (None, None, DEFAULT_DATA, None, None)
        );
        let all = o.notes.join("\n");
        for part in [
            "preset=\"resnet\"",
            "softmax",
            "backend=\"gpu\"",
            "data=\"../secret\"",
            "lose-gpu-at=\"soon\"",
            "crash-worker-at=\"-1\"",
            "unknown setting \"x\"",
            "\"flag\" (it has no value)",
        ] {
            assert!(all.contains(part), "{part} missing from {all}");
        }
        assert!(
            LinkOptions::read("#/mnist?data=http://evil/")
                .data
                .is_none()
        );
    }

    #[test]
    fn the_data_option_can_be_taken_out() {
        assert_eq!(without("#/mnist?data=x", "data"), "#/mnist");
        assert_eq!(
            without("#/mnist?preset=conv&data=x&backend=cpu", "data"),
            "#/mnist?preset=conv&backend=cpu"
        );
        assert_eq!(without("#/mnist", "data"), "#/mnist");
    }

    #[test]
    fn hostile_links_give_few_short_notes() {
        let long = format!("#/mnist?{}", "a=1&".repeat(500));
        let o = LinkOptions::read(&long);
        assert_eq!(o.notes.len(), 11);
        let o = LinkOptions::read(&format!("#/mnist?preset={}", "x".repeat(1000)));
        assert!(o.notes[0].chars().count() < 200);
        let o = LinkOptions::read("#/mnist?preset=a&preset=conv");
        assert_eq!(o.preset, Some("conv"));
        assert!(o.notes.iter().any(|n| n.contains("more than once")));
    }
}
