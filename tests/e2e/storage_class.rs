//! Object storage classes (OSS) and RestoreObject, with the server's clock moved forward.

use crate::support::*;

/// The default `--restore-delay`.
const RESTORE_MS: i64 = 5_000;

#[tokio::test]
async fn archived_objects_read_only_while_restored() {
    let s = Server::start().await;
    s.bucket("cold").await;
    let r = s
        .req("PUT", "/cold/a.txt")
        .oss()
        .header("x-oss-storage-class", "archive")
        .body("frozen")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.put("cold", "warm.txt", "warm").await;
    s.req("PUT", "/cold/bad")
        .oss()
        .header("x-oss-storage-class", "Glacier")
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    // HEAD works and names the class; GET waits for a restore.
    let h = s.req("HEAD", "/cold/a.txt").oss().send().await;
    assert_eq!(h.h("x-oss-storage-class"), Some("Archive"));
    assert_eq!(h.h("x-oss-restore"), None);
    s.req("GET", "/cold/a.txt")
        .oss()
        .send()
        .await
        .assert_error(403, "InvalidObjectState");
    let l = s.req("GET", "/cold?prefix=a").oss().send().await;
    assert_eq!(l.xml("StorageClass").as_deref(), Some("Archive"));
    // A standard object has nothing to restore.
    s.req("POST", "/cold/warm.txt?restore")
        .oss()
        .send()
        .await
        .assert_error(400, "OperationNotSupported");
    // Restoring: 202, then 409 while it runs, readable once it is done, 200 to extend it.
    assert_eq!(
        s.req("POST", "/cold/a.txt?restore")
            .oss()
            .send()
            .await
            .status,
        202
    );
    s.req("POST", "/cold/a.txt?restore")
        .oss()
        .send()
        .await
        .assert_error(409, "RestoreAlreadyInProgress");
    let h = s.req("HEAD", "/cold/a.txt").oss().send().await;
    assert_eq!(h.h("x-oss-restore"), Some("ongoing-request=\"true\""));
    let l = s.req("GET", "/cold?prefix=a").oss().send().await;
    assert_eq!(
        l.xml("RestoreInfo").as_deref(),
        Some("ongoing-request=\"true\"")
    );
    s.req("GET", "/cold/a.txt")
        .oss()
        .send()
        .await
        .assert_error(403, "InvalidObjectState");
    s.state.clock.advance(RESTORE_MS);
    let g = s.req("GET", "/cold/a.txt").oss().send().await;
    assert_eq!((g.status, &g.body[..]), (200, &b"frozen"[..]));
    assert!(
        g.h("x-oss-restore")
            .is_some_and(|v| v.starts_with("ongoing-request=\"false\", expiry-date=")),
        "{:?}",
        g.h("x-oss-restore")
    );
    assert_eq!(
        s.req("POST", "/cold/a.txt?restore")
            .oss()
            .send()
            .await
            .status,
        200
    );
    // The restored copy expires after its days (one by default, counted again from the
    // extension).
    s.state.clock.advance(2 * 86_400_000);
    s.req("GET", "/cold/a.txt")
        .oss()
        .send()
        .await
        .assert_error(403, "InvalidObjectState");
    // A copy names its own class: an archived object copied out must be restored first.
    s.req("PUT", "/cold/copy.txt")
        .oss()
        .header("x-oss-copy-source", "/cold/a.txt")
        .send()
        .await
        .assert_error(403, "InvalidObjectState");
}

#[tokio::test]
async fn restore_requests_and_archive_buckets() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/arch")
        .oss()
        .body("<CreateBucketConfiguration><StorageClass>Archive</StorageClass></CreateBucketConfiguration>")
        .send()
        .await;
    assert_eq!(r.status, 200);
    // Objects of an Archive bucket are archived unless they name another class.
    s.put("arch", "k", "v").await;
    s.req("GET", "/arch/k")
        .oss()
        .send()
        .await
        .assert_error(403, "InvalidObjectState");
    let r = s
        .req("PUT", "/arch/std")
        .oss()
        .header("x-oss-storage-class", "Standard")
        .body("now")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        &s.req("GET", "/arch/std").oss().send().await.body[..],
        b"now"
    );
    // Archive objects take no priority; ColdArchive ones take a known one.
    let req = |tier: &str| {
        format!(
            "<RestoreRequest><Days>2</Days><JobParameters><Tier>{tier}</Tier></JobParameters></RestoreRequest>"
        )
    };
    s.req("POST", "/arch/k?restore")
        .oss()
        .body(req("Bulk"))
        .send()
        .await
        .assert_error(400, "MalformedXML");
    let r = s
        .req("PUT", "/arch/cold")
        .oss()
        .header("x-oss-storage-class", "ColdArchive")
        .body("c")
        .send()
        .await;
    assert_eq!(r.status, 200);
    s.req("POST", "/arch/cold?restore")
        .oss()
        .body(req("Fast"))
        .send()
        .await
        .assert_error(400, "InvalidArgument");
    let r = s
        .req("POST", "/arch/cold?restore")
        .oss()
        .body(req("Expedited"))
        .send()
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.h("x-oss-object-restore-priority"), Some("Expedited"));
}

#[tokio::test]
async fn s3_storage_classes_and_glacier_restores() {
    let s = Server::start().await;
    s.req("PUT", "/s3cls").s3().send().await;
    let put = |key: &str, class: &str| {
        s.req("PUT", &format!("/s3cls/{key}"))
            .s3()
            .header("x-amz-storage-class", class)
            .body("data")
    };
    put("bad", "COLD")
        .send()
        .await
        .assert_error(400, "InvalidStorageClass");
    assert_eq!(put("ia", "STANDARD_IA").send().await.status, 200);
    assert_eq!(put("g", "GLACIER").send().await.status, 200);
    let h = s.req("HEAD", "/s3cls/ia").s3().send().await;
    assert_eq!(h.h("x-amz-storage-class"), Some("STANDARD_IA"));
    // The OSS dialect sees the nearest OSS class.
    let h = s.req("HEAD", "/s3cls/g").oss().send().await;
    assert_eq!(h.h("x-oss-storage-class"), Some("Archive"));
    let l = s.req("GET", "/s3cls?list-type=2").s3().send().await;
    assert_eq!(l.xml_all("StorageClass"), ["GLACIER", "STANDARD_IA"]);
    s.req("GET", "/s3cls/g")
        .s3()
        .send()
        .await
        .assert_error(403, "InvalidObjectState");
    let r = s
        .req("POST", "/s3cls/g?restore")
        .s3()
        .body("<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Standard</Tier></GlacierJobParameters></RestoreRequest>")
        .send()
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let h = s.req("HEAD", "/s3cls/g").s3().send().await;
    assert_eq!(h.h("x-amz-restore"), Some("ongoing-request=\"true\""));
    s.state.clock.advance(RESTORE_MS);
    assert_eq!(
        &s.req("GET", "/s3cls/g").s3().send().await.body[..],
        b"data"
    );
    // A copy onto itself that changes only the class (rclone's settier) is accepted.
    let c = s
        .req("PUT", "/s3cls/ia")
        .s3()
        .header("x-amz-copy-source", "s3cls/ia")
        .header("x-amz-storage-class", "ONEZONE_IA")
        .send()
        .await;
    assert_eq!(c.status, 200, "{}", c.text());
    let h = s.req("HEAD", "/s3cls/ia").s3().send().await;
    assert_eq!(h.h("x-amz-storage-class"), Some("ONEZONE_IA"));
    s.req("PUT", "/s3cls/ia")
        .s3()
        .header("x-amz-copy-source", "s3cls/ia")
        .send()
        .await
        .assert_error(400, "InvalidRequest");
}

/// `--restore-delay 0`: a restored object reads at once, and asking again extends it.
#[tokio::test]
async fn a_zero_restore_delay_restores_at_once() {
    let s = Server::start_with(|c| c.restore_delay = std::time::Duration::ZERO).await;
    s.bucket("quick").await;
    let r = s
        .req("PUT", "/quick/a")
        .oss()
        .header("x-oss-storage-class", "Archive")
        .body("now")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        s.req("POST", "/quick/a?restore").oss().send().await.status,
        202
    );
    let g = s.req("GET", "/quick/a").oss().send().await;
    assert_eq!((g.status, &g.body[..]), (200, &b"now"[..]));
    assert!(
        g.h("x-oss-restore")
            .is_some_and(|v| v.starts_with("ongoing-request=\"false\"")),
        "{:?}",
        g.h("x-oss-restore")
    );
    assert_eq!(
        s.req("POST", "/quick/a?restore").oss().send().await.status,
        200
    );
}
