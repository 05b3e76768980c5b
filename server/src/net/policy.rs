//! The URL policy: which URLs and addresses the scraper may fetch.
//!
//! Everything here is pure: no lookups, no traffic. Host names are judged
//! later, on the addresses they actually resolve to (see `resolve.rs`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::IpNet;
use url::{Host, Url};

use crate::net::address::{AddressClass, classify};

/// Which non-public addresses may be fetched.
///
/// On the command line: no flag is `Refuse`, a bare `--allow-private-networks`
/// is `AllowAll`, and `--allow-private-networks 127.0.0.1/32,10.0.0.0/8` is
/// `Allow(list)`. With clap that is
/// `#[arg(long, num_args = 0..=1, default_missing_value = "all")]
/// allow_private_networks: Option<PrivateNetworks>` (then `unwrap_or_default()`),
/// since `FromStr` reads `all` as `AllowAll`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PrivateNetworks {
    #[default]
    Refuse,
    /// Turns the address check off entirely.
    AllowAll,
    /// Non-public addresses inside these ranges are allowed; public addresses
    /// are always allowed.
    Allow(Vec<IpNet>),
}

impl PrivateNetworks {
    /// Parses the comma-separated list form: `127.0.0.1/32,10.0.0.0/8,::1`.
    /// A bare address means just that address (/32 or /128).
    pub fn parse_list(list: &str) -> Result<Self, NetworkListError> {
        if list.trim().is_empty() {
            return Err(NetworkListError {
                entry: list.to_string(),
                problem: "the list is empty (give the flag without a value to allow all private networks)"
                    .into(),
            });
        }
        list.split(',')
            .map(parse_network)
            .collect::<Result<Vec<_>, _>>()
            .map(PrivateNetworks::Allow)
    }
}

impl FromStr for PrivateNetworks {
    type Err = NetworkListError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("all") {
            Ok(PrivateNetworks::AllowAll)
        } else {
            PrivateNetworks::parse_list(s)
        }
    }
}

impl fmt::Display for PrivateNetworks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrivateNetworks::Refuse => f.write_str("none"),
            PrivateNetworks::AllowAll => f.write_str("all"),
            PrivateNetworks::Allow(list) => f.write_str(&join(list)),
        }
    }
}

fn parse_network(entry: &str) -> Result<IpNet, NetworkListError> {
    let fail = |problem: String| NetworkListError {
        entry: entry.trim().to_string(),
        problem,
    };
    let trimmed = entry.trim();
    if trimmed.is_empty() {
        return Err(fail("empty entry (stray comma?)".into()));
    }
    let (addr, len) = match trimmed.split_once('/') {
        Some((addr, len)) => (addr, Some(len)),
        None => (trimmed, None),
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| fail(format!("{addr:?} is not an IPv4 or IPv6 address")))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = match len {
        None => max,
        Some(len) => len
            .parse::<u8>()
            .ok()
            .filter(|len| *len <= max)
            .ok_or_else(|| {
                fail(format!(
                    "prefix length {len:?} is not a number from 0 to {max}"
                ))
            })?,
    };
    let net = IpNet::new(addr, len).map_err(|e| fail(e.to_string()))?;
    Ok(net.trunc())
}

/// A bad entry in the `--allow-private-networks` list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--allow-private-networks: bad entry {entry:?}: {problem}; expected a comma-separated list of addresses or CIDR ranges such as 127.0.0.1/32,10.0.0.0/8"
)]
pub struct NetworkListError {
    pub entry: String,
    pub problem: String,
}

/// A refused address and the range that refused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub ip: IpAddr,
    pub class: AddressClass,
    pub range: IpNet,
    /// Set when an IPv6 form carrying this IPv4 address was judged by it.
    pub embedded: Option<Ipv4Addr>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ip)?;
        if let Some(v4) = self.embedded {
            write!(f, " (IPv4 {v4})")?;
        }
        write!(f, ", a {} address ({})", self.class, self.range)
    }
}

/// What the operator can do about a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    AddFlag,
    ExtendList(Vec<IpNet>),
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remedy::AddFlag => {
                f.write_str("refused unless the server runs with --allow-private-networks")
            }
            Remedy::ExtendList(list) => write!(
                f,
                "refused because it is outside --allow-private-networks {}; add it to that list to allow it",
                join(list)
            ),
        }
    }
}

/// Why a URL or address may not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error(
        "{input:?} is not an absolute URL; give the full address, e.g. https://example.com/page"
    )]
    NotAbsolute { input: String },
    #[error("{input:?} is not a valid URL: {reason}")]
    InvalidUrl { input: String, reason: String },
    #[error("{url} uses the {scheme}: scheme; only http: and https: pages can be fetched")]
    NotHttp { url: String, scheme: String },
    #[error("{url} has no host; give the full address, e.g. https://example.com/page")]
    NoHost { url: String },
    /// `target` is the URL (or address) that was checked.
    #[error("{}", private_message(target, refusal, remedy))]
    PrivateAddress {
        target: String,
        refusal: Refusal,
        remedy: Remedy,
    },
    /// A host name whose every resolved address was refused.
    #[error("{}", all_refused_message(host, refused, remedy))]
    AllAddressesRefused {
        host: String,
        refused: Vec<Refusal>,
        remedy: Remedy,
    },
}

fn private_message(target: &str, refusal: &Refusal, remedy: &Remedy) -> String {
    if target == refusal.ip.to_string() {
        let Refusal {
            ip, class, range, ..
        } = refusal;
        format!("{ip} is a {class} address ({range}); {remedy}")
    } else {
        format!("{target} resolves to {refusal}; {remedy}")
    }
}

fn all_refused_message(host: &str, refused: &[Refusal], remedy: &Remedy) -> String {
    match refused {
        [one] => format!("{host} resolves to {one}; {remedy}"),
        many => {
            let list: Vec<String> = many.iter().map(ToString::to_string).collect();
            format!(
                "{host} resolves only to refused addresses: {}; {remedy}",
                list.join("; ")
            )
        }
    }
}

fn join(list: &[IpNet]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Something `check_url` accepts: a string to parse or an already parsed URL.
pub trait UrlInput {
    fn into_url(self) -> Result<Url, PolicyError>;
}

impl UrlInput for &str {
    fn into_url(self) -> Result<Url, PolicyError> {
        Url::parse(self).map_err(|e| match e {
            url::ParseError::RelativeUrlWithoutBase => PolicyError::NotAbsolute {
                input: self.to_string(),
            },
            url::ParseError::EmptyHost => PolicyError::NoHost {
                url: self.to_string(),
            },
            other => PolicyError::InvalidUrl {
                input: self.to_string(),
                reason: other.to_string(),
            },
        })
    }
}

impl UrlInput for &String {
    fn into_url(self) -> Result<Url, PolicyError> {
        self.as_str().into_url()
    }
}

impl UrlInput for &Url {
    fn into_url(self) -> Result<Url, PolicyError> {
        Ok(self.clone())
    }
}

impl UrlInput for Url {
    fn into_url(self) -> Result<Url, PolicyError> {
        Ok(self)
    }
}

/// `localhost` and `*.localhost` are loopback by RFC 6761, whatever DNS says.
pub fn is_localhost_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host.len() > ".localhost".len()
            && host[host.len() - ".localhost".len()..].eq_ignore_ascii_case(".localhost")
}

/// The addresses a localhost name stands for.
pub const LOCALHOST_ADDRS: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::LOCALHOST),
    IpAddr::V6(Ipv6Addr::LOCALHOST),
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    pub private: PrivateNetworks,
}

impl UrlPolicy {
    pub fn new(private: PrivateNetworks) -> Self {
        UrlPolicy { private }
    }

    /// Parses and checks a URL: absolute http(s) with a host; an IP-literal
    /// host (in any spelling the WHATWG parser accepts: decimal, octal, hex,
    /// short forms) and localhost names are judged here. Other host names pass
    /// and are judged on their resolved addresses at connect time.
    pub fn check_url(&self, url: impl UrlInput) -> Result<Url, PolicyError> {
        let url = url.into_url()?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(PolicyError::NotHttp {
                url: url.to_string(),
                scheme: url.scheme().to_string(),
            });
        }
        let ip = match url.host() {
            None => {
                return Err(PolicyError::NoHost {
                    url: url.to_string(),
                });
            }
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(Host::Domain(name)) if is_localhost_name(name) => {
                // Allowed when either loopback address is; the resolver then
                // drops the one that is not.
                let [v4, v6] = LOCALHOST_ADDRS;
                return match (self.refusal(v4), self.refusal(v6)) {
                    (Some(refusal), Some(_)) => Err(self.private_error(url.to_string(), refusal)),
                    _ => Ok(url),
                };
            }
            Some(Host::Domain(_)) => return Ok(url),
        };
        match self.refusal(ip) {
            Some(refusal) => Err(self.private_error(url.to_string(), refusal)),
            None => Ok(url),
        }
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<(), PolicyError> {
        match self.refusal(ip) {
            Some(refusal) => Err(self.private_error(ip.to_string(), refusal)),
            None => Ok(()),
        }
    }

    /// Why `ip` is refused, or `None` if it may be connected to.
    pub fn refusal(&self, ip: IpAddr) -> Option<Refusal> {
        let classified = classify(ip)?;
        let allowed = match &self.private {
            PrivateNetworks::Refuse => false,
            PrivateNetworks::AllowAll => true,
            PrivateNetworks::Allow(list) => list.iter().any(|net| {
                net.contains(&ip)
                    || classified
                        .embedded
                        .is_some_and(|v4| net.contains(&IpAddr::V4(v4)))
            }),
        };
        (!allowed).then_some(Refusal {
            ip,
            class: classified.class,
            range: classified.range,
            embedded: classified.embedded,
        })
    }

    pub fn remedy(&self) -> Remedy {
        match &self.private {
            PrivateNetworks::Allow(list) => Remedy::ExtendList(list.clone()),
            PrivateNetworks::Refuse | PrivateNetworks::AllowAll => Remedy::AddFlag,
        }
    }

    fn private_error(&self, target: String, refusal: Refusal) -> PolicyError {
        PolicyError::PrivateAddress {
            target,
            refusal,
            remedy: self.remedy(),
        }
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
