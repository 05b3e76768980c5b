//! What spider is given for a fetched page. Only its links matter to spider:
//! the consumer has had the page already (see also `link_tags`).

use url::Url;

use crate::crawl::link_tags::{decode_value, href, is_base};

/// The URL the page's links are relative to, and the `<base>` tag to put in
/// front of what spider gets, if one is needed.
///
/// spider resolves relative links against the URL it requested, not the one
/// a redirect led to, and root-relative links against the start host even on
/// a subdomain; a `<base href>` put in front corrects both, as spider lets
/// the first absolute `<base href>` win. A page's own absolute `<base>`
/// already does.
pub(crate) fn link_base(
    tags: &[&[u8]],
    requested: &Url,
    final_url: &Url,
    start_host: &str,
) -> (Url, Option<Vec<u8>>) {
    let own_base = tags
        .iter()
        .find(|tag| is_base(tag))
        .and_then(|tag| href(tag))
        .and_then(|value| Url::parse(decode_value(std::str::from_utf8(value).ok()?).trim()).ok());
    if let Some(base) = own_base {
        return (base, None);
    }
    let off_start_host = final_url.host_str() != Some(start_host);
    if final_url == requested && !off_start_host {
        return (requested.clone(), None);
    }
    let href = final_url.as_str().replace('"', "%22");
    let tag = format!("<base href=\"{href}\">\n").into_bytes();
    (final_url.clone(), Some(tag))
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
    use crate::crawl::link_tags::link_tags;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn base_of(page: &str, requested: &str, final_url: &str, host: &str) -> (Url, Option<String>) {
        let tags = link_tags(page.as_bytes());
        let (base, tag) = link_base(&tags, &url(requested), &url(final_url), host);
        (base, tag.map(|t| String::from_utf8(t).unwrap()))
    }

    #[test]
    fn a_plain_page_needs_no_base() {
        let (base, tag) = base_of("<a href=x>", "http://h/a", "http://h/a", "h");
        assert_eq!(base, url("http://h/a"));
        assert_eq!(tag, None);
    }

    #[test]
    fn a_redirected_page_gets_its_final_url_as_base() {
        let (base, tag) = base_of("<a href=x>", "http://h/a", "http://h/dir/b", "h");
        assert_eq!(base, url("http://h/dir/b"));
        assert_eq!(tag.as_deref(), Some("<base href=\"http://h/dir/b\">\n"));
    }

    #[test]
    fn a_page_on_another_host_gets_a_base_too() {
        let (_, tag) = base_of("", "http://sub.h/", "http://sub.h/", "h");
        assert_eq!(tag.as_deref(), Some("<base href=\"http://sub.h/\">\n"));
    }

    #[test]
    fn the_pages_own_absolute_base_wins() {
        let page = "<head><BASE target=_top HREF='http://cdn.h/root/'></head>";
        let (base, tag) = base_of(page, "http://h/a", "http://h/b", "h");
        assert_eq!(base, url("http://cdn.h/root/"));
        assert_eq!(tag, None);
        // A relative one is ignored by spider, so ours goes in front.
        let (base, tag) = base_of("<base href=\"/x/\">", "http://h/a", "http://h/b", "h");
        assert_eq!(base, url("http://h/b"));
        assert!(tag.is_some());
    }
}
