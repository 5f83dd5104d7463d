//! A 200 answer from the origin, in four steps: [`head`] reads what clients see before the
//! body, [`pump`] writes the body into a temp file while publishing how much is there,
//! [`verify`] checks its length and MD5, and [`commit`] stores it (unless MirrorProxyPass).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use futures_util::{FutureExt, Stream, StreamExt};
use ossemu_rules::path::without_userinfo;
use ossemu_store::{BlobWriter, ObjectAttrs, ObjectRecord, Store, TempBody, TxError, now_ms};
use tokio::sync::watch;

use crate::flight::{FailureKind, GENERIC, Head, State, failure, failure_of};
use crate::{FetchPlan, Mirror, TagStyle, tag_value};

/// Standard headers kept from the origin response and stored with the object.
const KEPT_HEADERS: &[&str] = &[
    "content-encoding",
    "content-disposition",
    "cache-control",
    "expires",
    "content-language",
    "access-control-allow-origin",
];

const SHORT: &str = "Bytes read is not equal to expected";
const MD5_MISMATCH: &str = "MD5 in header() is not equal to MD5 calculated";

/// Streams a 200 body into a temp file, publishing progress, then verifies and commits it.
/// With MirrorProxyPass the writer is returned instead: its temp file holds the body.
pub(crate) async fn stream(
    mirror: &Mirror,
    plan: &FetchPlan,
    tx: &watch::Sender<State>,
    resp: reqwest::Response,
    url: &str,
) -> (State, Option<BlobWriter>) {
    let status = resp.status().as_u16();
    let limit = mirror.config.max_object_size(&plan.bucket);
    let (head, origin_md5) = match head(mirror.config.tag, plan, resp.headers(), status, url, limit)
    {
        Ok(h) => h,
        Err(state) => return (state, None),
    };
    let head = Arc::new(head);
    let mut w = mirror.store.writer();
    let tmp = w.temp_body();
    let publish = |written: u64| {
        tx.send_replace(State::Streaming {
            head: head.clone(),
            tmp: tmp.clone(),
            written,
        });
    };
    publish(0);
    // Once no client follows, only a body that will be stored and whose length the origin
    // declared (so within the limit) is worth fetching on.
    let gone: Pin<Box<dyn Future<Output = ()> + Send + '_>> =
        if head.content_length.is_none() || !plan.store {
            Box::pin(tx.closed())
        } else {
            Box::pin(std::future::pending())
        };
    let bounds = Bounds {
        content_length: head.content_length,
        limit,
        gone,
    };
    let body = resp.bytes_stream();
    if let Err(state) = pump(body, &mut w, &publish, bounds, status).await {
        if let State::Failed(f) = &state
            && f.kind != FailureKind::Origin
        {
            tracing::warn!(
                rule = plan.rule,
                bucket = %plan.bucket,
                key = %plan.key,
                limit,
                bytes = w.len(),
                "mirror fetch stopped: {}",
                match f.kind {
                    FailureKind::TooLarge => "the object is larger than the bucket's mirror limit",
                    _ => "no client is left and the body would not be stored",
                }
            );
        }
        return (state, None);
    }
    let size = w.len();
    let check_md5 = origin_md5.filter(|_| plan.check_md5);
    if let Err(state) = verify(&head, size, check_md5.as_deref(), w.digest().0, status) {
        return (state, None);
    }
    if !plan.store {
        return (complete(head, size, false, None, tmp), Some(w));
    }
    match commit(&mirror.store, plan, head, w, tmp, status).await {
        Ok(state) | Err(state) => (state, None),
    }
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The head clients get, and the origin's Content-MD5 (decoded). Refuses a declared length
/// over `limit`, the bucket's largest mirrored object.
pub(crate) fn head(
    tag: TagStyle,
    plan: &FetchPlan,
    headers: &reqwest::header::HeaderMap,
    status: u16,
    url: &str,
    limit: u64,
) -> Result<(Head, Option<Vec<u8>>), State> {
    let content_length = header(headers, "content-length").and_then(|v| v.trim().parse().ok());
    if let Some(n) = content_length.filter(|n: &u64| *n > limit) {
        tracing::warn!(
            rule = plan.rule,
            bucket = %plan.bucket,
            key = %plan.key,
            limit,
            length = n,
            "mirror fetch refused: the origin's object is larger than the bucket's mirror limit"
        );
        return Err(failure_of(FailureKind::TooLarge, GENERIC, status, false));
    }
    let origin_md5 = header(headers, "content-md5").and_then(|v| {
        base64::engine::general_purpose::STANDARD
            .decode(v.trim())
            .ok()
    });
    let modified_ms = plan
        .keep_last_modified
        .then(|| header(headers, "last-modified"))
        .flatten()
        .and_then(|v| httpdate::parse_http_date(&v).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or_else(now_ms);
    let head = Head {
        content_type: header(headers, "content-type")
            .unwrap_or_else(|| "application/octet-stream".to_string()),
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|h| header(headers, h).map(|v| (h.to_string(), v)))
            .collect(),
        content_length,
        // Credentials in the URL are for the fetch only: never in a tag.
        tag: tag_value(tag, &without_userinfo(url)),
        url: without_userinfo(url).into_owned(),
        modified_ms,
    };
    Ok((head, origin_md5))
}

/// What bounds a body besides its end: the origin's declared length (to tell a short body),
/// the bucket's limit, and the moment no client wants the body any more (`gone` resolves).
pub(crate) struct Bounds<'a> {
    /// The origin's Content-Length.
    pub(crate) content_length: Option<u64>,
    /// Most bytes written.
    pub(crate) limit: u64,
    /// Resolves when the fetch is to be abandoned.
    pub(crate) gone: Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
}

/// Writes the body into `w`. Whenever the origin has nothing more right now, what is
/// buffered is written out and `publish`ed, so followers see bytes as soon as they arrive;
/// while data keeps coming, the writer batches and overlaps disk writes with reading.
/// A body that fails short of its Content-Length is reported as short; one that grows past
/// the limit, or whose clients are all gone (`bounds.gone`), is cut off.
pub(crate) async fn pump<S, E>(
    mut body: S,
    w: &mut BlobWriter,
    publish: &(dyn Fn(u64) + Sync),
    mut bounds: Bounds<'_>,
    status: u16,
) -> Result<(), State>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut published = 0;
    let write_failed = || failure(GENERIC, status, true);
    let abandoned = || failure_of(FailureKind::Abandoned, GENERIC, status, true);
    loop {
        let next = match body.next().now_or_never() {
            Some(n) => n,
            None => {
                if w.len() > w.flushed() {
                    w.flush().await.map_err(|_| write_failed())?;
                    publish(w.flushed());
                    published = w.flushed();
                }
                tokio::select! {
                    n = body.next() => n,
                    () = bounds.gone.as_mut() => return Err(abandoned()),
                }
            }
        };
        match next {
            None => break,
            Some(Ok(chunk)) => {
                if w.len() + chunk.len() as u64 > bounds.limit {
                    return Err(failure_of(FailureKind::TooLarge, GENERIC, status, true));
                }
                if bounds.gone.as_mut().now_or_never().is_some() {
                    return Err(abandoned());
                }
                w.write(chunk).await.map_err(|_| write_failed())?;
                if w.flushed() > published {
                    publish(w.flushed());
                    published = w.flushed();
                }
            }
            Some(Err(e)) => {
                tracing::debug!(error = %e, "origin body failed");
                let message = match bounds.content_length {
                    Some(n) if w.len() < n => SHORT,
                    _ => "Read body from mirror host failed, please check your mirror host",
                };
                return Err(failure(message, status, true));
            }
        }
    }
    w.flush().await.map_err(|_| write_failed())?;
    publish(w.flushed());
    Ok(())
}

/// Checks the complete body: its length against the origin's Content-Length, and (when
/// MirrorCheckMd5 applies) its MD5 against the origin's Content-MD5.
pub(crate) fn verify(
    head: &Head,
    size: u64,
    origin_md5: Option<&[u8]>,
    md5: [u8; 16],
    status: u16,
) -> Result<(), State> {
    if head.content_length.is_some_and(|n| n != size) {
        return Err(failure(SHORT, status, true));
    }
    if origin_md5.is_some_and(|m| m != md5) {
        return Err(failure(MD5_MISMATCH, status, true));
    }
    Ok(())
}

/// The state of a fetch whose body is complete.
pub(crate) fn complete(
    head: Arc<Head>,
    size: u64,
    stored: bool,
    etag: Option<String>,
    tmp: TempBody,
) -> State {
    State::Complete {
        head,
        size,
        stored,
        etag,
        tmp,
    }
}

/// The commit found an object a client wrote while the fetch ran; that object wins.
struct WrittenMeanwhile;

/// Publishes the body and stores it under the requested key, unless a client wrote the key
/// meanwhile (then that object stays and the mirrored copy is dropped).
pub(crate) async fn commit(
    store: &Store,
    plan: &FetchPlan,
    head: Arc<Head>,
    w: BlobWriter,
    tmp: TempBody,
    status: u16,
) -> Result<State, State> {
    let blob = w
        .finish()
        .await
        .map_err(|_| failure(GENERIC, status, true))?;
    let size = blob.len;
    let attrs = ObjectAttrs {
        content_type: head.content_type.clone(),
        headers: head.headers.clone(),
        tagging: plan.taggings.clone(),
        ..ObjectAttrs::default()
    };
    let template = ObjectRecord {
        tag: Some(head.tag.clone()),
        ..ObjectRecord::new(attrs, &plan.owner, head.modified_ms)
    };
    let check = |cur: Option<&ObjectRecord>| match cur {
        Some(_) => Err(WrittenMeanwhile),
        None => Ok(()),
    };
    match store
        .put_object(&plan.bucket, &plan.key, template, blob, &check)
        .await
    {
        Ok(rec) => {
            if let Some(hook) = &plan.on_stored {
                (hook.0)(&plan.key, &rec).await;
            }
            Ok(complete(head, size, true, Some(rec.etag), tmp))
        }
        Err(TxError::Abort(WrittenMeanwhile)) => Ok(complete(head, size, true, None, tmp)),
        Err(TxError::Store(e)) => {
            tracing::error!(error = %e, "storing a mirrored object failed");
            Err(failure(GENERIC, status, true))
        }
    }
}

#[cfg(test)]
mod tests;
