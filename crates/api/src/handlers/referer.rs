//! OSS hotlink protection: PutBucketReferer and GetBucketReferer (`?referer`), and the check
//! that refuses a request whose `Referer` the bucket's configuration does not allow.
//!
//! As in OSS, only requests without an `Authorization` header are checked: anonymous ones
//! and presigned URLs. The blacklist wins over the whitelist; an empty whitelist allows
//! every non-empty Referer the blacklist does not name. Patterns take `*` (any run of
//! characters) and `?` (one character) and match the whole Referer, ignoring ASCII case; a
//! pattern without a scheme (`*.example.com`) is also matched against the Referer with its
//! scheme taken off.

use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::bucket::SMALL_BODY;
use super::{no_body, xml_ok};
use crate::access::Authenticated;
use crate::body::{Body, ReqStream, read_small};
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// The configuration document kind holding a bucket's referer configuration.
const KIND: &str = "referer";

/// OSS's message for a request its referer policy refuses.
const DENIED: &str = "You are denied by bucket referer policy.";

/// A bucket's stored referer configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referer {
    /// Requests without a Referer (or with an empty one) are allowed.
    pub allow_empty: bool,
    /// The query string is cut off the Referer before matching.
    pub truncate_query: bool,
    /// Everything from the path on is cut off the Referer before matching.
    pub truncate_path: bool,
    /// Whitelist patterns.
    pub allow: Vec<String>,
    /// Blacklist patterns.
    pub deny: Vec<String>,
}

impl Default for Referer {
    fn default() -> Self {
        Self {
            allow_empty: true,
            truncate_query: true,
            truncate_path: false,
            allow: Vec::new(),
            deny: Vec::new(),
        }
    }
}

/// `<RefererConfiguration>` as sent and answered.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RefererConfiguration {
    #[serde(default)]
    allow_empty_referer: Option<String>,
    #[serde(default)]
    allow_truncate_query_string: Option<String>,
    #[serde(default)]
    truncate_path: Option<String>,
    #[serde(default)]
    referer_list: Option<List>,
    #[serde(default)]
    referer_blacklist: Option<List>,
}

/// `<RefererList>` / `<RefererBlacklist>`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct List {
    #[serde(rename = "Referer", default)]
    referers: Vec<String>,
}

fn flag(name: &str, v: Option<&str>, default: bool) -> ApiResult<bool> {
    match v.map(str::trim) {
        None => Ok(default),
        Some(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(s) => Err(ApiError::msg(
            Code::MalformedXML,
            format!("{name} must be true or false, not {s:?}."),
        )),
    }
}

fn patterns(list: Option<List>) -> Vec<String> {
    list.map(|l| l.referers)
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

impl TryFrom<RefererConfiguration> for Referer {
    type Error = ApiError;

    fn try_from(c: RefererConfiguration) -> ApiResult<Self> {
        if c.allow_empty_referer.is_none() {
            return Err(ApiError::msg(
                Code::MalformedXML,
                "RefererConfiguration needs AllowEmptyReferer.",
            ));
        }
        Ok(Self {
            allow_empty: flag("AllowEmptyReferer", c.allow_empty_referer.as_deref(), true)?,
            truncate_query: flag(
                "AllowTruncateQueryString",
                c.allow_truncate_query_string.as_deref(),
                true,
            )?,
            truncate_path: flag("TruncatePath", c.truncate_path.as_deref(), false)?,
            allow: patterns(c.referer_list),
            deny: patterns(c.referer_blacklist),
        })
    }
}

/// The bucket's referer configuration, if one was put.
pub fn load(meta: &ossemu_store::Meta, bucket: &str) -> ApiResult<Option<Referer>> {
    super::load_config(meta, bucket, KIND)
}

/// PutBucketReferer: replaces the whole configuration.
pub async fn put(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: RefererConfiguration =
        ossemu_xml::from_xml(&raw, "RefererConfiguration", SMALL_BODY)?;
    let conf = Referer::try_from(conf)?;
    super::save_config(cx, &bucket.name, KIND, Some(&conf)).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetBucketReferer: the configuration, or OSS's default (empty Referers allowed, no lists).
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let conf = load(cx.store().meta(), &bucket.name)?.unwrap_or_default();
    let text = |b: bool| Some(b.to_string());
    let doc = RefererConfiguration {
        allow_empty_referer: text(conf.allow_empty),
        allow_truncate_query_string: text(conf.truncate_query),
        truncate_path: text(conf.truncate_path),
        referer_list: Some(List {
            referers: conf.allow,
        }),
        referer_blacklist: Some(List {
            referers: conf.deny,
        }),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("RefererConfiguration", &doc)))
}

/// Refuses a request the bucket's referer policy does not allow: only anonymous requests and
/// presigned URLs are checked (not CORS preflights), as OSS does.
pub fn check(cx: &Ctx, authn: &Authenticated) -> ApiResult<()> {
    let header_signed = authn
        .parsed
        .as_ref()
        .is_some_and(|p| !p.scheme().is_presigned());
    if header_signed || cx.method == http::Method::OPTIONS {
        return Ok(());
    }
    let Some(name) = cx.bucket.as_deref() else {
        return Ok(());
    };
    let conf = match load(cx.store().meta(), name) {
        Ok(Some(c)) => c,
        // No configuration, or no such bucket (the operation answers that).
        _ => return Ok(()),
    };
    match verdict(&conf, cx.header("referer")) {
        Ok(()) => Ok(()),
        Err(ec) => Err(ApiError::msg(Code::AccessDenied, DENIED).field("EC", ec)),
    }
}

/// Whether `referer` passes `conf`; else the OSS EC saying why: no Referer
/// (`0003-00000501`), blacklisted (`0003-00000502`), not whitelisted (`0003-00000503`).
pub fn verdict(conf: &Referer, referer: Option<&str>) -> Result<(), &'static str> {
    let referer = referer.map(str::trim).unwrap_or_default();
    if referer.is_empty() {
        return if conf.allow_empty {
            Ok(())
        } else {
            Err("0003-00000501")
        };
    }
    let subject = truncated(conf, referer);
    if conf.deny.iter().any(|p| pattern_matches(p, subject)) {
        return Err("0003-00000502");
    }
    if !conf.allow.is_empty() && !conf.allow.iter().any(|p| pattern_matches(p, subject)) {
        return Err("0003-00000503");
    }
    Ok(())
}

/// The part of the Referer that is matched.
fn truncated<'a>(conf: &Referer, referer: &'a str) -> &'a str {
    let mut s = referer;
    if conf.truncate_query || conf.truncate_path {
        s = s.split_once('?').map_or(s, |(a, _)| a);
    }
    if conf.truncate_path {
        let host_start = s.find("://").map_or(0, |i| i + 3);
        if let Some(slash) = s[host_start..].find('/') {
            s = &s[..host_start + slash];
        }
    }
    s
}

/// Whether `pattern` matches `referer`: whole string, `*` and `?`, ASCII case ignored; a
/// pattern without a scheme is also tried against the Referer without its scheme.
fn pattern_matches(pattern: &str, referer: &str) -> bool {
    if wildcard(pattern.as_bytes(), referer.as_bytes()) {
        return true;
    }
    match referer.split_once("://") {
        Some((_, rest)) if !pattern.contains("://") => {
            wildcard(pattern.as_bytes(), rest.as_bytes())
        }
        _ => false,
    }
}

/// Iterative wildcard match with backtracking to the last `*` (linear in practice).
fn wildcard(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&s[si])) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(allow: &[&str], deny: &[&str], allow_empty: bool) -> Referer {
        Referer {
            allow_empty,
            allow: allow.iter().map(|s| s.to_string()).collect(),
            deny: deny.iter().map(|s| s.to_string()).collect(),
            ..Referer::default()
        }
    }

    #[test]
    fn wildcards() {
        assert!(pattern_matches("http://www.*.com", "http://www.aliyun.com"));
        assert!(pattern_matches(
            "https://www.?.aliyuncs.com",
            "https://www.a.aliyuncs.com"
        ));
        assert!(!pattern_matches(
            "https://www.?.aliyuncs.com",
            "https://www.ab.aliyuncs.com"
        ));
        assert!(pattern_matches("HTTP://Example.com", "http://example.COM"));
        assert!(pattern_matches("*.example.com", "https://img.example.com"));
        assert!(!pattern_matches("http://a.com", "http://a.com.evil.org"));
        assert!(pattern_matches("中文+referer", "中文+referer"));
    }

    #[test]
    fn lists_and_truncation() {
        let c = conf(
            &["http://*.aliyuncs.com"],
            &["http://abc.aliyuncs.com"],
            false,
        );
        assert_eq!(verdict(&c, None), Err("0003-00000501"));
        assert_eq!(verdict(&c, Some("")), Err("0003-00000501"));
        assert_eq!(
            verdict(&c, Some("http://abc.aliyuncs.com")),
            Err("0003-00000502")
        );
        assert_eq!(verdict(&c, Some("http://test.com")), Err("0003-00000503"));
        assert_eq!(verdict(&c, Some("http://test.aliyuncs.com")), Ok(()));
        // The query string is cut by default, the path only with TruncatePath.
        assert_eq!(verdict(&c, Some("http://test.aliyuncs.com?a=1")), Ok(()));
        assert_eq!(
            verdict(&c, Some("http://test.aliyuncs.com/p")),
            Err("0003-00000503")
        );
        let mut p = c.clone();
        p.truncate_path = true;
        assert_eq!(verdict(&p, Some("http://test.aliyuncs.com/p?x")), Ok(()));
        let mut q = c;
        q.truncate_query = false;
        assert_eq!(
            verdict(&q, Some("http://test.aliyuncs.com?a=1")),
            Err("0003-00000503")
        );
        let open = conf(&[], &["*evil*"], true);
        assert_eq!(verdict(&open, None), Ok(()));
        assert_eq!(verdict(&open, Some("http://good.org")), Ok(()));
        assert_eq!(
            verdict(&open, Some("http://evil.org")),
            Err("0003-00000502")
        );
    }
}
