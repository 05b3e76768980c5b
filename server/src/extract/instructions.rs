//! Guessing a schema from a sentence such as "Extract all product names and
//! prices". Only used when the spec has no schema: a schema always wins.

use super::types::{FieldType, Schema};

/// Words a person uses for a field -> the field name and type they get.
/// Plurals are folded before lookup, so only singulars are listed.
const WORDS: &[(&str, &str, FieldType)] = &[
    ("name", "name", FieldType::String),
    ("title", "title", FieldType::String),
    ("headline", "title", FieldType::String),
    ("heading", "title", FieldType::String),
    ("price", "price", FieldType::Number),
    ("cost", "price", FieldType::Number),
    ("amount", "price", FieldType::Number),
    ("url", "url", FieldType::Url),
    ("link", "url", FieldType::Url),
    ("href", "url", FieldType::Url),
    ("address", "address", FieldType::String),
    ("image", "image", FieldType::Url),
    ("img", "image", FieldType::Url),
    ("photo", "image", FieldType::Url),
    ("picture", "image", FieldType::Url),
    ("thumbnail", "image", FieldType::Url),
    ("rating", "rating", FieldType::Number),
    ("star", "rating", FieldType::Number),
    ("score", "rating", FieldType::Number),
    ("review", "reviews", FieldType::Integer),
    ("date", "date", FieldType::Datetime),
    ("published", "date", FieldType::Datetime),
    ("description", "description", FieldType::String),
    ("summary", "description", FieldType::String),
    ("excerpt", "description", FieldType::String),
    ("sku", "sku", FieldType::String),
    ("brand", "brand", FieldType::String),
    ("author", "author", FieldType::String),
    ("currency", "currency", FieldType::String),
    ("availability", "in_stock", FieldType::Boolean),
    ("stock", "in_stock", FieldType::Boolean),
    ("category", "category", FieldType::String),
    ("email", "email", FieldType::String),
    ("phone", "phone", FieldType::String),
    ("location", "location", FieldType::String),
    ("company", "company", FieldType::String),
    ("salary", "salary", FieldType::Number),
];

/// Fields in the order the sentence mentions them; empty when no word is known.
pub(crate) fn infer_schema(text: &str) -> Schema {
    let mut schema = Schema::new();
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        let Some((name, ty)) = lookup(word) else {
            continue;
        };
        // "email address" is an email and "company name" a company: the second
        // word only qualifies the first.
        let qualifies =
            i > 0 && matches!(name, "address" | "name" | "title") && lookup(words[i - 1]).is_some();
        if !qualifies {
            schema.entry(name.to_string()).or_insert(ty);
        }
    }
    schema
}

fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

fn lookup(word: &str) -> Option<(&'static str, FieldType)> {
    let single = singular(word);
    WORDS
        .iter()
        .find(|(w, _, _)| *w == single)
        .map(|&(_, name, ty)| (name, ty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_prices() {
        let s = infer_schema("Extract all product names and prices");
        assert_eq!(
            s.into_iter().collect::<Vec<_>>(),
            vec![
                ("name".to_string(), FieldType::String),
                ("price".to_string(), FieldType::Number)
            ]
        );
    }

    #[test]
    fn plurals_and_synonyms() {
        let s = infer_schema("Get titles, links, images, star ratings and publication dates");
        assert_eq!(
            s.keys().map(String::as_str).collect::<Vec<_>>(),
            ["title", "url", "image", "rating", "date"]
        );
        assert!(infer_schema("do the thing").is_empty());
        let s = infer_schema("company names, email addresses and categories");
        assert_eq!(
            s.keys().map(String::as_str).collect::<Vec<_>>(),
            ["company", "email", "category"]
        );
    }
}
