//! IPv4/IPv6 CIDR blocks for `IpAddress` / `NotIpAddress` and `aws:SourceIp`.

use std::net::IpAddr;

/// A CIDR block; a bare address is a /32 (IPv4) or /128 (IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d`, `a.b.c.d/n`, `x::y` or `x::y/n`. Host bits may be set (IAM ignores them).
    pub(crate) fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().ok()?
            }
            Some(_) => return None,
        };
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    /// Whether `ip` is inside the block. An IPv4-mapped IPv6 address counts as its IPv4 address.
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), 32, self.prefix)
                    == masked(u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.prefix)
                    == masked(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }

    /// S3's "public" test for `aws:SourceIp`: broader than /8 (IPv4) or /32 (IPv6), unless the
    /// block lies inside an RFC 1918 private range.
    pub(crate) fn is_broad(&self) -> bool {
        match self.addr {
            // RFC 1918 ranges are /8 or narrower, so their exclusion never applies here.
            IpAddr::V4(_) => self.prefix < 8,
            IpAddr::V6(_) => self.prefix < 32,
        }
    }
}

fn masked(v: u128, bits: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let shift = u32::from(bits - prefix);
    (v >> shift) << shift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn v4_blocks() {
        let c = Cidr::parse("192.168.0.0/16").unwrap();
        assert!(c.contains(ip("192.168.44.1")));
        assert!(!c.contains(ip("192.169.0.1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("10.0.0.1").unwrap().contains(ip("10.0.0.1")));
        assert!(!Cidr::parse("10.0.0.1").unwrap().contains(ip("10.0.0.2")));
        assert!(Cidr::parse("1.2.3.4/24").unwrap().contains(ip("1.2.3.200")));
        assert!(
            Cidr::parse("1.2.3.0/24")
                .unwrap()
                .contains(ip("::ffff:1.2.3.9"))
        );
    }

    #[test]
    fn v6_blocks() {
        let c = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c.contains(ip("2001:db8:1::5")));
        assert!(!c.contains(ip("2001:db9::5")));
        assert!(!c.contains(ip("1.2.3.4")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("::1")));
        assert!(Cidr::parse("::1").unwrap().contains(ip("::1")));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4/33",
            "1.2.3.4/",
            "1.2.3.4/-1",
            "::/129",
            "x",
            "1.2.3.4/8/9",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn broadness() {
        assert!(Cidr::parse("0.0.0.0/0").unwrap().is_broad());
        assert!(Cidr::parse("0.0.0.0/1").unwrap().is_broad());
        assert!(!Cidr::parse("10.0.0.0/8").unwrap().is_broad());
        assert!(!Cidr::parse("10.0.0.0/32").unwrap().is_broad());
        assert!(Cidr::parse("::/0").unwrap().is_broad());
        assert!(!Cidr::parse("2001:db8::/32").unwrap().is_broad());
    }
}
