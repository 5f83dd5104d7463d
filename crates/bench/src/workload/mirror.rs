//! Back-to-origin (mirroring) workloads, against the built-in origin
//! ([`crate::origin`]) through the target's mirror bucket ([`super::backorigin`]).
//!
//! - `mirror-cold`: every operation GETs a key nobody asked for before, so ossemu misses,
//!   matches the Mirror rule, fetches `MirrorURL + key` from the origin and streams it to the
//!   client while storing it. Its reference `origin-direct` GETs fresh keys of the same size
//!   straight from the origin: the ratio is the cost of going through ossemu.
//! - `mirror-warm`: GETs of keys mirrored before the cell, now served from the store; its
//!   reference `plain-get` reads keys stored by PutObject in the same bucket.
//! - `mirror-concurrent`: each operation sends 32 concurrent GETs of one fresh key; the origin
//!   must see exactly one request and every client the same, complete bytes.
//! - `mirror-1g`: one object of `--mirror-large-size` through the mirror, MD5-checked, while
//!   the runner samples the server's RSS.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use http::{Method, StatusCode};

use super::backorigin::{BackOrigin, wait_stored};
use super::{BoxFut, CLEANUP_MIN_SIZE, Ctx, Outcome, Setup, Workload, fixture_count, get_from};
use crate::origin::{self, Mode, OriginConfig};

/// How long validation waits for a mirrored object to be committed.
const COMMIT_WAIT: Duration = Duration::from_secs(30);

/// A number no other cell of this process uses, so that "fresh" keys are fresh.
fn nonce() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (stamp << 16) + NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Fresh keys of one cell: `ok/SIZE/<tag>-<nonce>/<seq>`.
#[derive(Debug)]
struct FreshKeys {
    size: u64,
    tag: &'static str,
    nonce: u64,
    /// One past the highest `seq` used.
    used: AtomicU64,
}

impl FreshKeys {
    fn new(size: u64, tag: &'static str) -> Self {
        Self {
            size,
            tag,
            nonce: nonce(),
            used: AtomicU64::new(0),
        }
    }

    fn key(&self, seq: u64) -> String {
        self.used.fetch_max(seq + 1, Ordering::Relaxed);
        self.peek(seq)
    }

    fn peek(&self, seq: u64) -> String {
        origin::key(
            Mode::Ok,
            self.size,
            &format!("{}-{}/{seq:08}", self.tag, self.nonce),
        )
    }

    fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Deletes every key handed out, when the objects are large enough to matter (untimed).
    async fn cleanup(&self, cx: &Ctx, origin: OriginConfig) -> anyhow::Result<()> {
        if self.size < CLEANUP_MIN_SIZE {
            return Ok(());
        }
        let env = cx.back_origin(origin).await?;
        delete_all(
            cx,
            &env.mirror_bucket,
            (0..self.used()).map(|i| self.peek(i)),
        )
        .await
    }
}

/// Fails unless the origin saw exactly one request for `key`; `why` ends the message.
fn one_origin_request(env: &BackOrigin, key: &str, why: &str) -> anyhow::Result<()> {
    let hits = env.origin.hits(key);
    if hits != 1 {
        bail!("{key}: the origin saw {hits} requests, expected 1{why}");
    }
    Ok(())
}

/// Reads a stored mirrored object back and checks its bytes and `x-oss-tag`.
async fn check_stored(cx: &Ctx, origin_cfg: OriginConfig, key: &str) -> anyhow::Result<()> {
    let env = cx.back_origin(origin_cfg).await?;
    let (_, size) = origin::parse_key(key).context("not an origin key")?;
    let path = env.mirror_path(key);
    wait_stored(&cx.client, &path, COMMIT_WAIT).await?;
    let r = cx
        .client
        .send(Method::GET, &path, &[], Bytes::new())
        .await?;
    if r.status != StatusCode::OK {
        bail!(
            "{}",
            r.unexpected(&format!("GET {key} after mirroring")).await
        );
    }
    let tagged = r.header("x-oss-tag").starts_with("MIRROR");
    let (md5, n) = r.md5().await?;
    if n != size || md5 != env.origin.content().md5(key, size) {
        bail!("{key}: the stored object differs from the origin's ({n} bytes)");
    }
    if !tagged {
        bail!("{key}: a mirrored object without x-oss-tag: MIRROR…");
    }
    Ok(())
}

/// `mirror-cold`.
struct Cold {
    keys: FreshKeys,
    origin: OriginConfig,
}

/// Builds `mirror-cold`.
pub(super) fn build_cold(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Cold {
        keys: FreshKeys::new(setup.size, "cold"),
        origin: setup.origin,
    })
}

impl Workload for Cold {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move { cx.back_origin(self.origin).await.map(|_| ()) })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            let env = match cx.back_origin(self.origin).await {
                Ok(e) => e,
                Err(e) => return Outcome::Err(format!("{e:#}")),
            };
            let key = self.keys.key(seq);
            get_from(&cx.client, &env.mirror_path(&key), &key, self.keys.size).await
        })
    }

    fn validate<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let env = cx.back_origin(self.origin).await?;
            let n = self.keys.used();
            for seq in [0, n.saturating_sub(1)] {
                let key = self.keys.peek(seq);
                check_stored(cx, self.origin, &key).await?;
                one_origin_request(env, &key, "")?;
            }
            Ok(())
        })
    }

    fn cleanup<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(self.keys.cleanup(cx, self.origin))
    }
}

/// Deletes `keys` of `bucket` (a 404 tolerated).
async fn delete_all(
    cx: &Ctx,
    bucket: &str,
    keys: impl Iterator<Item = String>,
) -> anyhow::Result<()> {
    use futures_util::{StreamExt, TryStreamExt};
    futures_util::stream::iter(keys)
        .map(|key| async move {
            let r = cx
                .client
                .send(
                    Method::DELETE,
                    &format!("/{bucket}/{key}"),
                    &[],
                    Bytes::new(),
                )
                .await?;
            let status = r.status;
            r.drain().await?;
            if !(status.is_success() || status == StatusCode::NOT_FOUND) {
                bail!("DELETE {key}: unexpected {status}");
            }
            Ok(())
        })
        .buffer_unordered(cx.prep_concurrency)
        .try_collect::<()>()
        .await
}

/// `origin-direct`, the reference of `mirror-cold`.
struct Direct {
    keys: FreshKeys,
    origin: OriginConfig,
}

/// Builds `origin-direct`.
pub(super) fn build_direct(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Direct {
        keys: FreshKeys::new(setup.size, "direct"),
        origin: setup.origin,
    })
}

impl Workload for Direct {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move { cx.back_origin(self.origin).await.map(|_| ()) })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            let env = match cx.back_origin(self.origin).await {
                Ok(e) => e,
                Err(e) => return Outcome::Err(format!("{e:#}")),
            };
            let key = self.keys.key(seq);
            get_from(&env.origin_client, &format!("/{key}"), &key, self.keys.size).await
        })
    }
}

/// `mirror-warm`: GETs of objects mirrored during preparation.
struct Warm {
    size: u64,
    objects: usize,
    origin: OriginConfig,
}

/// Builds `mirror-warm`.
pub(super) fn build_warm(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Warm {
        size: setup.size,
        objects: fixture_count(setup.size, setup.fixture_objects),
        origin: setup.origin,
    })
}

impl Warm {
    fn key(&self, i: u64) -> String {
        origin::key(Mode::Ok, self.size, &format!("warm/{i:06}"))
    }
}

impl Workload for Warm {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let env = cx.back_origin(self.origin).await?;
            let id = format!("mirror-warm#{}#{}", self.size, self.objects);
            cx.once(id, async {
                cx.for_each(0..self.objects as u64, |i| {
                    let key = self.key(i);
                    async move {
                        let path = env.mirror_path(&key);
                        match get_from(&cx.client, &path, &key, self.size).await {
                            Outcome::Err(e) => bail!("mirroring the warm set: {e}"),
                            _ => wait_stored(&cx.client, &path, COMMIT_WAIT).await,
                        }
                    }
                })
                .await
            })
            .await
        })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            let env = match cx.back_origin(self.origin).await {
                Ok(e) => e,
                Err(e) => return Outcome::Err(format!("{e:#}")),
            };
            let key = self.key(seq % self.objects as u64);
            get_from(&cx.client, &env.mirror_path(&key), &key, self.size).await
        })
    }

    fn validate<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let env = cx.back_origin(self.origin).await?;
            let key = self.key(0);
            check_stored(cx, self.origin, &key).await?;
            one_origin_request(env, &key, " (warm GETs must be local)")?;
            Ok(())
        })
    }
}

/// `plain-get`, the reference of `mirror-warm`: objects PUT into the mirror bucket.
struct Plain {
    size: u64,
    objects: usize,
    payload: Bytes,
    origin: OriginConfig,
}

/// Builds `plain-get`.
pub(super) fn build_plain(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Plain {
        size: setup.size,
        objects: fixture_count(setup.size, setup.fixture_objects),
        payload: setup.payload.clone(),
        origin: setup.origin,
    })
}

impl Plain {
    fn key(&self, i: u64) -> String {
        format!("plain/{}/{i:06}", self.size)
    }
}

impl Workload for Plain {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let env = cx.back_origin(self.origin).await?;
            let id = format!("plain-get#{}#{}", self.size, self.objects);
            cx.once(id, async {
                cx.for_each(0..self.objects as u64, |i| {
                    let path = env.mirror_path(&self.key(i));
                    let body = self.payload.clone();
                    async move {
                        let r = cx.client.send(Method::PUT, &path, &[], body).await?;
                        if !r.status.is_success() {
                            bail!("{}", r.unexpected(&format!("PUT {path}")).await);
                        }
                        r.drain().await?;
                        Ok(())
                    }
                })
                .await
            })
            .await
        })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            let env = match cx.back_origin(self.origin).await {
                Ok(e) => e,
                Err(e) => return Outcome::Err(format!("{e:#}")),
            };
            let key = self.key(seq % self.objects as u64);
            get_from(&cx.client, &env.mirror_path(&key), &key, self.size).await
        })
    }
}

/// `mirror-concurrent`: `fanout` simultaneous cold GETs of one key per operation.
struct Concurrent {
    keys: FreshKeys,
    fanout: usize,
    origin: OriginConfig,
}

/// Builds `mirror-concurrent`.
pub(super) fn build_concurrent(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Concurrent {
        keys: FreshKeys::new(setup.size, "conc"),
        fanout: setup.mirror_fanout.max(1),
        origin: setup.origin,
    })
}

/// What one of the concurrent clients saw.
type Seen = Result<(Duration, [u8; 16], u64), String>;

impl Concurrent {
    async fn fan_out(&self, cx: &Ctx, seq: u64) -> anyhow::Result<(u64, Duration)> {
        let env = cx.back_origin(self.origin).await?;
        let key = self.keys.key(seq);
        let path = env.mirror_path(&key);
        let size = self.keys.size;
        let started = Instant::now();
        let one = |_| {
            let path = &path;
            async move {
                let r = cx
                    .client
                    .send(Method::GET, path, &[], Bytes::new())
                    .await
                    .map_err(|e| format!("{e:#}"))?;
                let ttfb = started.elapsed();
                if r.status != StatusCode::OK {
                    return Err(r.unexpected("GET").await);
                }
                let (md5, n) = r.md5().await.map_err(|e| format!("{e:#}"))?;
                Ok((ttfb, md5, n))
            }
        };
        let seen: Vec<Seen> = futures_util::future::join_all((0..self.fanout).map(one)).await;
        let want = env.origin.content().md5(&key, size);
        let mut last_head = Duration::ZERO;
        for (i, s) in seen.iter().enumerate() {
            match s {
                Err(e) => bail!("{key}: client {i} of {}: {e}", self.fanout),
                Ok((_, _, n)) if *n != size => {
                    bail!("{key}: client {i} got {n} bytes, expected {size}")
                }
                Ok((_, md5, _)) if *md5 != want => {
                    bail!("{key}: client {i} got bytes that differ from the origin's")
                }
                Ok((ttfb, _, _)) => last_head = last_head.max(*ttfb),
            }
        }
        one_origin_request(
            env,
            &key,
            &format!(" for {} concurrent clients", self.fanout),
        )?;
        Ok((size * self.fanout as u64, last_head))
    }
}

impl Workload for Concurrent {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move { cx.back_origin(self.origin).await.map(|_| ()) })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            match self.fan_out(cx, seq).await {
                Ok((bytes, ttfb)) => Outcome::Ok {
                    bytes,
                    ttfb: Some(ttfb),
                },
                Err(e) => Outcome::Err(format!("{e:#}")),
            }
        })
    }

    fn validate<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let env = cx.back_origin(self.origin).await?;
            let key = self.keys.peek(0);
            check_stored(cx, self.origin, &key).await?;
            one_origin_request(env, &key, " after the cell")?;
            Ok(())
        })
    }

    fn cleanup<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(self.keys.cleanup(cx, self.origin))
    }
}

/// `mirror-1g`: one large object through the mirror.
struct Large {
    keys: FreshKeys,
    origin: OriginConfig,
    /// MD5 of the object, computed during preparation.
    want: std::sync::OnceLock<[u8; 16]>,
}

/// Builds `mirror-1g`.
pub(super) fn build_large(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Large {
        keys: FreshKeys::new(setup.mirror_large_size, "large"),
        origin: setup.origin,
        want: std::sync::OnceLock::new(),
    })
}

impl Workload for Large {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let env = cx.back_origin(self.origin).await?;
            let content = env.origin.content().clone();
            let (key, size) = (self.keys.peek(0), self.keys.size);
            let md5 = tokio::task::spawn_blocking(move || content.md5(&key, size))
                .await
                .context("hashing the large object")?;
            let _ = self.want.set(md5);
            Ok(())
        })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            if seq > 0 {
                return Outcome::Exhausted;
            }
            let env = match cx.back_origin(self.origin).await {
                Ok(e) => e,
                Err(e) => return Outcome::Err(format!("{e:#}")),
            };
            let key = self.keys.key(0);
            let started = Instant::now();
            let r = match cx
                .client
                .send(Method::GET, &env.mirror_path(&key), &[], Bytes::new())
                .await
            {
                Ok(r) => r,
                Err(e) => return Outcome::Err(format!("GET {key}: {e:#}")),
            };
            let ttfb = started.elapsed();
            if r.status != StatusCode::OK {
                return Outcome::Err(r.unexpected(&format!("GET {key}")).await);
            }
            match r.md5().await {
                Ok((md5, n)) if n == self.keys.size && Some(&md5) == self.want.get() => {
                    Outcome::Ok {
                        bytes: n,
                        ttfb: Some(ttfb),
                    }
                }
                Ok((_, n)) => Outcome::Err(format!(
                    "GET {key}: {n} bytes, expected {} bytes with the origin's MD5",
                    self.keys.size
                )),
                Err(e) => Outcome::Err(format!("GET {key}: {e:#}")),
            }
        })
    }

    fn validate<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let env = cx.back_origin(self.origin).await?;
            let key = self.keys.peek(0);
            let path = env.mirror_path(&key);
            wait_stored(&cx.client, &path, COMMIT_WAIT).await?;
            let r = cx
                .client
                .send(Method::HEAD, &path, &[], Bytes::new())
                .await?;
            let len = r.content_length();
            r.drain().await?;
            if len != Some(self.keys.size) {
                bail!(
                    "{key}: stored with Content-Length {len:?}, expected {}",
                    self.keys.size
                );
            }
            one_origin_request(env, &key, "")?;
            Ok(())
        })
    }

    fn cleanup<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let env = cx.back_origin(self.origin).await?;
            delete_all(cx, &env.mirror_bucket, std::iter::once(self.keys.peek(0))).await
        })
    }
}
