//! What changed between two runs of a monitor. Pure: items in, changes out.
//!
//! The previous run is held as its raw JSON texts plus an index by key, not
//! as parsed maps (a `Map` costs several times its text). A current item
//! whose text is byte-equal to its match is unchanged without parsing either
//! side in full, which is what most items of a monitor are; only records
//! that differ are parsed and compared field by field.

use regex::Regex;
use scraper_common::{ChangeCounts, ChangeKind, FieldChange, FieldType, OutputSchema, TextChange};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};
use similar::TextDiff;
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::time::Duration;

/// How two runs are compared.
#[derive(Debug, Clone, Default)]
pub struct Compare {
    /// The key fields: a record's key is their values, each rendered as text
    /// (strings as-is, numbers and booleans as JSON, null or missing as ""),
    /// joined by " | ". With no key fields every record's key is "", so
    /// records are matched in run order.
    pub key: Vec<String>,
    /// Text these match is removed from every string value (and from each
    /// line of the text field) before comparing.
    pub ignore: Vec<Regex>,
    /// For text monitors: this field holds a page's text and is compared
    /// line by line, giving `Change::Text` instead of `Change::Changed`.
    pub text_field: Option<String>,
}

/// One difference between the runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added {
        key: String,
        item: Map<String, Value>,
    },
    Removed {
        key: String,
        item: Map<String, Value>,
    },
    Changed(FieldChange),
    Text(TextChange),
}

impl Change {
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::Added { .. } => ChangeKind::Added,
            Change::Removed { .. } => ChangeKind::Removed,
            Change::Changed(_) => ChangeKind::Changed,
            Change::Text(_) => ChangeKind::Text,
        }
    }

    /// The record's key.
    pub fn key(&self) -> &str {
        match self {
            Change::Added { key, .. } | Change::Removed { key, .. } => key,
            Change::Changed(change) => &change.key,
            Change::Text(change) => &change.key,
        }
    }
}

/// The outcome: every change, in the current run's order (a record's field
/// changes in its field order), then the removed records in the previous
/// run's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// `baseline` and `notified` are left false: the caller knows them.
    pub counts: ChangeCounts,
}

/// No item in a chain of same-key items.
const END: usize = usize::MAX;

/// The previous run's items, indexed by key, built from each item's raw JSON
/// text in the run's order.
#[derive(Debug)]
pub struct Baseline {
    compare: Compare,
    /// The texts; a matched one is taken out, which frees it early.
    items: Vec<Option<String>>,
    /// Key -> its unmatched items, oldest first: the first and last of a
    /// chain through `next` (most keys have one item; a queue each would
    /// cost an allocation per record).
    index: HashMap<String, Chain>,
    next: Vec<usize>,
}

#[derive(Debug)]
struct Chain {
    head: usize,
    tail: usize,
}

impl Baseline {
    pub fn new(compare: Compare) -> Baseline {
        Baseline {
            compare,
            items: Vec::new(),
            index: HashMap::new(),
            next: Vec::new(),
        }
    }

    /// One item of the previous run, as stored (a JSON object's text).
    /// Texts that are not JSON objects are skipped.
    pub fn push(&mut self, raw: String) {
        let Some(key) = key_of_text(&raw, &self.compare.key) else {
            return;
        };
        let at = self.items.len();
        self.items.push(Some(raw));
        self.next.push(END);
        match self.index.entry(key) {
            Entry::Occupied(mut chain) => {
                let chain = chain.get_mut();
                self.next[chain.tail] = at;
                chain.tail = at;
            }
            Entry::Vacant(slot) => {
                slot.insert(Chain { head: at, tail: at });
            }
        }
    }

    /// The items kept (those that were JSON objects).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Starts comparing the current run's items against it.
    pub fn differ(self) -> Differ {
        Differ {
            base: self,
            changes: Vec::new(),
            counts: ChangeCounts::default(),
        }
    }

    /// The oldest unmatched item with this key, now matched.
    fn take(&mut self, key: &str) -> Option<usize> {
        let chain = self.index.get_mut(key)?;
        let at = chain.head;
        if self.next[at] == END {
            self.index.remove(key);
        } else {
            chain.head = self.next[at];
        }
        Some(at)
    }
}

/// Compares the current run's items, one by one, with a `Baseline`.
#[derive(Debug)]
pub struct Differ {
    base: Baseline,
    changes: Vec<Change>,
    counts: ChangeCounts,
}

impl Differ {
    /// One item of the current run, raw JSON text, in the run's order.
    /// Texts that are not JSON objects are skipped.
    pub fn push(&mut self, raw: &str) {
        let Some(key) = key_of_text(raw, &self.base.compare.key) else {
            return;
        };
        let Some(at) = self.base.take(&key) else {
            if let Some(item) = parse_object(raw) {
                self.added(key, item);
            }
            return;
        };
        let Some(previous) = self.base.items[at].take() else {
            return;
        };
        if previous == raw {
            self.counts.unchanged += 1;
            return;
        }
        // The key scan checks syntax only, so a number out of f64's range
        // can still fail here: such a current item is skipped (its match
        // stays, to count as removed), such a previous one never was a record.
        let Some(new) = parse_object(raw) else {
            self.base.items[at] = Some(previous);
            return;
        };
        let Some(old) = parse_object(&previous) else {
            self.added(key, new);
            return;
        };
        drop(previous);
        if !self.compare_records(&key, &old, &new) {
            self.counts.unchanged += 1;
        }
    }

    /// Ends: what the previous run had and no current item matched is
    /// removed, in the previous run's order.
    pub fn finish(mut self) -> Diff {
        let key = &self.base.compare.key;
        for raw in self.base.items.iter_mut().filter_map(Option::take) {
            let Some(item) = parse_object(&raw) else {
                continue;
            };
            self.counts.removed += 1;
            self.changes.push(Change::Removed {
                key: key_of_map(&item, key),
                item,
            });
        }
        Diff {
            changes: self.changes,
            counts: self.counts,
        }
    }

    fn added(&mut self, key: String, item: Map<String, Value>) {
        self.counts.added += 1;
        self.changes.push(Change::Added { key, item });
    }

    /// Records the differences of a matched pair; whether there was any.
    fn compare_records(
        &mut self,
        key: &str,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
    ) -> bool {
        let before = self.changes.len();
        for (field, value) in new {
            self.compare_field(key, field, old.get(field).unwrap_or(&NULL), value);
        }
        for (field, value) in old.iter().filter(|(field, _)| !new.contains_key(*field)) {
            self.compare_field(key, field, value, &NULL);
        }
        self.changes.len() > before
    }

    fn compare_field(&mut self, key: &str, field: &str, old: &Value, new: &Value) {
        let ignore = &self.base.compare.ignore;
        if self.base.compare.text_field.as_deref() == Some(field)
            && let (Value::String(old), Value::String(new)) = (old, new)
        {
            if let Some(change) = text_change(key, old, new, ignore) {
                self.counts.text_changed += 1;
                self.counts.lines_added += change.lines_added.len() as u64;
                self.counts.lines_removed += change.lines_removed.len() as u64;
                self.changes.push(Change::Text(change));
            }
            return;
        }
        if !same(old, new, ignore) {
            self.counts.changed += 1;
            self.changes
                .push(Change::Changed(field_change(key, field, old, new)));
        }
    }
}

/// The default key when `monitor.key` is not set: `url` if the schema has it,
/// else its first string field, else its first field. With no schema, the
/// first item's keys by the same rule (`url`, else the first key whose value
/// is a string, else the first key). Empty when neither has a field.
pub fn default_key(
    schema: Option<&OutputSchema>,
    first_item: Option<&Map<String, Value>>,
) -> Vec<String> {
    const URL: &str = "url";
    if let Some(schema) = schema.filter(|schema| !schema.is_empty()) {
        let name = if schema.contains_key(URL) {
            Some(URL)
        } else {
            schema
                .iter()
                .find(|(_, kind)| **kind == FieldType::String)
                .or_else(|| schema.first())
                .map(|(name, _)| name.as_str())
        };
        return name.map(|name| vec![name.to_string()]).unwrap_or_default();
    }
    let Some(item) = first_item else {
        return Vec::new();
    };
    let name = if item.contains_key(URL) {
        Some(URL)
    } else {
        item.iter()
            .find(|(_, value)| value.is_string())
            .or_else(|| item.iter().next())
            .map(|(name, _)| name.as_str())
    };
    name.map(|name| vec![name.to_string()]).unwrap_or_default()
}

static NULL: Value = Value::Null;

/// A page's text is rarely long enough for the line diff to take time, but a
/// pathological pair must not hold a run up; past this the diff is coarser.
const TEXT_DIFF_TIMEOUT: Duration = Duration::from_secs(2);

/// Lines of context around a change in the unified diff.
const CONTEXT_LINES: usize = 2;

fn parse_object(raw: &str) -> Option<Map<String, Value>> {
    serde_json::from_str(raw).ok()
}

/// The key of an item's text, reading only the key fields' values (the
/// rest is scanned, not built); `None` when the text is not a JSON object.
fn key_of_text(raw: &str, key: &[String]) -> Option<String> {
    let mut reader = serde_json::Deserializer::from_str(raw);
    let values = reader.deserialize_map(KeyFields(key)).ok()?;
    reader.end().ok()?;
    Some(render_key(values.iter().map(Option::as_ref)))
}

fn key_of_map(item: &Map<String, Value>, key: &[String]) -> String {
    render_key(key.iter().map(|field| item.get(field)))
}

fn render_key<'v>(values: impl Iterator<Item = Option<&'v Value>>) -> String {
    let mut key = String::new();
    for (i, value) in values.enumerate() {
        if i > 0 {
            key.push_str(" | ");
        }
        match value {
            None | Some(Value::Null) => {}
            Some(Value::String(text)) => key.push_str(text),
            Some(other) => key.push_str(&other.to_string()),
        }
    }
    key
}

/// Reads a JSON object, keeping the values of the named fields (in their
/// order; the last one wins if the object repeats a name).
struct KeyFields<'k>(&'k [String]);

impl<'de> Visitor<'de> for KeyFields<'_> {
    type Value = Vec<Option<Value>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = vec![None; self.0.len()];
        while let Some(FieldName(name)) = map.next_key()? {
            if self.0.iter().any(|field| *field == name) {
                let value: Value = map.next_value()?;
                for (slot, field) in values.iter_mut().zip(self.0) {
                    if *field == name {
                        *slot = Some(value.clone());
                    }
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(values)
    }
}

/// An object's field name, borrowed from the text unless it has escapes.
struct FieldName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for FieldName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl<'de> Visitor<'de> for Name {
            type Value = FieldName<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Borrowed(name)))
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Owned(name.to_owned())))
            }

            fn visit_string<E: de::Error>(self, name: String) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Owned(name)))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

/// Whether two values are the same once normalised: strings without the
/// ignored text and with whitespace collapsed, numbers by value, null the
/// same as missing (in nested objects too).
fn same(a: &Value, b: &Value, ignore: &[Regex]) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => same_number(a, b),
        (Value::String(a), Value::String(b)) => {
            a == b || normalize(a, ignore) == normalize(b, ignore)
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b, ignore))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.iter()
                .all(|(k, v)| same(v, b.get(k).unwrap_or(&NULL), ignore))
                && b.iter().all(|(k, v)| a.contains_key(k) || v.is_null())
        }
        _ => false,
    }
}

/// Integers exactly (beyond 2^53 too), anything else as f64: 1 == 1.0.
fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return a == b;
    }
    a.as_f64() == b.as_f64()
}

/// The text without what `ignore` matches, its whitespace collapsed.
fn normalize<'a>(text: &'a str, ignore: &[Regex]) -> Cow<'a, str> {
    let mut text = Cow::Borrowed(text);
    for pattern in ignore {
        let kept = match pattern.replace_all(&text, "") {
            Cow::Owned(kept) => Some(kept),
            Cow::Borrowed(_) => None,
        };
        if let Some(kept) = kept {
            text = Cow::Owned(kept);
        }
    }
    let collapsed = match collapse(&text) {
        Cow::Owned(collapsed) => Some(collapsed),
        Cow::Borrowed(_) => None,
    };
    collapsed.map_or(text, Cow::Owned)
}

/// Runs of whitespace as one space, none at the ends; borrowed when the
/// text already is so (most values).
pub(crate) fn collapse(text: &str) -> Cow<'_, str> {
    let mut after_space = true;
    let tidy = text.chars().all(|c| {
        let ok = !c.is_whitespace() || (c == ' ' && !after_space);
        after_space = c.is_whitespace();
        ok
    }) && !text.ends_with(' ');
    if tidy {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

fn field_change(key: &str, field: &str, old: &Value, new: &Value) -> FieldChange {
    let (mut delta, mut delta_percent) = (None, None);
    if let (Some(o), Some(n)) = (old.as_f64(), new.as_f64()) {
        let d = n - o;
        delta = Some(round(d, 10)).filter(|d| d.is_finite());
        // Of the old value's size, so a rise is positive for negative
        // numbers too (same as `delta / old` for the usual positive ones).
        if o != 0.0 {
            delta_percent = Some(round(d / o.abs() * 100.0, 2)).filter(|p| p.is_finite());
        }
    }
    FieldChange {
        key: key.to_string(),
        field: field.to_string(),
        old: old.clone(),
        new: new.clone(),
        delta,
        delta_percent,
    }
}

/// Rounds away float noise (19.99 - 17.99 is 1.9999999999999982).
fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    let rounded = (x * scale).round() / scale;
    if rounded.is_finite() { rounded } else { x }
}

/// The line diff of a watched text, `None` when its lines (after `ignore`,
/// whitespace collapsed, blank lines dropped) are the same.
fn text_change(key: &str, old: &str, new: &str, ignore: &[Regex]) -> Option<TextChange> {
    if old == new {
        return None;
    }
    let before = text_lines(old, ignore);
    let after = text_lines(new, ignore);
    if before == after {
        return None;
    }
    Some(TextChange {
        key: key.to_string(),
        lines_added: only_in(&after, &before),
        lines_removed: only_in(&before, &after),
        diff: unified_diff(&before, &after),
    })
}

fn text_lines(text: &str, ignore: &[Regex]) -> Vec<String> {
    text.lines()
        .map(|line| normalize(line, ignore))
        .filter(|line| !line.is_empty())
        .map(Cow::into_owned)
        .collect()
}

/// The lines of `these` that `those` does not have (as many times as it
/// lacks them), in order: a moved line is neither added nor removed.
fn only_in(these: &[String], those: &[String]) -> Vec<String> {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for line in those {
        *left.entry(line).or_default() += 1;
    }
    these
        .iter()
        .filter(|line| match left.get_mut(line.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

fn unified_diff(before: &[String], after: &[String]) -> String {
    let joined = |lines: &[String]| {
        lines
            .iter()
            .fold(String::new(), |text, line| text + line + "\n")
    };
    let (old, new) = (joined(before), joined(after));
    TextDiff::configure()
        .timeout(TEXT_DIFF_TIMEOUT)
        .diff_lines(&old, &new)
        .unified_diff()
        .context_radius(CONTEXT_LINES)
        .header("previous", "current")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn by(key: &[&str]) -> Compare {
        Compare {
            key: key.iter().map(|k| k.to_string()).collect(),
            ..Compare::default()
        }
    }

    fn run(compare: Compare, previous: &[Value], current: &[Value]) -> Diff {
        let mut baseline = Baseline::new(compare);
        for item in previous {
            baseline.push(item.to_string());
        }
        let mut differ = baseline.differ();
        for item in current {
            differ.push(&item.to_string());
        }
        differ.finish()
    }

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn product(n: u32, price: Value) -> Value {
        json!({"name": format!("Product {n}"), "url": format!("https://shop.example/p/{n}"), "price": price})
    }

    fn counts(added: u64, removed: u64, changed: u64, unchanged: u64) -> ChangeCounts {
        ChangeCounts {
            added,
            removed,
            changed,
            unchanged,
            ..ChangeCounts::default()
        }
    }

    #[test]
    fn two_prices_change_one_product_appears_one_goes() {
        let previous = [
            product(1, json!(10.0)),
            product(2, json!(20.5)),
            product(3, json!(30)),
            product(4, json!(40)),
        ];
        let current = [
            product(1, json!(10.0)),
            product(2, json!(18.45)),
            product(5, json!(50)),
            product(4, json!(44)),
        ];
        let diff = run(by(&["url"]), &previous, &current);
        assert_eq!(
            diff.changes,
            vec![
                Change::Changed(FieldChange {
                    key: "https://shop.example/p/2".into(),
                    field: "price".into(),
                    old: json!(20.5),
                    new: json!(18.45),
                    delta: Some(-2.05),
                    delta_percent: Some(-10.0),
                }),
                Change::Added {
                    key: "https://shop.example/p/5".into(),
                    item: object(product(5, json!(50))),
                },
                Change::Changed(FieldChange {
                    key: "https://shop.example/p/4".into(),
                    field: "price".into(),
                    old: json!(40),
                    new: json!(44),
                    delta: Some(4.0),
                    delta_percent: Some(10.0),
                }),
                Change::Removed {
                    key: "https://shop.example/p/3".into(),
                    item: object(product(3, json!(30))),
                },
            ]
        );
        assert_eq!(diff.counts, counts(1, 1, 2, 1));
        let kinds: Vec<ChangeKind> = diff.changes.iter().map(Change::kind).collect();
        assert_eq!(
            kinds,
            [
                ChangeKind::Changed,
                ChangeKind::Added,
                ChangeKind::Changed,
                ChangeKind::Removed
            ]
        );
        assert_eq!(diff.changes[1].key(), "https://shop.example/p/5");
    }

    #[test]
    fn nothing_changed_is_all_unchanged() {
        let items = [product(1, json!(1)), product(2, json!(2))];
        let diff = run(by(&["url"]), &items, &items);
        assert!(diff.changes.is_empty());
        assert_eq!(diff.counts, counts(0, 0, 0, 2));
        assert!(!diff.counts.any());
    }

    #[test]
    fn duplicate_keys_are_matched_in_order() {
        let previous = [
            json!({"k": "x", "v": 1}),
            json!({"k": "y", "v": 9}),
            json!({"k": "x", "v": 2}),
            json!({"k": "x", "v": 3}),
        ];
        let current = [
            json!({"k": "x", "v": 1}),
            json!({"k": "x", "v": 5}),
            json!({"k": "y", "v": 9}),
        ];
        let diff = run(by(&["k"]), &previous, &current);
        // 1st x with 1st x (same), 2nd with 2nd (2 -> 5), the 3rd x is gone.
        assert_eq!(diff.changes.len(), 2, "{:?}", diff.changes);
        match &diff.changes[0] {
            Change::Changed(change) => {
                assert_eq!((&change.old, &change.new), (&json!(2), &json!(5)));
            }
            other => panic!("expected a change, got {other:?}"),
        }
        assert_eq!(
            diff.changes[1],
            Change::Removed {
                key: "x".into(),
                item: object(json!({"k": "x", "v": 3})),
            }
        );
        assert_eq!(diff.counts, counts(0, 1, 1, 2));

        // More current items with a key than previous ones: the extra are added.
        let diff = run(by(&["k"]), &previous[..1], &current[..2]);
        assert_eq!(diff.counts, counts(1, 0, 0, 1));
        assert_eq!(
            diff.changes,
            vec![Change::Added {
                key: "x".into(),
                item: object(json!({"k": "x", "v": 5})),
            }]
        );
    }

    #[test]
    fn whitespace_and_ignored_text_are_no_change() {
        let compare = Compare {
            ignore: vec![Regex::new(r"\d{1,2}:\d{2}").unwrap()],
            ..by(&["url"])
        };
        let previous = [
            json!({"url": "a", "title": "Hello  world", "note": "Updated 10:32", "tags": ["a b"]}),
        ];
        let current = [
            json!({"url": "a", "title": " Hello world\n", "note": "Updated 11:05", "tags": ["a\tb "]}),
        ];
        let diff = run(compare.clone(), &previous, &current);
        assert!(diff.changes.is_empty(), "{:?}", diff.changes);
        assert_eq!(diff.counts, counts(0, 0, 0, 1));

        // A change beside the ignored text still counts, with the original values.
        let current =
            [json!({"url": "a", "title": "Hello world", "note": "Posted 11:05", "tags": ["a b"]})];
        let diff = run(compare, &previous, &current);
        assert_eq!(diff.counts, counts(0, 0, 1, 0));
        match &diff.changes[..] {
            [Change::Changed(change)] => {
                assert_eq!(change.field, "note");
                assert_eq!(
                    (&change.old, &change.new),
                    (&json!("Updated 10:32"), &json!("Posted 11:05"))
                );
                assert_eq!((change.delta, change.delta_percent), (None, None));
            }
            other => panic!("expected one change, got {other:?}"),
        }
    }

    #[test]
    fn numbers_compare_by_value_and_null_is_missing() {
        let previous = [json!({"id": "a", "n": 1, "gone": null, "nested": {"x": 1, "y": null}})];
        let current = [json!({"id": "a", "n": 1.0, "nested": {"x": 1.0}, "new": null})];
        let diff = run(by(&["id"]), &previous, &current);
        assert!(diff.changes.is_empty(), "{:?}", diff.changes);
        assert_eq!(diff.counts.unchanged, 1);

        // Big integers compare exactly, not through f64.
        let diff = run(
            by(&["id"]),
            &[json!({"id": "a", "n": 9007199254740993_u64})],
            &[json!({"id": "a", "n": 9007199254740992_u64})],
        );
        assert_eq!(diff.counts.changed, 1);
    }

    #[test]
    fn a_type_change_and_a_field_gone_are_changes() {
        let previous = [json!({"id": "a", "price": 5, "stock": "In stock"})];
        let current = [json!({"id": "a", "price": "5", "colour": "red"})];
        let diff = run(by(&["id"]), &previous, &current);
        let fields: Vec<(&str, &Value, &Value)> = diff
            .changes
            .iter()
            .map(|c| match c {
                Change::Changed(c) => (c.field.as_str(), &c.old, &c.new),
                other => panic!("expected field changes, got {other:?}"),
            })
            .collect();
        // The current item's field order, then fields only the previous had.
        assert_eq!(
            fields,
            [
                ("price", &json!(5), &json!("5")),
                ("colour", &Value::Null, &json!("red")),
                ("stock", &json!("In stock"), &Value::Null),
            ]
        );
        // Counted per field, the record is not unchanged.
        assert_eq!(diff.counts, counts(0, 0, 3, 0));
    }

    #[test]
    fn delta_and_delta_percent() {
        let change = |old: Value, new: Value| match &run(
            by(&["id"]),
            &[json!({"id": 1, "v": old})],
            &[json!({"id": 1, "v": new})],
        )
        .changes[..]
        {
            [Change::Changed(change)] => (change.delta, change.delta_percent),
            other => panic!("expected one change, got {other:?}"),
        };
        // Float noise is rounded away: 17.99 - 19.99 is -2.0000000000000018.
        assert_eq!(
            change(json!(19.99), json!(17.99)),
            (Some(-2.0), Some(-10.01))
        );
        assert_eq!(change(json!(10), json!(15)), (Some(5.0), Some(50.0)));
        assert_eq!(change(json!(3), json!(4)), (Some(1.0), Some(33.33)));
        assert_eq!(change(json!(-10), json!(-5)), (Some(5.0), Some(50.0)));
        assert_eq!(change(json!(0), json!(5)), (Some(5.0), None));
        assert_eq!(change(json!(0.0), json!(-1.5)), (Some(-1.5), None));
        assert_eq!(change(json!("5"), json!(6)), (None, None));
    }

    fn page(text: &str) -> Value {
        json!({"url": "https://example.com/", "text": text})
    }

    fn text_compare() -> Compare {
        Compare {
            ignore: vec![Regex::new(r"Last updated: \S+").unwrap()],
            text_field: Some("text".into()),
            ..by(&["url"])
        }
    }

    #[test]
    fn text_with_only_an_ignored_timestamp_changed_is_no_change() {
        let previous = [page(
            "Prices\nLast updated: 2024-05-01T10:00\n\nWidget  $5\n",
        )];
        let current = [page(
            "Prices\nLast updated: 2024-05-02T09:30\nWidget $5\n\n",
        )];
        let diff = run(text_compare(), &previous, &current);
        assert!(diff.changes.is_empty(), "{:?}", diff.changes);
        assert_eq!(diff.counts, counts(0, 0, 0, 1));
    }

    #[test]
    fn text_with_an_added_line_gives_that_line_and_a_unified_diff() {
        let previous = [page(
            "Prices\nLast updated: 10:00\nWidget $5\nGadget $7\nEnd",
        )];
        let current = [page(
            "Prices\nLast updated: 11:00\nWidget $5\nGizmo $9\nGadget $7\nEnd",
        )];
        let diff = run(text_compare(), &previous, &current);
        let change = match &diff.changes[..] {
            [Change::Text(change)] => change,
            other => panic!("expected one text change, got {other:?}"),
        };
        assert_eq!(change.key, "https://example.com/");
        assert_eq!(change.lines_added, ["Gizmo $9"]);
        assert!(change.lines_removed.is_empty());
        assert_eq!(
            change.diff,
            "--- previous\n+++ current\n@@ -1,4 +1,5 @@\n Prices\n Widget $5\n+Gizmo $9\n Gadget $7\n End\n"
        );
        assert_eq!(
            diff.counts,
            ChangeCounts {
                text_changed: 1,
                lines_added: 1,
                ..ChangeCounts::default()
            }
        );
    }

    #[test]
    fn text_diff_has_two_lines_of_context_and_counts_removed_lines() {
        let lines: Vec<String> = (1..=10).map(|n| format!("line {n}")).collect();
        let mut changed = lines.clone();
        changed[5] = "line six".into();
        let diff = run(
            text_compare(),
            &[page(&lines.join("\n"))],
            &[page(&changed.join("\n"))],
        );
        let [Change::Text(change)] = &diff.changes[..] else {
            panic!("expected one text change, got {:?}", diff.changes);
        };
        assert_eq!(change.lines_added, ["line six"]);
        assert_eq!(change.lines_removed, ["line 6"]);
        assert!(
            change.diff.contains(
                "@@ -4,5 +4,5 @@\n line 4\n line 5\n-line 6\n+line six\n line 7\n line 8\n"
            )
        );
        assert_eq!((diff.counts.lines_added, diff.counts.lines_removed), (1, 1));
    }

    #[test]
    fn a_moved_line_is_a_text_change_with_nothing_added_or_removed() {
        let diff = run(text_compare(), &[page("a\nb\nc")], &[page("c\na\nb")]);
        let [Change::Text(change)] = &diff.changes[..] else {
            panic!("expected one text change, got {:?}", diff.changes);
        };
        assert!(change.lines_added.is_empty() && change.lines_removed.is_empty());
        assert_eq!(diff.counts.text_changed, 1);
        assert_eq!(diff.counts.unchanged, 0);
    }

    #[test]
    fn the_text_field_beside_other_fields_and_when_not_a_string() {
        let previous = [json!({"url": "u", "title": "A", "text": "one"})];
        let current = [json!({"url": "u", "title": "B", "text": "one\ntwo"})];
        let diff = run(text_compare(), &previous, &current);
        assert_eq!(
            diff.changes.iter().map(Change::kind).collect::<Vec<_>>(),
            [ChangeKind::Changed, ChangeKind::Text]
        );
        assert_eq!((diff.counts.changed, diff.counts.text_changed), (1, 1));

        // No text before: compared as a plain field.
        let diff = run(
            text_compare(),
            &[json!({"url": "https://example.com/", "text": null})],
            &[page("hello")],
        );
        assert_eq!(diff.counts, counts(0, 0, 1, 0));
    }

    #[test]
    fn a_multi_field_key() {
        let compare = by(&["name", "size", "id"]);
        let previous = [
            json!({"name": "Shirt", "size": "M", "id": 7, "price": 10}),
            json!({"name": "Shirt", "size": "L", "id": 7, "price": 12}),
        ];
        let current = [
            json!({"name": "Shirt", "size": "L", "id": 7, "price": 13}),
            json!({"name": "Shirt", "id": 7, "price": 10}),
        ];
        let diff = run(compare, &previous, &current);
        let keys: Vec<(ChangeKind, &str)> =
            diff.changes.iter().map(|c| (c.kind(), c.key())).collect();
        assert_eq!(
            keys,
            [
                (ChangeKind::Changed, "Shirt | L | 7"),
                (ChangeKind::Added, "Shirt |  | 7"),
                (ChangeKind::Removed, "Shirt | M | 7"),
            ]
        );
    }

    #[test]
    fn key_values_render_as_text() {
        let key = ["s", "n", "f", "b", "z", "missing", "a"].map(String::from);
        let raw = r#"{"a": [1, "x"], "s": "caf\u00e9", "n": 42, "f": 1.5, "b": true, "z": null}"#;
        let expected = r#"café | 42 | 1.5 | true |  |  | [1,"x"]"#;
        assert_eq!(key_of_text(raw, &key).as_deref(), Some(expected));
        assert_eq!(
            key_of_map(&serde_json::from_str(raw).unwrap(), &key),
            expected
        );
        // The last of a repeated name wins, as in a parsed map; an escaped name is read.
        assert_eq!(
            key_of_text(r#"{"s": "a", "\u0073": "b"}"#, &key[..1]).as_deref(),
            Some("b")
        );
        // No key fields: every record's key is "".
        assert_eq!(key_of_text(r#"{"s": "a"}"#, &[]).as_deref(), Some(""));
    }

    #[test]
    fn texts_that_are_not_json_objects_are_skipped() {
        let mut baseline = Baseline::new(by(&["id"]));
        assert!(baseline.is_empty());
        for raw in [
            "[1, 2]",
            "\"text\"",
            "{\"id\": 1",
            "{\"id\": 1} trailing",
            "",
            "{\"id\": 1}",
        ] {
            baseline.push(raw.to_string());
        }
        assert_eq!(baseline.len(), 1);
        let mut differ = baseline.differ();
        for raw in ["null", "{oops}", "{\"id\": 1}", "{\"id\": 2, \"n\": 1e400}"] {
            differ.push(raw);
        }
        let diff = differ.finish();
        assert!(diff.changes.is_empty(), "{:?}", diff.changes);
        assert_eq!(diff.counts, counts(0, 0, 0, 1));
    }

    #[test]
    fn removed_records_come_in_the_previous_runs_order() {
        let previous: Vec<Value> = (1..=5).map(|n| product(n, json!(n))).collect();
        let current = [product(4, json!(4)), product(2, json!(2))];
        let diff = run(by(&["url"]), &previous, &current);
        let removed: Vec<&str> = diff.changes.iter().map(Change::key).collect();
        assert_eq!(
            removed,
            [
                "https://shop.example/p/1",
                "https://shop.example/p/3",
                "https://shop.example/p/5"
            ]
        );
        assert_eq!(diff.counts, counts(0, 3, 0, 2));
    }

    #[test]
    fn an_empty_previous_run_makes_everything_added() {
        let current = [product(1, json!(1)), product(2, json!(2))];
        let diff = run(by(&["url"]), &[], &current);
        assert_eq!(diff.counts, counts(2, 0, 0, 0));
    }

    #[test]
    fn collapse_whitespace() {
        for (text, expected, borrowed) in [
            ("", "", true),
            ("a b", "a b", true),
            (" a", "a", false),
            ("a ", "a", false),
            ("a  b", "a b", false),
            ("a\tb\n", "a b", false),
            ("a\u{a0}b", "a b", false),
            ("   ", "", false),
        ] {
            let collapsed = collapse(text);
            assert_eq!(collapsed, expected, "{text:?}");
            assert_eq!(matches!(collapsed, Cow::Borrowed(_)), borrowed, "{text:?}");
        }
    }

    fn schema(fields: &[(&str, FieldType)]) -> OutputSchema {
        fields.iter().map(|(n, t)| (n.to_string(), *t)).collect()
    }

    #[test]
    fn default_key_rules() {
        use FieldType::*;
        let key = |s: &OutputSchema| default_key(Some(s), None);
        assert_eq!(key(&schema(&[("name", String), ("url", Url)])), ["url"]);
        assert_eq!(
            key(&schema(&[
                ("price", Number),
                ("link", Url),
                ("title", String)
            ])),
            ["title"]
        );
        assert_eq!(
            key(&schema(&[("price", Number), ("n", Integer)])),
            ["price"]
        );

        let item = object;
        let first = |v: Value| default_key(None, Some(&item(v)));
        assert_eq!(first(json!({"name": "a", "url": "u"})), ["url"]);
        assert_eq!(
            first(json!({"price": 1, "title": "t", "sku": "s"})),
            ["title"]
        );
        assert_eq!(first(json!({"price": 1, "n": 2})), ["price"]);

        // The schema decides when there is one; an empty one does not.
        let with_both = default_key(
            Some(&schema(&[("sku", String)])),
            Some(&item(json!({"url": "u"}))),
        );
        assert_eq!(with_both, ["sku"]);
        assert_eq!(
            default_key(Some(&schema(&[])), Some(&item(json!({"url": "u"})))),
            ["url"]
        );
        assert!(default_key(None, None).is_empty());
        assert!(default_key(None, Some(&Map::new())).is_empty());
    }
}
