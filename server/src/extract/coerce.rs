//! Turning page text into typed JSON values.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat};
use regex::Regex;
use serde_json::{Number, Value};
use url::Url;

use super::text::normalize;
use super::types::FieldType;

/// The outcome of coercing one raw value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Coerced {
    Value(Value),
    /// Nothing there: null, and not an error.
    Empty,
    /// Something there that is not of the type: null, and counted.
    Invalid,
}

impl Coerced {
    pub(crate) fn is_value(&self) -> bool {
        matches!(self, Coerced::Value(_))
    }
}

/// Coerces text read from the page (visible text or an attribute).
pub(crate) fn coerce_text(raw: &str, ty: FieldType, base: &Url) -> Coerced {
    let s = normalize(raw);
    if s.is_empty() {
        return Coerced::Empty;
    }
    let value = match ty {
        FieldType::String => Some(Value::String(s)),
        FieldType::Number => parse_number(&s)
            .and_then(Number::from_f64)
            .map(Value::Number),
        FieldType::Integer => parse_integer(&s).map(Value::from),
        FieldType::Boolean => parse_bool(&s).map(Value::Bool),
        FieldType::Url => resolve_url(&s, base).map(Value::String),
        FieldType::Datetime => parse_datetime(&s).map(Value::String),
    };
    value.map_or(Coerced::Invalid, Coerced::Value)
}

/// Coerces a value from structured data, where numbers and booleans may
/// already be typed.
pub(crate) fn coerce_json(v: &Value, ty: FieldType, base: &Url) -> Coerced {
    match (v, ty) {
        (Value::Null, _) => Coerced::Empty,
        (Value::Number(n), FieldType::Number) => Coerced::Value(Value::Number(n.clone())),
        (Value::Number(n), FieldType::Integer) => match n.as_i64() {
            Some(i) => Coerced::Value(Value::from(i)),
            None => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    Coerced::Value(Value::from(f as i64))
                }
                _ => Coerced::Invalid,
            },
        },
        (Value::Bool(b), FieldType::Boolean) => Coerced::Value(Value::Bool(*b)),
        (Value::Bool(b), FieldType::String) => Coerced::Value(Value::String(b.to_string())),
        (Value::Number(n), _) => coerce_text(&n.to_string(), ty, base),
        (Value::String(s), _) => coerce_text(s, ty, base),
        _ => Coerced::Invalid,
    }
}

static CURRENCY_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|INR|CNY|BRL|MXN|ZAR|RUB|TRY|kr|zł|Kč|Ft|lei|R\$)")
        .expect("valid regex")
});

pub(crate) fn has_currency(s: &str) -> bool {
    s.chars().any(|c| "$€£¥₹₽₩₺₫₪฿₴₦".contains(c)) || CURRENCY_CODE.is_match(s)
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '’')
}

/// The first number in the text, reading thousands and decimal separators the
/// way the text uses them: "$1,299.99", "1.299,99 €", "1 299,99", "USD 79".
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let chars: Vec<char> = s.chars().collect();
    let start = chars.iter().position(|c| c.is_ascii_digit())?;
    let negative = is_minus_before(&chars, start);

    // Digit groups and the separators between them, as written.
    let mut groups: Vec<String> = vec![String::new()];
    let mut seps: Vec<char> = Vec::new();
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            groups.last_mut()?.push(c);
        } else if matches!(c, '.' | ',') || is_group_space(c) {
            if !chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
                break;
            }
            seps.push(c);
            groups.push(String::new());
        } else {
            break;
        }
        i += 1;
    }

    // A space or apostrophe only groups thousands when exactly three digits
    // follow; otherwise it ends the number ("4 5 stars" is 4).
    if let Some(k) = seps
        .iter()
        .enumerate()
        .position(|(k, &c)| is_group_space(c) && groups[k + 1].len() != 3)
    {
        seps.truncate(k);
        groups.truncate(k + 1);
    }

    let marks: Vec<(usize, char)> = seps
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| matches!(c, '.' | ','))
        .collect();
    let decimal_at = decimal_separator(&marks, &groups, has_currency(s));

    let mut out = String::new();
    if negative {
        out.push('-');
    }
    for (k, g) in groups.iter().enumerate() {
        if k > 0 && Some(k - 1) == decimal_at {
            out.push('.');
        }
        out.push_str(g);
        // A second decimal-looking mark ("1.2.3") ends the number.
        if let Some(d) = decimal_at
            && k > d
            && marks.iter().any(|&(m, _)| m == k)
        {
            break;
        }
    }
    out.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Which separator index (into `seps`) is the decimal point, if any.
fn decimal_separator(marks: &[(usize, char)], groups: &[String], currency: bool) -> Option<usize> {
    let &(last_at, last) = marks.last()?;
    let same_kind = marks.iter().filter(|&&(_, c)| c == last).count();
    let other_kind = marks.len() - same_kind;
    if other_kind > 0 {
        // Both kinds: the last one written is the decimal point.
        return Some(last_at);
    }
    let after = groups[last_at + 1].len();
    let lead = &groups[0];
    let thousands_shape = after == 3 && lead.len() <= 3 && lead != "0";
    if same_kind > 1 {
        // "1,234,567" groups thousands; "1.2.3" is a version: keep "1.2".
        let all_three = marks.iter().all(|&(m, _)| groups[m + 1].len() == 3);
        return if all_three && lead.len() <= 3 {
            None
        } else {
            Some(marks[0].0)
        };
    }
    // One separator. "1,299" is a thousand; so is "1.299 €" but a bare
    // "1.299" is machine-written and a decimal.
    let grouping = thousands_shape && (last == ',' || currency);
    if grouping { None } else { Some(last_at) }
}

fn is_minus_before(chars: &[char], start: usize) -> bool {
    let mut j = start;
    // Allow one currency sign between the sign and the digits: "-$5".
    if j > 0 && "$€£¥".contains(chars[j - 1]) {
        j -= 1;
    }
    if j == 0 || !matches!(chars[j - 1], '-' | '−') {
        return false;
    }
    // "SKU-123" is a code, not a negative number.
    !(j >= 2 && chars[j - 2].is_alphanumeric())
}

pub(crate) fn parse_integer(s: &str) -> Option<i64> {
    let f = parse_number(s)?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    let l = s.to_lowercase();
    let l = l.trim().trim_end_matches(['.', '!']);
    let last_segment = l.rsplit('/').next().unwrap_or(l);
    match last_segment {
        "true"
        | "yes"
        | "y"
        | "1"
        | "on"
        | "instock"
        | "in stock"
        | "available"
        | "onlineonly"
        | "limitedavailability"
        | "instoreonly"
        | "preorder"
        | "presale"
        | "backorder" => {
            return Some(true);
        }
        "false" | "no" | "n" | "0" | "off" | "outofstock" | "out of stock" | "soldout"
        | "sold out" | "unavailable" | "discontinued" | "not available" => return Some(false),
        _ => {}
    }
    const NO: &[&str] = &[
        "out of stock",
        "sold out",
        "unavailable",
        "not available",
        "no longer available",
        "discontinued",
        "outofstock",
    ];
    const YES: &[&str] = &["in stock", "instock", "available", " left", "ships in"];
    if NO.iter().any(|w| l.contains(w)) {
        Some(false)
    } else if YES.iter().any(|w| l.contains(w)) {
        Some(true)
    } else {
        None
    }
}

/// Makes a link absolute; script links and bare "#" are not links.
pub(crate) fn resolve_url(s: &str, base: &Url) -> Option<String> {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    if s.is_empty()
        || s == "#"
        || lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
    {
        return None;
    }
    base.join(s).ok().map(String::from)
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    )
    .expect("valid regex")
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?([a-z]{3,9})\.?,?\s+(\d{4})\b")
        .expect("valid regex")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
        .expect("valid regex")
});
static SLASHED_YMD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b").expect("valid regex"));
static NUMERIC_DMY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})([./])(\d{1,2})[./](\d{4})\b").expect("valid regex"));
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?\b").expect("valid regex")
});

fn month(word: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.to_lowercase();
    NAMES
        .iter()
        .position(|n| {
            *n == w || (w.len() >= 3 && n.starts_with(&w) && (w.len() == 3 || w == "sept"))
        })
        .map(|i| i as u32 + 1)
}

/// An ISO 8601 string: with offset when the input has one, local date-time
/// when it has a time only, a date when it has neither.
pub(crate) fn parse_datetime(s: &str) -> Option<String> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }
    if let Some(c) = ISO.captures(s) {
        let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let date = NaiveDate::from_ymd_opt(num(1)? as i32, num(2)?, num(3)?)?;
        let Some(hour) = num(4) else {
            return Some(date.format("%Y-%m-%d").to_string());
        };
        let nanos = c.get(7).map_or(0, |m| {
            let digits = format!("{:0<9}", m.as_str());
            digits[..9].parse::<u32>().unwrap_or(0)
        });
        let time = NaiveTime::from_hms_nano_opt(hour, num(5)?, num(6).unwrap_or(0), nanos)?;
        let naive = NaiveDateTime::new(date, time);
        return Some(match c.get(8) {
            Some(zone) => {
                let zone = match zone.as_str() {
                    "Z" => "+00:00".to_string(),
                    z if z.len() == 3 => format!("{z}:00"),
                    z if z.len() == 5 => format!("{}:{}", &z[..3], &z[3..]),
                    z => z.to_string(),
                };
                let text = format!("{}{zone}", naive.format("%Y-%m-%dT%H:%M:%S%.f"));
                DateTime::parse_from_rfc3339(&text)
                    .ok()?
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true)
            }
            None => naive.format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
        });
    }
    let date = human_date(s)?;
    // "March 18, 2026 at 10:30 PM" keeps its (zone-less) time.
    match CLOCK.captures(s) {
        Some(c) => {
            let mut hour: u32 = c[1].parse().ok()?;
            let minute: u32 = c[2].parse().ok()?;
            let second: u32 = c.get(3).map_or(Some(0), |m| m.as_str().parse().ok())?;
            match c.get(4).map(|m| m.as_str().to_ascii_lowercase()) {
                Some(ampm) if ampm == "pm" && hour < 12 => hour += 12,
                Some(ampm) if ampm == "am" && hour == 12 => hour = 0,
                _ => {}
            }
            let time = NaiveTime::from_hms_opt(hour, minute, second)?;
            Some(
                NaiveDateTime::new(date, time)
                    .format("%Y-%m-%dT%H:%M:%S")
                    .to_string(),
            )
        }
        None => Some(date.format("%Y-%m-%d").to_string()),
    }
}

fn human_date(s: &str) -> Option<NaiveDate> {
    let ymd =
        |y: &str, m: u32, d: &str| NaiveDate::from_ymd_opt(y.parse().ok()?, m, d.parse().ok()?);
    if let Some(c) = MONTH_DAY_YEAR.captures(s)
        && let Some(m) = month(&c[1])
    {
        return ymd(&c[3], m, &c[2]);
    }
    if let Some(c) = DAY_MONTH_YEAR.captures(s)
        && let Some(m) = month(&c[2])
    {
        return ymd(&c[3], m, &c[1]);
    }
    if let Some(c) = SLASHED_YMD.captures(s) {
        return ymd(&c[1], c[2].parse().ok()?, &c[3]);
    }
    if let Some(c) = NUMERIC_DMY.captures(s) {
        let (a, b): (u32, u32) = (c[1].parse().ok()?, c[3].parse().ok()?);
        // Dots are European day-first; slashes are US month-first unless the
        // first number cannot be a month.
        let (day, mon) = if &c[2] == "." || a > 12 {
            (a, b)
        } else {
            (b, a)
        };
        return NaiveDate::from_ymd_opt(c[4].parse().ok()?, mon, day);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_many_formats() {
        let cases = [
            ("$1,299.99", 1299.99),
            ("1.299,99 €", 1299.99),
            ("USD 79", 79.0),
            ("79", 79.0),
            ("€ 12,50", 12.5),
            ("1 299,99", 1299.99),
            ("1\u{a0}299,99 €", 1299.99),
            ("CHF 1'299.50", 1299.5),
            ("1.299 €", 1299.0),
            ("1,234,567", 1234567.0),
            ("1.234.567,5", 1234567.5),
            ("0,125", 0.125),
            ("4.5 / 5 (120 reviews)", 4.5),
            ("-$5.00", -5.0),
            ("SKU-123", 123.0),
            ("12.", 12.0),
            ("£0.99", 0.99),
        ];
        for (text, want) in cases {
            assert_eq!(parse_number(text), Some(want), "{text}");
        }
        assert_eq!(parse_number("1.299"), Some(1.299));
        assert_eq!(parse_number("Call for price"), None);
    }

    #[test]
    fn integers_refuse_fractions() {
        assert_eq!(parse_integer("1,234"), Some(1234));
        assert_eq!(parse_integer("4 reviews"), Some(4));
        assert_eq!(parse_integer("4.5"), None);
    }

    #[test]
    fn booleans() {
        for t in [
            "true",
            "Yes",
            "In stock",
            "https://schema.org/InStock",
            "Only 3 left",
        ] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for t in [
            "false",
            "no",
            "Out of stock",
            "SOLD OUT",
            "http://schema.org/OutOfStock",
        ] {
            assert_eq!(parse_bool(t), Some(false), "{t}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn urls() {
        let base = Url::parse("https://shop.test/a/b.html").unwrap();
        assert_eq!(
            resolve_url("../c", &base).as_deref(),
            Some("https://shop.test/c")
        );
        assert_eq!(resolve_url("javascript:void(0)", &base), None);
        assert_eq!(resolve_url("  ", &base), None);
    }

    #[test]
    fn datetimes() {
        let cases = [
            ("2026-03-18", "2026-03-18"),
            ("2026-03-18T10:00:00Z", "2026-03-18T10:00:00Z"),
            ("2026-03-18T10:00:00+0100", "2026-03-18T10:00:00+01:00"),
            ("2026-03-18 10:00", "2026-03-18T10:00:00"),
            ("Wed, 18 Mar 2026 10:00:00 +0000", "2026-03-18T10:00:00Z"),
            ("March 18, 2026", "2026-03-18"),
            ("Published Mar 18th, 2026", "2026-03-18"),
            ("18 Mar 2026", "2026-03-18"),
            ("18 September 2026", "2026-09-18"),
            ("18.03.2026", "2026-03-18"),
            ("03/18/2026", "2026-03-18"),
            ("2026/03/18", "2026-03-18"),
            ("March 18, 2026 at 10:30 PM", "2026-03-18T22:30:00"),
        ];
        for (text, want) in cases {
            assert_eq!(parse_datetime(text).as_deref(), Some(want), "{text}");
        }
        assert_eq!(parse_datetime("2026-02-30"), None);
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime("18 Foo 2026"), None);
    }
}
