//! Bucket policies in both dialects, decided together with ACLs and users' own policies for
//! every requester: the bucket owner, a user of the owner's account, another account, a user
//! of another account, and anonymous requests, through the REST endpoint, a website host and
//! a mirrored GET.

use ossemu_api::Credential;

use crate::origin::Origin;
use crate::support::*;

const MAIN_ID: &str = "100001";
const ALT_ID: &str = "200002";

fn account(ak: &str, id: &str) -> Credential {
    Credential {
        owner_id: id.into(),
        display_name: ak.into(),
        ..Credential::new(ak, format!("{ak}-secret"))
    }
}

fn user(ak: &str, id: &str, name: &str, policy: Option<&str>) -> Credential {
    Credential {
        user: Some(name.into()),
        policy: policy.map(str::to_string),
        ..account(ak, id)
    }
}

/// A user policy that allows everything on every bucket.
const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

/// Accounts `main` (100001) and `alt` (200002); `dev` is a user of main without a policy of
/// its own, `ops` one with ADMIN; `altops` is a user of alt with ADMIN.
async fn server() -> Server {
    Server::start_with(|c| {
        c.credentials = vec![
            account("main", MAIN_ID),
            account("alt", ALT_ID),
            user("dev", MAIN_ID, "dev", None),
            user("ops", MAIN_ID, "ops", Some(ADMIN)),
            user("altops", ALT_ID, "altops", Some(ADMIN)),
        ];
    })
    .await
}

/// Who asks.
#[derive(Clone, Copy, Debug)]
enum Who {
    Owner,
    SameAccountUser,
    SameAccountAdmin,
    OtherAccount,
    OtherAccountAdmin,
    Anonymous,
}

use Who::*;

const EVERYONE: [Who; 6] = [
    Owner,
    SameAccountUser,
    SameAccountAdmin,
    OtherAccount,
    OtherAccountAdmin,
    Anonymous,
];

fn signed(r: Req, who: Who, s3: bool) -> Req {
    let ak = match who {
        Owner => "main",
        SameAccountUser => "dev",
        SameAccountAdmin => "ops",
        OtherAccount => "alt",
        OtherAccountAdmin => "altops",
        Anonymous => return r,
    };
    let sk = format!("{ak}-secret");
    if s3 {
        r.s3_as(ak, &sk)
    } else {
        r.oss_as(ak, &sk)
    }
}

async fn status(s: &Server, who: Who, method: &str, path: &str, s3: bool) -> u16 {
    let body = if method == "PUT" { "data" } else { "" };
    let r = signed(s.req(method, path).body(body), who, s3).send().await;
    if r.status == 403 {
        assert!(
            r.text().contains("<Code>AccessDenied</Code>"),
            "{}",
            r.text()
        );
    }
    r.status
}

async fn put_policy(s: &Server, bucket: &str, doc: &str) {
    let r = s
        .req("PUT", &format!("/{bucket}?policy"))
        .s3_as("main", "main-secret")
        .body(doc.to_string())
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

async fn new_bucket(s: &Server, bucket: &str, acl: &str) {
    let r = s
        .req("PUT", &format!("/{bucket}"))
        .s3_as("main", "main-secret")
        .header("x-amz-acl", acl)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Written through OSS, the objects have no ACL of their own: the bucket's applies.
    for key in ["public/a", "private/a"] {
        let r = s
            .req("PUT", &format!("/{bucket}/{key}"))
            .oss_as("main", "main-secret")
            .body("hello")
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

/// Expected (read `public/a`, read `private/a`, write `public/new`) per requester.
type Row = (Who, [u16; 3]);

async fn check(s: &Server, bucket: &str, rows: &[Row], case: &str) {
    for (who, want) in rows {
        for s3 in [true, false] {
            let got = [
                status(s, *who, "GET", &format!("/{bucket}/public/a"), s3).await,
                status(s, *who, "GET", &format!("/{bucket}/private/a"), s3).await,
                status(s, *who, "PUT", &format!("/{bucket}/public/new"), s3).await,
            ];
            assert_eq!(&got, want, "{case}: {who:?}, s3 = {s3}");
        }
    }
}

#[tokio::test]
async fn requesters_by_acl_and_policy() {
    let s = server().await;
    const OK: u16 = 200;
    const NO: u16 = 403;

    // A private bucket without a policy: the owner, and a user of its account with a policy
    // of its own that allows it; nobody else.
    new_bucket(&s, "m-private", "private").await;
    let rows: Vec<Row> = EVERYONE
        .iter()
        .map(|&w| match w {
            Owner | SameAccountAdmin => (w, [OK, OK, OK]),
            _ => (w, [NO, NO, NO]),
        })
        .collect();
    check(&s, "m-private", &rows, "private, no policy").await;

    // public-read: everyone reads; a user of another account only with its own policy
    // (both accounts must allow).
    new_bucket(&s, "m-public", "public-read").await;
    let rows: Vec<Row> = EVERYONE
        .iter()
        .map(|&w| match w {
            Owner | SameAccountAdmin => (w, [OK, OK, OK]),
            SameAccountUser | OtherAccount | OtherAccountAdmin | Anonymous => (w, [OK, OK, NO]),
        })
        .collect();
    check(&s, "m-public", &rows, "public-read").await;

    // A policy that lets the other account read `public/*` and anyone write it, and denies
    // everyone `private/*`: an explicit Deny binds the owner too.
    new_bucket(&s, "m-policy", "private").await;
    put_policy(
        &s,
        "m-policy",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ALT_ID}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::m-policy/public/*"}},
            {{"Effect":"Allow","Principal":"*","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::m-policy/public/*"}},
            {{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::m-policy/private/*"}}]}}"#
        ),
    )
    .await;
    let rows = [
        (Owner, [OK, NO, OK]),
        (SameAccountUser, [NO, NO, OK]),
        (SameAccountAdmin, [OK, NO, OK]),
        // The account's grant reaches its users only with their own policy's consent.
        (OtherAccount, [OK, NO, OK]),
        (OtherAccountAdmin, [OK, NO, OK]),
        (Anonymous, [NO, NO, OK]),
    ];
    check(&s, "m-policy", &rows, "policy").await;

    // The owner can always read, replace and delete the policy, even one that denies it.
    put_policy(
        &s,
        "m-policy",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::m-policy","arn:aws:s3:::m-policy/*"]}]}"#,
    )
    .await;
    assert_eq!(
        status(&s, Owner, "GET", "/m-policy/public/a", true).await,
        NO
    );
    assert_eq!(status(&s, Owner, "GET", "/m-policy?acl", true).await, NO);
    assert_eq!(status(&s, Owner, "GET", "/m-policy?policy", true).await, OK);
    assert_eq!(
        status(&s, Owner, "DELETE", "/m-policy?policy", true).await,
        204
    );
    assert_eq!(
        status(&s, Owner, "GET", "/m-policy/private/a", true).await,
        OK
    );
}

#[tokio::test]
async fn conditions_see_the_request() {
    let s = server().await;
    new_bucket(&s, "m-cond", "private").await;
    put_policy(
        &s,
        "m-cond",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"AWS":"{ALT_ID}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::m-cond/*","Condition":{{"IpAddress":{{"aws:SourceIp":"127.0.0.0/8"}},"StringLike":{{"aws:Referer":"https://good.example/*"}}}}}},
            {{"Effect":"Allow","Principal":{{"AWS":"{ALT_ID}"}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::m-cond","Condition":{{"StringEquals":{{"s3:prefix":"public/"}}}}}}]}}"#
        ),
    )
    .await;
    let get = |referer: &'static str| {
        s.req("GET", "/m-cond/public/a")
            .s3_as("alt", "alt-secret")
            .header("referer", referer)
    };
    assert_eq!(get("https://good.example/page").send().await.status, 200);
    get("https://bad.example/page")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let list = |prefix: &str| {
        s.req("GET", &format!("/m-cond?prefix={prefix}"))
            .s3_as("alt", "alt-secret")
    };
    let r = list("public/").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml_all("Key"), ["public/a"]);
    list("private/")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // A missing key: 404 only with list permission on its name as prefix (S3's rule).
    let r = s
        .req("HEAD", "/m-cond/public/")
        .s3_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(r.status, 404);
    let r = s
        .req("HEAD", "/m-cond/private/none")
        .s3_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn policy_documents_in_both_dialects() {
    let s = server().await;
    new_bucket(&s, "m-doc", "private").await;
    // S3: 204, the document back byte for byte, 404 once deleted.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::m-doc/public/*"}]}"#;
    put_policy(&s, "m-doc", doc).await;
    let r = s
        .req("GET", "/m-doc?policy")
        .s3_as("main", "main-secret")
        .send()
        .await;
    assert_eq!((r.status, r.text().as_str()), (200, doc));
    let r = s
        .req("GET", "/m-doc?policyStatus")
        .s3_as("main", "main-secret")
        .send()
        .await;
    assert_eq!(r.xml("IsPublic").as_deref(), Some("true"), "{}", r.text());
    // Anyone may now read public/*, and nothing else.
    assert_eq!(s.req("GET", "/m-doc/public/a").send().await.text(), "hello");
    s.req("GET", "/m-doc/private/a")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // Only the owner manages it.
    s.req("GET", "/m-doc?policy")
        .s3_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("PUT", "/m-doc?policy")
        .s3_as("alt", "alt-secret")
        .body(doc)
        .send()
        .await
        .assert_error(403, "AccessDenied");

    // OSS: the same bucket, an OSS document (no Principal: everyone), 200 then 204.
    let oss_doc = r#"{"Version":"1","Statement":[{"Action":["oss:GetObject"],"Effect":"Allow","Resource":["acs:oss:*:*:m-doc/private/*"]}]}"#;
    let r = s
        .req("PUT", "/m-doc?policy")
        .oss_as("main", "main-secret")
        .body(oss_doc)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("GET", "/m-doc?policy")
        .oss_as("main", "main-secret")
        .send()
        .await;
    assert_eq!(r.text(), oss_doc);
    assert_eq!(s.req("GET", "/m-doc/private/a").send().await.status, 200);
    s.req("GET", "/m-doc/public/a")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let r = s
        .req("DELETE", "/m-doc?policy")
        .oss_as("main", "main-secret")
        .send()
        .await;
    assert_eq!(r.status, 204);
    let r = s
        .req("GET", "/m-doc?policy")
        .oss_as("main", "main-secret")
        .send()
        .await;
    r.assert_error(404, "NoSuchBucketPolicy");
    let r = s
        .req("GET", "/m-doc?policyStatus")
        .oss_as("main", "main-secret")
        .send()
        .await;
    assert_eq!(r.xml("IsPublic").as_deref(), Some("false"), "{}", r.text());
    s.req("GET", "/m-doc/private/a")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn malformed_policies_change_nothing() {
    let s = server().await;
    new_bucket(&s, "m-bad", "private").await;
    let good = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::m-bad/*"}]}"#;
    put_policy(&s, "m-bad", good).await;
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{}","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::m-bad/*"}}]}}"#,
        "x".repeat(21 * 1024)
    );
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "JSON"),
        (r#"{"Version":"2012-10-17"}"#.into(), "Statement"),
        (
            r#"{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::m-bad/*"}]}"#.into(),
            "Maybe",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::another/*"}]}"#.into(),
            "resource",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ec2:RunInstances","Resource":"arn:aws:s3:::m-bad/*"}]}"#.into(),
            "action",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::m-bad/*","Condition":{"Sometimes":{"aws:SourceIp":"1.2.3.4"}}}]}"#.into(),
            "Sometimes",
        ),
        (big, "20"),
    ];
    for (doc, named) in cases {
        for s3 in [true, false] {
            let req = s.req("PUT", "/m-bad?policy").body(doc.clone());
            let r = if s3 {
                req.s3_as("main", "main-secret")
            } else {
                req.oss_as("main", "main-secret")
            }
            .send()
            .await;
            let message = r.assert_error(400, "MalformedPolicy");
            assert!(
                message.contains(named),
                "{named:?} not in {message:?} for {doc:.80}"
            );
            assert!(r.xml("RequestId").is_some_and(|id| !id.is_empty()));
        }
    }
    let r = s
        .req("GET", "/m-bad?policy")
        .s3_as("main", "main-secret")
        .send()
        .await;
    assert_eq!(r.text(), good, "a refused policy leaves the old one");
}

/// A private bucket with a mirroring rule and a website host: the policy that lets anyone
/// read `public/*` makes those keys readable on the website host and mirrorable; other
/// keys stay 403 and never reach the origin.
#[tokio::test]
async fn website_and_mirror_follow_the_policy() {
    let s = server().await;
    let o = Origin::start().await;
    o.file(
        "/o/public/m.txt",
        b"from origin",
        &[("content-type", "text/plain")],
    );
    o.file(
        "/o/private/m.txt",
        b"secret origin",
        &[("content-type", "text/plain")],
    );
    new_bucket(&s, "m-site", "private").await;
    let cfg = format!(
        "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{}o/</MirrorURL></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>",
        o.url()
    );
    let r = s
        .req("PUT", "/m-site?website")
        .oss_as("main", "main-secret")
        .body(cfg)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Before the policy: anonymous reads are refused and nothing is fetched.
    s.req("GET", "/m-site/public/m.txt")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    assert!(o.hits("/o/public/m.txt").is_empty());

    put_policy(
        &s,
        "m-site",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::m-site/public/*"}]}"#,
    )
    .await;
    let r = s.req("GET", "/m-site/public/m.txt").send().await;
    assert_eq!((r.status, r.text().as_str()), (200, "from origin"));
    assert_eq!(
        o.hits("/o/public/m.txt").len(),
        1,
        "mirrored once, then stored"
    );
    s.req("GET", "/m-site/private/m.txt")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    assert!(o.hits("/o/private/m.txt").is_empty());

    // The S3 website host serves what the policy allows.
    let host = "m-site.s3-website-us-east-1.amazonaws.com";
    let r = s.req("GET", "/public/a").host(host).send().await;
    assert_eq!((r.status, r.text().as_str()), (200, "hello"));
    let r = s.req("GET", "/private/a").host(host).send().await;
    assert_eq!(r.status, 403);
}
