//! OSS symlinks: PutSymlink and GetSymlink, reads through a symlink, and symlinks in a
//! versioned bucket.

use crate::support::*;

async fn link(s: &Server, bucket: &str, key: &str, target: &str, headers: &[(&str, &str)]) -> Resp {
    let mut req = s
        .req("PUT", &format!("/{bucket}/{key}?symlink"))
        .oss()
        .header("x-oss-symlink-target", &enc(target));
    for (k, v) in headers {
        req = req.header(k, v);
    }
    req.send().await
}

#[tokio::test]
async fn a_symlink_reads_as_its_target_with_its_own_metadata() {
    let s = Server::start().await;
    s.bucket("links").await;
    s.put("links", "dir/target.txt", "hello").await;
    let r = link(
        &s,
        "links",
        "ln",
        "dir/target.txt",
        &[("x-oss-meta-who", "link")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let h = s.req("HEAD", "/links/ln").oss().send().await;
    assert_eq!(h.status, 200);
    assert_eq!(h.h("content-length"), Some("5"));
    assert_eq!(h.h("etag"), Some("\"5D41402ABC4B2A76B9719D911017C592\""));
    assert_eq!(h.h("x-oss-meta-who"), Some("link"));
    assert_eq!(h.h("x-oss-object-type"), Some("Symlink"));
    let g = s.req("GET", "/links/ln").oss().send().await;
    assert_eq!(&g.body[..], b"hello");
    // GetSymlink names the target; a plain object is not a symlink.
    let g = s.req("GET", "/links/ln?symlink").oss().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.h("x-oss-symlink-target"), Some("dir/target.txt"));
    assert_eq!(g.h("x-oss-meta-who"), Some("link"));
    s.req("GET", "/links/dir/target.txt?symlink")
        .oss()
        .send()
        .await
        .assert_error(400, "NotSymlink");
    s.req("GET", "/links/none?symlink")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchKey");
    // The target follows overwrites; a missing target is its own error.
    s.put("links", "dir/target.txt", "changed").await;
    assert_eq!(
        &s.req("GET", "/links/ln").oss().send().await.body[..],
        b"changed"
    );
    s.req("DELETE", "/links/dir/target.txt").oss().send().await;
    s.req("GET", "/links/ln")
        .oss()
        .send()
        .await
        .assert_error(404, "SymlinkTargetNotExist");
    // Deleting a symlink leaves its target alone.
    s.put("links", "dir/target.txt", "back").await;
    assert_eq!(s.req("DELETE", "/links/ln").oss().send().await.status, 204);
    assert_eq!(
        &s.req("GET", "/links/dir/target.txt")
            .oss()
            .send()
            .await
            .body[..],
        b"back"
    );
    // A symlink to a symlink is not followed twice.
    link(&s, "links", "a", "dir/target.txt", &[]).await;
    link(&s, "links", "b", "a", &[]).await;
    s.req("GET", "/links/b")
        .oss()
        .send()
        .await
        .assert_error(400, "InvalidTargetType");
    // Tags of a symlink are its own, with the usual limits.
    let tags = "a=1&b=2";
    let r = link(
        &s,
        "links",
        "tagged",
        "dir/target.txt",
        &[("x-oss-tagging", tags)],
    )
    .await;
    assert_eq!(r.status, 200);
    let t = s.req("GET", "/links/tagged?tagging").oss().send().await;
    assert_eq!(t.xml_all("Key"), ["a", "b"]);
    // A private target stays private through a symlink.
    let anon = s.req("GET", "/links/a").send().await;
    anon.assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn symlinks_have_versions() {
    let s = Server::start().await;
    s.bucket("vlinks").await;
    s.set_versioning("vlinks", "Enabled").await;
    s.put("vlinks", "t1", "one").await;
    s.put("vlinks", "t2", "two").await;
    let l1 = link(&s, "vlinks", "ln", "t1", &[]).await;
    let v1 = l1.h("x-oss-version-id").unwrap().to_string();
    let l2 = link(&s, "vlinks", "ln", "t2", &[]).await;
    let v2 = l2.h("x-oss-version-id").unwrap().to_string();
    assert_ne!(v1, v2);
    let g = s
        .req("GET", &format!("/vlinks/ln?symlink&versionId={v1}"))
        .oss()
        .send()
        .await;
    assert_eq!(g.h("x-oss-symlink-target"), Some("t1"));
    assert_eq!(g.h("x-oss-version-id"), Some(v1.as_str()));
    assert_eq!(
        &s.req("GET", "/vlinks/ln").oss().send().await.body[..],
        b"two"
    );
    // Behind a delete marker the symlink is missing.
    let d = s.req("DELETE", "/vlinks/ln").oss().send().await;
    assert_eq!(d.h("x-oss-delete-marker"), Some("true"));
    let g = s.req("GET", "/vlinks/ln?symlink").oss().send().await;
    g.assert_error(404, "NoSuchKey");
    assert_eq!(g.h("x-oss-delete-marker"), Some("true"));
    // A DELETE that still carries `symlink` (oss2 reuses its GetSymlink parameters) deletes
    // the version it names.
    let d = s
        .req("DELETE", &format!("/vlinks/ln?symlink&versionId={v1}"))
        .oss()
        .send()
        .await;
    assert_eq!(d.status, 204, "{}", d.text());
    s.req("GET", &format!("/vlinks/ln?symlink&versionId={v1}"))
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchVersion");
}
