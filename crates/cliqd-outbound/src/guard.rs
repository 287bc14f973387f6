//! Which addresses outbound calls may reach: public unicast only, unless private targets are allowed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The refusal raised by the guard; carried through reqwest's error chain.
#[derive(Debug, Clone)]
pub struct ForbiddenTarget(pub String);

impl std::fmt::Display for ForbiddenTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "target address {} is private or loopback, which is refused unless allowed with --allow-private-network",
            self.0
        )
    }
}

impl std::error::Error for ForbiddenTarget {}

/// True for every address that is not public unicast: loopback, private, link-local,
/// carrier-grade NAT, unique-local, unspecified, multicast, broadcast, documentation and
/// IPv4-mapped forms of those.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_forbidden_v4(v4);
            }
            is_forbidden_v6(v6)
        }
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || ip.to_ipv4().is_some_and(is_forbidden_v4) // IPv4-compatible
}

/// Refuses a URL whose host is an IP literal in a forbidden range (names are checked at resolve time).
pub(crate) fn check_url_host(url: &url::Url, allow_private: bool) -> Result<(), ForbiddenTarget> {
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(url::Host::Domain(name)) => {
            if name.eq_ignore_ascii_case("localhost") || name.ends_with(".localhost") {
                return Err(ForbiddenTarget(name.to_string()));
            }
            return Ok(());
        }
        None => return Ok(()),
    };
    if is_forbidden_ip(ip) {
        Err(ForbiddenTarget(ip.to_string()))
    } else {
        Ok(())
    }
}

/// A DNS resolver that drops forbidden addresses and fails when none is left.
pub(crate) struct GuardedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| allow_private || !is_forbidden_ip(a.ip()))
                .collect();
            if allowed.is_empty() {
                let shown = addrs
                    .first()
                    .map(|a| format!("{host} ({})", a.ip()))
                    .unwrap_or(host);
                return Err(
                    Box::new(ForbiddenTarget(shown)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_addresses() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(
                is_forbidden_ip(bad.parse().unwrap()),
                "{bad} should be forbidden"
            );
        }
        for good in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "93.184.216.34",
        ] {
            assert!(
                !is_forbidden_ip(good.parse().unwrap()),
                "{good} should be allowed"
            );
        }
    }

    #[test]
    fn url_hosts() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(check_url_host(&u("http://127.0.0.1:8080/x"), false).is_err());
        assert!(check_url_host(&u("http://[::1]/"), false).is_err());
        assert!(check_url_host(&u("http://localhost/"), false).is_err());
        assert!(check_url_host(&u("http://127.0.0.1/"), true).is_ok());
        assert!(check_url_host(&u("https://example.com/"), false).is_ok());
    }
}
