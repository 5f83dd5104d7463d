//! Bucket default encryption: PutBucketEncryption, GetBucketEncryption and
//! DeleteBucketEncryption (`?encryption`; OSS `ServerSideEncryptionRule`, S3
//! `ServerSideEncryptionConfiguration`), the same default set by OSS PutBucket's
//! `x-oss-server-side-encryption` headers, and its application to every new object whose
//! write names no encryption, in either dialect. ossemu has no KMS: a key id is stored and
//! echoed, never used.

use http::{Response, StatusCode};
use ossemu_store::{Meta, Sse};
use serde::{Deserialize, Serialize};

use super::bucket::SMALL_BODY;
use super::{no_body, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// The configuration document kind holding a bucket's default encryption.
const KIND: &str = "encryption";

/// `<ApplyServerSideEncryptionByDefault>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByDefault {
    /// `AES256`, `KMS` or `SM4`.
    #[serde(rename = "SSEAlgorithm", default)]
    pub sse_algorithm: String,
    /// The KMS key, under `KMS` only.
    #[serde(
        rename = "KMSMasterKeyID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub kms_master_key_id: Option<String>,
    /// The data algorithm under `KMS` (`SM4`).
    #[serde(
        rename = "KMSDataEncryption",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub kms_data_encryption: Option<String>,
}

/// `<ServerSideEncryptionRule>` (OSS's root; S3's `<Rule>`).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServerSideEncryptionRule {
    #[serde(default)]
    apply_server_side_encryption_by_default: ByDefault,
    /// S3: `BucketKeyEnabled`, echoed (there are no data keys to save).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bucket_key_enabled: Option<bool>,
}

/// S3's `<ServerSideEncryptionConfiguration>`: one `<Rule>`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServerSideEncryptionConfiguration {
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    xmlns: Option<String>,
    #[serde(rename = "Rule", default)]
    rules: Vec<ServerSideEncryptionRule>,
}

/// The bucket's default encryption, if any.
pub fn load(meta: &Meta, bucket: &str) -> ApiResult<Option<ByDefault>> {
    super::load_config(meta, bucket, KIND)
}

/// Checks a default as OSS does: the algorithm is one of `AES256`, `KMS`, `SM4`
/// (else InvalidEncryptionAlgorithmError); a key id or a data algorithm only under `KMS`,
/// the data algorithm `SM4` (else InvalidArgument). Empty values count as absent.
pub fn check(rule: ByDefault) -> ApiResult<ByDefault> {
    let rule = ByDefault {
        kms_master_key_id: rule.kms_master_key_id.filter(|k| !k.is_empty()),
        kms_data_encryption: rule.kms_data_encryption.filter(|k| !k.is_empty()),
        ..rule
    };
    if !["AES256", "KMS", "SM4"].contains(&rule.sse_algorithm.as_str()) {
        return Err(ApiError::msg(
            Code::InvalidEncryptionAlgorithmError,
            "The Encryption request you specified is not valid. Supported value: AES256/SM4/KMS.",
        ));
    }
    let kms = rule.sse_algorithm == "KMS";
    if !kms && rule.kms_master_key_id.is_some() {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            "KMSMasterKeyID is not applicable if the default sse algorithm is not KMS.",
        ));
    }
    if let Some(d) = &rule.kms_data_encryption
        && (!kms || d != "SM4")
    {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            "KMSDataEncryption must be SM4, and only with the KMS algorithm.",
        ));
    }
    Ok(rule)
}

/// Checks a default as S3 does: `AES256`, `aws:kms` or `aws:kms:dsse` (else MalformedXML),
/// a key id only with a KMS algorithm (else InvalidArgument).
fn check_s3(rule: ByDefault) -> ApiResult<ByDefault> {
    let rule = ByDefault {
        kms_master_key_id: rule.kms_master_key_id.filter(|k| !k.is_empty()),
        kms_data_encryption: None,
        ..rule
    };
    if !["AES256", "aws:kms", "aws:kms:dsse"].contains(&rule.sse_algorithm.as_str()) {
        return Err(ApiError::msg(
            Code::MalformedXML,
            "SSEAlgorithm must be AES256, aws:kms or aws:kms:dsse.",
        ));
    }
    if rule.kms_master_key_id.is_some() && !rule.sse_algorithm.starts_with("aws:kms") {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
        ));
    }
    Ok(rule)
}

/// The stored default as dialect `d` names its algorithm (see [`crate::sse::algorithm_in`]).
fn in_dialect(d: Dialect, rule: ByDefault) -> ByDefault {
    ByDefault {
        sse_algorithm: crate::sse::algorithm_in(d, &rule.sse_algorithm).to_string(),
        kms_data_encryption: rule.kms_data_encryption.filter(|_| d == Dialect::Oss),
        ..rule
    }
}

/// Stores (`Some`) or removes the default of `bucket`.
pub async fn save(cx: &Ctx, bucket: &str, rule: Option<&ByDefault>) -> ApiResult<()> {
    super::save_config(cx, bucket, KIND, rule).await
}

/// The default PutBucket's headers ask for (OSS): `x-oss-server-side-encryption` with
/// `x-oss-server-side-encryption-key-id` and `x-oss-server-side-data-encryption`.
pub fn from_headers(cx: &Ctx) -> ApiResult<Option<ByDefault>> {
    if cx.dialect != Dialect::Oss {
        return Ok(None);
    }
    let Some(algorithm) = cx.header("x-oss-server-side-encryption") else {
        return Ok(None);
    };
    let rule = ByDefault {
        sse_algorithm: algorithm.to_string(),
        kms_master_key_id: cx
            .header("x-oss-server-side-encryption-key-id")
            .map(str::to_string),
        kms_data_encryption: cx
            .header("x-oss-server-side-data-encryption")
            .map(str::to_string),
    };
    check(rule).map(Some)
}

/// The encryption a new object of `bucket` gets when its write names none: the bucket's
/// default, a KMS one without a key id under the managed key.
pub fn object_default(cx: &Ctx, bucket: &str) -> ApiResult<Option<Sse>> {
    default_sse(cx.store().meta(), bucket)
}

/// The bucket default as an object's encryption (see [`object_default`]).
pub fn default_sse(meta: &Meta, bucket: &str) -> ApiResult<Option<Sse>> {
    Ok(load(meta, bucket)?.map(|r| {
        let kms = r.sse_algorithm == "KMS" || r.sse_algorithm.starts_with("aws:kms");
        Sse {
            key_id: r
                .kms_master_key_id
                .or_else(|| kms.then(|| crate::sse::MANAGED_OSS_KEY.to_string())),
            data_encryption: r.kms_data_encryption,
            algorithm: r.sse_algorithm,
        }
    }))
}

/// PutBucketEncryption: OSS's `<ServerSideEncryptionRule>`, or S3's
/// `<ServerSideEncryptionConfiguration>` with exactly one `<Rule>`.
pub async fn put(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let rule = match cx.dialect {
        Dialect::Oss => {
            let conf: ServerSideEncryptionRule =
                ossemu_xml::from_xml(&raw, "ServerSideEncryptionRule", SMALL_BODY)?;
            check(conf.apply_server_side_encryption_by_default)?
        }
        Dialect::S3 => {
            let conf: ServerSideEncryptionConfiguration =
                ossemu_xml::from_xml(&raw, "ServerSideEncryptionConfiguration", SMALL_BODY)?;
            let [rule] = <[_; 1]>::try_from(conf.rules).map_err(|_| {
                ApiError::msg(Code::MalformedXML, "The configuration holds one Rule.")
            })?;
            check_s3(rule.apply_server_side_encryption_by_default)?
        }
    };
    save(cx, &bucket.name, Some(&rule)).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetBucketEncryption, in the asking dialect's form and names; 404
/// NoSuchServerSideEncryptionRule (OSS) or ServerSideEncryptionConfigurationNotFoundError
/// (S3) without a default.
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let missing = match cx.dialect {
        Dialect::Oss => Code::NoSuchServerSideEncryptionRule,
        Dialect::S3 => Code::ServerSideEncryptionConfigurationNotFoundError,
    };
    let rule = load(cx.store().meta(), &bucket.name)?.ok_or_else(|| ApiError::new(missing))?;
    let rule = ServerSideEncryptionRule {
        apply_server_side_encryption_by_default: in_dialect(cx.dialect, rule),
        bucket_key_enabled: (cx.dialect == Dialect::S3).then_some(false),
    };
    let xml = match cx.dialect {
        Dialect::Oss => ossemu_xml::to_xml_as("ServerSideEncryptionRule", &rule),
        Dialect::S3 => ossemu_xml::to_xml_as(
            "ServerSideEncryptionConfiguration",
            &ServerSideEncryptionConfiguration {
                xmlns: cx.dialect.xmlns().map(str::to_string),
                rules: vec![rule],
            },
        ),
    };
    Ok(xml_ok(xml))
}

/// DeleteBucketEncryption: 204, with or without a default.
pub async fn delete(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    save(cx, &bucket.name, None).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}
