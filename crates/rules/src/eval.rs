//! Evaluating rules for a request: which rule matches, and what it produces.
//!
//! Order of a GET/HEAD that would fail (the server's job, listed for context): authorization →
//! (S3 website hosts: [`pre_lookup_match`]) → object lookup → [`first_match`] with the status the
//! request would get → index document → error document → the plain error. Matching does not
//! look at the method: a matched Mirror rule applies to GET, and to HEAD only with
//! MirrorAllowHeadObject; that check is the server's.
//!
//! Key rewriting ([`new_key`]), shared by every rule type:
//! 1. a non-empty `ReplaceKeyWith` replaces the whole key, every `${key}` in it standing for the
//!    requested key (not for Mirror rules, whose validation refuses it);
//! 2. otherwise, if `ReplaceKeyPrefixWith` is set or `EnableReplacePrefix` is true, the matched
//!    `KeyPrefixEquals` is replaced by `ReplaceKeyPrefixWith` (empty when absent, which cuts the
//!    prefix). This reading keeps the documented External example (`abc/test.txt`, prefix
//!    `abc/`, replacement `def/` → `def/test.txt`, no EnableReplacePrefix) and oss2's rules
//!    (ReplaceKeyPrefixWith without EnableReplacePrefix) working like S3, while
//!    `EnableReplacePrefix=true` without a replacement, the console's "delete prefix", cuts it;
//! 3. otherwise the key is unchanged.

use crate::headers::origin_headers;
use crate::model::{Protocol, Redirect, RedirectAll, RedirectType, Rule};
use crate::path::{collapse_slashes, encode_key};

/// What the server knows about a request when it evaluates rules.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The object key, decoded (no leading `/` added).
    pub key: &'a str,
    /// The status the request would otherwise get: 404, or 403 on a private bucket.
    pub status: u16,
    /// The request's headers as (name, value) pairs; names compare case-insensitively.
    pub headers: &'a [(&'a str, &'a str)],
    /// The raw query string without `?` (empty when none), as the server wants it carried:
    /// the server removes anything it must not pass on (such as signature parameters).
    pub query: &'a str,
    /// The scheme the request came in with.
    pub protocol: Protocol,
    /// The request's `Host` (with port, if any).
    pub host: &'a str,
}

impl Rule {
    /// The status the rule applies to: its `HttpErrorCodeReturnedEquals`, or for a Mirror rule
    /// without one 404. OSS accepts a Mirror rule without the element (alibabacloud-oss-v2's
    /// `test_bucket_website_lua_config` puts one), but mirroring is back-to-origin for objects
    /// that do not exist: it never fetches for a read refused with 403 or for an object that
    /// exists. `None`: any status.
    pub fn error_code(&self) -> Option<u16> {
        self.condition.http_error_code_returned_equals.or_else(|| {
            self.redirect
                .as_ref()
                .is_some_and(|r| r.redirect_type == RedirectType::Mirror)
                .then_some(404)
        })
    }

    /// Whether the Condition holds: KeyPrefixEquals AND KeySuffixEquals AND every
    /// IncludeHeader AND, when `check_status` and the rule has one, the status
    /// ([`Rule::error_code`]).
    pub fn condition_holds(&self, facts: &RequestFacts<'_>, check_status: bool) -> bool {
        self.condition_misses(facts, check_status).is_empty()
    }

    /// Every part of the Condition that does not hold (empty: it holds), in the order
    /// KeyPrefixEquals, KeySuffixEquals, status, IncludeHeader.
    pub fn condition_misses(&self, facts: &RequestFacts<'_>, check_status: bool) -> Vec<Miss> {
        let c = &self.condition;
        let mut misses = Vec::new();
        if !facts.key.starts_with(c.key_prefix_equals.as_str()) {
            misses.push(Miss::KeyPrefix(c.key_prefix_equals.clone()));
        }
        if !facts.key.ends_with(c.key_suffix_equals.as_str()) {
            misses.push(Miss::KeySuffix(c.key_suffix_equals.clone()));
        }
        if check_status && let Some(code) = self.error_code().filter(|c| *c != facts.status) {
            misses.push(Miss::Status {
                wants: code,
                got: facts.status,
            });
        }
        for h in &c.include_headers {
            let passes = facts.headers.iter().any(|(name, value)| {
                name.eq_ignore_ascii_case(&h.key)
                    && h.equals.as_deref().is_none_or(|v| *value == v)
                    && h.starts_with
                        .as_deref()
                        .is_none_or(|v| value.starts_with(v))
                    && h.ends_with.as_deref().is_none_or(|v| value.ends_with(v))
            });
            if !passes {
                misses.push(Miss::Header(h.clone()));
            }
        }
        misses
    }
}

/// A part of a rule's Condition that does not hold for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// The key does not start with this KeyPrefixEquals.
    KeyPrefix(String),
    /// The key does not end with this KeySuffixEquals.
    KeySuffix(String),
    /// The rule applies to another status than the request would get.
    Status {
        /// The rule's status (its HttpErrorCodeReturnedEquals, or 404 for a Mirror rule).
        wants: u16,
        /// What the request would get.
        got: u16,
    },
    /// No request header passes this IncludeHeader.
    Header(crate::model::IncludeHeader),
}

impl std::fmt::Display for Miss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Miss::KeyPrefix(p) => write!(f, "the key does not start with KeyPrefixEquals {p:?}"),
            Miss::KeySuffix(s) => write!(f, "the key does not end with KeySuffixEquals {s:?}"),
            Miss::Status { wants, got } => write!(
                f,
                "the rule applies to {wants} (HttpErrorCodeReturnedEquals) and the request would get {got}"
            ),
            Miss::Header(h) => match h.describe() {
                tests if tests.is_empty() => write!(f, "no {} header", h.key),
                tests => write!(f, "no {} header {tests}", h.key),
            },
        }
    }
}

/// The rule with the lowest `RuleNumber` whose Condition holds for a request that would fail
/// with `facts.status` (a rule without an error code holds for any status; a Mirror rule's is
/// 404 unless it names one). Rules
/// without a Redirect (LuaConfig only) never match. The slice need not be sorted.
pub fn first_match<'r>(rules: &'r [Rule], facts: &RequestFacts<'_>) -> Option<&'r Rule> {
    rules
        .iter()
        .filter(|r| r.redirect.is_some() && r.condition_holds(facts, true))
        .min_by_key(|r| r.number)
}

/// S3 semantics before the object lookup: the rule with the lowest number among those without
/// an error code ([`Rule::error_code`]: never a Mirror rule) whose Condition holds. Such a rule
/// redirects even when the object exists. The server calls this on S3 website hosts only.
pub fn pre_lookup_match<'r>(rules: &'r [Rule], facts: &RequestFacts<'_>) -> Option<&'r Rule> {
    rules
        .iter()
        .filter(|r| {
            r.redirect.is_some() && r.error_code().is_none() && r.condition_holds(facts, false)
        })
        .min_by_key(|r| r.number)
}

/// The key after the rule's rewriting (see the module docs). `prefix` is the rule's
/// `KeyPrefixEquals`; a key that does not start with it is used whole.
pub fn new_key(redirect: &Redirect, prefix: &str, key: &str) -> String {
    if redirect.redirect_type != RedirectType::Mirror
        && let Some(with) = redirect.replace_key_with()
    {
        return with.replace("${key}", key);
    }
    if redirect.replace_key_prefix_with.is_some() || redirect.enable_replace_prefix == Some(true) {
        let rest = key.strip_prefix(prefix).unwrap_or(key);
        let mut out = redirect.replace_key_prefix_with.clone().unwrap_or_default();
        out.push_str(rest);
        return out;
    }
    key.to_owned()
}

/// A 3xx answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirection {
    /// 301, 302, 307 (S3 also 303, 308).
    pub status: u16,
    /// The `Location` header.
    pub location: String,
}

/// `scheme://host/path[?query]` with no `//` produced by the joins: trailing `/` of the host and
/// leading `/` of the path are dropped, and runs of `/` in the key are collapsed.
fn build_location(protocol: Protocol, host: &str, key: &str, query: Option<&str>) -> String {
    let host = host.trim_end_matches('/');
    let mut out = format!(
        "{}://{}/{}",
        protocol.as_str(),
        host,
        encode_key(&collapse_slashes(key))
    );
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The redirect of an External or AliCDN rule (`None` for other types): status
/// `HttpRedirectCode` (default 301); `Location` = `Protocol` (default: the request's) `://`
/// `HostName` (default: the request's host) `/` new key, percent-encoded per segment with runs
/// of `/` collapsed; `?` + the query when PassQueryString and the query is not empty.
pub fn location(rule: &Rule, facts: &RequestFacts<'_>) -> Option<Redirection> {
    let redirect = rule.redirect.as_ref()?;
    if !redirect.redirect_type.is_redirect() {
        return None;
    }
    let key = new_key(redirect, &rule.condition.key_prefix_equals, facts.key);
    let location = build_location(
        redirect.protocol.unwrap_or(facts.protocol),
        redirect.host_name.as_deref().unwrap_or(facts.host),
        &key,
        redirect.passes_query_string().then_some(facts.query),
    );
    Some(Redirection {
        status: redirect.status(),
        location,
    })
}

/// S3 `RedirectAllRequestsTo`: 301 to `protocol://host/key` (protocol default: the request's).
/// The query string is not carried.
pub fn redirect_all_location(target: &RedirectAll, facts: &RequestFacts<'_>) -> Redirection {
    Redirection {
        status: 301,
        location: build_location(
            target.protocol.unwrap_or(facts.protocol),
            &target.host_name,
            facts.key,
            None,
        ),
    }
}

/// The key an Internal rule serves instead (`None` for other types). Not re-evaluated against
/// the rules: an Internal rewrite happens once.
pub fn internal_key(rule: &Rule, facts: &RequestFacts<'_>) -> Option<String> {
    let redirect = rule.redirect.as_ref()?;
    (redirect.redirect_type == RedirectType::Internal)
        .then(|| new_key(redirect, &rule.condition.key_prefix_equals, facts.key))
}

/// The fetch a Mirror rule makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginRequest {
    /// `MirrorURL` + key.
    pub url: String,
    /// `MirrorURLSlave` + key, when configured.
    pub slave_url: Option<String>,
    /// Headers to send (lower-case names); see [`crate::headers`].
    pub headers: Vec<(String, String)>,
}

/// The origin request of a Mirror rule (`None` for other types or without MirrorURL).
///
/// URL = base + key, where the key is first rewritten by ReplaceKeyPrefixWith /
/// EnableReplacePrefix (ReplaceKeyWith does not apply to Mirror rules); then, unless
/// MirrorPassOriginalSlashes, runs of `/` are collapsed and leading `/` removed; then the key is
/// percent-encoded per segment. `?` + the query is added when MirrorPassQueryString (or, when
/// that is absent, PassQueryString) is true and the query is not empty.
pub fn origin_request(rule: &Rule, facts: &RequestFacts<'_>) -> Option<OriginRequest> {
    let redirect = rule.redirect.as_ref()?;
    if redirect.redirect_type != RedirectType::Mirror {
        return None;
    }
    let mirror = &redirect.mirror;
    let key = new_key(redirect, &rule.condition.key_prefix_equals, facts.key);
    let key = if mirror.pass_original_slashes == Some(true) {
        key
    } else {
        collapse_slashes(&key)
    };
    let mut tail = encode_key(&key);
    if redirect.passes_query_string() && !facts.query.is_empty() {
        tail.push('?');
        tail.push_str(facts.query);
    }
    let url = format!("{}{}", mirror.url.as_deref()?, tail);
    Some(OriginRequest {
        url,
        slave_url: mirror
            .url_slave
            .as_ref()
            .map(|base| format!("{base}{tail}")),
        headers: origin_headers(mirror.headers.as_ref(), facts.headers),
    })
}

/// What a matched rule makes the server do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// External/AliCDN: answer with this 3xx.
    Redirect(Redirection),
    /// Internal: serve this key of the same bucket.
    Internal(String),
    /// Mirror: fetch from the origin.
    Mirror(OriginRequest),
    /// Nothing to do (a rule without Redirect, or a Mirror rule without MirrorURL).
    None,
}

/// The [`Action`] for a matched rule.
pub fn action(rule: &Rule, facts: &RequestFacts<'_>) -> Action {
    let Some(redirect) = &rule.redirect else {
        return Action::None;
    };
    let found = match redirect.redirect_type {
        RedirectType::External | RedirectType::AliCdn => {
            location(rule, facts).map(Action::Redirect)
        }
        RedirectType::Internal => internal_key(rule, facts).map(Action::Internal),
        RedirectType::Mirror => origin_request(rule, facts).map(Action::Mirror),
    };
    found.unwrap_or(Action::None)
}

#[cfg(test)]
mod tests;
