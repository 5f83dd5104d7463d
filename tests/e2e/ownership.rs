//! S3 Object Ownership: Put/Get/DeleteBucketOwnershipControls, `x-amz-object-ownership` on
//! CreateBucket, who owns what another account writes under each setting, and ACLs disabled
//! under BucketOwnerEnforced.

use crate::support::*;

const ALT: (&str, &str) = ("alt", "alt-secret");

fn controls(ownership: &str) -> String {
    format!(
        "<OwnershipControls xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ObjectOwnership>{ownership}</ObjectOwnership></Rule></OwnershipControls>"
    )
}

/// The `Owner/ID` GetObjectAcl reports, asked by the bucket owner through OSS (in S3 the
/// bucket owner may not read the ACL of an object another account owns).
async fn object_owner(s: &Server, path: &str) -> String {
    let r = s.req("GET", &format!("{path}?acl")).oss().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.xml("ID").unwrap()
}

/// Creates `name` (S3) with `x-amz-object-ownership: ownership`, open for alt to write.
async fn open_bucket(s: &Server, name: &str, ownership: &str) {
    let r = s
        .req("PUT", &format!("/{name}"))
        .s3()
        .header("x-amz-object-ownership", ownership)
        .header("x-amz-acl", "public-read-write")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn ownership_controls_are_set_read_and_deleted() {
    let s = Server::start().await;
    s.req("PUT", "/own-bad")
        .s3()
        .header("x-amz-object-ownership", "Nobody")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    assert_eq!(s.req("HEAD", "/own-bad").s3().send().await.status, 404);

    assert_eq!(s.req("PUT", "/own-ctl").s3().send().await.status, 200);
    s.req("GET", "/own-ctl?ownershipControls")
        .s3()
        .send()
        .await
        .assert_error(404, "OwnershipControlsNotFoundError");
    let r = s
        .req("PUT", "/own-ctl?ownershipControls")
        .s3()
        .body(controls("BucketOwnerPreferred"))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/own-ctl?ownershipControls").s3().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains(&controls("BucketOwnerPreferred")),
        "{}",
        r.text()
    );
    s.req("PUT", "/own-ctl?ownershipControls")
        .s3()
        .body(controls("Whoever"))
        .send()
        .await
        .assert_error(400, "MalformedXML");
    // Only the owner configures it.
    s.req("GET", "/own-ctl?ownershipControls")
        .s3_as(ALT.0, ALT.1)
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let r = s
        .req("DELETE", "/own-ctl?ownershipControls")
        .s3()
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    s.req("GET", "/own-ctl?ownershipControls")
        .s3()
        .send()
        .await
        .assert_error(404, "OwnershipControlsNotFoundError");

    // A bucket made with the header reports it.
    let r = s
        .req("PUT", "/own-hdr")
        .s3()
        .header("x-amz-object-ownership", "ObjectWriter")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/own-hdr?ownershipControls").s3().send().await;
    assert_eq!(r.xml("ObjectOwnership").as_deref(), Some("ObjectWriter"));
}

#[tokio::test]
async fn writers_own_objects_as_the_setting_says() {
    let s = Server::start().await;
    let alt = |r: Req| r.s3_as(ALT.0, ALT.1);
    for (bucket, bofc_owner) in [("own-writer", "alt"), ("own-preferred", AK)] {
        let setting = if bucket == "own-writer" {
            "ObjectWriter"
        } else {
            "BucketOwnerPreferred"
        };
        open_bucket(&s, bucket, setting).await;
        let put = |key: &str, acl: Option<&str>| {
            let mut r = alt(s.req("PUT", &format!("/{bucket}/{key}"))).body("x");
            if let Some(a) = acl {
                r = r.header("x-amz-acl", a);
            }
            r.send()
        };
        assert_eq!(put("plain", None).await.status, 200);
        assert_eq!(put("private", Some("private")).await.status, 200);
        assert_eq!(
            put("bofc", Some("bucket-owner-full-control")).await.status,
            200
        );
        assert_eq!(object_owner(&s, &format!("/{bucket}/plain")).await, "alt");
        assert_eq!(object_owner(&s, &format!("/{bucket}/private")).await, "alt");
        assert_eq!(
            object_owner(&s, &format!("/{bucket}/bofc")).await,
            bofc_owner,
            "{bucket}"
        );
        // The same for copies and multipart uploads.
        let r = alt(s.req("PUT", &format!("/{bucket}/copy")))
            .header("x-amz-copy-source", &format!("/{bucket}/plain"))
            .header("x-amz-acl", "bucket-owner-full-control")
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            object_owner(&s, &format!("/{bucket}/copy")).await,
            bofc_owner
        );
        let r = alt(s.req("POST", &format!("/{bucket}/mp?uploads")))
            .header("x-amz-acl", "bucket-owner-full-control")
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let id = r.xml("UploadId").unwrap();
        let parts = alt(s.req("GET", &format!("/{bucket}/mp?uploadId={id}")))
            .send()
            .await;
        assert_eq!(parts.status, 200, "{}", parts.text());
        assert_eq!(parts.xml_all("ID")[1], bofc_owner, "{}", parts.text());
        // ACLs stay enabled.
        let r = s
            .req("PUT", &format!("/{bucket}?acl"))
            .s3()
            .header("x-amz-acl", "private")
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

#[tokio::test]
async fn bucket_owner_enforced_disables_acls() {
    let s = Server::start().await;
    let alt = |r: Req| r.s3_as(ALT.0, ALT.1);
    // alt writes into an open bucket first, granting itself and AllUsers READ.
    open_bucket(&s, "own-enf", "ObjectWriter").await;
    let r = alt(s.req("PUT", "/own-enf/alts"))
        .header("x-amz-acl", "public-read")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.req("GET", "/own-enf/alts").send().await.status, 200);
    // A bucket ACL granting others access cannot be enforced.
    s.req("PUT", "/own-enf?ownershipControls")
        .s3()
        .body(controls("BucketOwnerEnforced"))
        .send()
        .await
        .assert_error(400, "InvalidBucketAclWithObjectOwnership");
    s.req("PUT", "/own-acl")
        .s3()
        .header("x-amz-object-ownership", "BucketOwnerEnforced")
        .header("x-amz-acl", "public-read")
        .send()
        .await
        .assert_error(400, "InvalidBucketAclWithObjectOwnership");
    let r = s
        .req("PUT", "/own-enf?acl")
        .s3()
        .header("x-amz-acl", "private")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("PUT", "/own-enf?ownershipControls")
        .s3()
        .body(controls("BucketOwnerEnforced"))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Every object is the bucket owner's and grants give nothing.
    assert_eq!(object_owner(&s, "/own-enf/alts").await, AK);
    let acl = s.req("GET", "/own-enf/alts?acl").s3().send().await;
    assert_eq!(
        acl.xml_all("Permission"),
        ["FULL_CONTROL"],
        "{}",
        acl.text()
    );
    assert_eq!(acl.xml_all("ID"), [AK, AK]);
    assert_eq!(s.req("GET", "/own-enf/alts").send().await.status, 403);
    let list = s
        .req("GET", "/own-enf?list-type=2&fetch-owner=true")
        .s3()
        .send()
        .await;
    assert_eq!(list.xml_all("ID"), [AK], "{}", list.text());
    let acl = s.req("GET", "/own-enf?acl").s3().send().await;
    assert_eq!(acl.xml_all("Permission"), ["FULL_CONTROL"]);

    // Writes may name no ACL or bucket-owner-full-control only.
    for (path, acl) in [
        ("/own-enf/a", "private"),
        ("/own-enf/b", "public-read"),
        ("/own-enf/alts?acl", "private"),
        ("/own-enf?acl", "private"),
    ] {
        let r = s
            .req("PUT", path)
            .s3()
            .header("x-amz-acl", acl)
            .body("x")
            .send()
            .await;
        let text = r.assert_error(400, "AccessControlListNotSupported");
        assert!(text.contains("The bucket does not allow ACLs"), "{text}");
    }
    s.req("POST", "/own-enf/mp?uploads")
        .s3()
        .header("x-amz-acl", "private")
        .send()
        .await
        .assert_error(400, "AccessControlListNotSupported");
    for (path, acl) in [
        ("/own-enf/c", Some("bucket-owner-full-control")),
        ("/own-enf/d", None),
    ] {
        let mut r = s.req("PUT", path).s3().body("x");
        if let Some(a) = acl {
            r = r.header("x-amz-acl", a);
        }
        let r = r.send().await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    // Deleting the setting brings the default back: ACLs count again.
    let r = s
        .req("DELETE", "/own-enf?ownershipControls")
        .s3()
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(object_owner(&s, "/own-enf/alts").await, "alt");
    assert_eq!(s.req("GET", "/own-enf/alts").send().await.status, 200);
}
