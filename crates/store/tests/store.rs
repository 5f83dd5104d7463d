//! Store behaviour: publish order, reference counting, pins, sweep and listing. Tests that do
//! not depend on a data directory run against both metadata engines (sled and in-memory).

use std::collections::BTreeSet;

use bytes::Bytes;
use futures_util::TryStreamExt;
use ossemu_store::{
    BucketRecord, ListEntry, ListQuery, ObjectRecord, ScanFrom, Store, StoreError, StoreOptions,
    TxError, now_ms,
};
use proptest::prelude::*;

/// A closure error type for writes that never refuse.
type Never = std::convert::Infallible;

fn accept(_: Option<&ObjectRecord>) -> Result<(), Never> {
    Ok(())
}

fn open(dir: &std::path::Path) -> Store {
    Store::open(&StoreOptions {
        data_dir: Some(dir.to_path_buf()),
    })
    .unwrap()
}

/// A store on sled in a data directory, and one in memory; the directory guard is kept alive
/// by the caller.
fn both() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    vec![
        (open(dir.path()), Some(dir)),
        (Store::open(&StoreOptions { data_dir: None }).unwrap(), None),
    ]
}

async fn bucket(store: &Store, name: &str) {
    store
        .create_bucket(&BucketRecord {
            name: name.into(),
            owner: "o".into(),
            acl: "private".into(),
            created_ms: now_ms(),
            storage_class: "Standard".into(),
            location: "oss-cn-hangzhou".into(),
            versioning: Default::default(),
            object_lock: false,
            data_redundancy: None,
            ..Default::default()
        })
        .await
        .unwrap();
}

async fn put(store: &Store, b: &str, k: &str, body: &[u8]) -> ObjectRecord {
    let mut w = store.writer();
    for chunk in body.chunks(7) {
        w.write(Bytes::copy_from_slice(chunk)).await.unwrap();
    }
    let blob = w.finish().await.unwrap();
    store
        .put_object(b, k, ObjectRecord::default(), blob, &accept)
        .await
        .unwrap()
}

async fn get(store: &Store, b: &str, k: &str) -> Option<Vec<u8>> {
    let o = store.open_object(b, k).unwrap()?;
    let size = o.rec.size;
    let chunks: Vec<Bytes> = o.body(0, size).try_collect().await.unwrap();
    Some(chunks.concat())
}

fn walk(p: &std::path::Path) -> usize {
    std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[tokio::test]
async fn put_get_overwrite_delete_frees_bodies() {
    for (s, _dir) in both() {
        bucket(&s, "b").await;
        let rec = put(&s, "b", "k", b"hello world").await;
        assert_eq!(rec.etag, "5eb63bbbe01eeed093cb22bb8f5acdc3");
        assert_eq!(rec.size, 11);
        assert_eq!(rec.crc64, ossemu_store::crc64(b"hello world"));
        assert_eq!(get(&s, "b", "k").await.unwrap(), b"hello world");
        assert_eq!(s.blob_count().unwrap(), 1);

        put(&s, "b", "k", b"second").await;
        assert_eq!(get(&s, "b", "k").await.unwrap(), b"second");
        assert_eq!(s.blob_count().unwrap(), 1, "the replaced body is unlinked");

        assert!(s.delete_object("b", "k", None, "o").await.unwrap().changed);
        assert!(!s.delete_object("b", "k", None, "o").await.unwrap().changed);
        assert_eq!(get(&s, "b", "k").await, None);
        assert_eq!(s.blob_count().unwrap(), 0);
    }
}

#[tokio::test]
async fn empty_body_has_no_file() {
    for (s, _dir) in both() {
        bucket(&s, "b").await;
        let rec = put(&s, "b", "empty", b"").await;
        assert_eq!(rec.etag, "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(rec.crc64, 0);
        assert_eq!(get(&s, "b", "empty").await.unwrap(), b"");
        assert_eq!(s.blob_count().unwrap(), 0);
    }
}

#[tokio::test]
async fn missing_bucket_is_refused_and_nothing_kept() {
    for (s, _dir) in both() {
        let mut w = s.writer();
        w.write(Bytes::from_static(b"x")).await.unwrap();
        let blob = w.finish().await.unwrap();
        let err = s
            .put_object("nope", "k", ObjectRecord::default(), blob, &accept)
            .await
            .unwrap_err();
        assert!(matches!(err, TxError::Store(StoreError::NoSuchBucket)));
        assert_eq!(s.blob_count().unwrap(), 0);
    }
}

/// A refusal by the caller's closure comes back unchanged, and the write leaves nothing.
#[tokio::test]
async fn a_refusing_closure_gets_its_own_error_back() {
    #[derive(Debug, PartialEq)]
    struct Exists(u64);
    for (s, _dir) in both() {
        bucket(&s, "b").await;
        put(&s, "b", "k", b"first").await;
        let mut w = s.writer();
        w.write(Bytes::from_static(b"second")).await.unwrap();
        let blob = w.finish().await.unwrap();
        let refuse = |cur: Option<&ObjectRecord>| match cur {
            Some(c) => Err(Exists(c.size)),
            None => Ok(()),
        };
        let err = s
            .put_object("b", "k", ObjectRecord::default(), blob, &refuse)
            .await
            .unwrap_err();
        assert!(matches!(err, TxError::Abort(Exists(5))), "{err:?}");
        assert_eq!(get(&s, "b", "k").await.unwrap(), b"first");
        assert_eq!(s.blob_count().unwrap(), 1, "the refused body is unlinked");
    }
}

/// A reader following a body while it is written sees what was flushed, and keeps reading
/// after the body is published.
#[tokio::test]
async fn a_temp_body_can_be_followed_across_publishing() {
    for (s, _dir) in both() {
        let mut w = s.writer();
        let temp = w.temp_body();
        w.write(Bytes::from_static(b"hello ")).await.unwrap();
        w.flush().await.unwrap();
        let reader = temp.open().unwrap().expect("written, so there");
        assert_eq!(&reader.read_at(0, 100).unwrap()[..], b"hello ");
        w.write(Bytes::from_static(b"world")).await.unwrap();
        w.flush().await.unwrap();
        assert_eq!(&reader.read_at(6, 100).unwrap()[..], b"world");
        let blob = w.finish().await.unwrap();
        assert_eq!(&reader.read_at(3, 5).unwrap()[..], b"lo wo");
        assert_eq!(blob.len, 11);
        assert_eq!(s.blob_count().unwrap(), 1);
        drop(blob);
        assert_eq!(
            s.blob_count().unwrap(),
            0,
            "an unreferenced new body is removed"
        );
    }
}

/// `--memory` keeps nothing on disk.
#[test]
fn a_memory_store_has_no_directory() {
    let s = Store::open(&StoreOptions { data_dir: None }).unwrap();
    assert!(s.root().is_none() && !s.is_durable());
}

#[tokio::test]
async fn dropped_writer_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let tmp = dir.path().join("tmp");
    // Dropped after everything reached the file.
    let mut w = s.writer();
    w.write(Bytes::from(vec![1u8; 3 << 20])).await.unwrap();
    w.flush().await.unwrap();
    assert_eq!(w.flushed(), 3 << 20);
    assert_eq!(walk(&tmp), 1);
    drop(w);
    assert_eq!(walk(&tmp), 0);
    // Dropped while a batch is still being written: removed once that batch is done.
    let mut w = s.writer();
    for _ in 0..3 {
        w.write(Bytes::from(vec![2u8; 1 << 20])).await.unwrap();
    }
    drop(w);
    for _ in 0..500 {
        if walk(&tmp) == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(walk(&tmp), 0);
}

#[tokio::test]
async fn copy_shares_the_body_and_keeps_it_until_last_reference() {
    for (s, _dir) in both() {
        bucket(&s, "b").await;
        put(&s, "b", "src", b"shared bytes").await;
        let copy = |_: Option<&ObjectRecord>, src: Option<&ObjectRecord>| {
            Ok::<_, Never>(src.unwrap().clone())
        };
        s.update_object("b", "dst", Some(("b", "src", None)), None, &copy)
            .await
            .unwrap();
        assert_eq!(s.blob_count().unwrap(), 1);
        s.delete_object("b", "src", None, "o").await.unwrap();
        assert_eq!(get(&s, "b", "dst").await.unwrap(), b"shared bytes");
        s.delete_object("b", "dst", None, "o").await.unwrap();
        assert_eq!(s.blob_count().unwrap(), 0);
    }
}

#[tokio::test]
async fn pinned_body_survives_overwrite_until_read() {
    for (s, _dir) in both() {
        bucket(&s, "b").await;
        let big = vec![7u8; 1 << 20];
        put(&s, "b", "k", &big).await;
        let reader = s.open_object("b", "k").unwrap().unwrap();
        put(&s, "b", "k", b"new").await;
        assert_eq!(s.blob_count().unwrap(), 2, "old body kept while pinned");
        let body: Vec<Bytes> = reader.body(0, 1 << 20).try_collect().await.unwrap();
        assert_eq!(body.concat(), big);
        assert_eq!(
            s.blob_count().unwrap(),
            1,
            "old body unlinked after the read"
        );
    }
}

#[tokio::test]
async fn ranges_cross_segments() {
    for (s, _dir) in both() {
        bucket(&s, "b").await;
        let a = put(&s, "b", "a", b"0123456789").await;
        let b = put(&s, "b", "b", b"abcdefghij").await;
        let segs = [a.segments, b.segments].concat();
        let join = |_: Option<&ObjectRecord>, _: Option<&ObjectRecord>| {
            Ok::<_, Never>(ObjectRecord {
                size: 20,
                segments: segs.clone(),
                ..ObjectRecord::default()
            })
        };
        s.update_object("b", "joined", None, None, &join)
            .await
            .unwrap();
        let o = s.open_object("b", "joined").unwrap().unwrap();
        let got: Vec<Bytes> = o.body(8, 5).try_collect().await.unwrap();
        assert_eq!(got.concat(), b"89abc");
    }
}

#[tokio::test]
async fn sweep_removes_temp_and_orphans_and_data_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(dir.path());
        bucket(&s, "b").await;
        put(&s, "b", "kept", b"kept body").await;
    }
    std::fs::write(dir.path().join("tmp").join("leftover"), b"partial").unwrap();
    std::fs::create_dir_all(dir.path().join("blobs/ab")).unwrap();
    std::fs::write(
        dir.path()
            .join("blobs/ab")
            .join("ab000000000000000000000000000001"),
        b"orphan",
    )
    .unwrap();
    let s = open(dir.path());
    let stats = s.sweep(|_| {}).unwrap();
    assert_eq!(stats.temp_files, 1);
    assert_eq!(stats.orphan_blobs, 1);
    assert_eq!(stats.live_blobs, 1);
    assert_eq!(get(&s, "b", "kept").await.unwrap(), b"kept body");
}

/// A new data directory has no `blobs/xx/` directories; a body makes its own, and a store
/// reopened on it sweeps, reads and writes with most of them still missing.
#[tokio::test]
async fn body_directories_come_with_their_first_body() {
    let dir = tempfile::tempdir().unwrap();
    let shards = || std::fs::read_dir(dir.path().join("blobs")).unwrap().count();
    {
        let s = open(dir.path());
        assert_eq!(shards(), 0);
        bucket(&s, "b").await;
        put(&s, "b", "one", b"first body").await;
        assert_eq!(shards(), 1);
        assert_eq!(walk(&dir.path().join("blobs")), 1);
    }
    let s = open(dir.path());
    let stats = s.sweep(|_| {}).unwrap();
    assert_eq!((stats.live_blobs, stats.orphan_blobs), (1, 0));
    assert_eq!(get(&s, "b", "one").await.unwrap(), b"first body");
    for i in 0..20 {
        put(&s, "b", &format!("k{i}"), b"more").await;
    }
    assert!(shards() > 1);
    assert_eq!(walk(&dir.path().join("blobs")), 21);
    for i in 0..20 {
        assert_eq!(get(&s, "b", &format!("k{i}")).await.unwrap(), b"more");
    }
}

#[tokio::test]
async fn bucket_delete_requires_empty() {
    for (s, _dir) in both() {
        bucket(&s, "b").await;
        put(&s, "b", "k", b"x").await;
        assert!(matches!(
            s.delete_bucket("b").await,
            Err(StoreError::BucketNotEmpty)
        ));
        s.delete_object("b", "k", None, "o").await.unwrap();
        s.delete_bucket("b").await.unwrap();
        assert!(matches!(
            s.delete_bucket("b").await,
            Err(StoreError::NoSuchBucket)
        ));
    }
}

/// Configuration documents and domain bindings go with their bucket.
#[tokio::test]
async fn bucket_delete_takes_its_configuration_and_domains() {
    for (s, _dir) in both() {
        bucket(&s, "b").await;
        bucket(&s, "other").await;
        s.put_config("b", "website", Some(b"{}")).await.unwrap();
        s.bind_domain("img.example.test", "b", 1).await.unwrap();
        assert!(matches!(
            s.bind_domain("img.example.test", "other", 2).await,
            Err(StoreError::DomainTaken)
        ));
        s.bind_domain("img.example.test", "b", 3).await.unwrap();
        assert_eq!(
            s.meta().list_domains("b").unwrap(),
            vec![("img.example.test".to_string(), 1)]
        );
        s.delete_bucket("b").await.unwrap();
        assert_eq!(s.meta().get_config("b", "website").unwrap(), None);
        assert_eq!(s.meta().get_domain("img.example.test").unwrap(), None);
        s.bind_domain("img.example.test", "other", 4).await.unwrap();
        assert!(!s.unbind_domain("img.example.test", "b").await.unwrap());
        assert!(s.unbind_domain("img.example.test", "other").await.unwrap());
    }
}

/// The listing a naive implementation computes over a sorted key set.
fn model_list(keys: &BTreeSet<String>, prefix: &str, delim: &str, after: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        if !k.starts_with(prefix) {
            continue;
        }
        let name = match (!delim.is_empty())
            .then(|| k[prefix.len()..].find(delim))
            .flatten()
        {
            Some(i) => k[..prefix.len() + i + delim.len()].to_string(),
            None => k.clone(),
        };
        if name.as_str() > after && out.last() != Some(&name) {
            out.push(name);
        }
    }
    out
}

fn names(page: &ossemu_store::ListPage) -> Vec<String> {
    page.entries
        .iter()
        .map(|e| match e {
            ListEntry::Object(k, _) => k.clone(),
            ListEntry::Prefix(p) => p.clone(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// Paging through a listing with any page size yields exactly the model's entries.
    #[test]
    fn paged_listing_matches_model(
        keys in proptest::collection::btree_set("[ab/]{1,5}", 0..30),
        prefix in "[ab/]{0,2}",
        use_delim in any::<bool>(),
        max in 1usize..5,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let s = Store::open(&StoreOptions { data_dir: None }).unwrap();
        rt.block_on(async {
            bucket(&s, "b").await;
            for k in &keys {
                put(&s, "b", k, b"").await;
            }
        });
        let delim = if use_delim { "/" } else { "" };
        let want = model_list(&keys, &prefix, delim, "");
        let mut got = Vec::new();
        let mut after = String::new();
        loop {
            let page = s.list("b", &ListQuery { prefix: &prefix, delimiter: delim, after: &after, max }).unwrap();
            got.extend(names(&page));
            match page.next_marker() {
                Some(m) => after = m.to_string(),
                None => break,
            }
        }
        prop_assert_eq!(got, want);
    }
}

/// DeleteBucket racing PUTs: either the bucket survives with every acknowledged object, or it
/// is gone and no PUT was acknowledged after it; no object outlives its bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delete_bucket_racing_puts_orphans_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = std::sync::Arc::new(open(dir.path()));
    for round in 0..20 {
        let name = format!("race{round}");
        bucket(&s, &name).await;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (s, name) = (s.clone(), name.clone());
            tasks.push(tokio::spawn(async move {
                let mut w = s.writer();
                w.write(Bytes::from_static(b"x")).await.unwrap();
                let blob = w.finish().await.unwrap();
                s.put_object(
                    &name,
                    &format!("k{i}"),
                    ObjectRecord::default(),
                    blob,
                    &accept,
                )
                .await
                .is_ok()
            }));
        }
        let deleted = s.delete_bucket(&name).await.is_ok();
        let mut acked = 0;
        for t in tasks {
            acked += usize::from(t.await.unwrap());
        }
        let left = s.meta().scan_objects(&name, ScanFrom::At("")).count();
        if deleted {
            assert!(s.meta().get_bucket(&name).unwrap().is_none());
            assert_eq!(left, 0, "round {round}: an object outlived its bucket");
        } else {
            assert_eq!(left, acked, "round {round}");
        }
    }
}

/// A data directory written by the per-kind-tree layout is refused with a clear message rather
/// than read as empty.
#[test]
fn older_metadata_layout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path().join("meta")).unwrap();
        db.open_tree("objects")
            .unwrap()
            .insert("b\0k", "{}")
            .unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(&StoreOptions {
        data_dir: Some(dir.path().to_path_buf()),
    })
    .err()
    .expect("refused");
    assert!(err.to_string().contains("older ossemu"), "{err}");
}

/// Queued messages: kept in queue and number order beside the records (never in a listing),
/// removed by number, and after a settled write still there when the data directory is
/// opened again.
#[tokio::test]
async fn queued_messages_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        bucket(&store, "b").await;
        let w = store
            .queue_apply(
                &[("t", 2, b"two"), ("t", 1, b"one"), ("u", 3, b"three")],
                &[],
            )
            .unwrap();
        store.queue_settle(w).await.unwrap();
        let w = store.queue_apply(&[], &[("u", 3)]).unwrap();
        store.queue_settle(w).await.unwrap();
        let listed = store
            .list("b", &ListQuery::default())
            .unwrap()
            .entries
            .len();
        assert_eq!(listed, 0);
    }
    let store = open(dir.path());
    assert_eq!(
        store.meta().queued().unwrap(),
        [
            ("t".to_string(), 1, b"one".to_vec()),
            ("t".to_string(), 2, b"two".to_vec()),
        ]
    );
}
