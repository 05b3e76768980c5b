//! Which browser pages may call the API (`--cors-origin`): none unless
//! named. A named origin gets preflights answered and may send `X-API-Key`
//! and `Content-Type`; a request from any other origin is refused (403).

use warp::cors::Builder;

/// An origin as browsers send it: `scheme://host[:port]`, nothing more.
pub fn parse_origin(value: &str) -> Result<String, String> {
    let value = value.trim();
    let url = url::Url::parse(value).map_err(|e| {
        format!("`{value}` is not an origin such as https://dash.example.com ({e})")
    })?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || !bare
        || !url.username().is_empty()
    {
        return Err(format!(
            "`{value}` is not an origin: give scheme, host and port only, such as https://dash.example.com"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

/// The CORS layer for `origins` (already parsed), or none at all.
pub(super) fn layer(origins: &[String]) -> Option<Builder> {
    if origins.is_empty() {
        return None;
    }
    Some(
        warp::cors()
            .allow_origins(origins.iter().map(String::as_str))
            .allow_methods(["GET", "POST", "PUT", "DELETE"])
            .allow_headers(["x-api-key", "content-type", "last-event-id"])
            .max_age(600),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_scheme_host_and_port_only() {
        assert_eq!(
            parse_origin("https://Dash.Example.com").unwrap(),
            "https://dash.example.com"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:5173/").unwrap(),
            "http://127.0.0.1:5173"
        );
        for bad in [
            "dash.example.com",
            "ftp://example.com",
            "https://example.com/app",
            "https://example.com?x=1",
            "*",
        ] {
            let err = parse_origin(bad).unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
    }
}
