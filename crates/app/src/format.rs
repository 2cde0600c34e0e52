//! How numbers are written on the page.

/// An epoch counter in TensorFlow Playground's style: at least six digits,
/// grouped by thousands (`000,042`, `001,337`, `1,234,567`).
pub fn epoch(n: u64) -> String {
    let digits = format!("{n:06}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count grouped by thousands: `60000` → `60,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A loss with three decimals; a blown-up loss says so.
pub fn loss(value: f32) -> String {
    if value.is_finite() {
        format!("{value:.3}")
    } else {
        "diverged".into()
    }
}

/// An accuracy as a percentage with one decimal.
pub fn percent(value: f32) -> String {
    format!("{:.1}%", value * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_are_padded_and_grouped() {
        assert_eq!(epoch(0), "000,000");
        assert_eq!(epoch(42), "000,042");
        assert_eq!(epoch(999_999), "999,999");
        assert_eq!(epoch(1_234_567), "1,234,567");
    }

    #[test]
    fn losses_and_percentages() {
        assert_eq!(loss(0.12345), "0.123");
        assert_eq!(loss(f32::NAN), "diverged");
        assert_eq!(percent(0.9876), "98.8%");
    }
}
