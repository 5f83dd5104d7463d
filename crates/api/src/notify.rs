//! Event notifications: a bucket's `NotificationConfiguration` (S3's
//! PutBucketNotificationConfiguration, or `notifications` of a bucket in the configuration
//! file) sends S3 event messages to webhook targets declared in the configuration file.
//!
//! Each write path calls one function once its write is committed ([`object_created`],
//! [`object_removed`], [`mirrored`] for back-to-origin); a write that failed sends nothing.
//! The call matches the event against the bucket's destinations and queues one message per
//! matching destination ([`queue`]), written and flushed before the request is answered
//! (after the write's own flush: a crash between the two loses that message, and a queue
//! write that fails keeps it in memory only, logged), delivered at least once by a worker per
//! target ([`deliver`]), so a slow or dead receiver never holds a request.

pub mod config;
pub mod deliver;
pub mod message;
pub mod queue;

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ossemu_store::{BucketRecord, Deleted, ObjectRecord, Store};

pub use config::NotificationConfiguration;
pub use message::Kind;

use crate::request::Ctx;
use crate::state::AppState;

/// The configuration document kind holding a bucket's notification configuration.
pub const KIND: &str = "notification";

/// Messages the queue holds by default (`--notify-queue`).
pub const DEFAULT_QUEUE: usize = 10_000;

/// A webhook target declared in the configuration file (`[[webhooks]]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    /// The name ARNs end with (`arn:aws:sqs:us-east-1:000000000000:<name>`).
    pub name: String,
    /// `http://host[:port]/path`: where messages are POSTed.
    pub url: String,
    /// A header sent with every POST (`Authorization`, `Bearer …`).
    pub auth_header: Option<(String, String)>,
}

impl Webhook {
    /// Checks a target's name (letters, digits, `-`, `_`, `.`) and URL (`http://`).
    pub fn check(&self) -> Result<(), String> {
        let name_ok = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !name_ok {
            return Err(format!(
                "webhook name {:?}: letters, digits, '-', '_' and '.' only",
                self.name
            ));
        }
        if deliver::split_url(&self.url).is_none() {
            return Err(format!(
                "webhook {}: url {:?} is not an http:// URL",
                self.name, self.url
            ));
        }
        Ok(())
    }

    /// Parses an `auth_header` line, `Name: value`.
    pub fn parse_header(line: &str) -> Result<(String, String), String> {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("auth_header {line:?}: expected \"Name: value\""))?;
        let (name, value) = (name.trim(), value.trim());
        let valid = http::HeaderName::from_bytes(name.as_bytes()).is_ok()
            && http::HeaderValue::from_str(value).is_ok();
        if !valid || name.is_empty() {
            return Err(format!("auth_header {line:?}: not a valid header"));
        }
        Ok((name.to_string(), value.to_string()))
    }
}

/// The webhook targets and the queue of messages for them.
pub struct Notifier {
    /// The declared targets.
    pub webhooks: Vec<Webhook>,
    /// Messages waiting for delivery.
    pub queue: queue::Queue,
    /// Each bucket's destinations as last decoded, keyed on the store's cached document.
    subscriptions: std::sync::RwLock<HashMap<String, Decoded>>,
}

/// A bucket's notification document (the store's shared copy) and its destinations.
type Decoded = (Arc<[u8]>, Arc<[config::Subscription]>);

impl Notifier {
    /// A notifier for `webhooks` whose queue holds at most `limit` messages.
    pub fn new(webhooks: Vec<Webhook>, limit: usize) -> Self {
        Self {
            webhooks,
            queue: queue::Queue::new(limit),
            subscriptions: Default::default(),
        }
    }

    /// The destinations of `bucket`: decoded again only when its stored document changed
    /// (every write of a bucket with a configuration asks).
    fn subscriptions(
        &self,
        meta: &ossemu_store::Meta,
        bucket: &str,
    ) -> crate::error::ApiResult<Arc<[config::Subscription]>> {
        let Some(raw) = meta.shared_config(bucket, KIND)? else {
            if self.read_subscriptions().contains_key(bucket) {
                self.write_subscriptions().remove(bucket);
            }
            return Ok(Arc::from([]));
        };
        let cached = self.read_subscriptions().get(bucket).cloned();
        if let Some((seen, subs)) = cached
            && Arc::ptr_eq(&seen, &raw)
        {
            return Ok(subs);
        }
        let conf: NotificationConfiguration =
            serde_json::from_slice(&raw).map_err(crate::error::ApiError::internal)?;
        let subs: Arc<[config::Subscription]> = conf.subscriptions().into();
        self.write_subscriptions()
            .insert(bucket.to_string(), (raw, subs.clone()));
        Ok(subs)
    }

    fn read_subscriptions(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Decoded>> {
        self.subscriptions.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_subscriptions(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Decoded>> {
        self.subscriptions
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The targets' names.
    pub fn targets(&self) -> Vec<&str> {
        self.webhooks.iter().map(|w| w.name.as_str()).collect()
    }

    /// Metrics in the Prometheus text format.
    pub fn render(&self, out: &mut String) {
        let family = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
        };
        family(
            out,
            "ossemu_notifications_total",
            "counter",
            "Event notification messages by webhook target and outcome (delivered, failed after the last attempt, dropped from a full queue).",
        );
        let counts = self.queue.all_counts();
        for (target, c) in &counts {
            for (outcome, n) in [
                ("delivered", &c.delivered),
                ("failed", &c.failed),
                ("dropped", &c.dropped),
            ] {
                let n = n.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "ossemu_notifications_total{{target=\"{target}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        family(
            out,
            "ossemu_notification_failed_attempts_total",
            "counter",
            "Delivery attempts that got no 2xx answer, by webhook target.",
        );
        for (target, c) in &counts {
            let n = c.failed_attempts.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "ossemu_notification_failed_attempts_total{{target=\"{target}\"}} {n}"
            );
        }
        family(
            out,
            "ossemu_notification_queue_length",
            "gauge",
            "Event notification messages waiting for delivery, by webhook target.",
        );
        let lengths = self.queue.lengths();
        for target in self.targets() {
            let n = lengths
                .iter()
                .find(|(t, _)| t == target)
                .map_or(0, |(_, n)| *n);
            let _ = writeln!(
                out,
                "ossemu_notification_queue_length{{target=\"{target}\"}} {n}"
            );
        }
    }
}

/// Starts a delivery worker per target (the messages a previous run left queued were taken
/// up with the state, [`AppState::new`]).
pub fn spawn(state: &Arc<AppState>) -> Vec<tokio::task::JoinHandle<()>> {
    let n = &state.notify;
    n.webhooks
        .iter()
        .map(|hook| tokio::spawn(deliver::run(state.clone(), hook.clone())))
        .collect()
}

/// Stores (`Some`) or removes a bucket's notification configuration; start-up uses it for
/// buckets the configuration file gives `notifications`.
pub async fn store(
    store: &Store,
    bucket: &str,
    conf: Option<&NotificationConfiguration>,
) -> ossemu_store::Result<()> {
    let doc = conf.map(serde_json::to_vec).transpose()?;
    store.put_config(bucket, KIND, doc.as_deref()).await
}

/// What an event says besides the object: the request's facts.
#[derive(Clone)]
struct Origin {
    principal: String,
    source_ip: String,
    request_id: String,
}

impl Origin {
    fn of(cx: &Ctx) -> Self {
        Self {
            principal: cx.identity.owner().unwrap_or("Anonymous").to_string(),
            source_ip: cx.peer.ip().to_string(),
            request_id: cx.id.clone(),
        }
    }
}

/// Queues a message for every destination of `bucket` that wants event `kind` of `key`.
async fn emit(
    state: &AppState,
    bucket: &BucketRecord,
    key: &str,
    kind: Kind,
    object: (Option<&ObjectRecord>, Option<&str>),
    origin: Origin,
) {
    if state.notify.webhooks.is_empty() {
        return;
    }
    let subs = match state.notify.subscriptions(state.store.meta(), &bucket.name) {
        Ok(s) if s.is_empty() => return,
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(bucket = %bucket.name, error = ?e.code, "reading the notification configuration failed");
            return;
        }
    };
    let name = format!("s3:{}", kind.event_name());
    let (rec, version) = object;
    let facts = message::Facts {
        region: state.config.region.clone(),
        time_ms: ossemu_store::now_ms(),
        principal: origin.principal,
        source_ip: origin.source_ip,
        request_id: origin.request_id,
        bucket: bucket.name.clone(),
        bucket_owner: bucket.owner.clone(),
        key: key.to_string(),
        size: rec.map(|r| r.size),
        etag: rec.map(|r| r.etag.clone()),
        version_id: version
            .map(str::to_string)
            .or_else(|| rec.and_then(|r| r.version_id.clone())),
        sequencer: sequencer(),
    };
    let targets = state.notify.targets();
    for sub in subs.iter() {
        // A target no longer declared (or one the configuration skipped validating) gets
        // nothing.
        if sub.wants(&name, key) && targets.contains(&sub.target.as_str()) {
            let body = message::body(kind, &sub.id, &facts);
            state
                .notify
                .queue
                .push(&state.store, &sub.target, body)
                .await;
        }
    }
}

/// Increasing across the process's events (and across restarts: it is the time in
/// nanoseconds, or one more than the last value).
fn sequencer() -> u64 {
    use std::sync::atomic::AtomicU64;
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut prev = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(prev + 1);
        match LAST.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(p) => prev = p,
        }
    }
}

/// An object was stored by a request: `s3:ObjectCreated:<kind>`.
pub async fn object_created(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    rec: &ObjectRecord,
    kind: Kind,
) {
    emit(
        &cx.state,
        bucket,
        key,
        kind,
        (Some(rec), None),
        Origin::of(cx),
    )
    .await;
}

/// A delete removed something: `s3:ObjectRemoved:DeleteMarkerCreated` when it added a
/// delete marker, else `s3:ObjectRemoved:Delete`. A delete that changed nothing sends nothing.
pub async fn object_removed(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    requested_version: Option<&str>,
    done: &Deleted,
) {
    if !done.changed {
        return;
    }
    let kind = if done.delete_marker && requested_version.is_none() {
        Kind::DeleteMarkerCreated
    } else {
        Kind::Delete
    };
    let version = done.version_id.as_deref().or(requested_version);
    emit(
        &cx.state,
        bucket,
        key,
        kind,
        (None, version),
        Origin::of(cx),
    )
    .await;
}

/// A lifecycle rule removed something of `key` (see [`object_removed`]):
/// `s3:LifecycleExpiration:DeleteMarkerCreated` or `s3:LifecycleExpiration:Delete`, with
/// `s3.amazonaws.com` as the requester, as S3 reports its own lifecycle actions.
pub async fn expired(
    state: &AppState,
    bucket: &BucketRecord,
    key: &str,
    requested_version: Option<&str>,
    done: &Deleted,
) {
    if !done.changed {
        return;
    }
    let kind = if done.delete_marker && requested_version.is_none() {
        Kind::LifecycleDeleteMarkerCreated
    } else {
        Kind::LifecycleDelete
    };
    let origin = Origin {
        principal: "s3.amazonaws.com".into(),
        source_ip: "s3.amazonaws.com".into(),
        request_id: format!("{:016X}", uuid::Uuid::new_v4().as_u64_pair().0),
    };
    let version = done.version_id.as_deref().or(requested_version);
    emit(state, bucket, key, kind, (None, version), origin).await;
}

/// What a mirror fetch started by `cx` calls when it has stored the object:
/// `s3:ObjectCreated:Mirror`, as requested by the client whose request started the fetch.
pub fn mirrored(cx: &Ctx, bucket: &BucketRecord) -> ossemu_mirror::OnStored {
    let state = cx.state.clone();
    let bucket = bucket.clone();
    let origin = Arc::new(Origin::of(cx));
    ossemu_mirror::OnStored(Arc::new(move |key: &str, rec: &ObjectRecord| {
        let (state, bucket, origin) = (state.clone(), bucket.clone(), origin.clone());
        let (key, rec) = (key.to_string(), rec.clone());
        Box::pin(async move {
            let origin = (*origin).clone();
            emit(
                &state,
                &bucket,
                &key,
                Kind::Mirror,
                (Some(&rec), None),
                origin,
            )
            .await;
        })
    }))
}
