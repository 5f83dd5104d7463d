//! Turning wire values (integers and names as parsed from XML) into model values, with the same
//! errors [`validate`](crate::validate) gives. Used by the code that converts request bodies.

use crate::error::{ConfigError, Problem, Scope};
use crate::model::{Dialect, IndexType, Protocol, RedirectType};
use crate::validate::{error_code_ok, error_status_ok, redirect_code_ok};

/// `RuleNumber` of the rule at `position` (from 1): required, 1 ..= 2^32-1.
pub fn rule_number(position: usize, value: Option<i64>) -> Result<u32, ConfigError> {
    let Some(value) = value else {
        return Err(ConfigError::new(
            Scope::RuleAt(position),
            Problem::Missing("RuleNumber"),
        ));
    };
    u32::try_from(value)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ConfigError::new(Scope::RuleAt(position), Problem::RuleNumberNotPositive))
}

/// `RedirectType`: a known name in any letter case; absent means External.
pub fn redirect_type(rule: u32, value: Option<&str>) -> Result<RedirectType, ConfigError> {
    match value {
        None => Ok(RedirectType::External),
        Some(v) => RedirectType::parse(v.trim()).ok_or_else(|| {
            ConfigError::new(
                Scope::Rule(rule),
                Problem::UnknownRedirectType(v.to_owned()),
            )
        }),
    }
}

/// `Protocol`: `http` or `https` in any letter case.
pub fn protocol(scope: Scope, value: Option<&str>) -> Result<Option<Protocol>, ConfigError> {
    value
        .map(|v| {
            Protocol::parse(v.trim())
                .ok_or_else(|| ConfigError::new(scope, Problem::UnknownProtocol(v.to_owned())))
        })
        .transpose()
}

/// `HttpErrorCodeReturnedEquals`: 400–599.
pub fn http_error_code(rule: u32, value: Option<i64>) -> Result<Option<u16>, ConfigError> {
    value
        .map(|v| {
            u16::try_from(v)
                .ok()
                .filter(|c| error_code_ok(*c))
                .ok_or_else(|| ConfigError::new(Scope::Rule(rule), Problem::HttpErrorCode))
        })
        .transpose()
}

/// `HttpRedirectCode`: 301, 302, 307 (S3 also 303, 308).
pub fn http_redirect_code(
    rule: u32,
    dialect: Dialect,
    value: Option<i64>,
) -> Result<Option<u16>, ConfigError> {
    value
        .map(|v| {
            u16::try_from(v)
                .ok()
                .filter(|c| redirect_code_ok(dialect, *c))
                .ok_or_else(|| {
                    ConfigError::new(Scope::Rule(rule), Problem::HttpRedirectCode(dialect))
                })
        })
        .transpose()
}

/// `IndexDocument/Type`: 0, 1 or 2.
pub fn index_type(value: Option<i64>) -> Result<Option<IndexType>, ConfigError> {
    value
        .map(|v| {
            IndexType::from_code(v)
                .ok_or_else(|| ConfigError::new(Scope::IndexDocument, Problem::IndexType))
        })
        .transpose()
}

/// `ErrorDocument/HttpStatus`: 200 or 404.
pub fn error_status(value: Option<i64>) -> Result<Option<u16>, ConfigError> {
    value
        .map(|v| {
            u16::try_from(v)
                .ok()
                .filter(|s| error_status_ok(*s))
                .ok_or_else(|| ConfigError::new(Scope::ErrorDocument, Problem::ErrorStatus))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_numbers() {
        assert_eq!(rule_number(1, Some(7)), Ok(7));
        assert_eq!(rule_number(2, Some(u32::MAX as i64)), Ok(u32::MAX));
        for bad in [0, -1, 1 << 32] {
            let e = rule_number(2, Some(bad)).unwrap_err();
            assert_eq!(
                e.to_string(),
                "RoutingRule at position 2: RuleNumber must be a positive integer below 2^32"
            );
            assert_eq!(e.code().as_str(), "InvalidArgument");
        }
        let e = rule_number(3, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "RoutingRule at position 3: RuleNumber is required"
        );
        assert_eq!(e.code().as_str(), "MalformedXML");
    }

    #[test]
    fn names() {
        assert_eq!(redirect_type(1, None), Ok(RedirectType::External));
        assert_eq!(redirect_type(1, Some("alicdn")), Ok(RedirectType::AliCdn));
        assert_eq!(
            redirect_type(4, Some("Proxy")).unwrap_err().to_string(),
            "RoutingRule 4: RedirectType must be Mirror, External, AliCDN or Internal, not `Proxy`"
        );
        assert_eq!(
            protocol(Scope::Rule(1), Some("HTTPS")),
            Ok(Some(Protocol::Https))
        );
        assert_eq!(
            protocol(Scope::RedirectAll, Some("ftp"))
                .unwrap_err()
                .to_string(),
            "RedirectAllRequestsTo: Protocol must be http or https, not `ftp`"
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(http_error_code(1, Some(403)), Ok(Some(403)));
        assert_eq!(
            http_error_code(1, Some(70000)).unwrap_err().to_string(),
            "RoutingRule 1: HttpErrorCodeReturnedEquals must be between 400 and 599"
        );
        assert_eq!(
            http_redirect_code(2, Dialect::Oss, Some(308))
                .unwrap_err()
                .to_string(),
            "RoutingRule 2: HttpRedirectCode must be 301, 302 or 307"
        );
        assert_eq!(http_redirect_code(2, Dialect::S3, Some(308)), Ok(Some(308)));
        assert_eq!(index_type(Some(2)), Ok(Some(IndexType::ServeDirIndex)));
        assert_eq!(
            index_type(Some(3)).unwrap_err().to_string(),
            "IndexDocument: Type must be 0, 1 or 2"
        );
        assert_eq!(error_status(Some(200)), Ok(Some(200)));
        assert_eq!(
            error_status(Some(500)).unwrap_err().to_string(),
            "ErrorDocument: HttpStatus must be 200 or 404"
        );
    }
}
