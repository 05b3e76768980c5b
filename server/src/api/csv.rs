//! RFC 4180 records: a field is quoted when it holds a comma, quote or line
//! break; nested values are written as JSON text; null as empty.

use serde_json::{Map, Value};

/// The header record.
pub fn header(out: &mut String, columns: &[String]) {
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, column);
    }
    out.push_str("\r\n");
}

/// One item's record, its values under `columns`.
pub fn row(out: &mut String, columns: &[String], item: &Map<String, Value>) {
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match item.get(column) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => field(out, s),
            Some(other) => field(out, &other.to_string()),
        }
    }
    out.push_str("\r\n");
}

fn field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let columns: Vec<String> = ["a", "b,c", "d", "e", "f"].map(String::from).into();
        let item =
            json!({"a": "plain", "b,c": "say \"hi\"", "d": "two\nlines", "e": null, "f": [1, "x"]});
        let mut out = String::new();
        header(&mut out, &columns);
        row(&mut out, &columns, item.as_object().unwrap());
        assert_eq!(
            out,
            "a,\"b,c\",d,e,f\r\nplain,\"say \"\"hi\"\"\",\"two\nlines\",,\"[1,\"\"x\"\"]\"\r\n"
        );
    }
}
