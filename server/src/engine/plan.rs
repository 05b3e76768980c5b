//! What a flow's steps mean when it runs: parsed once, when the flow is saved
//! (so a wrong setting is a 422 naming it) and again when a run starts.

use crate::crawl::CrawlSettings;
use crate::extract::{self, CompiledSpec, ExtractSpec, FieldSelector};
use indexmap::IndexMap;
use regex::Regex;
use scraper_common::{Flow, FlowMode, MonitorSettings, OutputSchema, Step, StepType};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Where the pages of a run come from.
#[derive(Debug)]
pub enum Source {
    /// One page: the flow's URL or a `navigate` step's own.
    Page { url: String, render: bool },
    /// A page and the pages its "next" link leads to.
    Paginate {
        url: String,
        next_selector: String,
        max_pages: u32,
        render: bool,
    },
    /// Links followed from the start URL.
    Crawl {
        url: String,
        settings: CrawlSettings,
    },
}

/// What to take from the pages.
#[derive(Debug)]
pub struct ExtractRule {
    /// Only pages whose absolute URL this pattern finds something in.
    pub pages: Option<Regex>,
    pub take: Take,
}

#[derive(Debug)]
pub enum Take {
    /// Records, by the extraction engine.
    Records(CompiledSpec),
    /// A text monitor's one record per page: `{"url", "text"}`, the text of
    /// the selector's matches, else of the page's main content.
    Text(Option<scraper::Selector>),
}

impl ExtractRule {
    pub fn applies_to(&self, url: &url::Url) -> bool {
        self.pages.as_ref().is_none_or(|p| p.is_match(url.as_str()))
    }
}

#[derive(Debug)]
pub struct Plan {
    pub source: Source,
    pub extracts: Vec<ExtractRule>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NavigateSettings {
    url: Option<String>,
    /// Load the page in the browser (for pages built by JavaScript).
    #[serde(default)]
    render: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaginateSettings {
    next_selector: String,
    #[serde(default = "default_paginate_pages")]
    max_pages: u32,
    #[serde(default)]
    render: bool,
}

fn default_paginate_pages() -> u32 {
    10
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExtractSettings {
    pages: Option<String>,
    selector: Option<String>,
    fields: Option<IndexMap<String, FieldSelector>>,
    instructions: Option<String>,
}

/// Why a flow cannot run: it asks for something not built yet, or it is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
}

impl From<String> for PlanError {
    fn from(message: String) -> Self {
        PlanError::Invalid(message)
    }
}

/// A step's settings, typed; the error names the step and the setting.
pub(crate) fn settings<T: DeserializeOwned>(i: usize, step: &Step) -> Result<T, String> {
    let value = Value::Object(step.settings.clone());
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            format!("steps[{i}] ({}): {inner}", step.kind)
        } else {
            format!("steps[{i}].{path}: {inner}")
        }
    })
}

/// Builds the plan of a flow, or says which step or setting is wrong.
pub fn plan(
    flow_url: &str,
    mode: FlowMode,
    steps: &[Step],
    schema: Option<&OutputSchema>,
    monitor: Option<&MonitorSettings>,
) -> Result<Plan, PlanError> {
    if mode == FlowMode::Interact {
        // Their steps are a browser script: `interact::steps::script`.
        return Err(PlanError::Invalid(
            "an interact flow's steps run in the browser, not as a fetch plan".to_string(),
        ));
    }
    let mut source: Option<Source> = None;
    let mut extracts = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        match step.kind {
            StepType::Navigate => {
                let s: NavigateSettings = settings(i, step)?;
                if source.is_some() {
                    return Err(format!(
                        "steps[{i}]: navigate comes first, once (before crawl or paginate)"
                    )
                    .into());
                }
                source = Some(Source::Page {
                    url: s.url.unwrap_or_else(|| flow_url.to_string()),
                    render: s.render,
                });
            }
            StepType::Paginate => {
                let s: PaginateSettings = settings(i, step)?;
                let (url, rendered) = match source.take() {
                    None => (flow_url.to_string(), false),
                    Some(Source::Page { url, render }) => (url, render),
                    Some(_) => {
                        return Err(format!(
                            "steps[{i}]: paginate follows a navigate step (or the start URL), not a crawl"
                        ).into());
                    }
                };
                scraper::Selector::parse(&s.next_selector).map_err(|_| {
                    format!(
                        "steps[{i}].nextSelector: `{}` is not a valid CSS selector",
                        s.next_selector
                    )
                })?;
                if s.max_pages == 0 {
                    return Err(format!("steps[{i}].maxPages: must be at least 1").into());
                }
                source = Some(Source::Paginate {
                    url,
                    next_selector: s.next_selector,
                    max_pages: s.max_pages,
                    render: s.render || rendered,
                });
            }
            StepType::Crawl => {
                // A crawl starts where a navigate step went, else at the flow's URL.
                let (url, rendered) = match source.take() {
                    None => (flow_url.to_string(), false),
                    Some(Source::Page { url, render }) => (url, render),
                    Some(_) => {
                        return Err(format!(
                            "steps[{i}]: a flow has one crawl, and not after paginate"
                        )
                        .into());
                    }
                };
                let mut settings = CrawlSettings::from_step(&step.settings)
                    .map_err(|e| format!("steps[{i}].{e}"))?;
                settings.render |= rendered;
                source = Some(Source::Crawl { url, settings });
            }
            StepType::Extract => extracts.push(extract_rule(i, step, schema)?),
            StepType::Click
            | StepType::Type
            | StepType::Press
            | StepType::Select
            | StepType::Hover
            | StepType::Wait
            | StepType::Scroll
            | StepType::Screenshot => {
                return Err(format!(
                    "steps[{i}]: `{}` steps drive a browser: they belong to interact flows \
                     (set mode to interact; `render: true` on navigate, paginate or crawl \
                     loads pages in the browser for extract and monitor flows)",
                    step.kind
                )
                .into());
            }
        }
    }
    let selector = monitor.and_then(|m| m.selector.as_deref());
    let watches_text = watches_text(mode, steps, schema);
    if let Some(css) = selector
        && !watches_text
    {
        return Err(format!(
            "monitor.selector: `{css}` picks the text a monitor without records watches; \
             this flow extracts records (an outputSchema or an extract step), which are \
             compared instead: remove one or the other"
        )
        .into());
    }
    if watches_text {
        // A monitor without a record schema watches each page's text.
        let selector = selector
            .map(|css| {
                scraper::Selector::parse(css)
                    .map_err(|_| format!("monitor.selector: `{css}` is not a valid CSS selector"))
            })
            .transpose()?;
        extracts.push(ExtractRule {
            pages: None,
            take: Take::Text(selector),
        });
    } else if extracts.is_empty() {
        // A flow without an extract step extracts from every page with its schema.
        extracts.push(default_rule(schema)?);
    }
    Ok(Plan {
        source: source.unwrap_or(Source::Page {
            url: flow_url.to_string(),
            render: false,
        }),
        extracts,
    })
}

/// What an `extract` step (steps[i]) takes from a page.
pub(crate) fn extract_rule(
    i: usize,
    step: &Step,
    schema: Option<&OutputSchema>,
) -> Result<ExtractRule, PlanError> {
    let s: ExtractSettings = settings(i, step)?;
    let pages = s
        .pages
        .map(|p| {
            Regex::new(&p).map_err(|e| {
                format!("steps[{i}].pages: `{p}` is not a valid regular expression: {e}")
            })
        })
        .transpose()?;
    let spec = ExtractSpec {
        schema: schema.cloned(),
        instructions: s.instructions,
        selector: s.selector,
        fields: s.fields,
    };
    let spec = extract::compile(&spec).map_err(|e| format!("steps[{i}].{e}"))?;
    Ok(ExtractRule {
        pages,
        take: Take::Records(spec),
    })
}

/// What a flow without an extract step takes from every page: records of
/// its schema.
pub(crate) fn default_rule(schema: Option<&OutputSchema>) -> Result<ExtractRule, PlanError> {
    let spec = ExtractSpec {
        schema: schema.cloned(),
        ..ExtractSpec::default()
    };
    let spec = extract::compile(&spec).map_err(|e| format!("outputSchema: {}", e.message))?;
    Ok(ExtractRule {
        pages: None,
        take: Take::Records(spec),
    })
}

/// Whether a flow is a monitor of text rather than of records: a monitor
/// with neither an output schema nor an extract step.
pub fn watches_text(mode: FlowMode, steps: &[Step], schema: Option<&OutputSchema>) -> bool {
    mode == FlowMode::Monitor
        && schema.is_none()
        && !steps.iter().any(|s| s.kind == StepType::Extract)
}

impl Source {
    /// Whether its pages are loaded in the browser.
    pub fn renders(&self) -> bool {
        match self {
            Source::Page { render, .. } | Source::Paginate { render, .. } => *render,
            Source::Crawl { settings, .. } => settings.render,
        }
    }
}

/// The plan of a stored flow.
pub fn of_flow(flow: &Flow) -> Result<Plan, PlanError> {
    plan(
        &flow.url,
        flow.mode,
        &flow.steps,
        flow.output_schema.as_ref(),
        flow.monitor.as_ref(),
    )
}
