//! Write-once retention: S3 Object Lock (bucket default, per-version retention and legal
//! hold, governance bypass) and OSS retention policies (WORM), with the server's clock moved
//! forward instead of waiting.

use crate::support::*;

const DAY_MS: i64 = 86_400_000;

async fn locked_bucket(s: &Server, name: &str) {
    let r = s
        .req("PUT", &format!("/{name}"))
        .s3()
        .header("x-amz-bucket-object-lock-enabled", "true")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn put_id(s: &Server, path: &str, body: &str, headers: &[(&str, &str)]) -> String {
    let mut req = s.req("PUT", path).s3().body(body.to_string());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let r = req.send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.h("x-amz-version-id").unwrap().to_string()
}

fn iso_in(days: i64) -> String {
    let t = chrono::Utc::now() + chrono::Duration::days(days);
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test]
async fn object_lock_configuration_and_versioning() {
    let s = Server::start().await;
    locked_bucket(&s, "lockcfg").await;
    // Object Lock turns versioning on for good.
    let v = s.req("GET", "/lockcfg?versioning").s3().send().await;
    assert_eq!(v.xml("Status").as_deref(), Some("Enabled"));
    s.req("PUT", "/lockcfg?versioning")
        .s3()
        .body(versioning_xml("Suspended"))
        .send()
        .await
        .assert_error(409, "InvalidBucketState");
    let g = s.req("GET", "/lockcfg?object-lock").s3().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.xml("ObjectLockEnabled").as_deref(), Some("Enabled"));
    assert_eq!(g.xml("Rule"), None);
    // A default retention: days or years, not both, positive.
    let conf = |rule: &str| {
        format!(
            "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>{rule}</DefaultRetention></Rule></ObjectLockConfiguration>"
        )
    };
    for (rule, code) in [
        (
            "<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>",
            "MalformedXML",
        ),
        (
            "<Mode>GOVERNANCE</Mode><Days>0</Days>",
            "InvalidRetentionPeriod",
        ),
        ("<Mode>FOREVER</Mode><Days>1</Days>", "MalformedXML"),
    ] {
        s.req("PUT", "/lockcfg?object-lock")
            .s3()
            .body(conf(rule))
            .send()
            .await
            .assert_error(400, code);
    }
    let r = s
        .req("PUT", "/lockcfg?object-lock")
        .s3()
        .body(conf("<Mode>COMPLIANCE</Mode><Days>2</Days>"))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/lockcfg?object-lock").s3().send().await;
    assert_eq!(g.xml("Mode").as_deref(), Some("COMPLIANCE"));
    assert_eq!(g.xml("Days").as_deref(), Some("2"));
    // A bucket without Object Lock has no configuration, and takes none while unversioned.
    s.req("PUT", "/plainlock").s3().send().await;
    s.req("GET", "/plainlock?object-lock")
        .s3()
        .send()
        .await
        .assert_error(404, "ObjectLockConfigurationNotFoundError");
    s.req("PUT", "/plainlock?object-lock")
        .s3()
        .body(conf("<Mode>GOVERNANCE</Mode><Days>1</Days>"))
        .send()
        .await
        .assert_error(409, "InvalidBucketState");
    s.req("PUT", "/plainlock/k")
        .s3()
        .header("x-amz-object-lock-mode", "GOVERNANCE")
        .header("x-amz-object-lock-retain-until-date", &iso_in(1))
        .body("x")
        .send()
        .await
        .assert_error(400, "InvalidRequest");
}

#[tokio::test]
async fn a_retained_version_outlives_deletes_until_its_date() {
    let s = Server::start().await;
    locked_bucket(&s, "retain").await;
    let until = iso_in(1);
    let v1 = put_id(
        &s,
        "/retain/k",
        "kept",
        &[
            ("x-amz-object-lock-mode", "COMPLIANCE"),
            ("x-amz-object-lock-retain-until-date", &until),
        ],
    )
    .await;
    let h = s.req("HEAD", "/retain/k").s3().send().await;
    assert_eq!(h.h("x-amz-object-lock-mode"), Some("COMPLIANCE"));
    assert!(h.h("x-amz-object-lock-retain-until-date").is_some());
    // A plain DELETE only adds a marker; deleting the version itself is refused.
    let d = s.req("DELETE", "/retain/k").s3().send().await;
    assert_eq!(d.status, 204);
    s.req("DELETE", &format!("/retain/k?versionId={v1}"))
        .s3()
        .header("x-amz-bypass-governance-retention", "true")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // Nor can a compliance retention be removed, bypass or not.
    s.req("PUT", &format!("/retain/k?retention&versionId={v1}"))
        .s3()
        .header("x-amz-bypass-governance-retention", "true")
        .body("<Retention></Retention>")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    let r = s
        .req("GET", &format!("/retain/k?retention&versionId={v1}"))
        .s3()
        .send()
        .await;
    assert_eq!(r.xml("Mode").as_deref(), Some("COMPLIANCE"));
    // Once the date has passed, the version goes.
    s.state.clock.advance(2 * DAY_MS);
    let d = s
        .req("DELETE", &format!("/retain/k?versionId={v1}"))
        .s3()
        .send()
        .await;
    assert_eq!(d.status, 204, "{}", d.text());
    s.req("GET", &format!("/retain/k?versionId={v1}"))
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchVersion");
}

#[tokio::test]
async fn governance_legal_hold_and_the_default_rule() {
    let s = Server::start().await;
    locked_bucket(&s, "govern").await;
    let conf = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>";
    let r = s
        .req("PUT", "/govern?object-lock")
        .s3()
        .body(conf)
        .send()
        .await;
    assert_eq!(r.status, 200);
    // The default rule applies to a write that names none.
    let v = put_id(&s, "/govern/k", "one", &[]).await;
    let r = s
        .req("GET", &format!("/govern/k?retention&versionId={v}"))
        .s3()
        .send()
        .await;
    assert_eq!(r.xml("Mode").as_deref(), Some("GOVERNANCE"));
    s.req("DELETE", &format!("/govern/k?versionId={v}"))
        .s3()
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // Shortening a governance retention needs the bypass header.
    let none = "<Retention></Retention>";
    s.req("PUT", &format!("/govern/k?retention&versionId={v}"))
        .s3()
        .body(none)
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // A legal hold keeps it even from the bypass.
    let hold = |st: &str| format!("<LegalHold><Status>{st}</Status></LegalHold>");
    let r = s
        .req("PUT", &format!("/govern/k?legal-hold&versionId={v}"))
        .s3()
        .body(hold("ON"))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s
        .req("GET", &format!("/govern/k?legal-hold&versionId={v}"))
        .s3()
        .send()
        .await;
    assert_eq!(g.xml("Status").as_deref(), Some("ON"));
    let bypass = || {
        s.req("DELETE", &format!("/govern/k?versionId={v}"))
            .s3()
            .header("x-amz-bypass-governance-retention", "true")
    };
    bypass().send().await.assert_error(403, "AccessDenied");
    s.req("PUT", &format!("/govern/k?legal-hold&versionId={v}"))
        .s3()
        .body(hold("OFF"))
        .send()
        .await;
    // DeleteObjects reports the refusal per key.
    let body = format!("<Delete><Object><Key>k</Key><VersionId>{v}</VersionId></Object></Delete>");
    let r = s
        .req("POST", "/govern?delete")
        .s3()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.xml_all("Code"), ["AccessDenied"]);
    // With the bypass a governance retention gives way.
    let d = bypass().send().await;
    assert_eq!(d.status, 204, "{}", d.text());
    assert_eq!(count_files(&s.dir.path().join("blobs")), 0);
}

async fn initiate_worm(s: &Server, bucket: &str, days: u32) -> String {
    let r = s
        .req("POST", &format!("/{bucket}?worm"))
        .oss()
        .body(format!(
            "<InitiateWormConfiguration><RetentionPeriodInDays>{days}</RetentionPeriodInDays></InitiateWormConfiguration>"
        ))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.h("x-oss-worm-id").unwrap().to_string()
}

#[tokio::test]
async fn oss_worm_states() {
    let s = Server::start().await;
    s.bucket("wormst").await;
    s.req("GET", "/wormst?worm")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchWORMConfiguration");
    let id = initiate_worm(&s, "wormst", 1).await;
    let g = s.req("GET", "/wormst?worm").oss().send().await;
    assert_eq!(g.xml("State").as_deref(), Some("InProgress"));
    assert_eq!(g.xml("WormId").as_deref(), Some(id.as_str()));
    // An InProgress policy can be aborted.
    assert_eq!(
        s.req("DELETE", "/wormst?worm").oss().send().await.status,
        204
    );
    // One not completed within 24 hours lapses.
    initiate_worm(&s, "wormst", 1).await;
    s.state.clock.advance(DAY_MS + 1000);
    s.req("GET", "/wormst?worm")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchWORMConfiguration");
    // Completed, it is locked: no abort, only a longer period, and never a second policy.
    let id = initiate_worm(&s, "wormst", 2).await;
    s.req("POST", &format!("/wormst?wormExtend&wormId={id}"))
        .oss()
        .body("<ExtendWormConfiguration><RetentionPeriodInDays>3</RetentionPeriodInDays></ExtendWormConfiguration>")
        .send()
        .await
        .assert_error(400, "InvalidWORMConfiguration");
    let c = s
        .req("POST", &format!("/wormst?wormId={id}"))
        .oss()
        .send()
        .await;
    assert_eq!(c.status, 200, "{}", c.text());
    let g = s.req("GET", "/wormst?worm").oss().send().await;
    assert_eq!(g.xml("State").as_deref(), Some("Locked"));
    s.req("DELETE", "/wormst?worm")
        .oss()
        .send()
        .await
        .assert_error(403, "WORMConfigurationLocked");
    let extend = |days: u32| {
        s.req("POST", &format!("/wormst?wormExtend&wormId={id}"))
            .oss()
            .body(format!(
                "<ExtendWormConfiguration><RetentionPeriodInDays>{days}</RetentionPeriodInDays></ExtendWormConfiguration>"
            ))
    };
    extend(1)
        .send()
        .await
        .assert_error(400, "InvalidWORMConfiguration");
    assert_eq!(extend(5).send().await.status, 200);
    let g = s.req("GET", "/wormst?worm").oss().send().await;
    assert_eq!(g.xml("RetentionPeriodInDays").as_deref(), Some("5"));
    s.req("POST", "/wormst?worm")
        .oss()
        .body("<InitiateWormConfiguration><RetentionPeriodInDays>9</RetentionPeriodInDays></InitiateWormConfiguration>")
        .send()
        .await
        .assert_error(409, "WORMConfigurationAlreadyExists");
    // An empty bucket goes, policy and all.
    assert_eq!(s.req("DELETE", "/wormst").oss().send().await.status, 204);
}

#[tokio::test]
async fn oss_worm_keeps_objects_for_their_period() {
    let s = Server::start().await;
    s.bucket("wormobj").await;
    s.put("wormobj", "k", "original").await;
    let id = initiate_worm(&s, "wormobj", 1).await;
    s.req("POST", &format!("/wormobj?wormId={id}"))
        .oss()
        .send()
        .await;
    // Neither deleted nor overwritten, in either dialect, nor by a copy or a batch delete.
    s.req("DELETE", "/wormobj/k")
        .oss()
        .send()
        .await
        .assert_error(409, "FileImmutable");
    s.req("PUT", "/wormobj/k")
        .s3()
        .body("changed")
        .send()
        .await
        .assert_error(409, "FileImmutable");
    s.req("PUT", "/wormobj/k")
        .oss()
        .header("x-oss-copy-source", "/wormobj/k")
        .header("x-oss-metadata-directive", "REPLACE")
        .send()
        .await
        .assert_error(409, "FileImmutable");
    let body = "<Delete><Object><Key>k</Key></Object></Delete>";
    let r = s
        .req("POST", "/wormobj?delete")
        .oss()
        .header("content-md5", &md5_b64(body.as_bytes()))
        .body(body)
        .send()
        .await;
    assert_eq!(r.xml_all("Code"), ["FileImmutable"]);
    assert_eq!(
        &s.req("GET", "/wormobj/k").oss().send().await.body[..],
        b"original"
    );
    // New objects can still be written.
    s.put("wormobj", "new", "fresh").await;
    // After the period, the object is an ordinary one again.
    s.state.clock.advance(DAY_MS + 1000);
    s.put("wormobj", "k", "changed").await;
    assert_eq!(s.req("DELETE", "/wormobj/k").oss().send().await.status, 204);
}

/// A lock asked for when a multipart upload starts holds the completed object; dates keep
/// their milliseconds; a retention body with an unknown mode is malformed.
#[tokio::test]
async fn multipart_locks_exact_dates_and_bad_modes() {
    let s = Server::start().await;
    locked_bucket(&s, "lockmp").await;
    let until = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let i = s
        .req("POST", "/lockmp/big?uploads")
        .s3()
        .header("x-amz-object-lock-mode", "GOVERNANCE")
        .header("x-amz-object-lock-retain-until-date", &until)
        .header("x-amz-object-lock-legal-hold", "ON")
        .send()
        .await;
    assert_eq!(i.status, 200, "{}", i.text());
    let id = i.xml("UploadId").unwrap();
    let p = s
        .req("PUT", &format!("/lockmp/big?partNumber=1&uploadId={id}"))
        .s3()
        .body("part")
        .send()
        .await;
    let etag = p.h("etag").unwrap().to_string();
    let c = s
        .req("POST", &format!("/lockmp/big?uploadId={id}"))
        .s3()
        .body(format!(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
        ))
        .send()
        .await;
    assert_eq!(c.status, 200, "{}", c.text());
    let v = c.h("x-amz-version-id").unwrap().to_string();
    let h = s.req("HEAD", "/lockmp/big").s3().send().await;
    assert_eq!(h.h("x-amz-object-lock-mode"), Some("GOVERNANCE"));
    assert_eq!(
        h.h("x-amz-object-lock-retain-until-date"),
        Some(until.as_str())
    );
    assert_eq!(h.h("x-amz-object-lock-legal-hold"), Some("ON"));
    s.req("DELETE", &format!("/lockmp/big?versionId={v}"))
        .s3()
        .send()
        .await
        .assert_error(403, "AccessDenied");
    for mode in ["governance", "abc"] {
        s.req("PUT", &format!("/lockmp/big?retention&versionId={v}"))
            .s3()
            .body(format!(
                "<Retention><Mode>{mode}</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>"
            ))
            .send()
            .await
            .assert_error(400, "MalformedXML");
    }
}
