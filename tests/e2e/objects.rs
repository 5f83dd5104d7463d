//! Object operations: PUT/GET/HEAD/DELETE, metadata, Range, conditionals, overrides.

use crate::support::*;

const BODY: &[u8] = b"hello world, this is ossemu";

#[tokio::test]
async fn put_get_head_oss() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    let r = s
        .req("PUT", "/bkt/dir%2Fhello.txt")
        .oss()
        .header("content-type", "text/plain")
        .header("x-oss-meta-Color", "red")
        .header("cache-control", "no-cache")
        .header("content-disposition", "attachment; filename=\"h.txt\"")
        .header("content-md5", &md5_b64(BODY))
        .body(BODY)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let etag = format!("\"{}\"", md5_hex(BODY).to_uppercase());
    assert_eq!(r.h("etag"), Some(etag.as_str()));
    let crc = ossemu_store::crc64(BODY).to_string();
    assert_eq!(r.h("x-oss-hash-crc64ecma"), Some(crc.as_str()));
    assert_eq!(r.h("content-md5"), Some(md5_b64(BODY).as_str()));
    assert!(r.body.is_empty());

    // The key is percent-decoded: dir%2Fhello.txt and dir/hello.txt are the same object.
    let r = s.req("GET", "/bkt/dir/hello.txt").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(&r.body[..], BODY);
    assert_eq!(r.h("etag"), Some(etag.as_str()));
    assert_eq!(r.h("content-type"), Some("text/plain"));
    assert_eq!(r.h("content-length"), Some(BODY.len().to_string().as_str()));
    assert_eq!(r.h("x-oss-meta-color"), Some("red"));
    assert_eq!(r.h("cache-control"), Some("no-cache"));
    assert_eq!(
        r.h("content-disposition"),
        Some("attachment; filename=\"h.txt\"")
    );
    assert_eq!(r.h("x-oss-hash-crc64ecma"), Some(crc.as_str()));
    assert_eq!(r.h("content-md5"), Some(md5_b64(BODY).as_str()));
    assert_eq!(r.h("x-oss-object-type"), Some("Normal"));
    assert_eq!(r.h("x-oss-storage-class"), Some("Standard"));
    assert_eq!(r.h("accept-ranges"), Some("bytes"));
    assert!(httpdate::parse_http_date(r.h("last-modified").unwrap()).is_ok());

    let h = s.req("HEAD", "/bkt/dir/hello.txt").oss().send().await;
    assert_eq!(h.status, 200);
    assert!(h.body.is_empty());
    assert_eq!(h.h("content-length"), Some(BODY.len().to_string().as_str()));
    assert_eq!(h.h("etag"), Some(etag.as_str()));
    assert_eq!(h.h("x-oss-meta-color"), Some("red"));

    let m = s
        .req("HEAD", "/bkt/dir/hello.txt?objectMeta")
        .oss()
        .send()
        .await;
    assert_eq!(m.status, 200);
    assert_eq!(m.h("etag"), Some(etag.as_str()));
    assert_eq!(m.h("content-length"), Some(BODY.len().to_string().as_str()));
    assert!(m.h("x-oss-meta-color").is_none());
}

#[tokio::test]
async fn s3_dialect_sees_the_same_object() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.req("PUT", "/bkt/k")
        .oss()
        .header("x-oss-meta-team", "blue")
        .body(BODY)
        .send()
        .await;
    let r = s.req("GET", "/bkt/k").s3().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("server"), Some("AmazonS3"));
    let etag = format!("\"{}\"", md5_hex(BODY));
    assert_eq!(r.h("etag"), Some(etag.as_str()));
    assert_eq!(r.h("x-amz-meta-team"), Some("blue"));
    assert!(r.h("x-oss-meta-team").is_none());
    assert_eq!(r.h("content-type"), Some("application/octet-stream"));
    // S3 metadata is readable through the OSS dialect too.
    let r = s
        .req("PUT", "/bkt/k2")
        .s3()
        .header("x-amz-meta-Owner", "me")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("etag"), Some("\"9dd4e461268c8034f5c8564e155c67a6\""));
    assert!(r.h("content-md5").is_none());
    let r = s.req("HEAD", "/bkt/k2").oss().send().await;
    assert_eq!(r.h("x-oss-meta-owner"), Some("me"));
}

#[tokio::test]
async fn missing_objects_and_head_errors() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    let body = s
        .req("GET", "/bkt/nope")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchKey");
    assert!(body.contains("<Key>nope</Key>"));
    assert!(body.contains(&format!("<HostId>{}</HostId>", s.addr)));
    let h = s.req("HEAD", "/bkt/nope").oss().send().await;
    assert_eq!(h.status, 404);
    assert!(h.body.is_empty());
    use base64::Engine;
    let err = base64::engine::general_purpose::STANDARD
        .decode(h.h("x-oss-err").unwrap())
        .unwrap();
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("<Code>NoSuchKey</Code>"), "{err}");
    let h = s.req("HEAD", "/bkt/nope").s3().send().await;
    assert_eq!(h.status, 404);
    assert!(h.h("x-oss-err").is_none());
    s.req("GET", "/nobucket/k")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchBucket");
    s.req("GET", "/bkt/k?vod")
        .oss()
        .send()
        .await
        .assert_error(501, "NotImplemented");
    // The message names what is missing.
    let r = s
        .req("PUT", "/bkt?replication")
        .s3()
        .body("<x/>")
        .send()
        .await;
    r.assert_error(501, "NotImplemented");
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("PUT ?replication is not implemented by ossemu.")
    );
}

/// A sub-resource ossemu does not implement never touches data: `PUT /b/k?live` (an OSS
/// CreateLiveChannel) does not overwrite `k`, `DELETE /b/k?live` does not delete it, and an
/// unknown bare name on a write is refused the same way.
#[tokio::test]
async fn unknown_sub_resources_never_touch_objects() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.put("bkt", "k", "original").await;
    for (method, path) in [
        ("PUT", "/bkt/k?live"),
        ("DELETE", "/bkt/k?live"),
        ("GET", "/bkt/k?vod"),
        ("POST", "/bkt/k?seal"),
        ("PUT", "/bkt/k?somethingNew"),
        ("DELETE", "/bkt/k?somethingNew="),
        ("DELETE", "/bkt?httpsConfig"),
    ] {
        let r = s
            .req(method, path)
            .oss()
            .body("<LiveChannelConfiguration/>")
            .send()
            .await;
        let msg = r.assert_error(501, "NotImplemented");
        let name = path.split_once('?').unwrap().1.trim_end_matches('=');
        assert!(msg.contains(&format!("{method} ?{name} ")), "{msg}");
    }
    assert_eq!(s.req("GET", "/bkt/k").oss().send().await.text(), "original");
    assert_eq!(s.req("HEAD", "/bkt").oss().send().await.status, 200);
    // Parameters with values (the AWS SDKs' x-id) still reach the operation.
    let r = s
        .req("PUT", "/bkt/k2?x-id=PutObject")
        .s3()
        .body("v")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// A sub-resource ossemu does not implement, on a bucket that does not exist, is answered as
/// OSS and S3 answer it: 404 NoSuchBucket before anything else (oss2's `test_get_symlink`
/// expects it), with valid credentials too.
#[tokio::test]
async fn missing_bucket_wins_over_an_unknown_sub_resource() {
    let s = Server::start().await;
    for (method, path) in [
        ("GET", "/nope-bucket/?lifecycle"),
        ("GET", "/nope-bucket/x?symlink"),
        ("PUT", "/nope-bucket/x?symlink"),
        ("DELETE", "/nope-bucket?httpsConfig"),
    ] {
        for s3 in [false, true] {
            let req = s.req(method, path);
            let r = if s3 { req.s3() } else { req.oss() }.send().await;
            let body = r.assert_error(404, "NoSuchBucket");
            assert!(
                body.contains("<BucketName>nope-bucket</BucketName>"),
                "{body}"
            );
        }
    }
    // Once the bucket exists, the sub-resource is still never read as the object it names.
    s.bucket("here").await;
    s.put("here", "x", "object body").await;
    let r = s.req("GET", "/here/x?lifecycle").oss().send().await;
    assert!(r.status >= 400, "{}", r.text());
    assert_eq!(r.h("content-type"), Some("application/xml"));
    assert!(r.xml("RequestId").is_some_and(|id| id.len() == 24));
    assert_ne!(r.xml("Code").as_deref(), Some("NoSuchBucket"));
    assert!(!r.text().contains("object body"), "{}", r.text());
    assert_eq!(
        &s.req("GET", "/here/x").oss().send().await.body[..],
        b"object body"
    );
}

/// DescribeRegions: every OSS region, or one.
#[tokio::test]
async fn describe_regions() {
    let s = Server::start().await;
    let all = s.req("GET", "/?regions").oss().send().await;
    assert_eq!(all.status, 200, "{}", all.text());
    let regions = all.xml_all("Region");
    assert!(regions.len() > 20, "{regions:?}");
    assert!(regions.contains(&"oss-cn-hangzhou".to_string()));
    let one = s.req("GET", "/?regions=oss-cn-hangzhou").oss().send().await;
    assert_eq!(one.xml_all("Region"), ["oss-cn-hangzhou"]);
    assert_eq!(
        one.xml("InternetEndpoint").as_deref(),
        Some("oss-cn-hangzhou.aliyuncs.com")
    );
    assert_eq!(
        one.xml("InternalEndpoint").as_deref(),
        Some("oss-cn-hangzhou-internal.aliyuncs.com")
    );
    assert_eq!(
        one.xml("AccelerateEndpoint").as_deref(),
        Some("oss-accelerate.aliyuncs.com")
    );
    assert!(one.text().contains("<RegionInfoList><RegionInfo>"));
    s.req("GET", "/?regions=oss-nowhere-1")
        .oss()
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    s.req("GET", "/?regions")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn ranges_by_dialect() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.put("bkt", "r", "0123456789").await;
    for (range, want, content_range) in [
        ("bytes=0-4", "01234", "bytes 0-4/10"),
        ("bytes=7-", "789", "bytes 7-9/10"),
        ("bytes=-3", "789", "bytes 7-9/10"),
    ] {
        for dialect in ["oss", "s3"] {
            let req = s.req("GET", "/bkt/r").header("range", range);
            let r = if dialect == "oss" {
                req.oss()
            } else {
                req.s3()
            }
            .send()
            .await;
            assert_eq!(r.status, 206, "{range} {dialect}");
            assert_eq!(r.text(), want);
            assert_eq!(r.h("content-range"), Some(content_range));
            assert_eq!(r.h("content-length"), Some(want.len().to_string().as_str()));
        }
    }
    // Unsatisfiable: OSS serves the whole object, S3 and OSS standard mode answer 416.
    let r = s
        .req("GET", "/bkt/r")
        .oss()
        .header("range", "bytes=20-30")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "0123456789");
    assert!(r.h("content-range").is_none());
    let r = s
        .req("GET", "/bkt/r")
        .oss()
        .header("range", "bytes=5-30")
        .send()
        .await;
    assert_eq!(
        r.status, 200,
        "OSS default mode: an end past the object serves it whole"
    );
    let r = s
        .req("GET", "/bkt/r")
        .oss()
        .header("range", "bytes=20-30")
        .header("x-oss-range-behavior", "standard")
        .send()
        .await;
    r.assert_error(416, "InvalidRange");
    let r = s
        .req("GET", "/bkt/r")
        .s3()
        .header("range", "bytes=20-")
        .send()
        .await;
    r.assert_error(416, "InvalidRange");
    assert_eq!(r.h("content-range"), Some("bytes */10"));
    let r = s
        .req("GET", "/bkt/r")
        .s3()
        .header("range", "bytes=5-30")
        .send()
        .await;
    assert_eq!(r.status, 206);
    assert_eq!(r.text(), "56789");
    // A malformed Range is ignored.
    let r = s
        .req("GET", "/bkt/r")
        .s3()
        .header("range", "bytes=x-y")
        .send()
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn conditional_gets() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.put("bkt", "c", "cond").await;
    let first = s.req("GET", "/bkt/c").oss().send().await;
    let etag = first.h("etag").unwrap().to_string();
    let lm = first.h("last-modified").unwrap().to_string();
    let r = s
        .req("GET", "/bkt/c")
        .oss()
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.h("etag"), Some(etag.as_str()));
    let r = s
        .req("GET", "/bkt/c")
        .oss()
        .header("if-modified-since", &lm)
        .send()
        .await;
    assert_eq!(r.status, 304);
    let r = s
        .req("GET", "/bkt/c")
        .oss()
        .header("if-match", "\"0000\"")
        .send()
        .await;
    r.assert_error(412, "PreconditionFailed");
    let r = s
        .req("GET", "/bkt/c")
        .s3()
        .header("if-match", &etag.to_lowercase())
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .req("GET", "/bkt/c")
        .oss()
        .header("if-unmodified-since", "Mon, 01 Jan 2001 00:00:00 GMT")
        .send()
        .await;
    r.assert_error(412, "PreconditionFailed");
    let r = s
        .req("GET", "/bkt/c")
        .oss()
        .header("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .req("HEAD", "/bkt/c")
        .oss()
        .header("if-none-match", "*")
        .send()
        .await;
    assert_eq!(r.status, 304);
}

#[tokio::test]
async fn response_overrides() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.put("bkt", "o", "x").await;
    let r = s
        .req("GET", "/bkt/o?response-content-type=text%2Fhtml&response-content-disposition=inline&response-cache-control=max-age%3D60")
        .oss()
        .send()
        .await;
    assert_eq!(r.h("content-type"), Some("text/html"));
    assert_eq!(r.h("content-disposition"), Some("inline"));
    assert_eq!(r.h("cache-control"), Some("max-age=60"));
}

#[tokio::test]
async fn delete_object_is_idempotent_and_accepts_null_version() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.put("bkt", "d", "x").await;
    assert_eq!(s.req("DELETE", "/bkt/d").oss().send().await.status, 204);
    assert_eq!(s.req("DELETE", "/bkt/d").oss().send().await.status, 204);
    s.put("bkt", "d", "x").await;
    let r = s
        .req("DELETE", "/bkt/d?versionId=null")
        .s3()
        .header("x-amz-bypass-governance-retention", "true")
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(s.req("GET", "/bkt/d").oss().send().await.status, 404);
    let r = s.req("DELETE", "/bkt/d?versionId=abc").s3().send().await;
    r.assert_error(400, "InvalidArgument");
}

#[tokio::test]
async fn forbid_overwrite() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.put("bkt", "once", "first").await;
    let r = s
        .req("PUT", "/bkt/once")
        .oss()
        .header("x-oss-forbid-overwrite", "true")
        .body("second")
        .send()
        .await;
    r.assert_error(409, "FileAlreadyExists");
    let r = s
        .req("PUT", "/bkt/once")
        .s3()
        .header("if-none-match", "*")
        .body("second")
        .send()
        .await;
    r.assert_error(412, "PreconditionFailed");
    assert_eq!(s.req("GET", "/bkt/once").oss().send().await.text(), "first");
}

#[tokio::test]
async fn large_object_streams_intact() {
    let s = Server::start().await;
    s.bucket("big").await;
    let data: Vec<u8> = (0..(24u32 << 20))
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let r = s.put("big", "blob", data.clone()).await;
    assert_eq!(
        r.h("etag").unwrap(),
        format!("\"{}\"", md5_hex(&data).to_uppercase())
    );
    let g = s.req("GET", "/big/blob").oss().send().await;
    assert_eq!(g.body.len(), data.len());
    assert!(g.body == data);
    let g = s
        .req("GET", "/big/blob")
        .oss()
        .header("range", "bytes=1000000-9000000")
        .send()
        .await;
    assert_eq!(&g.body[..], &data[1_000_000..=9_000_000]);
}

/// `x-oss-server-side-encryption` (AES256, KMS, SM4) and S3's `x-amz-server-side-encryption`
/// are checked, kept with the object and reported on the write, HEAD and GET; an algorithm the
/// dialect does not take is refused before anything is stored.
#[tokio::test]
async fn server_side_encryption_is_checked_kept_and_reported() {
    let s = Server::start().await;
    s.bucket("enc").await;
    const SSE: &str = "x-oss-server-side-encryption";
    let r = s
        .req("PUT", "/enc/aes")
        .oss()
        .header(SSE, "AES256")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h(SSE), Some("AES256"));
    for method in ["HEAD", "GET"] {
        let r = s.req(method, "/enc/aes").oss().send().await;
        assert_eq!(r.h(SSE), Some("AES256"), "{method}");
    }
    let r = s
        .req("PUT", "/enc/kms")
        .oss()
        .header(SSE, "KMS")
        .header("x-oss-server-side-encryption-key-id", "key-1")
        .header("x-oss-server-side-data-encryption", "SM4")
        .body("x")
        .send()
        .await;
    assert_eq!(r.h(SSE), Some("KMS"));
    let r = s.req("HEAD", "/enc/kms").oss().send().await;
    assert_eq!(r.h("x-oss-server-side-encryption-key-id"), Some("key-1"));
    assert_eq!(r.h("x-oss-server-side-data-encryption"), Some("SM4"));
    // Refused, and nothing stored.
    let r = s
        .req("PUT", "/enc/bad")
        .oss()
        .header(SSE, "AES128")
        .body("x")
        .send()
        .await;
    r.assert_error(400, "InvalidEncryptionAlgorithmError");
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("The Encryption request you specified is not valid. Supported value: AES256/SM4/KMS.")
    );
    assert_eq!(s.req("HEAD", "/enc/bad").oss().send().await.status, 404);
    // AppendObject, multipart and CopyObject (the copy takes its request's encryption).
    let r = s
        .req("POST", "/enc/app?append&position=0")
        .oss()
        .header(SSE, "SM4")
        .body("x")
        .send()
        .await;
    assert_eq!(r.h(SSE), Some("SM4"), "{}", r.text());
    let r = s
        .req("POST", "/enc/mp?uploads")
        .oss()
        .header(SSE, "AES256")
        .send()
        .await;
    assert_eq!(r.h(SSE), Some("AES256"));
    let id = r.xml("UploadId").unwrap();
    let r = s
        .req("PUT", &format!("/enc/mp?partNumber=1&uploadId={id}"))
        .oss()
        .body("p")
        .send()
        .await;
    let etag = r.h("etag").unwrap().to_string();
    let body = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let r = s
        .req("POST", &format!("/enc/mp?uploadId={id}"))
        .oss()
        .body(body)
        .send()
        .await;
    assert_eq!(r.h(SSE), Some("AES256"), "{}", r.text());
    assert_eq!(
        s.req("HEAD", "/enc/mp").oss().send().await.h(SSE),
        Some("AES256")
    );
    let r = s
        .req("PUT", "/enc/copy")
        .oss()
        .header("x-oss-copy-source", "/enc/aes")
        .header(SSE, "KMS")
        .send()
        .await;
    assert_eq!(r.h(SSE), Some("KMS"), "{}", r.text());
    assert_eq!(
        s.req("HEAD", "/enc/copy").oss().send().await.h(SSE),
        Some("KMS")
    );
    s.req("PUT", "/enc/plain-copy")
        .oss()
        .header("x-oss-copy-source", "/enc/aes")
        .send()
        .await;
    assert_eq!(
        s.req("HEAD", "/enc/plain-copy").oss().send().await.h(SSE),
        None
    );
    // S3: its own names and algorithms.
    const AMZ: &str = "x-amz-server-side-encryption";
    let r = s
        .req("PUT", "/enc/s3")
        .s3()
        .header(AMZ, "AES256")
        .body("x")
        .send()
        .await;
    assert_eq!(r.h(AMZ), Some("AES256"), "{}", r.text());
    assert_eq!(
        s.req("GET", "/enc/s3").s3().send().await.h(AMZ),
        Some("AES256")
    );
    let r = s
        .req("PUT", "/enc/s3-bad")
        .s3()
        .header(AMZ, "KMS")
        .body("x")
        .send()
        .await;
    r.assert_error(400, "InvalidArgument");
    assert_eq!(r.xml("ArgumentName").as_deref(), Some(AMZ));
}

/// OSS errors carry the EC OSS is on record sending with them: NoSuchBucket 0015-00000101,
/// GetObject's and HeadObject's NoSuchKey 0026-00000001, in `<EC>` and `x-oss-ec` (and in
/// HEAD's `x-oss-err`). S3 errors have none.
#[tokio::test]
async fn oss_errors_carry_their_recorded_ec() {
    use base64::Engine;
    let s = Server::start().await;
    s.bucket("ecb").await;
    for (method, path) in [
        ("GET", "/nope-ec"),
        ("GET", "/nope-ec/k"),
        ("PUT", "/nope-ec/k"),
    ] {
        let r = s.req(method, path).oss().body("x").send().await;
        r.assert_error(404, "NoSuchBucket");
        assert_eq!(r.xml("EC").as_deref(), Some("0015-00000101"), "{path}");
        assert_eq!(r.h("x-oss-ec"), Some("0015-00000101"), "{path}");
    }
    let r = s.req("GET", "/ecb/missing").oss().send().await;
    r.assert_error(404, "NoSuchKey");
    assert_eq!(r.xml("EC").as_deref(), Some("0026-00000001"));
    assert_eq!(r.h("x-oss-ec"), Some("0026-00000001"));
    let r = s.req("HEAD", "/ecb/missing").oss().send().await;
    assert_eq!(r.h("x-oss-ec"), Some("0026-00000001"));
    let err = base64::engine::general_purpose::STANDARD
        .decode(r.h("x-oss-err").unwrap())
        .unwrap();
    assert!(
        String::from_utf8(err)
            .unwrap()
            .contains("<EC>0026-00000001</EC>")
    );
    let r = s.req("GET", "/ecb/missing").s3().send().await;
    r.assert_error(404, "NoSuchKey");
    assert_eq!(r.xml("EC"), None);
    assert_eq!(r.h("x-oss-ec"), None);
}
