//! Request bodies that stall, crawl or pile up: what they may hold in memory, and how long.

use std::time::Duration;

use base64::Engine;
use hmac::{KeyInit, Mac};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// A bucket anyone may write to, so that raw requests need no signature.
async fn open_bucket(s: &Server, name: &str) {
    let r = s
        .req("PUT", &format!("/{name}"))
        .oss()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Bytes in the files under `dir`.
fn dir_bytes(dir: &std::path::Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.map(|e| {
        let e = e.unwrap();
        let meta = e.metadata().unwrap();
        if meta.is_dir() {
            dir_bytes(&e.path())
        } else {
            meta.len()
        }
    })
    .sum()
}

/// Opens a connection and sends an anonymous PUT head announcing `len` body bytes.
async fn put_head(s: &Server, path: &str, len: usize) -> TcpStream {
    let mut c = TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {len}\r\n\r\n",
        s.addr
    );
    c.write_all(head.as_bytes()).await.unwrap();
    c
}

/// Reads until the server closes or a whole head and `Content-Length` body have arrived.
async fn response(c: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = match tokio::time::timeout(Duration::from_secs(20), c.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => n,
            _ => break,
        };
        out.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&out);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= len {
                break;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn a_stalled_upload_is_written_out_of_memory() {
    let s = Server::start().await;
    open_bucket(&s, "stall").await;
    let sent = 300 * 1024;
    let body: Vec<u8> = (0..2 * sent).map(|i| (i % 251) as u8).collect();
    let mut c = put_head(&s, "/stall/big", body.len()).await;
    c.write_all(&body[..sent]).await.unwrap();
    // The client pauses: what it sent goes to the temp file, and the request holds no memory
    // (the buffer is released just after its bytes reach the file, so wait for both).
    let tmp = s.dir.path().join("tmp");
    wait_until(|| dir_bytes(&tmp) == sent as u64 && s.state.buffers.used() == 0).await;
    let head = s.req("HEAD", "/stall/big").oss().send().await;
    assert_eq!(
        head.status, 404,
        "nothing is visible before the body is complete"
    );
    c.write_all(&body[sent..]).await.unwrap();
    let r = response(&mut c).await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let g = s.req("GET", "/stall/big").oss().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body.as_ref(), body.as_slice());
    assert_eq!(s.state.buffers.used(), 0);
}

#[tokio::test]
async fn a_body_slower_than_the_minimum_rate_times_out() {
    let s = Server::start_with(|c| {
        c.body_min_rate = 1000;
        c.body_rate_grace = Duration::from_secs(1);
    })
    .await;
    open_bucket(&s, "slow").await;
    // 500 bytes per second: under the minimum once the grace period is over.
    let mut c = put_head(&s, "/slow/crawl", 100_000).await;
    let (mut rd, mut wr) = c.split();
    let drip = async {
        for _ in 0..200 {
            if wr.write_all(&[b'x'; 100]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let read = async {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = rd.read(&mut buf).await {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&out).contains("</Error>") {
                break;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    let r = tokio::select! {
        r = read => r,
        _ = drip => String::from("the body was accepted to the end"),
    };
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    assert!(r.contains("<Code>RequestTimeout</Code>"), "{r}");
    assert!(r.contains("<RequestId>"), "{r}");
    let head = s.req("HEAD", "/slow/crawl").oss().send().await;
    assert_eq!(head.status, 404, "nothing is stored");
    wait_until(|| dir_bytes(&s.dir.path().join("tmp")) == 0).await;

    // A body above the minimum rate is taken, however long it takes.
    let mut c = put_head(&s, "/slow/steady", 4_000).await;
    for _ in 0..40 {
        c.write_all(&[b'y'; 100]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    let r = response(&mut c).await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let g = s.req("GET", "/slow/steady").oss().send().await;
    assert_eq!(g.body.as_ref(), &[b'y'; 4_000][..]);
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const BOUNDARY: &str = "----ossemuLimitsBoundary";

/// A form body: `fields` in order, then a small file part.
fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nform body\r\n--{BOUNDARY}--\r\n")
            .as_bytes(),
    );
    body
}

async fn post(s: &Server, bucket: &str, fields: &[(&str, &str)]) -> Resp {
    s.req("POST", &format!("/{bucket}"))
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form(fields))
        .send()
        .await
}

/// An OSS V1 policy allowing any key, and its signature.
fn signed_policy() -> (String, String) {
    let exp = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S.000Z");
    let policy = B64.encode(format!(
        "{{\"expiration\":\"{exp}\",\"conditions\":[[\"starts-with\",\"$key\",\"\"]]}}"
    ));
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(SK.as_bytes()).unwrap();
    mac.update(policy.as_bytes());
    let sig = B64.encode(mac.finalize().into_bytes());
    (policy, sig)
}

#[tokio::test]
async fn form_fields_are_read_only_a_little_way_before_a_signature() {
    let s = Server::start().await;
    s.bucket("forms").await;
    let pad = "p".repeat(40 * 1024);
    // No signature among the first 64 KiB: refused, nothing stored.
    let anon = [("key", "anon"), ("x-ignore-a", &pad), ("x-ignore-b", &pad)];
    let r = post(&s, "forms", &anon).await;
    r.assert_error(400, "MaxPOSTPreDataLengthExceeded");
    let msg = r.xml("Message").unwrap();
    assert!(msg.contains("65536 bytes before a signature"), "{msg}");
    assert_eq!(s.req("HEAD", "/forms/anon").oss().send().await.status, 404);
    // A signature that comes after the padding is never reached.
    let (policy, sig) = signed_policy();
    let late = [
        ("key", "late"),
        ("x-ignore-a", pad.as_str()),
        ("x-ignore-b", pad.as_str()),
        ("OSSAccessKeyId", AK),
        ("policy", policy.as_str()),
        ("Signature", sig.as_str()),
    ];
    post(&s, "forms", &late)
        .await
        .assert_error(400, "MaxPOSTPreDataLengthExceeded");
    // The same fields with the signature first are accepted.
    let signed = [
        ("key", "signed"),
        ("OSSAccessKeyId", AK),
        ("policy", policy.as_str()),
        ("Signature", sig.as_str()),
        ("x-ignore-a", pad.as_str()),
        ("x-ignore-b", pad.as_str()),
    ];
    let r = post(&s, "forms", &signed).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let g = s.req("GET", "/forms/signed").oss().send().await;
    assert_eq!(g.text(), "form body");
    assert_eq!(s.state.buffers.used(), 0);
}

#[tokio::test]
async fn a_spent_buffer_budget_answers_503_and_changes_nothing() {
    let s = Server::start_with(|c| c.buffer_budget = 8 * 1024).await;
    s.bucket("tight").await;
    let (policy, sig) = signed_policy();
    let pad = "p".repeat(10 * 1024);
    let fields = [
        ("key", "big-form"),
        ("OSSAccessKeyId", AK),
        ("policy", policy.as_str()),
        ("Signature", sig.as_str()),
        ("x-ignore-pad", pad.as_str()),
    ];
    let r = post(&s, "tight", &fields).await;
    r.assert_error(503, "ServiceUnavailable");
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("Please reduce your request rate.")
    );
    assert_eq!(
        s.req("HEAD", "/tight/big-form").oss().send().await.status,
        404
    );
    // An XML body over the budget is turned away the same way.
    let tags: String = (0..10)
        .map(|i| {
            format!(
                "<Tag><Key>k{i}</Key><Value>{}</Value></Tag>",
                "v".repeat(250)
            )
        })
        .collect();
    let xml = format!("<Tagging><TagSet>{tags}</TagSet></Tagging>");
    s.put("tight", "obj", "x").await;
    let r = s
        .req("PUT", "/tight/obj?tagging")
        .oss()
        .body(xml.repeat(4))
        .send()
        .await;
    r.assert_error(503, "ServiceUnavailable");
    // Uploads are not refused: their buffers are written out instead.
    let big = vec![7u8; 3 << 20];
    let r = s.put("tight", "upload", big.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        s.req("GET", "/tight/upload").oss().send().await.body.len(),
        big.len()
    );
    // Once the requests are gone the budget is whole again: a small form goes through.
    assert_eq!(s.state.buffers.used(), 0);
    let small = [
        ("key", "small-form"),
        ("OSSAccessKeyId", AK),
        ("policy", policy.as_str()),
        ("Signature", sig.as_str()),
    ];
    let r = post(&s, "tight", &small).await;
    assert_eq!(r.status, 204, "{}", r.text());
}
