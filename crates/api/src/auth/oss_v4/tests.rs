use super::*;
use crate::auth::UNSIGNED_PAYLOAD;
use crate::auth::parse_auth;
use crate::auth::test_support::hs;

#[test]
fn oss_v4_canonical_request_rules() {
    // oss2 lists additional headers in the Authorization header sorted by first
    // character only and even when absent; the canonical request sorts them fully and
    // signs only the headers present. x-oss-*, content-type and content-md5 are always
    // signed; the query is fully encoded, bare names stay bare.
    let sig = "0".repeat(64);
    let auth = format!(
        "OSS4-HMAC-SHA256 Credential=ak/20240315/cn-hangzhou/oss/aliyun_v4_request, Signature={sig}, AdditionalHeaders=range;if-none-match;accept"
    );
    let h = hs(&[
        ("authorization", &auth),
        ("accept", "*/*"),
        ("content-type", "text/plain"),
        ("host", "b.oss-cn-hangzhou.aliyuncs.com"),
        ("range", "bytes=0-9"),
        ("user-agent", "ua"),
        ("x-oss-content-sha256", UNSIGNED_PAYLOAD),
        ("x-oss-date", "20240315T123456Z"),
        ("x-oss-meta-a", " 1 "),
    ]);
    let q = hs(&[("uploads", ""), ("prefix", "a b/ü"), ("+x", "|")]);
    let req = Request {
        method: "POST",
        raw_path: "/dir%2Fa%20b",
        query: &q,
        headers: &h,
    };
    let target = Target {
        bucket: Some("b"),
        key: Some("dir/a b+~"),
        virtual_host: true,
    };
    let Ok(Some(parsed)) = parse_auth(&req) else {
        panic!("no auth");
    };
    let c = parsed.canonical(&req, &target).expect("canonical");
    assert_eq!(
        c.canonical_request.as_deref(),
        Some(
            "POST\n/b/dir/a%20b%2B~\n%2Bx=%7C&prefix=a%20b%2F%C3%BC&uploads\naccept:*/*\ncontent-type:text/plain\nrange:bytes=0-9\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20240315T123456Z\nx-oss-meta-a:1\n\naccept;if-none-match;range\nUNSIGNED-PAYLOAD"
        )
    );
    assert!(c.string_to_sign.starts_with(
        "OSS4-HMAC-SHA256\n20240315T123456Z\n20240315/cn-hangzhou/oss/aliyun_v4_request\n"
    ));
}
