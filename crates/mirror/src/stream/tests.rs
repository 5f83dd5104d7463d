//! The four steps of storing an origin's 200 answer, each on its own.

use std::sync::Mutex;

use ossemu_store::{BucketRecord, StoreOptions};
use reqwest::header::{HeaderMap, HeaderValue};

use super::*;
use crate::flight::{Failure, FailureKind};

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    h
}

fn failed(state: State) -> Failure {
    match state {
        State::Failed(f) => f,
        other => panic!("not a failure: {other:?}"),
    }
}

fn memory_store() -> Store {
    Store::open(&StoreOptions { data_dir: None }).unwrap()
}

#[test]
fn head_keeps_the_listed_headers_and_tags_the_origin() {
    let plan = FetchPlan {
        keep_last_modified: true,
        ..FetchPlan::default()
    };
    let h = headers(&[
        ("content-type", "image/png"),
        ("content-length", "5"),
        ("cache-control", "max-age=60"),
        ("x-not-kept", "1"),
        ("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("content-md5", "XUFAKrxLKna5cZ2REBfFkg=="),
    ]);
    let (head, md5) = head(
        TagStyle::Url,
        &plan,
        &h,
        200,
        "http://o.test/a.png",
        crate::MAX_OBJECT_SIZE,
    )
    .unwrap();
    assert_eq!(head.content_type, "image/png");
    assert_eq!(head.content_length, Some(5));
    assert_eq!(
        head.headers,
        vec![("cache-control".into(), "max-age=60".into())]
    );
    assert_eq!(head.tag, "MIRROR http%3a%2f%2fo.test%2fa.png");
    assert_eq!(head.modified_ms, 1_445_412_480_000);
    assert_eq!(md5.as_deref(), Some(&md5_of(b"hello")[..]));
    // Without MirrorUserLastModified the object is new as of now; a missing type is binary.
    let (plain, _) = head_of(&[]);
    assert_eq!(plain.content_type, "application/octet-stream");
    assert!(plain.modified_ms > 1_445_412_480_000);
}

fn head_of(pairs: &[(&'static str, &str)]) -> (Head, Option<Vec<u8>>) {
    head(
        TagStyle::Bare,
        &FetchPlan::default(),
        &headers(pairs),
        200,
        "http://o/",
        crate::MAX_OBJECT_SIZE,
    )
    .unwrap()
}

fn md5_of(b: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(b).into()
}

#[test]
fn head_refuses_a_declared_length_over_the_limit() {
    let h = headers(&[("content-length", "1001")]);
    let plan = FetchPlan::default();
    let err = head(TagStyle::Bare, &plan, &h, 200, "http://o/", 1000).unwrap_err();
    let f = failed(err);
    assert_eq!((f.message.as_str(), f.after_head), (GENERIC, false));
    assert_eq!(f.kind, FailureKind::TooLarge);
    assert!(head(TagStyle::Bare, &plan, &h, 200, "http://o/", 1001).is_ok());
}

#[test]
fn credentials_never_reach_the_tag() {
    let h = headers(&[]);
    let plan = FetchPlan::default();
    let url = "http://u:pw@o.test/a";
    let (head, _) = head(TagStyle::Url, &plan, &h, 200, url, 10).unwrap();
    assert_eq!(head.tag, "MIRROR http%3a%2f%2fo.test%2fa");
    assert_eq!(head.url, "http://o.test/a");
}

/// Bounds with a limit and no client leaving.
fn bounds(content_length: Option<u64>, limit: u64) -> Bounds<'static> {
    Bounds {
        content_length,
        limit,
        gone: Box::pin(std::future::pending()),
    }
}

#[tokio::test]
async fn pump_stops_at_the_limit_and_when_every_client_has_gone() {
    let store = memory_store();
    let chunks = || {
        vec![
            Ok(Bytes::from_static(b"hello")),
            Ok(Bytes::from_static(b" world")),
        ]
    };
    let mut w = store.writer();
    let f = failed(
        pump(body(chunks()), &mut w, &|_| {}, bounds(None, 10), 200)
            .await
            .unwrap_err(),
    );
    assert_eq!((f.kind, f.after_head), (FailureKind::TooLarge, true));
    assert_eq!(w.len(), 5, "nothing past the limit is written");
    let mut w = store.writer();
    pump(body(chunks()), &mut w, &|_| {}, bounds(None, 11), 200)
        .await
        .unwrap();
    // Nobody left: the next chunk is not written.
    let mut w = store.writer();
    let gone = Bounds {
        gone: Box::pin(std::future::ready(())),
        ..bounds(None, 100)
    };
    let f = failed(
        pump(body(chunks()), &mut w, &|_| {}, gone, 200)
            .await
            .unwrap_err(),
    );
    assert_eq!(f.kind, FailureKind::Abandoned);
    assert_eq!(w.len(), 0);
}

type Chunk = Result<Bytes, &'static str>;

fn body(chunks: Vec<Chunk>) -> impl Stream<Item = Chunk> + Unpin {
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn pump_writes_every_byte_and_publishes_progress() {
    let store = memory_store();
    let mut w = store.writer();
    let seen = Mutex::new(Vec::new());
    let publish = |n: u64| seen.lock().unwrap().push(n);
    let chunks = vec![
        Ok(Bytes::from_static(b"hel")),
        Ok(Bytes::from_static(b"lo")),
    ];
    pump(body(chunks), &mut w, &publish, bounds(Some(5), 5), 200)
        .await
        .unwrap();
    assert_eq!((w.len(), w.flushed()), (5, 5));
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.last(), Some(&5));
    assert!(seen.windows(2).all(|p| p[0] <= p[1]));
    assert_eq!(w.digest().0, md5_of(b"hello"));
}

#[tokio::test]
async fn pump_reports_a_body_cut_short() {
    let store = memory_store();
    let cut = || vec![Ok(Bytes::from_static(b"hel")), Err("reset")];
    let mut w = store.writer();
    let f = failed(
        pump(body(cut()), &mut w, &|_| {}, bounds(Some(5), 5), 200)
            .await
            .unwrap_err(),
    );
    assert_eq!(f.message, SHORT);
    assert!(f.after_head);
    // A chunked body has no length to be short of.
    let mut w = store.writer();
    let f = failed(
        pump(body(cut()), &mut w, &|_| {}, bounds(None, 5), 200)
            .await
            .unwrap_err(),
    );
    assert!(f.message.starts_with("Read body from mirror host failed"));
}

#[test]
fn verify_checks_length_and_md5() {
    let (mut head, _) = head_of(&[]);
    let md5 = md5_of(b"hello");
    assert!(verify(&head, 5, None, md5, 200).is_ok());
    assert!(verify(&head, 5, Some(&md5), md5, 200).is_ok());
    let f = failed(verify(&head, 5, Some(&[0; 16]), md5, 200).unwrap_err());
    assert_eq!(f.message, MD5_MISMATCH);
    head.content_length = Some(6);
    let f = failed(verify(&head, 5, None, md5, 200).unwrap_err());
    assert_eq!(f.message, SHORT);
}

async fn written(store: &Store, data: &'static [u8]) -> BlobWriter {
    let mut w = store.writer();
    w.write(Bytes::from_static(data)).await.unwrap();
    w.flush().await.unwrap();
    w
}

#[tokio::test]
async fn commit_stores_the_object_unless_a_client_wrote_the_key_meanwhile() {
    let store = memory_store();
    store
        .create_bucket(&BucketRecord {
            name: "b".into(),
            owner: "o".into(),
            acl: "private".into(),
            created_ms: 0,
            storage_class: "Standard".into(),
            location: String::new(),
            versioning: Default::default(),
            object_lock: false,
            data_redundancy: None,
            ..Default::default()
        })
        .await
        .unwrap();
    let plan = FetchPlan {
        bucket: "b".into(),
        key: "k".into(),
        owner: "o".into(),
        taggings: vec![("from".into(), "origin".into())],
        ..FetchPlan::default()
    };
    let (head, _) = head_of(&[("content-type", "text/plain")]);
    let head = Arc::new(head);
    let w = written(&store, b"hello").await;
    let mut w = w;
    let tmp = w.temp_body();
    let state = commit(&store, &plan, head.clone(), w, tmp.clone(), 200)
        .await
        .unwrap();
    let rec = store.meta().get_object("b", "k").unwrap().unwrap();
    assert!(
        matches!(state, State::Complete { stored: true, etag: Some(ref e), size: 5, .. } if *e == rec.etag)
    );
    assert_eq!(rec.tag.as_deref(), Some("MIRROR"));
    assert_eq!(rec.attrs.tagging, plan.taggings);
    assert_eq!(rec.attrs.content_type, "text/plain");
    // A second fetch finds the key written: it stores nothing and names no ETag.
    let w = written(&store, b"other").await;
    let state = commit(&store, &plan, head, w, tmp, 200).await.unwrap();
    assert!(matches!(
        state,
        State::Complete {
            stored: true,
            etag: None,
            ..
        }
    ));
    assert_eq!(
        store.meta().get_object("b", "k").unwrap().unwrap().etag,
        rec.etag
    );
}
