//! Numbers the way Danish readers write them (`75,0 %`, `0,42`, `1.234`), or the English way.
//! One module, used by pages, PDF, DOCX, CSV and the XLSX number formats alike.

/// The decimal and thousands separators of a language.
fn seps(english: bool) -> (char, char) {
    if english { ('.', ',') } else { (',', '.') }
}

/// A whole number with thousands separators: `1.234` (da), `1,234` (en).
pub fn integer(n: u64, english: bool) -> String {
    let digits = n.to_string();
    let (_, thousands) = seps(english);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(thousands);
        }
        out.push(c);
    }
    out
}

/// A decimal number with `places` decimals: `0,42` (da). Negative numbers use a true minus
/// sign, so a screen reader and a typesetter both read it as one.
pub fn decimal(x: f64, places: usize, english: bool) -> String {
    let (dec, _) = seps(english);
    let s = format!("{:.*}", places, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let whole = int
        .parse::<u64>()
        .map(|n| integer(n, english))
        .unwrap_or_else(|_| int.to_owned());
    let mut out = String::new();
    // "-0,0" reads as a change where there is none.
    if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('\u{2212}');
    }
    out.push_str(&whole);
    if !frac.is_empty() {
        out.push(dec);
        out.push_str(frac);
    }
    out
}

/// A share 0–1 as a percentage with one decimal: `75,0 %` (da; with a no-break space) or
/// `75.0%` (en).
pub fn percent(share: f64, english: bool) -> String {
    let v = decimal(share * 100.0, 1, english);
    if english {
        format!("{v}%")
    } else {
        format!("{v}\u{a0}%")
    }
}

/// A change in percentage points with its sign: `+12,5 pct.-point` is left to the caller's
/// wording; this gives `+12,5` / `−3,0`.
pub fn signed_points(diff: f64, english: bool) -> String {
    let v = decimal(diff * 100.0, 1, english);
    if diff > 0.0 && v.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{v}")
    } else {
        v
    }
}

/// A p-value as people read it: `< 0,001` below a thousandth, else three decimals.
pub fn p_value(p: f64, english: bool) -> String {
    if p < 0.001 {
        format!("< {}", decimal(0.001, 3, english))
    } else {
        decimal(p, 3, english)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_and_english() {
        assert_eq!(integer(1234567, false), "1.234.567");
        assert_eq!(integer(999, false), "999");
        assert_eq!(integer(1000, true), "1,000");
        assert_eq!(decimal(0.4249, 2, false), "0,42");
        assert_eq!(decimal(1234.5, 1, false), "1.234,5");
        assert_eq!(decimal(-0.25, 2, false), "\u{2212}0,25");
        assert_eq!(decimal(-0.0001, 2, false), "0,00");
        assert_eq!(percent(0.75, false), "75,0\u{a0}%");
        assert_eq!(percent(2.0 / 3.0, true), "66.7%");
        assert_eq!(signed_points(0.125, false), "+12,5");
        assert_eq!(signed_points(-0.03, false), "\u{2212}3,0");
        assert_eq!(signed_points(0.0, false), "0,0");
        assert_eq!(p_value(0.0004, false), "< 0,001");
        assert_eq!(p_value(0.0432, false), "0,043");
    }
}
