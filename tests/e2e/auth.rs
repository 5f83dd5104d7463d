//! Signatures, tampering, presigned URLs and the ACL matrix.

use base64::Engine;

use crate::support::*;

fn crc32_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc_fast::crc32_iso_hdlc(data).to_be_bytes())
}

#[tokio::test]
async fn wrong_secret_and_unknown_key() {
    let s = Server::start().await;
    s.bucket("auth").await;
    let r = s
        .req("GET", "/auth/k")
        .oss_as(AK, "wrong-secret")
        .send()
        .await;
    let body = r.assert_error(403, "SignatureDoesNotMatch");
    assert!(body.contains("<StringToSign>GET\n\n\n"), "{body}");
    assert!(
        body.contains("<OSSAccessKeyId>ossemu</OSSAccessKeyId>"),
        "{body}"
    );
    let r = s
        .req("GET", "/auth/k")
        .s3_as(AK, "wrong-secret")
        .send()
        .await;
    let body = r.assert_error(403, "SignatureDoesNotMatch");
    assert!(body.contains("<CanonicalRequest>GET\n/auth/k\n"), "{body}");
    assert!(body.contains("<StringToSign>AWS4-HMAC-SHA256\n"), "{body}");
    let r = s.req("GET", "/auth/k").oss_as("nobody", "x").send().await;
    let body = r.assert_error(403, "InvalidAccessKeyId");
    assert!(body.contains("<OSSAccessKeyId>nobody</OSSAccessKeyId>"));
    s.req("PUT", "/auth/k")
        .s3_as("nobody", "x")
        .body("x")
        .send()
        .await
        .assert_error(403, "InvalidAccessKeyId");
    assert_eq!(s.req("GET", "/auth/k").oss().send().await.status, 404);
    // OSS checks that the bucket exists first: a stranger or a wrong secret asking about a
    // missing bucket learns it is missing (the SDKs' is_bucket_exist relies on this). S3
    // keeps the authentication error, and creating a bucket needs valid credentials.
    for path in [
        "/no-such-bkt?acl",
        "/no-such-bkt/k?objectMeta",
        "/no-such-bkt",
    ] {
        let method = if path.ends_with("objectMeta") {
            "HEAD"
        } else {
            "GET"
        };
        let r = s.req(method, path).oss_as("nobody", "x").send().await;
        assert_eq!(r.status, 404, "{path}");
        if method == "GET" {
            r.assert_error(404, "NoSuchBucket");
        }
        let r = s.req(method, path).oss_as(AK, "wrong").send().await;
        assert_eq!(r.status, 404, "{path}");
    }
    s.req("GET", "/no-such-bkt")
        .s3_as("nobody", "x")
        .send()
        .await
        .assert_error(403, "InvalidAccessKeyId");
    s.req("PUT", "/no-such-bkt")
        .oss_as("nobody", "x")
        .send()
        .await
        .assert_error(403, "InvalidAccessKeyId");
}

#[tokio::test]
async fn clock_skew_is_refused() {
    let s = Server::start().await;
    s.bucket("skew").await;
    let r = s
        .req("GET", "/skew")
        .header("date", "Mon, 01 Jan 2024 00:00:00 GMT")
        .oss()
        .send()
        .await;
    // The helper adds its own Date after ours; the first one is what servers read.
    let body = r.assert_error(403, "RequestTimeTooSkewed");
    assert!(body.contains("<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>"));
    // A date before 1970 is invalid rather than skewed.
    let r = s
        .req("GET", "/skew")
        .header("date", "Tue, 07 Jul 1950 21:53:04 GMT")
        .oss()
        .send()
        .await;
    let body = r.assert_error(403, "AccessDenied");
    assert!(body.contains("requires a valid Date"), "{body}");
}

#[tokio::test]
async fn tampering_is_refused_and_stores_nothing() {
    let s = Server::start().await;
    s.bucket("tamper").await;
    // Body differs from the signed x-amz-content-sha256.
    let sha_of_other = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b"other body"))
    };
    let r = s
        .req("PUT", "/tamper/a")
        .header("x-amz-content-sha256", &sha_of_other)
        .s3()
        .body("this body")
        .send()
        .await;
    r.assert_error(400, "XAmzContentSHA256Mismatch");
    // A signed header changed after signing.
    let r = s
        .req("PUT", "/tamper/b")
        .header("x-amz-meta-v", "1")
        .s3()
        .body("x")
        .sign_now()
        .replace_header("x-amz-meta-v", "2")
        .send()
        .await;
    r.assert_error(403, "SignatureDoesNotMatch");
    // The same for OSS V1, which signs every x-oss-* header.
    let r = s
        .req("PUT", "/tamper/c")
        .header("x-oss-meta-v", "1")
        .oss()
        .body("x")
        .sign_now()
        .replace_header("x-oss-meta-v", "2")
        .send()
        .await;
    r.assert_error(403, "SignatureDoesNotMatch");
    // A query parameter added after signing (OSS signs sub-resources).
    let r = s.req("GET", "/tamper?acl").oss().send().await;
    assert_eq!(r.status, 200);
    let r = s
        .req("GET", "/tamper")
        .oss()
        .send_with_path("/tamper?acl")
        .await;
    r.assert_error(403, "SignatureDoesNotMatch");
    // Mixed header and query authentication.
    let r = s
        .req(
            "GET",
            "/tamper/k?OSSAccessKeyId=ossemu&Expires=9999999999&Signature=abc",
        )
        .header("authorization", "OSS ossemu:abc")
        .send()
        .await;
    r.assert_error(400, "InvalidArgument");
    let r = s.req("GET", "/tamper").oss().send().await;
    assert!(r.xml_all("Key").is_empty(), "nothing was stored");
    assert_eq!(count_files(&s.dir.path().join("blobs")), 0);
}

#[tokio::test]
async fn signed_aws_chunked_uploads() {
    let s = Server::start().await;
    s.bucket("chunk").await;
    let chunks = vec![vec![b'a'; 65536], vec![b'b'; 1000]];
    let whole: Vec<u8> = chunks.concat();
    let r = s
        .req("PUT", "/chunk/ok")
        .s3()
        .aws_chunked(&chunks, None, None)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.h("etag"),
        Some(format!("\"{}\"", md5_hex(&whole)).as_str())
    );
    let g = s.req("GET", "/chunk/ok").s3().send().await;
    assert!(g.body == whole, "the stored body is the decoded payload");
    assert!(
        g.h("content-encoding").is_none(),
        "aws-chunked is not a stored encoding"
    );

    let r = s
        .req("PUT", "/chunk/badsig")
        .s3()
        .aws_chunked(&chunks, None, Some(1))
        .send()
        .await;
    r.assert_error(403, "SignatureDoesNotMatch");
    assert_eq!(s.req("GET", "/chunk/badsig").s3().send().await.status, 404);

    let good = crc32_b64(&whole);
    let r = s
        .req("PUT", "/chunk/trailer")
        .s3()
        .aws_chunked(&chunks, Some(&good), None)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-amz-checksum-crc32"), Some(good.as_str()));
    let g = s
        .req("GET", "/chunk/trailer")
        .s3()
        .header("x-amz-checksum-mode", "ENABLED")
        .send()
        .await;
    assert_eq!(g.h("x-amz-checksum-crc32"), Some(good.as_str()));
    let r = s
        .req("PUT", "/chunk/badcrc")
        .s3()
        .aws_chunked(&chunks, Some(&crc32_b64(b"x")), None)
        .send()
        .await;
    r.assert_error(400, "BadDigest");
    assert_eq!(s.req("GET", "/chunk/badcrc").s3().send().await.status, 404);
    assert_eq!(count_files(&s.dir.path().join("blobs")), 2);
    assert_eq!(count_files(&s.dir.path().join("tmp")), 0);
}

#[tokio::test]
async fn checksum_header_is_verified() {
    let s = Server::start().await;
    s.bucket("crc").await;
    let r = s
        .req("PUT", "/crc/ok")
        .header("x-amz-checksum-crc32", &crc32_b64(b"data"))
        .s3()
        .body("data")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.h("x-amz-checksum-crc32"),
        Some(crc32_b64(b"data").as_str())
    );
    let r = s
        .req("PUT", "/crc/bad")
        .header("x-amz-checksum-crc32", &crc32_b64(b"nope"))
        .s3()
        .body("data")
        .send()
        .await;
    r.assert_error(400, "BadDigest");
    assert_eq!(s.req("GET", "/crc/bad").s3().send().await.status, 404);
}

#[tokio::test]
async fn presigned_oss_v1_url() {
    let s = Server::start().await;
    s.bucket("pre").await;
    s.put("pre", "k", "presigned body").await;
    let future = 4_000_000_000u64;
    let r = s
        .req(
            "GET",
            &format!("/pre/k?OSSAccessKeyId={AK}&Expires={future}&Signature=x"),
        )
        .presign_oss(SK)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "presigned body");
    let r = s
        .req(
            "GET",
            &format!("/pre/k?OSSAccessKeyId={AK}&Expires=1000&Signature=x"),
        )
        .presign_oss(SK)
        .send()
        .await;
    let body = r.assert_error(403, "AccessDenied");
    assert!(body.contains("Request has expired"), "{body}");
    let r = s
        .req(
            "GET",
            &format!("/pre/k?OSSAccessKeyId={AK}&Expires={future}"),
        )
        .send()
        .await;
    r.assert_error(403, "AccessDenied");
    let r = s
        .req(
            "GET",
            &format!("/pre/k?OSSAccessKeyId={AK}&Expires={future}&Signature=x"),
        )
        .presign_oss("wrong")
        .send()
        .await;
    r.assert_error(403, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn auth_off_accepts_any_signature() {
    let s = Server::start_with(|c| c.auth = ossemu_api::AuthMode::Off).await;
    let r = s.req("PUT", "/loose").oss_as(AK, "whatever").send().await;
    assert_eq!(r.status, 200);
    let r = s
        .req("PUT", "/loose/k")
        .s3_as(AK, "whatever")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s.req("GET", "/").oss_as(AK, "nope").send().await;
    assert_eq!(
        r.xml_all("Name"),
        ["loose"],
        "the claimed key is still the owner"
    );
}

/// owner / alt / anonymous × private / public-read / public-read-write ×
/// read / list / write / configure.
#[tokio::test]
async fn acl_matrix() {
    let s = Server::start().await;
    for acl in ["private", "public-read", "public-read-write"] {
        let b = format!("acl-{acl}");
        let r = s
            .req("PUT", &format!("/{b}"))
            .oss()
            .header("x-oss-acl", acl)
            .send()
            .await;
        assert_eq!(r.status, 200);
        s.put(&b, "obj", "data").await;
        let public_read = acl != "private";
        let public_write = acl == "public-read-write";
        for who in ["owner", "alt", "anon"] {
            let req = |m: &str, p: &str| {
                let r = s.req(m, p);
                match who {
                    "owner" => r.oss(),
                    "alt" => r.oss_as("alt", "alt-secret"),
                    _ => r,
                }
            };
            let owner = who == "owner";
            let read = req("GET", &format!("/{b}/obj")).send().await;
            assert_eq!(read.status == 200, owner || public_read, "{acl} {who} read");
            let list = req("GET", &format!("/{b}")).send().await;
            assert_eq!(list.status == 200, owner || public_read, "{acl} {who} list");
            let write = req("PUT", &format!("/{b}/{who}")).body("w").send().await;
            assert_eq!(
                write.status == 200,
                owner || public_write,
                "{acl} {who} write"
            );
            let conf = req("GET", &format!("/{b}?acl")).send().await;
            assert_eq!(conf.status == 200, owner, "{acl} {who} configure");
            // A missing key: 404 for those who may list, 403 for others.
            let missing = req("GET", &format!("/{b}/missing")).send().await;
            let want = if owner || public_read { 404 } else { 403 };
            assert_eq!(missing.status, want, "{acl} {who} missing key");
            if !owner && !public_read {
                missing.assert_error(403, "AccessDenied");
            }
        }
    }
    // Object ACLs override the bucket's for reads.
    s.req("PUT", "/acl-private/open?acl")
        .oss()
        .header("x-oss-object-acl", "public-read")
        .send()
        .await;
    s.put("acl-private", "open", "x").await;
    let r = s
        .req("PUT", "/acl-private/open?acl")
        .oss()
        .header("x-oss-object-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(s.req("GET", "/acl-private/open").send().await.status, 200);
    let r = s
        .req("PUT", "/acl-public-read/closed")
        .oss()
        .header("x-oss-object-acl", "private")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200);
    s.req("GET", "/acl-public-read/closed")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let r = s.req("GET", "/acl-private/open?acl").oss().send().await;
    assert_eq!(r.xml("Grant").as_deref(), Some("public-read"));
    // PutBucketAcl by a non-owner is refused; by the owner it changes access.
    s.req("PUT", "/acl-private?acl")
        .oss_as("alt", "alt-secret")
        .header("x-oss-acl", "public-read")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("PUT", "/acl-private?acl")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(s.req("GET", "/acl-private/obj").send().await.status, 200);
    let r = s.req("GET", "/acl-private?acl").s3().send().await;
    assert!(r.text().contains("<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission>"), "{}", r.text());
}

/// OSS: an object ACL `public-read-write` lets anyone overwrite or delete the object in a
/// private bucket. It grants only that: other keys stay closed, S3 requests keep the bucket ACL
/// (S3 object ACLs grant no WRITE), and an object ACL never narrows the bucket's write access.
#[tokio::test]
async fn object_acl_public_read_write_opens_writes_in_oss() {
    let s = Server::start().await;
    s.bucket("objw-private").await;
    let r = s
        .req("PUT", "/objw-private/board.txt")
        .oss()
        .header("x-oss-object-acl", "public-read-write")
        .body("v1")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let anon = s
        .req("PUT", "/objw-private/board.txt")
        .body("v2")
        .send()
        .await;
    assert_eq!(anon.status, 200, "{}", anon.text());
    // The new object has the default ACL again (PutObject sets it), as in OSS.
    let r = s
        .req("GET", "/objw-private/board.txt?acl")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml("Grant").as_deref(), Some("default"));
    assert_eq!(
        s.req("GET", "/objw-private/board.txt")
            .oss()
            .send()
            .await
            .text(),
        "v2"
    );
    // Other keys of the private bucket stay closed, and S3 requests follow the bucket ACL.
    s.req("PUT", "/objw-private/other.txt")
        .body("x")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let r = s
        .req("PUT", "/objw-private/board.txt?acl")
        .oss()
        .header("x-oss-object-acl", "public-read-write")
        .send()
        .await;
    assert_eq!(r.status, 200);
    s.req("PUT", "/objw-private/board.txt")
        .s3_as("alt", "alt-secret")
        .body("x")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let del = s
        .req("DELETE", "/objw-private/board.txt")
        .oss_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(del.status, 204);
    assert_eq!(
        s.req("GET", "/objw-private/board.txt")
            .oss()
            .send()
            .await
            .status,
        404
    );

    // A bucket that is public-read-write stays writable whatever its objects' ACLs say.
    let r = s
        .req("PUT", "/objw-open")
        .oss()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .req("PUT", "/objw-open/theirs.txt")
        .oss()
        .header("x-oss-object-acl", "private")
        .body("mine")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .req("PUT", "/objw-open/theirs.txt")
        .body("theirs")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// A presigned upload URL must not become a copy of someone's secret: vendor headers the
/// signature does not cover are refused.
#[tokio::test]
async fn unsigned_vendor_headers_are_refused() {
    let s = Server::start().await;
    s.bucket("secrets").await;
    s.put("secrets", "key.pem", "TOP SECRET").await;
    s.req("PUT", "/uploads")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    let url = format!("/uploads/avatar.png?OSSAccessKeyId={AK}&Expires=4000000000&Signature=x");
    let r = s
        .req("PUT", &url)
        .presign_oss(SK)
        .header("x-amz-copy-source", "/secrets/key.pem")
        .header("x-amz-acl", "public-read")
        .send()
        .await;
    let body = r.assert_error(403, "AccessDenied");
    assert!(
        body.contains("<HeadersNotSigned>x-amz-copy-source, x-amz-acl</HeadersNotSigned>"),
        "{body}"
    );
    assert_eq!(s.req("GET", "/uploads/avatar.png").send().await.status, 404);
    // The URL still works for what it was signed for.
    let r = s
        .req("PUT", &url)
        .presign_oss(SK)
        .body("avatar")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // SigV4 signs only SignedHeaders: a header added afterwards is refused.
    let r = s
        .req("PUT", "/uploads/b.png")
        .s3()
        .body("x")
        .sign_now()
        .header("x-oss-copy-source", "/secrets/key.pem")
        .send()
        .await;
    r.assert_error(403, "AccessDenied");
    assert_eq!(s.req("GET", "/uploads/b.png").send().await.status, 404);
}

/// The writer of an object in someone else's bucket may read and change that object's ACL
/// (S3 grants its owner FULL_CONTROL); other users may not; `bucket-owner-read` shows the
/// bucket owner's grant.
#[tokio::test]
async fn object_owner_manages_its_acl() {
    let s = Server::start().await;
    s.req("PUT", "/shared")
        .s3()
        .header("x-amz-acl", "public-read-write")
        .send()
        .await;
    let r = s
        .req("PUT", "/shared/mine")
        .s3_as("alt", "alt-secret")
        .header("x-amz-acl", "bucket-owner-read")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("GET", "/shared/mine?acl")
        .s3_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<ID>alt</ID><DisplayName>alt</DisplayName></Grantee><Permission>FULL_CONTROL</Permission>"),
        "{}",
        r.text()
    );
    assert!(
        r.text().contains(
            "<ID>ossemu</ID><DisplayName>main</DisplayName></Grantee><Permission>READ</Permission>"
        ),
        "{}",
        r.text()
    );
    let r = s
        .req("PUT", "/shared/mine?acl")
        .s3_as("alt", "alt-secret")
        .header("x-amz-acl", "private")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // In S3 the bucket owner may not read it (the object's owner keeps its ACL); in OSS it
    // may. An anonymous caller may not, even on a public bucket.
    s.req("GET", "/shared/mine?acl")
        .s3()
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let r = s.req("GET", "/shared/mine?acl").oss().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.req("GET", "/shared/mine?acl")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("PUT", "/shared/owned-by-bucket-owner")
        .s3()
        .body("x")
        .send()
        .await;
    s.req("PUT", "/shared/owned-by-bucket-owner?acl")
        .s3_as("alt", "alt-secret")
        .header("x-amz-acl", "public-read")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // A missing key: 404 for the bucket owner, 403 for others.
    s.req("GET", "/shared/none?acl")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchKey");
    s.req("GET", "/shared/none?acl")
        .s3_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

/// `x-amz-expected-bucket-owner` that names another account is refused before anything runs.
#[tokio::test]
async fn expected_bucket_owner_is_checked() {
    let s = Server::start().await;
    s.bucket("owned").await;
    let r = s
        .req("PUT", "/owned/k")
        .s3()
        .header("x-amz-expected-bucket-owner", "ossemu")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.req("PUT", "/owned/k2")
        .s3()
        .header("x-amz-expected-bucket-owner", "someone-else")
        .body("x")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    assert_eq!(s.req("HEAD", "/owned/k2").s3().send().await.status, 404);
    s.req("GET", "/owned")
        .s3()
        .header("x-amz-expected-bucket-owner", "someone-else")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}
