use std::net::IpAddr;

use ipnet::IpNet;

use super::*;

fn refuse() -> UrlPolicy {
    UrlPolicy::new(PrivateNetworks::Refuse)
}

fn allow(list: &str) -> UrlPolicy {
    UrlPolicy::new(list.parse().unwrap())
}

/// The address a refused URL was judged by.
fn refused_ip(policy: &UrlPolicy, url: &str) -> IpAddr {
    match policy.check_url(url) {
        Err(PolicyError::PrivateAddress { refusal, .. }) => refusal.ip,
        other => panic!("{url}: expected a private-address refusal, got {other:?}"),
    }
}

#[test]
fn public_urls_pass_and_come_back_parsed() {
    let policy = refuse();
    let url = policy.check_url("https://Example.COM/a?b=c#d").unwrap();
    assert_eq!(url.as_str(), "https://example.com/a?b=c#d");
    assert!(policy.check_url("http://93.184.216.34:8080/").is_ok());
    assert!(policy.check_url("http://[2606:4700:4700::1111]/").is_ok());
    assert!(policy.check_url("http://localhost.example.com/").is_ok());
    assert!(policy.check_url("http://notlocalhost/").is_ok());
    let parsed = Url::parse("http://example.org/").unwrap();
    assert_eq!(policy.check_url(&parsed).unwrap(), parsed);
    assert_eq!(policy.check_url(parsed.clone()).unwrap(), parsed);
    assert!(policy.check_url(&"http://example.org/".to_string()).is_ok());
}

#[test]
fn only_absolute_http_urls() {
    let policy = refuse();
    for url in [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://x/",
        "javascript:alert(1)",
        "data:text/html,hi",
    ] {
        match policy.check_url(url) {
            Err(PolicyError::NotHttp { scheme, .. }) => assert!(url.starts_with(&scheme), "{url}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(matches!(
        policy.check_url("/relative/path"),
        Err(PolicyError::NotAbsolute { .. })
    ));
    assert!(matches!(
        policy.check_url("example.com"),
        Err(PolicyError::NotAbsolute { .. })
    ));
    assert!(matches!(
        policy.check_url("http://"),
        Err(PolicyError::NoHost { .. })
    ));
    assert!(matches!(
        policy.check_url("http://0x7g.1/"),
        Err(PolicyError::InvalidUrl { .. })
    ));
    assert!(matches!(
        policy.check_url("http://1.2.3.4.5/"),
        Err(PolicyError::InvalidUrl { .. })
    ));
    // Zone ids are not accepted by the WHATWG parser, so link-local cannot sneak in with one.
    assert!(matches!(
        policy.check_url("http://[fe80::1%25eth0]/"),
        Err(PolicyError::InvalidUrl { .. })
    ));
    let err = policy
        .check_url("ftp://example.com/")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "ftp://example.com/ uses the ftp: scheme; only http: and https: pages can be fetched"
    );
}

#[test]
fn literal_addresses_of_every_class_are_refused() {
    let policy = refuse();
    for url in [
        "http://127.0.0.1/",
        "http://127.0.0.2:8080/",
        "http://10.0.0.5/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://0.1.2.3/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://240.0.0.1/",
        "http://192.0.2.1/",
        "http://198.18.0.1/",
        "https://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd00::2]:8080/",
        "http://[ff02::1]/",
        "http://[2001:db8::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:7f00:1]/",
        "http://[::ffff:0:127.0.0.1]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:7f00:1::]/",
        "http://[::ffff:169.254.169.254]/",
    ] {
        refused_ip(&policy, url);
    }
}

/// The WHATWG parser used by the `url` crate turns every numeric spelling of
/// an IPv4 address into the address itself, so these are judged as IPs.
#[test]
fn numeric_ipv4_spellings_are_normalised_and_refused() {
    let policy = refuse();
    let cases = [
        ("http://2130706433/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://00000177.0.0.1/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://0x00007f.1/", "127.0.0.1"),
        ("http://017700000001/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://127.0.1/", "127.0.0.1"),
        ("http://127.000.000.001/", "127.0.0.1"),
        ("http://127.0.0.1./", "127.0.0.1"),
        ("http://%31%32%37.0.0.1/", "127.0.0.1"),
        (
            "http://\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}/",
            "127.0.0.1",
        ),
        ("http://0/", "0.0.0.0"),
        ("http://0x0/", "0.0.0.0"),
        ("http://169.254.43518/", "169.254.169.254"),
        ("http://0xA9FEA9FE/", "169.254.169.254"),
        ("http://0251.0376.0251.0376/", "169.254.169.254"),
        ("http://0300.0250.0.1/", "192.168.0.1"),
        ("http://167772165/", "10.0.0.5"),
    ];
    for (url, ip) in cases {
        assert_eq!(refused_ip(&policy, url).to_string(), ip, "{url}");
    }
}

#[test]
fn userinfo_and_fragment_tricks_judge_the_real_host() {
    let policy = refuse();
    for url in [
        "http://example.com@127.0.0.1/",
        "http://127.0.0.1#@example.com/",
        "http://127.0.0.1\\@example.com/",
        "http://user:pass@10.0.0.5:8080/",
    ] {
        refused_ip(&policy, url);
    }
    // Here the host really is evil.com; "127.0.0.1:80" is the user name.
    assert!(policy.check_url("http://127.0.0.1:80@evil.com/").is_ok());
}

#[test]
fn localhost_names_are_loopback() {
    let policy = refuse();
    for url in [
        "http://localhost/",
        "http://LOCALHOST:8080/",
        "http://localhost./",
        "http://foo.localhost/",
        "http://a.b.LocalHost/",
        "http://\u{24db}\u{24de}\u{24d2}\u{24d0}\u{24db}\u{24d7}\u{24de}\u{24e2}\u{24e3}/",
    ] {
        assert_eq!(
            refused_ip(&policy, url),
            IpAddr::from([127, 0, 0, 1]),
            "{url}"
        );
    }
    assert!(is_localhost_name("localhost"));
    assert!(is_localhost_name("x.localhost."));
    assert!(!is_localhost_name("localhost.com"));
    assert!(!is_localhost_name("xlocalhost"));
    assert!(!is_localhost_name(".localhost.evil"));
    // Either loopback address being allowed lets the name through; the
    // resolver then keeps only the allowed one.
    assert!(allow("127.0.0.1/32").check_url("http://localhost/").is_ok());
    assert!(allow("::1").check_url("http://localhost/").is_ok());
    assert!(allow("10.0.0.0/8").check_url("http://localhost/").is_err());
}

#[test]
fn messages_say_what_and_how_to_fix() {
    let err = refuse().check_url("http://10.0.0.5/").unwrap_err();
    assert_eq!(
        err.to_string(),
        "http://10.0.0.5/ resolves to 10.0.0.5, a private address (10.0.0.0/8); \
         refused unless the server runs with --allow-private-networks"
    );
    let err = refuse()
        .check_url("http://[::ffff:169.254.169.254]/")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "http://[::ffff:a9fe:a9fe]/ resolves to ::ffff:169.254.169.254 (IPv4 169.254.169.254), \
         a link-local address (169.254.0.0/16); refused unless the server runs with --allow-private-networks"
    );
    let err = allow("127.0.0.1/32")
        .check_ip("127.0.0.2".parse().unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "127.0.0.2 is a loopback address (127.0.0.0/8); refused because it is outside \
         --allow-private-networks 127.0.0.1/32; add it to that list to allow it"
    );
}

#[test]
fn allow_list_opens_only_its_ranges() {
    let policy = allow("127.0.0.1/32,10.0.0.0/8");
    assert!(policy.check_url("http://127.0.0.1:9000/").is_ok());
    assert!(policy.check_url("http://10.20.30.40/").is_ok());
    assert!(
        policy.check_url("http://[::ffff:127.0.0.1]/").is_ok(),
        "mapped form of an allowed address"
    );
    assert!(
        policy.check_url("http://93.184.216.34/").is_ok(),
        "public stays allowed"
    );
    assert_eq!(
        refused_ip(&policy, "http://127.0.0.2/").to_string(),
        "127.0.0.2"
    );
    assert_eq!(refused_ip(&policy, "http://[::1]/").to_string(), "::1");
    assert_eq!(
        refused_ip(&policy, "http://192.168.0.1/").to_string(),
        "192.168.0.1"
    );
    assert_eq!(
        refused_ip(&policy, "http://169.254.169.254/").to_string(),
        "169.254.169.254"
    );
}

#[test]
fn allow_all_turns_the_check_off() {
    let policy = UrlPolicy::new(PrivateNetworks::AllowAll);
    for url in [
        "http://127.0.0.1/",
        "http://10.0.0.5/",
        "http://[::1]/",
        "http://localhost/",
        "http://169.254.169.254/",
    ] {
        assert!(policy.check_url(url).is_ok(), "{url}");
    }
    assert!(matches!(
        policy.check_url("ftp://x/"),
        Err(PolicyError::NotHttp { .. })
    ));
}

#[test]
fn cli_list_parses() {
    let net = |s: &str| s.parse::<IpNet>().unwrap();
    assert_eq!(
        "127.0.0.1/32,10.0.0.0/8"
            .parse::<PrivateNetworks>()
            .unwrap(),
        PrivateNetworks::Allow(vec![net("127.0.0.1/32"), net("10.0.0.0/8")])
    );
    assert_eq!(
        " 127.0.0.1 , ::1 ,fd00::/8"
            .parse::<PrivateNetworks>()
            .unwrap(),
        PrivateNetworks::Allow(vec![net("127.0.0.1/32"), net("::1/128"), net("fd00::/8")])
    );
    // Host bits are dropped so the list prints as the ranges it means.
    assert_eq!(
        "10.1.2.3/8".parse::<PrivateNetworks>().unwrap(),
        PrivateNetworks::Allow(vec![net("10.0.0.0/8")])
    );
    assert_eq!(
        "all".parse::<PrivateNetworks>().unwrap(),
        PrivateNetworks::AllowAll
    );
    assert_eq!(PrivateNetworks::default(), PrivateNetworks::Refuse);
    assert_eq!(
        "127.0.0.1/32,10.0.0.0/8"
            .parse::<PrivateNetworks>()
            .unwrap()
            .to_string(),
        "127.0.0.1/32,10.0.0.0/8"
    );
}

#[test]
fn cli_list_errors_name_the_bad_entry() {
    let err = |s: &str| s.parse::<PrivateNetworks>().unwrap_err();
    assert_eq!(err("127.0.0.1/32,10.0.0.0/33").entry, "10.0.0.0/33");
    assert_eq!(err("127.0.0.1/32, foo").entry, "foo");
    assert_eq!(err("10.0.0.0/x").entry, "10.0.0.0/x");
    assert_eq!(err("::1/129").entry, "::1/129");
    assert_eq!(err("10.0.0.0/8,,").entry, "");
    assert_eq!(err("").entry, "");
    assert_eq!(
        err("127.0.0.1/32,10.0.0.0/33").to_string(),
        "--allow-private-networks: bad entry \"10.0.0.0/33\": prefix length \"33\" is not a number \
         from 0 to 32; expected a comma-separated list of addresses or CIDR ranges such as 127.0.0.1/32,10.0.0.0/8"
    );
    assert!(
        err("localhost")
            .to_string()
            .contains("\"localhost\" is not an IPv4 or IPv6 address")
    );
    assert!(err("").to_string().contains("the list is empty"));
}
