//! Compact text for times, durations, money and counts, so that 80
//! columns hold a useful row.

use chrono::{DateTime, Utc};
use scraper_common::Flow;

/// `12s ago`, `5m ago`, `3h ago`, `2d ago`; `—` for none.
pub fn ago(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(at) = at else {
        return "—".into();
    };
    let secs = (now - at).num_seconds();
    if secs < 0 {
        return "just now".into();
    }
    match secs {
        0..=59 => format!("{secs}s ago"),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

/// `in 12s`, `in 5m`, `in 3h`, `in 2d`; `due` once passed; `—` for none.
pub fn until(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(at) = at else {
        return "—".into();
    };
    let secs = (at - now).num_seconds();
    match secs {
        ..=0 => "due".into(),
        1..=59 => format!("in {secs}s"),
        60..=3599 => format!("in {}m", secs / 60),
        3600..=86_399 => format!("in {}h", secs / 3600),
        _ => format!("in {}d", secs / 86_400),
    }
}

/// `850ms`, `12.4s`, `3m04s`, `2h05m`.
pub fn duration_ms(ms: u64) -> String {
    match ms {
        0..=999 => format!("{ms}ms"),
        1000..=59_999 => format!("{:.1}s", ms as f64 / 1000.0),
        60_000..=3_599_999 => format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60),
        _ => format!("{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60),
    }
}

pub fn cost(usd: f64) -> String {
    if usd == 0.0 {
        "$0".into()
    } else if usd < 0.01 {
        format!("${usd:.4}")
    } else {
        format!("${usd:.2}")
    }
}

/// A flow's success rate, or a dash while it has never run (the API says
/// `0` then).
pub fn success_rate(flow: &Flow) -> String {
    if flow.total_runs == 0 {
        "—".into()
    } else {
        format!("{:.1}%", flow.success_rate)
    }
}

pub fn bytes(n: u64) -> String {
    match n {
        0..=1023 => format!("{n} B"),
        1024..=1_048_575 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

pub fn clock(at: DateTime<Utc>) -> String {
    at.format("%H:%M:%S").to_string()
}

pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Cuts to `width` characters, marking the cut with `…`.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// A bar of `width` cells filled to `ratio` (0..=1).
pub fn bar(ratio: f64, width: usize) -> String {
    let filled = ((ratio.clamp(0.0, 1.0)) * width as f64).round() as usize;
    format!("{}{}", "▰".repeat(filled), "▱".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_stay_short() {
        assert_eq!(duration_ms(850), "850ms");
        assert_eq!(duration_ms(12_400), "12.4s");
        assert_eq!(duration_ms(184_000), "3m04s");
        assert_eq!(duration_ms(7_500_000), "2h05m");
    }

    #[test]
    fn fit_marks_the_cut() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }

    #[test]
    fn bar_fills_proportionally() {
        assert_eq!(bar(0.5, 4), "▰▰▱▱");
        assert_eq!(bar(2.0, 2), "▰▰");
    }
}
