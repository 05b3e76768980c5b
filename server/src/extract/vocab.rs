//! The words that tie a field name to what pages call the same thing: class
//! names and itemprops in the DOM, schema.org properties in structured data.

use super::types::FieldType;

/// Types whose values a page only yields when it really holds such data.
/// A page title or a link can be found anywhere, a price cannot, so these
/// are what tells a record apart from page furniture. (A free function, not a
/// method: `FieldType` is to become the shared type from scraper-common.)
pub(crate) fn is_evidence(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::Number | FieldType::Integer | FieldType::Boolean | FieldType::Datetime
    )
}

/// What a field means, guessed from its name. It decides which class names,
/// structured properties and fallbacks can fill the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Name,
    Price,
    Url,
    Image,
    Rating,
    ReviewCount,
    Date,
    Description,
    Sku,
    Brand,
    Author,
    Currency,
    Availability,
    Category,
    Other,
}

struct RoleWords {
    role: Role,
    /// Field-name tokens that give the role.
    triggers: &'static [&'static str],
    /// Class/id/itemprop tokens that mark a node holding this role.
    synonyms: &'static [&'static str],
    /// schema.org property paths, best first; a dot walks into nested objects.
    paths: &'static [&'static str],
}

// Order matters: the first role whose trigger occurs in the field name wins, so
// "image_url" is an image and "price_currency" a currency, not a url or a price.
const ROLES: &[RoleWords] = &[
    RoleWords {
        role: Role::Image,
        triggers: &[
            "image",
            "images",
            "img",
            "photo",
            "picture",
            "thumbnail",
            "thumb",
            "cover",
        ],
        synonyms: &[
            "image",
            "img",
            "photo",
            "picture",
            "thumbnail",
            "thumb",
            "pic",
            "cover",
        ],
        paths: &["image", "thumbnailUrl", "photo", "logo"],
    },
    RoleWords {
        role: Role::Currency,
        triggers: &["currency"],
        synonyms: &["currency", "pricecurrency"],
        paths: &["offers.priceCurrency", "priceCurrency", "currency"],
    },
    RoleWords {
        role: Role::ReviewCount,
        triggers: &["reviews", "reviewcount", "ratingcount", "votes"],
        synonyms: &["reviews", "reviewcount", "ratingcount", "votes", "count"],
        paths: &[
            "aggregateRating.reviewCount",
            "aggregateRating.ratingCount",
            "reviewCount",
            "ratingCount",
        ],
    },
    RoleWords {
        role: Role::Availability,
        triggers: &["availability", "available", "stock", "instock", "inventory"],
        synonyms: &["availability", "available", "stock", "instock", "inventory"],
        paths: &["offers.availability", "availability"],
    },
    RoleWords {
        role: Role::Rating,
        triggers: &["rating", "stars", "star", "score"],
        synonyms: &["rating", "ratingvalue", "stars", "star", "score"],
        paths: &[
            "aggregateRating.ratingValue",
            "reviewRating.ratingValue",
            "ratingValue",
        ],
    },
    RoleWords {
        role: Role::Price,
        triggers: &["price", "prices", "cost", "amount", "fee"],
        synonyms: &["price", "prices", "cost", "amount", "saleprice"],
        paths: &[
            "offers.price",
            "offers.lowPrice",
            "offers.priceSpecification.price",
            "price",
            "offers.highPrice",
        ],
    },
    RoleWords {
        role: Role::Date,
        triggers: &[
            "date",
            "time",
            "datetime",
            "published",
            "posted",
            "created",
            "updated",
            "timestamp",
        ],
        synonyms: &[
            "date",
            "time",
            "datetime",
            "published",
            "posted",
            "pubdate",
            "timestamp",
            "datepublished",
        ],
        paths: &[
            "datePublished",
            "dateCreated",
            "startDate",
            "uploadDate",
            "dateModified",
            "releaseDate",
        ],
    },
    RoleWords {
        role: Role::Url,
        triggers: &["url", "link", "href", "permalink", "links", "urls"],
        synonyms: &["url", "link", "href", "permalink"],
        paths: &["url", "mainEntityOfPage", "sameAs"],
    },
    RoleWords {
        role: Role::Description,
        triggers: &[
            "description",
            "desc",
            "summary",
            "excerpt",
            "abstract",
            "body",
        ],
        synonyms: &[
            "description",
            "desc",
            "summary",
            "excerpt",
            "abstract",
            "teaser",
            "snippet",
        ],
        paths: &["description", "abstract", "articleBody", "text"],
    },
    RoleWords {
        role: Role::Sku,
        triggers: &["sku", "mpn", "gtin", "ean", "upc", "isbn"],
        synonyms: &["sku", "mpn", "gtin", "ean", "upc", "isbn", "partnumber"],
        paths: &["sku", "mpn", "productID", "gtin13", "gtin", "isbn"],
    },
    RoleWords {
        role: Role::Brand,
        triggers: &["brand", "manufacturer", "vendor", "maker"],
        synonyms: &["brand", "manufacturer", "vendor", "maker"],
        paths: &["brand", "manufacturer"],
    },
    RoleWords {
        role: Role::Author,
        triggers: &["author", "authors", "byline", "writer"],
        synonyms: &["author", "byline", "writer"],
        paths: &["author", "creator"],
    },
    RoleWords {
        role: Role::Category,
        triggers: &["category", "categories", "section"],
        synonyms: &["category", "categories"],
        paths: &["category", "articleSection"],
    },
    RoleWords {
        role: Role::Name,
        triggers: &[
            "name", "names", "title", "titles", "heading", "headline", "label",
        ],
        synonyms: &["name", "title", "heading", "headline", "productname"],
        paths: &["name", "headline", "title", "alternateName"],
    },
];

fn words(role: Role) -> Option<&'static RoleWords> {
    ROLES.iter().find(|w| w.role == role)
}

pub(crate) fn role_of(field: &str) -> Role {
    let tokens = tokenize(field);
    // "review count", "number of ratings": a count of reviews, not the rating.
    let counts = tokens
        .iter()
        .any(|t| matches!(t.as_str(), "count" | "num" | "number" | "total"));
    if counts
        && tokens
            .iter()
            .any(|t| t.starts_with("review") || t.starts_with("rating"))
    {
        return Role::ReviewCount;
    }
    ROLES
        .iter()
        .find(|w| w.triggers.iter().any(|t| tokens.iter().any(|x| x == t)))
        .map_or(Role::Other, |w| w.role)
}

pub(crate) fn synonyms(role: Role) -> &'static [&'static str] {
    words(role).map_or(&[], |w| w.synonyms)
}

pub(crate) fn paths(role: Role) -> &'static [&'static str] {
    words(role).map_or(&[], |w| w.paths)
}

/// Splits a name the way pages and people write them: "productName",
/// "product-name", "product_name" and "Product Name" all give [product, name].
pub(crate) fn tokenize(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    tokenize_into(s, &mut String::new(), &mut |t| out.push(t.to_string()));
    out
}

/// [`tokenize`] without allocating per token; returns the token count.
pub(crate) fn tokenize_into(s: &str, cur: &mut String, f: &mut dyn FnMut(&str)) -> usize {
    let mut count = 0;
    let mut prev_lower = false;
    cur.clear();
    let mut flush = |cur: &mut String| {
        if !cur.is_empty() {
            f(cur);
            count += 1;
            cur.clear();
        }
    };
    for c in s.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                flush(cur);
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            if c.is_ascii() {
                cur.push(c.to_ascii_lowercase());
            } else {
                cur.extend(c.to_lowercase());
            }
        } else {
            prev_lower = false;
            flush(cur);
        }
    }
    flush(cur);
    count
}

/// The name with separators and case removed, so "product-name" meets "productName".
pub(crate) fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Class tokens that on their own mark a struck-through value.
pub(crate) fn is_struck_token(t: &str) -> bool {
    matches!(
        t,
        "old" | "was" | "strike" | "strikethrough" | "struck" | "crossed"
    )
}

/// One-word classes such as "oldprice", "wasprice" or "strikeout".
pub(crate) fn is_struck_compound(t: &str) -> bool {
    t.contains("strike")
        || t == "linethrough"
        || (t.contains("price")
            && [
                "old", "was", "regular", "compare", "before", "original", "list",
            ]
            .iter()
            .any(|q| t.contains(q)))
}

/// Class tokens that mark an old price only next to a price word ("list-price",
/// "regular-price"): alone, "list" or "regular" say nothing about prices.
pub(crate) fn is_old_price_qualifier(t: &str) -> bool {
    is_struck_token(t)
        || matches!(
            t,
            "before" | "original" | "regular" | "compare" | "list" | "msrp" | "rrp"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_every_spelling() {
        assert_eq!(tokenize("productName"), ["product", "name"]);
        assert_eq!(tokenize("product-name"), ["product", "name"]);
        assert_eq!(tokenize("Product_Name"), ["product", "name"]);
        assert_eq!(tokenize("h2"), ["h2"]);
        assert_eq!(squash("price-Old"), "priceold");
    }

    #[test]
    fn roles_follow_the_head_word() {
        assert_eq!(role_of("image_url"), Role::Image);
        assert_eq!(role_of("product_url"), Role::Url);
        assert_eq!(role_of("productName"), Role::Name);
        assert_eq!(role_of("price"), Role::Price);
        assert_eq!(role_of("review_count"), Role::ReviewCount);
        assert_eq!(role_of("rating"), Role::Rating);
        assert_eq!(role_of("colour"), Role::Other);
    }
}
