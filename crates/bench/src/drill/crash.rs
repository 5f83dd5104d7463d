//! The crash drill: `kill -9` in the middle of concurrent writes, then restart and check.
//!
//! One data directory serves every round. The server is started once; then, each round,
//! writers run PUTs (new keys and overwrites, random sizes including empty bodies),
//! DELETEs and multipart uploads (CreateMultipartUpload, UploadPart, Complete) against it,
//! the server is killed with SIGKILL at a random moment, restarted on the same directory,
//! and checked against a client-side ledger:
//!
//! - Each key is written by one writer only, one request at a time, so for every key the
//!   ledger knows the last *acknowledged* state (the last 2xx received: a body's MD5, size
//!   and ETag, or "absent" after a DELETE) and at most one *unacknowledged* state (the request
//!   in flight at the kill). After the restart a GET of the key must find one of those two,
//!   whole: same MD5, size and ETag (for simple objects the ETag is the body's MD5; for
//!   multipart ones the MD5 of the part MD5s and the part count). Anything else (a mix, a
//!   truncated body, an acknowledged write lost, a deleted key back) fails the drill.
//! - The bucket lists exactly the keys found present.
//! - Start-up leaves no file in `<data>/tmp/`, and `<data>/blobs/` holds exactly the body
//!   files the live objects and the parts of the uploads still in progress need: one per
//!   non-empty simple object, one per part of a multipart object, one per non-empty part of
//!   an unfinished upload (ListMultipartUploads + ListParts). Then every unfinished upload is
//!   aborted and the count must drop to what the objects alone need.
//!
//! With `--versioned` the bucket has versioning enabled, and the ledger also keeps every
//! acknowledged version of each key, newest first: the `x-amz-version-id` of each PUT,
//! CompleteMultipartUpload and DELETE (a delete marker). After the restart
//! ListObjectVersions (all pages, every other round 50 entries a page so that pages split a
//! key's versions) must list exactly those versions of each key in that order, plus at most
//! one newer entry that is the write in flight at the kill, `IsLatest` on the first only;
//! the latest must be what the GET found, and every object version must read back whole
//! with `GET ?versionId=`. The body files counted are those of every version. After the
//! check each key's versions but the newest three are deleted (`DELETE ?versionId=`), and
//! `<data>/blobs/` must drop to exactly what the versions left need: a body goes with its
//! last version record, not before.
//!
//! Any error before the kill is unexpected and fails the drill too.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail, ensure};
use bytes::Bytes;
use clap::Args;
use http::{Method, StatusCode};
use md5::{Digest, Md5};

use super::s3::{self, Found, ListedVersion, bare_etag};
use super::{Common, Node, count_files, keep_on_failure};
use crate::cli::{parse_duration, parse_size};
use crate::client::S3Client;
use crate::rng::SplitMix64;

/// The bucket the drill writes.
const BUCKET: &str = "crash-drill";
/// Every part but the last of an S3 multipart upload is at least this large.
const MIN_PART: u64 = 5 << 20;
/// Versions of a key kept after each round of the versioned drill (older ones are deleted).
const KEEP_VERSIONS: usize = 3;
/// Page size of the version listing in odd rounds (1,000 in even ones).
const SMALL_PAGE: usize = 50;

/// `drill crash` options.
#[derive(Debug, Args)]
pub struct CrashArgs {
    /// Common drill options.
    #[command(flatten)]
    pub common: Common,

    /// Rounds of load → kill -9 → restart → check.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: u32,

    /// Concurrent writers.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub writers: u32,

    /// Keys per writer (a key is only ever written by its writer, one request at a time).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub keys: u32,

    /// Latest moment of the kill: it comes at a uniformly random time between 0.2 s and this
    /// after the writers start.
    #[arg(long, default_value = "3s", value_parser = parse_duration)]
    pub max_load: Duration,

    /// Largest simple object (sizes are skewed to small ones; multipart objects are 5 MiB
    /// parts plus a last part of up to 512 KiB).
    #[arg(long, default_value = "2m", value_parser = parse_size)]
    pub max_size: u64,

    /// Enable versioning on the bucket and check every acknowledged version (ListObjectVersions
    /// and `GET ?versionId=` after each restart), keeping each key's newest 3 versions.
    #[arg(long)]
    pub versioned: bool,
}

/// A state of one key, or what one version of it holds (`Absent`: a delete marker).
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// No object.
    Absent,
    /// An object with these bytes.
    Present {
        /// MD5 of the body.
        md5: [u8; 16],
        /// Length of the body.
        size: u64,
        /// Expected ETag, bare lower-case.
        etag: String,
    },
}

impl State {
    fn describe(&self) -> String {
        match self {
            State::Absent => "absent".into(),
            State::Present { size, etag, .. } => format!("{size} bytes, ETag {etag}"),
        }
    }

    /// As a version: a delete marker or the object.
    fn describe_version(&self) -> String {
        match self {
            State::Absent => "a delete marker".into(),
            other => other.describe(),
        }
    }

    fn from_found(f: &Found) -> Self {
        match f {
            Found::Absent => State::Absent,
            Found::Present { md5, size, etag } => State::Present {
                md5: *md5,
                size: *size,
                etag: etag.clone(),
            },
        }
    }

    /// Body files the object needs: one per non-empty simple object, one per part.
    fn blobs(&self) -> usize {
        match self {
            State::Absent => 0,
            State::Present { size: 0, .. } => 0,
            State::Present { etag, .. } => match etag.rsplit_once('-') {
                Some((_, n)) => n.parse().unwrap_or(1),
                None => 1,
            },
        }
    }

    /// Whether a version listing's entry is this: a delete marker for `Absent`, else an
    /// object version of the same size and ETag.
    fn is_listed_as(&self, l: &ListedVersion) -> bool {
        match (self, &l.object) {
            (State::Absent, None) => true,
            (State::Present { size, etag, .. }, Some((s, e))) => size == s && etag == e,
            _ => false,
        }
    }
}

/// How a version listing's entry reads in a message.
fn describe_listed(l: &ListedVersion) -> String {
    match &l.object {
        None => format!("{}: a delete marker", l.version_id),
        Some((size, etag)) => format!("{}: {size} bytes, ETag {etag}", l.version_id),
    }
}

/// One acknowledged version of a key (versioned drill).
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyVersion {
    /// The version id the write was answered with.
    id: String,
    /// What the version holds (`Absent`: a delete marker).
    state: State,
}

/// What the client knows about one key.
#[derive(Debug, Clone)]
struct Entry {
    key: String,
    /// The state of the last acknowledged write.
    acked: State,
    /// The state the request in flight at the kill would leave, if one was.
    pending: Option<State>,
    /// Versioned drill: the acknowledged versions, newest first (empty otherwise).
    versions: Vec<KeyVersion>,
}

impl Entry {
    fn new(key: String) -> Self {
        Self {
            key,
            acked: State::Absent,
            pending: None,
            versions: Vec::new(),
        }
    }

    /// Body files the key needs: its object's, or with `versioned`, every version's.
    fn blobs(&self, versioned: bool) -> usize {
        if versioned {
            self.versions.iter().map(|v| v.state.blobs()).sum()
        } else {
            self.acked.blobs()
        }
    }
}

/// Counters of one round.
#[derive(Debug, Default)]
struct RoundStats {
    acked: AtomicU64,
    multipart_acked: AtomicU64,
}

/// Runs the drill.
pub async fn run(args: CrashArgs) -> anyhow::Result<()> {
    let dir = args.common.data_dir("crash")?;
    let result = drill(&args, dir.path()).await;
    keep_on_failure(result, dir)
}

async fn drill(args: &CrashArgs, data: &std::path::Path) -> anyhow::Result<()> {
    let seed = args.common.seed();
    eprintln!(
        "crash drill: {} rounds, {} writers × {} keys, kill within {:?}, seed {seed}, data {}{}",
        args.rounds,
        args.writers,
        args.keys,
        args.max_load,
        data.display(),
        if args.versioned {
            ", versioned bucket"
        } else {
            ""
        }
    );
    let mut rng = SplitMix64::new(seed);
    let mut ledger: Vec<Vec<Entry>> = (0..args.writers)
        .map(|w| {
            (0..args.keys)
                .map(|k| Entry::new(format!("w{w:03}/k{k:04}")))
                .collect()
        })
        .collect();
    let mut node = Node::start(&args.common, data, &[]).await?;
    s3::create_bucket(&node.client, BUCKET).await?;
    if args.versioned {
        s3::enable_versioning(&node.client, BUCKET).await?;
    }
    for round in 1..=args.rounds {
        let started = Instant::now();
        let (kill_at, stats) = load_and_kill(args, &mut node, &mut ledger, &mut rng, seed, round)
            .await
            .with_context(|| format!("round {round}"))?;
        node = Node::start(&args.common, data, &[])
            .await
            .with_context(|| format!("round {round}: restarting after kill -9"))?;
        let page = if round % 2 == 1 { SMALL_PAGE } else { 1000 };
        let mut report = check(
            &node.client,
            data,
            &mut ledger,
            args.versioned.then_some(page),
        )
        .await
        .with_context(|| format!("round {round}"))?;
        if args.versioned {
            report.pruned = prune(&node.client, data, &mut ledger)
                .await
                .with_context(|| format!("round {round}: deleting old versions"))?;
        }
        eprintln!(
            "round {round}/{}: killed after {:.2} s; {} writes acknowledged ({} multipart); \
             {} in flight at the kill ({} took effect); {} objects, {} uploads aborted, {} body files; \
             {}{:.1} s",
            args.rounds,
            kill_at.as_secs_f64(),
            stats.acked.load(Ordering::Relaxed),
            stats.multipart_acked.load(Ordering::Relaxed),
            report.in_flight,
            report.took_effect,
            report.objects,
            report.uploads,
            report.blob_files,
            report.versions_line(args.versioned),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(())
}

/// Runs the writers on the ledger, kills the server at a random moment, and collects the
/// ledger back; fails on any error before the kill. Returns when the kill came and the
/// round's counters.
async fn load_and_kill(
    args: &CrashArgs,
    node: &mut Node,
    ledger: &mut Vec<Vec<Entry>>,
    rng: &mut SplitMix64,
    seed: u64,
    round: u32,
) -> anyhow::Result<(Duration, Arc<RoundStats>)> {
    let killed = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(RoundStats::default());
    let mut tasks = Vec::new();
    for (w, entries) in ledger.drain(..).enumerate() {
        let writer = Writer {
            client: node.client.clone(),
            rng: SplitMix64::new(seed ^ (u64::from(round) << 32) ^ w as u64),
            killed: killed.clone(),
            stats: stats.clone(),
            max_size: args.max_size,
            versioned: args.versioned,
        };
        tasks.push(tokio::spawn(writer.run(entries)));
    }
    let span = args.max_load.as_secs_f64() - 0.2;
    let kill_at = Duration::from_secs_f64(0.2 + span.max(0.0) * rng.unit());
    tokio::time::sleep(kill_at).await;
    killed.store(true, Ordering::SeqCst);
    node.server.kill().context("kill -9")?;
    let mut unexpected = Vec::new();
    for t in tasks {
        let (entries, errors) = t.await.context("a writer panicked")?;
        ledger.push(entries);
        unexpected.extend(errors);
    }
    if let Some(e) = unexpected.first() {
        bail!("{} error(s) before the kill, first: {e}", unexpected.len());
    }
    Ok((kill_at, stats))
}

/// One writer: its keys, one request at a time, until the kill.
struct Writer {
    client: Arc<S3Client>,
    rng: SplitMix64,
    killed: Arc<AtomicBool>,
    stats: Arc<RoundStats>,
    max_size: u64,
    /// The bucket is versioned: every acknowledged write must name its version.
    versioned: bool,
}

/// A write a writer sends.
enum Op {
    /// PutObject of this body.
    Put(Bytes),
    /// DeleteObject.
    Delete,
    /// A multipart upload of these parts.
    Multipart(Vec<Bytes>),
}

impl Writer {
    /// Writes until a request fails; returns the ledger and the errors seen before the kill.
    async fn run(mut self, mut entries: Vec<Entry>) -> (Vec<Entry>, Vec<String>) {
        let mut errors = Vec::new();
        while !self.killed.load(Ordering::SeqCst) && !entries.is_empty() {
            let i = (self.rng.next_u64() % entries.len() as u64) as usize;
            let entry = &mut entries[i];
            match self.write(entry).await {
                Ok(multipart) => {
                    self.stats.acked.fetch_add(1, Ordering::Relaxed);
                    if multipart {
                        self.stats.multipart_acked.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(e) => {
                    // Errors caused by the kill are expected; any earlier one is not.
                    if !self.killed.load(Ordering::SeqCst) {
                        errors.push(format!("{}: {e:#}", entry.key));
                    }
                    break;
                }
            }
        }
        (entries, errors)
    }

    /// One write of `e`'s key: the state it would leave is pending while it runs, and once
    /// acknowledged it is the key's acknowledged state (and, versioned, its newest version).
    /// Returns whether it was a multipart upload.
    async fn write(&mut self, e: &mut Entry) -> anyhow::Result<bool> {
        let (op, state) = self.pick();
        e.pending = Some(state.clone());
        let multipart = matches!(op, Op::Multipart(_));
        let id = match op {
            Op::Put(body) => self.put(&e.key, body, &state).await?,
            Op::Delete => self.delete(&e.key).await?,
            Op::Multipart(bodies) => self.multipart(&e.key, bodies, &state).await?,
        };
        if self.versioned {
            let id = id.context("acknowledged without x-amz-version-id in a versioned bucket")?;
            e.versions.insert(
                0,
                KeyVersion {
                    id,
                    state: state.clone(),
                },
            );
        }
        e.acked = state;
        e.pending = None;
        Ok(multipart)
    }

    /// A random write (55% PUT, 25% DELETE, 20% multipart upload) and the state it leaves.
    fn pick(&mut self) -> (Op, State) {
        let roll = self.rng.next_u64() % 100;
        if roll < 55 {
            let size = self.pick_size();
            let body = self.rng.bytes(size);
            let md5: [u8; 16] = Md5::digest(&body).into();
            let state = State::Present {
                md5,
                size,
                etag: hex::encode(md5),
            };
            (Op::Put(body), state)
        } else if roll < 80 {
            (Op::Delete, State::Absent)
        } else {
            let parts = 2 + (self.rng.next_u64() % 2) as usize;
            let mut bodies = Vec::with_capacity(parts);
            for p in 0..parts {
                let size = if p + 1 < parts {
                    MIN_PART
                } else {
                    1 + self.rng.next_u64() % (512 * 1024)
                };
                bodies.push(self.rng.bytes(size));
            }
            let state = multipart_state(&bodies);
            (Op::Multipart(bodies), state)
        }
    }

    /// Sizes skewed to small objects: half up to 16 KiB, most of the rest up to 256 KiB,
    /// some up to `max_size`, and a few empty bodies.
    fn pick_size(&mut self) -> u64 {
        let r = self.rng.next_u64();
        let cap = match r % 20 {
            0 => return 0,
            1..=10 => 16 * 1024,
            11..=17 => 256 * 1024,
            _ => self.max_size,
        };
        1 + (r >> 8) % cap.max(1)
    }

    /// PutObject; returns the version id answered.
    async fn put(&self, key: &str, body: Bytes, want: &State) -> anyhow::Result<Option<String>> {
        let r = self
            .client
            .send(Method::PUT, &format!("/{BUCKET}/{key}"), &[], body)
            .await?;
        let r = s3::expect(r, StatusCode::OK, &format!("PUT {key}")).await?;
        let etag = bare_etag(r.header("etag"));
        let id = s3::version_id(&r);
        r.drain().await?;
        if let State::Present { etag: want, .. } = want {
            ensure!(&etag == want, "PUT {key}: ETag {etag}, expected {want}");
        }
        Ok(id)
    }

    /// DeleteObject; returns the version id answered (versioned: the delete marker's).
    async fn delete(&self, key: &str) -> anyhow::Result<Option<String>> {
        let r = self
            .client
            .send(
                Method::DELETE,
                &format!("/{BUCKET}/{key}"),
                &[],
                Bytes::new(),
            )
            .await?;
        let r = s3::expect(r, StatusCode::NO_CONTENT, &format!("DELETE {key}")).await?;
        let id = s3::version_id(&r);
        let marker = r.header("x-amz-delete-marker") == "true";
        r.drain().await?;
        ensure!(
            marker || !self.versioned,
            "DELETE {key}: no x-amz-delete-marker: true in a versioned bucket"
        );
        Ok(id)
    }

    /// A multipart upload of `bodies`; returns the version id Complete answered.
    async fn multipart(
        &self,
        key: &str,
        bodies: Vec<Bytes>,
        want: &State,
    ) -> anyhow::Result<Option<String>> {
        let c = &self.client;
        let id = s3::initiate(c, BUCKET, key).await?;
        let mut parts = Vec::with_capacity(bodies.len());
        for (n, body) in (1u32..).zip(bodies) {
            let expected = hex::encode(Md5::digest(&body));
            let etag = s3::upload_part(c, BUCKET, key, &id, n, body).await?;
            ensure!(
                etag == expected,
                "UploadPart {key} #{n}: ETag {etag}, expected {expected}"
            );
            parts.push((n, etag));
        }
        let done = s3::complete_versioned(c, BUCKET, key, &id, &parts).await?;
        if let State::Present { etag: want, .. } = want {
            ensure!(
                &done.etag == want,
                "CompleteMultipartUpload {key}: ETag {}, expected {want}",
                done.etag
            );
        }
        Ok(done.version_id)
    }
}

/// The object a multipart upload of `parts` makes: the MD5 of all the bytes, and the ETag
/// `md5(md5(part 1) ‖ … ‖ md5(part n))-n`.
fn multipart_state(parts: &[Bytes]) -> State {
    let mut whole = Md5::new();
    let mut of_md5s = Md5::new();
    let mut size = 0u64;
    for p in parts {
        whole.update(p);
        of_md5s.update(Md5::digest(p));
        size += p.len() as u64;
    }
    State::Present {
        md5: whole.finalize().into(),
        size,
        etag: format!("{}-{}", hex::encode(of_md5s.finalize()), parts.len()),
    }
}

/// What a check found.
#[derive(Debug, Default)]
struct Report {
    in_flight: usize,
    took_effect: usize,
    objects: usize,
    uploads: usize,
    blob_files: usize,
    /// Versioned: object versions and delete markers after the check, and old versions
    /// deleted after it.
    versions: usize,
    markers: usize,
    pruned: usize,
}

impl Report {
    /// The versioned part of the round's line (empty when unversioned).
    fn versions_line(&self, versioned: bool) -> String {
        if !versioned {
            return String::new();
        }
        format!(
            "{} versions, {} delete markers, {} old versions deleted; ",
            self.versions, self.markers, self.pruned
        )
    }
}

/// Checks the restarted server against the ledger, then settles the ledger on what it found.
/// With `versions_page` (versioned drill), also checks every key's versions, listing them
/// that many a page.
async fn check(
    client: &S3Client,
    data: &std::path::Path,
    ledger: &mut [Vec<Entry>],
    versions_page: Option<usize>,
) -> anyhow::Result<Report> {
    // Start-up swept the data directory before listening: nothing may be left in tmp/.
    let tmp = count_files(&data.join("tmp"));
    ensure!(tmp == 0, "{tmp} files left in tmp/ after start-up");
    let mut report = Report {
        blob_files: count_files(&data.join("blobs")),
        ..Report::default()
    };
    let mut listed = match versions_page {
        Some(page) => {
            let all = s3::list_versions(client, BUCKET, page).await?;
            Some(group_versions(all).map_err(|e| anyhow!("ListObjectVersions: {e}"))?)
        }
        None => None,
    };
    let mut present = BTreeMap::new();
    let mut needed = 0usize;
    for e in ledger.iter_mut().flatten() {
        let seen = read_latest(client, e).await?;
        let took = match listed.as_mut() {
            Some(l) => {
                let versions = l.remove(&e.key).unwrap_or_default();
                Some(check_versions(client, e, &versions, &seen).await?)
            }
            None => None,
        };
        let (in_flight, took_effect) = settle(e, seen, took);
        report.in_flight += usize::from(in_flight);
        report.took_effect += usize::from(took_effect);
        needed += e.blobs(versions_page.is_some());
        for v in &e.versions {
            match v.state {
                State::Absent => report.markers += 1,
                State::Present { .. } => report.versions += 1,
            }
        }
        if let State::Present { size, etag, .. } = &e.acked {
            present.insert(e.key.clone(), (*size, etag.clone()));
        }
    }
    if let Some(key) = listed.and_then(|l| l.into_keys().next()) {
        bail!("ListObjectVersions lists versions of {key}, which no writer wrote");
    }
    check_listing(client, &present).await?;
    report.objects = present.len();
    let what = match versions_page {
        Some(_) => format!("{} versions", report.versions),
        None => format!("{} objects", present.len()),
    };
    report.uploads = check_bodies(client, data, report.blob_files, needed, &what).await?;
    Ok(report)
}

/// GETs the key: it must hold its last acknowledged state or the one the write in flight
/// would leave, whole. Returns the state found.
async fn read_latest(client: &S3Client, e: &Entry) -> anyhow::Result<State> {
    let pending = e
        .pending
        .as_ref()
        .map_or("none".to_owned(), State::describe);
    let found = s3::get_found(client, BUCKET, &e.key)
        .await
        .with_context(|| {
            format!(
                "{}: the object is broken after the restart (last acknowledged write: {}, \
                 write in flight: {pending})",
                e.key,
                e.acked.describe()
            )
        })?;
    let seen = State::from_found(&found);
    let ok = seen == e.acked || e.pending.as_ref() == Some(&seen);
    if !ok {
        bail!(
            "{}: found {}, but the last acknowledged write left {} and the write in flight {}",
            e.key,
            seen.describe(),
            e.acked.describe(),
            pending
        );
    }
    Ok(seen)
}

/// Moves an entry on to what the check found: `seen`, the state a GET read, and in the
/// versioned drill `took`, the version id of the write in flight when the version listing
/// shows it took effect. Returns whether a write was in flight and whether it took effect.
fn settle(e: &mut Entry, seen: State, took: Option<Option<String>>) -> (bool, bool) {
    let pending = e.pending.take();
    let effect = match (&pending, took) {
        (Some(p), Some(Some(id))) => {
            e.versions.insert(
                0,
                KeyVersion {
                    id,
                    state: p.clone(),
                },
            );
            true
        }
        (Some(p), None) => *p == seen && *p != e.acked,
        _ => false,
    };
    e.acked = seen;
    (pending.is_some(), effect)
}

/// A version listing by key, each key's entries in listing order; fails unless the keys
/// come in ascending order, each key's entries together.
fn group_versions(
    listed: Vec<ListedVersion>,
) -> Result<BTreeMap<String, Vec<ListedVersion>>, String> {
    let mut out: BTreeMap<String, Vec<ListedVersion>> = BTreeMap::new();
    let mut last: Option<String> = None;
    for l in listed {
        if let Some(prev) = &last
            && l.key < *prev
        {
            return Err(format!("{} listed after {prev}", l.key));
        }
        last = Some(l.key.clone());
        out.entry(l.key.clone()).or_default().push(l);
    }
    Ok(out)
}

/// Matches a key's listed versions against its acknowledged ones (newest first) and the
/// write in flight at the kill: the listing must be exactly the acknowledged versions, or
/// those after one newer entry that is the write in flight (a delete marker for a DELETE,
/// the size and ETag for a PUT or multipart upload); `IsLatest` on the first entry only.
/// Returns whether the write in flight is listed (took effect), or what is wrong.
fn match_versions(
    acked: &[KeyVersion],
    pending: Option<&State>,
    listed: &[ListedVersion],
) -> Result<bool, String> {
    let extra = listed.len().checked_sub(acked.len()).ok_or_else(|| {
        format!(
            "{} versions listed, but {} were acknowledged: acknowledged versions lost",
            listed.len(),
            acked.len()
        )
    })?;
    if extra > 1 || (extra == 1 && !pending.is_some_and(|p| p.is_listed_as(&listed[0]))) {
        let pending = pending.map_or("none".to_owned(), State::describe_version);
        return Err(format!(
            "{} versions listed, {} acknowledged, and the newest ({}) is not the write in \
             flight ({pending})",
            listed.len(),
            acked.len(),
            describe_listed(&listed[0])
        ));
    }
    for (l, a) in listed[extra..].iter().zip(acked) {
        if l.version_id != a.id || !a.state.is_listed_as(l) {
            return Err(format!(
                "version {} listed where the acknowledged {}: {} belongs",
                describe_listed(l),
                a.id,
                a.state.describe_version()
            ));
        }
    }
    if let Some((n, l)) = listed
        .iter()
        .enumerate()
        .find(|(n, l)| l.latest != (*n == 0))
    {
        return Err(format!(
            "version {} is listed {}, at position {}",
            l.version_id,
            if l.latest { "latest" } else { "not latest" },
            n + 1
        ));
    }
    Ok(extra == 1)
}

/// Checks a key's listed versions (see [`match_versions`]), that the latest is what the GET
/// found (`seen`), and that every object version reads back whole with `?versionId=`.
/// Returns the version id of the write in flight when it took effect.
async fn check_versions(
    client: &S3Client,
    e: &Entry,
    listed: &[ListedVersion],
    seen: &State,
) -> anyhow::Result<Option<String>> {
    let took = match_versions(&e.versions, e.pending.as_ref(), listed)
        .map_err(|m| anyhow!("{}: {m}", e.key))?;
    let newer = e.pending.as_ref().filter(|_| took);
    let states: Vec<&State> = newer
        .into_iter()
        .chain(e.versions.iter().map(|v| &v.state))
        .collect();
    let latest = states.first().copied().unwrap_or(&State::Absent);
    ensure!(
        latest == seen,
        "{}: a GET found {}, but the latest version listed is {}",
        e.key,
        seen.describe(),
        latest.describe_version()
    );
    for (l, want) in listed.iter().zip(states) {
        if *want == State::Absent {
            continue;
        }
        let found = s3::get_version_found(client, BUCKET, &e.key, Some(&l.version_id))
            .await
            .with_context(|| format!("{}: version {} is broken", e.key, l.version_id))?;
        let got = State::from_found(&found);
        ensure!(
            got == *want,
            "{}: version {} reads back as {}, written as {}",
            e.key,
            l.version_id,
            got.describe(),
            want.describe()
        );
    }
    Ok(took.then(|| listed[0].version_id.clone()))
}

/// ListObjectsV2 must list exactly the objects `present` (key → size and ETag).
async fn check_listing(
    client: &S3Client,
    present: &BTreeMap<String, (u64, String)>,
) -> anyhow::Result<()> {
    let listed = s3::list_objects(client, BUCKET).await?;
    for l in &listed {
        match present.get(&l.key) {
            None => bail!(
                "the bucket lists {} that no GET found or no writer wrote",
                l.key
            ),
            Some((size, etag)) if *size != l.size || *etag != l.etag => bail!(
                "{}: listed with {} bytes and ETag {}, read with {size} bytes and ETag {etag}",
                l.key,
                l.size,
                l.etag
            ),
            Some(_) => {}
        }
    }
    ensure!(
        listed.len() == present.len(),
        "the bucket lists {} objects, GETs found {}",
        listed.len(),
        present.len()
    );
    Ok(())
}

/// `blob_files` (counted at start-up) must be the `needed` bodies of `what` (the objects, or
/// the versions) plus the parts of the unfinished uploads; then every upload is aborted and
/// the count must drop to `needed`. Returns the number of uploads aborted.
async fn check_bodies(
    client: &S3Client,
    data: &std::path::Path,
    blob_files: usize,
    needed: usize,
    what: &str,
) -> anyhow::Result<usize> {
    let uploads = s3::list_uploads(client, BUCKET).await?;
    let mut part_files = 0usize;
    for (key, id) in &uploads {
        part_files += s3::list_part_sizes(client, BUCKET, key, id)
            .await?
            .iter()
            .filter(|&&s| s > 0)
            .count();
    }
    ensure!(
        blob_files == needed + part_files,
        "{blob_files} body files after start-up, but the {what} need {needed} and the {} \
         unfinished uploads {part_files} ({})",
        uploads.len(),
        if blob_files > needed + part_files {
            "orphans left"
        } else {
            "bodies missing"
        }
    );
    for (key, id) in &uploads {
        s3::abort_upload(client, BUCKET, key, id).await?;
    }
    let after_abort = wait_for_blobs(data, needed).await;
    ensure!(
        after_abort == needed,
        "{after_abort} body files after aborting {} uploads, expected {needed}",
        uploads.len()
    );
    Ok(uploads.len())
}

/// The number of body files once it is `want`, or after 10 s.
async fn wait_for_blobs(data: &std::path::Path, want: usize) -> usize {
    // Freed bodies are unlinked right away unless a reader holds them; allow a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut n = count_files(&data.join("blobs"));
    while n != want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        n = count_files(&data.join("blobs"));
    }
    n
}

/// Versioned drill, after a check: deletes each key's versions but the newest
/// [`KEEP_VERSIONS`] with `DELETE ?versionId=`; the body files must then drop to exactly what
/// the versions left need. Returns the number of versions deleted.
async fn prune(
    client: &S3Client,
    data: &std::path::Path,
    ledger: &mut [Vec<Entry>],
) -> anyhow::Result<usize> {
    let mut pruned = 0;
    let mut needed = 0;
    for e in ledger.iter_mut().flatten() {
        if e.versions.len() > KEEP_VERSIONS {
            for v in e.versions.split_off(KEEP_VERSIONS) {
                s3::delete_version(client, BUCKET, &e.key, &v.id).await?;
                pruned += 1;
            }
        }
        needed += e.blobs(true);
    }
    let left = wait_for_blobs(data, needed).await;
    ensure!(
        left == needed,
        "{left} body files after deleting {pruned} old versions, but the versions left need \
         {needed} ({})",
        if left > needed {
            "bodies of deleted versions left"
        } else {
            "bodies of versions left are gone"
        }
    );
    Ok(pruned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_etag_and_blobs() {
        let parts = [Bytes::from_static(b"hello "), Bytes::from_static(b"world")];
        let v = multipart_state(&parts);
        let State::Present { md5, size, etag } = &v else {
            panic!("present");
        };
        assert_eq!(*size, 11);
        assert_eq!(*md5, <[u8; 16]>::from(Md5::digest(b"hello world")));
        let mut m = Md5::new();
        m.update(Md5::digest(b"hello "));
        m.update(Md5::digest(b"world"));
        assert_eq!(etag, &format!("{}-2", hex::encode(m.finalize())));
        assert_eq!(v.blobs(), 2);
        assert_eq!(State::Absent.blobs(), 0);
        let empty = State::Present {
            md5: [0; 16],
            size: 0,
            etag: "x".into(),
        };
        assert_eq!(empty.blobs(), 0);
    }

    #[test]
    fn random_bodies_have_the_asked_length() {
        let mut r = SplitMix64::new(1);
        assert_eq!(r.bytes(0).len(), 0);
        assert_eq!(r.bytes(13).len(), 13);
        let u = r.unit();
        assert!((0.0..1.0).contains(&u));
    }

    fn object(size: u64, etag: &str) -> State {
        State::Present {
            md5: [size as u8; 16],
            size,
            etag: etag.into(),
        }
    }

    fn acked(id: &str, state: State) -> KeyVersion {
        KeyVersion {
            id: id.into(),
            state,
        }
    }

    fn listed(id: &str, latest: bool, state: &State) -> ListedVersion {
        ListedVersion {
            key: "k".into(),
            version_id: id.into(),
            latest,
            object: match state {
                State::Absent => None,
                State::Present { size, etag, .. } => Some((*size, etag.clone())),
            },
        }
    }

    /// Newest first: v3 a delete marker, v2 a multipart object, v1 a simple one.
    fn history() -> Vec<KeyVersion> {
        vec![
            acked("v3", State::Absent),
            acked("v2", object(11, "abc-2")),
            acked("v1", object(5, "def")),
        ]
    }

    fn listing_of(versions: &[KeyVersion]) -> Vec<ListedVersion> {
        (0..)
            .zip(versions)
            .map(|(n, v)| listed(&v.id, n == 0, &v.state))
            .collect()
    }

    #[test]
    fn a_listing_of_exactly_the_acknowledged_versions_matches() {
        let h = history();
        assert_eq!(match_versions(&h, None, &listing_of(&h)), Ok(false));
        // A write in flight that did not take effect.
        let put = object(7, "fff");
        assert_eq!(match_versions(&h, Some(&put), &listing_of(&h)), Ok(false));
        assert_eq!(match_versions(&[], None, &[]), Ok(false));
    }

    #[test]
    fn one_newer_entry_must_be_the_write_in_flight() {
        let h = history();
        let put = object(7, "fff");
        let mut with_put = vec![listed("v4", true, &put)];
        with_put.extend(listing_of(&h));
        with_put[1].latest = false;
        assert_eq!(match_versions(&h, Some(&put), &with_put), Ok(true));
        // Not the write in flight: another object, a marker for a PUT, or none in flight.
        assert!(match_versions(&h, Some(&object(7, "eee")), &with_put).is_err());
        assert!(match_versions(&h, Some(&State::Absent), &with_put).is_err());
        assert!(match_versions(&h, None, &with_put).is_err());
        // A pending DELETE shows as a marker.
        let mut with_marker = with_put.clone();
        with_marker[0] = listed("v4", true, &State::Absent);
        assert_eq!(
            match_versions(&h, Some(&State::Absent), &with_marker),
            Ok(true)
        );
        // Two unexplained entries.
        let mut two = vec![listed("v5", true, &put)];
        two.extend(with_put.iter().cloned().map(|mut l| {
            l.latest = false;
            l
        }));
        assert!(match_versions(&h, Some(&put), &two).is_err());
    }

    #[test]
    fn lost_reordered_or_changed_versions_fail() {
        let h = history();
        let mut lost = listing_of(&h);
        lost.pop();
        assert!(
            match_versions(&h, None, &lost)
                .unwrap_err()
                .contains("lost")
        );
        let mut swapped = listing_of(&h);
        swapped.swap(1, 2);
        assert!(match_versions(&h, None, &swapped).is_err());
        let mut other_id = listing_of(&h);
        other_id[1].version_id = "v9".into();
        assert!(match_versions(&h, None, &other_id).is_err());
        let mut resized = listing_of(&h);
        resized[2].object = Some((6, "def".into()));
        assert!(match_versions(&h, None, &resized).is_err());
        let mut not_a_marker = listing_of(&h);
        not_a_marker[0].object = Some((0, "x".into()));
        assert!(match_versions(&h, None, &not_a_marker).is_err());
    }

    #[test]
    fn is_latest_on_the_first_entry_only() {
        let h = history();
        let mut none = listing_of(&h);
        none[0].latest = false;
        assert!(
            match_versions(&h, None, &none)
                .unwrap_err()
                .contains("not latest")
        );
        let mut two = listing_of(&h);
        two[2].latest = true;
        assert!(
            match_versions(&h, None, &two)
                .unwrap_err()
                .contains("position 3")
        );
    }

    #[test]
    fn listings_group_by_key_in_order() {
        let mut a = listed("1", true, &State::Absent);
        a.key = "a".into();
        let mut b = a.clone();
        b.key = "b".into();
        let grouped = group_versions(vec![a.clone(), a.clone(), b.clone()]).unwrap();
        assert_eq!(grouped["a"].len(), 2);
        assert_eq!(grouped["b"].len(), 1);
        assert!(group_versions(vec![a.clone(), b.clone(), a]).is_err());
    }

    #[test]
    fn settling_records_what_took_effect() {
        let mut e = Entry::new("k".into());
        e.versions = history();
        let put = object(7, "fff");
        // Versioned: the listing decides, and the new version joins the ledger.
        e.pending = Some(put.clone());
        assert_eq!(
            settle(&mut e, put.clone(), Some(Some("v4".into()))),
            (true, true)
        );
        assert_eq!(e.versions[0], acked("v4", put.clone()));
        assert_eq!(e.acked, put);
        assert_eq!(e.pending, None);
        assert_eq!(e.blobs(true), 1 + 2 + 1);
        assert_eq!(e.blobs(false), 1);
        // A DELETE in flight that did not take effect.
        e.pending = Some(State::Absent);
        assert_eq!(settle(&mut e, put.clone(), Some(None)), (true, false));
        assert_eq!(e.versions.len(), 4);
        // Unversioned: the GET decides.
        e.pending = Some(State::Absent);
        assert_eq!(settle(&mut e, State::Absent, None), (true, true));
        assert_eq!(e.acked, State::Absent);
        e.pending = Some(State::Absent);
        assert_eq!(settle(&mut e, State::Absent, None), (true, false));
        assert_eq!(settle(&mut e, State::Absent, None), (false, false));
    }
}
