//! CopyObject and DeleteMultipleObjects.

use crate::support::*;

#[tokio::test]
async fn copy_within_and_across_buckets() {
    let s = Server::start().await;
    s.bucket("src").await;
    s.bucket("dst").await;
    s.req("PUT", "/src/a%20b")
        .oss()
        .header("content-type", "text/plain")
        .header("x-oss-meta-k", "v")
        .body("payload")
        .send()
        .await;
    let r = s
        .req("PUT", "/dst/copy")
        .oss()
        .header("x-oss-copy-source", "/src/a%20b")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let etag = format!("\"{}\"", md5_hex(b"payload").to_uppercase());
    assert_eq!(r.xml("ETag").as_deref(), Some(etag.as_str()));
    assert_eq!(r.h("etag"), Some(etag.as_str()));
    assert!(r.xml("LastModified").unwrap().ends_with(".000Z"));
    let g = s.req("GET", "/dst/copy").oss().send().await;
    assert_eq!(g.text(), "payload");
    assert_eq!(g.h("content-type"), Some("text/plain"));
    assert_eq!(g.h("x-oss-meta-k"), Some("v"));

    // REPLACE takes metadata from the request.
    let r = s
        .req("PUT", "/src/replaced")
        .s3()
        .header("x-amz-copy-source", "src/a%20b")
        .header("x-amz-metadata-directive", "REPLACE")
        .header("content-type", "application/json")
        .header("x-amz-meta-n", "2")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.text()
            .contains("<CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
    );
    let g = s.req("GET", "/src/replaced").s3().send().await;
    assert_eq!(g.h("content-type"), Some("application/json"));
    assert_eq!(g.h("x-amz-meta-n"), Some("2"));
    assert!(g.h("x-amz-meta-k").is_none());

    // OSS REPLACE: without a Content-Type the source's stays; the client-side encryption
    // metadata describes the body, so it is kept and the request's is ignored.
    s.req("PUT", "/src/enc")
        .oss()
        .header("content-type", "image/png")
        .header("x-oss-meta-client-side-encryption-key", "wrapped")
        .header("x-oss-meta-old", "1")
        .body("cipher")
        .send()
        .await;
    let r = s
        .req("PUT", "/src/enc2")
        .oss()
        .header("x-oss-copy-source", "/src/enc")
        .header("x-oss-metadata-directive", "REPLACE")
        .header("x-oss-meta-client-side-encryption-key", "forged")
        .header("x-oss-meta-new", "2")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/src/enc2").oss().send().await;
    assert_eq!(g.h("content-type"), Some("image/png"));
    assert_eq!(
        g.h("x-oss-meta-client-side-encryption-key"),
        Some("wrapped")
    );
    assert_eq!(g.h("x-oss-meta-new"), Some("2"));
    assert!(g.h("x-oss-meta-old").is_none());
    // S3 REPLACE without Content-Type resets it.
    let r = s
        .req("PUT", "/src/enc3")
        .s3()
        .header("x-amz-copy-source", "src/enc")
        .header("x-amz-metadata-directive", "REPLACE")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/src/enc3").s3().send().await;
    assert_eq!(g.h("content-type"), Some("application/octet-stream"));

    // The copy survives deleting the source.
    s.req("DELETE", "/src/a%20b").oss().send().await;
    assert_eq!(
        s.req("GET", "/dst/copy").oss().send().await.text(),
        "payload"
    );
}

#[tokio::test]
async fn copy_errors() {
    let s = Server::start().await;
    s.bucket("cpy").await;
    s.put("cpy", "x", "x").await;
    s.req("PUT", "/cpy/y")
        .oss()
        .header("x-oss-copy-source", "/cpy/missing")
        .send()
        .await
        .assert_error(404, "NoSuchKey");
    s.req("PUT", "/cpy/y")
        .oss()
        .header("x-oss-copy-source", "/nobucket/x")
        .send()
        .await
        .assert_error(404, "NoSuchBucket");
    s.req("PUT", "/cpy/y")
        .oss()
        .header("x-oss-copy-source", "/cpy/x")
        .header("x-oss-copy-source-if-match", "\"abc\"")
        .send()
        .await
        .assert_error(412, "PreconditionFailed");
    let r = s
        .req("PUT", "/cpy/y")
        .oss()
        .header("x-oss-copy-source", "/cpy/x")
        .header(
            "x-oss-copy-source-if-none-match",
            &format!("\"{}\"", md5_hex(b"x")),
        )
        .send()
        .await;
    assert_eq!(r.status, 304);
    s.req("PUT", "/cpy/y")
        .s3()
        .header("x-amz-copy-source", "/cpy/x")
        .header(
            "x-amz-copy-source-if-none-match",
            &format!("\"{}\"", md5_hex(b"x")),
        )
        .send()
        .await
        .assert_error(412, "PreconditionFailed");
    s.req("PUT", "/cpy/x")
        .s3()
        .header("x-amz-copy-source", "/cpy/x")
        .send()
        .await
        .assert_error(400, "InvalidRequest");
    s.req("PUT", "/cpy/y")
        .oss()
        .header("x-oss-copy-source", "/cpy/x")
        .header("x-oss-metadata-directive", "MERGE")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    s.req("PUT", "/cpy/y")
        .oss()
        .header("x-oss-copy-source", "nokey")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    assert_eq!(s.req("GET", "/cpy/y").oss().send().await.status, 404);
}

fn delete_body(keys: &[&str], quiet: bool) -> String {
    let mut s = format!("<Delete><Quiet>{quiet}</Quiet>");
    for k in keys {
        s.push_str(&format!("<Object><Key>{k}</Key></Object>"));
    }
    s.push_str("</Delete>");
    s
}

#[tokio::test]
async fn delete_multiple() {
    let s = Server::start().await;
    s.bucket("del").await;
    for k in ["a", "b", "c"] {
        s.put("del", k, "x").await;
    }
    let body = delete_body(&["a", "b", "never"], false);
    let r = s
        .req("POST", "/del?delete")
        .oss()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml_all("Key"), ["a", "b", "never"]);
    assert_eq!(s.req("GET", "/del/a").oss().send().await.status, 404);
    assert_eq!(s.req("GET", "/del/c").oss().send().await.status, 200);

    let body = delete_body(&["c"], true);
    let r = s
        .req("POST", "/del?delete")
        .s3()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.xml_all("Key").is_empty(),
        "quiet mode lists no deleted keys"
    );
    assert_eq!(s.req("GET", "/del/c").oss().send().await.status, 404);
    assert!(r.text().contains("<DeleteResult"), "S3: {}", r.text());

    // OSS: a quiet request whose keys all went is answered with no body at all; one with a
    // failure lists only the failure.
    s.put("del", "d", "x").await;
    let body = delete_body(&["d", "never"], true);
    let r = s
        .req("POST", "/del?delete")
        .oss()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.is_empty(), "{}", r.text());
    assert_eq!(r.h("content-length"), Some("0"));
    assert_eq!(s.req("GET", "/del/d").oss().send().await.status, 404);
    let body = format!(
        "<Delete><Quiet>true</Quiet><Object><Key>{}</Key></Object></Delete>",
        "k".repeat(1024)
    );
    let r = s
        .req("POST", "/del?delete")
        .oss()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    // Quiet mode lists the one failure, as an entry of a 200 answer.
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.xml("Code").as_deref(),
        Some("InvalidArgument"),
        "{}",
        r.text()
    );
    assert_eq!(r.xml("Key"), Some("k".repeat(1024)));
    assert!(!r.text().contains("<Deleted>"), "{}", r.text());

    let body = "<Delete><Object><Key>v</Key><VersionId>null</VersionId></Object></Delete>";
    let r = s
        .req("POST", "/del?delete")
        .s3()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.xml("VersionId").as_deref(), Some("null"));
}

#[tokio::test]
async fn delete_multiple_rejects_bad_input() {
    let s = Server::start().await;
    s.bucket("del").await;
    s.put("del", "keep", "x").await;
    let body = delete_body(&["keep"], false);
    s.req("POST", "/del?delete")
        .oss()
        .header("content-md5", &md5_b64(b"other"))
        .body(body.clone())
        .send()
        .await
        .assert_error(400, "InvalidDigest");
    s.req("POST", "/del?delete")
        .s3()
        .header("content-md5", &md5_b64(b"other"))
        .body(body.clone())
        .send()
        .await
        .assert_error(400, "BadDigest");
    s.req("POST", "/del?delete")
        .s3()
        .body(body.clone())
        .send()
        .await
        .assert_error(400, "InvalidRequest");
    let bad = "<Delete><Object><Key>keep</Key></Object>";
    s.req("POST", "/del?delete")
        .oss()
        .header("content-md5", &md5_b64(bad.as_bytes()))
        .body(bad)
        .send()
        .await
        .assert_error(400, "MalformedXML");
    let empty = "<Delete></Delete>";
    s.req("POST", "/del?delete")
        .oss()
        .header("content-md5", &md5_b64(empty.as_bytes()))
        .body(empty)
        .send()
        .await
        .assert_error(400, "MalformedXML");
    assert_eq!(s.req("GET", "/del/keep").oss().send().await.status, 200);
}

#[tokio::test]
async fn copy_respects_forbid_overwrite() {
    let s = Server::start().await;
    s.bucket("cpf").await;
    s.put("cpf", "src", "new").await;
    s.put("cpf", "dst", "old").await;
    let r = s
        .req("PUT", "/cpf/dst")
        .oss()
        .header("x-oss-copy-source", "/cpf/src")
        .header("x-oss-forbid-overwrite", "true")
        .send()
        .await;
    r.assert_error(409, "FileAlreadyExists");
    let r = s
        .req("PUT", "/cpf/dst")
        .s3()
        .header("x-amz-copy-source", "cpf/src")
        .header("if-none-match", "*")
        .send()
        .await;
    r.assert_error(412, "PreconditionFailed");
    assert_eq!(s.req("GET", "/cpf/dst").oss().send().await.text(), "old");
    let r = s
        .req("PUT", "/cpf/fresh")
        .oss()
        .header("x-oss-copy-source", "/cpf/src")
        .header("x-oss-forbid-overwrite", "true")
        .send()
        .await;
    assert_eq!(r.status, 200);
}

/// Tags follow the tagging directive (COPY by default) whatever the metadata directive, in
/// both dialects (alibabacloud-oss-v2's `test_multipart_misc` copies with metadata REPLACE
/// and tagging COPY and expects the source's tags).
#[tokio::test]
async fn tags_follow_their_own_directive() {
    let s = Server::start().await;
    s.bucket("tagcopy").await;
    let r = s
        .req("PUT", "/tagcopy/src")
        .oss()
        .header("x-oss-tagging", "a=1&b=2")
        .body("tagged")
        .send()
        .await;
    assert_eq!(r.status, 200);
    for (dst, s3, headers, want) in [
        (
            "meta-replaced",
            false,
            vec![("x-oss-metadata-directive", "REPLACE")],
            vec!["a", "b"],
        ),
        (
            "tags-copied",
            true,
            vec![
                ("x-amz-metadata-directive", "REPLACE"),
                ("x-amz-tagging-directive", "COPY"),
            ],
            vec!["a", "b"],
        ),
        (
            "tags-replaced",
            false,
            vec![
                ("x-oss-tagging-directive", "REPLACE"),
                ("x-oss-tagging", "c=3"),
            ],
            vec!["c"],
        ),
    ] {
        let mut req = s.req("PUT", &format!("/tagcopy/{dst}"));
        req = if s3 {
            req.s3().header("x-amz-copy-source", "/tagcopy/src")
        } else {
            req.oss().header("x-oss-copy-source", "/tagcopy/src")
        };
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let r = req.send().await;
        assert_eq!(r.status, 200, "{dst}: {}", r.text());
        let t = s
            .req("GET", &format!("/tagcopy/{dst}?tagging"))
            .oss()
            .send()
            .await;
        assert_eq!(t.xml_all("Key"), want, "{dst}");
        let h = s.req("HEAD", &format!("/tagcopy/{dst}")).oss().send().await;
        assert_eq!(
            h.h("x-oss-tagging-count"),
            Some(want.len().to_string().as_str())
        );
    }
}
