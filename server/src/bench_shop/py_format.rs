//! The few Python formatting rules the shop's text depends on. Rust's fixed
//! precision (`{:.2}`) rounds the exact binary value half to even, as
//! Python's `round` and `format` do, so both are built on it.

/// `round(x, digits)`.
pub fn round(x: f64, digits: usize) -> f64 {
    format!("{x:.digits$}")
        .parse()
        .expect("a formatted float parses")
}

/// `repr(x)` for the magnitudes the shop holds (prices and ratings): the
/// shortest digits that read back as `x`, with `.0` on whole numbers. Rust's
/// `{:?}` writes exactly that between 1e-4 and 1e16; outside, the two switch
/// to exponents differently.
pub fn repr(x: f64) -> String {
    assert!(
        x == 0.0 || (1e-4..1e16).contains(&x.abs()),
        "{x} is outside the range where repr is {{:?}}"
    );
    format!("{x:?}")
}

/// `f"{x:,.2f}"` for a price (never negative): two decimals, thousands
/// separated by commas.
pub fn grouped_2f(x: f64) -> String {
    let fixed = format!("{x:.2}");
    let (whole, cents) = fixed.split_once('.').expect("two decimals");
    let mut out = String::with_capacity(fixed.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out.push('.');
    out.push_str(cents);
    out
}

/// `html.escape(s)` (quotes included).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected strings are what CPython 3.11 prints.

    #[test]
    fn round_is_half_even_on_the_exact_value() {
        assert_eq!(round(0.125, 2), 0.12);
        assert_eq!(round(0.375, 2), 0.38);
        assert_eq!(round(2.675, 2), 2.67);
        assert_eq!(round(4.25, 1), 4.2);
        assert_eq!(round(3.7499999, 1), 3.7);
    }

    #[test]
    fn repr_keeps_the_point() {
        assert_eq!(repr(4.0), "4.0");
        assert_eq!(repr(12.99), "12.99");
        assert_eq!(repr(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(repr(1234.5), "1234.5");
    }

    #[test]
    fn grouping() {
        assert_eq!(grouped_2f(4.99), "4.99");
        assert_eq!(grouped_2f(999.999), "1,000.00");
        assert_eq!(grouped_2f(6249.99), "6,249.99");
        assert_eq!(grouped_2f(1234567.5), "1,234,567.50");
    }

    #[test]
    fn escapes_like_html_escape() {
        assert_eq!(
            escape(r#"Chef's 12" Salt & Pepper <Mill> Café"#),
            "Chef&#x27;s 12&quot; Salt &amp; Pepper &lt;Mill&gt; Café"
        );
    }
}
