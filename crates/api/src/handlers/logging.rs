//! OSS access logging configuration: PutBucketLogging, GetBucketLogging and
//! DeleteBucketLogging (`?logging`), and the user-defined log fields
//! (`?userDefinedLogFieldsConfig`). [`crate::access_log`] writes the logs.

use http::{Response, StatusCode};
use ossemu_store::Meta;
use serde::{Deserialize, Serialize};

use super::bucket::SMALL_BODY;
use super::{no_body, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// The configuration document kind holding a bucket's logging target.
const KIND: &str = "logging";
/// The configuration document kind holding a bucket's user-defined log fields.
const FIELDS_KIND: &str = "userDefinedLogFields";

/// `<LoggingEnabled>`: where a bucket's access logs go.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoggingEnabled {
    /// The bucket the log objects are written to.
    #[serde(default)]
    pub target_bucket: String,
    /// The prefix of the log objects' names.
    #[serde(default)]
    pub target_prefix: String,
}

/// `<BucketLoggingStatus>`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BucketLoggingStatus {
    /// S3 namespace on output, or none.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    xmlns: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    logging_enabled: Option<LoggingEnabled>,
}

/// `<HeaderSet>` of the user-defined log fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderSet {
    /// Request header names.
    #[serde(rename = "header", default)]
    pub headers: Vec<String>,
}

/// `<ParamSet>` of the user-defined log fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamSet {
    /// Query parameter names.
    #[serde(rename = "parameter", default)]
    pub parameters: Vec<String>,
}

/// `<UserDefinedLogFieldsConfiguration>`: request headers and query parameters whose values
/// each log line records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDefinedLogFields {
    /// The headers.
    #[serde(default)]
    pub header_set: HeaderSet,
    /// The query parameters.
    #[serde(default)]
    pub param_set: ParamSet,
}

/// Most header or parameter names the user-defined log fields take, each.
const MAX_FIELDS: usize = 5;

/// The bucket's logging target, if logging is on.
pub fn load(meta: &Meta, bucket: &str) -> ApiResult<Option<LoggingEnabled>> {
    super::load_config(meta, bucket, KIND)
}

/// The bucket's user-defined log fields, if configured.
pub fn load_fields(meta: &Meta, bucket: &str) -> ApiResult<Option<UserDefinedLogFields>> {
    super::load_config(meta, bucket, FIELDS_KIND)
}

fn invalid_target(message: &str) -> ApiError {
    ApiError::msg(Code::InvalidTargetBucketForLogging, message.to_string())
}

/// PutBucketLogging: with `<LoggingEnabled>`, the target bucket must exist, belong to the
/// source bucket's owner and be in its region (else 400 InvalidTargetBucketForLogging);
/// without it, logging is turned off.
pub async fn put(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: BucketLoggingStatus = ossemu_xml::from_xml(&raw, "BucketLoggingStatus", SMALL_BODY)?;
    let Some(target) = conf.logging_enabled else {
        super::save_config::<LoggingEnabled>(cx, &bucket.name, KIND, None).await?;
        return Ok(no_body(StatusCode::OK));
    };
    if target.target_bucket.is_empty() {
        return Err(invalid_target("TargetBucket must be specified."));
    }
    let Some(dest) = cx.store().meta().get_bucket(&target.target_bucket)? else {
        return Err(invalid_target(
            "The target bucket for logging does not exist.",
        ));
    };
    if dest.owner != bucket.owner {
        return Err(invalid_target(
            "The owner for the bucket to be logged and the target bucket must be the same.",
        ));
    }
    if dest.location != bucket.location {
        return Err(invalid_target(
            "The target bucket for logging must be in the same region as the source bucket.",
        ));
    }
    super::save_config(cx, &bucket.name, KIND, Some(&target)).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetBucketLogging: `<BucketLoggingStatus>`, empty while logging is off.
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let doc = BucketLoggingStatus {
        xmlns: cx.dialect.xmlns().map(str::to_string),
        logging_enabled: load(cx.store().meta(), &bucket.name)?,
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("BucketLoggingStatus", &doc)))
}

/// DeleteBucketLogging: 204, whether logging was on or not.
pub async fn delete(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    super::save_config::<LoggingEnabled>(cx, &bucket.name, KIND, None).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

/// PutUserDefinedLogFieldsConfig: up to five header and five parameter names.
pub async fn put_fields(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: UserDefinedLogFields =
        ossemu_xml::from_xml(&raw, "UserDefinedLogFieldsConfiguration", SMALL_BODY)?;
    let (h, p) = (&conf.header_set.headers, &conf.param_set.parameters);
    if h.is_empty() && p.is_empty() {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            "At least one header or parameter must be specified.",
        ));
    }
    if h.len() > MAX_FIELDS || p.len() > MAX_FIELDS {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            format!("At most {MAX_FIELDS} headers and {MAX_FIELDS} parameters can be specified."),
        ));
    }
    super::save_config(cx, &bucket.name, FIELDS_KIND, Some(&conf)).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetUserDefinedLogFieldsConfig: 404 NoSuchUserDefinedLogFieldsConfig when none.
pub async fn get_fields(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let conf = load_fields(cx.store().meta(), &bucket.name)?
        .ok_or_else(|| ApiError::new(Code::NoSuchUserDefinedLogFieldsConfig))?;
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "UserDefinedLogFieldsConfiguration",
        &conf,
    )))
}

/// DeleteUserDefinedLogFieldsConfig: 204.
pub async fn delete_fields(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    super::save_config::<UserDefinedLogFields>(cx, &bucket.name, FIELDS_KIND, None).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}
