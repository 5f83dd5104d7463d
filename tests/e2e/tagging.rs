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
    let body = tagging_body(&[("env", "prod"), ("team", "a+b")]);
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
            "<Tagging><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag><Tag><Key>team</Key><Value>a+b</Value></Tag></TagSet></Tagging>"
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

/// PutObjectTagging of `pairs` on `path`, signed in the OSS or S3 dialect.
async fn put_tags(s: &Server, path: &str, oss: bool, pairs: &[(&str, &str)]) -> Resp {
    let r = s.req("PUT", path).body(tagging_body(pairs));
    if oss { r.oss() } else { r.s3() }.send().await
}

#[tokio::test]
async fn tag_characters_follow_the_dialect() {
    let s = Server::start().await;
    s.bucket("tagchars").await;
    s.put("tagchars", "k", "x").await;
    // OSS (oss2 test_object_tagging_wrong_key / _value): letters, digits, spaces and
    // `+ - = . _ : /` only; Unicode letters are letters.
    let r = put_tags(&s, "/tagchars/k?tagging", true, &[("%@abc", "abc")]).await;
    let body = r.assert_error(400, "InvalidTag");
    assert!(
        body.contains("<Message>The TagKey you have provided is invalid</Message>"),
        "{body}"
    );
    assert!(!body.contains("<TagKey>"), "{body}");
    let r = put_tags(&s, "/tagchars/k?tagging", true, &[("test", "%abc")]).await;
    let body = r.assert_error(400, "InvalidTag");
    assert!(
        body.contains("<Message>The TagValue you have provided is invalid</Message>"),
        "{body}"
    );
    // `@` is S3's, not OSS's.
    put_tags(&s, "/tagchars/k?tagging", true, &[("a@b", "v")])
        .await
        .assert_error(400, "InvalidTag");
    let ok = [(" +/ ", "中文"), ("中文", "test++/"), ("+-.:", "_/ =")];
    let r = put_tags(&s, "/tagchars/k?tagging", true, &ok).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/tagchars/k?tagging").oss().send().await;
    assert_eq!(g.xml_all("Key"), [" +/ ", "+-.:", "中文"], "{}", g.text());

    // S3: the same plus `@`; the error names the tag.
    let r = put_tags(&s, "/tagchars/k?tagging", false, &[("a@b", "c@d")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = put_tags(&s, "/tagchars/k?tagging", false, &[("ke&amp;y", "v")]).await;
    let body = r.assert_error(400, "InvalidTag");
    assert!(
        body.contains("<Message>The TagKey you have provided is invalid</Message>"),
        "{body}"
    );
    assert!(body.contains("<TagKey>ke&amp;y</TagKey>"), "{body}");
    let r = put_tags(&s, "/tagchars/k?tagging", false, &[("key", "a%b")]).await;
    let body = r.assert_error(400, "InvalidTag");
    assert!(body.contains("<TagKey>key</TagKey>"), "{body}");
    assert!(body.contains("<TagValue>a%b</TagValue>"), "{body}");
    let g = s.req("GET", "/tagchars/k?tagging").s3().send().await;
    assert_eq!(g.xml_all("Key"), ["a@b"], "refused sets change nothing");

    // The header of a write follows the same rules; nothing is stored.
    s.req("PUT", "/tagchars/h")
        .oss()
        .header("x-oss-tagging", "k=%25abc")
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidTag");
    assert_eq!(s.req("HEAD", "/tagchars/h").oss().send().await.status, 404);
    s.req("PUT", "/tagchars/h")
        .s3()
        .header("x-amz-tagging", "k%3F=v")
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidTag");
    let r = s
        .req("PUT", "/tagchars/h")
        .s3()
        .header("x-amz-tagging", "mail=a%40b")
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn bucket_tag_rules_follow_the_dialect() {
    let s = Server::start().await;
    s.bucket("btagchars").await;
    // OSS bucket tags take any UTF-8 (oss2 test_bucket_tagging puts `%@abc`) ...
    let r = put_tags(&s, "/btagchars?tagging", true, &[("%@abc", "++123%")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // ... but no key starting with http://, https://, Aliyun or acs, in any case.
    for key in ["http://a", "HTTPS://a", "Aliyun-abc", "aliyunx", "acs:abc"] {
        put_tags(&s, "/btagchars?tagging", true, &[(key, "v")])
            .await
            .assert_error(400, "InvalidTag");
    }
    // S3 bucket tags have S3's character set.
    put_tags(&s, "/btagchars?tagging", false, &[("%@abc", "v")])
        .await
        .assert_error(400, "InvalidTag");
    let r = put_tags(&s, "/btagchars?tagging", false, &[("Aliyun", "v@w")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn append_ignores_tags_after_the_first_append() {
    let s = Server::start().await;
    s.bucket("apptags").await;
    let fifteen = (0..15)
        .map(|i| format!("key{i}=value{i}"))
        .collect::<Vec<_>>()
        .join("&");
    // The first append sets the tags, so they are checked.
    s.req("POST", "/apptags/log?append&position=0")
        .oss()
        .header("x-oss-tagging", &fifteen)
        .body("first")
        .send()
        .await
        .assert_error(400, "InvalidTag");
    let r = s
        .req("POST", "/apptags/log?append&position=0")
        .oss()
        .header("x-oss-tagging", "a=1")
        .body("first")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Later appends ignore x-oss-tagging, valid or not (oss2
    // test_append_object_with_tagging_wrong_num).
    for bad in [fifteen.as_str(), "%25=x", "b=2"] {
        let r = s
            .req("POST", "/apptags/log?append&position=5")
            .oss()
            .header("x-oss-tagging", bad)
            .body("")
            .send()
            .await;
        assert_eq!(r.status, 200, "{bad}: {}", r.text());
        assert_eq!(r.h("x-oss-next-append-position"), Some("5"));
    }
    let r = s
        .req("POST", "/apptags/log?append&position=5")
        .oss()
        .header("x-oss-tagging", &fifteen)
        .body("second")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-oss-next-append-position"), Some("11"));
    let g = s.req("GET", "/apptags/log?tagging").oss().send().await;
    assert_eq!(g.xml_all("Key"), ["a"], "{}", g.text());
    let g = s.req("GET", "/apptags/log").oss().send().await;
    assert_eq!(g.body.as_ref(), b"firstsecond");
}
