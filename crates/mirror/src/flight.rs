//! One fetch from the origin: where it stands ([`State`]), the clients waiting on it
//! ([`Flight`]), and the task that runs it to its end ([`run`]).

use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use ossemu_rules::path::masked_userinfo;
use ossemu_store::{BodyStream, TempBody};
use tokio::sync::watch;

use crate::follow::Follow;
use crate::origin::Fetched;
use crate::{FetchPlan, Mirror};

/// What a client sees of the origin response before the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// Content-Type.
    pub content_type: String,
    /// The kept standard headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// The origin's Content-Length, when it sent one (else the body is chunked).
    pub content_length: Option<u64>,
    /// The `x-oss-tag` value.
    pub tag: String,
    /// The URL the body came from, without credentials.
    pub url: String,
    /// Last-Modified of the stored object, milliseconds since the epoch.
    pub modified_ms: i64,
}

/// Why a fetch failed: the OSS `MirrorFailed` message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The message for the 424 body.
    pub message: String,
    /// The origin's status (0 when it could not be reached).
    pub origin_status: u16,
    /// The body had started, so clients already got a head: they see an aborted transfer.
    pub after_head: bool,
    /// What ended it.
    pub kind: FailureKind,
}

/// What ended a failed fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The origin (or the way to it, or the store).
    Origin,
    /// The object is larger than its bucket's mirror limit.
    TooLarge,
    /// Every client went away from a body that would not be stored.
    Abandoned,
}

/// Where a fetch stands.
#[derive(Clone, Debug)]
pub enum State {
    /// Waiting for the origin's response head.
    Connecting,
    /// The object was already stored when the fetch would have started: serve it.
    Present,
    /// The body is arriving; `written` bytes of it are in `tmp`.
    Streaming {
        /// Response head.
        head: Arc<Head>,
        /// Temp file being written.
        tmp: TempBody,
        /// Bytes in it so far.
        written: u64,
    },
    /// The body is complete: stored (`stored`), or, with MirrorProxyPass, still in `tmp`.
    Complete {
        /// Response head.
        head: Arc<Head>,
        /// Body length.
        size: u64,
        /// Committed to the store (by this fetch, or by a client that wrote the key meanwhile).
        stored: bool,
        /// ETag of the object this fetch committed; `None` when a client's write won.
        etag: Option<String>,
        /// Temp file (only meaningful when not stored).
        tmp: TempBody,
    },
    /// The origin answered 404.
    NotFound,
    /// The origin answered 3xx and MirrorFollowRedirect is off: pass its Location on.
    Redirect(String),
    /// A TransparentMirrorResponseCodes status: passed through, not stored.
    Transparent {
        /// Origin status.
        status: u16,
        /// Origin Content-Type.
        content_type: Option<String>,
        /// Origin body (at most 1 MiB).
        body: Bytes,
    },
    /// The fetch failed.
    Failed(Failure),
}

/// What is known of one fetch, shared by its task and every client of it (for the request
/// trail): the origin asked, its answer, the bytes it sent, and how many clients joined.
#[derive(Debug, Default)]
pub struct FlightInfo {
    url: Mutex<String>,
    origin_status: AtomicU16,
    bytes: AtomicU64,
    clients: AtomicU32,
    outcome: Mutex<Option<&'static str>>,
}

/// A snapshot of a [`FlightInfo`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlightFacts {
    /// The origin URL asked (the last one, after failover), credentials masked.
    pub url: String,
    /// The origin's status (0: not answered yet, or not reached).
    pub origin_status: u16,
    /// Body bytes the fetch received from the origin (once it ended).
    pub bytes: u64,
    /// Clients that asked for this fetch: the one that started it and those that joined.
    pub clients: u32,
    /// How it ended (one of [`crate::OUTCOMES`]); `None` while it runs.
    pub outcome: Option<&'static str>,
}

impl FlightInfo {
    fn starting(url: &str) -> Arc<Self> {
        let info = Self::default();
        *info.url.lock().unwrap_or_else(|e| e.into_inner()) = masked_userinfo(url).into_owned();
        info.clients.store(1, Ordering::Relaxed);
        Arc::new(info)
    }

    /// The facts as they stand.
    pub fn facts(&self) -> FlightFacts {
        FlightFacts {
            url: self.url.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            origin_status: self.origin_status.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            clients: self.clients.load(Ordering::Relaxed),
            outcome: *self.outcome.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    fn ended(&self, url: String, origin_status: u16, bytes: u64, outcome: &'static str) {
        *self.url.lock().unwrap_or_else(|e| e.into_inner()) = url;
        self.origin_status.store(origin_status, Ordering::Relaxed);
        self.bytes.store(bytes, Ordering::Relaxed);
        *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
    }
}

/// A fetch in flight, shared by the clients that asked for the same key.
pub struct Flight {
    rx: watch::Receiver<State>,
    bucket: String,
    key: String,
    info: Arc<FlightInfo>,
}

impl Flight {
    pub(crate) fn new(
        bucket: String,
        key: String,
        url: &str,
    ) -> (Arc<Self>, watch::Sender<State>, Arc<FlightInfo>) {
        let (tx, rx) = watch::channel(State::Connecting);
        let info = FlightInfo::starting(url);
        let flight = Arc::new(Self {
            rx,
            bucket,
            key,
            info: info.clone(),
        });
        (flight, tx, info)
    }

    /// Another client of a running fetch.
    pub(crate) fn joined(
        rx: watch::Receiver<State>,
        bucket: String,
        key: String,
        info: Arc<FlightInfo>,
    ) -> Arc<Self> {
        info.clients.fetch_add(1, Ordering::Relaxed);
        Arc::new(Self {
            rx,
            bucket,
            key,
            info,
        })
    }

    /// What is known of the fetch (shared with every client of it).
    pub fn info(&self) -> Arc<FlightInfo> {
        self.info.clone()
    }

    /// Waits until the response head is known, or until an outcome that has none.
    pub async fn head(&self) -> State {
        self.wait(|s| !matches!(s, State::Connecting)).await
    }

    /// Waits until the fetch has ended (complete, failed, or an outcome without a body).
    pub async fn finished(&self) -> State {
        self.wait(|s| !matches!(s, State::Connecting | State::Streaming { .. }))
            .await
    }

    async fn wait(&self, done: impl Fn(&State) -> bool) -> State {
        let mut rx = self.rx.clone();
        loop {
            let s = rx.borrow_and_update().clone();
            if done(&s) {
                return s;
            }
            if rx.changed().await.is_err() {
                return rx.borrow().clone();
            }
        }
    }

    /// The body from its first byte, as it arrives. Ends with an error (aborting the client's
    /// connection) if the fetch fails midway.
    pub fn body(&self, mirror: &Mirror) -> BodyStream {
        Follow::new(
            self.rx.clone(),
            mirror.store.clone(),
            self.bucket.clone(),
            self.key.clone(),
        )
        .into_stream()
    }
}

/// A failed fetch's state.
pub(crate) fn failure(message: impl Into<String>, origin_status: u16, after_head: bool) -> State {
    failure_of(FailureKind::Origin, message, origin_status, after_head)
}

/// A failed fetch's state, for a given reason.
pub(crate) fn failure_of(
    kind: FailureKind,
    message: impl Into<String>,
    origin_status: u16,
    after_head: bool,
) -> State {
    State::Failed(Failure {
        message: message.into(),
        origin_status,
        after_head,
        kind,
    })
}

/// OSS's message when nothing more specific applies.
pub(crate) const GENERIC: &str = "Mirroring failed, please check your mirror configuration";

/// Runs one fetch to its end, publishing its progress.
pub(crate) async fn run(
    mirror: Arc<Mirror>,
    plan: FetchPlan,
    tx: watch::Sender<State>,
    info: Arc<FlightInfo>,
    id: Option<(String, String)>,
) {
    let started = Instant::now();
    // Removes the single-flight entry however this task ends (a panic included), so later
    // requests never join a dead fetch.
    let _entry = Entry(mirror.clone(), id.clone());
    let already = plan.store
        && matches!(
            mirror.store.meta().get_object(&plan.bucket, &plan.key),
            Ok(Some(_))
        );
    let Fetched {
        state: end,
        origin_status,
        url,
        proxied,
    } = if already {
        Fetched {
            state: State::Present,
            origin_status: 0,
            url: plan.url.clone(),
            proxied: None,
        }
    } else {
        crate::origin::fetch(&mirror, &plan, &tx).await
    };
    let (outcome, bytes) = match &end {
        State::Present => ("present", 0),
        State::Complete { size, stored, .. } => (if *stored { "stored" } else { "proxied" }, *size),
        State::NotFound => ("not-found", 0),
        State::Redirect(_) => ("redirect", 0),
        State::Transparent { body, .. } => ("transparent", body.len() as u64),
        State::Failed(f) => match f.kind {
            FailureKind::Origin => ("failed", 0),
            FailureKind::TooLarge => ("too-large", 0),
            FailureKind::Abandoned => ("abandoned", 0),
        },
        State::Connecting | State::Streaming { .. } => ("interrupted", 0),
    };
    mirror.stats.outcome(outcome, bytes);
    let url = masked_userinfo(&url);
    info.ended(url.to_string(), origin_status, bytes, outcome);
    match &end {
        State::Failed(f) => tracing::warn!(
            rule = plan.rule,
            origin = %url,
            status = origin_status,
            ms = started.elapsed().as_millis() as u64,
            outcome,
            reason = %f.message,
            "mirror fetch"
        ),
        _ => tracing::info!(
            rule = plan.rule,
            origin = %url,
            status = origin_status,
            bytes,
            ms = started.elapsed().as_millis() as u64,
            outcome,
            "mirror fetch"
        ),
    }
    tx.send_replace(end);
    drop(_entry);
    if let Some(writer) = proxied {
        // A proxied body lives in its temp file until every follower is done with it;
        // dropping the writer then removes the file.
        tx.closed().await;
        drop(writer);
    }
}

/// Removes a flight from the single-flight map when dropped.
struct Entry(Arc<Mirror>, Option<(String, String)>);

impl Drop for Entry {
    fn drop(&mut self) {
        if let Some(id) = &self.1 {
            self.0.finished(id);
        }
    }
}
