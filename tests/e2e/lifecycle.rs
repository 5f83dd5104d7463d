//! Lifecycle rules in both dialects, run by `POST /_ossemu/lifecycle/run?at=` as if days had
//! passed: expiration, transition (then unreadable until restored), abort of stale uploads,
//! non-current versions, and what retention protects.

use crate::support::*;

const DAY_MS: i64 = 86_400_000;
/// The default `--restore-delay`.
const RESTORE_MS: i64 = 5_000;

/// `days` from now, RFC 3339, for `?at=`.
fn days_from_now(days: i64) -> String {
    let ms = ossemu_store::now_ms() + days * DAY_MS;
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("time")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Runs a lifecycle pass as of `days` from now; `[expired, transitioned, aborted]` of
/// `bucket`.
async fn run(s: &Server, days: i64, bucket: &str) -> [u64; 3] {
    let at = days_from_now(days);
    let r = s
        .req("POST", &format!("/_ossemu/lifecycle/run?at={}", enc(&at)))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    let b = v["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .find(|b| b["bucket"] == bucket)
        .unwrap_or_else(|| panic!("{bucket} missing from {v}"));
    ["expired", "transitioned", "aborted"].map(|k| b[k].as_u64().expect(k))
}

async fn put_lifecycle(s: &Server, bucket: &str, xml: &str, s3: bool) -> Resp {
    let req = s
        .req("PUT", &format!("/{bucket}?lifecycle"))
        .body(xml.to_string());
    if s3 { req.s3() } else { req.oss() }.send().await
}

async fn initiate(s: &Server, path: &str, s3: bool) -> String {
    let req = s.req("POST", &format!("{path}?uploads"));
    let r = if s3 { req.s3() } else { req.oss() }.send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.xml("UploadId").expect("upload id")
}

const OSS_RULES: &str = "<LifecycleConfiguration>\
    <Rule><ID>logs</ID><Prefix>logs/</Prefix><Status>Enabled</Status>\
      <Expiration><Days>30</Days></Expiration></Rule>\
    <Rule><ID>cold</ID><Prefix>data/</Prefix><Status>Enabled</Status>\
      <Transition><Days>10</Days><StorageClass>Archive</StorageClass></Transition></Rule>\
    <Rule><ID>uploads</ID><Prefix>tmp/</Prefix><Status>Enabled</Status>\
      <AbortMultipartUpload><Days>7</Days></AbortMultipartUpload></Rule>\
    <Rule><ID>off</ID><Prefix>keep/</Prefix><Status>Disabled</Status>\
      <Expiration><Days>1</Days></Expiration></Rule>\
    </LifecycleConfiguration>";

#[tokio::test]
async fn oss_rules_expire_transition_and_abort_on_the_moved_clock() {
    let s = Server::start().await;
    s.bucket("lc-oss").await;
    s.put("lc-oss", "logs/a.log", "log line").await;
    s.put("lc-oss", "data/b.bin", "cold data").await;
    s.put("lc-oss", "keep/c.txt", "kept").await;
    let upload = initiate(&s, "/lc-oss/tmp/big", false).await;
    let r = put_lifecycle(&s, "lc-oss", OSS_RULES, false).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/lc-oss?lifecycle").oss().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.xml_all("ID"), ["logs", "cold", "uploads", "off"]);
    assert_eq!(g.xml_all("Prefix"), ["logs/", "data/", "tmp/", "keep/"]);
    assert_eq!(g.xml("StorageClass").as_deref(), Some("Archive"));

    assert_eq!(run(&s, 6, "lc-oss").await, [0, 0, 0]);
    assert_eq!(run(&s, 8, "lc-oss").await, [0, 0, 1]);
    s.req("GET", &format!("/lc-oss/tmp/big?uploadId={upload}"))
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchUpload");

    // After 10 days the data moves to Archive: listed and headed as such, unreadable until
    // a restore has finished, and its Last-Modified is unchanged.
    let before = s.req("HEAD", "/lc-oss/data/b.bin").oss().send().await;
    assert_eq!(run(&s, 11, "lc-oss").await, [0, 1, 0]);
    let h = s.req("HEAD", "/lc-oss/data/b.bin").oss().send().await;
    assert_eq!(h.h("x-oss-storage-class"), Some("Archive"));
    assert_eq!(h.h("last-modified"), before.h("last-modified"));
    let l = s.req("GET", "/lc-oss?prefix=data/").oss().send().await;
    assert_eq!(l.xml("StorageClass").as_deref(), Some("Archive"));
    s.req("GET", "/lc-oss/data/b.bin")
        .oss()
        .send()
        .await
        .assert_error(403, "InvalidObjectState");
    let r = s
        .req("POST", "/lc-oss/data/b.bin?restore")
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    s.state.clock.advance(RESTORE_MS);
    let g = s.req("GET", "/lc-oss/data/b.bin").oss().send().await;
    assert_eq!((g.status, &g.body[..]), (200, &b"cold data"[..]));
    // Already in Archive: a later pass leaves it alone.
    assert_eq!(run(&s, 12, "lc-oss").await, [0, 0, 0]);

    // After 30 days the log expires; the disabled rule never acts.
    assert_eq!(run(&s, 29, "lc-oss").await, [0, 0, 0]);
    assert_eq!(run(&s, 31, "lc-oss").await, [1, 0, 0]);
    s.req("GET", "/lc-oss/logs/a.log")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchKey");
    let g = s.req("GET", "/lc-oss/keep/c.txt").oss().send().await;
    assert_eq!((g.status, &g.body[..]), (200, &b"kept"[..]));
    assert_eq!(run(&s, 31, "lc-oss").await, [0, 0, 0]);

    // Non-current versions of a versioned OSS bucket go a day after they were replaced.
    s.bucket("lc-oss-v").await;
    s.set_versioning("lc-oss-v", "Enabled").await;
    let old = s.put("lc-oss-v", "k", "one").await;
    s.put("lc-oss-v", "k", "two").await;
    let rules = "<LifecycleConfiguration><Rule><ID>v</ID><Prefix></Prefix><Status>Enabled</Status>\
        <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>\
        </Rule></LifecycleConfiguration>";
    assert_eq!(
        put_lifecycle(&s, "lc-oss-v", rules, false).await.status,
        200
    );
    assert_eq!(run(&s, 0, "lc-oss-v").await, [0, 0, 0]);
    assert_eq!(run(&s, 2, "lc-oss-v").await, [1, 0, 0]);
    let id = old.h("x-oss-version-id").expect("version id");
    s.req("GET", &format!("/lc-oss-v/k?versionId={id}"))
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchVersion");
    let g = s.req("GET", "/lc-oss-v/k").oss().send().await;
    assert_eq!((g.status, &g.body[..]), (200, &b"two"[..]));

    // DeleteBucketLifecycle: the rules are gone and the bucket leaves the report.
    let d = s.req("DELETE", "/lc-oss?lifecycle").oss().send().await;
    assert_eq!(d.status, 204);
    s.req("GET", "/lc-oss?lifecycle")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchLifecycle");
    let r = s.req("POST", "/_ossemu/lifecycle/run").send().await;
    assert_eq!(r.status, 200);
    assert!(!r.text().contains("\"lc-oss\""), "{}", r.text());
}

const S3_RULES: &str = r#"<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Rule><ID>versions</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>
      <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>
    <Rule><ID>old</ID><Filter><Prefix>old/</Prefix></Filter><Status>Enabled</Status>
      <Expiration><Days>30</Days></Expiration></Rule>
    <Rule><ID>glacier</ID><Filter><And><Prefix>cold/</Prefix><Tag><Key>tier</Key><Value>cold</Value></Tag></And></Filter>
      <Status>Enabled</Status><Transition><Days>10</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>
    <Rule><ID>uploads</ID><Filter/><Status>Enabled</Status>
      <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
    </LifecycleConfiguration>"#;

async fn put_s3(s: &Server, key: &str, body: &str, tagging: Option<&str>) -> Resp {
    let mut req = s
        .req("PUT", &format!("/lc-s3/{key}"))
        .s3()
        .body(body.to_string());
    if let Some(t) = tagging {
        req = req.header("x-amz-tagging", t);
    }
    let r = req.send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    r
}

#[tokio::test]
async fn s3_rules_on_a_versioned_bucket() {
    let s = Server::start().await;
    s.bucket("lc-s3").await;
    s.set_versioning("lc-s3", "Enabled").await;
    let v1 = put_s3(&s, "k", "one", None).await;
    let v2 = put_s3(&s, "k", "two", None).await;
    put_s3(&s, "cold/c", "frozen", Some("tier=cold")).await;
    put_s3(&s, "cold/untagged", "warm", None).await;
    initiate(&s, "/lc-s3/any/upload", true).await;
    let r = put_lifecycle(&s, "lc-s3", S3_RULES, true).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/lc-s3?lifecycle").s3().send().await;
    assert_eq!(g.xml_all("ID"), ["versions", "old", "glacier", "uploads"]);
    // S3 names the coming expiration on writes, GET and HEAD: midnight UTC after 30 days.
    let w = put_s3(&s, "old/x", "old", None).await;
    let h = s.req("HEAD", "/lc-s3/old/x").s3().send().await;
    let rec = s
        .state
        .store
        .meta()
        .get_object("lc-s3", "old/x")
        .unwrap()
        .unwrap();
    let due_ms = (rec.modified_ms + 30 * DAY_MS + DAY_MS - 1) / DAY_MS * DAY_MS;
    let due = std::time::UNIX_EPOCH + std::time::Duration::from_millis(due_ms as u64);
    let want = format!(
        "expiry-date=\"{}\", rule-id=\"old\"",
        httpdate::fmt_http_date(due)
    );
    assert_eq!(h.h("x-amz-expiration"), Some(want.as_str()));
    assert_eq!(w.h("x-amz-expiration"), Some(want.as_str()));
    let h = s.req("HEAD", "/lc-s3/k").s3().send().await;
    assert_eq!(h.h("x-amz-expiration"), None);
    assert!(
        g.text()
            .contains("xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"")
    );

    // The replaced version goes one day after it was replaced; the current one stays.
    assert_eq!(run(&s, 2, "lc-s3").await, [1, 0, 0]);
    let l = s.req("GET", "/lc-s3?versions&prefix=k").s3().send().await;
    let v2_id = v2.h("x-amz-version-id").expect("v2").to_string();
    assert_eq!(l.xml_all("VersionId"), [v2_id]);
    let v1_id = v1.h("x-amz-version-id").expect("v1");
    s.req("GET", &format!("/lc-s3/k?versionId={v1_id}"))
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchVersion");

    assert_eq!(run(&s, 8, "lc-s3").await, [0, 0, 1]);
    // Only the tagged object moves to GLACIER.
    assert_eq!(run(&s, 11, "lc-s3").await, [0, 1, 0]);
    let h = s.req("HEAD", "/lc-s3/cold/c").s3().send().await;
    assert_eq!(h.h("x-amz-storage-class"), Some("GLACIER"));
    s.req("GET", "/lc-s3/cold/c")
        .s3()
        .send()
        .await
        .assert_error(403, "InvalidObjectState");
    let r = s
        .req("POST", "/lc-s3/cold/c?restore")
        .s3()
        .body("<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Standard</Tier></GlacierJobParameters></RestoreRequest>")
        .send()
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    s.state.clock.advance(RESTORE_MS);
    let g = s.req("GET", "/lc-s3/cold/c").s3().send().await;
    assert_eq!((g.status, &g.body[..]), (200, &b"frozen"[..]));
    let g = s.req("GET", "/lc-s3/cold/untagged").s3().send().await;
    assert_eq!((g.status, g.h("x-amz-storage-class")), (200, None));

    // Expiring a current version of a versioned bucket adds a delete marker; the version it
    // hides is non-current from then on, and goes a day later; then the marker, alone,
    // goes too.
    assert_eq!(run(&s, 31, "lc-s3").await, [1, 0, 0]);
    let g = s.req("GET", "/lc-s3/old/x").s3().send().await;
    assert_eq!((g.status, g.h("x-amz-delete-marker")), (404, Some("true")));
    let l = s
        .req("GET", "/lc-s3?versions&prefix=old/")
        .s3()
        .send()
        .await;
    assert_eq!(l.xml_all("DeleteMarker").len(), 1);
    assert_eq!(l.xml_all("Version").len(), 1);
    assert_eq!(run(&s, 33, "lc-s3").await, [1, 0, 0]);
    assert_eq!(run(&s, 34, "lc-s3").await, [1, 0, 0]);
    let l = s
        .req("GET", "/lc-s3?versions&prefix=old/")
        .s3()
        .send()
        .await;
    assert!(l.xml_all("VersionId").is_empty(), "{}", l.text());
}

#[tokio::test]
async fn retention_keeps_what_it_protects() {
    let s = Server::start().await;
    s.bucket("lc-worm").await;
    s.put("lc-worm", "a", "kept for 40 days").await;
    let r = s
        .req("POST", "/lc-worm?worm")
        .oss()
        .body("<InitiateWormConfiguration><RetentionPeriodInDays>40</RetentionPeriodInDays></InitiateWormConfiguration>")
        .send()
        .await;
    let id = r.h("x-oss-worm-id").expect("worm id").to_string();
    let r = s
        .req("POST", &format!("/lc-worm?wormId={id}"))
        .oss()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rules = "<LifecycleConfiguration><Rule><ID>r</ID><Prefix></Prefix><Status>Enabled</Status>\
        <Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";
    assert_eq!(put_lifecycle(&s, "lc-worm", rules, false).await.status, 200);
    assert_eq!(run(&s, 30, "lc-worm").await, [0, 0, 0]);
    assert_eq!(s.req("GET", "/lc-worm/a").oss().send().await.status, 200);
    assert_eq!(run(&s, 41, "lc-worm").await, [1, 0, 0]);
    s.req("GET", "/lc-worm/a")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchKey");
}

/// A rule wrapped in a configuration document.
fn oss_doc(rules: &str) -> String {
    format!("<LifecycleConfiguration>{rules}</LifecycleConfiguration>")
}

#[tokio::test]
async fn invalid_configurations_are_refused_and_change_nothing() {
    let s = Server::start().await;
    s.bucket("lc-bad").await;
    s.req("GET", "/lc-bad?lifecycle")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchLifecycleConfiguration");
    let good = oss_doc(
        "<Rule><ID>g</ID><Prefix>a/</Prefix><Status>Enabled</Status><Expiration><Days>5</Days></Expiration></Rule>",
    );
    assert_eq!(put_lifecycle(&s, "lc-bad", &good, false).await.status, 200);

    let exp = |prefix: &str, id: &str| {
        format!(
            "<Rule><ID>{id}</ID><Prefix>{prefix}</Prefix><Status>Enabled</Status><Expiration><Days>5</Days></Expiration></Rule>"
        )
    };
    let overlap = oss_doc(&(exp("a/", "1") + &exp("a/b", "2")));
    let e = put_lifecycle(&s, "lc-bad", &overlap, false)
        .await
        .assert_error(400, "InvalidArgument");
    assert!(e.contains("Overlap for same action type Expiration"), "{e}");
    let cases: &[(&str, u16, &str, bool)] = &[
        (
            "<Rule><ID>t</ID><Prefix>p</Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration>\
             <Transition><Days>4</Days><StorageClass>IA</StorageClass></Transition></Rule>",
            400,
            "InvalidArgument",
            false,
        ),
        (
            "<Rule><ID>t</ID><Prefix>p</Prefix><Status>Enabled</Status>\
             <Transition><Days>5</Days><StorageClass>IA</StorageClass></Transition>\
             <Transition><Days>2</Days><StorageClass>Archive</StorageClass></Transition></Rule>",
            400,
            "InvalidArgument",
            false,
        ),
        (
            "<Rule><ID>t</ID><Prefix>p</Prefix><Status>Enabled</Status>\
             <Transition><Days>5</Days><StorageClass>Standard</StorageClass></Transition></Rule>",
            400,
            "InvalidArgument",
            false,
        ),
        (
            "<Rule><ID>t</ID><Prefix>p</Prefix><Status>Enabled</Status>\
             <Expiration><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></Expiration>\
             <Transition><Days>5</Days><StorageClass>IA</StorageClass></Transition></Rule>",
            400,
            "InvalidRequest",
            false,
        ),
        (
            "<Rule><ID>t</ID><Prefix>p</Prefix><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>",
            400,
            "MalformedXML",
            true,
        ),
        (
            "<Rule><ID>t</ID><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>",
            400,
            "InvalidArgument",
            true,
        ),
        (
            "<Rule><ID>t</ID><Filter/><Status>Enabled</Status><Expiration><Date>2026-01-01T12:00:00Z</Date></Expiration></Rule>",
            400,
            "InvalidArgument",
            true,
        ),
        (
            "<Rule><ID>t</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>\
             <Rule><ID>t</ID><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>",
            400,
            "InvalidArgument",
            true,
        ),
        (
            "<Rule><ID>t</ID><Filter/><Status>Enabled</Status></Rule>",
            400,
            "InvalidRequest",
            true,
        ),
        (
            "<Rule><ID>t</ID><Status>Enabled<",
            400,
            "MalformedXML",
            true,
        ),
    ];
    for (rules, status, code, s3) in cases {
        put_lifecycle(&s, "lc-bad", &oss_doc(rules), *s3)
            .await
            .assert_error(*status, code);
    }
    let g = s.req("GET", "/lc-bad?lifecycle").oss().send().await;
    assert_eq!(g.xml_all("ID"), ["g"]);

    // OSS lets overlapping rules through when asked to.
    let r = s
        .req("PUT", "/lc-bad?lifecycle")
        .oss()
        .header("x-oss-allow-same-action-overlap", "true")
        .body(overlap)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // S3 reads OSS's rules; dates are kept at midnight UTC in one form.
    let dated = oss_doc(
        "<Rule><ID>d</ID><Prefix>x</Prefix><Status>Enabled</Status><Expiration><CreatedBeforeDate>2016-12-25</CreatedBeforeDate></Expiration></Rule>",
    );
    assert_eq!(put_lifecycle(&s, "lc-bad", &dated, false).await.status, 200);
    let g = s.req("GET", "/lc-bad?lifecycle").s3().send().await;
    assert_eq!(
        g.xml("CreatedBeforeDate").as_deref(),
        Some("2016-12-25T00:00:00.000Z")
    );
}

#[tokio::test]
async fn the_run_endpoint_takes_only_post_and_a_valid_time() {
    let s = Server::start().await;
    let r = s.req("GET", "/_ossemu/lifecycle/run").send().await;
    assert_eq!(r.status, 405);
    let r = s
        .req("POST", "/_ossemu/lifecycle/run?at=next-tuesday")
        .send()
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("RFC 3339"), "{}", r.text());
    let r = s
        .req("POST", "/_ossemu/lifecycle/run?at=2030-01-01T00:00:00Z")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(v["at"], "2030-01-01T00:00:00.000Z");
    assert_eq!(v["buckets"], serde_json::json!([]));
}

/// How many objects each rule of the crash test covers.
const CRASH_N: usize = 150;

/// What a key of the crash test reads as after a restart: its body, Archive (unreadable
/// until restored), or gone. Anything else (a listed key that does not read, a body that is
/// not the one written) fails the test.
async fn crash_state(b: &Binary, key: &str) -> &'static str {
    let g = b.req("GET", &format!("/crash/{key}")).oss().send().await;
    match g.status {
        200 => {
            assert_eq!(g.body, format!("body of {key}").as_bytes(), "{key}");
            "standard"
        }
        403 => {
            g.assert_error(403, "InvalidObjectState");
            let h = b.req("HEAD", &format!("/crash/{key}")).oss().send().await;
            assert_eq!(h.h("x-oss-storage-class"), Some("Archive"), "{key}");
            "archive"
        }
        _ => {
            g.assert_error(404, "NoSuchKey");
            "gone"
        }
    }
}

/// Every object of the crash test by state, checking that the listing agrees with reads.
async fn crash_census(b: &Binary) -> std::collections::BTreeMap<(char, &'static str), usize> {
    let listed = b.req("GET", "/crash?max-keys=1000").oss().send().await;
    let listed = listed.xml_all("Key");
    let mut census = std::collections::BTreeMap::new();
    for prefix in ['e', 't'] {
        for i in 0..CRASH_N {
            let key = format!("{i:03}-{prefix}");
            let state = crash_state(b, &key).await;
            assert_eq!(listed.contains(&key), state != "gone", "{key} is {state}");
            *census.entry((prefix, state)).or_default() += 1;
        }
    }
    census
}

/// A `kill -9` during a lifecycle pass over interleaved keys (tagged to expire or to move to
/// Archive): every object is either untouched or fully acted on, and the next pass
/// finishes the rest, leaving no body file behind.
#[tokio::test]
async fn a_crash_during_a_pass_leaves_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let args = [
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data,
        "--lifecycle-interval",
        "0",
    ];
    let b = Binary::start(&args, &[]);
    assert_eq!(b.req("PUT", "/crash").oss().send().await.status, 200);
    for prefix in ['e', 't'] {
        for i in 0..CRASH_N {
            let key = format!("{i:03}-{prefix}");
            let r = b
                .req("PUT", &format!("/crash/{key}"))
                .oss()
                .header("x-oss-tagging", &format!("kind={prefix}"))
                .body(format!("body of {key}"))
                .send()
                .await;
            assert_eq!(r.status, 200);
        }
    }
    let rules = "<LifecycleConfiguration>\
        <Rule><ID>e</ID><Prefix></Prefix><Tag><Key>kind</Key><Value>e</Value></Tag><Status>Enabled</Status>\
        <Expiration><Days>1</Days></Expiration></Rule>\
        <Rule><ID>t</ID><Prefix></Prefix><Tag><Key>kind</Key><Value>t</Value></Tag><Status>Enabled</Status>\
        <Transition><Days>1</Days><StorageClass>Archive</StorageClass></Transition></Rule>\
        </LifecycleConfiguration>";
    let r = b
        .req("PUT", "/crash?lifecycle")
        .oss()
        .body(rules)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let at = enc(&days_from_now(2));
    // Sent by hand: the kill may cut the answer, which the test client would not forgive.
    let request = format!(
        "POST /_ossemu/lifecycle/run?at={at} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\n\r\n",
        b.addr
    );
    let addr = b.addr;
    let pass = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut c = tokio::net::TcpStream::connect(addr).await.expect("connect");
        c.write_all(request.as_bytes()).await.expect("send");
        let mut answer = Vec::new();
        let _ = c.read_to_end(&mut answer).await;
    });
    // Kill as soon as the pass has visibly begun (or has ended: the checks hold either way).
    loop {
        let l = b.req("GET", "/crash?max-keys=1000").oss().send().await;
        if l.xml_all("Key").len() < 2 * CRASH_N || pass.is_finished() {
            break;
        }
    }
    b.kill();
    let _ = pass.await;

    let b = Binary::start(&args, &[]);
    let census = crash_census(&b).await;
    eprintln!("after the crash: {census:?}");
    let count = |k: (char, &'static str)| census.get(&k).copied().unwrap_or(0);
    assert_eq!(
        count(('e', "standard")) + count(('e', "gone")),
        CRASH_N,
        "{census:?}"
    );
    assert_eq!(
        count(('t', "standard")) + count(('t', "archive")),
        CRASH_N,
        "{census:?}"
    );

    // The next pass does exactly what the first left undone.
    let r = b
        .req("POST", &format!("/_ossemu/lifecycle/run?at={at}"))
        .send()
        .await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    let report = &v["buckets"][0];
    assert_eq!(report["expired"], count(('e', "standard")), "{v}");
    assert_eq!(report["transitioned"], count(('t', "standard")), "{v}");
    let census = crash_census(&b).await;
    assert_eq!(
        census.into_iter().collect::<Vec<_>>(),
        [(('e', "gone"), CRASH_N), (('t', "archive"), CRASH_N)]
    );
    b.kill();
    // Each remaining object keeps its one body file; the expired ones left none.
    assert_eq!(count_files(&dir.path().join("blobs")), CRASH_N);
}

const ATIME_RULES: &str = "<LifecycleConfiguration><Rule><ID>atime</ID><Prefix></Prefix>\
    <Status>Enabled</Status><Transition><Days>30</Days><StorageClass>IA</StorageClass>\
    <IsAccessTime>true</IsAccessTime><ReturnToStdWhenVisit>true</ReturnToStdWhenVisit>\
    </Transition></Rule></LifecycleConfiguration>";

/// OSS access tracking: rules counted from the last read, the return to Standard on a read,
/// and the rules' refusals while tracking is off.
#[tokio::test]
async fn access_time_rules_count_from_the_last_read() {
    let s = Server::start().await;
    s.bucket("lc-atime").await;
    let big = vec![b'x'; 70 * 1024];
    s.put("lc-atime", "hot", big.clone()).await;
    s.put("lc-atime", "cold", big.clone()).await;
    s.put("lc-atime", "tiny", "small").await;
    put_lifecycle(&s, "lc-atime", ATIME_RULES, false)
        .await
        .assert_error(400, "InvalidArgument");
    let g = s.req("GET", "/lc-atime?accessmonitor").oss().send().await;
    assert_eq!(g.xml("Status").as_deref(), Some("Disabled"));
    assert_eq!(
        s.req("HEAD", "/lc-atime/hot")
            .oss()
            .send()
            .await
            .h("x-oss-last-access-time"),
        None
    );
    let monitor = |status: &str| {
        s.req("PUT", "/lc-atime?accessmonitor")
            .oss()
            .body(format!(
                "<AccessMonitorConfiguration><Status>{status}</Status></AccessMonitorConfiguration>"
            ))
            .send()
    };
    assert_eq!(monitor("Enabled").await.status, 200);
    monitor("On").await.assert_error(400, "MalformedXML");
    let g = s.req("GET", "/lc-atime?accessmonitor").oss().send().await;
    assert_eq!(g.xml("Status").as_deref(), Some("Enabled"));
    let info = s.req("GET", "/lc-atime?bucketInfo").oss().send().await;
    assert_eq!(info.xml("AccessMonitor").as_deref(), Some("Enabled"));
    let h = s.req("HEAD", "/lc-atime/hot").oss().send().await;
    assert_eq!(h.h("x-oss-last-access-time"), h.h("last-modified"));

    let r = put_lifecycle(&s, "lc-atime", ATIME_RULES, false).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/lc-atime?lifecycle").oss().send().await;
    assert_eq!(g.xml("IsAccessTime").as_deref(), Some("true"));
    assert!(
        g.xml("AtimeBase").is_some_and(|t| t.parse::<i64>().is_ok()),
        "{}",
        g.text()
    );
    monitor("Disabled")
        .await
        .assert_error(400, "InvalidArgument");

    // Twenty days on, `hot` is read: its last access moves, the others' stays.
    s.state.clock.advance(20 * DAY_MS);
    let g = s.req("GET", "/lc-atime/hot").oss().send().await;
    assert_eq!(g.status, 200);
    let h = s.req("HEAD", "/lc-atime/hot").oss().send().await;
    assert_ne!(h.h("x-oss-last-access-time"), h.h("last-modified"));
    // 30 days after the last read: `cold` moves, `hot` not yet, `tiny` is under 64 KiB.
    assert_eq!(run(&s, 31, "lc-atime").await, [0, 1, 0]);
    let class = |key: &'static str| {
        let s = &s;
        async move {
            let h = s
                .req("HEAD", &format!("/lc-atime/{key}"))
                .oss()
                .send()
                .await;
            h.h("x-oss-storage-class").map(str::to_string)
        }
    };
    assert_eq!(class("cold").await.as_deref(), Some("IA"));
    assert_eq!(class("hot").await.as_deref(), Some("Standard"));
    assert_eq!(class("tiny").await.as_deref(), Some("Standard"));
    // A read brings it back to Standard (ReturnToStdWhenVisit).
    let g = s.req("GET", "/lc-atime/cold").oss().send().await;
    assert_eq!((g.status, g.body.len()), (200, big.len()));
    assert_eq!(class("cold").await.as_deref(), Some("Standard"));
    assert_eq!(run(&s, 51, "lc-atime").await, [0, 2, 0]);
}
