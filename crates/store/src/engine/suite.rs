//! The conformance suite every [`Engine`] passes: point reads, ordered range scans with every
//! kind of bound, batches where the last change wins, scans racing writers, and durability
//! across a reopen (sled).

use std::ops::Bound;
use std::sync::Arc;

use super::{Batch, Engine, MemoryEngine, SledEngine, scan_prefix};

fn put(e: &dyn Engine, pairs: &[(&[u8], &[u8])]) {
    let mut b = Batch::default();
    for (k, v) in pairs {
        b.insert(k.to_vec(), v.to_vec());
    }
    e.apply(b).unwrap();
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
    e.apply(b).unwrap();
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
    e.apply(b).unwrap();
    assert_eq!(e.get(b"k").unwrap().as_deref(), Some(&b"last"[..]));
    assert_eq!(e.get(b"j").unwrap().as_deref(), Some(&b"x"[..]));
    assert_eq!(e.get(b"gone").unwrap(), None);
    e.apply(Batch::default()).unwrap();
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
    e.apply(b).unwrap();
    let mut seen = Vec::new();
    for kv in e.range(Bound::Unbounded, Bound::Unbounded) {
        let k = kv.unwrap().0;
        let i = u32::from_be_bytes(k.as_slice().try_into().unwrap());
        if i < n && i % 100 == 0 {
            let mut b = Batch::default();
            b.insert((i + 51).to_be_bytes().to_vec(), vec![2]);
            b.insert((i.saturating_sub(49)).to_be_bytes().to_vec(), vec![2]);
            e.apply(b).unwrap();
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
    e.apply(b).unwrap();
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
                e.apply(b).unwrap();
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
    assert_eq!(keys(e.range(Bound::Unbounded, Bound::Unbounded)).len(), 2);
}
