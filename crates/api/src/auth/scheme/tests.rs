use super::*;
use crate::auth::test_support::hs;

#[test]
fn detects_each_scheme() {
    type Pairs<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Pairs<'_>, Pairs<'_>, Option<Scheme>)] = &[
        (&[], &[], None),
        (
            &[("authorization", "OSS ak:sig")],
            &[],
            Some(Scheme::OssV1Header),
        ),
        (
            &[("authorization", "OSS4-HMAC-SHA256 Credential=x")],
            &[],
            Some(Scheme::OssV4Header),
        ),
        (
            &[("authorization", "AWS4-HMAC-SHA256 Credential=x")],
            &[],
            Some(Scheme::AwsV4Header),
        ),
        (
            &[("authorization", "AWS ak:sig")],
            &[],
            Some(Scheme::AwsV2Header),
        ),
        (
            &[],
            &[
                ("OSSAccessKeyId", "a"),
                ("Expires", "1"),
                ("Signature", "s"),
            ],
            Some(Scheme::OssV1Query),
        ),
        (
            &[],
            &[
                ("AWSAccessKeyId", "a"),
                ("Expires", "1"),
                ("Signature", "s"),
            ],
            Some(Scheme::AwsV2Query),
        ),
        (
            &[],
            &[("X-Amz-Algorithm", "AWS4-HMAC-SHA256")],
            Some(Scheme::AwsV4Query),
        ),
        (
            &[],
            &[("x-oss-signature-version", "OSS4-HMAC-SHA256")],
            Some(Scheme::OssV4Query),
        ),
    ];
    for (headers, query, want) in cases {
        let (h, q) = (hs(headers), hs(query));
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &q,
            headers: &h,
        };
        assert_eq!(detect_scheme(&req), Ok(*want), "{headers:?} {query:?}");
    }
}

#[test]
fn mixed_and_unsupported_schemes_are_errors() {
    let h = hs(&[("authorization", "OSS ak:sig")]);
    let q = hs(&[
        ("OSSAccessKeyId", "ak"),
        ("Expires", "1"),
        ("Signature", "x"),
    ]);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &q,
        headers: &h,
    };
    assert_eq!(detect_scheme(&req), Err(AuthError::MixedAuth));

    let q2 = hs(&[("X-Amz-Credential", "x"), ("OSSAccessKeyId", "y")]);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &q2,
        headers: &[],
    };
    assert_eq!(detect_scheme(&req), Err(AuthError::MixedAuth));

    let h = hs(&[("authorization", "OSS3 AccessKeyId:a,Signature:b")]);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &[],
        headers: &h,
    };
    assert_eq!(
        detect_scheme(&req),
        Err(AuthError::Unsupported("OSS3".to_owned()))
    );

    let q = hs(&[("x-oss-signature-version", "OSS3")]);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &q,
        headers: &[],
    };
    assert_eq!(
        detect_scheme(&req),
        Err(AuthError::Unsupported("OSS3".to_owned()))
    );
}

#[test]
fn presigned_parameters_are_checked() {
    let base = [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", "ak/20130524/us-east-1/s3/aws4_request"),
        ("X-Amz-Date", "20130524T000000Z"),
        ("X-Amz-Expires", "604801"),
        ("X-Amz-SignedHeaders", "host"),
        (
            "X-Amz-Signature",
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        ),
    ];
    let q = hs(&base);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &q,
        headers: &[],
    };
    assert_eq!(parse_auth(&req), Err(AuthError::ExpiresOutOfRange(604_801)));
    let q: Vec<(String, String)> = hs(&base)
        .into_iter()
        .filter(|(k, _)| k != "X-Amz-Expires")
        .collect();
    let req = Request { query: &q, ..req };
    assert_eq!(
        parse_auth(&req),
        Err(AuthError::MissingQueryParam("X-Amz-Expires"))
    );

    let q = hs(&[("OSSAccessKeyId", "ak"), ("Signature", "x")]);
    let req = Request { query: &q, ..req };
    assert_eq!(
        parse_auth(&req),
        Err(AuthError::MissingQueryParam("Expires"))
    );
    let q = hs(&[("Expires", "1"), ("Signature", "x")]);
    let req = Request { query: &q, ..req };
    assert_eq!(
        parse_auth(&req),
        Err(AuthError::MissingQueryParam("OSSAccessKeyId"))
    );
    let q = hs(&[
        ("OSSAccessKeyId", "ak"),
        ("Signature", "x"),
        ("Expires", "soon"),
    ]);
    let req = Request { query: &q, ..req };
    assert!(matches!(
        parse_auth(&req),
        Err(AuthError::MalformedQueryParam {
            name: "Expires",
            ..
        })
    ));
}

#[test]
fn oss_v2_header_and_presigned_forms_are_detected() {
    let h = hs(&[("authorization", "OSS2 AccessKeyId:a,Signature:b")]);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &[],
        headers: &h,
    };
    assert_eq!(detect_scheme(&req), Ok(Some(Scheme::OssV2Header)));
    let q = hs(&[("x-oss-signature-version", "OSS2")]);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &q,
        headers: &[],
    };
    assert_eq!(detect_scheme(&req), Ok(Some(Scheme::OssV2Query)));
}
