//! Reading text the way a person sees it: whitespace collapsed, invisible
//! content left out.

use super::walk::{Step, walk};
use scraper::ElementRef;
use scraper::node::Element;

/// Elements whose content is never shown as text: code, styles, inert
/// templates, no-JS fallbacks, and anything hidden on purpose.
pub(crate) fn is_invisible(el: &Element) -> bool {
    if matches!(
        el.name(),
        "script" | "style" | "template" | "noscript" | "head" | "iframe" | "object" | "svg"
    ) {
        return true;
    }
    let mut hidden = false;
    for (name, value) in el.attrs() {
        match name {
            "hidden" => hidden = true,
            "style" => hidden |= hides(value),
            _ => {}
        }
    }
    hidden
}

fn hides(style: &str) -> bool {
    let squashed: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    squashed.contains("display:none") || squashed.contains("visibility:hidden")
}

/// Elements that start a new line when rendered; their text must not run into
/// the neighbour's ("<td>1</td><td>2</td>" reads "1 2", not "12").
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "caption"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "main"
            | "blockquote"
            | "pre"
            | "address"
            | "figure"
            | "figcaption"
            | "form"
            | "fieldset"
            | "legend"
            | "hr"
            | "option"
            | "button"
            | "label"
            | "summary"
            | "details"
    )
}

/// A string builder that collapses whitespace as it goes, so the text of any
/// element is a contiguous, already-normalised slice of one buffer.
#[derive(Default)]
pub(crate) struct TextBuf {
    pub(crate) s: String,
}

impl TextBuf {
    pub(crate) fn push_text(&mut self, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            // Runs of plain ASCII are copied whole: most text is made of them.
            let plain = rest
                .bytes()
                .position(|b| !b.is_ascii() || matches!(b, b'\t'..=b'\r' | b' '))
                .unwrap_or(rest.len());
            self.s.push_str(&rest[..plain]);
            rest = &rest[plain..];
            let Some(c) = rest.chars().next() else { break };
            if c.is_whitespace() {
                self.push_break();
            } else if !is_zero_width(c) {
                self.s.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }

    pub(crate) fn push_break(&mut self) {
        if !self.s.is_empty() && !self.s.ends_with(' ') {
            self.s.push(' ');
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.s.len()
    }
}

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}'
    )
}

/// The visible text of an element, normalised; empty when it is invisible.
pub(crate) fn element_text(el: ElementRef<'_>) -> String {
    let mut buf = TextBuf::default();
    walk(el, |step| {
        match step {
            Step::Open(e) => {
                if is_invisible(e.value()) {
                    return false;
                }
                if is_block(e.value().name()) {
                    buf.push_break();
                }
            }
            Step::Close(e) => {
                if is_block(e.value().name()) {
                    buf.push_break();
                }
            }
            Step::Text(t) => buf.push_text(t),
        }
        true
    });
    buf.s.trim_end().to_string()
}

/// The visible text under `el` one block per line (blocks start lines,
/// whitespace inside a line collapses, empty lines go), leaving out the
/// elements `skip` names: what a person reads, in the shape a line diff
/// compares.
pub(crate) fn element_lines(el: ElementRef<'_>, skip: impl Fn(&str) -> bool) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = TextBuf::default();
    let mut end_line = |line: &mut TextBuf| {
        let text = line.s.trim();
        if !text.is_empty() {
            lines.push(text.to_string());
        }
        line.s.clear();
    };
    walk(el, |step| {
        match step {
            Step::Open(e) => {
                if is_invisible(e.value()) || skip(e.value().name()) {
                    return false;
                }
                if is_block(e.value().name()) {
                    end_line(&mut line);
                }
            }
            Step::Close(e) => {
                if is_block(e.value().name()) {
                    end_line(&mut line);
                }
            }
            Step::Text(t) => line.push_text(t),
        }
        true
    });
    end_line(&mut line);
    lines.join("\n")
}

/// Collapses whitespace runs to one space and trims (for attribute values and
/// JSON strings, which do not come through the tree walk).
pub(crate) fn normalize(s: &str) -> String {
    let mut buf = TextBuf::default();
    buf.push_text(s);
    let t = buf.s.trim_end();
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    fn text_of(html: &str, css: &str) -> String {
        let doc = Html::parse_document(html);
        let sel = Selector::parse(css).unwrap();
        element_text(doc.select(&sel).next().unwrap())
    }

    #[test]
    fn blocks_separate_and_inline_joins() {
        let html = "<div id=x><p>One</p><p>Two</p><span>Th</span><b>ree</b><br>Four&nbsp;&amp;\n\t five</div>";
        assert_eq!(text_of(html, "#x"), "One Two Three Four & five");
    }

    #[test]
    fn invisible_parts_are_left_out() {
        let html = "<div id=x>a<script>s</script><style>t</style><noscript>n</noscript>\
                    <template>u</template><i hidden>h</i><i style='display :NONE'>d</i>b</div>";
        assert_eq!(text_of(html, "#x"), "ab");
    }

    #[test]
    fn whitespace_of_every_kind_collapses_and_zero_widths_vanish() {
        let samples = [
            ("  a\t\n\x0b\x0cb\r  c  ", "a b c"),
            (
                "caf\u{e9}\u{a0}\u{2003}na\u{ef}ve\u{200b}!",
                "caf\u{e9} na\u{ef}ve!",
            ),
            ("\u{3000}x\u{85}y\u{ad}z", "x yz"),
            ("plain", "plain"),
            ("", ""),
        ];
        for (input, expected) in samples {
            assert_eq!(normalize(input), expected, "{input:?}");
        }
    }

    #[test]
    fn lines_follow_blocks_and_skip_what_is_asked() {
        let doc = Html::parse_document(
            "<body><nav>Home | Shop</nav><h1>Lamp</h1><p>Price: <b>$12</b>\n  today</p>\
             <ul><li>In stock</li><li> </li></ul><footer>(c) 2026</footer></body>",
        );
        let body = doc
            .select(&Selector::parse("body").unwrap())
            .next()
            .unwrap();
        assert_eq!(
            element_lines(body, |name| matches!(name, "nav" | "footer")),
            "Lamp\nPrice: $12 today\nIn stock"
        );
        assert_eq!(
            element_lines(body, |_| false),
            "Home | Shop\nLamp\nPrice: $12 today\nIn stock\n(c) 2026"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!(
            "<div id=x>{}deep{}</div>",
            "<span>".repeat(20_000),
            "</span>".repeat(20_000)
        );
        assert_eq!(text_of(&html, "#x"), "deep");
    }
}
