//! Python's `json.dumps`, in the two forms the shop writes: the product
//! pages' JSON-LD and expected.json. serde_json's own output differs in
//! separators and in which characters it escapes.

use super::py_format::repr;
use serde_json::Value;

#[derive(Clone, Copy, PartialEq)]
pub enum Style {
    /// `json.dumps(v)`: one line, `", "` and `": "`, nothing outside
    /// printable ASCII left unescaped.
    Inline,
    /// `json.dumps(v, ensure_ascii=False, indent=0)`: each item on a line of
    /// its own, text kept as it is.
    Lines,
}

pub fn dumps(value: &Value, style: Style) -> String {
    let mut out = String::new();
    write(&mut out, value, style);
    out
}

fn write(out: &mut String, value: &Value, style: Style) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => out.push_str(&repr(x)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => string(out, s, style),
        Value::Array(items) => {
            container(out, ('[', ']'), items.iter(), style, |out, item| {
                write(out, item, style)
            });
        }
        Value::Object(map) => {
            container(out, ('{', '}'), map.iter(), style, |out, (key, item)| {
                string(out, key, style);
                out.push_str(": ");
                write(out, item, style);
            });
        }
    }
}

/// The brackets and separators around items. With `indent=0` every level
/// is indented by nothing, so one newline is all a level adds.
fn container<I: ExactSizeIterator>(
    out: &mut String,
    (open, close): (char, char),
    items: I,
    style: Style,
    mut item: impl FnMut(&mut String, I::Item),
) {
    out.push(open);
    let empty = items.len() == 0;
    let (first, between) = match style {
        Style::Inline => ("", ", "),
        Style::Lines => ("\n", ",\n"),
    };
    for (i, it) in items.enumerate() {
        out.push_str(if i == 0 { first } else { between });
        item(out, it);
    }
    if style == Style::Lines && !empty {
        out.push('\n');
    }
    out.push(close);
}

fn string(out: &mut String, s: &str, style: Style) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' || (style == Style::Inline && c > '~') => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::{Style, dumps};
    use serde_json::json;

    // The expected strings are what CPython 3.11's json.dumps writes.

    #[test]
    fn inline_escapes_everything_outside_ascii() {
        let value =
            json!({"name": "Chef's Café 12\" \\ \u{7f}\u{1}😀", "n": [1, 4.0, 2.5], "e": {}});
        assert_eq!(
            dumps(&value, Style::Inline),
            r#"{"name": "Chef's Caf\u00e9 12\" \\ \u007f\u0001\ud83d\ude00", "n": [1, 4.0, 2.5], "e": {}}"#
        );
    }

    #[test]
    fn lines_keep_text_and_break_every_item() {
        let value =
            json!({"base": "b", "products": [{"name": "Café\u{7f}\t", "price": 12.0}], "none": []});
        assert_eq!(
            dumps(&value, Style::Lines),
            "{\n\"base\": \"b\",\n\"products\": [\n{\n\"name\": \"Café\u{7f}\\t\",\n\"price\": 12.0\n}\n],\n\"none\": []\n}"
        );
    }
}
