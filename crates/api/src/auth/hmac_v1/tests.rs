use super::*;
use crate::auth::parse_auth;
use crate::auth::test_support::hs;

#[test]
fn oss_v1_string_to_sign_rules() {
    let h = hs(&[
        ("authorization", "OSS ak:x"),
        ("content-md5", "eB5eJF1ptWaXm4bijSPyxw=="),
        ("content-type", "text/html"),
        ("date", "Wed, 28 Dec 2022 10:27:41 GMT"),
        ("x-oss-meta-magic", "abracadabra"),
        ("X-OSS-Meta-Author", " alice "),
        ("x-oss-meta-multi", "a"),
        ("x-oss-meta-multi", "b"),
        ("host", "examplebucket.oss-cn-hangzhou.aliyuncs.com"),
    ]);
    let q = hs(&[
        ("acl", ""),
        ("x-oss-process", "image/resize,w_100"),
        ("prefix", "not-signed"),
        ("uploadId", "u"),
        ("response-content-type", "text/plain; charset=utf-8"),
    ]);
    let req = Request {
        method: "PUT",
        raw_path: "/nelson",
        query: &q,
        headers: &h,
    };
    let target = Target {
        bucket: Some("examplebucket"),
        key: Some("nel son+/中"),
        virtual_host: true,
    };
    let Ok(Some(auth)) = parse_auth(&req) else {
        panic!("no auth");
    };
    let forms = auth.canonical_forms(&req, &target).expect("forms");
    assert_eq!(
        forms[0].string_to_sign,
        "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\nx-oss-meta-multi:a,b\n/examplebucket/nel son+/中?acl&response-content-type=text/plain; charset=utf-8&uploadId=u&x-oss-process=image/resize,w_100"
    );
    assert_eq!(forms[0].canonical_request, None);
    // The only variant drops x-oss-* parameters (x-oss-process is listed, so "listed
    // only" equals the standard form).
    assert_eq!(forms.len(), 2);
    assert!(
        forms[1]
            .string_to_sign
            .ends_with("/中?acl&response-content-type=text/plain; charset=utf-8&uploadId=u")
    );
}

#[test]
fn oss_v1_prefers_x_oss_date_and_tolerates_date() {
    let h = hs(&[
        ("authorization", "OSS ak:x"),
        ("date", "Wed, 28 Dec 2022 10:27:41 GMT"),
        ("x-oss-date", "Wed, 28 Dec 2022 10:27:42 GMT"),
    ]);
    let req = Request {
        method: "GET",
        raw_path: "/",
        query: &[],
        headers: &h,
    };
    let Ok(Some(auth)) = parse_auth(&req) else {
        panic!("no auth");
    };
    let forms = auth
        .canonical_forms(&req, &Target::default())
        .expect("forms");
    let sts: Vec<&str> = forms.iter().map(|c| c.string_to_sign.as_str()).collect();
    assert_eq!(
        sts,
        vec![
            "GET\n\n\nWed, 28 Dec 2022 10:27:42 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:42 GMT\n/",
            "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:42 GMT\n/",
        ]
    );
    assert_eq!(auth.check_time(&req, 1_672_223_262, 0), Ok(()));
}

#[test]
fn oss_v1_presigned_expiry() {
    let q = hs(&[
        ("OSSAccessKeyId", "ak"),
        ("Expires", "1141889120"),
        ("Signature", "EwaNTn1erJGkimiJ9WmXgwnANLc="),
    ]);
    let req = Request {
        method: "GET",
        raw_path: "/oss-api.pdf",
        query: &q,
        headers: &[],
    };
    let Ok(Some(auth)) = parse_auth(&req) else {
        panic!("no auth");
    };
    assert_eq!(auth.check_time(&req, 1_141_889_120, 900), Ok(()));
    assert_eq!(
        auth.check_time(&req, 1_141_889_121, 900),
        Err(AuthError::Expired {
            expires_at: 1_141_889_120,
            server_time: 1_141_889_121
        })
    );
    let target = Target {
        bucket: Some("oss-example"),
        key: Some("oss-api.pdf"),
        virtual_host: true,
    };
    assert_eq!(
        auth.canonical(&req, &target).map(|c| c.string_to_sign),
        Ok("GET\n\n\n1141889120\n/oss-example/oss-api.pdf".to_owned())
    );
    assert_eq!(
        auth.verify(&req, &target, "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"),
        Ok(())
    );
}
