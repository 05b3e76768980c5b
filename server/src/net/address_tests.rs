use std::net::IpAddr;

use super::{AddressClass, classify};

fn class_of(ip: &str) -> Option<AddressClass> {
    classify(ip.parse::<IpAddr>().unwrap()).map(|c| c.class)
}

fn assert_class(class: AddressClass, ips: &[&str]) {
    for ip in ips {
        assert_eq!(class_of(ip), Some(class), "{ip}");
    }
}

#[test]
fn ipv4_classes() {
    use AddressClass::*;
    assert_class(Unspecified, &["0.0.0.0"]);
    assert_class(ThisNetwork, &["0.0.0.1", "0.255.255.255"]);
    assert_class(Loopback, &["127.0.0.1", "127.0.0.2", "127.255.255.254"]);
    assert_class(
        Private,
        &[
            "10.0.0.5",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
        ],
    );
    assert_class(LinkLocal, &["169.254.169.254", "169.254.0.1"]);
    assert_class(SharedCgnat, &["100.64.0.1", "100.127.255.255"]);
    assert_class(Multicast, &["224.0.0.1", "239.255.255.250"]);
    assert_class(Broadcast, &["255.255.255.255"]);
    assert_class(Reserved, &["240.0.0.1", "255.255.255.254", "192.88.99.1"]);
    assert_class(Documentation, &["192.0.2.1", "198.51.100.7", "203.0.113.9"]);
    assert_class(Benchmarking, &["198.18.0.1", "198.19.255.255"]);
    assert_class(ProtocolAssignments, &["192.0.0.8", "192.0.0.170"]);
}

#[test]
fn ipv4_public_neighbours_are_public() {
    for ip in [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "9.255.255.255",
        "11.0.0.0",
        "172.15.255.255",
        "172.32.0.1",
        "192.167.255.255",
        "192.169.0.0",
        "100.63.255.255",
        "100.128.0.1",
        "169.253.255.255",
        "126.255.255.255",
        "128.0.0.0",
        "223.255.255.255",
    ] {
        assert_eq!(class_of(ip), None, "{ip}");
    }
}

#[test]
fn ipv6_classes() {
    use AddressClass::*;
    assert_class(Unspecified, &["::"]);
    assert_class(Loopback, &["::1"]);
    assert_class(
        Private,
        &["fc00::1", "fd12:3456::1", "fec0::1", "64:ff9b:1::a00:1"],
    );
    assert_class(LinkLocal, &["fe80::1", "febf::1"]);
    assert_class(Multicast, &["ff02::1", "ff05::2"]);
    assert_class(Documentation, &["2001:db8::1", "3fff::1"]);
    assert_class(ProtocolAssignments, &["2001::1", "2001:2::1"]);
    assert_class(
        Reserved,
        &["100::1", "4000::1", "e000::1", "::2:0:0:1", "5f00::1"],
    );
}

#[test]
fn ipv6_forms_carrying_ipv4_are_judged_by_the_ipv4() {
    use AddressClass::*;
    assert_class(
        Loopback,
        &[
            "::ffff:127.0.0.1",   // mapped
            "::ffff:0:127.0.0.1", // translated
            "::127.0.0.1",        // compatible
            "64:ff9b::127.0.0.1", // NAT64
            "2002:7f00:1::",      // 6to4
        ],
    );
    assert_class(LinkLocal, &["::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe"]);
    assert_class(Private, &["::ffff:10.0.0.5", "2002:c0a8:101::1"]);
    assert_class(Unspecified, &["::ffff:0.0.0.0"]);
    let mapped = classify("::ffff:10.0.0.5".parse().unwrap()).unwrap();
    assert_eq!(mapped.embedded, Some("10.0.0.5".parse().unwrap()));
    assert_eq!(mapped.range.to_string(), "10.0.0.0/8");
    for ip in ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"] {
        assert_eq!(class_of(ip), None, "{ip}");
    }
}

#[test]
fn ipv6_global_unicast_is_public() {
    for ip in [
        "2606:4700:4700::1111",
        "2a00:1450:4001::1",
        "2001:4860:4860::8888",
    ] {
        assert_eq!(class_of(ip), None, "{ip}");
    }
}
