//! The web console's API: sign-in, the session cookie, CSRF, requests run as the session's
//! credential (its ACLs apply), `--console off`, and the request trail's event stream.

use std::time::Duration;

use crate::origin::Origin;
use crate::support::*;

/// A signed-in console session: its cookie header and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(s: &Server, ak: &str, sk: &str) -> Session {
    let body = serde_json::json!({"accessKey": ak, "secret": sk}).to_string();
    let r = s
        .req("POST", "/_ossemu/console/login")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let set = r.h("set-cookie").expect("a session cookie").to_string();
    let cookie = set.split(';').next().unwrap().to_string();
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    Session {
        cookie,
        csrf: v["csrf"].as_str().unwrap().to_string(),
    }
}

impl Session {
    fn req(&self, s: &Server, method: &str, path: &str) -> Req {
        s.req(method, path)
            .header("cookie", &self.cookie)
            .header("x-ossemu-csrf", &self.csrf)
    }
}

#[tokio::test]
async fn the_page_is_open_but_every_console_api_needs_a_session() {
    let s = Server::start().await;
    let r = s.req("GET", "/_ossemu/console").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("content-type"), Some("text/html; charset=utf-8"));
    assert!(r.text().contains("id=\"login-form\""));
    assert!(r.h("content-security-policy").is_some());
    let js = s.req("GET", "/_ossemu/console/console.js").send().await;
    assert_eq!(js.status, 200);
    assert!(js.text().contains("x-ossemu-csrf"));
    s.bucket("bkt").await;
    for (method, path) in [
        ("GET", "/_ossemu/console/session"),
        ("GET", "/_ossemu/console/events"),
        ("GET", "/_ossemu/console/api/oss/"),
        ("GET", "/_ossemu/console/api/oss/bkt/"),
        ("PUT", "/_ossemu/console/api/oss/new/"),
        ("POST", "/_ossemu/console/logout"),
        ("GET", "/_ossemu/console/nothing-here"),
    ] {
        let r = s.req(method, path).send().await;
        assert_eq!(r.status, 401, "{method} {path}: {}", r.text());
        assert!(r.text().contains("sign in"));
    }
    // A cookie naming no session is no better.
    let r = s
        .req("GET", "/_ossemu/console/api/oss/")
        .header("cookie", "ossemu_console=0123")
        .send()
        .await;
    assert_eq!(r.status, 401);
    assert!(s.state.store.meta().get_bucket("new").unwrap().is_none());
}

#[tokio::test]
async fn a_wrong_secret_is_refused_and_the_right_one_gets_a_strict_http_only_cookie() {
    let s = Server::start().await;
    for (ak, sk) in [(AK, "wrong"), ("nobody", SK), (AK, "")] {
        let body = serde_json::json!({"accessKey": ak, "secret": sk}).to_string();
        let r = s
            .req("POST", "/_ossemu/console/login")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        assert_eq!(r.status, 401, "{ak}/{sk}: {}", r.text());
        assert!(r.h("set-cookie").is_none());
    }
    let r = s
        .req("POST", "/_ossemu/console/login")
        .header("content-type", "application/json")
        .body(format!("{{\"accessKey\":\"{AK}\",\"secret\":\"{SK}\"}}"))
        .send()
        .await;
    assert_eq!(r.status, 200);
    let cookie = r.h("set-cookie").unwrap();
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/_ossemu/console",
        "Max-Age=28800",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    let id = cookie
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("ossemu_console=")
        .unwrap();
    assert_eq!(id.len(), 64);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["accessKey"], AK);
    // Another sign-in gets another session.
    let other = sign_in(&s, AK, SK).await;
    assert_ne!(other.cookie, format!("ossemu_console={id}"));
    let r = s
        .req("GET", "/_ossemu/console/session")
        .header("cookie", &other.cookie)
        .send()
        .await;
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["csrf"], other.csrf.as_str());
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused() {
    let s = Server::start().await;
    let body = serde_json::json!({"accessKey": AK, "secret": SK}).to_string();
    let r = s
        .req("POST", "/_ossemu/console/login")
        .header("content-type", "application/json")
        .header("origin", "http://evil.test")
        .body(body.clone())
        .send()
        .await;
    assert_eq!(r.status, 403);
    assert!(r.h("set-cookie").is_none());
    // A form (text/plain) cannot sign a browser in, Origin or not.
    let r = s
        .req("POST", "/_ossemu/console/login")
        .header("content-type", "text/plain")
        .body(body.clone())
        .send()
        .await;
    assert_eq!(r.status, 403);
    assert!(r.h("set-cookie").is_none());
    let own = format!("http://{}", s.addr);
    let r = s
        .req("POST", "/_ossemu/console/login")
        .header("content-type", "application/json")
        .header("origin", &own)
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_state_changing_request_without_the_sessions_csrf_token_is_refused() {
    let s = Server::start().await;
    let me = sign_in(&s, AK, SK).await;
    for token in [None, Some("wrong"), Some("")] {
        let mut r = s
            .req("PUT", "/_ossemu/console/api/oss/fresh/")
            .header("cookie", &me.cookie);
        if let Some(t) = token {
            r = r.header("x-ossemu-csrf", t);
        }
        let r = r.send().await;
        assert_eq!(r.status, 403, "token {token:?}: {}", r.text());
        assert!(r.text().contains("csrf"));
        assert!(s.state.store.meta().get_bucket("fresh").unwrap().is_none());
    }
    // Another session's token is wrong too.
    let other = sign_in(&s, AK, SK).await;
    let r = s
        .req("PUT", "/_ossemu/console/api/oss/fresh/")
        .header("cookie", &me.cookie)
        .header("x-ossemu-csrf", &other.csrf)
        .send()
        .await;
    assert_eq!(r.status, 403);
    let r = me
        .req(&s, "PUT", "/_ossemu/console/api/oss/fresh/")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rec = s.state.store.meta().get_bucket("fresh").unwrap().unwrap();
    assert_eq!(
        rec.owner, AK,
        "the bucket belongs to the signed-in credential"
    );
    // Reads need no token (the cookie is SameSite=Strict).
    let r = s
        .req("GET", "/_ossemu/console/api/oss/")
        .header("cookie", &me.cookie)
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml_all("Name"), vec!["fresh"]);
}

#[tokio::test]
async fn a_session_may_do_only_what_its_credential_may() {
    let s = Server::start().await;
    s.bucket("mine").await;
    s.put("mine", "secret.txt", "hidden").await;
    let alt = sign_in(&s, "alt", "alt-secret").await;
    let r = alt
        .req(&s, "GET", "/_ossemu/console/api/oss/mine/secret.txt")
        .send()
        .await;
    r.assert_error(403, "AccessDenied");
    let r = alt
        .req(&s, "GET", "/_ossemu/console/api/oss/mine/?prefix=")
        .send()
        .await;
    r.assert_error(403, "AccessDenied");
    let r = alt
        .req(&s, "PUT", "/_ossemu/console/api/s3/mine/planted.txt")
        .body("x")
        .send()
        .await;
    r.assert_error(403, "AccessDenied");
    assert!(
        s.state
            .store
            .meta()
            .get_object("mine", "planted.txt")
            .unwrap()
            .is_none()
    );
    let r = alt
        .req(&s, "DELETE", "/_ossemu/console/api/oss/mine/")
        .send()
        .await;
    r.assert_error(403, "AccessDenied");
    // The owner's own session reads it; once the ACL allows it, so does alt's.
    let me = sign_in(&s, AK, SK).await;
    let r = me
        .req(&s, "GET", "/_ossemu/console/api/oss/mine/secret.txt")
        .send()
        .await;
    assert_eq!((r.status, r.text().as_str()), (200, "hidden"));
    assert_eq!(r.h("content-security-policy"), Some("sandbox"));
    let r = me
        .req(&s, "PUT", "/_ossemu/console/api/oss/mine/?acl")
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = alt
        .req(&s, "GET", "/_ossemu/console/api/oss/mine/secret.txt")
        .send()
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let s = Server::start().await;
    let me = sign_in(&s, AK, SK).await;
    let r = s
        .req("POST", "/_ossemu/console/logout")
        .header("cookie", &me.cookie)
        .send()
        .await;
    assert_eq!(r.status, 403, "signing out needs the token too");
    let r = me.req(&s, "POST", "/_ossemu/console/logout").send().await;
    assert_eq!(r.status, 200);
    assert!(r.h("set-cookie").unwrap().contains("Max-Age=0"));
    let r = me.req(&s, "GET", "/_ossemu/console/session").send().await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn console_off_answers_404_for_all_of_it() {
    let s = Server::start_with(|c| c.console = false).await;
    for (method, path) in [
        ("GET", "/_ossemu/console"),
        ("GET", "/_ossemu/console/console.js"),
        ("POST", "/_ossemu/console/login"),
        ("GET", "/_ossemu/console/events"),
    ] {
        let r = s
            .req(method, path)
            .body(format!("{{\"accessKey\":\"{AK}\",\"secret\":\"{SK}\"}}"))
            .send()
            .await;
        assert_eq!(r.status, 404, "{method} {path}");
        assert!(r.h("set-cookie").is_none());
    }
    let r = s.req("GET", "/_ossemu/health").send().await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn on_a_bucket_host_the_console_path_is_an_object_key() {
    let s = Server::start().await;
    s.bucket("site").await;
    let r = s
        .req("GET", "/_ossemu/console")
        .host(&format!("site.localhost:{}", s.addr.port()))
        .oss()
        .send()
        .await;
    r.assert_error(404, "NoSuchKey");
}

/// The data lines of an event stream, read until `want` of them came or `wait` passed.
async fn events(stream: &mut Streamed, want: usize, wait: Duration) -> Vec<serde_json::Value> {
    let mut text = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while out.len() < want {
        let chunk = match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Some(Ok(c))) => c,
            _ => break,
        };
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let message: String = text.drain(..end + 2).collect();
            for line in message.lines() {
                if let Some(json) = line.strip_prefix("data: ") {
                    out.push(serde_json::from_str(json).unwrap());
                }
            }
        }
    }
    out
}

async fn watch(s: &Server, session: &Session, query: &str) -> Streamed {
    let w = s
        .req("GET", &format!("/_ossemu/console/events{query}"))
        .header("cookie", &session.cookie)
        .send_streaming()
        .await;
    assert_eq!(w.status, 200);
    assert_eq!(
        w.headers.get("content-type").unwrap(),
        "text/event-stream",
        "SSE"
    );
    w
}

#[tokio::test]
async fn the_trail_shows_a_mirrored_get_with_its_rule_and_origin_and_not_the_consoles_own() {
    let s = Server::start().await;
    let origin = Origin::start().await;
    origin.file(
        "/o/img/cat.png",
        &[7u8; 3000],
        &[("content-type", "image/png")],
    );
    let r = s
        .req("PUT", "/site")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let cfg = format!(
        "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>img/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{}o/</MirrorURL></Redirect></RoutingRule><RoutingRule><RuleNumber>2</RuleNumber><Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>example.com</HostName><HttpRedirectCode>302</HttpRedirectCode></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>",
        origin.url()
    );
    let r = s.req("PUT", "/site?website").oss().body(cfg).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let me = sign_in(&s, AK, SK).await;
    let alt = sign_in(&s, "alt", "alt-secret").await;
    let mut all = watch(&s, &me, "").await;
    let mut other_bucket = watch(&s, &me, "?bucket=elsewhere").await;
    let mut redirects = watch(&s, &me, "?status=3xx").await;
    let mut alts = watch(&s, &alt, "").await;
    // The console's own request is not in the trail; the plain client's are.
    let r = me.req(&s, "GET", "/_ossemu/console/api/oss/").send().await;
    assert_eq!(r.status, 200);
    let r = s.req("GET", "/site/img/cat.png").send().await;
    assert_eq!((r.status, r.body.len()), (200, 3000));
    let r = s.req("GET", "/site/old/page.html").send().await;
    assert_eq!(r.status, 400, "the endpoint refuses an external redirect");
    let got = events(&mut all, 2, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 2, "{got:?}");
    let mirrored = &got[0];
    assert_eq!(mirrored["operation"], "GetObject");
    assert_eq!(mirrored["dialect"], "oss");
    assert_eq!(mirrored["bucket"], "site");
    assert_eq!(mirrored["key"], "img/cat.png");
    assert_eq!(mirrored["status"], 200);
    assert_eq!(mirrored["bytes_out"], 3000);
    assert!(mirrored["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(mirrored["rule"]["number"], 1);
    let why = mirrored["rule"]["why"].as_str().unwrap();
    assert!(why.contains("starts with \"img/\""), "{why}");
    let m = &mirrored["mirror"];
    assert_eq!(m["origin_url"], format!("{}o/img/cat.png", origin.url()));
    assert_eq!(m["origin_status"], 200);
    assert_eq!(m["bytes_fetched"], 3000);
    assert_eq!(m["clients"], 1);
    assert_eq!(m["outcome"], "stored");
    let redirect = &got[1];
    assert_eq!(redirect["status"], 400);
    assert_eq!(redirect["rule"]["number"], 2);
    assert_eq!(redirect["location"], "http://example.com/old/page.html");
    assert!(redirect["mirror"].is_null());
    // Filters: another bucket's watcher saw nothing; the 3xx watcher nothing either (a 400).
    assert!(
        events(&mut other_bucket, 1, Duration::from_millis(300))
            .await
            .is_empty()
    );
    assert!(
        events(&mut redirects, 1, Duration::from_millis(300))
            .await
            .is_empty()
    );
    // Another account's session does not see this account's bucket.
    assert!(
        events(&mut alts, 1, Duration::from_millis(300))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_trail_counts_every_client_that_joined_one_fetch() {
    let s = Server::start().await;
    let origin = Origin::start().await;
    origin.route(
        "/slow.bin",
        crate::origin::Reply::Slow {
            body: vec![1u8; 1000],
            chunk: 100,
            pause: Duration::from_millis(60),
        },
    );
    let r = s
        .req("PUT", "/mir")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let cfg = format!(
        "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{}</MirrorURL></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>",
        origin.url()
    );
    let r = s.req("PUT", "/mir?website").oss().body(cfg).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let me = sign_in(&s, AK, SK).await;
    let mut w = watch(&s, &me, "?bucket=mir").await;
    let (a, b, c) = tokio::join!(
        s.req("GET", "/mir/slow.bin").send(),
        s.req("GET", "/mir/slow.bin").send(),
        s.req("GET", "/mir/slow.bin").send(),
    );
    for r in [a, b, c] {
        assert_eq!(r.status, 200);
    }
    assert_eq!(origin.hits("/slow.bin").len(), 1, "one fetch");
    let got = events(&mut w, 3, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 3);
    for e in &got {
        assert_eq!(e["mirror"]["clients"], 3, "{e}");
    }
}

/// The console never answers with CORS headers, whatever the bucket's CORS rules: another
/// site (another port of localhost counts as the same site for the cookie) must not read
/// what the session may.
#[tokio::test]
async fn a_buckets_cors_rules_do_not_open_the_console_to_other_sites() {
    let s = Server::start().await;
    s.bucket("cors-b").await;
    s.put("cors-b", "k", "secret data").await;
    let cors = "<CORSConfiguration><CORSRule><AllowedOrigin>http://localhost:3000</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    let r = s.req("PUT", "/cors-b?cors").oss().body(cors).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The bucket's own endpoint answers the allowed origin, as OSS does.
    let r = s
        .req("GET", "/cors-b/k")
        .oss()
        .header("origin", "http://localhost:3000")
        .send()
        .await;
    assert_eq!(
        r.h("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let me = sign_in(&s, AK, SK).await;
    let r = me
        .req(&s, "GET", "/_ossemu/console/api/oss/cors-b/k")
        .header("origin", "http://localhost:3000")
        .send()
        .await;
    assert_eq!((r.status, r.text().as_str()), (200, "secret data"));
    assert!(r.h("access-control-allow-origin").is_none());
    assert!(r.h("access-control-allow-credentials").is_none());
}

/// A user of an account (whose own policy may allow it only some buckets) does not see the
/// requests of its account's buckets in the trail; the account's own session does.
#[tokio::test]
async fn a_users_session_sees_no_buckets_requests_in_the_trail() {
    let s = Server::start_with(|c| {
        let owner = c.credentials[0].owner_id.clone();
        c.credentials.push(ossemu_api::Credential {
            owner_id: owner,
            user: Some("dev".into()),
            policy: Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::open/*"}]}"#
                    .into(),
            ),
            ..ossemu_api::Credential::new("dev", "dev-secret")
        });
    })
    .await;
    s.bucket("closed").await;
    let account = sign_in(&s, AK, SK).await;
    let user = sign_in(&s, "dev", "dev-secret").await;
    let mut mine = watch(&s, &account, "").await;
    let mut theirs = watch(&s, &user, "").await;
    s.put("closed", "k", "x").await;
    // A request naming no bucket, after it: both see that one.
    assert_eq!(s.req("GET", "/").send().await.status, 403);
    let seen = events(&mut mine, 2, Duration::from_secs(20)).await;
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0]["bucket"], "closed");
    let seen = events(&mut theirs, 1, Duration::from_secs(20)).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["bucket"], "", "{seen:?}");
}
