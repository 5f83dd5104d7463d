use super::*;
use crate::model::*;
use proptest::prelude::*;

fn facts<'a>(key: &'a str, status: u16, headers: &'a [(&'a str, &'a str)]) -> RequestFacts<'a> {
    RequestFacts {
        key,
        status,
        headers,
        query: "",
        protocol: Protocol::Http,
        host: "bucket.example.test",
    }
}

fn rule(number: u32, prefix: &str, code: Option<u16>, redirect: Redirect) -> Rule {
    Rule {
        number,
        condition: Condition {
            key_prefix_equals: prefix.to_owned(),
            http_error_code_returned_equals: code,
            ..Condition::default()
        },
        redirect: Some(redirect),
        lua_config: None,
    }
}

fn external(host: Option<&str>, protocol: Option<Protocol>, code: Option<u16>) -> Redirect {
    let mut r = Redirect::new(RedirectType::External);
    r.host_name = host.map(str::to_owned);
    r.protocol = protocol;
    r.http_redirect_code = code;
    r
}

fn mirror(url: &str) -> Redirect {
    let mut r = Redirect::new(RedirectType::Mirror);
    r.mirror.url = Some(url.to_owned());
    r
}

fn redirect_of(rule: &Rule, facts: &RequestFacts<'_>) -> (u16, String) {
    let r = location(rule, facts).expect("a redirect");
    (r.status, r.location)
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

#[test]
fn lowest_rule_number_wins_whatever_the_order() {
    let rules = vec![
        rule(5, "a/", Some(404), external(Some("five"), None, None)),
        rule(2, "a/b", Some(404), external(Some("two"), None, None)),
        rule(9, "", None, external(Some("nine"), None, None)),
    ];
    assert_eq!(
        first_match(&rules, &facts("a/b/c", 404, &[])).map(|r| r.number),
        Some(2)
    );
    assert_eq!(
        first_match(&rules, &facts("a/x", 404, &[])).map(|r| r.number),
        Some(5)
    );
    assert_eq!(
        first_match(&rules, &facts("z", 404, &[])).map(|r| r.number),
        Some(9)
    );
}

#[test]
fn prefix_and_suffix_are_case_sensitive_without_wildcards() {
    let mut r = rule(1, "Docs/", Some(404), external(Some("h"), None, None));
    r.condition.key_suffix_equals = ".PNG".to_owned();
    let rules = vec![r];
    assert!(first_match(&rules, &facts("Docs/a.PNG", 404, &[])).is_some());
    assert!(first_match(&rules, &facts("docs/a.PNG", 404, &[])).is_none());
    assert!(first_match(&rules, &facts("Docs/a.png", 404, &[])).is_none());
    let star = vec![rule(1, "*", Some(404), external(Some("h"), None, None))];
    assert!(first_match(&star, &facts("abc", 404, &[])).is_none());
    assert!(first_match(&star, &facts("*abc", 404, &[])).is_some());
}

#[test]
fn status_must_equal_when_set() {
    let rules = vec![
        rule(1, "", Some(404), external(Some("on404"), None, None)),
        rule(2, "", Some(403), external(Some("on403"), None, None)),
    ];
    assert_eq!(
        first_match(&rules, &facts("k", 404, &[])).map(|r| r.number),
        Some(1)
    );
    // A private bucket's miss answers 403, so only the 403 rule applies.
    assert_eq!(
        first_match(&rules, &facts("k", 403, &[])).map(|r| r.number),
        Some(2)
    );
    let any = vec![rule(3, "", None, external(Some("any"), None, None))];
    assert!(first_match(&any, &facts("k", 403, &[])).is_some());
    assert!(first_match(&any, &facts("k", 404, &[])).is_some());
}

#[test]
fn include_headers() {
    let mut r = rule(1, "", Some(404), external(Some("h"), None, None));
    r.condition.include_headers = vec![
        IncludeHeader {
            key: "X-Env".to_owned(),
            equals: Some("prod".to_owned()),
            ..IncludeHeader::default()
        },
        IncludeHeader {
            key: "user-agent".to_owned(),
            starts_with: Some("Mozilla/".to_owned()),
            ends_with: Some("Safari".to_owned()),
            ..IncludeHeader::default()
        },
    ];
    let rules = vec![r];
    let ok: &[(&str, &str)] = &[("x-env", "prod"), ("User-Agent", "Mozilla/5.0 Safari")];
    assert!(first_match(&rules, &facts("k", 404, ok)).is_some());
    let wrong_case_value: &[(&str, &str)] =
        &[("x-env", "PROD"), ("User-Agent", "Mozilla/5.0 Safari")];
    assert!(first_match(&rules, &facts("k", 404, wrong_case_value)).is_none());
    let missing: &[(&str, &str)] = &[("User-Agent", "Mozilla/5.0 Safari")];
    assert!(first_match(&rules, &facts("k", 404, missing)).is_none());
    let bad_end: &[(&str, &str)] = &[("x-env", "prod"), ("User-Agent", "Mozilla/5.0 Chrome")];
    assert!(first_match(&rules, &facts("k", 404, bad_end)).is_none());
    // One of several values of a repeated header is enough.
    let repeated: &[(&str, &str)] = &[
        ("x-env", "dev"),
        ("x-env", "prod"),
        ("User-Agent", "Mozilla/ Safari"),
    ];
    assert!(first_match(&rules, &facts("k", 404, repeated)).is_some());
    // Key only: the header must be present.
    let mut r = rule(2, "", None, external(Some("h"), None, None));
    r.condition.include_headers = vec![IncludeHeader {
        key: "x-flag".to_owned(),
        ..IncludeHeader::default()
    }];
    let rules = vec![r];
    assert!(first_match(&rules, &facts("k", 404, &[("X-Flag", "")])).is_some());
    assert!(first_match(&rules, &facts("k", 404, &[])).is_none());
}

#[test]
fn lua_only_rules_never_match() {
    let lua = Rule {
        number: 1,
        condition: Condition::default(),
        redirect: None,
        lua_config: Some(LuaConfig {
            script: Some("a.lua".to_owned()),
        }),
    };
    let rules = vec![lua, rule(2, "", None, external(Some("h"), None, None))];
    assert_eq!(
        first_match(&rules, &facts("k", 404, &[])).map(|r| r.number),
        Some(2)
    );
    assert_eq!(action(&rules[0], &facts("k", 404, &[])), Action::None);
}

#[test]
fn pre_lookup_considers_only_rules_without_status() {
    let rules = vec![
        rule(1, "docs/", Some(404), external(Some("a"), None, None)),
        rule(2, "docs/", None, external(Some("b"), None, None)),
        rule(3, "", None, external(Some("c"), None, None)),
    ];
    assert_eq!(
        pre_lookup_match(&rules, &facts("docs/x", 0, &[])).map(|r| r.number),
        Some(2)
    );
    assert_eq!(
        pre_lookup_match(&rules, &facts("img/x", 0, &[])).map(|r| r.number),
        Some(3)
    );
    assert_eq!(
        pre_lookup_match(&rules[..1], &facts("docs/x", 404, &[])),
        None
    );
}

// ---------------------------------------------------------------------------------------------
// Location
// ---------------------------------------------------------------------------------------------

#[test]
fn custom_404_page() {
    let mut redirect = external(Some("yourdomain.com"), Some(Protocol::Https), Some(302));
    redirect.replace_key_with = Some("404.html".to_owned());
    let r = rule(1, "", Some(404), redirect);
    assert_eq!(
        redirect_of(&r, &facts("missing/page.html", 404, &[])),
        (302, "https://yourdomain.com/404.html".to_owned())
    );
}

#[test]
fn folder_migration_keeps_the_key() {
    let r = rule(
        1,
        "examplefolder/",
        Some(404),
        external(Some("yourdomain.com"), Some(Protocol::Https), Some(302)),
    );
    assert_eq!(
        redirect_of(&r, &facts("examplefolder/does-not-exist.html", 404, &[])),
        (
            302,
            "https://yourdomain.com/examplefolder/does-not-exist.html".to_owned()
        )
    );
}

#[test]
fn documented_location_examples() {
    let mut with_key = external(Some("www.test.com"), Some(Protocol::Http), None);
    with_key.replace_key_with = Some("prefix/${key}.suffix".to_owned());
    let r = rule(1, "", Some(404), with_key);
    assert_eq!(
        redirect_of(&r, &facts("test", 404, &[])),
        (301, "http://www.test.com/prefix/test.suffix".to_owned())
    );

    let mut with_prefix = external(Some("www.test.com"), Some(Protocol::Http), None);
    with_prefix.replace_key_prefix_with = Some("def/".to_owned());
    let r = rule(1, "abc/", Some(404), with_prefix);
    assert_eq!(
        redirect_of(&r, &facts("abc/test.txt", 404, &[])).1,
        "http://www.test.com/def/test.txt"
    );

    let r = rule(
        1,
        "",
        Some(404),
        external(Some("www.test.com"), Some(Protocol::Https), None),
    );
    assert_eq!(
        redirect_of(&r, &facts("test", 404, &[])).1,
        "https://www.test.com/test"
    );
}

#[test]
fn defaults_come_from_the_request() {
    let r = rule(1, "", None, external(None, None, Some(307)));
    let f = RequestFacts {
        protocol: Protocol::Https,
        host: "img.example.test:8443",
        ..facts("a/b.png", 404, &[])
    };
    assert_eq!(
        redirect_of(&r, &f),
        (307, "https://img.example.test:8443/a/b.png".to_owned())
    );
}

#[test]
fn query_string_only_with_pass_query_string() {
    let mut redirect = external(Some("www.test.com"), None, Some(302));
    let f = RequestFacts {
        query: "a=b&c=d",
        ..facts("x", 404, &[])
    };
    let r = rule(1, "", Some(404), redirect.clone());
    assert_eq!(redirect_of(&r, &f).1, "http://www.test.com/x");
    redirect.pass_query_string = Some(true);
    let r = rule(1, "", Some(404), redirect);
    assert_eq!(redirect_of(&r, &f).1, "http://www.test.com/x?a=b&c=d");
    assert_eq!(
        redirect_of(&r, &facts("x", 404, &[])).1,
        "http://www.test.com/x"
    );
}

#[test]
fn no_double_slash_from_joining() {
    let mut redirect = external(Some("www.test.com/"), None, None);
    redirect.replace_key_prefix_with = Some("/def/".to_owned());
    let r = rule(1, "abc/", Some(404), redirect);
    assert_eq!(
        redirect_of(&r, &facts("abc/test.txt", 404, &[])).1,
        "http://www.test.com/def/test.txt"
    );
    let mut redirect = external(Some("www.test.com/sub//"), None, None);
    redirect.replace_key_with = Some("//${key}".to_owned());
    let r = rule(1, "", Some(404), redirect);
    assert_eq!(
        redirect_of(&r, &facts("a//b", 404, &[])).1,
        "http://www.test.com/sub/a/b"
    );
}

#[test]
fn enable_replace_prefix() {
    // true without a replacement: the prefix is cut.
    let mut redirect = external(Some("h"), None, None);
    redirect.enable_replace_prefix = Some(true);
    let r = rule(1, "old/", Some(404), redirect);
    assert_eq!(
        redirect_of(&r, &facts("old/a.txt", 404, &[])).1,
        "http://h/a.txt"
    );
    // true with a replacement: replaced.
    let mut redirect = external(Some("h"), None, None);
    redirect.enable_replace_prefix = Some(true);
    redirect.replace_key_prefix_with = Some("new/".to_owned());
    let r = rule(1, "old/", Some(404), redirect);
    assert_eq!(
        redirect_of(&r, &facts("old/a.txt", 404, &[])).1,
        "http://h/new/a.txt"
    );
    // false with a replacement: replaced, like S3.
    let mut redirect = external(Some("h"), None, None);
    redirect.enable_replace_prefix = Some(false);
    redirect.replace_key_prefix_with = Some("new/".to_owned());
    let r = rule(1, "old/", Some(404), redirect);
    assert_eq!(
        redirect_of(&r, &facts("old/a.txt", 404, &[])).1,
        "http://h/new/a.txt"
    );
    // false without a replacement: the key is kept.
    let mut redirect = external(Some("h"), None, None);
    redirect.enable_replace_prefix = Some(false);
    let r = rule(1, "old/", Some(404), redirect);
    assert_eq!(
        redirect_of(&r, &facts("old/a.txt", 404, &[])).1,
        "http://h/old/a.txt"
    );
    // An empty prefix: the replacement is prepended.
    let mut redirect = external(Some("h"), None, None);
    redirect.replace_key_prefix_with = Some("pre/".to_owned());
    let r = rule(1, "", Some(404), redirect);
    assert_eq!(
        redirect_of(&r, &facts("a.txt", 404, &[])).1,
        "http://h/pre/a.txt"
    );
}

#[test]
fn keys_are_percent_encoded() {
    let r = rule(1, "", Some(404), external(Some("h"), None, None));
    assert_eq!(
        redirect_of(&r, &facts("dir/a b?c#d%e&f=中", 404, &[])).1,
        "http://h/dir/a%20b%3Fc%23d%25e%26f%3D%E4%B8%AD"
    );
}

#[test]
fn oss2_alicdn_and_external_rules() {
    let prefix = "1~!@#$%^&*()-_=+|\\[]{}<>,./?`~";
    let mut alicdn = Redirect::new(RedirectType::AliCdn);
    alicdn.pass_query_string = Some(true);
    alicdn.replace_key_with = Some("${key}.suffix".to_owned());
    alicdn.protocol = Some(Protocol::Http);
    alicdn.host_name = Some("oss.aliyuncs.com".to_owned());
    alicdn.http_redirect_code = Some(302);
    let r = rule(1, prefix, Some(404), alicdn);
    let key = format!("{prefix}x");
    let f = RequestFacts {
        query: "v=1",
        ..facts(&key, 404, &[])
    };
    assert_eq!(
        redirect_of(&r, &f),
        (
            302,
            "http://oss.aliyuncs.com/1~%21%40%23%24%25%5E%26%2A%28%29-_%3D%2B%7C%5C%5B%5D%7B%7D%3C%3E%2C./%3F%60~x.suffix?v=1"
                .to_owned()
        )
    );
    let mut ext = Redirect::new(RedirectType::External);
    ext.replace_key_prefix_with = Some("abc".to_owned());
    ext.protocol = Some(Protocol::Https);
    ext.host_name = Some("oss.aliyuncs.com".to_owned());
    let r = rule(2, prefix, Some(404), ext);
    assert_eq!(
        redirect_of(&r, &facts(&key, 404, &[])).1,
        "https://oss.aliyuncs.com/abcx"
    );
}

#[test]
fn redirect_all_requests() {
    let target = RedirectAll {
        host_name: "example.com".to_owned(),
        protocol: Some(Protocol::Https),
    };
    let f = RequestFacts {
        query: "a=1",
        ..facts("/docs//a b.html", 0, &[])
    };
    assert_eq!(
        redirect_all_location(&target, &f),
        Redirection {
            status: 301,
            location: "https://example.com/docs/a%20b.html".to_owned()
        }
    );
    let no_protocol = RedirectAll {
        host_name: "example.com".to_owned(),
        protocol: None,
    };
    assert_eq!(
        redirect_all_location(&no_protocol, &facts("", 0, &[])).location,
        "http://example.com/"
    );
}

#[test]
fn internal_rules_give_the_new_key() {
    let mut redirect = Redirect::new(RedirectType::Internal);
    redirect.replace_key_with = Some("${key}.suffix".to_owned());
    let r = rule(3, "", Some(404), redirect);
    assert_eq!(
        internal_key(&r, &facts("a//b", 404, &[])),
        Some("a//b.suffix".to_owned())
    );
    assert_eq!(location(&r, &facts("a", 404, &[])), None);
    assert_eq!(
        action(&r, &facts("a", 404, &[])),
        Action::Internal("a.suffix".to_owned())
    );
    let ext = rule(1, "", None, external(Some("h"), None, None));
    assert_eq!(internal_key(&ext, &facts("a", 404, &[])), None);
}

// ---------------------------------------------------------------------------------------------
// Origin requests
// ---------------------------------------------------------------------------------------------

fn origin_url(r: &Rule, f: &RequestFacts<'_>) -> String {
    origin_request(r, f).expect("a mirror").url
}

#[test]
fn origin_url_is_mirror_url_plus_key() {
    let r = rule(1, "", Some(404), mirror("http://www.test.com/dir1/"));
    assert_eq!(
        origin_url(&r, &facts("myobject", 404, &[])),
        "http://www.test.com/dir1/myobject"
    );
    let r = rule(1, "abc/", Some(404), mirror("http://www.test.com/"));
    assert_eq!(
        origin_url(&r, &facts("abc/x.txt", 404, &[])),
        "http://www.test.com/abc/x.txt"
    );
}

#[test]
fn origin_prefix_replacement() {
    let mut m = mirror("https://exampleA.com/");
    m.replace_key_prefix_with = Some("example/".to_owned());
    m.enable_replace_prefix = Some(true);
    let r = rule(1, "A/example/", Some(404), m);
    assert_eq!(
        origin_url(&r, &facts("A/example/example.txt", 404, &[])),
        "https://exampleA.com/example/example.txt"
    );
    let mut cut = mirror("https://exampleA.com/");
    cut.enable_replace_prefix = Some(true);
    let r = rule(1, "A/example/", Some(404), cut);
    assert_eq!(
        origin_url(&r, &facts("A/example/example.txt", 404, &[])),
        "https://exampleA.com/example.txt"
    );
    // ReplaceKeyWith never applies to a Mirror rule.
    let mut m = mirror("https://o/");
    m.replace_key_with = Some("other".to_owned());
    let r = rule(1, "", Some(404), m);
    assert_eq!(origin_url(&r, &facts("k", 404, &[])), "https://o/k");
}

#[test]
fn origin_slashes() {
    let r = rule(1, "", Some(404), mirror("https://example.com/"));
    assert_eq!(
        origin_url(&r, &facts("//examplefolder//example.txt", 404, &[])),
        "https://example.com/examplefolder/example.txt"
    );
    let mut keep = mirror("https://example.com/");
    keep.mirror.pass_original_slashes = Some(true);
    let r = rule(1, "", Some(404), keep);
    assert_eq!(
        origin_url(&r, &facts("//examplefolder/example.txt", 404, &[])),
        "https://example.com///examplefolder/example.txt"
    );
}

#[test]
fn origin_query_string() {
    let f = RequestFacts {
        query: "caller=lucas&production=oss",
        ..facts("examplefolder/example.png", 404, &[])
    };
    let r = rule(1, "", Some(404), mirror("https://example.com/"));
    assert_eq!(
        origin_url(&r, &f),
        "https://example.com/examplefolder/example.png"
    );
    let mut m = mirror("https://example.com/");
    m.mirror.pass_query_string = Some(true);
    let r = rule(1, "", Some(404), m);
    assert_eq!(
        origin_url(&r, &f),
        "https://example.com/examplefolder/example.png?caller=lucas&production=oss"
    );
    let mut m = mirror("https://example.com/");
    m.pass_query_string = Some(true);
    let r = rule(1, "", Some(404), m.clone());
    assert_eq!(
        origin_url(&r, &f),
        "https://example.com/examplefolder/example.png?caller=lucas&production=oss"
    );
    // MirrorPassQueryString has priority.
    m.mirror.pass_query_string = Some(false);
    let r = rule(1, "", Some(404), m);
    assert_eq!(
        origin_url(&r, &f),
        "https://example.com/examplefolder/example.png"
    );
}

#[test]
fn origin_key_with_encoded_question_mark_stays_in_the_path() {
    let mut m = mirror("http://o/");
    m.mirror.pass_query_string = Some(true);
    let r = rule(1, "", Some(404), m);
    let f = RequestFacts {
        query: "x=2",
        ..facts("prefix/filename?param=value", 404, &[])
    };
    assert_eq!(
        origin_url(&r, &f),
        "http://o/prefix/filename%3Fparam%3Dvalue?x=2"
    );
}

#[test]
fn origin_slave_and_headers() {
    let mut m = mirror("http://www.test.com/");
    m.mirror.url_slave = Some("http://www.slave.com/".to_owned());
    m.mirror.url_probe = Some("http://www.test.com/index.html".to_owned());
    m.mirror.headers = Some(MirrorHeaders {
        pass_all: None,
        pass: vec!["aaa-header".to_owned()],
        remove: vec!["bbb-header".to_owned()],
        set: vec![HeaderSet {
            key: "ccc-header".to_owned(),
            value: "ccc".to_owned(),
        }],
    });
    let r = rule(1, "", Some(404), m);
    let headers: &[(&str, &str)] = &[
        ("aaa-header", "aaa"),
        ("bbb-header", "bbb"),
        ("ccc-header", "111"),
        ("Authorization", "OSS a:b"),
    ];
    let got = origin_request(&r, &facts("a b", 404, headers)).unwrap();
    assert_eq!(
        got,
        OriginRequest {
            url: "http://www.test.com/a%20b".to_owned(),
            slave_url: Some("http://www.slave.com/a%20b".to_owned()),
            headers: vec![
                ("aaa-header".to_owned(), "aaa".to_owned()),
                ("ccc-header".to_owned(), "ccc".to_owned()),
            ],
        }
    );
    assert_eq!(action(&r, &facts("a b", 404, headers)), Action::Mirror(got));
}

#[test]
fn mirror_without_url_and_non_mirror_rules() {
    let r = rule(1, "", Some(404), Redirect::new(RedirectType::Mirror));
    assert_eq!(origin_request(&r, &facts("k", 404, &[])), None);
    assert_eq!(action(&r, &facts("k", 404, &[])), Action::None);
    let ext = rule(1, "", Some(404), external(Some("h"), None, None));
    assert_eq!(origin_request(&ext, &facts("k", 404, &[])), None);
    assert_eq!(
        action(&ext, &facts("k", 404, &[])),
        Action::Redirect(Redirection {
            status: 301,
            location: "http://h/k".to_owned()
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

fn key_text() -> impl Strategy<Value = String> {
    "[a-z/ %?#&=.~\\-_中]{0,24}"
}

fn opt_key_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(key_text())
}

fn arb_redirect() -> impl Strategy<Value = Redirect> {
    (
        prop_oneof![
            Just(RedirectType::External),
            Just(RedirectType::AliCdn),
            Just(RedirectType::Internal),
            Just(RedirectType::Mirror),
        ],
        proptest::option::of(any::<bool>()),
        proptest::option::of("[a-z/]{0,6}(\\$\\{key\\})?[a-z/.]{0,6}"),
        opt_key_text(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(prop_oneof![Just(Protocol::Http), Just(Protocol::Https)]),
        proptest::option::of("[a-z]{1,8}(\\.[a-z]{2,3})?(:[0-9]{2,4})?(/[a-z]{0,4}){0,2}/?"),
        proptest::option::of(prop_oneof![Just(301u16), Just(302), Just(307)]),
        prop_oneof![
            Just("http://o.example/".to_owned()),
            Just("https://o.example/base/".to_owned()),
        ],
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(t, pass, rkw, rkpw, enable, protocol, host, code, url, mpass, slashes)| {
                let mut r = Redirect::new(t);
                r.pass_query_string = pass;
                r.replace_key_with = rkw;
                r.replace_key_prefix_with = rkpw;
                r.enable_replace_prefix = enable;
                r.protocol = protocol;
                r.host_name = host;
                r.http_redirect_code = code;
                r.mirror.url = Some(url);
                r.mirror.pass_query_string = mpass;
                r.mirror.pass_original_slashes = slashes;
                r
            },
        )
}

fn arb_rule() -> impl Strategy<Value = Rule> {
    (key_text(), arb_redirect())
        .prop_map(|(prefix, redirect)| rule(1, &prefix, Some(404), redirect))
}

fn arb_facts_parts() -> impl Strategy<Value = (String, String, String)> {
    (
        "\\PC{0,32}",
        "[a-z=&%/:?]{0,16}",
        "[a-z]{1,10}(\\.[a-z]{2,3})?(:[0-9]{1,5})?",
    )
}

/// The part of a URL after `scheme://` and before `?`.
fn path_part(url: &str) -> &str {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    after.split('?').next().unwrap_or(after)
}

proptest! {
    #[test]
    fn location_never_panics_and_never_has_double_slash(
        r in arb_rule(),
        (key, query, host) in arb_facts_parts(),
    ) {
        let f = RequestFacts {
            key: &key,
            status: 404,
            headers: &[],
            query: &query,
            protocol: Protocol::Https,
            host: &host,
        };
        let _ = action(&r, &f);
        let _ = internal_key(&r, &f);
        if crate::validate(&crate::Website {
            dialect: Dialect::Oss,
            index_document: None,
            error_document: None,
            redirect_all: None,
            rules: vec![r.clone()],
        }).is_ok() && let Some(red) = location(&r, &f) {
            prop_assert!(!path_part(&red.location).contains("//"), "{}", red.location);
            prop_assert!(red.location.starts_with("http://") || red.location.starts_with("https://"));
            prop_assert!(!path_part(&red.location).contains(' '));
        }
    }

    #[test]
    fn origin_url_never_panics_and_collapses_slashes(
        r in arb_rule(),
        (key, query, _host) in arb_facts_parts(),
    ) {
        let f = RequestFacts {
            key: &key,
            status: 404,
            headers: &[("a", "b"), ("Host", "h")],
            query: &query,
            protocol: Protocol::Http,
            host: "h",
        };
        if let Some(o) = origin_request(&r, &f) {
            let redirect = r.redirect.as_ref().unwrap();
            let base = redirect.mirror.url.as_deref().unwrap();
            prop_assert!(o.url.starts_with(base));
            if redirect.mirror.pass_original_slashes != Some(true) {
                prop_assert!(!path_part(&o.url).contains("//"), "{}", o.url);
            }
            prop_assert!(!path_part(&o.url).contains(' '));
            prop_assert!(o.headers.is_empty());
        }
    }

    #[test]
    fn redirect_all_never_has_double_slash(
        (key, _query, host) in arb_facts_parts(),
        trailing in "/{0,3}",
    ) {
        let target = RedirectAll { host_name: format!("{host}{trailing}"), protocol: None };
        let f = facts(&key, 404, &[]);
        let red = redirect_all_location(&target, &f);
        prop_assert!(!path_part(&red.location).contains("//"), "{}", red.location);
    }
}

#[test]
fn condition_misses_name_each_failing_part() {
    let mut r = rule(1, "static/", None, mirror("http://origin/"));
    r.condition.key_suffix_equals = ".js".into();
    r.condition.include_headers = vec![IncludeHeader {
        key: "Referer".into(),
        starts_with: Some("https://good/".into()),
        ..IncludeHeader::default()
    }];
    let headers = [("referer", "https://bad/page")];
    let misses = r.condition_misses(&facts("img/a.png", 403, &headers), true);
    assert_eq!(
        misses.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "the key does not start with KeyPrefixEquals \"static/\"",
            "the key does not end with KeySuffixEquals \".js\"",
            "the rule applies to 404 (HttpErrorCodeReturnedEquals) and the request would get 403",
            "no Referer header starting with \"https://good/\"",
        ]
    );
    let good = [("Referer", "https://good/page")];
    assert!(
        r.condition_misses(&facts("static/a.js", 404, &good), true)
            .is_empty()
    );
    assert!(r.condition_holds(&facts("static/a.js", 404, &good), true));
    // Without the status check, only the key and headers count.
    assert!(r.condition_holds(&facts("static/a.js", 403, &good), false));
}

#[test]
fn an_include_header_with_several_tests_names_them_all() {
    let h = IncludeHeader {
        key: "Referer".into(),
        equals: Some("https://a/".into()),
        starts_with: Some("https://".into()),
        ..IncludeHeader::default()
    };
    assert_eq!(
        Miss::Header(h.clone()).to_string(),
        "no Referer header equal to \"https://a/\" and starting with \"https://\""
    );
    let bare = IncludeHeader {
        key: "X-Tag".into(),
        ..IncludeHeader::default()
    };
    assert_eq!(bare.describe(), "");
    assert_eq!(Miss::Header(bare).to_string(), "no X-Tag header");
}
