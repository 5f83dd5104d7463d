//! S3 grants: an AccessControlPolicy body or `x-amz-grant-*` headers are applied as given
//! (grantees checked and resolved), and read back as given; OSS keeps its canned ACLs.

use crate::support::*;

const XSI: &str = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

fn policy(grants: &[(&str, &str, &str)]) -> String {
    let grants: String = grants
        .iter()
        .map(|(kind, who, perm)| {
            let inner = match *kind {
                "CanonicalUser" => format!("<ID>{who}</ID>"),
                "Group" => format!("<URI>{who}</URI>"),
                _ => format!("<EmailAddress>{who}</EmailAddress>"),
            };
            format!("<Grant><Grantee {XSI} xsi:type=\"{kind}\">{inner}</Grantee><Permission>{perm}</Permission></Grant>")
        })
        .collect();
    format!(
        "<AccessControlPolicy><Owner><ID>{AK}</ID></Owner><AccessControlList>{grants}</AccessControlList></AccessControlPolicy>"
    )
}

async fn put_acl(s: &Server, path: &str, body: String) -> Resp {
    s.req("PUT", path).s3().body(body).send().await
}

async fn grants_of(s: &Server, path: &str) -> Vec<String> {
    let r = s.req("GET", path).s3().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.xml_all("Permission")
}

#[tokio::test]
async fn acl_bodies_are_applied_or_refused() {
    let s = Server::start().await;
    s.bucket("aclb").await;
    s.put("aclb", "o", "x").await;
    // FULL_CONTROL for the owner plus AllUsers READ is public-read.
    let r = put_acl(
        &s,
        "/aclb?acl",
        policy(&[
            ("CanonicalUser", AK, "FULL_CONTROL"),
            ("Group", ALL_USERS, "READ"),
        ]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(grants_of(&s, "/aclb?acl").await, ["READ", "FULL_CONTROL"]);
    assert_eq!(s.req("GET", "/aclb").send().await.status, 200);

    // An e-mail grantee cannot be resolved: 400, nothing changes.
    let r = put_acl(
        &s,
        "/aclb?acl",
        policy(&[
            ("CanonicalUser", AK, "FULL_CONTROL"),
            ("AmazonCustomerByEmail", "a@b.example", "READ"),
        ]),
    )
    .await;
    let body = r.assert_error(400, "UnresolvableGrantByEmailAddress");
    assert!(
        body.contains("The email address you provided does not match any account on record."),
        "{body}"
    );
    // Any list is applied as given: an empty one (no grants at all: the owner keeps its
    // implicit rights), one without the owner's FULL_CONTROL, one granting another account.
    for (body, want) in [
        (policy(&[]), vec![]),
        (policy(&[("Group", ALL_USERS, "READ")]), vec!["READ"]),
        (policy(&[("CanonicalUser", AK, "READ")]), vec!["READ"]),
        (
            policy(&[
                ("CanonicalUser", AK, "FULL_CONTROL"),
                ("CanonicalUser", "alt", "READ"),
            ]),
            vec!["FULL_CONTROL", "READ"],
        ),
    ] {
        let r = put_acl(&s, "/aclb?acl", body.clone()).await;
        assert_eq!(r.status, 200, "{body}: {}", r.text());
        assert_eq!(grants_of(&s, "/aclb?acl").await, want, "{body}");
    }
    let r = put_acl(
        &s,
        "/aclb?acl",
        policy(&[
            ("CanonicalUser", AK, "FULL_CONTROL"),
            ("Group", ALL_USERS, "READ"),
        ]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A canonical id nobody has is an invalid id.
    let text = put_acl(
        &s,
        "/aclb?acl",
        policy(&[("CanonicalUser", "nobody", "FULL_CONTROL")]),
    )
    .await
    .assert_error(400, "InvalidArgument");
    assert!(text.contains("<Message>Invalid id</Message>"), "{text}");
    assert_eq!(grants_of(&s, "/aclb?acl").await, ["READ", "FULL_CONTROL"]);

    // Object ACL bodies: the object owner's FULL_CONTROL alone is private.
    let r = put_acl(
        &s,
        "/aclb/o?acl",
        policy(&[("CanonicalUser", AK, "FULL_CONTROL")]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(grants_of(&s, "/aclb/o?acl").await, ["FULL_CONTROL"]);
    s.req("GET", "/aclb/o")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn grant_headers_are_applied_or_refused() {
    let s = Server::start().await;
    let owner_full = format!("id=\"{AK}\"");
    let everyone = format!("uri=\"{ALL_USERS}\"");
    // CreateBucket with grants equivalent to public-read.
    let r = s
        .req("PUT", "/grantb")
        .s3()
        .header("x-amz-grant-full-control", &owner_full)
        .header("x-amz-grant-read", &everyone)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(grants_of(&s, "/grantb?acl").await, ["READ", "FULL_CONTROL"]);
    // Canned and header grants together are refused; nothing is created.
    s.req("PUT", "/grantc")
        .s3()
        .header("x-amz-acl", "private")
        .header("x-amz-grant-read", &everyone)
        .send()
        .await
        .assert_error(400, "InvalidRequest");
    assert_eq!(s.req("HEAD", "/grantc").s3().send().await.status, 404);

    // PutObject: AllUsers READ alone is stored as given (the writer keeps its implicit
    // rights as the object's owner).
    let r = s
        .req("PUT", "/grantb/only-read")
        .s3()
        .header("x-amz-grant-read", &everyone)
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(grants_of(&s, "/grantb/only-read?acl").await, ["READ"]);
    assert_eq!(s.req("GET", "/grantb/only-read").send().await.status, 200);
    s.req("PUT", "/grantb/o")
        .s3()
        .header("x-amz-grant-read", "emailAddress=\"a@b.example\"")
        .body("x")
        .send()
        .await
        .assert_error(400, "UnresolvableGrantByEmailAddress");
    s.req("PUT", "/grantb/o")
        .s3()
        .header("x-amz-grant-read", "everyone")
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    let r = s
        .req("PUT", "/grantb/o")
        .s3()
        .header("x-amz-grant-full-control", &owner_full)
        .header("x-amz-grant-read", &everyone)
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.req("GET", "/grantb/o").send().await.status, 200);
    // CopyObject applies them too.
    let r = s
        .req("PUT", "/grantb/copy")
        .s3()
        .header("x-amz-copy-source", "/grantb/o")
        .header("x-amz-grant-full-control", &owner_full)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(grants_of(&s, "/grantb/copy?acl").await, ["FULL_CONTROL"]);
    // PutObjectAcl with grant headers.
    let r = s
        .req("PUT", "/grantb/o?acl")
        .s3()
        .header("x-amz-grant-full-control", &owner_full)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.req("GET", "/grantb/o")
        .send()
        .await
        .assert_error(403, "AccessDenied");

    // Another writer's object: its FULL_CONTROL and the bucket owner's is
    // bucket-owner-full-control.
    s.req("PUT", "/grantb?acl")
        .s3()
        .header("x-amz-acl", "public-read-write")
        .send()
        .await;
    let r = s
        .req("PUT", "/grantb/alts")
        .s3_as("alt", "alt-secret")
        .header(
            "x-amz-grant-full-control",
            &format!("id=\"alt\", {owner_full}"),
        )
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("GET", "/grantb/alts?acl")
        .s3_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(
        r.xml_all("Permission"),
        ["FULL_CONTROL", "FULL_CONTROL"],
        "{}",
        r.text()
    );
    assert_eq!(r.xml_all("ID")[1..], ["alt", AK], "{}", r.text());
}

/// OSS has three canned ACLs (and `default` for objects): anything else, S3's
/// `authenticated-read` included, is 400 InvalidArgument in OSS's words, with the EC OSS
/// sends; S3 keeps its canned ACLs.
#[tokio::test]
async fn oss_takes_only_its_own_canned_acls() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/oss-acl")
        .oss()
        .header("x-oss-acl", "authenticated-read")
        .send()
        .await;
    r.assert_error(400, "InvalidArgument");
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("no such bucket access control exists")
    );
    assert_eq!(r.xml("ArgumentName").as_deref(), Some("x-oss-acl"));
    assert_eq!(
        r.xml("ArgumentValue").as_deref(),
        Some("authenticated-read")
    );
    assert_eq!(r.h("x-oss-ec"), Some("0015-00000204"));
    assert_eq!(s.req("HEAD", "/oss-acl").oss().send().await.status, 404);
    s.bucket("oss-acl").await;
    let r = s
        .req("PUT", "/oss-acl?acl")
        .oss()
        .header("x-oss-acl", "authenticated-read")
        .send()
        .await;
    r.assert_error(400, "InvalidArgument");
    assert_eq!(r.h("x-oss-ec"), Some("0015-00000204"));
    for (method, path) in [("PUT", "/oss-acl/o"), ("PUT", "/oss-acl/o?acl")] {
        if path.ends_with("?acl") {
            s.put("oss-acl", "o", "x").await;
        }
        let r = s
            .req(method, path)
            .oss()
            .header("x-oss-object-acl", "bucket-owner-read")
            .body("x")
            .send()
            .await;
        r.assert_error(400, "InvalidArgument");
        assert_eq!(
            r.xml("Message").as_deref(),
            Some("no such object access control exists"),
            "{path}"
        );
        assert_eq!(r.xml("ArgumentName").as_deref(), Some("x-oss-object-acl"));
    }
    let r = s
        .req("PUT", "/oss-acl/o?acl")
        .oss()
        .header("x-oss-object-acl", "authenticated-read")
        .send()
        .await;
    assert_eq!(r.h("x-oss-ec"), Some("0017-00000104"));
    let r = s
        .req("PUT", "/oss-acl/o?acl")
        .oss()
        .header("x-oss-object-acl", "default")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // S3 keeps authenticated-read and bucket-owner-read.
    let r = s
        .req("PUT", "/oss-acl/s3")
        .s3()
        .header("x-amz-acl", "bucket-owner-read")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// An OSS PutBucket whose CreateBucketConfiguration names a storage class or redundancy type
/// OSS does not have is 400 InvalidArgument, and no bucket is made.
#[tokio::test]
async fn oss_put_bucket_checks_its_configuration() {
    let s = Server::start().await;
    for body in [
        "<CreateBucketConfiguration><StorageClass>Glacier</StorageClass></CreateBucketConfiguration>",
        "<CreateBucketConfiguration><DataRedundancyType>XRS</DataRedundancyType></CreateBucketConfiguration>",
    ] {
        s.req("PUT", "/conf-bucket")
            .oss()
            .body(body)
            .send()
            .await
            .assert_error(400, "InvalidArgument");
        assert_eq!(s.req("HEAD", "/conf-bucket").oss().send().await.status, 404);
    }
    let r = s
        .req("PUT", "/conf-bucket")
        .oss()
        .body("<CreateBucketConfiguration><StorageClass>ColdArchive</StorageClass><DataRedundancyType>ZRS</DataRedundancyType></CreateBucketConfiguration>")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/conf-bucket?bucketInfo").oss().send().await;
    assert_eq!(r.xml("StorageClass").as_deref(), Some("ColdArchive"));
    // GetBucketInfo names the redundancy type chosen (OSS spells it upper-case), LRS without
    // one, and a later PutBucketAcl keeps it.
    assert_eq!(r.xml("DataRedundancyType").as_deref(), Some("ZRS"));
    let r = s
        .req("PUT", "/conf-bucket?acl")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/conf-bucket?bucketInfo").oss().send().await;
    assert_eq!(r.xml("DataRedundancyType").as_deref(), Some("ZRS"));
    let r = s
        .req("PUT", "/lrs-bucket")
        .oss()
        .body("<CreateBucketConfiguration><DataRedundancyType>lrs</DataRedundancyType></CreateBucketConfiguration>")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/lrs-bucket?bucketInfo").oss().send().await;
    assert_eq!(r.xml("DataRedundancyType").as_deref(), Some("LRS"));
    s.bucket("plain-bucket").await;
    let r = s.req("GET", "/plain-bucket?bucketInfo").oss().send().await;
    assert_eq!(r.xml("DataRedundancyType").as_deref(), Some("LRS"));
}
