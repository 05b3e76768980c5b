//! Records as a run of sibling elements of one shape (cards, rows, list
//! items): the run whose members best yield the schema's fields wins.

use url::Url;

use super::super::spec::FieldPlan;
use super::super::types::FieldType;
use super::super::vocab::is_evidence;
use super::dom::{self, Dom};
use super::fits;
use super::locate::{Found, Matcher, Scope, Source, locate};

const MAX_RECORD_ELEMENTS: usize = 2_000;

struct Group {
    parent: u32,
    sig: u32,
    members: Vec<u32>,
}

/// The records of the best-fitting group, or None when no group of at least
/// two members yields the schema's fields.
pub(crate) fn find_records(
    dom: &Dom<'_>,
    matcher: &Matcher,
    plans: &[FieldPlan],
    base: &Url,
) -> Option<Vec<Vec<Found>>> {
    let mut best: Option<(f64, Group)> = None;
    for group in candidate_groups(dom) {
        let Some(score) = evaluate(dom, matcher, plans, base, &group) else {
            continue;
        };
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, group));
        }
    }
    let (_, group) = best?;
    let records: Vec<Vec<Found>> = with_cousins(dom, &group)
        .into_iter()
        .map(|m| locate(dom, matcher, plans, dom.subtree(m), Scope::Record, base).0)
        .filter(|found| found.iter().any(|f| f.source != Source::Missing))
        .collect();
    (!records.is_empty()).then_some(records)
}

fn candidate_groups(dom: &Dom<'_>) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut children: Vec<(u32, u32)> = Vec::new();
    for parent in dom.all() {
        let node = dom.node(parent);
        if node.has(dom::CHROME | dom::IN_HEAD) || node.end - parent < 3 {
            continue;
        }
        children.clear();
        children.extend(
            dom.children(parent)
                .filter(|&c| member_ok(dom, c))
                .map(|c| (dom.node(c).sig, c)),
        );
        // Stable: members stay in document order within their shape.
        children.sort_by_key(|&(sig, _)| sig);
        for run in children.chunk_by(|a, b| a.0 == b.0) {
            let inline = is_inline(dom.node(run[0].1).tag());
            // Two links in a sentence are prose, not a list.
            if run.len() >= 2 && !(inline && run.len() < 3) {
                groups.push(Group {
                    parent,
                    sig: run[0].0,
                    members: run.iter().map(|&(_, c)| c).collect(),
                });
            }
        }
    }
    groups
}

fn is_inline(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "span" | "b" | "strong" | "em" | "i" | "small" | "code" | "abbr" | "mark" | "u"
    )
}

fn member_ok(dom: &Dom<'_>, i: u32) -> bool {
    let node = dom.node(i);
    if node.has(dom::CHROME | dom::HEADER_ROW | dom::IN_HEAD) {
        return false;
    }
    if matches!(
        node.tag(),
        "br" | "hr"
            | "meta"
            | "link"
            | "input"
            | "option"
            | "optgroup"
            | "col"
            | "colgroup"
            | "source"
            | "track"
            | "wbr"
            | "param"
            | "area"
            | "map"
            | "select"
            | "textarea"
    ) {
        return false;
    }
    !dom.text(i).is_empty()
        || dom
            .subtree(i)
            .any(|c| dom.node(c).has(dom::IMG | dom::LINK))
}

/// Scores a group on a few of its members: how many fit the schema, how much
/// they yield by name rather than by guess, and whether a member is really
/// one record (one price) or a row of several.
fn evaluate(
    dom: &Dom<'_>,
    matcher: &Matcher,
    plans: &[FieldPlan],
    base: &Url,
    group: &Group,
) -> Option<f64> {
    let n = group.members.len();
    // A "record" of thousands of elements is a page section: not worth
    // reading, and reading it for every such group would be quadratic.
    if dom.subtree(group.members[0]).len() > MAX_RECORD_ELEMENTS {
        return None;
    }
    let samples: Vec<u32> = if n <= 5 {
        group.members.clone()
    } else {
        [0, n / 4, n / 2, 3 * n / 4, n - 1]
            .iter()
            .map(|&k| group.members[k])
            .collect()
    };
    if needs_digits(plans)
        && !samples
            .iter()
            .any(|&m| dom.text(m).bytes().any(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut fitting = 0;
    let mut weight = 0.0;
    let mut contested = 1;
    for &m in &samples {
        let (found, c) = locate(dom, matcher, plans, dom.subtree(m), Scope::Record, base);
        contested = contested.max(c);
        if fits(plans, &found, |_| true) {
            fitting += 1;
            weight += found
                .iter()
                .map(|f| match (f.filled(), f.source) {
                    (true, Source::Named) => 1.0,
                    (true, _) => 0.5,
                    _ => 0.0,
                })
                .sum::<f64>();
        }
    }
    if fitting * 2 < samples.len() {
        return None;
    }
    Some(n as f64 * weight / samples.len() as f64 / contested as f64)
}

/// When every evidence field is numeric, a record without a digit cannot fit:
/// a cheap way to skip menus and paragraphs.
fn needs_digits(plans: &[FieldPlan]) -> bool {
    let mut evidence = plans.iter().filter(|p| is_evidence(p.ty)).peekable();
    evidence.peek().is_some()
        && evidence.all(|p| matches!(p.ty, FieldType::Number | FieldType::Integer))
}

/// A grid often comes in rows: the same group repeated under sibling
/// parents of one shape. Those members are records of the same list.
fn with_cousins(dom: &Dom<'_>, group: &Group) -> Vec<u32> {
    let parent = dom.node(group.parent);
    let grand = parent.parent;
    if grand == u32::MAX {
        return group.members.clone();
    }
    let uncles: Vec<u32> = dom
        .children(grand)
        .filter(|&u| dom.node(u).sig == parent.sig)
        .collect();
    if uncles.len() < 2 {
        return group.members.clone();
    }
    uncles
        .into_iter()
        .flat_map(|u| {
            dom.children(u)
                .filter(|&c| dom.node(c).sig == group.sig && member_ok(dom, c))
                .collect::<Vec<_>>()
        })
        .collect()
}
