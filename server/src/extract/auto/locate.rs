//! Finding each field's node inside one record (or the whole page) by what
//! the page calls it, and reading a value of the field's type from it.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use url::Url;

use super::super::coerce::{Coerced, coerce_text};
use super::super::spec::FieldPlan;
use super::super::types::FieldType;
use super::super::vocab::{Role, synonyms};
use super::dom::{self, Dom};

/// How well each interned word names each field, computed once per page.
pub(crate) struct Matcher {
    fields: usize,
    /// `strength[word * fields + field]`: 3 exact name, 2 synonym, 1 partial.
    strength: Vec<u8>,
}

impl Matcher {
    pub(crate) fn new(dom: &Dom<'_>, plans: &[FieldPlan]) -> Matcher {
        let fields = plans.len();
        let mut strength = vec![0u8; dom.words.len() * fields];
        for (w, word) in dom.words.iter().enumerate() {
            // Signatures ("div.card") share the table but never match.
            if word.contains(['.', '#']) {
                continue;
            }
            for (f, plan) in plans.iter().enumerate() {
                strength[w * fields + f] = word_strength(word, plan);
            }
        }
        Matcher { fields, strength }
    }

    /// The best strength of a node's words for one field.
    pub(crate) fn node(&self, dom: &Dom<'_>, i: u32, field: usize) -> u8 {
        dom.tokens(i)
            .iter()
            .map(|&w| self.strength[w as usize * self.fields + field])
            .max()
            .unwrap_or(0)
    }
}

fn word_strength(word: &str, plan: &FieldPlan) -> u8 {
    if word == plan.squashed {
        return 3;
    }
    let syns = synonyms(plan.role);
    if syns.contains(&word) {
        return 2;
    }
    let partial = |s: &str| s.len() >= 4 && (word.starts_with(s) || word.ends_with(s));
    if syns.iter().any(|s| partial(s)) || partial(&plan.squashed) {
        return 1;
    }
    0
}

/// Whether a field was filled by a node named for it, by a guess from the
/// page's shape, or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Named,
    Guessed,
    Missing,
}

#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) value: Coerced,
    pub(crate) source: Source,
}

impl Found {
    pub(crate) fn missing() -> Found {
        Found {
            value: Coerced::Empty,
            source: Source::Missing,
        }
    }

    pub(crate) fn filled(&self) -> bool {
        self.value.is_value()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// One record: a card, a row. Shape-based guesses are allowed.
    Record,
    /// The whole page: only named nodes, because a guess there is junk.
    Page,
}

/// Fills every field from the nodes in `range`. Also returns how many
/// distinct nodes competed for the most contested field: a "record" holding
/// four prices is a row of cards, not a card.
pub(crate) fn locate(
    dom: &Dom<'_>,
    matcher: &Matcher,
    plans: &[FieldPlan],
    range: Range<u32>,
    scope: Scope,
    base: &Url,
) -> (Vec<Found>, usize) {
    let mut candidates: Vec<Vec<(i32, u32)>> = vec![Vec::new(); plans.len()];
    let mut seen_h1 = false;
    for i in range.clone() {
        let node = dom.node(i);
        let page = scope == Scope::Page;
        if page && node.has(dom::CHROME | dom::IN_HEAD) {
            continue;
        }
        let first_h1 = page && node.has(dom::H1) && !std::mem::replace(&mut seen_h1, true);
        for (f, plan) in plans.iter().enumerate() {
            let s = matcher.node(dom, i, f);
            // A page's h1 is its name even unnamed: it outranks a class="name"
            // on some byline or comment, but not a heading named for the field.
            if s == 0 && first_h1 && plan.role == Role::Name {
                candidates[f].push((31, i));
            }
            // On a whole page a partial match ("username" for name) is noise.
            if s == 0 || (page && s < 2) {
                continue;
            }
            let mut score = i32::from(s) * 10;
            if node.has(dom::STRUCK) && matches!(plan.ty, FieldType::Number | FieldType::Integer) {
                score -= 25;
            }
            if scope == Scope::Page && plan.role == Role::Name && node.has(dom::HEADING) {
                score += if node.has(dom::H1) { 8 } else { 4 };
            }
            candidates[f].push((score, i));
        }
    }

    let mut contested = 1;
    let mut out = Vec::with_capacity(plans.len());
    for (f, plan) in plans.iter().enumerate() {
        let cands = &mut candidates[f];
        // Best score first; among equals the tightest node (least text), then
        // document order.
        cands.sort_by_key(|&(score, i)| (-score, dom.text(i).len(), i));
        if let Some(&(top, _)) = cands.first() {
            contested = contested.max(distinct_tops(dom, cands, top));
        }
        let mut found = Found::missing();
        for &(_, i) in cands.iter() {
            let value = read(dom, i, plan, base);
            match value {
                Coerced::Value(_) => {
                    found = Found {
                        value,
                        source: Source::Named,
                    };
                    break;
                }
                Coerced::Invalid => {
                    found = Found {
                        value,
                        source: Source::Named,
                    }
                }
                Coerced::Empty => {}
            }
        }
        if !found.filled()
            && scope == Scope::Record
            && let Some(value) = guess(dom, range.clone(), plan, base)
        {
            found = Found {
                value: Coerced::Value(value),
                source: Source::Guessed,
            };
        }
        out.push(found);
    }
    (out, contested)
}

/// Top-scoring candidates that are not nested in one another.
fn distinct_tops(dom: &Dom<'_>, cands: &[(i32, u32)], top: i32) -> usize {
    let mut tops: Vec<u32> = cands
        .iter()
        .filter(|&&(s, _)| s == top)
        .map(|&(_, i)| i)
        .collect();
    tops.sort_unstable();
    let mut count = 0;
    let mut covered_until = 0;
    for i in tops {
        if i >= covered_until {
            count += 1;
            covered_until = dom.node(i).end;
        }
    }
    count
}

/// Reads the value a named node holds for the field's type: an address from
/// href/src, a date from `datetime`, a machine value from `content`/`value`/
/// `data-*`, else the visible text.
pub(crate) fn read(dom: &Dom<'_>, i: u32, plan: &FieldPlan, base: &Url) -> Coerced {
    match raw(dom, i, plan) {
        Some(text) => coerce_text(&text, plan.ty, base),
        None => Coerced::Empty,
    }
}

fn raw<'d>(dom: &'d Dom<'_>, i: u32, plan: &FieldPlan) -> Option<Cow<'d, str>> {
    let node = dom.node(i);
    if let Some(content) = node.attr("content") {
        return Some(Cow::Borrowed(content));
    }
    match plan.ty {
        FieldType::Url => {
            let link = if plan.role == Role::Image {
                image_src(dom, i)
                    .or_else(|| first_in(dom, i, dom::IMG).and_then(|c| image_src(dom, c)))
            } else {
                href(dom, i).or_else(|| first_in(dom, i, dom::LINK).and_then(|c| href(dom, c)))
            };
            // A URL written out as text ("https://maker.test") is one too;
            // other text in a url-named node is no address.
            let text = dom.text(i);
            let written = text.starts_with("https://") || text.starts_with("http://");
            link.or(written.then_some(text)).map(Cow::Borrowed)
        }
        FieldType::Datetime => node
            .attr("datetime")
            .map(Cow::Borrowed)
            .or_else(|| {
                first_in(dom, i, dom::TIME)
                    .and_then(|t| dom.node(t).attr("datetime"))
                    .map(Cow::Borrowed)
            })
            .or_else(|| Some(Cow::Borrowed(dom.text(i)))),
        FieldType::Number | FieldType::Integer | FieldType::Boolean => {
            if let Some(v) = node
                .attr("value")
                .filter(|_| matches!(node.tag(), "data" | "meter"))
            {
                return Some(Cow::Borrowed(v));
            }
            // data-rating="4.5" beats the "4.5 / 5 (120 reviews)" it decorates.
            let named = format!("data-{}", plan.squashed);
            if let Some(v) = node.attr(&named) {
                return Some(Cow::Borrowed(v));
            }
            Some(dom.text_unstruck(i))
        }
        FieldType::String => {
            let text = dom.text(i);
            if text.is_empty() {
                node.attr("alt")
                    .or_else(|| node.attr("title"))
                    .or_else(|| node.attr("aria-label"))
                    .map(Cow::Borrowed)
            } else {
                Some(Cow::Borrowed(text))
            }
        }
    }
}

fn href<'d>(dom: &'d Dom<'_>, i: u32) -> Option<&'d str> {
    let node = dom.node(i);
    if node.has(dom::LINK) {
        return node.attr("href");
    }
    node.attr("data-href").or_else(|| node.attr("data-url"))
}

pub(crate) fn image_src<'d>(dom: &'d Dom<'_>, i: u32) -> Option<&'d str> {
    let node = dom.node(i);
    if !matches!(node.tag(), "img" | "source") {
        return node.attr("data-src").or_else(|| node.attr("data-bg"));
    }
    // Lazy loaders keep the real address in data-* and a placeholder in src.
    for name in ["data-src", "data-lazy-src", "data-original", "src"] {
        if let Some(v) = node.attr(name).filter(|v| !v.trim().is_empty())
            && (name != "src" || !v.starts_with("data:"))
        {
            return Some(v);
        }
    }
    node.attr("srcset")
        .or_else(|| node.attr("data-srcset"))
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.split_whitespace().next())
}

/// The first descendant (or the node itself) carrying the flag.
pub(crate) fn first_in(dom: &Dom<'_>, i: u32, flag: u16) -> Option<u32> {
    dom.subtree(i).find(|&c| dom.node(c).has(flag))
}

/// A value the record's shape suggests when nothing is named for the field:
/// its heading or main link text for a name, its first link for a URL, its
/// first image, a price-looking text that is not struck through, a `<time>`.
fn guess(
    dom: &Dom<'_>,
    range: Range<u32>,
    plan: &FieldPlan,
    base: &Url,
) -> Option<serde_json::Value> {
    let ok = |c: Coerced| match c {
        Coerced::Value(v) => Some(v),
        _ => None,
    };
    let record = range.start;
    match (plan.role, plan.ty) {
        (Role::Name, FieldType::String) => {
            let heading = range
                .clone()
                .find(|&i| dom.node(i).has(dom::HEADING) && !dom.text(i).is_empty());
            let link = || {
                range
                    .clone()
                    .find(|&i| dom.node(i).has(dom::LINK) && !dom.text(i).is_empty())
            };
            let cell = || {
                (dom.node(record).tag() == "tr")
                    .then(|| {
                        dom.children(record).find(|&c| {
                            let t = dom.text(c);
                            !t.is_empty() && super::super::coerce::parse_number(t).is_none()
                        })
                    })
                    .flatten()
            };
            let i = heading.or_else(link).or_else(cell)?;
            ok(coerce_text(dom.text(i), plan.ty, base))
        }
        (Role::Url | Role::Name | Role::Other, FieldType::Url) => range
            .clone()
            .filter(|&i| dom.node(i).has(dom::LINK))
            .filter_map(|i| dom.node(i).attr("href"))
            .filter(|h| !h.trim_start().starts_with('#'))
            .find_map(|h| ok(coerce_text(h, plan.ty, base))),
        (Role::Image, FieldType::Url) => range
            .clone()
            .filter(|&i| dom.node(i).has(dom::IMG))
            .find_map(|i| image_src(dom, i).and_then(|s| ok(coerce_text(s, plan.ty, base)))),
        (Role::Price, FieldType::Number) => range
            .clone()
            .filter(|&i| !dom.node(i).has(dom::STRUCK))
            .map(|i| dom.text_unstruck(i))
            .find(|t| looks_like_price(t))
            .and_then(|t| ok(coerce_text(&t, plan.ty, base))),
        (Role::ReviewCount, FieldType::Integer | FieldType::Number) => {
            let c = REVIEW_COUNT.captures(dom.text(record))?;
            ok(coerce_text(&c[1], plan.ty, base))
        }
        (_, FieldType::Datetime) => {
            let t = range.clone().find(|&i| dom.node(i).has(dom::TIME))?;
            let raw = dom.node(t).attr("datetime").unwrap_or(dom.text(t));
            ok(coerce_text(raw, plan.ty, base))
        }
        _ => None,
    }
}

/// "(388 reviews)", "1,204 ratings": a count of reviews in running text.
static REVIEW_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\d[\d,.\s]*)\s*(?:reviews?|ratings?|votes?|bewertungen|avis)\b")
        .expect("valid regex")
});

/// Short text with a currency and a digit: "$12.99", "12,99 €", "USD 79".
pub(crate) fn looks_like_price(text: &str) -> bool {
    text.len() <= 24
        && text.bytes().any(|b| b.is_ascii_digit())
        && super::super::coerce::has_currency(text)
}
