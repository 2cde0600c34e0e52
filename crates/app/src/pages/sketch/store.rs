//! The drawing kept in the browser (`localStorage`), so that a reload finds
//! it and the link's seed gives the same candidates again.
//!
//! The value is the drawing's lines as JSON, in canvas pixels. A stored value
//! that is not such a drawing (edited by hand, from another version) is
//! ignored with a note, and overwritten by the next stroke.

use super::Lines;

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

#[cfg(test)]
mod tests {
    use super::*;

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
