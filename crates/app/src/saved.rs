//! What the pages keep in this browser, in one place: where each page keeps
//! it ([`PLACES`]), the one record format the Playground and the MNIST lab
//! store (a format version, a JSON header and raw bytes), how a save time
//! reads ("14:02", "2 Dec 14:02"), and "clear stored data" for all pages.
//!
//! A record starts with [`MAGIC`] and its format version, so a record from
//! an older or newer Playnet is recognised and ignored with a note instead
//! of being misread. Storage failures (quota exceeded, IndexedDB off in a
//! private window) are messages for the page, never panics.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// An IndexedDB database a page keeps things in.
pub struct Place {
    pub name: &'static str,
    pub version: u32,
    pub stores: &'static [&'static str],
}

/// The MNIST lab: its network, step, curves and settings.
pub const MNIST: Place = Place {
    name: "playnet-mnist",
    version: 1,
    stores: &["lab"],
};
/// The Playground: one session per data set and network.
pub const PLAYGROUND: Place = Place {
    name: "playnet-playground",
    version: 1,
    stores: &["sessions"],
};
/// The webcam page: classes, examples and the head.
pub const WEBCAM: Place = Place {
    name: "playnet-webcam",
    version: 1,
    stores: &["examples", "project"],
};
/// The sketch page: the models people trained or imported.
pub const SKETCH: Place = Place {
    name: "playnet-sketch",
    version: 1,
    stores: &["models"],
};
/// Every database of every page.
pub const PLACES: [&Place; 4] = [&MNIST, &PLAYGROUND, &WEBCAM, &SKETCH];

/// `localStorage` keys of every page start with this.
pub const LOCAL_PREFIX: &str = "playnet.";

/// The first bytes of a record.
pub const MAGIC: &[u8; 4] = b"PNRC";

/// Why a stored record was not read.
#[derive(Debug, PartialEq)]
pub enum RecordError {
    NotARecord,
    OtherFormat { found: u16, reads: u16 },
    Damaged(String),
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordError::NotARecord => write!(f, "it is not a Playnet record"),
            RecordError::OtherFormat { found, reads } => write!(
                f,
                "it is from another version of Playnet (format {found}; this page reads format \
                 {reads})"
            ),
            RecordError::Damaged(why) => write!(f, "it is damaged ({why})"),
        }
    }
}

/// A record: [`MAGIC`], `version` (u16, little-endian), the header's JSON
/// length (u32), the header as JSON, then `payload` as it is.
pub fn encode<T: Serialize>(version: u16, header: &T, payload: &[u8]) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec(header).map_err(|e| format!("cannot write the record: {e}"))?;
    let length = u32::try_from(json.len()).map_err(|_| "the record's header is too long")?;
    let mut bytes = Vec::with_capacity(10 + json.len() + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&version.to_le_bytes());
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.extend_from_slice(&json);
    bytes.extend_from_slice(payload);
    Ok(bytes)
}

/// Reads a record of format `version`: its header and its payload.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], version: u16) -> Result<(T, &[u8]), RecordError> {
    let rest = bytes.strip_prefix(MAGIC).ok_or(RecordError::NotARecord)?;
    let (found, rest) = rest
        .split_first_chunk::<2>()
        .ok_or_else(|| RecordError::Damaged("cut short".into()))?;
    let found = u16::from_le_bytes(*found);
    if found != version {
        return Err(RecordError::OtherFormat {
            found,
            reads: version,
        });
    }
    let (length, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| RecordError::Damaged("cut short".into()))?;
    let length = u32::from_le_bytes(*length) as usize;
    if length > rest.len() {
        return Err(RecordError::Damaged(format!(
            "its header says {length} bytes, {} are there",
            rest.len()
        )));
    }
    let (json, payload) = rest.split_at(length);
    let header = serde_json::from_slice(json).map_err(|e| RecordError::Damaged(e.to_string()))?;
    Ok((header, payload))
}

/// How a save time reads: the clock time today, with the date otherwise.
pub fn when(saved_ms: f64, now_ms: f64) -> String {
    let (saved, now) = (
        js_sys::Date::new(&saved_ms.into()),
        js_sys::Date::new(&now_ms.into()),
    );
    let clock = format!("{:02}:{:02}", saved.get_hours(), saved.get_minutes());
    let same_day = saved.get_date() == now.get_date()
        && saved.get_month() == now.get_month()
        && saved.get_full_year() == now.get_full_year();
    if same_day {
        clock
    } else {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS[saved.get_month() as usize % 12];
        format!("{} {month} {clock}", saved.get_date())
    }
}

/// Now, in milliseconds since 1970 (what records carry as their save time).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The message for a save that failed: what was not kept, why, and that the
/// rest goes on.
pub fn save_failed(what: &str, why: &str) -> String {
    let why = if why.contains("Quota") || why.contains("quota") {
        "the browser's storage for this site is full".to_string()
    } else {
        why.to_string()
    };
    format!(
        "Could not keep {what} in this browser ({why}). Everything else goes on; export it to \
         keep a copy."
    )
}

/// Forgets what every page keeps in this browser: every store of every
/// [`PLACES`] database emptied, every `playnet.` `localStorage` key removed.
/// Returns how many places were emptied, or the first failure.
pub async fn clear_everything() -> Result<usize, String> {
    let mut cleared = 0;
    for place in PLACES {
        let db = crate::idb::Database::open_place(place)
            .await
            .map_err(|e| format!("{}: {e}", place.name))?;
        for store in place.stores {
            db.clear(store)
                .await
                .map_err(|e| format!("{}: {e}", place.name))?;
        }
        cleared += 1;
    }
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let length = storage.length().unwrap_or(0);
        let keys: Vec<String> = (0..length)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(LOCAL_PREFIX))
            .collect();
        for key in keys {
            let _ = storage.remove_item(&key);
        }
    }
    Ok(cleared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Header {
        step: u32,
        name: String,
    }

    fn header() -> Header {
        Header {
            step: 3400,
            name: "conv".into(),
        }
    }

    #[test]
    fn a_record_reads_back_its_header_and_payload() {
        let bytes = encode(1, &header(), &[1, 2, 3]).unwrap();
        let (read, payload): (Header, _) = decode(&bytes, 1).unwrap();
        assert_eq!(read, header());
        assert_eq!(payload, &[1, 2, 3]);
    }

    #[test]
    fn another_format_is_recognised_not_misread() {
        let bytes = encode(7, &header(), &[]).unwrap();
        let err = decode::<Header>(&bytes, 1).unwrap_err();
        assert_eq!(err, RecordError::OtherFormat { found: 7, reads: 1 });
        assert!(err.to_string().contains("format 7"), "{err}");
    }

    #[test]
    fn foreign_cut_and_damaged_bytes_are_refused_with_a_reason() {
        assert_eq!(
            decode::<Header>(b"{\"step\":1}", 1).unwrap_err(),
            RecordError::NotARecord
        );
        let bytes = encode(1, &header(), &[9; 16]).unwrap();
        for cut in 0..bytes.len() - 16 {
            assert!(decode::<Header>(&bytes[..cut], 1).is_err(), "cut at {cut}");
        }
        let mut wrong = bytes.clone();
        wrong[10] = b'[';
        assert!(matches!(
            decode::<Header>(&wrong, 1),
            Err(RecordError::Damaged(_))
        ));
        let mut long = bytes;
        long[6..10].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode::<Header>(&long, 1),
            Err(RecordError::Damaged(_))
        ));
    }

    #[test]
    fn every_place_has_its_own_name() {
        let mut names: Vec<&str> = PLACES.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PLACES.len());
        assert!(names.iter().all(|n| n.starts_with("playnet-")));
    }

    #[test]
    fn a_full_store_says_so_in_words() {
        let message = save_failed("your network", "QuotaExceededError: too big");
        assert!(
            message.contains("storage for this site is full"),
            "{message}"
        );
        assert!(message.contains("Everything else goes on"), "{message}");
    }
}
