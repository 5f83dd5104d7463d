//! Bucket policies in the S3 (`"Version": "2012-10-17"`) and OSS (`"Version": "1"`) dialects:
//! parsing with S3's validation, evaluation of one policy for a request (IAM's rules: an
//! explicit Deny wins, then any Allow, else nothing applies), and S3's "is public" test.
//! Pure: no I/O, no sibling crates.
//!
//! One stored policy is enforced for requests of both dialects: the caller lists every name the
//! request's action goes by (`s3:GetObject`, `oss:GetObject`), and condition keys are asked for
//! in a normalized form ([`CondKey`]) so that `aws:SourceIp` and `acs:SourceIp` are one key.
//!
//! Dialect differences at parse time: an OSS document (`"Version": "1"`) may omit `Principal`
//! (it then means everyone, as OSS reports such a policy public) and may write principals as a
//! bare string or list of UIDs; an S3 document needs `Principal` as `"*"` or an object
//! (`AWS`, `CanonicalUser`, `Service`, `Federated`). Resources are accepted in both ARN forms
//! (`arn:aws:s3:::bucket/key`, `acs:oss:*:ACCOUNT:bucket/key`) whatever the version.
//!
//! Policy variables (`${aws:username}`, …) are not substituted anywhere: they are compared
//! literally.
//!
//! The documents the client suites send, and what [`Policy::parse`] makes of them, are listed
//! in `tests/suite_documents.rs`.

mod condition;
mod error;
mod glob;
mod ip;
mod key;
mod principal;
mod public;
mod statement;

pub use condition::Context;
pub use error::PolicyError;
pub use key::CondKey;

use serde_json::Value;
use statement::{Effect, Statement};

/// The largest policy accepted, counted without insignificant whitespace (S3's limit is 20 KB).
pub const MAX_POLICY_BYTES: usize = 20 * 1024;

/// A parsed and validated bucket policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    statements: Vec<Statement>,
}

/// The outcome of evaluating one policy for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// An Allow statement applies and no Deny statement does.
    Allow,
    /// An explicit Deny statement applies.
    Deny,
    /// No statement applies.
    Implicit,
}

/// Who makes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal<'a> {
    /// An unsigned request.
    Anonymous,
    /// An account (`user: None`, the root identity) or one of its users (the user name, or the
    /// RAM user's UID for OSS).
    User {
        /// The account (S3 account ID / canonical ID, OSS UID).
        account: &'a str,
        /// The user within the account, if not the account itself.
        user: Option<&'a str>,
    },
    /// A service principal such as `logging.s3.amazonaws.com` (matched case-insensitively by
    /// `{"Service": …}` and by `*`).
    Service(&'a str),
}

/// The request a policy is evaluated for.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Who makes it.
    pub principal: Principal<'a>,
    /// The action names this request performs, fully qualified, e.g. `["s3:GetObject",
    /// "oss:GetObject"]` (every name it goes by in either namespace; a statement matches when
    /// any pattern matches any name, case-insensitively).
    pub actions: &'a [&'a str],
    /// The bucket.
    pub bucket: &'a str,
    /// `None` for bucket-level actions (resource `bucket`), `Some(key)` for object actions
    /// (resource `bucket/key`).
    pub key: Option<&'a str>,
    /// The account that owns the bucket (OSS resource ARNs may name it:
    /// `acs:oss:*:ACCOUNT:bucket`).
    pub bucket_account: &'a str,
}

impl Policy {
    /// Parses and validates a document for `bucket`. Errors carry a message naming the problem.
    pub fn parse(doc: &[u8], bucket: &str) -> Result<Policy, PolicyError> {
        Self::parse_in(doc, Some(bucket))
    }

    /// Parses and validates a user's own (identity) policy, as IAM and RAM attach to users:
    /// no `Principal` (the user is the principal: [`Request::principal`] is not matched),
    /// resources of any bucket.
    pub fn parse_identity(doc: &[u8]) -> Result<Policy, PolicyError> {
        Self::parse_in(doc, None)
    }

    /// Parses for a bucket policy of `bucket`, or (`None`) an identity policy.
    fn parse_in(doc: &[u8], bucket: Option<&str>) -> Result<Policy, PolicyError> {
        let first = doc.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(PolicyError::InvalidJson);
        }
        let value: Value = serde_json::from_slice(doc).map_err(|_| PolicyError::InvalidJson)?;
        let Value::Object(top) = &value else {
            return Err(PolicyError::InvalidJson);
        };
        // Re-serialising drops insignificant whitespace; S3 counts the policy that way.
        if serde_json::to_string(&value).map_or(usize::MAX, |s| s.len()) > MAX_POLICY_BYTES {
            return Err(PolicyError::TooLarge);
        }
        if let Some(unknown) = top
            .keys()
            .find(|k| !["Version", "Id", "Statement"].contains(&k.as_str()))
        {
            return Err(PolicyError::UnknownField(unknown.clone()));
        }
        let oss = match top.get("Version") {
            None => false,
            Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => false,
            Some(Value::String(v)) if v == "1" => true,
            Some(other) => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_string);
                return Err(PolicyError::InvalidVersion(shown));
            }
        };
        if top.get("Id").is_some_and(|id| !id.is_string()) {
            return Err(PolicyError::InvalidStatement);
        }
        let statements = match top.get("Statement") {
            None | Some(Value::Null) => return Err(PolicyError::MissingField("Statement")),
            Some(Value::Array(list)) if list.is_empty() => {
                return Err(PolicyError::EmptyStatement);
            }
            Some(Value::Array(list)) => list.iter().collect(),
            Some(one) => vec![one],
        };
        let statements = statements
            .into_iter()
            .map(|s| statement::parse(s, bucket, oss))
            .collect::<Result<_, _>>()?;
        Ok(Policy { statements })
    }

    /// Evaluates the policy for `req`: [`Decision::Deny`] if a Deny statement applies, else
    /// [`Decision::Allow`] if an Allow statement does, else [`Decision::Implicit`].
    pub fn evaluate(&self, req: &Request<'_>, ctx: &dyn Context) -> Decision {
        let mut allowed = false;
        for s in &self.statements {
            if s.applies(req, ctx) {
                match s.effect {
                    Effect::Deny => return Decision::Deny,
                    Effect::Allow => allowed = true,
                }
            }
        }
        if allowed {
            Decision::Allow
        } else {
            Decision::Implicit
        }
    }

    /// S3's "is public" (GetBucketPolicyStatus, BlockPublicPolicy, RestrictPublicBuckets), per
    /// "The meaning of public" in the S3 User Guide: an Allow statement is public unless it
    /// grants only to fixed principals, or a condition pins it to fixed values (no wildcard, no
    /// policy variable) of `aws:SourceIp` (no block broader than /8 for IPv4 or /32 for IPv6),
    /// `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`,
    /// `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:PrincipalArn`, `aws:PrincipalAccount`,
    /// `aws:userid` (`AROLEID:*` allowed), `s3:x-amz-server-side-encryption-aws-kms-key-id`,
    /// `s3:DataAccessPointArn` (wildcard allowed after a fixed account) or
    /// `s3:DataAccessPointAccount`, with their `acs:`/`oss:` twins. `Federated` principals count
    /// as public, as in S3's examples. (`NotPrincipal` with `Allow` is refused by [`Policy::parse`].)
    pub fn is_public(&self) -> bool {
        self.statements.iter().any(public::statement_is_public)
    }
}
