//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ossemu_policy::{CondKey, Context, Decision, Policy, Principal, Request};
use std::collections::HashMap;

/// Condition key values for a request, keyed as policies write them (normalized on insert).
#[derive(Default, Clone)]
pub struct Ctx(pub HashMap<CondKey, Vec<String>>);

impl Ctx {
    pub fn with(mut self, key: &str, values: &[&str]) -> Ctx {
        self.0.insert(
            CondKey::parse(key),
            values.iter().map(|v| v.to_string()).collect(),
        );
        self
    }
}

impl Context for Ctx {
    fn values(&self, key: &CondKey) -> Option<Vec<String>> {
        self.0.get(key).cloned()
    }
}

pub const BUCKET: &str = "bkt";
pub const OWNER: &str = "1746";

pub fn policy(doc: &str) -> Policy {
    Policy::parse(doc.as_bytes(), BUCKET).unwrap_or_else(|e| panic!("{e}: {doc}"))
}

/// Evaluates `doc` for `principal` doing `actions` on `key` (None = the bucket).
pub fn decide(
    doc: &str,
    principal: Principal<'_>,
    actions: &[&str],
    key: Option<&str>,
    ctx: &Ctx,
) -> Decision {
    let req = Request {
        principal,
        actions,
        bucket: BUCKET,
        key,
        bucket_account: OWNER,
    };
    policy(doc).evaluate(&req, ctx)
}

pub fn alice() -> Principal<'static> {
    Principal::User {
        account: "222",
        user: Some("alice"),
    }
}

/// A one-statement S3 policy allowing s3:GetObject on every object to everyone, with `cond`.
pub fn get_if(cond: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*",
        "Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*","Condition":{cond}}}]}}"#
    )
}

/// Whether `get_if(cond)` allows an anonymous GetObject with `ctx`.
pub fn holds(cond: &str, ctx: &Ctx) -> bool {
    let d = decide(
        &get_if(cond),
        Principal::Anonymous,
        &["s3:GetObject"],
        Some("k"),
        ctx,
    );
    d == Decision::Allow
}
