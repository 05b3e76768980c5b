//! Explicit mode: the spec's item selector and per-field selectors. Fields
//! the schema names but the spec gives no selector for are located inside
//! each item the way auto mode would.

use std::collections::HashMap;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::attrs::attr;
use super::auto::dom::Dom;
use super::auto::locate::{Found, Matcher, Scope, Source, locate};
use super::auto::{effective_base, page};
use super::coerce::{Coerced, coerce_text};
use super::output::{Extraction, Method, finish};
use super::spec::{CompiledSpec, FieldRule};
use super::text::element_text;
use super::types::FieldType;

static BASE: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("base[href]").expect("valid selector"));

pub(crate) fn extract(
    html: &Html,
    base: &Url,
    spec: &CompiledSpec,
    item: Option<&Selector>,
    rules: &[Option<FieldRule>],
) -> Extraction {
    let base_href = html
        .select(&BASE)
        .next()
        .and_then(|b| attr(b.value(), "href"));
    let base = effective_base(base, base_href);
    let items: Vec<ElementRef<'_>> = match item {
        Some(sel) => html.select(sel).collect(),
        None => vec![html.root_element()],
    };

    // Only built when some field has no selector: auto-locating needs the index.
    let auto = rules.iter().any(Option::is_none).then(|| {
        let dom = Dom::build(html);
        let matcher = Matcher::new(&dom, &spec.plans);
        let index: HashMap<_, u32> = dom
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.el.id(), i as u32))
            .collect();
        (dom, matcher, index)
    });
    let page_found = match (&auto, item) {
        (Some((dom, matcher, _)), None) => {
            Some(page::page_fields(dom, matcher, &spec.plans, &base))
        }
        _ => None,
    };

    let rows = items
        .iter()
        .map(|&el| {
            let located = match (&auto, &page_found) {
                (_, Some(found)) => Some(found.clone()),
                (Some((dom, matcher, index)), None) => index.get(&el.id()).map(|&i| {
                    locate(
                        dom,
                        matcher,
                        &spec.plans,
                        dom.subtree(i),
                        Scope::Record,
                        &base,
                    )
                    .0
                }),
                _ => None,
            };
            rules
                .iter()
                .enumerate()
                .map(|(f, rule)| match rule {
                    Some(rule) => Found {
                        value: read(el, rule, spec.plans[f].ty, &base),
                        source: Source::Named,
                    },
                    None => located
                        .as_ref()
                        .map_or_else(Found::missing, |found| found[f].clone()),
                })
                .collect()
        })
        .collect();
    finish(spec, Method::Explicit, rows)
}

fn read(item: ElementRef<'_>, rule: &FieldRule, ty: FieldType, base: &Url) -> Coerced {
    let el = match &rule.selector {
        Some(sel) => item.select(sel).next(),
        None => Some(item),
    };
    let Some(el) = el else {
        return Coerced::Empty;
    };
    match &rule.attr {
        Some(name) => match attr(el.value(), name) {
            Some(v) => coerce_text(v, ty, base),
            None => Coerced::Empty,
        },
        None => match implied_attr(el, ty) {
            Some(v) => coerce_text(v, ty, base),
            None => coerce_text(&element_text(el), ty, base),
        },
    }
}

/// Without an `attr`, a url field selecting `<a>` wants its href, not its
/// text, and a datetime field selecting `<time>` its `datetime`. Elements
/// without text (`<meta>`, `<data>`) give their machine value.
fn implied_attr<'a>(el: ElementRef<'a>, ty: FieldType) -> Option<&'a str> {
    let e = el.value();
    match ty {
        FieldType::Url => match e.name() {
            "a" | "area" | "link" => attr(e, "href"),
            "img" | "source" | "iframe" | "video" | "audio" | "embed" => {
                attr(e, "src").or_else(|| attr(e, "data-src"))
            }
            "meta" => attr(e, "content"),
            _ => el
                .descendent_elements()
                .find_map(|d| attr(d.value(), "href").filter(|_| d.value().name() == "a")),
        },
        FieldType::Datetime => attr(e, "datetime").or_else(|| attr(e, "content")),
        _ if matches!(e.name(), "meta" | "data" | "meter" | "input") => {
            attr(e, "content").or_else(|| attr(e, "value"))
        }
        _ => None,
    }
}
