//! Checks beyond the types: what serde cannot say about a flow or a key.
//! The API answers an `Invalid` with 422 (`validation_failed`); the CLI
//! prints it.

use crate::monitor::schedule::Schedule;
use scraper_common::{Condition, FlowInput, FlowMode, FlowStatus, NewKey, Scope};
use std::time::Duration;

/// Well-formed input that is wrong; the message names the field and what is
/// wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Invalid {
        Invalid(message.into())
    }
}

/// Users set active, paused or draft; `error` belongs to the server.
pub const STATUS_IS_SERVERS: &str =
    "status: `error` is set by the server when a run fails; use active, paused or draft";

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 5_000;
const MAX_STEPS: usize = 100;
const MAX_FIELDS: usize = 100;

pub fn flow(input: &FlowInput) -> Result<(), Invalid> {
    name("name", &input.name)?;
    if let Some(description) = &input.description
        && description.chars().count() > MAX_DESCRIPTION
    {
        return Err(Invalid::new(format!(
            "description: at most {MAX_DESCRIPTION} characters"
        )));
    }
    http_url("url", &input.url)?;
    if input.status == Some(FlowStatus::Error) {
        return Err(Invalid::new(STATUS_IS_SERVERS));
    }
    if input.steps.len() > MAX_STEPS {
        return Err(Invalid::new(format!("steps: at most {MAX_STEPS} steps")));
    }
    for (i, step) in input.steps.iter().enumerate() {
        if let Some(label) = &step.label
            && label.chars().count() > MAX_NAME
        {
            return Err(Invalid::new(format!(
                "steps[{i}].label: at most {MAX_NAME} characters"
            )));
        }
        if let Some(url) = step.settings.get("url") {
            match url.as_str() {
                Some(url) => http_url(&format!("steps[{i}].url"), url)?,
                None => {
                    return Err(Invalid::new(format!(
                        "steps[{i}].url: expected a string URL"
                    )));
                }
            }
        }
    }
    // What the steps mean is checked now, not when a run fails on it.
    if input.mode == FlowMode::Interact {
        crate::interact::steps::script(&input.steps, input.output_schema.as_ref())
            .map_err(|e| Invalid::new(e.to_string()))?;
    } else {
        crate::engine::plan::plan(
            &input.url,
            input.mode,
            &input.steps,
            input.output_schema.as_ref(),
            input.monitor.as_ref(),
        )
        .map_err(|e| Invalid::new(e.to_string()))?;
    }
    monitor(input)?;
    if let Some(url) = &input.webhook_url {
        http_url("webhookUrl", url)?;
    }
    if let Some(schema) = &input.output_schema {
        if schema.len() > MAX_FIELDS {
            return Err(Invalid::new(format!(
                "outputSchema: at most {MAX_FIELDS} fields"
            )));
        }
        for field in schema.keys() {
            if field.trim().is_empty() || field.chars().count() > MAX_NAME {
                return Err(Invalid::new(format!(
                    "outputSchema: field names must be 1 to {MAX_NAME} characters, got `{field}`"
                )));
            }
        }
    }
    Ok(())
}

const MAX_IGNORE: usize = 50;
/// Patterns are compiled per run; a monster pattern would cost every run.
const MAX_PATTERN: usize = 1000;
const MAX_KEEP_RUNS: u32 = 100_000;

/// `monitor`: only on monitor flows; patterns that compile; fields that the
/// schema has, when there is one.
fn monitor(input: &FlowInput) -> Result<(), Invalid> {
    let Some(monitor) = &input.monitor else {
        return Ok(());
    };
    if input.mode != FlowMode::Monitor {
        return Err(Invalid::new(format!(
            "monitor: compares runs of monitor flows; this flow's mode is {} \
             (set mode to monitor, or remove monitor)",
            input.mode
        )));
    }
    if monitor.ignore.len() > MAX_IGNORE {
        return Err(Invalid::new(format!(
            "monitor.ignore: at most {MAX_IGNORE} patterns"
        )));
    }
    for (i, pattern) in monitor.ignore.iter().enumerate() {
        if pattern.len() > MAX_PATTERN {
            return Err(Invalid::new(format!(
                "monitor.ignore[{i}]: at most {MAX_PATTERN} characters"
            )));
        }
        if let Err(e) = regex::Regex::new(pattern) {
            return Err(Invalid::new(format!(
                "monitor.ignore[{i}]: `{pattern}` is not a valid regular expression: {e}"
            )));
        }
    }
    if let Some(keep) = monitor.keep_runs
        && !(1..=MAX_KEEP_RUNS).contains(&keep)
    {
        return Err(Invalid::new(format!(
            "monitor.keepRuns: from 1 to {MAX_KEEP_RUNS}, got {keep}"
        )));
    }
    let Some(schema) = &input.output_schema else {
        return Ok(());
    };
    let known = |what: &str, field: &str| {
        if schema.contains_key(field) {
            return Ok(());
        }
        let fields: Vec<&str> = schema.keys().map(String::as_str).collect();
        Err(Invalid::new(format!(
            "{what}: `{field}` is not a field of outputSchema ({})",
            fields.join(", ")
        )))
    };
    for field in monitor.key.iter().flat_map(|k| k.0.iter()) {
        known("monitor.key", field)?;
    }
    for condition in monitor.notify_on.iter().flat_map(|n| n.0.iter()) {
        match condition {
            Condition::Fields(fields) => {
                for field in fields {
                    known("monitor.notifyOn", field)?;
                }
            }
            Condition::Compare { field, .. } | Condition::DropPercent { field, .. } => {
                known("monitor.notifyOn", field)?
            }
            Condition::Any | Condition::Added | Condition::Removed | Condition::TextContains(_) => {
            }
        }
    }
    Ok(())
}

/// A flow's schedule and time zone, and that the schedule fires no more
/// often than `min` (`--min-schedule-interval`).
pub fn schedule(input: &FlowInput, min: Duration) -> Result<(), Invalid> {
    if let Some(tz) = &input.timezone
        && tz.trim().parse::<chrono_tz::Tz>().is_err()
    {
        return Err(Invalid::new(format!(
            "timezone: `{tz}` is not an IANA time zone name (such as Europe/Paris or UTC)"
        )));
    }
    let Some(text) = &input.schedule else {
        return Ok(());
    };
    let schedule = Schedule::parse(text, input.timezone.as_deref())
        .map_err(|e| Invalid::new(format!("schedule: {e}")))?;
    let gap = schedule.shortest_gap(chrono::Utc::now());
    if gap < min {
        return Err(Invalid::new(format!(
            "schedule: `{text}` fires every {} at times; this server allows no less than {} \
             (--min-schedule-interval)",
            humanize(gap),
            humanize(min)
        )));
    }
    Ok(())
}

fn humanize(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0 => format!("{}ms", d.as_millis()),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

pub fn key(input: &NewKey) -> Result<(), Invalid> {
    name("name", &input.name)?;
    if input.scopes.is_empty() {
        return Err(Invalid::new(format!(
            "scopes: name at least one scope ({})",
            scope_names()
        )));
    }
    Ok(())
}

/// Scopes as written by people (`flows:read`, ...), each once, in the order
/// given.
pub fn scopes<S: AsRef<str>>(names: &[S]) -> Result<Vec<Scope>, Invalid> {
    let mut parsed = Vec::new();
    for name in names {
        let scope: Scope = name.as_ref().trim().parse().map_err(Invalid)?;
        if !parsed.contains(&scope) {
            parsed.push(scope);
        }
    }
    Ok(parsed)
}

fn scope_names() -> String {
    let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
    names.join(", ")
}

fn name(field: &str, value: &str) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        return Err(Invalid::new(format!("{field}: must not be empty")));
    }
    if value.chars().count() > MAX_NAME {
        return Err(Invalid::new(format!(
            "{field}: at most {MAX_NAME} characters"
        )));
    }
    Ok(())
}

/// Targets are absolute http(s) URLs with a host. Whether the host may be
/// fetched (private networks) is decided when it is fetched, not here.
pub fn http_url(field: &str, value: &str) -> Result<(), Invalid> {
    let problem = match url::Url::parse(value) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            format!("the scheme is `{}`", url.scheme())
        }
        Ok(url) if url.host_str().is_none_or(str::is_empty) => "it has no host".to_string(),
        Ok(_) => return Ok(()),
        Err(e) => e.to_string(),
    };
    Err(Invalid::new(format!(
        "{field}: must be an absolute http(s) URL such as https://example.com/products; \
         `{value}` is not ({problem})"
    )))
}
