//! CSV files against hostile input: a regression corpus (`corpus/csv.txt`,
//! cases separated by `---` lines, run natively and in the browser) and,
//! natively, property tests.
//!
//! A corpus case may say what it expects in comment lines (which the parser
//! skips): `# expect classification 2: ok`, `… regression 1: row 3`,
//! `… multiclass 3: no points`, `… too many`. Every case is also read as
//! every kind of problem and must give valid points or an error, never a
//! panic.

use playnet_data::{Point, Problem};
use playnet_playground::{CsvError, MAX_POINTS, parse_points, write_points};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CORPUS: &str = include_str!("corpus/csv.txt");

/// Parses `text` as `problem` and checks what any result promises.
fn check(text: &str, problem: Problem, classes: usize) -> Result<Vec<Point>, CsvError> {
    let result = parse_points(text, problem, classes);
    match &result {
        Ok(points) => {
            assert!(!points.is_empty() && points.len() <= MAX_POINTS);
            for p in points {
                assert!(p.x.abs() <= 6.0 && p.y.abs() <= 6.0, "{p:?}");
                let ok = match problem {
                    Problem::Classification => p.label == 1.0 || p.label == -1.0,
                    Problem::Regression => (-1.0..=1.0).contains(&p.label),
                    Problem::MultiClass => {
                        p.label.fract() == 0.0 && p.label >= 0.0 && p.label < classes as f64
                    }
                };
                assert!(ok, "{problem:?} {classes}: {p:?}");
            }
            assert_eq!(
                parse_points(&write_points(points), problem, classes).as_ref(),
                Ok(points)
            );
        }
        Err(e) => {
            let message = e.to_string();
            assert!(message.chars().count() <= 200, "{message}");
            assert!(!message.chars().any(char::is_control), "{message:?}");
        }
    }
    result
}

fn problem_named(name: &str) -> Problem {
    match name {
        "classification" => Problem::Classification,
        "regression" => Problem::Regression,
        "multiclass" => Problem::MultiClass,
        _ => panic!("unknown problem {name:?} in the corpus"),
    }
}

/// Checks one `# expect PROBLEM CLASSES: OUTCOME` line against `text`.
fn check_expectation(case: usize, text: &str, spec: &str) {
    let (what, outcome) = spec.split_once(':').expect("`# expect P C: outcome`");
    let mut words = what.split_whitespace();
    let problem = problem_named(words.next().unwrap_or_default());
    let classes: usize = words.next().and_then(|c| c.parse().ok()).unwrap_or(2);
    let result = check(text, problem, classes);
    let outcome = outcome.trim();
    let matches = match (outcome, &result) {
        ("ok", Ok(_)) => true,
        ("no points", Err(CsvError::NoPoints)) => true,
        ("too many", Err(CsvError::TooManyPoints { .. })) => true,
        (_, Err(CsvError::Row { row, .. })) => outcome == format!("row {row}"),
        _ => false,
    };
    assert!(matches, "case {case}, {spec}: got {result:?}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_corpus_case_is_read_or_refused_as_expected() {
    let mut cases = vec![String::new()];
    for line in CORPUS.lines() {
        if line == "---" {
            cases.push(String::new());
        } else {
            let case = cases.last_mut().expect("at least one case");
            case.push_str(line);
            case.push('\n');
        }
    }
    assert!(cases.len() >= 25, "the corpus lost cases: {}", cases.len());
    for (i, text) in cases.iter().enumerate() {
        for (problem, classes) in [
            (Problem::Classification, 2),
            (Problem::Regression, 1),
            (Problem::MultiClass, 0),
            (Problem::MultiClass, 3),
        ] {
            let _ = check(text, problem, classes);
        }
        for spec in text.lines().filter_map(|l| l.strip_prefix("# expect ")) {
            check_expectation(i + 1, text, spec);
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::check;
    use playnet_data::{Point, Problem};
    use playnet_playground::{parse_points, write_points};
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;

    /// Fixed seed so CI is repeatable; `PROPTEST_RNG_SEED` (and
    /// `PROPTEST_CASES`) explore further. Failures go into
    /// `corpus/csv.txt` by hand, not into proptest's own files.
    fn config() -> ProptestConfig {
        let base = ProptestConfig::default();
        ProptestConfig {
            rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
                base.rng_seed
            } else {
                RngSeed::Fixed(0xc5f_0001)
            },
            failure_persistence: None,
            ..base
        }
    }

    fn problem() -> impl Strategy<Value = (Problem, usize)> {
        prop_oneof![
            Just((Problem::Classification, 2)),
            Just((Problem::Regression, 1)),
            (0usize..6).prop_map(|k| (Problem::MultiClass, k)),
        ]
    }

    fn points(problem: Problem, classes: usize) -> impl Strategy<Value = Vec<Point>> {
        let label = match problem {
            Problem::Classification => prop_oneof![Just(1.0), Just(-1.0)].boxed(),
            Problem::Regression => (-1.0f64..=1.0).boxed(),
            Problem::MultiClass => (0..classes.max(1)).prop_map(|c| c as f64).boxed(),
        };
        prop::collection::vec(
            (-6.0f64..=6.0, -6.0f64..=6.0, label).prop_map(|(x, y, label)| Point { x, y, label }),
            1..50,
        )
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_text_is_read_or_refused((problem, classes) in problem(), text in any::<String>()) {
            let _ = check(&text, problem, classes);
        }

        #[test]
        fn csv_like_text_is_read_or_refused(
            (problem, classes) in problem(),
            text in "([-+0-9.eE,;\t #xylabelXYLABEL\"]{0,12}(\r?\n)?){0,12}",
        ) {
            let _ = check(&text, problem, classes);
        }

        #[test]
        fn written_points_read_back(
            (problem, classes, points) in problem()
                .prop_filter("multi-class needs a class", |(p, k)| *p != Problem::MultiClass || *k > 0)
                .prop_flat_map(|(p, k)| (Just(p), Just(k), points(p, k)))
        ) {
            let back = parse_points(&write_points(&points), problem, classes);
            prop_assert_eq!(back, Ok(points));
        }
    }
}
