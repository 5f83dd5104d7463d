//! Property tests for rule evaluation, key rewriting, URL building and the index/error
//! document decisions, over arbitrary (not only valid) models. They complement the unit
//! tests' properties in `src/eval/tests.rs` (which cover `//`-free Locations and origin URLs
//! for one generated rule):
//! - `first_match` is the lowest-numbered rule with a Redirect whose condition holds, in any
//!   slice order; `pre_lookup_match` is the same among rules without a status condition;
//! - conditions: more IncludeHeader tests only narrow a match, header names compare
//!   case-insensitively, a prefix and suffix of the key always hold;
//! - `new_key` follows the documented rewriting, `encode_key` decodes back to the key and
//!   leaves only unreserved characters, `/` and `%XX`; `collapse_slashes` is idempotent and
//!   equals the key's non-empty segments joined (keeping a trailing `/`);
//! - every Location and origin URL built from any rule set that passes `validate` keeps the
//!   shape the server relies on, and `validate` itself is total;
//! - `index_key`, `missing_key_plan` and `error_page` follow their documented decisions.

use ossemu_rules::path::{collapse_slashes, encode_key};
use ossemu_rules::site::{MissingKeyPlan, error_page, index_key, missing_key_plan};
use ossemu_rules::{
    Action, Condition, Dialect, ErrorDocument, IncludeHeader, IndexDocument, IndexType, Mirror,
    MirrorHeaders, Protocol, Redirect, RedirectAll, RedirectType, RequestFacts, Rule, Website,
    action, first_match, internal_key, new_key, origin_request, pre_lookup_match,
    redirect_all_location, validate,
};
use proptest::prelude::*;

/// Keys: the characters that matter to URLs and slashes, plus non-ASCII.
fn key() -> impl Strategy<Value = String> {
    "[a-c/ %?#&=+.~_\\-中é]{0,16}"
}

/// Short strings over a small alphabet, so that prefixes, suffixes and header values often
/// coincide with the request's.
fn small() -> impl Strategy<Value = String> {
    "[ab/]{0,3}"
}

fn include_header() -> impl Strategy<Value = IncludeHeader> {
    (
        "(x-a|X-A|x-b|host)",
        proptest::option::of(small()),
        proptest::option::of(small()),
        proptest::option::of(small()),
    )
        .prop_map(|(key, equals, starts_with, ends_with)| IncludeHeader {
            key,
            equals,
            starts_with,
            ends_with,
        })
}

fn condition() -> impl Strategy<Value = Condition> {
    (
        small(),
        small(),
        proptest::option::of(prop_oneof![Just(403u16), Just(404), Just(500)]),
        proptest::collection::vec(include_header(), 0..3),
    )
        .prop_map(|(prefix, suffix, code, include_headers)| Condition {
            key_prefix_equals: prefix,
            key_suffix_equals: suffix,
            http_error_code_returned_equals: code,
            include_headers,
        })
}

fn redirect_type() -> impl Strategy<Value = RedirectType> {
    prop_oneof![
        Just(RedirectType::External),
        Just(RedirectType::AliCdn),
        Just(RedirectType::Internal),
        Just(RedirectType::Mirror),
    ]
}

/// Any redirect, valid or not: URL-ish and host-ish values include the cases validation
/// refuses.
fn redirect() -> impl Strategy<Value = Redirect> {
    let url = prop_oneof![
        Just("http://o.example/".to_owned()),
        Just("https://o.example/a/".to_owned()),
        Just("http://o.example".to_owned()),
        Just("http://o.example/a//".to_owned()),
        Just("ftp://o/".to_owned()),
        Just("http:///".to_owned()),
        Just("http://[::1]:1/".to_owned()),
        Just("http://o.example/ x/".to_owned()),
        Just("http://u@h:1/?q=/".to_owned()),
        "\\PC{0,12}",
    ];
    let host = prop_oneof![
        "[a-z]{1,6}(\\.[a-z]{2,3})?(:[0-9]{1,5})?(/[a-z/]{0,6})?",
        Just("h//x".to_owned()),
        Just("h?x".to_owned()),
        Just("/".to_owned()),
        Just("a b".to_owned()),
        "\\PC{0,10}",
    ];
    (
        (
            redirect_type(),
            proptest::option::of(any::<bool>()),
            proptest::option::of(prop_oneof![
                Just(String::new()),
                Just("${key}".to_owned()),
                "[a-z/]{0,4}(\\$\\{key\\})?[a-z/]{0,4}",
            ]),
            proptest::option::of(small()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(prop_oneof![Just(Protocol::Http), Just(Protocol::Https)]),
            proptest::option::of(host),
            proptest::option::of(prop_oneof![
                Just(301u16),
                Just(302),
                Just(307),
                Just(308),
                Just(200)
            ]),
        ),
        (
            proptest::option::of(url.clone()),
            proptest::option::of(url.clone()),
            proptest::option::of(url),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(
                (
                    proptest::collection::vec("[a-zA-Z-]{1,6}", 0..3),
                    proptest::collection::vec(("[a-zA-Z-]{1,6}", "\\PC{0,6}"), 0..3),
                )
                    .prop_map(|(pass, set)| MirrorHeaders {
                        pass_all: Some(true),
                        pass,
                        remove: Vec::new(),
                        set: set
                            .into_iter()
                            .map(|(key, value)| ossemu_rules::HeaderSet { key, value })
                            .collect(),
                    }),
            ),
            proptest::option::of("[0-9, x]{0,8}"),
        ),
    )
        .prop_map(
            |(
                (t, pass, rkw, rkpw, enable, protocol, host, code),
                (url, slave, probe, mpass, slashes, headers, codes),
            )| {
                let mut r = Redirect::new(t);
                r.pass_query_string = pass;
                r.replace_key_with = rkw;
                r.replace_key_prefix_with = rkpw;
                r.enable_replace_prefix = enable;
                r.protocol = protocol;
                r.host_name = host;
                r.http_redirect_code = code;
                r.mirror = Mirror {
                    url,
                    url_slave: slave,
                    url_probe: probe,
                    pass_query_string: mpass,
                    pass_original_slashes: slashes,
                    headers,
                    transparent_response_codes: codes,
                    ..Mirror::default()
                };
                r
            },
        )
}

fn rule() -> impl Strategy<Value = Rule> {
    (1u32..8, condition(), proptest::option::of(redirect())).prop_map(
        |(number, condition, redirect)| Rule {
            number,
            condition,
            lua_config: redirect.is_none().then(ossemu_rules::LuaConfig::default),
            redirect,
        },
    )
}

/// Request facts: key, status, headers, raw query (no blanks, as on the request line), host.
type Facts = (String, u16, Vec<(String, String)>, String, String, bool);

fn facts() -> impl Strategy<Value = Facts> {
    (
        prop_oneof![key(), "[ab/]{0,5}"],
        prop_oneof![Just(403u16), Just(404), Just(500)],
        proptest::collection::vec(("(x-a|X-A|x-b|X-B|Host|other)", small()), 0..4),
        "[a-z0-9=&%/:?+]{0,10}",
        "[a-z]{1,6}(\\.[a-z]{2,3})?(:[0-9]{1,5})?",
        any::<bool>(),
    )
}

fn with_facts<T>(f: &Facts, run: impl FnOnce(&RequestFacts<'_>) -> T) -> T {
    let headers: Vec<(&str, &str)> = f.2.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let facts = RequestFacts {
        key: &f.0,
        status: f.1,
        headers: &headers,
        query: &f.3,
        protocol: if f.5 { Protocol::Https } else { Protocol::Http },
        host: &f.4,
    };
    run(&facts)
}

/// Percent-decodes `s` (every `%XX`), for checking `encode_key`.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The part of a URL after `scheme://` and before `?`.
fn path_part(url: &str) -> &str {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    after.split('?').next().unwrap_or(after)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn first_match_is_the_lowest_matching_number_in_any_order(
        rules in proptest::collection::vec(rule(), 0..8),
        f in facts(),
        order in any::<prop::sample::Index>(),
    ) {
        with_facts(&f, |facts| {
            let lowest = rules
                .iter()
                .filter(|r| r.redirect.is_some() && r.condition_holds(facts, true))
                .map(|r| r.number)
                .min();
            let got = first_match(&rules, facts);
            prop_assert_eq!(got.map(|r| r.number), lowest);
            if let Some(r) = got {
                prop_assert!(r.redirect.is_some() && r.condition_holds(facts, true));
            }
            // Rotating the slice changes nothing but which of equal numbers is found.
            let mut rotated = rules.clone();
            if !rotated.is_empty() {
                let n = order.index(rotated.len());
                rotated.rotate_left(n);
            }
            prop_assert_eq!(first_match(&rotated, facts).map(|r| r.number), lowest);

            let pre = rules
                .iter()
                .filter(|r| {
                    r.redirect.is_some()
                        && r.condition.http_error_code_returned_equals.is_none()
                        && r.redirect.as_ref().is_some_and(|d| d.redirect_type != RedirectType::Mirror)
                        && r.condition_holds(facts, false)
                })
                .map(|r| r.number)
                .min();
            prop_assert_eq!(pre_lookup_match(&rules, facts).map(|r| r.number), pre);
            // A Mirror rule only ever applies to 404s, with or without the element.
            for r in &rules {
                if r.redirect.as_ref().is_some_and(|d| d.redirect_type == RedirectType::Mirror)
                    && r.condition.http_error_code_returned_equals.is_none()
                    && r.condition_holds(facts, true)
                {
                    prop_assert_eq!(facts.status, 404);
                }
            }
            Ok(())
        })?;
    }

    #[test]
    fn conditions_narrow_and_compare_header_names_case_insensitively(
        mut c in condition(),
        extra in include_header(),
        f in facts(),
    ) {
        let r = |c: &Condition| Rule {
            number: 1,
            condition: c.clone(),
            redirect: Some(Redirect::new(RedirectType::External)),
            lua_config: None,
        };
        with_facts(&f, |facts| {
            let before = r(&c).condition_holds(facts, true);
            // Without the status test, at least as many requests match.
            prop_assert!(!before || r(&c).condition_holds(facts, false));
            let mut narrower = c.clone();
            narrower.include_headers.push(extra.clone());
            prop_assert!(!r(&narrower).condition_holds(facts, true) || before);
            Ok(())
        })?;
        // Upper-casing every request header name changes nothing.
        let upper: Facts = (f.0.clone(), f.1, f.2.iter().map(|(n, v)| (n.to_ascii_uppercase(), v.clone())).collect(), f.3.clone(), f.4.clone(), f.5);
        let a = with_facts(&f, |facts| r(&c).condition_holds(facts, true));
        let b = with_facts(&upper, |facts| r(&c).condition_holds(facts, true));
        prop_assert_eq!(a, b);
        // A prefix and a suffix of the key, with no other test, always hold.
        let k = f.0.clone();
        let cut = k.char_indices().map(|(i, _)| i).chain(std::iter::once(k.len())).collect::<Vec<_>>();
        c.key_prefix_equals = k[..cut[cut.len() / 2]].to_owned();
        c.key_suffix_equals = k[cut[cut.len() / 3]..].to_owned();
        c.http_error_code_returned_equals = None;
        c.include_headers.clear();
        prop_assert!(with_facts(&f, |facts| r(&c).condition_holds(facts, true)));
    }

    #[test]
    fn new_key_follows_the_documented_rewriting(r in redirect(), prefix in small(), k in key()) {
        let got = new_key(&r, &prefix, &k);
        let rkw = r.replace_key_with.as_deref().filter(|s| !s.is_empty());
        if r.redirect_type != RedirectType::Mirror && let Some(with) = rkw {
            prop_assert_eq!(got, with.replace("${key}", &k));
        } else if r.replace_key_prefix_with.is_some() || r.enable_replace_prefix == Some(true) {
            let rest = k.strip_prefix(prefix.as_str()).unwrap_or(&k);
            let want = format!("{}{rest}", r.replace_key_prefix_with.clone().unwrap_or_default());
            prop_assert_eq!(got, want);
        } else {
            prop_assert_eq!(got, k);
        }
    }

    #[test]
    fn encode_key_decodes_back_and_keeps_only_safe_characters(k in "\\PC{0,24}") {
        let e = encode_key(&k);
        prop_assert!(e.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)), "{}", e);
        prop_assert_eq!(percent_decode(&e), Some(k.as_bytes().to_vec()));
        prop_assert_eq!(e.matches('/').count(), k.matches('/').count());
    }

    #[test]
    fn collapse_slashes_joins_the_non_empty_segments(k in "[a/中]{0,16}") {
        let c = collapse_slashes(&k);
        prop_assert!(!c.contains("//") && !c.starts_with('/'), "{}", c);
        prop_assert_eq!(collapse_slashes(&c), c.clone());
        let mut want = k.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/");
        if k.ends_with('/') && !want.is_empty() {
            want.push('/');
        }
        prop_assert_eq!(c, want);
    }

    /// Whatever validation accepts evaluates to URLs of the expected shape for any request.
    #[test]
    fn accepted_rules_build_well_formed_urls(
        rules in proptest::collection::vec(rule(), 1..5),
        dialect in prop_oneof![Just(Dialect::Oss), Just(Dialect::S3)],
        requests in proptest::collection::vec(facts(), 1..4),
    ) {
        let mut rules = rules;
        for (i, r) in rules.iter_mut().enumerate() {
            r.number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            // Steer Mirror rules towards validity (a 404 condition, no ReplaceKeyWith, a probe
            // with a secondary URL) so that many reach the URL building.
            if let Some(red) = r.redirect.as_mut().filter(|red| red.redirect_type == RedirectType::Mirror) {
                r.condition.http_error_code_returned_equals = Some(404);
                red.replace_key_with = None;
                red.mirror.transparent_response_codes = None;
                red.mirror.url.get_or_insert_with(|| "https://o.example/base/".to_owned());
                if red.mirror.url_slave.is_some() {
                    red.mirror.url_probe.get_or_insert_with(|| "http://probe.example/".to_owned());
                }
            }
        }
        let w = Website { dialect, index_document: None, error_document: None, redirect_all: None, rules };
        if validate(&w).is_err() {
            return Ok(());
        }
        for f in &requests {
            with_facts(f, |facts| {
                for rule in &w.rules {
                    match action(rule, facts) {
                        Action::Redirect(red) => {
                            prop_assert!(red.location.starts_with("http://") || red.location.starts_with("https://"), "{}", red.location);
                            let path = path_part(&red.location);
                            prop_assert!(!path.contains("//"), "{}", red.location);
                            prop_assert!(!path.chars().any(|c| c.is_whitespace() || c.is_control()), "{}", red.location);
                            prop_assert!(matches!(red.status, 301 | 302 | 303 | 307 | 308), "{}", red.status);
                        }
                        Action::Mirror(o) => {
                            let m = &rule.redirect.as_ref().expect("mirror").mirror;
                            let base = m.url.as_deref().expect("validated MirrorURL");
                            prop_assert!(o.url.starts_with(base), "{} / {}", o.url, base);
                            prop_assert!(o.url.starts_with("http://") || o.url.starts_with("https://"));
                            if m.pass_original_slashes != Some(true) {
                                let tail = &o.url[base.len()..];
                                let tail = tail.split('?').next().unwrap_or(tail);
                                prop_assert!(!tail.starts_with('/') && !tail.contains("//"), "{}", o.url);
                            }
                            match (&o.slave_url, &m.url_slave) {
                                (Some(s), Some(b)) => prop_assert!(s.starts_with(b.as_str())),
                                (None, None) => {}
                                other => prop_assert!(false, "slave URL {:?}", other),
                            }
                            prop_assert_eq!(origin_request(rule, facts), Some(o));
                        }
                        Action::Internal(k) => {
                            prop_assert_eq!(internal_key(rule, facts), Some(k));
                        }
                        Action::None => {}
                    }
                }
                Ok(())
            })?;
        }
    }

    /// `validate` and the evaluators are total on arbitrary models.
    #[test]
    fn nothing_panics_on_arbitrary_models(
        rules in proptest::collection::vec(rule(), 0..6),
        index in proptest::option::of((small(), proptest::option::of(any::<bool>()), proptest::option::of(prop_oneof![Just(IndexType::RedirectToDir), Just(IndexType::NotFound), Just(IndexType::ServeDirIndex)]))),
        error in proptest::option::of((small(), proptest::option::of(any::<u16>()))),
        all in proptest::option::of(("\\PC{0,10}", proptest::option::of(prop_oneof![Just(Protocol::Http), Just(Protocol::Https)]))),
        dialect in prop_oneof![Just(Dialect::Oss), Just(Dialect::S3)],
        f in facts(),
    ) {
        let w = Website {
            dialect,
            index_document: index.map(|(suffix, support_sub_dir, index_type)| IndexDocument { suffix, support_sub_dir, index_type }),
            error_document: error.map(|(key, http_status)| ErrorDocument { key, http_status }),
            redirect_all: all.map(|(host_name, protocol)| RedirectAll { host_name, protocol }),
            rules,
        };
        let _ = validate(&w);
        with_facts(&f, |facts| {
            let _ = first_match(&w.rules, facts);
            let _ = pre_lookup_match(&w.rules, facts);
            for r in &w.rules {
                let _ = action(r, facts);
            }
            if let Some(all) = &w.redirect_all {
                let red = redirect_all_location(all, facts);
                prop_assert_eq!(red.status, 301);
            }
            Ok(())
        })?;
    }

    #[test]
    fn index_and_error_documents_follow_their_rules(
        suffix in "[a-z.]{0,6}",
        sub_dir in proptest::option::of(any::<bool>()),
        t in proptest::option::of(prop_oneof![Just(IndexType::RedirectToDir), Just(IndexType::NotFound), Just(IndexType::ServeDirIndex)]),
        k in key(),
        error_key in "[a-z.]{0,6}",
        status in proptest::option::of(prop_oneof![Just(200u16), Just(404)]),
    ) {
        let index = IndexDocument { suffix: suffix.clone(), support_sub_dir: sub_dir, index_type: t };
        let dir_like = k.is_empty() || k.ends_with('/');
        match index_key(&index, &k) {
            Some(i) => {
                prop_assert!(!suffix.is_empty() && dir_like);
                let want = if sub_dir == Some(true) { format!("{k}{suffix}") } else { suffix.clone() };
                prop_assert_eq!(i, want);
            }
            None => prop_assert!(suffix.is_empty() || !dir_like),
        }
        let plan = missing_key_plan(&index, &k);
        let applies = !suffix.is_empty() && sub_dir == Some(true) && !dir_like;
        let probe = format!("{k}/{suffix}");
        match (applies, t.unwrap_or(IndexType::RedirectToDir)) {
            (false, _) | (true, IndexType::NotFound) => prop_assert_eq!(plan, MissingKeyPlan::NotFound),
            (true, IndexType::RedirectToDir) => {
                prop_assert_eq!(plan, MissingKeyPlan::RedirectIfExists { probe_key: probe, location: format!("/{}/", encode_key(&k)) });
            }
            (true, IndexType::ServeDirIndex) => {
                prop_assert_eq!(plan, MissingKeyPlan::ServeIfExists { probe_key: probe });
            }
        }
        let error = ErrorDocument { key: error_key.clone(), http_status: status };
        match error_page(&error) {
            Some((key, s)) => {
                prop_assert_eq!(key, error_key.as_str());
                prop_assert_eq!(s, status.unwrap_or(404));
            }
            None => prop_assert!(error_key.is_empty()),
        }
    }
}
