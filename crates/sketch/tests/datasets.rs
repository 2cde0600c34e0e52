//! The shipped stroke datasets (`assets/sketch-rnn/*.strokes`, converted by
//! `cargo xtask convert-strokes` from sketch-rnn's `.npz` files) hold what
//! the data's README says they hold, and a damaged file is refused.

use std::path::PathBuf;

use playnet_sketch::dataset::StrokeData;

fn load(name: &str) -> (Vec<u8>, StrokeData) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../assets/sketch-rnn/{name}.strokes"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let data = StrokeData::from_bytes(&bytes).unwrap();
    (bytes, data)
}

fn counts(data: &StrokeData) -> Vec<(&str, usize)> {
    data.splits
        .iter()
        .map(|s| (s.name.as_str(), s.len()))
        .collect()
}

#[test]
fn omniglot_has_the_counts_and_ranges_of_its_readme() {
    let (_, data) = load("omniglot");
    assert_eq!(
        counts(&data),
        [("train", 30_000), ("valid", 1_000), ("test", 1_000)]
    );
    let train = data.split("train").unwrap();
    assert_eq!(train.rows().len(), 933_430);
    for split in &data.splits {
        for (i, s) in split.iter().enumerate() {
            assert_eq!(s[0], [0, 0, 0], "{} {i}: the first row", split.name);
            assert_eq!(
                s[s.len() - 1][2],
                1,
                "{} {i}: the last row lifts",
                split.name
            );
        }
    }
    let range = |k: usize| {
        let v = train.rows().iter().map(|r| r[k]);
        (v.clone().min().unwrap(), v.max().unwrap())
    };
    assert_eq!(range(0), (-585, 588));
    assert_eq!(range(1), (-600, 600));
    let lengths: Vec<usize> = train.iter().map(<[_]>::len).collect();
    assert_eq!(lengths.iter().max(), Some(&143));
    assert_eq!(lengths.iter().min(), Some(&2));
}

#[test]
fn short_kanji_has_the_counts_of_its_readme() {
    let (_, data) = load("short_kanji");
    assert_eq!(
        counts(&data),
        [("train", 10_000), ("valid", 600), ("test", 500)]
    );
    let train = data.split("train").unwrap();
    let longest = train.iter().map(<[_]>::len).max();
    assert_eq!(longest, Some(88));
}

#[test]
fn a_truncated_dataset_is_refused_with_what_was_missing() {
    let (bytes, _) = load("omniglot");
    let err = StrokeData::from_bytes(&bytes[..bytes.len() / 2])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("not a stroke data file: truncated: train's 933430 rows needs"),
        "{err}"
    );
}
