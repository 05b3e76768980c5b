//! What `fetch_page` does with bodies: decompression, charsets, size limits,
//! content types and error statuses. Servers on 127.0.0.1 only.

use std::io::Write;
use std::sync::Arc;

use scraper_server::fetch::{FetchOptions, MAX_PAGE_BYTES, Page, fetch_page};
use scraper_server::net::{ClientOptions, ErrorKind, FetchError, UrlPolicy, build_client};
use scraper_tests::site::{Reply, TestServer};

async fn fetch_with(
    server: &TestServer,
    path: &str,
    opts: &FetchOptions,
) -> Result<Page, FetchError> {
    let policy = UrlPolicy::new("127.0.0.1/32".parse().unwrap());
    let client = build_client(Arc::new(policy.clone()), &ClientOptions::default()).unwrap();
    fetch_page(&client, &policy, &server.url(path), opts).await
}

async fn fetch(server: &TestServer, path: &str) -> Result<Page, FetchError> {
    fetch_with(server, path, &FetchOptions::default()).await
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        writer.write_all(data).unwrap();
    }
    out
}

const PAGE: &str = "<!doctype html><title>Caf\u{e9} compressed</title><p>hello</p>";

#[tokio::test]
async fn gzip_and_brotli_bodies_are_decoded() {
    let server = TestServer::start("127.0.0.1:0", |path| match path {
        "/gzip" => Reply::html(gzip(PAGE.as_bytes())).header("content-encoding", "gzip"),
        "/br" => Reply::html(brotli(PAGE.as_bytes())).header("content-encoding", "br"),
        _ => Reply::status(404),
    })
    .await;
    for path in ["/gzip", "/br"] {
        let page = fetch(&server, path).await.unwrap();
        assert_eq!(page.html, PAGE, "{path}");
        assert_eq!(
            page.bytes(),
            PAGE.len(),
            "{path}: bytes count the decoded body"
        );
    }
}

#[tokio::test]
async fn windows_1252_named_only_in_meta_decodes() {
    let body = b"<html><head><meta charset=\"windows-1252\"><title>Caf\xe9</title></head><body>na\xefve \x80 price</body></html>";
    let server = TestServer::start("127.0.0.1:0", move |_| {
        Reply::with_type("text/html", body.to_vec())
    })
    .await;
    let page = fetch(&server, "/").await.unwrap();
    assert!(
        page.html.contains("<title>Caf\u{e9}</title>"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("na\u{ef}ve \u{20ac} price"),
        "{}",
        page.html
    );
    assert_eq!(page.encoding, "windows-1252");
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);
}

#[tokio::test]
async fn header_charset_shift_jis_decodes() {
    // "日本語" in Shift_JIS.
    let body = b"<p>\x93\xfa\x96\x7b\x8c\xea</p>".to_vec();
    let server = TestServer::start("127.0.0.1:0", move |_| {
        Reply::with_type("text/html; charset=Shift_JIS", body.clone())
    })
    .await;
    let page = fetch(&server, "/").await.unwrap();
    assert_eq!(page.html, "<p>\u{65e5}\u{672c}\u{8a9e}</p>");
    assert_eq!(page.encoding, "Shift_JIS");
}

fn big_body(len: usize) -> Vec<u8> {
    let mut body = b"<!doctype html><pre>".to_vec();
    body.resize(len, b'a');
    body
}

#[tokio::test]
async fn a_12_mib_body_is_cut_at_the_default_10_mib() {
    let body = Arc::new(big_body(12 * 1024 * 1024));
    let server = TestServer::start("127.0.0.1:0", move |_| Reply::html(body.to_vec())).await;
    let page = fetch(&server, "/").await.unwrap();
    assert!(page.truncated);
    assert_eq!(page.bytes(), MAX_PAGE_BYTES);
    assert_eq!(page.html.len(), MAX_PAGE_BYTES);
    assert_eq!(
        page.warnings,
        [
            "body cut off at the 10 MiB limit (10485760 bytes) (the server announced 12582912 bytes); the HTML is incomplete"
        ]
    );
}

#[tokio::test]
async fn a_configured_limit_cuts_plain_and_compressed_bodies() {
    let plain = big_body(300 * 1024);
    let packed = gzip(&big_body(2 * 1024 * 1024));
    assert!(
        packed.len() < 64 * 1024,
        "compresses well: a small download, a big body"
    );
    let server = TestServer::start("127.0.0.1:0", move |path| match path {
        "/plain" => Reply::html(plain.clone()),
        _ => Reply::html(packed.clone()).header("content-encoding", "gzip"),
    })
    .await;
    let opts = FetchOptions {
        max_bytes: 100 * 1024,
        ..FetchOptions::default()
    };
    for path in ["/plain", "/gzip"] {
        let page = fetch_with(&server, path, &opts).await.unwrap();
        assert!(page.truncated, "{path}");
        assert_eq!(page.bytes(), 100 * 1024, "{path}");
        assert!(
            page.warnings[0].starts_with("body cut off at the 100 KiB limit (102400 bytes)"),
            "{:?}",
            page.warnings
        );
    }
    let exact = FetchOptions {
        max_bytes: 300 * 1024,
        ..FetchOptions::default()
    };
    let page = fetch_with(&server, "/plain", &exact).await.unwrap();
    assert!(!page.truncated, "a body of exactly the limit is whole");
}

#[tokio::test]
async fn a_multibyte_character_cut_by_the_limit_is_dropped() {
    // 9 bytes of ASCII, then "é" (2 bytes) straddling a 10-byte limit.
    let server = TestServer::start("127.0.0.1:0", |_| Reply::html("<p>abcdef\u{e9}</p>")).await;
    let opts = FetchOptions {
        max_bytes: 10,
        ..FetchOptions::default()
    };
    let page = fetch_with(&server, "/", &opts).await.unwrap();
    assert_eq!(page.html, "<p>abcdef");
    assert_eq!(page.warnings.len(), 1, "{:?}", page.warnings);
}

#[tokio::test]
async fn non_html_types_fail_naming_the_type() {
    let server = TestServer::start("127.0.0.1:0", |path| match path {
        "/doc.pdf" => Reply::with_type("application/pdf", b"%PDF-1.7".to_vec()),
        "/logo.png" => Reply::with_type("image/png", b"\x89PNG\r\n".to_vec()),
        "/data" => Reply::with_type("Application/JSON; charset=utf-8", b"{}".to_vec()),
        "/notes.txt" => Reply::with_type("text/plain", b"just some notes <b>".to_vec()),
        "/blob" => Reply::untyped(b"%PDF-1.4 binary".to_vec()),
        _ => Reply::status(404),
    })
    .await;
    for (path, content_type) in [
        ("/doc.pdf", "application/pdf"),
        ("/logo.png", "image/png"),
        ("/data", "application/json"),
        ("/notes.txt", "text/plain"),
        ("/blob", "unlabelled binary data (no Content-Type)"),
    ] {
        let err = fetch(&server, path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotHtml, "{path}");
        assert_eq!(err.http_status(), 422);
        assert_eq!(
            err.to_string(),
            format!("{} is {content_type}, not an HTML page", server.url(path))
        );
    }
}

#[tokio::test]
async fn html_served_as_text_plain_or_untyped_is_read_with_a_warning() {
    let server = TestServer::start("127.0.0.1:0", |path| match path {
        "/plain" => Reply::with_type(
            "text/plain; charset=utf-8",
            b"\n<!DOCTYPE html><p>x</p>".to_vec(),
        ),
        "/untyped" => Reply::untyped(b"<p>no type</p>".to_vec()),
        "/xhtml" => Reply::with_type(
            "application/xhtml+xml",
            b"<html xmlns='http://www.w3.org/1999/xhtml'/>".to_vec(),
        ),
        _ => Reply::status(404),
    })
    .await;
    let page = fetch(&server, "/plain").await.unwrap();
    assert_eq!(
        page.warnings,
        ["served as text/plain but looks like HTML; read as HTML"]
    );
    let page = fetch(&server, "/untyped").await.unwrap();
    assert_eq!(page.html, "<p>no type</p>");
    assert_eq!(page.content_type, None);
    assert_eq!(page.warnings, ["no Content-Type header; read as HTML"]);
    let page = fetch(&server, "/xhtml").await.unwrap();
    assert!(page.warnings.is_empty());
}

#[tokio::test]
async fn error_statuses_are_errors_that_keep_the_status() {
    let server = TestServer::start("127.0.0.1:0", |path| match path {
        "/gone" => Reply::redirect("/missing"),
        "/boom" => Reply::status(500),
        _ => Reply::status(404),
    })
    .await;
    let err = fetch(&server, "/gone").await.unwrap_err();
    assert!(
        matches!(err, FetchError::HttpStatus { status: 404, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("404 Not Found at {}", server.url("/missing"))
    );
    assert_eq!(err.kind(), ErrorKind::HttpStatus);
    let err = fetch(&server, "/boom").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("500 Internal Server Error at {}", server.url("/boom"))
    );
}
