//! Bad input gets a clear error and changes nothing.

use crate::support::*;

#[tokio::test]
async fn wrong_content_md5_keeps_the_old_object() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.put("bkt", "k", "original").await;
    let r = s
        .req("PUT", "/bkt/k")
        .oss()
        .header("content-md5", &md5_b64(b"something else"))
        .body("replacement")
        .send()
        .await;
    r.assert_error(400, "InvalidDigest");
    let r = s
        .req("PUT", "/bkt/k")
        .s3()
        .header("content-md5", &md5_b64(b"something else"))
        .body("replacement")
        .send()
        .await;
    r.assert_error(400, "BadDigest");
    let r = s
        .req("PUT", "/bkt/k")
        .oss()
        .header("content-md5", "not-base64!")
        .body("replacement")
        .send()
        .await;
    r.assert_error(400, "InvalidDigest");
    assert_eq!(s.req("GET", "/bkt/k").oss().send().await.text(), "original");
    assert_eq!(count_files(&s.dir.path().join("tmp")), 0);
    assert_eq!(count_files(&s.dir.path().join("blobs")), 1);
}

#[tokio::test]
async fn oversized_metadata_is_refused() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    let big = "v".repeat(8 * 1024);
    let r = s
        .req("PUT", "/bkt/meta")
        .oss()
        .header("x-oss-meta-big", &big)
        .body("x")
        .send()
        .await;
    let body = r.assert_error(400, "MetadataTooLarge");
    assert!(body.contains("8192"), "{body}");
    assert_eq!(s.req("GET", "/bkt/meta").oss().send().await.status, 404);
}

#[tokio::test]
async fn hostile_keys() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    // `..` is just a key: stored and read back, nothing outside the data dir.
    let r = s
        .req("PUT", "/bkt/..%2F..%2Fetc%2Fpasswd")
        .oss()
        .body("not a file")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        s.req("GET", "/bkt/../../etc/passwd")
            .oss()
            .send()
            .await
            .text(),
        "not a file"
    );
    let r = s.req("GET", "/bkt?prefix=..").oss().send().await;
    assert_eq!(r.xml_all("Key"), ["../../etc/passwd"]);

    let long = "k".repeat(1024);
    s.req("PUT", &format!("/bkt/{long}"))
        .oss()
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidObjectName");
    s.req("PUT", &format!("/bkt/{long}"))
        .s3()
        .body("x")
        .send()
        .await
        .assert_error(400, "KeyTooLongError");
    let ok = "k".repeat(1023);
    assert_eq!(
        s.req("PUT", &format!("/bkt/{ok}"))
            .oss()
            .body("x")
            .send()
            .await
            .status,
        200
    );
    // Control characters are stored (OSS and S3 both do; listings return them with
    // encoding-type=url), except NUL, and S3's C1 controls (U+0080..U+009F).
    let r = s
        .req("PUT", "/bkt/a%0Ab%01c%7F")
        .oss()
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let listed = s
        .req("GET", "/bkt?prefix=a&encoding-type=url")
        .oss()
        .send()
        .await;
    assert_eq!(listed.xml_all("Key"), ["a%0Ab%01c%7F"]);
    s.req("PUT", "/bkt/a%00b")
        .oss()
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidObjectName");
    s.req("PUT", "/bkt/a%C2%8Ab")
        .s3()
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidURI");
    // OSS refuses names that start with / or \; S3 takes them.
    for bad in ["/bkt/%5Cname", "/bkt//name"] {
        s.req("PUT", bad)
            .oss()
            .body("x")
            .send()
            .await
            .assert_error(400, "InvalidObjectName");
    }
    assert_eq!(
        s.req("PUT", "/bkt//name")
            .s3()
            .body("x")
            .send()
            .await
            .status,
        200
    );
    assert_eq!(s.req("DELETE", "/bkt//name").s3().send().await.status, 204);
    s.req("DELETE", "/bkt/a%0Ab%01c%7F").oss().send().await;
    let body = s
        .req("PUT", "/bkt/a%00b")
        .s3()
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidURI");
    assert_eq!(
        xml_values(&body, "Message"),
        ["Couldn't parse the specified URI."]
    );
    s.req("GET", "/bkt/%FF%FE")
        .oss()
        .send()
        .await
        .assert_error(400, "InvalidURI");
    let r = s.req("GET", "/bkt?prefix=a").oss().send().await;
    assert!(r.xml_all("Key").is_empty());
}

#[tokio::test]
async fn truncated_upload_stores_nothing() {
    use tokio::io::AsyncWriteExt;
    let s = Server::start().await;
    s.bucket("bkt").await;
    let head = s
        .req("PUT", "/bkt/partial")
        .oss()
        .header("content-length", "4194304")
        .raw_head();
    let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    c.write_all(head.as_bytes()).await.unwrap();
    // Half the declared body: enough for the server to start writing its temp file.
    c.write_all(&vec![b'x'; 2 << 20]).await.unwrap();
    let tmp = s.dir.path().join("tmp");
    wait_until(|| count_files(&tmp) == 1).await;
    // The client goes away mid-body.
    drop(c);
    wait_until(|| count_files(&tmp) == 0).await;
    assert_eq!(s.req("GET", "/bkt/partial").oss().send().await.status, 404);
    assert_eq!(count_files(&s.dir.path().join("blobs")), 0);
}

#[tokio::test]
async fn expect_continue_only_after_checks() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    // Missing bucket: the error comes without a 100 Continue.
    let req = s
        .req("PUT", "/nobucket/k")
        .oss()
        .header("content-length", "5")
        .header("expect", "100-continue")
        .raw_head();
    let out = raw(s.addr, req.as_bytes(), |b| {
        b.windows(8).any(|w| w == b"</Error>")
    })
    .await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 404"), "{text}");
    assert!(!text.contains("100 Continue"), "{text}");
    // Oversized declared length: refused before reading.
    let req = s
        .req("PUT", "/bkt/k")
        .oss()
        .header("content-length", "6000000000")
        .header("expect", "100-continue")
        .raw_head();
    let out = raw(s.addr, req.as_bytes(), |b| {
        b.windows(8).any(|w| w == b"</Error>")
    })
    .await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("<Code>EntityTooLarge</Code>"), "{text}");
    // A good request gets 100 Continue, then 200 once the body is sent.
    let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let head = s
        .req("PUT", "/bkt/k")
        .oss()
        .header("content-length", "5")
        .header("expect", "100-continue")
        .raw_head();
    c.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 256];
    let n = c.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 100 Continue"));
    c.write_all(b"hello").await.unwrap();
    let n = c.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 OK"));
    assert_eq!(s.req("GET", "/bkt/k").oss().send().await.text(), "hello");
}

#[tokio::test]
async fn unsupported_methods() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    let r = s.req("PATCH", "/bkt/k").oss().send().await;
    r.assert_error(405, "MethodNotAllowed");
    let r = s.req("DELETE", "/").oss().send().await;
    r.assert_error(405, "MethodNotAllowed");
}

/// A request that announces a body the server does not read (a GET with the headers of the
/// PUT before it, as oss2's V4 test sends) is answered with `Connection: close`: the unread
/// bytes would otherwise be taken for the next request, and the client would find its pooled
/// connection closed under it. A request whose body is read keeps the connection.
#[tokio::test]
async fn an_unread_body_closes_the_connection_explicitly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = Server::start().await;
    s.bucket("bkt").await;
    s.put("bkt", "k", "123456789").await;
    let head = s
        .req("GET", "/bkt/k")
        .oss()
        .header("content-length", "9")
        .raw_head();
    let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    c.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = c.read(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
    assert!(text.starts_with("http/1.1 200"), "{text}");
    assert!(text.contains("\r\nconnection: close\r\n"), "{text}");
    // A PUT whose body is read, and a GET without one, keep the connection open.
    for req in [
        s.req("PUT", "/bkt/k2")
            .oss()
            .header("content-length", "3")
            .raw_head()
            + "abc",
        s.req("GET", "/bkt/k").oss().raw_head(),
    ] {
        let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        c.write_all(req.as_bytes()).await.unwrap();
        let n = c.read(&mut buf).await.unwrap();
        let text = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
        assert!(text.starts_with("http/1.1 200"), "{text}");
        assert!(!text.contains("connection: close"), "{text}");
    }
}

/// Hundreds of user-metadata headers under the 8 KiB limit are accepted (hyper's default
/// refused more than 100 headers with 431).
#[tokio::test]
async fn many_metadata_headers_under_the_limit() {
    let s = Server::start().await;
    s.bucket("bkt").await;
    let mut req = s.req("PUT", "/bkt/meta").oss().body("x");
    for i in 0..300 {
        req = req.header(&format!("x-oss-meta-k{i}"), "v");
    }
    let r = req.send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    // (The test's HTTP client parses at most 100 response headers; read the record.)
    let rec = s
        .state
        .store
        .meta()
        .get_object("bkt", "meta")
        .unwrap()
        .unwrap();
    assert_eq!(rec.attrs.user_meta.len(), 300);
    assert!(rec.attrs.user_meta.contains(&("k299".into(), "v".into())));
}

/// A client that shuts its write side down after a whole request still gets the answer.
#[tokio::test]
async fn half_closed_connection_gets_its_response() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = Server::start().await;
    s.bucket("bkt").await;
    let head = s
        .req("PUT", "/bkt/half")
        .oss()
        .header("content-length", "5")
        .raw_head();
    let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    c.write_all(head.as_bytes()).await.unwrap();
    c.write_all(b"hello").await.unwrap();
    c.shutdown().await.unwrap();
    let mut out = Vec::new();
    c.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert_eq!(s.req("GET", "/bkt/half").oss().send().await.text(), "hello");
}
