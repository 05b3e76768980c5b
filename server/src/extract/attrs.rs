//! Attribute lookup by plain string comparison. scraper's `Element::attr`
//! first turns the name into an interned atom; for names outside html5ever's
//! static list ("data-src", "data-price") that goes through a global, locked
//! table, which a server extracting on many threads would contend on.

use scraper::node::Element;

pub(crate) fn attr<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    el.attrs().find(|(n, _)| *n == name).map(|(_, v)| v)
}
