//! Microdata (`itemscope`/`itemprop`) as schema.org-shaped JSON objects.

use serde_json::{Map, Value};

use super::super::dom::{self, Dom};

/// The page's top-level items, nested items as nested objects.
pub(crate) fn items(dom: &Dom<'_>) -> Vec<Value> {
    dom.itemscopes
        .iter()
        .filter(|&&i| !dom.node(i).has(dom::ITEMPROP) || owner(dom, i).is_none())
        .map(|&i| item(dom, i, 0))
        .collect()
}

/// The nearest enclosing item of a node.
fn owner(dom: &Dom<'_>, i: u32) -> Option<u32> {
    let mut p = dom.node(i).parent;
    while p != u32::MAX {
        if dom.node(p).has(dom::ITEMSCOPE) {
            return Some(p);
        }
        p = dom.node(p).parent;
    }
    None
}

fn item(dom: &Dom<'_>, i: u32, depth: u8) -> Value {
    let mut o = Map::new();
    if let Some(t) = dom
        .node(i)
        .attr("itemtype")
        .and_then(|t| t.split_whitespace().next())
    {
        o.insert("@type".into(), Value::String(t.to_string()));
    }
    for c in dom.subtree(i).skip(1) {
        let node = dom.node(c);
        if !node.has(dom::ITEMPROP) || owner(dom, c) != Some(i) {
            continue;
        }
        let value = if node.has(dom::ITEMSCOPE) {
            if depth >= 6 {
                continue;
            }
            item(dom, c, depth + 1)
        } else {
            Value::String(value_of(dom, c).to_string())
        };
        for name in node.attr("itemprop").unwrap_or("").split_whitespace() {
            match o.get_mut(name) {
                Some(Value::Array(list)) => list.push(value.clone()),
                Some(first) => {
                    let first = first.take();
                    o.insert(name.to_string(), Value::Array(vec![first, value.clone()]));
                }
                None => {
                    o.insert(name.to_string(), value.clone());
                }
            }
        }
    }
    Value::Object(o)
}

/// A property's value by the microdata rules: the address for links and
/// media, `datetime` for times, `content` wherever given, else the text.
fn value_of<'d>(dom: &'d Dom<'_>, i: u32) -> &'d str {
    let node = dom.node(i);
    let attr = |name: &str| node.attr(name);
    let by_tag = match node.tag() {
        "meta" => attr("content"),
        "a" | "area" | "link" => attr("href"),
        "img" | "audio" | "video" | "source" | "track" | "embed" | "iframe" => attr("src"),
        "object" => attr("data"),
        "data" | "meter" => attr("value"),
        "time" => attr("datetime"),
        _ => None,
    };
    attr("content").or(by_tag).unwrap_or_else(|| dom.text(i))
}
