//! Records from the page's structured data: JSON-LD, microdata and Open
//! Graph all become schema.org-shaped JSON objects, mapped onto the schema
//! through property names and synonyms (price -> offers.price, ...).

pub(crate) mod jsonld;
pub(crate) mod microdata;
pub(crate) mod opengraph;

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};
use url::Url;

use super::super::coerce::{Coerced, coerce_json};
use super::super::spec::FieldPlan;
use super::super::types::FieldType;
use super::super::vocab::{paths, squash};
use super::fits;
use super::locate::{Found, Source};

type Obj = Map<String, Value>;

/// Objects by `@id`, so `{"@id": "#offer"}` references can be followed.
pub(crate) struct Ids<'v>(HashMap<&'v str, &'v Obj>);

impl<'v> Ids<'v> {
    pub(crate) fn new(roots: &'v [Value]) -> Ids<'v> {
        let mut map = HashMap::new();
        let mut stack: Vec<&'v Value> = roots.iter().collect();
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a),
                Value::Object(o) => {
                    if let Some(Value::String(id)) = o.get("@id")
                        && o.len() > 1
                    {
                        map.entry(id.as_str()).or_insert(o);
                    }
                    stack.extend(o.values());
                }
                _ => {}
            }
        }
        Ids(map)
    }

    /// The object itself, or the full object a bare `{"@id": ...}` points to.
    fn resolve<'a>(&self, o: &'a Obj) -> &'a Obj
    where
        'v: 'a,
    {
        match (o.len(), o.get("@id")) {
            (1, Some(Value::String(id))) => self.0.get(id.as_str()).copied().unwrap_or(o),
            _ => o,
        }
    }
}

/// Candidate records: the items of one list, or the top-level entities of
/// one type. `page` marks a lone top-level entity: the page itself.
struct EntitySet<'v> {
    items: Vec<Cow<'v, Obj>>,
    page: bool,
}

pub(crate) struct Records {
    pub(crate) rows: Vec<Vec<Found>>,
    /// One record describing the page: missing fields may come from the page.
    pub(crate) page: bool,
}

/// Types that describe the site or the page around the content, never a
/// record; their `mainEntity` is followed instead.
fn is_chrome_type(t: &str) -> bool {
    matches!(
        t,
        "WebSite"
            | "WebPage"
            | "CollectionPage"
            | "ItemPage"
            | "SearchResultsPage"
            | "AboutPage"
            | "ContactPage"
            | "CheckoutPage"
            | "ProfilePage"
            | "QAPage"
            | "FAQPage"
            | "BreadcrumbList"
            | "SearchAction"
            | "SiteNavigationElement"
            | "WPHeader"
            | "WPFooter"
            | "WPSideBar"
            | "ImageObject"
            | "Organization"
            | "Corporation"
            | "EntryPoint"
            | "ReadAction"
    ) || is_component_type(t)
}

/// Types that are parts of a record (its offer, its rating), not records.
fn is_component_type(t: &str) -> bool {
    matches!(
        t,
        "Offer"
            | "AggregateOffer"
            | "AggregateRating"
            | "Rating"
            | "Brand"
            | "PostalAddress"
            | "GeoCoordinates"
            | "ListItem"
            | "PropertyValue"
            | "MonetaryAmount"
            | "PriceSpecification"
            | "UnitPriceSpecification"
            | "QuantitativeValue"
            | "OfferShippingDetails"
    )
}

pub(crate) fn type_name(o: &Obj) -> Option<&str> {
    let t = match o.get("@type")? {
        Value::String(s) => s.as_str(),
        Value::Array(a) => a.iter().find_map(Value::as_str)?,
        _ => return None,
    };
    // "http://schema.org/Product" and "schema:Product" are a Product.
    Some(t.rsplit(['/', ':', '#']).next().unwrap_or(t))
}

/// The best set of records the structured data yields for the schema.
pub(crate) fn best_records(roots: &[Value], plans: &[FieldPlan], base: &Url) -> Option<Records> {
    let ids = Ids::new(roots);
    let mut best: Option<(usize, Records)> = None;
    for set in entity_sets(roots, &ids) {
        let rows: Vec<Vec<Found>> = set
            .items
            .iter()
            .map(|item| record(item, plans, base, &ids))
            .collect();
        let score: usize = rows
            .iter()
            .filter(|r| fits(plans, r, |_| true))
            .map(|r| r.iter().filter(|f| f.filled()).count())
            .sum();
        if score > 0 && best.as_ref().is_none_or(|(s, _)| score > *s) {
            let rows = rows
                .into_iter()
                .filter(|r| r.iter().any(|f| f.source != Source::Missing))
                .collect();
            best = Some((
                score,
                Records {
                    rows,
                    page: set.page,
                },
            ));
        }
    }
    best.map(|(_, records)| records)
}

fn entity_sets<'v>(roots: &'v [Value], ids: &Ids<'v>) -> Vec<EntitySet<'v>> {
    let mut lists = Vec::new();
    let mut by_type: Vec<(&'v str, Vec<Cow<'v, Obj>>)> = Vec::new();
    let mut queue: Vec<&'v Value> = roots.iter().rev().collect();
    let mut seen = 0;
    while let Some(v) = queue.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        let o = match v {
            Value::Array(a) => {
                queue.extend(a.iter().rev());
                continue;
            }
            Value::Object(o) => ids.resolve(o),
            _ => continue,
        };
        if let Some(graph) = o.get("@graph") {
            queue.push(graph);
        }
        let t = type_name(o).unwrap_or("");
        if is_chrome_type(t) || t.is_empty() {
            if let Some(main) = o.get("mainEntity") {
                queue.push(main);
            }
        } else if let Some(elements) = o.get("itemListElement") {
            let items = list_items(elements, ids);
            if !items.is_empty() {
                lists.push(EntitySet { items, page: false });
            }
        } else {
            match by_type.iter_mut().find(|(name, _)| *name == t) {
                // Reached twice (in @graph and as a mainEntity): one record.
                Some((_, items)) if items.iter().any(|x| std::ptr::eq(x.as_ref(), o)) => {}
                Some((_, items)) => items.push(Cow::Borrowed(o)),
                None => by_type.push((t, vec![Cow::Borrowed(o)])),
            }
        }
    }
    lists.extend(by_type.into_iter().map(|(_, items)| EntitySet {
        page: items.len() == 1,
        items,
    }));
    lists
}

/// An ItemList's members: the `item` of each ListItem (a URL string becomes
/// the record's url), or the element itself.
fn list_items<'v>(elements: &'v Value, ids: &Ids<'v>) -> Vec<Cow<'v, Obj>> {
    let elements: Vec<&Value> = match elements {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    let mut out = Vec::new();
    for el in elements {
        let Value::Object(el) = el else {
            if let Value::String(url) = el {
                let mut o = Obj::new();
                o.insert("url".into(), Value::String(url.clone()));
                out.push(Cow::Owned(o));
            }
            continue;
        };
        let el = ids.resolve(el);
        match el.get("item") {
            Some(Value::Object(item)) => {
                let item = ids.resolve(item);
                // A ListItem may carry the name or url its item leaves out.
                let missing: Vec<&String> = ["name", "url"]
                    .iter()
                    .filter(|k| !item.contains_key(**k))
                    .filter_map(|k| el.get_key_value(*k).map(|(k, _)| k))
                    .collect();
                if missing.is_empty() {
                    out.push(Cow::Borrowed(item));
                } else {
                    let mut merged = item.clone();
                    for k in missing {
                        merged.insert(k.clone(), el[k].clone());
                    }
                    out.push(Cow::Owned(merged));
                }
            }
            Some(Value::String(url)) => {
                let mut o = el.clone();
                o.remove("item");
                o.insert("url".into(), Value::String(url.clone()));
                out.push(Cow::Owned(o));
            }
            _ => out.push(Cow::Borrowed(el)),
        }
    }
    out
}

fn record(o: &Obj, plans: &[FieldPlan], base: &Url, ids: &Ids<'_>) -> Vec<Found> {
    plans
        .iter()
        .map(|plan| {
            let Some(v) = lookup(o, plan, ids).and_then(|v| scalar(v, plan.ty, ids, 0)) else {
                return Found::missing();
            };
            match coerce_json(v, plan.ty, base) {
                Coerced::Empty => Found::missing(),
                value => Found {
                    value,
                    source: Source::Named,
                },
            }
        })
        .collect()
}

/// The value for a field: the role's schema.org paths first, then a property
/// named like the field, on the entity or one level down.
fn lookup<'a>(o: &'a Obj, plan: &FieldPlan, ids: &Ids<'a>) -> Option<&'a Value> {
    for path in paths(plan.role) {
        if let Some(v) = follow(o, path, ids) {
            return Some(v);
        }
    }
    let named = |o: &'a Obj| {
        o.iter()
            .find(|(k, v)| !v.is_null() && squash(k) == plan.squashed)
            .map(|(_, v)| v)
    };
    named(o).or_else(|| {
        o.values().find_map(|v| match v {
            Value::Object(inner) => named(ids.resolve(inner)),
            _ => None,
        })
    })
}

fn follow<'a>(o: &'a Obj, path: &str, ids: &Ids<'a>) -> Option<&'a Value> {
    let (key, rest) = match path.split_once('.') {
        Some((k, r)) => (k, Some(r)),
        None => (path, None),
    };
    let v = o.get(key).filter(|v| !v.is_null())?;
    let Some(rest) = rest else {
        return Some(v);
    };
    // Offers may be one object or a list of them: the first that has it.
    match v {
        Value::Object(inner) => follow(ids.resolve(inner), rest, ids),
        Value::Array(a) => a.iter().find_map(|x| match x {
            Value::Object(inner) => follow(ids.resolve(inner), rest, ids),
            _ => None,
        }),
        _ => None,
    }
}

/// One plain value out of what a property holds: the first of a list, the
/// url of an ImageObject, the name of a Brand.
fn scalar<'a>(v: &'a Value, ty: FieldType, ids: &Ids<'a>, depth: u8) -> Option<&'a Value> {
    if depth > 4 {
        return None;
    }
    match v {
        Value::Null => None,
        Value::Array(a) => a.iter().find_map(|x| scalar(x, ty, ids, depth + 1)),
        Value::Object(o) => {
            let o = ids.resolve(o);
            let keys: &[&str] = match ty {
                FieldType::Url => &["url", "contentUrl", "@id"],
                FieldType::String => &["name", "@value", "text", "value"],
                FieldType::Number | FieldType::Integer => {
                    &["value", "@value", "price", "ratingValue"]
                }
                FieldType::Datetime | FieldType::Boolean => &["@value", "value"],
            };
            keys.iter()
                .find_map(|k| o.get(*k))
                .and_then(|x| scalar(x, ty, ids, depth + 1))
        }
        _ => Some(v),
    }
}
