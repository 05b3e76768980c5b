//! One iterative walk over the parsed tree, shared by text reading and the DOM
//! index. Iterative because real pages nest deep enough to overflow a recursive one.

use scraper::{ElementRef, Node};

pub(crate) enum Step<'a> {
    /// Entering an element; the callback returns whether to walk into it.
    Open(ElementRef<'a>),
    /// Leaving an element that was opened (walked into or not).
    Close(ElementRef<'a>),
    Text(&'a str),
}

/// Visits `root` and everything under it in document order.
pub(crate) fn walk<'a>(root: ElementRef<'a>, mut f: impl FnMut(Step<'a>) -> bool) {
    let root_id = root.id();
    let mut node = *root;
    'next: loop {
        let descend = match node.value() {
            Node::Element(_) => ElementRef::wrap(node).is_some_and(|el| f(Step::Open(el))),
            Node::Text(t) => {
                f(Step::Text(t));
                false
            }
            _ => false,
        };
        if descend && let Some(child) = node.first_child() {
            node = child;
            continue;
        }
        loop {
            if let Some(el) = ElementRef::wrap(node) {
                f(Step::Close(el));
            }
            if node.id() == root_id {
                break 'next;
            }
            if let Some(sibling) = node.next_sibling() {
                node = sibling;
                continue 'next;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => break 'next,
            }
        }
    }
}
