//! S3 grants (an `AccessControlPolicy` body or the `x-amz-grant-*` headers): parsed, their
//! grantees resolved and checked ([`resolve`]), and kept as given, with the canned ACL they
//! are equivalent to (or the nearest OSS view of them) for OSS's answers ([`Requested`]).

use std::collections::BTreeSet;

use ossemu_store::{AclGrant, AclGrantee, AclPermission};
use ossemu_xml::acl::{ALL_USERS, AUTH_USERS, AccessControlPolicy, LOG_DELIVERY};

use crate::access;

use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::{BUCKET_ACLS, BUCKET_ONLY_ACLS, OBJECT_ONLY_ACLS};
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

/// What a request asks an ACL to be: a canned ACL's name, and, for grants given one by one
/// (S3), the grants. The name is the canned ACL the grants are equivalent to, else the
/// nearest OSS view of them (`public-read-write`, `public-read` or `private`), which OSS's
/// GetBucketAcl/GetObjectAcl show; checks use the grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requested {
    /// The canned ACL.
    pub canned: String,
    /// The grants, when given one by one.
    pub grants: Option<Vec<AclGrant>>,
}

impl Requested {
    /// A canned ACL.
    pub fn canned(name: &str) -> Self {
        Self {
            canned: name.to_string(),
            grants: None,
        }
    }

    /// The grants it stands for on a resource of `owner` in a bucket of `bucket_owner`.
    pub fn grants_for(&self, owner: &str, bucket_owner: &str) -> Vec<AclGrant> {
        match &self.grants {
            Some(g) => g.clone(),
            None => access::canned_grants(&self.canned, owner, bucket_owner),
        }
    }

    /// Whether it grants anything to a public group (AllUsers, AuthenticatedUsers).
    pub fn is_public(&self) -> bool {
        access::grants_public(&self.grants_for("", ""))
    }
}

/// Checks grants and resolves their grantees: an e-mail address to its account's id
/// (400 UnresolvableGrantByEmailAddress when no account has it), an id no credential has
/// (400 InvalidArgument `Invalid id`), a group other than AllUsers, AuthenticatedUsers and
/// LogDelivery (400 InvalidArgument), a permission S3 does not have (400 MalformedACLError).
pub fn resolve(cx: &Ctx, grants: &[Grant]) -> ApiResult<Vec<AclGrant>> {
    grants
        .iter()
        .map(|(who, perm)| {
            let grantee = match who {
                Grantee::Email(mail) => match cx.state.config.by_email(mail) {
                    Some(c) => AclGrantee::User(c.owner_id.clone()),
                    None => {
                        return Err(ApiError::new(Code::UnresolvableGrantByEmailAddress)
                            .field("EmailAddress", mail.clone()));
                    }
                },
                Grantee::User(id) if cx.state.config.owner(id).is_none() => {
                    return Err(ApiError::msg(Code::InvalidArgument, "Invalid id")
                        .field("ArgumentName", "CanonicalUser/ID")
                        .field("ArgumentValue", id.clone()));
                }
                Grantee::User(id) => AclGrantee::User(id.clone()),
                Grantee::Group(uri)
                    if [ALL_USERS, AUTH_USERS, LOG_DELIVERY].contains(&uri.as_str()) =>
                {
                    AclGrantee::Group(uri.clone())
                }
                Grantee::Group(uri) => {
                    return Err(ApiError::msg(Code::InvalidArgument, "Invalid group uri")
                        .field("ArgumentName", "Group/URI")
                        .field("ArgumentValue", uri.clone()));
                }
            };
            let permission = AclPermission::parse(perm).ok_or_else(|| {
                ApiError::msg(
                    Code::MalformedACLError,
                    format!(
                        "{perm:?} is not one of READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL."
                    ),
                )
            })?;
            Ok(AclGrant {
                grantee,
                permission,
            })
        })
        .collect()
}

/// The canned ACL `grants` are equivalent to (as sets) on a resource of `owner` in a bucket
/// of `bucket_owner` (`object`: the `bucket-owner-*` ACLs count too).
pub fn canned_of(
    grants: &[AclGrant],
    owner: &str,
    bucket_owner: &str,
    object: bool,
) -> Option<&'static str> {
    let given: BTreeSet<&AclGrant> = grants.iter().collect();
    let object_only = OBJECT_ONLY_ACLS
        .iter()
        .filter(|c| object && **c != "default");
    let bucket_only = BUCKET_ONLY_ACLS.iter().filter(|_| !object);
    BUCKET_ACLS
        .iter()
        .chain(object_only)
        .chain(bucket_only)
        .copied()
        .find(|c| {
            let set = access::canned_grants(c, owner, bucket_owner);
            set.iter().collect::<BTreeSet<_>>() == given
        })
}

/// Grants given one by one as a [`Requested`] ACL (see there for its canned name).
pub fn requested(
    grants: Vec<AclGrant>,
    owner: &str,
    bucket_owner: &str,
    object: bool,
) -> Requested {
    let all = |p: AclPermission| {
        grants
            .iter()
            .any(|g| g.permission.gives(p) && g.grantee == AclGrantee::Group(ALL_USERS.into()))
    };
    let canned =
        canned_of(&grants, owner, bucket_owner, object).unwrap_or(if all(AclPermission::Write) {
            "public-read-write"
        } else if all(AclPermission::Read) {
            "public-read"
        } else {
            "private"
        });
    Requested {
        canned: canned.to_string(),
        grants: Some(grants),
    }
}

/// The ACL a write asks for with `x-amz-grant-*` headers (S3), resolved; S3 refuses them
/// together with a canned `x-amz-acl`. `None` without grant headers.
pub fn header_acl(
    cx: &Ctx,
    owner: &str,
    bucket_owner: &str,
    object: bool,
) -> ApiResult<Option<Requested>> {
    let Some(grants) = from_headers(cx)? else {
        return Ok(None);
    };
    if cx.header("x-amz-acl").is_some() {
        return Err(ApiError::msg(
            Code::InvalidRequest,
            "Specifying both Canned ACLs and Header Grants is not allowed",
        ));
    }
    let grants = resolve(cx, &grants)?;
    Ok(Some(requested(grants, owner, bucket_owner, object)))
}
