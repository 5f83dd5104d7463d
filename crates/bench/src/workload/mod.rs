//! Workloads: each is a small module with a type implementing [`Workload`] and a line in
//! [`REGISTRY`].
//!
//! A cell (workload × size × concurrency) on one target runs as
//! [`Workload::prepare`] (untimed) → many concurrent [`Workload::op`] calls (timed, until the
//! duration or request budget is spent) → [`Workload::validate`] (untimed; a failure marks
//! the cell invalid) → [`Workload::cleanup`] (untimed). A fresh workload value is built for
//! every cell and target, so it may keep per-cell state in atomics.

pub mod backorigin;
mod delete;
mod get;
mod head;
mod list;
mod mirror;
pub mod mixed;
mod put;
mod redirect;

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http::{Method, StatusCode};
use tokio::sync::Mutex;

use crate::body::Payloads;
use crate::client::S3Client;

/// A boxed, sendable future borrowing from the workload and its context.
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The result of one timed operation.
#[derive(Debug)]
pub enum Outcome {
    /// The operation succeeded and was checked.
    Ok {
        /// Payload bytes sent or received.
        bytes: u64,
        /// Time until the response head, when the workload reports it.
        ttfb: Option<Duration>,
    },
    /// The operation failed: transport error, unexpected status, wrong length.
    Err(String),
    /// The workload has nothing left to do (e.g. every prepared key is deleted); the
    /// worker stops and the cell ends early. Not counted as an operation.
    Exhausted,
}

/// How a cell ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRule {
    /// After this long (operations in flight at the deadline complete and count).
    Duration(Duration),
    /// After this many operations (across all workers).
    Requests(u64),
}

/// What a workload is built from.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Object size in bytes (0 for size-less workloads).
    pub size: u64,
    /// Concurrent workers of the cell.
    pub concurrency: usize,
    /// The shared payload of `size` bytes.
    pub payload: Bytes,
    /// How the cell ends.
    pub stop: StopRule,
    /// Objects in a read fixture (capped by size, see [`fixture_count`]).
    pub fixture_objects: usize,
    /// Keys in the listing fixture.
    pub list_keys: usize,
    /// The built-in origin of the back-to-origin workloads (its latency).
    pub origin: crate::origin::OriginConfig,
    /// Concurrent GETs of one key in `mirror-concurrent`.
    pub mirror_fanout: usize,
    /// Object size of `mirror-1g`.
    pub mirror_large_size: u64,
}

/// One workload of the benchmark.
pub trait Workload: Send + Sync {
    /// Creates what the operations need (objects to read or delete). Not timed.
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>>;

    /// One timed operation; `seq` numbers the operations of the cell from 0, across workers.
    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome>;

    /// Checks the server's state after the cell (e.g. written objects are readable). Not timed.
    fn validate<'a>(&'a self, _cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Removes what the cell created when it would fill the disk. Not timed.
    fn cleanup<'a>(&'a self, _cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

/// A registered workload.
#[derive(Debug, Clone, Copy)]
pub struct WorkloadDef {
    /// Name on the command line and in the results.
    pub name: &'static str,
    /// One line for `--help` and the README.
    pub about: &'static str,
    /// Whether the workload runs once per `--sizes` entry (otherwise once, size 0).
    pub sized: bool,
    /// Builds the workload for one cell.
    pub build: fn(&Setup) -> Box<dyn Workload>,
    /// Only meaningful against ossemu (back-to-origin): other targets skip it.
    pub ossemu_only: bool,
    /// Runs exactly one operation at concurrency 1, whatever `--duration`, `--requests` and
    /// `--concurrency` say (one 1 GiB object).
    pub once: bool,
    /// Runs at concurrency 1 only, whatever `--concurrency` says: each operation is already
    /// a burst of concurrent requests (`mirror-concurrent`).
    pub own_concurrency: bool,
    /// What this workload is compared with on the same target: measured as a cell of its
    /// own right after each cell of this workload, and reported as the ratio
    /// workload/reference (e.g. a mirrored GET against a direct GET from the origin).
    pub reference: Option<Reference>,
    /// Goal for the server's peak RSS during the cell, MiB, if any.
    pub rss_goal_mib: Option<f64>,
}

/// The reference measurement of a workload (see [`WorkloadDef::reference`]).
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// Name of its cells in the results.
    pub name: &'static str,
    /// One line for `--help` and the README.
    pub about: &'static str,
    /// Builds it for one cell.
    pub build: fn(&Setup) -> Box<dyn Workload>,
    /// Goal for the ratio of median times to first byte (workload/reference), if any.
    pub ttfb_goal: Option<f64>,
    /// Goal for the ratio of median total times (workload/reference), if any.
    pub total_goal: Option<f64>,
}

/// Defaults of the fields most workloads leave alone.
const PLAIN: WorkloadDef = WorkloadDef {
    name: "",
    about: "",
    sized: true,
    build: put::build,
    ossemu_only: false,
    once: false,
    own_concurrency: false,
    reference: None,
    rss_goal_mib: None,
};

/// Every workload, in the order a run measures them.
pub const REGISTRY: &[WorkloadDef] = &[
    WorkloadDef {
        name: "put",
        about: "PutObject of new keys",
        sized: true,
        build: put::build,
        ..PLAIN
    },
    WorkloadDef {
        name: "get",
        about: "GetObject over a prepared set of objects, body read and counted",
        sized: true,
        build: get::build,
        ..PLAIN
    },
    WorkloadDef {
        name: "head",
        about: "HeadObject over a prepared set of objects",
        sized: true,
        build: head::build,
        ..PLAIN
    },
    WorkloadDef {
        name: "delete",
        about: "DeleteObject of prepared objects, each once",
        sized: true,
        build: delete::build,
        ..PLAIN
    },
    WorkloadDef {
        name: "list-flat",
        about: "ListObjectsV2 of all keys under a prefix (10,000 keys, 10 pages), one op = whole listing",
        sized: false,
        build: list::build_flat,
        ..PLAIN
    },
    WorkloadDef {
        name: "list-delim",
        about: "ListObjectsV2 with delimiter=/ over the same keys (100 common prefixes)",
        sized: false,
        build: list::build_delim,
        ..PLAIN
    },
    WorkloadDef {
        name: "mixed",
        about: "45% GET, 30% HEAD over prepared objects, 15% PUT of new keys, 10% DELETE of those",
        sized: true,
        build: mixed::build,
        ..PLAIN
    },
    WorkloadDef {
        name: "mirror-cold",
        about: "GET of a fresh key through a Mirror rule (each key fetched from the built-in origin once); reference: the same GET straight from the origin",
        sized: true,
        build: mirror::build_cold,
        ossemu_only: true,
        once: false,
        own_concurrency: false,
        reference: Some(Reference {
            name: "origin-direct",
            about: "GET of a fresh key straight from the built-in origin (reference of mirror-cold)",
            build: mirror::build_direct,
            ttfb_goal: Some(1.2),
            total_goal: Some(1.1),
        }),
        rss_goal_mib: None,
    },
    WorkloadDef {
        name: "mirror-warm",
        about: "GET of keys mirrored before the cell (served from the store); reference: GET of keys stored by PUT in the same bucket",
        sized: true,
        build: mirror::build_warm,
        ossemu_only: true,
        once: false,
        own_concurrency: false,
        reference: Some(Reference {
            name: "plain-get",
            about: "GET of objects stored by PutObject in the mirror bucket (reference of mirror-warm)",
            build: mirror::build_plain,
            ttfb_goal: None,
            total_goal: None,
        }),
        rss_goal_mib: None,
    },
    WorkloadDef {
        name: "mirror-concurrent",
        about: "32 concurrent GETs of one fresh key through a Mirror rule per op (--mirror-fanout; at concurrency 1 only): the origin must see 1 request, every client the same complete bytes",
        sized: true,
        build: mirror::build_concurrent,
        ossemu_only: true,
        once: false,
        own_concurrency: true,
        reference: None,
        rss_goal_mib: None,
    },
    WorkloadDef {
        name: "redirect",
        about: "anonymous GET through a custom domain answered 302 by an External routing rule; reference: a plain 404 NoSuchKey through the same domain",
        sized: false,
        build: redirect::build_redirect,
        ossemu_only: true,
        once: false,
        own_concurrency: false,
        reference: Some(Reference {
            name: "plain-404",
            about: "anonymous GET of a missing key no rule matches, through the same custom domain (reference of redirect)",
            build: redirect::build_404,
            ttfb_goal: None,
            total_goal: None,
        }),
        rss_goal_mib: None,
    },
    WorkloadDef {
        name: "mirror-1g",
        about: "one object of --mirror-large-size (1 GiB) through a Mirror rule, MD5-checked; read its server peak RSS",
        sized: false,
        build: mirror::build_large,
        ossemu_only: true,
        once: true,
        own_concurrency: true,
        reference: None,
        rss_goal_mib: Some(64.0),
    },
];

/// Names that stand for several workloads on the command line.
pub const ALIASES: &[(&str, &[&str])] = &[
    ("list", &["list-flat", "list-delim"]),
    (
        "back-to-origin",
        &[
            "mirror-cold",
            "mirror-warm",
            "mirror-concurrent",
            "redirect",
            "mirror-1g",
        ],
    ),
];

/// Looks a workload up by name.
pub fn find(name: &str) -> Option<&'static WorkloadDef> {
    REGISTRY.iter().find(|d| d.name == name)
}

/// Objects of `size` bytes the read fixtures hold: up to `max`, at most 256 MiB in all,
/// never fewer than 8.
pub fn fixture_count(size: u64, max: usize) -> usize {
    const BUDGET: u64 = 256 * 1024 * 1024;
    let by_budget = usize::try_from(BUDGET / size.max(1)).unwrap_or(usize::MAX);
    by_budget.min(max).max(8)
}

/// Objects at least this large are deleted after a cell that writes new keys.
pub const CLEANUP_MIN_SIZE: u64 = 256 * 1024;

/// A target as the workloads see it: a client, a bucket of its own and shared fixtures.
#[derive(Debug)]
pub struct Ctx {
    /// The client.
    pub client: S3Client,
    /// The bucket this run created (or was given) on the target.
    pub bucket: String,
    /// Payloads, one per size.
    pub payloads: Arc<Payloads>,
    /// Concurrency of untimed preparation and cleanup.
    pub prep_concurrency: usize,
    /// Whether the target is ossemu (the back-to-origin workloads need it).
    pub is_ossemu: bool,
    fixtures: Mutex<HashSet<String>>,
    back_origin: tokio::sync::OnceCell<backorigin::BackOrigin>,
}

impl Ctx {
    /// A context for `bucket` on `client`.
    pub fn new(client: S3Client, bucket: String, payloads: Arc<Payloads>) -> Self {
        Self {
            client,
            bucket,
            payloads,
            prep_concurrency: 16,
            is_ossemu: false,
            fixtures: Mutex::new(HashSet::new()),
            back_origin: tokio::sync::OnceCell::new(),
        }
    }

    /// Marks the target as ossemu (see [`Ctx::is_ossemu`]).
    pub fn with_ossemu(mut self, is_ossemu: bool) -> Self {
        self.is_ossemu = is_ossemu;
        self
    }

    /// `/bucket/key`.
    pub fn path(&self, key: &str) -> String {
        format!("/{}/{key}", self.bucket)
    }

    /// PUT `body` at `key`; any 2xx is success (S3 answers 200, WebDAV 201 or 204).
    pub async fn put(&self, key: &str, body: Bytes) -> Outcome {
        let len = body.len() as u64;
        match self
            .client
            .send(Method::PUT, &self.path(key), &[], body)
            .await
        {
            Ok(r) if r.status.is_success() => match r.drain().await {
                Ok(_) => Outcome::Ok {
                    bytes: len,
                    ttfb: None,
                },
                Err(e) => Outcome::Err(format!("PUT {key}: {e:#}")),
            },
            Ok(r) => Outcome::Err(r.unexpected(&format!("PUT {key}")).await),
            Err(e) => Outcome::Err(format!("PUT {key}: {e:#}")),
        }
    }

    /// GET `key`, expecting 200 and exactly `expect_len` body bytes.
    pub async fn get(&self, key: &str, expect_len: u64) -> Outcome {
        get_from(&self.client, &self.path(key), key, expect_len).await
    }

    /// HEAD `key`, expecting 200 and `Content-Length: expect_len`.
    pub async fn head(&self, key: &str, expect_len: u64) -> Outcome {
        let r = match self
            .client
            .send(Method::HEAD, &self.path(key), &[], Bytes::new())
            .await
        {
            Ok(r) => r,
            Err(e) => return Outcome::Err(format!("HEAD {key}: {e:#}")),
        };
        if r.status != StatusCode::OK {
            return Outcome::Err(format!("HEAD {key}: unexpected {}", r.status));
        }
        let len = r.content_length();
        if let Err(e) = r.drain().await {
            return Outcome::Err(format!("HEAD {key}: {e:#}"));
        }
        match len {
            Some(n) if n == expect_len => Outcome::Ok {
                bytes: 0,
                ttfb: None,
            },
            other => Outcome::Err(format!(
                "HEAD {key}: Content-Length {other:?}, expected {expect_len}"
            )),
        }
    }

    /// DELETE `key`, expecting 204 (or 200); `missing_ok` also accepts 404, for cleanup.
    pub async fn delete(&self, key: &str, missing_ok: bool) -> Outcome {
        if key.is_empty() {
            // `DELETE /bucket/` would be DeleteBucket on some servers.
            return Outcome::Err("refusing to DELETE an empty key".into());
        }
        match self
            .client
            .send(Method::DELETE, &self.path(key), &[], Bytes::new())
            .await
        {
            Ok(r)
                if r.status == StatusCode::NO_CONTENT
                    || r.status == StatusCode::OK
                    || (missing_ok && r.status == StatusCode::NOT_FOUND) =>
            {
                match r.drain().await {
                    Ok(_) => Outcome::Ok {
                        bytes: 0,
                        ttfb: None,
                    },
                    Err(e) => Outcome::Err(format!("DELETE {key}: {e:#}")),
                }
            }
            Ok(r) => Outcome::Err(r.unexpected(&format!("DELETE {key}")).await),
            Err(e) => Outcome::Err(format!("DELETE {key}: {e:#}")),
        }
    }

    /// Expects `key` to be absent (HEAD answers 404).
    pub async fn expect_absent(&self, key: &str) -> anyhow::Result<()> {
        let r = self
            .client
            .send(Method::HEAD, &self.path(key), &[], Bytes::new())
            .await
            .with_context(|| format!("HEAD {key}"))?;
        let status = r.status;
        r.drain().await?;
        if status != StatusCode::NOT_FOUND {
            bail!("HEAD {key} after DELETE: {status}, expected 404 Not Found");
        }
        Ok(())
    }

    /// Runs `f(i)` for `i` in `range` with [`Ctx::prep_concurrency`] in flight, stopping at
    /// the first error.
    pub async fn for_each<F, Fut>(&self, range: std::ops::Range<u64>, f: F) -> anyhow::Result<()>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        futures_util::stream::iter(range)
            .map(f)
            .buffer_unordered(self.prep_concurrency)
            .try_collect::<()>()
            .await
    }

    /// PUTs `count` objects of `size` bytes named `{prefix}{i:06}` unless this run already
    /// did (fixtures are shared by the cells of one target).
    pub async fn ensure_objects(
        &self,
        prefix: String,
        count: usize,
        size: u64,
    ) -> anyhow::Result<()> {
        let id = format!("{prefix}#{count}#{size}");
        self.ensure_fixture(id, count as u64, size, |i| format!("{prefix}{i:06}"))
            .await
    }

    /// PUTs `count` objects of `size` bytes named `name(i)` unless a fixture named `id` was
    /// already created on this target.
    pub async fn ensure_fixture(
        &self,
        id: String,
        count: u64,
        size: u64,
        name: impl Fn(u64) -> String,
    ) -> anyhow::Result<()> {
        let mut done = self.fixtures.lock().await;
        if done.contains(&id) {
            return Ok(());
        }
        let body = self.payloads.get(size)?;
        self.for_each(0..count, |i| {
            let body = body.clone();
            let key = name(i);
            async move {
                match self.put(&key, body).await {
                    Outcome::Err(e) => bail!("preparing objects: {e}"),
                    _ => Ok(()),
                }
            }
        })
        .await?;
        done.insert(id);
        Ok(())
    }

    /// Runs `make` unless something named `id` was already made on this target (set-ups
    /// shared by the cells of one target).
    pub async fn once(
        &self,
        id: String,
        make: impl Future<Output = anyhow::Result<()>>,
    ) -> anyhow::Result<()> {
        let mut done = self.fixtures.lock().await;
        if done.contains(&id) {
            return Ok(());
        }
        make.await?;
        done.insert(id);
        Ok(())
    }

    /// Deletes `keys` ([`Ctx::prep_concurrency`] in flight), a 404 tolerated.
    pub async fn delete_keys(&self, keys: impl IntoIterator<Item = String>) -> anyhow::Result<()> {
        futures_util::stream::iter(keys)
            .map(|key| async move {
                match self.delete(&key, true).await {
                    Outcome::Err(e) => bail!("cleaning up: {e}"),
                    _ => Ok(()),
                }
            })
            .buffer_unordered(self.prep_concurrency)
            .try_collect::<()>()
            .await
    }
}

/// GET `path` on `client` (`what` names it in errors), expecting 200 and exactly
/// `expect_len` body bytes; reports the time to the response head.
pub async fn get_from(client: &S3Client, path: &str, what: &str, expect_len: u64) -> Outcome {
    let started = Instant::now();
    let r = match client.send(Method::GET, path, &[], Bytes::new()).await {
        Ok(r) => r,
        Err(e) => return Outcome::Err(format!("GET {what}: {e:#}")),
    };
    let ttfb = started.elapsed();
    if r.status != StatusCode::OK {
        return Outcome::Err(r.unexpected(&format!("GET {what}")).await);
    }
    match r.drain().await {
        Ok(n) if n == expect_len => Outcome::Ok {
            bytes: n,
            ttfb: Some(ttfb),
        },
        Ok(n) => Outcome::Err(format!("GET {what}: {n} bytes, expected {expect_len}")),
        Err(e) => Outcome::Err(format!("GET {what}: {e:#}")),
    }
}

/// Key of the `i`th object of the read fixture of `size`.
pub fn fixture_key(size: u64, i: u64) -> String {
    format!("{}{i:06}", fixture_prefix(size))
}

/// Prefix of the read fixture of `size` (shared by get, head and mixed).
pub fn fixture_prefix(size: u64) -> String {
    format!("obj-{size}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_sizes() {
        assert_eq!(fixture_count(4096, 1000), 1000);
        assert_eq!(fixture_count(1 << 20, 1000), 256);
        assert_eq!(fixture_count(64 << 20, 1000), 8);
        assert_eq!(fixture_count(0, 100), 100);
        assert_eq!(fixture_key(4096, 7), "obj-4096/000007");
    }

    #[test]
    fn registry_names_are_unique_and_aliases_resolve() {
        let mut names: Vec<_> = REGISTRY
            .iter()
            .flat_map(|d| std::iter::once(d.name).chain(d.reference.map(|r| r.name)))
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "workload and reference names are unique");
        for (_, targets) in ALIASES {
            for t in *targets {
                assert!(find(t).is_some(), "{t}");
            }
        }
    }
}
