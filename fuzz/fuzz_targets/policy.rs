//! Bucket-policy parsing on arbitrary bytes, then `is_public` and evaluation of a few requests.
//! Evaluation is deterministic, and a policy that is not public never allows an anonymous
//! request that carries no condition keys (every non-public Allow needs a fixed principal or a
//! condition key that such a request lacks).

#![no_main]

use libfuzzer_sys::fuzz_target;
use ossemu_policy::{CondKey, Context, Decision, Policy, Principal, Request};

struct Empty;

impl Context for Empty {
    fn values(&self, _: &CondKey) -> Option<Vec<String>> {
        None
    }
}

struct Some3;

impl Context for Some3 {
    fn values(&self, key: &CondKey) -> Option<Vec<String>> {
        let v = match key {
            CondKey::SourceIp => "10.1.2.3",
            CondKey::SecureTransport => "true",
            CondKey::CurrentTime => "2024-06-01T12:00:00Z",
            _ => return None,
        };
        Some(vec![v.to_owned()])
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = Policy::parse(data, "bkt") else {
        return;
    };
    let public = policy.is_public();
    let principals = [
        Principal::Anonymous,
        Principal::User {
            account: "1746",
            user: None,
        },
        Principal::User {
            account: "222",
            user: Some("alice"),
        },
    ];
    let actions: [&[&str]; 3] = [
        &["s3:GetObject", "oss:GetObject"],
        &["s3:PutObject", "oss:PutObject"],
        &["s3:ListBucket", "oss:ListObjects"],
    ];
    for principal in principals {
        for (i, names) in actions.iter().enumerate() {
            let key = (i != 2).then_some("a/b.txt");
            let req = Request {
                principal,
                actions: names,
                bucket: "bkt",
                key,
                bucket_account: "1746",
            };
            let empty = policy.evaluate(&req, &Empty);
            assert_eq!(empty, policy.evaluate(&req, &Empty));
            let _ = policy.evaluate(&req, &Some3);
            if principal == Principal::Anonymous && !public {
                assert_ne!(
                    empty,
                    Decision::Allow,
                    "not public, yet anonymous is allowed"
                );
            }
        }
    }
});
