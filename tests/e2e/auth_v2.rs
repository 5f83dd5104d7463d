//! OSS signature V2 (`Authorization: OSS2 …` and `x-oss-signature-version=OSS2` presigned
//! URLs), signed here independently of the server's code, by OSS's documented algorithm.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};

use crate::support::*;

/// OSS's V2 encoding: everything but `A-Z a-z 0-9 _ - ~ .` as `%XX`, `/` included.
fn v2_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'~' | b'.' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The V2 signature of a request: `headers` are the `(lower-case name, value)` pairs sent
/// (only `x-oss-*`, Content-MD5, Content-Type and the `additional` ones count), `query` the
/// decoded parameters besides the signature.
fn sign_v2(
    sk: &str,
    method: &str,
    date: &str,
    headers: &[(&str, &str)],
    additional: &[&str],
    resource: &str,
    query: &[(&str, &str)],
) -> String {
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| *k == n)
            .map_or("", |(_, v)| *v)
    };
    let mut signed: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-oss-") || additional.contains(k))
        .copied()
        .collect();
    signed.sort();
    let mut sts = format!(
        "{method}\n{}\n{}\n{date}\n",
        get("content-md5"),
        get("content-type")
    );
    for (k, v) in signed {
        sts.push_str(&format!("{k}:{v}\n"));
    }
    let mut extra = additional.to_vec();
    extra.sort();
    sts.push_str(&extra.join(";"));
    sts.push('\n');
    sts.push_str(&v2_encode(resource));
    let mut q: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (v2_encode(k), v2_encode(v)))
        .collect();
    q.sort();
    if !q.is_empty() {
        let parts: Vec<String> = q
            .into_iter()
            .map(|(k, v)| if v.is_empty() { k } else { format!("{k}={v}") })
            .collect();
        sts.push('?');
        sts.push_str(&parts.join("&"));
    }
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(sk.as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn now_http() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}

fn v2_header(ak: &str, additional: &[&str], sig: &str) -> String {
    if additional.is_empty() {
        format!("OSS2 AccessKeyId:{ak},Signature:{sig}")
    } else {
        format!(
            "OSS2 AccessKeyId:{ak},AdditionalHeaders:{},Signature:{sig}",
            additional.join(";")
        )
    }
}

#[tokio::test]
async fn oss2_header_signs_all_query_parameters_and_listed_headers() {
    let s = Server::start().await;
    s.bucket("sv2").await;
    let date = now_http();
    let hdrs = [
        ("content-type", "text/plain"),
        ("x-oss-meta-a", "1"),
        ("custom", "c"),
    ];
    let sig = sign_v2(SK, "PUT", &date, &hdrs, &["custom"], "/sv2/dir/a b", &[]);
    let r = s
        .req("PUT", "/sv2/dir/a%20b")
        .header("date", &date)
        .header("content-type", "text/plain")
        .header("x-oss-meta-a", "1")
        .header("custom", "c")
        .header("authorization", &v2_header(AK, &["custom"], &sig))
        .body("hello")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A listing signs its query parameters, which OSS V1 leaves out.
    let q = [("prefix", "dir/"), ("max-keys", "5")];
    let sig = sign_v2(SK, "GET", &date, &[], &[], "/sv2/", &q);
    let r = s
        .req("GET", "/sv2?prefix=dir%2F&max-keys=5")
        .header("date", &date)
        .header("authorization", &v2_header(AK, &[], &sig))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml_all("Key"), vec!["dir/a b".to_string()]);
    // The same signature with another query value does not match.
    let r = s
        .req("GET", "/sv2?prefix=other&max-keys=5")
        .header("date", &date)
        .header("authorization", &v2_header(AK, &[], &sig))
        .send()
        .await;
    r.assert_error(403, "SignatureDoesNotMatch");
    // A listed header changed after signing does not match either.
    let sig = sign_v2(
        SK,
        "GET",
        &date,
        &[("custom", "c")],
        &["custom"],
        "/sv2/dir/a b",
        &[],
    );
    let get = |value: &str| {
        s.req("GET", "/sv2/dir/a%20b")
            .header("date", &date)
            .header("custom", value)
            .header("authorization", &v2_header(AK, &["custom"], &sig))
    };
    let r = get("c").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "hello");
    get("changed")
        .send()
        .await
        .assert_error(403, "SignatureDoesNotMatch");
    let wrong = sign_v2("wrong", "GET", &date, &[], &[], "/sv2/", &[]);
    let r = s
        .req("GET", "/sv2")
        .header("date", &date)
        .header("authorization", &v2_header(AK, &[], &wrong))
        .send()
        .await;
    r.assert_error(403, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn oss2_header_checks_the_request_time() {
    let s = Server::start().await;
    s.bucket("skew").await;
    let date = now_http();
    let old = httpdate::fmt_http_date(
        std::time::SystemTime::now() - std::time::Duration::from_secs(86_400),
    );
    let hdrs = [("x-oss-date", old.as_str())];
    let sig = sign_v2(SK, "GET", &date, &hdrs, &[], "/skew/", &[]);
    let r = s
        .req("GET", "/skew")
        .header("date", &date)
        .header("x-oss-date", &old)
        .header("authorization", &v2_header(AK, &[], &sig))
        .send()
        .await;
    let msg = r.assert_error(403, "RequestTimeTooSkewed");
    assert!(msg.contains("too large"), "{msg}");
}

#[tokio::test]
async fn oss2_presigned_url_until_it_expires() {
    let s = Server::start().await;
    s.bucket("pre").await;
    s.put("pre", "k", "data").await;
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let url = |expires: u64| {
        let e = expires.to_string();
        let q = [
            ("x-oss-signature-version", "OSS2"),
            ("x-oss-expires", e.as_str()),
            ("x-oss-access-key-id", AK),
            ("x-oss-additional-headers", "range"),
        ];
        let sig = sign_v2(
            SK,
            "GET",
            &e,
            &[("range", "bytes=1-2")],
            &["range"],
            "/pre/k",
            &q,
        );
        format!(
            "/pre/k?x-oss-signature-version=OSS2&x-oss-expires={e}&x-oss-access-key-id={AK}\
             &x-oss-additional-headers=range&x-oss-signature={}",
            v2_encode(&sig)
        )
    };
    let r = s
        .req("GET", &url(unix + 600))
        .header("range", "bytes=1-2")
        .send()
        .await;
    assert_eq!(r.status, 206, "{}", r.text());
    assert_eq!(r.text(), "at");
    let r = s
        .req("GET", &url(unix + 600))
        .header("range", "bytes=0-2")
        .send()
        .await;
    r.assert_error(403, "SignatureDoesNotMatch");
    let r = s
        .req("GET", &url(unix - 60))
        .header("range", "bytes=1-2")
        .send()
        .await;
    r.assert_error(403, "AccessDenied");
}
