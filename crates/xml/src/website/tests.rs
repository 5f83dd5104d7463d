use super::*;
use crate::codec;
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

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn reference_example_parses_in_any_child_order() {
    let c = parse_oss(&fixture("oss-reference.xml")).unwrap();
    assert_eq!(
        c.index_document,
        Some(IndexDocument {
            suffix: s("index.html"),
            support_sub_dir: Some(true),
            index_type: Some(0),
        })
    );
    assert_eq!(
        c.error_document,
        Some(ErrorDocument {
            key: s("error.html"),
            http_status: Some(404),
        })
    );
    let rules = &c.routing_rules.as_ref().unwrap().rules;
    assert_eq!(rules.len(), 2);
    let mirror = rules[0].redirect.as_ref().unwrap();
    assert_eq!(rules[0].rule_number, Some(1));
    assert_eq!(mirror.redirect_type.as_deref(), Some("Mirror"));
    assert_eq!(mirror.mirror_url.as_deref(), Some("http://www.test.com/"));
    assert_eq!(
        mirror.mirror_headers,
        Some(MirrorHeaders {
            pass_all: Some(true),
            pass: vec!["myheader-key1".to_owned(), "myheader-key2".to_owned()],
            remove: vec!["myheader-key3".to_owned(), "myheader-key4".to_owned()],
            set: vec![KeyValue {
                key: s("myheader-key5"),
                value: s("myheader-value5"),
            }],
        })
    );
    // Rule 3 has Condition before RuleNumber and Redirect children in a shuffled order.
    assert_eq!(rules[1].rule_number, Some(3));
    assert_eq!(
        rules[1].condition,
        Some(Condition {
            http_error_code_returned_equals: Some(404),
            ..Condition::default()
        })
    );
    assert_eq!(
        rules[1].redirect,
        Some(Redirect {
            redirect_type: s("External"),
            pass_query_string: Some(false),
            replace_key_with: s("prefix/${key}"),
            enable_replace_prefix: Some(false),
            protocol: s("http"),
            host_name: s("www.test.com"),
            http_redirect_code: Some(302),
            ..Redirect::default()
        })
    );
}

#[test]
fn go_sdk_extended_fields_all_parse() {
    let c = parse_oss(&fixture("go-sdk-extended.xml")).unwrap();
    let rules = &c.routing_rules.as_ref().unwrap().rules;
    assert_eq!(rules.len(), 2);
    let r = rules[0].redirect.as_ref().unwrap();
    assert_eq!(
        rules[0].condition.as_ref().unwrap().key_suffix_equals,
        s(".txt")
    );
    assert_eq!(r.mirror_sni, Some(true));
    assert_eq!(r.mirror_async_status, Some(303));
    assert_eq!(
        r.mirror_auth,
        Some(MirrorAuth {
            auth_type: s("S3V4"),
            region: s("ap-southeast-1"),
            access_key_id: s("TESTAK"),
            access_key_secret: s("TESTSK"),
        })
    );
    assert_eq!(
        r.mirror_taggings,
        Some(MirrorTaggings {
            taggings: vec![KeyValue {
                key: s("k"),
                value: s("v")
            }]
        })
    );
    assert_eq!(
        r.mirror_return_headers,
        Some(MirrorReturnHeaders {
            return_headers: vec![KeyValue {
                key: s("k"),
                value: s("v")
            }]
        })
    );
    assert_eq!(
        r.mirror_multi_alternates,
        Some(MirrorMultiAlternates {
            alternates: vec![MirrorMultiAlternate {
                dst_region: s("ap-southeast-1"),
                number: Some(32),
                url: s("https://test-multi-alter.example.com"),
                vpc_id: s("vpc-test-id"),
            }]
        })
    );
    assert_eq!(r.transparent_mirror_response_codes, s("400"));
    assert_eq!(r.mirror_is_express_tunnel, Some(true));
    assert_eq!(r.mirror_dst_region, s("cn-hangzhou"));
    assert_eq!(r.mirror_dst_vpc_id, s("vpc-test-id"));
    assert_eq!(r.mirror_dst_slave_vpc_id, s("vpc-test-id"));
    assert_eq!(r.mirror_tunnel_id, s("test-tunnel-id"));
    assert_eq!(r.mirror_role, s("aliyun-test-role"));
    assert_eq!(r.mirror_using_role, Some(false));
    assert_eq!(r.mirror_switch_all_errors, Some(true));
    assert_eq!(r.mirror_allow_head_object, Some(true));
    assert_eq!(r.mirror_allow_get_image_info, Some(true));
    assert_eq!(r.mirror_allow_video_snapshot, Some(false));
    assert_eq!(r.mirror_save_oss_meta, Some(true));
    assert_eq!(r.mirror_user_last_modified, Some(false));
    assert_eq!(r.mirror_proxy_pass, Some(false));
    assert_eq!(r.mirror_pass_original_slashes, Some(false));
    assert_eq!(r.enable_replace_prefix, Some(true));
    assert_eq!(r.replace_key_prefix_with, s("def/"));
    assert_eq!(
        rules[0].lua_config,
        Some(LuaConfig {
            script: s("test.lua")
        })
    );
    // The second rule has no Redirect, only LuaConfig.
    assert_eq!(rules[1].redirect, None);
    assert_eq!(
        rules[1].lua_config,
        Some(LuaConfig {
            script: s("test.lua")
        })
    );
}

#[test]
fn oss2_bodies_parse_with_capitalised_booleans_and_special_prefixes() {
    let c = parse_oss(&fixture("oss2-mirror.xml")).unwrap();
    let rules = &c.routing_rules.as_ref().unwrap().rules;
    let cond = rules[0].condition.as_ref().unwrap();
    assert_eq!(
        cond.key_prefix_equals.as_deref(),
        Some("1~!@#$%^&*()-_=+|\\[]{}<>,./?`~")
    );
    assert_eq!(cond.include_headers.len(), 2);
    let r = rules[0].redirect.as_ref().unwrap();
    assert_eq!(r.mirror_pass_query_string, Some(true));
    assert_eq!(r.mirror_check_md5, Some(false));
    assert_eq!(r.pass_query_string, None);
    let c = parse_oss(&fixture("oss2-index-error.xml")).unwrap();
    assert_eq!(
        c.index_document.unwrap().suffix.as_deref(),
        Some("index+中文.html")
    );
    assert_eq!(c.error_document.unwrap().key.as_deref(), Some("error.中文"));
}

#[test]
fn booleans_are_case_insensitive_and_empty_means_absent() {
    for (text, want) in [
        ("true", Some(true)),
        ("True", Some(true)),
        ("TRUE", Some(true)),
        (" false ", Some(false)),
        ("False", Some(false)),
        ("", None),
    ] {
        let body = format!(
            "<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix>\
             <SupportSubDir>{text}</SupportSubDir></IndexDocument></WebsiteConfiguration>"
        );
        let c = parse_oss(body.as_bytes()).unwrap();
        assert_eq!(c.index_document.unwrap().support_sub_dir, want, "{text:?}");
    }
    let e = parse_oss(
        b"<WebsiteConfiguration><IndexDocument><SupportSubDir>yes</SupportSubDir>\
          </IndexDocument></WebsiteConfiguration>",
    )
    .unwrap_err();
    assert_eq!(e.code(), "MalformedXML");
}

#[test]
fn namespace_unknown_elements_and_interleaved_lists_are_accepted() {
    let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <Future><Suffix>ignored</Suffix></Future>
  <RoutingRules>
    <RoutingRule>
      <Condition>
        <IncludeHeader><Key>a</Key><StartsWith>x</StartsWith></IncludeHeader>
        <KeyPrefixEquals>p/</KeyPrefixEquals>
        <IncludeHeader><Key>b</Key><EndsWith>y</EndsWith></IncludeHeader>
      </Condition>
      <Redirect>
        <MirrorHeaders><Pass>h1</Pass><Remove>h2</Remove><Pass>h3</Pass></MirrorHeaders>
        <RedirectType>Mirror</RedirectType>
      </Redirect>
      <RuleNumber>1</RuleNumber>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#;
    let c = parse_oss(body).unwrap();
    assert_eq!(c.index_document, None);
    let rule = &c.routing_rules.unwrap().rules[0];
    let cond = rule.condition.as_ref().unwrap();
    assert_eq!(
        cond.include_headers,
        vec![
            IncludeHeader {
                key: s("a"),
                starts_with: s("x"),
                ..IncludeHeader::default()
            },
            IncludeHeader {
                key: s("b"),
                ends_with: s("y"),
                ..IncludeHeader::default()
            },
        ]
    );
    let headers = rule
        .redirect
        .as_ref()
        .unwrap()
        .mirror_headers
        .clone()
        .unwrap();
    assert_eq!(headers.pass, vec!["h1".to_owned(), "h3".to_owned()]);
    assert_eq!(headers.remove, vec!["h2".to_owned()]);
}

#[test]
fn wrong_root_and_garbage_are_malformed() {
    let e = parse_oss(b"<CORSConfiguration/>").unwrap_err();
    assert_eq!(
        e,
        CodecError::WrongRoot {
            expected: "WebsiteConfiguration",
            found: "CORSConfiguration".to_owned()
        }
    );
    assert_eq!(e.code(), "MalformedXML");
    for body in [
        &b""[..],
        b"not xml",
        b"<WebsiteConfiguration>",
        b"<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>x</RuleNumber></RoutingRule></RoutingRules></WebsiteConfiguration>",
        b"<WebsiteConfiguration><IndexDocument><Suffix>a</Suffix><Suffix>b</Suffix></IndexDocument></WebsiteConfiguration>",
    ] {
        assert_eq!(parse_oss(body).unwrap_err().code(), "MalformedXML");
    }
    assert_eq!(parse_s3(b"<Website/>").unwrap_err().code(), "MalformedXML");
}

#[test]
fn body_limit_is_64_kib() {
    let mut body = b"<WebsiteConfiguration>".to_vec();
    body.resize(MAX_BODY_BYTES - "</WebsiteConfiguration>".len(), b' ');
    body.extend_from_slice(b"</WebsiteConfiguration>");
    assert_eq!(body.len(), 65536);
    assert!(parse_oss(&body).is_ok());
    body.insert(1, b' ');
    assert_eq!(
        parse_oss(&body).unwrap_err(),
        CodecError::TooLarge { limit: 65536 }
    );
}

#[test]
fn namespace_hint() {
    assert!(declares_s3_namespace(&fixture("s3-rules.xml")));
    assert!(declares_s3_namespace(&fixture("s3-redirect-all.xml")));
    assert!(!declares_s3_namespace(&fixture("oss-reference.xml")));
    assert!(!declares_s3_namespace(b"\xff"));
}

#[test]
fn response_has_declaration_lowercase_booleans_and_no_namespace() {
    let c = parse_oss(
        br#"<WebsiteConfiguration xmlns="urn:x"><IndexDocument><Suffix>index.html</Suffix>
        <SupportSubDir>TRUE</SupportSubDir></IndexDocument></WebsiteConfiguration>"#,
    )
    .unwrap();
    assert_eq!(
        c.to_response_xml().unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <WebsiteConfiguration>\n  \
           <IndexDocument>\n    \
             <Suffix>index.html</Suffix>\n    \
             <SupportSubDir>true</SupportSubDir>\n  \
           </IndexDocument>\n\
         </WebsiteConfiguration>"
    );
}

#[test]
fn echo_form_fills_condition_mirrors_pass_query_string_and_masks_secret() {
    let c = parse_oss(
        br#"<WebsiteConfiguration><RoutingRules>
        <RoutingRule><RuleNumber>1</RuleNumber>
          <Redirect><RedirectType>Mirror</RedirectType><MirrorURL>http://o/</MirrorURL>
            <MirrorPassQueryString>True</MirrorPassQueryString>
            <MirrorAuth><AuthType>S3V4</AuthType><AccessKeySecret>s3cr3t</AccessKeySecret></MirrorAuth>
          </Redirect></RoutingRule>
        <RoutingRule><RuleNumber>2</RuleNumber>
          <Condition><KeySuffixEquals>.png</KeySuffixEquals></Condition>
          <Redirect><RedirectType>External</RedirectType><PassQueryString>true</PassQueryString>
            <MirrorPassQueryString>false</MirrorPassQueryString></Redirect></RoutingRule>
        </RoutingRules></WebsiteConfiguration>"#,
    )
    .unwrap();
    let expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<WebsiteConfiguration>
  <RoutingRules>
    <RoutingRule>
      <RuleNumber>1</RuleNumber>
      <Condition>
        <KeyPrefixEquals/>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <RedirectType>Mirror</RedirectType>
        <PassQueryString>true</PassQueryString>
        <MirrorURL>http://o/</MirrorURL>
        <MirrorPassQueryString>true</MirrorPassQueryString>
        <MirrorAuth>
          <AuthType>S3V4</AuthType>
          <AccessKeySecret>******</AccessKeySecret>
        </MirrorAuth>
      </Redirect>
    </RoutingRule>
    <RoutingRule>
      <RuleNumber>2</RuleNumber>
      <Condition>
        <KeyPrefixEquals/>
        <KeySuffixEquals>.png</KeySuffixEquals>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <RedirectType>External</RedirectType>
        <PassQueryString>true</PassQueryString>
        <MirrorPassQueryString>false</MirrorPassQueryString>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>";
    assert_eq!(c.to_response_xml().unwrap(), expected);
    // The stored value keeps the secret.
    let rules = c.routing_rules.unwrap().rules;
    let auth = rules[0].redirect.as_ref().unwrap().mirror_auth.clone();
    assert_eq!(auth.unwrap().access_key_secret.as_deref(), Some("s3cr3t"));
}

/// Each OSS fixture parses and re-serialises to the reviewed golden response.
#[test]
fn golden_oss_responses() {
    for name in [
        "oss-reference",
        "go-sdk-basic",
        "go-sdk-extended",
        "oss2-mirror",
        "oss2-alicdn-external-internal",
        "oss2-index-error",
        "oss2-unnormal-routing-rule",
    ] {
        let c = parse_oss(&fixture(&format!("{name}.xml"))).unwrap();
        let got = c.to_response_xml().unwrap();
        let want = fixture_text(&format!("responses/{name}.oss.xml"));
        assert_eq!(got, want.trim_end(), "{name}");
        // The response parses back to its own echo form.
        assert_eq!(parse_oss(got.as_bytes()).unwrap(), c.echo_form(), "{name}");
    }
}

#[test]
fn s3_bodies_parse() {
    let c = parse_s3(&fixture("s3-rules.xml")).unwrap();
    assert_eq!(c.xmlns.as_deref(), Some(S3_NAMESPACE));
    let rules = &c.routing_rules.as_ref().unwrap().rules;
    assert_eq!(rules.len(), 3);
    assert_eq!(
        rules[0],
        S3RoutingRule {
            condition: Some(S3Condition {
                http_error_code_returned_equals: Some(404),
                key_prefix_equals: s("docs/"),
            }),
            redirect: Some(S3Redirect {
                host_name: s("example.com"),
                http_redirect_code: Some(302),
                protocol: s("https"),
                replace_key_prefix_with: s("documents/"),
                replace_key_with: None,
            }),
        }
    );
    let c = parse_s3(&fixture("s3-redirect-all.xml")).unwrap();
    assert_eq!(
        c.redirect_all_requests_to,
        Some(S3RedirectAllRequestsTo {
            host_name: s("example.com"),
            protocol: s("https"),
        })
    );
    // Without the namespace too.
    let c = parse_s3(b"<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix></IndexDocument></WebsiteConfiguration>")
        .unwrap();
    assert_eq!(c.xmlns, None);
    assert_eq!(c.index_document.unwrap().suffix, s("i"));
}

#[test]
fn golden_s3_responses() {
    for name in ["s3-rules", "s3-redirect-all"] {
        let c = parse_s3(&fixture(&format!("{name}.xml"))).unwrap();
        let got = c.to_response_xml().unwrap();
        let want = fixture_text(&format!("responses/{name}.s3.xml"));
        assert_eq!(got, want.trim_end(), "{name}");
        assert_eq!(parse_s3(got.as_bytes()).unwrap(), c, "{name}");
    }
    // The namespace is written even when the stored value has none.
    let bare = S3WebsiteConfiguration {
        redirect_all_requests_to: Some(S3RedirectAllRequestsTo {
            host_name: s("h"),
            protocol: None,
        }),
        ..S3WebsiteConfiguration::default()
    };
    assert_eq!(
        bare.to_response_xml().unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <WebsiteConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n  \
           <RedirectAllRequestsTo>\n    <HostName>h</HostName>\n  </RedirectAllRequestsTo>\n\
         </WebsiteConfiguration>"
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

/// Text values: printable ASCII (including XML specials), some non-ASCII, and blanks.
fn text() -> impl Strategy<Value = String> {
    "[ -~éü中文\u{1F600}]{0,12}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn opt_bool() -> impl Strategy<Value = Option<bool>> {
    proptest::option::of(any::<bool>())
}

fn opt_int() -> impl Strategy<Value = Option<i64>> {
    proptest::option::of(any::<i64>())
}

fn key_value() -> impl Strategy<Value = KeyValue> {
    (opt_text(), opt_text()).prop_map(|(key, value)| KeyValue { key, value })
}

fn mirror_headers() -> impl Strategy<Value = MirrorHeaders> {
    (
        opt_bool(),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(key_value(), 0..3),
    )
        .prop_map(|(pass_all, pass, remove, set)| MirrorHeaders {
            pass_all,
            pass,
            remove,
            set,
        })
}

fn redirect() -> impl Strategy<Value = Redirect> {
    let redirect_part = (
        opt_text(),
        opt_bool(),
        opt_text(),
        opt_text(),
        opt_bool(),
        opt_text(),
        opt_text(),
        opt_int(),
    );
    let mirror_a = (
        opt_text(),
        opt_text(),
        opt_text(),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        proptest::option::of(mirror_headers()),
        opt_bool(),
        opt_bool(),
    );
    let mirror_b = (
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_text(),
        proptest::option::of((opt_text(), opt_text(), opt_text(), opt_text())),
        opt_bool(),
        opt_bool(),
        opt_bool(),
        opt_int(),
    );
    let mirror_c = (
        proptest::option::of(proptest::collection::vec(key_value(), 0..3)),
        proptest::option::of(proptest::collection::vec(key_value(), 0..3)),
        opt_text(),
        proptest::option::of(proptest::collection::vec(
            (opt_text(), opt_int(), opt_text(), opt_text()),
            0..3,
        )),
        opt_bool(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
    );
    (redirect_part, mirror_a, mirror_b, mirror_c).prop_map(|(r, a, b, c)| Redirect {
        redirect_type: r.0,
        pass_query_string: r.1,
        replace_key_with: r.2,
        replace_key_prefix_with: r.3,
        enable_replace_prefix: r.4,
        protocol: r.5,
        host_name: r.6,
        http_redirect_code: r.7,
        mirror_url: a.0,
        mirror_url_slave: a.1,
        mirror_url_probe: a.2,
        mirror_pass_query_string: a.3,
        mirror_pass_original_slashes: a.4,
        mirror_follow_redirect: a.5,
        mirror_check_md5: a.6,
        mirror_headers: a.7,
        mirror_sni: a.8,
        mirror_switch_all_errors: a.9,
        mirror_allow_head_object: b.0,
        mirror_allow_get_image_info: b.1,
        mirror_allow_video_snapshot: b.2,
        mirror_using_role: b.3,
        mirror_role: b.4,
        mirror_auth: b.5.map(
            |(auth_type, region, access_key_id, access_key_secret)| MirrorAuth {
                auth_type,
                region,
                access_key_id,
                access_key_secret,
            },
        ),
        mirror_save_oss_meta: b.6,
        mirror_user_last_modified: b.7,
        mirror_proxy_pass: b.8,
        mirror_async_status: b.9,
        mirror_taggings: c.0.map(|taggings| MirrorTaggings { taggings }),
        mirror_return_headers: c
            .1
            .map(|return_headers| MirrorReturnHeaders { return_headers }),
        transparent_mirror_response_codes: c.2,
        mirror_multi_alternates: c.3.map(|list| MirrorMultiAlternates {
            alternates: list
                .into_iter()
                .map(|(dst_region, number, url, vpc_id)| MirrorMultiAlternate {
                    dst_region,
                    number,
                    url,
                    vpc_id,
                })
                .collect(),
        }),
        mirror_is_express_tunnel: c.4,
        mirror_dst_region: c.5,
        mirror_dst_vpc_id: c.6,
        mirror_dst_slave_vpc_id: c.7,
        mirror_tunnel_id: c.8,
    })
}

fn condition() -> impl Strategy<Value = Condition> {
    (
        opt_text(),
        opt_text(),
        opt_int(),
        proptest::collection::vec(
            (opt_text(), opt_text(), opt_text(), opt_text()).prop_map(
                |(key, equals, starts_with, ends_with)| IncludeHeader {
                    key,
                    equals,
                    starts_with,
                    ends_with,
                },
            ),
            0..3,
        ),
    )
        .prop_map(
            |(key_prefix_equals, key_suffix_equals, code, include_headers)| Condition {
                key_prefix_equals,
                key_suffix_equals,
                http_error_code_returned_equals: code,
                include_headers,
            },
        )
}

fn website() -> impl Strategy<Value = WebsiteConfiguration> {
    let rule = (
        opt_int(),
        proptest::option::of(condition()),
        proptest::option::of(redirect()),
        proptest::option::of(opt_text().prop_map(|script| LuaConfig { script })),
    )
        .prop_map(
            |(rule_number, condition, redirect, lua_config)| RoutingRule {
                rule_number,
                condition,
                redirect,
                lua_config,
            },
        );
    (
        proptest::option::of((opt_text(), opt_bool(), opt_int()).prop_map(
            |(suffix, support_sub_dir, index_type)| IndexDocument {
                suffix,
                support_sub_dir,
                index_type,
            },
        )),
        proptest::option::of(
            (opt_text(), opt_int())
                .prop_map(|(key, http_status)| ErrorDocument { key, http_status }),
        ),
        proptest::option::of(
            proptest::collection::vec(rule, 0..3).prop_map(|rules| RoutingRules { rules }),
        ),
    )
        .prop_map(
            |(index_document, error_document, routing_rules)| WebsiteConfiguration {
                index_document,
                error_document,
                routing_rules,
            },
        )
}

fn s3_website() -> impl Strategy<Value = S3WebsiteConfiguration> {
    let rule = (
        proptest::option::of(
            (opt_int(), opt_text()).prop_map(|(code, prefix)| S3Condition {
                http_error_code_returned_equals: code,
                key_prefix_equals: prefix,
            }),
        ),
        proptest::option::of(
            (opt_text(), opt_int(), opt_text(), opt_text(), opt_text()).prop_map(
                |(host_name, http_redirect_code, protocol, prefix, key)| S3Redirect {
                    host_name,
                    http_redirect_code,
                    protocol,
                    replace_key_prefix_with: prefix,
                    replace_key_with: key,
                },
            ),
        ),
    )
        .prop_map(|(condition, redirect)| S3RoutingRule {
            condition,
            redirect,
        });
    (
        proptest::option::of((opt_text(), opt_text()).prop_map(|(host_name, protocol)| {
            S3RedirectAllRequestsTo {
                host_name,
                protocol,
            }
        })),
        proptest::option::of(opt_text().prop_map(|suffix| S3IndexDocument { suffix })),
        proptest::option::of(opt_text().prop_map(|key| S3ErrorDocument { key })),
        proptest::option::of(
            proptest::collection::vec(rule, 0..3).prop_map(|rules| S3RoutingRules { rules }),
        ),
    )
        .prop_map(
            |(redirect_all, index, error, rules)| S3WebsiteConfiguration {
                xmlns: Some(S3_NAMESPACE.to_owned()),
                redirect_all_requests_to: redirect_all,
                index_document: index,
                error_document: error,
                routing_rules: rules,
            },
        )
}

proptest! {
    #[test]
    fn parse_never_panics_on_bytes(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_oss(&body);
        let _ = parse_s3(&body);
        let _ = declares_s3_namespace(&body);
    }

    #[test]
    fn parse_never_panics_on_xmlish_text(
        body in "(<WebsiteConfiguration>|</WebsiteConfiguration>|<RoutingRules>|<RoutingRule>|\
                 </RoutingRule>|<RuleNumber>|</RuleNumber>|<Condition>|</Condition>|<Redirect>|\
                 </Redirect>|<PassAll>|</PassAll>|<Pass/>|<Set>|</Set>|<Key>|</Key>|-?[0-9]{1,20}|\
                 true|True|x|&amp;|&#0;|&bogus;|<!--|-->|<!\\[CDATA\\[|\\]\\]>|<\\?|\\?>|\"|=| ){0,40}"
    ) {
        let _ = parse_oss(body.as_bytes());
        let _ = parse_s3(body.as_bytes());
    }

    #[test]
    fn oss_dto_round_trips(c in website()) {
        let xml = codec::to_xml(&c).unwrap();
        prop_assert_eq!(parse_oss(xml.as_bytes()).unwrap(), c.clone());
        let response = c.to_response_xml().unwrap();
        prop_assert_eq!(parse_oss(response.as_bytes()).unwrap(), c.echo_form());
    }

    #[test]
    fn s3_dto_round_trips(c in s3_website()) {
        let xml = c.to_response_xml().unwrap();
        prop_assert_eq!(parse_s3(xml.as_bytes()).unwrap(), c);
    }
}
