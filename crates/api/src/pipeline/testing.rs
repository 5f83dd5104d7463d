//! Request contexts for the stage tests: an in-memory store and a hand-made [`Ctx`].

use std::sync::Arc;

use http::{HeaderMap, Method};
use ossemu_store::{BucketRecord, ObjectRecord, Store, StoreOptions};

use crate::access::Identity;
use crate::dialect::Dialect;
use crate::host::Addressing;
use crate::query::Query;
use crate::request::Ctx;
use crate::state::{ApiConfig, AppState};

/// State over a fresh in-memory store.
pub fn state() -> Arc<AppState> {
    let store = Store::open(&StoreOptions { data_dir: None }).unwrap();
    AppState::new(store, ApiConfig::default(), Default::default())
}

/// A bucket owned by `owner` with a canned ACL.
pub async fn bucket(state: &AppState, name: &str, owner: &str, acl: &str) {
    state
        .store
        .create_bucket(&BucketRecord {
            name: name.into(),
            owner: owner.into(),
            acl: acl.into(),
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
}

/// An empty object with an ACL.
pub async fn object(state: &AppState, bucket: &str, key: &str, acl: Option<&str>) {
    let blob = state.store.writer().finish().await.unwrap();
    let attrs = ossemu_store::ObjectAttrs {
        acl: acl.map(str::to_string),
        ..Default::default()
    };
    let template = ObjectRecord::new(attrs, "", 0);
    let accept = |_: Option<&ObjectRecord>| Ok::<_, std::convert::Infallible>(());
    state
        .store
        .put_object(bucket, key, template, blob, &accept)
        .await
        .unwrap();
}

/// A signed user.
pub fn user(ak: &str) -> Identity {
    Identity::User {
        access_key: ak.into(),
        owner_id: ak.into(),
        display_name: ak.into(),
        user: None,
    }
}

/// A context for `method` on `bucket`/`key`, path style.
pub fn ctx(
    state: &Arc<AppState>,
    dialect: Dialect,
    method: Method,
    target: (Option<&str>, Option<&str>),
    identity: Identity,
) -> Ctx {
    Ctx {
        state: state.clone(),
        id: "0123456789ABCDEF01234567".into(),
        dialect,
        method,
        host_header: "127.0.0.1:9000".into(),
        addressing: Addressing::Path,
        bucket: target.0.map(str::to_string),
        key: target.1.map(str::to_string),
        query: Query::default(),
        headers: HeaderMap::new(),
        identity,
        peer: ([127, 0, 0, 1], 50000).into(),
        op: crate::router::Op::NotAllowed,
        bucket_rec: Default::default(),
        checksum: Default::default(),
        trail: Default::default(),
    }
}
