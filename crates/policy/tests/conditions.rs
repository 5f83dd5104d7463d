//! Each condition operator, its IfExists / ForAnyValue / ForAllValues forms, and absent keys.

mod common;
use common::{Ctx, holds};

fn ctx() -> Ctx {
    Ctx::default()
}

#[test]
fn string_operators() {
    let c = ctx().with("aws:UserAgent", &["Boto3/1.0"]);
    assert!(holds(
        r#"{"StringEquals":{"aws:UserAgent":"Boto3/1.0"}}"#,
        &c
    ));
    assert!(!holds(
        r#"{"StringEquals":{"aws:UserAgent":"boto3/1.0"}}"#,
        &c
    ));
    assert!(holds(
        r#"{"StringEquals":{"aws:UserAgent":["x","Boto3/1.0"]}}"#,
        &c
    ));
    assert!(!holds(r#"{"StringEquals":{"aws:UserAgent":"Boto3*"}}"#, &c));
    assert!(holds(
        r#"{"StringEqualsIgnoreCase":{"aws:UserAgent":"BOTO3/1.0"}}"#,
        &c
    ));
    assert!(!holds(
        r#"{"StringNotEqualsIgnoreCase":{"aws:UserAgent":"BOTO3/1.0"}}"#,
        &c
    ));
    assert!(holds(r#"{"StringNotEquals":{"aws:UserAgent":"curl"}}"#, &c));
    // Negated with several values: NOR.
    assert!(!holds(
        r#"{"StringNotEquals":{"aws:UserAgent":["curl","Boto3/1.0"]}}"#,
        &c
    ));
    assert!(holds(r#"{"StringLike":{"aws:UserAgent":"Boto?/*"}}"#, &c));
    assert!(!holds(r#"{"StringLike":{"aws:UserAgent":"boto*"}}"#, &c));
    assert!(holds(r#"{"StringNotLike":{"aws:UserAgent":"curl*"}}"#, &c));
    assert!(!holds(
        r#"{"StringNotLike":{"aws:UserAgent":["curl*","Boto*"]}}"#,
        &c
    ));
}

#[test]
fn numeric_operators() {
    let c = ctx().with("s3:max-keys", &["10"]);
    for (op, v, want) in [
        ("NumericEquals", "10", true),
        ("NumericEquals", "10.0", true),
        ("NumericEquals", "11", false),
        ("NumericNotEquals", "11", true),
        ("NumericNotEquals", "10", false),
        ("NumericLessThan", "11", true),
        ("NumericLessThan", "10", false),
        ("NumericLessThanEquals", "10", true),
        ("NumericGreaterThan", "9", true),
        ("NumericGreaterThan", "10", false),
        ("NumericGreaterThanEquals", "10", true),
        ("NumericGreaterThanEquals", "11", false),
    ] {
        let cond = format!(r#"{{"{op}":{{"s3:max-keys":"{v}"}}}}"#);
        assert_eq!(holds(&cond, &c), want, "{cond}");
    }
    // JSON numbers are accepted as values; OSS spells the key oss:MaxKeys.
    assert!(holds(
        r#"{"NumericLessThanEquals":{"oss:MaxKeys":100}}"#,
        &c
    ));
    // A request value that is not a number satisfies no numeric test.
    let bad = ctx().with("s3:max-keys", &["ten"]);
    assert!(!holds(r#"{"NumericLessThan":{"s3:max-keys":"100"}}"#, &bad));
}

#[test]
fn date_operators() {
    let c = ctx().with("aws:CurrentTime", &["2024-06-01T12:00:00Z"]);
    for (op, v, want) in [
        ("DateEquals", "2024-06-01T12:00:00Z", true),
        ("DateEquals", "2024-06-01T14:00:00+02:00", true),
        ("DateNotEquals", "2024-06-01T12:00:01Z", true),
        ("DateLessThan", "2025-01-01T00:00:00Z", true),
        ("DateLessThan", "2024-01-01", false),
        ("DateLessThanEquals", "2024-06-01T12:00:00Z", true),
        ("DateGreaterThan", "2024-06-01", true),
        ("DateGreaterThan", "1717243200", false),
        ("DateGreaterThanEquals", "1717243200", true),
        ("DateGreaterThanEquals", "2024-06-01T12:00:00.001Z", false),
    ] {
        let cond = format!(r#"{{"{op}":{{"aws:CurrentTime":"{v}"}}}}"#);
        assert_eq!(holds(&cond, &c), want, "{cond}");
    }
    // Epoch seconds in the request compare with ISO dates in the policy.
    let epoch = ctx().with("aws:EpochTime", &["1717243200"]);
    assert!(holds(
        r#"{"DateEquals":{"aws:EpochTime":"2024-06-01T12:00:00Z"}}"#,
        &epoch
    ));
}

#[test]
fn bool_and_binary() {
    let tls = ctx().with("aws:SecureTransport", &["true"]);
    let plain = ctx().with("acs:SecureTransport", &["false"]);
    assert!(holds(r#"{"Bool":{"aws:SecureTransport":"true"}}"#, &tls));
    assert!(holds(r#"{"Bool":{"acs:SecureTransport":true}}"#, &tls));
    assert!(!holds(r#"{"Bool":{"aws:SecureTransport":"true"}}"#, &plain));
    assert!(holds(r#"{"Bool":{"aws:SecureTransport":"FALSE"}}"#, &plain));
    let bin = ctx().with("s3:x-amz-meta-blob", &["QUJD"]);
    assert!(holds(
        r#"{"BinaryEquals":{"s3:x-amz-meta-blob":"QUJD"}}"#,
        &bin
    ));
    assert!(!holds(
        r#"{"BinaryEquals":{"s3:x-amz-meta-blob":"QUJE"}}"#,
        &bin
    ));
}

#[test]
fn ip_operators() {
    let v4 = ctx().with("aws:SourceIp", &["1.2.3.77"]);
    let v6 = ctx().with("acs:SourceIp", &["2001:db8::9"]);
    assert!(holds(r#"{"IpAddress":{"aws:SourceIp":"1.2.3.0/24"}}"#, &v4));
    assert!(holds(
        r#"{"IpAddress":{"acs:SourceIp":["9.9.9.9","1.2.3.77"]}}"#,
        &v4
    ));
    assert!(!holds(
        r#"{"IpAddress":{"aws:SourceIp":"1.2.4.0/24"}}"#,
        &v4
    ));
    assert!(holds(
        r#"{"NotIpAddress":{"aws:SourceIp":"1.2.4.0/24"}}"#,
        &v4
    ));
    assert!(!holds(
        r#"{"NotIpAddress":{"aws:SourceIp":["1.2.4.0/24","1.2.3.0/24"]}}"#,
        &v4
    ));
    assert!(holds(
        r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#,
        &v6
    ));
    assert!(!holds(
        r#"{"IpAddress":{"aws:SourceIp":"1.2.3.0/24"}}"#,
        &v6
    ));
}

#[test]
fn arn_operators() {
    let c = ctx().with("aws:SourceArn", &["arn:aws:s3:::src-bucket"]);
    assert!(holds(
        r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::src-bucket"}}"#,
        &c
    ));
    assert!(holds(
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src-*"}}"#,
        &c
    ));
    assert!(holds(
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3::*:*"}}"#,
        &c
    ));
    assert!(!holds(
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::kaboom"}}"#,
        &c
    ));
    assert!(holds(
        r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::kaboom"}}"#,
        &c
    ));
    assert!(!holds(
        r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::src-bucket"}}"#,
        &c
    ));
    // A wildcard does not span the colons between ARN parts.
    assert!(!holds(
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:*:src-bucket"}}"#,
        &c
    ));
    assert!(holds(
        r#"{"ArnLike":{"aws:SourceArn":"arn:*:s3:::src-bucket"}}"#,
        &c
    ));
}

#[test]
fn absent_keys() {
    let none = ctx();
    // Positive operators fail, negated ones hold (IAM's rule for a missing key).
    assert!(!holds(r#"{"StringEquals":{"aws:Referer":"x"}}"#, &none));
    assert!(holds(r#"{"StringNotEquals":{"aws:Referer":"x"}}"#, &none));
    assert!(!holds(
        r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
        &none
    ));
    assert!(holds(
        r#"{"NotIpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
        &none
    ));
    // An empty value list counts as absent.
    let empty = ctx().with("aws:Referer", &[]);
    assert!(!holds(r#"{"StringLike":{"aws:Referer":"*"}}"#, &empty));
}

#[test]
fn if_exists() {
    let cond = r#"{"StringLikeIfExists":{"aws:Referer":"http://www.example.com/*"}}"#;
    assert!(holds(cond, &ctx()));
    assert!(holds(
        cond,
        &ctx().with("aws:Referer", &["http://www.example.com/index.html"])
    ));
    assert!(!holds(
        cond,
        &ctx().with("aws:Referer", &["http://example.com"])
    ));
    let n = r#"{"NumericLessThanIfExists":{"s3:max-keys":"5"}}"#;
    assert!(holds(n, &ctx()));
    assert!(!holds(n, &ctx().with("s3:max-keys", &["7"])));
}

#[test]
fn null_operator() {
    let absent = r#"{"Null":{"s3:x-amz-server-side-encryption":"true"}}"#;
    let present = r#"{"Null":{"s3:x-amz-server-side-encryption":false}}"#;
    let sse = ctx().with("s3:x-amz-server-side-encryption", &["AES256"]);
    assert!(holds(absent, &ctx()));
    assert!(!holds(absent, &sse));
    assert!(holds(present, &sse));
    assert!(!holds(present, &ctx()));
}

#[test]
fn set_qualifiers() {
    let keys = ctx().with("s3:RequestObjectTagKeys", &["project", "owner"]);
    let all =
        r#"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["project","owner","cost"]}}"#;
    let any = r#"{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["owner"]}}"#;
    let all_narrow = r#"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["project"]}}"#;
    assert!(holds(all, &keys));
    assert!(holds(any, &keys));
    assert!(!holds(all_narrow, &keys));
    // ForAllValues holds on an absent or empty set, ForAnyValue does not.
    assert!(holds(all_narrow, &ctx()));
    assert!(holds(
        all_narrow,
        &ctx().with("s3:RequestObjectTagKeys", &[])
    ));
    assert!(!holds(any, &ctx()));
    // Negated operators under a qualifier apply per request value.
    let none_secret = r#"{"ForAllValues:StringNotEquals":{"s3:RequestObjectTagKeys":"secret"}}"#;
    assert!(holds(none_secret, &keys));
    assert!(!holds(
        none_secret,
        &ctx().with("s3:RequestObjectTagKeys", &["a", "secret"])
    ));
    let some_not_owner = r#"{"ForAnyValue:StringNotEquals":{"s3:RequestObjectTagKeys":"owner"}}"#;
    assert!(holds(some_not_owner, &keys));
    assert!(!holds(
        some_not_owner,
        &ctx().with("s3:RequestObjectTagKeys", &["owner"])
    ));
    // Without a qualifier a multi-valued key behaves like ForAnyValue (positive operators).
    assert!(holds(
        r#"{"StringEquals":{"s3:RequestObjectTagKeys":"owner"}}"#,
        &keys
    ));
}

#[test]
fn several_keys_and_operators_are_anded() {
    let cond = r#"{"StringEquals":{"aws:UserAgent":"ua","aws:Referer":"r"},
                   "IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#;
    let full = ctx()
        .with("aws:UserAgent", &["ua"])
        .with("aws:Referer", &["r"])
        .with("aws:SourceIp", &["10.1.2.3"]);
    assert!(holds(cond, &full));
    assert!(!holds(cond, &full.clone().with("aws:Referer", &["other"])));
    assert!(!holds(cond, &full.with("aws:SourceIp", &["11.1.2.3"])));
}

#[test]
fn keys_are_case_insensitive_and_tags_are_not() {
    let c = ctx().with("s3:ExistingObjectTag/security", &["public"]);
    assert!(holds(
        r#"{"StringEquals":{"S3:existingobjecttag/security":"public"}}"#,
        &c
    ));
    assert!(holds(
        r#"{"StringEquals":{"oss:ExistingObjectTag/security":"public"}}"#,
        &c
    ));
    assert!(!holds(
        r#"{"StringEquals":{"s3:ExistingObjectTag/Security":"public"}}"#,
        &c
    ));
}

#[test]
fn policy_variables_are_literal() {
    let c = ctx().with("s3:prefix", &["home/alice/"]);
    assert!(!holds(
        r#"{"StringLike":{"s3:prefix":"home/${aws:username}/"}}"#,
        &c
    ));
    let lit = ctx().with("s3:prefix", &["home/${aws:username}/"]);
    assert!(holds(
        r#"{"StringLike":{"s3:prefix":"home/${aws:username}/"}}"#,
        &lit
    ));
}
