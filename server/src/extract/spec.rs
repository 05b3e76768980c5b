//! What the user asks for, and its compiled form that a run reuses over
//! thousands of pages.

use std::fmt;

use indexmap::IndexMap;
use scraper::Selector;
use scraper::error::SelectorErrorKind;
use serde::{Deserialize, Serialize};

use super::instructions::infer_schema;
use super::types::{FieldType, Schema};
use super::vocab::{self, Role};

/// What to extract from a page. With `selector` or `fields` the extraction is
/// explicit; without them it is automatic. Unknown keys are refused: a typo
/// such as "selectors" would otherwise silently switch to auto mode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtractSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Schema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// CSS selector of one item (a card, a row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<IndexMap<String, FieldSelector>>,
}

pub use scraper_common::FieldSelector;

/// A spec that cannot work, with the place it went wrong (`"selector"`,
/// `"fields.price"`, `"schema"`) and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for SpecError {}

fn err(field: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError {
        field: field.into(),
        message: message.into(),
    }
}

/// The schema a spec gets when it names nothing at all: every page has a
/// title and a URL, so this yields something sensible anywhere.
pub fn default_schema() -> Schema {
    Schema::from([
        ("title".to_string(), FieldType::String),
        ("url".to_string(), FieldType::Url),
    ])
}

/// One output field with what the matchers need to know about its name.
#[derive(Debug, Clone)]
pub(crate) struct FieldPlan {
    pub(crate) name: String,
    pub(crate) ty: FieldType,
    pub(crate) role: Role,
    /// The name with case and separators removed: a class with exactly this
    /// name is the strongest match there is.
    pub(crate) squashed: String,
}

impl FieldPlan {
    fn new(name: &str, ty: FieldType) -> FieldPlan {
        FieldPlan {
            name: name.to_string(),
            ty,
            role: vocab::role_of(name),
            squashed: vocab::squash(name),
        }
    }
}

/// How an explicit field is read from its item.
#[derive(Debug, Clone)]
pub(crate) struct FieldRule {
    /// `None` reads the item element itself.
    pub(crate) selector: Option<Selector>,
    pub(crate) attr: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum Mode {
    Auto,
    Explicit {
        item: Option<Selector>,
        /// Parallel to the plans; `None` fields are located automatically
        /// inside each item.
        rules: Vec<Option<FieldRule>>,
    },
}

/// A spec with its selectors parsed and its schema settled. Cheap to share
/// between threads and to reuse for every page of a run.
#[derive(Debug, Clone)]
pub struct CompiledSpec {
    pub(crate) schema: Schema,
    pub(crate) plans: Vec<FieldPlan>,
    pub(crate) mode: Mode,
}

impl CompiledSpec {
    /// The fields every extraction with this spec returns, in order.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Whether pages are read with the given selectors rather than automatically.
    pub fn is_explicit(&self) -> bool {
        matches!(self.mode, Mode::Explicit { .. })
    }
}

/// Checks a spec and parses its selectors once.
pub fn compile(spec: &ExtractSpec) -> Result<CompiledSpec, SpecError> {
    let fields = spec.fields.as_ref();
    if let Some(f) = fields
        && f.is_empty()
    {
        return Err(err(
            "fields",
            "is empty; name at least one field, or leave `fields` out to extract automatically",
        ));
    }
    let schema = settle_schema(spec)?;
    let plans: Vec<FieldPlan> = schema
        .iter()
        .map(|(name, ty)| FieldPlan::new(name, *ty))
        .collect();

    let explicit = spec.selector.is_some() || fields.is_some();
    let mode = if explicit {
        let item = match spec.selector.as_deref() {
            Some(css) => Some(parse_css("selector", css)?),
            None => None,
        };
        let mut rules = Vec::with_capacity(plans.len());
        for plan in &plans {
            let rule = match fields.and_then(|f| f.get(&plan.name)) {
                Some(fs) => Some(compile_field(&plan.name, fs)?),
                None => None,
            };
            rules.push(rule);
        }
        Mode::Explicit { item, rules }
    } else {
        Mode::Auto
    };
    Ok(CompiledSpec {
        schema,
        plans,
        mode,
    })
}

/// The schema wins; then the fields given (typed by what they read); then the
/// instructions; then the default.
fn settle_schema(spec: &ExtractSpec) -> Result<Schema, SpecError> {
    if let Some(schema) = &spec.schema {
        if schema.is_empty() && spec.fields.is_none() {
            return Err(err(
                "schema",
                "is empty; name at least one field (e.g. {\"title\": \"string\"}), or leave `schema` out",
            ));
        }
        for name in schema.keys() {
            check_name("schema", name)?;
        }
        let mut out = schema.clone();
        for (name, fs) in spec.fields.iter().flatten() {
            if !out.contains_key(name) {
                check_name("fields", name)?;
                out.insert(name.clone(), type_of_selector(fs));
            }
        }
        return Ok(out);
    }
    if let Some(fields) = &spec.fields {
        let mut out = Schema::new();
        for (name, fs) in fields {
            check_name("fields", name)?;
            out.insert(name.clone(), type_of_selector(fs));
        }
        return Ok(out);
    }
    if let Some(text) = spec.instructions.as_deref() {
        let inferred = infer_schema(text);
        if !inferred.is_empty() {
            return Ok(inferred);
        }
    }
    Ok(default_schema())
}

fn check_name(place: &str, name: &str) -> Result<(), SpecError> {
    if name.trim().is_empty() {
        return Err(err(
            place,
            "has a field with an empty name; give every field a name",
        ));
    }
    Ok(())
}

/// Without a schema, a link or image address is a URL and anything else text.
fn type_of_selector(fs: &FieldSelector) -> FieldType {
    match fs.attr.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("href" | "src") => FieldType::Url,
        _ => FieldType::String,
    }
}

fn compile_field(name: &str, fs: &FieldSelector) -> Result<FieldRule, SpecError> {
    let place = format!("fields.{name}");
    let css = fs.selector.trim();
    if let Some(at) = css.find("::") {
        let suffix = &css[at..];
        let message = if fs.attr.is_some() && (suffix == "::text" || suffix.starts_with("::attr("))
        {
            format!(
                "\"{}\" gives both a \"{suffix}\" suffix and an \"attr\"; use one of them",
                fs.selector
            )
        } else {
            format!(
                "unknown suffix \"{suffix}\" in \"{}\"; use \"::text\" for the text or \"::attr(name)\" for an attribute, e.g. \"a::attr(href)\"",
                fs.selector
            )
        };
        return Err(err(place, message));
    }
    let attr = match fs.attr.as_deref().map(str::trim) {
        None => None,
        Some("") => {
            return Err(err(
                place,
                "has an empty \"attr\"; name an attribute such as \"href\", or leave \"attr\" out to read the text",
            ));
        }
        Some(a)
            if !a
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c)) =>
        {
            return Err(err(
                place,
                format!(
                    "\"{a}\" is not an attribute name; use a name such as \"href\", \"src\" or \"data-price\""
                ),
            ));
        }
        Some(a) => Some(a.to_ascii_lowercase()),
    };
    let selector = if css.is_empty() {
        None
    } else {
        Some(parse_css(&place, css)?)
    };
    Ok(FieldRule { selector, attr })
}

fn parse_css(place: &str, css: &str) -> Result<Selector, SpecError> {
    if css.trim().is_empty() {
        return Err(err(
            place,
            "is empty; give a CSS selector such as \".product\" or leave it out",
        ));
    }
    Selector::parse(css).map_err(|e| {
        err(
            place,
            format!(
                "\"{css}\" is not a valid CSS selector: {}",
                explain(css, &e)
            ),
        )
    })
}

/// The `:name` parts of a selector, for pointing at the one that failed.
fn pseudo_names(css: &str) -> String {
    let mut names = Vec::new();
    let mut rest = css;
    while let Some(at) = rest.find(':') {
        let tail = &rest[at..];
        let len = tail
            .char_indices()
            .skip(1)
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '-' || c == ':'))
            .map_or(tail.len(), |(i, _)| i);
        names.push(&tail[..len]);
        rest = &tail[len..];
    }
    names.join(", ")
}

/// scraper's own messages for most selector errors read "Unexpected error
/// occurred. Please report this to the developer": say what is wrong instead.
fn explain(css: &str, e: &SelectorErrorKind) -> String {
    let detail = match e {
        SelectorErrorKind::UnexpectedToken => "a character or word is out of place",
        SelectorErrorKind::EndOfLine => {
            "it ends too early; look for an unclosed bracket, quote or parenthesis"
        }
        SelectorErrorKind::ExpectedColonOnPseudoElement
        | SelectorErrorKind::ExpectedIdentityOnPseudoElement => {
            "a pseudo-element is malformed; to read text or an attribute use \"::text\" or \"::attr(name)\" at the end"
        }
        SelectorErrorKind::UnexpectedSelectorParseError(kind) => {
            let name = format!("{kind:?}");
            return match name.split('(').next().unwrap_or("") {
                "DanglingCombinator" => {
                    "a combinator (>, +, ~) has nothing on one side".to_string()
                }
                "EmptySelector" => {
                    "a selector in the list is empty; look for a stray comma".to_string()
                }
                "ClassNeedsIdent" => "a \".\" must be followed by a class name".to_string(),
                "NoIdentForPseudo" => "a \":\" must be followed by a pseudo-class name".to_string(),
                "UnsupportedPseudoClassOrElement" => format!(
                    "unsupported pseudo-class or pseudo-element among {}; structural ones such as :first-child, :nth-child(2), :not(...) and :has(...) work, states such as :hover do not",
                    pseudo_names(css)
                ),
                "UnexpectedTokenInAttributeSelector"
                | "BadValueInAttr"
                | "ExpectedBarInAttr"
                | "NoQualifiedNameInAttributeSelector"
                | "InvalidQualNameInAttr" => {
                    "an attribute selector is malformed; write it like [data-id=\"42\"]".to_string()
                }
                _ => format!("the CSS parser reports {name}"),
            };
        }
        _ => "it could not be parsed",
    };
    detail.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms() {
        assert_eq!(
            FieldSelector::parse("a::attr(href)"),
            FieldSelector {
                selector: "a".into(),
                attr: Some("href".into())
            }
        );
        assert_eq!(FieldSelector::parse("h2::text").selector, "h2");
        assert_eq!(FieldSelector::parse(".price").attr, None);
        assert_eq!(FieldSelector::parse("::attr(href)").selector, "");
    }

    #[test]
    fn compiled_specs_cross_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<CompiledSpec>();
    }
}
