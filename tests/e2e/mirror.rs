//! Mirroring-based back-to-origin against a real origin on loopback.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::origin::{Origin, Reply};
use crate::support::*;

/// A public-read bucket whose rule 1 mirrors every 404 from `origin`, with extra Redirect
/// elements.
async fn mirrored(s: &Server, bucket: &str, mirror_url: &str, extra: &str) {
    let r = s
        .req("PUT", &format!("/{bucket}"))
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let cfg = format!(
        "<WebsiteConfiguration><ErrorDocument><Key>error.html</Key></ErrorDocument><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{mirror_url}</MirrorURL>{extra}</Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>"
    );
    let r = s
        .req("PUT", &format!("/{bucket}?website"))
        .oss()
        .body(cfg)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

fn stored(s: &Server, bucket: &str, key: &str) -> Option<ossemu_store::ObjectRecord> {
    s.state.store.meta().get_object(bucket, key).unwrap()
}

async fn settle(s: &Server) {
    wait_until(|| s.state.mirror.in_flight() == 0).await;
}

/// `--memory`: a mirrored object streams, is kept and is served again, and nothing of it (nor
/// of any other write) ever reaches the disk.
#[tokio::test]
async fn memory_mode_mirrors_and_keeps_nothing_on_disk() {
    let s = Server::start_in_memory().await;
    let o = Origin::start().await;
    let body = data(700_000);
    o.file(
        "/o/big.bin",
        &body,
        &[("content-type", "application/x-test")],
    );
    mirrored(&s, "mem", &format!("{}o/", o.url()), "").await;
    let r = s.req("GET", "/mem/big.bin").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body == body);
    settle(&s).await;
    assert_eq!(stored(&s, "mem", "big.bin").unwrap().etag, md5_hex(&body));
    let again = s.req("GET", "/mem/big.bin").send().await;
    assert!(again.body == body);
    assert_eq!(
        again.h("etag"),
        Some(format!("\"{}\"", md5_hex(&body).to_uppercase()).as_str())
    );
    s.put("mem", "plain.txt", "hello").await;
    assert_eq!(s.state.store.blob_count().unwrap(), 2);
    let entries = std::fs::read_dir(s.dir.path()).unwrap().count();
    assert_eq!(entries, 0, "nothing on disk");
}

#[tokio::test]
async fn first_get_streams_and_stores_second_is_local() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let body = data(300_000);
    o.file(
        "/dir1/image/example_object.jpg",
        &body,
        &[
            ("content-type", "image/jpeg"),
            ("cache-control", "max-age=60"),
            ("content-disposition", "inline"),
            ("access-control-allow-origin", "*"),
            ("x-private-origin-header", "not kept"),
        ],
    );
    mirrored(&s, "mir", &format!("{}dir1/", o.url()), "").await;
    let r = s.req("GET", "/mir/image/example_object.jpg").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body == body);
    assert_eq!(r.h("content-type"), Some("image/jpeg"));
    assert_eq!(r.h("content-length"), Some("300000"));
    assert_eq!(r.h("cache-control"), Some("max-age=60"));
    assert_eq!(r.h("x-ossemu-rule"), Some("1"));
    let tag = format!(
        "MIRROR http%3a%2f%2f127.0.0.1%3a{}%2fdir1%2fimage%2fexample_object.jpg",
        o.addr.port()
    );
    assert_eq!(r.h("x-oss-tag"), Some(tag.as_str()));
    assert!(r.h("x-private-origin-header").is_none());
    settle(&s).await;
    let rec = stored(&s, "mir", "image/example_object.jpg").unwrap();
    assert_eq!(rec.etag, md5_hex(&body));
    assert_eq!(rec.size, 300_000);

    // The second GET is served locally, still tagged.
    let r = s.req("GET", "/mir/image/example_object.jpg").send().await;
    assert!(r.body == body);
    assert_eq!(r.h("x-oss-tag"), Some(tag.as_str()));
    assert_eq!(
        r.h("etag"),
        Some(format!("\"{}\"", md5_hex(&body).to_uppercase()).as_str())
    );
    assert_eq!(r.h("access-control-allow-origin"), Some("*"));
    assert_eq!(r.h("content-disposition"), Some("inline"));
    assert!(r.h("x-ossemu-rule").is_none());
    let h = s.req("HEAD", "/mir/image/example_object.jpg").send().await;
    assert_eq!(h.h("x-oss-tag"), Some(tag.as_str()));
    assert_eq!(o.hits("/dir1/image/example_object.jpg").len(), 1);
    // No client header was forwarded by default.
    let hit = &o.hits("/dir1/image/example_object.jpg")[0];
    assert!(hit.header("authorization").is_none());

    // Overwriting the object drops the tag; deleting it re-arms the rule.
    s.put("mir", "image/example_object.jpg", "mine").await;
    assert!(
        s.req("GET", "/mir/image/example_object.jpg")
            .send()
            .await
            .h("x-oss-tag")
            .is_none()
    );
    s.req("DELETE", "/mir/image/example_object.jpg")
        .oss()
        .send()
        .await;
    let r = s.req("GET", "/mir/image/example_object.jpg").send().await;
    assert!(r.body == body);
    assert_eq!(o.hits("/dir1/image/example_object.jpg").len(), 2);
}

#[tokio::test]
async fn a_client_with_the_whole_body_finds_the_object_stored() {
    // The last byte (the end of a chunked body) leaves only after the commit, so the very
    // next request, without waiting, sees the stored object: ETag, listing, no rule.
    let s = Server::start().await;
    let o = Origin::start().await;
    mirrored(&s, "readback", &o.url(), "").await;
    for i in 0..10 {
        let (path, body) = (format!("/k{i}"), data(20_000 + i));
        if i % 2 == 0 {
            o.file(&path, &body, &[]);
        } else {
            let chunks = body.chunks(7_000).map(<[u8]>::to_vec).collect();
            o.route(&path, Reply::Chunked(chunks));
        }
        let r = s.req("GET", &format!("/readback{path}")).send().await;
        assert_eq!(r.status, 200);
        assert!(r.body == body);
        assert_eq!(r.h("x-ossemu-rule"), Some("1"));
        let again = s.req("GET", &format!("/readback{path}")).send().await;
        assert!(again.body == body);
        assert!(
            again.h("x-ossemu-rule").is_none(),
            "request {i} joined the fetch"
        );
        let etag = format!("\"{}\"", md5_hex(&body).to_uppercase());
        assert_eq!(again.h("etag"), Some(etag.as_str()));
        let list = s.req("GET", "/readback?prefix=k").send().await;
        assert!(list.text().contains(&format!("<Key>k{i}</Key>")));
    }
    assert_eq!(o.hits("/k3").len(), 1);
}

#[tokio::test]
async fn bytes_reach_the_client_while_the_origin_is_still_sending() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let gate = Arc::new(Notify::new());
    let body = data(2_000_000);
    o.route(
        "/big",
        Reply::Gated {
            body: body.clone(),
            gate: gate.clone(),
        },
    );
    mirrored(&s, "live", &o.url(), "").await;
    let mut r = s.req("GET", "/live/big").send_streaming().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers.get("content-length").unwrap(), "2000000");
    // The first half arrives before the origin sends the rest.
    let mut got = Vec::new();
    while got.len() < 1_000_000 {
        got.extend_from_slice(&r.chunk().await.unwrap().unwrap());
    }
    assert!(
        stored(&s, "live", "big").is_none(),
        "not committed before the body is complete"
    );
    gate.notify_one();
    got.extend(r.rest().await.unwrap());
    assert!(got == body);
    settle(&s).await;
    assert!(stored(&s, "live", "big").is_some());
}

#[tokio::test]
async fn concurrent_misses_make_one_origin_request() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let gate = Arc::new(Notify::new());
    let body = data(500_000);
    o.route(
        "/shared",
        Reply::Gated {
            body: body.clone(),
            gate: gate.clone(),
        },
    );
    mirrored(&s, "many", &o.url(), "").await;
    let mut clients = Vec::new();
    for _ in 0..20 {
        clients.push(s.req("GET", "/many/shared").send_streaming().await);
    }
    gate.notify_one();
    for c in clients {
        assert_eq!(c.status, 200);
        assert!(c.rest().await.unwrap() == body);
    }
    settle(&s).await;
    assert_eq!(o.hits("/shared").len(), 1);
    // Late arrivals read the stored object.
    assert!(s.req("GET", "/many/shared").send().await.body == body);
    assert_eq!(o.hits("/shared").len(), 1);
}

#[tokio::test]
async fn client_disconnect_does_not_stop_the_fetch() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let gate = Arc::new(Notify::new());
    let body = data(800_000);
    o.route(
        "/left",
        Reply::Gated {
            body: body.clone(),
            gate: gate.clone(),
        },
    );
    mirrored(&s, "leave", &o.url(), "").await;
    let mut r = s.req("GET", "/leave/left").send_streaming().await;
    let _ = r.chunk().await;
    r.hang_up();
    gate.notify_one();
    settle(&s).await;
    let rec = stored(&s, "leave", "left").expect("stored after the client left");
    assert_eq!(rec.etag, md5_hex(&body));
}

#[tokio::test]
async fn truncated_or_reset_origin_stores_nothing_and_aborts_the_client() {
    let s = Server::start().await;
    let o = Origin::start().await;
    o.route(
        "/short",
        Reply::Truncated {
            declared: 500_000,
            sent: data(200_000),
        },
    );
    mirrored(&s, "trunc", &o.url(), "").await;
    let r = s.req("GET", "/trunc/short").send_streaming().await;
    assert_eq!(r.status, 200);
    assert!(
        r.rest().await.is_err(),
        "a truncated body is an aborted transfer, never a clean end"
    );
    settle(&s).await;
    assert!(stored(&s, "trunc", "short").is_none());
    assert_eq!(count_files(&s.dir.path().join("tmp")), 0);
    assert_eq!(count_files(&s.dir.path().join("blobs")), 0);
    // Chunked origins stream chunked and are stored when complete.
    o.route(
        "/chunks",
        Reply::Chunked(vec![b"one ".to_vec(), b"two ".to_vec(), b"three".to_vec()]),
    );
    let r = s.req("GET", "/trunc/chunks").send().await;
    assert_eq!(r.text(), "one two three");
    assert!(r.h("content-length").is_none());
    assert_eq!(r.h("transfer-encoding"), Some("chunked"));
    settle(&s).await;
    assert_eq!(stored(&s, "trunc", "chunks").unwrap().size, 13);
}

#[tokio::test]
async fn md5_check() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let body = b"checked body".to_vec();
    o.file("/good", &body, &[("content-md5", &md5_b64(&body))]);
    o.file(
        "/bad",
        &body,
        &[("content-md5", &md5_b64(b"something else"))],
    );
    mirrored(&s, "md5", &o.url(), "<MirrorCheckMd5>true</MirrorCheckMd5>").await;
    assert_eq!(s.req("GET", "/md5/good").send().await.body, body);
    // Either the failure is known before the response head (424), or the transfer is cut.
    let r = s.req("GET", "/md5/bad").send_streaming().await;
    if r.status == 424 {
        assert!(
            String::from_utf8(r.rest().await.unwrap())
                .unwrap()
                .contains("MD5 in header() is not equal to MD5 calculated")
        );
    } else {
        assert_eq!(r.status, 200);
        assert!(r.rest().await.is_err(), "never a clean end");
    }
    settle(&s).await;
    assert!(stored(&s, "md5", "good").is_some());
    assert!(stored(&s, "md5", "bad").is_none());
}

#[tokio::test]
async fn origin_errors_become_424_or_404() {
    let s = Server::start().await;
    let o = Origin::start().await;
    o.route(
        "/boom",
        Reply::Body {
            status: 500,
            headers: vec![],
            body: b"oops".to_vec(),
        },
    );
    mirrored(&s, "errs", &o.url(), "").await;
    s.put("errs", "error.html", "the error page").await;
    let r = s.req("GET", "/errs/boom").send().await;
    let body = r.assert_error(424, "MirrorFailed");
    assert!(
        body.contains(
            "<Message>Error status : 500 from mirror host, should return 200 OK</Message>"
        ),
        "{body}"
    );
    assert!(body.contains("<EC>0041-00000101</EC>"));
    assert_eq!(r.h("x-ossemu-rule"), Some("1"));
    // Origin 404: the error document with 404.
    let r = s.req("GET", "/errs/nowhere").send().await;
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), "the error page");
    // A refused connection.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    mirrored(&s, "refused", &format!("http://{closed}/"), "").await;
    let body = s
        .req("GET", "/refused/x")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    assert!(body.contains("Error status : 0 from mirror host"), "{body}");
}

#[tokio::test]
async fn redirects_followed_or_passed_on() {
    let s = Server::start().await;
    let o = Origin::start().await;
    for i in 0..12 {
        o.route(
            &format!("/hop{i}"),
            Reply::Redirect(302, format!("/hop{}", i + 1)),
        );
    }
    o.file("/hop12", b"landed", &[]);
    o.route("/short-chain", Reply::Redirect(301, "/hop10".into()));
    mirrored(&s, "follow", &o.url(), "").await;
    assert_eq!(
        s.req("GET", "/follow/short-chain").send().await.text(),
        "landed"
    );
    let body = s
        .req("GET", "/follow/hop0")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    assert!(
        body.contains("Mirroring failed"),
        "more than 10 hops: {body}"
    );
    mirrored(
        &s,
        "nofollow",
        &o.url(),
        "<MirrorFollowRedirect>false</MirrorFollowRedirect>",
    )
    .await;
    // The origin's 3xx is passed on as a rule's redirect: through the standard endpoint it
    // is 400 ExternalRedirectForbidden carrying the Location, as for External rules ...
    let r = s.req("GET", "/nofollow/hop3").send().await;
    let body = r.assert_error(400, "ExternalRedirectForbidden");
    assert!(body.contains("<EC>0048-00000300</EC>"), "{body}");
    assert_eq!(r.h("location"), Some("/hop4"));
    assert_eq!(r.h("x-ossemu-rule"), Some("1"));
    // ... and through a custom domain the 302 itself.
    let r = s
        .req("POST", "/nofollow?cname&comp=add")
        .oss()
        .body("<BucketCnameConfiguration><Cname><Domain>nofollow.example.test</Domain></Cname></BucketCnameConfiguration>")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("GET", "/hop3")
        .host("nofollow.example.test")
        .host_bucket("nofollow")
        .send()
        .await;
    assert_eq!(r.status, 302);
    assert_eq!(r.h("location"), Some("/hop4"));
    assert_eq!(r.h("x-ossemu-rule"), Some("1"));
    assert!(stored(&s, "nofollow", "hop3").is_none());
}

#[tokio::test]
async fn headers_and_query_to_the_origin() {
    let s = Server::start().await;
    let o = Origin::start().await;
    o.file("/h", b"h", &[]);
    o.file("/q", b"q", &[]);
    // The console example: pass aaa, remove bbb, set ccc.
    let extra = "<MirrorHeaders><PassAll>false</PassAll><Pass>aaa-header</Pass><Remove>bbb-header</Remove><Set><Key>ccc-header</Key><Value>ccc</Value></Set></MirrorHeaders><MirrorPassQueryString>true</MirrorPassQueryString>";
    mirrored(&s, "hdrs", &o.url(), extra).await;
    let r = s
        .req("GET", "/hdrs/h")
        .header("aaa-header", "aaa")
        .header("bbb-header", "bbb")
        .header("ccc-header", "111")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let hit = &o.hits("/h")[0];
    assert_eq!(hit.header("aaa-header"), Some("aaa"));
    assert_eq!(hit.header("ccc-header"), Some("ccc"));
    assert!(hit.header("bbb-header").is_none());
    // The query is passed; signature parameters never are.
    let r = s
        .req("GET", "/hdrs/q?caller=lucas&production=oss")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(o.hits("/q")[0].target, "/q?caller=lucas&production=oss");
    // PassAll forwards everything except the reserved headers.
    o.file("/all", b"a", &[]);
    mirrored(
        &s,
        "passall",
        &o.url(),
        "<MirrorHeaders><PassAll>true</PassAll><Remove>x-drop</Remove></MirrorHeaders>",
    )
    .await;
    s.req("GET", "/passall/all")
        .header("x-keep", "1")
        .header("x-drop", "2")
        .header("x-oss-meta-a", "3")
        .header("range", "bytes=0-0")
        .oss()
        .send()
        .await;
    let hit = &o.hits("/all")[0];
    assert_eq!(hit.header("x-keep"), Some("1"));
    assert!(hit.header("x-drop").is_none());
    assert!(hit.header("x-oss-meta-a").is_none());
    assert!(hit.header("authorization").is_none());
    assert!(
        hit.header("range").is_none(),
        "the origin fetch is always whole"
    );
}

#[tokio::test]
async fn secondary_origin_takes_over() {
    let s = Server::start().await;
    let primary = Origin::start().await;
    let secondary = Origin::start().await;
    primary.route(
        "/f",
        Reply::Body {
            status: 503,
            headers: vec![],
            body: vec![],
        },
    );
    secondary.file("/f", b"from the secondary", &[]);
    let extra = format!(
        "<MirrorURLSlave>{}</MirrorURLSlave><MirrorURLProbe>{}probe</MirrorURLProbe>",
        secondary.url(),
        primary.url()
    );
    mirrored(&s, "failover", &primary.url(), &extra).await;
    assert_eq!(
        s.req("GET", "/failover/f").send().await.text(),
        "from the secondary"
    );
    assert_eq!(primary.hits("/f").len(), 1);
    assert_eq!(secondary.hits("/f").len(), 1);
}

#[tokio::test]
async fn range_and_head_on_cold_keys() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let body = data(100_000);
    o.file("/r", &body, &[]);
    o.file("/h", &body, &[]);
    mirrored(&s, "cold", &o.url(), "").await;
    let r = s
        .req("GET", "/cold/r")
        .header("range", "bytes=1000-1999")
        .send()
        .await;
    assert_eq!(r.status, 206);
    assert!(r.body[..] == body[1000..2000]);
    assert_eq!(r.h("content-range"), Some("bytes 1000-1999/100000"));
    assert_eq!(r.h("x-ossemu-rule"), Some("1"));
    assert_eq!(
        stored(&s, "cold", "r").unwrap().size,
        100_000,
        "the whole object was stored"
    );
    // HEAD does not mirror without MirrorAllowHeadObject.
    assert_eq!(s.req("HEAD", "/cold/h").send().await.status, 404);
    assert!(o.hits("/h").is_empty());
    mirrored(
        &s,
        "headok",
        &o.url(),
        "<MirrorAllowHeadObject>true</MirrorAllowHeadObject>",
    )
    .await;
    let h = s.req("HEAD", "/headok/h").send().await;
    assert_eq!(h.status, 200);
    assert_eq!(h.h("content-length"), Some("100000"));
    assert!(h.body.is_empty());
    assert!(stored(&s, "headok", "h").is_some());
}

#[tokio::test]
async fn transparent_codes_proxy_pass_and_return_headers() {
    let s = Server::start().await;
    let o = Origin::start().await;
    o.route(
        "/t",
        Reply::Body {
            status: 400,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: b"origin says no".to_vec(),
        },
    );
    o.file("/p", b"proxied", &[]);
    mirrored(
        &s,
        "transp",
        &o.url(),
        "<TransparentMirrorResponseCodes>400</TransparentMirrorResponseCodes><MirrorReturnHeaders><ReturnHeader><Key>x-from</Key><Value>mirror</Value></ReturnHeader></MirrorReturnHeaders>",
    )
    .await;
    let r = s.req("GET", "/transp/t").send().await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text(), "origin says no");
    assert_eq!(r.h("content-type"), Some("text/plain"));
    let r = s.req("GET", "/transp/p").send().await;
    assert_eq!(r.h("x-from"), Some("mirror"));
    mirrored(
        &s,
        "proxy",
        &o.url(),
        "<MirrorProxyPass>true</MirrorProxyPass>",
    )
    .await;
    assert_eq!(s.req("GET", "/proxy/p").send().await.text(), "proxied");
    assert_eq!(s.req("GET", "/proxy/p").send().await.text(), "proxied");
    settle(&s).await;
    assert!(stored(&s, "proxy", "p").is_none());
    assert_eq!(o.hits("/p").len(), 3);
    wait_until(|| count_files(&s.dir.path().join("tmp")) == 0).await;
}

#[tokio::test]
async fn slow_origin_and_idle_timeout() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let body = data(64 * 1024);
    o.route(
        "/slow",
        Reply::Slow {
            body: body.clone(),
            chunk: 8192,
            pause: Duration::from_millis(20),
        },
    );
    o.route("/silent", Reply::Silent);
    mirrored(&s, "slow", &o.url(), "").await;
    assert!(s.req("GET", "/slow/slow").send().await.body == body);
    let quick = Server::start_with_mirror(ossemu_mirror::MirrorConfig {
        read_timeout: Duration::from_millis(300),
        ..ossemu_mirror::MirrorConfig::default()
    })
    .await;
    mirrored(&quick, "silent", &o.url(), "").await;
    let body = quick
        .req("GET", "/silent/silent")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    assert!(body.contains("from mirror host"), "{body}");
}

#[tokio::test]
async fn mirror_path_checks_acls_and_dot_segments() {
    let s = Server::start().await;
    let o = Origin::start().await;
    o.file("/index.html", b"origin index", &[]);
    o.file("/admin/secret", b"origin admin", &[]);
    mirrored(&s, "pubsite", &format!("{}public/", o.url()), "").await;
    let cfg = format!(
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{}public/</MirrorURL></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>",
        o.url()
    );
    s.req("PUT", "/pubsite?website")
        .oss()
        .body(cfg)
        .send()
        .await;
    // A private index in a public-read bucket is not served, neither directly nor as the root.
    let r = s
        .req("PUT", "/pubsite/index.html")
        .oss()
        .header("x-oss-object-acl", "private")
        .body("PRIVATE INDEX")
        .send()
        .await;
    assert_eq!(r.status, 200);
    s.req("GET", "/pubsite/index.html")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let r = s.req("GET", "/pubsite/").send().await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(!r.text().contains("PRIVATE"));
    // A key cannot climb out of the MirrorURL path.
    let r = s
        .req("GET", "/pubsite/%2E%2E/%2E%2E/admin/secret")
        .send()
        .await;
    r.assert_error(404, "NoSuchKey");
    assert!(o.hits("/admin/secret").is_empty());
}

#[tokio::test]
async fn switch_all_errors_taggings_last_modified_and_kept_headers() {
    let s = Server::start().await;
    let primary = Origin::start().await;
    let secondary = Origin::start().await;
    let forbidden = Reply::Body {
        status: 403,
        headers: vec![],
        body: b"no".to_vec(),
    };
    primary.route("/f", forbidden.clone());
    secondary.file("/f", b"from the secondary", &[]);

    // A 4xx other than 404 fails over only with MirrorSwitchAllErrors.
    let slave = format!(
        "<MirrorURLSlave>{}</MirrorURLSlave><MirrorURLProbe>{}probe</MirrorURLProbe>",
        secondary.url(),
        primary.url()
    );
    mirrored(&s, "no-switch", &primary.url(), &slave).await;
    s.req("GET", "/no-switch/f")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    assert!(secondary.hits("/f").is_empty());
    let switch = format!("{slave}<MirrorSwitchAllErrors>true</MirrorSwitchAllErrors>");
    mirrored(&s, "switch-all", &primary.url(), &switch).await;
    let r = s.req("GET", "/switch-all/f").send().await;
    assert_eq!(r.text(), "from the secondary");

    // An origin that refuses the connection fails over too.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    mirrored(&s, "refused", &dead, &slave).await;
    assert_eq!(
        s.req("GET", "/refused/f").send().await.text(),
        "from the secondary"
    );

    // Taggings, the origin's Last-Modified, and the headers kept with the object.
    let origin = Origin::start().await;
    let headers = [
        ("content-type", "text/plain"),
        ("content-encoding", "identity"),
        ("content-language", "de"),
        ("expires", "Thu, 01 Jan 2037 00:00:00 GMT"),
        ("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
    ];
    origin.file("/kept", b"kept body", &headers);
    origin.file("/fresh", b"fresh body", &headers);
    let extra = "<MirrorUserLastModified>true</MirrorUserLastModified><MirrorTaggings><Taggings><Key>src</Key><Value>origin</Value></Taggings></MirrorTaggings>";
    mirrored(&s, "kept", &origin.url(), extra).await;
    mirrored(&s, "fresh", &origin.url(), "").await;
    assert_eq!(s.req("GET", "/kept/kept").send().await.text(), "kept body");
    assert_eq!(
        s.req("GET", "/fresh/fresh").send().await.text(),
        "fresh body"
    );
    settle(&s).await;
    let stored = s.req("GET", "/kept/kept").send().await;
    assert!(stored.h("x-ossemu-rule").is_none());
    assert_eq!(stored.h("content-encoding"), Some("identity"));
    assert_eq!(stored.h("content-language"), Some("de"));
    assert_eq!(stored.h("expires"), Some("Thu, 01 Jan 2037 00:00:00 GMT"));
    assert_eq!(
        stored.h("last-modified"),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
    let tags = s.req("GET", "/kept/kept?tagging").oss().send().await;
    assert_eq!(tags.status, 200, "{}", tags.text());
    assert_eq!(tags.xml_all("Key"), ["src"]);
    assert_eq!(tags.xml_all("Value"), ["origin"]);
    // Without MirrorUserLastModified, Last-Modified is the time it was stored.
    let fresh = s.req("GET", "/fresh/fresh").send().await;
    let lm = httpdate::parse_http_date(fresh.h("last-modified").unwrap()).unwrap();
    assert!(lm.elapsed().unwrap() < Duration::from_secs(600));
    assert!(
        s.req("GET", "/fresh/fresh?tagging")
            .oss()
            .send()
            .await
            .xml_all("Key")
            .is_empty()
    );
}

/// OSS accepts a Mirror rule without HttpErrorCodeReturnedEquals (alibabacloud-oss-v2
/// test_bucket_website_lua_config puts one with only KeyPrefixEquals). Mirroring is
/// back-to-origin for missing objects, so such a rule still fetches only for a read that
/// would be 404: never for an object that exists, never for a read refused with 403.
#[tokio::test]
async fn mirror_rule_without_error_code_fires_on_404_only() {
    let s = Server::start().await;
    let o = Origin::start().await;
    o.file("/o/key-missing.txt", b"from origin", &[]);
    o.file("/o/key-local.txt", b"origin copy", &[]);
    o.file("/o/key-private.txt", b"origin secret", &[]);
    s.bucket("nocode").await;
    let cfg = format!(
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>key</KeyPrefixEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{}o/</MirrorURL></Redirect><LuaConfig><Script>test.lua</Script></LuaConfig></RoutingRule></RoutingRules></WebsiteConfiguration>",
        o.url()
    );
    let r = s.req("PUT", "/nocode?website").oss().body(cfg).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/nocode?website").oss().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.xml("Script").as_deref(), Some("test.lua"), "{}", g.text());
    assert_eq!(g.xml("KeyPrefixEquals").as_deref(), Some("key"));
    assert_eq!(g.xml("RedirectType").as_deref(), Some("Mirror"));
    // The echo is accepted back.
    let r = s
        .req("PUT", "/nocode?website")
        .oss()
        .body(g.body.clone())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // A missing key is mirrored.
    let r = s.req("GET", "/nocode/key-missing.txt").oss().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body.as_ref(), b"from origin");
    settle(&s).await;
    assert_eq!(o.hits("/o/key-missing.txt").len(), 1);
    // An existing key is served from the bucket; the origin is not asked.
    s.put("nocode", "key-local.txt", "local copy").await;
    let r = s.req("GET", "/nocode/key-local.txt").oss().send().await;
    assert_eq!(r.body.as_ref(), b"local copy");
    assert!(o.hits("/o/key-local.txt").is_empty());
    // An anonymous read of the private bucket is 403, missing key or not: no fetch.
    let r = s.req("GET", "/nocode/key-private.txt").send().await;
    r.assert_error(403, "AccessDenied");
    let r = s.req("GET", "/nocode/key-local.txt").send().await;
    r.assert_error(403, "AccessDenied");
    settle(&s).await;
    assert!(o.hits("/o/key-private.txt").is_empty());
    assert!(o.hits("/o/key-local.txt").is_empty());
    assert!(stored(&s, "nocode", "key-private.txt").is_none());
    assert_eq!(
        s.req("GET", "/nocode/key-local.txt")
            .oss()
            .send()
            .await
            .body
            .as_ref(),
        b"local copy"
    );

    // Another error code is still refused for a Mirror rule.
    let bad = "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>403</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>http://origin.example/</MirrorURL></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>";
    s.req("PUT", "/nocode?website")
        .oss()
        .body(bad)
        .send()
        .await
        .assert_error(400, "InvalidArgument");
}

/// A MirrorURL with `user:password@` (OSS documents no such URL and refuses none; RFC 3986
/// allows it): the fetch sends the credentials (HTTP Basic), but no tag, log line, metric or
/// GetBucketWebsite answer shows the password, and the masked echo put back keeps it.
#[tokio::test]
async fn origin_credentials_are_used_but_never_shown() {
    use base64::Engine;
    let o = Origin::start().await;
    o.file("/a", b"secret stuff", &[]);
    let b = Binary::start(&["--listen", "127.0.0.1:0", "--memory"], &[]);
    let url = format!("http://mirror-user:s3cr3t-pw@{}/", o.addr);
    let r = b
        .req("PUT", "/cred")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let cfg = format!(
        "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{url}</MirrorURL><MirrorURLSlave>{url}</MirrorURLSlave><MirrorURLProbe>{url}probe</MirrorURLProbe></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>"
    );
    let r = b.req("PUT", "/cred?website").oss().body(cfg).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("mirror-user:s3cr3t-pw")
    );
    let tag = format!("MIRROR http%3a%2f%2f127.0.0.1%3a{}%2fa", o.addr.port());

    // The fetch uses the credentials; the streamed answer's tag does not show them.
    let r = b.req("GET", "/cred/a").send().await;
    assert_eq!(r.text(), "secret stuff");
    assert_eq!(r.h("x-oss-tag"), Some(tag.as_str()));
    assert_eq!(
        o.hits("/a")[0].header("authorization"),
        Some(basic.as_str())
    );
    // Nor do later reads of the stored object.
    for method in ["GET", "HEAD"] {
        let r = b.req(method, "/cred/a").send().await;
        assert_eq!(r.status, 200);
        assert_eq!(r.h("x-oss-tag"), Some(tag.as_str()), "{method}");
    }
    // GetBucketWebsite masks the password of every origin URL.
    let echo = b.req("GET", "/cred?website").oss().send().await;
    let text = echo.text();
    assert!(!text.contains("s3cr3t"), "{text}");
    let masked = format!("http://mirror-user:******@{}/", o.addr);
    assert_eq!(echo.xml("MirrorURL"), Some(masked.clone()));
    assert_eq!(echo.xml("MirrorURLSlave"), Some(masked.clone()));
    assert_eq!(echo.xml("MirrorURLProbe"), Some(format!("{masked}probe")));
    // Putting the echo back keeps the stored credentials: the next fetch still sends them.
    let r = b
        .req("PUT", "/cred?website")
        .oss()
        .body(echo.body.clone())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(b.req("DELETE", "/cred/a").oss().send().await.status, 204);
    assert_eq!(b.req("GET", "/cred/a").send().await.text(), "secret stuff");
    assert_eq!(
        o.hits("/a")[1].header("authorization"),
        Some(basic.as_str())
    );

    // Neither the metrics nor any log line show the password; the fetch log shows the mask.
    let metrics = b.req("GET", "/_ossemu/metrics").send().await.text();
    assert!(!metrics.contains("s3cr3t"));
    wait_until(|| {
        let log = b.log.lock().unwrap();
        log.iter().filter(|l| l.contains("mirror fetch")).count() == 2
    })
    .await;
    let log = b.log.lock().unwrap().join("\n");
    assert!(!log.contains("s3cr3t"), "{log}");
    assert!(log.contains("mirror-user:******@"), "{log}");
}

/// A Mirror rule whose origin is the server itself (or two buckets mirroring each other):
/// the request the fetch sends comes back carrying this server's id in
/// `x-ossemu-mirror-hop` and is answered 424 at once, so the outer fetch fails with the
/// origin's 424 instead of waiting on itself until the read timeout.
#[tokio::test]
async fn mirror_loops_fail_at_once() {
    let s = Server::start_with_mirror(ossemu_mirror::MirrorConfig {
        read_timeout: Duration::from_secs(2),
        ..ossemu_mirror::MirrorConfig::default()
    })
    .await;
    let me = format!("http://{}/", s.addr);
    mirrored(&s, "selfie", &format!("{me}selfie/"), "").await;
    mirrored(&s, "ping", &format!("{me}pong/"), "").await;
    mirrored(&s, "pong", &format!("{me}ping/"), "").await;
    for path in ["/selfie/k", "/ping/k", "/pong/k"] {
        let body = s
            .req("GET", path)
            .send()
            .await
            .assert_error(424, "MirrorFailed");
        assert!(
            body.contains("Error status : 424 from mirror host"),
            "{path}: {body}"
        );
    }
    // The request the fetch sent, as the server received it.
    let r = s
        .req("GET", "/selfie/k")
        .header(
            "x-ossemu-mirror-hop",
            &format!("other,{}", s.state.mirror.instance()),
        )
        .send()
        .await;
    let body = r.assert_error(424, "MirrorFailed");
    assert!(body.contains("Mirror loop"), "{body}");
    settle(&s).await;
    for (bucket, key) in [("selfie", "k"), ("ping", "k"), ("pong", "k")] {
        assert!(stored(&s, bucket, key).is_none());
    }
}

/// Mirroring through another ossemu works (each adds its id to the hop header); a cycle
/// between two servers is refused by the first server it comes back to.
#[tokio::test]
async fn mirror_chains_across_servers_and_cycles_between_them() {
    let o = Origin::start().await;
    o.file("/k", b"from the origin", &[]);
    let (front, back) = (Server::start().await, Server::start().await);
    mirrored(&back, "back", &o.url(), "").await;
    mirrored(&front, "front", &format!("http://{}/back/", back.addr), "").await;
    assert_eq!(
        front.req("GET", "/front/k").send().await.text(),
        "from the origin"
    );
    let chain = format!(
        "{},{}",
        front.state.mirror.instance(),
        back.state.mirror.instance()
    );
    assert_eq!(
        o.hits("/k")[0].header("x-ossemu-mirror-hop"),
        Some(chain.as_str())
    );
    // back → front → back: back finds its own id.
    mirrored(&back, "cycle", &format!("http://{}/cycle/", front.addr), "").await;
    mirrored(&front, "cycle", &format!("http://{}/cycle/", back.addr), "").await;
    let body = front
        .req("GET", "/cycle/x")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    assert!(
        body.contains("Error status : 424 from mirror host"),
        "{body}"
    );
}

/// ossemu's own `/_ossemu/*` pages refuse every mirror fetch, whether an origin redirected
/// there or the MirrorURL names them: nothing of them is ever stored as an object.
#[tokio::test]
async fn mirror_fetches_never_reach_ossemus_own_endpoints() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let metrics = format!("http://{}/_ossemu/metrics", s.addr);
    o.route("/m", Reply::Redirect(302, metrics.clone()));
    mirrored(&s, "redir", &o.url(), "").await;
    let body = s
        .req("GET", "/redir/m")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    assert!(body.contains("Error status : 403"), "{body}");
    mirrored(&s, "direct", &format!("http://{}/_ossemu/", s.addr), "").await;
    for key in ["metrics", "health", "console", "explain"] {
        let body = s
            .req("GET", &format!("/direct/{key}"))
            .send()
            .await
            .assert_error(424, "MirrorFailed");
        assert!(body.contains("Error status : 403"), "{key}: {body}");
    }
    settle(&s).await;
    assert!(stored(&s, "redir", "m").is_none());
    assert!(stored(&s, "direct", "metrics").is_none());
    assert!(stored(&s, "direct", "health").is_none());
    // Clients still read them.
    assert_eq!(s.req("GET", "/_ossemu/metrics").send().await.status, 200);
    assert_eq!(s.req("GET", "/_ossemu/health").send().await.status, 200);
}

/// Fetches connect only where `--mirror-origins` allows, checked on every connection: the
/// MirrorURL, each redirect, and what a host name resolves to. The default keeps loopback
/// and private origins and refuses link-local ones (cloud metadata services).
#[tokio::test]
async fn origin_addresses_are_checked_on_every_connection() {
    let generic = "<Message>Mirroring failed, please check your mirror configuration</Message>";
    let s = Server::start_with_mirror(ossemu_mirror::MirrorConfig {
        connect_timeout: Duration::from_secs(1),
        ..ossemu_mirror::MirrorConfig::default()
    })
    .await;
    let o = Origin::start().await;
    o.route(
        "/meta",
        Reply::Redirect(302, "http://169.254.169.254/latest/meta-data/".into()),
    );
    o.route("/meta6", Reply::Redirect(302, "http://[fe80::1]/x".into()));
    o.file("/fine", b"loopback is fine", &[]);
    mirrored(&s, "via-redirect", &o.url(), "").await;
    mirrored(&s, "metadata", "http://169.254.169.254/", "").await;
    for path in [
        "/via-redirect/meta",
        "/via-redirect/meta6",
        "/metadata/latest/x",
    ] {
        let body = s
            .req("GET", path)
            .send()
            .await
            .assert_error(424, "MirrorFailed");
        assert!(body.contains(generic), "{path}: {body}");
    }
    assert_eq!(
        s.req("GET", "/via-redirect/fine").send().await.text(),
        "loopback is fine"
    );

    // Public only (as OSS): neither a loopback IP nor a name resolving to one is reached.
    let public = Server::start_with_mirror(ossemu_mirror::MirrorConfig {
        origins: ossemu_mirror::OriginAddresses::Public,
        ..ossemu_mirror::MirrorConfig::default()
    })
    .await;
    let by_name = format!("http://localhost:{}/", o.addr.port());
    mirrored(&public, "by-ip", &o.url(), "").await;
    mirrored(&public, "by-name", &by_name, "").await;
    for path in ["/by-ip/fine", "/by-name/fine"] {
        let body = public
            .req("GET", path)
            .send()
            .await
            .assert_error(424, "MirrorFailed");
        assert!(body.contains(generic), "{path}: {body}");
    }
    assert_eq!(o.hits("/fine").len(), 1, "only the first server reached it");
}

/// No fetch writes more than its bucket's limit: a larger declared length is 424 before the
/// body, a body growing past it is cut off (an aborted transfer); nothing is stored.
#[tokio::test]
async fn fetches_stop_at_the_buckets_limit() {
    let s = Server::start_with_mirror(ossemu_mirror::MirrorConfig {
        max_object_size: 1 << 20,
        bucket_max_object_size: [("small".to_string(), 1000)].into(),
        ..ossemu_mirror::MirrorConfig::default()
    })
    .await;
    let o = Origin::start().await;
    o.file("/k2000", &data(2000), &[]);
    o.route("/endless", Reply::Endless(16 * 1024));
    mirrored(&s, "small", &o.url(), "").await;
    mirrored(&s, "large", &o.url(), "").await;
    let body = s
        .req("GET", "/small/k2000")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    assert!(body.contains("Mirroring failed"), "{body}");
    assert!(s.req("GET", "/large/k2000").send().await.body == data(2000));
    // Chunked without end: the client gets up to the limit, then an aborted transfer.
    let r = s.req("GET", "/large/endless").send_streaming().await;
    assert_eq!(r.status, 200);
    assert!(r.rest().await.is_err(), "never a clean end");
    settle(&s).await;
    assert!(stored(&s, "small", "k2000").is_none());
    assert!(stored(&s, "large", "endless").is_none());
    assert_eq!(count_files(&s.dir.path().join("tmp")), 0);
    let stats = s.state.mirror.stats().snapshot();
    assert!(stats.outcomes.contains(&("too-large", 2)), "{stats:?}");
}

/// A body without a length that no client reads any more is abandoned at once (nothing says
/// it ever ends, and it would fill the disk up to the limit for no one): 8 clients that hang
/// up on an endless origin leave no fetch running and nothing in `tmp/`. A body with a
/// length is still fetched and stored for the next reader
/// (`client_disconnect_does_not_stop_the_fetch`).
#[tokio::test]
async fn abandoned_fetches_of_endless_bodies_stop() {
    let s = Server::start().await;
    let o = Origin::start().await;
    mirrored(&s, "endless", &o.url(), "").await;
    let mut clients = Vec::new();
    for i in 0..8 {
        o.route(&format!("/e{i}"), Reply::Endless(16 * 1024));
        let mut r = s
            .req("GET", &format!("/endless/e{i}"))
            .send_streaming()
            .await;
        assert_eq!(r.status, 200);
        assert!(r.chunk().await.unwrap().is_ok());
        clients.push(r);
    }
    for r in clients {
        r.hang_up();
    }
    settle(&s).await;
    assert_eq!(count_files(&s.dir.path().join("tmp")), 0);
    for i in 0..8 {
        assert!(stored(&s, "endless", &format!("e{i}")).is_none());
    }
    let stats = s.state.mirror.stats().snapshot();
    assert!(stats.outcomes.contains(&("abandoned", 8)), "{stats:?}");
}

/// `--mirror-max-object-size` and a bucket's own `mirror_max_object_size` in the file.
#[tokio::test]
async fn mirror_limits_from_flag_and_configuration_file() {
    let o = Origin::start().await;
    o.file("/o/k20", &data(20), &[]);
    o.file("/o/k200", &data(200), &[]);
    let dir = tempfile::tempdir().unwrap();
    let rule = |bucket: &str, limit: &str| {
        format!(
            "[[buckets]]\nname = \"{bucket}\"\nacl = \"public-read\"\n{limit}\nwebsite = \"\"\"<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{}o/</MirrorURL></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>\"\"\"\n",
            o.url()
        )
    };
    let file = dir.path().join("limits.toml");
    std::fs::write(
        &file,
        format!(
            "{}{}",
            rule("tiny", "mirror_max_object_size = 10"),
            rule("roomy", "")
        ),
    )
    .unwrap();
    let b = Binary::start(
        &[
            "--listen",
            "127.0.0.1:0",
            "--memory",
            "--config",
            file.to_str().unwrap(),
            "--mirror-max-object-size",
            "100",
        ],
        &[],
    );
    // The bucket's own limit, then the flag's for the other bucket.
    b.req("GET", "/tiny/k20")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    assert!(b.req("GET", "/roomy/k20").send().await.body == data(20));
    b.req("GET", "/roomy/k200")
        .send()
        .await
        .assert_error(424, "MirrorFailed");
    let metrics = b.req("GET", "/_ossemu/metrics").send().await.text();
    assert!(
        metrics.contains("ossemu_mirror_fetches_total{outcome=\"too-large\"} 2"),
        "{metrics}"
    );
}

/// Mirroring into a versioned bucket stores a version; a key behind a delete marker is a miss
/// and is fetched again, as a new version on top of the marker.
#[tokio::test]
async fn mirroring_into_a_versioned_bucket_stores_versions() {
    let s = Server::start().await;
    let o = Origin::start().await;
    let body = data(50_000);
    o.file("/o/v.bin", &body, &[]);
    mirrored(&s, "mirv", &format!("{}o/", o.url()), "").await;
    s.set_versioning("mirv", "Enabled").await;
    let r = s.req("GET", "/mirv/v.bin").send().await;
    assert!(r.status == 200 && r.body == body);
    settle(&s).await;
    let first = stored(&s, "mirv", "v.bin").unwrap().version_id.unwrap();
    let d = s.req("DELETE", "/mirv/v.bin").oss().send().await;
    assert_eq!(d.h("x-oss-delete-marker"), Some("true"));
    let r = s.req("GET", "/mirv/v.bin").send().await;
    assert!(r.status == 200 && r.body == body, "fetched again");
    settle(&s).await;
    let second = stored(&s, "mirv", "v.bin").unwrap().version_id.unwrap();
    assert_ne!(first, second);
    let g = s.req("GET", "/mirv/v.bin").send().await;
    assert_eq!(
        g.h("x-oss-version-id"),
        Some(second.as_str()),
        "a later read names it"
    );
    let l = s.req("GET", "/mirv?versions").oss().send().await;
    assert_eq!(l.xml_all("Key").len(), 3, "{}", l.text());
    assert_eq!(l.xml_all("VersionId")[0], second);
    assert_eq!(l.xml_all("VersionId")[2], first);
}
