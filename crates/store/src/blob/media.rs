//! Where bodies are kept: files in a data directory, or memory for `--memory`.
//!
//! Files: a body is written to `tmp/<id>`, then flushed, fsynced and renamed to
//! `blobs/xx/<id>`, and the directory is fsynced. The 256 `blobs/xx/` directories are made
//! when a body first goes into one (and `blobs/` fsynced), not when the store opens: making
//! them all took a new data directory's start-up 3 to 6 ms of its 15. Memory: a body is a list of chunks; it is
//! published by entering it in a map. Either way a reader opened before a body is published
//! or unlinked keeps reading it.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::{Bytes, BytesMut};

use crate::model::BlobId;

/// A body held in memory: its chunks in order.
#[derive(Debug, Default)]
pub(crate) struct MemBody {
    /// (offset of the chunk, chunk).
    chunks: RwLock<Vec<(u64, Bytes)>>,
}

impl MemBody {
    fn len(chunks: &[(u64, Bytes)]) -> u64 {
        chunks.last().map_or(0, |(o, c)| o + c.len() as u64)
    }

    fn append(&self, chunk: Bytes) {
        let mut chunks = self.chunks.write().unwrap_or_else(|e| e.into_inner());
        let at = Self::len(&chunks);
        chunks.push((at, chunk));
    }

    /// Up to `want` bytes at `off` (fewer at the end of the body).
    fn read_at(&self, off: u64, want: u64) -> Bytes {
        let chunks = self.chunks.read().unwrap_or_else(|e| e.into_inner());
        let end = (off + want).min(Self::len(&chunks));
        if off >= end {
            return Bytes::new();
        }
        let first = chunks.partition_point(|(o, c)| o + c.len() as u64 <= off);
        let (start, chunk) = &chunks[first];
        if end <= start + chunk.len() as u64 {
            return chunk.slice((off - start) as usize..(end - start) as usize);
        }
        let mut out = BytesMut::with_capacity((end - off) as usize);
        for (start, chunk) in &chunks[first..] {
            if *start >= end {
                break;
            }
            let from = off.saturating_sub(*start) as usize;
            let to = ((end - start) as usize).min(chunk.len());
            out.extend_from_slice(&chunk[from..to]);
        }
        out.freeze()
    }
}

/// An open body, file or memory.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    File(Arc<File>),
    Mem(Arc<MemBody>),
}

impl Source {
    /// Up to `want` bytes at `off`; fewer only at the end of the body.
    pub(crate) fn read_at(&self, off: u64, want: u64) -> io::Result<Bytes> {
        match self {
            Source::Mem(m) => Ok(m.read_at(off, want)),
            Source::File(f) => {
                let mut buf = vec![0u8; want as usize];
                let mut got = 0usize;
                while got < buf.len() {
                    let n = f.read_at(&mut buf[got..], off + got as u64)?;
                    if n == 0 {
                        break;
                    }
                    got += n;
                }
                buf.truncate(got);
                Ok(Bytes::from(buf))
            }
        }
    }
}

/// Where a body being written goes.
pub(crate) enum Sink {
    File(File),
    Mem(Arc<MemBody>),
}

impl Sink {
    pub(crate) fn write_all(&mut self, chunk: &Bytes) -> io::Result<()> {
        match self {
            Sink::File(f) => f.write_all(chunk),
            Sink::Mem(m) => {
                m.append(chunk.clone());
                Ok(())
            }
        }
    }
}

/// The two media.
pub(crate) enum Media {
    Dir {
        tmp: PathBuf,
        blobs: PathBuf,
        fsync: bool,
        /// `blobs/xx/` known to exist (found by [`Media::for_each`], or made and `blobs/`
        /// fsynced by [`Media::publish`]).
        shards: Box<[AtomicBool]>,
    },
    Memory {
        temp: Mutex<HashMap<BlobId, Arc<MemBody>>>,
        published: Mutex<HashMap<BlobId, Arc<MemBody>>>,
    },
}

impl Media {
    /// Files under `root`: creates `tmp/` and `blobs/` (the `blobs/xx/` directories come
    /// with their first body).
    pub(crate) fn dir(root: &Path, fsync: bool) -> io::Result<Self> {
        let tmp = root.join("tmp");
        let blobs = root.join("blobs");
        std::fs::create_dir_all(&tmp)?;
        std::fs::create_dir_all(&blobs)?;
        Ok(Media::Dir {
            tmp,
            blobs,
            fsync,
            shards: (0..=255).map(|_| AtomicBool::new(false)).collect(),
        })
    }

    /// Makes `blobs/xx/` for `id` unless it is known to exist, durably when `fsync`.
    fn shard(blobs: &Path, shards: &[AtomicBool], fsync: bool, id: BlobId) -> io::Result<()> {
        // The first two hex digits of the file name, as in `Media::path`.
        let i = (id.0 >> 120) as usize;
        if shards[i].load(Ordering::Acquire) {
            return Ok(());
        }
        match std::fs::create_dir(blobs.join(format!("{i:02x}"))) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        // Also when another writer made it: its entry must be on disk before a body in it
        // is acknowledged.
        if fsync {
            File::open(blobs)?.sync_all()?;
        }
        shards[i].store(true, Ordering::Release);
        Ok(())
    }

    /// Memory only.
    pub(crate) fn memory() -> Self {
        Media::Memory {
            temp: Mutex::default(),
            published: Mutex::default(),
        }
    }

    fn path(blobs: &Path, id: BlobId) -> PathBuf {
        let hex = id.hex();
        blobs.join(&hex[..2]).join(hex)
    }

    /// Opens a published body.
    pub(crate) fn open(&self, id: BlobId) -> io::Result<Source> {
        match self {
            Media::Dir { blobs, .. } => {
                Ok(Source::File(Arc::new(File::open(Self::path(blobs, id))?)))
            }
            Media::Memory { published, .. } => lock(published)
                .get(&id)
                .cloned()
                .map(Source::Mem)
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such body")),
        }
    }

    /// A new temp body's handle for followers.
    pub(crate) fn temp(&self, id: BlobId) -> TempBody {
        match self {
            Media::Dir { tmp, .. } => TempBody(TempInner::Path(tmp.join(id.hex()))),
            Media::Memory { temp, .. } => {
                let body = lock(temp).entry(id).or_default().clone();
                TempBody(TempInner::Mem(body))
            }
        }
    }

    /// Creates the temp body to write into (on the blocking pool for files).
    pub(crate) fn create(&self, id: BlobId) -> io::Result<Sink> {
        match self {
            Media::Dir { tmp, .. } => Ok(Sink::File(
                File::options()
                    .write(true)
                    .create_new(true)
                    .open(tmp.join(id.hex()))?,
            )),
            Media::Memory { temp, .. } => Ok(Sink::Mem(lock(temp).entry(id).or_default().clone())),
        }
    }

    /// Publishes a temp body whose bytes are all written (`sink`, if one was created).
    pub(crate) fn publish(&self, id: BlobId, sink: Option<Sink>) -> io::Result<()> {
        match (self, sink) {
            (
                Media::Dir {
                    tmp,
                    blobs,
                    fsync,
                    shards,
                },
                Some(Sink::File(file)),
            ) => {
                if *fsync {
                    file.sync_all()?;
                }
                drop(file);
                Self::shard(blobs, shards, *fsync, id)?;
                let dst = Self::path(blobs, id);
                std::fs::rename(tmp.join(id.hex()), &dst)?;
                if *fsync && let Some(dir) = dst.parent() {
                    File::open(dir)?.sync_all()?;
                }
                Ok(())
            }
            (Media::Memory { temp, published }, _) => {
                if let Some(body) = lock(temp).remove(&id) {
                    lock(published).insert(id, body);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Removes a temp body (an unfinished write).
    pub(crate) fn discard_temp(&self, id: BlobId) {
        match self {
            Media::Dir { tmp, .. } => {
                let _ = std::fs::remove_file(tmp.join(id.hex()));
            }
            Media::Memory { temp, .. } => {
                lock(temp).remove(&id);
            }
        }
    }

    /// Removes a published body.
    pub(crate) fn remove(&self, id: BlobId) {
        match self {
            Media::Dir { blobs, .. } => {
                let _ = std::fs::remove_file(Self::path(blobs, id));
            }
            Media::Memory { published, .. } => {
                lock(published).remove(&id);
            }
        }
    }

    /// Removes every temp body; returns how many there were.
    pub(crate) fn clear_tmp(&self) -> io::Result<usize> {
        match self {
            Media::Dir { tmp, .. } => {
                let mut n = 0;
                for entry in std::fs::read_dir(tmp)? {
                    if std::fs::remove_file(entry?.path()).is_ok() {
                        n += 1;
                    }
                }
                Ok(n)
            }
            Media::Memory { temp, .. } => {
                let mut temp = lock(temp);
                let n = temp.len();
                temp.clear();
                Ok(n)
            }
        }
    }

    /// Calls `f` with every published body's id (removing stray files on the way).
    pub(crate) fn for_each(&self, mut f: impl FnMut(BlobId) -> io::Result<()>) -> io::Result<()> {
        let (blobs, shards) = match self {
            Media::Dir { blobs, shards, .. } => (blobs, shards),
            Media::Memory { published, .. } => {
                let ids: Vec<BlobId> = lock(published).keys().copied().collect();
                return ids.into_iter().try_for_each(f);
            }
        };
        for (i, known) in shards.iter().enumerate() {
            let entries = match std::fs::read_dir(blobs.join(format!("{i:02x}"))) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            known.store(true, Ordering::Release);
            for entry in entries {
                let entry = entry?;
                match entry.file_name().to_str().and_then(BlobId::from_hex) {
                    Some(id) => f(id)?,
                    None => {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Clone, Debug)]
enum TempInner {
    Path(PathBuf),
    Mem(Arc<MemBody>),
}

/// A body being written, which others may read while it grows (a mirror fetch's followers).
#[derive(Clone, Debug)]
pub struct TempBody(TempInner);

impl TempBody {
    /// Opens it for reading; `None` when it is no longer there (a temp file already renamed
    /// into the store, or not created yet). An open reader keeps working after either.
    pub fn open(&self) -> io::Result<Option<TempReader>> {
        match &self.0 {
            TempInner::Mem(m) => Ok(Some(TempReader(Source::Mem(m.clone())))),
            TempInner::Path(p) => match File::open(p) {
                Ok(f) => Ok(Some(TempReader(Source::File(Arc::new(f))))),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        }
    }
}

/// A reader of a [`TempBody`].
#[derive(Clone, Debug)]
pub struct TempReader(Source);

impl TempReader {
    /// Up to `want` bytes at `pos`; fewer (or none) past what has been written.
    pub fn read_at(&self, pos: u64, want: u64) -> io::Result<Bytes> {
        self.0.read_at(pos, want)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_reads_cross_chunks() {
        let m = MemBody::default();
        for c in [&b"0123"[..], b"45", b"", b"6789"] {
            m.append(Bytes::copy_from_slice(c));
        }
        assert_eq!(&m.read_at(0, 10)[..], b"0123456789");
        assert_eq!(&m.read_at(1, 2)[..], b"12");
        assert_eq!(&m.read_at(3, 4)[..], b"3456");
        assert_eq!(&m.read_at(8, 10)[..], b"89");
        assert_eq!(&m.read_at(10, 4)[..], b"");
        assert_eq!(&m.read_at(4, 2)[..], b"45");
    }
}
