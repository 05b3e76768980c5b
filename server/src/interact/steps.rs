//! An interact flow's steps, typed: read once when the flow is saved (a
//! wrong setting is a 422 naming `steps[i].field`) and again when a run
//! starts. Only declarative steps: nothing a user writes is ever run as
//! JavaScript.

use crate::engine::plan::{ExtractRule, PlanError, default_rule, extract_rule, settings};
use scraper_common::{OutputSchema, Step, StepType};
use serde::Deserialize;
use std::time::Duration;

/// How long an element step waits for its selector by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_TIMEOUT_MS: u64 = 300_000;
const MAX_WAIT_MS: u64 = 300_000;
const MAX_TEXT: usize = 10_000;
const MAX_SCROLLS: u32 = 1_000;
const MAX_PAGES: u32 = 1_000;

/// What a step does.
#[derive(Debug)]
pub enum Action {
    /// Loads `url` (the flow's when none).
    Navigate {
        url: Option<String>,
    },
    /// Clicks the first match (every match with `all`); a missing element
    /// fails the step unless `optional`.
    Click {
        selector: String,
        all: bool,
        optional: bool,
        timeout: Duration,
    },
    /// Types into the element, then presses Enter with `submit`.
    Type {
        selector: String,
        text: String,
        submit: bool,
        timeout: Duration,
    },
    /// Presses a key (`Enter`, `Tab`, `ArrowDown`, `a`...) where the focus is.
    Press {
        key: String,
    },
    /// Chooses an option of a `<select>` by its value.
    Select {
        selector: String,
        value: String,
        timeout: Duration,
    },
    /// Moves the mouse over the element.
    Hover {
        selector: String,
        timeout: Duration,
    },
    Wait(WaitFor),
    Scroll(Scroll),
    /// A PNG of the viewport (the whole page with `full_page`, its height capped).
    Screenshot {
        full_page: bool,
    },
    /// Extracts each page, then clicks `next_selector` for the next, up to
    /// `max_pages` pages; the extract steps after it say what to take.
    Paginate {
        next_selector: String,
        max_pages: u32,
        timeout: Duration,
    },
    /// Extracts records from the rendered page.
    Extract(ExtractRule),
}

#[derive(Debug, Clone)]
pub enum WaitFor {
    Selector {
        selector: String,
        timeout: Duration,
    },
    Time(Duration),
    /// No request in flight for half a second.
    NetworkIdle {
        timeout: Duration,
    },
}

#[derive(Debug, Clone)]
pub struct Scroll {
    /// Scrolls: a fixed number, or up to `max` while the page grows.
    pub times: Option<u32>,
    pub max: u32,
    /// Stops once a scroll no longer makes the page longer (infinite
    /// scroll that has run out).
    pub until_stable: bool,
}

#[derive(Debug)]
pub struct InteractStep {
    pub index: usize,
    pub kind: StepType,
    pub label: Option<String>,
    pub action: Action,
}

impl InteractStep {
    /// `steps[2] (click "Load more")`, for logs and errors.
    pub fn name(&self) -> String {
        match &self.label {
            Some(label) => format!("steps[{}] ({} \"{label}\")", self.index, self.kind),
            None => format!("steps[{}] ({})", self.index, self.kind),
        }
    }
}

/// What a run of an interact flow does, in order.
#[derive(Debug)]
pub struct Script {
    /// The flow's own steps; a `navigate` first when the flow has none.
    pub steps: Vec<InteractStep>,
    /// Extracts the page at the end when no step extracts.
    pub final_extract: Option<ExtractRule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NavigateSettings {
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClickSettings {
    selector: String,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    optional: bool,
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TypeSettings {
    selector: String,
    text: String,
    #[serde(default)]
    submit: bool,
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PressSettings {
    key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SelectSettings {
    selector: String,
    value: String,
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HoverSettings {
    selector: String,
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WaitSettings {
    selector: Option<String>,
    ms: Option<u64>,
    #[serde(default)]
    network_idle: bool,
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScrollSettings {
    #[serde(default)]
    to_bottom: bool,
    times: Option<u32>,
    max_scrolls: Option<u32>,
    #[serde(default)]
    until_stable: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScreenshotSettings {
    #[serde(default)]
    full_page: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaginateSettings {
    next_selector: String,
    max_pages: Option<u32>,
    timeout_ms: Option<u64>,
}

/// Reads an interact flow's steps, or says which setting is wrong.
pub fn script(steps: &[Step], schema: Option<&OutputSchema>) -> Result<Script, PlanError> {
    let mut out = Vec::new();
    let mut extracts = false;
    let mut paginating = false;
    for (i, step) in steps.iter().enumerate() {
        let action = match step.kind {
            StepType::Navigate => {
                let s: NavigateSettings = settings(i, step)?;
                Action::Navigate { url: s.url }
            }
            StepType::Click => {
                let s: ClickSettings = settings(i, step)?;
                Action::Click {
                    selector: css(i, "selector", s.selector)?,
                    all: s.all,
                    optional: s.optional,
                    timeout: timeout(i, s.timeout_ms)?,
                }
            }
            StepType::Type => {
                let s: TypeSettings = settings(i, step)?;
                if s.text.chars().count() > MAX_TEXT {
                    return Err(format!("steps[{i}].text: at most {MAX_TEXT} characters").into());
                }
                Action::Type {
                    selector: css(i, "selector", s.selector)?,
                    text: s.text,
                    submit: s.submit,
                    timeout: timeout(i, s.timeout_ms)?,
                }
            }
            StepType::Press => {
                let s: PressSettings = settings(i, step)?;
                Action::Press {
                    key: key(i, s.key)?,
                }
            }
            StepType::Select => {
                let s: SelectSettings = settings(i, step)?;
                Action::Select {
                    selector: css(i, "selector", s.selector)?,
                    value: s.value,
                    timeout: timeout(i, s.timeout_ms)?,
                }
            }
            StepType::Hover => {
                let s: HoverSettings = settings(i, step)?;
                Action::Hover {
                    selector: css(i, "selector", s.selector)?,
                    timeout: timeout(i, s.timeout_ms)?,
                }
            }
            StepType::Wait => Action::Wait(wait(i, settings(i, step)?)?),
            StepType::Scroll => Action::Scroll(scroll(i, settings(i, step)?)?),
            StepType::Screenshot => {
                let s: ScreenshotSettings = settings(i, step)?;
                Action::Screenshot {
                    full_page: s.full_page,
                }
            }
            StepType::Paginate => {
                let s: PaginateSettings = settings(i, step)?;
                if paginating {
                    return Err(format!("steps[{i}]: a flow paginates once").into());
                }
                paginating = true;
                let max_pages = s.max_pages.unwrap_or(10);
                if !(1..=MAX_PAGES).contains(&max_pages) {
                    return Err(format!(
                        "steps[{i}].maxPages: from 1 to {MAX_PAGES}, got {max_pages}"
                    )
                    .into());
                }
                Action::Paginate {
                    next_selector: css(i, "nextSelector", s.next_selector)?,
                    max_pages,
                    timeout: timeout(i, s.timeout_ms)?,
                }
            }
            StepType::Extract => {
                extracts = true;
                Action::Extract(extract_rule(i, step, schema)?)
            }
            StepType::Crawl => {
                return Err(format!(
                    "steps[{i}]: interact flows do not crawl; an extract flow's crawl step \
                     with `render: true` loads each page in the browser"
                )
                .into());
            }
        };
        out.push(InteractStep {
            index: i,
            kind: step.kind,
            label: step.label.clone(),
            action,
        });
    }
    let final_extract = match extracts {
        true => None,
        false => Some(default_rule(schema)?),
    };
    Ok(Script {
        steps: out,
        final_extract,
    })
}

fn css(i: usize, field: &str, selector: String) -> Result<String, String> {
    match scraper::Selector::parse(&selector) {
        Ok(_) if !selector.trim().is_empty() => Ok(selector),
        _ => Err(format!(
            "steps[{i}].{field}: `{selector}` is not a valid CSS selector"
        )),
    }
}

fn timeout(i: usize, ms: Option<u64>) -> Result<Duration, String> {
    match ms {
        None => Ok(DEFAULT_TIMEOUT),
        Some(ms) if (1..=MAX_TIMEOUT_MS).contains(&ms) => Ok(Duration::from_millis(ms)),
        Some(ms) => Err(format!(
            "steps[{i}].timeoutMs: from 1 to {MAX_TIMEOUT_MS}, got {ms}"
        )),
    }
}

fn key(i: usize, key: String) -> Result<String, String> {
    let known = chromiumoxide::keys::USKEYBOARD_LAYOUT
        .iter()
        .any(|k| k.key == key);
    if known {
        Ok(key)
    } else {
        Err(format!(
            "steps[{i}].key: `{key}` is not a key name (Enter, Tab, Escape, ArrowDown, \
             PageDown, a, 1...)"
        ))
    }
}

fn wait(i: usize, s: WaitSettings) -> Result<WaitFor, String> {
    let given = usize::from(s.selector.is_some())
        + usize::from(s.ms.is_some())
        + usize::from(s.network_idle);
    if given != 1 {
        return Err(format!(
            "steps[{i}]: a wait step waits for one thing: `selector`, `ms` or `networkIdle: true`"
        ));
    }
    let limit = timeout(i, s.timeout_ms)?;
    if let Some(selector) = s.selector {
        return Ok(WaitFor::Selector {
            selector: css(i, "selector", selector)?,
            timeout: limit,
        });
    }
    if let Some(ms) = s.ms {
        if ms > MAX_WAIT_MS {
            return Err(format!("steps[{i}].ms: at most {MAX_WAIT_MS}"));
        }
        return Ok(WaitFor::Time(Duration::from_millis(ms)));
    }
    Ok(WaitFor::NetworkIdle { timeout: limit })
}

fn scroll(i: usize, s: ScrollSettings) -> Result<Scroll, String> {
    let max = s.max_scrolls.unwrap_or(50);
    if !(1..=MAX_SCROLLS).contains(&max) {
        return Err(format!(
            "steps[{i}].maxScrolls: from 1 to {MAX_SCROLLS}, got {max}"
        ));
    }
    if let Some(times) = s.times
        && !(1..=max).contains(&times)
    {
        return Err(format!(
            "steps[{i}].times: from 1 to maxScrolls ({max}), got {times}"
        ));
    }
    // `toBottom` is what a scroll step does; it is accepted for clarity.
    let _ = s.to_bottom;
    Ok(Scroll {
        times: s.times,
        max,
        until_stable: s.until_stable || s.times.is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn steps(value: serde_json::Value) -> Vec<Step> {
        serde_json::from_value(value).unwrap()
    }

    fn error(value: serde_json::Value) -> String {
        match script(&steps(value), None) {
            Err(PlanError::Invalid(message)) => message,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn a_whole_script_reads() {
        let script = script(
            &steps(json!([
                {"type": "navigate", "url": "https://example.com/"},
                {"type": "type", "selector": "#q", "text": "lamp", "submit": true},
                {"type": "wait", "selector": ".result", "timeoutMs": 5000},
                {"type": "click", "selector": ".more", "optional": true},
                {"type": "scroll", "untilStable": true, "maxScrolls": 20},
                {"type": "press", "key": "Escape"},
                {"type": "hover", "selector": "nav"},
                {"type": "select", "selector": "#sort", "value": "price"},
                {"type": "screenshot", "fullPage": true},
                {"type": "paginate", "nextSelector": "a.next", "maxPages": 3},
                {"type": "extract", "selector": ".card", "fields": {"name": ".name"}},
            ])),
            None,
        )
        .unwrap();
        assert_eq!(script.steps.len(), 11);
        assert!(script.final_extract.is_none(), "it extracts itself");
        assert!(matches!(
            script.steps[2].action,
            Action::Wait(WaitFor::Selector { timeout, .. }) if timeout == Duration::from_secs(5)
        ));
        assert!(matches!(
            script.steps[3].action,
            Action::Click { optional: true, timeout, .. } if timeout == DEFAULT_TIMEOUT
        ));
        let none =
            super::script(&steps(json!([{"type": "click", "selector": "b"}])), None).unwrap();
        assert!(
            none.final_extract.is_some(),
            "no extract step: the page at the end"
        );
    }

    #[test]
    fn wrong_settings_are_named() {
        let cases = [
            (json!([{"type": "click"}]), "steps[0]"),
            (
                json!([{"type": "click", "selector": "a["}]),
                "steps[0].selector",
            ),
            (
                json!([{"type": "click", "selector": "a", "colour": 1}]),
                "colour",
            ),
            (json!([{"type": "press", "key": "Enterr"}]), "steps[0].key"),
            (json!([{"type": "wait"}]), "one thing"),
            (
                json!([{"type": "wait", "ms": 5, "selector": "a"}]),
                "one thing",
            ),
            (json!([{"type": "wait", "ms": 999999}]), "steps[0].ms"),
            (
                json!([{"type": "wait", "selector": "a", "timeoutMs": 0}]),
                "steps[0].timeoutMs",
            ),
            (json!([{"type": "scroll", "times": 80}]), "steps[0].times"),
            (
                json!([{"type": "paginate", "nextSelector": "a", "maxPages": 0}]),
                "steps[0].maxPages",
            ),
            (json!([{"type": "crawl"}]), "render: true"),
        ];
        for (value, words) in cases {
            let message = error(value.clone());
            assert!(message.contains(words), "{value}: `{message}`");
        }
    }
}
