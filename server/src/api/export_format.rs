//! How an export's body is laid out, a page of items at a time, so that the
//! pages written one after another make the body a single write would.

use super::csv;
use serde_json::{Map, Value};

pub enum Format {
    /// `{"data":[...],"total":N}`: the stored texts joined as they are, not
    /// re-encoded.
    Json,
    /// One stored text a line.
    Ndjson,
    /// A header record of these columns, then a record an item.
    Csv(Vec<String>),
}

impl Format {
    pub fn content_type(&self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Ndjson => "application/x-ndjson",
            Format::Csv(_) => "text/csv; charset=utf-8",
        }
    }

    /// What comes before the first item.
    pub fn head(&self) -> String {
        match self {
            Format::Json => "{\"data\":[".to_string(),
            Format::Ndjson => String::new(),
            Format::Csv(columns) => {
                let mut out = String::new();
                csv::header(&mut out, columns);
                out
            }
        }
    }

    /// A page of stored texts; `first` when no item came before it.
    pub fn page(&self, texts: &[String], first: bool) -> String {
        let size = texts.iter().map(|t| t.len() + 1).sum();
        let mut out = String::with_capacity(size);
        match self {
            Format::Json => {
                for (i, text) in texts.iter().enumerate() {
                    if i > 0 || !first {
                        out.push(',');
                    }
                    out.push_str(text);
                }
            }
            Format::Ndjson => {
                for text in texts {
                    out.push_str(text);
                    out.push('\n');
                }
            }
            Format::Csv(columns) => {
                // A text that is not an object has no fields to put in
                // columns; it is left out, as it always was.
                for item in texts
                    .iter()
                    .filter_map(|t| serde_json::from_str::<Map<String, Value>>(t).ok())
                {
                    csv::row(&mut out, columns, &item);
                }
            }
        }
        out
    }

    /// Whether the body ends with the run's total, which then has to be counted.
    pub fn ends_with_total(&self) -> bool {
        matches!(self, Format::Json)
    }

    /// What comes after the last item.
    pub fn tail(&self, total: u64) -> String {
        match self {
            Format::Json => format!("],\"total\":{total}}}"),
            Format::Ndjson | Format::Csv(_) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(format: &Format, pages: &[&[&str]], total: u64) -> String {
        let mut out = format.head();
        for (i, page) in pages.iter().enumerate() {
            let texts: Vec<String> = page.iter().map(|t| t.to_string()).collect();
            out.push_str(&format.page(&texts, i == 0));
        }
        out + &format.tail(total)
    }

    #[test]
    fn pages_join_into_one_body() {
        let pages: &[&[&str]] = &[&[r#"{"a":1}"#, r#"{"a":2}"#], &[r#"{"a":3,"b":"x"}"#]];
        assert_eq!(
            body(&Format::Json, pages, 9),
            r#"{"data":[{"a":1},{"a":2},{"a":3,"b":"x"}],"total":9}"#
        );
        assert_eq!(body(&Format::Json, &[], 0), r#"{"data":[],"total":0}"#);
        assert_eq!(
            body(&Format::Ndjson, pages, 9),
            "{\"a\":1}\n{\"a\":2}\n{\"a\":3,\"b\":\"x\"}\n"
        );
        let csv = Format::Csv(vec!["a".into(), "b".into()]);
        assert_eq!(body(&csv, pages, 9), "a,b\r\n1,\r\n2,\r\n3,x\r\n");
        assert_eq!(
            body(&csv, &[&["[1]"]], 1),
            "a,b\r\n",
            "no record for a non-object"
        );
    }
}
