//! Host classification: which bucket a request addresses, and through what kind of host.
//!
//! An endpoint domain (`localhost`, `oss-<region>[-internal].aliyuncs.com`,
//! `s3[.-]<region>.amazonaws.com`, `s3.amazonaws.com`, or one given with `--endpoint-domain`)
//! or an IP literal or any unknown name is path style; `<bucket>.<endpoint domain>` is
//! virtual-host style; a domain bound to a bucket with PutCname is a custom domain;
//! `<bucket>.s3-website[-.]<region>.amazonaws.com` is an S3 website endpoint.

/// How the Host header addresses a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addressing {
    /// Bucket and key come from the path (`/bucket/key`).
    Path,
    /// `<bucket>.<endpoint domain>`; the path is the key.
    VirtualHost(String),
    /// A custom domain bound to the bucket; the path is the key.
    CustomDomain(String),
    /// An S3 website endpoint for the bucket; the path is the key.
    S3Website(String),
}

impl Addressing {
    /// The bucket named by the host, if any.
    pub fn bucket(&self) -> Option<&str> {
        match self {
            Addressing::Path => None,
            Addressing::VirtualHost(b) | Addressing::CustomDomain(b) | Addressing::S3Website(b) => {
                Some(b)
            }
        }
    }
}

/// Lower-cases the Host header value and strips the port (IPv6 literals keep their brackets).
pub fn normalize(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    if host.starts_with('[') {
        return match host.find(']') {
            Some(i) => host[..=i].to_string(),
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => host,
    }
}

fn is_ip(host: &str) -> bool {
    host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()
}

fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// True for the built-in endpoint domains and the configured extra ones.
pub fn is_endpoint(host: &str, extra: &[String]) -> bool {
    if host == "localhost" || extra.iter().any(|d| d.eq_ignore_ascii_case(host)) {
        return true;
    }
    if let Some(region) = host
        .strip_prefix("oss-")
        .and_then(|r| r.strip_suffix(".aliyuncs.com"))
    {
        return is_label(region);
    }
    if host == "s3.amazonaws.com" {
        return true;
    }
    if let Some(rest) = host
        .strip_prefix("s3")
        .and_then(|r| r.strip_suffix(".amazonaws.com"))
        && let Some(region) = rest.strip_prefix('.').or_else(|| rest.strip_prefix('-'))
    {
        return is_label(region) && !region.starts_with("website");
    }
    false
}

fn s3_website_region(rest: &str) -> bool {
    rest.strip_prefix("s3-website")
        .and_then(|r| r.strip_suffix(".amazonaws.com"))
        .and_then(|r| r.strip_prefix('-').or_else(|| r.strip_prefix('.')))
        .is_some_and(is_label)
}

/// Classifies a normalized host. `custom_domain` looks up a bound domain's bucket; its
/// failure is the classification's.
pub fn classify<E>(
    host: &str,
    extra_endpoints: &[String],
    custom_domain: impl FnOnce(&str) -> Result<Option<String>, E>,
) -> Result<Addressing, E> {
    if host.is_empty() || is_ip(host) || is_endpoint(host, extra_endpoints) {
        return Ok(Addressing::Path);
    }
    if let Some((bucket, rest)) = host.split_once('.') {
        // `.oss-cn-hangzhou.aliyuncs.com`: an SDK addressing the service (no bucket) through
        // virtual-host style; the empty label names no bucket.
        if bucket.is_empty() && (is_endpoint(rest, extra_endpoints) || s3_website_region(rest)) {
            return Ok(Addressing::Path);
        }
        if is_endpoint(rest, extra_endpoints) {
            return Ok(Addressing::VirtualHost(bucket.to_string()));
        }
        if s3_website_region(rest) {
            return Ok(Addressing::S3Website(bucket.to_string()));
        }
    }
    Ok(match custom_domain(host)? {
        Some(bucket) => Addressing::CustomDomain(bucket),
        None => Addressing::Path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(host: &str) -> Addressing {
        let lookup = |h: &str| Ok::<_, ()>((h == "img.example.test").then(|| "pics".to_string()));
        classify(&normalize(host), &["minio.test".to_string()], lookup).unwrap()
    }

    #[test]
    fn path_style_hosts() {
        for h in [
            ".oss-cn-hangzhou.aliyuncs.com",
            ".localhost:9000",
            "127.0.0.1:9000",
            "localhost:9000",
            "[::1]:9000",
            "ossemu:9000",
            "oss-cn-hangzhou.aliyuncs.com",
            "oss-cn-hangzhou-internal.aliyuncs.com",
            "s3.amazonaws.com",
            "s3.us-east-1.amazonaws.com",
            "s3-eu-west-1.amazonaws.com",
            "minio.test",
            "unknown.example.org",
        ] {
            assert_eq!(c(h), Addressing::Path, "{h}");
        }
    }

    #[test]
    fn virtual_hosts() {
        for (h, b) in [
            ("bkt.localhost:9000", "bkt"),
            ("bkt.oss-cn-hangzhou.aliyuncs.com", "bkt"),
            ("bkt.oss-cn-hangzhou-internal.aliyuncs.com", "bkt"),
            ("bkt.s3.amazonaws.com", "bkt"),
            ("bkt.s3.us-west-2.amazonaws.com", "bkt"),
            ("bkt.s3-us-west-2.amazonaws.com", "bkt"),
            ("BKT.Minio.Test", "bkt"),
        ] {
            assert_eq!(c(h), Addressing::VirtualHost(b.into()), "{h}");
        }
    }

    #[test]
    fn custom_domain_and_website() {
        assert_eq!(
            c("img.example.test"),
            Addressing::CustomDomain("pics".into())
        );
        assert_eq!(
            c("site.s3-website-us-east-1.amazonaws.com"),
            Addressing::S3Website("site".into())
        );
        assert_eq!(
            c("site.s3-website.eu-west-1.amazonaws.com"),
            Addressing::S3Website("site".into())
        );
    }

    proptest! {
        #[test]
        fn never_panics(host in "\\PC{0,80}") {
            let _ = c(&host);
        }
    }
}
