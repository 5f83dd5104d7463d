//! Against a running container (Docker and the image in OSSEMU_IMAGE): a signed round trip
//! with an OSS V1 signer written here from the rules, a wrong secret refused, a configuration
//! file, a failed start carrying the server's log, and the container gone once dropped.

use std::io::{Read, Write};

use hmac::{KeyInit, Mac};
use testcontainers_ossemu::Ossemu;

/// A request signed with OSS V1 (no body headers): (status, body).
fn oss_v1(
    endpoint: &str,
    method: &str,
    path: &str,
    ak: &str,
    sk: &str,
    body: &[u8],
) -> (u16, String) {
    use base64::Engine;
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let (at, sub) = path.split_once('?').unwrap_or((path, ""));
    let bucket_only = at.len() > 1 && !at[1..].contains('/');
    let resource = format!(
        "{at}{}{}{sub}",
        if bucket_only { "/" } else { "" },
        if sub.is_empty() { "" } else { "?" }
    );
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(sk.as_bytes()).unwrap();
    mac.update(format!("{method}\n\n\n{date}\n{resource}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let addr = endpoint.trim_start_matches("http://");
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nDate: {date}\r\nAuthorization: OSS {ak}:{signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    tcp.write_all(body).unwrap();
    let mut reply = String::new();
    tcp.read_to_string(&mut reply).unwrap();
    let status = reply[9..12].parse().unwrap();
    (status, reply.split_once("\r\n\r\n").unwrap().1.to_string())
}

#[tokio::test]
async fn a_signed_round_trip_and_a_wrong_secret() {
    let ossemu = Ossemu::default()
        .with_credentials("tester", "tester-secret")
        .with_bucket("signed")
        .start()
        .await
        .unwrap();
    let image = ossemu.image();
    let (endpoint, ak, sk) = (image.endpoint(), image.access_key(), image.secret_key());
    assert_eq!((ak, sk), ("tester", "tester-secret"));
    let (status, text) = oss_v1(&endpoint, "PUT", "/signed/k.txt", ak, sk, b"body");
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        oss_v1(&endpoint, "GET", "/signed/k.txt", ak, sk, b""),
        (200, "body".into())
    );
    let (status, text) = oss_v1(&endpoint, "GET", "/signed/k.txt", ak, "wrong", b"");
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );
}

#[tokio::test]
async fn a_configuration_file_and_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ossemu.toml");
    std::fs::write(
        &file,
        "[[buckets]]\nname = \"site\"\nacl = \"public-read\"\n",
    )
    .unwrap();
    let ossemu = Ossemu::default()
        .with_config(&file)
        .unwrap()
        .with_bucket("private-one")
        .start()
        .await
        .unwrap();
    let image = ossemu.image();
    let (status, text) = oss_v1(
        &image.endpoint(),
        "GET",
        "/",
        image.access_key(),
        image.secret_key(),
        b"",
    );
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains("<Name>site</Name>") && text.contains("<Name>private-one</Name>"),
        "{text}"
    );
    let (status, text) = oss_v1(
        &image.endpoint(),
        "GET",
        "/site?acl",
        image.access_key(),
        image.secret_key(),
        b"",
    );
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("<Grant>public-read</Grant>"), "{text}");
}

#[tokio::test]
async fn a_failed_start_names_the_problem_and_a_dropped_container_is_gone() {
    let err = Ossemu::default()
        .with_bucket("Bad_Name")
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Bad_Name"), "{err}");

    let ossemu = Ossemu::default().start().await.unwrap();
    let id = ossemu.id().to_string();
    drop(ossemu);
    let inspect = std::process::Command::new("docker")
        .args(["inspect", &id])
        .output()
        .unwrap();
    assert!(!inspect.status.success(), "container {id} is still there");
}
