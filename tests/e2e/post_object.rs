//! PostObject: browser form uploads with OSS and S3 policies.

use base64::Engine;
use hmac::{KeyInit, Mac};

use crate::support::*;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A multipart/form-data body: the fields, then the file part.
pub(crate) fn form(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----ossemuFormBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"local name.txt\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn policy(conditions: &str, expires_in_secs: i64) -> String {
    let exp = (chrono::Utc::now() + chrono::Duration::seconds(expires_in_secs))
        .format("%Y-%m-%dT%H:%M:%S.000Z");
    B64.encode(format!(
        "{{\"expiration\":\"{exp}\",\"conditions\":[{conditions}]}}"
    ))
}

fn sign_v1(secret: &str, policy: &str) -> String {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(policy.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

async fn post(s: &Server, bucket: &str, fields: &[(&str, &str)], file: &[u8]) -> Resp {
    let (ct, body) = form(fields, file);
    s.req("POST", &format!("/{bucket}"))
        .header("content-type", &ct)
        .body(body)
        .send()
        .await
}

#[tokio::test]
async fn oss_v1_policy_upload() {
    let s = Server::start().await;
    s.bucket("forms").await;
    let p = policy(
        r#"{"bucket":"forms"},["starts-with","$key","user/"],["content-length-range",1,1024]"#,
        3600,
    );
    let sig = sign_v1(SK, &p);
    let fields = [
        ("key", "user/${filename}"),
        ("OSSAccessKeyId", AK),
        ("policy", p.as_str()),
        ("Signature", sig.as_str()),
        ("x-oss-meta-from", "browser"),
        ("success_action_status", "201"),
    ];
    let r = post(&s, "forms", &fields, b"uploaded by a browser").await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.xml("Key").as_deref(), Some("user/local name.txt"));
    assert_eq!(r.xml("Bucket").as_deref(), Some("forms"));
    let etag = format!("\"{}\"", md5_hex(b"uploaded by a browser").to_uppercase());
    assert_eq!(r.xml("ETag"), Some(etag));
    let g = s
        .req("GET", "/forms/user/local%20name.txt")
        .oss()
        .send()
        .await;
    assert_eq!(g.text(), "uploaded by a browser");
    assert_eq!(g.h("x-oss-meta-from"), Some("browser"));
    assert_eq!(
        g.h("content-type"),
        Some("text/plain"),
        "the file part's type"
    );
    // Policy violations.
    let wrong_prefix = [
        ("key", "other/x"),
        ("OSSAccessKeyId", AK),
        ("policy", p.as_str()),
        ("Signature", sig.as_str()),
    ];
    let r = post(&s, "forms", &wrong_prefix, b"x").await;
    r.assert_error(403, "AccessDenied");
    assert_eq!(
        r.xml("Message").as_deref(),
        Some(
            r#"Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]"#
        )
    );
    assert_eq!(r.xml("EC").as_deref(), Some("0006-00000227"), "OSS's EC");
    let too_big = vec![b'x'; 2000];
    let ok_key = [
        ("key", "user/big"),
        ("OSSAccessKeyId", AK),
        ("policy", p.as_str()),
        ("Signature", sig.as_str()),
    ];
    post(&s, "forms", &ok_key, &too_big)
        .await
        .assert_error(400, "EntityTooLarge");
    post(&s, "forms", &ok_key, b"")
        .await
        .assert_error(400, "EntityTooSmall");
    let bad_sig = sign_v1("wrong", &p);
    let forged = [
        ("key", "user/f"),
        ("OSSAccessKeyId", AK),
        ("policy", p.as_str()),
        ("Signature", bad_sig.as_str()),
    ];
    post(&s, "forms", &forged, b"x")
        .await
        .assert_error(403, "SignatureDoesNotMatch");
    let expired = policy(r#"{"bucket":"forms"}"#, -60);
    let sig = sign_v1(SK, &expired);
    let late = [
        ("key", "user/l"),
        ("OSSAccessKeyId", AK),
        ("policy", expired.as_str()),
        ("Signature", sig.as_str()),
    ];
    let body = post(&s, "forms", &late, b"x")
        .await
        .assert_error(403, "AccessDenied");
    assert!(body.contains("Policy expired"), "{body}");
    for k in ["user/big", "user/f", "user/l", "other/x"] {
        assert_eq!(
            s.req("GET", &format!("/forms/{k}"))
                .oss()
                .send()
                .await
                .status,
            404,
            "{k}"
        );
    }
    assert_eq!(count_files(&s.dir.path().join("tmp")), 0);
}

#[tokio::test]
async fn s3_v2_policy_covers_every_field() {
    let s = Server::start().await;
    s.bucket("s3forms").await;
    let p = policy(
        r#"{"bucket":"s3forms"},["starts-with","$key","foo"],{"acl":"private"},["starts-with","$Content-Type","text/plain"],["content-length-range",0,1024]"#,
        3600,
    );
    let sig = sign_v1(SK, &p);
    let base = vec![
        ("key", "foo.txt"),
        ("AWSAccessKeyId", AK),
        ("acl", "private"),
        ("signature", sig.as_str()),
        ("policy", p.as_str()),
        ("Content-Type", "text/plain"),
    ];
    let r = post(&s, "s3forms", &base, b"bar").await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(
        r.h("etag"),
        Some(format!("\"{}\"", md5_hex(b"bar")).as_str())
    );
    assert_eq!(
        s.req("GET", "/s3forms/foo.txt").s3().send().await.text(),
        "bar"
    );
    // An extra field the policy does not cover is refused; x-ignore-* is exempt.
    let mut extra = base.clone();
    extra.push(("x-amz-meta-sneaky", "1"));
    post(&s, "s3forms", &extra, b"bar")
        .await
        .assert_error(403, "AccessDenied");
    let mut ignored = base.clone();
    ignored.push(("x-ignore-foo", "bar"));
    assert_eq!(post(&s, "s3forms", &ignored, b"bar").await.status, 204);
    // Malformed policies are 400.
    for bad in [
        B64.encode(r#"{"conditions":[{"bucket":"s3forms"}]}"#),
        B64.encode(r#"{"expiration":"yesterday","conditions":[{"bucket":"s3forms"}]}"#),
        B64.encode(r#"{"expiration":"2099-01-01T00:00:00Z"}"#),
        // Not ISO 8601 UTC (what Python's str(datetime) gives).
        B64.encode(
            r#"{"expiration":"2099-01-01 00:00:00.000000+00:00","conditions":[{"bucket":"s3forms"}]}"#,
        ),
        B64.encode(
            r#"{"expiration":"2099-01-01T00:00:00Z","conditions":[["content-length-range",-1,5]]}"#,
        ),
    ] {
        let sig = sign_v1(SK, &bad);
        let f = [
            ("key", "foo.txt"),
            ("AWSAccessKeyId", AK),
            ("signature", sig.as_str()),
            ("policy", bad.as_str()),
        ];
        post(&s, "s3forms", &f, b"bar")
            .await
            .assert_error(400, "InvalidPolicyDocument");
    }
    // `${filename}` is substituted before the policy checks the key.
    let mut from_file = base.clone();
    from_file[0] = ("key", "foo/${filename}");
    assert_eq!(post(&s, "s3forms", &from_file, b"named").await.status, 204);
    assert_eq!(
        s.req("GET", "/s3forms/foo/local%20name.txt")
            .s3()
            .send()
            .await
            .text(),
        "named"
    );
    // x-amz-checksum-* fields need no policy condition and are verified against the file.
    let sha = {
        use sha2::Digest;
        B64.encode(sha2::Sha256::digest(b"checked"))
    };
    let mut summed = base.clone();
    summed[0] = ("key", "foo-sum");
    summed.push(("x-amz-checksum-sha256", sha.as_str()));
    assert_eq!(post(&s, "s3forms", &summed, b"checked").await.status, 204);
    let other = {
        use sha2::Digest;
        B64.encode(sha2::Sha256::digest(b"other"))
    };
    let mut wrong = base.clone();
    wrong[0] = ("key", "foo-wrong");
    wrong.push(("x-amz-checksum-sha256", other.as_str()));
    post(&s, "s3forms", &wrong, b"checked")
        .await
        .assert_error(400, "BadDigest");
    wrong.pop();
    wrong.push(("x-amz-checksum-sha256", "sailorjerry"));
    post(&s, "s3forms", &wrong, b"checked")
        .await
        .assert_error(400, "InvalidRequest");
    assert_eq!(
        s.req("HEAD", "/s3forms/foo-wrong").s3().send().await.status,
        404
    );
    // Redirect after success.
    let redirect = "http://app.example.test/done";
    let p2 = policy(
        &format!(
            r#"{{"bucket":"s3forms"}},["starts-with","$key",""],["eq","$success_action_redirect","{redirect}"]"#
        ),
        3600,
    );
    let sig = sign_v1(SK, &p2);
    let f = [
        ("key", "r.txt"),
        ("AWSAccessKeyId", AK),
        ("signature", sig.as_str()),
        ("policy", p2.as_str()),
        ("success_action_redirect", redirect),
    ];
    let r = post(&s, "s3forms", &f, b"r").await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.h("location"),
        Some(
            format!(
                "{redirect}?bucket=s3forms&key=r.txt&etag=%22{}%22",
                md5_hex(b"r")
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn anonymous_form_needs_a_writable_bucket() {
    let s = Server::start().await;
    s.req("PUT", "/open-drop")
        .oss()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    s.bucket("closed-drop").await;
    let f = [("key", "anon.txt")];
    assert_eq!(post(&s, "open-drop", &f, b"hi").await.status, 204);
    // Tags come as a Tagging document in the `tagging` field.
    let tagged = [
        ("key", "tagged.txt"),
        (
            "tagging",
            "<Tagging><TagSet><Tag><Key>1</Key><Value>b</Value></Tag><Tag><Key>0</Key><Value>a</Value></Tag></TagSet></Tagging>",
        ),
    ];
    assert_eq!(post(&s, "open-drop", &tagged, b"t").await.status, 204);
    let g = s
        .req("GET", "/open-drop/tagged.txt?tagging")
        .oss()
        .send()
        .await;
    assert_eq!(g.xml_all("Key"), ["0", "1"], "{}", g.text());
    let bad = [("key", "bad-tags.txt"), ("tagging", "<Tagging><TagSet>")];
    post(&s, "open-drop", &bad, b"t")
        .await
        .assert_error(400, "MalformedXML");
    post(&s, "closed-drop", &f, b"hi")
        .await
        .assert_error(403, "AccessDenied");
    post(&s, "open-drop", &[], b"hi")
        .await
        .assert_error(400, "InvalidArgument");
    let r = s
        .req("POST", "/open-drop")
        .header("content-type", "text/plain")
        .body("nope")
        .send()
        .await;
    r.assert_error(400, "InvalidArgument");
}

#[tokio::test]
async fn form_fields_are_bounded_before_authentication() {
    let s = Server::start().await;
    s.bucket("bounded").await;
    let value = "v".repeat(60_000);
    let names: Vec<String> = (0..20).map(|i| format!("x-ignore-{i}")).collect();
    let fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), value.as_str())).collect();
    post(&s, "bounded", &fields, b"x")
        .await
        .assert_error(400, "MaxPOSTPreDataLengthExceeded");
}

#[tokio::test]
async fn form_metadata_has_the_put_limit() {
    let s = Server::start().await;
    s.bucket("meta-forms").await;
    let p = policy(r#"{"bucket":"meta-forms"}"#, 3600);
    let sig = sign_v1(SK, &p);
    let big = "v".repeat(9000);
    let fields = [
        ("key", "too-much-meta"),
        ("OSSAccessKeyId", AK),
        ("policy", p.as_str()),
        ("Signature", sig.as_str()),
        ("x-oss-meta-big", big.as_str()),
    ];
    let body = post(&s, "meta-forms", &fields, b"x")
        .await
        .assert_error(400, "MetadataTooLarge");
    assert!(body.contains("8192"), "{body}");
    assert_eq!(
        s.req("GET", "/meta-forms/too-much-meta")
            .oss()
            .send()
            .await
            .status,
        404
    );
    assert_eq!(count_files(&s.dir.path().join("tmp")), 0);
    assert_eq!(count_files(&s.dir.path().join("blobs")), 0);
    // Just under the limit is stored, as with PUT.
    let fits = "v".repeat(8192 - "big".len());
    let mut fields = fields;
    fields[4] = ("x-oss-meta-big", fits.as_str());
    assert_eq!(post(&s, "meta-forms", &fields, b"x").await.status, 204);
    let g = s
        .req("HEAD", "/meta-forms/too-much-meta")
        .oss()
        .send()
        .await;
    assert_eq!(g.h("x-oss-meta-big").map(str::len), Some(fits.len()));
}

/// An OSS V4 form's signature fields over `policy` (as the OSS V4 browser upload builds them).
fn oss_v4_fields(policy: &str) -> Vec<(&'static str, String)> {
    let now = chrono::Utc::now();
    let date = now.format("%Y%m%d").to_string();
    let credential = format!("{AK}/{date}/cn-hangzhou/oss/aliyun_v4_request");
    let key = ossemu_api::auth::SigningKey::oss(SK, &date, "cn-hangzhou", "oss");
    vec![
        ("x-oss-signature-version", "OSS4-HMAC-SHA256".into()),
        ("x-oss-credential", credential),
        ("x-oss-date", now.format("%Y%m%dT%H%M%SZ").to_string()),
        ("x-oss-signature", hex::encode(key.sign(policy))),
    ]
}

/// A signed OSS form (V1 or V4) for `key` with `extra` fields under `policy`.
fn oss_form(v4: bool, policy: &str, key: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![("key".into(), key.into())];
    f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    f.push(("policy".into(), policy.into()));
    if v4 {
        f.extend(
            oss_v4_fields(policy)
                .into_iter()
                .map(|(k, v)| (k.into(), v)),
        );
    } else {
        f.push(("OSSAccessKeyId".into(), AK.into()));
        f.push(("Signature".into(), sign_v1(SK, policy)));
    }
    f
}

async fn post_owned(s: &Server, bucket: &str, fields: &[(String, String)], file: &[u8]) -> Resp {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    post(s, bucket, &borrowed, file).await
}

/// OSS's `in` and `not-in` conditions, in V1 and V4 forms: a value in (not in) the list is
/// stored; otherwise 403 AccessDenied quoting the condition with EC 0006-00000227, and
/// nothing is stored. A field a condition names must be in the form.
#[tokio::test]
async fn oss_in_and_not_in_conditions() {
    let s = Server::start().await;
    s.bucket("ins").await;
    let p = policy(
        r#"{"bucket":"ins"},["in","$content-type",["image/jpeg","image/png"]],["not-in","$cache-control",["no-cache","no-store"]],["in","$key",["ok-v1","ok-v4","bad-type","bad-cache","no-cache-field"]]"#,
        3600,
    );
    for v4 in [false, true] {
        let ok_key = if v4 { "ok-v4" } else { "ok-v1" };
        let good = [
            ("Content-Type", "image/png"),
            ("Cache-Control", "max-age=60"),
        ];
        let r = post_owned(&s, "ins", &oss_form(v4, &p, ok_key, &good), b"png").await;
        assert_eq!(r.status, 204, "v4={v4}: {}", r.text());
        let g = s.req("GET", &format!("/ins/{ok_key}")).oss().send().await;
        assert_eq!(g.text(), "png");
        assert_eq!(g.h("content-type"), Some("image/png"));
        assert_eq!(g.h("cache-control"), Some("max-age=60"));

        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: [Case; 4] = [
            (
                "bad-type",
                &[
                    ("Content-Type", "text/plain"),
                    ("Cache-Control", "max-age=60"),
                ],
                r#"["in", "$content-type", ["image/jpeg","image/png"]]"#,
            ),
            (
                "bad-cache",
                &[
                    ("Content-Type", "image/jpeg"),
                    ("Cache-Control", "no-store"),
                ],
                r#"["not-in", "$cache-control", ["no-cache","no-store"]]"#,
            ),
            (
                "no-cache-field",
                &[("Content-Type", "image/jpeg")],
                r#"["not-in", "$cache-control", ["no-cache","no-store"]]"#,
            ),
            (
                "unlisted-key",
                &[
                    ("Content-Type", "image/jpeg"),
                    ("Cache-Control", "max-age=1"),
                ],
                r#"["in", "$key", ["#,
            ),
        ];
        for (key, fields, quoted) in cases {
            let r = post_owned(&s, "ins", &oss_form(v4, &p, key, fields), b"x").await;
            let body = r.assert_error(403, "AccessDenied");
            let message = r.xml("Message").unwrap_or_default();
            assert!(
                message.contains(&format!("Policy Condition failed: {quoted}")),
                "v4={v4} {key}: {body}"
            );
            assert_eq!(r.xml("EC").as_deref(), Some("0006-00000227"), "{body}");
            assert_eq!(
                s.req("HEAD", &format!("/ins/{key}"))
                    .oss()
                    .send()
                    .await
                    .status,
                404,
                "{key}"
            );
        }
    }
    assert_eq!(count_files(&s.dir.path().join("tmp")), 0);
    // `in` and `not-in` take a list (OSS's 0006-00000224); anything else is a bad policy.
    for bad in [
        r#"["not-in","$cache-control","no-cache"]"#,
        r#"["in","$key",[1,2]]"#,
        r#"["in","$key"]"#,
    ] {
        let p = policy(bad, 3600);
        let r = post_owned(&s, "ins", &oss_form(false, &p, "k", &[]), b"x").await;
        r.assert_error(400, "InvalidPolicyDocument");
    }
}

/// S3 documents only `eq`, `starts-with` and `content-length-range`: an S3 form with `in`
/// is a bad policy, as in S3, and nothing is stored.
#[tokio::test]
async fn s3_forms_have_no_in_condition() {
    let s = Server::start().await;
    s.bucket("s3ins").await;
    let p = policy(r#"{"bucket":"s3ins"},["in","$key",["a.txt"]]"#, 3600);
    let sig = sign_v1(SK, &p);
    let f = [
        ("key", "a.txt"),
        ("AWSAccessKeyId", AK),
        ("signature", sig.as_str()),
        ("policy", p.as_str()),
    ];
    post(&s, "s3ins", &f, b"x")
        .await
        .assert_error(400, "InvalidPolicyDocument");
    assert_eq!(s.req("HEAD", "/s3ins/a.txt").s3().send().await.status, 404);
}

/// A form upload into a bucket with a default Object Lock retention gets it, as any write.
#[tokio::test]
async fn a_form_upload_takes_the_default_retention() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/lock-drop")
        .s3()
        .header("x-amz-bucket-object-lock-enabled", "true")
        .header("x-amz-acl", "public-read-write")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let conf = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>3</Days></DefaultRetention></Rule></ObjectLockConfiguration>";
    let r = s
        .req("PUT", "/lock-drop?object-lock")
        .s3()
        .body(conf)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let p = post(&s, "lock-drop", &[("key", "form.txt")], b"kept").await;
    assert_eq!(p.status, 204, "{}", p.text());
    let r = s
        .req("GET", "/lock-drop/form.txt?retention")
        .s3()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("Mode").as_deref(), Some("GOVERNANCE"));
}

/// Form uploads into a versioned bucket each make a version and name it.
#[tokio::test]
async fn form_uploads_make_versions() {
    let s = Server::start().await;
    s.req("PUT", "/ver-drop")
        .oss()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    s.set_versioning("ver-drop", "Enabled").await;
    let f = [("key", "form.txt")];
    let first = post(&s, "ver-drop", &f, b"one").await;
    assert_eq!(first.status, 204, "{}", first.text());
    let second = post(&s, "ver-drop", &f, b"two").await;
    let (v1, v2) = (
        first
            .h("x-oss-version-id")
            .expect("a version id")
            .to_string(),
        second
            .h("x-oss-version-id")
            .expect("a version id")
            .to_string(),
    );
    assert_ne!(v1, v2);
    let g = s
        .req("GET", &format!("/ver-drop/form.txt?versionId={v1}"))
        .oss()
        .send()
        .await;
    assert_eq!(&g.body[..], b"one");
}
