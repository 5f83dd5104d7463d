//! Who a request comes from (authentication) and what it may do (authorization).
//!
//! Authentication parses every signature form with [`crate::auth`], checks the request
//! time, looks the access key up and verifies the signature in constant time (unless the
//! server runs with `--auth off`, where signatures are parsed but never verified). This is
//! the only place that turns a credential into an [`Identity`]: for signed requests
//! ([`authenticate`]) and for POST forms signed over their policy ([`form_identity`]).
//! Authorization applies ACLs (canned, or S3 grants one by one): owners may do everything;
//! others may list, write and read or change the ACL as the bucket's grants allow, and read
//! an object or its ACL as the object's grants (if set) allow. Grants are to accounts, never
//! to an account's users; S3 Object Ownership `BucketOwnerEnforced` disables them and a
//! public access block's IgnorePublicAcls ignores the public groups' ones. Bucket
//! configuration is owner-only. These are booleans: what the ACL allows.

use http::HeaderMap;
use ossemu_store::{
    AclGrant, AclGrantee, AclPermission, BucketRecord, ObjectOwnership, ObjectRecord,
};
use ossemu_xml::acl::{ALL_USERS, AUTH_USERS, LOG_DELIVERY};

use crate::auth::{self, AuthError, Canonical, ParsedAuth, PolicySignature, Target};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::router::{Op, Permission};
use crate::state::{AppState, AuthMode, Credential};
use crate::subresource;

/// The requester.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// No authorization at all.
    Anonymous,
    /// A signed request by this access key.
    User {
        /// Access key id.
        access_key: String,
        /// The owner it acts for.
        owner_id: String,
        /// Owner display name.
        display_name: String,
        /// The user's name when the credential is a user of account `owner_id` rather than
        /// the account itself ([`Credential::user`]).
        user: Option<String>,
    },
}

impl Identity {
    /// The owner id, if signed.
    pub fn owner(&self) -> Option<&str> {
        match self {
            Identity::Anonymous => None,
            Identity::User { owner_id, .. } => Some(owner_id),
        }
    }

    /// The user's name when the requester is a user of an account (IAM/RAM).
    pub fn user(&self) -> Option<&str> {
        match self {
            Identity::User { user, .. } => user.as_deref(),
            Identity::Anonymous => None,
        }
    }

    /// The account id when the requester is the account itself (not one of its users):
    /// only an account owns buckets and objects.
    pub fn account_root(&self) -> Option<&str> {
        match self {
            Identity::User {
                owner_id,
                user: None,
                ..
            } => Some(owner_id),
            _ => None,
        }
    }
}

/// The result of authentication: who, and what the body decoder needs to verify a streamed
/// payload (the parsed signature and the secret).
pub struct Authenticated {
    /// The requester.
    pub identity: Identity,
    /// The parsed signature, if any.
    pub parsed: Option<ParsedAuth>,
    /// The requester's secret, when signatures are verified.
    pub secret: Option<String>,
}

/// The request as the signature code sees it.
pub struct SignedParts<'a> {
    /// Method, upper case.
    pub method: &'a str,
    /// Path as sent (still percent-encoded).
    pub raw_path: &'a str,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// Lower-case header names with values.
    pub headers: Vec<(String, String)>,
}

impl<'a> SignedParts<'a> {
    /// Collects the parts from the request head.
    pub fn new(
        method: &'a str,
        raw_path: &'a str,
        query: &'a [(String, String)],
        headers: &HeaderMap,
    ) -> Self {
        let headers = headers
            .iter()
            .map(|(k, v)| {
                let v = match v.to_str() {
                    Ok(s) => s.to_string(),
                    Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
                };
                (k.as_str().to_string(), v)
            })
            .collect();
        Self {
            method,
            raw_path,
            query,
            headers,
        }
    }

    /// The borrowed view [`auth`] works on.
    pub fn request(&self) -> auth::Request<'_> {
        auth::Request {
            method: self.method,
            raw_path: self.raw_path,
            query: self.query,
            headers: &self.headers,
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Authenticates a request. `Ok` with an anonymous identity when it carries no signature.
pub fn authenticate(
    state: &AppState,
    dialect: Dialect,
    parts: &SignedParts<'_>,
    target: &Target<'_>,
) -> ApiResult<Authenticated> {
    let req = parts.request();
    let verify = state.config.auth == AuthMode::On;
    let parsed = match auth::parse_auth(&req) {
        Ok(None) => {
            return Ok(Authenticated {
                identity: Identity::Anonymous,
                parsed: None,
                secret: None,
            });
        }
        Ok(Some(p)) => p,
        Err(e) if verify => return Err(auth_error(e, dialect, None)),
        Err(_) => {
            // --auth off: an unparsable signature still names the requester when it can.
            let identity = match crate::access::claimed_access_key(&parts.headers, parts.query) {
                Some(ak) => user(state, ak),
                None => Identity::Anonymous,
            };
            return Ok(Authenticated {
                identity,
                parsed: None,
                secret: None,
            });
        }
    };
    let ak = parsed.access_key_id().to_string();
    let credential = state.config.credential(&ak);
    if !verify {
        return Ok(Authenticated {
            identity: user(state, ak),
            parsed: Some(parsed),
            secret: credential.map(|c| c.secret_key.clone()),
        });
    }
    let Some(credential) = credential else {
        return Err(unknown_access_key(dialect, &ak));
    };
    parsed
        .check_time(&req, now(), auth::DEFAULT_MAX_SKEW_SECS)
        .map_err(|e| auth_error(e, dialect, Some(&parsed)))?;
    check_region(state, &parsed, target)?;
    parsed
        .verify(&req, target, &credential.secret_key)
        .map_err(|e| auth_error(e, dialect, Some(&parsed)))?;
    unsigned_parts(&parsed, parts)?;
    Ok(Authenticated {
        identity: identity_of(state, credential),
        parsed: Some(parsed),
        secret: Some(credential.secret_key.clone()),
    })
}

/// An OSS V4 signature is made for one region: the server's (`--region`, without its
/// `oss-` prefix), or the one the addressed bucket lives in. OSS refuses any other, an empty
/// one included. (S3 clients sign for whatever region they are set to, usually us-east-1, so
/// the S3 dialect does not check.)
fn check_region(state: &AppState, parsed: &ParsedAuth, target: &Target<'_>) -> ApiResult<()> {
    let ParsedAuth::V4(a) = parsed else {
        return Ok(());
    };
    if !matches!(
        a.scheme,
        auth::Scheme::OssV4Header | auth::Scheme::OssV4Query
    ) {
        return Ok(());
    }
    let bare = |r: &str| r.strip_prefix("oss-").unwrap_or(r).to_string();
    let signed = a.credential.region.as_str();
    if !signed.is_empty() && signed == bare(&state.config.region) {
        return Ok(());
    }
    let bucket_region = match target.bucket {
        Some(b) => state.store.meta().get_bucket(b)?.map(|b| bare(&b.location)),
        None => None,
    };
    if !signed.is_empty() && bucket_region.as_deref() == Some(signed) {
        return Ok(());
    }
    Err(ApiError::msg(
        Code::AccessDenied,
        "The signing region in credential is invalid.",
    )
    .field("Region", signed))
}

/// The requester of a POST form upload (PostObject), from the form's fields (lower-case
/// names): anonymous for an unsigned form; else the access key's identity once its signature
/// over the `policy` field checks out (at once with `--auth off`). `dialect` names the access
/// key field of an InvalidAccessKeyId error.
pub fn form_identity(
    state: &AppState,
    dialect: Dialect,
    fields: &[(String, String)],
) -> ApiResult<Identity> {
    let signature = PolicySignature::from_fields(fields)
        .map_err(|e| ApiError::msg(Code::InvalidArgument, e.to_string()))?;
    let Some(signature) = signature else {
        return Ok(Identity::Anonymous);
    };
    let Some((_, policy)) = fields.iter().find(|(k, _)| k == "policy") else {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            "A signed POST needs a policy field.",
        ));
    };
    let ak = signature.access_key();
    if state.config.auth == AuthMode::Off {
        return Ok(user(state, ak.to_string()));
    }
    let Some(credential) = state.config.credential(ak) else {
        return Err(unknown_access_key(dialect, ak));
    };
    if !signature.verify(&credential.secret_key, policy) {
        return Err(ApiError::new(Code::SignatureDoesNotMatch).field("StringToSign", policy));
    }
    Ok(identity_of(state, credential))
}

/// The identity of a configured credential: its owner, named as that owner is.
/// The identity a verified credential acts as.
pub(crate) fn identity_of(state: &AppState, credential: &Credential) -> Identity {
    Identity::User {
        access_key: credential.access_key.clone(),
        owner_id: credential.owner_id.clone(),
        display_name: state.config.display_name(&credential.owner_id).to_string(),
        user: credential.user.clone(),
    }
}

/// InvalidAccessKeyId for an access key no credential has.
fn unknown_access_key(dialect: Dialect, ak: &str) -> ApiError {
    let field = match dialect {
        Dialect::Oss => "OSSAccessKeyId",
        Dialect::S3 => "AWSAccessKeyId",
    };
    ApiError::new(Code::InvalidAccessKeyId).field(field, ak)
}

/// Refuses vendor headers (`x-oss-*`, `x-amz-*`) and sub-resources that select the operation
/// ([`subresource::selects_op`]) the signature does not cover: they could change what a
/// (presigned) request does, e.g. turn a PUT into a copy.
fn unsigned_parts(parsed: &ParsedAuth, parts: &SignedParts<'_>) -> ApiResult<()> {
    let (scheme, signed): (_, &[String]) = match parsed {
        ParsedAuth::HmacV1(a) => (a.scheme, &[]),
        ParsedAuth::OssV2(a) => (a.scheme, &a.additional_headers),
        ParsedAuth::V4(a) => (a.scheme, &a.signed_headers),
    };
    let unsigned: Vec<&str> = parts
        .headers
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| k.starts_with("x-oss-") || k.starts_with("x-amz-"))
        .filter(|k| !auth::signs_header(scheme, signed, k))
        .collect();
    if !unsigned.is_empty() {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "There were headers present in the request which were not signed",
        )
        .field("HeadersNotSigned", unsigned.join(", ")));
    }
    if let Some((name, _)) = parts
        .query
        .iter()
        .find(|(k, _)| subresource::selects_op(k) && !auth::signs_query_param(scheme, k))
    {
        return Err(ApiError::msg(
            Code::AccessDenied,
            format!("The query parameter {name} is not covered by the signature"),
        ));
    }
    Ok(())
}

/// The identity an access key claims, unverified (`--auth off`): the credential's owner,
/// or an owner whose id is the unknown access key.
fn user(state: &AppState, ak: String) -> Identity {
    match state.config.credential(&ak) {
        Some(c) => identity_of(state, c),
        None => Identity::User {
            owner_id: ak.clone(),
            display_name: ak.clone(),
            access_key: ak,
            user: None,
        },
    }
}

/// Maps an authentication failure to the provider's error.
fn auth_error(e: AuthError, d: Dialect, parsed: Option<&ParsedAuth>) -> ApiError {
    let s3 = d == Dialect::S3;
    let presigned = parsed.is_some_and(|p| p.scheme().is_presigned());
    let malformed = |m: String| malformed(m, s3, presigned);
    match e {
        AuthError::MixedAuth => ApiError::msg(
            Code::InvalidArgument,
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
        )
        .field("ArgumentName", "Authorization"),
        AuthError::Unsupported(s) => ApiError::msg(
            Code::InvalidArgument,
            format!("Unsupported Authorization Type: {s}"),
        )
        .field("ArgumentName", "Authorization"),
        AuthError::MissingQueryParam(p) => missing_query_param(p, d),
        // A zero validity window (SDKs round a short expiry down) is an expired URL.
        AuthError::ExpiresOutOfRange(0) => ApiError::msg(Code::AccessDenied, "Request has expired"),
        AuthError::ExpiresOutOfRange(n) => ApiError::msg(
            if s3 { Code::AuthorizationQueryParametersError } else { Code::InvalidArgument },
            format!("X-Amz-Expires must be less than a week (in seconds) that is 604800; it was {n}"),
        ),
        e @ (AuthError::MalformedAuthorization(_)
        | AuthError::MalformedQueryParam { .. }
        | AuthError::MalformedCredential(_)
        | AuthError::InvalidScope(_)
        | AuthError::ScopeDateMismatch { .. }) => malformed(e.to_string()),
        AuthError::MissingDate | AuthError::MalformedDate(_) => ApiError::msg(
            Code::AccessDenied,
            if s3 {
                "AWS authentication requires a valid Date or x-amz-date header"
            } else {
                "OSS authentication requires a valid Date or x-oss-date header"
            },
        ),
        AuthError::MissingContentSha256 => ApiError::msg(
            Code::InvalidRequest,
            "Missing required header for this request: x-amz-content-sha256",
        ),
        AuthError::InvalidContentSha256(v) => ApiError::msg(
            Code::InvalidArgument,
            format!("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* mode, or a valid sha256 value; got {v:?}"),
        ),
        e @ (AuthError::MissingSignedHeader(_) | AuthError::HostNotSigned) => {
            malformed(e.to_string())
        }
        AuthError::RequestTimeTooSkewed {
            request_time,
            server_time,
        } => ApiError::new(Code::RequestTimeTooSkewed)
            .field("RequestTime", httpdate_secs(request_time))
            .field("ServerTime", httpdate_secs(server_time))
            .field("MaxAllowedSkewMilliseconds", "900000"),
        AuthError::Expired {
            expires_at,
            server_time,
        } => ApiError::msg(Code::AccessDenied, "Request has expired")
            .field("Expires", httpdate_secs(expires_at))
            .field("ServerTime", httpdate_secs(server_time)),
        AuthError::NotYetValid { .. } => {
            ApiError::msg(Code::AccessDenied, "Request is not valid yet")
        }
        AuthError::SignatureDoesNotMatch(c) => signature_mismatch(&c, s3, parsed),
    }
}

/// A malformed signature: S3 names the query string or the header, OSS says InvalidArgument.
fn malformed(message: String, s3: bool, presigned: bool) -> ApiError {
    if s3 && presigned {
        ApiError::msg(Code::AuthorizationQueryParametersError, message)
    } else if s3 {
        ApiError::msg(Code::AuthorizationHeaderMalformed, message)
    } else {
        ApiError::msg(Code::InvalidArgument, message)
    }
}

/// A presigned URL without one of its parameters.
fn missing_query_param(p: &str, d: Dialect) -> ApiError {
    match d {
        Dialect::Oss => ApiError::msg(
            Code::AccessDenied,
            format!(
                "Query-string authentication requires the Signature, Expires and OSSAccessKeyId parameters (missing {p})"
            ),
        ),
        Dialect::S3 => ApiError::msg(
            Code::AuthorizationQueryParametersError,
            format!("Query-string authentication requires the {p} parameter"),
        ),
    }
}

/// SignatureDoesNotMatch with what the server signed, for the client to compare.
fn signature_mismatch(c: &Canonical, s3: bool, parsed: Option<&ParsedAuth>) -> ApiError {
    let mut err = ApiError::new(Code::SignatureDoesNotMatch);
    if let Some(p) = parsed {
        err = err.field(
            if s3 {
                "AWSAccessKeyId"
            } else {
                "OSSAccessKeyId"
            },
            p.access_key_id(),
        );
    }
    err = err.field("StringToSign", c.string_to_sign.clone());
    if let Some(p) = parsed {
        err = err.field("SignatureProvided", p.signature());
    }
    if let Some(cr) = &c.canonical_request {
        err = err.field("CanonicalRequest", cr.clone());
    }
    if !s3 {
        err = err.field("EC", "0002-00000040");
    }
    err
}

fn httpdate_secs(t: i64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t.max(0) as u64))
}

/// The access key a request claims (used by `--auth off` when a signature does not parse).
pub fn claimed_access_key(
    headers: &[(String, String)],
    query: &[(String, String)],
) -> Option<String> {
    let find = |list: &[(String, String)], name: &str| {
        list.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if let Some(auth) = find(headers, "authorization") {
        let auth = auth.trim();
        if let Some(rest) = auth
            .strip_prefix("OSS ")
            .or_else(|| auth.strip_prefix("AWS "))
        {
            return rest.split(':').next().map(|s| s.trim().to_string());
        }
        if let Some(i) = auth.find("Credential=") {
            return auth[i + "Credential=".len()..]
                .split('/')
                .next()
                .map(|s| s.trim().to_string());
        }
    }
    for name in ["OSSAccessKeyId", "AWSAccessKeyId"] {
        if let Some(v) = find(query, name) {
            return Some(v);
        }
    }
    for name in ["x-oss-credential", "X-Amz-Credential"] {
        if let Some(v) = find(query, name) {
            return v.split('/').next().map(str::to_string);
        }
    }
    None
}

fn is_owner(who: &Identity, bucket: &BucketRecord) -> bool {
    who.account_root() == Some(bucket.owner.as_str())
}

/// Whether ACLs are disabled on `bucket` (S3 Object Ownership `BucketOwnerEnforced`): its
/// owner owns every object and grants give nothing.
pub fn acls_disabled(bucket: &BucketRecord) -> bool {
    bucket.ownership == Some(ObjectOwnership::BucketOwnerEnforced)
}

/// Whether the bucket's public access block says to ignore public grants.
fn ignores_public(bucket: &BucketRecord) -> bool {
    bucket
        .public_access_block
        .is_some_and(|p| p.ignore_public_acls)
}

/// Whether a group URI is one of the public groups (AllUsers, AuthenticatedUsers).
pub fn is_public_group(uri: &str) -> bool {
    uri == ALL_USERS || uri == AUTH_USERS
}

/// Whether any grant names a public group.
pub fn grants_public(grants: &[AclGrant]) -> bool {
    grants
        .iter()
        .any(|g| matches!(&g.grantee, AclGrantee::Group(u) if is_public_group(u)))
}

/// The grants a canned ACL stands for on a resource owned by `owner` in a bucket owned by
/// `bucket_owner`, in the order S3 lists them: group grants, the owner's FULL_CONTROL, then
/// the bucket owner's grant of the `bucket-owner-*` object ACLs (when someone else owns the
/// object).
pub fn canned_grants(canned: &str, owner: &str, bucket_owner: &str) -> Vec<AclGrant> {
    let grant = |grantee, permission| AclGrant {
        grantee,
        permission,
    };
    let group = |uri: &str, p| grant(AclGrantee::Group(uri.to_string()), p);
    let user = |id: &str, p| grant(AclGrantee::User(id.to_string()), p);
    let mut out = match canned {
        "public-read" => vec![group(ALL_USERS, AclPermission::Read)],
        "public-read-write" => vec![
            group(ALL_USERS, AclPermission::Read),
            group(ALL_USERS, AclPermission::Write),
        ],
        "authenticated-read" => vec![group(AUTH_USERS, AclPermission::Read)],
        "log-delivery-write" => vec![
            group(LOG_DELIVERY, AclPermission::Write),
            group(LOG_DELIVERY, AclPermission::ReadAcp),
        ],
        _ => Vec::new(),
    };
    out.push(user(owner, AclPermission::FullControl));
    if bucket_owner != owner {
        match canned {
            "bucket-owner-read" => out.push(user(bucket_owner, AclPermission::Read)),
            "bucket-owner-full-control" => out.push(user(bucket_owner, AclPermission::FullControl)),
            _ => {}
        }
    }
    out
}

/// The grants in force on a bucket: those set one by one, else its canned ACL's.
pub fn bucket_grants(bucket: &BucketRecord) -> Vec<AclGrant> {
    match &bucket.grants {
        Some(g) => g.clone(),
        None => canned_grants(&bucket.acl, &bucket.owner, &bucket.owner),
    }
}

/// Who owns an object: the bucket owner while ACLs are disabled or when no owner is
/// recorded, else its writer's account.
pub fn object_owner<'a>(bucket: &'a BucketRecord, obj: &'a ObjectRecord) -> &'a str {
    if acls_disabled(bucket) || obj.owner.is_empty() {
        &bucket.owner
    } else {
        &obj.owner
    }
}

/// The grants in force on an object; `None` when it has no ACL of its own (OSS `default`:
/// it inherits the bucket's).
pub fn object_grants(bucket: &BucketRecord, obj: &ObjectRecord) -> Option<Vec<AclGrant>> {
    if let Some(g) = &obj.attrs.grants {
        return Some(g.clone());
    }
    let owner = object_owner(bucket, obj);
    obj.attrs
        .acl
        .as_deref()
        .map(|c| canned_grants(c, owner, &bucket.owner))
}

/// Whether `grants` give `who` `perm`: a grant to its account (never to a user of one), to
/// AllUsers, or to AuthenticatedUsers for a signed request; group grants count only without
/// `ignore_public` (IgnorePublicAcls).
pub fn grants_allow(
    who: &Identity,
    grants: &[AclGrant],
    perm: AclPermission,
    ignore_public: bool,
) -> bool {
    grants.iter().any(|g| {
        g.permission.gives(perm)
            && match &g.grantee {
                AclGrantee::User(id) => who.account_root() == Some(id.as_str()),
                AclGrantee::Group(u) if u == ALL_USERS => !ignore_public,
                AclGrantee::Group(u) if u == AUTH_USERS => !ignore_public && who.owner().is_some(),
                AclGrantee::Group(_) => false,
            }
    })
}

/// Whether the bucket's ACL gives `who` `perm`. Its owner (the account itself) has every
/// permission; while ACLs are disabled nobody else has any.
pub fn bucket_acl_allows(who: &Identity, bucket: &BucketRecord, perm: AclPermission) -> bool {
    if is_owner(who, bucket) {
        return true;
    }
    !acls_disabled(bucket)
        && grants_allow(who, &bucket_grants(bucket), perm, ignores_public(bucket))
}

/// Whether an object's ACL gives `who` `perm`. The bucket's owner and the object's have
/// every permission; while ACLs are disabled nobody else has any. An object without an ACL
/// of its own is read as the bucket's ACL allows (and its ACL managed by owners only).
pub fn object_acl_allows(
    who: &Identity,
    bucket: &BucketRecord,
    obj: &ObjectRecord,
    perm: AclPermission,
) -> bool {
    if is_owner(who, bucket) || who.account_root() == Some(object_owner(bucket, obj)) {
        return true;
    }
    if acls_disabled(bucket) {
        return false;
    }
    match object_grants(bucket, obj) {
        Some(g) => grants_allow(who, &g, perm, ignores_public(bucket)),
        None => perm == AclPermission::Read && bucket_acl_allows(who, bucket, perm),
    }
}

/// S3's READ_ACP and WRITE_ACP on an object: its owner and its grantees; the bucket owner
/// only when it owns the object too (S3 object ownership: an object another account wrote
/// keeps its ACL to that account, while OSS lets the bucket owner manage every ACL).
pub fn s3_object_acp_allows(
    who: &Identity,
    bucket: &BucketRecord,
    obj: &ObjectRecord,
    perm: AclPermission,
) -> bool {
    let owner = object_owner(bucket, obj);
    if who.account_root() == Some(owner) {
        return true;
    }
    if owner == bucket.owner {
        return object_acl_allows(who, bucket, obj, perm);
    }
    !acls_disabled(bucket)
        && object_grants(bucket, obj)
            .is_some_and(|g| grants_allow(who, &g, perm, ignores_public(bucket)))
}

/// Whether `who` may list `bucket` (READ).
pub fn may_list(who: &Identity, bucket: &BucketRecord) -> bool {
    bucket_acl_allows(who, bucket, AclPermission::Read)
}

/// Whether `who` may read `bucket`'s ACL (READ_ACP).
pub fn may_read_bucket_acp(who: &Identity, bucket: &BucketRecord) -> bool {
    bucket_acl_allows(who, bucket, AclPermission::ReadAcp)
}

/// Whether `who` may change `bucket`'s ACL (WRITE_ACP).
pub fn may_write_bucket_acp(who: &Identity, bucket: &BucketRecord) -> bool {
    bucket_acl_allows(who, bucket, AclPermission::WriteAcp)
}

/// Whether `who` may change an object's ACL (WRITE_ACP): the bucket's owner, the object's,
/// or a grantee.
pub fn may_manage_object(who: &Identity, bucket: &BucketRecord, obj: &ObjectRecord) -> bool {
    object_acl_allows(who, bucket, obj, AclPermission::WriteAcp)
}

/// Whether `who` may read an object's ACL (READ_ACP).
pub fn may_read_object_acp(who: &Identity, bucket: &BucketRecord, obj: &ObjectRecord) -> bool {
    object_acl_allows(who, bucket, obj, AclPermission::ReadAcp)
}

/// Whether `who` may write objects into `bucket` (WRITE).
pub fn may_write(who: &Identity, bucket: &BucketRecord) -> bool {
    bucket_acl_allows(who, bucket, AclPermission::Write)
}

/// Whether `who` may read `obj` (or, when it does not exist, would be told so: reading a
/// missing key needs list permission, else the answer is 403 rather than 404).
pub fn may_read(who: &Identity, bucket: &BucketRecord, obj: Option<&ObjectRecord>) -> bool {
    match obj {
        Some(o) => object_acl_allows(who, bucket, o, AclPermission::Read),
        None => may_list(who, bucket),
    }
}

/// The ACL permission an operation's [`Permission`] checks on the bucket, if any.
pub fn bucket_permission(p: Permission) -> Option<AclPermission> {
    match p {
        Permission::List => Some(AclPermission::Read),
        Permission::Write => Some(AclPermission::Write),
        Permission::ReadAcp => Some(AclPermission::ReadAcp),
        Permission::Handler | Permission::Owner => None,
    }
}

/// Whether the ACLs give the operation-level permission (see [`Op::permission`]).
pub fn allows(who: &Identity, op: Op, bucket: &BucketRecord) -> bool {
    match op.permission() {
        Permission::Handler => true,
        Permission::Owner => is_owner(who, bucket),
        p => bucket_permission(p).is_some_and(|perm| bucket_acl_allows(who, bucket, perm)),
    }
}

/// Checks the operation-level permission (see [`Op::permission`]).
pub fn authorize(who: &Identity, op: Op, bucket: &BucketRecord) -> ApiResult<()> {
    if allows(who, op, bucket) {
        Ok(())
    } else {
        Err(denied(who))
    }
}

/// Whether the bucket's ACL grants anyone, or any signed-in user, access (AllUsers or
/// AuthenticatedUsers), ACLs being enabled.
pub fn acl_is_public(bucket: &BucketRecord) -> bool {
    !acls_disabled(bucket) && grants_public(&bucket_grants(bucket))
}

/// The AccessDenied error for `who`.
pub fn denied(who: &Identity) -> ApiError {
    match who {
        Identity::Anonymous => ApiError::msg(
            Code::AccessDenied,
            "You have no right to access this resource: the bucket's ACL does not allow anonymous access.",
        ),
        Identity::User { .. } => ApiError::msg(
            Code::AccessDenied,
            "You have no right to access this resource: the bucket's ACL does not grant it to you.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(acl: &str) -> BucketRecord {
        BucketRecord {
            name: "b".into(),
            owner: "owner".into(),
            acl: acl.into(),
            created_ms: 0,
            storage_class: "Standard".into(),
            location: String::new(),
            versioning: Default::default(),
            object_lock: false,
            data_redundancy: None,
            ..Default::default()
        }
    }

    fn user(ak: &str) -> Identity {
        Identity::User {
            access_key: format!("{ak}-key"),
            owner_id: ak.into(),
            display_name: ak.into(),
            user: None,
        }
    }

    #[test]
    fn acl_matrix() {
        let owner = user("owner");
        let other = user("other");
        let anon = Identity::Anonymous;
        let cases = [
            ("private", [true, false, false], [true, false, false]),
            ("public-read", [true, true, true], [true, false, false]),
            ("public-read-write", [true, true, true], [true, true, true]),
        ];
        for (acl, list, write) in cases {
            let b = bucket(acl);
            for (i, who) in [&owner, &other, &anon].into_iter().enumerate() {
                assert_eq!(may_list(who, &b), list[i], "{acl} list {who:?}");
                assert_eq!(may_write(who, &b), write[i], "{acl} write {who:?}");
                assert_eq!(may_read(who, &b, None), list[i], "{acl} read {who:?}");
                assert_eq!(
                    authorize(who, Op::PutBucketWebsite, &b).is_ok(),
                    i == 0,
                    "{acl} configure {who:?}"
                );
            }
        }
        let with_acl = |acl: &str| {
            let attrs = ossemu_store::ObjectAttrs {
                acl: Some(acl.into()),
                ..Default::default()
            };
            ObjectRecord::new(attrs, "", 0)
        };
        let private_obj = with_acl("private");
        let public_obj = with_acl("public-read");
        assert!(!may_read(&anon, &bucket("public-read"), Some(&private_obj)));
        assert!(may_read(&anon, &bucket("private"), Some(&public_obj)));
        assert!(may_read(&owner, &bucket("private"), Some(&private_obj)));
    }
    #[test]
    fn grants_users_and_bucket_settings() {
        let grant = |who: AclGrantee, p: AclPermission| AclGrant {
            grantee: who,
            permission: p,
        };
        let mut b = bucket("private");
        b.grants = Some(vec![
            grant(AclGrantee::User("other".into()), AclPermission::Read),
            grant(AclGrantee::User("other".into()), AclPermission::WriteAcp),
            grant(AclGrantee::Group(AUTH_USERS.into()), AclPermission::Write),
        ]);
        let other = user("other");
        let other_user = Identity::User {
            access_key: "u".into(),
            owner_id: "other".into(),
            display_name: "other".into(),
            user: Some("bob".into()),
        };
        let third = user("third");
        assert!(may_list(&other, &b));
        assert!(may_write_bucket_acp(&other, &b));
        assert!(!may_read_bucket_acp(&other, &b));
        // A user of the grantee account gets only the public groups' grants.
        assert!(!may_list(&other_user, &b));
        assert!(may_write(&other_user, &b));
        assert!(may_write(&third, &b));
        assert!(!may_write(&Identity::Anonymous, &b));
        // IgnorePublicAcls drops the group grant, not the account's.
        b.public_access_block = Some(ossemu_store::PublicAccessBlock {
            ignore_public_acls: true,
            ..Default::default()
        });
        assert!(!may_write(&third, &b));
        assert!(may_list(&other, &b));
        // BucketOwnerEnforced: grants give nothing, the owner keeps everything.
        b.ownership = Some(ObjectOwnership::BucketOwnerEnforced);
        assert!(!may_list(&other, &b));
        assert!(may_write_bucket_acp(&user("owner"), &b));
        let obj = ObjectRecord::new(Default::default(), "other", 0);
        assert_eq!(object_owner(&b, &obj), "owner");
        assert!(!may_read(&other, &b, Some(&obj)));
        b.ownership = None;
        assert!(may_manage_object(&other, &b, &obj), "its owner");
        assert!(!may_manage_object(&other_user, &b, &obj));
        // FULL_CONTROL gives every permission.
        let mut o = ObjectRecord::new(Default::default(), "owner", 0);
        o.attrs.grants = Some(vec![grant(
            AclGrantee::User("third".into()),
            AclPermission::FullControl,
        )]);
        assert!(may_read(&third, &b, Some(&o)));
        assert!(may_read_object_acp(&third, &b, &o));
        assert!(may_manage_object(&third, &b, &o));
        assert!(!may_read(&other, &b, Some(&o)));
    }
}
