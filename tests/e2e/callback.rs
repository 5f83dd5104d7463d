//! OSS upload callbacks, received by a callback server on loopback that checks OSS's
//! signature with the public key ossemu serves.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use md5::{Digest, Md5};
use rsa::pkcs8::DecodePublicKey;

use crate::support::*;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// One callback as the server received it, and whether its signature checked out.
#[derive(Clone, Debug)]
struct Received {
    path_query: String,
    host: String,
    content_type: String,
    body: String,
    verified: bool,
}

/// A callback server: answers `answer` with `status`, and records each request after
/// checking its signature against the key behind `x-oss-pub-key-url`.
async fn callback_server(
    status: u16,
    answer: &'static str,
) -> (SocketAddr, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let log = log.clone();
                        async move {
                            let got = receive(req).await;
                            log.lock().unwrap().push(got);
                            let mut r = hyper::Response::new(Full::new(Bytes::from_static(
                                answer.as_bytes(),
                            )));
                            *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                            Ok::<_, std::convert::Infallible>(r)
                        }
                    },
                );
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, svc)
                    .await;
            });
        }
    });
    (addr, seen)
}

async fn receive(req: hyper::Request<hyper::body::Incoming>) -> Received {
    let h = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (auth, key_url) = (h("authorization"), h("x-oss-pub-key-url"));
    let (host, content_type) = (h("host"), h("content-type"));
    let path_query = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8(body.to_vec()).unwrap();
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p.to_string(), format!("?{q}")),
        None => (path_query.clone(), String::new()),
    };
    let decoded = percent_encoding::percent_decode_str(&path).decode_utf8_lossy();
    let digest = Md5::digest(format!("{decoded}{query}\n{body}").as_bytes());
    let verified = verify(&key_url, &auth, &digest).await;
    Received {
        path_query,
        host,
        content_type,
        body,
        verified,
    }
}

/// Fetches the public key named by `x-oss-pub-key-url` and checks the signature with it.
async fn verify(key_url_b64: &str, auth_b64: &str, digest: &[u8]) -> bool {
    let Ok(url) = B64.decode(key_url_b64) else {
        return false;
    };
    let url = String::from_utf8(url).unwrap();
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let addr: SocketAddr = authority.parse().unwrap();
    let pem = Server::detached(addr).req("GET", path).send().await;
    assert_eq!(pem.status, 200, "{url}");
    let key = rsa::RsaPublicKey::from_public_key_pem(&pem.text()).unwrap();
    let sig = B64.decode(auth_b64).unwrap();
    key.verify(ossemu_api::callback::md5_padding(), digest, &sig)
        .is_ok()
}

fn callback_param(url: &str, body: &str, body_type: Option<&str>) -> String {
    let mut j = serde_json::json!({"callbackUrl": url, "callbackBody": body});
    if let Some(t) = body_type {
        j["callbackBodyType"] = t.into();
    }
    B64.encode(j.to_string())
}

#[tokio::test]
async fn put_object_callback_is_signed_and_answers_the_client() {
    let s = Server::start().await;
    s.bucket("cbok").await;
    let (addr, seen) = callback_server(200, r#"{"Status":"OK"}"#).await;
    let url = format!("http://{addr}/notify?id=7");
    let body = "bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mimeType=${mimeType}&who=${x:who}";
    let r = s
        .req("PUT", "/cbok/dir/a%20b.txt")
        .oss()
        .header("content-type", "text/plain")
        .header("x-oss-callback", &callback_param(&url, body, None))
        .header("x-oss-callback-var", &B64.encode(r#"{"x:who":"me & you"}"#))
        .body("hello")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), r#"{"Status":"OK"}"#);
    assert_eq!(r.h("content-type"), Some("application/json"));
    let etag = md5_hex(b"hello").to_ascii_uppercase();
    assert_eq!(r.h("etag"), Some(format!("\"{etag}\"").as_str()));
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let g = &got[0];
    assert!(g.verified, "{g:?}");
    assert_eq!(g.path_query, "/notify?id=7");
    assert_eq!(g.host, addr.to_string());
    assert_eq!(g.content_type, "application/x-www-form-urlencoded");
    assert_eq!(
        g.body,
        format!(
            "bucket=cbok&object=dir%2Fa+b.txt&etag={etag}&size=5&mimeType=text%2Fplain&who=me+%26+you"
        )
    );
    assert_eq!(
        s.req("GET", "/cbok/dir/a%20b.txt")
            .oss()
            .send()
            .await
            .text(),
        "hello"
    );
}

#[tokio::test]
async fn a_failed_callback_keeps_the_object_and_answers_203() {
    let s = Server::start().await;
    s.bucket("cbfail").await;
    // Nobody listens there (the port of a listener just closed).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let r = s
        .req("PUT", "/cbfail/k")
        .oss()
        .header(
            "x-oss-callback",
            &callback_param(&format!("{closed}/cb"), "o=${object}", None),
        )
        .body("kept")
        .send()
        .await;
    r.assert_error(203, "CallbackFailed");
    assert!(r.h("etag").is_some());
    assert_eq!(s.req("GET", "/cbfail/k").oss().send().await.text(), "kept");
    // A callback server answering something other than JSON fails the callback too.
    let (addr, seen) = callback_server(200, "not json").await;
    let r = s
        .req("PUT", "/cbfail/k2")
        .oss()
        .header(
            "x-oss-callback",
            &callback_param(&format!("{addr}/cb"), "o=${object}", None),
        )
        .body("kept too")
        .send()
        .await;
    r.assert_error(203, "CallbackFailed");
    assert_eq!(seen.lock().unwrap().len(), 1);
    // The second of two URLs is tried when the first fails.
    let (ok, seen) = callback_server(200, "{}").await;
    let urls = format!("{closed}/cb;{ok}/cb");
    let r = s
        .req("PUT", "/cbfail/k3")
        .oss()
        .header(
            "x-oss-callback",
            &callback_param(&urls, "o=${object}", None),
        )
        .body("x")
        .send()
        .await;
    assert_eq!((r.status, r.text()), (200, "{}".to_string()));
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_callback_parameters_store_nothing() {
    let s = Server::start().await;
    s.bucket("cbbad").await;
    let good = callback_param("127.0.0.1:9/cb", "o=${object}", None);
    let cases = [
        vec![("x-oss-callback", "not base64!".to_string())],
        vec![("x-oss-callback", B64.encode("{not json"))],
        vec![("x-oss-callback", callback_param("127.0.0.1:9/cb", "", None))],
        vec![("x-oss-callback", callback_param("h:test", "o", None))],
        vec![("x-oss-callback", callback_param("h", "o", Some("text/xml")))],
        vec![
            ("x-oss-callback", good.clone()),
            ("x-oss-callback-var", B64.encode("[1, 2]")),
        ],
    ];
    for headers in cases {
        let mut req = s.req("PUT", "/cbbad/k").oss().body("x");
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        req.send().await.assert_error(400, "InvalidArgument");
    }
    // Headers and URL parameters at once.
    s.req("PUT", &format!("/cbbad/k?callback={}", enc(&good)))
        .oss()
        .header("x-oss-callback", &good)
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    s.req("GET", "/cbbad/k")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchKey");
}

#[tokio::test]
async fn complete_multipart_and_post_object_callbacks() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/cbmp")
        .oss()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let (addr, seen) = callback_server(200, r#"{"done":true}"#).await;
    let json = r#"{"object":${object},"size":${size},"v":${x:v}}"#;
    let id = s
        .req("POST", "/cbmp/big?uploads")
        .oss()
        .send()
        .await
        .xml("UploadId")
        .unwrap();
    let p = s
        .req("PUT", &format!("/cbmp/big?partNumber=1&uploadId={id}"))
        .oss()
        .body("part one")
        .send()
        .await;
    let etag = p.h("etag").unwrap().to_string();
    let r = s
        .req("POST", &format!("/cbmp/big?uploadId={id}"))
        .oss()
        .header(
            "x-oss-callback",
            &callback_param(&format!("{addr}/mp"), json, Some("application/json")),
        )
        .header("x-oss-callback-var", &B64.encode(r#"{"x:v":"1"}"#))
        .body(format!(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
        ))
        .send()
        .await;
    assert_eq!((r.status, r.text()), (200, r#"{"done":true}"#.to_string()));
    {
        let got = seen.lock().unwrap();
        assert!(got[0].verified);
        assert_eq!(got[0].content_type, "application/json");
        assert_eq!(got[0].body, r#"{"object":"big","size":8,"v":"1"}"#);
    }
    // PostObject: the `callback` field and `x:` fields.
    let cb = callback_param(&format!("{addr}/form"), "k=${object}&f=${x:from}", None);
    let (ct, body) = crate::post_object::form(
        &[("key", "formed"), ("callback", &cb), ("x:from", "browser")],
        b"via form",
    );
    let r = s
        .req("POST", "/cbmp")
        .header("content-type", &ct)
        .body(body)
        .send()
        .await;
    assert_eq!((r.status, r.text()), (200, r#"{"done":true}"#.to_string()));
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert!(got[1].verified);
    assert_eq!(got[1].body, "k=formed&f=browser");
    assert_eq!(
        s.req("GET", "/cbmp/formed").oss().send().await.text(),
        "via form"
    );
}

/// `${imageInfo.*}` are the size and format of an image object, empty for anything else.
#[tokio::test]
async fn image_info_of_an_image_object() {
    let s = Server::start().await;
    s.bucket("cbimg").await;
    let (addr, seen) = callback_server(200, "{}").await;
    let body = "w=${imageInfo.width}&h=${imageInfo.height}&f=${imageInfo.format}";
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&640u32.to_be_bytes());
    png.extend_from_slice(&480u32.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0]);
    for (key, data) in [("pic.png", png), ("notes.txt", b"just text".to_vec())] {
        let r = s
            .req("PUT", &format!("/cbimg/{key}"))
            .oss()
            .header(
                "x-oss-callback",
                &callback_param(&format!("{addr}/i"), body, None),
            )
            .body(data)
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let got: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.body.clone())
        .collect();
    assert_eq!(got, ["w=640&h=480&f=png", "w=&h=&f="]);
}
