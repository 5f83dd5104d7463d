//! S3's "The meaning of public" for bucket policies.

use crate::condition::{Condition, Qualifier, Test, Values};
use crate::glob;
use crate::key::CondKey;
use crate::principal::Who;
use crate::statement::{Effect, Statement};

pub(crate) fn statement_is_public(s: &Statement) -> bool {
    if s.effect != Effect::Allow {
        return false;
    }
    let open = s.principals.not
        || s.principals
            .items
            .iter()
            .any(|w| matches!(w, Who::Anyone | Who::Federated));
    open && !s.conditions.iter().any(pins)
}

/// Whether a condition restricts the statement to fixed values of a key S3 accepts.
fn pins(c: &Condition) -> bool {
    // Only a positive test that must hold when the key is present and fails when it is absent.
    let positive = !c.negated
        && !c.if_exists
        && c.qualifier != Qualifier::ForAllValues
        && matches!(
            c.test,
            Test::StringEquals
                | Test::StringEqualsIgnoreCase
                | Test::StringLike
                | Test::ArnLike
                | Test::IpAddress
        );
    if !positive {
        return false;
    }
    match (&c.key, &c.values) {
        (CondKey::SourceIp, Values::Ip(blocks)) => !blocks.iter().any(|b| b.is_broad()),
        (CondKey::Other(name), Values::Str(values)) => {
            let bare = name
                .strip_prefix("aws:")
                .or_else(|| name.strip_prefix("acs:"));
            match bare {
                Some("userid") => values.iter().all(|v| fixed_userid(v)),
                Some(
                    "sourcearn" | "sourcevpc" | "sourcevpce" | "sourceowner" | "sourceaccount"
                    | "principalorgid" | "principalarn" | "principalaccount",
                ) => values.iter().all(|v| fixed(v)),
                _ => service_key(name, values),
            }
        }
        _ => false,
    }
}

fn service_key(name: &str, values: &[String]) -> bool {
    match name {
        "s3:x-amz-server-side-encryption-aws-kms-key-id"
        | "oss:x-oss-server-side-encryption-key-id"
        | "s3:dataaccesspointaccount" => values.iter().all(|v| fixed(v)),
        "s3:dataaccesspointarn" => values.iter().all(|v| fixed_access_point(v)),
        _ => false,
    }
}

fn fixed(v: &str) -> bool {
    !v.is_empty() && !glob::has_wildcard(v) && !v.contains("${")
}

/// `aws:userid`: fixed, or a fixed role ID followed by `:*`.
fn fixed_userid(v: &str) -> bool {
    fixed(v) || v.strip_suffix(":*").is_some_and(fixed)
}

/// `s3:DataAccessPointArn`: the access point name may be a wildcard as long as the account
/// (and everything before it) is fixed.
fn fixed_access_point(v: &str) -> bool {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    match parts.as_slice() {
        [arn, partition, svc, region, account, name] => {
            [arn, partition, svc, region, account]
                .iter()
                .all(|p| fixed(p))
                && name
                    .strip_prefix("accesspoint/")
                    .is_some_and(|n| !n.contains("${"))
        }
        _ => false,
    }
}
