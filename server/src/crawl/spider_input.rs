//! What spider is given for a fetched page. Only its links matter to spider:
//! the consumer has had the page already.

use std::sync::LazyLock;

use url::Url;

static BASE_TAG: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(r#"(?i)<base\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
        .expect("valid pattern")
});

/// The URL the page's links are relative to, and the body to give spider.
///
/// spider resolves relative links against the URL it requested, not the one
/// a redirect led to, and root-relative links against the start host even on
/// a subdomain; a `<base href>` put in front corrects both, as spider lets
/// the first absolute `<base href>` win. A page's own absolute `<base>`
/// already does.
pub(crate) fn link_base(
    body: Vec<u8>,
    requested: &Url,
    final_url: &Url,
    start_host: &str,
) -> (Url, Vec<u8>) {
    let own_base = BASE_TAG.captures(&body).and_then(|c| {
        let value = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?;
        Url::parse(std::str::from_utf8(value.as_bytes()).ok()?).ok()
    });
    if let Some(base) = own_base {
        return (base, body);
    }
    let off_start_host = final_url.host_str() != Some(start_host);
    if final_url == requested && !off_start_host {
        return (requested.clone(), body);
    }
    let href = final_url.as_str().replace('"', "%22");
    let mut with_base = Vec::with_capacity(body.len() + href.len() + 16);
    with_base.extend_from_slice(b"<base href=\"");
    with_base.extend_from_slice(href.as_bytes());
    with_base.extend_from_slice(b"\">");
    with_base.extend_from_slice(&body);
    (final_url.clone(), with_base)
}

/// Only the type: the body spider gets is decoded (so `Content-Encoding` and
/// `Content-Length` would lie) and may carry a `<base>` in front.
pub(crate) fn spider_headers(headers: &reqwest::header::HeaderMap) -> reqwest::header::HeaderMap {
    let mut out = reqwest::header::HeaderMap::new();
    if let Some(value) = headers.get(reqwest::header::CONTENT_TYPE) {
        out.insert(reqwest::header::CONTENT_TYPE, value.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_plain_page_is_passed_as_it_is() {
        let (base, body) = link_base(
            b"<a href=x>".to_vec(),
            &url("http://h/a"),
            &url("http://h/a"),
            "h",
        );
        assert_eq!(base, url("http://h/a"));
        assert_eq!(body, b"<a href=x>");
    }

    #[test]
    fn a_redirected_page_gets_its_final_url_as_base() {
        let (base, body) = link_base(
            b"<a href=x>".to_vec(),
            &url("http://h/a"),
            &url("http://h/dir/b"),
            "h",
        );
        assert_eq!(base, url("http://h/dir/b"));
        assert_eq!(body, b"<base href=\"http://h/dir/b\"><a href=x>");
    }

    #[test]
    fn a_page_on_another_host_gets_a_base_too() {
        let (_, body) = link_base(
            b"".to_vec(),
            &url("http://sub.h/"),
            &url("http://sub.h/"),
            "h",
        );
        assert!(body.starts_with(b"<base href=\"http://sub.h/\">"));
    }

    #[test]
    fn the_pages_own_absolute_base_wins() {
        let page = b"<head><BASE target=_top HREF='http://cdn.h/root/'></head>".to_vec();
        let (base, body) = link_base(page.clone(), &url("http://h/a"), &url("http://h/b"), "h");
        assert_eq!(base, url("http://cdn.h/root/"));
        assert_eq!(body, page);
        // A relative one is ignored by spider, so ours goes in front.
        let (base, _) = link_base(
            b"<base href=\"/x/\">".to_vec(),
            &url("http://h/a"),
            &url("http://h/b"),
            "h",
        );
        assert_eq!(base, url("http://h/b"));
    }
}
