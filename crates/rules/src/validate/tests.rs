use super::*;
use crate::model::*;

fn mirror_rule(number: u32, prefix: &str) -> Rule {
    let mut redirect = Redirect::new(RedirectType::Mirror);
    redirect.mirror.url = Some("http://origin.example/".to_owned());
    Rule {
        number,
        condition: Condition {
            key_prefix_equals: prefix.to_owned(),
            http_error_code_returned_equals: Some(404),
            ..Condition::default()
        },
        redirect: Some(redirect),
        lua_config: None,
    }
}

fn external_rule(number: u32, prefix: &str) -> Rule {
    let mut redirect = Redirect::new(RedirectType::External);
    redirect.host_name = Some("www.example.com".to_owned());
    Rule {
        number,
        condition: Condition {
            key_prefix_equals: prefix.to_owned(),
            http_error_code_returned_equals: Some(404),
            ..Condition::default()
        },
        redirect: Some(redirect),
        lua_config: None,
    }
}

fn site(rules: Vec<Rule>) -> Website {
    Website {
        dialect: Dialect::Oss,
        index_document: None,
        error_document: None,
        redirect_all: None,
        rules,
    }
}

/// Validates `w` and returns the message and code of the error.
fn refused(w: &Website) -> (String, &'static str) {
    let e = validate(w).expect_err("should be refused");
    (e.to_string(), e.code().as_str())
}

/// Applies `change` to the redirect of a one-rule configuration built from `rule`.
fn with_redirect(rule: Rule, change: impl FnOnce(&mut Redirect)) -> Website {
    let mut rule = rule;
    if let Some(r) = rule.redirect.as_mut() {
        change(r);
    }
    site(vec![rule])
}

#[test]
fn valid_configurations_pass() {
    assert_eq!(
        validate(&site(vec![mirror_rule(1, "a/"), external_rule(2, "b/")])),
        Ok(())
    );
    let mut w = site(vec![]);
    w.index_document = Some(IndexDocument {
        suffix: "index.html".to_owned(),
        ..IndexDocument::default()
    });
    assert_eq!(validate(&w), Ok(()));
    let mut w = site(vec![]);
    w.error_document = Some(ErrorDocument {
        key: "e.html".to_owned(),
        http_status: Some(200),
    });
    assert_eq!(validate(&w), Ok(()));
    let mut w = site(vec![]);
    w.dialect = Dialect::S3;
    w.redirect_all = Some(RedirectAll {
        host_name: "example.com".to_owned(),
        protocol: Some(Protocol::Https),
    });
    assert_eq!(validate(&w), Ok(()));
    // A rule with only a LuaConfig, and a duplicate of its Condition.
    let lua = Rule {
        redirect: None,
        lua_config: Some(LuaConfig {
            script: Some("x.lua".to_owned()),
        }),
        ..mirror_rule(2, "a/")
    };
    assert_eq!(validate(&site(vec![mirror_rule(1, "a/"), lua])), Ok(()));
    // Same prefix, different IncludeHeader: allowed.
    let mut other = mirror_rule(2, "a/");
    other.condition.include_headers.push(IncludeHeader {
        key: "host".to_owned(),
        equals: Some("x".to_owned()),
        ..IncludeHeader::default()
    });
    assert_eq!(validate(&site(vec![mirror_rule(1, "a/"), other])), Ok(()));
}

#[test]
fn nothing_configured() {
    assert_eq!(
        refused(&site(vec![])),
        (
            "WebsiteConfiguration: at least one of IndexDocument, ErrorDocument, RoutingRules or \
             RedirectAllRequestsTo is required"
                .to_owned(),
            "MalformedXML"
        )
    );
    // Empty Suffix and Key (what oss2 sends for None) do not count.
    let mut w = site(vec![]);
    w.index_document = Some(IndexDocument::default());
    w.error_document = Some(ErrorDocument::default());
    assert_eq!(refused(&w).1, "MalformedXML");
}

#[test]
fn redirect_all_is_exclusive_and_needs_a_host() {
    let mut w = site(vec![external_rule(1, "")]);
    w.dialect = Dialect::S3;
    w.redirect_all = Some(RedirectAll {
        host_name: "example.com".to_owned(),
        protocol: None,
    });
    assert_eq!(
        refused(&w),
        (
            "WebsiteConfiguration: RedirectAllRequestsTo cannot be combined with IndexDocument, \
             ErrorDocument or RoutingRules"
                .to_owned(),
            "MalformedXML"
        )
    );
    w.rules.clear();
    w.redirect_all = Some(RedirectAll {
        host_name: String::new(),
        protocol: None,
    });
    assert_eq!(
        refused(&w),
        (
            "RedirectAllRequestsTo: HostName is required".to_owned(),
            "MalformedXML"
        )
    );
    w.redirect_all = Some(RedirectAll {
        host_name: "https://example.com".to_owned(),
        protocol: None,
    });
    assert_eq!(
        refused(&w).0,
        "RedirectAllRequestsTo: HostName must be a host name, optionally with a port and a \
         path, without a scheme, spaces, `//`, `?` or `#`"
    );
}

#[test]
fn error_document_status() {
    let mut w = site(vec![]);
    w.error_document = Some(ErrorDocument {
        key: "e".to_owned(),
        http_status: Some(500),
    });
    assert_eq!(
        refused(&w),
        (
            "ErrorDocument: HttpStatus must be 200 or 404".to_owned(),
            "InvalidArgument"
        )
    );
}

#[test]
fn rule_count_limits() {
    let rules: Vec<Rule> = (1..=21)
        .map(|n| external_rule(n, &format!("p{n}/")))
        .collect();
    assert_eq!(
        refused(&site(rules[..21].to_vec())),
        (
            "RoutingRules: at most 20 RoutingRule elements are allowed".to_owned(),
            "InvalidArgument"
        )
    );
    assert_eq!(validate(&site(rules[..20].to_vec())), Ok(()));
    let mut s3 = site(
        (1..=50)
            .map(|n| external_rule(n, &format!("p{n}/")))
            .collect(),
    );
    s3.dialect = Dialect::S3;
    assert_eq!(validate(&s3), Ok(()));
    s3.rules.push(external_rule(51, "p51/"));
    assert_eq!(
        refused(&s3).0,
        "RoutingRules: at most 50 RoutingRule elements are allowed"
    );
}

#[test]
fn rule_numbers_positive_and_unique() {
    assert_eq!(
        refused(&site(vec![external_rule(1, "a"), external_rule(0, "b")])).0,
        "RoutingRule at position 2: RuleNumber must be a positive integer below 2^32"
    );
    assert_eq!(
        refused(&site(vec![external_rule(3, "a"), external_rule(3, "b")])),
        (
            "RoutingRule 3: RuleNumber is used by more than one RoutingRule".to_owned(),
            "InvalidArgument"
        )
    );
}

/// Two rules with the same condition are accepted (OSS documents no check); the lower
/// `RuleNumber` wins at evaluation.
#[test]
fn same_condition_twice_is_accepted() {
    let mut a = mirror_rule(1, "a/");
    a.condition.key_suffix_equals = ".txt".to_owned();
    let mut b = external_rule(2, "a/");
    b.condition.key_suffix_equals = ".txt".to_owned();
    assert_eq!(validate(&site(vec![a, b])), Ok(()));
}

#[test]
fn condition_checks() {
    let mut r = external_rule(1, "");
    r.condition.http_error_code_returned_equals = Some(302);
    assert_eq!(
        refused(&site(vec![r])).0,
        "RoutingRule 1: HttpErrorCodeReturnedEquals must be between 400 and 599"
    );
    let mut r = external_rule(2, "");
    r.condition.include_headers = (0..11)
        .map(|i| IncludeHeader {
            key: format!("h{i}"),
            ..IncludeHeader::default()
        })
        .collect();
    assert_eq!(
        refused(&site(vec![r])).0,
        "RoutingRule 2: at most 10 IncludeHeader elements are allowed"
    );
    let mut r = external_rule(3, "");
    r.condition.include_headers = vec![IncludeHeader {
        key: "bad header".to_owned(),
        ..IncludeHeader::default()
    }];
    assert_eq!(
        refused(&site(vec![r])).0,
        "RoutingRule 3: IncludeHeader Key must be a header name"
    );
}

#[test]
fn redirect_required_without_lua() {
    let mut r = external_rule(4, "");
    r.redirect = None;
    assert_eq!(
        refused(&site(vec![r])),
        (
            "RoutingRule 4: Redirect is required".to_owned(),
            "MalformedXML"
        )
    );
}

#[test]
fn redirect_codes() {
    let w = with_redirect(external_rule(3, ""), |r| r.http_redirect_code = Some(305));
    assert_eq!(
        refused(&w),
        (
            "RoutingRule 3: HttpRedirectCode must be 301, 302 or 307".to_owned(),
            "InvalidArgument"
        )
    );
    let mut w = with_redirect(external_rule(3, ""), |r| r.http_redirect_code = Some(308));
    w.dialect = Dialect::S3;
    assert_eq!(validate(&w), Ok(()));
    w.rules[0].redirect.as_mut().unwrap().http_redirect_code = Some(300);
    assert_eq!(
        refused(&w).0,
        "RoutingRule 3: HttpRedirectCode must be 301, 302, 303, 307 or 308"
    );
}

#[test]
fn replace_fields() {
    let w = with_redirect(external_rule(1, ""), |r| {
        r.replace_key_with = Some("x".to_owned());
        r.replace_key_prefix_with = Some("y".to_owned());
    });
    assert_eq!(
        refused(&w).0,
        "RoutingRule 1: ReplaceKeyWith and ReplaceKeyPrefixWith are mutually exclusive"
    );
    let w = with_redirect(external_rule(1, ""), |r| {
        r.replace_key_with = Some("x".to_owned());
        r.enable_replace_prefix = Some(true);
    });
    assert_eq!(
        refused(&w).0,
        "RoutingRule 1: EnableReplacePrefix cannot be true when ReplaceKeyWith is set"
    );
    // An empty ReplaceKeyWith counts as absent.
    let w = with_redirect(external_rule(1, ""), |r| {
        r.replace_key_with = Some(String::new());
        r.replace_key_prefix_with = Some("y".to_owned());
        r.enable_replace_prefix = Some(true);
    });
    assert_eq!(validate(&w), Ok(()));
}

#[test]
fn host_names() {
    for bad in [
        "http://x.com",
        "x.com//a",
        "x y",
        "x.com?a",
        "x.com#a",
        "",
        "/path",
        ":80",
    ] {
        let w = with_redirect(external_rule(1, ""), |r| r.host_name = Some(bad.to_owned()));
        assert_eq!(
            refused(&w).0,
            "RoutingRule 1: HostName must be a host name, optionally with a port and a path, \
             without a scheme, spaces, `//`, `?` or `#`",
            "{bad}"
        );
    }
    for good in [
        "x.com",
        "x.com:8080",
        "x.com/sub/",
        "[::1]:9000",
        "127.0.0.1",
    ] {
        let w = with_redirect(external_rule(1, ""), |r| {
            r.host_name = Some(good.to_owned())
        });
        assert_eq!(validate(&w), Ok(()), "{good}");
    }
    let w = with_redirect(external_rule(1, ""), |r| {
        r.host_name = Some("b.oss-cn-hangzhou-internal.aliyuncs.com".to_owned())
    });
    assert_eq!(
        refused(&w),
        (
            "RoutingRule 1: HostName must not be an OSS internal endpoint \
             (*-internal.aliyuncs.com)"
                .to_owned(),
            "InvalidArgument"
        )
    );
}

#[test]
fn external_must_change_something() {
    let w = with_redirect(external_rule(2, "a/"), |r| r.host_name = None);
    assert_eq!(
        refused(&w).0,
        "RoutingRule 2: Redirect needs at least one of Protocol, HostName, ReplaceKeyPrefixWith, \
         ReplaceKeyWith, EnableReplacePrefix or HttpRedirectCode"
    );
    let w = with_redirect(external_rule(2, "a/"), |r| {
        r.host_name = None;
        r.http_redirect_code = Some(302);
    });
    assert_eq!(validate(&w), Ok(()));
}

#[test]
fn internal_rules() {
    let internal = |change: &dyn Fn(&mut Redirect)| {
        let mut redirect = Redirect::new(RedirectType::Internal);
        redirect.replace_key_with = Some("${key}.suffix".to_owned());
        change(&mut redirect);
        Rule {
            redirect: Some(redirect),
            ..external_rule(5, "")
        }
    };
    assert_eq!(validate(&site(vec![internal(&|_| {})])), Ok(()));
    for (change, element) in [
        (
            &(|r: &mut Redirect| r.host_name = Some("x.com".to_owned())) as &dyn Fn(&mut Redirect),
            "HostName",
        ),
        (
            &|r: &mut Redirect| r.protocol = Some(Protocol::Http),
            "Protocol",
        ),
        (
            &|r: &mut Redirect| r.http_redirect_code = Some(302),
            "HttpRedirectCode",
        ),
    ] {
        assert_eq!(
            refused(&site(vec![internal(change)])),
            (
                format!("RoutingRule 5: {element} is not allowed with RedirectType Internal"),
                "InvalidArgument"
            )
        );
    }
    assert_eq!(
        refused(&site(vec![internal(&|r| r.replace_key_with = None)])).0,
        "RoutingRule 5: an Internal rule needs ReplaceKeyWith, ReplaceKeyPrefixWith or \
         EnableReplacePrefix"
    );
}

#[test]
fn mirror_needs_404_and_url() {
    let mut r = mirror_rule(1, "");
    r.condition.http_error_code_returned_equals = Some(403);
    assert_eq!(
        refused(&site(vec![r.clone()])).0,
        "RoutingRule 1: a Mirror rule needs HttpErrorCodeReturnedEquals 404"
    );
    // Without the element OSS accepts it (it then applies to 404s only).
    r.condition.http_error_code_returned_equals = None;
    assert_eq!(validate(&site(vec![r])), Ok(()));
    let w = with_redirect(mirror_rule(1, ""), |r| r.mirror.url = None);
    assert_eq!(
        refused(&w),
        (
            "RoutingRule 1: MirrorURL is required".to_owned(),
            "MalformedXML"
        )
    );
    for bad in [
        "www.test.com/",
        "http://www.test.com",
        "ftp://x/",
        "http:///",
        "http://a b/",
    ] {
        let w = with_redirect(mirror_rule(1, ""), |r| r.mirror.url = Some(bad.to_owned()));
        assert_eq!(
            refused(&w).0,
            "RoutingRule 1: MirrorURL must start with http:// or https://, name a host and end \
             with /",
            "{bad}"
        );
    }
    let w = with_redirect(mirror_rule(1, ""), |r| {
        r.mirror.url = Some("https://bucket.oss-cn-beijing-internal.aliyuncs.com/".to_owned())
    });
    assert_eq!(
        refused(&w).0,
        "RoutingRule 1: MirrorURL must not be an OSS internal endpoint (*-internal.aliyuncs.com)"
    );
    let w = with_redirect(mirror_rule(1, ""), |r| {
        r.replace_key_with = Some("x".to_owned())
    });
    assert_eq!(
        refused(&w).0,
        "RoutingRule 1: ReplaceKeyWith is not allowed with RedirectType Mirror"
    );
    // Prefix replacement, HostName and a redirect code are accepted (the Go SDK sends them).
    let w = with_redirect(mirror_rule(1, "abc/"), |r| {
        r.replace_key_prefix_with = Some("def/".to_owned());
        r.enable_replace_prefix = Some(true);
        r.host_name = Some("example.com".to_owned());
        r.http_redirect_code = Some(301);
    });
    assert_eq!(validate(&w), Ok(()));
}

#[test]
fn mirror_slave_and_probe() {
    let w = with_redirect(mirror_rule(2, ""), |r| {
        r.mirror.url_slave = Some("https://www.slave.com/".to_owned())
    });
    assert_eq!(
        refused(&w),
        (
            "RoutingRule 2: MirrorURLSlave needs MirrorURLProbe".to_owned(),
            "InvalidArgument"
        )
    );
    let w = with_redirect(mirror_rule(2, ""), |r| {
        r.mirror.url_slave = Some("https://www.slave.com".to_owned());
        r.mirror.url_probe = Some("http://www.test.com/index.html".to_owned());
    });
    assert_eq!(
        refused(&w).0,
        "RoutingRule 2: MirrorURLSlave must start with http:// or https://, name a host and end \
         with /"
    );
    let w = with_redirect(mirror_rule(2, ""), |r| {
        r.mirror.url_slave = Some("https://x-internal.aliyuncs.com/".to_owned());
        r.mirror.url_probe = Some("http://www.test.com/index.html".to_owned());
    });
    assert_eq!(
        refused(&w).0,
        "RoutingRule 2: MirrorURLSlave must not be an OSS internal endpoint \
         (*-internal.aliyuncs.com)"
    );
    let w = with_redirect(mirror_rule(2, ""), |r| {
        r.mirror.url_slave = Some("https://www.slave.com/".to_owned());
        r.mirror.url_probe = Some("www.test.com/index.html".to_owned());
    });
    assert_eq!(
        refused(&w).0,
        "RoutingRule 2: MirrorURLProbe must start with http:// or https:// and name a host"
    );
    let w = with_redirect(mirror_rule(2, ""), |r| {
        r.mirror.multi_alternates = Some(vec![MirrorAlternate {
            url: Some("http://oss-cn-shanghai-internal.aliyuncs.com".to_owned()),
            ..MirrorAlternate::default()
        }]);
    });
    assert_eq!(
        refused(&w).0,
        "RoutingRule 2: MirrorMultiAlternateURL must not be an OSS internal endpoint \
         (*-internal.aliyuncs.com)"
    );
}

#[test]
fn mirror_headers() {
    let names = |n: usize| (0..n).map(|i| format!("h{i}")).collect::<Vec<_>>();
    let sets = |n: usize| {
        (0..n)
            .map(|i| HeaderSet {
                key: format!("h{i}"),
                value: "v".to_owned(),
            })
            .collect::<Vec<_>>()
    };
    let with_headers =
        |h: MirrorHeaders| with_redirect(mirror_rule(1, ""), move |r| r.mirror.headers = Some(h));
    let ten = MirrorHeaders {
        pass_all: Some(true),
        pass: names(10),
        remove: names(10),
        set: sets(10),
    };
    assert_eq!(validate(&with_headers(ten.clone())), Ok(()));
    for (element, h) in [
        (
            "Pass",
            MirrorHeaders {
                pass: names(11),
                ..ten.clone()
            },
        ),
        (
            "Remove",
            MirrorHeaders {
                remove: names(11),
                ..ten.clone()
            },
        ),
        (
            "Set",
            MirrorHeaders {
                set: sets(11),
                ..ten.clone()
            },
        ),
    ] {
        assert_eq!(
            refused(&with_headers(h)).0,
            format!("RoutingRule 1: at most 10 {element} elements are allowed")
        );
    }
    for (element, h) in [
        (
            "Pass",
            MirrorHeaders {
                pass: vec!["a_b".to_owned()],
                ..MirrorHeaders::default()
            },
        ),
        (
            "Pass",
            MirrorHeaders {
                pass: vec!["a".repeat(1025)],
                ..MirrorHeaders::default()
            },
        ),
        (
            "Remove",
            MirrorHeaders {
                remove: vec![String::new()],
                ..MirrorHeaders::default()
            },
        ),
        (
            "Set Key",
            MirrorHeaders {
                set: vec![HeaderSet {
                    key: "a:b".to_owned(),
                    value: String::new(),
                }],
                ..MirrorHeaders::default()
            },
        ),
    ] {
        assert_eq!(
            refused(&with_headers(h)).0,
            format!(
                "RoutingRule 1: MirrorHeaders {element} must be 1 to 1024 letters, digits or hyphens"
            )
        );
    }
    for value in ["a\r\nb", "a\nb", &"v".repeat(1025)] {
        let h = MirrorHeaders {
            set: vec![HeaderSet {
                key: "k".to_owned(),
                value: value.to_owned(),
            }],
            ..MirrorHeaders::default()
        };
        assert_eq!(
            refused(&with_headers(h)).0,
            "RoutingRule 1: MirrorHeaders Set Value must be at most 1024 bytes without control \
             characters"
        );
    }
    assert!(
        validate(&with_headers(MirrorHeaders {
            pass: vec!["a".repeat(1024)],
            ..MirrorHeaders::default()
        }))
        .is_ok()
    );
}

#[test]
fn transparent_codes() {
    for good in ["400", "400,404", " 500 , 502 ", ""] {
        let w = with_redirect(mirror_rule(1, ""), |r| {
            r.mirror.transparent_response_codes = Some(good.to_owned())
        });
        assert_eq!(validate(&w), Ok(()), "{good}");
    }
    for bad in ["4xx", "400;404", "99", "600"] {
        let w = with_redirect(mirror_rule(1, ""), |r| {
            r.mirror.transparent_response_codes = Some(bad.to_owned())
        });
        assert_eq!(
            refused(&w).0,
            "RoutingRule 1: TransparentMirrorResponseCodes must be HTTP status codes separated by \
             commas",
            "{bad}"
        );
    }
}

#[test]
fn first_problem_in_document_order_wins() {
    let mut a = external_rule(7, "x");
    a.redirect.as_mut().unwrap().http_redirect_code = Some(399);
    let mut b = external_rule(2, "y");
    b.condition.http_error_code_returned_equals = Some(200);
    assert_eq!(
        refused(&site(vec![a, b])).0,
        "RoutingRule 7: HttpRedirectCode must be 301, 302 or 307"
    );
}
