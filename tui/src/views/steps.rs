//! A browser run's steps as its log tells them: each step writes
//! `steps[0] (click "Show"): clicked `#show` (105 ms)` (the implicit first
//! load `Start: navigate to the flow's URL: loaded … (137 ms)`), and a step
//! that fails `Step failed: steps[1] (click "Load more"): …`. Read back for
//! the timings of a run's describe and the colours of the logs view; and an
//! interact flow's steps in words, for its describe.

use super::theme::Theme;
use ratatui::text::Span;
use scraper_common::{Step, StepType};
use serde_json::Value;

/// What a failed step's warning starts with.
pub const FAILED: &str = "Step failed: ";

/// One step's line: `<name>: <what> (<ms> ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing<'a> {
    pub name: &'a str,
    pub what: &'a str,
    pub ms: u64,
}

/// A step's timing line read, or `None` for any other line.
pub fn timing(message: &str) -> Option<Timing<'_>> {
    if !(message.starts_with("steps[") || message.starts_with("Start: ")) {
        return None;
    }
    let body = message.strip_suffix(" ms)")?;
    let open = body.rfind(" (")?;
    let ms = body[open + 2..].parse().ok()?;
    let (name, what) = split_name(&body[..open])?;
    Some(Timing { name, what, ms })
}

/// `steps[1] (click "Load more"): selector … not found` into the step's
/// name and what it says, as the server writes them in logs and errors:
/// `steps[i] (type "label")`, `Start: navigate to the flow's URL`, or
/// `the start (navigate to the flow's URL)` in a failed run's error.
pub fn split_name(text: &str) -> Option<(&str, &str)> {
    let end = if let Some(rest) = text.strip_prefix("Start: ") {
        "Start: ".len() + rest.find(": ")?
    } else if text.starts_with("steps[") {
        let bracket = text.find(']')? + 1;
        bracket + step_suffix(&text[bracket..])?
    } else if text.starts_with("the start (") {
        text.find("): ")? + 1
    } else {
        return None;
    };
    text[end..]
        .starts_with(": ")
        .then(|| (&text[..end], &text[end + 2..]))
}

/// The length of ` (type)` or ` (type "label")` after `steps[i]` (none is
/// fine too). A label may hold `)` or `: `, but hardly `"): `.
fn step_suffix(after: &str) -> Option<usize> {
    let Some(kind) = after.strip_prefix(" (") else {
        return Some(0);
    };
    let word = kind.find(|c: char| !c.is_ascii_alphabetic())?;
    let rest = &kind[word..];
    let len = if rest.starts_with(')') {
        word + 1
    } else if rest.starts_with(" \"") {
        rest.find("\"): ")? + word + 2
    } else {
        return None;
    };
    Some(2 + len)
}

/// A step's name as the describe lists it: the implicit first load is
/// `start (navigate)`, like `steps[0] (click "Show")`.
pub fn display_name(name: &str) -> &str {
    if name.starts_with("Start:") || name.starts_with("the start") {
        "start (navigate)"
    } else {
        name
    }
}

/// A log message in spans: a step line with its name in the step colour
/// and its time dimmed, a failed step in red, any other line as it is.
pub fn message_spans(message: &str, theme: &Theme) -> Vec<Span<'static>> {
    if message.starts_with(FAILED) {
        return vec![Span::styled(message.to_string(), theme.bad())];
    }
    let Some(t) = timing(message) else {
        return vec![Span::raw(message.to_string())];
    };
    // `name`, `: what`, ` (N ms)`: the message is exactly these.
    let name_end = t.name.len();
    let time_at = name_end + 2 + t.what.len();
    vec![
        Span::styled(message[..name_end].to_string(), theme.step()),
        Span::raw(message[name_end..time_at].to_string()),
        Span::styled(message[time_at..].to_string(), theme.dim()),
    ]
}

/// An interact flow's step in words: what it acts on and how, e.g.
/// ``"lamp" into `#q`, then Enter`` or `` `.more`, timeout 500 ms``.
/// Settings it does not know are added as `name: value`.
pub fn summary(step: &Step) -> String {
    let s = &step.settings;
    let text = |key: &str| s.get(key).and_then(Value::as_str);
    let number = |key: &str| s.get(key).and_then(Value::as_u64);
    let flag = |key: &str| s.get(key).and_then(Value::as_bool).unwrap_or(false);
    let code = |key: &str| text(key).map(|t| format!("`{t}`")).unwrap_or_default();
    let mut parts: Vec<String> = Vec::new();
    let mut push = |part: String| {
        if !part.is_empty() {
            parts.push(part);
        }
    };
    let (known, main): (&[&str], String) = match step.kind {
        StepType::Navigate => (
            &["url"],
            text("url").unwrap_or("the flow's URL").to_string(),
        ),
        StepType::Click => (&["selector"], code("selector")),
        StepType::Type => (
            &["selector", "text"],
            format!(
                "\"{}\" into {}",
                text("text").unwrap_or(""),
                code("selector")
            ),
        ),
        StepType::Press => (&["key"], format!("key {}", text("key").unwrap_or("?"))),
        StepType::Select => (
            &["selector", "value"],
            format!(
                "\"{}\" in {}",
                text("value").unwrap_or(""),
                code("selector")
            ),
        ),
        StepType::Hover => (&["selector"], code("selector")),
        StepType::Wait => (
            &["selector", "ms"],
            wait_text(&code("selector"), number("ms")),
        ),
        StepType::Scroll => (&[], String::new()),
        StepType::Screenshot => (
            &["fullPage"],
            if flag("fullPage") {
                "the whole page"
            } else {
                "the viewport"
            }
            .to_string(),
        ),
        StepType::Paginate => (
            &["nextSelector", "maxPages"],
            format!(
                "next {}, up to {} pages",
                code("nextSelector"),
                number("maxPages").unwrap_or(10)
            ),
        ),
        StepType::Extract => (&["fields"], fields_text(s.get("fields"))),
        StepType::Crawl => (&[], String::new()),
    };
    push(main);
    let flags = [
        ("all", "every match"),
        ("optional", "optional"),
        ("submit", "then Enter"),
        ("networkIdle", "until the network is idle"),
        ("toBottom", "to the bottom"),
        ("untilStable", "until the page stops growing"),
    ];
    for (key, words) in flags {
        if flag(key) {
            push(words.to_string());
        }
    }
    if let Some(n) = number("times") {
        push(format!("{n} time(s)"));
    }
    if let Some(n) = number("maxScrolls") {
        push(format!("at most {n} scrolls"));
    }
    if let Some(ms) = number("timeoutMs") {
        push(format!("timeout {ms} ms"));
    }
    let shown = ["timeoutMs", "times", "maxScrolls"]
        .iter()
        .chain(known)
        .chain(flags.iter().map(|(key, _)| key))
        .copied()
        .collect::<Vec<_>>();
    for (key, value) in s.iter().filter(|(k, _)| !shown.contains(&k.as_str())) {
        push(format!("{key}: {value}"));
    }
    parts.join(", ")
}

/// An extract step's fields by name (their selectors are in the flow).
fn fields_text(fields: Option<&Value>) -> String {
    match fields {
        Some(Value::Object(fields)) => {
            let names: Vec<&str> = fields.keys().map(String::as_str).collect();
            format!("fields {}", names.join(", "))
        }
        Some(other) => format!("fields: {other}"),
        None => "automatic".into(),
    }
}

fn wait_text(selector: &str, ms: Option<u64>) -> String {
    match (selector.is_empty(), ms) {
        (false, _) => format!("until {selector} is there"),
        (true, Some(ms)) => format!("{ms} ms"),
        (true, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_lines_are_read_back() {
        let t = timing("steps[0] (click \"Show\"): clicked `#show` (105 ms)").unwrap();
        assert_eq!(
            (t.name, t.what, t.ms),
            ("steps[0] (click \"Show\")", "clicked `#show`", 105)
        );
        let t =
            timing("Start: navigate to the flow's URL: loaded http://a.test/ (137 ms)").unwrap();
        assert_eq!(t.name, "Start: navigate to the flow's URL");
        assert_eq!(t.what, "loaded http://a.test/");
        assert_eq!(display_name(t.name), "start (navigate)");
        // A label with a bracket and a colon in it.
        let t = timing("steps[2] (type \"Search: (all)\"): typed 4 character(s) (9 ms)").unwrap();
        assert_eq!(t.name, "steps[2] (type \"Search: (all)\")");
        let t = timing("steps[3] (wait): waited 500 ms (501 ms)").unwrap();
        assert_eq!(
            (t.name, t.what, t.ms),
            ("steps[3] (wait)", "waited 500 ms", 501)
        );
        assert_eq!(timing("Progress: 10 pages fetched (5 ms)"), None);
        assert_eq!(timing("steps[1] (click): no time"), None);
    }

    #[test]
    fn a_failed_steps_error_names_it() {
        let error = "steps[1] (click \"Load more\"): selector `.more` not found after 500 ms";
        assert_eq!(
            split_name(error),
            Some((
                "steps[1] (click \"Load more\")",
                "selector `.more` not found after 500 ms"
            ))
        );
        let (name, _) = split_name("the start (navigate to the flow's URL): timed out").unwrap();
        assert_eq!(display_name(name), "start (navigate)");
        assert_eq!(split_name("no complete answer within 30 s"), None);
    }

    #[test]
    fn steps_in_words() {
        let step = |v: serde_json::Value| serde_json::from_value::<Step>(v).unwrap();
        let typed = step(serde_json::json!(
            {"type": "type", "selector": "#q", "text": "lamp", "submit": true, "timeoutMs": 500}
        ));
        assert_eq!(
            summary(&typed),
            "\"lamp\" into `#q`, then Enter, timeout 500 ms"
        );
        let scroll = step(serde_json::json!(
            {"type": "scroll", "untilStable": true, "maxScrolls": 20}
        ));
        assert_eq!(
            summary(&scroll),
            "until the page stops growing, at most 20 scrolls"
        );
        let extract = step(serde_json::json!({"type": "extract", "fields": {"n": ".n"}}));
        assert_eq!(summary(&extract), "fields n");
        let wait = step(serde_json::json!({"type": "wait", "ms": 250}));
        assert_eq!(summary(&wait), "250 ms");
    }
}
