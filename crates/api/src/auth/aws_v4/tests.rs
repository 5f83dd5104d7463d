use sha2::{Digest, Sha256};

use super::*;
use crate::auth::test_support::{AWS_SECRET, hs};
use crate::auth::{ParsedAuth, Target, UNSIGNED_PAYLOAD, parse_auth};

fn aws_get_example() -> Vec<(String, String)> {
    hs(&[
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
        ("host", "examplebucket.s3.amazonaws.com"),
        ("range", "bytes=0-9"),
        ("x-amz-content-sha256", EMPTY_SHA256),
        ("x-amz-date", "20130524T000000Z"),
    ])
}

#[test]
fn aws_get_object_example_canonical_request() {
    let h = aws_get_example();
    let req = Request {
        method: "GET",
        raw_path: "/test.txt",
        query: &[],
        headers: &h,
    };
    let Ok(Some(auth)) = parse_auth(&req) else {
        panic!("no auth");
    };
    let target = Target::default();
    let c = auth.canonical(&req, &target).expect("canonical");
    assert_eq!(
        c.canonical_request.as_deref(),
        Some(
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
    );
    assert_eq!(
        c.string_to_sign,
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    );
    assert_eq!(
        auth.sign(&c, AWS_SECRET),
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    assert_eq!(auth.verify(&req, &target, AWS_SECRET), Ok(()));
    assert_eq!(auth.check_time(&req, 1_369_353_600 + 900, 900), Ok(()));
    assert_eq!(
        auth.check_time(&req, 1_369_353_600 + 901, 900),
        Err(AuthError::RequestTimeTooSkewed {
            request_time: 1_369_353_600,
            server_time: 1_369_354_501
        })
    );
    match auth.verify(&req, &target, "wrong") {
        Err(AuthError::SignatureDoesNotMatch(c2)) => assert_eq!(*c2, c),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sigv4_missing_signed_header_is_an_error() {
    let mut h = aws_get_example();
    h.retain(|(n, _)| n != "range");
    let req = Request {
        method: "GET",
        raw_path: "/test.txt",
        query: &[],
        headers: &h,
    };
    let Ok(Some(auth)) = parse_auth(&req) else {
        panic!("no auth");
    };
    assert_eq!(
        auth.verify(&req, &Target::default(), AWS_SECRET),
        Err(AuthError::MissingSignedHeader("range".to_owned()))
    );
}

#[test]
fn sigv4_header_values_are_trimmed_and_collapsed() {
    let mut h = aws_get_example();
    for (n, v) in &mut h {
        if n == "range" {
            *v = "  bytes=0-9  ".to_owned();
        }
    }
    h.push(("x-other".to_owned(), "a   b".to_owned()));
    let req = Request {
        method: "GET",
        raw_path: "/test.txt",
        query: &[],
        headers: &h,
    };
    let Ok(Some(auth)) = parse_auth(&req) else {
        panic!("no auth");
    };
    assert_eq!(auth.verify(&req, &Target::default(), AWS_SECRET), Ok(()));
    assert_eq!(trim_all(" a \t  b  c "), "a b c");
}

#[test]
fn sigv4_accepts_normalized_path_as_variant() {
    // A client that signed `/a%21b` but whose HTTP stack sent `/a!b` still verifies.
    let h = hs(&[
        ("host", "h"),
        ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
        ("x-amz-date", "20130524T000000Z"),
    ]);
    let signer_req = Request {
        method: "GET",
        raw_path: "/a%21b",
        query: &[],
        headers: &h,
    };
    let creq = format!(
        "GET\n/a%21b\n\nhost:h\nx-amz-content-sha256:{UNSIGNED_PAYLOAD}\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n{UNSIGNED_PAYLOAD}"
    );
    let sts = v4_string_to_sign(
        AWS4_ALGORITHM,
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        &creq,
    );
    let sig = hex::encode(SigningKey::aws(AWS_SECRET, "20130524", "us-east-1", "s3").sign(&sts));
    let mut h2 = h.clone();
    h2.push((
        "authorization".to_owned(),
        format!("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={sig}"),
    ));
    for raw_path in ["/a%21b", "/a!b"] {
        let req = Request {
            raw_path,
            headers: &h2,
            ..signer_req
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        assert_eq!(
            auth.verify(&req, &Target::default(), AWS_SECRET),
            Ok(()),
            "{raw_path}"
        );
    }
    let req = Request {
        raw_path: "/a%2521b",
        headers: &h2,
        ..signer_req
    };
    let Ok(Some(auth)) = parse_auth(&req) else {
        panic!("no auth");
    };
    assert!(auth.verify(&req, &Target::default(), AWS_SECRET).is_err());
}

#[test]
fn sigv4_date_header_fallback() {
    // botocore signs with the ISO form of an existing Date header and sends no x-amz-date.
    let h = hs(&[
        ("date", "Fri, 24 May 2013 00:00:00 GMT"),
        ("host", "h"),
        ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
    ]);
    let creq = format!(
        "GET\n/\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:h\n\ndate;host\n{UNSIGNED_PAYLOAD}"
    );
    let sts = v4_string_to_sign(
        AWS4_ALGORITHM,
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        &creq,
    );
    let sig = hex::encode(SigningKey::aws(AWS_SECRET, "20130524", "us-east-1", "s3").sign(&sts));
    let mut h2 = h.clone();
    h2.push((
        "authorization".to_owned(),
        format!("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=date;host, Signature={sig}"),
    ));
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &[],
        headers: &h2,
    };
    let Ok(Some(ParsedAuth::V4(a))) = parse_auth(&req) else {
        panic!("no auth");
    };
    assert_eq!(a.datetime, "20130524T000000Z");
    assert_eq!(
        ParsedAuth::V4(a).verify(&req, &Target::default(), AWS_SECRET),
        Ok(())
    );
}

#[test]
fn v4_presigned_window() {
    let q = hs(&[
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        (
            "X-Amz-Credential",
            "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request",
        ),
        ("X-Amz-Date", "20130524T000000Z"),
        ("X-Amz-Expires", "86400"),
        ("X-Amz-SignedHeaders", "host"),
        (
            "X-Amz-Signature",
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        ),
    ]);
    let h = hs(&[("host", "examplebucket.s3.amazonaws.com")]);
    let req = Request {
        method: "GET",
        raw_path: "/test.txt",
        query: &q,
        headers: &h,
    };
    let Ok(Some(auth)) = parse_auth(&req) else {
        panic!("no auth");
    };
    let t = 1_369_353_600;
    assert_eq!(auth.check_time(&req, t + 86_400, 900), Ok(()));
    assert!(matches!(
        auth.check_time(&req, t + 86_401, 900),
        Err(AuthError::Expired { .. })
    ));
    assert_eq!(auth.check_time(&req, t - 900, 900), Ok(()));
    assert!(matches!(
        auth.check_time(&req, t - 901, 900),
        Err(AuthError::NotYetValid { .. })
    ));
    assert_eq!(auth.verify(&req, &Target::default(), AWS_SECRET), Ok(()));
}

#[test]
fn chunk_signer_matches_aws_example() {
    let key = SigningKey::aws(AWS_SECRET, "20130524", "us-east-1", "s3");
    let mut signer = ChunkSigner::new(
        key,
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    );
    let chunk: [u8; 32] = Sha256::digest(vec![b'a'; 65_536]).into();
    assert_eq!(
        signer.chunk_string_to_sign(&chunk),
        "AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nbf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a"
    );
    assert!(!signer.verify_chunk(&chunk, &"0".repeat(64)));
    assert!(signer.verify_chunk(
        &chunk,
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
    ));
    let chunk2: [u8; 32] = Sha256::digest(vec![b'a'; 1024]).into();
    assert!(signer.verify_chunk(
        &chunk2,
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
    ));
    let empty: [u8; 32] = Sha256::digest(b"").into();
    assert_eq!(
        signer.sign_chunk(&empty),
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
    );
}

#[test]
fn trailer_signature_matches_aws_example() {
    let key = SigningKey::aws(AWS_SECRET, "20130524", "us-east-1", "s3");
    let mut signer = ChunkSigner::new(
        key,
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
    );
    let trailer: [u8; 32] = Sha256::digest(b"x-amz-checksum-crc32c:sOO8/Q==\n").into();
    assert_eq!(
        signer.trailer_string_to_sign(&trailer),
        "AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\n1e376db7e1a34a8ef1c4bcee131a2d60a1cb62503747488624e10995f448d774"
    );
    assert!(signer.verify_trailer(
        &trailer,
        "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
    ));
}
