//! `ossemu::TestServer`, the in-process server other crates' tests start: signed round trips
//! with a signer written here from the OSS V1 rules (not the server's own code), its
//! buckets, credentials and clock, and that dropping it stops it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use hmac::{KeyInit, Mac};
use ossemu::TestServer;

use crate::support::{Resp, Server};

/// One HTTP/1.1 exchange over a fresh connection: (status, body).
fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, String) {
    let mut tcp = TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "{head}Host: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    tcp.write_all(body).unwrap();
    let mut reply = String::new();
    tcp.read_to_string(&mut reply).unwrap();
    let status = reply[9..12].parse().unwrap();
    let body = reply.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

/// A request signed with OSS V1 (`Authorization: OSS ak:signature`), no body headers.
fn oss_v1(
    addr: SocketAddr,
    method: &str,
    path: &str,
    ak: &str,
    sk: &str,
    body: &[u8],
) -> (u16, String) {
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    // The resource of a bucket ends with `/`; sub-resources follow as they are.
    let (at, sub) = path.split_once('?').map_or((path, ""), |(p, q)| (p, q));
    let bucket_only = at.len() > 1 && !at[1..].contains('/');
    let resource = format!(
        "{at}{}{}{sub}",
        if bucket_only { "/" } else { "" },
        if sub.is_empty() { "" } else { "?" }
    );
    // VERB, Content-MD5, Content-Type, Date, then the resource: no x-oss-* headers are sent.
    let to_sign = format!("{method}\n\n\n{date}\n{resource}");
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(sk.as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    use base64::Engine;
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let head = format!(
        "{method} {path} HTTP/1.1\r\nDate: {date}\r\nAuthorization: OSS {ak}:{signature}\r\n"
    );
    exchange(addr, &head, body)
}

#[test]
fn a_signed_round_trip_in_a_plain_test() {
    let server = TestServer::builder().bucket("fixture").start().unwrap();
    let addr = server.addr();
    assert_eq!(server.endpoint(), format!("http://{addr}"));
    assert!(addr.ip().is_loopback());
    let (ak, sk) = (server.access_key(), server.secret_key());
    assert_eq!((ak, sk), ("ossemu", "ossemu-secret"));
    assert_eq!(server.region(), "oss-cn-hangzhou");

    let (status, text) = oss_v1(addr, "PUT", "/fixture/hello.txt", ak, sk, b"hello");
    assert_eq!(status, 200, "{text}");
    let (status, text) = oss_v1(addr, "GET", "/fixture/hello.txt", ak, sk, b"");
    assert_eq!((status, text.as_str()), (200, "hello"));
    // The server checks signatures: another secret is refused.
    let (status, text) = oss_v1(addr, "GET", "/fixture/hello.txt", ak, "not-the-secret", b"");
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );
    // The bucket the builder asked for is private and owned by the default credential.
    let (status, text) = oss_v1(addr, "GET", "/fixture?acl", ak, sk, b"");
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("<Grant>private</Grant>"), "{text}");
    let (status, _) = exchange(addr, "GET /fixture/hello.txt HTTP/1.1\r\n", b"");
    assert_eq!(status, 403);
}

#[test]
fn credentials_public_buckets_and_flags_come_from_the_builder() {
    let server = TestServer::builder()
        .credentials("tester", "tester-secret")
        .bucket_with_acl("open", "public-read-write")
        .args(["--region", "oss-cn-shanghai"])
        .start()
        .unwrap();
    let addr = server.addr();
    assert_eq!(server.access_key(), "tester");
    assert_eq!(server.secret_key(), "tester-secret");
    assert_eq!(server.region(), "oss-cn-shanghai");
    // Anyone may write to and read from a public-read-write bucket.
    let (status, text) = exchange(addr, "PUT /open/anon.txt HTTP/1.1\r\n", b"anonymous");
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        exchange(addr, "GET /open/anon.txt HTTP/1.1\r\n", b"").1,
        "anonymous"
    );
    // The default credential is replaced, not added to.
    let (status, text) = oss_v1(addr, "GET", "/", "ossemu", "ossemu-secret", b"");
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("<Code>InvalidAccessKeyId</Code>"), "{text}");
    let (status, text) = oss_v1(
        addr,
        "GET",
        "/open?location",
        "tester",
        "tester-secret",
        b"",
    );
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("oss-cn-shanghai"), "{text}");
}

#[test]
fn mistakes_are_errors_and_a_dropped_server_stops() {
    let e = TestServer::builder()
        .arg("--no-such-flag")
        .start()
        .unwrap_err();
    assert!(format!("{e:#}").contains("--no-such-flag"), "{e:#}");
    let e = TestServer::builder().bucket("No_Such").start().unwrap_err();
    assert!(format!("{e:#}").contains("No_Such"), "{e:#}");

    let server = TestServer::start().unwrap();
    let addr = server.addr();
    assert_eq!(
        exchange(addr, "GET /_ossemu/health HTTP/1.1\r\n", b"").0,
        200
    );
    drop(server);
    let refused = TcpStream::connect(addr).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn a_configuration_file_declares_buckets_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ossemu.toml");
    std::fs::write(
        &file,
        "access_key = \"from-file\"\nsecret_key = \"file-secret\"\n[[buckets]]\nname = \"declared\"\nacl = \"public-read\"\n",
    )
    .unwrap();
    let server = TestServer::builder()
        .config_file(&file)
        .bucket("also")
        .start()
        .unwrap();
    let addr = server.addr();
    assert_eq!(
        (server.access_key(), server.secret_key()),
        ("from-file", "file-secret")
    );
    let (status, text) = oss_v1(addr, "GET", "/", "from-file", "file-secret", b"");
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains("<Name>declared</Name>") && text.contains("<Name>also</Name>"),
        "{text}"
    );
    server.stop().unwrap();
}

/// In an async test too; the clock moves a WORM period past its end.
#[tokio::test]
async fn the_clock_moves_in_an_async_test() {
    const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);
    let server = TestServer::builder().bucket("worm").start().unwrap();
    let client = Server::detached(server.addr());
    let r = client.req("PUT", "/worm/k").oss().body("kept").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = client
        .req("POST", "/worm?worm")
        .oss()
        .body("<InitiateWormConfiguration><RetentionPeriodInDays>1</RetentionPeriodInDays></InitiateWormConfiguration>")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.h("x-oss-worm-id").unwrap().to_string();
    let r: Resp = client
        .req("POST", &format!("/worm?wormId={id}"))
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    client
        .req("DELETE", "/worm/k")
        .oss()
        .send()
        .await
        .assert_error(409, "FileImmutable");
    server.advance_clock(DAY + std::time::Duration::from_secs(1));
    assert_eq!(
        client.req("DELETE", "/worm/k").oss().send().await.status,
        204
    );
}

/// The README's "In your tests" examples are copies of examples that run as tests: the crate
/// doc example here, and the contrib packages' README examples, which their own tests run.
#[test]
fn readme_examples_are_copies_of_tested_ones() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read_to_string(format!("{root}/{p}")).unwrap();
    let crate_doc: String = read("src/lib.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//! ").or(l.strip_prefix("//!")))
        .map(|l| format!("{l}\n"))
        .collect();
    let sources = [
        crate_doc,
        read("contrib/python/pytest-ossemu/README.md"),
        read("contrib/python/testcontainers-ossemu/README.md"),
        read("contrib/node/testcontainers-ossemu/README.md"),
        read("contrib/rust/testcontainers-ossemu/README.md"),
    ];
    let readme = read("README.md");
    let start = readme.find("\n## In your tests\n").expect("the section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let blocks: Vec<&str> = section
        .split("\n```")
        .skip(1)
        .step_by(2)
        .map(|b| b.split_once('\n').unwrap().1)
        .collect();
    assert!(blocks.len() >= 5, "{} examples", blocks.len());
    for b in blocks {
        assert!(
            sources.iter().any(|s| s.contains(b)),
            "this README example is not a copy of a tested one:\n{b}"
        );
    }
}
