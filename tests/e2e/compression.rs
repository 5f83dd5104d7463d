//! OSS's gzip compression of object reads (`Accept-Encoding: gzip`).

use std::io::Read;

use crate::support::*;

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("a gzip stream");
    out
}

async fn put_typed(s: &Server, path: &str, content_type: &str, body: Vec<u8>) {
    let r = s
        .req("PUT", path)
        .oss()
        .header("content-type", content_type)
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn text_of_1_kib_and_more_is_compressed_as_it_streams() {
    let s = Server::start().await;
    s.bucket("gzip").await;
    let text: Vec<u8> = b"hello, compressed world\n".repeat(50_000);
    put_typed(
        &s,
        "/gzip/big.txt",
        "text/plain; charset=utf-8",
        text.clone(),
    )
    .await;
    let get = |path: &str| s.req("GET", path).oss().header("accept-encoding", "gzip");
    let r = get("/gzip/big.txt").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("content-encoding"), Some("gzip"));
    assert_eq!(r.h("transfer-encoding"), Some("chunked"));
    assert_eq!(r.h("content-length"), None);
    assert_eq!(r.h("etag"), None);
    assert_eq!(r.h("accept-ranges"), None);
    assert_eq!(r.h("vary"), Some("Accept-Encoding"));
    // What describes the stored bytes stays: their CRC-64 and MD5.
    assert_eq!(
        r.h("x-oss-hash-crc64ecma").unwrap(),
        ossemu_store::crc64(&text).to_string()
    );
    assert_eq!(r.h("content-md5"), Some(md5_b64(&text).as_str()));
    assert!(r.body.len() < text.len() / 20, "{} bytes", r.body.len());
    assert_eq!(gunzip(&r.body), text);
    // The compressed body arrives in several chunks, not as one buffer.
    let mut st = get("/gzip/big.txt").send_streaming().await;
    let mut chunks = 0;
    let mut all = Vec::new();
    while let Some(c) = st.chunk().await {
        all.extend_from_slice(&c.unwrap());
        chunks += 1;
    }
    assert!(chunks > 1, "{chunks} chunk(s)");
    assert_eq!(gunzip(&all), text);
    // HEAD says so too, without a length.
    let h = s
        .req("HEAD", "/gzip/big.txt")
        .oss()
        .header("accept-encoding", "gzip")
        .send()
        .await;
    assert_eq!(h.h("content-encoding"), Some("gzip"));
    assert_eq!(h.h("content-length"), None);
}

#[tokio::test]
async fn what_is_not_compressed() {
    let s = Server::start().await;
    s.bucket("plain").await;
    let text = vec![b'a'; 4096];
    put_typed(&s, "/plain/a.txt", "text/plain", text.clone()).await;
    put_typed(&s, "/plain/small.txt", "text/plain", vec![b'a'; 1023]).await;
    put_typed(&s, "/plain/img.png", "image/png", text.clone()).await;
    let get = |path: &str| s.req("GET", path).oss().header("accept-encoding", "gzip");
    // A range, a small object, a type OSS does not compress, no Accept-Encoding, S3.
    let r = get("/plain/a.txt")
        .header("range", "bytes=0-99")
        .send()
        .await;
    assert_eq!((r.status, r.h("content-encoding")), (206, None));
    assert_eq!(r.body.len(), 100);
    for path in ["/plain/small.txt", "/plain/img.png"] {
        let r = get(path).send().await;
        assert_eq!(r.h("content-encoding"), None, "{path}");
        assert!(r.h("content-length").is_some());
    }
    let r = s.req("GET", "/plain/a.txt").oss().send().await;
    assert_eq!(r.h("content-encoding"), None);
    assert_eq!(r.h("content-length"), Some("4096"));
    let r = s
        .req("GET", "/plain/a.txt")
        .s3()
        .header("accept-encoding", "gzip")
        .send()
        .await;
    assert_eq!(r.h("content-encoding"), None);
    assert_eq!(r.body.as_ref(), text.as_slice());
    let r = s
        .req("GET", "/plain/a.txt")
        .oss()
        .header("accept-encoding", "gzip;q=0")
        .send()
        .await;
    assert_eq!(r.h("content-encoding"), None);
    // An object stored with its own encoding is sent as stored.
    let r = s
        .req("PUT", "/plain/pre.txt")
        .oss()
        .header("content-type", "text/plain")
        .header("content-encoding", "identity")
        .body(text.clone())
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = get("/plain/pre.txt").send().await;
    assert_eq!(r.h("content-encoding"), Some("identity"));
    assert_eq!(r.body.as_ref(), text.as_slice());
}
