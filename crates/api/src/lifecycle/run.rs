//! Applying lifecycle rules: one pass over every bucket that has a configuration
//! ([`run_once`]), on demand (`POST /_ossemu/lifecycle/run?at=`) or from the scheduler
//! ([`spawn`], every `--lifecycle-interval`).
//!
//! Each action is one store transaction that first checks the object version is still the
//! one the pass decided on (a client may have replaced it meanwhile), so a crash mid-pass
//! leaves every object either untouched or fully acted on, and the next pass finishes the
//! rest. Versions under Object Lock retention or legal hold, and objects an OSS retention
//! policy (WORM) protects, are never removed; expiring the current version of a versioned
//! bucket adds a delete marker, which those rules allow.

use std::sync::Arc;
use std::time::Duration;

use ossemu_store::{
    BucketRecord, NULL_VERSION, ObjectRecord, StoreError, TxError, Version, VersionEntry,
    Versioning,
};
use serde::Serialize;

use super::{Action, Plan};
use crate::error::ApiResult;
use crate::handlers::access_monitor::{self, Monitor};
use crate::handlers::{DAY_MS, storage, worm};
use crate::state::AppState;

/// Configuration document kind a bucket's lifecycle rules are stored under.
pub const KIND: &str = "lifecycle";
/// Versions and uploads read from the store per batch.
const BATCH: usize = 256;

/// What a pass did to one bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BucketReport {
    /// The bucket.
    pub bucket: String,
    /// Objects and versions deleted, delete markers added or removed.
    pub expired: u64,
    /// Objects and versions moved to another storage class.
    pub transitioned: u64,
    /// Multipart uploads aborted.
    pub aborted: u64,
}

/// What a pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The time the pass ran as, RFC 3339.
    pub at: String,
    /// Every bucket with a lifecycle configuration, in name order.
    pub buckets: Vec<BucketReport>,
}

/// The stored configuration of `bucket`, if it has one.
pub fn load(
    meta: &ossemu_store::Meta,
    bucket: &str,
) -> ApiResult<Option<ossemu_xml::lifecycle::LifecycleConfiguration>> {
    crate::handlers::load_config(meta, bucket, KIND)
}

/// Runs every bucket's rules once as if it were `at` (ms since the epoch). One pass at a
/// time: a second caller waits for the first.
pub async fn run_once(state: &AppState, at: i64) -> ApiResult<Report> {
    let _one = state.lifecycle_pass.lock().await;
    let mut report = Report {
        at: rfc3339(at),
        buckets: Vec::new(),
    };
    for bucket in state.store.meta().list_buckets()? {
        let Some(conf) = load(state.store.meta(), &bucket.name)? else {
            continue;
        };
        let plan = super::plan(&conf);
        let mut r = BucketReport {
            bucket: bucket.name.clone(),
            ..BucketReport::default()
        };
        let pass = Pass {
            state,
            bucket: &bucket,
            plan: &plan,
            at,
            worm_days: worm::active_at(state.store.meta(), &bucket.name, at)?.map(|w| w.days),
            monitor: access_monitor::load(state.store.meta(), &bucket.name)?,
        };
        match pass.objects(&mut r).await.and(pass.uploads(&mut r).await) {
            Ok(()) => {}
            // Deleted while the pass ran.
            Err(StoreError::NoSuchBucket) => continue,
            Err(e) => return Err(e.into()),
        }
        report.buckets.push(r);
    }
    Ok(report)
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Starts the scheduler: a pass every `every` on the server clock, until the runtime ends.
pub fn spawn(state: Arc<AppState>, every: Duration) {
    if every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            match run_once(&state, state.clock.now_ms()).await {
                Ok(r) => tracing::info!(buckets = r.buckets.len(), "lifecycle pass done"),
                Err(e) => tracing::warn!(error = ?e.code, "lifecycle pass failed"),
            }
        }
    });
}

/// One bucket's part of a pass.
struct Pass<'a> {
    state: &'a AppState,
    bucket: &'a BucketRecord,
    plan: &'a Plan,
    at: i64,
    /// The retention period of the bucket's OSS retention policy, if one is in effect.
    worm_days: Option<i64>,
    /// The bucket's access tracking, if enabled.
    monitor: Option<Monitor>,
}

/// Why an action was not taken: the version changed or is protected.
struct Skip;

/// A store outcome: done, skipped (the object changed, or is protected), or a failure.
fn settled<T>(r: Result<T, TxError<Skip>>) -> Result<bool, StoreError> {
    match r {
        Ok(_) => Ok(true),
        Err(TxError::Abort(Skip)) => Ok(false),
        Err(TxError::Store(
            StoreError::NoSuchKey | StoreError::NoSuchVersion | StoreError::NoSuchUpload,
        )) => Ok(false),
        Err(TxError::Store(e)) => Err(e),
    }
}

/// The same version as `seen`: an action applies only to the version it was decided for.
fn same(seen: &ObjectRecord, now: Option<&ObjectRecord>) -> Result<(), Skip> {
    match now {
        Some(n)
            if n.etag == seen.etag
                && n.modified_ms == seen.modified_ms
                && n.version_id == seen.version_id =>
        {
            Ok(())
        }
        _ => Err(Skip),
    }
}

impl Pass<'_> {
    /// The last access time of `rec` (its last modification where access is not tracked).
    fn accessed(&self, rec: &ObjectRecord) -> i64 {
        self.monitor.map_or(rec.modified_ms, |m| m.last_access(rec))
    }

    /// Whether a rule may remove `rec` for good now.
    fn protected(&self, rec: &ObjectRecord) -> bool {
        rec.legal_hold
            || rec.retention.as_ref().is_some_and(|r| r.until_ms > self.at)
            || self
                .worm_days
                .is_some_and(|d| rec.modified_ms.saturating_add(d * DAY_MS) > self.at)
    }

    fn guard(&self, rec: Option<&ObjectRecord>) -> Result<(), Skip> {
        if rec.is_some_and(|r| self.protected(r)) {
            Err(Skip)
        } else {
            Ok(())
        }
    }

    /// Every key's versions, a batch at a time.
    async fn objects(&self, r: &mut BucketReport) -> Result<(), StoreError> {
        let mut from = String::new();
        loop {
            let (batch, more) = self.batch(&from)?;
            let mut group: Vec<VersionEntry> = Vec::new();
            for e in batch {
                if group.first().is_some_and(|g| g.key != e.key) {
                    self.key(std::mem::take(&mut group), r).await?;
                }
                group.push(e);
            }
            if let Some(last) = group.first().map(|g| g.key.clone()) {
                self.key(group, r).await?;
                // Keys cannot hold NUL: "\u{1}" sorts right after every version of `last`
                // and before any longer key that starts with it.
                from = format!("{last}\u{1}");
            }
            if !more {
                return Ok(());
            }
        }
    }

    /// Up to [`BATCH`] versions from key `from` on, always ending with a whole key; and
    /// whether more follow.
    fn batch(&self, from: &str) -> Result<(Vec<VersionEntry>, bool), StoreError> {
        let mut out: Vec<VersionEntry> = Vec::new();
        for e in self
            .state
            .store
            .meta()
            .scan_versions(&self.bucket.name, from, false)
        {
            let e = e?;
            if out.len() >= BATCH && out.last().is_some_and(|l| l.key != e.key) {
                return Ok((out, true));
            }
            out.push(e);
        }
        Ok((out, false))
    }

    /// One key's versions, newest first.
    async fn key(
        &self,
        versions: Vec<VersionEntry>,
        r: &mut BucketReport,
    ) -> Result<(), StoreError> {
        let Some(first) = versions.first() else {
            return Ok(());
        };
        let key = first.key.as_str();
        match &first.version {
            Version::Marker(m) if versions.len() == 1 && self.plan.marker_expires(key) => {
                let id = m.version_id.clone();
                let done = self
                    .state
                    .store
                    .delete_object(&self.bucket.name, key, Some(&id), "")
                    .await;
                self.notify(key, Some(&id), done.as_ref().ok()).await;
                r.expired += u64::from(settled(done.map_err(TxError::<Skip>::Store))?);
            }
            Version::Object(rec) if first.latest => self.current(key, rec, r).await?,
            _ => {}
        }
        for (i, v) in versions.iter().enumerate().skip(1) {
            let Version::Object(rec) = &v.version else {
                continue;
            };
            let since = versions[i - 1].version.modified_ms();
            let class = storage::of(self.bucket, rec);
            let accessed = self.accessed(rec);
            let action = self
                .plan
                .noncurrent(key, rec, &class, since, accessed, i - 1, self.at);
            let id = rec.version_id.as_deref().unwrap_or(NULL_VERSION);
            match action {
                Some(Action::Expire) => {
                    let check = |now: Option<&ObjectRecord>| {
                        same(rec, now)?;
                        self.guard(now)
                    };
                    let done = self
                        .state
                        .store
                        .delete_checked(&self.bucket.name, key, Some(id), "", &check)
                        .await;
                    self.notify(key, Some(id), done.as_ref().ok()).await;
                    r.expired += u64::from(settled(done)?);
                }
                Some(Action::Transition(c)) => {
                    r.transitioned += u64::from(self.transition(key, Some(id), rec, &c).await?);
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Sends the event notifications of an expiration that `done`.
    async fn notify(&self, key: &str, version: Option<&str>, done: Option<&ossemu_store::Deleted>) {
        if let Some(d) = done {
            crate::notify::expired(self.state, self.bucket, key, version, d).await;
        }
    }

    /// The current version `rec` of `key`.
    async fn current(
        &self,
        key: &str,
        rec: &ObjectRecord,
        r: &mut BucketReport,
    ) -> Result<(), StoreError> {
        let class = storage::of(self.bucket, rec);
        match self
            .plan
            .current(key, rec, &class, self.accessed(rec), self.at)
        {
            Some(Action::Expire) => {
                if self.bucket.versioning == Versioning::Off && self.protected(rec) {
                    return Ok(());
                }
                let current = |now: Option<&ObjectRecord>| same(rec, now);
                let check = |removed: Option<&ObjectRecord>| self.guard(removed);
                let owner = self.bucket.owner.as_str();
                let done = self
                    .state
                    .store
                    .expire_current(&self.bucket.name, key, owner, &current, &check)
                    .await;
                self.notify(key, None, done.as_ref().ok()).await;
                r.expired += u64::from(settled(done)?);
            }
            Some(Action::Transition(c)) => {
                r.transitioned += u64::from(self.transition(key, None, rec, &c).await?);
            }
            None => {}
        }
        Ok(())
    }

    /// Moves a version (the current one when `version_id` is `None`) to `class`, keeping its
    /// last-modified time; a restored copy of an archived object is gone with the move.
    async fn transition(
        &self,
        key: &str,
        version_id: Option<&str>,
        rec: &ObjectRecord,
        class: &str,
    ) -> Result<bool, StoreError> {
        let edit = |now: &ObjectRecord| {
            same(rec, Some(now))?;
            let mut new = now.clone();
            new.attrs.storage_class = Some(class.to_string());
            new.restore = None;
            Ok(new)
        };
        let done = self
            .state
            .store
            .edit_object(&self.bucket.name, key, version_id, &edit)
            .await;
        settled(done)
    }

    /// Aborts the bucket's uploads that are due.
    async fn uploads(&self, r: &mut BucketReport) -> Result<(), StoreError> {
        let meta = self.state.store.meta();
        let mut after: Option<(String, String)> = None;
        loop {
            let page: Vec<_> = meta
                .scan_uploads(
                    &self.bucket.name,
                    after.as_ref().map(|(k, u)| (k.as_str(), u.as_str())),
                )
                .take(BATCH)
                .collect::<Result<_, _>>()?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = Some((last.key.clone(), last.upload_id.clone()));
            for u in &page {
                if self.plan.aborts(&u.key, u.initiated_ms, self.at) {
                    let done = self
                        .state
                        .store
                        .abort_upload(&self.bucket.name, &u.key, &u.upload_id)
                        .await;
                    r.aborted += u64::from(settled(done.map_err(TxError::<Skip>::Store))?);
                }
            }
        }
    }
}
