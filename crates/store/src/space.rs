//! Free space on the data directory's filesystem: what writes may use, and a reserve for
//! when it runs out.
//!
//! Two figures keep a full disk from stopping the store:
//!
//! - [`FLOOR`]: writes that add data (bodies, and metadata-only writes) are refused once the
//!   free space, less the bytes other writes are putting down, would drop below it. So the
//!   store's own writes never take the metadata engine's last bytes: a refusal happens before
//!   anything is written, and deletes always find room for their metadata.
//! - [`RESERVE`]: a file of that size (`<data>/reserve`) holds space for when something else
//!   fills the disk. It is given back when the free space is below the floor and a delete, the
//!   metadata engine's reopening or start-up needs room, and it is taken again once the free
//!   space allows it (on the next write or health check).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::faults::{Faults, enospc};

/// Free space the store's writes leave to metadata (sled's log grows by 512 KiB segments).
pub const FLOOR: u64 = 1 << 20;
/// Size of the reserve file.
pub const RESERVE: u64 = 4 << 20;
/// The reserve file's name in the data directory.
const RESERVE_FILE: &str = "reserve";
/// Bytes one claim is rounded up by (filesystem blocks).
const BLOCK: u64 = 4096;

/// What [`Space`] found on the filesystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpaceReport {
    /// Bytes free for the store (the filesystem's available bytes).
    pub free: u64,
    /// Whether the reserve file is in place.
    pub reserve_held: bool,
    /// Whether writes that add data are accepted.
    pub writable: bool,
}

/// The space guard of one data directory.
pub(crate) struct Space {
    root: PathBuf,
    reserve: PathBuf,
    /// Bytes claimed by writes under way, not yet visible in the free space.
    inflight: AtomicU64,
    /// The reserve file is not on disk.
    released: AtomicBool,
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
        let reserve = root.join(RESERVE_FILE);
        let held = std::fs::metadata(&reserve).is_ok_and(|m| m.len() >= RESERVE);
        Arc::new(Self {
            root: root.to_path_buf(),
            reserve,
            inflight: AtomicU64::new(0),
            released: AtomicBool::new(!held),
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

    /// Whether `n` more bytes fit above the floor, given what is free and claimed.
    fn fits(&self, free: u64, claimed: u64, n: u64) -> bool {
        let held_back = if self.released.load(Ordering::SeqCst) {
            RESERVE
        } else {
            0
        };
        free.saturating_sub(held_back + claimed) >= FLOOR + n
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
        let claimed = self
            .inflight
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |cur| {
                self.fits(free, cur, bytes).then_some(cur + bytes)
            });
        match claimed {
            Ok(_) => Ok(Claim {
                space: self.clone(),
                bytes,
            }),
            Err(_) => Err(enospc()),
        }
    }

    /// Gives the reserve back when the free space is below the floor, so that a delete or
    /// the metadata engine finds room.
    pub(crate) fn make_room_if_low(&self) {
        if let Some(free) = self.free()
            && free < FLOOR + self.inflight.load(Ordering::SeqCst)
        {
            self.release();
        }
    }

    /// Gives the reserve back; true if it was held.
    pub(crate) fn release(&self) -> bool {
        let _l = self.reserve_lock.lock().unwrap_or_else(|e| e.into_inner());
        if self.released.swap(true, Ordering::SeqCst) {
            return false;
        }
        match std::fs::remove_file(&self.reserve) {
            Ok(()) => {
                tracing::warn!(
                    reserve = %self.reserve.display(),
                    "the disk is full: gave back the {} MiB reserve so that deletes and the metadata store have room",
                    RESERVE >> 20
                );
                true
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => {
                tracing::error!(reserve = %self.reserve.display(), error = %e, "could not remove the reserve file");
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
        if !self.released.load(Ordering::SeqCst)
            || free < RESERVE + FLOOR + self.inflight.load(Ordering::SeqCst)
        {
            return false;
        }
        let _l = self.reserve_lock.lock().unwrap_or_else(|e| e.into_inner());
        if !self.released.load(Ordering::SeqCst) {
            return false;
        }
        match allocate(&self.reserve) {
            Ok(()) => {
                self.released.store(false, Ordering::SeqCst);
                tracing::info!(
                    reserve = %self.reserve.display(),
                    "holding a {} MiB reserve for when the disk fills up",
                    RESERVE >> 20
                );
                true
            }
            Err(e) => {
                let _ = std::fs::remove_file(&self.reserve);
                tracing::debug!(error = %e, "could not take the reserve yet");
                false
            }
        }
    }

    /// The free space, whether the reserve is held and whether writes are accepted (taking
    /// the reserve again first if there is room).
    pub(crate) fn report(&self) -> Option<SpaceReport> {
        let free = self.fresh_free()?;
        let claimed = self.inflight.load(Ordering::SeqCst);
        Some(SpaceReport {
            free,
            reserve_held: !self.released.load(Ordering::SeqCst),
            writable: self.fits(free, claimed, 0),
        })
    }
}

/// Creates the reserve file with its blocks allocated (not sparse).
fn allocate(path: &Path) -> io::Result<()> {
    let f = File::create(path)?;
    fs2::FileExt::allocate(&f, RESERVE)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_below_the_floor_and_counts_claims() {
        let d = tempfile::tempdir().unwrap();
        let faults = Faults::new();
        let s = Space::new(d.path(), Some(faults.clone()));
        faults.set_free_space(Some(RESERVE + FLOOR + 10 * BLOCK));
        s.restore();
        assert!(d.path().join(RESERVE_FILE).exists());
        assert_eq!(
            std::fs::metadata(d.path().join(RESERVE_FILE))
                .unwrap()
                .len(),
            RESERVE
        );
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
        assert!(!d.path().join(RESERVE_FILE).exists());
        // What the reserve gave back is not for writes.
        faults.set_free_space(Some(RESERVE + FLOOR / 2));
        let r = s.report().unwrap();
        assert!(!r.reserve_held && !r.writable);
        assert!(s.claim(0).is_err());
        faults.set_free_space(Some(RESERVE + 2 * FLOOR));
        let r = s.report().unwrap();
        assert!(r.reserve_held && r.writable);
        assert!(d.path().join(RESERVE_FILE).exists());
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
