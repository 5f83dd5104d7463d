//! The one access decision every request goes through: the bucket policy, a user's own
//! policy and the ACLs together, in the order S3 and OSS document (README, "Access
//! control"):
//!
//! 1. an explicit Deny in the bucket policy or in the requester's own policy refuses,
//!    except that the bucket owner may always read, change and delete the bucket policy;
//! 2. the bucket owner (the account itself) is allowed;
//! 3. otherwise the bucket policy's Allow (ignored for public policies and requesters
//!    outside the owner's account under RestrictPublicBuckets) or the ACL allows, for a
//!    user (IAM/RAM) only if its own policy allows too when it belongs to another account;
//!    a user of the owner's account is allowed by its own policy alone;
//! 4. anything else is AccessDenied.
//!
//! ACLs arrive as a boolean computed by [`crate::access`]; this module adds the policies.

mod actions;
mod cache;
mod facts;

use ossemu_policy::{Decision, Policy, Principal, Request};
use ossemu_store::{BucketRecord, ObjectRecord};

use crate::access::{self, Identity};
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;
use crate::router::Op;

pub use cache::{KIND as POLICY_KIND, PolicyCache};
use facts::Facts;

/// One question: may `who` run `op` on `bucket` (and `key`), the ACL having answered `acl`?
pub struct Ask<'a> {
    /// The requester (a form's signer for PostObject, else the request's).
    pub who: &'a Identity,
    /// The operation whose action names the policy matches.
    pub op: Op,
    /// The bucket addressed (or the copy source's).
    pub bucket: &'a BucketRecord,
    /// The object, for object operations.
    pub key: Option<&'a str>,
    /// The object's record when the caller has it (for `ExistingObjectTag` conditions).
    pub obj: Option<&'a ObjectRecord>,
    /// Whether the ACLs allow it.
    pub acl: bool,
}

/// Refuses the request unless the policies and ACLs together allow it (see the module doc).
pub fn decide(cx: &Ctx, ask: Ask<'_>) -> ApiResult<()> {
    decide_with(cx, ask, None)
}

/// [`decide`] with `s3:prefix` taken from `prefix` (a HEAD or GET of a missing key asks for
/// ListBucket on the key as prefix, as S3 does).
pub fn decide_with(cx: &Ctx, ask: Ask<'_>, prefix: Option<&str>) -> ApiResult<()> {
    let bucket_policy = cx
        .state
        .policies
        .bucket(cx.store().meta(), &ask.bucket.name)?;
    let own_policy = cx.state.policies.identity(&cx.state.config, ask.who);
    let owner = is_owner(ask.who, ask.bucket) && !foreign_object_acl(cx, &ask);
    if bucket_policy.is_none() && own_policy.is_none() && ask.who.user().is_none() {
        return if ask.acl || owner {
            Ok(())
        } else {
            Err(access::denied(ask.who))
        };
    }
    let names = actions::names(ask.op, cx);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let req = Request {
        principal: principal(ask.who),
        actions: &names,
        bucket: &ask.bucket.name,
        key: ask.key,
        bucket_account: &ask.bucket.owner,
    };
    let facts = Facts::new(cx, &ask, prefix);
    let by_bucket = bucket_policy
        .as_ref()
        .map_or(Decision::Implicit, |p| p.evaluate(&req, &facts));
    let by_own = own_policy
        .as_ref()
        .map_or(Decision::Implicit, |p| p.evaluate(&req, &facts));
    if by_bucket == Decision::Deny || by_own == Decision::Deny {
        if owner && actions::manages_policy(ask.op) {
            return Ok(());
        }
        return Err(policy_denied());
    }
    if owner {
        return Ok(());
    }
    let bucket_allows =
        by_bucket == Decision::Allow && !restricted(ask.who, ask.bucket, bucket_policy.as_deref());
    let same_account = ask.who.owner() == Some(ask.bucket.owner.as_str());
    let allowed = match ask.who.user() {
        None => bucket_allows || ask.acl,
        Some(_) if same_account => by_own == Decision::Allow || bucket_allows || ask.acl,
        Some(_) => by_own == Decision::Allow && (bucket_allows || ask.acl),
    };
    if allowed {
        Ok(())
    } else {
        Err(access::denied(ask.who))
    }
}

/// Whether a bucket policy or the requester's own policy may take part in decisions on
/// `bucket`.
pub fn has_policies(cx: &Ctx, who: &Identity, bucket: &BucketRecord) -> ApiResult<bool> {
    Ok(cx.state.policies.identity(&cx.state.config, who).is_some()
        || cx
            .state
            .policies
            .bucket(cx.store().meta(), &bucket.name)?
            .is_some())
}

/// Whether `who` is the bucket's owner (the account itself, not one of its users).
fn is_owner(who: &Identity, bucket: &BucketRecord) -> bool {
    who.account_root() == Some(bucket.owner.as_str())
}

/// Whether `ask` reads or changes, in S3, the ACL of an object another account owns: the
/// bucket owner has no say there (S3's object ownership), only the object's ACL.
fn foreign_object_acl(cx: &Ctx, ask: &Ask<'_>) -> bool {
    cx.dialect == crate::dialect::Dialect::S3
        && matches!(ask.op, Op::GetObjectAcl | Op::PutObjectAcl)
        && ask
            .obj
            .is_some_and(|o| access::object_owner(ask.bucket, o) != ask.bucket.owner)
}

/// RestrictPublicBuckets: a public bucket policy grants nothing to requesters outside the
/// bucket owner's account.
fn restricted(who: &Identity, bucket: &BucketRecord, policy: Option<&Policy>) -> bool {
    who.owner() != Some(bucket.owner.as_str())
        && policy.is_some_and(Policy::is_public)
        && crate::handlers::public_access::of(bucket).restrict_public_buckets
}

fn principal(who: &Identity) -> Principal<'_> {
    match who {
        Identity::Anonymous => Principal::Anonymous,
        Identity::User { owner_id, user, .. } => Principal::User {
            account: owner_id,
            user: user.as_deref(),
        },
    }
}

fn policy_denied() -> ApiError {
    ApiError::msg(
        Code::AccessDenied,
        "You have no right to access this resource: a bucket or user policy denies it.",
    )
}

/// [`decide`] for reading an object (or learning that it is missing) by the request's own
/// requester and operation: the ACL read check of [`access::may_read`], then the policies.
/// A missing object is asked about as ListBucket with the key as `s3:prefix` (S3: without
/// list permission a missing key is 403); in OSS, permission to read the key is enough for
/// its 404, so a policy that lets anyone read `public/*` lets those keys be mirrored.
pub fn read(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    obj: Option<&ObjectRecord>,
) -> ApiResult<()> {
    read_as(cx, cx.op, bucket, key, obj)
}

/// [`read`] for operation `op` rather than the request's own (a copy's source is read as
/// GetObject).
pub fn read_as(
    cx: &Ctx,
    op: Op,
    bucket: &BucketRecord,
    key: &str,
    obj: Option<&ObjectRecord>,
) -> ApiResult<()> {
    let acl = access::may_read(&cx.identity, bucket, obj);
    let ask = |op, key, acl| Ask {
        who: &cx.identity,
        op,
        bucket,
        key,
        obj,
        acl,
    };
    if obj.is_some() {
        return decide(cx, ask(op, Some(key), acl));
    }
    let listed = decide_with(cx, ask(Op::ListObjects, None, acl), Some(key));
    if listed.is_err() && cx.dialect == crate::dialect::Dialect::Oss {
        return decide(cx, ask(Op::GetObject, Some(key), false)).or(listed);
    }
    listed
}

#[cfg(test)]
mod tests;
