//! Whether a run's changes are worth a `changes.detected` notification under
//! the monitor's `notifyOn`. Pure: it reads the diff only.

use super::diff::{Change, Diff, collapse};
use scraper_common::{CompareOp, Condition, NotifyOn};
use serde_json::Value;

/// Float noise must not decide a threshold: a fall from 19.99 to 17.991 is
/// 10 percent, though the division says 9.999999999999995.
const PERCENT_SLACK: f64 = 1e-9;

/// Whether the diff matches `notify_on` (`None` means "any"): any one
/// condition matching is enough.
pub fn matches(notify_on: Option<&NotifyOn>, diff: &Diff) -> bool {
    match notify_on {
        None => holds(&Condition::Any, diff),
        Some(NotifyOn(conditions)) => conditions.iter().any(|condition| holds(condition, diff)),
    }
}

fn holds(condition: &Condition, diff: &Diff) -> bool {
    let mut changes = diff.changes.iter();
    match condition {
        Condition::Any => !diff.changes.is_empty(),
        Condition::Added => changes.any(|c| matches!(c, Change::Added { .. })),
        Condition::Removed => changes.any(|c| matches!(c, Change::Removed { .. })),
        Condition::Fields(fields) => {
            changes.any(|c| matches!(c, Change::Changed(change) if fields.contains(&change.field)))
        }
        Condition::Compare { field, op, value } => changes.any(|c| match c {
            Change::Changed(change) if change.field == *field => compare(&change.new, *op, value),
            Change::Added { item, .. } => {
                item.get(field).is_some_and(|new| compare(new, *op, value))
            }
            _ => false,
        }),
        Condition::DropPercent { field, percent } => changes.any(|c| match c {
            Change::Changed(change) if change.field == *field => {
                match (change.old.as_f64(), change.new.as_f64()) {
                    (Some(old), Some(new)) if old > 0.0 => {
                        (old - new) / old * 100.0 >= percent - PERCENT_SLACK
                    }
                    _ => false,
                }
            }
            _ => false,
        }),
        Condition::TextContains(text) => {
            let holds_it =
                |value: &Value| value.as_str().is_some_and(|s| s.contains(text.as_str()));
            changes.any(|c| match c {
                Change::Text(change) => change
                    .lines_added
                    .iter()
                    .any(|line| line.contains(text.as_str())),
                Change::Changed(change) => holds_it(&change.new),
                Change::Added { item, .. } => item.values().any(holds_it),
                Change::Removed { .. } => false,
            })
        }
    }
}

/// `new op value`. Numbers compare only with JSON numbers (a string that
/// reads as a number is a string); `eq` and `ne` compare strings (whitespace
/// collapsed) and booleans too, and any other pair is not equal. A null
/// (the field gone) satisfies nothing.
fn compare(new: &Value, op: CompareOp, value: &Value) -> bool {
    if new.is_null() {
        return false;
    }
    if let (Some(new), Some(value)) = (new.as_f64(), value.as_f64()) {
        return match op {
            CompareOp::Lt => new < value,
            CompareOp::Lte => new <= value,
            CompareOp::Gt => new > value,
            CompareOp::Gte => new >= value,
            CompareOp::Eq => new == value,
            CompareOp::Ne => new != value,
        };
    }
    let equal = match (new, value) {
        (Value::String(new), Value::String(value)) => collapse(new) == collapse(value),
        (Value::Bool(new), Value::Bool(value)) => new == value,
        _ => false,
    };
    match op {
        CompareOp::Eq => equal,
        CompareOp::Ne => !equal,
        CompareOp::Lt | CompareOp::Lte | CompareOp::Gt | CompareOp::Gte => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper_common::{ChangeCounts, FieldChange, TextChange};
    use serde_json::{Map, json};

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn changed(field: &str, old: Value, new: Value) -> Change {
        Change::Changed(FieldChange {
            key: "k".into(),
            field: field.into(),
            old,
            new,
            delta: None,
            delta_percent: None,
        })
    }

    fn added(item: Value) -> Change {
        Change::Added {
            key: "k".into(),
            item: object(item),
        }
    }

    fn removed(item: Value) -> Change {
        Change::Removed {
            key: "k".into(),
            item: object(item),
        }
    }

    fn text(added: &[&str], removed: &[&str]) -> Change {
        Change::Text(TextChange {
            key: "k".into(),
            lines_added: added.iter().map(|s| s.to_string()).collect(),
            lines_removed: removed.iter().map(|s| s.to_string()).collect(),
            diff: String::new(),
        })
    }

    fn diff(changes: Vec<Change>) -> Diff {
        Diff {
            changes,
            counts: ChangeCounts::default(),
        }
    }

    /// Whether this one condition (given as `notifyOn` JSON) matches.
    fn on(condition: Value, changes: Vec<Change>) -> bool {
        let notify_on = NotifyOn::try_from(condition).unwrap();
        matches(Some(&notify_on), &diff(changes))
    }

    #[test]
    fn no_notify_on_means_any_change() {
        assert!(!matches(None, &diff(vec![])));
        assert!(matches(None, &diff(vec![removed(json!({"a": 1}))])));
        assert!(matches(None, &diff(vec![text(&[], &[])])));
    }

    #[test]
    fn any() {
        assert!(!on(json!("any"), vec![]));
        for change in [
            added(json!({"a": 1})),
            removed(json!({"a": 1})),
            changed("a", json!(1), json!(2)),
            text(&["x"], &[]),
        ] {
            assert!(on(json!("any"), vec![change]));
        }
    }

    #[test]
    fn added_and_removed() {
        let others = || vec![changed("a", json!(1), json!(2)), text(&["x"], &["y"])];
        assert!(!on(json!("added"), others()));
        assert!(!on(json!("removed"), others()));
        assert!(!on(json!("added"), vec![removed(json!({"a": 1}))]));
        assert!(!on(json!("removed"), vec![added(json!({"a": 1}))]));
        assert!(on(
            json!("added"),
            [others(), vec![added(json!({"a": 1}))]].concat()
        ));
        assert!(on(
            json!("removed"),
            [others(), vec![removed(json!({"a": 1}))]].concat()
        ));
    }

    #[test]
    fn fields() {
        let condition = || json!({"fields": ["price", "stock"]});
        assert!(on(
            condition(),
            vec![changed("stock", json!("In"), json!("Out"))]
        ));
        assert!(!on(
            condition(),
            vec![changed("name", json!("A"), json!("B"))]
        ));
        assert!(!on(
            condition(),
            vec![added(json!({"price": 1})), removed(json!({"stock": "x"}))]
        ));
    }

    #[test]
    fn compare_numbers() {
        let lt = || json!({"field": "price", "op": "lt", "value": 10});
        assert!(on(lt(), vec![changed("price", json!(12), json!(9.5))]));
        assert!(!on(lt(), vec![changed("price", json!(12), json!(10))]));
        assert!(!on(lt(), vec![changed("cost", json!(12), json!(5))]));
        // A new record counts with its value; a removed one does not.
        assert!(on(lt(), vec![added(json!({"price": 5}))]));
        assert!(!on(lt(), vec![added(json!({"name": "no price"}))]));
        assert!(!on(lt(), vec![removed(json!({"price": 5}))]));
        // A number in a string is a string.
        assert!(!on(lt(), vec![changed("price", json!("12"), json!("5"))]));
        assert!(!on(lt(), vec![changed("price", json!(12), Value::Null)]));

        let op = |op: &str, new: Value| {
            on(
                json!({"field": "n", "op": op, "value": 10}),
                vec![changed("n", json!(0), new)],
            )
        };
        assert!(op("lte", json!(10)) && !op("lte", json!(10.5)));
        assert!(op("gt", json!(10.5)) && !op("gt", json!(10)));
        assert!(op("gte", json!(10.0)) && !op("gte", json!(9)));
        assert!(op("eq", json!(10.0)) && !op("eq", json!(11)));
        assert!(op("ne", json!(11)) && !op("ne", json!(10)));
    }

    #[test]
    fn compare_strings_and_booleans() {
        let eq = |value: Value, new: Value| {
            on(
                json!({"field": "f", "op": "eq", "value": value}),
                vec![changed("f", Value::Null, new)],
            )
        };
        let ne = |value: Value, new: Value| {
            on(
                json!({"field": "f", "op": "ne", "value": value}),
                vec![changed("f", Value::Null, new)],
            )
        };
        assert!(eq(json!("Out of stock"), json!(" Out  of\nstock ")));
        assert!(!eq(json!("Out of stock"), json!("out of stock")));
        assert!(eq(json!(true), json!(true)));
        assert!(!eq(json!(true), json!(false)));
        assert!(!eq(json!("5"), json!(5)));
        assert!(ne(json!("Out of stock"), json!("In stock")));
        assert!(!ne(json!("Out of stock"), json!("Out of stock")));
        assert!(ne(json!(false), json!(true)));
        // A field gone is not "not equal": it has no value.
        assert!(!ne(json!("Out of stock"), Value::Null));
    }

    #[test]
    fn drop_percent() {
        let drop10 = |old: Value, new: Value| {
            on(
                json!({"field": "price", "dropPercent": 10}),
                vec![changed("price", old, new)],
            )
        };
        assert!(drop10(json!(100), json!(90)));
        assert!(drop10(json!(100), json!(50)));
        assert!(drop10(json!(19.99), json!(17.991)));
        assert!(!drop10(json!(100), json!(91)));
        assert!(!drop10(json!(100), json!(120)));
        assert!(!drop10(json!(0), json!(-5)));
        assert!(!drop10(json!(-10), json!(-20)));
        assert!(!drop10(json!("100"), json!("50")));
        assert!(!drop10(json!(100), Value::Null));
        assert!(!on(
            json!({"field": "price", "dropPercent": 10}),
            vec![
                changed("cost", json!(100), json!(10)),
                added(json!({"price": 1}))
            ]
        ));
    }

    #[test]
    fn text_contains() {
        let sale = || json!({"textContains": "Sale"});
        assert!(on(sale(), vec![text(&["Big Sale today"], &[])]));
        assert!(!on(sale(), vec![text(&["big sale today"], &[])]));
        assert!(!on(sale(), vec![text(&["Other"], &["Sale ended"])]));
        assert!(on(
            sale(),
            vec![changed("banner", json!("None"), json!("Sale!"))]
        ));
        assert!(!on(
            sale(),
            vec![changed("banner", json!("Sale!"), json!("None"))]
        ));
        assert!(!on(sale(), vec![changed("n", json!(1), json!(2))]));
        assert!(on(sale(), vec![added(json!({"n": 1, "badge": "On Sale"}))]));
        assert!(!on(sale(), vec![added(json!({"n": 1, "tags": ["Sale"]}))]));
        assert!(!on(sale(), vec![removed(json!({"badge": "On Sale"}))]));
    }

    #[test]
    fn a_list_matches_when_any_condition_does() {
        let conditions = || json!(["removed", {"field": "price", "dropPercent": 20}]);
        assert!(!on(
            conditions(),
            vec![
                added(json!({"a": 1})),
                changed("price", json!(10), json!(9))
            ]
        ));
        assert!(on(
            conditions(),
            vec![changed("price", json!(10), json!(8))]
        ));
        assert!(on(conditions(), vec![removed(json!({"a": 1}))]));
    }
}
