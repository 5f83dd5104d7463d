//! Which addresses a mirror fetch may connect to ([`OriginAddresses`]), enforced on every
//! connection it makes: the first URL and every redirect when their host is an IP literal
//! ([`check_url`], in the redirect policy and before the request), and every address a host
//! name resolves to ([`GuardedResolver`]: names resolving only to forbidden addresses fail,
//! forbidden addresses among allowed ones are dropped). ossemu's own endpoints are protected
//! apart from this, whatever the address ([`crate::HOP_HEADER`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Which origin addresses mirror fetches may reach (`--mirror-origins`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OriginAddresses {
    /// Public addresses only, as OSS ("the origin URL cannot be an address of the internal
    /// network"): no loopback, private, shared (100.64.0.0/10), link-local or unique-local
    /// addresses.
    Public,
    /// Public addresses, loopback and private networks (local origins, docker-compose
    /// services), but not link-local ones (169.254.0.0/16, fe80::/10), where cloud metadata
    /// services live.
    #[default]
    Local,
    /// Every address, link-local included.
    Any,
}

/// A connection the policy refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("origin address {0} is not allowed by --mirror-origins")]
pub struct ForbiddenAddress(pub IpAddr);

fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    !(v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (18..20).contains(&b)))
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    let first = v6.segments()[0];
    !(v6.is_loopback()
        || v6.is_unspecified()
        || v6.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0)
}

impl OriginAddresses {
    /// Whether a fetch may connect to `ip` (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn permits(self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match self {
            OriginAddresses::Any => true,
            OriginAddresses::Local => !is_link_local(ip),
            OriginAddresses::Public => match ip {
                IpAddr::V4(v4) => is_public_v4(v4),
                IpAddr::V6(v6) => is_public_v6(v6),
            },
        }
    }
}

/// Refuses a URL whose host is an IP literal the policy forbids (host names are checked when
/// they are resolved).
pub(crate) fn check_url(
    policy: OriginAddresses,
    url: &reqwest::Url,
) -> Result<(), ForbiddenAddress> {
    // The URL parser has already turned every IPv4 form (decimal, hex) into dotted quads.
    let host = url.host_str().unwrap_or_default();
    let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    else {
        return Ok(());
    };
    if policy.permits(ip) {
        Ok(())
    } else {
        Err(ForbiddenAddress(ip))
    }
}

/// The system resolver, keeping only the addresses the policy permits.
pub(crate) struct GuardedResolver(pub(crate) OriginAddresses);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| policy.permits(a.ip()))
                .collect();
            match (permitted.is_empty(), found.first()) {
                (true, Some(first)) => Err(Box::new(ForbiddenAddress(first.ip())) as _),
                _ => Ok(Box::new(permitted.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

/// The redirect policy: at most `max` redirects, none to a forbidden IP literal.
pub(crate) fn redirect_policy(policy: OriginAddresses, max: usize) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        // The first of `previous` is the first URL, not a redirect.
        if attempt.previous().len() > max {
            return attempt.error(TooManyRedirects(max));
        }
        match check_url(policy, attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(e) => attempt.error(e),
        }
    })
}

/// More redirects than MirrorFollowRedirect follows.
#[derive(Debug, thiserror::Error)]
#[error("more than {0} redirects")]
pub(crate) struct TooManyRedirects(usize);

/// The [`ForbiddenAddress`] behind a request error, if that is why it failed.
pub(crate) fn forbidden(e: &reqwest::Error) -> Option<ForbiddenAddress> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(f) = err.downcast_ref::<ForbiddenAddress>() {
            return Some(*f);
        }
        source = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn local_allows_all_but_link_local() {
        let p = OriginAddresses::Local;
        for ok in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.20.0.2",
            "8.8.8.8",
            "::1",
        ] {
            assert!(p.permits(ip(ok)), "{ok}");
        }
        for no in [
            "169.254.169.254",
            "169.254.0.1",
            "fe80::1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!p.permits(ip(no)), "{no}");
        }
        assert!(OriginAddresses::Any.permits(ip("169.254.169.254")));
    }

    #[test]
    fn public_allows_public_addresses_only() {
        let p = OriginAddresses::Public;
        for ok in [
            "8.8.8.8",
            "1.1.1.1",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
        ] {
            assert!(p.permits(ip(ok)), "{ok}");
        }
        for no in [
            "127.0.0.1",
            "0.0.0.0",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "198.18.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!p.permits(ip(no)), "{no}");
        }
    }

    #[test]
    fn urls_with_forbidden_ip_literals_are_refused() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        let p = OriginAddresses::Local;
        assert!(check_url(p, &url("http://169.254.169.254/latest/")).is_err());
        assert!(check_url(p, &url("http://[fe80::1]:8080/")).is_err());
        // The URL parser's forms of the same address: decimal, hex.
        assert!(check_url(p, &url("http://2852039166/")).is_err());
        assert!(check_url(p, &url("http://0xa9fea9fe/")).is_err());
        assert!(check_url(p, &url("http://127.0.0.1:9000/")).is_ok());
        assert!(check_url(p, &url("http://metadata.example/")).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_only_to_forbidden_addresses_fail() {
        use reqwest::dns::Resolve;
        let name = |s: &str| s.parse::<reqwest::dns::Name>().unwrap();
        let public = GuardedResolver(OriginAddresses::Public);
        let err = public.resolve(name("localhost")).await.err().unwrap();
        assert!(err.downcast_ref::<ForbiddenAddress>().is_some(), "{err}");
        let local = GuardedResolver(OriginAddresses::Local);
        let addrs: Vec<_> = local.resolve(name("localhost")).await.unwrap().collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }
}
