//! The decision order, row by row, against the cases S3's "policy evaluation logic" and
//! "how Amazon S3 authorizes a request" pages document: explicit Deny first, the bucket
//! owner, a user of the owner's account by its own policy or the bucket's, another account
//! by the bucket policy or the ACL, a user of another account only with both accounts'
//! consent, anonymous requests by public grants only.

use std::sync::Arc;

use http::Method;

use super::{Ask, decide};
use crate::access::Identity;
use crate::dialect::Dialect;
use crate::pipeline::testing::{bucket, ctx};
use crate::router::Op;
use crate::state::{ApiConfig, AppState, Credential};

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

fn credential(ak: &str, account: &str, user: Option<&str>, policy: Option<&str>) -> Credential {
    Credential {
        owner_id: account.into(),
        user: user.map(str::to_string),
        policy: policy.map(str::to_string),
        ..Credential::new(ak, "secret")
    }
}

fn state() -> Arc<AppState> {
    let store = ossemu_store::Store::open(&ossemu_store::StoreOptions { data_dir: None }).unwrap();
    let config = ApiConfig {
        credentials: vec![
            credential("a", "A", None, None),
            credential("b", "B", None, None),
            credential("dev", "A", Some("dev"), Some(ALLOW_ALL)),
            credential("intern", "A", Some("intern"), None),
            credential("bob", "B", Some("bob"), Some(ALLOW_ALL)),
            credential("carol", "B", Some("carol"), None),
        ],
        ..ApiConfig::default()
    };
    AppState::new(store, config, Default::default())
}

fn who(ak: &str) -> Identity {
    let (account, user) = match ak {
        "anonymous" => return Identity::Anonymous,
        "a" => ("A", None),
        "b" => ("B", None),
        "dev" | "intern" => ("A", Some(ak)),
        _ => ("B", Some(ak)),
    };
    Identity::User {
        access_key: ak.into(),
        owner_id: account.into(),
        display_name: ak.into(),
        user: user.map(str::to_string),
    }
}

fn policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

fn stmt(effect: &str, principal: &str, action: &str) -> String {
    format!(
        r#"{{"Effect":"{effect}","Principal":{principal},"Action":"{action}","Resource":["arn:aws:s3:::bkt","arn:aws:s3:::bkt/*"]}}"#
    )
}

/// (requester, bucket ACL, bucket policy statements, operation, allowed?)
type Row = (&'static str, &'static str, String, Op, bool);

#[tokio::test]
async fn evaluation_order_table() {
    let allow_b = stmt("Allow", r#"{"AWS":"arn:aws:iam::B:root"}"#, "s3:GetObject");
    let deny_b = stmt("Deny", r#"{"AWS":"B"}"#, "s3:GetObject");
    let deny_all = stmt("Deny", r#""*""#, "s3:*");
    let allow_anyone = stmt("Allow", r#""*""#, "s3:GetObject");
    let allow_dev = stmt(
        "Allow",
        r#"{"AWS":"arn:aws:iam::A:user/intern"}"#,
        "s3:GetObject",
    );
    let rows: Vec<Row> = vec![
        ("a", "private", String::new(), Op::GetObject, true),
        ("a", "private", deny_all.clone(), Op::GetObject, false),
        ("a", "private", deny_all.clone(), Op::GetBucketPolicy, true),
        (
            "a",
            "private",
            deny_all.clone(),
            Op::DeleteBucketPolicy,
            true,
        ),
        ("b", "private", String::new(), Op::GetObject, false),
        ("b", "public-read", String::new(), Op::GetObject, true),
        ("b", "private", allow_b.clone(), Op::GetObject, true),
        ("b", "private", allow_b.clone(), Op::PutObject, false),
        ("b", "public-read", deny_b.clone(), Op::GetObject, false),
        (
            "b",
            "private",
            format!("{allow_b},{deny_b}"),
            Op::GetObject,
            false,
        ),
        ("intern", "private", String::new(), Op::GetObject, false),
        ("intern", "public-read", String::new(), Op::GetObject, true),
        ("intern", "private", allow_dev.clone(), Op::GetObject, true),
        ("dev", "private", String::new(), Op::GetObject, true),
        ("dev", "private", String::new(), Op::DeleteBucket, true),
        ("dev", "private", deny_all.clone(), Op::GetObject, false),
        ("bob", "private", String::new(), Op::GetObject, false),
        ("bob", "private", allow_b.clone(), Op::GetObject, true),
        ("bob", "public-read", String::new(), Op::GetObject, true),
        ("carol", "private", allow_b.clone(), Op::GetObject, false),
        ("carol", "public-read", String::new(), Op::GetObject, false),
        ("anonymous", "private", String::new(), Op::GetObject, false),
        (
            "anonymous",
            "public-read",
            String::new(),
            Op::GetObject,
            true,
        ),
        (
            "anonymous",
            "private",
            allow_anyone.clone(),
            Op::GetObject,
            true,
        ),
        (
            "anonymous",
            "private",
            allow_b.clone(),
            Op::GetObject,
            false,
        ),
    ];
    for (i, (ak, acl, statements, op, allowed)) in rows.into_iter().enumerate() {
        let state = state();
        bucket(&state, "bkt", "A", acl).await;
        if !statements.is_empty() {
            let doc = policy(&statements);
            state
                .store
                .put_config("bkt", super::POLICY_KIND, Some(doc.as_bytes()))
                .await
                .unwrap();
        }
        let requester = who(ak);
        let cx = ctx(
            &state,
            Dialect::S3,
            Method::GET,
            (Some("bkt"), Some("k")),
            requester.clone(),
        );
        let b = cx.load_bucket().unwrap();
        let acl_allows = match op {
            Op::GetObject => crate::access::may_read(&requester, &b, None),
            _ => crate::access::allows(&requester, op, &b),
        };
        let key = matches!(op, Op::GetObject | Op::PutObject).then_some("k");
        let got = decide(
            &cx,
            Ask {
                who: &requester,
                op,
                bucket: &b,
                key,
                obj: None,
                acl: acl_allows,
            },
        );
        assert_eq!(
            got.is_ok(),
            allowed,
            "row {i}: {ak} {acl} {op:?} with [{statements}]: {got:?}"
        );
        if let Err(e) = got {
            assert_eq!(e.code, crate::error::Code::AccessDenied);
        }
    }
}
