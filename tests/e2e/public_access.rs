//! Public access blocks, one setting for both dialects: S3 Put/Get/DeletePublicAccessBlock
//! with its four settings, OSS Put/Get/DeleteBucketPublicAccessBlock with its one, public
//! ACLs refused under BlockPublicAcls and ignored under IgnorePublicAcls, and OSS
//! GetBucketInfo's `BlockPublicAccess`.

use crate::support::*;

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

fn s3_block(acls: bool, ignore: bool, policy: bool, restrict: bool) -> String {
    format!(
        "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>{acls}</BlockPublicAcls><IgnorePublicAcls>{ignore}</IgnorePublicAcls><BlockPublicPolicy>{policy}</BlockPublicPolicy><RestrictPublicBuckets>{restrict}</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
    )
}

fn oss_block(on: bool) -> String {
    format!(
        "<PublicAccessBlockConfiguration><BlockPublicAccess>{on}</BlockPublicAccess></PublicAccessBlockConfiguration>"
    )
}

#[tokio::test]
async fn s3_public_access_block_is_set_read_and_deleted() {
    let s = Server::start().await;
    assert_eq!(s.req("PUT", "/pab-s3").s3().send().await.status, 200);
    s.req("GET", "/pab-s3?publicAccessBlock")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchPublicAccessBlockConfiguration");
    let r = s
        .req("PUT", "/pab-s3?publicAccessBlock")
        .s3()
        .body(s3_block(true, false, true, false))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/pab-s3?publicAccessBlock").s3().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains(&s3_block(true, false, true, false)),
        "{}",
        r.text()
    );
    // OSS reads it as blocked only when all four are on.
    let r = s.req("GET", "/pab-s3?publicAccessBlock").oss().send().await;
    assert_eq!(r.xml("BlockPublicAccess").as_deref(), Some("false"));
    // Only the owner configures it.
    s.req("GET", "/pab-s3?publicAccessBlock")
        .s3_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(403, "AccessDenied");

    // BlockPublicAcls: public canned ACLs and public grants are refused, private is not.
    for (path, name, value) in [
        ("/pab-s3?acl", "x-amz-acl", "public-read"),
        ("/pab-s3?acl", "x-amz-acl", "authenticated-read"),
        ("/pab-s3/o", "x-amz-acl", "public-read-write"),
        (
            "/pab-s3/o",
            "x-amz-grant-read",
            &format!("uri=\"{ALL_USERS}\""),
        ),
    ] {
        s.req("PUT", path)
            .s3()
            .header(name, value)
            .body("x")
            .send()
            .await
            .assert_error(403, "AccessDenied");
    }
    assert_eq!(s.req("HEAD", "/pab-s3/o").s3().send().await.status, 404);
    let r = s
        .req("PUT", "/pab-s3/o")
        .s3()
        .header("x-amz-acl", "private")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.req("PUT", "/pab-s3/o?acl")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await
        .assert_error(403, "AccessDenied");

    let r = s
        .req("DELETE", "/pab-s3?publicAccessBlock")
        .s3()
        .send()
        .await;
    assert_eq!(r.status, 204);
    s.req("GET", "/pab-s3?publicAccessBlock")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchPublicAccessBlockConfiguration");
    let r = s
        .req("PUT", "/pab-s3?acl")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn ignore_public_acls_ignores_public_grants_only() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/pab-ign")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("PUT", "/pab-ign/pub")
        .s3()
        .header("x-amz-acl", "public-read")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .req("PUT", "/pab-ign/alt")
        .s3()
        .header("x-amz-grant-read", "id=\"alt\"")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(s.req("GET", "/pab-ign").send().await.status, 200);
    assert_eq!(s.req("GET", "/pab-ign/pub").send().await.status, 200);
    let alt = |r: Req| r.s3_as("alt", "alt-secret");
    assert_eq!(alt(s.req("GET", "/pab-ign")).send().await.status, 200);

    let r = s
        .req("PUT", "/pab-ign?publicAccessBlock")
        .s3()
        .body(s3_block(false, true, false, false))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Public ACLs may still be set, but give nothing.
    let r = s
        .req("PUT", "/pab-ign?acl")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for path in ["/pab-ign", "/pab-ign/pub"] {
        s.req("GET", path)
            .send()
            .await
            .assert_error(403, "AccessDenied");
        assert_eq!(alt(s.req("GET", path)).send().await.status, 403, "{path}");
    }
    // A grant to an account still counts; the owner keeps its rights.
    assert_eq!(alt(s.req("GET", "/pab-ign/alt")).send().await.status, 200);
    assert_eq!(s.req("GET", "/pab-ign/pub").s3().send().await.status, 200);
}

#[tokio::test]
async fn oss_block_public_access_is_one_setting_shared_with_s3() {
    let s = Server::start().await;
    s.bucket("pab-oss").await;
    // Without a setting, a new private bucket is reported blocked (OSS's default).
    let r = s
        .req("GET", "/pab-oss?publicAccessBlock")
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("BlockPublicAccess").as_deref(), Some("true"));
    let r = s
        .req("PUT", "/pab-oss?publicAccessBlock")
        .oss()
        .body(oss_block(true))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("GET", "/pab-oss?publicAccessBlock")
        .oss()
        .send()
        .await;
    assert_eq!(
        r.text(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
            oss_block(true)
        )
    );
    let r = s.req("GET", "/pab-oss?bucketInfo").oss().send().await;
    assert_eq!(r.xml("BlockPublicAccess").as_deref(), Some("true"));
    // S3 sees all four settings on.
    let r = s.req("GET", "/pab-oss?publicAccessBlock").s3().send().await;
    assert!(
        r.text().contains(&s3_block(true, true, true, true)),
        "{}",
        r.text()
    );
    // Public ACLs are refused in OSS too.
    s.req("PUT", "/pab-oss?acl")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("PUT", "/pab-oss/o")
        .oss()
        .header("x-oss-object-acl", "public-read-write")
        .body("x")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // Lifted: public ACLs are taken and GetBucketInfo says so.
    let r = s
        .req("PUT", "/pab-oss?publicAccessBlock")
        .oss()
        .body(oss_block(false))
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .req("PUT", "/pab-oss?acl")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/pab-oss?bucketInfo").oss().send().await;
    assert_eq!(r.xml("BlockPublicAccess").as_deref(), Some("false"));
    assert_eq!(s.req("GET", "/pab-oss").send().await.status, 200);
    let r = s
        .req("DELETE", "/pab-oss?publicAccessBlock")
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 204);
    s.req("GET", "/pab-oss?publicAccessBlock")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchPublicAccessBlockConfiguration");
    s.req("PUT", "/pab-oss?publicAccessBlock")
        .oss()
        .body("<PublicAccessBlockConfiguration/>")
        .send()
        .await
        .assert_error(400, "MalformedXML");
}

/// A form upload naming a public ACL is refused under BlockPublicAcls like any other write.
#[tokio::test]
async fn form_uploads_are_checked_too() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/pab-form")
        .oss()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("PUT", "/pab-form?publicAccessBlock")
        .s3()
        .body(s3_block(true, false, false, false))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let post = |fields: &[(&str, &str)]| {
        let (ct, body) = crate::post_object::form(fields, b"hi");
        s.req("POST", "/pab-form")
            .header("content-type", &ct)
            .body(body)
            .send()
    };
    post(&[("key", "pub.txt"), ("x-oss-object-acl", "public-read")])
        .await
        .assert_error(403, "AccessDenied");
    assert_eq!(
        s.req("HEAD", "/pab-form/pub.txt").oss().send().await.status,
        404
    );
    assert_eq!(post(&[("key", "plain.txt")]).await.status, 204);
}
