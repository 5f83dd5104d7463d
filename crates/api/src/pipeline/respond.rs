//! Stage 4, respond: the body, verified as it streams against what the signature and the
//! checksum headers promise, goes to the operation's handler.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;

use http::Response;
use hyper::body::Incoming;

use crate::access::Authenticated;
use crate::body::{Body, ReqStream, request_stream};
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers;
use crate::request::Ctx;
use crate::router::Op;
use crate::state::{AppState, AuthMode};

/// How much of the request body has been read, and whether all of it.
#[derive(Debug, Default)]
pub struct BodyProgress {
    /// Bytes read so far.
    pub bytes: AtomicU64,
    /// The body was read to its end.
    pub done: AtomicBool,
}

/// Answers the request: streams its body through verification into the handler of `op`.
/// `progress` records what of the body was read.
pub async fn respond(
    cx: &Ctx,
    op: Op,
    body: Incoming,
    authn: &Authenticated,
    signed_headers: &[(String, String)],
    progress: Arc<BodyProgress>,
) -> ApiResult<Response<Body>> {
    let raw = Box::pin(Counted {
        inner: request_stream(body, body_limits(&cx.state.config)),
        state: cx.state.clone(),
        progress,
    });
    let verify = cx.state.config.auth == AuthMode::On;
    let body =
        crate::payload::verified_body(raw, authn, verify, signed_headers, cx.checksum.clone())?;
    dispatch(cx, op, body).await
}

fn body_limits(c: &crate::state::ApiConfig) -> crate::body::BodyLimits {
    crate::body::BodyLimits {
        idle: c.body_idle_timeout,
        min_rate: c.body_min_rate,
        grace: c.body_rate_grace,
    }
}

/// The request body, counted as it is read (metrics and the request's own progress).
struct Counted {
    inner: ReqStream,
    state: Arc<AppState>,
    progress: Arc<BodyProgress>,
}

impl Stream for Counted {
    type Item = Result<Bytes, crate::error::ApiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.inner.as_mut().poll_next(cx);
        match &next {
            Poll::Ready(Some(Ok(c))) => {
                self.state.metrics.bytes_in(c.len() as u64);
                self.progress
                    .bytes
                    .fetch_add(c.len() as u64, Ordering::Relaxed);
            }
            Poll::Ready(None) => self.progress.done.store(true, Ordering::Relaxed),
            _ => {}
        }
        next
    }
}

/// Runs the operation's handler.
async fn dispatch(cx: &Ctx, op: Op, body: ReqStream) -> ApiResult<Response<Body>> {
    use handlers::*;
    match op {
        Op::ListBuckets => service::list_buckets(cx).await,
        Op::DescribeRegions => regions::describe_regions(cx).await,
        Op::CreateBucket => bucket::create_bucket(cx, body).await,
        Op::DeleteBucket => bucket::delete_bucket(cx).await,
        Op::HeadBucket => bucket::head_bucket(cx).await,
        Op::GetBucketInfo => bucket::get_bucket_info(cx).await,
        Op::GetBucketLocation => bucket::get_bucket_location(cx).await,
        Op::GetBucketAcl => acl::get_bucket_acl(cx).await,
        Op::PutBucketAcl => acl::put_bucket_acl(cx, body).await,
        Op::GetObjectAcl => acl::get_object_acl(cx).await,
        Op::PutObjectAcl => acl::put_object_acl(cx, body).await,
        Op::GetObjectTagging => tagging::get_object_tagging(cx).await,
        Op::PutObjectTagging => tagging::put_object_tagging(cx, body).await,
        Op::DeleteObjectTagging => tagging::delete_object_tagging(cx).await,
        Op::GetBucketTagging => tagging::get_bucket_tagging(cx).await,
        Op::PutBucketTagging => tagging::put_bucket_tagging(cx, body).await,
        Op::DeleteBucketTagging => tagging::delete_bucket_tagging(cx).await,
        Op::GetBucketVersioning => versioning::get_bucket_versioning(cx).await,
        Op::PutBucketVersioning => versioning::put_bucket_versioning(cx, body).await,
        Op::PutObjectLockConfiguration => retention::put_configuration(cx, body).await,
        Op::GetObjectLockConfiguration => retention::get_configuration(cx).await,
        Op::PutObjectRetention => retention::put_retention(cx, body).await,
        Op::GetObjectRetention => retention::get_retention(cx).await,
        Op::PutObjectLegalHold => retention::put_legal_hold(cx, body).await,
        Op::GetObjectLegalHold => retention::get_legal_hold(cx).await,
        Op::InitiateBucketWorm => worm::initiate(cx, body).await,
        Op::AbortBucketWorm => worm::abort(cx).await,
        Op::CompleteBucketWorm => worm::complete(cx).await,
        Op::ExtendBucketWorm => worm::extend(cx, body).await,
        Op::GetBucketWorm => worm::get(cx).await,
        Op::PutSymlink => symlink::put_symlink(cx).await,
        Op::GetSymlink => symlink::get_symlink(cx).await,
        Op::RestoreObject => storage::restore_object(cx, body).await,
        Op::ListLiveChannel => bucket::list_live_channel(cx).await,
        Op::ListObjects => list::list_objects_v1(cx).await,
        Op::ListObjectsV2 => list::list_objects_v2(cx).await,
        Op::ListObjectVersions => list::list_object_versions(cx).await,
        Op::DeleteObjects => delete::delete_objects(cx, body).await,
        Op::PutObject => object::put_object(cx, body).await,
        Op::PostObject => post_object::post_object(cx, body).await,
        Op::CopyObject => copy::copy_object(cx).await,
        Op::GetObject | Op::HeadObject => object::get_object(cx).await,
        Op::GetObjectMeta => object::get_object_meta(cx).await,
        Op::DeleteObject => object::delete_object(cx).await,
        Op::InitiateMultipartUpload => multipart::initiate(cx).await,
        Op::UploadPart => multipart::upload_part(cx, body).await,
        Op::UploadPartCopy => multipart::upload_part_copy(cx).await,
        Op::CompleteMultipartUpload => multipart::complete(cx, body).await,
        Op::AbortMultipartUpload => multipart::abort(cx).await,
        Op::ListParts => multipart::list_parts(cx).await,
        Op::ListMultipartUploads => multipart::list_uploads(cx).await,
        Op::AppendObject => append::append_object(cx, body).await,
        _ => dispatch_config(cx, op, body).await,
    }
}

/// Runs the handler of a bucket configuration operation, or answers 501.
async fn dispatch_config(cx: &Ctx, op: Op, body: ReqStream) -> ApiResult<Response<Body>> {
    use handlers::*;
    match op {
        Op::PutBucketAccessMonitor => access_monitor::put(cx, body).await,
        Op::GetBucketAccessMonitor => access_monitor::get(cx).await,
        Op::PutBucketReferer => referer::put(cx, body).await,
        Op::GetBucketReferer => referer::get(cx).await,
        Op::GetBucketStat => stat::get_bucket_stat(cx).await,
        Op::PutBucketOwnershipControls => ownership::put(cx, body).await,
        Op::GetBucketOwnershipControls => ownership::get(cx).await,
        Op::DeleteBucketOwnershipControls => ownership::delete(cx).await,
        Op::PutBucketPublicAccessBlock => public_access::put(cx, body).await,
        Op::GetBucketPublicAccessBlock => public_access::get(cx).await,
        Op::DeleteBucketPublicAccessBlock => public_access::delete(cx).await,
        Op::PutBucketEncryption => encryption::put(cx, body).await,
        Op::GetBucketEncryption => encryption::get(cx).await,
        Op::DeleteBucketEncryption => encryption::delete(cx).await,
        Op::PutBucketLogging => logging::put(cx, body).await,
        Op::GetBucketLogging => logging::get(cx).await,
        Op::DeleteBucketLogging => logging::delete(cx).await,
        Op::PutUserDefinedLogFieldsConfig => logging::put_fields(cx, body).await,
        Op::GetUserDefinedLogFieldsConfig => logging::get_fields(cx).await,
        Op::DeleteUserDefinedLogFieldsConfig => logging::delete_fields(cx).await,
        Op::PutBucketNotification => notification::put(cx, body).await,
        Op::GetBucketNotification => notification::get(cx).await,
        Op::PutBucketLifecycle => lifecycle::put_bucket_lifecycle(cx, body).await,
        Op::GetBucketLifecycle => lifecycle::get_bucket_lifecycle(cx).await,
        Op::DeleteBucketLifecycle => lifecycle::delete_bucket_lifecycle(cx).await,
        Op::PutBucketCors => cors::put_bucket_cors(cx, body).await,
        Op::GetBucketCors => cors::get_bucket_cors(cx).await,
        Op::DeleteBucketCors => cors::delete_bucket_cors(cx).await,
        Op::CorsPreflight => cors::preflight(cx).await,
        Op::PutBucketWebsite => website::put_bucket_website(cx, body).await,
        Op::GetBucketWebsite => website::get_bucket_website(cx).await,
        Op::DeleteBucketWebsite => website::delete_bucket_website(cx).await,
        Op::PutCname => cname::put_cname(cx, body).await,
        Op::DeleteCname => cname::delete_cname(cx, body).await,
        Op::ListCname => cname::list_cname(cx).await,
        Op::CreateCnameToken => cname::create_cname_token(cx, body).await,
        Op::GetCnameToken => cname::get_cname_token(cx).await,
        Op::PutBucketPolicy => policy::put(cx, body).await,
        Op::GetBucketPolicy => policy::get(cx).await,
        Op::DeleteBucketPolicy => policy::delete(cx).await,
        Op::GetBucketPolicyStatus => policy::status(cx).await,
        _ => Err(ApiError::msg(
            Code::NotImplemented,
            match crate::router::unsupported_subresource(&cx.method, &cx.query) {
                Some(sub) => format!("{} ?{sub} is not implemented by ossemu.", cx.method),
                None => format!("{} is not implemented by ossemu.", op.name()),
            },
        )),
    }
}
