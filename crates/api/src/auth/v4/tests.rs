use super::*;
use crate::auth::test_support::hs;
use crate::auth::{ParsedAuth, parse_auth};

#[test]
fn parses_v4_header_with_both_separators() {
    let sig = "a".repeat(64);
    for auth in [
        format!(
            "OSS4-HMAC-SHA256 Credential=ak/20240315/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=range;Host,Signature={sig}"
        ),
        format!(
            "OSS4-HMAC-SHA256 Credential=ak/20240315/cn-hangzhou/oss/aliyun_v4_request, Signature={sig}, AdditionalHeaders=range;host"
        ),
    ] {
        let h = hs(&[("authorization", &auth), ("x-oss-date", "20240315T123456Z")]);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &[],
            headers: &h,
        };
        let Ok(Some(ParsedAuth::V4(a))) = parse_auth(&req) else {
            panic!("no V4 auth for {auth}");
        };
        assert_eq!(a.scheme, Scheme::OssV4Header);
        assert_eq!(a.credential.access_key_id, "ak");
        assert_eq!(
            a.credential.scope(),
            "20240315/cn-hangzhou/oss/aliyun_v4_request"
        );
        assert_eq!(
            a.signed_headers,
            vec!["host".to_owned(), "range".to_owned()]
        );
        assert_eq!(a.signature, sig);
        assert_eq!(a.payload_hash, UNSIGNED_PAYLOAD);
    }
}

#[test]
fn malformed_headers_are_reported() {
    let sig = "0".repeat(64);
    let cases = [
        ("OSS akonly".to_owned(), "malformed"),
        ("OSS :sig".to_owned(), "malformed"),
        (format!("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, Signature={sig}"), "malformed"),
        (format!("AWS4-HMAC-SHA256 Credential=ak/2013/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={sig}"), "credential"),
        ("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=xyz".to_owned(), "malformed"),
        (format!("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=range, Signature={sig}"), "host"),
        (format!("AWS4-HMAC-SHA256 Credential=ak/20130525/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={sig}"), "date"),
        (format!("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aliyun_v4_request, SignedHeaders=host, Signature={sig}"), "scope"),
        (format!("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={sig}, Foo=bar"), "malformed"),
    ];
    for (auth, kind) in cases {
        let h = hs(&[
            ("authorization", &auth),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
        ]);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &[],
            headers: &h,
        };
        let err = parse_auth(&req).err();
        let ok = matches!(
            (kind, &err),
            ("malformed", Some(AuthError::MalformedAuthorization(_)))
                | ("credential", Some(AuthError::MalformedCredential(_)))
                | ("host", Some(AuthError::HostNotSigned))
                | ("date", Some(AuthError::ScopeDateMismatch { .. }))
                | ("scope", Some(AuthError::InvalidScope(_)))
        );
        assert!(ok, "{auth}: {err:?}");
    }
}

#[test]
fn sigv4_header_requires_content_sha256_and_date() {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={}",
        "0".repeat(64)
    );
    let h = hs(&[("authorization", &auth), ("x-amz-date", "20130524T000000Z")]);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &[],
        headers: &h,
    };
    assert_eq!(parse_auth(&req), Err(AuthError::MissingContentSha256));
    let h = hs(&[("authorization", &auth), ("x-amz-content-sha256", "abc")]);
    let req = Request { headers: &h, ..req };
    assert_eq!(parse_auth(&req), Err(AuthError::MissingDate));
    let h = hs(&[
        ("authorization", &auth),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-content-sha256", "abc"),
    ]);
    let req = Request { headers: &h, ..req };
    assert_eq!(
        parse_auth(&req),
        Err(AuthError::InvalidContentSha256("abc".to_owned()))
    );
}

#[test]
fn negative_expiry_is_expired() {
    assert_eq!(
        parse_expires("-7", "X-Amz-Expires"),
        Err(AuthError::ExpiresOutOfRange(0))
    );
    assert!(matches!(
        parse_expires("x7", "X-Amz-Expires"),
        Err(AuthError::MalformedQueryParam { .. })
    ));
}
