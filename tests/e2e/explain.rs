//! `POST /_ossemu/explain` against what the request then really gets: for each scenario of a
//! seeded server (objects, a private and a public bucket, mirror, redirect, internal, index
//! and error documents, a custom domain, an S3 website host, a policy), explain is asked
//! first, then the request is sent, and status, `Location`, rule and body must agree.

use serde_json::Value;

use crate::origin::Origin;
use crate::support::*;

const SITE: &str = "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>error.html</Key></ErrorDocument><RoutingRules>\
<RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>old/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>example.net</HostName><ReplaceKeyPrefixWith>new/</ReplaceKeyPrefixWith><HttpRedirectCode>302</HttpRedirectCode></Redirect></RoutingRule>\
<RoutingRule><RuleNumber>2</RuleNumber><Condition><KeyPrefixEquals>alias/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Internal</RedirectType><ReplaceKeyPrefixWith>docs/</ReplaceKeyPrefixWith></Redirect></RoutingRule>\
<RoutingRule><RuleNumber>3</RuleNumber><Condition><KeyPrefixEquals>static/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>ORIGIN</MirrorURL></Redirect></RoutingRule>\
</RoutingRules></WebsiteConfiguration>";

async fn explain(s: &Server, method: &str, host: &str, path: &str) -> Value {
    let q = serde_json::json!({"method": method, "host": host, "path": path, "headers": {}});
    let r = s
        .req("POST", "/_ossemu/explain")
        .body(q.to_string())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

async fn seeded(o: &Origin) -> Server {
    let s = Server::start().await;
    for (bucket, acl) in [("ex-site", "public-read"), ("ex-closed", "private")] {
        let r = s
            .req("PUT", &format!("/{bucket}"))
            .oss()
            .header("x-oss-acl", acl)
            .send()
            .await;
        assert_eq!(r.status, 200);
        let cfg = SITE.replace("ORIGIN", &format!("{}o/", o.url()));
        let r = s
            .req("PUT", &format!("/{bucket}?website"))
            .oss()
            .body(cfg)
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        for key in [
            "a.txt",
            "docs/page.html",
            "dir/index.html",
            "index.html",
            "error.html",
            "public/p.txt",
        ] {
            s.req("PUT", &format!("/{bucket}/{key}"))
                .oss()
                .body(format!("body of {key}"))
                .send()
                .await;
        }
    }
    let r = s
        .req("POST", "/ex-site?cname&comp=add")
        .oss()
        .body("<BucketCnameConfiguration><Cname><Domain>www.example.org</Domain></Cname></BucketCnameConfiguration>")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("PUT", "/ex-closed?policy")
        .s3()
        .body(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ex-closed/public/*"}]}"#)
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    s
}

#[tokio::test]
async fn explain_agrees_with_the_request_in_every_scenario() {
    let o = Origin::start().await;
    o.file(
        "/o/static/app.js",
        b"from origin",
        &[("content-type", "text/plain")],
    );
    let s = seeded(&o).await;
    let endpoint = s.addr.to_string();
    // (method, host, path, expected kind)
    let scenarios: &[(&str, &str, &str, &str)] = &[
        ("GET", &endpoint, "/ex-site/a.txt", "serve"),
        ("HEAD", &endpoint, "/ex-site/a.txt", "serve"),
        ("GET", &endpoint, "/ex-site/missing", "error-document"),
        ("GET", &endpoint, "/ex-site/dir/", "index"),
        ("GET", &endpoint, "/ex-site/alias/page.html", "serve"),
        ("GET", &endpoint, "/ex-site/old/x.html", "error"),
        ("GET", "www.example.org", "/old/x.html", "redirect"),
        ("GET", "www.example.org", "/a.txt", "serve"),
        (
            "GET",
            "ex-site.s3-website-us-east-1.amazonaws.com",
            "/dir/",
            "index",
        ),
        ("GET", "www.example.org", "/", "index"),
        ("GET", &endpoint, "/ex-site/", "index"),
        ("GET", &endpoint, "/ex-site/static/app.js", "mirror"),
        (
            "HEAD",
            &endpoint,
            "/ex-site/static/other.js",
            "error-document",
        ),
        ("GET", &endpoint, "/ex-closed/a.txt", "error"),
        ("GET", &endpoint, "/ex-closed/public/p.txt", "serve"),
        ("GET", &endpoint, "/ex-closed/public/none", "error"),
        ("GET", &endpoint, "/no-such-bucket/k", "error"),
        ("GET", &endpoint, "/ex-site/a.txt?versionId=null", "serve"),
    ];
    for &(method, host, path, kind) in scenarios {
        let e = explain(&s, method, host, path).await;
        let action = &e["action"];
        assert_eq!(action["kind"], kind, "{method} {host}{path}: {e:#}");
        let r = s.req(method, path).host(host).send().await;
        let what = format!(
            "{method} {host}{path}: explain {e:#}\nreal {} {}",
            r.status,
            r.text()
        );
        match kind {
            "mirror" => {
                assert_eq!(r.status, 200, "{what}");
                let url = action["origin_url"].as_str().unwrap();
                assert!(url.ends_with("/o/static/app.js"), "{what}");
                assert_eq!(o.hits("/o/static/app.js").len(), 1, "{what}");
            }
            _ => assert_eq!(Some(r.status as u64), action["status"].as_u64(), "{what}"),
        }
        assert_eq!(r.h("location"), action["location"].as_str(), "{what}");
        let rule = r.h("x-ossemu-rule").map(|n| n.parse::<u64>().unwrap());
        assert_eq!(rule, action["rule"].as_u64(), "{what}");
        if let Some(code) = action["code"].as_str() {
            assert!(r.text().contains(&format!("<Code>{code}</Code>")), "{what}");
        }
        if let Some(key) = action["serves"].as_str()
            && method == "GET"
        {
            assert_eq!(r.text(), format!("body of {key}"), "{what}");
        }
    }
}

#[tokio::test]
async fn rules_are_listed_with_why_not() {
    let o = Origin::start().await;
    let s = seeded(&o).await;
    let e = explain(&s, "GET", "www.example.org", "/old/x.html").await;
    assert_eq!(e["addressing"], "custom-domain");
    assert_eq!(e["bucket"], "ex-site");
    assert_eq!(e["key"], "old/x.html");
    assert_eq!(e["requester"], "anonymous");
    assert_eq!(e["object_exists"], false);
    assert_eq!(e["readable"], true);
    let rules = e["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[0]["matched"], true);
    assert_eq!(rules[0]["chosen"], true);
    assert_eq!(rules[1]["matched"], false);
    assert_eq!(
        rules[1]["why_not"][0],
        "the key does not start with KeyPrefixEquals \"alias/\""
    );
    assert_eq!(
        e["action"]["location"], "http://example.net/new/x.html",
        "{e:#}"
    );
    // A private bucket's miss is a 403: the mirror rule (404 only) does not apply.
    let e = explain(&s, "GET", &s.addr.to_string(), "/ex-closed/static/app.js").await;
    assert_eq!(e["readable"], false);
    assert_eq!(e["action"]["code"], "AccessDenied");
    let mirror = &e["rules"][2];
    assert_eq!(mirror["matched"], false);
    assert_eq!(
        mirror["why_not"][0],
        "the rule applies to 404 (HttpErrorCodeReturnedEquals) and the request would get 403"
    );
    assert!(
        o.hits("/o/static/app.js").is_empty(),
        "explain fetches nothing"
    );
    // Not a question: 400 with a message.
    let r = s.req("POST", "/_ossemu/explain").body("{").send().await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("bad question"));
}

/// A redirect to a custom domain of this server that is redirected again is a warning, on
/// PutBucketWebsite (the configuration is still accepted) and in explain.
#[tokio::test]
async fn redirect_loops_are_reported() {
    let s = Server::start().await;
    for b in ["loop-a", "loop-b"] {
        s.req("PUT", &format!("/{b}"))
            .oss()
            .header("x-oss-acl", "public-read")
            .send()
            .await;
    }
    for (b, d) in [("loop-a", "a.example.org"), ("loop-b", "b.example.org")] {
        let r = s
            .req("POST", &format!("/{b}?cname&comp=add"))
            .oss()
            .body(format!("<BucketCnameConfiguration><Cname><Domain>{d}</Domain></Cname></BucketCnameConfiguration>"))
            .send()
            .await;
        assert_eq!(r.status, 200);
    }
    let rule = |host: &str| {
        format!(
            "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>{host}</HostName></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>"
        )
    };
    let r = s
        .req("PUT", "/loop-a?website")
        .oss()
        .body(rule("b.example.org"))
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert!(r.h("x-ossemu-warning").is_none(), "b has no rules yet");
    let r = s
        .req("PUT", "/loop-b?website")
        .oss()
        .body(rule("a.example.org"))
        .send()
        .await;
    assert_eq!(r.status, 200, "accepted, as OSS accepts it");
    let warning = r.h("x-ossemu-warning").unwrap().to_string();
    assert!(warning.starts_with("redirect loop: loop-b/x (rule 1) -> http://a.example.org/x, then loop-a/x (rule 1) -> http://b.example.org/x"), "{warning}");
    let e = explain(&s, "GET", "a.example.org", "/page").await;
    assert_eq!(e["action"]["kind"], "redirect");
    let w = e["warnings"][0].as_str().unwrap();
    assert!(w.starts_with("redirect loop: loop-a/page (rule 1)"), "{w}");
}

/// `ossemu explain` on the command line asks a running server and prints its answer.
#[tokio::test]
async fn the_command_line_asks_the_server() {
    let s = Server::start().await;
    s.bucket("ex-cli").await;
    let url = format!("http://{}", s.addr);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_ossemu"))
            .args([
                "explain",
                "--url",
                &url,
                "-H",
                "Referer: https://x/",
                "GET",
                "/ex-cli/k",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["bucket"], "ex-cli");
    assert_eq!(answer["key"], "k");
    assert_eq!(answer["action"]["code"], "AccessDenied", "{answer:#}");
    assert_eq!(answer["readable"], false);
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_ossemu"))
        .args(["explain", "--url", "http://127.0.0.1:1", "GET", "/b/k"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unreachable"));
}
