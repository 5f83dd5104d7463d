use super::*;
use ossemu_rules::{Action, IndexType, Protocol, RequestFacts, action, first_match, validate};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/xml/website/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

fn put_oss(body: &[u8]) -> Result<Website, ConfigError> {
    oss_to_model(x::parse_oss(body).expect("well-formed"))
}

fn put_s3(body: &[u8]) -> Result<Website, ConfigError> {
    s3_to_model(x::parse_s3(body).expect("well-formed"))
}

fn get_oss(w: &Website) -> String {
    model_to_oss(w).to_response_xml().unwrap()
}

fn get_s3(w: &Website) -> String {
    model_to_s3(w).to_response_xml().unwrap()
}

/// PUT then GET of every accepted OSS fixture gives the reviewed golden response (checked with
/// oss2's parser).
#[test]
fn oss_fixtures_round_trip_to_golden_responses() {
    for name in [
        "oss-reference",
        "go-sdk-basic",
        "oss2-mirror",
        "oss2-alicdn-external-internal",
        "oss2-index-error",
        "oss2-unnormal-routing-rule",
    ] {
        let w = put_oss(&fixture(&format!("{name}.xml"))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = fixture_text(&format!("responses/{name}.oss.xml"));
        assert_eq!(get_oss(&w), want.trim_end(), "{name}");
    }
}

#[test]
fn s3_fixtures_round_trip_to_golden_responses() {
    for name in ["s3-rules", "s3-redirect-all"] {
        let w = put_s3(&fixture(&format!("{name}.xml"))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = fixture_text(&format!("responses/{name}.s3.xml"));
        assert_eq!(get_s3(&w), want.trim_end(), "{name}");
    }
}

#[test]
fn reference_example_model() {
    let w = put_oss(&fixture("oss-reference.xml")).unwrap();
    assert_eq!(w.dialect, Dialect::Oss);
    assert_eq!(
        w.index_document,
        Some(IndexDocument {
            suffix: "index.html".to_owned(),
            support_sub_dir: Some(true),
            index_type: Some(IndexType::RedirectToDir),
        })
    );
    assert_eq!(
        w.error_document,
        Some(ErrorDocument {
            key: "error.html".to_owned(),
            http_status: Some(404),
        })
    );
    assert_eq!(w.rules.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 3]);
    let facts = RequestFacts {
        key: "test",
        status: 404,
        headers: &[],
        query: "a=b",
        protocol: Protocol::Https,
        host: "cdn.example.test",
    };
    let rule = first_match(&w.rules, &facts).unwrap();
    assert_eq!(rule.number, 3);
    assert_eq!(
        action(rule, &facts),
        Action::Redirect(ossemu_rules::Redirection {
            status: 302,
            location: "http://www.test.com/prefix/test".to_owned(),
        })
    );
    let facts = RequestFacts {
        key: "abc/x.png",
        ..facts
    };
    let rule = first_match(&w.rules, &facts).unwrap();
    match action(rule, &facts) {
        Action::Mirror(o) => {
            assert_eq!(o.url, "http://www.test.com/abc/x.png?a=b");
            assert_eq!(o.slave_url, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn go_sdk_extended_example_is_refused_for_its_slave_without_probe() {
    let e = put_oss(&fixture("go-sdk-extended.xml")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "RoutingRule 1: MirrorURLSlave needs MirrorURLProbe"
    );
    assert_eq!(e.code().as_str(), "InvalidArgument");
    // With a probe it is accepted, every field kept (the secret only masked on output).
    let body = fixture_text("go-sdk-extended.xml").replace(
        "<MirrorURLSlave>",
        "<MirrorURLProbe>http://example.com/probe</MirrorURLProbe><MirrorURLSlave>",
    );
    let w = put_oss(body.as_bytes()).unwrap();
    let m = &w.rules[0].redirect.as_ref().unwrap().mirror;
    assert_eq!(
        m.auth.as_ref().unwrap().access_key_secret.as_deref(),
        Some("TESTSK")
    );
    assert_eq!(w.rules[1].redirect, None);
    let got = get_oss(&w);
    let slave = "        <MirrorURLSlave>http://example.com/</MirrorURLSlave>\n";
    let want = fixture_text("responses/go-sdk-extended.oss.xml").replace(
        slave,
        &format!("{slave}        <MirrorURLProbe>http://example.com/probe</MirrorURLProbe>\n"),
    );
    assert_eq!(got, want.trim_end());
}

/// Every error the conversion itself raises.
#[test]
fn conversion_errors() {
    let rule = |inner: &str| {
        format!(
            "<WebsiteConfiguration><RoutingRules><RoutingRule>{inner}</RoutingRule></RoutingRules></WebsiteConfiguration>"
        )
    };
    let cases = [
        (
            rule("<Condition/><Redirect><HostName>h</HostName></Redirect>"),
            "RoutingRule at position 1: RuleNumber is required",
            "MalformedXML",
        ),
        (
            rule("<RuleNumber>-1</RuleNumber><Redirect><HostName>h</HostName></Redirect>"),
            "RoutingRule at position 1: RuleNumber must be a positive integer below 2^32",
            "InvalidArgument",
        ),
        (
            rule("<RuleNumber>2</RuleNumber><Redirect><RedirectType>Proxy</RedirectType></Redirect>"),
            "RoutingRule 2: RedirectType must be Mirror, External, AliCDN or Internal, not `Proxy`",
            "InvalidArgument",
        ),
        (
            rule("<RuleNumber>2</RuleNumber><Redirect><Protocol>ftp</Protocol></Redirect>"),
            "RoutingRule 2: Protocol must be http or https, not `ftp`",
            "InvalidArgument",
        ),
        (
            rule("<RuleNumber>2</RuleNumber><Redirect><HttpRedirectCode>300</HttpRedirectCode></Redirect>"),
            "RoutingRule 2: HttpRedirectCode must be 301, 302 or 307",
            "InvalidArgument",
        ),
        (
            rule("<RuleNumber>2</RuleNumber><Condition><HttpErrorCodeReturnedEquals>200</HttpErrorCodeReturnedEquals></Condition><Redirect><HostName>h</HostName></Redirect>"),
            "RoutingRule 2: HttpErrorCodeReturnedEquals must be between 400 and 599",
            "InvalidArgument",
        ),
        (
            "<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix><Type>3</Type></IndexDocument></WebsiteConfiguration>".to_owned(),
            "IndexDocument: Type must be 0, 1 or 2",
            "InvalidArgument",
        ),
        (
            "<WebsiteConfiguration><ErrorDocument><Key>e</Key><HttpStatus>403</HttpStatus></ErrorDocument></WebsiteConfiguration>".to_owned(),
            "ErrorDocument: HttpStatus must be 200 or 404",
            "InvalidArgument",
        ),
        (
            "<WebsiteConfiguration/>".to_owned(),
            "WebsiteConfiguration: at least one of IndexDocument, ErrorDocument, RoutingRules or RedirectAllRequestsTo is required",
            "MalformedXML",
        ),
    ];
    for (body, message, code) in cases {
        let e = put_oss(body.as_bytes()).unwrap_err();
        assert_eq!(
            (e.to_string().as_str(), e.code().as_str()),
            (message, code),
            "{body}"
        );
    }
    let s3 = |inner: &str| {
        format!(
            "<WebsiteConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{inner}</WebsiteConfiguration>"
        )
    };
    let cases = [
        (
            s3(
                "<RedirectAllRequestsTo><HostName>h</HostName><Protocol>gopher</Protocol></RedirectAllRequestsTo>",
            ),
            "RedirectAllRequestsTo: Protocol must be http or https, not `gopher`",
        ),
        (
            s3("<RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo>"),
            "RedirectAllRequestsTo: HostName is required",
        ),
        (
            s3(
                "<RoutingRules><RoutingRule><Redirect><HostName>a</HostName></Redirect></RoutingRule><RoutingRule><Redirect><HttpRedirectCode>304</HttpRedirectCode></Redirect></RoutingRule></RoutingRules>",
            ),
            "RoutingRule 2: HttpRedirectCode must be 301, 302, 303, 307 or 308",
        ),
        (
            s3(
                "<RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition></RoutingRule></RoutingRules>",
            ),
            "RoutingRule 1: Redirect is required",
        ),
        (
            s3("<RoutingRules><RoutingRule><Redirect/></RoutingRule></RoutingRules>"),
            "RoutingRule 1: Redirect needs at least one of Protocol, HostName, ReplaceKeyPrefixWith, ReplaceKeyWith, EnableReplacePrefix or HttpRedirectCode",
        ),
        (
            s3(
                "<IndexDocument><Suffix>i</Suffix></IndexDocument><RedirectAllRequestsTo><HostName>h</HostName></RedirectAllRequestsTo>",
            ),
            "WebsiteConfiguration: RedirectAllRequestsTo cannot be combined with IndexDocument, ErrorDocument or RoutingRules",
        ),
    ];
    for (body, message) in cases {
        assert_eq!(
            put_s3(body.as_bytes()).unwrap_err().to_string(),
            message,
            "{body}"
        );
    }
}

#[test]
fn missing_redirect_type_means_external() {
    let w = put_oss(
        b"<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber>\
          <Redirect><HostName>h</HostName></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>",
    )
    .unwrap();
    assert_eq!(
        w.rules[0].redirect.as_ref().unwrap().redirect_type,
        RedirectType::External
    );
}

#[test]
fn s3_rules_become_numbered_external_rules() {
    let w = put_s3(&fixture("s3-rules.xml")).unwrap();
    assert_eq!(w.dialect, Dialect::S3);
    assert_eq!(
        w.rules.iter().map(|r| r.number).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(
        w.rules
            .iter()
            .all(|r| r.redirect.as_ref().unwrap().redirect_type == RedirectType::External)
    );
    // The prefix-only rule applies before the lookup (S3), even for an existing object.
    let facts = RequestFacts {
        key: "images/cat.png",
        status: 0,
        headers: &[],
        query: "",
        protocol: Protocol::Http,
        host: "bucket.s3-website-us-east-1.amazonaws.com",
    };
    let rule = ossemu_rules::pre_lookup_match(&w.rules, &facts).unwrap();
    assert_eq!(
        action(rule, &facts),
        Action::Redirect(ossemu_rules::Redirection {
            status: 301,
            location: "http://bucket.s3-website-us-east-1.amazonaws.com/folderdeleted.html"
                .to_owned()
        })
    );
    let facts = RequestFacts {
        key: "docs/a.html",
        status: 404,
        ..facts
    };
    assert_eq!(ossemu_rules::pre_lookup_match(&w.rules, &facts), None);
    let rule = first_match(&w.rules, &facts).unwrap();
    assert_eq!(
        action(rule, &facts),
        Action::Redirect(ossemu_rules::Redirection {
            status: 302,
            location: "https://example.com/documents/a.html".to_owned()
        })
    );
}

#[test]
fn oss_configuration_in_the_s3_dialect() {
    let w = put_oss(&fixture("oss-reference.xml")).unwrap();
    assert_eq!(
        get_s3(&w),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <IndexDocument>
    <Suffix>index.html</Suffix>
  </IndexDocument>
  <ErrorDocument>
    <Key>error.html</Key>
  </ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <Condition>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <HostName>www.test.com</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
        <Protocol>http</Protocol>
        <ReplaceKeyWith>prefix/${key}</ReplaceKeyWith>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#
    );
}

#[test]
fn s3_configuration_in_the_oss_dialect() {
    let w = put_s3(&fixture("s3-rules.xml")).unwrap();
    assert_eq!(
        get_oss(&w),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration>
  <IndexDocument>
    <Suffix>index.html</Suffix>
    <SupportSubDir>true</SupportSubDir>
  </IndexDocument>
  <ErrorDocument>
    <Key>error.html</Key>
  </ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <RuleNumber>1</RuleNumber>
      <Condition>
        <KeyPrefixEquals>docs/</KeyPrefixEquals>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <RedirectType>External</RedirectType>
        <ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith>
        <Protocol>https</Protocol>
        <HostName>example.com</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
      </Redirect>
    </RoutingRule>
    <RoutingRule>
      <RuleNumber>2</RuleNumber>
      <Condition>
        <KeyPrefixEquals>images/</KeyPrefixEquals>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <RedirectType>External</RedirectType>
        <ReplaceKeyWith>folderdeleted.html</ReplaceKeyWith>
      </Redirect>
    </RoutingRule>
    <RoutingRule>
      <RuleNumber>3</RuleNumber>
      <Condition>
        <KeyPrefixEquals/>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <RedirectType>External</RedirectType>
        <ReplaceKeyPrefixWith>report-404/</ReplaceKeyPrefixWith>
        <HostName>ec2-11-22-333-44.compute-1.amazonaws.com</HostName>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#
    );
    // RedirectAllRequestsTo has no OSS form.
    let w = put_s3(&fixture("s3-redirect-all.xml")).unwrap();
    assert_eq!(
        get_oss(&w),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<WebsiteConfiguration/>"
    );
}

// ---------------------------------------------------------------------------------------------
// Property: PUT(GET(model)) gives the model back, up to the documented echo rules.
// ---------------------------------------------------------------------------------------------

/// What GetBucketWebsite (OSS dialect) shows of `w`, read back: a missing
/// HttpErrorCodeReturnedEquals is shown as 404, a Mirror rule's PassQueryString as its
/// MirrorPassQueryString, the MirrorAuth secret masked.
fn oss_echo(w: &Website) -> Website {
    let mut w = w.clone();
    for rule in &mut w.rules {
        rule.condition
            .http_error_code_returned_equals
            .get_or_insert(404);
        if let Some(r) = rule.redirect.as_mut() {
            if r.redirect_type == RedirectType::Mirror && r.mirror.pass_query_string.is_some() {
                r.pass_query_string = r.mirror.pass_query_string;
            }
            if let Some(secret) = r
                .mirror
                .auth
                .as_mut()
                .and_then(|a| a.access_key_secret.as_mut())
            {
                *secret = x::MASKED_SECRET.to_owned();
            }
        }
    }
    w
}

fn text() -> impl Strategy<Value = String> {
    "[ -~éü中]{0,10}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn opt_bool() -> impl Strategy<Value = Option<bool>> {
    proptest::option::of(any::<bool>())
}

fn header_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9-]{1,12}"
}

fn key_values() -> impl Strategy<Value = Option<Vec<KeyValue>>> {
    proptest::option::of(proptest::collection::vec(
        (opt_text(), opt_text()).prop_map(|(key, value)| KeyValue { key, value }),
        0..3,
    ))
}

fn mirror() -> impl Strategy<Value = Mirror> {
    let urls = (
        prop_oneof![Just("http://o.example/"), Just("https://o.example/base/")],
        proptest::option::of(Just("http://slave.example/".to_owned())),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        proptest::option::of(
            (
                opt_bool(),
                proptest::collection::vec(header_name(), 0..3),
                proptest::collection::vec(header_name(), 0..3),
                proptest::collection::vec(
                    (header_name(), "[ -~]{0,10}")
                        .prop_map(|(key, value)| HeaderSet { key, value }),
                    0..3,
                ),
            )
                .prop_map(|(pass_all, pass, remove, set)| MirrorHeaders {
                    pass_all,
                    pass,
                    remove,
                    set,
                }),
        ),
    );
    let flags = (
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_text(),
        proptest::option::of((opt_text(), opt_text(), opt_text(), opt_text()).prop_map(
            |(auth_type, region, access_key_id, access_key_secret)| MirrorAuth {
                auth_type,
                region,
                access_key_id,
                access_key_secret,
            },
        )),
        opt_bool(),
        opt_bool(),
    );
    let rest = (
        opt_bool(),
        proptest::option::of(any::<i64>()),
        key_values(),
        key_values(),
        proptest::option::of(Just("400, 404".to_owned())),
        proptest::option::of(proptest::collection::vec(
            (proptest::option::of(any::<i64>()), opt_text()).prop_map(|(number, vpc_id)| {
                MirrorAlternate {
                    number,
                    url: Some("https://alt.example".to_owned()),
                    vpc_id,
                    dst_region: None,
                }
            }),
            0..2,
        )),
        opt_bool(),
        opt_text(),
        opt_text(),
        (opt_text(), opt_text()),
    );
    (urls, flags, rest).prop_map(|(u, f, r)| Mirror {
        url: Some(u.0.to_owned()),
        url_probe: u.1.as_ref().map(|_| "http://o.example/probe".to_owned()),
        url_slave: u.1,
        pass_query_string: u.2,
        pass_original_slashes: u.3,
        follow_redirect: u.4,
        check_md5: u.5,
        headers: u.6,
        sni: f.0,
        switch_all_errors: f.1,
        allow_head_object: f.2,
        allow_get_image_info: f.3,
        allow_video_snapshot: f.4,
        using_role: f.5,
        role: f.6,
        auth: f.7,
        save_oss_meta: f.8,
        user_last_modified: f.9,
        proxy_pass: r.0,
        async_status: r.1,
        taggings: r.2,
        return_headers: r.3,
        transparent_response_codes: r.4,
        multi_alternates: r.5,
        is_express_tunnel: r.6,
        dst_region: r.7,
        dst_vpc_id: r.8,
        dst_slave_vpc_id: r.9.0,
        tunnel_id: r.9.1,
    })
}

fn redirect() -> impl Strategy<Value = Redirect> {
    (
        prop_oneof![
            Just(RedirectType::External),
            Just(RedirectType::AliCdn),
            Just(RedirectType::Internal),
            Just(RedirectType::Mirror),
        ],
        opt_bool(),
        proptest::option::of("[a-z/]{1,6}(\\$\\{key\\})?"),
        opt_text(),
        opt_bool(),
        proptest::option::of(prop_oneof![Just(Protocol::Http), Just(Protocol::Https)]),
        proptest::option::of("[a-z]{1,8}\\.example(:[0-9]{2,4})?(/[a-z]{1,4})?"),
        proptest::option::of(prop_oneof![Just(301u16), Just(302), Just(307)]),
        mirror(),
    )
        .prop_map(
            |(t, pass, rkw, rkpw, enable, protocol, host, code, mirror)| {
                let mut r = Redirect::new(t);
                r.pass_query_string = pass;
                if t == RedirectType::Mirror || rkw.is_none() {
                    r.replace_key_prefix_with = rkpw;
                } else {
                    r.replace_key_with = rkw;
                }
                r.enable_replace_prefix = enable;
                if t == RedirectType::Internal {
                    r.replace_key_with
                        .get_or_insert_with(|| "${key}.x".to_owned());
                    r.enable_replace_prefix = None;
                } else {
                    r.protocol = protocol;
                    r.host_name = host;
                    r.http_redirect_code = code;
                }
                if t == RedirectType::Mirror {
                    r.mirror = mirror;
                }
                r
            },
        )
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        text(),
        text(),
        proptest::option::of(prop_oneof![Just(403u16), Just(404), Just(410)]),
        proptest::collection::vec(
            (header_name(), opt_text(), opt_text(), opt_text()).prop_map(
                |(key, equals, starts_with, ends_with)| IncludeHeader {
                    key,
                    equals,
                    starts_with,
                    ends_with,
                },
            ),
            0..3,
        ),
        proptest::option::of(redirect()),
        proptest::option::of(opt_text().prop_map(|script| LuaConfig { script })),
    )
        .prop_map(|(prefix, suffix, code, include_headers, redirect, lua)| {
            let mirror = redirect
                .as_ref()
                .is_some_and(|r| r.redirect_type == RedirectType::Mirror);
            Rule {
                number: 0,
                condition: Condition {
                    key_prefix_equals: prefix,
                    key_suffix_equals: suffix,
                    http_error_code_returned_equals: if mirror { Some(404) } else { code },
                    include_headers,
                },
                lua_config: if redirect.is_none() {
                    Some(lua.unwrap_or_default())
                } else {
                    lua
                },
                redirect,
            }
        })
}

fn oss_website() -> impl Strategy<Value = Website> {
    (
        proptest::option::of(
            (
                text(),
                opt_bool(),
                proptest::option::of(prop_oneof![
                    Just(IndexType::RedirectToDir),
                    Just(IndexType::NotFound),
                    Just(IndexType::ServeDirIndex)
                ]),
            )
                .prop_map(|(suffix, support_sub_dir, index_type)| IndexDocument {
                    suffix,
                    support_sub_dir,
                    index_type,
                }),
        ),
        proptest::option::of(
            (
                text(),
                proptest::option::of(prop_oneof![Just(200u16), Just(404)]),
            )
                .prop_map(|(key, http_status)| ErrorDocument { key, http_status }),
        ),
        proptest::collection::vec(rule(), 0..4),
        proptest::sample::subsequence((1u32..40).collect::<Vec<_>>(), 4),
    )
        .prop_map(|(index_document, error_document, mut rules, numbers)| {
            for (i, r) in rules.iter_mut().enumerate() {
                // Distinct numbers in any order, and distinct conditions.
                r.number = numbers[numbers.len() - 1 - i];
                r.condition.key_prefix_equals = format!("{i}{}", r.condition.key_prefix_equals);
            }
            Website {
                dialect: Dialect::Oss,
                index_document,
                error_document,
                redirect_all: None,
                rules,
            }
        })
        .prop_filter("valid", |w| validate(w).is_ok())
}

fn s3_website() -> impl Strategy<Value = Website> {
    let rule = (
        text(),
        proptest::option::of(prop_oneof![Just(403u16), Just(404)]),
        proptest::option::of(prop_oneof![Just(Protocol::Http), Just(Protocol::Https)]),
        proptest::option::of("[a-z]{1,8}\\.example"),
        prop_oneof![
            Just((None, None)),
            "[a-z/]{0,6}".prop_map(|p| (Some(p), None)),
            "[a-z/]{1,6}".prop_map(|k| (None, Some(k))),
        ],
        proptest::option::of(prop_oneof![Just(301u16), Just(303), Just(308)]),
    )
        .prop_map(
            |(prefix, code, protocol, host, (rkpw, rkw), redirect_code)| {
                let mut r = Redirect::new(RedirectType::External);
                r.protocol = protocol;
                r.host_name = host;
                r.replace_key_prefix_with = rkpw;
                r.replace_key_with = rkw;
                r.http_redirect_code = redirect_code;
                (prefix, code, r)
            },
        );
    prop_oneof![
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::collection::vec(rule, 0..4)
        )
            .prop_map(|(suffix, key, rules)| Website {
                dialect: Dialect::S3,
                index_document: suffix.map(|suffix| IndexDocument {
                    suffix,
                    support_sub_dir: Some(true),
                    index_type: None,
                }),
                error_document: key.map(|key| ErrorDocument {
                    key,
                    http_status: None,
                }),
                redirect_all: None,
                rules: rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, (prefix, code, redirect))| Rule {
                        number: u32::try_from(i + 1).unwrap(),
                        condition: Condition {
                            key_prefix_equals: format!("{i}{prefix}"),
                            key_suffix_equals: String::new(),
                            http_error_code_returned_equals: code,
                            include_headers: Vec::new(),
                        },
                        redirect: Some(redirect),
                        lua_config: None,
                    })
                    .collect(),
            }),
        (
            "[a-z]{1,8}\\.example",
            proptest::option::of(prop_oneof![Just(Protocol::Http), Just(Protocol::Https)])
        )
            .prop_map(|(host_name, protocol)| Website {
                dialect: Dialect::S3,
                index_document: None,
                error_document: None,
                redirect_all: Some(RedirectAll {
                    host_name,
                    protocol
                }),
                rules: Vec::new(),
            }),
    ]
    .prop_filter("valid", |w| validate(w).is_ok())
}

/// Runs `check` on cases of `strategy` in a thread with a large stack: the generated models are
/// big, and debug builds of the nested strategies overflow the default test thread stack.
fn check_in_big_stack<S>(strategy: S, check: fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy + Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let mut runner = proptest::test_runner::TestRunner::default();
            if let Err(e) = runner.run(&strategy, check) {
                panic!("{e}");
            }
        })
        .expect("spawn")
        .join()
        .expect("property holds");
}

#[test]
fn oss_get_then_put_gives_the_echo() {
    check_in_big_stack(oss_website(), |w| {
        let xml = get_oss(&w);
        prop_assert_eq!(put_oss(xml.as_bytes()), Ok(oss_echo(&w)), "{}", xml);
        Ok(())
    });
}

#[test]
fn s3_get_then_put_is_identity() {
    check_in_big_stack(s3_website(), |w| {
        let xml = get_s3(&w);
        prop_assert_eq!(put_s3(xml.as_bytes()), Ok(w), "{}", xml);
        Ok(())
    });
}
