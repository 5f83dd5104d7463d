//! Golden tests for every type the server parses: a document that uses every element name of
//! the type (and of the types nested in it) parses to a value with every field set. A second
//! set of documents spells each element whose wire name is not the PascalCase form of the Rust
//! field name (`ID`, `ETag`, `MirrorURL`, singular list elements, ...) the naive way and checks
//! that those elements are ignored, as they always were. Together they pin the element names
//! the parsers accept.

use ossemu_xml::acl::{AccessControlPolicy, Grant, GrantList, Grantee};
use ossemu_xml::bucket::{CreateBucketConfiguration, OssAccessControlList, Owner};
use ossemu_xml::cname::{BucketCnameConfiguration, CnameRequest, CnameToken};
use ossemu_xml::cors::{CorsConfiguration, CorsRule};
use ossemu_xml::from_xml;
use ossemu_xml::multipart::{CompleteMultipartUpload, CompletePart};
use ossemu_xml::object::{Delete, ObjectToDelete};
use ossemu_xml::tagging::{Tag, TagSet, Tagging};
use ossemu_xml::website::{
    Condition, ErrorDocument, IncludeHeader, IndexDocument, KeyValue, LuaConfig, MirrorAuth,
    MirrorHeaders, MirrorMultiAlternate, MirrorMultiAlternates, MirrorReturnHeaders,
    MirrorTaggings, Redirect, RoutingRule, RoutingRules, S3_NAMESPACE, S3Condition,
    S3ErrorDocument, S3IndexDocument, S3Redirect, S3RedirectAllRequestsTo, S3RoutingRule,
    S3RoutingRules, S3WebsiteConfiguration, WebsiteConfiguration, parse_oss, parse_s3,
};
use serde::de::DeserializeOwned;

const LIMIT: usize = 1 << 20;

#[track_caller]
fn parse<T: DeserializeOwned>(root: &'static str, body: &str) -> T {
    from_xml(body.as_bytes(), root, LIMIT).unwrap_or_else(|e| panic!("{root}: {e}\n{body}"))
}

fn s(v: &str) -> String {
    v.to_owned()
}

fn o(v: &str) -> Option<String> {
    Some(v.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Every element name
// ---------------------------------------------------------------------------------------------

#[test]
fn access_control_policy() {
    let body = r#"<AccessControlPolicy>
  <Owner><ID>ignored</ID></Owner>
  <AccessControlList>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>user-id</ID><URI>user-uri</URI></Grantee>
      <Permission>FULL_CONTROL</Permission>
    </Grant>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>
      <Permission>READ</Permission>
    </Grant>
  </AccessControlList>
</AccessControlPolicy>"#;
    assert_eq!(
        parse::<AccessControlPolicy>("AccessControlPolicy", body),
        AccessControlPolicy {
            acl: GrantList {
                grants: vec![
                    Grant {
                        grantee: Grantee {
                            id: o("user-id"),
                            uri: o("user-uri"),
                            email_address: None,
                        },
                        permission: s("FULL_CONTROL"),
                    },
                    Grant {
                        grantee: Grantee {
                            id: None,
                            uri: o("http://acs.amazonaws.com/groups/global/AllUsers"),
                            email_address: None,
                        },
                        permission: s("READ"),
                    },
                ],
            },
        }
    );
}

#[test]
fn owner_and_oss_access_control_list() {
    assert_eq!(
        parse::<Owner>(
            "Owner",
            "<Owner><ID>owner-id</ID><DisplayName>owner-name</DisplayName></Owner>"
        ),
        Owner {
            id: s("owner-id"),
            display_name: s("owner-name"),
        }
    );
    assert_eq!(
        parse::<OssAccessControlList>(
            "AccessControlList",
            "<AccessControlList><Grant>public-read</Grant></AccessControlList>"
        ),
        OssAccessControlList {
            grant: s("public-read"),
        }
    );
}

#[test]
fn create_bucket_configuration() {
    let body = "<CreateBucketConfiguration>\
        <StorageClass>IA</StorageClass>\
        <LocationConstraint>eu-west-1</LocationConstraint>\
        <DataRedundancyType>ZRS</DataRedundancyType>\
        </CreateBucketConfiguration>";
    assert_eq!(
        parse::<CreateBucketConfiguration>("CreateBucketConfiguration", body),
        CreateBucketConfiguration {
            storage_class: o("IA"),
            location_constraint: o("eu-west-1"),
            data_redundancy_type: o("ZRS"),
        }
    );
}

#[test]
fn bucket_cname_configuration_and_cname_token() {
    let body = "<BucketCnameConfiguration><Cname><Domain>www.example.com</Domain></Cname>\
        </BucketCnameConfiguration>";
    assert_eq!(
        parse::<BucketCnameConfiguration>("BucketCnameConfiguration", body),
        BucketCnameConfiguration {
            cname: CnameRequest {
                domain: s("www.example.com"),
            },
        }
    );
    let body = "<CnameToken><Bucket>bucket</Bucket><Cname>www.example.com</Cname>\
        <Token>token</Token><ExpireTime>Wed, 01 Jan 2025 00:00:00 GMT</ExpireTime></CnameToken>";
    assert_eq!(
        parse::<CnameToken>("CnameToken", body),
        CnameToken {
            bucket: s("bucket"),
            cname: s("www.example.com"),
            token: s("token"),
            expire_time: s("Wed, 01 Jan 2025 00:00:00 GMT"),
        }
    );
}

#[test]
fn cors_configuration() {
    let body = r#"<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <ID>rule-1</ID>
    <AllowedOrigin>https://a.example</AllowedOrigin>
    <AllowedOrigin>*.b.example</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>x-amz-*</AllowedHeader>
    <AllowedHeader>content-type</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <ExposeHeader>x-amz-request-id</ExposeHeader>
    <MaxAgeSeconds>300</MaxAgeSeconds>
  </CORSRule>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>HEAD</AllowedMethod>
  </CORSRule>
  <ResponseVary>true</ResponseVary>
</CORSConfiguration>"#;
    assert_eq!(
        parse::<CorsConfiguration>("CORSConfiguration", body),
        CorsConfiguration {
            xmlns: o("http://s3.amazonaws.com/doc/2006-03-01/"),
            rules: vec![
                CorsRule {
                    id: o("rule-1"),
                    allowed_origins: vec![s("https://a.example"), s("*.b.example")],
                    allowed_methods: vec![s("GET"), s("PUT")],
                    allowed_headers: vec![s("x-amz-*"), s("content-type")],
                    expose_headers: vec![s("ETag"), s("x-amz-request-id")],
                    max_age_seconds: Some(300),
                },
                CorsRule {
                    id: None,
                    allowed_origins: vec![s("*")],
                    allowed_methods: vec![s("HEAD")],
                    allowed_headers: vec![],
                    expose_headers: vec![],
                    max_age_seconds: None,
                },
            ],
            response_vary: o("true"),
        }
    );
}

#[test]
fn complete_multipart_upload() {
    let body = r#"<CompleteMultipartUpload>
  <Part><PartNumber>1</PartNumber><ETag>"etag-1"</ETag></Part>
  <Part><ETag>etag-2</ETag><PartNumber>2</PartNumber></Part>
</CompleteMultipartUpload>"#;
    assert_eq!(
        parse::<CompleteMultipartUpload>("CompleteMultipartUpload", body),
        CompleteMultipartUpload {
            parts: vec![
                CompletePart {
                    part_number: 1,
                    etag: s("\"etag-1\""),
                },
                CompletePart {
                    part_number: 2,
                    etag: s("etag-2"),
                },
            ],
        }
    );
}

#[test]
fn delete() {
    let body = "<Delete><Quiet>True</Quiet>\
        <Object><Key>key-1</Key><VersionId>null</VersionId></Object>\
        <Object><Key>key-2</Key></Object></Delete>";
    assert_eq!(
        parse::<Delete>("Delete", body),
        Delete {
            quiet: true,
            objects: vec![
                ObjectToDelete {
                    key: s("key-1"),
                    version_id: o("null"),
                },
                ObjectToDelete {
                    key: s("key-2"),
                    version_id: None,
                },
            ],
        }
    );
}

#[test]
fn tagging() {
    let body = r#"<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>
  <Tag><Key>k1</Key><Value>v1</Value></Tag>
  <Tag><Key>k2</Key><Value></Value></Tag>
</TagSet></Tagging>"#;
    assert_eq!(
        parse::<Tagging>("Tagging", body),
        Tagging {
            xmlns: o("http://s3.amazonaws.com/doc/2006-03-01/"),
            tag_set: Some(TagSet {
                tags: vec![
                    Tag {
                        key: s("k1"),
                        value: s("v1"),
                    },
                    Tag {
                        key: s("k2"),
                        value: s(""),
                    },
                ],
            }),
        }
    );
}

fn kv(k: &str, v: &str) -> KeyValue {
    KeyValue {
        key: o(k),
        value: o(v),
    }
}

/// Every element of the OSS `WebsiteConfiguration` schema.
const OSS_WEBSITE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration>
  <IndexDocument>
    <Suffix>index.html</Suffix>
    <SupportSubDir>True</SupportSubDir>
    <Type>1</Type>
  </IndexDocument>
  <ErrorDocument>
    <Key>error.html</Key>
    <HttpStatus>404</HttpStatus>
  </ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <RuleNumber>1</RuleNumber>
      <Condition>
        <KeyPrefixEquals>prefix/</KeyPrefixEquals>
        <KeySuffixEquals>.jpg</KeySuffixEquals>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
        <IncludeHeader>
          <Key>header-1</Key>
          <Equals>equals</Equals>
          <StartsWith>starts-with</StartsWith>
          <EndsWith>ends-with</EndsWith>
        </IncludeHeader>
        <IncludeHeader>
          <Key>header-2</Key>
        </IncludeHeader>
      </Condition>
      <Redirect>
        <RedirectType>Mirror</RedirectType>
        <PassQueryString>true</PassQueryString>
        <ReplaceKeyWith>replace-key-with</ReplaceKeyWith>
        <ReplaceKeyPrefixWith>replace-key-prefix-with</ReplaceKeyPrefixWith>
        <EnableReplacePrefix>false</EnableReplacePrefix>
        <Protocol>https</Protocol>
        <HostName>host-name</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
        <MirrorURL>http://primary.example/</MirrorURL>
        <MirrorURLSlave>http://secondary.example/</MirrorURLSlave>
        <MirrorURLProbe>http://probe.example/</MirrorURLProbe>
        <MirrorPassQueryString>false</MirrorPassQueryString>
        <MirrorPassOriginalSlashes>true</MirrorPassOriginalSlashes>
        <MirrorFollowRedirect>false</MirrorFollowRedirect>
        <MirrorCheckMd5>true</MirrorCheckMd5>
        <MirrorHeaders>
          <PassAll>true</PassAll>
          <Pass>pass-1</Pass>
          <Pass>pass-2</Pass>
          <Remove>remove-1</Remove>
          <Remove>remove-2</Remove>
          <Set><Key>set-1</Key><Value>one</Value></Set>
          <Set><Key>set-2</Key><Value>two</Value></Set>
        </MirrorHeaders>
        <MirrorSNI>false</MirrorSNI>
        <MirrorSwitchAllErrors>true</MirrorSwitchAllErrors>
        <MirrorAllowHeadObject>false</MirrorAllowHeadObject>
        <MirrorAllowGetImageInfo>true</MirrorAllowGetImageInfo>
        <MirrorAllowVideoSnapshot>false</MirrorAllowVideoSnapshot>
        <MirrorUsingRole>true</MirrorUsingRole>
        <MirrorRole>mirror-role</MirrorRole>
        <MirrorAuth>
          <AuthType>S3V4</AuthType>
          <Region>auth-region</Region>
          <AccessKeyId>access-key-id</AccessKeyId>
          <AccessKeySecret>access-key-secret</AccessKeySecret>
        </MirrorAuth>
        <MirrorSaveOssMeta>false</MirrorSaveOssMeta>
        <MirrorUserLastModified>true</MirrorUserLastModified>
        <MirrorProxyPass>false</MirrorProxyPass>
        <MirrorAsyncStatus>404</MirrorAsyncStatus>
        <MirrorTaggings>
          <Taggings><Key>tag-1</Key><Value>${key}</Value></Taggings>
          <Taggings><Key>tag-2</Key><Value>constant</Value></Taggings>
        </MirrorTaggings>
        <MirrorReturnHeaders>
          <ReturnHeader><Key>return-1</Key><Value>r1</Value></ReturnHeader>
          <ReturnHeader><Key>return-2</Key><Value>r2</Value></ReturnHeader>
        </MirrorReturnHeaders>
        <TransparentMirrorResponseCodes>400,404</TransparentMirrorResponseCodes>
        <MirrorMultiAlternates>
          <MirrorMultiAlternate>
            <MirrorMultiAlternateNumber>1</MirrorMultiAlternateNumber>
            <MirrorMultiAlternateURL>http://alt1.example/</MirrorMultiAlternateURL>
            <MirrorMultiAlternateVpcId>alt-vpc-1</MirrorMultiAlternateVpcId>
            <MirrorMultiAlternateDstRegion>alt-region-1</MirrorMultiAlternateDstRegion>
          </MirrorMultiAlternate>
          <MirrorMultiAlternate>
            <MirrorMultiAlternateNumber>2</MirrorMultiAlternateNumber>
          </MirrorMultiAlternate>
        </MirrorMultiAlternates>
        <MirrorIsExpressTunnel>true</MirrorIsExpressTunnel>
        <MirrorDstRegion>dst-region</MirrorDstRegion>
        <MirrorDstVpcId>dst-vpc-id</MirrorDstVpcId>
        <MirrorDstSlaveVpcId>dst-slave-vpc-id</MirrorDstSlaveVpcId>
        <MirrorTunnelId>tunnel-id</MirrorTunnelId>
      </Redirect>
      <LuaConfig>
        <Script>script.lua</Script>
      </LuaConfig>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#;

#[test]
fn oss_website_configuration() {
    let redirect = Redirect {
        redirect_type: o("Mirror"),
        pass_query_string: Some(true),
        replace_key_with: o("replace-key-with"),
        replace_key_prefix_with: o("replace-key-prefix-with"),
        enable_replace_prefix: Some(false),
        protocol: o("https"),
        host_name: o("host-name"),
        http_redirect_code: Some(302),
        mirror_url: o("http://primary.example/"),
        mirror_url_slave: o("http://secondary.example/"),
        mirror_url_probe: o("http://probe.example/"),
        mirror_pass_query_string: Some(false),
        mirror_pass_original_slashes: Some(true),
        mirror_follow_redirect: Some(false),
        mirror_check_md5: Some(true),
        mirror_headers: Some(MirrorHeaders {
            pass_all: Some(true),
            pass: vec![s("pass-1"), s("pass-2")],
            remove: vec![s("remove-1"), s("remove-2")],
            set: vec![kv("set-1", "one"), kv("set-2", "two")],
        }),
        mirror_sni: Some(false),
        mirror_switch_all_errors: Some(true),
        mirror_allow_head_object: Some(false),
        mirror_allow_get_image_info: Some(true),
        mirror_allow_video_snapshot: Some(false),
        mirror_using_role: Some(true),
        mirror_role: o("mirror-role"),
        mirror_auth: Some(MirrorAuth {
            auth_type: o("S3V4"),
            region: o("auth-region"),
            access_key_id: o("access-key-id"),
            access_key_secret: o("access-key-secret"),
        }),
        mirror_save_oss_meta: Some(false),
        mirror_user_last_modified: Some(true),
        mirror_proxy_pass: Some(false),
        mirror_async_status: Some(404),
        mirror_taggings: Some(MirrorTaggings {
            taggings: vec![kv("tag-1", "${key}"), kv("tag-2", "constant")],
        }),
        mirror_return_headers: Some(MirrorReturnHeaders {
            return_headers: vec![kv("return-1", "r1"), kv("return-2", "r2")],
        }),
        transparent_mirror_response_codes: o("400,404"),
        mirror_multi_alternates: Some(MirrorMultiAlternates {
            alternates: vec![
                MirrorMultiAlternate {
                    dst_region: o("alt-region-1"),
                    number: Some(1),
                    url: o("http://alt1.example/"),
                    vpc_id: o("alt-vpc-1"),
                },
                MirrorMultiAlternate {
                    dst_region: None,
                    number: Some(2),
                    url: None,
                    vpc_id: None,
                },
            ],
        }),
        mirror_is_express_tunnel: Some(true),
        mirror_dst_region: o("dst-region"),
        mirror_dst_vpc_id: o("dst-vpc-id"),
        mirror_dst_slave_vpc_id: o("dst-slave-vpc-id"),
        mirror_tunnel_id: o("tunnel-id"),
    };
    let want = WebsiteConfiguration {
        index_document: Some(IndexDocument {
            suffix: o("index.html"),
            support_sub_dir: Some(true),
            index_type: Some(1),
        }),
        error_document: Some(ErrorDocument {
            key: o("error.html"),
            http_status: Some(404),
        }),
        routing_rules: Some(RoutingRules {
            rules: vec![RoutingRule {
                rule_number: Some(1),
                condition: Some(Condition {
                    key_prefix_equals: o("prefix/"),
                    key_suffix_equals: o(".jpg"),
                    http_error_code_returned_equals: Some(404),
                    include_headers: vec![
                        IncludeHeader {
                            key: o("header-1"),
                            equals: o("equals"),
                            starts_with: o("starts-with"),
                            ends_with: o("ends-with"),
                        },
                        IncludeHeader {
                            key: o("header-2"),
                            equals: None,
                            starts_with: None,
                            ends_with: None,
                        },
                    ],
                }),
                redirect: Some(redirect),
                lua_config: Some(LuaConfig {
                    script: o("script.lua"),
                }),
            }],
        }),
    };
    assert_eq!(parse_oss(OSS_WEBSITE.as_bytes()).unwrap(), want);
}

#[test]
fn s3_website_configuration() {
    let body = r#"<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <RedirectAllRequestsTo><HostName>all.example</HostName><Protocol>http</Protocol></RedirectAllRequestsTo>
  <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
  <ErrorDocument><Key>error.html</Key></ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <Condition>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
        <KeyPrefixEquals>docs/</KeyPrefixEquals>
      </Condition>
      <Redirect>
        <HostName>example.com</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
        <Protocol>https</Protocol>
        <ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith>
        <ReplaceKeyWith>replace-key-with</ReplaceKeyWith>
      </Redirect>
    </RoutingRule>
    <RoutingRule>
      <Redirect><HostName>other.example</HostName></Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#;
    assert_eq!(
        parse_s3(body.as_bytes()).unwrap(),
        S3WebsiteConfiguration {
            xmlns: o(S3_NAMESPACE),
            redirect_all_requests_to: Some(S3RedirectAllRequestsTo {
                host_name: o("all.example"),
                protocol: o("http"),
            }),
            index_document: Some(S3IndexDocument {
                suffix: o("index.html"),
            }),
            error_document: Some(S3ErrorDocument {
                key: o("error.html"),
            }),
            routing_rules: Some(S3RoutingRules {
                rules: vec![
                    S3RoutingRule {
                        condition: Some(S3Condition {
                            http_error_code_returned_equals: Some(404),
                            key_prefix_equals: o("docs/"),
                        }),
                        redirect: Some(S3Redirect {
                            host_name: o("example.com"),
                            http_redirect_code: Some(302),
                            protocol: o("https"),
                            replace_key_prefix_with: o("documents/"),
                            replace_key_with: o("replace-key-with"),
                        }),
                    },
                    S3RoutingRule {
                        condition: None,
                        redirect: Some(S3Redirect {
                            host_name: o("other.example"),
                            http_redirect_code: None,
                            protocol: None,
                            replace_key_prefix_with: None,
                            replace_key_with: None,
                        }),
                    },
                ],
            }),
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Naive PascalCase spellings of the exceptions are not the wire names
// ---------------------------------------------------------------------------------------------

#[test]
fn naive_spellings_are_ignored() {
    let p: AccessControlPolicy = parse(
        "AccessControlPolicy",
        "<AccessControlPolicy><Acl><Grant><Grantee><ID>x</ID></Grantee>\
         <Permission>READ</Permission></Grant></Acl></AccessControlPolicy>",
    );
    assert_eq!(p, AccessControlPolicy::default());
    let p: AccessControlPolicy = parse(
        "AccessControlPolicy",
        "<AccessControlPolicy><AccessControlList><Grants><Grantee><ID>x</ID></Grantee>\
         <Permission>READ</Permission></Grants></AccessControlList></AccessControlPolicy>",
    );
    assert_eq!(p, AccessControlPolicy::default());
    let p: AccessControlPolicy = parse(
        "AccessControlPolicy",
        "<AccessControlPolicy><AccessControlList><Grant><Grantee><Id>x</Id><Uri>u</Uri>\
         </Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>",
    );
    assert_eq!(p.acl.grants[0].grantee, Grantee::default());
    assert!(
        from_xml::<Owner>(
            b"<Owner><Id>x</Id><DisplayName>n</DisplayName></Owner>",
            "Owner",
            LIMIT
        )
        .is_err(),
        "Owner's ID is required and Id is not it"
    );

    let c: CorsConfiguration = parse(
        "CORSConfiguration",
        "<CORSConfiguration><Xmlns>x</Xmlns><Rules><AllowedOrigin>*</AllowedOrigin></Rules>\
         <CorsRule><AllowedOrigin>*</AllowedOrigin></CorsRule></CORSConfiguration>",
    );
    assert_eq!(c, CorsConfiguration::default());
    let c: CorsConfiguration = parse(
        "CORSConfiguration",
        "<CORSConfiguration><CORSRule><Id>i</Id><AllowedOrigins>*</AllowedOrigins>\
         <AllowedMethods>GET</AllowedMethods><AllowedHeaders>h</AllowedHeaders>\
         <ExposeHeaders>e</ExposeHeaders></CORSRule></CORSConfiguration>",
    );
    assert_eq!(c.rules, [CorsRule::default()]);

    let m: CompleteMultipartUpload = parse(
        "CompleteMultipartUpload",
        "<CompleteMultipartUpload><Parts><PartNumber>1</PartNumber><ETag>e</ETag></Parts>\
         </CompleteMultipartUpload>",
    );
    assert_eq!(m, CompleteMultipartUpload::default());
    let m: CompleteMultipartUpload = parse(
        "CompleteMultipartUpload",
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><Etag>e</Etag></Part>\
         </CompleteMultipartUpload>",
    );
    assert_eq!(m.parts[0].etag, "");

    let d: Delete = parse("Delete", "<Delete><Objects><Key>k</Key></Objects></Delete>");
    assert_eq!(d, Delete::default());

    let t: Tagging = parse(
        "Tagging",
        "<Tagging><TagSet><Tags><Key>k</Key><Value>v</Value></Tags></TagSet></Tagging>",
    );
    assert_eq!(t.tag_set, Some(TagSet::default()));

    let w = parse_oss(
        br#"<WebsiteConfiguration>
  <IndexDocument><IndexType>1</IndexType></IndexDocument>
  <RoutingRules>
    <Rules><RuleNumber>9</RuleNumber></Rules>
    <RoutingRule>
      <Condition><IncludeHeaders><Key>k</Key></IncludeHeaders></Condition>
      <Redirect>
        <MirrorUrl>u</MirrorUrl>
        <MirrorUrlSlave>s</MirrorUrlSlave>
        <MirrorUrlProbe>p</MirrorUrlProbe>
        <MirrorSni>true</MirrorSni>
        <MirrorReturnHeaders><ReturnHeaders><Key>k</Key></ReturnHeaders></MirrorReturnHeaders>
        <MirrorMultiAlternates>
          <Alternates><MirrorMultiAlternateNumber>1</MirrorMultiAlternateNumber></Alternates>
          <MirrorMultiAlternate>
            <DstRegion>r</DstRegion><Number>1</Number><Url>u</Url><VpcId>v</VpcId>
            <MirrorMultiAlternateUrl>u</MirrorMultiAlternateUrl>
          </MirrorMultiAlternate>
        </MirrorMultiAlternates>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#,
    )
    .unwrap();
    assert_eq!(
        w,
        WebsiteConfiguration {
            index_document: Some(IndexDocument::default()),
            error_document: None,
            routing_rules: Some(RoutingRules {
                rules: vec![RoutingRule {
                    condition: Some(Condition::default()),
                    redirect: Some(Redirect {
                        mirror_return_headers: Some(MirrorReturnHeaders::default()),
                        mirror_multi_alternates: Some(MirrorMultiAlternates {
                            alternates: vec![MirrorMultiAlternate::default()],
                        }),
                        ..Redirect::default()
                    }),
                    ..RoutingRule::default()
                }],
            }),
        }
    );

    let w = parse_s3(
        b"<WebsiteConfiguration><Xmlns>x</Xmlns><RoutingRules><Rules><Redirect>\
          <HostName>h</HostName></Redirect></Rules></RoutingRules></WebsiteConfiguration>",
    )
    .unwrap();
    assert_eq!(
        w,
        S3WebsiteConfiguration {
            routing_rules: Some(S3RoutingRules::default()),
            ..S3WebsiteConfiguration::default()
        }
    );
}
