//! Property tests for `Range` parsing, conditional requests and host classification, beyond
//! the no-panic and in-bounds properties of the unit tests in `src/range.rs` and `src/host.rs`:
//! - `parse_range` equals an independent model of its documented behaviour (RFC 9110 single
//!   byte ranges, clamping reported, anything else served whole) for every well-formed or
//!   nearly well-formed header, including numbers past `u64`;
//! - `etag_matches` is insensitive to quotes, `W/`, hex case and list position, and
//!   `evaluate` follows RFC 9110's order for every combination of the four headers;
//! - `<bucket>.<endpoint>` is always virtual-hosted for the bucket, every endpoint and IP
//!   literal is path style whatever the port and letter case, S3 website hosts name their
//!   bucket, and the custom-domain lookup is consulted only for hosts no pattern decides.

use ossemu_api::host::{Addressing, classify, normalize};
use ossemu_api::range::{Condition, Precondition, RangeSpec, etag_matches, evaluate, parse_range};
use proptest::prelude::*;

/// The documented behaviour, computed with `u128` so that no arithmetic can overflow.
fn model(first: &str, last: &str, size: u64) -> (RangeSpec, bool) {
    let num = |s: &str| -> Option<u128> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Values that do not fit a u64 make the header unusable (served whole).
        s.parse::<u128>()
            .ok()
            .filter(|n| *n <= u128::from(u64::MAX))
    };
    let size = u128::from(size);
    let partial = |s: u128, e: u128| RangeSpec::Partial {
        start: u64::try_from(s).expect("fits"),
        end: u64::try_from(e).expect("fits"),
    };
    match (first.is_empty(), last.is_empty()) {
        (true, true) => (RangeSpec::Full, false),
        (true, false) => match num(last) {
            None => (RangeSpec::Full, false),
            Some(0) => (RangeSpec::Unsatisfiable, false),
            Some(_) if size == 0 => (RangeSpec::Unsatisfiable, false),
            Some(n) => (partial(size.saturating_sub(n), size - 1), false),
        },
        (false, true) => match num(first) {
            None => (RangeSpec::Full, false),
            Some(s) if s >= size => (RangeSpec::Unsatisfiable, false),
            Some(s) => (partial(s, size - 1), false),
        },
        (false, false) => match (num(first), num(last)) {
            (Some(s), Some(e)) if s <= e => {
                if s >= size {
                    (RangeSpec::Unsatisfiable, false)
                } else {
                    (partial(s, e.min(size - 1)), e >= size)
                }
            }
            _ => (RangeSpec::Full, false),
        },
    }
}

/// A range bound: digits (sometimes past `u64`), empty, or junk.
fn bound() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u64..200).prop_map(|n| n.to_string()),
        2 => any::<u64>().prop_map(|n| n.to_string()),
        1 => "[0-9]{20,24}",
        2 => Just(String::new()),
        1 => "[+\\-a-z ]{1,3}",
        1 => "0[0-9]{1,3}",
    ]
}

/// A host label of a valid bucket name.
fn bucket() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{1,20}[a-z0-9]"
}

const EXTRA: &str = "minio.test";

fn endpoint() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("localhost".to_owned()),
        Just(EXTRA.to_owned()),
        "oss-[a-z]{2}-[a-z]{3,10}(-internal)?\\.aliyuncs\\.com",
        Just("s3.amazonaws.com".to_owned()),
        "s3[.\\-][a-z]{2}-[a-z]{4,9}-[1-3]\\.amazonaws\\.com",
    ]
}

/// Randomizes the letter case of ASCII letters.
fn mixed_case(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

fn port() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), (1u16..).prop_map(|p| format!(":{p}"))]
}

/// Classifies a raw Host header as the server does, recording whether the custom-domain
/// lookup ran.
fn classify_raw(host: &str, bound: Option<&str>) -> (Addressing, bool) {
    let mut asked = false;
    let a = classify(&normalize(host), &[EXTRA.to_owned()], |_| {
        asked = true;
        Ok::<_, ()>(bound.map(str::to_owned))
    })
    .unwrap();
    (a, asked)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_range_equals_the_model(
        first in bound(),
        last in bound(),
        size in prop_oneof![0u64..300, any::<u64>()],
        pad in prop::sample::select(vec![("", ""), (" ", ""), ("", " "), (" ", " ")]),
    ) {
        let header = format!("bytes={}{first}-{last}{}", pad.0, pad.1);
        let got = parse_range(&header, size);
        let want = model(first.trim(), last.trim(), size);
        prop_assert_eq!(got, want, "{:?} size {}", header, size);
        if let (RangeSpec::Partial { start, end }, _) = got {
            prop_assert!(start <= end && end < size);
        }
    }

    #[test]
    fn other_units_and_lists_are_served_whole(
        unit in "(items|byte|Bytes|bytes |)",
        a in 0u64..50,
        b in 0u64..50,
        size in 1u64..100,
    ) {
        prop_assert_eq!(parse_range(&format!("{unit}={a}-{b}"), size), (RangeSpec::Full, false));
        prop_assert_eq!(parse_range(&format!("bytes={a}-{b},{b}-"), size), (RangeSpec::Full, false));
    }

    #[test]
    fn etag_lists_match_in_any_spelling(
        etag in "[0-9a-f]{32}(-[1-9][0-9]{0,3})?",
        others in proptest::collection::vec("[0-9a-f]{32}", 0..3),
        pos in any::<prop::sample::Index>(),
        quoted in any::<bool>(),
        weak in any::<bool>(),
        upper in any::<bool>(),
    ) {
        let mut spelled = if upper { etag.to_ascii_uppercase() } else { etag.clone() };
        if quoted {
            spelled = format!("\"{spelled}\"");
        }
        if weak {
            spelled = format!("W/{spelled}");
        }
        let mut list: Vec<String> = others.iter().filter(|o| **o != etag).map(|o| format!("\"{o}\"")).collect();
        let without = list.join(", ");
        list.insert(pos.index(list.len() + 1), spelled);
        prop_assert!(etag_matches(&list.join(" , "), &etag));
        prop_assert!(etag_matches("*", &etag));
        prop_assert_eq!(etag_matches(&without, &etag), false);
    }

    #[test]
    fn evaluate_follows_rfc_9110_order(
        if_match in proptest::option::of(any::<bool>()),
        if_unmodified in proptest::option::of(-2i64..3),
        if_none_match in proptest::option::of(any::<bool>()),
        if_modified in proptest::option::of(-2i64..3),
        garbage_dates in any::<bool>(),
    ) {
        let etag = "0123456789abcdef0123456789abcdef";
        let modified = 1_700_000_000i64;
        let tag = |m: bool| if m { format!("\"{etag}\"") } else { "\"ffff\"".to_owned() };
        let date = |delta: i64| {
            if garbage_dates {
                "not a date".to_owned()
            } else {
                let t = u64::try_from(modified + delta).expect("positive");
                httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t))
            }
        };
        let im = if_match.map(tag);
        let ius = if_unmodified.map(date);
        let inm = if_none_match.map(tag);
        let ims = if_modified.map(date);
        let got = evaluate(im.as_deref(), ius.as_deref(), inm.as_deref(), ims.as_deref(), etag, modified);
        // RFC 9110 section 13.2.2, at whole seconds; unparsable dates are ignored.
        let failed = if_match == Some(false)
            || (if_match.is_none() && !garbage_dates && if_unmodified.is_some_and(|d| d < 0));
        let not_modified = if_none_match == Some(true)
            || (if_none_match.is_none() && !garbage_dates && if_modified.is_some_and(|d| d >= 0));
        // The outcome names the header that decided it.
        let want = if failed {
            Precondition::Failed(if if_match.is_some() {
                Condition::IfMatch
            } else {
                Condition::IfUnmodifiedSince
            })
        } else if not_modified {
            Precondition::NotModified(if if_none_match.is_some() {
                Condition::IfNoneMatch
            } else {
                Condition::IfModifiedSince
            })
        } else {
            Precondition::Proceed
        };
        prop_assert_eq!(got, want);
    }

    #[test]
    fn evaluate_never_panics(
        a in proptest::option::of("\\PC{0,30}"),
        b in proptest::option::of("\\PC{0,30}"),
        c in proptest::option::of("\\PC{0,30}"),
        d in proptest::option::of("\\PC{0,30}"),
        etag in "\\PC{0,10}",
        t in any::<i64>(),
    ) {
        let _ = evaluate(a.as_deref(), b.as_deref(), c.as_deref(), d.as_deref(), &etag, t);
    }

    #[test]
    fn bucket_dot_endpoint_is_virtual_hosted(
        b in bucket(),
        e in endpoint(),
        p in port(),
        mask in any::<u64>(),
    ) {
        let host = mixed_case(&format!("{b}.{e}{p}"), mask);
        let (a, asked) = classify_raw(&host, Some("other"));
        prop_assert_eq!(a, Addressing::VirtualHost(b), "{}", host);
        prop_assert!(!asked);
        let (a, asked) = classify_raw(&mixed_case(&format!("{e}{p}"), mask), Some("other"));
        prop_assert_eq!(a, Addressing::Path);
        prop_assert!(!asked);
    }

    #[test]
    fn ip_literals_are_path_style(
        v4 in any::<[u8; 4]>(),
        v6 in any::<[u16; 8]>(),
        p in port(),
    ) {
        let ip4 = format!("{}{p}", std::net::Ipv4Addr::from(v4));
        prop_assert_eq!(classify_raw(&ip4, Some("x")), (Addressing::Path, false));
        let ip6 = format!("[{}]{p}", std::net::Ipv6Addr::from(v6));
        prop_assert_eq!(classify_raw(&ip6, Some("x")), (Addressing::Path, false));
    }

    #[test]
    fn s3_website_hosts_name_their_bucket(
        b in bucket(),
        region in "[a-z]{2}-[a-z]{4,9}-[1-3]",
        sep in prop::sample::select(vec!["-", "."]),
        p in port(),
    ) {
        let host = format!("{b}.s3-website{sep}{region}.amazonaws.com{p}");
        prop_assert_eq!(classify_raw(&host, Some("x")), (Addressing::S3Website(b), false));
    }

    #[test]
    fn unknown_hosts_ask_the_custom_domain_lookup(
        labels in proptest::collection::vec("[a-z0-9]{1,8}", 1..4),
        tld in "(example|org)",
        p in port(),
        bound in any::<bool>(),
    ) {
        let host = format!("{}.{tld}{p}", labels.join("."));
        let (a, asked) = classify_raw(&host, bound.then_some("pics"));
        prop_assert!(asked, "{}", host);
        if bound {
            prop_assert_eq!(a, Addressing::CustomDomain("pics".to_owned()));
        } else {
            prop_assert_eq!(a, Addressing::Path);
        }
    }

    #[test]
    fn normalize_is_idempotent_and_drops_the_port(
        h in prop_oneof![
            "[a-zA-Z0-9.\\-]{0,30}(:[0-9]{0,5})?",
            "\\[[0-9a-fA-F:]{2,20}\\](:[0-9]{1,5})?",
        ],
        p in 0u32..100_000,
    ) {
        let n = normalize(&h);
        prop_assert_eq!(normalize(&n), n.clone());
        prop_assert_eq!(n.to_ascii_lowercase(), n.clone());
        let plain = "host.example";
        prop_assert_eq!(normalize(&format!("{plain}:{p}")), plain);
    }
}
