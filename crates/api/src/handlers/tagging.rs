//! Get/Put/DeleteObjectTagging and Get/Put/DeleteBucketTagging (`?tagging`), and the tag
//! limits shared with the `x-oss-tagging` / `x-amz-tagging` header of the write requests.

use http::{Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_store::{BucketRecord, ObjectRecord};
use ossemu_xml::S3_NS;
use ossemu_xml::tagging::Tagging;

use super::{no_body, parse_content_md5, versioning, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::bucket::SMALL_BODY;
use crate::request::Ctx;

/// Which characters tag keys and values may hold, and which key prefixes are reserved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TagRules {
    /// OSS object tags: letters, digits, spaces and `+ - = . _ : /`. The error page
    /// 0010-00000212 lists `a-z A-Z`, but OSS stores Chinese tag keys and values (oss2's
    /// `test_put_object_tagging` and `test_multipart_with_tagging` put `中文` and pass against
    /// the cloud), so letters and digits are Unicode ones.
    OssObject,
    /// OSS bucket tags: any UTF-8 (oss2's `test_bucket_tagging` puts `%@abc`), but no key
    /// starting with `http://`, `https://`, `Aliyun` or `acs` (any case; 0010-00000207,
    /// 0010-00000002).
    OssBucket,
    /// S3 (objects and buckets): `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`, as the S3 Tag type
    /// documents: Unicode letters, separators and numbers, `_ . : / = + - @`.
    S3,
}

impl TagRules {
    /// Whether every character of a key or value is allowed.
    fn allows(self, text: &str) -> bool {
        let extra: &[char] = match self {
            TagRules::OssBucket => return true,
            TagRules::OssObject => &['+', '-', '=', '.', '_', ':', '/'],
            TagRules::S3 => &['+', '-', '=', '.', '_', ':', '/', '@'],
        };
        text.chars().all(|c| {
            c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || extra.contains(&c)
        })
    }

    /// Whether a key starts with a prefix reserved by the provider.
    fn reserved(self, key: &str) -> bool {
        let lower = key.to_lowercase();
        self == TagRules::OssBucket
            && ["http://", "https://", "aliyun", "acs"]
                .iter()
                .any(|p| lower.starts_with(p))
    }
}

/// How many tags, how long their keys and values (in characters) and which characters a
/// resource's tags may have.
#[derive(Clone, Copy, Debug)]
pub struct TagLimits {
    what: &'static str,
    tags: usize,
    key: usize,
    value: usize,
    rules: TagRules,
    /// Whether the error names the offending tag (`<TagKey>`, `<TagValue>`), as S3's does.
    s3: bool,
}

/// Object tags in dialect `d`: 10 tags, keys up to 128 and values up to 256 characters, of
/// the dialect's character set.
pub fn object_limits(d: Dialect) -> TagLimits {
    TagLimits {
        what: "Object",
        tags: 10,
        key: 128,
        value: 256,
        rules: match d {
            Dialect::Oss => TagRules::OssObject,
            Dialect::S3 => TagRules::S3,
        },
        s3: d == Dialect::S3,
    }
}

/// The tag conditions of lifecycle rules: the object character set of the dialect. OSS
/// checks no count or length there (oss2's `test_lifecycle_object_tagging_exceptions_*` put
/// 19 tags, a 129-character key and a 257-character value and expect success); S3 checks
/// its object tag lengths.
pub fn lifecycle_limits(d: Dialect) -> TagLimits {
    match d {
        Dialect::Oss => TagLimits {
            what: "Lifecycle rule",
            tags: usize::MAX,
            key: usize::MAX,
            value: usize::MAX,
            rules: TagRules::OssObject,
            s3: false,
        },
        Dialect::S3 => TagLimits {
            what: "Lifecycle rule",
            tags: 50,
            ..object_limits(d)
        },
    }
}

/// Buckets: S3 allows 50 tags of 128/256 characters, OSS 20 tags of 64/128.
fn bucket_limits(d: Dialect) -> TagLimits {
    match d {
        Dialect::S3 => TagLimits {
            what: "Bucket",
            tags: 50,
            key: 128,
            value: 256,
            rules: TagRules::S3,
            s3: true,
        },
        Dialect::Oss => TagLimits {
            what: "Bucket",
            tags: 20,
            key: 64,
            value: 128,
            rules: TagRules::OssBucket,
            s3: false,
        },
    }
}

/// Bucket configuration kind the bucket's tags are stored under.
const KIND: &str = "tagging";

/// The InvalidTag error for a bad key (and, with `value`, a bad value) of tag `key`.
fn invalid_tag(limits: TagLimits, key: &str, value: Option<&str>) -> ApiError {
    let what = if value.is_some() {
        "TagValue"
    } else {
        "TagKey"
    };
    let e = ApiError::msg(
        Code::InvalidTag,
        format!("The {what} you have provided is invalid"),
    );
    match (limits.s3, value) {
        (false, _) => e,
        (true, None) => e.field("TagKey", key),
        (true, Some(v)) => e.field("TagKey", key).field("TagValue", v),
    }
}

/// Checks a tag set against `limits` (not too many tags, keys not empty, keys and values not
/// too long and of allowed characters, no reserved key prefix, no key twice) and puts it in
/// key order, the order both providers answer in.
pub fn check_tags(tags: &mut [(String, String)], limits: TagLimits) -> ApiResult<()> {
    let invalid = |m: String| Err(ApiError::msg(Code::InvalidTag, m));
    let TagLimits {
        what,
        tags: max_tags,
        key: max_key,
        value: max_value,
        rules,
        ..
    } = limits;
    if tags.len() > max_tags {
        return invalid(format!("{what} tags cannot be greater than {max_tags}"));
    }
    for (i, (k, v)) in tags.iter().enumerate() {
        if k.is_empty() || !rules.allows(k) || rules.reserved(k) {
            return Err(invalid_tag(limits, k, None));
        }
        if k.chars().count() > max_key {
            return invalid(format!(
                "The TagKey you have provided is too long, max {max_key}"
            ));
        }
        if !rules.allows(v) {
            return Err(invalid_tag(limits, k, Some(v)));
        }
        if v.chars().count() > max_value {
            return invalid(format!(
                "The TagValue you have provided is too long, max {max_value}"
            ));
        }
        if tags[..i].iter().any(|(other, _)| other == k) {
            return invalid("Cannot provide multiple Tags with the same key".into());
        }
    }
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(())
}

/// GetObjectTagging: the object's (or the version's) tags, readable by whoever may read it.
pub async fn get_object_tagging(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let (rec, _) = super::acl::target_version(cx, &bucket)?;
    crate::authz::read(cx, &bucket, cx.key()?, rec.as_ref())?;
    let rec = rec.ok_or_else(|| versioning::no_such_key(cx, &bucket, cx.key().unwrap_or("")))?;
    let xmlns = (cx.dialect == Dialect::S3).then_some(S3_NS);
    let mut r = xml_ok(ossemu_xml::to_xml_as(
        "Tagging",
        &Tagging::new(&rec.attrs.tagging, xmlns),
    ));
    versioning::set_served(cx, r.headers_mut(), &bucket, &rec);
    Ok(r)
}

/// PutObjectTagging: replaces the object's (or the version's) tags; the body, ETag and
/// Last-Modified stay.
pub async fn put_object_tagging(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let tags = read_tags(cx, body, object_limits(cx.dialect)).await?;
    set_tags(cx, &bucket, tags, StatusCode::OK).await
}

/// A `Tagging` request body (Content-MD5 checked when given), checked against `limits`.
async fn read_tags(
    cx: &Ctx,
    body: ReqStream,
    limits: TagLimits,
) -> ApiResult<Vec<(String, String)>> {
    let want_md5 = parse_content_md5(cx)?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    if want_md5.is_some_and(|m| <[u8; 16]>::from(Md5::digest(&raw)) != m) {
        return Err(super::digest_mismatch(cx.dialect));
    }
    let mut tags = ossemu_xml::from_xml::<Tagging>(&raw, "Tagging", SMALL_BODY)?
        .pairs()
        .ok_or_else(|| ApiError::msg(Code::MalformedXML, "Tagging has no TagSet."))?;
    check_tags(&mut tags, limits)?;
    Ok(tags)
}

/// DeleteObjectTagging: removes every tag (204).
pub async fn delete_object_tagging(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    set_tags(cx, &bucket, Vec::new(), StatusCode::NO_CONTENT).await
}

/// Sets the tags of the object or of the version `versionId` names.
async fn set_tags(
    cx: &Ctx,
    bucket: &BucketRecord,
    tags: Vec<(String, String)>,
    status: StatusCode,
) -> ApiResult<Response<Body>> {
    let key = cx.key()?;
    let (rec, version) = super::acl::target_version(cx, bucket)?;
    if rec.is_none() {
        return Err(versioning::no_such_key(cx, bucket, key));
    }
    let edit = |cur: &ObjectRecord| -> ApiResult<ObjectRecord> {
        let mut rec = cur.clone();
        rec.attrs.tagging = tags.clone();
        Ok(rec)
    };
    versioning::edit_version(cx, bucket, version, status, &edit).await
}

fn tagging_doc(cx: &Ctx, tags: &[(String, String)]) -> Response<Body> {
    let xmlns = (cx.dialect == Dialect::S3).then_some(S3_NS);
    xml_ok(ossemu_xml::to_xml_as("Tagging", &Tagging::new(tags, xmlns)))
}

/// A bucket's tags (`None` when it has none).
pub fn load_bucket_tags(cx: &Ctx, bucket: &str) -> ApiResult<Option<Vec<(String, String)>>> {
    match cx.store().meta().get_config(bucket, KIND)? {
        None => Ok(None),
        Some(raw) => serde_json::from_slice(&raw)
            .map(Some)
            .map_err(ApiError::internal),
    }
}

async fn store_bucket_tags(cx: &Ctx, bucket: &str, tags: &[(String, String)]) -> ApiResult<()> {
    let doc = (!tags.is_empty())
        .then(|| serde_json::to_vec(tags))
        .transpose()
        .map_err(ApiError::internal)?;
    cx.store().put_config(bucket, KIND, doc.as_deref()).await?;
    Ok(())
}

/// GetBucketTagging (S3: 404 NoSuchTagSet without tags) / GetBucketTags (OSS: an empty set).
pub async fn get_bucket_tagging(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    match (load_bucket_tags(cx, &bucket.name)?, cx.dialect) {
        (Some(tags), _) => Ok(tagging_doc(cx, &tags)),
        (None, Dialect::Oss) => Ok(tagging_doc(cx, &[])),
        (None, Dialect::S3) => Err(ApiError::new(Code::NoSuchTagSet)),
    }
}

/// PutBucketTagging / PutBucketTags: replaces the bucket's tags.
pub async fn put_bucket_tagging(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let tags = read_tags(cx, body, bucket_limits(cx.dialect)).await?;
    store_bucket_tags(cx, &bucket.name, &tags).await?;
    Ok(no_body(StatusCode::OK))
}

/// DeleteBucketTagging (204). OSS `?tagging=k1,k2` removes only those keys.
pub async fn delete_bucket_tagging(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let only: Vec<&str> = match cx.query.get("tagging") {
        Some(list) if cx.dialect == Dialect::Oss && !list.is_empty() => list.split(',').collect(),
        _ => Vec::new(),
    };
    let mut tags = if only.is_empty() {
        Vec::new()
    } else {
        load_bucket_tags(cx, &bucket.name)?.unwrap_or_default()
    };
    tags.retain(|(k, _)| !only.contains(&k.as_str()));
    store_bucket_tags(cx, &bucket.name, &tags).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}
