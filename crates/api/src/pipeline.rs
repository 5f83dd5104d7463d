//! The request pipeline, one stage per step, each a function with its own tests:
//!
//! 1. [`classify`]: dialect, query, host → addressing, bucket and key;
//! 2. authenticate ([`crate::access::authenticate`]): the signature → who is asking;
//! 3. route ([`crate::router::route`]) and [`authorize`]: the operation and its permission;
//! 4. [`respond`]: the verified body to the operation's handler;
//! 5. [`finish`]: errors rendered in the dialect, common headers, metrics, the log line.
//!
//! Facts found in one stage travel typed to the next (the [`Ctx`], the matched rule as a
//! response extension).

pub mod authorize;
pub mod classify;
pub mod finish;
pub mod respond;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use http::{Method, Request, Response};
use hyper::body::Incoming;

use self::authorize::authorize;
use self::classify::{Classified, classify};
use self::finish::{Timing, finish};
use self::respond::{BodyProgress, respond};
use crate::access::{Authenticated, Identity, SignedParts, authenticate};
use crate::auth::Target;
use crate::body::Body;
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;
use crate::router::{Op, route};
use crate::state::AppState;

/// A new request id: 24 upper-case hex characters.
fn request_id() -> String {
    let n = uuid::Uuid::new_v4().as_u128();
    format!("{:024X}", n >> 32)
}

/// Stage 2: who is asking. A CORS preflight is never authenticated: browsers send it without
/// credentials, and the query of a presigned URL it carries was signed for the actual method,
/// not OPTIONS. Neither is a request whose host or path could not be classified.
pub(crate) fn authenticate_stage(
    state: &AppState,
    c: &Classified,
    method: &Method,
    signed: &SignedParts<'_>,
) -> ApiResult<Authenticated> {
    if c.problem.is_some() || *method == Method::OPTIONS {
        return Ok(Authenticated {
            identity: Identity::Anonymous,
            parsed: None,
            secret: None,
        });
    }
    let target = Target {
        bucket: c.bucket.as_deref(),
        key: c.key.as_deref(),
        virtual_host: c.addressing.bucket().is_some(),
    };
    authenticate(state, c.dialect, signed, &target)
}

/// Stage 3's routing and the [`Ctx`] the later stages share, for a classified request head
/// and its requester ([`handle`], and [`crate::explain`] for a request it only describes).
pub(crate) fn context(
    state: Arc<AppState>,
    peer: SocketAddr,
    method: &Method,
    headers: http::HeaderMap,
    c: Classified,
    identity: Identity,
) -> (Ctx, Op) {
    let copy_source = crate::dialect::either_header(&headers, c.dialect, "copy-source").is_some();
    let op = route(
        method,
        c.bucket.is_some(),
        c.key.is_some(),
        &c.query,
        copy_source,
    );
    let cx = Ctx {
        state,
        id: request_id(),
        dialect: c.dialect,
        method: method.clone(),
        host_header: c.host_header,
        addressing: c.addressing,
        bucket: c.bucket,
        key: c.key,
        query: c.query,
        headers,
        identity,
        peer,
        op,
        bucket_rec: Default::default(),
        checksum: Default::default(),
        trail: Default::default(),
    };
    (cx, op)
}

/// OSS looks the bucket up before it checks the signature: a request for a bucket that does
/// not exist gets 404 NoSuchBucket whatever its credentials (the SDKs' `is_bucket_exist`
/// relies on it). Requests that create the bucket keep their authentication error.
pub(crate) fn missing_bucket_first(cx: &Ctx, op: Op, auth_error: ApiError) -> ApiError {
    let creates = matches!(op, Op::CreateBucket | Op::PutBucketAcl);
    if cx.dialect != Dialect::Oss || creates {
        return auth_error;
    }
    let Some(name) = cx.bucket.as_deref() else {
        return auth_error;
    };
    if !classify::valid_bucket_name(name) {
        return auth_error;
    }
    match cx.store().meta().get_bucket(name) {
        Ok(None) => ApiError::new(Code::NoSuchBucket),
        Ok(Some(_)) => auth_error,
        Err(e) => e.into(),
    }
}

/// Who a request is from, as far as the pipeline goes.
pub(crate) enum Requester {
    /// Whoever its signature (or its absence) says: stage 2 verifies it.
    Signed,
    /// The identity of a signed-in web console session ([`crate::console`]): its requests
    /// carry no signature, pass the same authorization as a signed request of that identity,
    /// skip the referer check (as header-signed requests do) and stay out of the trail.
    Console(Identity),
}

/// Handles one request; every error becomes an OSS/S3 error response.
pub async fn handle(
    state: Arc<AppState>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let c = classify(&state, &parts);
    // Health, metrics, explain and the console live where no bucket can (`_` never starts a
    // bucket name): on a virtual-host or custom domain, `/_ossemu/...` is an object key like
    // any other.
    if c.addressing.bucket().is_none() {
        if let Some(r) =
            crate::handlers::internal::refuse_mirror_fetch(parts.uri.path(), &parts.headers)
        {
            return Ok(r);
        }
        if crate::console::claims(parts.uri.path()) {
            return Ok(crate::console::handle(state, peer, parts, body, started).await);
        }
        if parts.uri.path() == crate::explain::PATH {
            return Ok(crate::explain::answer(state, peer, &parts.method, body).await);
        }
        if let Some(r) =
            crate::handlers::internal::internal(&state, &parts.method, &parts.uri, &parts.headers)
                .await
        {
            return Ok(r);
        }
    }
    Ok(run(state, peer, parts, body, c, Requester::Signed, started).await)
}

/// Stages 2 to 5 for a classified request from `who`.
pub(crate) async fn run(
    state: Arc<AppState>,
    peer: SocketAddr,
    parts: http::request::Parts,
    body: Incoming,
    mut c: Classified,
    who: Requester,
    started: Instant,
) -> Response<Body> {
    let pairs = c.query.pairs.clone();
    let signed = SignedParts::new(
        parts.method.as_str(),
        parts.uri.path(),
        &pairs,
        &parts.headers,
    );
    let console = matches!(who, Requester::Console(_));
    let authn = match who {
        Requester::Signed => authenticate_stage(&state, &c, &parts.method, &signed),
        Requester::Console(identity) => Ok(Authenticated {
            identity,
            parsed: None,
            secret: None,
        }),
    };
    let identity = authn
        .as_ref()
        .map_or(Identity::Anonymous, |a| a.identity.clone());
    let problem = c.problem.take();
    let (cx, op) = context(state, peer, &parts.method, parts.headers, c, identity);
    let progress = Arc::new(BodyProgress::default());
    let result = async {
        if let Some(e) = problem {
            return Err(e);
        }
        let authn = authn.map_err(|e| missing_bucket_first(&cx, op, e))?;
        authorize(&cx, op)?;
        if !console {
            crate::handlers::referer::check(&cx, &authn)?;
        }
        respond(&cx, op, body, &authn, &signed.headers, progress.clone()).await
    }
    .await;
    let timing = Timing {
        started,
        peer,
        body: progress,
        uri: parts.uri.clone(),
        trail: !console,
    };
    finish(&cx, op, result, timing)
}

#[cfg(test)]
pub(crate) mod testing;
