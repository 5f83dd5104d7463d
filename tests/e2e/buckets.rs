//! Bucket operations in both dialects.

use crate::support::*;

#[tokio::test]
async fn create_head_info_location_delete_oss() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/photos")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("server"), Some("AliyunOSS"));
    assert_eq!(r.h("location"), Some("/photos"));
    let id = r.h("x-oss-request-id").unwrap();
    assert_eq!(id.len(), 24);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    );

    // OSS: the owner creating it again gets 200 (an app that creates its bucket at start-up
    // runs twice); the ACL stays unless the request names one. Anyone else gets 409.
    let again = s.req("PUT", "/photos").oss().send().await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.h("location"), Some("/photos"));
    s.req("PUT", "/photos")
        .oss_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(409, "BucketAlreadyExists");
    let ia =
        "<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>";
    let body = s
        .req("PUT", "/photos")
        .oss()
        .body(ia)
        .send()
        .await
        .assert_error(409, "BucketAlreadyExists");
    assert!(
        body.contains("Cannot modify existing bucket&apos;s storage class"),
        "{body}"
    );

    let r = s.req("HEAD", "/photos").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("x-oss-bucket-region"), Some("oss-cn-hangzhou"));
    assert!(r.body.is_empty());

    let r = s.req("GET", "/photos?bucketInfo").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("content-type"), Some("application/xml"));
    assert!(
        r.text()
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    assert_eq!(r.xml("Name").as_deref(), Some("photos"));
    assert_eq!(r.xml("Grant").as_deref(), Some("public-read"));
    assert_eq!(r.xml("Location").as_deref(), Some("oss-cn-hangzhou"));
    assert_eq!(
        r.xml("ExtranetEndpoint").as_deref(),
        Some(s.addr.to_string().as_str())
    );
    assert_eq!(r.xml("ID").as_deref(), Some(AK));

    let r = s.req("GET", "/photos?location").oss().send().await;
    assert_eq!(
        r.text(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint>oss-cn-hangzhou</LocationConstraint>"
    );

    s.put("photos", "a.jpg", "x").await;
    s.req("DELETE", "/photos")
        .oss()
        .send()
        .await
        .assert_error(409, "BucketNotEmpty");
    s.req("DELETE", "/photos/a.jpg").oss().send().await;
    let r = s.req("DELETE", "/photos").oss().send().await;
    assert_eq!(r.status, 204);
    let body = s
        .req("DELETE", "/photos")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchBucket");
    assert!(body.contains("<BucketName>photos</BucketName>"), "{body}");
    let r = s.req("HEAD", "/photos").oss().send().await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    assert!(r.h("x-oss-err").is_some());
}

/// OSS: re-creating a bucket with an ACL changes it; PutBucketAcl creates a missing bucket
/// (owned by the requester) and answers with its Location. S3 says NoSuchBucket.
#[tokio::test]
async fn oss_put_bucket_acl_creates_and_recreate_sets_the_acl() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/made-by-acl?acl")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("location"), Some("/made-by-acl"));
    let acl = s.req("GET", "/made-by-acl?acl").oss().send().await;
    assert_eq!(acl.xml("Grant").as_deref(), Some("public-read"));
    assert_eq!(acl.xml("ID").as_deref(), Some(AK));
    let r = s
        .req("PUT", "/made-by-acl")
        .oss()
        .header("x-oss-acl", "private")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let acl = s.req("GET", "/made-by-acl?acl").oss().send().await;
    assert_eq!(acl.xml("Grant").as_deref(), Some("private"));
    // Someone else may not change it.
    s.req("PUT", "/made-by-acl?acl")
        .oss_as("alt", "alt-secret")
        .header("x-oss-acl", "public-read-write")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("PUT", "/s3-missing?acl")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await
        .assert_error(404, "NoSuchBucket");
    s.req("PUT", "/anon-missing?acl")
        .header("x-oss-acl", "public-read")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let listed = s.req("GET", "/").oss().send().await;
    assert!(!listed.text().contains("s3-missing"));
}

#[tokio::test]
async fn create_bucket_s3_dialect() {
    let s = Server::start().await;
    let body = r#"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"#;
    let r = s.req("PUT", "/s3bucket").s3().body(body).send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("server"), Some("AmazonS3"));
    assert_eq!(r.h("location"), Some("/s3bucket"));
    assert!(r.h("x-amz-request-id").is_some());
    let e = s.req("PUT", "/s3bucket").s3().send().await;
    e.assert_error(409, "BucketAlreadyOwnedByYou");
    // In us-east-1 (no LocationConstraint) the owner re-creating a bucket gets 200 and the
    // objects stay; asking for another ACL is refused, the ACL stays.
    let r = s
        .req("PUT", "/east")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200);
    s.put("east", "kept", "x").await;
    let r = s
        .req("PUT", "/east")
        .s3()
        .header("x-amz-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.req("GET", "/east/kept").s3().send().await.status, 200);
    s.req("PUT", "/east")
        .s3()
        .send()
        .await
        .assert_error(409, "BucketAlreadyExists");
    let acl = s.req("GET", "/east?acl").oss().send().await;
    assert_eq!(acl.xml("Grant").as_deref(), Some("public-read"));
    // The same owner through the OSS dialect: 200, and without x-oss-acl the ACL stays.
    assert_eq!(s.req("PUT", "/east").oss().send().await.status, 200);
    let acl = s.req("GET", "/east?acl").oss().send().await;
    assert_eq!(acl.xml("Grant").as_deref(), Some("public-read"));
    let r = s.req("GET", "/s3bucket?location").s3().send().await;
    assert_eq!(
        r.text(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1</LocationConstraint>"
    );
    // Another owner sees BucketAlreadyExists.
    s.req("PUT", "/s3bucket")
        .s3_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(409, "BucketAlreadyExists");
    let r = s.req("GET", "/s3bucket?versioning").s3().send().await;
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains(
            "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"
        )
    );
}

#[tokio::test]
async fn invalid_names_and_bodies_create_nothing() {
    let s = Server::start().await;
    for bad in ["ab", "Upper", "under_score", "-lead", "trail-", "dot.ted"] {
        s.req("PUT", &format!("/{bad}"))
            .oss()
            .send()
            .await
            .assert_error(400, "InvalidBucketName");
    }
    // S3 allows dots (not two in a row, not an IP address); OSS does not.
    let r = s.req("PUT", "/www.example.com").s3().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.put("www.example.com", "index.html", "hi").await;
    let r = s
        .req("GET", "/www.example.com/index.html")
        .oss()
        .send()
        .await;
    assert_eq!(r.body.as_ref(), b"hi");
    for bad in ["a..b", "192.168.5.4", ".ab"] {
        s.req("PUT", &format!("/{bad}"))
            .s3()
            .send()
            .await
            .assert_error(400, "InvalidBucketName");
    }
    let long = "a".repeat(64);
    s.req("PUT", &format!("/{long}"))
        .oss()
        .send()
        .await
        .assert_error(400, "InvalidBucketName");
    s.req("PUT", "/okname")
        .oss()
        .body("<CreateBucketConfiguration><Storage")
        .send()
        .await
        .assert_error(400, "MalformedXML");
    s.req("PUT", "/okname")
        .oss()
        .body("<Other/>")
        .send()
        .await
        .assert_error(400, "MalformedXML");
    s.req("PUT", "/okname")
        .oss()
        .header("x-oss-acl", "everyone")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    assert_eq!(s.req("HEAD", "/okname").oss().send().await.status, 404);
    // Anonymous users cannot create buckets.
    s.req("PUT", "/anon-bucket")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn list_buckets_is_per_owner_and_pages() {
    let s = Server::start().await;
    for b in ["b-one", "b-two", "c-three"] {
        s.bucket(b).await;
    }
    s.req("PUT", "/alt-bucket")
        .oss_as("alt", "alt-secret")
        .send()
        .await;
    let r = s.req("GET", "/").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml_all("Name"), ["b-one", "b-two", "c-three"]);
    assert_eq!(
        r.xml("ExtranetEndpoint").as_deref(),
        Some(s.addr.to_string().as_str())
    );
    assert_eq!(r.xml("StorageClass").as_deref(), Some("Standard"));
    let r = s.req("GET", "/?prefix=b-&max-keys=1").oss().send().await;
    assert_eq!(r.xml_all("Name"), ["b-one"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(r.xml("NextMarker").as_deref(), Some("b-one"));
    let r = s
        .req("GET", "/?prefix=b-&max-keys=1&marker=b-one")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Name"), ["b-two"]);
    let r = s.req("GET", "/").s3().send().await;
    assert!(
        r.text()
            .contains("<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
    );
    assert_eq!(r.xml_all("Name"), ["b-one", "b-two", "c-three"]);
    assert!(r.xml("ExtranetEndpoint").is_none());
    let r = s.req("GET", "/").oss_as("alt", "alt-secret").send().await;
    assert_eq!(r.xml_all("Name"), ["alt-bucket"]);
    s.req("GET", "/")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn live_channel_list_is_empty() {
    let s = Server::start().await;
    s.bucket("live").await;
    let r = s.req("GET", "/live?live").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListLiveChannelResult><Prefix/><Marker/><MaxKeys>100</MaxKeys><IsTruncated>false</IsTruncated><NextMarker/></ListLiveChannelResult>"
    );
}

async fn tag_bucket(s: &Server, bucket: &str, tags: &[(&str, &str)]) {
    let tags: String = tags
        .iter()
        .map(|(k, v)| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"))
        .collect();
    let r = s
        .req("PUT", &format!("/{bucket}?tagging"))
        .oss()
        .body(format!("<Tagging><TagSet>{tags}</TagSet></Tagging>"))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// OSS ListBuckets keeps only buckets with the tags asked for (oss2
/// test_list_bucket_with_tagging, alibabacloud-oss-v2 test_list_buckets_with_tag_filter).
#[tokio::test]
async fn list_buckets_filters_by_bucket_tags() {
    let s = Server::start().await;
    for b in ["t-one", "t-two", "t-three", "t-none"] {
        s.bucket(b).await;
    }
    tag_bucket(&s, "t-one", &[("env", "test")]).await;
    tag_bucket(&s, "t-two", &[("env", "test"), ("team", "dev")]).await;
    tag_bucket(&s, "t-three", &[("env", "prod")]).await;
    let names = |q: &'static str| {
        let s = &s;
        async move {
            let r = s.req("GET", &format!("/?prefix=t-&{q}")).oss().send().await;
            assert_eq!(r.status, 200, "{q}: {}", r.text());
            r.xml_all("Name")
        }
    };
    assert_eq!(names("tag-key=env").await, ["t-one", "t-three", "t-two"]);
    assert_eq!(
        names("tag-key=env&tag-value=test").await,
        ["t-one", "t-two"]
    );
    assert_eq!(
        names("tag-key=team&tag-value=test").await,
        Vec::<String>::new()
    );
    assert_eq!(
        names("tagging=%22env%22%3A%22test%22%2C%22team%22%3A%22dev%22").await,
        ["t-two"]
    );
    assert_eq!(names("tagging=%22env%22%3A%22prod%22").await, ["t-three"]);
    assert_eq!(names("").await, ["t-none", "t-one", "t-three", "t-two"]);
    // Paging applies to the buckets that pass.
    let r = s.req("GET", "/?tag-key=env&max-keys=1").oss().send().await;
    assert_eq!(r.xml_all("Name"), ["t-one"]);
    assert_eq!(r.xml("NextMarker").as_deref(), Some("t-one"));
    // A tag-value needs a tag-key; tagging goes alone and must be well formed.
    for q in [
        "tag-value=test",
        "tagging=%22env%22%3A%22test%22&tag-key=env",
        "tagging=env%3Dtest",
    ] {
        let body = s
            .req("GET", &format!("/?{q}"))
            .oss()
            .send()
            .await
            .assert_error(400, "InvalidArgument");
        assert!(body.contains("<ArgumentName>"), "{q}: {body}");
    }
    // S3's ListBuckets has no such filters.
    let r = s.req("GET", "/?tag-key=team").s3().send().await;
    assert_eq!(r.xml_all("Name"), ["t-none", "t-one", "t-three", "t-two"]);
}

/// GetBucketInfo and ListBuckets name the same (default) resource group, and ListBuckets with
/// `x-oss-resource-group-id` lists the buckets of that group (oss2 test_bucket_with_group_id).
#[tokio::test]
async fn resource_group_is_reported_and_filters() {
    let s = Server::start().await;
    s.bucket("rg-bucket").await;
    let info = s.req("GET", "/rg-bucket?bucketInfo").oss().send().await;
    let group = info.xml("ResourceGroupId").unwrap();
    assert!(
        group.starts_with("rg-") && group.len() > 3,
        "{}",
        info.text()
    );
    for header in [group.as_str(), "rg-default-id", ""] {
        let r = s
            .req("GET", "/?prefix=rg-&max-keys=10")
            .oss()
            .header("x-oss-resource-group-id", header)
            .send()
            .await;
        assert_eq!(r.xml_all("Name"), ["rg-bucket"], "{header:?}");
        assert_eq!(r.xml("ResourceGroupId").as_deref(), Some(group.as_str()));
    }
    let r = s
        .req("GET", "/")
        .oss()
        .header("x-oss-resource-group-id", "rg-aek27tc0000000")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert!(r.xml_all("Name").is_empty(), "{}", r.text());
    let r = s.req("GET", "/").s3().send().await;
    assert!(r.xml("ResourceGroupId").is_none(), "{}", r.text());
}

/// OSS ListBuckets returns 100 buckets by default and names the page (Prefix, Marker,
/// MaxKeys, IsTruncated, NextMarker) only when it is not the whole list.
#[tokio::test]
async fn oss_list_buckets_pages_by_100_and_names_only_partial_pages() {
    let s = Server::start_in_memory().await;
    for i in 0..101 {
        s.bucket(&format!("lb-{i:03}")).await;
    }
    let r = s.req("GET", "/").oss().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml_all("Name").len(), 100);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(r.xml("MaxKeys").as_deref(), Some("100"));
    assert_eq!(r.xml("NextMarker").as_deref(), Some("lb-099"));
    assert_eq!(r.xml("Prefix").as_deref(), Some(""));
    assert_eq!(r.xml("Marker").as_deref(), Some(""));
    let r = s
        .req("GET", "/?prefix=lb-09&marker=lb-090&max-keys=10")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Name").len(), 9);
    for absent in ["Prefix", "Marker", "MaxKeys", "IsTruncated", "NextMarker"] {
        assert_eq!(r.xml(absent), None, "{absent}: {}", r.text());
    }
    // S3 lists every bucket unless asked for a page.
    let r = s.req("GET", "/").s3().send().await;
    assert_eq!(r.xml_all("Name").len(), 101);
}

/// GetBucketInfo reports `BlockPublicAccess`: blocked for a new private bucket, as OSS
/// creates buckets since 2025-10-13, and not once the bucket's ACL is public.
#[tokio::test]
async fn bucket_info_reports_block_public_access() {
    let s = Server::start().await;
    s.bucket("bpa").await;
    let r = s.req("GET", "/bpa?bucketInfo").oss().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("BlockPublicAccess").as_deref(), Some("true"));
    let r = s
        .req("PUT", "/bpa?acl")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/bpa?bucketInfo").oss().send().await;
    assert_eq!(r.xml("BlockPublicAccess").as_deref(), Some("false"));
}
