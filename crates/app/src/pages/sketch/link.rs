//! The sketch page's link: `#/sketch?class=bird&seed=3&temperature=0.25&candidates=9`.
//!
//! As the other pages' links, reading never fails: a value the page cannot
//! use is ignored with a plain-text note saying what would have been
//! accepted, and the page opens as if the key were absent. The same keys are
//! written back ([`to_hash`]) whenever a setting changes, so the
//! address reproduces what is on screen: the same drawing (kept in the
//! browser, see [`super::store`]) and the same seed give the same candidates.
//!
//! | key | value |
//! |---|---|
//! | `class` | a model of `assets/sketch-rnn/index.json` (checked once the index is read) |
//! | `seed` | 0 to 2⁶⁴ − 1 |
//! | `temperature` | 0.01 to 1 |
//! | `candidates` | 1, 4 or 9 |
//! | `hideText` | `true` hides the prose, for embedding |
//! | `models` | test hook: a folder of this site holding the models |

use crate::link_notes::{self, quoted};
use playnet_sketch::sample::{MAX_TEMPERATURE, MIN_TEMPERATURE};

/// Where the models are unless the link says otherwise.
pub const DEFAULT_MODELS: &str = "assets/sketch-rnn";
/// The candidate counts offered.
pub const COUNTS: [usize; 3] = [1, 4, 9];
pub const DEFAULT_COUNT: usize = 9;
pub const DEFAULT_TEMPERATURE: f32 = 0.25;
pub const DEFAULT_SEED: u64 = 1;

/// What a link asks of the page, and what was ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkOptions {
    /// Not yet checked against the index.
    pub class: Option<String>,
    pub seed: u64,
    pub temperature: f32,
    pub candidates: usize,
    pub hide_text: bool,
    pub models: Option<String>,
    /// One note per ignored part, for people.
    pub notes: Vec<String>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            class: None,
            seed: DEFAULT_SEED,
            temperature: DEFAULT_TEMPERATURE,
            candidates: DEFAULT_COUNT,
            hide_text: false,
            models: None,
            notes: Vec::new(),
        }
    }
}

impl LinkOptions {
    /// Reads a hash (`#/sketch?…`, with or without `#`). Never fails.
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
        match key {
            "class" => {
                if !value.is_empty()
                    && value.len() <= 64
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    self.class = Some(value.to_string());
                } else {
                    self.note(format!(
                        "ignored class={}: it names a model such as bird",
                        quoted(value)
                    ));
                }
            }
            "seed" => match value.parse() {
                Ok(seed) => self.seed = seed,
                Err(_) => self.note(format!(
                    "ignored seed={}: it is a whole number from 0 to {}",
                    quoted(value),
                    u64::MAX
                )),
            },
            "temperature" => match value.parse::<f32>() {
                Ok(t) if (MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(&t) => self.temperature = t,
                _ => self.note(format!(
                    "ignored temperature={}: it is a number from {MIN_TEMPERATURE} to \
                     {MAX_TEMPERATURE}",
                    quoted(value)
                )),
            },
            "candidates" => match value.parse::<usize>() {
                Ok(n) if COUNTS.contains(&n) => self.candidates = n,
                _ => self.note(format!(
                    "ignored candidates={}: it is 1, 4 or 9",
                    quoted(value)
                )),
            },
            "hideText" => match value {
                "true" => self.hide_text = true,
                "false" => self.hide_text = false,
                _ => self.note(format!(
                    "ignored hideText={}: it is true or false",
                    quoted(value)
                )),
            },
            "models" => {
                let folder = value.trim_matches('/');
                if folder.is_empty() || folder.contains("..") || folder.contains(':') {
                    self.note(format!(
                        "ignored models={}: it names a folder of this site, such as \
                         {DEFAULT_MODELS}",
                        quoted(value)
                    ));
                } else {
                    self.models = Some(folder.to_string());
                }
            }
            _ => self.note(format!("ignored unknown setting {}", quoted(key))),
        }
    }

    /// Adds a note (see [`link_notes::push`]).
    pub fn note(&mut self, note: String) {
        link_notes::push(&mut self.notes, note);
    }

    /// The models folder.
    pub fn models_folder(&self) -> &str {
        self.models.as_deref().unwrap_or(DEFAULT_MODELS)
    }
}

/// The hash that reproduces these settings (with the test hook kept).
pub fn to_hash(
    class: &str,
    seed: u64,
    temperature: f32,
    candidates: usize,
    hide_text: bool,
    models: Option<&str>,
) -> String {
    let mut hash = format!(
        "#/sketch?class={class}&seed={seed}&temperature={temperature}&candidates={candidates}"
    );
    if hide_text {
        hash.push_str("&hideText=true");
    }
    if let Some(m) = models {
        hash.push_str(&format!("&models={m}"));
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_link_is_read_and_written_back() {
        let o = LinkOptions::read("#/sketch?class=bird&seed=3&temperature=0.5&candidates=4");
        assert_eq!(o.class.as_deref(), Some("bird"));
        assert_eq!((o.seed, o.temperature, o.candidates), (3, 0.5, 4));
        assert!(o.notes.is_empty(), "{:?}", o.notes);
        let hash = to_hash("bird", 3, 0.5, 4, false, None);
        assert_eq!(LinkOptions::read(&hash), o);
    }

    #[test]
    fn bad_values_are_repaired_with_a_note() {
        let o = LinkOptions::read(
            "#/sketch?class=<b>&seed=-1&temperature=7&candidates=5&hideText=yes&x=1&lonely",
        );
        assert_eq!(o.class, None);
        assert_eq!(o.seed, DEFAULT_SEED);
        assert_eq!(o.temperature, DEFAULT_TEMPERATURE);
        assert_eq!(o.candidates, DEFAULT_COUNT);
        assert_eq!(o.notes.len(), 7, "{:?}", o.notes);
        assert!(LinkOptions::read("#/sketch?temperature=NaN").notes[0].contains("0.01"));
        let many = format!("#/sketch?{}", "x=1&".repeat(50));
        assert_eq!(LinkOptions::read(&many).notes.len(), 11);
    }
}
