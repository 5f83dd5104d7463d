//! The two wire dialects. A request is S3 when it carries AWS authorization (header or query)
//! or any `x-amz-*` header; otherwise OSS. The response follows the request's dialect.

use http::HeaderMap;

/// OSS or S3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Alibaba Cloud OSS.
    Oss,
    /// Amazon S3.
    S3,
}

impl Dialect {
    /// Decides the dialect of a request from its headers and query parameter names.
    pub fn detect<'a>(headers: &HeaderMap, query_names: impl IntoIterator<Item = &'a str>) -> Self {
        if let Some(auth) = headers.get(http::header::AUTHORIZATION) {
            let auth = auth.as_bytes();
            if auth.starts_with(b"AWS4-HMAC-SHA256") || auth.starts_with(b"AWS ") {
                return Dialect::S3;
            }
            if auth.starts_with(b"OSS") {
                return Dialect::Oss;
            }
        }
        if headers.keys().any(|k| k.as_str().starts_with("x-amz-")) {
            return Dialect::S3;
        }
        for name in query_names {
            if name.starts_with("X-Amz-") || name == "AWSAccessKeyId" {
                return Dialect::S3;
            }
        }
        Dialect::Oss
    }

    /// The header prefix: `x-oss-` or `x-amz-`.
    pub fn prefix(self) -> &'static str {
        match self {
            Dialect::Oss => "x-oss-",
            Dialect::S3 => "x-amz-",
        }
    }

    /// The user-metadata header prefix.
    pub fn meta_prefix(self) -> &'static str {
        match self {
            Dialect::Oss => "x-oss-meta-",
            Dialect::S3 => "x-amz-meta-",
        }
    }

    /// The dialect's header named `<prefix><suffix>`.
    pub fn header(self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix())
    }

    /// `oss` or `s3`, as metrics, logs and explain name the dialect.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Oss => "oss",
            Dialect::S3 => "s3",
        }
    }

    /// The `Server` header value.
    pub fn server(self) -> &'static str {
        match self {
            Dialect::Oss => "AliyunOSS",
            Dialect::S3 => "AmazonS3",
        }
    }

    /// The XML namespace of response documents.
    pub fn xmlns(self) -> Option<&'static str> {
        match self {
            Dialect::Oss => None,
            Dialect::S3 => Some(ossemu_xml::S3_NS),
        }
    }

    /// A quoted ETag from the stored lower-case form: upper-case hex for OSS.
    pub fn etag(self, stored: &str) -> String {
        match self {
            Dialect::Oss => format!("\"{}\"", stored.to_ascii_uppercase()),
            Dialect::S3 => format!("\"{stored}\""),
        }
    }
}

/// Reads a header that either dialect may send (`x-oss-<suffix>` or `x-amz-<suffix>`),
/// preferring the request's own dialect.
pub fn either_header<'a>(
    headers: &'a HeaderMap,
    dialect: Dialect,
    suffix: &str,
) -> Option<&'a str> {
    let own = headers.get(dialect.header(suffix).as_str());
    let other = match dialect {
        Dialect::Oss => Dialect::S3,
        Dialect::S3 => Dialect::Oss,
    };
    own.or_else(|| headers.get(other.header(suffix).as_str()))
        .and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn detection() {
        assert_eq!(Dialect::detect(&h(&[]), []), Dialect::Oss);
        assert_eq!(
            Dialect::detect(
                &h(&[("authorization", "AWS4-HMAC-SHA256 Credential=a")]),
                []
            ),
            Dialect::S3
        );
        assert_eq!(
            Dialect::detect(&h(&[("authorization", "AWS ak:sig")]), []),
            Dialect::S3
        );
        assert_eq!(
            Dialect::detect(&h(&[("authorization", "OSS ak:sig")]), []),
            Dialect::Oss
        );
        assert_eq!(Dialect::detect(&h(&[("x-amz-date", "x")]), []), Dialect::S3);
        assert_eq!(Dialect::detect(&h(&[]), ["X-Amz-Signature"]), Dialect::S3);
        assert_eq!(Dialect::detect(&h(&[]), ["OSSAccessKeyId"]), Dialect::Oss);
    }

    #[test]
    fn etag_case() {
        assert_eq!(Dialect::Oss.etag("abc-2"), "\"ABC-2\"");
        assert_eq!(Dialect::S3.etag("abc-2"), "\"abc-2\"");
    }
}
