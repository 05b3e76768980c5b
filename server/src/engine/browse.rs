//! An interact run: the flow's steps, one after the other, in a page of
//! the shared browser (a context of the run's own), records extracted from
//! the rendered DOM by the same engine as any page. Each step is logged with
//! what it did and how long it took; one that cannot do what it says fails
//! the run `step_failed`, naming it, with a screenshot of that moment.

use super::execute::{Ctx, Outcome, Tally, conclude, extract_page};
use super::failure::{self, Cause};
use super::log::RunLog;
use super::plan::{ExtractRule, default_rule};
use crate::interact::actions::{self, StepError};
use crate::interact::guard::Guard;
use crate::interact::steps::{Action, InteractStep, Script, WaitFor};
use crate::interact::{BrowserError, Session};
use crate::store;
use scraper_common::{FailureReason, Flow, OutputSchema, StepType};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use url::Url;

/// How long a scroll waits for the page to grow before calling it stable.
const SCROLL_SETTLE: Duration = Duration::from_millis(1_500);
/// How long a page after the first is given to show its "next" control.
const NEXT_APPEARS: Duration = Duration::from_secs(1);

/// One step of the run, with the extract rules a `paginate` applies to
/// each page (the extract steps that follow it).
struct Planned {
    step: InteractStep,
    per_page: Vec<ExtractRule>,
}

pub(super) async fn execute(
    ctx: &Ctx,
    run_id: &str,
    flow: &Flow,
    cancel: &CancellationToken,
) -> store::Result<Outcome> {
    let mut log = RunLog::new(ctx.store.clone(), run_id, 1, ctx.log_cap);
    let script = match crate::interact::steps::script(&flow.steps, flow.output_schema.as_ref()) {
        Ok(script) => script,
        Err(err) => {
            let reason = failure::reason(Cause::Plan(&err));
            return Ok(Outcome::failed(reason, err.to_string()));
        }
    };
    let (planned, final_extract) = plan(script, flow.output_schema.as_ref());
    let pages = planned
        .iter()
        .map(|p| match p.step.action {
            Action::Paginate { max_pages, .. } => u64::from(max_pages),
            _ => 0,
        })
        .sum::<u64>()
        .max(1);
    log.info(format!(
        "Run started: {} step(s) in headless Chromium, from {}",
        planned.len(),
        flow.url
    ))
    .await?;

    let mut waited = false;
    let started = Instant::now();
    let session = ctx.browsers.session(|_| waited = true).await;
    if waited {
        log_slot_wait(&mut log, ctx, started).await?;
    }
    let session = match session {
        Ok(session) => session,
        Err(e) => return Ok(browser_failure(e)),
    };
    let guard = match Guard::attach(&session.page, ctx.policy.clone()).await {
        Ok(guard) => guard,
        Err(e) => {
            return Ok(Outcome::failed(
                FailureReason::Internal,
                format!("the browser page could not be watched: {e}"),
            ));
        }
    };
    let mut tally = Tally::new(ctx, run_id, log, pages);
    let mut browse = Browse {
        tally: &mut tally,
        session: &session,
    };
    let failed = browse.run(flow, planned, final_extract, cancel).await?;

    let refused = guard.refused();
    if refused.count > 0 {
        tally
            .log
            .warn(format!(
                "{} request(s) of the page refused by the URL policy: {}",
                refused.count,
                refused.first.join("; ")
            ))
            .await?;
    }
    drop(guard);
    if !session.crashed() {
        session.close().await;
    }
    conclude(tally, cancel, failed).await
}

/// The line a run that waited for a browser slot logs.
pub(super) async fn log_slot_wait(
    log: &mut RunLog,
    ctx: &Ctx,
    started: Instant,
) -> store::Result<()> {
    log.info(format!(
        "Waited {} ms for a browser slot (--browser-slots {})",
        started.elapsed().as_millis(),
        ctx.browsers.config().slots
    ))
    .await
}

/// A run that could not get its browser.
pub(super) fn browser_failure(e: BrowserError) -> Outcome {
    let reason = match e {
        BrowserError::Missing(_) => FailureReason::Unsupported,
        BrowserError::Crashed | BrowserError::ShuttingDown => FailureReason::WorkerLost,
        _ => FailureReason::Internal,
    };
    Outcome::failed(reason, e.to_string())
}

/// Folds the extract steps that follow a `paginate` into it: it applies
/// them to every page.
fn plan(script: Script, schema: Option<&OutputSchema>) -> (Vec<Planned>, Option<ExtractRule>) {
    let mut planned: Vec<Planned> = Vec::new();
    let mut paginate: Option<usize> = None;
    for step in script.steps {
        match (step.action, paginate) {
            (Action::Extract(rule), Some(at)) => planned[at].per_page.push(rule),
            (action, _) => {
                if matches!(action, Action::Paginate { .. }) {
                    paginate = Some(planned.len());
                }
                planned.push(Planned {
                    step: InteractStep { action, ..step },
                    per_page: Vec::new(),
                });
            }
        }
    }
    let mut final_extract = script.final_extract;
    // A paginate with no extract step after it reads each page by the
    // flow's schema (the rule a flow without extract steps ends with).
    if let Some(at) = paginate
        && planned[at].per_page.is_empty()
    {
        let rule = match final_extract.take() {
            Some(rule) => rule,
            None => default_rule(schema).expect("the schema compiled when the flow was saved"),
        };
        planned[at].per_page.push(rule);
    }
    (planned, final_extract)
}

struct Browse<'t, 'a> {
    tally: &'t mut Tally<'a>,
    session: &'t Session,
}

/// What stopped the steps early.
enum Stop {
    Cancelled,
    Crashed,
    Failed(StepError),
}

impl Browse<'_, '_> {
    /// Runs the steps; `Some` is how the run failed.
    async fn run(
        &mut self,
        flow: &Flow,
        planned: Vec<Planned>,
        final_extract: Option<ExtractRule>,
        cancel: &CancellationToken,
    ) -> store::Result<Option<Outcome>> {
        if !matches!(
            planned.first().map(|p| &p.step.action),
            Some(Action::Navigate { .. })
        ) {
            let start = InteractStep {
                index: 0,
                kind: StepType::Navigate,
                label: Some("the flow's URL".into()),
                action: Action::Navigate { url: None },
            };
            let first = Planned {
                step: start,
                per_page: Vec::new(),
            };
            if let Some(stop) = self.step(flow, &first, true, cancel).await? {
                return self.stopped(&first.step, stop, true).await;
            }
        }
        for planned in &planned {
            if let Some(stop) = self.step(flow, planned, false, cancel).await? {
                return self.stopped(&planned.step, stop, false).await;
            }
        }
        if let Some(rule) = final_extract {
            let started = Instant::now();
            let gone = self.session.gone();
            match guarded(&gone, cancel, self.extract(&[rule])).await {
                Ok(n) => {
                    let line = format!(
                        "Extracted {n} item(s) from the page as it ended ({} ms)",
                        started.elapsed().as_millis()
                    );
                    self.tally.log.info(line).await?;
                }
                Err(Stop::Cancelled) => return Ok(None),
                Err(Stop::Crashed) => return Ok(Some(crashed("the final extraction"))),
                Err(Stop::Failed(e)) => {
                    return Ok(Some(Outcome::failed(
                        FailureReason::Internal,
                        format!("reading the page failed: {e}"),
                    )));
                }
            }
        }
        Ok(None)
    }

    /// Runs one step with a log line of what it did; `Some` when it stopped
    /// the run.
    async fn step(
        &mut self,
        flow: &Flow,
        planned: &Planned,
        implicit: bool,
        cancel: &CancellationToken,
    ) -> store::Result<Option<Stop>> {
        let step = &planned.step;
        let started = Instant::now();
        let gone = self.session.gone();
        let did = match &step.action {
            Action::Paginate {
                next_selector,
                max_pages,
                timeout,
            } => {
                self.paginate(
                    &planned.per_page,
                    next_selector,
                    *max_pages,
                    *timeout,
                    cancel,
                )
                .await?
            }
            Action::Extract(rule) => {
                guarded(&gone, cancel, self.extract(std::slice::from_ref(rule)))
                    .await
                    .map(|n| format!("extracted {n} item(s)"))
            }
            Action::Screenshot { full_page } => {
                let label = step.name();
                match self
                    .screenshot(Some(step.index), &label, *full_page)
                    .await?
                {
                    Some(n) => Ok(format!("took screenshot {n}")),
                    None => Ok("took no screenshot (see above)".to_string()),
                }
            }
            action => guarded(&gone, cancel, self.act(flow, action)).await,
        };
        let name = match implicit {
            true => "Start: navigate to the flow's URL".to_string(),
            false => step.name(),
        };
        match did {
            Ok(what) => {
                let line = format!("{name}: {what} ({} ms)", started.elapsed().as_millis());
                self.tally.log.info(line).await?;
                Ok(None)
            }
            Err(stop) => Ok(Some(stop)),
        }
    }

    /// Turns what stopped a step into the run's failure, with a screenshot
    /// of the page as it was.
    async fn stopped(
        &mut self,
        step: &InteractStep,
        stop: Stop,
        implicit: bool,
    ) -> store::Result<Option<Outcome>> {
        let name = match implicit {
            true => "the start (navigate to the flow's URL)".to_string(),
            false => step.name(),
        };
        match stop {
            Stop::Cancelled => Ok(None),
            Stop::Crashed => Ok(Some(crashed(&name))),
            Stop::Failed(StepError::Browser(_)) if self.session.crashed() => {
                Ok(Some(crashed(&name)))
            }
            Stop::Failed(e) => {
                let error = format!("{name}: {e}");
                self.tally.log.warn(format!("Step failed: {error}")).await?;
                let label = format!("{name} failed");
                self.screenshot(Some(step.index), &label, false).await?;
                Ok(Some(Outcome::failed(FailureReason::StepFailed, error)))
            }
        }
    }

    /// Does what a step (other than paginate) says; returns what it did.
    async fn act(&self, flow: &Flow, action: &Action) -> Result<String, StepError> {
        let page = &self.session.page;
        match action {
            Action::Navigate { url } => {
                let url = url.as_deref().unwrap_or(&flow.url);
                actions::navigate(page, url).await?;
                self.session.loaded();
                Ok(format!("loaded {url}"))
            }
            Action::Click {
                selector,
                all,
                optional,
                timeout,
            } => {
                let n = actions::click(page, selector, *all, *optional, *timeout).await?;
                Ok(match n {
                    0 => format!("no `{selector}` to click (optional)"),
                    1 => format!("clicked `{selector}`"),
                    n => format!("clicked {n} × `{selector}`"),
                })
            }
            Action::Type {
                selector,
                text,
                submit,
                timeout,
            } => {
                actions::type_into(page, selector, text, *submit, *timeout).await?;
                let then = if *submit { " and pressed Enter" } else { "" };
                Ok(format!(
                    "typed {} character(s) into `{selector}`{then}",
                    text.chars().count()
                ))
            }
            Action::Press { key } => {
                actions::press(page, key).await?;
                Ok(format!("pressed {key}"))
            }
            Action::Select {
                selector,
                value,
                timeout,
            } => {
                actions::select(page, selector, value, *timeout).await?;
                Ok(format!("chose `{value}` in `{selector}`"))
            }
            Action::Hover { selector, timeout } => {
                actions::hover(page, selector, *timeout).await?;
                Ok(format!("hovered `{selector}`"))
            }
            Action::Wait(WaitFor::Selector { selector, timeout }) => {
                actions::find(page, selector, *timeout).await?;
                Ok(format!("`{selector}` is there"))
            }
            Action::Wait(WaitFor::Time(wait)) => {
                tokio::time::sleep(*wait).await;
                Ok(format!("waited {} ms", wait.as_millis()))
            }
            Action::Wait(WaitFor::NetworkIdle { timeout }) => {
                actions::network_idle(page, *timeout, actions::IDLE_FOR).await?;
                Ok("the network is idle".to_string())
            }
            Action::Scroll(scroll) => {
                let done = actions::scroll(
                    page,
                    scroll.times,
                    scroll.max,
                    scroll.until_stable,
                    SCROLL_SETTLE,
                )
                .await?;
                let why = if done.stable {
                    "the page stopped growing"
                } else {
                    "its scrolls are done"
                };
                Ok(format!(
                    "scrolled {} time(s), the page is {} px tall ({why})",
                    done.scrolls, done.height
                ))
            }
            Action::Screenshot { .. } | Action::Extract(_) | Action::Paginate { .. } => {
                unreachable!("`step` runs these itself")
            }
        }
    }
}

impl Browse<'_, '_> {
    /// Extracts the page with `rules`, as one page of the run; returns how
    /// many items it gave.
    async fn extract(&mut self, rules: &[ExtractRule]) -> Result<usize, StepError> {
        let (url, html) = actions::html(&self.session.page).await?;
        let base = Url::parse(&url)
            .map_err(|_| StepError::Failed(format!("the page's address `{url}` is not a URL")))?;
        let extracted = extract_page(&html, &base, rules, None);
        let n = extracted.items.len();
        self.tally
            .page_done(html.len(), &[], extracted)
            .await
            .map_err(|e| StepError::Failed(format!("storing items failed: {e}")))?;
        Ok(n)
    }

    /// Extracts each page, then clicks `next` for the following one, until
    /// `max_pages`, no `next`, or a click that changes nothing.
    async fn paginate(
        &mut self,
        rules: &[ExtractRule],
        next: &str,
        max_pages: u32,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> store::Result<Result<String, Stop>> {
        let mut items = 0;
        let mut pages = 0;
        let gone = self.session.gone();
        let why = loop {
            let extracted = self.extract(rules).await;
            match self.settle(cancel, extracted).await {
                Ok(n) => items += n,
                Err(stop) => return Ok(Err(stop)),
            }
            pages += 1;
            if pages >= max_pages {
                break format!("maxPages ({max_pages}) reached");
            }
            let page = self.session.page.clone();
            let before = match guarded(&gone, cancel, actions::signature(&page)).await {
                Ok(before) => before,
                Err(stop) => return Ok(Err(stop)),
            };
            let wait_next = if pages == 1 { timeout } else { NEXT_APPEARS };
            match guarded(
                &gone,
                cancel,
                actions::click(&page, next, false, true, wait_next),
            )
            .await
            {
                Ok(0) => break format!("no `{next}` on the last page"),
                Ok(_) => {}
                Err(stop) => return Ok(Err(stop)),
            }
            match guarded(
                &gone,
                cancel,
                actions::changed_from(&page, &before, timeout),
            )
            .await
            {
                Ok(true) => self.session.loaded(),
                Ok(false) => break format!("clicking `{next}` changed nothing"),
                Err(stop) => return Ok(Err(stop)),
            }
        };
        Ok(Ok(format!(
            "{pages} page(s), {items} item(s); stopped: {why}"
        )))
    }

    /// A step's own result, unless the run was cancelled or the browser
    /// died meanwhile.
    async fn settle<T>(
        &self,
        cancel: &CancellationToken,
        done: Result<T, StepError>,
    ) -> Result<T, Stop> {
        if cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        if self.session.crashed() {
            return Err(Stop::Crashed);
        }
        done.map_err(Stop::Failed)
    }

    /// Takes and keeps a screenshot; a failure to take it is logged, never
    /// the run's failure.
    async fn screenshot(
        &mut self,
        step: Option<usize>,
        label: &str,
        full_page: bool,
    ) -> store::Result<Option<u32>> {
        let shot = actions::screenshot(&self.session.page, full_page).await;
        match shot {
            Ok(png) => {
                let n = self
                    .tally
                    .ctx
                    .store
                    .add_screenshot(self.tally.run_id, step, label, &png)
                    .await?;
                let line = format!("Screenshot {n}: {label} ({} KB)", png.len().div_ceil(1024));
                self.tally.log.info(&line).await?;
                Ok(Some(n))
            }
            Err(e) => {
                self.tally
                    .log
                    .warn(format!("No screenshot of {label}: {e}"))
                    .await?;
                Ok(None)
            }
        }
    }
}

/// Runs `work` unless the run is cancelled or the browser dies (`gone`) first.
async fn guarded<T>(
    gone: &CancellationToken,
    cancel: &CancellationToken,
    work: impl Future<Output = Result<T, StepError>>,
) -> Result<T, Stop> {
    tokio::select! {
        done = work => done.map_err(Stop::Failed),
        _ = cancel.cancelled() => Err(Stop::Cancelled),
        _ = gone.cancelled() => Err(Stop::Crashed),
    }
}

fn crashed(name: &str) -> Outcome {
    Outcome::failed(
        FailureReason::WorkerLost,
        format!(
            "the browser crashed during {name}; items stored until then are kept, and the next \
             run gets a fresh browser"
        ),
    )
}
