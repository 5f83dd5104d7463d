//! PostObject: browser form uploads (`POST /<bucket>` with `multipart/form-data`), as OSS
//! "web direct upload" and S3 POST policies use them.
//!
//! Fields come first and the `file` part last; the file is streamed into the store. A signed
//! form carries a base64 policy (expiration and conditions) and its signature: OSS V1
//! (`OSSAccessKeyId`, `Signature`), OSS V4 (`x-oss-credential`, `x-oss-date`,
//! `x-oss-signature`), AWS V2 (`AWSAccessKeyId`, `signature`) or AWS V4 (`x-amz-credential`,
//! `x-amz-date`, `x-amz-signature`). An unsigned form is anonymous and needs a bucket that
//! allows anonymous writes. S3-style forms must cover every field with a policy condition;
//! OSS forms are checked against the conditions they list.

use base64::Engine;
use http::{Response, StatusCode};
use ossemu_store::{BucketRecord, ObjectRecord};
use serde_json::Value;

use super::object::{MAX_PUT_SIZE, overwrite_refused, receive};
use super::{set, xml_ok};
use crate::access::{self, Identity};
use crate::attrs;
use crate::body::{Body, ReqStream};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// Largest value of a non-file field.
const MAX_FIELD: u64 = 64 * 1024;
/// Largest total of the non-file fields of a form whose signature checks out, and their count.
const MAX_FIELDS_BYTES: usize = 1 << 20;
const MAX_FIELDS: usize = 1000;
/// Largest total of the non-file fields held before the form's signature is verified: an
/// unsigned (or not yet verifiable) form never makes the server hold more.
const UNVERIFIED_FIELDS_BYTES: usize = 64 * 1024;

/// Fields a policy never needs to cover.
fn exempt(name: &str) -> bool {
    matches!(
        name,
        "file"
            | "policy"
            | "signature"
            | "awsaccesskeyid"
            | "ossaccesskeyid"
            | "x-amz-signature"
            | "x-oss-signature"
    ) || name.starts_with("x-ignore-")
        || name.starts_with("x-amz-checksum-")
}

/// The form's fields (names lower-cased, in order).
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn bad(code: Code, message: impl Into<String>) -> ApiError {
    ApiError::msg(code, message.into())
}

fn policy_failed(why: impl std::fmt::Display) -> ApiError {
    ApiError::msg(
        Code::AccessDenied,
        format!("Invalid according to Policy: {why}"),
    )
}

/// Reads fields until the `file` part; returns them and the file's stream and file name.
async fn read_form(
    cx: &Ctx,
    body: ReqStream,
) -> ApiResult<(Form, Option<String>, Option<String>, ReqStream)> {
    let boundary = cx
        .header("content-type")
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| {
            bad(
                Code::InvalidArgument,
                "POST requires a multipart/form-data body with a boundary.",
            )
        })?;
    let limits = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .per_field(MAX_FIELD)
            .for_field("file", MAX_PUT_SIZE),
    );
    let mut mp = multer::Multipart::with_constraints(body, boundary, limits);
    let mut fields = Vec::new();
    let mut fields_bytes = 0usize;
    let mut held = cx.state.buffers.claim();
    let mut verified = false;
    loop {
        let field = mp.next_field().await.map_err(multipart_error)?;
        let Some(mut field) = field else {
            return Err(bad(
                Code::InvalidArgument,
                "POST requires exactly one file upload per request.",
            ));
        };
        let name = field.name().unwrap_or_default().to_ascii_lowercase();
        if name == "file" {
            let file_name = field.file_name().map(str::to_string);
            let part_type = field.content_type().map(|m| m.to_string());
            // The rest of the body is the file: stream it out of the parser.
            let stream = futures_util::stream::unfold((mp, field), |(mp, mut field)| async move {
                match field.chunk().await {
                    Ok(Some(c)) => Some((Ok(c), (mp, field))),
                    Ok(None) => None,
                    Err(e) => Some((Err(multipart_error(e)), (mp, field))),
                }
            });
            return Ok((Form(fields), file_name, part_type, Box::pin(stream)));
        }
        let mut value = Vec::new();
        while let Some(c) = field.chunk().await.map_err(multipart_error)? {
            if !held.grow(c.len()) {
                return Err(busy(cx.dialect));
            }
            value.extend_from_slice(&c);
        }
        fields_bytes += name.len() + value.len();
        fields.push((name, String::from_utf8_lossy(&value).into_owned()));
        if fields_bytes > MAX_FIELDS_BYTES || fields.len() >= MAX_FIELDS {
            return Err(too_many_fields());
        }
        if fields_bytes > UNVERIFIED_FIELDS_BYTES && !verified {
            verified = signed_form(cx, &fields);
            if !verified {
                return Err(too_many_fields());
            }
        }
    }
}

fn too_many_fields() -> ApiError {
    bad(
        Code::MaxPOSTPreDataLengthExceeded,
        format!(
            "Your POST request fields preceding the upload file exceed the maximum: {MAX_FIELDS} fields, {MAX_FIELDS_BYTES} bytes ({UNVERIFIED_FIELDS_BYTES} bytes before a signature is seen)."
        ),
    )
}

/// The server holds as much request data as its budget allows: try again later.
fn busy(d: Dialect) -> ApiError {
    match d {
        Dialect::S3 => ApiError::new(Code::SlowDown),
        Dialect::Oss => ApiError::msg(Code::ServiceUnavailable, "Please reduce your request rate."),
    }
}

/// Whether the fields read so far carry a policy signature that checks out.
fn signed_form(cx: &Ctx, fields: &[(String, String)]) -> bool {
    let s3 = fields
        .iter()
        .any(|(k, _)| k == "awsaccesskeyid" || k.starts_with("x-amz-"));
    let dialect = if s3 { Dialect::S3 } else { Dialect::Oss };
    matches!(
        access::form_identity(&cx.state, dialect, fields),
        Ok(Identity::User { .. })
    )
}

fn multipart_error(e: multer::Error) -> ApiError {
    match e {
        multer::Error::StreamReadFailed(inner) => match inner.downcast::<ApiError>() {
            Ok(api) => *api,
            Err(other) => bad(Code::IncompleteBody, other.to_string()),
        },
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            ApiError::new(Code::EntityTooLarge)
        }
        e => bad(
            Code::MalformedPOSTRequest,
            format!("The body of your POST request is not well-formed multipart/form-data: {e}"),
        ),
    }
}

/// The decoded policy: expiration checked; conditions returned.
fn policy(form: &Form) -> ApiResult<Vec<Value>> {
    let raw = form.get("policy").unwrap_or_default();
    let json = base64::engine::general_purpose::STANDARD
        .decode(raw.trim())
        .map_err(|_| {
            bad(
                Code::InvalidPolicyDocument,
                "The policy is not valid base64.",
            )
        })?;
    let doc: Value = serde_json::from_slice(&json).map_err(|e| {
        bad(
            Code::InvalidPolicyDocument,
            format!("The policy is not valid JSON: {e}"),
        )
    })?;
    let expiration = doc
        .get("expiration")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            bad(
                Code::InvalidPolicyDocument,
                "Invalid Policy: Policy missing expiration.",
            )
        })?;
    // ISO 8601 in UTC, as both providers document it: `2026-01-01T12:00:00.000Z`.
    let iso = expiration.contains('T') && expiration.ends_with('Z');
    let expires = chrono::DateTime::parse_from_rfc3339(expiration)
        .ok()
        .filter(|_| iso)
        .ok_or(())
        .map_err(|_| {
            bad(
                Code::InvalidPolicyDocument,
                format!("Invalid Policy: Invalid 'expiration' value: '{expiration}'"),
            )
        })?;
    if expires < chrono::Utc::now() {
        return Err(policy_failed("Policy expired."));
    }
    let conditions = doc
        .get("conditions")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            bad(
                Code::InvalidPolicyDocument,
                "Invalid Policy: Policy missing conditions.",
            )
        })?;
    if conditions.is_empty() {
        return Err(bad(
            Code::InvalidPolicyDocument,
            "Invalid Policy: Policy conditions are empty.",
        ));
    }
    Ok(conditions.clone())
}

/// A policy condition, normalised.
enum Condition {
    /// Field (lower-case, without `$`) equals / starts with a value.
    Eq(String, String),
    StartsWith(String, String),
    /// OSS only: the field is one of / none of the values (and is present either way).
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    /// Allowed body size.
    Length(u64, u64),
}

impl Condition {
    /// The field a condition is about (`None` for the size range).
    fn field(&self) -> Option<&str> {
        match self {
            Condition::Eq(f, _)
            | Condition::StartsWith(f, _)
            | Condition::In(f, _)
            | Condition::NotIn(f, _) => Some(f),
            Condition::Length(..) => None,
        }
    }

    /// Whether a field's value (`None`: not in the form) satisfies the condition.
    fn holds(&self, value: Option<&str>) -> bool {
        let Some(v) = value else {
            return matches!(self, Condition::Length(..));
        };
        match self {
            Condition::Eq(_, want) => v == want,
            // Content-Type may be a comma-separated list; every entry must match.
            Condition::StartsWith(f, prefix) if f == "content-type" => {
                v.split(',').all(|p| p.trim().starts_with(prefix.as_str()))
            }
            Condition::StartsWith(_, prefix) => v.starts_with(prefix.as_str()),
            Condition::In(_, values) => values.iter().any(|x| x == v),
            Condition::NotIn(_, values) => !values.iter().any(|x| x == v),
            Condition::Length(..) => true,
        }
    }

    /// The condition as the error message quotes it (`["in", "$f", ["a","b"]]`).
    fn describe(&self) -> String {
        let list = |values: &[String]| Value::from(values.to_vec()).to_string();
        match self {
            Condition::Eq(f, v) => format!("[\"eq\", \"${f}\", \"{v}\"]"),
            Condition::StartsWith(f, v) => format!("[\"starts-with\", \"${f}\", \"{v}\"]"),
            Condition::In(f, v) => format!("[\"in\", \"${f}\", {}]", list(v)),
            Condition::NotIn(f, v) => format!("[\"not-in\", \"${f}\", {}]", list(v)),
            Condition::Length(min, max) => format!("[\"content-length-range\", {min}, {max}]"),
        }
    }
}

/// Parses one condition; `in` and `not-in` are OSS's (S3 documents only `eq`,
/// `starts-with` and `content-length-range`, so S3 forms get InvalidPolicyDocument).
fn parse_condition(c: &Value, s3: bool) -> ApiResult<Condition> {
    let invalid = || {
        bad(
            Code::InvalidPolicyDocument,
            format!("Invalid Policy: Invalid Condition {c}"),
        )
    };
    let field = |v: &Value| -> ApiResult<String> {
        let s = v.as_str().ok_or_else(invalid)?;
        Ok(s.strip_prefix('$').unwrap_or(s).to_ascii_lowercase())
    };
    let text = |v: &Value| v.as_str().map(str::to_string).ok_or_else(invalid);
    let texts = |v: &Value| -> ApiResult<Vec<String>> {
        v.as_array().ok_or_else(invalid)?.iter().map(text).collect()
    };
    let Value::Array(a) = c else {
        return match c {
            Value::Object(m) if m.len() == 1 => {
                let (k, v) = m.iter().next().ok_or_else(invalid)?;
                Ok(Condition::Eq(k.to_ascii_lowercase(), text(v)?))
            }
            _ => Err(invalid()),
        };
    };
    let op = a
        .first()
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    match (op.as_deref(), &a[..]) {
        (Some("eq"), [_, f, v]) => Ok(Condition::Eq(field(f)?, text(v)?)),
        (Some("starts-with"), [_, f, v]) => Ok(Condition::StartsWith(field(f)?, text(v)?)),
        (Some("in"), [_, f, v]) if !s3 => Ok(Condition::In(field(f)?, texts(v)?)),
        (Some("not-in"), [_, f, v]) if !s3 => Ok(Condition::NotIn(field(f)?, texts(v)?)),
        (Some("content-length-range"), [_, min, max]) => match (min.as_u64(), max.as_u64()) {
            (Some(min), Some(max)) => Ok(Condition::Length(min, max)),
            _ => Err(invalid()),
        },
        _ => Err(invalid()),
    }
}

/// Checks the conditions against the fields; returns the allowed size range. A failed
/// condition is 403 AccessDenied quoting it (with OSS's EC in an OSS form).
fn check_conditions(
    conditions: &[Value],
    form: &Form,
    bucket: &str,
    s3: bool,
) -> ApiResult<(u64, u64)> {
    let parsed: Vec<Condition> = conditions
        .iter()
        .map(|c| parse_condition(c, s3))
        .collect::<ApiResult<_>>()?;
    let value = |name: &str| -> Option<&str> {
        if name == "bucket" {
            Some(bucket)
        } else {
            form.get(name)
        }
    };
    let mut range = (0, MAX_PUT_SIZE);
    for c in &parsed {
        if let Condition::Length(min, max) = c {
            range = (*min, *max);
        } else if !c.holds(c.field().and_then(value)) {
            let err = policy_failed(format!("Policy Condition failed: {}", c.describe()));
            return Err(if s3 {
                err
            } else {
                err.field("EC", "0006-00000227")
            });
        }
    }
    if s3 {
        for (name, _) in &form.0 {
            let covered = exempt(name) || parsed.iter().any(|c| c.field() == Some(name));
            if !covered {
                return Err(policy_failed(format!("Extra input fields: {name}")));
            }
        }
    }
    Ok(range)
}

/// Whether the form's signer (or anonymous) may write `key`: ACLs and policies.
fn may_post(cx: &Ctx, who: &Identity, bucket: &BucketRecord, key: &str) -> ApiResult<()> {
    crate::authz::decide(
        cx,
        crate::authz::Ask {
            who,
            op: crate::router::Op::PostObject,
            bucket,
            key: Some(key),
            obj: None,
            acl: access::may_write(who, bucket),
        },
    )
}

/// PostObject.
pub async fn post_object(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let (mut form, file_name, part_type, file) = read_form(cx, body).await?;
    // `${filename}` in the key is replaced before the policy sees it.
    if let Some((_, key)) = form.0.iter_mut().find(|(k, _)| k == "key") {
        *key = key.replace("${filename}", file_name.as_deref().unwrap_or_default());
    }
    let s3 = form
        .0
        .iter()
        .any(|(k, _)| k == "awsaccesskeyid" || k.starts_with("x-amz-"));
    let dialect = if s3 { Dialect::S3 } else { cx.dialect };
    let form_dialect = if s3 { Dialect::S3 } else { Dialect::Oss };
    let who = access::form_identity(&cx.state, form_dialect, &form.0)?;
    let (min, max) = size_range(&form, &bucket.name, s3, &who)?;
    let key = object_key(&form, dialect)?;
    may_post(cx, &who, &bucket, &key)?;
    let callback = match (form.get("callback"), s3) {
        (Some(cb), false) => {
            let vars = form.0.iter().filter(|(k, _)| k.starts_with("x:")).cloned();
            Some(crate::callback::Callback::from_form(cb, vars.collect())?)
        }
        _ => None,
    };
    let mut attrs = attrs::parse(&attrs::Source::Form {
        fields: &form.0,
        file_type: part_type.as_deref(),
        s3,
    })?;
    if attrs.sse.is_none() && !s3 {
        attrs.sse = super::encryption::object_default(cx, &bucket.name)?;
    }
    let owner = form_owner(&form, &bucket, who.owner().unwrap_or(&bucket.owner), &attrs)?;
    let mut rec = ObjectRecord::new(attrs, &owner, ossemu_store::now_ms());
    // A form carries no lock headers: the bucket's default retention applies.
    (rec.retention, rec.legal_hold) = super::retention::for_write(cx, &bucket)?;
    let forbid = form
        .get("x-oss-forbid-overwrite")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let checksums: Vec<(String, String)> = form
        .0
        .iter()
        .filter(|(k, _)| k.starts_with("x-amz-checksum-"))
        .cloned()
        .collect();
    let file = crate::payload::checksum_verified(file, &checksums)?;
    let blob = receive(cx, file, max.min(MAX_PUT_SIZE)).await?;
    if blob.len < min {
        return Err(ApiError::msg(
            Code::EntityTooSmall,
            format!(
                "Your proposed upload is smaller than the minimum allowed size: {} bytes, the policy requires at least {min}.",
                blob.len
            ),
        ));
    }
    let worm = super::worm::OverwriteGuard::of(cx, &bucket)?;
    let check = |cur: Option<&ObjectRecord>| {
        worm.check(cur)?;
        if forbid && cur.is_some() {
            Err(overwrite_refused(dialect))
        } else {
            Ok(())
        }
    };
    let rec = cx
        .store()
        .put_object(&bucket.name, &key, rec, blob, &check)
        .await?;
    crate::notify::object_created(cx, &bucket, &key, &rec, crate::notify::Kind::Post).await;
    let answer = respond(cx, &form, &bucket.name, &key, &rec, dialect);
    match callback {
        None => Ok(answer),
        Some(cb) => super::object::callback_answer(cx, &cb, &bucket.name, &key, &rec, answer).await,
    }
}

/// The body sizes the policy allows; a signed form needs a policy.
fn size_range(form: &Form, bucket: &str, s3: bool, who: &Identity) -> ApiResult<(u64, u64)> {
    if form.get("policy").is_some() {
        check_conditions(&policy(form)?, form, bucket, s3)
    } else if who.owner().is_some() {
        Err(bad(
            Code::InvalidArgument,
            "A signed POST needs a policy field.",
        ))
    } else {
        Ok((0, MAX_PUT_SIZE))
    }
}

/// The `key` field: present, not empty, at most 1023 bytes, no control characters.
fn object_key(form: &Form, dialect: Dialect) -> ApiResult<String> {
    let key = form
        .get("key")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            bad(
                Code::InvalidArgument,
                "Bucket POST must contain a field named 'key'.",
            )
        })?
        .to_string();
    // The same rules as a key in a request path.
    crate::pipeline::classify::check_key(&key, dialect)?;
    Ok(key)
}

/// The answer to a stored upload: a redirect to `success_action_redirect`, or the status
/// `success_action_status` asks for (201 with a PostResponse document, 200, else 204).
fn respond(
    cx: &Ctx,
    form: &Form,
    bucket: &str,
    key: &str,
    rec: &ObjectRecord,
    dialect: Dialect,
) -> Response<Body> {
    let etag = dialect.etag(&rec.etag);
    let location = super::object_url(cx, bucket, key);
    if let Some(url) = form
        .get("success_action_redirect")
        .filter(|u| !u.is_empty())
    {
        let sep = if url.contains('?') { '&' } else { '?' };
        let target = format!(
            "{url}{sep}bucket={}&key={}&etag={}",
            bucket,
            super::maybe_encode(key, true),
            super::maybe_encode(&etag, true)
        );
        let mut r = super::no_body(StatusCode::SEE_OTHER);
        set(r.headers_mut(), "location", &target);
        set(r.headers_mut(), "etag", &etag);
        return r;
    }
    let mut r = match form.get("success_action_status") {
        Some("201") => {
            let doc = format!(
                "{}\n<PostResponse><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></PostResponse>",
                ossemu_xml::XML_DECLARATION,
                ossemu_xml::escape(&location),
                ossemu_xml::escape(bucket),
                ossemu_xml::escape(key),
                ossemu_xml::escape(&etag)
            );
            let mut r = xml_ok(doc);
            *r.status_mut() = StatusCode::CREATED;
            r
        }
        Some("200") => super::no_body(StatusCode::OK),
        _ => super::no_body(StatusCode::NO_CONTENT),
    };
    set(r.headers_mut(), "etag", &etag);
    set(r.headers_mut(), "location", &location);
    set(
        r.headers_mut(),
        "x-oss-hash-crc64ecma",
        &rec.crc64.to_string(),
    );
    super::versioning::set_written(cx, r.headers_mut(), rec);
    r
}

/// The owner of a form's object (see [`super::ownership::new_object_owner`]), once the ACL the
/// form names (`acl`, `x-oss-object-acl`) is checked against the bucket's Object Ownership
/// and public access block.
fn form_owner(
    form: &Form,
    bucket: &ossemu_store::BucketRecord,
    writer: &str,
    attrs: &ossemu_store::ObjectAttrs,
) -> ApiResult<String> {
    use super::ownership;
    let named = form.get("acl").or_else(|| form.get("x-oss-object-acl"));
    if let Some(req) = ownership::requested_of(attrs).filter(|_| named.is_some()) {
        ownership::check_acl(bucket, &req, writer, ownership::AclTarget::NewObject)?;
    }
    Ok(ownership::new_object_owner(bucket, writer, attrs))
}
