use super::*;

fn allows(robots: &str, agent: &str, path: &str) -> bool {
    let url = Url::parse(&format!("http://h{path}")).unwrap();
    RobotsTxt::parse(robots).access_for(agent).allows(&url)
}

const SHOP: &str = "User-agent: *\nDisallow: /private/\n\nSitemap: http://h/sitemap.xml\n";

#[test]
fn disallowed_directory() {
    assert!(!allows(SHOP, "Scraper/0.1", "/private/"));
    assert!(!allows(SHOP, "Scraper/0.1", "/private/secret.html"));
    assert!(allows(SHOP, "Scraper/0.1", "/privateer"));
    assert!(allows(SHOP, "Scraper/0.1", "/"));
    assert_eq!(
        RobotsTxt::parse(SHOP).sitemaps,
        vec!["http://h/sitemap.xml"]
    );
}

#[test]
fn a_rule_without_trailing_slash_is_a_prefix() {
    let robots = "User-agent: *\nDisallow: /admin\n";
    assert!(!allows(robots, "x", "/admin"));
    assert!(!allows(robots, "x", "/admin/users"));
    assert!(!allows(robots, "x", "/admin.html"));
    assert!(allows(robots, "x", "/x/admin"));
}

#[test]
fn longest_match_wins_and_allow_wins_ties() {
    let robots = "User-agent: *\nDisallow: /shop/\nAllow: /shop/public/\nAllow: /a\nDisallow: /a\n";
    assert!(!allows(robots, "x", "/shop/cart"));
    assert!(allows(robots, "x", "/shop/public/item"));
    assert!(allows(robots, "x", "/a"));
}

#[test]
fn wildcards_and_end_anchor() {
    let robots = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?sort=\nDisallow: /tmp*/x\n";
    assert!(!allows(robots, "x", "/files/a.pdf"));
    assert!(allows(robots, "x", "/files/a.pdf.html"));
    assert!(!allows(robots, "x", "/list?sort=price"));
    assert!(allows(robots, "x", "/list?page=2"));
    assert!(!allows(robots, "x", "/tmp123/x/y"));
    assert!(allows(robots, "x", "/tmp123/y"));
}

#[test]
fn the_named_group_replaces_the_star_group() {
    let robots = "User-agent: *\nDisallow: /\n\nUser-agent: scraper\nUser-agent: other\nDisallow: /no/\nCrawl-delay: 2.5\n";
    assert!(allows(robots, "Scraper/0.1.0", "/yes"));
    assert!(!allows(robots, "Scraper/0.1.0", "/no/x"));
    assert!(!allows(robots, "Other/1", "/no/"));
    assert!(!allows(robots, "SomeBot/1", "/yes"));
    let access = RobotsTxt::parse(robots).access_for("scraper");
    assert_eq!(access.crawl_delay(), Some(Duration::from_millis(2500)));
}

#[test]
fn empty_disallow_and_comments() {
    let robots = "# hi\nUser-agent: * # all\nDisallow:\n";
    assert!(allows(robots, "x", "/anything"));
    assert!(allows("", "x", "/anything"));
    assert!(allows("garbage without colons", "x", "/anything"));
}

#[test]
fn robots_txt_itself_is_always_allowed() {
    assert!(allows("User-agent: *\nDisallow: /\n", "x", "/robots.txt"));
    assert!(!allows("User-agent: *\nDisallow: /\n", "x", "/"));
}

#[test]
fn non_ascii_rules_match_encoded_paths() {
    let robots = "User-agent: *\nDisallow: /café/\n";
    assert!(!allows(robots, "x", "/café/menu"));
}

/// Why spider's own parser is not used (see the module comment).
#[test]
fn spiders_parser_misses_prefix_rules() {
    use spider::packages::robotparser::parser::RobotFileParser;
    let mut parser = RobotFileParser::new();
    parser.parse_str("User-agent: *\nDisallow: /admin\n");
    parser.modified();
    assert!(!parser.can_fetch("x", "http://h/admin"));
    assert!(
        parser.can_fetch("x", "http://h/admin/users"),
        "spider now honours prefix rules; its parser could be used again"
    );
}
