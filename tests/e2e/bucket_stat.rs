//! GetBucketStat (`GET /?stat`): figures counted from what the bucket holds.

use crate::support::*;

fn num(r: &Resp, name: &str) -> u64 {
    r.xml(name)
        .unwrap_or_else(|| panic!("{name} missing: {}", r.text()))
        .parse()
        .unwrap()
}

async fn stat(s: &Server, bucket: &str) -> Resp {
    let r = s.req("GET", &format!("/{bucket}?stat")).oss().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    r
}

#[tokio::test]
async fn counts_objects_classes_uploads_and_markers() {
    let s = Server::start().await;
    s.bucket("stats").await;
    let r = stat(&s, "stats").await;
    for name in [
        "Storage",
        "ObjectCount",
        "MultipartUploadCount",
        "LiveChannelCount",
    ] {
        assert_eq!(num(&r, name), 0, "{name}");
    }
    assert_eq!(num(&r, "LastModifiedTime"), 0);
    s.put("stats", "a.txt", "content").await;
    s.put("stats", "b.txt", vec![7u8; 1000]).await;
    let r = s
        .req("PUT", "/stats/cold")
        .oss()
        .header("x-oss-storage-class", "IA")
        .body("ia")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("PUT", "/stats/frozen")
        .oss()
        .header("x-oss-storage-class", "ColdArchive")
        .body(vec![1u8; 70 * 1024])
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let up = s.req("POST", "/stats/mp?uploads").oss().send().await;
    let id = up.xml("UploadId").unwrap();
    for n in 1..=2 {
        let r = s
            .req("PUT", &format!("/stats/mp?partNumber={n}&uploadId={id}"))
            .oss()
            .body(vec![0u8; 10])
            .send()
            .await;
        assert_eq!(r.status, 200);
    }
    let r = stat(&s, "stats").await;
    let total = 7 + 1000 + 2 + 70 * 1024;
    assert_eq!(num(&r, "Storage"), total);
    assert_eq!(num(&r, "ObjectCount"), 4);
    assert_eq!(num(&r, "StandardStorage"), 1007);
    assert_eq!(num(&r, "StandardObjectCount"), 2);
    // IA and colder classes are billed at 64 KiB at least.
    assert_eq!(num(&r, "InfrequentAccessStorage"), 64 * 1024);
    assert_eq!(num(&r, "InfrequentAccessRealStorage"), 2);
    assert_eq!(num(&r, "InfrequentAccessObjectCount"), 1);
    assert_eq!(num(&r, "ColdArchiveStorage"), 70 * 1024);
    assert_eq!(num(&r, "ColdArchiveRealStorage"), 70 * 1024);
    assert_eq!(num(&r, "ColdArchiveObjectCount"), 1);
    assert_eq!(num(&r, "ArchiveObjectCount"), 0);
    assert_eq!(num(&r, "DeepColdArchiveObjectCount"), 0);
    assert_eq!(num(&r, "MultipartUploadCount"), 1);
    assert_eq!(num(&r, "MultipartPartCount"), 2);
    assert_eq!(num(&r, "DeleteMarkerCount"), 0);
    let last = num(&r, "LastModifiedTime");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(last <= now && now - last < 60, "{last} vs {now}");
    // Versions count; a delete in a versioned bucket leaves the object and adds a marker.
    s.set_versioning("stats", "Enabled").await;
    let r = s.req("DELETE", "/stats/a.txt").oss().send().await;
    assert_eq!(r.status, 204);
    let r = stat(&s, "stats").await;
    assert_eq!(num(&r, "ObjectCount"), 4);
    assert_eq!(num(&r, "DeleteMarkerCount"), 1);
    s.req("GET", "/nope?stat")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchBucket");
}
