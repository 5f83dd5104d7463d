//! A full disk, played with injected failures ([`Faults`]): writes are refused with
//! `NoSpace` and change nothing, deletes work and give back the reserve, a metadata store that
//! failed is reopened without a restart, and a write whose flush failed is acknowledged only
//! if it turned out durable.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::TryStreamExt;
use ossemu_store::{
    BucketRecord, Degraded, FLOOR, Faults, ObjectRecord, RESERVE, Store, StoreError, StoreOptions,
    TxError, is_no_space, now_ms,
};

type Never = std::convert::Infallible;

fn accept(_: Option<&ObjectRecord>) -> Result<(), Never> {
    Ok(())
}

fn open(dir: &Path, faults: &Arc<Faults>) -> Store {
    Store::open_with_faults(
        &StoreOptions {
            data_dir: Some(dir.to_path_buf()),
        },
        faults.clone(),
    )
    .unwrap()
}

fn record(name: &str) -> BucketRecord {
    BucketRecord {
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
    }
}

async fn put(store: &Store, key: &str, body: &[u8]) -> Result<ObjectRecord, StoreError> {
    let mut w = store.writer();
    w.write(Bytes::copy_from_slice(body)).await?;
    let blob = w.finish().await?;
    match store
        .put_object("b", key, ObjectRecord::default(), blob, &accept)
        .await
    {
        Ok(r) => Ok(r),
        Err(TxError::Store(e)) => Err(e),
        Err(TxError::Abort(never)) => match never {},
    }
}

async fn get(store: &Store, key: &str) -> Option<Vec<u8>> {
    let o = store.open_object("b", key).unwrap()?;
    let size = o.rec.size;
    let chunks: Vec<Bytes> = o.body(0, size).try_collect().await.unwrap();
    Some(chunks.concat())
}

fn files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.file_type().is_ok_and(|t| t.is_dir()) {
                        files(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// A store with bucket `b` and 1 GiB free as far as it knows.
async fn store_with_bucket() -> (tempfile::TempDir, Arc<Faults>, Store) {
    let dir = tempfile::tempdir().unwrap();
    let faults = Faults::new();
    faults.set_free_space(Some(1 << 30));
    let store = open(dir.path(), &faults);
    store.create_bucket(&record("b")).await.unwrap();
    (dir, faults, store)
}

#[test]
fn enospc_and_edquot_are_no_space() {
    // /dev/full answers every write with ENOSPC: a real one, no root needed.
    let err = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .write_all(b"x")
        .unwrap_err();
    assert!(is_no_space(&err));
    assert!(matches!(StoreError::from(err), StoreError::NoSpace));
    assert!(is_no_space(&std::io::Error::from_raw_os_error(
        libc_edquot()
    )));
    let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    assert!(!is_no_space(&other));
    assert!(matches!(StoreError::from(other), StoreError::Io(_)));
}

fn libc_edquot() -> i32 {
    122 // EDQUOT on Linux
}

#[tokio::test]
async fn a_body_write_refused_for_space_leaves_nothing() {
    let (dir, faults, store) = store_with_bucket().await;
    faults.fail_body_writes(1);
    let err = put(&store, "k", &[7u8; 4096]).await.unwrap_err();
    assert!(matches!(err, StoreError::NoSpace), "{err:?}");
    assert_eq!(files(&dir.path().join("tmp")), 0);
    assert_eq!(files(&dir.path().join("blobs")), 0);
    assert!(store.meta().get_object("b", "k").unwrap().is_none());
    // The next write succeeds.
    put(&store, "k", b"body").await.unwrap();
    assert_eq!(get(&store, "k").await.unwrap(), b"body");
}

#[tokio::test]
async fn below_the_floor_writes_are_refused_and_deletes_work() {
    let (dir, faults, store) = store_with_bucket().await;
    put(&store, "old", b"old body").await.unwrap();
    put(&store, "other", b"other body").await.unwrap();
    assert!(dir.path().join("reserve").exists());
    assert_eq!(store.health(), Ok(()));

    faults.set_free_space(Some(FLOOR / 2));
    let err = put(&store, "new", b"x").await.unwrap_err();
    assert!(matches!(err, StoreError::NoSpace), "{err:?}");
    assert!(matches!(
        store.create_bucket(&record("b2")).await,
        Err(StoreError::NoSpace)
    ));
    assert!(matches!(
        store.put_config("b", "website", Some(b"doc")).await,
        Err(StoreError::NoSpace)
    ));
    assert!(matches!(store.health(), Err(Degraded::NoSpace { .. })));
    // Nothing of the refused writes, and reads work.
    assert!(store.meta().get_object("b", "new").unwrap().is_none());
    assert!(store.meta().get_bucket("b2").unwrap().is_none());
    assert_eq!(files(&dir.path().join("tmp")), 0);
    assert_eq!(files(&dir.path().join("blobs")), 2);
    assert_eq!(get(&store, "old").await.unwrap(), b"old body");

    // Deletes work, and give the reserve back.
    assert!(
        store
            .delete_object("b", "old", None, "o")
            .await
            .unwrap()
            .changed
    );
    assert!(!dir.path().join("reserve").exists());
    assert_eq!(files(&dir.path().join("blobs")), 1);
    // What the reserve gave back is not for writes.
    faults.set_free_space(Some(RESERVE - FLOOR));
    assert!(matches!(
        put(&store, "new", b"x").await,
        Err(StoreError::NoSpace)
    ));

    // Space returns: the next write succeeds, without a restart, and the reserve is back.
    faults.set_free_space(Some(1 << 30));
    put(&store, "new", b"new body").await.unwrap();
    assert!(dir.path().join("reserve").exists());
    assert_eq!(store.health(), Ok(()));
    assert_eq!(get(&store, "new").await.unwrap(), b"new body");
}

#[tokio::test]
async fn a_failed_metadata_store_refuses_one_write_then_works_again() {
    // The issue: once a metadata write failed with ENOSPC, every later write failed until a
    // restart.
    let (dir, faults, store) = store_with_bucket().await;
    put(&store, "before", b"kept").await.unwrap();
    faults.fail_engine_applies(1);
    let err = put(&store, "refused", b"refused body").await.unwrap_err();
    assert!(matches!(err, StoreError::NoSpace), "{err:?}");
    // The refused write's body is gone with it.
    assert_eq!(files(&dir.path().join("blobs")), 1);
    assert_eq!(get(&store, "before").await.unwrap(), b"kept");
    assert!(store.meta().get_object("b", "refused").unwrap().is_none());
    put(&store, "after", b"works").await.unwrap();
    assert!(
        store
            .delete_object("b", "before", None, "o")
            .await
            .unwrap()
            .changed
    );
    assert_eq!(store.health(), Ok(()));
    drop(store);
    let store = open(dir.path(), &faults);
    assert_eq!(get(&store, "after").await.unwrap(), b"works");
    assert!(get(&store, "before").await.is_none());
    assert!(get(&store, "refused").await.is_none());
}

#[tokio::test]
async fn a_write_whose_flush_failed_is_acknowledged_when_it_turned_out_durable() {
    let (dir, faults, store) = store_with_bucket().await;
    faults.fail_engine_flushes(1);
    // The injected failure leaves sled's log intact, so the reopened store has the batch:
    // the write is acknowledged, and survives.
    put(&store, "k", b"durable").await.unwrap();
    assert_eq!(get(&store, "k").await.unwrap(), b"durable");
    drop(store);
    let store = open(dir.path(), &faults);
    assert_eq!(get(&store, "k").await.unwrap(), b"durable");
    assert_eq!(store.sweep(|_| {}).unwrap().orphan_blobs, 0);
}

#[tokio::test]
async fn a_delete_is_tried_again_when_the_metadata_store_fails_under_it() {
    let (_dir, faults, store) = store_with_bucket().await;
    put(&store, "k", b"body").await.unwrap();
    faults.fail_engine_applies(1);
    assert!(
        store
            .delete_object("b", "k", None, "o")
            .await
            .unwrap()
            .changed
    );
    assert!(store.meta().get_object("b", "k").unwrap().is_none());
    faults.fail_engine_applies(1);
    store.delete_bucket("b").await.unwrap();
    assert!(store.meta().get_bucket("b").unwrap().is_none());
}

#[tokio::test]
async fn reads_reopen_a_failed_metadata_store() {
    let (_dir, faults, store) = store_with_bucket().await;
    put(&store, "k", b"body").await.unwrap();
    faults.fail_engine_applies(1);
    assert!(put(&store, "x", b"x").await.is_err());
    // The next read reopens the store (sled answers nothing once it failed).
    assert_eq!(get(&store, "k").await.unwrap(), b"body");
    assert_eq!(store.meta().list_buckets().unwrap().len(), 1);
}

#[tokio::test]
async fn a_store_opens_on_a_full_disk_and_serves_reads() {
    let (dir, faults, store) = store_with_bucket().await;
    put(&store, "k", b"body").await.unwrap();
    drop(store);
    assert!(dir.path().join("reserve").exists());
    faults.set_free_space(Some(0));
    // Opening gives the reserve back: sled writes while it opens.
    let store = open(dir.path(), &faults);
    assert!(!dir.path().join("reserve").exists());
    assert_eq!(get(&store, "k").await.unwrap(), b"body");
    assert!(matches!(store.health(), Err(Degraded::NoSpace { .. })));
    assert!(matches!(
        put(&store, "new", b"x").await,
        Err(StoreError::NoSpace)
    ));
    assert!(
        store
            .delete_object("b", "k", None, "o")
            .await
            .unwrap()
            .changed
    );
    faults.set_free_space(None);
    put(&store, "new", b"x").await.unwrap();
    assert_eq!(store.health(), Ok(()));
}

#[tokio::test]
async fn setting_the_same_configuration_again_needs_no_space() {
    let (_dir, faults, store) = store_with_bucket().await;
    store.put_config("b", "cors", Some(b"doc")).await.unwrap();
    store.bind_domain("d.example", "b", now_ms()).await.unwrap();
    // Start-up applies its configuration file every time: unchanged, it writes nothing.
    faults.set_free_space(Some(0));
    store.put_config("b", "cors", Some(b"doc")).await.unwrap();
    store.bind_domain("d.example", "b", now_ms()).await.unwrap();
    assert!(matches!(
        store.put_config("b", "cors", Some(b"changed")).await,
        Err(StoreError::NoSpace)
    ));
    assert!(matches!(
        store.bind_domain("e.example", "b", now_ms()).await,
        Err(StoreError::NoSpace)
    ));
    // Removing a document is a delete: it works.
    store.put_config("b", "cors", None).await.unwrap();
    assert!(store.meta().get_config("b", "cors").unwrap().is_none());
}

/// Configuration documents are served from memory after the first read; what they show
/// is always what the engine has, also after a write that failed and a reopened engine,
/// and after the bucket is gone.
#[tokio::test]
async fn cached_configuration_follows_the_engine() {
    let (dir, faults, store) = store_with_bucket().await;
    assert!(store.meta().get_config("b", "policy").unwrap().is_none());
    store.put_config("b", "policy", Some(b"v1")).await.unwrap();
    assert_eq!(
        store.meta().get_config("b", "policy").unwrap().unwrap(),
        b"v1"
    );
    // The same shared copy until the document changes (what parsed caches key on).
    let first = store.meta().shared_config("b", "policy").unwrap().unwrap();
    let again = store.meta().shared_config("b", "policy").unwrap().unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &again));
    // A write refused before it applies changes nothing.
    faults.fail_engine_applies(1);
    assert!(store.put_config("b", "policy", Some(b"v2")).await.is_err());
    assert_eq!(
        store.meta().get_config("b", "policy").unwrap().unwrap(),
        b"v1"
    );
    // One whose flush failed shows what the reopened engine has, as a new process would.
    faults.fail_engine_flushes(1);
    let _ = store.put_config("b", "policy", Some(b"v3")).await;
    let seen = store.meta().get_config("b", "policy").unwrap();
    let now = store.meta().shared_config("b", "policy").unwrap().unwrap();
    assert!(
        !std::sync::Arc::ptr_eq(&first, &now),
        "read again after the failed writes"
    );
    drop(store);
    let store = open(dir.path(), &faults);
    assert_eq!(store.meta().get_config("b", "policy").unwrap(), seen);
    // Deleting the bucket takes its documents; a new bucket of that name has none.
    store.put_config("b", "policy", None).await.unwrap();
    store.put_config("b", "cors", Some(b"c")).await.unwrap();
    assert!(store.meta().get_config("b", "cors").unwrap().is_some());
    store.delete_bucket("b").await.unwrap();
    store.create_bucket(&record("b")).await.unwrap();
    assert!(store.meta().get_config("b", "cors").unwrap().is_none());
}
