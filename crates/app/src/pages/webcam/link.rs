//! The webcam page's link: `#/webcam?head=knn&hide=game&hideText=true`.
//!
//! As the other pages' links, reading never fails: a value the page cannot
//! use is ignored with a note saying what would have been accepted.
//!
//! | key | value |
//! |---|---|
//! | `head` | `dense` (a trained network) or `knn` (nearest neighbours) |
//! | `hide` | panels to hide, comma-separated: `imagenet`, `head`, `game`, `project` |
//! | `hideText` | `true` hides the prose, for embedding |
//! | `backend` | `auto`, `webgpu` or `cpu` |
//! | `samples` | `true` starts with the sample pictures instead of the camera |
//! | `weights` | test hook: the network's file, a path of this site |

use playnet_webcam::project::HeadKind;

use crate::link_notes::{self, quoted};
use crate::pages::mnist::choice;
use crate::worker::protocol::BackendChoice;

/// The shipped network, unless the link says otherwise.
pub const DEFAULT_WEIGHTS: &str = "assets/efficientnet-lite0/efficientnet-lite0.safetensors";
/// The panels a link may hide.
pub const PANELS: [&str; 4] = ["imagenet", "head", "game", "project"];

/// What a link asks of the page, and what was ignored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkOptions {
    pub head: Option<HeadKind>,
    pub hidden: Vec<&'static str>,
    pub hide_text: bool,
    pub backend: Option<BackendChoice>,
    pub samples: bool,
    pub weights: Option<String>,
    pub notes: Vec<String>,
}

impl LinkOptions {
    /// Reads a hash (`#/webcam?…`, with or without `#`). Never fails.
    pub fn read(hash: &str) -> LinkOptions {
        let mut options = LinkOptions::default();
        let Some((_, query)) = hash.split_once('?') else {
            return options;
        };
        for part in query.split('&').filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((key, value)) => options.set(key, value),
                None => options.note(format!("ignored {} (it has no value)", quoted(part))),
            }
        }
        options
    }

    fn set(&mut self, key: &str, value: &str) {
        let boolean = |value: &str| match value {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        match key {
            "head" => match value {
                "dense" => self.head = Some(HeadKind::Dense),
                "knn" => self.head = Some(HeadKind::Knn),
                _ => self.note(format!(
                    "ignored head={}: it is dense or knn",
                    quoted(value)
                )),
            },
            "hide" => {
                for panel in value.split(',').filter(|p| !p.is_empty()) {
                    match PANELS.iter().find(|&&p| p == panel) {
                        Some(&p) if !self.hidden.contains(&p) => self.hidden.push(p),
                        Some(_) => {}
                        None => self.note(format!(
                            "ignored hide={}: the panels are {}",
                            quoted(panel),
                            PANELS.join(", ")
                        )),
                    }
                }
            }
            "hideText" => match boolean(value) {
                Some(b) => self.hide_text = b,
                None => self.note(format!(
                    "ignored hideText={}: it is true or false",
                    quoted(value)
                )),
            },
            "samples" => match boolean(value) {
                Some(b) => self.samples = b,
                None => self.note(format!(
                    "ignored samples={}: it is true or false",
                    quoted(value)
                )),
            },
            "backend" => match choice::from_id(value) {
                Some(c) => self.backend = Some(c),
                None => self.note(format!(
                    "ignored backend={}: it is auto, webgpu or cpu",
                    quoted(value)
                )),
            },
            "weights" => {
                let path = value.trim_start_matches('/');
                if path.is_empty() || path.contains("..") || path.contains(':') {
                    self.note(format!(
                        "ignored weights={}: it names a file of this site, such as \
                         {DEFAULT_WEIGHTS}",
                        quoted(value)
                    ));
                } else {
                    self.weights = Some(path.to_string());
                }
            }
            _ => self.note(format!("ignored unknown setting {}", quoted(key))),
        }
    }

    fn note(&mut self, note: String) {
        link_notes::push(&mut self.notes, note);
    }

    /// Whether the link hides `panel`.
    pub fn hides(&self, panel: &str) -> bool {
        self.hidden.contains(&panel)
    }

    /// The network's file.
    pub fn weights_path(&self) -> &str {
        self.weights.as_deref().unwrap_or(DEFAULT_WEIGHTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_link_is_read() {
        let o = LinkOptions::read(
            "#/webcam?head=knn&hide=game,imagenet&hideText=true&backend=cpu&samples=true",
        );
        assert_eq!(o.head, Some(HeadKind::Knn));
        assert_eq!(o.hidden, vec!["game", "imagenet"]);
        assert!(o.hide_text && o.samples && o.hides("game") && !o.hides("head"));
        assert_eq!(o.backend, Some(BackendChoice::Cpu));
        assert!(o.notes.is_empty(), "{:?}", o.notes);
        assert_eq!(o.weights_path(), DEFAULT_WEIGHTS);
    }

    #[test]
    fn bad_values_are_ignored_with_a_note() {
        let o = LinkOptions::read(
            "#/webcam?head=svm&hide=game,chat&hideText=1&backend=tpu&weights=../x&samples=&y=2&z",
        );
        assert_eq!(
            o,
            LinkOptions {
                hidden: vec!["game"],
                notes: o.notes.clone(),
                ..LinkOptions::default()
            }
        );
        assert_eq!(o.notes.len(), 8, "{:?}", o.notes);
        assert!(o.notes[0].contains("dense or knn"), "{:?}", o.notes);
    }
}
