use serde_json::json;

use super::*;

fn parse(value: Value) -> Result<CrawlSettings, String> {
    CrawlSettings::from_json(&value).map_err(|e| e.to_string())
}

#[test]
fn empty_settings_are_the_defaults() {
    assert_eq!(parse(json!({})).unwrap(), CrawlSettings::default());
    let d = CrawlSettings::default();
    assert_eq!(d.max_pages, 100);
    assert!(d.respect_robots);
    assert_eq!(d.max_depth, None);
}

#[test]
fn reads_every_setting_in_camel_case() {
    let s = parse(json!({
        "maxPages": 500, "maxDepth": 2, "include": ["/product/"], "exclude": "\\?sort=",
        "allowSubdomains": true, "respectRobots": false, "concurrency": 16, "delayMs": 250,
        "timeoutMs": 5000, "userAgent": "MyBot/1.0", "useSitemap": true
    }))
    .unwrap();
    assert_eq!(s.max_pages, 500);
    assert_eq!(s.max_depth, Some(2));
    assert_eq!(s.include, vec!["/product/"]);
    assert_eq!(s.exclude, vec!["\\?sort="]);
    assert!(s.allow_subdomains && !s.respect_robots && s.use_sitemap);
    assert_eq!((s.concurrency, s.delay_ms, s.timeout_ms), (16, 250, 5000));
    assert_eq!(s.user_agent.as_deref(), Some("MyBot/1.0"));
}

#[test]
fn unknown_setting_is_named_with_the_known_ones() {
    let err = parse(json!({"maxPage": 5})).unwrap_err();
    assert!(err.contains("unknown field `maxPage`"), "{err}");
    assert!(err.contains("maxPages"), "{err}");
}

#[test]
fn wrong_types_name_the_setting() {
    let err = parse(json!({"maxPages": "ten"})).unwrap_err();
    assert!(
        err.starts_with("maxPages: invalid type: string \"ten\""),
        "{err}"
    );
    let err = parse(json!({"respectRobots": "yes"})).unwrap_err();
    assert!(err.starts_with("respectRobots: invalid type"), "{err}");
    let err = parse(json!({"include": ["/a/", 3]})).unwrap_err();
    assert!(
        err.starts_with("include[1]: invalid type: integer `3`"),
        "{err}"
    );
    let err = parse(json!({"exclude": 3})).unwrap_err();
    assert!(
        err.contains("expected a regular expression or a list of regular expressions"),
        "{err}"
    );
    let err = parse(json!({"maxDepth": -1})).unwrap_err();
    assert!(
        err.starts_with("maxDepth: invalid value: integer `-1`"),
        "{err}"
    );
}

#[test]
fn out_of_range_values_name_the_setting() {
    for (value, start) in [
        (json!({"maxPages": 0}), "maxPages: must be at least 1"),
        (
            json!({"concurrency": 0}),
            "concurrency: must be from 1 to 256",
        ),
        (json!({"timeoutMs": 0}), "timeoutMs: must be from 1"),
        (json!({"delayMs": 120000}), "delayMs: must be at most 60000"),
        (json!({"userAgent": "  "}), "userAgent: must not be empty"),
        (
            json!({"userAgent": "a\nb"}),
            "userAgent: must be printable ASCII",
        ),
    ] {
        let err = parse(value).unwrap_err();
        assert!(err.starts_with(start), "{err}");
    }
}

#[test]
fn a_bad_pattern_is_named_by_its_index() {
    let err = parse(json!({"include": ["/ok/", "(unclosed"]})).unwrap_err();
    assert!(
        err.starts_with("include[1]: \"(unclosed\" is not a valid regular expression"),
        "{err}"
    );
}

#[test]
fn null_lists_are_empty() {
    let s = parse(json!({"include": null})).unwrap();
    assert!(s.include.is_empty());
}
