//! JSON-LD blocks as written in the wild: wrapped in comments or CDATA,
//! with raw newlines inside strings, several objects in one block.

use serde_json::{Deserializer, Value};

/// Every JSON value found in the page's ld+json scripts, in page order.
pub(crate) fn parse_blocks(blocks: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for block in blocks {
        let body = unwrap(block);
        if body.is_empty() {
            continue;
        }
        if !parse_into(body, &mut out) {
            // Raw control characters inside strings are invalid JSON but common.
            let cleaned: String = body
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            parse_into(&cleaned, &mut out);
        }
    }
    out
}

fn unwrap(block: &str) -> &str {
    let mut s = block.trim();
    for prefix in ["<!--", "//<![CDATA[", "<![CDATA["] {
        s = s.strip_prefix(prefix).unwrap_or(s).trim_start();
    }
    for suffix in ["-->", "//]]>", "]]>"] {
        s = s.strip_suffix(suffix).unwrap_or(s).trim_end();
    }
    s.trim_end_matches(';').trim()
}

/// Reads one or more concatenated values; false if the first one fails.
fn parse_into(body: &str, out: &mut Vec<Value>) -> bool {
    let mut any = false;
    for value in Deserializer::from_str(body).into_iter::<Value>() {
        match value {
            Ok(v) => {
                out.push(v);
                any = true;
            }
            Err(_) => break,
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_wrappers_and_raw_newlines() {
        let blocks = vec![
            "<!-- {\"@type\": \"Product\"} -->".to_string(),
            "{\"name\": \"a\nb\"}".to_string(),
            "{\"a\":1}{\"b\":2}".to_string(),
            "not json".to_string(),
        ];
        let values = parse_blocks(&blocks);
        assert_eq!(values.len(), 4);
        assert_eq!(values[1]["name"], "a b");
    }
}
