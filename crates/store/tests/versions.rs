//! Versioned buckets in the store: versions, delete markers, the null version, listings and
//! body references.

use bytes::Bytes;
use futures_util::TryStreamExt;
use ossemu_store::{
    BucketRecord, NULL_VERSION, ObjectRecord, Store, StoreOptions, Version, VersionEntry,
    Versioning, now_ms,
};

type Never = std::convert::Infallible;

fn accept(_: Option<&ObjectRecord>) -> Result<(), Never> {
    Ok(())
}

fn record(name: &str, versioning: Versioning) -> BucketRecord {
    BucketRecord {
        name: name.into(),
        owner: "o".into(),
        acl: "private".into(),
        created_ms: now_ms(),
        storage_class: "Standard".into(),
        location: "oss-cn-hangzhou".into(),
        versioning,
        object_lock: false,
        data_redundancy: None,
        ..Default::default()
    }
}

async fn set_versioning(store: &Store, b: &str, v: Versioning) {
    store.set_versioning(b, v).await.unwrap();
}

async fn put(store: &Store, b: &str, k: &str, body: &[u8]) -> ObjectRecord {
    let mut w = store.writer();
    w.write(Bytes::copy_from_slice(body)).await.unwrap();
    let blob = w.finish().await.unwrap();
    store
        .put_object(b, k, ObjectRecord::default(), blob, &accept)
        .await
        .unwrap()
}

async fn read(store: &Store, b: &str, k: &str, v: Option<&str>) -> Option<Vec<u8>> {
    let o = store.open_version(b, k, v).unwrap()?;
    let size = o.rec.size;
    let chunks: Vec<Bytes> = o.body(0, size).try_collect().await.unwrap();
    Some(chunks.concat())
}

/// (key, version id, is latest, is marker) of the whole bucket.
fn listing(store: &Store, b: &str) -> Vec<(String, String, bool, bool)> {
    store
        .meta()
        .scan_versions(b, "", false)
        .map(|e| {
            let VersionEntry {
                key,
                version,
                latest,
                ..
            } = e.unwrap();
            let marker = matches!(version, Version::Marker(_));
            (key, version.version_id().to_string(), latest, marker)
        })
        .collect()
}

fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let disk = Store::open(&StoreOptions {
        data_dir: Some(dir.path().to_path_buf()),
    })
    .unwrap();
    vec![
        (disk, Some(dir)),
        (Store::open(&StoreOptions { data_dir: None }).unwrap(), None),
    ]
}

#[tokio::test]
async fn versions_markers_and_the_way_back() {
    for (s, _dir) in stores() {
        s.create_bucket(&record("b", Versioning::Off))
            .await
            .unwrap();
        let before = put(&s, "b", "k", b"before").await;
        assert_eq!(before.version_id, None);
        set_versioning(&s, "b", Versioning::Enabled).await;
        let v1 = put(&s, "b", "k", b"one").await;
        let v2 = put(&s, "b", "k", b"two").await;
        let (id1, id2) = (v1.version_id.unwrap(), v2.version_id.unwrap());
        assert_ne!(id1, id2);
        assert_eq!(read(&s, "b", "k", None).await.unwrap(), b"two");
        assert_eq!(read(&s, "b", "k", Some(&id1)).await.unwrap(), b"one");
        assert_eq!(
            read(&s, "b", "k", Some(NULL_VERSION)).await.unwrap(),
            b"before"
        );
        // Three bodies, one per version.
        assert_eq!(s.blob_count().unwrap(), 3);

        let del = s.delete_object("b", "k", None, "o").await.unwrap();
        assert!(del.delete_marker);
        let marker = del.version_id.unwrap();
        assert!(read(&s, "b", "k", None).await.is_none());
        assert_eq!(
            s.meta()
                .latest_marker("b", "k")
                .unwrap()
                .unwrap()
                .version_id,
            marker
        );
        assert_eq!(s.blob_count().unwrap(), 3, "a delete marker frees nothing");
        assert_eq!(
            listing(&s, "b"),
            vec![
                ("k".into(), marker.clone(), true, true),
                ("k".into(), id2.clone(), false, false),
                ("k".into(), id1.clone(), false, false),
                ("k".into(), NULL_VERSION.into(), false, false),
            ]
        );
        // Deleting the marker brings the newest version back.
        let undo = s.delete_object("b", "k", Some(&marker), "o").await.unwrap();
        assert!(undo.delete_marker && undo.changed);
        assert_eq!(read(&s, "b", "k", None).await.unwrap(), b"two");
        // Deleting the latest version makes the one before it current; its body goes.
        s.delete_object("b", "k", Some(&id2), "o").await.unwrap();
        assert_eq!(read(&s, "b", "k", None).await.unwrap(), b"one");
        assert_eq!(s.blob_count().unwrap(), 2);
        // An unknown version changes nothing.
        let none = s
            .delete_object("b", "k", Some("0000000000000001ffffffffffffffff"), "o")
            .await
            .unwrap();
        assert!(!none.changed);
        s.delete_object("b", "k", Some(&id1), "o").await.unwrap();
        assert_eq!(read(&s, "b", "k", None).await.unwrap(), b"before");
        s.delete_object("b", "k", Some(NULL_VERSION), "o")
            .await
            .unwrap();
        assert!(listing(&s, "b").is_empty());
        assert_eq!(s.blob_count().unwrap(), 0);
        s.delete_bucket("b").await.unwrap();
    }
}

#[tokio::test]
async fn suspended_writes_replace_the_null_version_only() {
    for (s, _dir) in stores() {
        s.create_bucket(&record("b", Versioning::Enabled))
            .await
            .unwrap();
        let v1 = put(&s, "b", "k", b"one").await.version_id.unwrap();
        set_versioning(&s, "b", Versioning::Suspended).await;
        let n1 = put(&s, "b", "k", b"null-1").await;
        assert_eq!(n1.version_id.as_deref(), Some(NULL_VERSION));
        put(&s, "b", "k", b"null-2").await;
        assert_eq!(read(&s, "b", "k", None).await.unwrap(), b"null-2");
        assert_eq!(
            s.blob_count().unwrap(),
            2,
            "the first null version's body is freed"
        );
        assert_eq!(
            listing(&s, "b"),
            vec![
                ("k".into(), NULL_VERSION.into(), true, false),
                ("k".into(), v1.clone(), false, false),
            ]
        );
        // A plain delete puts a null delete marker in place of the null version.
        let del = s.delete_object("b", "k", None, "o").await.unwrap();
        assert_eq!(del.version_id.as_deref(), Some(NULL_VERSION));
        assert_eq!(
            listing(&s, "b"),
            vec![
                ("k".into(), NULL_VERSION.into(), true, true),
                ("k".into(), v1.clone(), false, false),
            ]
        );
        assert_eq!(s.blob_count().unwrap(), 1);
        // A bucket that still has versions is not empty.
        assert!(s.delete_bucket("b").await.is_err());
    }
}

#[tokio::test]
async fn listing_merges_unrecorded_null_versions_in_key_order() {
    for (s, _dir) in stores() {
        s.create_bucket(&record("b", Versioning::Off))
            .await
            .unwrap();
        put(&s, "b", "a", b"a").await;
        put(&s, "b", "c", b"c").await;
        set_versioning(&s, "b", Versioning::Enabled).await;
        let b1 = put(&s, "b", "b", b"b").await.version_id.unwrap();
        let c1 = put(&s, "b", "c", b"c1").await.version_id.unwrap();
        put(&s, "b", "d", b"d").await;
        let keys: Vec<(String, String, bool)> = listing(&s, "b")
            .into_iter()
            .map(|(k, v, latest, _)| (k, v, latest))
            .collect();
        assert_eq!(keys[0], ("a".into(), NULL_VERSION.into(), true));
        assert_eq!(keys[1], ("b".into(), b1, true));
        assert_eq!(keys[2], ("c".into(), c1, true));
        assert_eq!(keys[3], ("c".into(), NULL_VERSION.into(), false));
        assert_eq!(keys[4].0, "d");
        assert_eq!(keys.len(), 5);
        // Starting at a key skips the keys before it.
        let from_c: Vec<String> = s
            .meta()
            .scan_versions("b", "c", false)
            .map(|e| e.unwrap().key)
            .collect();
        assert_eq!(from_c, ["c", "c", "d"]);
    }
}

#[tokio::test]
async fn editing_a_version_keeps_its_body_and_id() {
    for (s, _dir) in stores() {
        s.create_bucket(&record("b", Versioning::Enabled))
            .await
            .unwrap();
        let v1 = put(&s, "b", "k", b"one").await.version_id.unwrap();
        let v2 = put(&s, "b", "k", b"two").await.version_id.unwrap();
        let tag = |r: &ObjectRecord| -> Result<ObjectRecord, Never> {
            let mut r = r.clone();
            r.attrs.tagging = vec![("t".into(), "1".into())];
            Ok(r)
        };
        let edited = s.edit_object("b", "k", Some(&v1), &tag).await.unwrap();
        assert_eq!(edited.version_id.as_deref(), Some(v1.as_str()));
        let old = s.open_version("b", "k", Some(&v1)).unwrap().unwrap();
        assert_eq!(old.rec.attrs.tagging.len(), 1);
        let cur = s.open_object("b", "k").unwrap().unwrap();
        assert!(cur.rec.attrs.tagging.is_empty(), "the latest is untouched");
        s.edit_object("b", "k", None, &tag).await.unwrap();
        let cur = s.open_version("b", "k", Some(&v2)).unwrap().unwrap();
        assert_eq!(cur.rec.attrs.tagging.len(), 1, "the version record follows");
        assert_eq!(listing(&s, "b").len(), 2, "no version was added");
        assert_eq!(s.blob_count().unwrap(), 2);
    }
}

/// Restoring the null version of a suspended bucket by copying it onto its own key: the
/// body's count passes through zero inside the write (the old null version goes before the
/// new one takes it up) and must not be freed.
#[tokio::test]
async fn copying_the_null_version_onto_itself_keeps_its_body() {
    for (s, _dir) in stores() {
        s.create_bucket(&record("b", Versioning::Off))
            .await
            .unwrap();
        put(&s, "b", "k", b"first").await;
        set_versioning(&s, "b", Versioning::Enabled).await;
        put(&s, "b", "k", b"second").await;
        set_versioning(&s, "b", Versioning::Suspended).await;
        let copy = |_: Option<&ObjectRecord>,
                    src: Option<&ObjectRecord>|
         -> Result<ObjectRecord, Never> { Ok(src.unwrap().clone()) };
        s.update_object("b", "k", Some(("b", "k", Some(NULL_VERSION))), None, &copy)
            .await
            .unwrap();
        assert_eq!(read(&s, "b", "k", None).await.unwrap(), b"first");
        assert_eq!(
            read(&s, "b", "k", Some(NULL_VERSION)).await.unwrap(),
            b"first"
        );
        assert_eq!(s.blob_count().unwrap(), 2);
    }
}

/// A bucket record written back by another change (an ACL) never turns versioning off.
#[tokio::test]
async fn a_bucket_update_keeps_the_versioning_state() {
    for (s, _dir) in stores() {
        s.create_bucket(&record("b", Versioning::Off))
            .await
            .unwrap();
        let stale = s.meta().get_bucket("b").unwrap().unwrap();
        set_versioning(&s, "b", Versioning::Enabled).await;
        s.update_bucket(&BucketRecord {
            acl: "public-read".into(),
            ..stale
        })
        .await
        .unwrap();
        let now = s.meta().get_bucket("b").unwrap().unwrap();
        assert_eq!(
            (now.acl.as_str(), now.versioning),
            ("public-read", Versioning::Enabled)
        );
        // Nor does asking for it.
        set_versioning(&s, "b", Versioning::Off).await;
        assert_eq!(
            s.meta().get_bucket("b").unwrap().unwrap().versioning,
            Versioning::Enabled
        );
    }
}
