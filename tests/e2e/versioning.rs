//! Bucket versioning in both dialects: the configuration, version ids on writes and reads,
//! delete markers, the null version, ListObjectVersions, DeleteObjects with versions, and
//! versions as copy sources and as targets of ACLs and tags.

use crate::support::*;

/// Puts `body` at `key` (S3 dialect) and returns the version id the answer names.
async fn put_version(s: &Server, bucket: &str, key: &str, body: &str) -> String {
    let r = s
        .req("PUT", &format!("/{bucket}/{}", enc(key)))
        .s3()
        .body(body.to_string())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.h("x-amz-version-id").expect("a version id").to_string()
}

/// Puts `body` at `key` in the S3 dialect.
async fn put_s3(s: &Server, bucket: &str, key: &str, body: &str) -> Resp {
    let r = s
        .req("PUT", &format!("/{bucket}/{key}"))
        .s3()
        .body(body.to_string())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r
}

fn delete_body(entries: &[(&str, Option<&str>)]) -> String {
    let objects: String = entries
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("<Object><Key>{k}</Key><VersionId>{v}</VersionId></Object>"),
            None => format!("<Object><Key>{k}</Key></Object>"),
        })
        .collect();
    format!("<Delete>{objects}</Delete>")
}

#[tokio::test]
async fn the_configuration_in_both_dialects() {
    let s = Server::start().await;
    s.bucket("cfg").await;
    let g = s.req("GET", "/cfg?versioning").s3().send().await;
    assert_eq!(g.status, 200);
    assert!(
        g.text().ends_with(
            "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"
        ),
        "{}",
        g.text()
    );
    let g = s.req("GET", "/cfg?versioning").oss().send().await;
    assert!(
        g.text().ends_with("<VersioningConfiguration/>"),
        "{}",
        g.text()
    );
    // Only Enabled and Suspended exist; anything else changes nothing.
    for bad in ["Disabled", "None", ""] {
        s.req("PUT", "/cfg?versioning")
            .oss()
            .body(format!(
                "<VersioningConfiguration><Status>{bad}</Status></VersioningConfiguration>"
            ))
            .send()
            .await
            .assert_error(400, "MalformedXML");
    }
    let info = s.req("GET", "/cfg?bucketInfo").oss().send().await;
    assert_eq!(info.xml("Versioning"), None);
    s.set_versioning("cfg", "Enabled").await;
    let g = s.req("GET", "/cfg?versioning").oss().send().await;
    assert!(
        g.text().ends_with(
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
        ),
        "{}",
        g.text()
    );
    let info = s.req("GET", "/cfg?bucketInfo").oss().send().await;
    assert_eq!(info.xml("Versioning").as_deref(), Some("Enabled"));
    let r = s
        .req("PUT", "/cfg?versioning")
        .oss()
        .body("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let g = s.req("GET", "/cfg?versioning").s3().send().await;
    assert_eq!(g.xml("Status").as_deref(), Some("Suspended"));
    // Only the owner configures it.
    s.req("PUT", "/cfg?versioning")
        .body(versioning_xml("Enabled"))
        .send()
        .await
        .assert_error(403, "AccessDenied");
    assert_eq!(
        s.req("GET", "/cfg?versioning")
            .s3()
            .send()
            .await
            .xml("Status")
            .as_deref(),
        Some("Suspended")
    );
}

#[tokio::test]
async fn versions_delete_markers_and_the_way_back() {
    let s = Server::start().await;
    s.bucket("ver").await;
    s.set_versioning("ver", "Enabled").await;
    let v1 = put_version(&s, "ver", "k", "one").await;
    let v2 = put_version(&s, "ver", "k", "two").await;
    assert_ne!(v1, v2);
    assert_eq!(count_files(&s.dir.path().join("blobs")), 2);

    let g = s.req("GET", "/ver/k").s3().send().await;
    assert_eq!((g.status, &g.body[..]), (200, &b"two"[..]));
    assert_eq!(g.h("x-amz-version-id"), Some(v2.as_str()));
    let g = s
        .req("GET", &format!("/ver/k?versionId={v1}"))
        .oss()
        .send()
        .await;
    assert_eq!((g.status, &g.body[..]), (200, &b"one"[..]));
    assert_eq!(g.h("x-oss-version-id"), Some(v1.as_str()));

    // A plain DELETE adds a delete marker; the key then reads as absent.
    let d = s.req("DELETE", "/ver/k").s3().send().await;
    assert_eq!(d.status, 204);
    assert_eq!(d.h("x-amz-delete-marker"), Some("true"));
    let marker = d.h("x-amz-version-id").unwrap().to_string();
    let g = s.req("GET", "/ver/k").s3().send().await;
    g.assert_error(404, "NoSuchKey");
    assert_eq!(g.h("x-amz-delete-marker"), Some("true"));
    assert_eq!(g.h("x-amz-version-id"), Some(marker.as_str()));
    let h = s.req("HEAD", "/ver/k").oss().send().await;
    assert_eq!(h.status, 404);
    assert_eq!(h.h("x-oss-delete-marker"), Some("true"));
    // The marker itself cannot be read.
    let g = s
        .req("GET", &format!("/ver/k?versionId={marker}"))
        .oss()
        .send()
        .await;
    g.assert_error(405, "MethodNotAllowed");
    assert_eq!(g.h("x-oss-delete-marker"), Some("true"));
    assert_eq!(g.h("allow"), Some("DELETE"));
    let h = s
        .req("HEAD", &format!("/ver/k?versionId={marker}"))
        .s3()
        .send()
        .await;
    assert_eq!(h.status, 405);
    assert_eq!(
        count_files(&s.dir.path().join("blobs")),
        2,
        "a marker frees nothing"
    );

    // Deleting the marker brings the object back.
    let d = s
        .req("DELETE", &format!("/ver/k?versionId={marker}"))
        .s3()
        .send()
        .await;
    assert_eq!(d.status, 204);
    assert_eq!(d.h("x-amz-delete-marker"), Some("true"));
    assert_eq!(d.h("x-amz-version-id"), Some(marker.as_str()));
    let g = s.req("GET", "/ver/k").s3().send().await;
    assert_eq!(&g.body[..], b"two");

    // Deleting the latest version makes the one before it current, and frees its body.
    let d = s
        .req("DELETE", &format!("/ver/k?versionId={v2}"))
        .oss()
        .send()
        .await;
    assert_eq!(d.status, 204);
    assert_eq!(d.h("x-oss-version-id"), Some(v2.as_str()));
    assert_eq!(d.h("x-oss-delete-marker"), None);
    let g = s.req("GET", "/ver/k").s3().send().await;
    assert_eq!(&g.body[..], b"one");
    assert_eq!(count_files(&s.dir.path().join("blobs")), 1);

    // A version that does not exist, and one that cannot exist.
    s.req("GET", &format!("/ver/k?versionId={v2}"))
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchVersion");
    for bad in ["IllegalVersion", ""] {
        s.req("GET", &format!("/ver/k?versionId={bad}"))
            .oss()
            .send()
            .await
            .assert_error(400, "InvalidArgument");
    }
    // GetObjectMeta names the version too.
    let m = s
        .req("HEAD", &format!("/ver/k?objectMeta&versionId={v1}"))
        .oss()
        .send()
        .await;
    assert_eq!(m.status, 200);
    assert_eq!(m.h("x-oss-version-id"), Some(v1.as_str()));
    assert_eq!(m.h("content-length"), Some("3"));
    // A bucket that still holds versions is not empty.
    s.req("DELETE", "/ver/k").s3().send().await;
    s.req("DELETE", "/ver")
        .s3()
        .send()
        .await
        .assert_error(409, "BucketNotEmpty");
}

#[tokio::test]
async fn the_null_version_before_and_while_suspended() {
    let s = Server::start().await;
    s.bucket("nul").await;
    let r = s.put("nul", "k", "before").await;
    assert_eq!(
        r.h("x-amz-version-id"),
        None,
        "an unversioned bucket names none"
    );
    s.set_versioning("nul", "Enabled").await;
    let h = s.req("HEAD", "/nul/k").oss().send().await;
    assert_eq!(h.h("x-oss-version-id"), Some("null"));
    let v1 = put_version(&s, "nul", "k", "enabled").await;
    s.set_versioning("nul", "Suspended").await;
    // S3 names no version on a write in a suspended bucket; OSS says null.
    let r = put_s3(&s, "nul", "k", "suspended-1").await;
    assert_eq!(r.h("x-amz-version-id"), None);
    let r = s
        .req("PUT", "/nul/k")
        .oss()
        .body("suspended-2")
        .send()
        .await;
    assert_eq!(r.h("x-oss-version-id"), Some("null"));
    let l = s.req("GET", "/nul?versions").oss().send().await;
    assert_eq!(l.status, 200);
    assert_eq!(l.xml_all("VersionId"), ["null", v1.as_str()]);
    assert_eq!(l.xml_all("IsLatest"), ["true", "false"]);
    assert_eq!(
        l.xml("Delimiter").as_deref(),
        Some(""),
        "OSS always names it"
    );
    // One body each: the null version was replaced, not kept.
    assert_eq!(count_files(&s.dir.path().join("blobs")), 2);
    let g = s.req("GET", "/nul/k?versionId=null").s3().send().await;
    assert_eq!(&g.body[..], b"suspended-2");
    // A plain delete puts a null marker in the null version's place.
    let d = s.req("DELETE", "/nul/k").s3().send().await;
    assert_eq!(d.h("x-amz-delete-marker"), Some("true"));
    assert_eq!(d.h("x-amz-version-id"), Some("null"));
    let l = s.req("GET", "/nul?versions").s3().send().await;
    assert_eq!(l.xml_all("VersionId"), ["null", v1.as_str()]);
    assert!(
        l.text()
            .contains("<DeleteMarker><Key>k</Key><VersionId>null</VersionId>")
    );
    assert_eq!(count_files(&s.dir.path().join("blobs")), 1);
}

#[tokio::test]
async fn list_object_versions_pages_through_everything_once() {
    let s = Server::start().await;
    s.bucket("lvers").await;
    s.put("lvers", "a", "plain").await;
    s.set_versioning("lvers", "Enabled").await;
    for key in ["a", "b", "dir/x", "dir/y", "c"] {
        put_version(&s, "lvers", key, "1").await;
        put_version(&s, "lvers", key, "2").await;
    }
    s.req("DELETE", "/lvers/b").s3().send().await;
    let full = s.req("GET", "/lvers?versions").s3().send().await;
    assert_eq!(full.status, 200);
    let all_keys = full.xml_all("Key");
    assert_eq!(
        all_keys,
        [
            "a", "a", "a", "b", "b", "b", "c", "c", "dir/x", "dir/x", "dir/y", "dir/y"
        ]
    );
    let all_ids = full.xml_all("VersionId");
    assert_eq!(
        all_ids[2], "null",
        "the unversioned object is the oldest of a"
    );
    // b's delete marker is its latest entry and comes first.
    assert!(full.text().contains("<DeleteMarker><Key>b</Key>"));
    // Pages of two, by key-marker and version-id-marker.
    let (mut km, mut vm) = (String::new(), String::new());
    let (mut keys, mut ids) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let r = s
            .req(
                "GET",
                &format!(
                    "/lvers?versions&max-keys=2&key-marker={}&version-id-marker={vm}",
                    enc(&km)
                ),
            )
            .s3()
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        keys.extend(r.xml_all("Key"));
        ids.extend(r.xml_all("VersionId"));
        if r.xml("IsTruncated").as_deref() != Some("true") {
            break;
        }
        km = r.xml("NextKeyMarker").unwrap();
        vm = r.xml("NextVersionIdMarker").unwrap();
    }
    assert_eq!(keys, all_keys);
    assert_eq!(ids, all_ids);
    // A delimiter rolls dir/ up into one common prefix, counted once.
    let r = s
        .req("GET", "/lvers?versions&delimiter=/&max-keys=9")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Prefix"), ["", "dir/"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    // A version marker needs a key marker.
    s.req("GET", "/lvers?versions&version-id-marker=null")
        .s3()
        .send()
        .await
        .assert_error(400, "InvalidArgument");
}

#[tokio::test]
async fn delete_objects_with_versions_in_both_dialects() {
    let s = Server::start().await;
    s.bucket("dvers").await;
    s.set_versioning("dvers", "Enabled").await;
    let v1 = put_version(&s, "dvers", "k", "one").await;
    let v2 = put_version(&s, "dvers", "k", "two").await;
    let body = delete_body(&[("k", Some(&v1)), ("k", None), ("never", None)]);
    let r = s
        .req("POST", "/dvers?delete")
        .s3()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml_all("Key"), ["k", "k", "never"]);
    assert_eq!(r.xml_all("VersionId"), [v1.as_str()]);
    assert_eq!(r.xml_all("DeleteMarker"), ["true", "true"]);
    let markers = r.xml_all("DeleteMarkerVersionId");
    assert_eq!(markers.len(), 2);
    let l = s.req("GET", "/dvers?versions").s3().send().await;
    assert_eq!(l.xml_all("Key"), ["k", "k", "never"]);
    assert_eq!(
        l.xml_all("VersionId"),
        [markers[0].as_str(), &v2, &markers[1]]
    );
    // OSS refuses a malformed version id for the whole request; nothing is deleted.
    let body = delete_body(&[("k", Some(&v2)), ("k", Some("234"))]);
    s.req("POST", "/dvers?delete")
        .oss()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    let g = s
        .req("GET", &format!("/dvers/k?versionId={v2}"))
        .s3()
        .send()
        .await;
    assert_eq!(g.status, 200);
    // S3 reports it for that key alone.
    let body = delete_body(&[("k", Some(&v2)), ("k", Some("234"))]);
    let r = s
        .req("POST", "/dvers?delete")
        .s3()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml_all("Code"), ["NoSuchVersion"]);
    s.req("GET", &format!("/dvers/k?versionId={v2}"))
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchVersion");
    // Deleting a version that is gone already reports it deleted.
    let body = delete_body(&[("k", Some(&v2))]);
    let r = s
        .req("POST", "/dvers?delete")
        .s3()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.xml_all("VersionId"), [v2.as_str()]);
    assert!(r.xml_all("Code").is_empty());
}

#[tokio::test]
async fn versions_as_copy_sources_and_acl_and_tag_targets() {
    let s = Server::start().await;
    s.bucket("cvers").await;
    s.set_versioning("cvers", "Enabled").await;
    let v1 = put_version(&s, "cvers", "k", "one").await;
    let v2 = put_version(&s, "cvers", "k", "two").await;
    let c = s
        .req("PUT", "/cvers/copy")
        .s3()
        .header("x-amz-copy-source", &format!("cvers/k?versionId={v1}"))
        .send()
        .await;
    assert_eq!(c.status, 200, "{}", c.text());
    assert_eq!(c.h("x-amz-copy-source-version-id"), Some(v1.as_str()));
    let copy_version = c.h("x-amz-version-id").unwrap().to_string();
    let g = s.req("GET", "/cvers/copy").oss().send().await;
    assert_eq!(&g.body[..], b"one");
    assert_eq!(g.h("x-oss-version-id"), Some(copy_version.as_str()));
    // Without a version the copy source is the latest, and says which.
    let c = s
        .req("PUT", "/cvers/copy2")
        .oss()
        .header("x-oss-copy-source", "/cvers/k")
        .send()
        .await;
    assert_eq!(c.h("x-oss-copy-source-version-id"), Some(v2.as_str()));
    s.req("PUT", "/cvers/copy3")
        .s3()
        .header("x-amz-copy-source", "cvers/k?versionId=")
        .send()
        .await
        .assert_error(400, "InvalidArgument");

    // An ACL set on one version; the others keep theirs.
    let r = s
        .req("PUT", &format!("/cvers/k?acl&versionId={v1}"))
        .oss()
        .header("x-oss-object-acl", "public-read")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-oss-version-id"), Some(v1.as_str()));
    let a = s
        .req("GET", &format!("/cvers/k?acl&versionId={v1}"))
        .oss()
        .send()
        .await;
    assert_eq!(a.xml("Grant").as_deref(), Some("public-read"));
    let a = s.req("GET", "/cvers/k?acl").oss().send().await;
    assert_eq!(a.xml("Grant").as_deref(), Some("private"));
    let anon = s
        .req("GET", &format!("/cvers/k?versionId={v1}"))
        .send()
        .await;
    assert_eq!(anon.status, 200, "the version is public");
    s.req("GET", "/cvers/k")
        .send()
        .await
        .assert_error(403, "AccessDenied");

    // Tags of one version; deleting them answers 204 and names the version.
    let tags = "<Tagging><TagSet><Tag><Key>t</Key><Value>1</Value></Tag></TagSet></Tagging>";
    let r = s
        .req("PUT", &format!("/cvers/k?tagging&versionId={v1}"))
        .s3()
        .body(tags)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let t = s
        .req("GET", &format!("/cvers/k?tagging&versionId={v1}"))
        .s3()
        .send()
        .await;
    assert_eq!(t.xml("Key").as_deref(), Some("t"));
    assert_eq!(t.h("x-amz-version-id"), Some(v1.as_str()));
    let t = s.req("GET", "/cvers/k?tagging").s3().send().await;
    assert_eq!(t.xml("Key"), None);
    let d = s
        .req("DELETE", &format!("/cvers/k?tagging&versionId={v1}"))
        .oss()
        .send()
        .await;
    assert_eq!(d.status, 204);
    assert_eq!(d.h("x-oss-version-id"), Some(v1.as_str()));
    // None of this made a version.
    let l = s.req("GET", "/cvers?versions&prefix=k").s3().send().await;
    assert_eq!(l.xml_all("VersionId"), [v2.as_str(), &v1]);
}

#[tokio::test]
async fn forbid_overwrite_and_append_in_a_versioned_bucket() {
    let s = Server::start().await;
    s.bucket("forbid").await;
    s.put("forbid", "k", "old").await;
    s.req("PUT", "/forbid/k")
        .oss()
        .header("x-oss-forbid-overwrite", "true")
        .body("new")
        .send()
        .await
        .assert_error(409, "FileAlreadyExists");
    s.set_versioning("forbid", "Enabled").await;
    // OSS: x-oss-forbid-overwrite has no effect once versioning is on.
    let r = s
        .req("PUT", "/forbid/k")
        .oss()
        .header("x-oss-forbid-overwrite", "true")
        .body("new")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let l = s.req("GET", "/forbid?versions").oss().send().await;
    assert_eq!(l.xml_all("Key").len(), 2);
    // Appending adds to the current version; it makes no new one.
    let a = s
        .req("POST", "/forbid/log?append&position=0")
        .oss()
        .body("abc")
        .send()
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let id = a.h("x-oss-version-id").unwrap().to_string();
    let a = s
        .req("POST", "/forbid/log?append&position=3")
        .oss()
        .body("def")
        .send()
        .await;
    assert_eq!(a.h("x-oss-version-id"), Some(id.as_str()));
    let g = s
        .req("GET", &format!("/forbid/log?versionId={id}"))
        .oss()
        .send()
        .await;
    assert_eq!(&g.body[..], b"abcdef");
    let l = s
        .req("GET", "/forbid?versions&prefix=log")
        .oss()
        .send()
        .await;
    assert_eq!(l.xml_all("VersionId"), [id.as_str()]);
}

/// Versions and delete markers are acknowledged writes: they survive `kill -9`.
#[tokio::test]
async fn versions_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let args = ["--listen", "127.0.0.1:0", "--data-dir", data];
    let r = Binary::start(&args, &[]);
    assert_eq!(r.req("PUT", "/restart").s3().send().await.status, 200);
    let v = r
        .req("PUT", "/restart?versioning")
        .s3()
        .body(versioning_xml("Enabled"))
        .send()
        .await;
    assert_eq!(v.status, 200);
    let p = r.req("PUT", "/restart/k").s3().body("one").send().await;
    let v1 = p.h("x-amz-version-id").unwrap().to_string();
    r.req("PUT", "/restart/k").s3().body("two").send().await;
    let d = r.req("DELETE", "/restart/k").s3().send().await;
    let marker = d.h("x-amz-version-id").unwrap().to_string();
    r.kill();

    let r = Binary::start(&args, &[]);
    r.req("GET", "/restart/k")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchKey");
    let g = r
        .req("GET", &format!("/restart/k?versionId={v1}"))
        .s3()
        .send()
        .await;
    assert_eq!(&g.body[..], b"one");
    let l = r.req("GET", "/restart?versions").s3().send().await;
    assert_eq!(l.xml_all("VersionId").len(), 3);
    assert_eq!(l.xml_all("VersionId")[0], marker);
    assert_eq!(count_files(&dir.path().join("blobs")), 2);
}

/// Deleting each page before asking for the next (boto3's `object_versions.delete()`): the
/// version marker named is gone by then, and the listing still goes on after it.
#[tokio::test]
async fn a_page_marker_deleted_meanwhile_still_counts() {
    let s = Server::start().await;
    s.bucket("gone").await;
    s.set_versioning("gone", "Enabled").await;
    let ids = [
        put_version(&s, "gone", "k", "1").await,
        put_version(&s, "gone", "k", "2").await,
        put_version(&s, "gone", "k", "3").await,
    ];
    let mut seen = Vec::new();
    let (mut km, mut vm) = (String::new(), String::new());
    for _ in 0..5 {
        let r = s
            .req(
                "GET",
                &format!("/gone?versions&max-keys=1&key-marker={km}&version-id-marker={vm}"),
            )
            .s3()
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        for id in r.xml_all("VersionId") {
            let d = s
                .req("DELETE", &format!("/gone/k?versionId={id}"))
                .s3()
                .send()
                .await;
            assert_eq!(d.status, 204);
            seen.push(id);
        }
        if r.xml("IsTruncated").as_deref() != Some("true") {
            break;
        }
        km = r.xml("NextKeyMarker").unwrap();
        vm = r.xml("NextVersionIdMarker").unwrap();
    }
    assert_eq!(seen, [ids[2].as_str(), &ids[1], &ids[0]]);
    assert_eq!(s.req("DELETE", "/gone").s3().send().await.status, 204);
}

/// Whether a version exists is told only to those who may list the bucket.
#[tokio::test]
async fn versions_of_a_private_bucket_are_not_probed() {
    let s = Server::start().await;
    s.bucket("priv").await;
    s.set_versioning("priv", "Enabled").await;
    let v = put_version(&s, "priv", "k", "secret").await;
    let d = s.req("DELETE", "/priv/k").s3().send().await;
    let marker = d.h("x-amz-version-id").unwrap().to_string();
    for id in [v.as_str(), &marker, "00000000000000010000000000000000"] {
        for path in [
            format!("/priv/k?acl&versionId={id}"),
            format!("/priv/k?tagging&versionId={id}"),
            format!("/priv/k?versionId={id}"),
        ] {
            let r = s.req("GET", &path).send().await;
            r.assert_error(403, "AccessDenied");
            assert_eq!(r.h("x-amz-delete-marker"), None);
            assert_eq!(r.h("x-oss-delete-marker"), None);
        }
    }
}

/// `encoding-type=url` encodes every key and marker of a version listing, and the encoded
/// next marker, decoded, continues it.
#[tokio::test]
async fn version_listings_encode_keys_on_request() {
    let s = Server::start().await;
    s.bucket("encv").await;
    s.set_versioning("encv", "Enabled").await;
    let key = "dir/a b\u{1}";
    put_version(&s, "encv", key, "1").await;
    put_version(&s, "encv", key, "2").await;
    put_version(&s, "encv", "dir/z", "3").await;
    let r = s
        .req(
            "GET",
            "/encv?versions&encoding-type=url&prefix=dir/&max-keys=2",
        )
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    assert_eq!(r.xml_all("Key"), [enc(key), enc(key)]);
    assert_eq!(r.xml("Prefix"), Some(enc("dir/")));
    let next = r.xml("NextKeyMarker").unwrap();
    assert_eq!(next, enc(key));
    let vm = r.xml("NextVersionIdMarker").unwrap();
    let rest = s
        .req(
            "GET",
            &format!("/encv?versions&prefix=dir/&key-marker={next}&version-id-marker={vm}"),
        )
        .oss()
        .send()
        .await;
    assert_eq!(rest.xml_all("Key"), ["dir/z"]);
}
