//! [`Engine`] on sled 0.34: one tree, batches through `apply_batch`.
//!
//! sled stops for good after an I/O error such as ENOSPC: it keeps the first error and
//! returns it from every later call, reads included, until the database is opened again. The
//! engine then counts as failed and is reopened from what is durable by the next write
//! ([`Engine::ready`]) or read. Every batch also writes its number under a hidden key, so the
//! number found there after reopening is that of the last durable batch: a batch whose flush
//! failed learns from it whether it made it ([`Engine::fate`]).

use std::collections::VecDeque;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, TryLockError};
use std::time::{Duration, Instant};

use super::{Batch, Engine, Fate, KvIter, Ticket};
use crate::error::{Result, StoreError};
use crate::faults::Faults;

/// The hidden key holding the number of the last batch applied. Above every key the
/// metadata layer writes (their first byte is a lower-case letter); scans never show it.
const MARKER: &[u8] = b"\xff\xff\xff\xffossemu:last-batch";
/// Ended generations whose last durable batch is remembered.
const ENDED_KEPT: usize = 64;
/// Attempts to (re)open while another handle still holds sled's file lock (a scan under way,
/// a handle just dropped).
const OPEN_ATTEMPTS: u32 = 25;
/// Pause between those attempts.
const OPEN_PAUSE: Duration = Duration::from_millis(20);
/// After reopening failed, requests fail at once for this long rather than try again.
const REOPEN_COOLDOWN: Duration = Duration::from_secs(1);

/// Frees room on the filesystem when the database cannot be opened for lack of it; true if
/// it freed any.
pub type MakeRoom = Box<dyn Fn() -> bool + Send + Sync>;

/// Why the engine failed.
#[derive(Clone, Debug)]
enum Failure {
    NoSpace,
    Other(String),
}

/// A generation that ended in a failure.
struct Ended {
    generation: u64,
    /// Number of its last durable batch.
    last: u64,
    /// It failed for lack of space.
    no_space: bool,
}

/// The open database and its generation.
struct Live {
    db: sled::Db,
    generation: u64,
}

/// The engine for data directories.
pub struct SledEngine {
    dir: PathBuf,
    live: RwLock<Option<Live>>,
    /// Set on an I/O error; cleared by a successful reopening.
    failed: AtomicBool,
    failure: Mutex<Option<Failure>>,
    /// The current generation, or the failed one until it is reopened.
    generation: AtomicU64,
    /// Ended generations, newest last.
    ended: Mutex<VecDeque<Ended>>,
    /// Number of the last batch applied.
    last_seq: AtomicU64,
    /// Serialises numbering and applying batches, so that numbers follow the log.
    apply_lock: Mutex<()>,
    /// Serialises reopening; holds when the next attempt may be made after one failed.
    reopening: Mutex<Option<Instant>>,
    make_room: Option<MakeRoom>,
    faults: Option<Arc<Faults>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes snapshot files sled did not finish writing. sled 0.34 writes a snapshot while it
/// opens, to `snap.<lsn>.generating`, renamed to `snap.<lsn>` once complete; one left behind by
/// a write that failed (ENOSPC) sorts after the complete ones, and sled then refuses to open
/// ("Read corrupted data") even once there is space again. Such a file is never complete.
fn remove_unfinished_snapshots(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("snap.") && name.ends_with(".generating") {
            match std::fs::remove_file(e.path()) {
                Ok(()) => tracing::warn!(file = name, "removed an unfinished sled snapshot"),
                Err(err) => {
                    tracing::error!(file = name, error = %err, "could not remove an unfinished sled snapshot")
                }
            }
        }
    }
}

fn open_db(dir: &Path) -> Result<sled::Db> {
    remove_unfinished_snapshots(dir);
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(16 << 20)
        .flush_every_ms(Some(1000))
        .open()?;
    // Until this layout, records lived in one tree per kind.
    if db.tree_names().iter().any(|n| n.as_ref() == b"objects") {
        return Err(StoreError::Db(format!(
            "{} holds metadata in the layout of an older ossemu; start with an empty data directory",
            dir.display()
        )));
    }
    Ok(db)
}

/// Opens the database, making room once if it lacks space, and trying again for a while if
/// it fails otherwise: a handle dropped a moment ago may still hold sled's file lock while its
/// background thread ends (in-process restarts; a killed process holds nothing).
fn open_patiently(dir: &Path, make_room: Option<&MakeRoom>) -> Result<sled::Db> {
    let mut attempts = 0;
    loop {
        match open_db(dir) {
            Err(StoreError::NoSpace) if make_room.is_some_and(|f| f()) => return open_db(dir),
            Err(StoreError::NoSpace) => return Err(StoreError::NoSpace),
            Err(_) if attempts + 1 < OPEN_ATTEMPTS => {
                attempts += 1;
                std::thread::sleep(OPEN_PAUSE);
            }
            done => return done,
        }
    }
}

fn read_marker(db: &sled::Db) -> Result<u64> {
    Ok(db
        .get(MARKER)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map_or(0, u64::from_be_bytes))
}

impl SledEngine {
    /// Opens (or creates) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_with(dir, None, None)
    }

    /// Opens the database in `dir`; `make_room` is called when it cannot be (re)opened for
    /// lack of space, `faults` injects failures.
    pub(crate) fn open_with(
        dir: &Path,
        faults: Option<Arc<Faults>>,
        make_room: Option<MakeRoom>,
    ) -> Result<Self> {
        let db = open_patiently(dir, make_room.as_ref())?;
        let last = read_marker(&db)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            live: RwLock::new(Some(Live { db, generation: 0 })),
            failed: AtomicBool::new(false),
            failure: Mutex::new(None),
            generation: AtomicU64::new(0),
            ended: Mutex::new(VecDeque::new()),
            last_seq: AtomicU64::new(last),
            apply_lock: Mutex::new(()),
            reopening: Mutex::new(None),
            make_room,
            faults,
        })
    }

    fn live(&self) -> RwLockReadGuard<'_, Option<Live>> {
        self.live.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the engine failed (keeping the first cause until it is reopened).
    fn fail(&self, why: Failure) {
        let mut f = lock(&self.failure);
        if f.is_none() {
            tracing::error!(
                cause = ?why,
                "the metadata store failed; it is reopened on the next request"
            );
            *f = Some(why);
        }
        self.failed.store(true, Ordering::SeqCst);
    }

    /// Converts a sled error, marking the engine failed on an I/O error.
    fn check(&self, e: sled::Error) -> StoreError {
        let io = matches!(e, sled::Error::Io(_));
        let err = StoreError::from(e);
        if io {
            self.fail(match &err {
                StoreError::NoSpace => Failure::NoSpace,
                other => Failure::Other(other.to_string()),
            });
        }
        err
    }

    /// The error a write gets while the engine is failed: [`StoreError::NoSpace`] when the
    /// disk is full, else [`StoreError::Unavailable`].
    fn write_error(&self) -> StoreError {
        match lock(&self.failure).clone() {
            Some(Failure::NoSpace) => StoreError::NoSpace,
            Some(Failure::Other(m)) => StoreError::Unavailable(m),
            None => StoreError::Unavailable("the metadata store is being reopened".into()),
        }
    }

    /// The error a read gets while the engine is failed.
    fn read_error(&self) -> StoreError {
        match lock(&self.failure).clone() {
            Some(Failure::NoSpace) => StoreError::Unavailable(
                "the disk is full and the metadata store has no room to reopen".into(),
            ),
            Some(Failure::Other(m)) => StoreError::Unavailable(m),
            None => StoreError::Unavailable("the metadata store is being reopened".into()),
        }
    }

    /// Reopens a failed engine. `wait`: wait for a reopening under way, else fail at once.
    fn recover(&self, wait: bool) -> Result<()> {
        let mut retry_at = if wait {
            lock(&self.reopening)
        } else {
            match self.reopening.try_lock() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => return Err(self.read_error()),
            }
        };
        if !self.failed.load(Ordering::SeqCst) {
            return Ok(());
        }
        if retry_at.is_some_and(|t| Instant::now() < t) {
            return Err(self.read_error());
        }
        let reopened = self.reopen_now();
        *retry_at = match reopened {
            Ok(()) => None,
            Err(_) => Some(Instant::now() + REOPEN_COOLDOWN),
        };
        reopened
    }

    /// Drops the failed database and opens it again (the caller holds `reopening`).
    fn reopen_now(&self) -> Result<()> {
        let ended = self.generation.load(Ordering::SeqCst);
        let no_space = matches!(*lock(&self.failure), Some(Failure::NoSpace));
        // Drops this handle to the failed database; one held by a scan under way keeps
        // sled's file lock until the scan ends, which `reopen` waits for.
        drop(self.live.write().unwrap_or_else(|e| e.into_inner()).take());
        let db = self.reopen()?;
        let last = match read_marker(&db) {
            Ok(n) => n,
            Err(e) => {
                self.replace_failure(Failure::Other(e.to_string()));
                return Err(self.write_error());
            }
        };
        {
            let mut e = lock(&self.ended);
            e.push_back(Ended {
                generation: ended,
                last,
                no_space,
            });
            while e.len() > ENDED_KEPT {
                e.pop_front();
            }
        }
        self.last_seq.fetch_max(last, Ordering::SeqCst);
        let generation = ended + 1;
        self.generation.store(generation, Ordering::SeqCst);
        *self.live.write().unwrap_or_else(|e| e.into_inner()) = Some(Live { db, generation });
        *lock(&self.failure) = None;
        self.failed.store(false, Ordering::SeqCst);
        tracing::warn!(
            last_durable_batch = last,
            "reopened the metadata store after a failure"
        );
        Ok(())
    }

    fn replace_failure(&self, why: Failure) {
        *lock(&self.failure) = Some(why);
    }

    /// Opens the database again, making room once if it lacks space and retrying for a
    /// while if something else fails (another handle still holding sled's lock).
    fn reopen(&self) -> Result<sled::Db> {
        let mut made_room = false;
        let mut attempts = 0;
        loop {
            match open_db(&self.dir) {
                Ok(db) => return Ok(db),
                Err(StoreError::NoSpace) => {
                    if !made_room && self.make_room.as_ref().is_some_and(|f| f()) {
                        made_room = true;
                        continue;
                    }
                    self.replace_failure(Failure::NoSpace);
                    return Err(StoreError::NoSpace);
                }
                Err(e) if attempts + 1 >= OPEN_ATTEMPTS => {
                    self.replace_failure(Failure::Other(format!("reopening failed: {e}")));
                    return Err(self.write_error());
                }
                Err(_) => {
                    attempts += 1;
                    std::thread::sleep(OPEN_PAUSE);
                }
            }
        }
    }

    /// Runs `f` on the live database, reopening it first if it failed.
    fn with_db<T>(&self, f: impl FnOnce(&sled::Db) -> sled::Result<T>) -> Result<T> {
        if self.failed.load(Ordering::SeqCst) {
            self.recover(false)?;
        }
        let live = self.live();
        let Some(l) = live.as_ref() else {
            return Err(self.read_error());
        };
        f(&l.db).map_err(|e| self.check(e))
    }
}

fn owned(b: Bound<&[u8]>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(k) => Bound::Included(k.to_vec()),
        Bound::Excluded(k) => Bound::Excluded(k.to_vec()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl Engine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.with_db(|db| db.get(key))?.map(|v| v.to_vec()))
    }

    fn range(&self, from: Bound<&[u8]>, to: Bound<&[u8]>) -> KvIter<'_> {
        let empty = match (from, to) {
            (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
                a > b
            }
            _ => false,
        };
        if empty {
            // sled panics on a range whose start is after its end.
            return Box::new(std::iter::empty());
        }
        let range = (owned(from), owned(to));
        let iter = match self.with_db(|db| Ok(db.range::<Vec<u8>, _>(range))) {
            Ok(iter) => iter,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        Box::new(iter.filter_map(move |kv| match kv {
            Ok((k, _)) if k.as_ref() == MARKER => None,
            Ok((k, v)) => Some(Ok((k.to_vec(), v.to_vec()))),
            Err(e) => Some(Err(self.check(e))),
        }))
    }

    fn ready(&self) -> Result<u64> {
        if self.failed.load(Ordering::SeqCst) {
            self.recover(true).map_err(|_| self.write_error())?;
        }
        match self.live().as_ref() {
            Some(l) => Ok(l.generation),
            None => Err(self.write_error()),
        }
    }

    fn apply(&self, batch: Batch, generation: u64) -> Result<Ticket> {
        let live = self.live();
        let Some(l) = live.as_ref() else {
            return Err(self.write_error());
        };
        if self.failed.load(Ordering::SeqCst) {
            return Err(self.write_error());
        }
        if l.generation != generation {
            return Err(StoreError::Unavailable(
                "the metadata store was reopened during this write".into(),
            ));
        }
        if self.faults.as_ref().is_some_and(|f| f.engine_apply_fails()) {
            self.fail(Failure::NoSpace);
            return Err(StoreError::NoSpace);
        }
        let _a = lock(&self.apply_lock);
        let seq = self.last_seq.load(Ordering::SeqCst) + 1;
        let mut b = sled::Batch::default();
        for (k, v) in batch.into_ops() {
            match v {
                Some(v) => b.insert(k, v),
                None => b.remove(k),
            }
        }
        b.insert(MARKER, &seq.to_be_bytes());
        l.db.apply_batch(b).map_err(|e| self.check(e))?;
        self.last_seq.store(seq, Ordering::SeqCst);
        Ok(Ticket { generation, seq })
    }

    fn flush(&self) -> Result<u64> {
        let live = self.live();
        let Some(l) = live.as_ref() else {
            return Err(self.write_error());
        };
        if self.failed.load(Ordering::SeqCst) {
            return Err(self.write_error());
        }
        if self.faults.as_ref().is_some_and(|f| f.engine_flush_fails()) {
            self.fail(Failure::NoSpace);
            return Err(StoreError::NoSpace);
        }
        l.db.flush().map_err(|e| self.check(e))?;
        Ok(l.generation)
    }

    fn fate(&self, ticket: Ticket) -> Fate {
        if ticket.generation == self.generation.load(Ordering::SeqCst) {
            return Fate::Unknown;
        }
        lock(&self.ended)
            .iter()
            .find(|e| e.generation == ticket.generation)
            .map_or(Fate::Unknown, |e| {
                if ticket.seq <= e.last {
                    Fate::Durable
                } else {
                    Fate::Lost {
                        no_space: e.no_space,
                    }
                }
            })
    }
}
