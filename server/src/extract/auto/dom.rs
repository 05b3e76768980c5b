//! A flat index of the parsed page, built in one walk, so auto mode never
//! walks the tree again: elements in document order (a subtree is a range),
//! the visible text in one buffer (an element's text is a slice), and each
//! element's name tokens (class, id, itemprop, ...) interned to numbers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use scraper::{ElementRef, Html};

use super::super::attrs::attr;
use super::super::text::{TextBuf, element_text, is_block, is_invisible, normalize};
use super::super::vocab::{
    Role, is_old_price_qualifier, is_struck_compound, is_struck_token, squash, synonyms,
    tokenize_into,
};
use super::super::walk::{Step, walk};

pub(crate) const STRUCK: u16 = 1;
/// Site navigation, header, footer, sidebars: never records, never a page's fields.
pub(crate) const CHROME: u16 = 1 << 1;
pub(crate) const HEADING: u16 = 1 << 2;
pub(crate) const LINK: u16 = 1 << 3;
pub(crate) const IMG: u16 = 1 << 4;
pub(crate) const IN_HEAD: u16 = 1 << 5;
pub(crate) const HEADER_ROW: u16 = 1 << 6;
pub(crate) const TIME: u16 = 1 << 7;
pub(crate) const ITEMSCOPE: u16 = 1 << 8;
pub(crate) const ITEMPROP: u16 = 1 << 9;
/// Inside article/section/main: a header or footer there belongs to the content.
const SECTIONED: u16 = 1 << 10;
pub(crate) const H1: u16 = 1 << 11;
/// Any flag set here passes from an element to everything inside it.
const INHERITED: u16 = STRUCK | CHROME | IN_HEAD | SECTIONED;

pub(crate) struct Node<'a> {
    pub(crate) el: ElementRef<'a>,
    pub(crate) parent: u32,
    /// One past the last descendant: the subtree is `index..end`.
    pub(crate) end: u32,
    text: (u32, u32),
    tokens: (u32, u32),
    /// Tag plus leading class: siblings that share it share a shape.
    pub(crate) sig: u32,
    pub(crate) flags: u16,
}

impl<'a> Node<'a> {
    pub(crate) fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    pub(crate) fn tag(&self) -> &'a str {
        self.el.value().name()
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&'a str> {
        attr(self.el.value(), name)
    }
}

/// FNV-1a: the interner hashes short ASCII tokens, where SipHash is overkill.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

pub(crate) struct Dom<'a> {
    pub(crate) nodes: Vec<Node<'a>>,
    text: String,
    tokens: Vec<u32>,
    /// Interned strings (tokens and signatures), by id.
    pub(crate) words: Vec<Box<str>>,
    ids: FastMap<Box<str>, u32>,
    pub(crate) json_ld: Vec<String>,
    /// `<meta property|name=... content=...>`, key lowercased.
    pub(crate) metas: Vec<(String, &'a str)>,
    pub(crate) canonical: Option<&'a str>,
    pub(crate) base_href: Option<&'a str>,
    pub(crate) title: Option<String>,
    pub(crate) itemscopes: Vec<u32>,
}

struct Table {
    labels: Vec<Vec<u32>>,
    column: usize,
}

impl<'a> Dom<'a> {
    pub(crate) fn build(html: &'a Html) -> Dom<'a> {
        let mut dom = Dom {
            nodes: Vec::with_capacity(1024),
            text: String::new(),
            tokens: Vec::with_capacity(2048),
            words: Vec::new(),
            ids: FastMap::default(),
            json_ld: Vec::new(),
            metas: Vec::new(),
            canonical: None,
            base_href: None,
            title: None,
            itemscopes: Vec::new(),
        };
        let mut buf = TextBuf::default();
        // The open elements: their node index, or None when not indexed.
        let mut open: Vec<Option<u32>> = Vec::new();
        let mut tables: Vec<Table> = Vec::new();
        let mut scratch = String::new();
        walk(html.root_element(), |step| match step {
            Step::Open(el) => {
                let parent = open.iter().rev().find_map(|o| *o);
                let descend = dom.open(el, parent, &mut buf, &mut tables, &mut scratch);
                open.push(descend.then(|| dom.nodes.len() as u32 - 1));
                descend
            }
            Step::Close(_) => {
                if let Some(Some(i)) = open.pop() {
                    dom.close(i as usize, &mut buf, &mut tables);
                }
                true
            }
            Step::Text(t) => {
                let in_head = open
                    .iter()
                    .rev()
                    .find_map(|o| *o)
                    .is_some_and(|p| dom.nodes[p as usize].has(IN_HEAD));
                if !in_head {
                    buf.push_text(t);
                }
                true
            }
        });
        dom.text = buf.s;
        dom
    }

    /// Indexes one element; false when its content is not to be read at all.
    fn open(
        &mut self,
        el: ElementRef<'a>,
        parent: Option<u32>,
        buf: &mut TextBuf,
        tables: &mut Vec<Table>,
        scratch: &mut String,
    ) -> bool {
        let e = el.value();
        let tag = e.name();
        let parent_flags = parent.map_or(0, |p| self.nodes[p as usize].flags);
        match tag {
            "script" => {
                let is_ld = attr(e, "type").is_some_and(|t| {
                    t.trim()
                        .to_ascii_lowercase()
                        .starts_with("application/ld+json")
                });
                if is_ld {
                    self.json_ld.push(el.text().collect());
                }
                return false;
            }
            "meta" => {
                if let (Some(key), Some(content)) = (
                    attr(e, "property").or_else(|| attr(e, "name")),
                    attr(e, "content"),
                ) {
                    self.metas.push((key.trim().to_ascii_lowercase(), content));
                }
            }
            "link" => {
                let rel = attr(e, "rel").unwrap_or("");
                if self.canonical.is_none()
                    && rel
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    self.canonical = attr(e, "href");
                }
            }
            "base" if self.base_href.is_none() => self.base_href = attr(e, "href"),
            "title" if self.title.is_none() && parent_flags & IN_HEAD != 0 => {
                self.title = Some(element_text(el));
            }
            "head" => {}
            _ if is_invisible(e) => return false,
            _ => {}
        }

        let index = self.nodes.len() as u32;
        let mut flags = parent_flags & INHERITED;
        let tok_start = self.tokens.len() as u32;
        let mut price_word = false;
        let mut old_word = false;
        let mut sig_class: Option<&str> = None;
        let mut role_attr: Option<&str> = None;
        for (name, value) in e.attrs() {
            match name {
                "class" => {
                    for class in value.split_ascii_whitespace() {
                        if sig_class.is_none() && !is_state_class(class) {
                            sig_class = Some(class);
                        }
                        self.add_name(class, scratch, &mut |t| {
                            price_word |= synonyms(Role::Price).contains(&t);
                            old_word |= is_old_price_qualifier(t);
                            if is_struck_token(t) || is_struck_compound(t) {
                                flags |= STRUCK;
                            }
                        });
                    }
                }
                "id" | "itemprop" | "data-testid" | "data-test" | "data-qa" => {
                    for part in value.split_ascii_whitespace() {
                        self.add_name(part, scratch, &mut |_| {});
                    }
                    if name == "itemprop" {
                        flags |= ITEMPROP;
                    }
                }
                "itemscope" => flags |= ITEMSCOPE,
                "style" if value.contains("line-through") => flags |= STRUCK,
                "role" => {
                    role_attr = Some(value);
                    self.add_name(value, scratch, &mut |_| {});
                }
                "aria-label" if value.split_whitespace().count() <= 3 => {
                    self.add_name(value, scratch, &mut |_| {});
                }
                _ => {
                    if let Some(data) = name.strip_prefix("data-") {
                        self.add_name(data, scratch, &mut |_| {});
                    }
                }
            }
        }
        if price_word && old_word {
            flags |= STRUCK;
        }
        flags |= match tag {
            "del" | "s" | "strike" => STRUCK,
            "nav" | "aside" => CHROME,
            "header" | "footer" if flags & SECTIONED == 0 => CHROME,
            "article" | "section" | "main" => SECTIONED,
            "h1" => HEADING | H1,
            "h2" | "h3" | "h4" | "h5" | "h6" => HEADING,
            "a" | "area" if attr(e, "href").is_some() => LINK,
            "img" => IMG,
            "time" => TIME,
            "head" => IN_HEAD,
            _ => 0,
        };
        match role_attr {
            Some(
                "navigation" | "banner" | "contentinfo" | "complementary" | "menu" | "menubar",
            ) => {
                flags |= CHROME;
            }
            Some("heading") => flags |= HEADING,
            _ => {}
        }

        // Table cells take their column's header words, so a "Price" column
        // is found like a class="price" would be.
        match tag {
            "table" => tables.push(Table {
                labels: self.header_labels(el, scratch),
                column: 0,
            }),
            "tr" => {
                if let Some(t) = tables.last_mut() {
                    t.column = 0;
                }
            }
            "td" | "th" if parent.is_some_and(|p| self.nodes[p as usize].tag() == "tr") => {
                if let Some(t) = tables.last_mut() {
                    if let Some(label) = t.labels.get(t.column) {
                        self.tokens.extend_from_slice(label);
                    }
                    t.column += 1;
                }
            }
            _ => {}
        }

        scratch.clear();
        scratch.push_str(tag);
        if let Some(class) = sig_class {
            scratch.push('.');
            // "item-1", "item-2": numbered classes still share a shape.
            let mut last_digit = false;
            for c in class.chars() {
                let d = c.is_ascii_digit();
                if !(d && last_digit) {
                    scratch.push(if d { '#' } else { c });
                }
                last_digit = d;
            }
        }
        let sig = self.intern(scratch);

        if flags & IN_HEAD == 0 && is_block(tag) {
            buf.push_break();
        }
        if flags & ITEMSCOPE != 0 {
            self.itemscopes.push(index);
        }
        self.nodes.push(Node {
            el,
            parent: parent.unwrap_or(u32::MAX),
            end: index + 1,
            text: (buf.len() as u32, 0),
            tokens: (tok_start, self.tokens.len() as u32),
            sig,
            flags,
        });
        true
    }

    fn close(&mut self, i: usize, buf: &mut TextBuf, tables: &mut Vec<Table>) {
        let tag = self.nodes[i].tag();
        if !self.nodes[i].has(IN_HEAD) && is_block(tag) {
            buf.push_break();
        }
        if tag == "table" {
            tables.pop();
        }
        let end = self.nodes.len() as u32;
        let node = &mut self.nodes[i];
        node.end = end;
        node.text.1 = buf.len() as u32;
        if tag == "tr" {
            let all_th = self
                .children(i as u32)
                .all(|c| self.nodes[c as usize].tag() == "th");
            if all_th && self.nodes[i].end > i as u32 + 1 {
                self.nodes[i].flags |= HEADER_ROW;
            }
        }
    }

    /// The words of the header row: from `<thead>`, or a first row of `<th>`s.
    fn header_labels(&mut self, table: ElementRef<'a>, scratch: &mut String) -> Vec<Vec<u32>> {
        let first_row = table.child_elements().find_map(|c| {
            let in_thead = c.value().name() == "thead";
            let row = if matches!(c.value().name(), "thead" | "tbody" | "tfoot") {
                c.child_elements().find(|r| r.value().name() == "tr")?
            } else if c.value().name() == "tr" {
                c
            } else {
                return None;
            };
            Some((row, in_thead))
        });
        let Some((row, in_thead)) = first_row else {
            return Vec::new();
        };
        let cells: Vec<ElementRef<'a>> = row.child_elements().collect();
        let all_th = !cells.is_empty() && cells.iter().all(|c| c.value().name() == "th");
        if !(in_thead || all_th) {
            return Vec::new();
        }
        cells
            .into_iter()
            .map(|cell| {
                let start = self.tokens.len();
                self.add_name(&element_text(cell), scratch, &mut |_| {});
                self.tokens.split_off(start)
            })
            .collect()
    }

    /// Adds a name's tokens and its squashed whole ("product-name" gives
    /// product, name and productname) to the current node's tokens.
    fn add_name(&mut self, name: &str, scratch: &mut String, on_token: &mut dyn FnMut(&str)) {
        let count = tokenize_into(name, scratch, &mut |t| {
            on_token(t);
            let id = self.intern(t);
            self.tokens.push(id);
        });
        if count > 1 {
            let id = self.intern(&squash(name));
            self.tokens.push(id);
        }
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    pub(crate) fn node(&self, i: u32) -> &Node<'a> {
        &self.nodes[i as usize]
    }

    pub(crate) fn text(&self, i: u32) -> &str {
        let (s, e) = self.nodes[i as usize].text;
        self.text[s as usize..e as usize].trim()
    }

    /// The text without struck-through parts: a price box holding
    /// "<del>$20</del> <ins>$15</ins>" costs $15.
    pub(crate) fn text_unstruck(&self, i: u32) -> Cow<'_, str> {
        let node = &self.nodes[i as usize];
        if node.has(STRUCK) {
            return Cow::Borrowed(self.text(i));
        }
        let mut out = String::new();
        let mut cursor = node.text.0 as usize;
        let mut d = i + 1;
        while d < node.end {
            let inner = &self.nodes[d as usize];
            if inner.has(STRUCK) {
                out.push_str(&self.text[cursor..inner.text.0 as usize]);
                out.push(' ');
                cursor = inner.text.1 as usize;
                d = inner.end;
            } else {
                d += 1;
            }
        }
        if out.is_empty() {
            return Cow::Borrowed(self.text(i));
        }
        out.push_str(&self.text[cursor..node.text.1 as usize]);
        Cow::Owned(normalize(&out))
    }

    pub(crate) fn tokens(&self, i: u32) -> &[u32] {
        let (s, e) = self.nodes[i as usize].tokens;
        &self.tokens[s as usize..e as usize]
    }

    pub(crate) fn subtree(&self, i: u32) -> Range<u32> {
        i..self.nodes[i as usize].end
    }

    pub(crate) fn children(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        let end = self.nodes[i as usize].end;
        let mut next = i + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let c = next;
            next = self.nodes[c as usize].end;
            Some(c)
        })
    }

    /// The whole indexed document: every element outside `<head>`.
    pub(crate) fn all(&self) -> Range<u32> {
        0..self.nodes.len() as u32
    }

    pub(crate) fn meta(&self, key: &str) -> Option<&'a str> {
        self.metas
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| *v)
    }
}

/// Classes that mark a state, not a kind: "odd" rows and "active" cards are
/// still rows and cards.
fn is_state_class(class: &str) -> bool {
    matches!(
        class,
        "odd"
            | "even"
            | "first"
            | "last"
            | "active"
            | "selected"
            | "current"
            | "alt"
            | "hover"
            | "featured"
            | "sale"
            | "on-sale"
            | "new"
            | "hidden"
            | "visible"
            | "clearfix"
            | "row"
    )
}
