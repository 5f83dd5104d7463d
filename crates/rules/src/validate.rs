//! Checks a [`Website`] before it is stored. The first problem found is returned; rules are
//! checked in document order.
//!
//! Limits: 20 rules (S3: 50); 10 each of IncludeHeader, Pass, Remove, Set.
//!
//! Two rules may share a whole Condition: OSS documents no such check, and GetBucketWebsite's
//! own echo (which writes `HttpErrorCodeReturnedEquals` 404 for a rule without one) must be
//! accepted back by PutBucketWebsite. Evaluation by RuleNumber decides which one applies.

use std::collections::HashSet;

use crate::error::{ConfigError, Problem, Scope, UrlField};
use crate::model::{Dialect, Mirror, MirrorHeaders, RedirectType, Rule, Website};

/// Most rules in an OSS configuration.
pub const MAX_RULES_OSS: usize = 20;
/// Most rules in an S3 configuration.
pub const MAX_RULES_S3: usize = 50;
/// Most `IncludeHeader` per Condition, and `Pass`, `Remove`, `Set` per MirrorHeaders.
pub const MAX_LIST: usize = 10;
/// Longest header name or `Set` value in MirrorHeaders, in bytes.
pub const MAX_HEADER_BYTES: usize = 1024;

/// The HTTP statuses a `HttpErrorCodeReturnedEquals` may name.
pub(crate) fn error_code_ok(code: u16) -> bool {
    (400..=599).contains(&code)
}

/// The HTTP statuses a `HttpRedirectCode` may name.
pub(crate) fn redirect_code_ok(dialect: Dialect, code: u16) -> bool {
    match dialect {
        Dialect::Oss => matches!(code, 301 | 302 | 307),
        Dialect::S3 => matches!(code, 301 | 302 | 303 | 307 | 308),
    }
}

/// The statuses an `ErrorDocument/HttpStatus` may name.
pub(crate) fn error_status_ok(status: u16) -> bool {
    matches!(status, 200 | 404)
}

/// Checks everything [`wire`](crate::wire) does not already guarantee. See the module docs.
pub fn validate(website: &Website) -> Result<(), ConfigError> {
    let has_index = website
        .index_document
        .as_ref()
        .is_some_and(|i| !i.suffix.is_empty());
    let has_error = website
        .error_document
        .as_ref()
        .is_some_and(|e| !e.key.is_empty());
    if let Some(all) = &website.redirect_all {
        if website.index_document.is_some()
            || website.error_document.is_some()
            || !website.rules.is_empty()
        {
            return Err(ConfigError::new(
                Scope::Configuration,
                Problem::RedirectAllExclusive,
            ));
        }
        check_host_name(Scope::RedirectAll, &all.host_name)?;
    } else if !has_index && !has_error && website.rules.is_empty() {
        return Err(ConfigError::new(
            Scope::Configuration,
            Problem::NothingConfigured,
        ));
    }
    if let Some(error) = &website.error_document
        && let Some(status) = error.http_status
        && !error_status_ok(status)
    {
        return Err(ConfigError::new(Scope::ErrorDocument, Problem::ErrorStatus));
    }

    let max = match website.dialect {
        Dialect::Oss => MAX_RULES_OSS,
        Dialect::S3 => MAX_RULES_S3,
    };
    if website.rules.len() > max {
        return Err(ConfigError::new(
            Scope::RoutingRules,
            Problem::TooManyRules { max },
        ));
    }
    let mut numbers = HashSet::new();
    for (i, rule) in website.rules.iter().enumerate() {
        if rule.number == 0 {
            return Err(ConfigError::new(
                Scope::RuleAt(i + 1),
                Problem::RuleNumberNotPositive,
            ));
        }
        if !numbers.insert(rule.number) {
            return Err(ConfigError::new(
                Scope::Rule(rule.number),
                Problem::DuplicateRuleNumber,
            ));
        }
        check_rule(website.dialect, rule)
            .map_err(|p| ConfigError::new(Scope::Rule(rule.number), p))?;
    }
    Ok(())
}

fn check_rule(dialect: Dialect, rule: &Rule) -> Result<(), Problem> {
    let condition = &rule.condition;
    if let Some(code) = condition.http_error_code_returned_equals
        && !error_code_ok(code)
    {
        return Err(Problem::HttpErrorCode);
    }
    if condition.include_headers.len() > MAX_LIST {
        return Err(Problem::TooMany {
            element: "IncludeHeader",
            max: MAX_LIST,
        });
    }
    if condition.include_headers.iter().any(|h| !is_token(&h.key)) {
        return Err(Problem::BadIncludeHeaderKey);
    }

    let Some(redirect) = &rule.redirect else {
        return match rule.lua_config {
            Some(_) => Ok(()),
            None => Err(Problem::RedirectRequired),
        };
    };
    if let Some(code) = redirect.http_redirect_code
        && !redirect_code_ok(dialect, code)
    {
        return Err(Problem::HttpRedirectCode(dialect));
    }
    let replace_key = redirect.replace_key_with().is_some();
    if replace_key && redirect.replace_key_prefix_with.is_some() {
        return Err(Problem::ReplaceKeyWithAndPrefix);
    }
    if replace_key && redirect.enable_replace_prefix == Some(true) {
        return Err(Problem::EnableReplacePrefixWithReplaceKey);
    }
    if let Some(host) = &redirect.host_name {
        check_host(host)?;
    }

    let kind = redirect.redirect_type;
    let not_allowed = |element| Problem::NotAllowed {
        element,
        redirect_type: kind,
    };
    let changes_key = replace_key
        || redirect.replace_key_prefix_with.is_some()
        || redirect.enable_replace_prefix == Some(true);
    match kind {
        RedirectType::External | RedirectType::AliCdn => {
            if !changes_key
                && redirect.host_name.is_none()
                && redirect.protocol.is_none()
                && redirect.http_redirect_code.is_none()
            {
                return Err(Problem::EmptyRedirect);
            }
        }
        RedirectType::Internal => {
            if redirect.host_name.is_some() {
                return Err(not_allowed("HostName"));
            }
            if redirect.protocol.is_some() {
                return Err(not_allowed("Protocol"));
            }
            if redirect.http_redirect_code.is_some() {
                return Err(not_allowed("HttpRedirectCode"));
            }
            if !changes_key {
                return Err(Problem::InternalWithoutNewKey);
            }
        }
        RedirectType::Mirror => {
            // Without HttpErrorCodeReturnedEquals a Mirror rule applies to 404s only
            // (see `Rule::error_code`); OSS accepts that, but not another code.
            if condition
                .http_error_code_returned_equals
                .is_some_and(|c| c != 404)
            {
                return Err(Problem::MirrorNeeds404);
            }
            if replace_key {
                return Err(not_allowed("ReplaceKeyWith"));
            }
            check_mirror(&redirect.mirror)?;
        }
    }
    Ok(())
}

fn check_mirror(mirror: &Mirror) -> Result<(), Problem> {
    let Some(url) = &mirror.url else {
        return Err(Problem::Missing("MirrorURL"));
    };
    check_origin_url(UrlField::MirrorUrl, url, true)?;
    if let Some(slave) = &mirror.url_slave {
        check_origin_url(UrlField::MirrorUrlSlave, slave, true)?;
        if mirror.url_probe.as_deref().is_none_or(str::is_empty) {
            return Err(Problem::SlaveNeedsProbe);
        }
    }
    if let Some(probe) = &mirror.url_probe {
        check_origin_url(UrlField::MirrorUrlProbe, probe, false)?;
    }
    for alternate in mirror.multi_alternates.iter().flatten() {
        if let Some(url) = &alternate.url {
            check_origin_url(UrlField::MirrorMultiAlternateUrl, url, false)?;
        }
    }
    if let Some(headers) = &mirror.headers {
        check_mirror_headers(headers)?;
    }
    if let Some(codes) = &mirror.transparent_response_codes {
        let ok = codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .all(|c| c.parse::<u16>().is_ok_and(|n| (100..=599).contains(&n)));
        if !ok {
            return Err(Problem::BadTransparentCodes);
        }
    }
    Ok(())
}

fn check_mirror_headers(headers: &MirrorHeaders) -> Result<(), Problem> {
    for (element, count) in [
        ("Pass", headers.pass.len()),
        ("Remove", headers.remove.len()),
        ("Set", headers.set.len()),
    ] {
        if count > MAX_LIST {
            return Err(Problem::TooMany {
                element,
                max: MAX_LIST,
            });
        }
    }
    let name_ok = |name: &str| {
        !name.is_empty()
            && name.len() <= MAX_HEADER_BYTES
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !headers.pass.iter().all(|n| name_ok(n)) {
        return Err(Problem::BadMirrorHeaderName("Pass"));
    }
    if !headers.remove.iter().all(|n| name_ok(n)) {
        return Err(Problem::BadMirrorHeaderName("Remove"));
    }
    for set in &headers.set {
        if !name_ok(&set.key) {
            return Err(Problem::BadMirrorHeaderName("Set Key"));
        }
        if set.value.len() > MAX_HEADER_BYTES || set.value.chars().any(|c| c.is_control()) {
            return Err(Problem::BadSetValue);
        }
    }
    Ok(())
}

/// RFC 9110 token: the characters allowed in a header name.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// True for hosts of OSS internal endpoints, e.g. `oss-cn-hangzhou-internal.aliyuncs.com`.
fn is_internal_endpoint(host: &str) -> bool {
    host.to_ascii_lowercase()
        .trim_end_matches('.')
        .ends_with("-internal.aliyuncs.com")
}

/// The host of `authority[/path]`: no userinfo, no port.
fn host_of(authority_and_path: &str) -> &str {
    let end = authority_and_path
        .find(['/', '?', '#'])
        .unwrap_or(authority_and_path.len());
    let authority = &authority_and_path[..end];
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if host_port.starts_with('[') {
        // IPv6 literal: keep the brackets, drop the port.
        return host_port.split_inclusive(']').next().unwrap_or(host_port);
    }
    host_port.split(':').next().unwrap_or(host_port)
}

/// `http(s)://host…`, optionally ending with `/`, without spaces or control characters, not on an
/// internal endpoint.
fn check_origin_url(field: UrlField, url: &str, needs_slash: bool) -> Result<(), Problem> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let ok = rest.is_some_and(|r| !host_of(r).is_empty())
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && (!needs_slash || url.ends_with('/'));
    if !ok {
        return Err(Problem::BadUrl(field));
    }
    if rest.is_some_and(|r| is_internal_endpoint(host_of(r))) {
        return Err(Problem::InternalEndpoint(field));
    }
    Ok(())
}

/// `HostName`: `host[:port][/path]`, no scheme, spaces, `//`, `?` or `#`, not internal.
fn check_host(host: &str) -> Result<(), Problem> {
    let ok = !host_of(host).is_empty()
        && !host.contains("//")
        && !host.contains(['?', '#'])
        && !host.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(Problem::BadHostName);
    }
    if is_internal_endpoint(host_of(host)) {
        return Err(Problem::InternalEndpoint(UrlField::HostName));
    }
    Ok(())
}

fn check_host_name(scope: Scope, host: &str) -> Result<(), ConfigError> {
    if host.is_empty() {
        return Err(ConfigError::new(scope, Problem::Missing("HostName")));
    }
    check_host(host).map_err(|p| ConfigError::new(scope, p))
}

#[cfg(test)]
mod tests;
