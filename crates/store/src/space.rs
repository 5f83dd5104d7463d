//! Free space on the data directory's filesystem: what writes may use, and a reserve for
//! when it runs out.
//!
//! Two figures keep a full disk from stopping the store:
//!
//! - [`FLOOR`]: writes that add data (bodies, and metadata-only writes) are refused once the
//!   free space, less the bytes other writes are putting down, would drop below it. So the
//!   store's own writes never take the metadata engine's last bytes: a refusal happens before
//!   anything is written, and deletes always find room for their metadata.
//! - [`RESERVE`]: two files hold space for when something else fills the disk.
//!   `<data>/reserve` (3 MiB) is given back when the free space is below the floor and a
//!   delete or start-up needs room; `<data>/reserve.open` (1 MiB) only when the metadata
//!   engine cannot (re)open without it, so that a store whose delete reserve is spent can
//!   still start on a disk someone else filled up. Both are taken again once the free space
//!   allows it (on the next write or health check), and until then writes are refused: the
//!   space they gave back is not for writes.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::faults::{Faults, enospc};

/// Free space the store's writes leave to metadata (sled's log grows by 512 KiB segments).
pub const FLOOR: u64 = 1 << 20;
/// Size of the reserve, both files.
pub const RESERVE: u64 = DELETE_RESERVE + OPEN_RESERVE;
/// The part of the reserve given back for deletes.
const DELETE_RESERVE: u64 = 3 << 20;
/// The part given back only to open the metadata engine (sled needs up to one 512 KiB log
/// segment and a snapshot file).
const OPEN_RESERVE: u64 = 1 << 20;
/// Bytes one claim is rounded up by (filesystem blocks).
const BLOCK: u64 = 4096;

/// What [`Space`] found on the filesystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpaceReport {
    /// Bytes free for the store (the filesystem's available bytes).
    pub free: u64,
    /// Whether the whole reserve is in place.
    pub reserve_held: bool,
    /// Whether writes that add data are accepted.
    pub writable: bool,
    /// Free bytes writes need (more while the reserve is given back).
    pub needed: u64,
}

/// One reserve file.
struct Part {
    path: PathBuf,
    size: u64,
    /// Not on disk.
    released: AtomicBool,
}

impl Part {
    fn new(root: &Path, name: &str, size: u64) -> Self {
        let path = root.join(name);
        let held = std::fs::metadata(&path).is_ok_and(|m| m.len() >= size);
        Self {
            path,
            size,
            released: AtomicBool::new(!held),
        }
    }

    fn released(&self) -> bool {
        self.released.load(Ordering::SeqCst)
    }
}

/// The space guard of one data directory.
pub(crate) struct Space {
    root: PathBuf,
    /// The delete reserve, then the open reserve.
    parts: [Part; 2],
    /// Bytes claimed by writes under way, not yet visible in the free space.
    inflight: AtomicU64,
    /// Serialises taking and giving back the reserve.
    reserve_lock: Mutex<()>,
    faults: Option<Arc<Faults>>,
}

/// Bytes claimed for a write under way; given back when dropped.
pub(crate) struct Claim {
    space: Arc<Space>,
    bytes: u64,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.space.inflight.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

impl Space {
    /// The guard of `root` (which exists); the reserve is taken later, by [`Space::restore`].
    pub(crate) fn new(root: &Path, faults: Option<Arc<Faults>>) -> Arc<Self> {
        Arc::new(Self {
            root: root.to_path_buf(),
            parts: [
                Part::new(root, "reserve", DELETE_RESERVE),
                Part::new(root, "reserve.open", OPEN_RESERVE),
            ],
            inflight: AtomicU64::new(0),
            reserve_lock: Mutex::new(()),
            faults,
        })
    }

    /// Free bytes on the filesystem; `None` when they cannot be known (then nothing is
    /// refused).
    fn free(&self) -> Option<u64> {
        if let Some(n) = self.faults.as_ref().and_then(|f| f.free_space()) {
            return Some(n);
        }
        fs2::available_space(&self.root).ok()
    }

    /// Bytes of the reserve given back.
    fn given_back(&self) -> u64 {
        self.parts
            .iter()
            .filter(|p| p.released())
            .map(|p| p.size)
            .sum()
    }

    /// Free bytes writes need for `n` more: the floor, and the reserve given back.
    fn needed(&self, n: u64) -> u64 {
        FLOOR + self.given_back() + n
    }

    /// Claims room for `n` bytes about to be written (0 for a metadata-only write), or refuses
    /// with ENOSPC when they would not leave the floor free.
    pub(crate) fn claim(self: &Arc<Self>, n: u64) -> io::Result<Claim> {
        if n > 0 && self.faults.as_ref().is_some_and(|f| f.body_write_fails()) {
            return Err(enospc());
        }
        let bytes = n.div_ceil(BLOCK) * BLOCK;
        let Some(free) = self.fresh_free() else {
            self.inflight.fetch_add(bytes, Ordering::SeqCst);
            return Ok(Claim {
                space: self.clone(),
                bytes,
            });
        };
        let needed = self.needed(bytes);
        let claimed = self
            .inflight
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |cur| {
                (free.saturating_sub(cur) >= needed).then_some(cur + bytes)
            });
        match claimed {
            Ok(_) => Ok(Claim {
                space: self.clone(),
                bytes,
            }),
            Err(_) => Err(enospc()),
        }
    }

    /// Gives the delete reserve back when the free space is below the floor, so that a
    /// delete or the metadata engine finds room.
    pub(crate) fn make_room_if_low(&self) {
        if let Some(free) = self.free()
            && free < FLOOR + self.inflight.load(Ordering::SeqCst)
        {
            self.give_back(0);
        }
    }

    /// Gives back the delete reserve, or if it is gone the open reserve; true if either was
    /// held (the metadata engine cannot open without room).
    pub(crate) fn release(&self) -> bool {
        self.give_back(0) || self.give_back(1)
    }

    /// Gives back part `i`; true if it was held.
    fn give_back(&self, i: usize) -> bool {
        let part = &self.parts[i];
        let _l = self.reserve_lock.lock().unwrap_or_else(|e| e.into_inner());
        if part.released.swap(true, Ordering::SeqCst) {
            return false;
        }
        match std::fs::remove_file(&part.path) {
            Ok(()) => {
                tracing::warn!(
                    reserve = %part.path.display(),
                    "the disk is full: gave back {} MiB of reserve so that the metadata store and deletes have room",
                    part.size >> 20
                );
                true
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => {
                tracing::error!(reserve = %part.path.display(), error = %e, "could not remove a reserve file");
                false
            }
        }
    }

    /// Takes the reserve again if it is given back and the free space allows it.
    pub(crate) fn restore(&self) {
        let _ = self.fresh_free();
    }

    /// The free space, after taking the reserve again if it is given back and there is room.
    fn fresh_free(&self) -> Option<u64> {
        let free = self.free()?;
        if self.restore_if_room(free) {
            self.free()
        } else {
            Some(free)
        }
    }

    /// Takes the reserve again if it is given back and `free` allows it; true if it did.
    fn restore_if_room(&self, free: u64) -> bool {
        let given_back = self.given_back();
        if given_back == 0 || free < given_back + FLOOR + self.inflight.load(Ordering::SeqCst) {
            return false;
        }
        let _l = self.reserve_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut taken = false;
        for part in self.parts.iter().rev().filter(|p| p.released()) {
            match allocate(&part.path, part.size) {
                Ok(()) => {
                    part.released.store(false, Ordering::SeqCst);
                    taken = true;
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&part.path);
                    tracing::debug!(error = %e, "could not take the reserve yet");
                    break;
                }
            }
        }
        if taken && self.given_back() == 0 {
            tracing::info!(
                root = %self.root.display(),
                "holding a {} MiB reserve for when the disk fills up",
                RESERVE >> 20
            );
        }
        taken
    }

    /// The free space, whether the reserve is held and whether writes are accepted (taking
    /// the reserve again first if there is room).
    pub(crate) fn report(&self) -> Option<SpaceReport> {
        let free = self.fresh_free()?;
        let needed = self.needed(0);
        Some(SpaceReport {
            free,
            reserve_held: self.given_back() == 0,
            writable: free.saturating_sub(self.inflight.load(Ordering::SeqCst)) >= needed,
            needed,
        })
    }
}

/// Creates a reserve file of `size` bytes with its blocks allocated (not sparse).
fn allocate(path: &Path, size: u64) -> io::Result<()> {
    let f = File::create(path)?;
    fs2::FileExt::allocate(&f, size)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(root: &Path) -> (bool, bool) {
        (
            root.join("reserve").exists(),
            root.join("reserve.open").exists(),
        )
    }

    #[test]
    fn refuses_below_the_floor_and_counts_claims() {
        let d = tempfile::tempdir().unwrap();
        let faults = Faults::new();
        let s = Space::new(d.path(), Some(faults.clone()));
        faults.set_free_space(Some(RESERVE + FLOOR + 10 * BLOCK));
        s.restore();
        assert_eq!(held(d.path()), (true, true));
        let size = |n: &str| std::fs::metadata(d.path().join(n)).unwrap().len();
        assert_eq!(size("reserve") + size("reserve.open"), RESERVE);
        // The reserve is held, so all of the free space above the floor may be used.
        let a = s.claim(RESERVE + 6 * BLOCK).unwrap();
        let err = s.claim(5 * BLOCK).err().unwrap();
        assert!(crate::error::is_no_space(&err));
        let b = s.claim(4 * BLOCK).unwrap();
        drop((a, b));
        assert!(s.claim(RESERVE + 10 * BLOCK).is_ok());
        assert!(s.claim(RESERVE + 10 * BLOCK + 1).is_err());
    }

    #[test]
    fn the_reserve_is_given_back_when_low_and_taken_again() {
        let d = tempfile::tempdir().unwrap();
        let faults = Faults::new();
        let s = Space::new(d.path(), Some(faults.clone()));
        faults.set_free_space(Some(1 << 30));
        s.restore();
        assert!(s.report().unwrap().reserve_held);
        faults.set_free_space(Some(FLOOR / 2));
        s.make_room_if_low();
        // Deletes get the delete reserve; the open reserve stays.
        assert_eq!(held(d.path()), (false, true));
        // What the reserve gave back is not for writes.
        faults.set_free_space(Some(DELETE_RESERVE + FLOOR / 2));
        let r = s.report().unwrap();
        assert!(!r.reserve_held && !r.writable);
        assert_eq!(r.needed, FLOOR + DELETE_RESERVE);
        assert!(s.claim(0).is_err());
        // The metadata engine gets the rest.
        assert!(s.release());
        assert_eq!(held(d.path()), (false, false));
        assert!(!s.release());
        assert_eq!(s.report().unwrap().needed, FLOOR + RESERVE);
        faults.set_free_space(Some(RESERVE + 2 * FLOOR));
        let r = s.report().unwrap();
        assert!(r.reserve_held && r.writable);
        assert_eq!(held(d.path()), (true, true));
        // A reopened store finds the reserve held.
        assert!(Space::new(d.path(), None).report().unwrap().reserve_held);
    }

    #[test]
    fn injected_body_write_failures() {
        let d = tempfile::tempdir().unwrap();
        let faults = Faults::new();
        let s = Space::new(d.path(), Some(faults.clone()));
        faults.fail_body_writes(1);
        assert!(s.claim(0).is_ok(), "metadata claims are not body writes");
        assert!(s.claim(1).is_err());
        assert!(s.claim(1).is_ok());
    }
}
