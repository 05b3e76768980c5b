//! The page as one record: its named fields, else what every page has (h1,
//! title, meta description, canonical URL).

use url::Url;

use super::super::coerce::{Coerced, coerce_text};
use super::super::spec::FieldPlan;
use super::super::types::FieldType;
use super::super::vocab::Role;
use super::super::vocab::is_evidence;
use super::dom::{self, Dom};
use super::fits;
use super::locate::{Found, Matcher, Scope, Source, image_src, locate};

/// Fields of the page as a whole, with the page's own fallbacks. `Named`
/// marks values specific to the record (a class="price", a price meta);
/// `Guessed` marks what any page has (its title, its address).
pub(crate) fn page_fields(
    dom: &Dom<'_>,
    matcher: &Matcher,
    plans: &[FieldPlan],
    base: &Url,
) -> Vec<Found> {
    let (mut found, _) = locate(dom, matcher, plans, dom.all(), Scope::Page, base);
    for (f, plan) in plans.iter().enumerate() {
        if found[f].filled() {
            continue;
        }
        let (specific, generic) = fallbacks(dom, plan);
        let named = specific
            .into_iter()
            .find_map(|raw| value(raw, plan.ty, base));
        if let Some(value) = named {
            found[f] = Found {
                value,
                source: Source::Named,
            };
        } else if let Some(value) = generic
            .into_iter()
            .find_map(|raw| value(raw, plan.ty, base))
        {
            found[f] = Found {
                value,
                source: Source::Guessed,
            };
        } else if plan.role == Role::Url && plan.ty == FieldType::Url {
            // A page with no canonical link is still at the address it was fetched from.
            found[f] = Found {
                value: Coerced::Value(base.as_str().into()),
                source: Source::Guessed,
            };
        }
    }
    found
}

/// One record when the page holds what the schema asks for: its evidence
/// fields (price, date, ...) found by name, or for a schema without any,
/// something more than the page's own address.
pub(crate) fn page_record(
    dom: &Dom<'_>,
    matcher: &Matcher,
    plans: &[FieldPlan],
    base: &Url,
) -> Option<Vec<Found>> {
    let found = page_fields(dom, matcher, plans, base);
    let has_evidence = plans.iter().any(|p| is_evidence(p.ty));
    let keep = if has_evidence {
        fits(plans, &found, |f| f.source == Source::Named)
    } else {
        plans
            .iter()
            .zip(&found)
            .any(|(p, f)| f.filled() && p.ty != FieldType::Url)
            || found
                .iter()
                .any(|f| f.filled() && f.source == Source::Named)
    };
    keep.then_some(found)
}

fn value(raw: &str, ty: FieldType, base: &Url) -> Option<Coerced> {
    let c = coerce_text(raw, ty, base);
    c.is_value().then_some(c)
}

/// Raw candidates for a field: (specific to a record, generic to any page).
fn fallbacks<'d>(dom: &'d Dom<'_>, plan: &FieldPlan) -> (Vec<&'d str>, Vec<&'d str>) {
    let metas =
        |keys: &[&str]| -> Vec<&'d str> { keys.iter().filter_map(|k| dom.meta(k)).collect() };
    let first_content = |flag: u16| {
        dom.all()
            .find(|&i| dom.node(i).has(flag) && !dom.node(i).has(dom::CHROME | dom::IN_HEAD))
    };
    match plan.role {
        Role::Name => {
            let mut generic: Vec<&str> = first_content(dom::H1)
                .map(|i| dom.text(i))
                .into_iter()
                .collect();
            generic.extend(metas(&["og:title", "twitter:title"]));
            generic.extend(dom.title.as_deref());
            (Vec::new(), generic)
        }
        Role::Url => {
            let mut generic: Vec<&str> = dom.canonical.into_iter().collect();
            generic.extend(metas(&["og:url"]));
            (Vec::new(), generic)
        }
        Role::Image => {
            let mut generic = metas(&[
                "og:image",
                "og:image:url",
                "og:image:secure_url",
                "twitter:image",
            ]);
            generic.extend(first_content(dom::IMG).and_then(|i| image_src(dom, i)));
            (Vec::new(), generic)
        }
        Role::Description => (
            Vec::new(),
            metas(&["description", "og:description", "twitter:description"]),
        ),
        Role::Price => (
            metas(&[
                "product:price:amount",
                "og:price:amount",
                "product:sale_price:amount",
            ]),
            Vec::new(),
        ),
        Role::Currency => (
            metas(&["product:price:currency", "og:price:currency"]),
            Vec::new(),
        ),
        Role::Availability => (
            metas(&["product:availability", "og:availability"]),
            Vec::new(),
        ),
        Role::Brand => (metas(&["product:brand", "og:brand"]), Vec::new()),
        Role::Author => (metas(&["author", "article:author"]), Vec::new()),
        Role::Date => {
            let mut specific = metas(&[
                "article:published_time",
                "date",
                "dc.date",
                "dcterms.date",
                "pubdate",
                "publish-date",
            ]);
            if let Some(t) = first_content(dom::TIME) {
                specific.push(dom.node(t).attr("datetime").unwrap_or(dom.text(t)));
            }
            (specific, Vec::new())
        }
        _ => (Vec::new(), Vec::new()),
    }
}
