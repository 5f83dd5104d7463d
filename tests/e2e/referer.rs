//! OSS hotlink protection (`?referer`): the configuration round trip, and the check on
//! anonymous requests and presigned URLs (never on requests signed in the header).

use crate::support::*;

const CONF: &str = "<RefererConfiguration>\
    <AllowEmptyReferer>false</AllowEmptyReferer>\
    <RefererList><Referer>http://*.example.com</Referer><Referer>https://www.?.org</Referer></RefererList>\
    <RefererBlacklist><Referer>http://bad.example.com</Referer></RefererBlacklist>\
    </RefererConfiguration>";

async fn public_bucket(s: &Server, name: &str) {
    let r = s
        .req("PUT", &format!("/{name}"))
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.put(name, "pic.png", "picture").await;
}

async fn put_conf(s: &Server, bucket: &str, xml: &str) {
    let r = s
        .req("PUT", &format!("/{bucket}?referer"))
        .oss()
        .body(xml.to_string())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn anon_get(s: &Server, path: &str, referer: Option<&str>) -> Resp {
    let mut r = s.req("GET", path);
    if let Some(v) = referer {
        r = r.header("Referer", v);
    }
    r.send().await
}

fn assert_denied(r: &Resp, ec: &str) {
    r.assert_error(403, "AccessDenied");
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("You are denied by bucket referer policy.")
    );
    assert_eq!(r.xml("EC").as_deref(), Some(ec));
    assert_eq!(r.h("x-oss-ec"), Some(ec));
}

#[tokio::test]
async fn default_and_round_trip() {
    let s = Server::start().await;
    s.bucket("ref").await;
    let r = s.req("GET", "/ref?referer").oss().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("AllowEmptyReferer").as_deref(), Some("true"));
    assert_eq!(r.xml("AllowTruncateQueryString").as_deref(), Some("true"));
    assert_eq!(r.xml("TruncatePath").as_deref(), Some("false"));
    assert!(r.xml_all("Referer").is_empty());
    put_conf(&s, "ref", CONF).await;
    let r = s.req("GET", "/ref?referer").oss().send().await;
    assert_eq!(r.xml("AllowEmptyReferer").as_deref(), Some("false"));
    assert_eq!(
        r.xml_all("Referer"),
        [
            "http://*.example.com",
            "https://www.?.org",
            "http://bad.example.com"
        ]
    );
    let bad =
        "<RefererConfiguration><AllowEmptyReferer>maybe</AllowEmptyReferer></RefererConfiguration>";
    s.req("PUT", "/ref?referer")
        .oss()
        .body(bad)
        .send()
        .await
        .assert_error(400, "MalformedXML");
    // Owner-only: anonymous requests may neither read nor change it.
    s.req("GET", "/ref?referer")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn anonymous_reads_follow_the_policy() {
    let s = Server::start().await;
    public_bucket(&s, "pub").await;
    // Without a configuration anyone reads, with or without a Referer.
    assert_eq!(anon_get(&s, "/pub/pic.png", None).await.status, 200);
    put_conf(&s, "pub", CONF).await;
    assert_denied(&anon_get(&s, "/pub/pic.png", None).await, "0003-00000501");
    assert_denied(
        &anon_get(&s, "/pub/pic.png", Some("")).await,
        "0003-00000501",
    );
    assert_denied(
        &anon_get(&s, "/pub/pic.png", Some("http://bad.example.com")).await,
        "0003-00000502",
    );
    assert_denied(
        &anon_get(&s, "/pub/pic.png", Some("http://other.net")).await,
        "0003-00000503",
    );
    let ok = anon_get(&s, "/pub/pic.png", Some("http://img.example.com")).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.text(), "picture");
    // `?` is one character; the query string is cut before matching, the path is not.
    let ok = anon_get(&s, "/pub/pic.png", Some("https://www.a.org?from=x")).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_denied(
        &anon_get(&s, "/pub/pic.png", Some("https://www.ab.org")).await,
        "0003-00000503",
    );
    assert_denied(
        &anon_get(&s, "/pub/pic.png", Some("http://img.example.com/page.html")).await,
        "0003-00000503",
    );
    // Listing is checked too.
    assert_denied(&anon_get(&s, "/pub", None).await, "0003-00000501");
    // TruncatePath keeps only scheme and host.
    let conf = CONF.replace(
        "<AllowEmptyReferer>false</AllowEmptyReferer>",
        "<AllowEmptyReferer>false</AllowEmptyReferer><TruncatePath>true</TruncatePath>",
    );
    put_conf(&s, "pub", &conf).await;
    let ok = anon_get(&s, "/pub/pic.png", Some("http://img.example.com/page.html")).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[tokio::test]
async fn header_signed_requests_are_not_checked_presigned_urls_are() {
    let s = Server::start().await;
    public_bucket(&s, "sig").await;
    put_conf(&s, "sig", CONF).await;
    let r = s
        .req("GET", "/sig/pic.png")
        .oss()
        .header("Referer", "http://bad.example.com")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/sig/pic.png").s3().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let url = format!("/sig/pic.png?OSSAccessKeyId={AK}&Expires=4000000000&Signature=x");
    let r = s.req("GET", &url).presign_oss(SK).send().await;
    assert_denied(&r, "0003-00000501");
    let r = s
        .req("GET", &url)
        .presign_oss(SK)
        .header("Referer", "http://bad.example.com")
        .send()
        .await;
    assert_denied(&r, "0003-00000502");
    let r = s
        .req("GET", &url)
        .presign_oss(SK)
        .header("Referer", "http://www.example.com")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "picture");
}
