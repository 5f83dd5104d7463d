//! Behaviour found by running ceph/s3-tests against ossemu, pinned down.

use crate::support::*;

#[tokio::test]
async fn s3_delete_bucket_discards_uploads_oss_refuses() {
    let s = Server::start().await;
    for (dialect, bucket) in [("s3", "del-s3"), ("oss", "del-oss")] {
        s.bucket(bucket).await;
        let r = s
            .req("POST", &format!("/{bucket}/k?uploads"))
            .oss()
            .send()
            .await;
        let id = r.xml("UploadId").unwrap();
        s.req("PUT", &format!("/{bucket}/k?partNumber=1&uploadId={id}"))
            .oss()
            .body("part")
            .send()
            .await;
        let req = s.req("DELETE", &format!("/{bucket}"));
        let r = if dialect == "s3" { req.s3() } else { req.oss() }
            .send()
            .await;
        if dialect == "s3" {
            assert_eq!(r.status, 204, "{}", r.text());
        } else {
            r.assert_error(409, "BucketNotEmpty");
        }
    }
    assert_eq!(
        count_files(&s.dir.path().join("blobs")),
        1,
        "the S3 upload's part was freed"
    );
}

#[tokio::test]
async fn s3_objects_are_private_by_default_oss_objects_inherit() {
    let s = Server::start().await;
    s.req("PUT", "/pubread")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    s.req("PUT", "/pubread/by-s3").s3().body("s3").send().await;
    s.req("PUT", "/pubread/by-oss")
        .oss()
        .body("oss")
        .send()
        .await;
    s.req("GET", "/pubread/by-s3")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    assert_eq!(s.req("GET", "/pubread/by-oss").send().await.text(), "oss");
    // The writer reads its own object even where the bucket's ACL would not let it.
    s.req("PUT", "/pubrw")
        .oss()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    s.req("PUT", "/pubrw/alts")
        .s3_as("alt", "alt-secret")
        .body("mine")
        .send()
        .await;
    assert_eq!(
        s.req("GET", "/pubrw/alts")
            .s3_as("alt", "alt-secret")
            .send()
            .await
            .text(),
        "mine"
    );
}

#[tokio::test]
async fn authenticated_read_and_grant_order() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/authread")
        .s3()
        .header("x-amz-acl", "authenticated-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.req("PUT", "/authread/o")
        .s3()
        .header("x-amz-acl", "authenticated-read")
        .body("x")
        .send()
        .await;
    assert_eq!(
        s.req("GET", "/authread/o")
            .s3_as("alt", "alt-secret")
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        s.req("GET", "/authread")
            .s3_as("alt", "alt-secret")
            .send()
            .await
            .status,
        200
    );
    s.req("GET", "/authread/o")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let acl = s.req("GET", "/authread?acl").s3().send().await.text();
    let group = acl.find("AuthenticatedUsers").unwrap();
    let owner = acl.find("FULL_CONTROL").unwrap();
    assert!(group < owner, "{acl}");
    // A grant to another account replaces the canned ACL: alt may still list, nobody else.
    let body = "<AccessControlPolicy><Owner><ID>ossemu</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>alt</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>";
    let r = s.req("PUT", "/authread?acl").s3().body(body).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let alt = s
        .req("GET", "/authread")
        .s3_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(alt.status, 200, "{}", alt.text());
    s.req("PUT", "/authread/o?acl")
        .s3()
        .header("x-amz-acl", "bucket-owner-full-control")
        .send()
        .await;
    let r = s.req("GET", "/authread/o?acl").s3().send().await;
    assert!(r.text().contains("<Permission>FULL_CONTROL</Permission>"));
}

#[tokio::test]
async fn dates_as_clients_send_them() {
    let s = Server::start().await;
    // Python's formatdate(): "-0000" zone; botocore sends it in Date with SigV4.
    let now = httpdate::fmt_http_date(std::time::SystemTime::now()).replace("GMT", "-0000");
    let r = s
        .req("PUT", "/dates")
        .header("date", &now)
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A wrong weekday does not make a date invalid: a stale date is still just stale.
    let r = s
        .req("GET", "/dates")
        .header("date", "Tue, 07 Jul 2010 12:00:00 GMT")
        .oss()
        .send()
        .await;
    r.assert_error(403, "RequestTimeTooSkewed");
}

#[tokio::test]
async fn listing_echoes() {
    let s = Server::start().await;
    s.bucket("echo").await;
    s.put("echo", "a b", "x").await;
    let r = s
        .req("GET", "/echo?prefix=a%20&encoding-type=url")
        .s3()
        .send()
        .await;
    assert_eq!(
        r.xml("Prefix").as_deref(),
        Some("a "),
        "S3 v1 echoes the prefix as given"
    );
    assert_eq!(r.xml_all("Key"), ["a%20b"]);
    let r = s
        .req("GET", "/echo?prefix=a%20&encoding-type=url")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml("Prefix").as_deref(), Some("a%20"));
    let r = s
        .req("GET", "/echo?list-type=2&continuation-token=")
        .s3()
        .send()
        .await;
    assert!(
        r.text().contains("<ContinuationToken/>")
            || r.text().contains("<ContinuationToken></ContinuationToken>"),
        "{}",
        r.text()
    );
    assert_eq!(r.xml_all("Key"), ["a b"]);
}

#[tokio::test]
async fn headers_come_back_byte_for_byte() {
    let s = Server::start().await;
    s.bucket("bytes").await;
    let mut req = s
        .req("PUT", "/bytes/k")
        .oss()
        .header("content-encoding", "deflate, gzip")
        .body("x");
    req = req.header("x-oss-meta-latin", "caf\u{e9}");
    let r = req.send().await;
    assert_eq!(r.status, 200);
    let g = s.req("GET", "/bytes/k").oss().send().await;
    assert_eq!(g.h("content-encoding"), Some("deflate, gzip"));
    assert_eq!(
        g.headers.get("x-oss-meta-latin").unwrap().as_bytes(),
        "caf\u{e9}".as_bytes()
    );
}

/// Non-ASCII metadata: OSS answers the UTF-8 bytes as sent, S3 an RFC 2047 encoded word (what
/// the AWS SDKs decode); ASCII values are the same in both.
#[tokio::test]
async fn non_ascii_metadata_is_rfc2047_encoded_for_s3_only() {
    let s = Server::start().await;
    s.bucket("meta8").await;
    let r = s
        .req("PUT", "/meta8/k")
        .s3()
        .header("x-amz-meta-greet", "你好，世界")
        .header("x-amz-meta-plain", "hello")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let g = s.req("GET", "/meta8/k").s3().send().await;
    assert_eq!(
        g.h("x-amz-meta-greet"),
        Some("=?UTF-8?B?5L2g5aW977yM5LiW55WM?=")
    );
    assert_eq!(g.h("x-amz-meta-plain"), Some("hello"));
    let o = s.req("HEAD", "/meta8/k").oss().send().await;
    assert_eq!(
        o.headers.get("x-oss-meta-greet").unwrap().as_bytes(),
        "你好，世界".as_bytes()
    );
    assert_eq!(o.h("x-oss-meta-plain"), Some("hello"));
}

#[tokio::test]
async fn s3_put_needs_a_length() {
    let s = Server::start().await;
    s.bucket("nolen").await;
    let head = s
        .req("PUT", "/nolen/k")
        .s3()
        .header("transfer-encoding", "chunked")
        .raw_head();
    let out = raw(
        s.addr,
        format!("{head}5\r\nhello\r\n0\r\n\r\n").as_bytes(),
        |b| b.windows(8).any(|w| w == b"</Error>"),
    )
    .await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 411"), "{text}");
    // OSS accepts chunked uploads.
    let head = s
        .req("PUT", "/nolen/k")
        .oss()
        .header("transfer-encoding", "chunked")
        .raw_head();
    let out = raw(
        s.addr,
        format!("{head}5\r\nhello\r\n0\r\n\r\n").as_bytes(),
        |b| b.windows(4).any(|w| w == b"\r\n\r\n"),
    )
    .await;
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 200"));
    assert_eq!(s.req("GET", "/nolen/k").oss().send().await.text(), "hello");
}

#[tokio::test]
async fn copy_source_range_syntax() {
    let s = Server::start().await;
    s.bucket("rng").await;
    s.put("rng", "src", "0123456789").await;
    let id = s
        .req("POST", "/rng/d?uploads")
        .s3()
        .send()
        .await
        .xml("UploadId")
        .unwrap();
    for bad in [
        "0-2",
        "bytes=0",
        "bytes=hello-world",
        "bytes=0-bar",
        "bytes=0-2,3-5",
    ] {
        let r = s
            .req("PUT", &format!("/rng/d?partNumber=1&uploadId={id}"))
            .s3()
            .header("x-amz-copy-source", "rng/src")
            .header("x-amz-copy-source-range", bad)
            .send()
            .await;
        r.assert_error(400, "InvalidArgument");
    }
    let r = s
        .req("PUT", &format!("/rng/d?partNumber=1&uploadId={id}"))
        .s3()
        .header("x-amz-copy-source", "rng/src")
        .header("x-amz-copy-source-range", "bytes=5-20")
        .send()
        .await;
    r.assert_error(416, "InvalidRange");
}

/// XML answers, documents and errors alike, carry `Content-Length` (as OSS's and S3's do),
/// not `Transfer-Encoding: chunked`.
#[tokio::test]
async fn xml_answers_declare_their_length() {
    let s = Server::start().await;
    s.bucket("len").await;
    let answers = [
        s.req("GET", "/").oss().send().await,
        s.req("GET", "/len").s3().send().await,
        s.req("GET", "/len?bucketInfo").oss().send().await,
        s.req("POST", "/len/k?uploads").oss().send().await,
        s.req("GET", "/len/missing").oss().send().await,
        s.req("GET", "/len/k?symlink").oss().send().await,
        s.req("GET", "/len/missing").s3().send().await,
    ];
    for r in answers {
        assert_eq!(r.h("content-type"), Some("application/xml"), "{}", r.text());
        assert_eq!(r.h("transfer-encoding"), None, "{}", r.text());
        assert_eq!(
            r.h("content-length"),
            Some(r.body.len().to_string().as_str()),
            "{}",
            r.text()
        );
    }
}
