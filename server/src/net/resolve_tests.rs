//! All lookups here are fake or numeric: no DNS query leaves the machine.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::net::policy::PrivateNetworks;

fn policy(private: &str) -> Arc<UrlPolicy> {
    Arc::new(UrlPolicy::new(match private {
        "refuse" => PrivateNetworks::Refuse,
        list => list.parse().unwrap(),
    }))
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

/// A lookup that answers `answer` for every name and counts its calls.
fn fake(answer: &[&str]) -> (Lookup, Arc<AtomicUsize>) {
    let answer = ips(answer);
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let lookup: Lookup = Arc::new(move |_host| {
        counter.fetch_add(1, Ordering::SeqCst);
        let answer = answer.clone();
        Box::pin(async move { Ok(answer) })
    });
    (lookup, calls)
}

#[tokio::test]
async fn refused_addresses_are_dropped_from_a_mixed_answer() {
    let (lookup, _) = fake(&["10.0.0.5", "93.184.216.34", "::1", "2606:4700::1111"]);
    let resolver = PolicyResolver::with_lookup(policy("refuse"), lookup);
    let got = resolver.resolve_host("rebind.example").await.unwrap();
    assert_eq!(got, ips(&["93.184.216.34", "2606:4700::1111"]));
}

#[tokio::test]
async fn an_answer_of_only_refused_addresses_is_an_error_naming_them() {
    let (lookup, _) = fake(&["127.0.0.1", "10.0.0.5", "127.0.0.1"]);
    let resolver = PolicyResolver::with_lookup(policy("refuse"), lookup);
    let err = resolver.resolve_host("rebind.example").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "rebind.example resolves only to refused addresses: 127.0.0.1, a loopback address (127.0.0.0/8); \
         10.0.0.5, a private address (10.0.0.0/8); refused unless the server runs with --allow-private-networks"
    );
    assert!(matches!(
        err,
        ResolveError::Refused(PolicyError::AllAddressesRefused { .. })
    ));
}

#[tokio::test]
async fn allow_list_keeps_only_listed_private_addresses() {
    let (lookup, _) = fake(&["127.0.0.2", "127.0.0.1", "10.1.1.1"]);
    let resolver = PolicyResolver::with_lookup(policy("127.0.0.1/32"), lookup);
    assert_eq!(
        resolver.resolve_host("a.example").await.unwrap(),
        ips(&["127.0.0.1"])
    );

    let (lookup, _) = fake(&["127.0.0.2"]);
    let resolver = PolicyResolver::with_lookup(policy("127.0.0.1/32"), lookup);
    let err = resolver
        .resolve_host("b.example")
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "b.example resolves to 127.0.0.2, a loopback address (127.0.0.0/8); refused because it is \
         outside --allow-private-networks 127.0.0.1/32; add it to that list to allow it"
    );
}

#[tokio::test]
async fn localhost_is_answered_locally_with_both_loopbacks() {
    let (lookup, calls) = fake(&["93.184.216.34"]);
    for (private, expected) in [
        ("all", &["127.0.0.1", "::1"][..]),
        ("127.0.0.1/32", &["127.0.0.1"][..]),
        ("::1/128", &["::1"][..]),
    ] {
        let resolver = PolicyResolver::with_lookup(policy(private), lookup.clone());
        for host in ["localhost", "LocalHost.", "app.localhost"] {
            assert_eq!(
                resolver.resolve_host(host).await.unwrap(),
                ips(expected),
                "{private} {host}"
            );
        }
    }
    let resolver = PolicyResolver::with_lookup(policy("refuse"), lookup);
    let err = resolver
        .resolve_host("localhost")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("localhost resolves only to refused addresses: 127.0.0.1, a loopback"),
        "{err}"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "localhost must never reach the lookup"
    );
}

#[tokio::test]
async fn invalid_tld_fails_without_a_lookup() {
    let (lookup, calls) = fake(&["93.184.216.34"]);
    let resolver = PolicyResolver::with_lookup(policy("all"), lookup);
    for host in ["nosuch.invalid", "a.b.INVALID.", "invalid"] {
        let err = resolver.resolve_host(host).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("could not resolve host {host}: names under .invalid never resolve (RFC 6761)")
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert!(resolver.resolve_host("invalid.example").await.is_ok());
}

#[tokio::test]
async fn lookup_failures_name_the_host() {
    let lookup: Lookup =
        Arc::new(|_| Box::pin(async { Err(io::Error::other("Name or service not known")) }));
    let resolver = PolicyResolver::with_lookup(policy("refuse"), lookup);
    let err = resolver.resolve_host("nosuch.example").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "could not resolve host nosuch.example: Name or service not known"
    );

    let (empty, _) = fake(&[]);
    let resolver = PolicyResolver::with_lookup(policy("refuse"), empty);
    assert!(matches!(
        resolver.resolve_host("empty.example").await,
        Err(ResolveError::NotFound { .. })
    ));
}

/// Numeric names go through the real system path without any DNS query.
#[tokio::test]
async fn system_lookup_path_filters_too() {
    let resolver = PolicyResolver::new(policy("127.0.0.1/32"));
    assert_eq!(
        resolver.resolve_host("127.0.0.1").await.unwrap(),
        ips(&["127.0.0.1"])
    );
    assert!(resolver.resolve_host("127.0.0.2").await.is_err());
}

#[tokio::test]
async fn reqwest_resolve_trait_yields_port_zero_addresses() {
    let resolver = PolicyResolver::new(policy("all"));
    let addrs: Vec<SocketAddr> = Resolve::resolve(&resolver, "localhost".parse().unwrap())
        .await
        .unwrap()
        .collect();
    assert_eq!(
        addrs,
        vec!["127.0.0.1:0".parse().unwrap(), "[::1]:0".parse().unwrap()]
    );
}
