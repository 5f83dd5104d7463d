//! Which request headers a Mirror rule sends to the origin.
//!
//! By default none of the client's headers are forwarded. With `MirrorHeaders`:
//! - `PassAll` forwards every header that is not reserved, `Pass` forwards the named ones
//!   (never a reserved one), `Remove` drops named ones from both;
//! - `Set` always sends `Key: Value`, replacing any forwarded header of that name, except for
//!   headers that would break the fetch itself (see [`is_unsettable`]).
//!
//! Names are compared case-insensitively and sent lower-case; forwarded headers keep the
//! request's order and repeated headers are all forwarded; `Set` headers follow in
//! configuration order.

use crate::model::MirrorHeaders;

/// Headers never forwarded from the client, compared lower-case. OSS documents
/// `content-length`, `authorization2`, `authorization`, `range`, `date` "and headers such as";
/// ossemu adds `host` (the origin's is used), the hop-by-hop headers (they describe the client's
/// connection), `expect`, and the conditional headers (the fetch must be an unconditional
/// whole-object GET because its result is stored).
pub const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "authorization2",
    "content-length",
    "range",
    "date",
    "host",
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "expect",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "if-range",
];

/// Prefixes of headers never forwarded: OSS's `x-oss-`, `oss-`, `x-drs-`, S3's `x-amz-`
/// (signature and request metadata of the other dialect ossemu serves), and ossemu's own
/// `x-ossemu-` (the mirror hop header is set by the fetcher alone).
pub const RESERVED_PREFIXES: &[&str] = &["x-oss-", "oss-", "x-drs-", "x-amz-", "x-ossemu-"];

/// True when a client header of this name is never forwarded.
pub fn is_reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    RESERVED_HEADERS.contains(&lower.as_str())
        || RESERVED_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// True for headers a `Set` cannot send because the HTTP client owns them or they would turn the
/// whole-object fetch into something else: `host`, `content-length`, `range`, `expect` and the
/// hop-by-hop headers, and ossemu's own `x-ossemu-` headers (the fetcher sets the mirror hop
/// header). Such `Set` entries are skipped.
pub fn is_unsettable(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("x-ossemu-")
        || matches!(
            lower.as_str(),
            "host"
                | "content-length"
                | "range"
                | "expect"
                | "connection"
                | "keep-alive"
                | "proxy-connection"
                | "te"
                | "trailer"
                | "transfer-encoding"
                | "upgrade"
        )
}

/// The headers to send to the origin for a request carrying `request` (name, value pairs).
pub fn origin_headers(
    config: Option<&MirrorHeaders>,
    request: &[(&str, &str)],
) -> Vec<(String, String)> {
    let Some(config) = config else {
        return Vec::new();
    };
    let named = |list: &[String], name: &str| list.iter().any(|n| n.eq_ignore_ascii_case(name));
    let pass_all = config.pass_all.unwrap_or(false);
    let mut out = Vec::new();
    for (name, value) in request {
        if is_reserved(name)
            || named(&config.remove, name)
            || !(pass_all || named(&config.pass, name))
            || config.set.iter().any(|s| s.key.eq_ignore_ascii_case(name))
        {
            continue;
        }
        out.push((name.to_ascii_lowercase(), (*value).to_owned()));
    }
    for set in &config.set {
        if !is_unsettable(&set.key) {
            out.push((set.key.to_ascii_lowercase(), set.value.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeaderSet;

    fn config(
        pass_all: Option<bool>,
        pass: &[&str],
        remove: &[&str],
        set: &[(&str, &str)],
    ) -> MirrorHeaders {
        MirrorHeaders {
            pass_all,
            pass: pass.iter().map(|s| (*s).to_owned()).collect(),
            remove: remove.iter().map(|s| (*s).to_owned()).collect(),
            set: set
                .iter()
                .map(|(k, v)| HeaderSet {
                    key: (*k).to_owned(),
                    value: (*v).to_owned(),
                })
                .collect(),
        }
    }

    fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
        v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    const CONSOLE_REQUEST: &[(&str, &str)] = &[
        ("aaa-header", "aaa"),
        ("bbb-header", "bbb"),
        ("ccc-header", "111"),
    ];

    /// The console example: pass aaa, remove bbb, set ccc=ccc.
    #[test]
    fn console_example() {
        let c = config(
            None,
            &["aaa-header"],
            &["bbb-header"],
            &[("ccc-header", "ccc")],
        );
        let got = origin_headers(Some(&c), CONSOLE_REQUEST);
        assert_eq!(pairs(&got), [("aaa-header", "aaa"), ("ccc-header", "ccc")]);
        // The same with PassAll: bbb is removed, ccc replaced.
        let c = config(
            Some(true),
            &["aaa-header"],
            &["bbb-header"],
            &[("ccc-header", "ccc")],
        );
        let got = origin_headers(Some(&c), CONSOLE_REQUEST);
        assert_eq!(pairs(&got), [("aaa-header", "aaa"), ("ccc-header", "ccc")]);
    }

    /// ossemu's own headers (the mirror hop header) are neither forwarded nor set by a rule.
    #[test]
    fn ossemu_headers_are_never_sent_from_the_rule() {
        let c = config(
            Some(true),
            &["x-ossemu-mirror-hop"],
            &[],
            &[("X-Ossemu-Mirror-Hop", "forged"), ("x-keep", "1")],
        );
        let got = origin_headers(Some(&c), &[("x-ossemu-mirror-hop", "abc"), ("a", "b")]);
        assert_eq!(pairs(&got), [("a", "b"), ("x-keep", "1")]);
    }

    #[test]
    fn nothing_is_forwarded_by_default() {
        assert!(origin_headers(None, CONSOLE_REQUEST).is_empty());
        let c = config(Some(false), &[], &[], &[]);
        assert!(origin_headers(Some(&c), CONSOLE_REQUEST).is_empty());
    }

    #[test]
    fn pass_all_skips_reserved_headers() {
        let request = [
            ("Authorization", "OSS ak:sig"),
            ("Content-Length", "0"),
            ("Range", "bytes=0-1"),
            ("Date", "x"),
            ("Host", "bucket.example"),
            ("Connection", "keep-alive"),
            ("If-None-Match", "\"e\""),
            ("X-Oss-Date", "x"),
            ("oss-thing", "x"),
            ("x-drs-x", "x"),
            ("X-Amz-Content-Sha256", "x"),
            ("User-Agent", "curl"),
            ("Accept", "*/*"),
            ("Accept", "text/html"),
        ];
        let c = config(Some(true), &[], &["accept"], &[]);
        let got = origin_headers(Some(&c), &request);
        assert_eq!(pairs(&got), [("user-agent", "curl")]);
        let c = config(Some(true), &[], &[], &[]);
        let got = origin_headers(Some(&c), &request);
        assert_eq!(
            pairs(&got),
            [
                ("user-agent", "curl"),
                ("accept", "*/*"),
                ("accept", "text/html")
            ]
        );
    }

    #[test]
    fn pass_never_forwards_reserved_and_names_are_case_insensitive() {
        let c = config(
            None,
            &["Authorization", "X-OSS-META-A", "USER-agent"],
            &[],
            &[],
        );
        let request = [
            ("authorization", "x"),
            ("x-oss-meta-a", "x"),
            ("User-Agent", "ua"),
        ];
        assert_eq!(
            pairs(&origin_headers(Some(&c), &request)),
            [("user-agent", "ua")]
        );
    }

    #[test]
    fn set_sends_even_reserved_names_but_not_framing_headers() {
        let c = config(
            None,
            &[],
            &[],
            &[
                ("Authorization", "Bearer t"),
                ("Host", "evil"),
                ("Range", "bytes=0-0"),
                ("X-Oss-Foo", "1"),
            ],
        );
        assert_eq!(
            pairs(&origin_headers(Some(&c), &[])),
            [("authorization", "Bearer t"), ("x-oss-foo", "1")]
        );
    }

    #[test]
    fn reserved_lists() {
        assert!(is_reserved("X-OSS-anything"));
        assert!(is_reserved("Authorization2"));
        assert!(!is_reserved("x-ossx"));
        assert!(!is_reserved("cookie"));
        assert!(is_unsettable("Transfer-Encoding"));
        assert!(!is_unsettable("authorization"));
    }
}
