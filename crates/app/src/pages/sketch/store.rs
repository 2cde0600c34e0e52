//! What the sketch page keeps in the browser, so that a reload finds it:
//!
//! - the drawing (`localStorage`, [`KEY`]): its lines as JSON, in canvas
//!   pixels, so the link's seed gives the same candidates again;
//! - "my drawings", the set the user collects to train on (`localStorage`,
//!   [`MINE_KEY`]): stroke-3 rows in the model's pixels;
//! - the models the user trained or imported ([`Models`], IndexedDB
//!   `playnet-sketch`, store `models`: one record per model under its name,
//!   [`MODEL_MAGIC`] then the config's length, the config JSON and the
//!   weights).
//!
//! A stored value that cannot be read (edited by hand, from another
//! version) is ignored with a note, and overwritten by the next change.

use super::Lines;
use crate::idb::Database;

/// The `localStorage` key.
pub const KEY: &str = "playnet.sketch.drawing";

/// At most this many points are kept: far more than any model reads.
pub const MAX_POINTS: usize = 20_000;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Parses a stored drawing: lines of finite `[x, y]` points, at most
/// [`MAX_POINTS`] in all.
pub fn parse(text: &str) -> Result<Lines, String> {
    let lines: Lines = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let points: usize = lines.iter().map(Vec::len).sum();
    if points > MAX_POINTS {
        return Err(format!("{points} points (at most {MAX_POINTS})"));
    }
    if lines.iter().flatten().flatten().any(|v| !v.is_finite()) {
        return Err("a coordinate is not a number".into());
    }
    Ok(lines.into_iter().filter(|l| !l.is_empty()).collect())
}

/// The stored drawing (empty if there is none), and a note if one was there
/// but could not be read.
pub fn load() -> (Lines, Option<String>) {
    let Some(text) = storage().and_then(|s| s.get_item(KEY).ok().flatten()) else {
        return (Vec::new(), None);
    };
    match parse(&text) {
        Ok(lines) => (lines, None),
        Err(why) => (
            Vec::new(),
            Some(format!("ignored the drawing saved in this browser ({why})")),
        ),
    }
}

/// Keeps `lines` for the next visit (silently does nothing where storage is
/// off: the drawing then lasts as long as the page).
pub fn save(lines: &Lines) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(lines)) {
        let _ = s.set_item(KEY, &text);
    }
}

/// The `localStorage` key of "my drawings".
pub const MINE_KEY: &str = "playnet.sketch.mine";

/// At most this many drawings in "my drawings".
pub const MAX_MINE: usize = 1000;

/// One collected drawing: stroke-3 rows `[dx, dy, lift]` in model pixels.
pub type Drawing = Vec<[i16; 3]>;

/// Parses a stored set of drawings.
pub fn parse_mine(text: &str) -> Result<Vec<Drawing>, String> {
    let set: Vec<Drawing> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if set.len() > MAX_MINE {
        return Err(format!("{} drawings (at most {MAX_MINE})", set.len()));
    }
    if set.iter().flatten().any(|r| !(0..=1).contains(&r[2])) {
        return Err("a lift that is not 0 or 1".into());
    }
    Ok(set)
}

/// "My drawings" as stored, and a note if they could not be read.
pub fn load_mine() -> (Vec<Drawing>, Option<String>) {
    let Some(text) = storage().and_then(|s| s.get_item(MINE_KEY).ok().flatten()) else {
        return (Vec::new(), None);
    };
    match parse_mine(&text) {
        Ok(set) => (set, None),
        Err(why) => (
            Vec::new(),
            Some(format!(
                "ignored the drawings collected in this browser ({why})"
            )),
        ),
    }
}

/// Keeps "my drawings"; says why not where storage refuses.
pub fn save_mine(set: &[Drawing]) -> Result<(), String> {
    let s = storage().ok_or("this browser keeps nothing for this page")?;
    let text = serde_json::to_string(set).map_err(|e| e.to_string())?;
    s.set_item(MINE_KEY, &text)
        .map_err(|e| crate::fetch::describe(&e))
}

/// The first bytes of a stored model record (its format version).
pub const MODEL_MAGIC: &[u8; 4] = b"PSM1";

/// A model's two files in one record.
pub fn pack_model(config: &str, weights: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + config.len() + weights.len());
    out.extend_from_slice(MODEL_MAGIC);
    out.extend_from_slice(&(config.len() as u32).to_le_bytes());
    out.extend_from_slice(config.as_bytes());
    out.extend_from_slice(weights);
    out
}

/// A record's config JSON and weights.
pub fn unpack_model(bytes: &[u8]) -> Result<(String, Vec<u8>), String> {
    let rest = bytes
        .strip_prefix(MODEL_MAGIC.as_slice())
        .ok_or("not a model record of this version")?;
    let (len, rest) = rest.split_at_checked(4).ok_or("a truncated record")?;
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    let (config, weights) = rest.split_at_checked(len).ok_or("a truncated record")?;
    let config = String::from_utf8(config.to_vec()).map_err(|_| "a config that is not text")?;
    Ok((config, weights.to_vec()))
}

const MODELS: &str = crate::saved::SKETCH.stores[0];

/// The user's models in IndexedDB.
#[derive(Clone)]
pub struct Models {
    db: Database,
}

impl Models {
    pub async fn open() -> Result<Models, String> {
        Ok(Models {
            db: Database::open_place(&crate::saved::SKETCH).await?,
        })
    }

    /// Every stored model, `(name, config, weights)`, and the names of
    /// records that could not be read.
    pub async fn load(&self) -> Result<(Vec<(String, String, Vec<u8>)>, Vec<String>), String> {
        let (mut models, mut bad) = (Vec::new(), Vec::new());
        for (key, bytes) in self.db.all(MODELS).await? {
            let name = key.as_string().unwrap_or_default();
            match unpack_model(&bytes) {
                Ok((config, weights)) if !name.is_empty() => models.push((name, config, weights)),
                _ => bad.push(name),
            }
        }
        Ok((models, bad))
    }

    pub async fn save(&self, name: &str, config: &str, weights: &[u8]) -> Result<(), String> {
        self.db
            .put(MODELS, &name.into(), &pack_model(config, weights))
            .await
    }

    pub async fn delete(&self, name: &str) -> Result<(), String> {
        self.db.delete(MODELS, &name.into()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collected_drawings_and_model_records_round_trip_and_junk_is_refused() {
        let set = vec![vec![[0, 0, 0], [5, -3, 1]]];
        assert_eq!(
            parse_mine(&serde_json::to_string(&set).unwrap()).unwrap(),
            set
        );
        for junk in ["", "[[[1,2]]]", "[[[1,2,3]]]", "{}"] {
            assert!(parse_mine(junk).is_err(), "{junk}");
        }
        let record = pack_model("{\"a\":1}", &[1, 2, 3]);
        assert_eq!(
            unpack_model(&record).unwrap(),
            ("{\"a\":1}".to_string(), vec![1, 2, 3])
        );
        assert!(unpack_model(b"PSM0xxxx").is_err());
        assert!(unpack_model(&record[..9]).is_err());
    }

    #[test]
    fn drawings_round_trip_and_junk_is_refused() {
        let lines = vec![vec![[1.5, 2.0], [3.0, 4.25]], vec![[9.0, 9.0]]];
        let text = serde_json::to_string(&lines).unwrap();
        assert_eq!(parse(&text).unwrap(), lines);
        for junk in ["", "{", "[[1,2]]", "[[[1,2,3]]]", "\"x\""] {
            assert!(parse(junk).is_err(), "{junk}");
        }
    }
}
