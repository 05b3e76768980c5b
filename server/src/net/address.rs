//! Which IP addresses are not on the public internet.
//!
//! The table errs on the side of refusing: anything that is not plainly a
//! global unicast address is listed, because a scraper that reaches the host's
//! own services or the cloud metadata endpoint is the classic SSRF hole.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// Why an address is not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Loopback,
    Private,
    LinkLocal,
    Unspecified,
    ThisNetwork,
    SharedCgnat,
    Multicast,
    Broadcast,
    Documentation,
    Benchmarking,
    ProtocolAssignments,
    Reserved,
}

impl AddressClass {
    /// The phrase used in messages: "a {phrase} address".
    pub fn phrase(self) -> &'static str {
        match self {
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local",
            AddressClass::Unspecified => "unspecified",
            AddressClass::ThisNetwork => "\"this network\"",
            AddressClass::SharedCgnat => "carrier-grade NAT (shared)",
            AddressClass::Multicast => "multicast",
            AddressClass::Broadcast => "broadcast",
            AddressClass::Documentation => "documentation-only",
            AddressClass::Benchmarking => "benchmarking",
            AddressClass::ProtocolAssignments => "IETF protocol-assignment",
            AddressClass::Reserved => "reserved",
        }
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.phrase())
    }
}

/// A non-public address together with the range that made it so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classified {
    pub class: AddressClass,
    pub range: IpNet,
    /// For IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64,
    /// 6to4), the IPv4 address that was judged.
    pub embedded: Option<Ipv4Addr>,
}

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    match Ipv4Net::new(Ipv4Addr::new(a, b, c, d), len) {
        Ok(net) => net,
        Err(_) => panic!("bad prefix length"),
    }
}

const fn v6(segments: [u16; 8], len: u8) -> Ipv6Net {
    let [a, b, c, d, e, f, g, h] = segments;
    match Ipv6Net::new(Ipv6Addr::new(a, b, c, d, e, f, g, h), len) {
        Ok(net) => net,
        Err(_) => panic!("bad prefix length"),
    }
}

// Order matters: the first match names the class, so narrow ranges come
// before the wide ones that contain them (broadcast before 240/4).
const V4_RANGES: &[(Ipv4Net, AddressClass)] = &[
    (v4(0, 0, 0, 0, 32), AddressClass::Unspecified),
    // Linux treats a connect to any 0.x.x.x as a connect to this host.
    (v4(0, 0, 0, 0, 8), AddressClass::ThisNetwork),
    (v4(10, 0, 0, 0, 8), AddressClass::Private),
    (v4(100, 64, 0, 0, 10), AddressClass::SharedCgnat),
    (v4(127, 0, 0, 0, 8), AddressClass::Loopback),
    // Includes 169.254.169.254, the cloud metadata endpoint.
    (v4(169, 254, 0, 0, 16), AddressClass::LinkLocal),
    (v4(172, 16, 0, 0, 12), AddressClass::Private),
    (v4(192, 0, 0, 0, 24), AddressClass::ProtocolAssignments),
    (v4(192, 0, 2, 0, 24), AddressClass::Documentation),
    // Deprecated 6to4 relay anycast; nothing to scrape there.
    (v4(192, 88, 99, 0, 24), AddressClass::Reserved),
    (v4(192, 168, 0, 0, 16), AddressClass::Private),
    (v4(198, 18, 0, 0, 15), AddressClass::Benchmarking),
    (v4(198, 51, 100, 0, 24), AddressClass::Documentation),
    (v4(203, 0, 113, 0, 24), AddressClass::Documentation),
    (v4(224, 0, 0, 0, 4), AddressClass::Multicast),
    (v4(255, 255, 255, 255, 32), AddressClass::Broadcast),
    (v4(240, 0, 0, 0, 4), AddressClass::Reserved),
];

const V6_RANGES: &[(Ipv6Net, AddressClass)] = &[
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 128), AddressClass::Unspecified),
    (v6([0, 0, 0, 0, 0, 0, 0, 1], 128), AddressClass::Loopback),
    // RFC 8215 local-use NAT64: the prefix length is site-specific, so the
    // embedded IPv4 address cannot be found reliably; refuse the whole range.
    (
        v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        AddressClass::Private,
    ),
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), AddressClass::Reserved),
    (
        v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        AddressClass::Documentation,
    ),
    // Teredo (2001::/32), ORCHID, benchmarking (2001:2::/48) and friends.
    (
        v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
        AddressClass::ProtocolAssignments,
    ),
    (
        v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),
        AddressClass::Documentation,
    ),
    (
        v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16),
        AddressClass::Reserved,
    ),
    (v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), AddressClass::Private),
    (
        v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        AddressClass::LinkLocal,
    ),
    // Deprecated site-local; still routed inside some networks.
    (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), AddressClass::Private),
    (
        v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
        AddressClass::Multicast,
    ),
];

/// Only 2000::/3 is allocated for global unicast; everything else outside the
/// embedded-IPv4 forms is reserved.
const V6_GLOBAL_UNICAST: Ipv6Net = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);

/// Returns `None` for a public (global unicast) address.
pub fn classify(ip: IpAddr) -> Option<Classified> {
    match ip {
        IpAddr::V4(ip) => classify_v4(ip),
        IpAddr::V6(ip) => classify_v6(ip),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Classified> {
    V4_RANGES
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|(net, class)| Classified {
            class: *class,
            range: IpNet::V4(*net),
            embedded: None,
        })
}

fn classify_v6(ip: Ipv6Addr) -> Option<Classified> {
    if let Some(embedded) = embedded_ipv4(ip) {
        // The host (or a translator) would reach the IPv4 address, so the
        // IPv4 rules decide.
        return classify_v4(embedded).map(|c| Classified {
            embedded: Some(embedded),
            ..c
        });
    }
    if let Some((net, class)) = V6_RANGES.iter().find(|(net, _)| net.contains(&ip)) {
        return Some(Classified {
            class: *class,
            range: IpNet::V6(*net),
            embedded: None,
        });
    }
    if !V6_GLOBAL_UNICAST.contains(&ip) {
        return Some(Classified {
            class: AddressClass::Reserved,
            range: IpNet::V6(V6_GLOBAL_UNICAST),
            embedded: None,
        });
    }
    None
}

/// The IPv4 address carried by an IPv6 form that a host or a translator turns
/// back into IPv4: mapped, translated, IPv4-compatible, NAT64 and 6to4.
pub fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    const MAPPED: Ipv6Net = v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96);
    const TRANSLATED: Ipv6Net = v6([0, 0, 0, 0, 0xffff, 0, 0, 0], 96);
    const COMPATIBLE: Ipv6Net = v6([0, 0, 0, 0, 0, 0, 0, 0], 96);
    const NAT64: Ipv6Net = v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);
    const SIX_TO_FOUR: Ipv6Net = v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16);

    let o = ip.octets();
    let last32 = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if MAPPED.contains(&ip) || TRANSLATED.contains(&ip) || NAT64.contains(&ip) {
        return Some(last32);
    }
    // :: and ::1 are IPv6's own unspecified and loopback, not IPv4-compatible.
    if COMPATIBLE.contains(&ip) && u32::from(last32) > 1 {
        return Some(last32);
    }
    if SIX_TO_FOUR.contains(&ip) {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;
