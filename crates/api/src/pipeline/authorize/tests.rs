//! The authorize stage on hand-made contexts.

use http::Method;

use super::*;
use crate::access::Identity;
use crate::pipeline::testing::{bucket, ctx, object, state, user};

fn code(r: ApiResult<()>) -> Option<Code> {
    r.err().map(|e| e.code)
}

#[tokio::test]
async fn writes_follow_the_bucket_acl_and_configuration_is_owner_only() {
    let st = state();
    bucket(&st, "private", "owner", "private").await;
    bucket(&st, "open", "owner", "public-read-write").await;
    let put = |b, who| ctx(&st, Dialect::Oss, Method::PUT, (Some(b), Some("k")), who);
    assert_eq!(
        code(authorize(&put("private", user("owner")), Op::PutObject)),
        None
    );
    assert_eq!(
        code(authorize(&put("private", user("other")), Op::PutObject)),
        Some(Code::AccessDenied)
    );
    assert_eq!(
        code(authorize(&put("open", Identity::Anonymous), Op::PutObject)),
        None
    );
    let acl = ctx(
        &st,
        Dialect::Oss,
        Method::PUT,
        (Some("open"), None),
        user("other"),
    );
    assert_eq!(
        code(authorize(&acl, Op::PutBucketWebsite)),
        Some(Code::AccessDenied)
    );
    // Reads are the handler's: the stage lets them through.
    let get = ctx(
        &st,
        Dialect::Oss,
        Method::GET,
        (Some("private"), Some("k")),
        Identity::Anonymous,
    );
    assert_eq!(code(authorize(&get, Op::GetObject)), None);
}

#[tokio::test]
async fn shape_method_and_existence_come_first() {
    let st = state();
    let bad = ctx(
        &st,
        Dialect::S3,
        Method::GET,
        (Some("Bad_Name"), None),
        user("o"),
    );
    assert_eq!(
        code(authorize(&bad, Op::ListObjects)),
        Some(Code::InvalidBucketName)
    );
    let missing = ctx(
        &st,
        Dialect::S3,
        Method::GET,
        (Some("nobucket"), None),
        user("o"),
    );
    assert_eq!(
        code(authorize(&missing, Op::ListObjects)),
        Some(Code::NoSuchBucket)
    );
    let patch = ctx(
        &st,
        Dialect::S3,
        Method::PATCH,
        (Some("nobucket"), Some("k")),
        user("o"),
    );
    let e = authorize(&patch, Op::NotAllowed).unwrap_err();
    assert_eq!(e.code, Code::MethodNotAllowed);
    assert!(e.fields.contains(&("ResourceType", "OBJECT".to_string())));
}

#[tokio::test]
async fn an_oss_public_read_write_object_may_be_written_by_anyone() {
    let st = state();
    bucket(&st, "bkt", "owner", "private").await;
    object(&st, "bkt", "open", Some("public-read-write")).await;
    object(&st, "bkt", "closed", None).await;
    let req = |d, key| {
        ctx(
            &st,
            d,
            Method::PUT,
            (Some("bkt"), Some(key)),
            Identity::Anonymous,
        )
    };
    assert_eq!(
        code(authorize(&req(Dialect::Oss, "open"), Op::PutObject)),
        None
    );
    assert_eq!(
        code(authorize(&req(Dialect::Oss, "open"), Op::DeleteObject)),
        None
    );
    assert_eq!(
        code(authorize(&req(Dialect::Oss, "closed"), Op::PutObject)),
        Some(Code::AccessDenied)
    );
    assert_eq!(
        code(authorize(&req(Dialect::S3, "open"), Op::PutObject)),
        Some(Code::AccessDenied)
    );
}

#[tokio::test]
async fn expected_bucket_owner_is_checked() {
    let st = state();
    bucket(&st, "bkt", "owner", "private").await;
    let mut cx = ctx(
        &st,
        Dialect::S3,
        Method::GET,
        (Some("bkt"), None),
        user("owner"),
    );
    cx.headers
        .insert("x-amz-expected-bucket-owner", "someone".parse().unwrap());
    assert_eq!(
        code(authorize(&cx, Op::ListObjects)),
        Some(Code::AccessDenied)
    );
    cx.headers
        .insert("x-amz-expected-bucket-owner", "owner".parse().unwrap());
    assert_eq!(code(authorize(&cx, Op::ListObjects)), None);
}
