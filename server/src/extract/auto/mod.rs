//! Auto mode: no selectors, only a schema. Tries, in order, structured data
//! (JSON-LD, microdata, Open Graph), repeated records, then the page as one
//! record, and takes the first that really yields the schema's fields.

pub(crate) mod dom;
pub(crate) mod locate;
pub(crate) mod page;
pub(crate) mod repeated;
pub(crate) mod structured;

use scraper::Html;
use url::Url;

use self::dom::Dom;
use self::locate::{Found, Matcher};
use super::output::{Extraction, Method, finish};
use super::spec::{CompiledSpec, FieldPlan};
use super::vocab::is_evidence;

/// Whether a record holds what the schema is about. Fields of an evidence
/// type (number, integer, boolean, datetime) are what a page only has when it
/// holds such records, so at least half of them must be filled (by sources
/// `counts` accepts); a schema without any needs half of its fields.
pub(crate) fn fits(plans: &[FieldPlan], found: &[Found], counts: impl Fn(&Found) -> bool) -> bool {
    let ok = |f: &Found| f.filled() && counts(f);
    let evidence: Vec<&Found> = plans
        .iter()
        .zip(found)
        .filter(|(p, _)| is_evidence(p.ty))
        .map(|(_, f)| f)
        .collect();
    let (filled, total) = if evidence.is_empty() {
        (found.iter().filter(|f| ok(f)).count(), plans.len())
    } else {
        (evidence.iter().filter(|f| ok(f)).count(), evidence.len())
    };
    filled >= 1 && filled * 2 >= total
}

/// The page's base for relative links: `<base href>` when it has one.
pub(crate) fn effective_base(base: &Url, base_href: Option<&str>) -> Url {
    base_href
        .and_then(|h| base.join(h.trim()).ok())
        .unwrap_or_else(|| base.clone())
}

pub(crate) fn extract(html: &Html, base: &Url, spec: &CompiledSpec) -> Extraction {
    let dom = Dom::build(html);
    let base = effective_base(base, dom.base_href);
    let plans = &spec.plans;

    for method in [Method::JsonLd, Method::Microdata, Method::OpenGraph] {
        let roots = match method {
            Method::JsonLd => structured::jsonld::parse_blocks(&dom.json_ld),
            Method::Microdata => structured::microdata::items(&dom),
            _ => structured::opengraph::entity(&dom).into_iter().collect(),
        };
        if roots.is_empty() {
            continue;
        }
        let Some(mut records) = structured::best_records(&roots, plans, &base) else {
            continue;
        };
        if records.page && records.rows.len() == 1 {
            // A lone entity describes the page: what it leaves out (often its
            // own url) the page itself can give.
            let matcher = Matcher::new(&dom, plans);
            let extra = page::page_fields(&dom, &matcher, plans, &base);
            for (slot, extra) in records.rows[0].iter_mut().zip(extra) {
                if !slot.filled() && extra.filled() {
                    *slot = extra;
                }
            }
        }
        return finish(spec, method, records.rows);
    }

    let matcher = Matcher::new(&dom, plans);
    if let Some(rows) = repeated::find_records(&dom, &matcher, plans, &base) {
        return finish(spec, Method::Repeated, rows);
    }
    match page::page_record(&dom, &matcher, plans, &base) {
        Some(row) => finish(spec, Method::Page, vec![row]),
        None => finish(spec, Method::Nothing, Vec::new()),
    }
}
