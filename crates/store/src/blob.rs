//! Object bodies as files: `tmp/` for writes in progress, `blobs/xx/<id>` once published.
//!
//! A body is written to a temp file while its MD5, CRC-64 and length are computed, then
//! flushed, fsynced and renamed into `blobs/`, and the directory is fsynced. Only then may the
//! metadata that references it be committed. Readers pin the blobs they stream, so an overwrite
//! that frees a blob defers the unlink until the last reader is done.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::Stream;
use md5::{Digest, Md5};

use crate::model::{BlobId, Segment};

/// Bytes buffered by a writer before they go to the file in one blocking call.
const WRITE_BATCH: usize = 1 << 20;
/// Size of the chunks a body stream yields.
pub const READ_CHUNK: usize = 256 * 1024;

/// MD5, CRC-64/XZ and length of a byte stream, computed as it passes.
#[derive(Clone)]
pub struct BodyHasher {
    md5: Md5,
    crc: crc_fast::Digest,
    len: u64,
}

impl Default for BodyHasher {
    fn default() -> Self {
        Self {
            md5: Md5::new(),
            crc: crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Xz),
            len: 0,
        }
    }
}

impl BodyHasher {
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        self.crc.update(data);
        self.len += data.len() as u64;
    }

    /// Bytes seen so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing was fed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// MD5 and CRC-64 of everything fed.
    pub fn finish(self) -> ([u8; 16], u64) {
        (self.md5.finalize().into(), self.crc.finalize())
    }
}

/// CRC-64/XZ of `data` (the OSS `x-oss-hash-crc64ecma` algorithm).
pub fn crc64(data: &[u8]) -> u64 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Xz, data)
}

/// CRC-64/XZ of `a ++ b` from the CRCs of `a` and `b` and the length of `b`.
pub fn crc64_combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    crc_fast::checksum_combine(crc_fast::CrcAlgorithm::Crc64Xz, crc_a, crc_b, len_b)
}

#[derive(Default)]
struct PinState {
    readers: usize,
    doomed: bool,
}

/// The directories holding bodies, and the reader pins.
pub(crate) struct Blobs {
    tmp: PathBuf,
    blobs: PathBuf,
    fsync: bool,
    pins: Mutex<HashMap<BlobId, PinState>>,
}

impl Blobs {
    /// Creates `tmp/` and the 256 `blobs/xx/` directories under `root`.
    pub(crate) fn open(root: &Path, fsync: bool) -> io::Result<Arc<Self>> {
        let tmp = root.join("tmp");
        let blobs = root.join("blobs");
        std::fs::create_dir_all(&tmp)?;
        for i in 0..=255u8 {
            std::fs::create_dir_all(blobs.join(format!("{i:02x}")))?;
        }
        Ok(Arc::new(Self {
            tmp,
            blobs,
            fsync,
            pins: Mutex::new(HashMap::new()),
        }))
    }

    fn path(&self, id: BlobId) -> PathBuf {
        let hex = id.hex();
        self.blobs.join(&hex[..2]).join(hex)
    }

    fn tmp_path(&self, id: BlobId) -> PathBuf {
        self.tmp.join(id.hex())
    }

    /// Removes everything under `tmp/`; returns how many files were removed.
    pub(crate) fn clear_tmp(&self) -> io::Result<usize> {
        let mut n = 0;
        for entry in std::fs::read_dir(&self.tmp)? {
            let entry = entry?;
            if std::fs::remove_file(entry.path()).is_ok() {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Calls `f` with every published blob id; returns ids for which `f` says "orphan".
    pub(crate) fn for_each_blob(
        &self,
        mut f: impl FnMut(BlobId) -> io::Result<()>,
    ) -> io::Result<()> {
        for i in 0..=255u8 {
            let dir = self.blobs.join(format!("{i:02x}"));
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name();
                match name.to_str().and_then(BlobId::from_hex) {
                    Some(id) => f(id)?,
                    None => {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
        }
        Ok(())
    }

    /// Unlinks a blob file now (start-up sweep).
    pub(crate) fn remove_now(&self, id: BlobId) {
        let _ = std::fs::remove_file(self.path(id));
    }

    /// Pins blobs against deletion while a reader streams them.
    pub(crate) fn pin(self: &Arc<Self>, segments: &[Segment]) -> PinGuard {
        let mut ids: Vec<BlobId> = segments.iter().map(|s| s.blob).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut pins = self.pins.lock().unwrap_or_else(|e| e.into_inner());
        for id in &ids {
            pins.entry(*id).or_default().readers += 1;
        }
        PinGuard {
            blobs: self.clone(),
            ids,
        }
    }

    /// Deletes blobs that no record references any more; pinned ones go when unpinned.
    pub(crate) fn release(&self, ids: Vec<BlobId>) {
        let mut now = Vec::new();
        {
            let mut pins = self.pins.lock().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                match pins.get_mut(&id) {
                    Some(p) if p.readers > 0 => p.doomed = true,
                    _ => now.push(id),
                }
            }
        }
        for id in now {
            self.remove_now(id);
        }
    }

    fn unpin(&self, ids: &[BlobId]) {
        let mut doomed = Vec::new();
        {
            let mut pins = self.pins.lock().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                if let Some(p) = pins.get_mut(id) {
                    p.readers -= 1;
                    if p.readers == 0 {
                        if p.doomed {
                            doomed.push(*id);
                        }
                        pins.remove(id);
                    }
                }
            }
        }
        for id in doomed {
            self.remove_now(id);
        }
    }
}

/// Keeps blobs from being unlinked while held.
pub struct PinGuard {
    blobs: Arc<Blobs>,
    ids: Vec<BlobId>,
}

impl Drop for PinGuard {
    fn drop(&mut self) {
        self.blobs.unpin(&self.ids);
    }
}

/// A batch being hashed and written on the blocking pool; it hands the file and hasher back.
type Inflight = tokio::task::JoinHandle<io::Result<(File, BodyHasher)>>;

/// Streams a body into a temp file; [`BlobWriter::finish`] publishes it.
///
/// Chunks are batched; one batch is hashed and written on the blocking pool while the next
/// one is received, so network reads overlap with hashing and disk writes. Dropping an
/// unfinished writer removes the temp file, so an aborted upload leaves nothing.
pub struct BlobWriter {
    blobs: Arc<Blobs>,
    id: BlobId,
    file: Option<File>,
    hasher: Option<BodyHasher>,
    inflight: Option<Inflight>,
    pending: Vec<Bytes>,
    pending_len: usize,
    /// Bytes accepted by `write`.
    accepted: u64,
    /// Bytes known to be in the temp file.
    settled: u64,
    /// A temp file may exist and must be removed unless published.
    touched: bool,
    broken: bool,
}

impl BlobWriter {
    pub(crate) fn new(blobs: Arc<Blobs>) -> Self {
        Self {
            blobs,
            id: BlobId::random(),
            file: None,
            hasher: Some(BodyHasher::default()),
            inflight: None,
            pending: Vec::new(),
            pending_len: 0,
            accepted: 0,
            settled: 0,
            touched: false,
            broken: false,
        }
    }

    /// Bytes accepted so far.
    pub fn len(&self) -> u64 {
        self.accepted
    }

    /// True when no byte was written.
    pub fn is_empty(&self) -> bool {
        self.accepted == 0
    }

    /// Path of the temp file while the body is being written (it exists once a first chunk was
    /// flushed). Readers may follow it up to [`BlobWriter::flushed`] bytes; after
    /// [`BlobWriter::finish`] it is renamed, and an already open handle keeps working.
    pub fn temp_path(&self) -> PathBuf {
        self.blobs.tmp_path(self.id)
    }

    /// Bytes known to be in the temp file (after [`BlobWriter::flush`], all of them).
    pub fn flushed(&self) -> u64 {
        self.settled
    }

    /// MD5 and CRC-64 of everything written so far (after a [`BlobWriter::flush`]: of the
    /// whole body), without finishing the writer.
    pub fn digest(&self) -> ([u8; 16], u64) {
        self.hasher.clone().unwrap_or_default().finish()
    }

    /// Writes everything buffered to the temp file now (for readers following it).
    pub async fn flush(&mut self) -> io::Result<()> {
        self.settle().await?;
        self.start_batch()?;
        self.settle().await
    }

    /// Appends a chunk. Chunks are batched and written by the blocking pool.
    pub async fn write(&mut self, chunk: Bytes) -> io::Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        self.accepted += chunk.len() as u64;
        self.pending_len += chunk.len();
        self.pending.push(chunk);
        if self.pending_len >= WRITE_BATCH {
            // At most one batch in flight: wait for the previous one, then start this one.
            self.settle().await?;
            self.start_batch()?;
        }
        Ok(())
    }

    /// Waits for the batch in flight, if any.
    async fn settle(&mut self) -> io::Result<()> {
        let Some(task) = self.inflight.take() else {
            return if self.broken {
                Err(io::Error::other("blob writer failed earlier"))
            } else {
                Ok(())
            };
        };
        match task.await.map_err(io::Error::other).and_then(|r| r) {
            Ok((file, hasher)) => {
                self.settled = hasher.len();
                self.file = Some(file);
                self.hasher = Some(hasher);
                Ok(())
            }
            Err(e) => {
                self.broken = true;
                Err(e)
            }
        }
    }

    /// Hands the pending chunks to the blocking pool (no batch may be in flight).
    fn start_batch(&mut self) -> io::Result<()> {
        if self.broken {
            return Err(io::Error::other("blob writer failed earlier"));
        }
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunks = std::mem::take(&mut self.pending);
        self.pending_len = 0;
        self.touched = true;
        let file = self.file.take();
        let mut hasher = self.hasher.take().unwrap_or_default();
        let path = self.blobs.tmp_path(self.id);
        self.inflight = Some(tokio::task::spawn_blocking(move || {
            let mut file = match file {
                Some(f) => f,
                None => File::options().write(true).create_new(true).open(&path)?,
            };
            for c in &chunks {
                hasher.update(c);
                file.write_all(c)?;
            }
            Ok((file, hasher))
        }));
        Ok(())
    }

    /// Writes what is buffered, fsyncs, renames into `blobs/` and fsyncs the directory.
    pub async fn finish(mut self) -> io::Result<NewBlob> {
        self.flush().await?;
        let hasher = self.hasher.take().unwrap_or_default();
        let len = hasher.len();
        let (md5, crc64) = hasher.finish();
        let file = self.file.take();
        let blobs = self.blobs.clone();
        let id = self.id;
        let has_file = file.is_some();
        if let Some(file) = file {
            let (tmp, dst, fsync) = (blobs.tmp_path(id), blobs.path(id), blobs.fsync);
            let res = tokio::task::spawn_blocking(move || -> io::Result<()> {
                if fsync {
                    file.sync_all()?;
                }
                drop(file);
                std::fs::rename(&tmp, &dst)?;
                if fsync && let Some(dir) = dst.parent() {
                    File::open(dir)?.sync_all()?;
                }
                Ok(())
            })
            .await
            .map_err(io::Error::other)
            .and_then(|r| r);
            if let Err(e) = res {
                self.broken = true;
                // The rename may have happened before the directory fsync failed.
                blobs.remove_now(id);
                return Err(e);
            }
        }
        self.touched = false;
        Ok(NewBlob {
            blobs,
            id,
            has_file,
            len,
            md5,
            crc64,
            kept: false,
        })
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if !self.touched {
            return;
        }
        let path = self.blobs.tmp_path(self.id);
        match (self.inflight.take(), tokio::runtime::Handle::try_current()) {
            // A batch still running may create the file after an unlink here: remove it once
            // that batch is done.
            (Some(task), Ok(rt)) => {
                rt.spawn(async move {
                    let _ = task.await;
                    let _ = std::fs::remove_file(path);
                });
            }
            _ => {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// A published body not yet referenced by metadata; dropping it unlinks the file.
pub struct NewBlob {
    blobs: Arc<Blobs>,
    id: BlobId,
    has_file: bool,
    /// Length in bytes.
    pub len: u64,
    /// MD5 of the body.
    pub md5: [u8; 16],
    /// CRC-64/XZ of the body.
    pub crc64: u64,
    kept: bool,
}

impl NewBlob {
    /// The segments describing this body (none for an empty body).
    pub fn segments(&self) -> Vec<Segment> {
        if self.has_file && self.len > 0 {
            vec![Segment {
                blob: self.id,
                offset: 0,
                len: self.len,
            }]
        } else {
            Vec::new()
        }
    }

    /// Marks the file as referenced by committed metadata.
    pub(crate) fn keep(mut self) {
        self.kept = true;
    }

    /// Lower-case hex MD5.
    pub fn md5_hex(&self) -> String {
        hex::encode(self.md5)
    }
}

impl Drop for NewBlob {
    fn drop(&mut self) {
        if !self.kept && self.has_file {
            self.blobs.remove_now(self.id);
        }
    }
}

/// Reads of at most this many bytes are done without the blocking pool.
const INLINE_READ: u64 = 64 * 1024;

/// Reads `want` bytes at `off` of a body file, opening it unless `file` is given.
fn read_piece(
    file: Option<Arc<File>>,
    path: &std::path::Path,
    off: u64,
    want: u64,
) -> io::Result<(Arc<File>, Bytes)> {
    let file = match file {
        Some(f) => f,
        None => Arc::new(File::open(path)?),
    };
    let mut buf = vec![0u8; want as usize];
    let mut got = 0usize;
    while got < buf.len() {
        let n = file.read_at(&mut buf[got..], off + got as u64)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "body file shorter than its metadata",
            ));
        }
        got += n;
    }
    Ok((file, Bytes::from(buf)))
}

/// A stream of body bytes over a range of segments, holding their pins.
pub type BodyStream = std::pin::Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

struct ReadState {
    blobs: Arc<Blobs>,
    /// (blob, file offset, length) still to read, in order.
    pieces: std::collections::VecDeque<(BlobId, u64, u64)>,
    current: Option<(Arc<File>, BlobId)>,
    _pin: PinGuard,
}

/// Streams `len` bytes starting at `start` of the body made of `segments`.
pub(crate) fn read_range(
    blobs: Arc<Blobs>,
    segments: &[Segment],
    start: u64,
    len: u64,
    pin: PinGuard,
) -> BodyStream {
    let pieces = crate::model::slice_segments(segments, start, len)
        .into_iter()
        .map(|s| (s.blob, s.offset, s.len))
        .collect();
    let state = ReadState {
        blobs,
        pieces,
        current: None,
        _pin: pin,
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        let (blob, off, remaining) = st.pieces.pop_front()?;
        let want = remaining.min(READ_CHUNK as u64);
        let file = match &st.current {
            Some((f, id)) if *id == blob => Some(f.clone()),
            _ => None,
        };
        let path = st.blobs.path(blob);
        // A small piece is read on the spot: from the page cache that takes microseconds,
        // less than handing it to the blocking pool and waking up again (which, measured on
        // 4 KiB GETs, cost more CPU than everything else in the request).
        let res = if want <= INLINE_READ {
            read_piece(file, &path, off, want)
        } else {
            tokio::task::spawn_blocking(move || read_piece(file, &path, off, want))
                .await
                .map_err(io::Error::other)
                .and_then(|r| r)
        };
        match res {
            Ok((file, bytes)) => {
                if remaining > want {
                    st.pieces.push_front((blob, off + want, remaining - want));
                }
                st.current = Some((file, blob));
                Some((Ok(bytes), st))
            }
            Err(e) => {
                st.pieces.clear();
                Some((Err(e), st))
            }
        }
    }))
}
