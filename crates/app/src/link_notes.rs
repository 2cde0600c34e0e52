//! What every page's link reader shares: a value quoted for a note, and the
//! cap on notes, so that a hostile link cannot flood the page.

/// `value` in quotes, cut to 40 characters, with control characters shown escaped.
pub fn quoted(value: &str) -> String {
    let short: String = value.chars().take(40).collect();
    let more = if value.chars().count() > 40 {
        "…"
    } else {
        ""
    };
    format!("{short:?}{more}")
}

/// Adds `note`, keeping at most 10 notes and then one that says there were more.
pub fn push(notes: &mut Vec<String>, note: String) {
    const MAX: usize = 10;
    match notes.len() {
        n if n < MAX => notes.push(note),
        MAX => notes.push("…and more ignored parts".into()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_cut_and_escaped_and_notes_capped() {
        assert_eq!(quoted("bird"), "\"bird\"");
        assert_eq!(quoted("a\nb"), "\"a\\nb\"");
        assert_eq!(quoted(&"x".repeat(50)), format!("\"{}\"…", "x".repeat(40)));
        let mut notes = Vec::new();
        for i in 0..30 {
            push(&mut notes, i.to_string());
        }
        assert_eq!(notes.len(), 11);
        assert_eq!(notes[10], "…and more ignored parts");
    }
}
