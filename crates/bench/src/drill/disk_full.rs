//! The disk-full drill: ossemu on a small filesystem, filled up by its own writers and then
//! by another process, killed with SIGKILL while full, and started again on the full disk.
//!
//! The filesystem is a tmpfs the drill mounts (`--size`, 32 MiB; mounting needs root, and
//! without it the drill skips) or a directory on a small filesystem made beforehand
//! (`--dir`). Every request is S3 (SigV4), and a ledger on the client side records each
//! write: acknowledged (200, with the body's MD5), refused (507) or in flight at the kill.
//!
//! 1. Writers PUT objects until each has been refused several times in a row, halving the
//!    size it tries after each refusal, so the disk ends up as full as ossemu lets it get.
//!    Every refusal must be `507 InsufficientStorage`; any other status fails the drill.
//! 2. Every acknowledged object reads back whole, every refused key is absent, the listing is
//!    exact, `<data>/tmp/` is empty and `<data>/blobs/` holds exactly one file per non-empty
//!    object, with their bytes (no trace of a refused write).
//! 3. Another process fills what is left (a filler file, written until ENOSPC). PutObject,
//!    UploadPart, CopyObject (OSS dialect) and CreateBucket answer 507, health answers 503
//!    `degraded`/`no-space`; DeleteObject, DeleteObjects and AbortMultipartUpload still work,
//!    and free space grows.
//! 4. The filler is removed: the next write succeeds without a restart; health is 200.
//! 5. Writers fill the disk again and the server is killed with SIGKILL at a random moment;
//!    the filler takes the rest, and ossemu starts on the full disk: it must serve reads
//!    (every acknowledged write whole, every refused or deleted key absent, the write in
//!    flight at the kill absent or whole, nothing else listed, no stray body file), answer
//!    writes with 507 and deletes with 204, and accept writes again once a third of the
//!    objects are deleted and the filler is gone.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use bytes::Bytes;
use clap::Args;
use http::{Method, StatusCode};
use md5::{Digest, Md5};

use super::s3::{self, Found, bare_etag};
use super::{Common, Node, count_files, dir_bytes};
use crate::cli::parse_size;
use crate::client::{S3Client, SendOpts, SignAs};
use crate::rng::SplitMix64;
use crate::xml::first_text;

/// The bucket the drill writes.
const BUCKET: &str = "disk-full-drill";
/// Consecutive refusals after which a filling writer stops.
const REFUSALS_TO_STOP: u32 = 6;
/// Smallest object a writer tries.
const MIN_SIZE: u64 = 4096;
/// Most free space a `--dir` filesystem may have (the drill fills it).
const DIR_LIMIT: u64 = 1 << 30;
/// How long deferred removals of temp and body files may take to show.
const SETTLE: Duration = Duration::from_secs(10);

/// `drill disk-full` options.
#[derive(Debug, Args)]
pub struct DiskFullArgs {
    /// Common drill options (`--data-dir` is not used: the data directory lives on the small
    /// filesystem).
    #[command(flatten)]
    pub common: Common,

    /// A directory on a small filesystem made beforehand (at most 1 GiB free): the drill
    /// works in a new subdirectory and fills the filesystem. Without it the drill mounts a
    /// tmpfs of `--size`, which needs root, and skips when it cannot.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Size of the tmpfs the drill mounts.
    #[arg(long, default_value = "32m", value_parser = parse_size)]
    pub size: u64,

    /// Concurrent writers.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub writers: u32,

    /// Largest object a writer starts with (it halves after each refusal).
    #[arg(long, default_value = "1m", value_parser = parse_size)]
    pub max_size: u64,
}

/// The drill could not run here (no root to mount a tmpfs); not a failure.
#[derive(Debug)]
pub struct Skip(pub String);

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Skip {}

/// What the ledger knows about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// A 200 was received for this body.
    Acked { md5: [u8; 16], size: u64 },
    /// A 507 was received: the key must not exist.
    Refused,
    /// Deleted (204): the key must not exist.
    Deleted,
    /// In flight at the kill: absent or this body.
    Pending { md5: [u8; 16], size: u64 },
}

/// The drill's small filesystem: mounted by it, or given.
struct SmallFs {
    /// Where the drill works.
    root: PathBuf,
    /// The tmpfs mount point, when the drill mounted one.
    mounted: Option<PathBuf>,
}

impl SmallFs {
    /// Mounts a tmpfs of `size` bytes, or says why it cannot.
    fn mount(size: u64) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("ossemu-drill-disk-full-")
            .tempdir()
            .context("creating the mount point")?
            .keep();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output();
        let why = match out {
            Ok(o) if o.status.success() => {
                return Ok(Self {
                    root: dir.clone(),
                    mounted: Some(dir),
                });
            }
            Ok(o) => String::from_utf8_lossy(&o.stderr)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; "),
            Err(e) => e.to_string(),
        };
        let _ = std::fs::remove_dir(&dir);
        Err(Skip(format!(
            "cannot mount a tmpfs ({why}): run as root, or pass --dir DIR on a small filesystem made beforehand"
        ))
        .into())
    }

    /// A new subdirectory of `dir`, which must be on a small filesystem.
    fn given(dir: &Path) -> anyhow::Result<Self> {
        let free = fs2::available_space(dir).with_context(|| format!("--dir {}", dir.display()))?;
        ensure!(
            free <= DIR_LIMIT,
            "--dir {} has {} MiB free: the drill fills its filesystem, give it a small one (at most {} MiB)",
            dir.display(),
            free >> 20,
            DIR_LIMIT >> 20
        );
        let root = dir.join("ossemu-disk-full-drill");
        std::fs::create_dir(&root).with_context(|| {
            format!(
                "creating {} (it must not exist yet: remove it after an earlier run)",
                root.display()
            )
        })?;
        Ok(Self {
            root,
            mounted: None,
        })
    }

    /// Removes what the drill made (unmounts its tmpfs).
    fn clean(&self) {
        match &self.mounted {
            Some(m) => {
                let _ = Command::new("umount").arg(m).status();
                let _ = std::fs::remove_dir(m);
            }
            None => {
                let _ = std::fs::remove_dir_all(&self.root);
            }
        }
    }
}

/// Runs the drill.
pub async fn run(args: DiskFullArgs) -> anyhow::Result<()> {
    ensure!(
        args.common.data_dir.is_none(),
        "drill disk-full keeps its data on the small filesystem: pass --dir, not --data-dir"
    );
    let fs = match &args.dir {
        Some(d) => SmallFs::given(d)?,
        None => SmallFs::mount(args.size)?,
    };
    let result = drill(&args, &fs.root).await;
    match &result {
        Ok(()) => fs.clean(),
        Err(_) => match &fs.mounted {
            Some(m) => eprintln!(
                "the tmpfs is kept for inspection at {} (umount it when done)",
                m.display()
            ),
            None => eprintln!("kept for inspection: {}", fs.root.display()),
        },
    }
    result
}

/// Free bytes on the filesystem of `dir`.
fn free(dir: &Path) -> u64 {
    fs2::available_space(dir).unwrap_or(0)
}

async fn drill(args: &DiskFullArgs, root: &Path) -> anyhow::Result<()> {
    let seed = args.common.seed();
    let data = root.join("data");
    eprintln!(
        "disk-full drill: {} writers, objects up to {} KiB, seed {seed}, {} MiB free in {}",
        args.writers,
        args.max_size >> 10,
        free(root) >> 20,
        root.display()
    );
    let mut ledger = BTreeMap::new();
    let node = Node::start(&args.common, &data, &[]).await?;
    s3::create_bucket(&node.client, BUCKET).await?;
    expect_health(&node, None).await?;
    let upload = s3::initiate(&node.client, BUCKET, "multipart").await?;

    let fill = Fill::new(args, &node, seed, "a");
    let started = Instant::now();
    let (acked, refused) = fill.run(&mut ledger, None).await?;
    let fill_time = started.elapsed();
    eprintln!(
        "filled in {:.2} s: {acked} writes acknowledged, {refused} refused with 507 InsufficientStorage; {} KiB free",
        fill_time.as_secs_f64(),
        free(root) >> 10
    );
    check(&node, &data, &mut ledger).await.context("filled")?;

    let filler = Filler::fill(&root.join("filler")).context("filling the rest")?;
    let source = ledger
        .iter()
        .find(|(_, s)| matches!(s, State::Acked { .. }))
        .map(|(k, _)| k.clone())
        .context("no write was acknowledged before the disk filled")?;
    at_full(&node, &upload, &source).await.context("at full")?;
    let left = free(root);
    ensure!(
        left < 64 << 10,
        "{left} bytes still free after a filler of {}",
        filler.bytes
    );
    let freed = deletes(&node, Some(&upload), &mut ledger, root).await?;
    eprintln!(
        "another process took the last {} KiB: writes of every kind refused; DeleteObject, \
         DeleteObjects and AbortMultipartUpload worked and freed {} KiB",
        filler.bytes >> 10,
        freed >> 10
    );
    filler.remove()?;
    space_returns(&node, &mut ledger, "after-deletes").await?;
    check(&node, &data, &mut ledger)
        .await
        .context("after deletes")?;

    restart_on_full_disk(args, node, &data, root, (seed, fill_time), &mut ledger).await
}

/// Phase 5: fill again, kill -9, fill the rest, start on the full disk, check, recover.
async fn restart_on_full_disk(
    args: &DiskFullArgs,
    mut node: Node,
    data: &Path,
    root: &Path,
    (seed, fill_time): (u64, Duration),
    ledger: &mut BTreeMap<String, State>,
) -> anyhow::Result<()> {
    // The second fill has about a third of the first one's room (a third of the objects
    // were deleted): a kill within the first fill's time lands while writes are
    // acknowledged about as often as when they are refused.
    let mut rng = SplitMix64::new(seed ^ 0x6b69_6c6c);
    let span = fill_time.as_secs_f64() * (0.05 + 0.95 * rng.unit());
    let kill_after = Duration::from_secs_f64(span.max(0.005));
    let fill = Fill::new(args, &node, seed ^ 1, "b");
    let killed = Arc::new(AtomicBool::new(false));
    let writers = {
        let mut ledger_b = BTreeMap::new();
        let killed = killed.clone();
        tokio::spawn(async move {
            let r = fill.run(&mut ledger_b, Some(killed)).await;
            (r, ledger_b)
        })
    };
    tokio::time::sleep(kill_after).await;
    killed.store(true, Ordering::SeqCst);
    node.server.kill().context("kill -9")?;
    let (r, ledger_b) = writers.await.context("the writers panicked")?;
    let (acked, refused) = r?;
    let pending = ledger_b
        .values()
        .filter(|s| matches!(s, State::Pending { .. }))
        .count();
    ledger.extend(ledger_b);
    drop(node);
    let filler = Filler::fill(&root.join("filler")).context("filling the rest")?;
    eprintln!(
        "killed after {:.2} s: {acked} writes acknowledged, {refused} refused, {pending} in flight; \
         another process took the last {} KiB",
        kill_after.as_secs_f64(),
        filler.bytes >> 10
    );

    let node = Node::start(&args.common, data, &[])
        .await
        .context("starting on the full disk")?;
    // Start-up removed what the writes in flight had put in tmp/ (and may have taken the
    // reserve again with it): the other process takes that too.
    let mut filler = filler;
    filler.top_up()?;
    expect_health(&node, Some("no-space")).await?;
    check(&node, data, ledger)
        .await
        .context("after the restart on the full disk")?;
    refused_put(&node.client, "refused-after-restart").await?;
    let freed = deletes(&node, None, ledger, root).await?;
    eprintln!(
        "started on the full disk: reads whole, writes refused, deletes work and freed {} KiB",
        freed >> 10
    );
    filler.remove()?;
    space_returns(&node, ledger, "after-restart").await?;
    check(&node, data, ledger).await.context("at the end")
}

/// Concurrent writers of new keys.
struct Fill {
    client: Arc<S3Client>,
    writers: u32,
    max_size: u64,
    seed: u64,
    prefix: &'static str,
}

impl Fill {
    fn new(args: &DiskFullArgs, node: &Node, seed: u64, prefix: &'static str) -> Self {
        Self {
            client: node.client.clone(),
            writers: args.writers,
            max_size: args.max_size.max(MIN_SIZE),
            seed,
            prefix,
        }
    }

    /// Writes until every writer was refused [`REFUSALS_TO_STOP`] times in a row, or until
    /// `killed` (then the request in flight is left pending). Returns (acknowledged,
    /// refused).
    async fn run(
        &self,
        ledger: &mut BTreeMap<String, State>,
        killed: Option<Arc<AtomicBool>>,
    ) -> anyhow::Result<(u64, u64)> {
        let counts = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
        let mut tasks = Vec::new();
        for w in 0..self.writers {
            let writer = Writer {
                client: self.client.clone(),
                rng: SplitMix64::new(self.seed ^ (u64::from(w) << 40)),
                cap: self.max_size,
                prefix: format!("{}/w{w:02}", self.prefix),
                killed: killed.clone(),
                counts: counts.clone(),
            };
            tasks.push(tokio::spawn(writer.run()));
        }
        let mut first_error = None;
        for t in tasks {
            let (entries, error) = t.await.context("a writer panicked")?;
            ledger.extend(entries);
            first_error = first_error.or(error);
        }
        if let Some(e) = first_error {
            bail!("{e}");
        }
        Ok((
            counts.0.load(Ordering::Relaxed),
            counts.1.load(Ordering::Relaxed),
        ))
    }
}

/// One writer: new keys, one request at a time.
struct Writer {
    client: Arc<S3Client>,
    rng: SplitMix64,
    cap: u64,
    prefix: String,
    killed: Option<Arc<AtomicBool>>,
    /// (acknowledged, refused) across writers.
    counts: Arc<(AtomicU64, AtomicU64)>,
}

impl Writer {
    fn killed(&self) -> bool {
        self.killed
            .as_ref()
            .is_some_and(|k| k.load(Ordering::SeqCst))
    }

    async fn run(mut self) -> (Vec<(String, State)>, Option<String>) {
        let mut out = Vec::new();
        let mut refusals = 0;
        for n in 0u32.. {
            if self.killed() || (self.killed.is_none() && refusals >= REFUSALS_TO_STOP) {
                break;
            }
            let key = format!("{}/{n:05}", self.prefix);
            let size = MIN_SIZE + self.rng.next_u64() % (self.cap - MIN_SIZE + 1);
            let body = self.rng.bytes(size);
            let md5: [u8; 16] = Md5::digest(&body).into();
            match put(&self.client, &key, body).await {
                Ok(Some(etag)) if etag == hex::encode(md5) => {
                    out.push((key, State::Acked { md5, size }));
                    self.counts.0.fetch_add(1, Ordering::Relaxed);
                    refusals = 0;
                }
                Ok(Some(etag)) => {
                    return (
                        out,
                        Some(format!("PUT {key}: ETag {etag}, expected the MD5")),
                    );
                }
                Ok(None) => {
                    out.push((key, State::Refused));
                    self.counts.1.fetch_add(1, Ordering::Relaxed);
                    refusals += 1;
                    self.cap = (self.cap / 2).max(MIN_SIZE);
                    if self.killed.is_some() {
                        // Until the kill: retry at a pace, not in a tight loop.
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
                Err(_) if self.killed() => {
                    out.push((key, State::Pending { md5, size }));
                    break;
                }
                Err(e) => return (out, Some(format!("{e:#}"))),
            }
        }
        (out, None)
    }
}

/// Fails unless `r` is `507 InsufficientStorage`.
async fn expect_refusal(r: crate::client::Response, what: &str) -> anyhow::Result<()> {
    if r.status != StatusCode::INSUFFICIENT_STORAGE {
        bail!("{}", r.unexpected(what).await);
    }
    let body = r.bytes().await?;
    let code = first_text(&body, "Code").unwrap_or_default();
    ensure!(
        code == "InsufficientStorage",
        "{what}: 507 with code {code:?}, expected InsufficientStorage"
    );
    Ok(())
}

/// PutObject: `Some(etag)` on 200, `None` on 507 InsufficientStorage, else an error.
async fn put(client: &S3Client, key: &str, body: Bytes) -> anyhow::Result<Option<String>> {
    let what = format!("PUT {key}");
    let r = client
        .send(Method::PUT, &format!("/{BUCKET}/{key}"), &[], body)
        .await
        .with_context(|| what.clone())?;
    if r.status == StatusCode::OK {
        let etag = bare_etag(r.header("etag"));
        r.drain().await?;
        return Ok(Some(etag));
    }
    expect_refusal(r, &what).await?;
    Ok(None)
}

/// A PutObject that must be refused.
async fn refused_put(client: &S3Client, key: &str) -> anyhow::Result<()> {
    ensure!(
        put(client, key, Bytes::from(vec![1u8; 64 << 10]))
            .await?
            .is_none(),
        "PUT {key} was accepted on a full disk"
    );
    Ok(())
}

/// DeleteObject, expecting 204.
async fn delete(client: &S3Client, key: &str) -> anyhow::Result<()> {
    let r = client
        .send(
            Method::DELETE,
            &format!("/{BUCKET}/{key}"),
            &[],
            Bytes::new(),
        )
        .await?;
    s3::expect(r, StatusCode::NO_CONTENT, &format!("DELETE {key}"))
        .await?
        .drain()
        .await?;
    Ok(())
}

/// Phase 2: the other writes are refused too, and health says why.
async fn at_full(node: &Node, upload: &str, source: &str) -> anyhow::Result<()> {
    let c = &node.client;
    refused_put(c, "refused-at-full").await?;
    let r = c
        .send(
            Method::PUT,
            &format!("/{BUCKET}/multipart"),
            &[("partNumber", "1"), ("uploadId", upload)],
            Bytes::from(vec![7u8; 64 << 10]),
        )
        .await?;
    expect_refusal(r, "UploadPart").await?;
    let source = format!("/{BUCKET}/{source}");
    let r = c
        .send_with(
            Method::PUT,
            &format!("/{BUCKET}/copy-at-full"),
            &[],
            Bytes::new(),
            &SendOpts {
                headers: &[("x-oss-copy-source", &source)],
                host: None,
                sign: SignAs::OssV1,
            },
        )
        .await?;
    expect_refusal(r, "CopyObject (OSS)").await?;
    let r = c
        .send(Method::PUT, "/another-bucket", &[], Bytes::new())
        .await?;
    expect_refusal(r, "CreateBucket").await?;
    expect_health(node, Some("no-space")).await
}

/// `/_ossemu/health`: 200 `ok` (`None`), or 503 `degraded` with `reason`.
async fn expect_health(node: &Node, reason: Option<&str>) -> anyhow::Result<()> {
    let r = node
        .client
        .send(Method::GET, "/_ossemu/health", &[], Bytes::new())
        .await?;
    let status = r.status;
    let body = r.bytes().await?;
    let v: serde_json::Value =
        serde_json::from_slice(&body).context("health did not answer JSON")?;
    match reason {
        None => ensure!(
            status == StatusCode::OK && v["status"] == "ok",
            "health: {status} {v}, expected 200 ok"
        ),
        Some(want) => ensure!(
            status == StatusCode::SERVICE_UNAVAILABLE
                && v["status"] == "degraded"
                && v["reason"] == want,
            "health: {status} {v}, expected 503 degraded ({want})"
        ),
    }
    Ok(())
}

/// Phase 3: deletes of every kind on a disk with no byte free.
/// Deletes a third of the acknowledged objects, half with DeleteObject, half with
/// DeleteObjects, and aborts `upload`; checks they are gone and that space was freed.
/// Returns the bytes freed.
async fn deletes(
    node: &Node,
    upload: Option<&str>,
    ledger: &mut BTreeMap<String, State>,
    root: &Path,
) -> anyhow::Result<u64> {
    let before = free(root);
    let c = &node.client;
    if let Some(upload) = upload {
        s3::abort_upload(c, BUCKET, "multipart", upload).await?;
    }
    let acked: Vec<String> = ledger
        .iter()
        .filter(|(_, s)| matches!(s, State::Acked { .. }))
        .map(|(k, _)| k.clone())
        .collect();
    let third = acked.len().div_ceil(3);
    let (singles, batch) = acked[..third].split_at(third / 2);
    for k in singles {
        delete(c, k).await?;
        ledger.insert(k.clone(), State::Deleted);
    }
    for chunk in batch.chunks(100) {
        delete_objects(c, chunk).await?;
        for k in chunk {
            ledger.insert(k.clone(), State::Deleted);
        }
    }
    let after = free(root);
    ensure!(
        after > before,
        "deleting {third} objects freed nothing ({before} bytes free before, {after} after)"
    );
    for k in &acked[..third] {
        ensure!(
            s3::get_found(c, BUCKET, k).await? == Found::Absent,
            "{k} is still there after its delete"
        );
    }
    Ok(after - before)
}

/// DeleteObjects of `keys`, expecting each one deleted.
async fn delete_objects(client: &S3Client, keys: &[String]) -> anyhow::Result<()> {
    let mut body = String::from("<Delete><Quiet>false</Quiet>");
    for k in keys {
        body.push_str(&format!("<Object><Key>{k}</Key></Object>"));
    }
    body.push_str("</Delete>");
    let md5 = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        Md5::digest(body.as_bytes()),
    );
    let r = client
        .send_with(
            Method::POST,
            &format!("/{BUCKET}"),
            &[("delete", "")],
            Bytes::from(body),
            &SendOpts {
                headers: &[("content-md5", &md5)],
                ..SendOpts::default()
            },
        )
        .await?;
    let doc = s3::expect(r, StatusCode::OK, "DeleteObjects")
        .await?
        .bytes()
        .await?;
    if let Some(code) = first_text(&doc, "Code") {
        bail!("DeleteObjects: a key failed with {code}");
    }
    let deleted = crate::xml::elements(&doc, "Deleted").len();
    ensure!(
        deleted == keys.len(),
        "DeleteObjects: {deleted} of {} keys deleted",
        keys.len()
    );
    Ok(())
}

/// Phase 4: once space is back the next write succeeds, and health is 200.
async fn space_returns(
    node: &Node,
    ledger: &mut BTreeMap<String, State>,
    key: &str,
) -> anyhow::Result<()> {
    let body = Bytes::from(vec![0x5au8; 100 << 10]);
    let md5: [u8; 16] = Md5::digest(&body).into();
    let size = body.len() as u64;
    ensure!(
        put(&node.client, key, body).await?.is_some(),
        "PUT {key} was refused once space was back"
    );
    ledger.insert(key.to_owned(), State::Acked { md5, size });
    expect_health(node, None).await
}

/// A file filling the rest of the filesystem, as another process would.
struct Filler {
    path: PathBuf,
    bytes: u64,
}

impl Filler {
    /// Writes `path` until the filesystem is full.
    fn fill(path: &Path) -> anyhow::Result<Self> {
        let mut filler = Self {
            path: path.to_owned(),
            bytes: 0,
        };
        filler.top_up()?;
        Ok(filler)
    }

    /// Appends until the filesystem is full again.
    fn top_up(&mut self) -> anyhow::Result<()> {
        let path = &self.path;
        let mut f = std::fs::File::options()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        for chunk in [1usize << 20, 4096] {
            let buf = vec![0u8; chunk];
            loop {
                match f.write_all(&buf) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                    Err(e) => return Err(e).context("writing the filler"),
                }
            }
        }
        self.bytes = f.metadata().context("the filler's size")?.len();
        Ok(())
    }

    fn remove(self) -> anyhow::Result<()> {
        std::fs::remove_file(&self.path)
            .with_context(|| format!("removing {}", self.path.display()))
    }
}

/// Checks the server against the ledger, at rest: acknowledged objects whole, refused and
/// deleted keys absent, a pending write absent or whole (then settled), the listing exact,
/// `tmp/` empty and one body file per non-empty object.
async fn check(
    node: &Node,
    data: &Path,
    ledger: &mut BTreeMap<String, State>,
) -> anyhow::Result<()> {
    let c = &node.client;
    let mut present = BTreeMap::new();
    for (key, state) in ledger.iter_mut() {
        let found = s3::get_found(c, BUCKET, key).await?;
        let ok = match (&*state, &found) {
            (
                State::Acked { md5, size },
                Found::Present {
                    md5: m, size: s, ..
                },
            ) => m == md5 && s == size,
            (State::Refused | State::Deleted, Found::Absent) => true,
            (State::Pending { .. }, Found::Absent) => {
                *state = State::Refused;
                true
            }
            (
                State::Pending { md5, size },
                Found::Present {
                    md5: m, size: s, ..
                },
            ) => {
                let whole = m == md5 && s == size;
                if whole {
                    *state = State::Acked {
                        md5: *md5,
                        size: *size,
                    };
                }
                whole
            }
            _ => false,
        };
        ensure!(
            ok,
            "{key}: the ledger says {state:?}, the server has {found:?}"
        );
        if let Found::Present { size, .. } = found {
            present.insert(key.clone(), size);
        }
    }
    let listed = s3::list_objects(c, BUCKET).await?;
    let names: Vec<&String> = listed.iter().map(|l| &l.key).collect();
    ensure!(
        names == present.keys().collect::<Vec<_>>(),
        "the bucket lists {} objects, the ledger expects {}",
        names.len(),
        present.len()
    );
    let bodies = present.values().filter(|s| **s > 0).count();
    let bytes: u64 = present.values().sum();
    let deadline = Instant::now() + SETTLE;
    loop {
        let (tmp, files, on_disk) = (
            count_files(&data.join("tmp")),
            count_files(&data.join("blobs")),
            dir_bytes(&data.join("blobs")),
        );
        if tmp == 0 && files == bodies && on_disk == bytes {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "{tmp} files in tmp/, {files} body files of {on_disk} bytes; the objects need {bodies} of {bytes} bytes \
             (a refused write left a trace, or a body is missing)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_directory_must_be_small() {
        // /tmp is a real disk here: the drill refuses to fill it.
        let d = tempfile::tempdir().unwrap();
        match SmallFs::given(d.path()) {
            Ok(fs) => {
                // A small filesystem after all (a CI tmpfs): it worked in a subdirectory.
                assert!(fs.root.starts_with(d.path()));
                fs.clean();
            }
            Err(e) => assert!(e.to_string().contains("small one"), "{e}"),
        }
    }

    #[test]
    fn skips_are_typed() {
        let e: anyhow::Error = Skip("no root".into()).into();
        assert!(e.downcast_ref::<Skip>().is_some());
    }
}
