//! The conformance suite every [`Engine`] passes: point reads, ordered range scans with every
//! kind of bound, batches where the last change wins, scans racing writers, and durability
//! across a reopen (sled).

use std::ops::Bound;
use std::sync::Arc;

use super::{Batch, Engine, Fate, MemoryEngine, SledEngine, scan_prefix};
use crate::StoreError;
use crate::faults::Faults;

fn apply(e: &dyn Engine, b: Batch) {
    let generation = e.ready().unwrap();
    e.apply(b, generation).unwrap();
}

fn put(e: &dyn Engine, pairs: &[(&[u8], &[u8])]) {
    let mut b = Batch::default();
    for (k, v) in pairs {
        b.insert(k.to_vec(), v.to_vec());
    }
    apply(e, b);
}

fn keys(it: super::KvIter<'_>) -> Vec<Vec<u8>> {
    it.map(|kv| kv.unwrap().0).collect()
}

fn point_reads(e: &dyn Engine) {
    assert_eq!(e.get(b"missing").unwrap(), None);
    put(
        e,
        &[(b"a", b"1"), (b"", b"empty key"), (b"\xff\xff", b"high")],
    );
    assert_eq!(e.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(e.get(b"").unwrap().as_deref(), Some(&b"empty key"[..]));
    assert_eq!(e.get(b"\xff\xff").unwrap().as_deref(), Some(&b"high"[..]));
    put(e, &[(b"a", b"2")]);
    assert_eq!(e.get(b"a").unwrap().as_deref(), Some(&b"2"[..]));
    let mut b = Batch::default();
    b.remove(b"a".to_vec());
    b.remove(b"never there".to_vec());
    apply(e, b);
    assert_eq!(e.get(b"a").unwrap(), None);
}

fn batches(e: &dyn Engine) {
    // The later change to a key wins, within one batch.
    let mut b = Batch::default();
    b.insert(b"k".to_vec(), b"first".to_vec());
    b.remove(b"k".to_vec());
    b.insert(b"j".to_vec(), b"x".to_vec());
    b.insert(b"k".to_vec(), b"last".to_vec());
    b.insert(b"gone".to_vec(), b"x".to_vec());
    b.remove(b"gone".to_vec());
    apply(e, b);
    assert_eq!(e.get(b"k").unwrap().as_deref(), Some(&b"last"[..]));
    assert_eq!(e.get(b"j").unwrap().as_deref(), Some(&b"x"[..]));
    assert_eq!(e.get(b"gone").unwrap(), None);
    apply(e, Batch::default());
    assert!(Batch::default().is_empty());
}

fn ranges(e: &dyn Engine) {
    let all: Vec<&[u8]> = vec![b"a", b"a\x00", b"a\x00b", b"ab", b"b", b"b\xff", b"c"];
    put(e, &all.iter().map(|k| (*k, &b"v"[..])).collect::<Vec<_>>());
    let r = |from, to| keys(e.range(from, to));
    let v = |ks: &[&[u8]]| ks.iter().map(|k| k.to_vec()).collect::<Vec<_>>();
    assert_eq!(r(Bound::Unbounded, Bound::Unbounded), v(&all));
    assert_eq!(
        r(Bound::Included(b"a\x00"), Bound::Excluded(b"b")),
        v(&[b"a\x00", b"a\x00b", b"ab"])
    );
    assert_eq!(
        r(Bound::Excluded(b"a\x00"), Bound::Included(b"b")),
        v(&[b"a\x00b", b"ab", b"b"])
    );
    assert_eq!(r(Bound::Excluded(b"b\xff"), Bound::Unbounded), v(&[b"c"]));
    assert_eq!(r(Bound::Unbounded, Bound::Excluded(b"a\x00")), v(&[b"a"]));
    // Empty and inverted ranges yield nothing (and never panic).
    assert!(r(Bound::Included(b"b"), Bound::Excluded(b"b")).is_empty());
    assert!(r(Bound::Excluded(b"b"), Bound::Excluded(b"b")).is_empty());
    assert!(r(Bound::Excluded(b"b"), Bound::Included(b"b")).is_empty());
    assert!(r(Bound::Included(b"c"), Bound::Included(b"a")).is_empty());
    assert_eq!(r(Bound::Included(b"b"), Bound::Included(b"b")), v(&[b"b"]));
    // Prefix scans, including a prefix ending in 0xff.
    assert_eq!(keys(scan_prefix(e, b"a\x00")), v(&[b"a\x00", b"a\x00b"]));
    assert_eq!(keys(scan_prefix(e, b"b\xff")), v(&[b"b\xff"]));
    assert!(e.has_prefix(b"a\x00").unwrap());
    assert!(!e.has_prefix(b"bb").unwrap());
    assert!(!e.has_prefix(b"d").unwrap());
}

fn long_scan(e: &dyn Engine) {
    // Longer than any internal page, with writes between items: keys ahead of the scan that
    // appear are seen, keys behind it are not revisited, order holds.
    let n = 1000u32;
    let mut b = Batch::default();
    for i in (0..n).step_by(2) {
        b.insert(i.to_be_bytes().to_vec(), vec![1]);
    }
    apply(e, b);
    let mut seen = Vec::new();
    for kv in e.range(Bound::Unbounded, Bound::Unbounded) {
        let k = kv.unwrap().0;
        let i = u32::from_be_bytes(k.as_slice().try_into().unwrap());
        if i < n && i % 100 == 0 {
            let mut b = Batch::default();
            b.insert((i + 51).to_be_bytes().to_vec(), vec![2]);
            b.insert((i.saturating_sub(49)).to_be_bytes().to_vec(), vec![2]);
            apply(e, b);
        }
        seen.push(i);
    }
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "ascending, no repeats"
    );
    assert_eq!(
        seen.iter().filter(|i| *i % 2 == 0).count(),
        (n / 2) as usize
    );
    assert!(
        seen.contains(&151),
        "a key written ahead of the scan is seen"
    );
}

fn concurrent(e: Arc<dyn Engine>) {
    // A writer moves one key between two names, one batch per move; scans and reads running
    // at the same time never fail and never see a key twice; the last batch wins.
    let mut b = Batch::default();
    b.insert(b"x/left".to_vec(), b"1".to_vec());
    apply(e.as_ref(), b);
    let writer = {
        let e = e.clone();
        std::thread::spawn(move || {
            for i in 0..2000 {
                let (on, off): (&[u8], &[u8]) = if i % 2 == 0 {
                    (b"x/right", b"x/left")
                } else {
                    (b"x/left", b"x/right")
                };
                let mut b = Batch::default();
                b.remove(off.to_vec());
                b.insert(on.to_vec(), b"1".to_vec());
                apply(e.as_ref(), b);
            }
        })
    };
    for _ in 0..2000 {
        e.get(b"x/left").unwrap();
        let seen = keys(scan_prefix(e.as_ref(), b"x/"));
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
    }
    writer.join().unwrap();
    assert_eq!(
        keys(scan_prefix(e.as_ref(), b"x/")),
        vec![b"x/left".to_vec()]
    );
}

/// Runs every engine-independent check on fresh engines made by `fresh`.
fn suite(fresh: &dyn Fn() -> Arc<dyn Engine>) {
    point_reads(fresh().as_ref());
    batches(fresh().as_ref());
    ranges(fresh().as_ref());
    long_scan(fresh().as_ref());
    concurrent(fresh());
}

#[test]
fn memory_engine_conforms() {
    suite(&|| Arc::new(MemoryEngine::new()));
}

#[test]
fn sled_engine_conforms() {
    let dirs = std::sync::Mutex::new(Vec::new());
    suite(&|| {
        let d = tempfile::tempdir().unwrap();
        let e = Arc::new(SledEngine::open(&d.path().join("meta")).unwrap());
        dirs.lock().unwrap().push(d);
        e
    });
}

#[test]
fn sled_engine_keeps_flushed_batches_across_a_reopen() {
    let d = tempfile::tempdir().unwrap();
    {
        let e = SledEngine::open(d.path()).unwrap();
        put(&e, &[(b"k", b"v"), (b"k2", b"v2")]);
        e.flush().unwrap();
    }
    let e = SledEngine::open(d.path()).unwrap();
    assert_eq!(e.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
    assert_eq!(e.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
    assert_eq!(keys(e.range(Bound::Unbounded, Bound::Unbounded)).len(), 2);
}

fn sled_with_faults(dir: &std::path::Path) -> (SledEngine, std::sync::Arc<Faults>) {
    let faults = Faults::new();
    let e = SledEngine::open_with(dir, Some(faults.clone()), None).unwrap();
    (e, faults)
}

#[test]
fn a_failed_sled_engine_is_reopened_and_refuses_a_batch_read_before() {
    let d = tempfile::tempdir().unwrap();
    let (e, faults) = sled_with_faults(d.path());
    put(&e, &[(b"kept", b"1")]);
    e.flush().unwrap();
    let before = e.ready().unwrap();
    faults.fail_engine_applies(1);
    let mut b = Batch::default();
    b.insert(b"refused".to_vec(), b"1".to_vec());
    assert!(matches!(e.apply(b, before), Err(StoreError::NoSpace)));
    // Failed: batches are refused until the engine is reopened, which a read or a write's
    // `ready` does; a batch built from reads of the failed generation stays refused.
    let mut b = Batch::default();
    b.insert(b"stale".to_vec(), b"1".to_vec());
    assert!(matches!(
        e.apply(b.clone(), before),
        Err(StoreError::NoSpace)
    ));
    assert_eq!(e.get(b"kept").unwrap().as_deref(), Some(&b"1"[..]));
    let after = e.ready().unwrap();
    assert_ne!(after, before);
    assert!(matches!(
        e.apply(b.clone(), before),
        Err(StoreError::Unavailable(_))
    ));
    e.apply(b, after).unwrap();
    assert_eq!(e.get(b"refused").unwrap(), None);
    assert_eq!(e.get(b"stale").unwrap().as_deref(), Some(&b"1"[..]));
}

#[test]
fn the_fate_of_a_batch_whose_flush_failed_is_known_after_reopening() {
    let d = tempfile::tempdir().unwrap();
    let (e, faults) = sled_with_faults(d.path());
    let g = e.ready().unwrap();
    let mut b = Batch::default();
    b.insert(b"a".to_vec(), b"1".to_vec());
    let first = e.apply(b, g).unwrap();
    faults.fail_engine_flushes(1);
    assert!(matches!(e.flush(), Err(StoreError::NoSpace)));
    assert_eq!(e.fate(first), Fate::Unknown, "not reopened yet");
    // An injected flush failure leaves sled itself working: closing it writes the batch, so
    // the reopened engine has it.
    e.ready().unwrap();
    assert_eq!(e.fate(first), Fate::Durable);
    assert_eq!(e.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    // A batch numbered after the last durable one is lost.
    let later = super::Ticket {
        generation: first.generation,
        seq: first.seq + 1,
    };
    assert_eq!(e.fate(later), Fate::Lost { no_space: true });
    // The hidden batch counter is never listed, and numbers keep increasing.
    assert_eq!(
        keys(e.range(Bound::Unbounded, Bound::Unbounded)),
        vec![b"a".to_vec()]
    );
    let mut b = Batch::default();
    b.insert(b"b".to_vec(), b"2".to_vec());
    let next = e.apply(b, e.ready().unwrap()).unwrap();
    assert!(next.seq > first.seq && next.generation > first.generation);
    assert_eq!(e.flush().unwrap(), next.generation);
}

#[test]
fn batch_numbers_survive_a_restart() {
    let d = tempfile::tempdir().unwrap();
    let seq = {
        let e = SledEngine::open(d.path()).unwrap();
        let mut b = Batch::default();
        b.insert(b"a".to_vec(), b"1".to_vec());
        let t = e.apply(b, e.ready().unwrap()).unwrap();
        e.flush().unwrap();
        t.seq
    };
    let e = SledEngine::open(d.path()).unwrap();
    let t = e.apply(Batch::default(), e.ready().unwrap()).unwrap();
    assert!(t.seq > seq);
}

#[test]
fn an_unfinished_sled_snapshot_does_not_stop_the_next_open() {
    // What a snapshot write that failed with ENOSPC leaves: an empty `.generating` file that
    // sorts after the complete snapshots. sled 0.34 alone then refuses to open for good.
    let d = tempfile::tempdir().unwrap();
    {
        let e = SledEngine::open(d.path()).unwrap();
        put(&e, &[(b"k", b"v")]);
        e.flush().unwrap();
    }
    let stray = d.path().join("snap.FFFFFFFFFFFFFFF0.generating");
    std::fs::write(&stray, b"").unwrap();
    let e = SledEngine::open(d.path()).unwrap();
    assert_eq!(e.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
    assert!(!stray.exists());
}
