//! S3 grants (an `AccessControlPolicy` body or the `x-amz-grant-*` headers) and the canned
//! ACL they are equivalent to. ossemu stores canned ACLs only, so a grant set is taken when
//! it is exactly what a canned ACL stands for and refused otherwise, never partly applied:
//!
//! - an e-mail grantee: 400 UnresolvableGrantByEmailAddress (no account has an address here);
//! - a canonical (owner) id no credential has: 400 InvalidArgument `Invalid id`, as S3 answers;
//! - anything else without a canned equivalent (a grant to another user, a set without
//!   FULL_CONTROL for the owner, such as the empty one, which S3 takes as no grants at all):
//!   400 InvalidArgument saying so.

use std::collections::BTreeSet;

use ossemu_xml::acl::{ALL_USERS, AUTH_USERS, AccessControlPolicy};

use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::{BUCKET_ACLS, OBJECT_ONLY_ACLS};
use crate::request::Ctx;

/// Whom a grant names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grantee {
    /// A canonical user id (an access key here).
    User(String),
    /// A group URI.
    Group(String),
    /// An e-mail address.
    Email(String),
}

/// One grant: grantee and permission (`READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`,
/// `FULL_CONTROL`).
pub type Grant = (Grantee, String);

/// The `x-amz-grant-*` headers and the permission each gives.
const GRANT_HEADERS: &[(&str, &str)] = &[
    ("x-amz-grant-read", "READ"),
    ("x-amz-grant-write", "WRITE"),
    ("x-amz-grant-read-acp", "READ_ACP"),
    ("x-amz-grant-write-acp", "WRITE_ACP"),
    ("x-amz-grant-full-control", "FULL_CONTROL"),
];

/// The grants of an `AccessControlPolicy` body. A grantee naming neither an ID, a URI nor an
/// e-mail address is malformed.
pub fn from_policy(p: &AccessControlPolicy) -> ApiResult<Vec<Grant>> {
    p.acl
        .grants
        .iter()
        .map(|g| {
            let who = match (&g.grantee.id, &g.grantee.uri, &g.grantee.email_address) {
                (Some(id), None, None) => Grantee::User(id.trim().to_string()),
                (None, Some(uri), None) => Grantee::Group(uri.trim().to_string()),
                (None, None, Some(mail)) => Grantee::Email(mail.trim().to_string()),
                _ => {
                    return Err(ApiError::msg(
                        Code::MalformedXML,
                        "A Grantee names exactly one of ID, URI and EmailAddress.",
                    ));
                }
            };
            Ok((who, g.permission.trim().to_string()))
        })
        .collect()
}

/// The grants of the `x-amz-grant-*` headers (S3 only; `None` when there are none). A value
/// is a comma-separated list of `id="…"`, `uri="…"` or `emailAddress="…"`.
pub fn from_headers(cx: &Ctx) -> ApiResult<Option<Vec<Grant>>> {
    if cx.dialect != Dialect::S3 {
        return Ok(None);
    }
    let mut grants = Vec::new();
    let mut any = false;
    for (name, permission) in GRANT_HEADERS {
        for value in cx.headers.get_all(*name) {
            any = true;
            let text = value.to_str().unwrap_or_default();
            for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let who = grantee(item).ok_or_else(|| {
                    ApiError::msg(
                        Code::InvalidArgument,
                        format!("{name} takes id=\"…\", uri=\"…\" or emailAddress=\"…\", comma-separated."),
                    )
                    .field("ArgumentName", *name)
                    .field("ArgumentValue", text)
                })?;
                grants.push((who, permission.to_string()));
            }
        }
    }
    Ok(any.then_some(grants))
}

/// One `type="value"` item of a grant header.
fn grantee(item: &str) -> Option<Grantee> {
    let (kind, value) = item.split_once('=')?;
    let value = value.trim().trim_matches('"').to_string();
    if value.is_empty() {
        return None;
    }
    match kind.trim().to_ascii_lowercase().as_str() {
        "id" => Some(Grantee::User(value)),
        "uri" => Some(Grantee::Group(value)),
        "emailaddress" => Some(Grantee::Email(value)),
        _ => None,
    }
}

/// The grants a canned ACL stands for: the owner's FULL_CONTROL and the ACL's group (or, for
/// the `bucket-owner-*` object ACLs, bucket owner) grants.
fn stands_for(canned: &str, owner: &str, bucket_owner: &str) -> BTreeSet<Grant> {
    let user = |id: &str, p: &str| (Grantee::User(id.to_string()), p.to_string());
    let group = |uri: &str, p: &str| (Grantee::Group(uri.to_string()), p.to_string());
    let mut set = BTreeSet::from([user(owner, "FULL_CONTROL")]);
    match canned {
        "public-read" => {
            set.insert(group(ALL_USERS, "READ"));
        }
        "public-read-write" => {
            set.insert(group(ALL_USERS, "READ"));
            set.insert(group(ALL_USERS, "WRITE"));
        }
        "authenticated-read" => {
            set.insert(group(AUTH_USERS, "READ"));
        }
        "bucket-owner-read" => {
            set.insert(user(bucket_owner, "READ"));
        }
        "bucket-owner-full-control" => {
            set.insert(user(bucket_owner, "FULL_CONTROL"));
        }
        _ => {}
    }
    set
}

/// The canned ACL `grants` are equivalent to, for a resource owned by `owner` in a bucket
/// owned by `bucket_owner` (`object`: the `bucket-owner-*` ACLs count too). See the module
/// docs for what is refused.
pub fn canned(
    cx: &Ctx,
    grants: &[Grant],
    owner: &str,
    bucket_owner: &str,
    object: bool,
) -> ApiResult<String> {
    for (who, _) in grants {
        match who {
            Grantee::Email(mail) => {
                return Err(ApiError::new(Code::UnresolvableGrantByEmailAddress)
                    .field("EmailAddress", mail.clone()));
            }
            Grantee::User(id) if cx.state.config.owner(id).is_none() => {
                return Err(ApiError::msg(Code::InvalidArgument, "Invalid id")
                    .field("ArgumentName", "CanonicalUser/ID")
                    .field("ArgumentValue", id.clone()));
            }
            Grantee::Group(uri) if uri != ALL_USERS && uri != AUTH_USERS => {
                return Err(ApiError::msg(Code::InvalidArgument, "Invalid group uri")
                    .field("ArgumentName", "Group/URI")
                    .field("ArgumentValue", uri.clone()));
            }
            _ => {}
        }
    }
    let given: BTreeSet<Grant> = grants.iter().cloned().collect();
    let object_only = OBJECT_ONLY_ACLS
        .iter()
        .filter(|c| object && **c != "default");
    BUCKET_ACLS
        .iter()
        .chain(object_only)
        .copied()
        .find(|c| stands_for(c, owner, bucket_owner) == given)
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::msg(
                Code::InvalidArgument,
                format!(
                    "Only grants equivalent to a canned ACL are supported: FULL_CONTROL for the owner ({owner}) plus the group grants of private, public-read, public-read-write or authenticated-read{}. Grants to other users, and grant lists without the owner's FULL_CONTROL (an empty list means no grants at all), are not.",
                    if object {
                        ", or the bucket owner's READ or FULL_CONTROL"
                    } else {
                        ""
                    }
                ),
            )
        })
}

/// The canned ACL a write asks for with `x-amz-grant-*` headers (S3), checked against a canned
/// `x-amz-acl`: S3 refuses both together. `None` without grant headers.
pub fn header_acl(
    cx: &Ctx,
    owner: &str,
    bucket_owner: &str,
    object: bool,
) -> ApiResult<Option<String>> {
    let Some(grants) = from_headers(cx)? else {
        return Ok(None);
    };
    if cx.header("x-amz-acl").is_some() {
        return Err(ApiError::msg(
            Code::InvalidRequest,
            "Specifying both Canned ACLs and Header Grants is not allowed",
        ));
    }
    canned(cx, &grants, owner, bucket_owner, object).map(Some)
}
