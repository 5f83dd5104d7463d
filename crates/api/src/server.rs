//! The accept loop and the request pipeline.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::{HeaderName, HeaderValue, Method, Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use percent_encoding::percent_decode_str;
use tokio::net::TcpListener;

use crate::access::{Authenticated, Identity, Need, SignedParts, authenticate, authorize, need};
use crate::auth::Target;
use crate::body::{Body, request_stream};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers;
use crate::host::{Addressing, classify, normalize};
use crate::request::{Ctx, Query};
use crate::router::{Op, route};
use crate::state::AppState;

/// How long in-flight requests may run after shutdown was requested.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves `listener` until `shutdown` resolves, then lets in-flight requests finish (up to a
/// grace period) and flushes the store.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                let st = state.clone();
                let svc = hyper::service::service_fn(move |req| handle(st.clone(), peer, req));
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(tcp), svc);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, %peer, "connection ended with an error");
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("in-flight requests did not finish in time"),
    }
    if let Err(e) = state.store.flush().await {
        tracing::error!(error = %e, "final metadata flush failed");
    }
    Ok(())
}

fn request_id() -> String {
    let n = uuid::Uuid::new_v4().as_u128();
    format!("{:024X}", n >> 32)
}

/// Splits the raw path into bucket and key for the addressing style.
fn split_path(
    raw_path: &str,
    addressing: &Addressing,
) -> ApiResult<(Option<String>, Option<String>)> {
    let decode = |s: &str| -> ApiResult<String> {
        percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| {
                ApiError::msg(
                    Code::InvalidURI,
                    "The path is not valid UTF-8 after percent-decoding.",
                )
            })
    };
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    let (bucket, key) = match addressing.bucket() {
        Some(b) => (Some(b.to_string()), path),
        None => {
            let (b, k) = path.split_once('/').unwrap_or((path, ""));
            let b = decode(b)?;
            ((!b.is_empty()).then_some(b), k)
        }
    };
    let key = if key.is_empty() {
        None
    } else {
        Some(decode(key)?)
    };
    Ok((bucket, key))
}

/// A name a bucket can have (S3's rules): 3-63 of `[a-z0-9.-]`, starting and ending with a
/// letter or digit, no `..`, not an IPv4 address. OSS names have no dots (checked when a
/// bucket is created through the OSS dialect).
pub fn valid_bucket_name(name: &str) -> bool {
    let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && edge(name.bytes().next())
        && edge(name.bytes().last())
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
}

fn check_key(key: &str, dialect: Dialect) -> ApiResult<()> {
    if key.len() > 1023 {
        let code = match dialect {
            Dialect::Oss => Code::InvalidObjectName,
            Dialect::S3 => Code::KeyTooLongError,
        };
        return Err(ApiError::msg(
            code,
            format!(
                "The object key is {} bytes long; the limit is 1023 bytes.",
                key.len()
            ),
        ));
    }
    if key.chars().any(|c| c.is_control()) {
        return Err(match dialect {
            Dialect::Oss => ApiError::msg(
                Code::InvalidObjectName,
                "The object key contains control characters, which this server does not accept.",
            ),
            // What S3 answers for such a key (e.g. U+008A), word for word.
            Dialect::S3 => ApiError::msg(Code::InvalidURI, "Couldn't parse the specified URI."),
        });
    }
    Ok(())
}

/// Handles one request; every error becomes an OSS/S3 error response.
pub async fn handle(
    state: Arc<AppState>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let query = Query::parse(parts.uri.query().unwrap_or(""));
    let dialect = Dialect::detect(&parts.headers, query.pairs.iter().map(|(k, _)| k.as_str()));
    let host_header = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let head = parts.method == Method::HEAD;
    let host = normalize(&host_header);
    let addressing = classify(&host, &state.config.endpoint_domains, |h| {
        state.store.meta().get_domain(h).ok().flatten()
    });
    // Health and metrics live where no bucket can (`_` never starts a bucket name): on a
    // virtual-host or custom domain, `/_ossemu/...` is an object key like any other.
    if addressing.bucket().is_none()
        && let Some(r) = crate::metrics::internal(&state, parts.uri.path())
    {
        return Ok(r);
    }
    let id = request_id();

    let split = split_path(parts.uri.path(), &addressing);
    let (bucket, key) = match &split {
        Ok((b, k)) => (b.clone(), k.clone()),
        Err(_) => (None, None),
    };
    let signed = SignedParts::new(
        parts.method.as_str(),
        parts.uri.path(),
        &query.pairs,
        &parts.headers,
    );
    let target = Target {
        bucket: bucket.as_deref(),
        key: key.as_deref(),
        virtual_host: addressing.bucket().is_some(),
    };
    // A CORS preflight is never authenticated: browsers send it without credentials, and the
    // query of a presigned URL it carries was signed for the actual method, not OPTIONS.
    let authn = match &split {
        Ok(_) if parts.method != Method::OPTIONS => authenticate(&state, dialect, &signed, &target),
        _ => Ok(Authenticated {
            identity: Identity::Anonymous,
            parsed: None,
            secret: None,
        }),
    };
    let (identity, authn) = match authn {
        Ok(a) => (a.identity.clone(), Ok(a)),
        Err(e) => (Identity::Anonymous, Err(e)),
    };
    let cx = Ctx {
        state,
        id,
        dialect,
        method: parts.method.clone(),
        host_header,
        addressing,
        bucket,
        key,
        query: query.clone(),
        headers: parts.headers,
        identity,
        bucket_rec: Default::default(),
        checksum: Default::default(),
    };
    let copy_source = cx.dheader("copy-source").is_some();
    let op = route(
        &cx.method,
        cx.bucket.is_some(),
        cx.key.is_some(),
        &cx.query,
        copy_source,
    );

    let received = Arc::new(AtomicU64::new(0));
    let result = async {
        split?;
        let authn = authn?;
        precheck(&cx, op)?;
        let raw = count_in(
            cx.state.clone(),
            received.clone(),
            request_stream(body, cx.state.config.body_idle_timeout),
        );
        let verify = cx.state.config.auth == crate::state::AuthMode::On;
        let body = crate::payload::verified_body(
            raw,
            &authn,
            verify,
            &signed.headers,
            cx.checksum.clone(),
        )?;
        dispatch(&cx, op, body).await
    }
    .await;
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            let code = e.code;
            let r = e.render(
                cx.dialect,
                &cx.id,
                &cx.host_header,
                cx.bucket.as_deref(),
                cx.key.as_deref(),
                head,
            );
            if code == Code::InternalError {
                tracing::error!(request_id = %cx.id, op = op.name(), "internal error");
            }
            r
        }
    };
    finish_headers(&cx, &mut resp);
    let rule = resp
        .extensions()
        .get::<crate::request::MatchedRule>()
        .map(|r| r.0);
    let status = resp.status().as_u16();
    let dialect = match cx.dialect {
        Dialect::Oss => "oss",
        Dialect::S3 => "s3",
    };
    cx.state
        .metrics
        .request(op.name(), dialect, status, started.elapsed().as_secs_f64());
    if (300..400).contains(&status)
        && let Some(rule) = rule
    {
        cx.state
            .metrics
            .redirect(cx.bucket.as_deref().unwrap_or_default(), &rule.to_string());
    }
    // The request line is logged when the response body is done (sent or abandoned), with
    // the bytes that actually went each way and the whole duration.
    let log = tracing::enabled!(tracing::Level::INFO).then(|| RequestLog {
        id: cx.id.clone(),
        peer,
        dialect: cx.dialect,
        op: op.name(),
        method: cx.method.clone(),
        bucket: cx.bucket.clone().unwrap_or_default(),
        key: cx.key.clone().unwrap_or_default(),
        status,
        rule: rule.map(|r| r.to_string()).unwrap_or_default(),
        received,
        sent: 0,
        started,
    });
    Ok(count_out(cx.state.clone(), resp, log))
}

/// What the request log line says; written when dropped, i.e. when the response body ends.
struct RequestLog {
    id: String,
    peer: SocketAddr,
    dialect: Dialect,
    op: &'static str,
    method: Method,
    bucket: String,
    key: String,
    status: u16,
    rule: String,
    received: Arc<AtomicU64>,
    sent: u64,
    started: Instant,
}

impl Drop for RequestLog {
    fn drop(&mut self) {
        tracing::info!(
            request_id = %self.id,
            peer = %self.peer,
            dialect = ?self.dialect,
            op = self.op,
            method = %self.method,
            bucket = self.bucket.as_str(),
            key = self.key.as_str(),
            status = self.status,
            bytes_in = self.received.load(Ordering::Relaxed),
            bytes = self.sent,
            rule = self.rule.as_str(),
            ms = self.started.elapsed().as_millis() as u64,
            "request"
        );
    }
}

/// Counts request body bytes as they are read (metrics and the request's own count).
fn count_in(
    state: Arc<AppState>,
    received: Arc<AtomicU64>,
    body: crate::body::ReqStream,
) -> crate::body::ReqStream {
    use futures_util::StreamExt;
    Box::pin(body.inspect(move |chunk| {
        if let Ok(c) = chunk {
            state.metrics.bytes_in(c.len() as u64);
            received.fetch_add(c.len() as u64, Ordering::Relaxed);
        }
    }))
}

/// Counts response body bytes as they are sent; `log` goes with the body and is written when
/// hyper drops it.
fn count_out(
    state: Arc<AppState>,
    resp: Response<Body>,
    mut log: Option<RequestLog>,
) -> Response<Body> {
    use http_body_util::BodyExt;
    resp.map(|b| {
        BodyExt::boxed_unsync(b.map_frame(move |f| {
            if let Some(d) = f.data_ref() {
                state.metrics.bytes_out(d.len() as u64);
                if let Some(l) = &mut log {
                    l.sent += d.len() as u64;
                }
            }
            f
        }))
    })
}

/// Checks that do not need the body: bucket name, key shape, method, and the permission
/// the operation needs.
fn precheck(cx: &Ctx, op: Op) -> ApiResult<()> {
    if let Some(b) = &cx.bucket
        && !valid_bucket_name(b)
    {
        return Err(ApiError::new(Code::InvalidBucketName).field("BucketName", b.clone()));
    }
    if let Some(k) = &cx.key {
        check_key(k, cx.dialect)?;
    }
    if op == Op::NotAllowed {
        return Err(ApiError::new(Code::MethodNotAllowed)
            .field("Method", cx.method.as_str())
            .field(
                "ResourceType",
                if cx.key.is_some() { "OBJECT" } else { "BUCKET" },
            ));
    }
    if cx.bucket.is_some() && need(op) != Need::Handler {
        let bucket = cx.load_bucket()?;
        if !object_acl_grants_write(cx, op, &bucket)? {
            authorize(&cx.identity, op, &bucket)?;
        }
    }
    // S3's x-amz-expected-bucket-owner: refuse when the bucket belongs to someone else.
    if let (Some(expected), Some(_)) = (cx.header("x-amz-expected-bucket-owner"), &cx.bucket)
        && let Ok(b) = cx.load_bucket()
        && b.owner != expected
    {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "The bucket is not owned by the account given in x-amz-expected-bucket-owner.",
        ));
    }
    Ok(())
}

/// OSS: an object whose own ACL is `public-read-write` may be overwritten, appended to or
/// deleted by anyone (PutObject, AppendObject, DeleteObject), whatever the bucket's ACL.
/// Object ACLs only add this permission here; they never narrow the bucket's.
fn object_acl_grants_write(
    cx: &Ctx,
    op: Op,
    bucket: &ossemu_store::BucketRecord,
) -> ApiResult<bool> {
    if cx.dialect != Dialect::Oss
        || !matches!(op, Op::PutObject | Op::AppendObject | Op::DeleteObject)
        || crate::access::may_write(&cx.identity, bucket)
    {
        return Ok(false);
    }
    let Some(key) = &cx.key else { return Ok(false) };
    Ok(cx
        .store()
        .meta()
        .get_object(&bucket.name, key)?
        .is_some_and(|o| o.acl.as_deref() == Some("public-read-write")))
}

async fn dispatch(cx: &Ctx, op: Op, body: crate::body::ReqStream) -> ApiResult<Response<Body>> {
    use handlers::*;
    match op {
        Op::ListBuckets => service::list_buckets(cx).await,
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
        Op::GetBucketVersioning => bucket::get_bucket_versioning(cx).await,
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
        _ => Err(ApiError::msg(
            Code::NotImplemented,
            match crate::router::unsupported_subresource(&cx.query) {
                Some(sub) => format!("{} ?{sub} is not implemented by ossemu.", cx.method),
                None => format!("{} is not implemented by ossemu.", op.name()),
            },
        )),
    }
}

fn finish_headers(cx: &Ctx, resp: &mut Response<Body>) {
    let h = resp.headers_mut();
    handlers::cors::decorate(cx, h);
    let id = HeaderValue::from_str(&cx.id).unwrap_or(HeaderValue::from_static("0"));
    match cx.dialect {
        Dialect::Oss => {
            h.insert(HeaderName::from_static("x-oss-request-id"), id);
        }
        Dialect::S3 => {
            h.insert(HeaderName::from_static("x-amz-request-id"), id.clone());
            h.insert(HeaderName::from_static("x-amz-id-2"), id);
        }
    }
    h.insert(
        http::header::SERVER,
        HeaderValue::from_static(cx.dialect.server()),
    );
    if let Some(rule) = resp.extensions().get::<crate::request::MatchedRule>() {
        let v = HeaderValue::from(rule.0);
        resp.headers_mut()
            .insert(HeaderName::from_static("x-ossemu-rule"), v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_split() {
        let p = |path: &str| split_path(path, &Addressing::Path).unwrap();
        assert_eq!(p("/"), (None, None));
        assert_eq!(p("/b"), (Some("b".into()), None));
        assert_eq!(p("/b/"), (Some("b".into()), None));
        assert_eq!(p("/b/a%2Fc%20d"), (Some("b".into()), Some("a/c d".into())));
        assert_eq!(p("/b/a+b"), (Some("b".into()), Some("a+b".into())));
        assert_eq!(p("/b//x"), (Some("b".into()), Some("/x".into())));
        let v = split_path("/k/e%2Fy", &Addressing::VirtualHost("vb".into())).unwrap();
        assert_eq!(v, (Some("vb".into()), Some("k/e/y".into())));
        assert!(split_path("/b/%FF", &Addressing::Path).is_err());
    }

    #[test]
    fn bucket_names() {
        for ok in [
            "abc",
            "a-b-c",
            "0ab",
            "a.b",
            "www.example.com",
            &"a".repeat(63),
        ] {
            assert!(valid_bucket_name(ok), "{ok}");
        }
        for bad in [
            "ab",
            "-ab",
            "ab-",
            "aBc",
            "a_b",
            "a..b",
            ".ab",
            "ab.",
            "192.168.5.4",
            &"a".repeat(64),
            "_ossemu",
        ] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
    }
}
