//! A person's own data as CSV: one point a row, `x,y,label`.
//!
//! The format, in full:
//!
//! - fields separated by commas, or by semicolons or tabs used the same way
//!   on every row (the first row that is not blank or a comment decides);
//! - an optional header, exactly `x,y,label` in any case, as the first such
//!   row;
//! - blank lines and lines starting with `#` are skipped, spaces around
//!   fields are trimmed, a field may be wrapped in double quotes, CRLF line
//!   ends and a leading byte-order mark are fine;
//! - `x` and `y` finite numbers within the plane the Playground shows
//!   (−6 to 6);
//! - `label` as the problem needs it: 1 or −1 for binary classification, a
//!   number from −1 to 1 for regression, a class number `0 … classes−1` for
//!   multi-class data;
//! - 1 to [`MAX_POINTS`] points.
//!
//! [`parse_points`] stops at the first bad row and says which row (counting
//! every line of the file from 1) and what is wrong with it. [`write_points`]
//! writes the header and rows that read back to the same points.
//!
//! What is not here: reading the file (the page hands over its text) and
//! splitting the points into training and test sets.

use playnet_data::{Point, Problem};

use crate::url::quoted;

/// Most points a CSV file may hold.
pub const MAX_POINTS: usize = 5000;
/// Half the side of the plane the Playground shows.
const PLANE: f64 = 6.0;

/// Why a CSV file cannot be used, in words a person can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsvError {
    /// One row is wrong; `row` counts every line of the file from 1.
    #[error("row {row}: {problem}")]
    Row { row: usize, problem: String },
    /// The file holds more than [`MAX_POINTS`] points; `row` is where the
    /// first one too many is.
    #[error("row {row}: more than {MAX_POINTS} points; the playground takes at most {MAX_POINTS}")]
    TooManyPoints { row: usize },
    /// Nothing but blank lines, comments or a header.
    #[error("the file has no points")]
    NoPoints,
}

/// Reads points from CSV text (see the module documentation for the
/// format). `classes` is the number of classes for
/// [`Problem::MultiClass`] and is ignored otherwise.
pub fn parse_points(text: &str, problem: Problem, classes: usize) -> Result<Vec<Point>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut points = Vec::new();
    let mut delimiter = None;
    for (index, line) in text.split('\n').enumerate() {
        let row = index + 1;
        let line = line.strip_suffix('\r').unwrap_or(line).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |problem: String| CsvError::Row { row, problem };
        let first = delimiter.is_none();
        let sep = *delimiter.get_or_insert_with(|| pick_delimiter(line));
        let fields: Vec<&str> = line.splitn(4, sep).map(field).collect();
        let [x, y, label] = fields[..] else {
            return Err(bad(format!(
                "expected 3 fields (x, y, label) separated by {}, found {}",
                delimiter_name(sep),
                line.split(sep).count()
            )));
        };
        if first
            && [x, y, label]
                .iter()
                .zip(["x", "y", "label"])
                .all(|(f, name)| f.eq_ignore_ascii_case(name))
        {
            continue;
        }
        if first && [x, y, label].iter().all(|f| f.parse::<f64>().is_err()) {
            return Err(bad(format!(
                "a header must be exactly x,y,label, not {}",
                quoted(line)
            )));
        }
        let hint = if first {
            " (a header must be exactly x,y,label)"
        } else {
            ""
        };
        let x = coordinate("x", x).map_err(|e| bad(format!("{e}{hint}")))?;
        let y = coordinate("y", y).map_err(|e| bad(format!("{e}{hint}")))?;
        let label = parse_label(label, problem, classes).map_err(|e| bad(format!("{e}{hint}")))?;
        if points.len() == MAX_POINTS {
            return Err(CsvError::TooManyPoints { row });
        }
        points.push(Point { x, y, label });
    }
    if points.is_empty() {
        return Err(CsvError::NoPoints);
    }
    Ok(points)
}

/// Writes points as CSV: the header `x,y,label`, then one row per point
/// with the shortest numbers that read back to the same `f64`s.
pub fn write_points(points: &[Point]) -> String {
    let mut out = String::from("x,y,label\n");
    for p in points {
        out.push_str(&format!("{},{},{}\n", p.x, p.y, p.label));
    }
    out
}

/// The first of comma, semicolon and tab that splits `line` into three
/// fields; a comma when none does.
fn pick_delimiter(line: &str) -> char {
    [',', ';', '\t']
        .into_iter()
        .find(|&d| line.split(d).count() == 3)
        .unwrap_or(',')
}

fn delimiter_name(sep: char) -> &'static str {
    match sep {
        ';' => "semicolons",
        '\t' => "tabs",
        _ => "commas",
    }
}

/// A field, trimmed and without one pair of surrounding double quotes.
fn field(raw: &str) -> &str {
    let f = raw.trim();
    f.strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .map_or(f, str::trim)
}

/// A finite number, or why not.
fn number(what: &str, text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{what} {} is not a finite number", quoted(text))),
        Err(_) => Err(format!("{what} {} is not a number", quoted(text))),
    }
}

/// A field that read as a number, for a message: as written, cut to 40
/// characters (it is ASCII, so nothing needs escaping).
fn bare(text: &str) -> String {
    let q = quoted(text);
    q.trim_matches('"').to_owned()
}

/// A coordinate within the plane.
fn coordinate(what: &str, text: &str) -> Result<f64, String> {
    let v = number(what, text)?;
    if v.abs() > PLANE {
        return Err(format!(
            "{what} {} is outside the plane (-6 to 6)",
            bare(text)
        ));
    }
    Ok(v)
}

/// A label as `problem` needs it.
fn parse_label(text: &str, problem: Problem, classes: usize) -> Result<f64, String> {
    let v = number("label", text)?;
    match problem {
        Problem::Classification if v == 1.0 || v == -1.0 => Ok(v),
        Problem::Classification => Err(format!(
            "label {} is not a class: two-class labels are 1 or -1",
            bare(text)
        )),
        Problem::Regression if (-1.0..=1.0).contains(&v) => Ok(v),
        Problem::Regression => Err(format!(
            "label {} is outside the regression range (-1 to 1)",
            bare(text)
        )),
        Problem::MultiClass if v.fract() == 0.0 && v >= 0.0 && v < classes as f64 => Ok(v + 0.0),
        Problem::MultiClass => Err(match classes {
            0 => format!(
                "label {} is not a class: this data set has none",
                bare(text)
            ),
            _ => format!(
                "label {} is not a class of this data set (0–{})",
                bare(text),
                classes - 1
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64, label: f64) -> Point {
        Point { x, y, label }
    }

    fn row_error(text: &str, problem: Problem, classes: usize) -> (usize, String) {
        match parse_points(text, problem, classes) {
            Err(CsvError::Row { row, problem }) => (row, problem),
            other => panic!("{text:?}: expected a row error, got {other:?}"),
        }
    }

    #[test]
    fn reads_a_plain_file_with_header_comments_and_blank_lines() {
        let text = "# my points\nX,Y,Label\n\n1,2,1\n  -0.5 , 6 , -1  \r\n# end\n";
        let points = parse_points(text, Problem::Classification, 2).unwrap();
        assert_eq!(points, vec![p(1.0, 2.0, 1.0), p(-0.5, 6.0, -1.0)]);
    }

    #[test]
    fn header_is_optional_and_other_delimiters_work() {
        let classes = parse_points("1;2;+1\r\n3;4;-1", Problem::Classification, 2).unwrap();
        assert_eq!(classes, vec![p(1.0, 2.0, 1.0), p(3.0, 4.0, -1.0)]);
        let tabbed = parse_points("x\ty\tlabel\n0\t0\t0.25\n", Problem::Regression, 1).unwrap();
        assert_eq!(tabbed, vec![p(0.0, 0.0, 0.25)]);
        let quoted = parse_points(
            "\u{feff}\"x\",\"y\",\"label\"\n\"1.5\",\"-2\",\"2\"",
            Problem::MultiClass,
            3,
        )
        .unwrap();
        assert_eq!(quoted, vec![p(1.5, -2.0, 2.0)]);
    }

    #[test]
    fn labels_follow_the_problem() {
        let c = Problem::Classification;
        assert_eq!(
            row_error("1,1,0", c, 2),
            (1, "label 0 is not a class: two-class labels are 1 or -1 (a header must be exactly x,y,label)".into())
        );
        assert_eq!(
            row_error("1,1,1\n1,1,0", c, 2),
            (
                2,
                "label 0 is not a class: two-class labels are 1 or -1".into()
            )
        );
        assert!(parse_points("1,1,1.0\n1,1,-1e0", c, 2).is_ok());
        let r = Problem::Regression;
        assert_eq!(
            row_error("x,y,label\n0,0,1.5", r, 1),
            (
                2,
                "label 1.5 is outside the regression range (-1 to 1)".into()
            )
        );
        assert!(parse_points("0,0,-1\n0,0,1\n0,0,0.3", r, 1).is_ok());
        let m = Problem::MultiClass;
        assert_eq!(
            row_error("x,y,label\n0,0,1\n\n# c\n0,0,2\n0,0,0\n0,0,3", m, 3),
            (7, "label 3 is not a class of this data set (0–2)".into())
        );
        assert_eq!(row_error("0,0,1.5\n", m, 3).0, 1);
        assert_eq!(row_error("0,0,-1\n", m, 3).0, 1);
        assert!(row_error("0,0,0", m, 0).1.contains("has none"));
        // -0 reads as class 0, not as a distinct value.
        let zero = parse_points("0,0,-0", m, 3).unwrap();
        assert!(zero[0].label.is_sign_positive());
    }

    #[test]
    fn bad_coordinates_and_shapes_name_the_row() {
        let c = Problem::Classification;
        let cases = [
            (
                "x,y,label\n6.5,0,1",
                2,
                "x 6.5 is outside the plane (-6 to 6)",
            ),
            ("0,-7,1", 1, "y -7 is outside the plane"),
            ("x,y,label\nNaN,0,1", 2, "x \"NaN\" is not a finite number"),
            ("x,y,label\n0,inf,1", 2, "y \"inf\" is not a finite number"),
            ("x,y,label\none,0,1", 2, "x \"one\" is not a number"),
            (
                "0,0,1\n0,0",
                2,
                "expected 3 fields (x, y, label) separated by commas, found 2",
            ),
            (
                "0,0,1\n0,0,1,1",
                2,
                "expected 3 fields (x, y, label) separated by commas, found 4",
            ),
            (
                "0,0,1\n0,0,1,1,1,1",
                2,
                "expected 3 fields (x, y, label) separated by commas, found 6",
            ),
            ("0;0;1\n0,0,1", 2, "separated by semicolons, found 1"),
            (
                "x,y,class\n0,0,1",
                1,
                "a header must be exactly x,y,label, not \"x,y,class\"",
            ),
            (
                "a;b;c",
                1,
                "a header must be exactly x,y,label, not \"a;b;c\"",
            ),
            (
                "1,b,c",
                1,
                "y \"b\" is not a number (a header must be exactly x,y,label)",
            ),
            ("0,0,", 1, "label \"\" is not a number"),
        ];
        for (text, row, start) in cases {
            let (got_row, problem) = row_error(text, c, 2);
            assert_eq!(got_row, row, "{text:?}: {problem}");
            assert!(problem.contains(start), "{text:?}: {problem}");
        }
        // A second header is an ordinary bad row.
        assert_eq!(row_error("x,y,label\nx,y,label", c, 2).0, 2);
    }

    #[test]
    fn error_messages_read_as_one_line() {
        let err = parse_points("0,0,1\n0,0,3", Problem::MultiClass, 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "row 2: label 3 is not a class of this data set (0–2)"
        );
        let long = format!("0,0,{}", "9".repeat(10_000));
        let err = parse_points(&long, Problem::Classification, 2).unwrap_err();
        assert!(err.to_string().chars().count() < 140, "{err}");
    }

    #[test]
    fn limits() {
        assert_eq!(
            parse_points("", Problem::Classification, 2),
            Err(CsvError::NoPoints)
        );
        assert_eq!(
            parse_points("# only\nx,y,label\n\n", Problem::Classification, 2),
            Err(CsvError::NoPoints)
        );
        let full: String = "0,0,1\n".repeat(MAX_POINTS);
        assert_eq!(
            parse_points(&full, Problem::Classification, 2)
                .unwrap()
                .len(),
            MAX_POINTS
        );
        let over = format!("x,y,label\n{full}0,0,1\n");
        let err = parse_points(&over, Problem::Classification, 2).unwrap_err();
        assert_eq!(
            err,
            CsvError::TooManyPoints {
                row: MAX_POINTS + 2
            }
        );
        assert_eq!(
            err.to_string(),
            "row 5002: more than 5000 points; the playground takes at most 5000"
        );
    }

    #[test]
    fn written_points_read_back_exactly() {
        let points = vec![
            p(0.1, -0.2, 1.0),
            p(6.0, -6.0, -1.0),
            p(1.0 / 3.0, 5.999999999999999, 1.0),
            p(1e-300, -2.5e-8, -1.0),
        ];
        let text = write_points(&points);
        assert!(
            text.starts_with("x,y,label\n0.1,-0.2,1\n6,-6,-1\n"),
            "{text}"
        );
        assert_eq!(
            parse_points(&text, Problem::Classification, 2).unwrap(),
            points
        );
        let reg = vec![p(0.0, 0.0, 0.123456789), p(-1.0, 2.0, -1.0)];
        assert_eq!(
            parse_points(&write_points(&reg), Problem::Regression, 1).unwrap(),
            reg
        );
        let multi = vec![p(0.5, 0.5, 3.0), p(0.5, 0.5, 0.0)];
        assert_eq!(
            parse_points(&write_points(&multi), Problem::MultiClass, 4).unwrap(),
            multi
        );
    }

    #[test]
    fn generated_data_sets_round_trip() {
        use playnet_data::{DatasetKind, generate, rng};
        for kind in DatasetKind::ALL {
            let points: Vec<Point> = generate(kind, 200, 0.0, &mut rng(3))
                .into_iter()
                .filter(|q| q.x.abs() <= 6.0 && q.y.abs() <= 6.0)
                .filter(|q| kind.problem() != Problem::Regression || q.label.abs() <= 1.0)
                .collect();
            let back = parse_points(&write_points(&points), kind.problem(), kind.num_classes());
            assert_eq!(back, Ok(points), "{kind}");
        }
    }
}
