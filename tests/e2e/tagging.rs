//! Object tagging: Put/Get/DeleteObjectTagging in both dialects, the tag limits, and the
//! `x-*-tagging` header of PutObject.

use crate::support::*;

fn tagging_body(pairs: &[(&str, &str)]) -> String {
    let tags: String = pairs
        .iter()
        .map(|(k, v)| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"))
        .collect();
    format!("<Tagging><TagSet>{tags}</TagSet></Tagging>")
}

#[tokio::test]
async fn put_get_delete_tagging_in_both_dialects() {
    let s = Server::start().await;
    s.bucket("tags").await;
    let r = s
        .req("PUT", "/tags/k")
        .s3()
        .header("x-amz-tagging", "a=1&b=two%20words")
        .body("body")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let etag = r.h("etag").unwrap().to_string();

    let g = s.req("GET", "/tags/k?tagging").s3().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.h("content-type"), Some("application/xml"));
    assert!(
        g.text().ends_with(
            "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>two words</Value></Tag></TagSet></Tagging>"
        ),
        "{}",
        g.text()
    );

    // Replace through the OSS dialect; the body and ETag stay.
    let body = tagging_body(&[("env", "prod"), ("team", "a&amp;b")]);
    let p = s
        .req("PUT", "/tags/k?tagging")
        .oss()
        .body(body)
        .send()
        .await;
    assert_eq!(p.status, 200, "{}", p.text());
    let g = s.req("GET", "/tags/k?tagging").oss().send().await;
    assert_eq!(g.status, 200);
    assert!(
        g.text().ends_with(
            "<Tagging><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag><Tag><Key>team</Key><Value>a&amp;b</Value></Tag></TagSet></Tagging>"
        ),
        "{}",
        g.text()
    );
    let h = s.req("HEAD", "/tags/k").oss().send().await;
    assert_eq!(h.h("x-oss-tagging-count"), Some("2"));
    assert_eq!(h.h("etag").map(str::to_ascii_lowercase), Some(etag.clone()));
    let h = s.req("HEAD", "/tags/k").s3().send().await;
    assert_eq!(h.h("x-amz-tagging-count"), Some("2"));
    let body = s.req("GET", "/tags/k").s3().send().await;
    assert_eq!(body.body.as_ref(), b"body");

    let d = s.req("DELETE", "/tags/k?tagging").s3().send().await;
    assert_eq!(d.status, 204);
    let g = s.req("GET", "/tags/k?tagging").s3().send().await;
    assert!(g.text().ends_with("<TagSet/></Tagging>"), "{}", g.text());
    let h = s.req("HEAD", "/tags/k").s3().send().await;
    assert_eq!(h.h("x-amz-tagging-count"), None);
    // Deleting the tags did not delete the object.
    assert_eq!(s.req("GET", "/tags/k").s3().send().await.status, 200);
}

#[tokio::test]
async fn bad_tag_sets_are_refused_and_change_nothing() {
    let s = Server::start().await;
    s.bucket("badtags").await;
    let r = s
        .req("PUT", "/badtags/k")
        .s3()
        .header("x-amz-tagging", "keep=1")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200);

    let eleven: Vec<(String, String)> = (0..11).map(|i| (format!("k{i}"), "v".into())).collect();
    let eleven: Vec<(&str, &str)> = eleven
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let long_key = "k".repeat(129);
    let long_value = "v".repeat(257);
    for body in [
        tagging_body(&eleven),
        tagging_body(&[(&long_key, "v")]),
        tagging_body(&[("k", &long_value)]),
        tagging_body(&[("k", "1"), ("k", "2")]),
        tagging_body(&[("", "v")]),
    ] {
        let p = s
            .req("PUT", "/badtags/k?tagging")
            .s3()
            .body(body)
            .send()
            .await;
        p.assert_error(400, "InvalidTag");
    }
    let p = s
        .req("PUT", "/badtags/k?tagging")
        .s3()
        .body("<Tagging><TagSet><Tag>")
        .send()
        .await;
    p.assert_error(400, "MalformedXML");
    let p = s
        .req("PUT", "/badtags/k?tagging")
        .s3()
        .body("<Tagging/>")
        .send()
        .await;
    p.assert_error(400, "MalformedXML");
    let g = s.req("GET", "/badtags/k?tagging").s3().send().await;
    assert_eq!(g.xml_all("Key"), ["keep"], "{}", g.text());

    // The same limits apply to the header of a write; nothing is stored.
    let header = (0..11)
        .map(|i| format!("k{i}=v"))
        .collect::<Vec<_>>()
        .join("&");
    let r = s
        .req("PUT", "/badtags/other")
        .oss()
        .header("x-oss-tagging", &header)
        .body("x")
        .send()
        .await;
    r.assert_error(400, "InvalidTag");
    assert_eq!(
        s.req("HEAD", "/badtags/other").oss().send().await.status,
        404
    );

    s.req("GET", "/badtags/missing?tagging")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchKey");
    s.req("PUT", "/badtags/missing?tagging")
        .s3()
        .body(tagging_body(&[("a", "b")]))
        .send()
        .await
        .assert_error(404, "NoSuchKey");
    // Anonymous callers of a private bucket may neither read nor change tags.
    s.req("GET", "/badtags/k?tagging")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("DELETE", "/badtags/k?tagging")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn bucket_tagging_in_both_dialects() {
    let s = Server::start().await;
    s.bucket("btags").await;
    // No tags: S3 says NoSuchTagSet, OSS answers an empty set.
    s.req("GET", "/btags?tagging")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchTagSet");
    let g = s.req("GET", "/btags?tagging").oss().send().await;
    assert_eq!(g.status, 200);
    assert!(
        g.text().ends_with("<Tagging><TagSet/></Tagging>"),
        "{}",
        g.text()
    );

    let body = tagging_body(&[("team", "storage"), ("env", "dev"), ("tmp", "1")]);
    let p = s
        .req("PUT", "/btags?tagging")
        .s3()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(p.status, 200, "{}", p.text());
    let g = s.req("GET", "/btags?tagging").s3().send().await;
    // Answered in key order.
    assert_eq!(g.xml_all("Key"), ["env", "team", "tmp"], "{}", g.text());
    assert!(
        g.text()
            .contains("xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"")
    );
    // OSS deletes named keys with ?tagging=k1,k2.
    let d = s.req("DELETE", "/btags?tagging=tmp,env").oss().send().await;
    assert_eq!(d.status, 204);
    let g = s.req("GET", "/btags?tagging").oss().send().await;
    assert_eq!(g.xml_all("Key"), ["team"], "{}", g.text());
    // Limits differ: OSS keys are at most 64 characters, S3 keys 128.
    let long = "k".repeat(100);
    let body = tagging_body(&[(&long, "v")]);
    s.req("PUT", "/btags?tagging")
        .oss()
        .body(body.clone())
        .send()
        .await
        .assert_error(400, "InvalidTag");
    assert_eq!(
        s.req("PUT", "/btags?tagging")
            .s3()
            .body(body)
            .send()
            .await
            .status,
        200
    );
    // Only the owner may read or change them.
    s.req("GET", "/btags?tagging")
        .s3_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let d = s.req("DELETE", "/btags?tagging").s3().send().await;
    assert_eq!(d.status, 204);
    s.req("GET", "/btags?tagging")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchTagSet");
}
