//! ListObjects v1/v2 and ListObjectVersions.

use crate::support::*;

async fn fill(s: &Server) {
    s.bucket("lst").await;
    for k in ["a/1", "a/2", "a/b/3", "b/4", "c", "d e+f"] {
        s.put("lst", k, k.to_string()).await;
    }
}

#[tokio::test]
async fn v1_prefix_delimiter_marker() {
    let s = Server::start().await;
    fill(&s).await;
    let r = s.req("GET", "/lst?delimiter=/").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml_all("Key"), ["c", "d e+f"]);
    assert_eq!(r.xml_all("Prefix")[1..], ["a/", "b/"]);
    assert_eq!(r.xml("MaxKeys").as_deref(), Some("100"));
    assert_eq!(r.xml("Type").as_deref(), Some("Normal"));
    assert_eq!(r.xml("StorageClass").as_deref(), Some("Standard"));
    assert_eq!(r.xml("ID").as_deref(), Some(AK));
    let etag = format!("\"{}\"", md5_hex(b"c").to_uppercase());
    assert!(r.xml_all("ETag").contains(&etag));

    let r = s
        .req("GET", "/lst?prefix=a/&delimiter=/")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["a/1", "a/2"]);
    assert!(
        r.text()
            .contains("<CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes>")
    );

    let r = s.req("GET", "/lst?max-keys=2").oss().send().await;
    assert_eq!(r.xml_all("Key"), ["a/1", "a/2"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(r.xml("NextMarker").as_deref(), Some("a/2"));
    let r = s
        .req("GET", "/lst?max-keys=2&marker=a%2F2")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["a/b/3", "b/4"]);

    // S3 v1 gives NextMarker only with a delimiter.
    let r = s.req("GET", "/lst?max-keys=2").s3().send().await;
    assert!(r.xml("NextMarker").is_none());
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    let r = s
        .req("GET", "/lst?max-keys=1&delimiter=/")
        .s3()
        .send()
        .await;
    assert_eq!(r.xml("NextMarker").as_deref(), Some("a/"));
    let r = s
        .req("GET", "/lst?max-keys=1&delimiter=/&marker=a/")
        .s3()
        .send()
        .await;
    assert_eq!(
        r.xml_all("Prefix")[1..],
        ["b/"],
        "a marker naming a common prefix skips past it"
    );

    let r = s
        .req("GET", "/lst?encoding-type=url&prefix=d")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["d%20e%2Bf"]);
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    s.req("GET", "/lst?encoding-type=zip")
        .oss()
        .send()
        .await
        .assert_error(400, "InvalidEncodingType");
    s.req("GET", "/lst?max-keys=-1")
        .oss()
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    let r = s.req("GET", "/lst?max-keys=0").s3().send().await;
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    assert!(r.xml_all("Key").is_empty());
}

#[tokio::test]
async fn v2_tokens_start_after_fetch_owner() {
    let s = Server::start().await;
    fill(&s).await;
    let r = s
        .req("GET", "/lst?list-type=2&max-keys=3")
        .s3()
        .send()
        .await;
    assert!(
        r.text()
            .contains("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
    );
    assert_eq!(r.xml_all("Key"), ["a/1", "a/2", "a/b/3"]);
    assert_eq!(r.xml("KeyCount").as_deref(), Some("3"));
    assert!(r.xml("Owner").is_none(), "no owner without fetch-owner");
    let token = r.xml("NextContinuationToken").unwrap();
    let r = s
        .req(
            "GET",
            &format!("/lst?list-type=2&max-keys=3&continuation-token={token}&fetch-owner=true"),
        )
        .s3()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["b/4", "c", "d e+f"]);
    assert_eq!(r.xml("ContinuationToken").as_deref(), Some(token.as_str()));
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    assert_eq!(r.xml("ID").as_deref(), Some(AK));
    assert!(r.xml("NextContinuationToken").is_none());
    let r = s
        .req("GET", "/lst?list-type=2&start-after=b/4&delimiter=/")
        .s3()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["c", "d e+f"]);
    assert_eq!(r.xml("StartAfter").as_deref(), Some("b/4"));
    let r = s
        .req("GET", "/lst?list-type=2&delimiter=/")
        .s3()
        .send()
        .await;
    assert_eq!(r.xml("KeyCount").as_deref(), Some("4"));
    s.req("GET", "/lst?list-type=2&continuation-token=%25%25")
        .s3()
        .send()
        .await
        .assert_error(400, "InvalidArgument");
}

#[tokio::test]
async fn object_versions_are_all_null() {
    let s = Server::start().await;
    fill(&s).await;
    let r = s.req("GET", "/lst?versions&max-keys=2").s3().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml_all("Key"), ["a/1", "a/2"]);
    assert_eq!(r.xml_all("VersionId"), ["null", "null"]);
    assert_eq!(r.xml_all("IsLatest"), ["true", "true"]);
    assert_eq!(r.xml("NextKeyMarker").as_deref(), Some("a/2"));
    assert_eq!(r.xml("NextVersionIdMarker").as_deref(), Some("null"));
    let r = s
        .req("GET", "/lst?versions&key-marker=a/2")
        .s3()
        .send()
        .await;
    assert_eq!(r.xml_all("Key"), ["a/b/3", "b/4", "c", "d e+f"]);
}

#[tokio::test]
async fn paging_over_many_keys() {
    let s = Server::start().await;
    s.bucket("many").await;
    let mut want = Vec::new();
    for i in 0..1500 {
        let k = format!("k/{i:05}");
        let r = s
            .req("PUT", &format!("/many/{k}"))
            .oss()
            .body("")
            .send()
            .await;
        assert_eq!(r.status, 200);
        want.push(k);
    }
    let mut got = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path = "/many?list-type=2&max-keys=1000".to_string();
        if let Some(t) = &token {
            path.push_str(&format!("&continuation-token={t}"));
        }
        let r = s.req("GET", &path).s3().send().await;
        got.extend(r.xml_all("Key"));
        match r.xml("NextContinuationToken") {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(got, want);
}

/// ListObjectVersions without max-keys lists 100 keys in OSS, as ListObjects does
/// (alibabacloud-oss-v2 test_list_object_versions_paginator), and 1000 in S3.
#[tokio::test]
async fn object_versions_default_max_keys_per_dialect() {
    let s = Server::start().await;
    s.bucket("vmax").await;
    for i in 0..101 {
        s.put("vmax", &format!("k{i:03}"), "").await;
    }
    let r = s.req("GET", "/vmax?versions").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml("MaxKeys").as_deref(), Some("100"));
    assert_eq!(r.xml_all("Key").len(), 100);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(r.xml("NextKeyMarker").as_deref(), Some("k099"));
    let r = s.req("GET", "/vmax?versions").s3().send().await;
    assert_eq!(r.xml("MaxKeys").as_deref(), Some("1000"));
    assert_eq!(r.xml_all("Key").len(), 101);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
}

/// Objects of a bucket created with a storage class have that class in OSS: in listings, on
/// HEAD and GET, in upload listings (oss2 test_bucket_with_storage_class).
#[tokio::test]
async fn objects_take_the_bucket_storage_class() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/iab")
        .oss()
        .body("<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.put("iab", "a.txt", "content").await;
    for q in ["", "?list-type=2", "?versions"] {
        let r = s.req("GET", &format!("/iab{q}")).oss().send().await;
        assert_eq!(r.xml_all("StorageClass"), ["IA"], "{q}: {}", r.text());
        let r = s.req("GET", &format!("/iab{q}")).s3().send().await;
        assert_eq!(r.xml_all("StorageClass"), ["STANDARD"], "{q}: {}", r.text());
    }
    for m in ["HEAD", "GET"] {
        let r = s.req(m, "/iab/a.txt").oss().send().await;
        assert_eq!(r.h("x-oss-storage-class"), Some("IA"), "{m}");
    }
    let r = s.req("POST", "/iab/big?uploads").oss().send().await;
    let id = r.xml("UploadId").unwrap();
    let r = s.req("GET", "/iab?uploads").oss().send().await;
    assert_eq!(r.xml_all("StorageClass"), ["IA"], "{}", r.text());
    let r = s
        .req("GET", &format!("/iab/big?uploadId={id}"))
        .oss()
        .send()
        .await;
    assert_eq!(r.xml("StorageClass").as_deref(), Some("IA"), "{}", r.text());
    // A bucket created without one stays Standard.
    s.bucket("stdb").await;
    s.put("stdb", "a.txt", "content").await;
    let r = s.req("HEAD", "/stdb/a.txt").oss().send().await;
    assert_eq!(r.h("x-oss-storage-class"), Some("Standard"));
}

/// OSS takes page sizes from 1 to 1000 and refuses the others with InvalidArgument, worded
/// as OSS words it and with the operation's EC where OSS documents one.
#[tokio::test]
async fn oss_refuses_page_sizes_out_of_range() {
    let s = Server::start().await;
    fill(&s).await;
    for (path, name, value, ec) in [
        (
            "/lst?max-keys=1001",
            "max-keys",
            "1001",
            Some("0015-00000402"),
        ),
        ("/lst?max-keys=0", "max-keys", "0", Some("0015-00000402")),
        ("/lst?max-keys=x", "max-keys", "x", Some("0015-00000402")),
        ("/lst?list-type=2&max-keys=0", "max-keys", "0", None),
        (
            "/lst?versions&max-keys=1001",
            "max-keys",
            "1001",
            Some("0012-00000102"),
        ),
        ("/lst?uploads&max-uploads=0", "max-uploads", "0", None),
        ("/lst?uploads&max-uploads=1001", "max-uploads", "1001", None),
        ("/?max-keys=1001", "max-keys", "1001", Some("0017-00000289")),
        ("/?max-keys=0", "max-keys", "0", Some("0017-00000289")),
    ] {
        let r = s.req("GET", path).oss().send().await;
        r.assert_error(400, "InvalidArgument");
        let message = format!("Argument {name} must be an integer between 1 and 1000.");
        assert_eq!(r.xml("Message"), Some(message), "{path}");
        assert_eq!(r.xml("ArgumentName").as_deref(), Some(name), "{path}");
        assert_eq!(r.xml("ArgumentValue").as_deref(), Some(value), "{path}");
        assert_eq!(r.xml("EC").as_deref(), ec, "{path}");
        assert_eq!(r.h("x-oss-ec"), ec, "{path}");
    }
    let r = s.req("GET", "/lst?max-keys=1000").oss().send().await;
    assert_eq!(r.xml("MaxKeys").as_deref(), Some("1000"));
}

/// S3 caps page sizes at 1000 and takes 0 (an empty page that is not truncated), and no
/// empty page ever says it is truncated: a paginator could never get past it.
#[tokio::test]
async fn s3_caps_page_sizes_and_empty_pages_end() {
    let s = Server::start().await;
    fill(&s).await;
    let r = s.req("GET", "/lst?max-keys=5000").s3().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("MaxKeys").as_deref(), Some("1000"));
    let r = s
        .req("GET", "/lst?list-type=2&max-keys=0")
        .s3()
        .send()
        .await;
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    let r = s.req("POST", "/lst/up?uploads").s3().send().await;
    let id = r.xml("UploadId").unwrap();
    let r = s.req("GET", "/lst?uploads&max-uploads=0").s3().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    assert_eq!(r.xml("NextKeyMarker").as_deref(), Some(""));
    assert!(r.xml_all("UploadId").is_empty());
    let r = s
        .req("PUT", &format!("/lst/up?partNumber=1&uploadId={id}"))
        .s3()
        .body("p")
        .send()
        .await;
    assert_eq!(r.status, 200);
    for s3 in [false, true] {
        let req = s.req("GET", &format!("/lst/up?uploadId={id}&max-parts=0"));
        let r = if s3 { req.s3() } else { req.oss() }.send().await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
        assert!(r.xml_all("PartNumber").is_empty());
    }
}
