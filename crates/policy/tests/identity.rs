//! Identity (user) policies: no principal, resources of any bucket.

mod common;
use common::Ctx;
use ossemu_policy::{Decision, Policy, PolicyError, Principal, Request};

fn get(p: &Policy, bucket: &str, key: &str) -> Decision {
    let req = Request {
        principal: Principal::User {
            account: "111",
            user: Some("dev"),
        },
        actions: &["s3:GetObject", "oss:GetObject"],
        bucket,
        key: Some(key),
        bucket_account: "999",
    };
    p.evaluate(&req, &Ctx::default())
}

#[test]
fn identity_policies_name_no_principal_and_any_bucket() {
    let p = Policy::parse_identity(
        br#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
        {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*"}]}"#,
    )
    .unwrap();
    assert_eq!(get(&p, "photos", "a.jpg"), Decision::Allow);
    assert_eq!(get(&p, "secret", "a.jpg"), Decision::Deny);

    let oss = Policy::parse_identity(
        br#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:photos/*"}]}"#,
    )
    .unwrap();
    assert_eq!(get(&oss, "photos", "a.jpg"), Decision::Allow);
    assert_eq!(get(&oss, "other", "a.jpg"), Decision::Implicit);

    assert_eq!(
        Policy::parse_identity(
            br#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#
        ),
        Err(PolicyError::InvalidPrincipal)
    );
    // `*` alone is a resource of identity policies only.
    assert_eq!(
        Policy::parse(
            br#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
            "photos"
        ),
        Err(PolicyError::InvalidResource)
    );
}
