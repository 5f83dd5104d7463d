//! Multipart upload, UploadPartCopy and AppendObject.

use crate::support::*;

fn part_data(n: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| n.wrapping_mul(31).wrapping_add((i % 251) as u8))
        .collect()
}

async fn initiate(s: &Server, path: &str, s3: bool) -> String {
    let req = s.req("POST", &format!("{path}?uploads"));
    let r = if s3 { req.s3() } else { req.oss() }
        .header("content-type", "text/x-data")
        .header("x-oss-meta-m", "1")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.xml("UploadId").unwrap();
    assert_eq!(id.len(), 32);
    id
}

fn complete_body(parts: &[(u32, String)]) -> String {
    let mut s = String::from("<CompleteMultipartUpload>");
    for (n, e) in parts {
        s.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>"
        ));
    }
    s + "</CompleteMultipartUpload>"
}

#[tokio::test]
async fn upload_complete_and_range_across_parts() {
    let s = Server::start().await;
    s.bucket("mpu").await;
    let id = initiate(&s, "/mpu/big", false).await;
    let sizes = [200 * 1024, 150 * 1024, 1000];
    let mut all = Vec::new();
    let mut parts = Vec::new();
    let mut md5s = Vec::new();
    for (i, len) in sizes.iter().enumerate() {
        let n = i as u32 + 1;
        let data = part_data(n as u8, *len);
        let r = s
            .req("PUT", &format!("/mpu/big?partNumber={n}&uploadId={id}"))
            .oss()
            .body(data.clone())
            .send()
            .await;
        assert_eq!(r.status, 200);
        let etag = r.h("etag").unwrap().to_string();
        assert_eq!(etag, format!("\"{}\"", md5_hex(&data).to_uppercase()));
        // OSS sends the part's MD5 as Content-MD5, as for PutObject.
        assert_eq!(r.h("content-md5"), Some(md5_b64(&data).as_str()));
        assert_eq!(
            r.h("x-oss-hash-crc64ecma").unwrap(),
            ossemu_store::crc64(&data).to_string()
        );
        md5s.extend(hex::decode(md5_hex(&data)).unwrap());
        parts.push((n, etag));
        all.extend(data);
    }
    let r = s
        .req("GET", &format!("/mpu/big?uploadId={id}&max-parts=2"))
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("PartNumber"), ["1", "2"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(r.xml("NextPartNumberMarker").as_deref(), Some("2"));
    let r = s
        .req(
            "GET",
            &format!("/mpu/big?uploadId={id}&part-number-marker=2"),
        )
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("PartNumber"), ["3"]);
    assert_eq!(r.xml("Size").as_deref(), Some("1000"));

    let r = s
        .req("POST", &format!("/mpu/big?uploadId={id}"))
        .oss()
        .body(complete_body(&parts))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let want_etag = format!("\"{}-3\"", md5_hex(&md5s).to_uppercase());
    assert_eq!(r.xml("ETag"), Some(want_etag.clone()));
    // The SDKs read the new object's ETag from the header.
    assert_eq!(r.h("etag"), Some(want_etag.as_str()));
    assert_eq!(r.xml("Key").as_deref(), Some("big"));
    assert_eq!(
        r.h("x-oss-hash-crc64ecma").unwrap(),
        ossemu_store::crc64(&all).to_string()
    );

    let g = s.req("GET", "/mpu/big").oss().send().await;
    assert!(g.body == all);
    assert_eq!(g.h("etag"), Some(want_etag.as_str()));
    assert_eq!(g.h("x-oss-object-type"), Some("Multipart"));
    assert_eq!(g.h("content-type"), Some("text/x-data"));
    assert_eq!(g.h("x-oss-meta-m"), Some("1"));
    assert_eq!(
        g.h("x-oss-hash-crc64ecma").unwrap(),
        ossemu_store::crc64(&all).to_string()
    );
    assert!(g.h("content-md5").is_none());
    // A range spanning all three parts.
    let (a, b) = (200 * 1024 - 10, 350 * 1024 + 10);
    let g = s
        .req("GET", "/mpu/big")
        .oss()
        .header("range", &format!("bytes={a}-{b}"))
        .send()
        .await;
    assert_eq!(g.status, 206);
    assert!(g.body[..] == all[a..=b]);
    // The upload is gone.
    s.req("GET", &format!("/mpu/big?uploadId={id}"))
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchUpload");
    // Only the three part files hold the object: nothing was copied.
    assert_eq!(count_files(&s.dir.path().join("blobs")), 3);
}

#[tokio::test]
async fn complete_errors() {
    let s = Server::start().await;
    s.bucket("mpe").await;
    let id = initiate(&s, "/mpe/k", true).await;
    let small = part_data(1, 1024);
    let mut parts = Vec::new();
    for n in 1..=2u32 {
        let r = s
            .req("PUT", &format!("/mpe/k?partNumber={n}&uploadId={id}"))
            .s3()
            .body(small.clone())
            .send()
            .await;
        parts.push((n, r.h("etag").unwrap().to_string()));
    }
    let p = |v: &[(u32, String)]| complete_body(v);
    let url = format!("/mpe/k?uploadId={id}");
    s.req("POST", &url)
        .s3()
        .body(p(&[parts[1].clone(), parts[0].clone()]))
        .send()
        .await
        .assert_error(400, "InvalidPartOrder");
    s.req("POST", &url)
        .s3()
        .body(p(&[(1, "\"bad\"".into())]))
        .send()
        .await
        .assert_error(400, "InvalidPart");
    s.req("POST", &url)
        .s3()
        .body(p(&[(9, parts[0].1.clone())]))
        .send()
        .await
        .assert_error(400, "InvalidPart");
    s.req("POST", &url)
        .s3()
        .body(p(&parts))
        .send()
        .await
        .assert_error(400, "EntityTooSmall");
    s.req("POST", &url)
        .s3()
        .body("<CompleteMultipartUpload></CompleteMultipartUpload>")
        .send()
        .await
        .assert_error(400, "MalformedXML");
    s.req("POST", &url)
        .s3()
        .body("<Nope/>")
        .send()
        .await
        .assert_error(400, "MalformedXML");
    s.req("PUT", &format!("/mpe/k?partNumber=0&uploadId={id}"))
        .s3()
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    s.req("PUT", &format!("/mpe/k?partNumber=10001&uploadId={id}"))
        .s3()
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    s.req("PUT", "/mpe/k?partNumber=1&uploadId=NOPE")
        .s3()
        .body("x")
        .send()
        .await
        .assert_error(404, "NoSuchUpload");
    s.req("PUT", &format!("/mpe/other?partNumber=1&uploadId={id}"))
        .s3()
        .body("x")
        .send()
        .await
        .assert_error(404, "NoSuchUpload");
    // A single small part is fine (the last part has no minimum).
    let r = s.req("POST", &url).s3().body(p(&parts[..1])).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.req("GET", "/mpe/k").s3().send().await.body.len(), 1024);
    assert_eq!(
        count_files(&s.dir.path().join("blobs")),
        1,
        "the unused part was reclaimed"
    );
}

#[tokio::test]
async fn abort_frees_disk_and_list_uploads_pages() {
    let s = Server::start().await;
    s.bucket("mpa").await;
    let mut ids = Vec::new();
    for k in ["a/1", "a/2", "b", "c"] {
        ids.push(initiate(&s, &format!("/mpa/{k}"), false).await);
    }
    s.req("PUT", &format!("/mpa/b?partNumber=1&uploadId={}", ids[2]))
        .oss()
        .body(vec![1u8; 4096])
        .send()
        .await;
    assert_eq!(count_files(&s.dir.path().join("blobs")), 1);
    let r = s
        .req("GET", "/mpa?uploads&max-uploads=2")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["a/1", "a/2"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(r.xml("NextKeyMarker").as_deref(), Some("a/2"));
    let next_id = r.xml("NextUploadIdMarker").unwrap();
    assert_eq!(next_id, ids[1]);
    let r = s
        .req(
            "GET",
            &format!("/mpa?uploads&key-marker=a/2&upload-id-marker={next_id}"),
        )
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["b", "c"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    // OSS names the last upload of a complete page too (the S3 dialect does not).
    assert_eq!(r.xml("NextKeyMarker").as_deref(), Some("c"));
    assert_eq!(r.xml("NextUploadIdMarker"), Some(ids[3].clone()));
    let r = s.req("GET", "/mpa?uploads&delimiter=/").s3().send().await;
    assert_eq!(r.xml("NextKeyMarker").as_deref(), Some(""));
    assert_eq!(r.xml_all("Key"), ["b", "c"]);
    assert!(
        r.text()
            .contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>")
    );
    s.req("DELETE", "/mpa")
        .oss()
        .send()
        .await
        .assert_error(409, "BucketNotEmpty");
    for (k, id) in ["a/1", "a/2", "b", "c"].iter().zip(&ids) {
        let r = s
            .req("DELETE", &format!("/mpa/{k}?uploadId={id}"))
            .oss()
            .send()
            .await;
        assert_eq!(r.status, 204);
    }
    assert_eq!(
        count_files(&s.dir.path().join("blobs")),
        0,
        "abort frees the parts"
    );
    s.req("DELETE", &format!("/mpa/b?uploadId={}", ids[2]))
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchUpload");
    assert_eq!(s.req("DELETE", "/mpa").oss().send().await.status, 204);
}

#[tokio::test]
async fn upload_part_copy_with_range() {
    let s = Server::start().await;
    s.bucket("mpc").await;
    let src = part_data(7, 300 * 1024);
    s.put("mpc", "src", src.clone()).await;
    let id = initiate(&s, "/mpc/dst", true).await;
    let r = s
        .req("PUT", &format!("/mpc/dst?partNumber=1&uploadId={id}"))
        .s3()
        .header("x-amz-copy-source", "/mpc/src")
        .header("x-amz-copy-source-range", "bytes=0-5242879")
        .send()
        .await;
    r.assert_error(416, "InvalidRange");
    let r = s
        .req("PUT", &format!("/mpc/dst?partNumber=1&uploadId={id}"))
        .oss()
        .header("x-oss-copy-source", "/mpc/src")
        .header("x-oss-copy-source-range", "bytes=1000-200999")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let range_etag = format!("\"{}\"", md5_hex(&src[1000..201000]).to_uppercase());
    assert_eq!(r.xml("ETag"), Some(range_etag.clone()));
    assert_eq!(r.h("etag"), Some(range_etag.as_str()));
    let r = s
        .req("PUT", &format!("/mpc/dst?partNumber=2&uploadId={id}"))
        .s3()
        .header("x-amz-copy-source", "mpc/src")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let e2 = r.xml("ETag").unwrap();
    assert_eq!(e2, format!("\"{}\"", md5_hex(&src)));
    let parts = vec![
        (1u32, format!("\"{}\"", md5_hex(&src[1000..201000]))),
        (2, e2),
    ];
    let r = s
        .req("POST", &format!("/mpc/dst?uploadId={id}"))
        .oss()
        .body(complete_body(&parts))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut want = src[1000..201000].to_vec();
    want.extend_from_slice(&src);
    assert!(s.req("GET", "/mpc/dst").oss().send().await.body == want);
    // Everything shares the source's single body file.
    assert_eq!(count_files(&s.dir.path().join("blobs")), 1);
    s.req("DELETE", "/mpc/src").oss().send().await;
    assert!(s.req("GET", "/mpc/dst").oss().send().await.body == want);
}

#[tokio::test]
async fn append_object() {
    let s = Server::start().await;
    s.bucket("app").await;
    let r = s
        .req("POST", "/app/log?append&position=0")
        .oss()
        .header("content-type", "text/plain")
        .body("hello ")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-oss-next-append-position"), Some("6"));
    assert_eq!(
        r.h("x-oss-hash-crc64ecma").unwrap(),
        ossemu_store::crc64(b"hello ").to_string()
    );
    let r = s
        .req("POST", "/app/log?append&position=6")
        .oss()
        .body("world")
        .send()
        .await;
    assert_eq!(r.h("x-oss-next-append-position"), Some("11"));
    assert_eq!(
        r.h("x-oss-hash-crc64ecma").unwrap(),
        ossemu_store::crc64(b"hello world").to_string()
    );
    let r = s
        .req("POST", "/app/log?append&position=3")
        .oss()
        .body("x")
        .send()
        .await;
    r.assert_error(409, "PositionNotEqualToLength");
    assert_eq!(r.h("x-oss-next-append-position"), Some("11"));
    let g = s.req("GET", "/app/log").oss().send().await;
    assert_eq!(g.text(), "hello world");
    assert_eq!(g.h("x-oss-object-type"), Some("Appendable"));
    assert_eq!(g.h("x-oss-next-append-position"), Some("11"));
    assert_eq!(g.h("content-type"), Some("text/plain"));
    let g = s
        .req("GET", "/app/log")
        .oss()
        .header("range", "bytes=4-7")
        .send()
        .await;
    assert_eq!(g.text(), "o wo");
    s.put("app", "normal", "n").await;
    let r = s
        .req("POST", "/app/normal?append&position=1")
        .oss()
        .body("x")
        .send()
        .await;
    r.assert_error(409, "ObjectNotAppendable");
    s.req("POST", "/app/new?append&position=5")
        .oss()
        .body("x")
        .send()
        .await
        .assert_error(409, "PositionNotEqualToLength");
    // PutObject over an appendable object replaces it and frees its segments.
    s.put("app", "log", "plain").await;
    let g = s.req("GET", "/app/log").oss().send().await;
    assert_eq!(g.h("x-oss-object-type"), Some("Normal"));
    assert_eq!(count_files(&s.dir.path().join("blobs")), 2);
}

/// Uploads three parts (5 MiB, 5 MiB, 777 bytes) and completes the
/// upload through the S3 dialect; returns (upload id, the parts' data, complete response).
async fn three_parts(
    s: &Server,
    path: &str,
    headers: &[(&str, &str)],
) -> (String, Vec<Vec<u8>>, Resp) {
    let id = initiate(s, path, false).await;
    let mut datas = Vec::new();
    let mut parts = Vec::new();
    for (i, len) in [5 << 20, 5 << 20, 777].into_iter().enumerate() {
        let n = i as u32 + 1;
        let data = part_data(n as u8 + 40, len);
        let r = s
            .req("PUT", &format!("{path}?partNumber={n}&uploadId={id}"))
            .oss()
            .body(data.clone())
            .send()
            .await;
        assert_eq!(r.status, 200);
        parts.push((n, r.h("etag").unwrap().to_string()));
        datas.push(data);
    }
    let mut req = s
        .req("POST", &format!("{path}?uploadId={id}"))
        .body(complete_body(&parts));
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let r = req.s3().send().await;
    (id, datas, r)
}

#[tokio::test]
async fn get_part_number_and_retried_completion() {
    let s = Server::start().await;
    s.bucket("parts").await;
    let (id, datas, r) = three_parts(&s, "/parts/obj", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let etag = r.xml("ETag").unwrap();
    // Completing again answers the same result (S3 is idempotent here).
    let again = s
        .req("POST", &format!("/parts/obj?uploadId={id}"))
        .s3()
        .body(complete_body(&[]))
        .send()
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.xml("ETag"), Some(etag.clone()));
    // ... but not through OSS, and not for an id that never made this object.
    s.req("POST", &format!("/parts/obj?uploadId={id}"))
        .oss()
        .body(complete_body(&[(1, "x".into())]))
        .send()
        .await
        .assert_error(404, "NoSuchUpload");
    // ?partNumber=N serves part N with the whole object's ETag.
    let total: usize = datas.iter().map(Vec::len).sum();
    let mut start = 0;
    for (i, data) in datas.iter().enumerate() {
        let g = s
            .req("GET", &format!("/parts/obj?partNumber={}", i + 1))
            .s3()
            .send()
            .await;
        assert_eq!(g.status, 206, "{}", g.text());
        assert_eq!(g.body.as_ref(), &data[..]);
        assert_eq!(g.h("etag"), Some(etag.as_str()));
        assert_eq!(g.h("x-amz-mp-parts-count"), Some("3"));
        let end = start + data.len() - 1;
        assert_eq!(
            g.h("content-range"),
            Some(format!("bytes {start}-{end}/{total}").as_str())
        );
        let h = s
            .req("HEAD", &format!("/parts/obj?partNumber={}", i + 1))
            .s3()
            .send()
            .await;
        assert_eq!(h.h("content-length"), Some(data.len().to_string().as_str()));
        start = end + 1;
    }
    s.req("GET", "/parts/obj?partNumber=4")
        .s3()
        .send()
        .await
        .assert_error(416, "InvalidPartNumber");
    s.req("GET", "/parts/obj?partNumber=0")
        .s3()
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    // A single-part object has one part: the whole object.
    s.put("parts", "single", "body").await;
    let g = s.req("GET", "/parts/single?partNumber=1").s3().send().await;
    assert_eq!(g.body.as_ref(), b"body");
    s.req("GET", "/parts/single?partNumber=2")
        .s3()
        .send()
        .await
        .assert_error(416, "InvalidPartNumber");
}

/// S3 conditional writes: If-None-Match and If-Match on PutObject and
/// CompleteMultipartUpload; a refused write changes nothing.
#[tokio::test]
async fn conditional_writes() {
    let s = Server::start().await;
    s.bucket("cond").await;
    let put = |h: (&'static str, String), body: &'static str| {
        s.req("PUT", "/cond/k")
            .s3()
            .header(h.0, &h.1)
            .body(body)
            .send()
    };
    let r = put(("if-none-match", "*".into()), "one").await;
    assert_eq!(r.status, 200);
    let etag = r.h("etag").unwrap().to_string();
    put(("if-none-match", "*".into()), "two")
        .await
        .assert_error(412, "PreconditionFailed");
    put(("if-none-match", etag.clone()), "two")
        .await
        .assert_error(412, "PreconditionFailed");
    put(("if-match", "\"0123\"".into()), "two")
        .await
        .assert_error(412, "PreconditionFailed");
    assert_eq!(s.req("GET", "/cond/k").s3().send().await.text(), "one");
    assert_eq!(put(("if-match", etag.clone()), "three").await.status, 200);
    assert_eq!(
        put(("if-none-match", etag.clone()), "four").await.status,
        200
    );
    s.req("DELETE", "/cond/k").s3().send().await;
    put(("if-match", "*".into()), "five")
        .await
        .assert_error(404, "NoSuchKey");
    assert_eq!(s.req("HEAD", "/cond/k").s3().send().await.status, 404);
    // The same conditions on CompleteMultipartUpload; the upload survives a refusal.
    s.put("cond", "m", "existing").await;
    let (id, _, r) = three_parts(&s, "/cond/m", &[("if-none-match", "*")]).await;
    r.assert_error(412, "PreconditionFailed");
    assert_eq!(s.req("GET", "/cond/m").s3().send().await.text(), "existing");
    let r = s
        .req("GET", &format!("/cond/m?uploadId={id}"))
        .s3()
        .send()
        .await;
    assert_eq!(r.xml_all("PartNumber").len(), 3, "{}", r.text());
    let (_, _, r) = three_parts(&s, "/cond/new", &[("if-match", "*")]).await;
    r.assert_error(404, "NoSuchKey");
    let (_, _, r) = three_parts(&s, "/cond/new", &[("if-none-match", "*")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// OSS: every part but the last must be at least 100 KiB; a part whose Content-MD5 does not
/// match is refused and not kept (ListParts does not show it).
#[tokio::test]
async fn oss_part_size_floor_and_part_content_md5() {
    let s = Server::start().await;
    s.bucket("mpo").await;
    let id = initiate(&s, "/mpo/k", false).await;
    let put = |n: u32, body: Vec<u8>| {
        s.req("PUT", &format!("/mpo/k?partNumber={n}&uploadId={id}"))
            .oss()
            .body(body)
    };
    let wrong = md5_b64(b"something else");
    put(1, part_data(1, 1000))
        .header("content-md5", &wrong)
        .send()
        .await
        .assert_error(400, "InvalidDigest");
    let listed = s
        .req("GET", &format!("/mpo/k?uploadId={id}"))
        .oss()
        .send()
        .await;
    assert!(listed.xml_all("PartNumber").is_empty(), "{}", listed.text());

    let mut parts = Vec::new();
    for (n, len) in [(1u32, 100 * 1024 - 1), (2, 10)] {
        let body = part_data(n as u8, len);
        let r = put(n, body.clone())
            .header("content-md5", &md5_b64(&body))
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        parts.push((n, r.h("etag").unwrap().to_string()));
    }
    let url = format!("/mpo/k?uploadId={id}");
    s.req("POST", &url)
        .oss()
        .body(complete_body(&parts))
        .send()
        .await
        .assert_error(400, "EntityTooSmall");
    // Part 1 at exactly 100 KiB is enough.
    let r = put(1, part_data(1, 100 * 1024)).send().await;
    parts[0] = (1, r.h("etag").unwrap().to_string());
    let done = s
        .req("POST", &url)
        .oss()
        .body(complete_body(&parts))
        .send()
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    let got = s.req("GET", "/mpo/k").oss().send().await;
    assert_eq!(got.body.len(), 100 * 1024 + 10);
}

/// A page of ListMultipartUploads that ends with a common prefix continues after every upload
/// under it (oss2 TestIterator::test_upload_iterator), in both dialects.
#[tokio::test]
async fn list_uploads_does_not_repeat_a_prefix_on_the_next_page() {
    let s = Server::start().await;
    s.bucket("mpd").await;
    for k in ["a", "p/b/1", "p/b/2", "p/b/2", "p/c/1", "z"] {
        initiate(&s, &format!("/mpd/{k}"), false).await;
    }
    for s3 in [false, true] {
        let mut seen_keys = Vec::new();
        let mut seen_prefixes = Vec::new();
        let mut marker = String::new();
        let mut pages = 0;
        loop {
            let req = s.req(
                "GET",
                &format!("/mpd?uploads&delimiter=/&prefix=p/&max-uploads=1&key-marker={marker}"),
            );
            let r = if s3 { req.s3() } else { req.oss() }.send().await;
            assert_eq!(r.status, 200, "{}", r.text());
            seen_keys.extend(r.xml_all("Key"));
            let text = r.text();
            let prefixes: Vec<String> = xml_values(&text, "CommonPrefixes")
                .iter()
                .flat_map(|c| xml_values(&format!("<x>{c}</x>"), "Prefix"))
                .collect();
            seen_prefixes.extend(prefixes);
            pages += 1;
            assert!(pages < 10, "{text}");
            if r.xml("IsTruncated").as_deref() != Some("true") {
                break;
            }
            marker = r.xml("NextKeyMarker").unwrap();
        }
        assert!(seen_keys.is_empty(), "{seen_keys:?}");
        assert_eq!(seen_prefixes, ["p/b/", "p/c/"], "s3: {s3}");
    }
    let r = s
        .req("GET", "/mpd?uploads&delimiter=/&key-marker=p/")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["z"], "{}", r.text());
    assert!(!r.text().contains("<CommonPrefixes>"), "{}", r.text());
}

/// UploadPartCopy ranges in OSS: open-ended and suffix ranges copy what they say (oss2
/// TestMultipart::test_upload_part_copy copies `bytes=102400-`); a malformed range or one
/// outside the source copies the whole source. S3 wants `bytes=first-last`.
#[tokio::test]
async fn upload_part_copy_range_forms() {
    let s = Server::start().await;
    s.bucket("mpr").await;
    let src = part_data(3, 200 * 1024);
    s.put("mpr", "src", src.clone()).await;
    let id = initiate(&s, "/mpr/dst", false).await;
    let copy = |n: u32, range: &'static str| {
        let s = &s;
        let id = id.clone();
        async move {
            let r = s
                .req("PUT", &format!("/mpr/dst?partNumber={n}&uploadId={id}"))
                .oss()
                .header("x-oss-copy-source", "/mpr/src")
                .header("x-oss-copy-source-range", range)
                .send()
                .await;
            assert_eq!(r.status, 200, "{range}: {}", r.text());
            r.h("etag").unwrap().to_string()
        }
    };
    let etag = |data: &[u8]| format!("\"{}\"", md5_hex(data).to_uppercase());
    assert_eq!(copy(1, "bytes=102400-").await, etag(&src[102400..]));
    assert_eq!(copy(2, "bytes=-100").await, etag(&src[src.len() - 100..]));
    for (n, range) in [
        (3, "bytes=0-204800"),
        (4, "bytes=204800-"),
        (5, "bytes=9-3"),
        (6, "bits=0-9"),
        (7, "bytes=a-b"),
    ] {
        assert_eq!(copy(n, range).await, etag(&src), "{range}");
    }
    let r = s
        .req("GET", &format!("/mpr/dst?uploadId={id}"))
        .oss()
        .send()
        .await;
    let sizes: Vec<String> = r.xml_all("Size");
    assert_eq!(sizes[0], (src.len() - 102400).to_string());
    assert_eq!(sizes[1], "100");

    // S3: only bytes=first-last, named by its header.
    let s3_id = initiate(&s, "/mpr/s3dst", true).await;
    for range in ["bytes=102400-", "bytes=-100", "bits=0-9"] {
        let r = s
            .req("PUT", &format!("/mpr/s3dst?partNumber=1&uploadId={s3_id}"))
            .s3()
            .header("x-amz-copy-source", "/mpr/src")
            .header("x-amz-copy-source-range", range)
            .send()
            .await;
        let body = r.assert_error(400, "InvalidArgument");
        assert!(
            body.contains("The x-amz-copy-source-range value must be of the form bytes=first-last"),
            "{body}"
        );
        assert!(
            body.contains("<ArgumentName>x-amz-copy-source-range</ArgumentName>"),
            "{body}"
        );
    }
}

/// OSS CompleteMultipartUpload takes `x-oss-object-acl` (alibabacloud-oss-v2
/// test_mutilpart_object_acl completes with acl='private' and reads it back).
#[tokio::test]
async fn complete_sets_the_object_acl_in_oss() {
    let s = Server::start().await;
    s.bucket("mpacl").await;
    let id = initiate(&s, "/mpacl/o", false).await;
    let r = s
        .req("PUT", &format!("/mpacl/o?partNumber=1&uploadId={id}"))
        .oss()
        .body("part")
        .send()
        .await;
    let etag = r.h("etag").unwrap().to_string();
    let r = s
        .req("POST", &format!("/mpacl/o?uploadId={id}"))
        .oss()
        .header("x-oss-object-acl", "public-read")
        .body(complete_body(&[(1, etag)]))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/mpacl/o?acl").oss().send().await;
    assert_eq!(
        r.xml("Grant").as_deref(),
        Some("public-read"),
        "{}",
        r.text()
    );
    assert_eq!(s.req("GET", "/mpacl/o").send().await.status, 200);
    // Without the header the object inherits, as before.
    let id = initiate(&s, "/mpacl/p", false).await;
    let r = s
        .req("PUT", &format!("/mpacl/p?partNumber=1&uploadId={id}"))
        .oss()
        .body("part")
        .send()
        .await;
    let etag = r.h("etag").unwrap().to_string();
    let r = s
        .req("POST", &format!("/mpacl/p?uploadId={id}"))
        .oss()
        .body(complete_body(&[(1, etag)]))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/mpacl/p?acl").oss().send().await;
    assert_eq!(r.xml("Grant").as_deref(), Some("default"));
    // A bad ACL is refused and completes nothing.
    let id = initiate(&s, "/mpacl/q", false).await;
    s.req("PUT", &format!("/mpacl/q?partNumber=1&uploadId={id}"))
        .oss()
        .body("part")
        .send()
        .await;
    s.req("POST", &format!("/mpacl/q?uploadId={id}"))
        .oss()
        .header("x-oss-object-acl", "everyone")
        .header("x-oss-complete-all", "yes")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    assert_eq!(s.req("HEAD", "/mpacl/q").oss().send().await.status, 404);
}

/// Uploads one small part of `key` and completes the upload with `query` added, returning
/// the completion's response.
async fn complete_one_part(s: &Server, bucket: &str, key: &str, query: &str) -> Resp {
    let path = format!("/{bucket}/{}", enc(key));
    let id = initiate(s, &path, false).await;
    let r = s
        .req("PUT", &format!("{path}?partNumber=1&uploadId={id}"))
        .oss()
        .body("part")
        .send()
        .await;
    let etag = r.h("etag").unwrap().to_string();
    s.req("POST", &format!("{path}?uploadId={id}{query}"))
        .oss()
        .body(complete_body(&[(1, etag)]))
        .send()
        .await
}

#[tokio::test]
async fn complete_location_is_a_url_whatever_the_key() {
    let s = Server::start().await;
    s.bucket("mpu").await;
    let key = "dir/a b\u{1}\r&\u{1f}.bin";
    let encoded = "dir/a%20b%01%0D%26%1F.bin";
    let location = format!("http://{}/mpu/{encoded}", s.addr);
    // encoding-type=url: Key and Location percent-encoded, EncodingType says so.
    let r = complete_one_part(&s, "mpu", key, "&encoding-type=url").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    assert_eq!(r.xml("Key").as_deref(), Some(encoded));
    assert_eq!(r.xml("Location"), Some(location.clone()));
    // Without it the Location is still a URL, and the Key's control characters are
    // character references: no raw control byte is ever in the document.
    let r = complete_one_part(&s, "mpu", key, "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    assert!(
        text.contains(&format!("<Location>{location}</Location>")),
        "{text}"
    );
    assert!(
        text.contains("<Key>dir/a b&#x1;&#13;&amp;&#x1F;.bin</Key>"),
        "{text}"
    );
    assert!(!text.contains(|c: char| c < ' ' && c != '\n'), "{text:?}");
    // The same holds for a listing without encoding-type.
    let listed = s.req("GET", "/mpu?prefix=dir/").oss().send().await;
    assert!(
        listed
            .text()
            .contains("<Key>dir/a b&#x1;&#13;&amp;&#x1F;.bin</Key>"),
        "{}",
        listed.text()
    );
}

#[tokio::test]
async fn list_parts_says_when_it_encodes_the_key() {
    let s = Server::start().await;
    s.bucket("mpu").await;
    let path = format!("/mpu/{}", enc("p\u{1}q"));
    let id = initiate(&s, &path, false).await;
    let r = s
        .req("GET", &format!("{path}?uploadId={id}&encoding-type=url"))
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    assert_eq!(r.xml("Key").as_deref(), Some("p%01q"));
    let r = s
        .req("GET", &format!("{path}?uploadId={id}"))
        .oss()
        .send()
        .await;
    assert_eq!(r.xml("EncodingType"), None);
    assert_eq!(r.xml("Key").as_deref(), Some("p&#x1;q"));
}

/// OSS's UploadPartCopy refuses a source without its leading `/` (EC 0042-00000301); S3
/// takes `bucket/key`.
#[tokio::test]
async fn oss_part_copy_source_starts_with_a_slash() {
    let s = Server::start().await;
    s.bucket("mps").await;
    s.put("mps", "src", "source").await;
    let id = initiate(&s, "/mps/dst", false).await;
    let r = s
        .req("PUT", &format!("/mps/dst?partNumber=1&uploadId={id}"))
        .oss()
        .header("x-oss-copy-source", "mps/src")
        .send()
        .await;
    r.assert_error(400, "InvalidArgument");
    assert_eq!(r.xml("ArgumentValue").as_deref(), Some("mps/src"));
    assert_eq!(r.h("x-oss-ec"), Some("0042-00000301"));
    let r = s
        .req("PUT", &format!("/mps/dst?partNumber=1&uploadId={id}"))
        .oss()
        .header("x-oss-copy-source", "/mps/src")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = initiate(&s, "/mps/dst3", true).await;
    let r = s
        .req("PUT", &format!("/mps/dst3?partNumber=1&uploadId={id}"))
        .s3()
        .header("x-amz-copy-source", "mps/src")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// CompleteMultipartUpload names the version it made: an id in an enabled bucket (the one a
/// GET then reports), `null` in a suspended one through OSS, nothing through S3 there.
#[tokio::test]
async fn complete_names_the_version_it_made() {
    let s = Server::start().await;
    s.bucket("mpver").await;
    s.set_versioning("mpver", "Enabled").await;
    let c = complete_one_part(&s, "mpver", "big", "").await;
    assert_eq!(c.status, 200, "{}", c.text());
    let id = c.h("x-oss-version-id").expect("a version id").to_string();
    assert_ne!(id, "null");
    let g = s.req("GET", "/mpver/big").oss().send().await;
    assert_eq!(g.h("x-oss-version-id"), Some(id.as_str()));
    assert_eq!(&g.body[..], b"part");
    s.set_versioning("mpver", "Suspended").await;
    let c = complete_one_part(&s, "mpver", "big", "").await;
    assert_eq!(c.h("x-oss-version-id"), Some("null"));
}

#[tokio::test]
async fn sequential_upload_in_order_and_whole_md5() {
    let s = Server::start().await;
    s.bucket("seq").await;
    let r = s
        .req("POST", "/seq/obj?uploads&sequential")
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.xml("UploadId").unwrap();
    let part = |n: u32, data: Vec<u8>| {
        s.req("PUT", &format!("/seq/obj?partNumber={n}&uploadId={id}"))
            .oss()
            .body(data)
    };
    // Part 2 before part 1 is refused, and nothing is stored.
    part(2, part_data(2, 100))
        .send()
        .await
        .assert_error(400, "PartNotSequential");
    let (p1, p2) = (part_data(1, 100 * 1024), part_data(2, 5000));
    let e1 = part(1, p1.clone())
        .send()
        .await
        .h("etag")
        .unwrap()
        .to_string();
    // A part stored is never overwritten, and numbers may not skip.
    let r = part(1, p1.clone()).send().await;
    r.assert_error(409, "PartAlreadyExist");
    part(3, p2.clone())
        .send()
        .await
        .assert_error(400, "PartNotSequential");
    let e2 = part(2, p2.clone())
        .send()
        .await
        .h("etag")
        .unwrap()
        .to_string();
    let r = s
        .req("POST", &format!("/seq/obj?uploadId={id}"))
        .oss()
        .body(complete_body(&[(1, e1), (2, e2)]))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let whole = [p1, p2].concat();
    let g = s.req("GET", "/seq/obj").oss().send().await;
    assert_eq!(g.body.as_ref(), whole.as_slice());
    assert_eq!(g.h("content-md5"), Some(md5_b64(&whole).as_str()));
    // The ETag stays a multipart one; a range answer carries no whole-object MD5.
    assert!(g.h("etag").unwrap().ends_with("-2\""));
    let h = s.req("HEAD", "/seq/obj").oss().send().await;
    assert_eq!(h.h("content-md5"), Some(md5_b64(&whole).as_str()));
    let r = s
        .req("GET", "/seq/obj")
        .oss()
        .header("range", "bytes=0-9")
        .send()
        .await;
    assert_eq!(r.status, 206);
    assert_eq!(r.h("content-md5"), None);
    // An ordinary upload's object has none, and takes parts in any order.
    let id = initiate(&s, "/seq/plain", false).await;
    let r = s
        .req("PUT", &format!("/seq/plain?partNumber=2&uploadId={id}"))
        .oss()
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let e = r.h("etag").unwrap().to_string();
    let r = s
        .req("POST", &format!("/seq/plain?uploadId={id}"))
        .oss()
        .body(complete_body(&[(2, e)]))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/seq/plain").oss().send().await;
    assert_eq!(g.h("content-md5"), None);
}
