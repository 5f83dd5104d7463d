//! Website configuration, custom domains, redirection, index and error documents.

use crate::support::*;

const DOMAIN: &str = "img.example.test";

/// A bucket with a custom domain and the given OSS website configuration.
async fn site(s: &Server, bucket: &str, acl: &str, config: &str) {
    let r = s
        .req("PUT", &format!("/{bucket}"))
        .oss()
        .header("x-oss-acl", acl)
        .send()
        .await;
    assert_eq!(r.status, 200);
    put_website(s, bucket, config).await;
    let body = format!(
        "<BucketCnameConfiguration><Cname><Domain>{DOMAIN}</Domain></Cname></BucketCnameConfiguration>"
    );
    let r = s
        .req("POST", &format!("/{bucket}?cname&comp=add"))
        .oss()
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn put_website(s: &Server, bucket: &str, config: &str) {
    let r = s
        .req("PUT", &format!("/{bucket}?website"))
        .oss()
        .header("content-md5", &md5_b64(config.as_bytes()))
        .body(config.to_string())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

fn rules(rules: &str) -> String {
    format!("<WebsiteConfiguration><RoutingRules>{rules}</RoutingRules></WebsiteConfiguration>")
}

/// A GET through the custom domain (anonymous, as a browser would).
async fn via_domain(s: &Server, path: &str) -> Resp {
    s.req("GET", path).host(DOMAIN).send().await
}

const CUSTOM_404: &str = "<RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>External</RedirectType><Protocol>https</Protocol><HostName>yourdomain.com</HostName><ReplaceKeyWith>404.html</ReplaceKeyWith><HttpRedirectCode>302</HttpRedirectCode></Redirect></RoutingRule>";

#[tokio::test]
async fn custom_404_page_through_custom_domain() {
    let s = Server::start().await;
    site(&s, "pages", "public-read", &rules(CUSTOM_404)).await;
    s.put("pages", "exists.html", "<p>here</p>").await;
    let r = via_domain(&s, "/missing.html").await;
    assert_eq!(r.status, 302);
    assert_eq!(r.h("location"), Some("https://yourdomain.com/404.html"));
    assert_eq!(r.h("x-ossemu-rule"), Some("1"));
    assert_eq!(r.h("content-length"), Some("0"));
    assert!(r.body.is_empty());
    // An existing object is served normally.
    let r = via_domain(&s, "/exists.html").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "<p>here</p>");
    assert!(r.h("x-ossemu-rule").is_none());
    // The standard endpoint refuses the redirect with 400, naming where it would have gone.
    let r = s.req("GET", "/pages/missing.html").send().await;
    let body = r.assert_error(400, "ExternalRedirectForbidden");
    assert_eq!(r.h("location"), Some("https://yourdomain.com/404.html"));
    assert_eq!(r.h("x-oss-ec"), Some("0048-00000300"));
    assert_eq!(r.h("x-ossemu-rule"), Some("1"));
    assert!(body.contains("<EC>0048-00000300</EC>"), "{body}");
    assert!(body.contains("<RecommendDoc>"), "{body}");
    // Virtual-host style is the standard endpoint too.
    let r = s
        .req("GET", "/missing.html")
        .host("pages.localhost")
        .send()
        .await;
    r.assert_error(400, "ExternalRedirectForbidden");
}

#[tokio::test]
async fn migrating_a_folder() {
    let s = Server::start().await;
    let rule = "<RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>examplefolder/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>External</RedirectType><Protocol>https</Protocol><HostName>yourdomain.com</HostName><PassQueryString>true</PassQueryString></Redirect></RoutingRule>";
    site(&s, "migr", "public-read", &rules(rule)).await;
    let r = via_domain(&s, "/examplefolder/does-not-exist.html").await;
    assert_eq!(r.status, 301, "the default redirect code is 301");
    assert_eq!(
        r.h("location"),
        Some("https://yourdomain.com/examplefolder/does-not-exist.html")
    );
    let r = via_domain(&s, "/examplefolder/a%20b.html?x=1&y=z").await;
    assert_eq!(
        r.h("location"),
        Some("https://yourdomain.com/examplefolder/a%20b.html?x=1&y=z")
    );
    // Outside the prefix: a plain 404.
    let r = via_domain(&s, "/other/x.html").await;
    r.assert_error(404, "NoSuchKey");
    assert!(r.h("x-ossemu-rule").is_none());
}

#[tokio::test]
async fn rule_order_prefix_replace_and_headers() {
    let s = Server::start().await;
    let rs = concat!(
        // Listed first but numbered higher: evaluated second.
        "<RoutingRule><RuleNumber>9</RuleNumber><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>",
        "<Redirect><RedirectType>External</RedirectType><HostName>nine.example.com</HostName></Redirect></RoutingRule>",
        "<RoutingRule><RuleNumber>2</RuleNumber><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>",
        "<IncludeHeader><Key>x-beta</Key><Equals>yes</Equals></IncludeHeader></Condition>",
        "<Redirect><RedirectType>External</RedirectType><Protocol>https</Protocol><HostName>example.com/</HostName><ReplaceKeyPrefixWith>/new/</ReplaceKeyPrefixWith><HttpRedirectCode>307</HttpRedirectCode></Redirect></RoutingRule>",
    );
    site(&s, "order", "public-read", &rules(rs)).await;
    let r = s
        .req("GET", "/docs/a.txt")
        .host(DOMAIN)
        .header("x-beta", "yes")
        .send()
        .await;
    assert_eq!(r.status, 307);
    assert_eq!(
        r.h("location"),
        Some("https://example.com/new/a.txt"),
        "no // from joining parts"
    );
    assert_eq!(r.h("x-ossemu-rule"), Some("2"));
    let r = s
        .req("GET", "/docs/a.txt")
        .host(DOMAIN)
        .header("x-beta", "no")
        .send()
        .await;
    assert_eq!(r.status, 301);
    assert_eq!(
        r.h("location"),
        Some("http://nine.example.com/docs/a.txt"),
        "protocol defaults to the request's"
    );
    assert_eq!(r.h("x-ossemu-rule"), Some("9"));
}

#[tokio::test]
async fn private_bucket_and_403_condition() {
    let s = Server::start().await;
    let rule = "<RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>403</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>External</RedirectType><Protocol>https</Protocol><HostName>login.example.com</HostName><ReplaceKeyWith>login?next=${key}</ReplaceKeyWith><HttpRedirectCode>302</HttpRedirectCode></Redirect></RoutingRule>";
    site(&s, "priv", "private", &rules(rule)).await;
    s.put("priv", "secret.txt", "s").await;
    // Anonymous: the read would be 403, the rule matches.
    let r = via_domain(&s, "/secret.txt").await;
    assert_eq!(r.status, 302);
    assert_eq!(
        r.h("location"),
        Some("https://login.example.com/login%3Fnext%3Dsecret.txt")
    );
    // The owner reads it (signed through the custom domain).
    let r = s
        .req("GET", "/secret.txt")
        .host(DOMAIN)
        .host_bucket("priv")
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The owner's miss is a 404, which this 403 rule does not match.
    let r = s
        .req("GET", "/nope")
        .host(DOMAIN)
        .host_bucket("priv")
        .oss()
        .send()
        .await;
    r.assert_error(404, "NoSuchKey");
    // Without a matching rule, anonymous misses stay 403 on a private bucket.
    put_website(&s, "priv", &rules(CUSTOM_404)).await;
    via_domain(&s, "/nope")
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn internal_rule_serves_another_object_once() {
    let s = Server::start().await;
    let rs = "<RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>old/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Internal</RedirectType><ReplaceKeyPrefixWith>new/</ReplaceKeyPrefixWith></Redirect></RoutingRule>";
    site(&s, "intern", "public-read", &rules(rs)).await;
    s.put("intern", "new/page.html", "moved").await;
    let r = s.req("GET", "/intern/old/page.html").send().await;
    assert_eq!(
        r.status, 200,
        "Internal rules work on the standard endpoint too"
    );
    assert_eq!(r.text(), "moved");
    assert_eq!(r.h("x-ossemu-rule"), Some("1"));
    s.req("GET", "/intern/old/missing.html")
        .send()
        .await
        .assert_error(404, "NoSuchKey");
}

#[tokio::test]
async fn index_and_error_documents() {
    let s = Server::start().await;
    let cfg = "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>error.html</Key></ErrorDocument></WebsiteConfiguration>";
    site(&s, "www", "public-read", cfg).await;
    s.put("www", "index.html", "root index").await;
    s.put("www", "error.html", "custom error").await;
    s.put("www", "sub/index.html", "sub index").await;
    // A signed GET of a missing dir/ returns the root index (SupportSubDir off).
    let r = s.req("GET", "/www/anything/").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "root index");
    // The anonymous root is the index page; a signed root GET lists objects.
    assert_eq!(via_domain(&s, "/").await.text(), "root index");
    let r = s.req("GET", "/www").oss().send().await;
    assert!(r.text().contains("<ListBucketResult>"));
    // A missing key gets the error page with 404.
    let r = via_domain(&s, "/missing.html").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), "custom error");
    // SPA style: the error page with HttpStatus 200.
    put_website(&s, "www", "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>index.html</Key><HttpStatus>200</HttpStatus></ErrorDocument></WebsiteConfiguration>").await;
    let r = via_domain(&s, "/app/route/42").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "root index");
    // SupportSubDir with Type 0 (redirect to the directory), 1 (404) and 2 (serve it).
    for (t, status) in [(0, 302), (1, 404), (2, 200)] {
        put_website(&s, "www", &format!("<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix><SupportSubDir>true</SupportSubDir><Type>{t}</Type></IndexDocument></WebsiteConfiguration>")).await;
        let r = via_domain(&s, "/sub/").await;
        assert_eq!(r.text(), "sub index", "Type {t}");
        let r = via_domain(&s, "/sub").await;
        assert_eq!(r.status, status, "Type {t}");
        match t {
            0 => assert_eq!(r.h("location"), Some("/sub/")),
            2 => assert_eq!(r.text(), "sub index"),
            _ => {
                r.assert_error(404, "NoSuchKey");
            }
        }
    }
}

#[tokio::test]
async fn configuration_api_round_trip_and_validation() {
    let s = Server::start().await;
    s.bucket("conf").await;
    let reference = fixture("xml/website/oss-reference.xml");
    put_website(&s, "conf", &reference).await;
    let r = s.req("GET", "/conf?website").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("content-type"), Some("application/xml"));
    assert_eq!(
        r.text(),
        fixture("xml/website/responses/oss-reference.oss.xml").trim_end()
    );
    // ?website= (oss2's spelling) works too.
    let r = s.req("GET", "/conf?website=").oss().send().await;
    assert_eq!(r.status, 200);

    // A refused PUT leaves the previous configuration untouched.
    let bad = [
        ("<WebsiteConfiguration><RoutingRules>", "MalformedXML", ""),
        ("<Other/>", "MalformedXML", ""),
        (
            "<WebsiteConfiguration></WebsiteConfiguration>",
            "MalformedXML",
            "at least one of",
        ),
        (
            &rules(
                "<RoutingRule><RuleNumber>1</RuleNumber><Condition/><Redirect><RedirectType>External</RedirectType><HttpRedirectCode>308</HttpRedirectCode></Redirect></RoutingRule>",
            ) as &str,
            "InvalidArgument",
            "RoutingRule 1: HttpRedirectCode must be 301, 302 or 307",
        ),
        (
            &rules(
                "<RoutingRule><RuleNumber>3</RuleNumber><Condition><HttpErrorCodeReturnedEquals>403</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>http://o.example.com/</MirrorURL></Redirect></RoutingRule>",
            ),
            "InvalidArgument",
            "RoutingRule 3: a Mirror rule needs HttpErrorCodeReturnedEquals 404",
        ),
        (
            &rules(
                "<RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>http://b-internal.oss-cn-hangzhou-internal.aliyuncs.com/</MirrorURL></Redirect></RoutingRule>",
            ),
            "InvalidArgument",
            "internal endpoint",
        ),
        (
            &rules(
                "<RoutingRule><RuleNumber>1</RuleNumber><Condition/><Redirect><RedirectType>External</RedirectType><HostName>a.com</HostName></Redirect></RoutingRule><RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>x</KeyPrefixEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>a.com</HostName></Redirect></RoutingRule>",
            ),
            "InvalidArgument",
            "RuleNumber is used by more than one RoutingRule",
        ),
    ];
    for (body, code, msg) in bad {
        let r = s
            .req("PUT", "/conf?website")
            .oss()
            .body(body.to_string())
            .send()
            .await;
        let text = r.assert_error(400, code);
        assert!(text.contains(msg), "{body}: {text}");
    }
    let many: String = (1..=21)
        .map(|n| format!("<RoutingRule><RuleNumber>{n}</RuleNumber><Condition><KeyPrefixEquals>p{n}/</KeyPrefixEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>a.com</HostName></Redirect></RoutingRule>"))
        .collect();
    let text = s
        .req("PUT", "/conf?website")
        .oss()
        .body(rules(&many))
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    assert!(text.contains("at most 20"), "{text}");
    s.req("PUT", "/conf?website")
        .oss()
        .header("content-md5", &md5_b64(b"x"))
        .body(reference.clone())
        .send()
        .await
        .assert_error(400, "InvalidDigest");
    let huge = format!(
        "<WebsiteConfiguration><!-- {} --></WebsiteConfiguration>",
        "x".repeat(70_000)
    );
    s.req("PUT", "/conf?website")
        .oss()
        .body(huge)
        .send()
        .await
        .assert_error(400, "MaxMessageLengthExceeded");
    let r = s.req("GET", "/conf?website").oss().send().await;
    assert_eq!(
        r.text(),
        fixture("xml/website/responses/oss-reference.oss.xml").trim_end()
    );

    // Owner only.
    s.req("GET", "/conf?website")
        .oss_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("PUT", "/conf?website")
        .oss_as("alt", "alt-secret")
        .body(reference)
        .send()
        .await
        .assert_error(403, "AccessDenied");

    assert_eq!(
        s.req("DELETE", "/conf?website").oss().send().await.status,
        204
    );
    assert_eq!(
        s.req("DELETE", "/conf?website").oss().send().await.status,
        204
    );
    let body = s
        .req("GET", "/conf?website")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchWebsiteConfiguration");
    assert!(body.contains("<BucketName>conf</BucketName>"));
}

#[tokio::test]
async fn s3_dialect_and_website_host() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/s3site")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let body = fixture("xml/website/s3-rules.xml");
    let r = s
        .req("PUT", "/s3site?website")
        .s3()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/s3site?website").s3().send().await;
    assert_eq!(
        r.text(),
        fixture("xml/website/responses/s3-rules.s3.xml").trim_end()
    );

    let redirect_all = fixture("xml/website/s3-redirect-all.xml");
    s.req("PUT", "/s3all")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await;
    s.req("PUT", "/s3all?website")
        .s3()
        .header("content-md5", &md5_b64(redirect_all.as_bytes()))
        .body(redirect_all)
        .send()
        .await;
    let r = s
        .req("GET", "/any/key")
        .host("s3all.s3-website-us-east-1.amazonaws.com")
        .send()
        .await;
    assert_eq!(r.status, 301);
    assert!(
        r.h("location").unwrap().ends_with("/any/key"),
        "{:?}",
        r.h("location")
    );
    // The same bucket through the REST endpoint serves objects normally.
    s.req("PUT", "/s3all/k").s3().body("rest").send().await;
    assert_eq!(s.req("GET", "/s3all/k").s3().send().await.text(), "rest");

    // Prefix-only S3 rules redirect even when the object exists (website host only).
    let prefix_rule = "<WebsiteConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>";
    s.req("PUT", "/s3site?website")
        .s3()
        .header("content-md5", &md5_b64(prefix_rule.as_bytes()))
        .body(prefix_rule)
        .send()
        .await;
    s.req("PUT", "/s3site/docs/a.html")
        .s3()
        .body("old")
        .send()
        .await;
    let host = "s3site.s3-website.us-east-1.amazonaws.com";
    let r = s.req("GET", "/docs/a.html").host(host).send().await;
    assert_eq!(r.status, 301);
    assert_eq!(
        r.h("location"),
        Some(format!("http://{host}/documents/a.html").as_str())
    );
    assert_eq!(
        s.req("GET", "/s3site/docs/a.html").s3().send().await.text(),
        "old"
    );
}

#[tokio::test]
async fn cname_api() {
    let s = Server::start().await;
    s.bucket("cn-one").await;
    s.bucket("cn-two").await;
    let body = |d: &str| {
        format!(
            "<BucketCnameConfiguration><Cname><Domain>{d}</Domain></Cname></BucketCnameConfiguration>"
        )
    };
    assert_eq!(
        s.req("POST", "/cn-one?cname&comp=add")
            .oss()
            .body(body("www.Example.org"))
            .send()
            .await
            .status,
        200
    );
    let r = s.req("GET", "/cn-one?cname").oss().send().await;
    assert_eq!(r.xml("Domain").as_deref(), Some("www.example.org"));
    assert_eq!(r.xml("Status").as_deref(), Some("Enabled"));
    assert_eq!(r.xml("Bucket").as_deref(), Some("cn-one"));
    s.req("POST", "/cn-two?cname&comp=add")
        .oss()
        .body(body("www.example.org"))
        .send()
        .await
        .assert_error(409, "CnameAlreadyExists");
    s.req("POST", "/cn-one?cname&comp=add")
        .oss()
        .body(body("localhost"))
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    s.req("POST", "/cn-one?cname&comp=add")
        .oss_as("alt", "alt-secret")
        .body(body("x.example.org"))
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // The domain addresses the bucket.
    s.put("cn-one", "f", "via cname").await;
    let r = s
        .req("GET", "/f")
        .host("www.example.org")
        .host_bucket("cn-one")
        .oss()
        .send()
        .await;
    assert_eq!(r.text(), "via cname");
    let r = s
        .req("POST", "/cn-one?cname&comp=token")
        .oss()
        .body(body("www.example.org"))
        .send()
        .await;
    let token = r.xml("Token").unwrap();
    let r = s
        .req("GET", "/cn-one?comp=token&cname=www.example.org")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml("Token"), Some(token));
    assert_eq!(
        s.req("POST", "/cn-one?cname&comp=delete")
            .oss()
            .body(body("www.example.org"))
            .send()
            .await
            .status,
        200
    );
    s.req("POST", "/cn-one?cname&comp=delete")
        .oss()
        .body(body("www.example.org"))
        .send()
        .await
        .assert_error(404, "NoSuchCname");
    // Unbound, the domain is an unknown host again: path style.
    let r = s
        .req("GET", "/cn-one/f")
        .host("www.example.org")
        .path_style()
        .oss()
        .send()
        .await;
    assert_eq!(r.text(), "via cname");
}

/// In a versioned bucket a page behind a delete marker is missing, as a page never written:
/// the error document answers for it, and deleting the marker brings the page back.
#[tokio::test]
async fn pages_behind_a_delete_marker() {
    let s = Server::start().await;
    let cfg = "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>error.html</Key></ErrorDocument></WebsiteConfiguration>";
    site(&s, "vsite", "public-read", cfg).await;
    s.set_versioning("vsite", "Enabled").await;
    s.put("vsite", "index.html", "root index").await;
    s.put("vsite", "error.html", "custom error").await;
    s.put("vsite", "page.html", "a page").await;
    let d = s.req("DELETE", "/vsite/page.html").oss().send().await;
    let marker = d.h("x-oss-version-id").unwrap().to_string();
    let r = via_domain(&s, "/page.html").await;
    assert_eq!((r.status, r.text().as_str()), (404, "custom error"));
    // The index document behind a marker: the root is the error page too.
    s.req("DELETE", "/vsite/index.html").oss().send().await;
    let r = via_domain(&s, "/").await;
    assert_eq!((r.status, r.text().as_str()), (404, "custom error"));
    s.req("DELETE", &format!("/vsite/page.html?versionId={marker}"))
        .oss()
        .send()
        .await;
    assert_eq!(via_domain(&s, "/page.html").await.text(), "a page");
}
