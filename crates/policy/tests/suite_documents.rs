//! Every bucket-policy document the client suites send (ceph s3-tests, oss2, the OSS Python SDK
//! v2) and the OSS documentation's examples, with what `Policy::parse` makes of it and, when it
//! parses, what `is_public` says. Generated bucket names are `bkt` here; `OTHER` is a second
//! bucket.
//!
//! | source | document | result |
//! |---|---|---|
//! | s3-tests `test_bucket_policy`, `test_bucketv2_policy`, `test_bucket_policy_different_tenant`, `test_bucket_policy_tenanted_bucket`, `test_set_get_del_bucket_policy`, `test_get_publicpolicy_acl_bucket_policy_status` | Allow `{"AWS":"*"}` `s3:ListBucket` on `bkt`, `bkt/*` | ok, public |
//! | s3-tests `test_bucket_policy_acl`, `test_bucketv2_policy_acl` | Deny `{"AWS":"*"}` `s3:ListBucket` | ok, not public |
//! | s3-tests `test_bucket_policy_deny_self_denied_policy` (+`_confirm_header`) | Deny `"*"` Put/Get/DeleteBucketPolicy | ok, not public |
//! | s3-tests `test_bucket_policy_multipart` | Allow `s3:PutObject` on `arn:aws:s3:::bkt`, then on `bkt/mpobj` (Resource a string) | ok, ok |
//! | s3-tests `test_bucket_policy_another_bucket` (+v2) | Resource `arn:aws:s3:::*`, `arn:aws:s3:::*/*`, put on two buckets | ok for both |
//! | s3-tests `test_bucket_policy_set_condition_operator_end_with_IfExists` | `StringLikeIfExists` `aws:Referer`, Sid with spaces | ok, public |
//! | s3-tests `make_json_policy` users (`test_get_tags_acl_public`, `test_put_tags_acl_public`, `test_delete_tags_obj_public`, upload_part_copy, copy_source, grant, existing-tag tests, `test_block_public_policy`) | Allow `{"AWS":"*"}` one action on `bkt/key` or `bkt/*`, optional condition (`s3:ExistingObjectTag/security`, `s3:x-amz-copy-source`, `s3:x-amz-metadata-directive`, `s3:x-amz-grant-full-control`, `s3:RequestObjectTag/security`) | ok, public |
//! | s3-tests `test_bucket_policy_put_obj_acl` | Allow PutObject + Deny PutObject `StringLike s3:x-amz-acl public*` | ok |
//! | s3-tests SSE tests (`test_bucket_policy_put_obj_s3_noenc`, `_kms_*`, `test_encryption_sse_c_*`) | Deny PutObject with `Null` / `StringNotEquals` on `s3:x-amz-server-side-encryption(-customer-algorithm)` | ok, not public |
//! | s3-tests `test_get_nonpublicpolicy_acl_bucket_policy_status` | Allow `{"AWS":"*"}` with `IpAddress aws:SourceIp 10.0.0.0/32` | ok, not public |
//! | s3-tests `test_get_nonpublicpolicy_principal_bucket_policy_status`, `test_block_public_policy_with_principal` | `{"AWS":"arn:aws:iam::s3tenant1:root"}` | ok, not public |
//! | s3-tests `test_bucket_policy_allow_notprincipal` | Allow with `NotPrincipal` | refused: Invalid principal in policy |
//! | s3-tests `test_get_public_block_deny_bucket_policy` | Deny `s3:GetBucketPublicAccessBlock` on `arn:aws:s3:::bkt` | ok |
//! | s3-tests `test_multipart_upload_on_a_bucket_with_policy`, `public_bucket_policy` | Action `"*"` to `"*"` / `{"AWS":"*"}` | ok, public |
//! | s3-tests logging (`_set_log_bucket_policy_tenant`, `test_put_bucket_logging_permissions`, `_put_bucket_logging_policy_wildcard`) | `{"Service":"logging.s3.amazonaws.com"}`, Resource `arn:aws:s3:::bkt/log/` (tenant form `arn:aws:s3::TENANT:…`), `ArnLike aws:SourceArn` + `StringEquals`/`StringLike aws:SourceAccount`, two statements with one Sid | ok, not public |
//! | s3-tests `test_head_object_404_with_policy_prefix` | `StringLike s3:prefix public/*` on the bucket | ok, public |
//! | s3-tests test_iam / test_sts | `{"AWS": "arn:aws:iam::ACCOUNT:user/NAME"}`, `{"AWS":"arn:aws:iam:::role/NAME"}` | ok, not public |
//! | oss2 `test_bucket_policy` | Version 1, no Principal, Resource `acs:oss:*:*:*/*` | ok, public |
//! | oss2 request-payment tests | Principal `[UID]`, `oss:*`, `acs:oss:*:*:bkt`, `acs:oss:*:*:bkt/*` | ok, not public |
//! | OSS SDK v2 `test_bucket_policy` (+`_v1`) | Version 1, no Principal, `oss:PutObject` on bucket and objects | ok, public (the SDK asserts `is_public` true) |
//! | OSS SDK v2 `test_bucket_policy_fail` | `{"Version":"1","Statement":[]}` (sent with a bad key; the test expects InvalidAccessKeyId) | refused: Statement is empty |
//! | OSS docs "Examples" 1 and 4 | RAM-user UIDs, `StringLike oss:Prefix`; Deny `NotIpAddress acs:SourceIp` | ok |
//! | OSS docs "Examples" 2 and 3 | as printed they end a list with `,` (not JSON) | refused: not JSON |

use ossemu_policy::{Policy, PolicyError};

const OTHER: &str = "other-bkt";

fn ok(doc: &str) -> Policy {
    Policy::parse(doc.as_bytes(), "bkt").unwrap_or_else(|e| panic!("{e}: {doc}"))
}

fn refused(doc: &str) -> PolicyError {
    Policy::parse(doc.as_bytes(), "bkt").expect_err(doc)
}

fn s3_allow(principal: &str, action: &str, resource: &str, cond: &str) -> String {
    let cond = if cond.is_empty() {
        String::new()
    } else {
        format!(r#","Condition":{cond}"#)
    };
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Action": {action}, "Principal": {principal}, "Effect": "Allow", "Resource": {resource}{cond}}}]}}"#
    )
}

#[test]
fn s3_tests_list_bucket_policies() {
    let both = r#"["arn:aws:s3:::bkt", "arn:aws:s3:::bkt/*"]"#;
    let allow = s3_allow(r#"{"AWS": "*"}"#, r#""s3:ListBucket""#, both, "");
    assert!(ok(&allow).is_public());
    let deny = allow.replace("Allow", "Deny");
    assert!(!ok(&deny).is_public());
    let self_deny = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
        "Action": ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
        "Resource": ["arn:aws:s3:::bkt", "arn:aws:s3:::bkt/*"]}]}"#;
    assert!(!ok(self_deny).is_public());
}

#[test]
fn s3_tests_multipart_and_another_bucket() {
    ok(&s3_allow(
        r#"{"AWS": "*"}"#,
        r#""s3:PutObject""#,
        r#""arn:aws:s3:::bkt""#,
        "",
    ));
    ok(&s3_allow(
        r#"{"AWS": "*"}"#,
        r#""s3:PutObject""#,
        r#""arn:aws:s3:::bkt/mpobj""#,
        "",
    ));
    let any = s3_allow(
        r#"{"AWS": "*"}"#,
        r#""s3:ListBucket""#,
        r#"["arn:aws:s3:::*", "arn:aws:s3:::*/*"]"#,
        "",
    );
    ok(&any);
    Policy::parse(any.as_bytes(), OTHER).expect("the same document fits another bucket");
}

#[test]
fn s3_tests_if_exists_and_conditions() {
    let if_exists = r#"{
      "Version":"2012-10-17",
      "Statement": [{
        "Sid": "Allow Public Access to All Objects",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Condition": {
                    "StringLikeIfExists": {
                        "aws:Referer": "http://www.example.com/*"
                    }
                },
        "Resource": "arn:aws:s3:::bkt/*"
      }
     ]
    }"#;
    assert!(ok(if_exists).is_public());
    let star = r#"{"AWS": "*"}"#;
    for (action, resource, cond) in [
        ("s3:GetObjectTagging", "bkt/testputtagsacl", ""),
        ("s3:PutObjectTagging", "bkt/testputtagsacl", ""),
        ("s3:DeleteObjectTagging", "bkt/testputtagsacl", ""),
        (
            "s3:GetObject",
            "bkt/*",
            r#"{"StringEquals": {"s3:ExistingObjectTag/security": "public"}}"#,
        ),
        (
            "s3:GetObjectAcl",
            "bkt/*",
            r#"{"StringEquals": {"s3:ExistingObjectTag/security": "public"}}"#,
        ),
        ("s3:GetObject", "bkt/public/*", ""),
        (
            "s3:PutObject",
            "bkt/*",
            r#"{"StringLike": {"s3:x-amz-copy-source": "src/public/*"}}"#,
        ),
        (
            "s3:PutObject",
            "bkt/*",
            r#"{"StringEquals": {"s3:x-amz-metadata-directive": "COPY"}}"#,
        ),
        (
            "s3:PutObject",
            "bkt/*",
            r#"{"StringEquals": {"s3:x-amz-grant-full-control": "id=abc"}}"#,
        ),
        (
            "s3:PutObject",
            "bkt/*",
            r#"{"StringEquals": {"s3:RequestObjectTag/security": "public"}}"#,
        ),
        ("s3:GetObject", "bkt/*", ""),
    ] {
        let doc = s3_allow(
            star,
            &format!("\"{action}\""),
            &format!("\"arn:aws:s3:::{resource}\""),
            cond,
        );
        assert!(ok(&doc).is_public(), "{doc}");
    }
    let acl = r#"{"Version": "2012-10-17", "Statement": [
        {"Action": "s3:PutObject", "Principal": {"AWS": "*"}, "Effect": "Allow", "Resource": "arn:aws:s3:::bkt/*"},
        {"Action": "s3:PutObject", "Principal": {"AWS": "*"}, "Effect": "Deny", "Resource": "arn:aws:s3:::bkt/*",
         "Condition": {"StringLike": {"s3:x-amz-acl": "public*"}}}]}"#;
    ok(acl);
}

#[test]
fn s3_tests_encryption_policies() {
    for cond in [
        r#"{"Null": {"s3:x-amz-server-side-encryption": "true"}}"#,
        r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}"#,
        r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}"#,
        r#"{"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "true"}}"#,
        r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}}"#,
    ] {
        let doc = s3_allow(
            r#"{"AWS": "*"}"#,
            r#""s3:PutObject""#,
            r#""arn:aws:s3:::bkt/*""#,
            cond,
        )
        .replace("Allow", "Deny");
        assert!(!ok(&doc).is_public(), "{doc}");
    }
}

#[test]
fn s3_tests_policy_status() {
    let both = r#"["arn:aws:s3:::bkt", "arn:aws:s3:::bkt/*"]"#;
    let ip = s3_allow(
        r#"{"AWS": "*"}"#,
        r#""s3:ListBucket""#,
        both,
        r#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/32"}}"#,
    );
    assert!(!ok(&ip).is_public());
    let tenant = s3_allow(
        r#"{"AWS": "arn:aws:iam::s3tenant1:root"}"#,
        r#""s3:ListBucket""#,
        both,
        "",
    );
    assert!(!ok(&tenant).is_public());
    let not_principal = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "NotPrincipal": {"AWS": "arn:aws:iam::s3tenant1:root"}, "Action": "s3:ListBucket",
        "Resource": ["arn:aws:s3:::bkt", "arn:aws:s3:::bkt/*"]}]}"#;
    assert_eq!(refused(not_principal), PolicyError::InvalidPrincipal);
    let deny_pab = s3_allow(
        r#"{"AWS": "*"}"#,
        r#""s3:GetBucketPublicAccessBlock""#,
        r#""arn:aws:s3:::bkt""#,
        "",
    )
    .replace("Allow", "Deny");
    assert!(!ok(&deny_pab).is_public());
    for principal in [r#""*""#, r#"{"AWS": "*"}"#] {
        assert!(ok(&s3_allow(principal, r#""*""#, both, "")).is_public());
    }
    let prefix = s3_allow(
        r#"{"AWS": "*"}"#,
        r#""s3:ListBucket""#,
        r#""arn:aws:s3:::bkt""#,
        r#"{"StringLike": {"s3:prefix": "public/*"}}"#,
    );
    assert!(ok(&prefix).is_public());
}

#[test]
fn s3_tests_logging_policies() {
    let statement = |tenant: &str, account_op: &str, account: &str| {
        format!(
            r#"{{"Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
            "Principal": {{"Service": "logging.s3.amazonaws.com"}}, "Action": ["s3:PutObject"],
            "Resource": "arn:aws:s3::{tenant}:bkt/log/",
            "Condition": {{"ArnLike": {{"aws:SourceArn": "arn:aws:s3::{tenant}:src"}},
                           "{account_op}": {{"aws:SourceAccount": "{account}"}}}}}}"#
        )
    };
    let one = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statement("", "StringEquals", "main")
    );
    assert!(!ok(&one).is_public());
    let tenanted = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statement("tenant", "StringEquals", "tenant$user")
    );
    ok(&tenanted);
    let same_sid = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}, {}]}}"#,
        statement("", "StringLike", "main"),
        statement("", "StringLike", "*")
    );
    assert!(!ok(&same_sid).is_public());
    let any_principal = one.replace(
        r#"{"Service": "logging.s3.amazonaws.com"}"#,
        r#"{"AWS": "*"}"#,
    );
    assert!(
        !ok(&any_principal).is_public(),
        "SourceArn and SourceAccount are fixed"
    );
}

#[test]
fn s3_tests_iam_principals() {
    for principal in [
        r#"{"AWS": "arn:aws:iam::RGW11111111111111111:user/TestUser"}"#,
        r#"{"AWS": "arn:aws:iam::123456789012:user/path/TestUser"}"#,
        r#"{"AWS": "arn:aws:iam:::role/general-role"}"#,
    ] {
        let doc = s3_allow(
            principal,
            r#"["s3:GetObject","s3:PutObject"]"#,
            r#""arn:aws:s3:::bkt""#,
            "",
        );
        assert!(!ok(&doc).is_public(), "{doc}");
    }
}

#[test]
fn oss2_documents() {
    let no_principal = r#"{"Version": "1", "Statement": [{"Action": ["oss:PutObject"], "Effect": "Allow", "Resource": ["acs:oss:*:*:*/*"]}]}"#;
    assert!(ok(no_principal).is_public());
    let payer = r#"{"Version":"1","Statement":[{"Action":["oss:*"],"Effect":"Allow","Principal":["1234567890"],"Resource": ["acs:oss:*:*:bkt","acs:oss:*:*:bkt/*"]}]}"#;
    assert!(!ok(payer).is_public());
}

#[test]
fn oss_sdk_v2_documents() {
    let doc = r#"{"Version":"1","Statement":[{"Action":["oss:PutObject"],"Effect":"Allow","Resource": ["acs:oss:*:*:bkt","acs:oss:*:*:bkt/*"]}]}"#;
    assert!(ok(doc).is_public());
    assert_eq!(
        refused(r#"{"Version":"1","Statement":[]}"#),
        PolicyError::EmptyStatement
    );
}

#[test]
fn oss_doc_examples() {
    let example1 = r#"{
        "Version": "1",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["oss:GetObject", "oss:PutObject", "oss:GetObjectAcl", "oss:PutObjectAcl",
                       "oss:ListObjects", "oss:AbortMultipartUpload", "oss:ListParts",
                       "oss:RestoreObject", "oss:GetVodPlaylist", "oss:PostVodPlaylist",
                       "oss:PublishRtmpStream", "oss:ListObjectVersions", "oss:GetObjectVersion",
                       "oss:GetObjectVersionAcl", "oss:RestoreObjectVersion"],
            "Principal": ["27737962156157xxxx", "20214760404935xxxx"],
            "Resource": ["acs:oss:*:174649585760xxxx:bkt/*"]
          }, {
            "Effect": "Allow",
            "Action": ["oss:ListObjects", "oss:GetObject"],
            "Principal": ["27737962156157xxxx", "20214760404935xxxx"],
            "Resource": ["acs:oss:*:174649585760xxxx:bkt"],
            "Condition": {"StringLike": {"oss:Prefix": ["*"]}}
          }]
    }"#;
    assert!(!ok(example1).is_public());
    let example4 = r#"{"Version": "1", "Statement": [{"Effect": "Deny", "Action": "oss:*",
        "Principal": ["*"], "Resource": ["acs:oss:*:174649585760xxxx:bkt"],
        "Condition":{"NotIpAddress": {"acs:SourceIp": ["192.168.0.0/16"]}}}]}"#;
    assert!(!ok(example4).is_public());
    let example3_as_printed = r#"{"Version": "1", "Statement": [{"Action": ["oss:ListObjects",
        "oss:ListObjectVersions"], "Effect": "Allow", "Principal": ["*"],
        "Resource": ["acs:oss:*:174649585760xxxx:bkt"]},],}"#;
    assert_eq!(refused(example3_as_printed), PolicyError::InvalidJson);
    assert!(ok(&example3_as_printed.replace("},],}", "}]}")).is_public());
}
