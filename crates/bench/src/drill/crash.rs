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
//! Any error before the kill is unexpected and fails the drill too.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use bytes::Bytes;
use clap::Args;
use http::{Method, StatusCode};
use md5::{Digest, Md5};

use super::s3::{self, Found, bare_etag};
use super::{Common, Node, count_files, keep_on_failure};
use crate::cli::{parse_duration, parse_size};
use crate::client::S3Client;
use crate::rng::SplitMix64;

/// The bucket the drill writes.
const BUCKET: &str = "crash-drill";
/// Every part but the last of an S3 multipart upload is at least this large.
const MIN_PART: u64 = 5 << 20;

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
}

/// A state of one key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Version {
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

impl Version {
    fn describe(&self) -> String {
        match self {
            Version::Absent => "absent".into(),
            Version::Present { size, etag, .. } => format!("{size} bytes, ETag {etag}"),
        }
    }

    fn from_found(f: &Found) -> Self {
        match f {
            Found::Absent => Version::Absent,
            Found::Present { md5, size, etag } => Version::Present {
                md5: *md5,
                size: *size,
                etag: etag.clone(),
            },
        }
    }

    /// Body files the object needs: one per non-empty simple object, one per part.
    fn blobs(&self) -> usize {
        match self {
            Version::Absent => 0,
            Version::Present { size: 0, .. } => 0,
            Version::Present { etag, .. } => match etag.rsplit_once('-') {
                Some((_, n)) => n.parse().unwrap_or(1),
                None => 1,
            },
        }
    }
}

/// What the client knows about one key.
#[derive(Debug, Clone)]
struct Entry {
    key: String,
    /// The state of the last acknowledged write.
    acked: Version,
    /// The state the request in flight at the kill would leave, if one was.
    pending: Option<Version>,
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
        "crash drill: {} rounds, {} writers × {} keys, kill within {:?}, seed {seed}, data {}",
        args.rounds,
        args.writers,
        args.keys,
        args.max_load,
        data.display()
    );
    let mut rng = SplitMix64::new(seed);
    let mut ledger: Vec<Vec<Entry>> = (0..args.writers)
        .map(|w| {
            (0..args.keys)
                .map(|k| Entry {
                    key: format!("w{w:03}/k{k:04}"),
                    acked: Version::Absent,
                    pending: None,
                })
                .collect()
        })
        .collect();
    let mut node = Node::start(&args.common, data, &[]).await?;
    s3::create_bucket(&node.client, BUCKET).await?;
    for round in 1..=args.rounds {
        let started = Instant::now();
        let killed = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(RoundStats::default());
        let client = node.client.clone();
        let mut tasks = Vec::new();
        for (w, entries) in ledger.drain(..).enumerate() {
            let writer = Writer {
                client: client.clone(),
                rng: SplitMix64::new(seed ^ (u64::from(round) << 32) ^ w as u64),
                killed: killed.clone(),
                stats: stats.clone(),
                max_size: args.max_size,
            };
            tasks.push(tokio::spawn(writer.run(entries)));
        }
        let span = args.max_load.as_secs_f64() - 0.2;
        let kill_at = Duration::from_secs_f64(0.2 + span.max(0.0) * unit(&mut rng));
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
            bail!(
                "round {round}: {} error(s) before the kill, first: {e}",
                unexpected.len()
            );
        }
        drop(client);
        node = Node::start(&args.common, data, &[])
            .await
            .with_context(|| format!("round {round}: restarting after kill -9"))?;
        let report = check(&node.client, data, &mut ledger)
            .await
            .with_context(|| format!("round {round}"))?;
        eprintln!(
            "round {round}/{}: killed after {:.2} s; {} writes acknowledged ({} multipart); \
             {} in flight at the kill ({} took effect); {} objects, {} uploads aborted, {} body files; \
             {:.1} s",
            args.rounds,
            kill_at.as_secs_f64(),
            stats.acked.load(Ordering::Relaxed),
            stats.multipart_acked.load(Ordering::Relaxed),
            report.in_flight,
            report.took_effect,
            report.objects,
            report.uploads,
            report.blob_files,
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(())
}

/// A uniform number in `[0, 1)`.
fn unit(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// One writer: its keys, one request at a time, until the kill.
struct Writer {
    client: Arc<S3Client>,
    rng: SplitMix64,
    killed: Arc<AtomicBool>,
    stats: Arc<RoundStats>,
    max_size: u64,
}

impl Writer {
    /// Writes until a request fails; returns the ledger and the errors seen before the kill.
    async fn run(mut self, mut entries: Vec<Entry>) -> (Vec<Entry>, Vec<String>) {
        let mut errors = Vec::new();
        while !self.killed.load(Ordering::SeqCst) && !entries.is_empty() {
            let i = (self.rng.next_u64() % entries.len() as u64) as usize;
            let key = entries[i].key.clone();
            let roll = self.rng.next_u64() % 100;
            let result = if roll < 55 {
                let size = self.pick_size();
                let body = random_body(&mut self.rng, size);
                let md5: [u8; 16] = Md5::digest(&body).into();
                let version = Version::Present {
                    md5,
                    size,
                    etag: hex::encode(md5),
                };
                entries[i].pending = Some(version.clone());
                self.put(&key, body, &version).await.map(|()| version)
            } else if roll < 80 {
                entries[i].pending = Some(Version::Absent);
                self.delete(&key).await.map(|()| Version::Absent)
            } else {
                let parts = 2 + (self.rng.next_u64() % 2) as usize;
                let mut bodies = Vec::with_capacity(parts);
                for p in 0..parts {
                    let size = if p + 1 < parts {
                        MIN_PART
                    } else {
                        1 + self.rng.next_u64() % (512 * 1024)
                    };
                    bodies.push(random_body(&mut self.rng, size));
                }
                let version = multipart_version(&bodies);
                entries[i].pending = Some(version.clone());
                self.multipart(&key, bodies, &version)
                    .await
                    .map(|()| version)
            };
            match result {
                Ok(v) => {
                    entries[i].acked = v;
                    entries[i].pending = None;
                    self.stats.acked.fetch_add(1, Ordering::Relaxed);
                    if roll >= 80 {
                        self.stats.multipart_acked.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(e) => {
                    // Errors caused by the kill are expected; any earlier one is not.
                    if !self.killed.load(Ordering::SeqCst) {
                        errors.push(format!("{key}: {e:#}"));
                    }
                    break;
                }
            }
        }
        (entries, errors)
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

    async fn put(&self, key: &str, body: Bytes, want: &Version) -> anyhow::Result<()> {
        let r = self
            .client
            .send(Method::PUT, &format!("/{BUCKET}/{key}"), &[], body)
            .await?;
        let r = s3::expect(r, StatusCode::OK, &format!("PUT {key}")).await?;
        let etag = bare_etag(r.header("etag"));
        r.drain().await?;
        if let Version::Present { etag: want, .. } = want {
            ensure!(&etag == want, "PUT {key}: ETag {etag}, expected {want}");
        }
        Ok(())
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let r = self
            .client
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

    async fn multipart(&self, key: &str, bodies: Vec<Bytes>, want: &Version) -> anyhow::Result<()> {
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
        let etag = s3::complete(c, BUCKET, key, &id, &parts).await?;
        if let Version::Present { etag: want, .. } = want {
            ensure!(
                &etag == want,
                "CompleteMultipartUpload {key}: ETag {etag}, expected {want}"
            );
        }
        Ok(())
    }
}

/// `len` pseudo-random bytes.
fn random_body(rng: &mut SplitMix64, len: u64) -> Bytes {
    let len = usize::try_from(len).unwrap_or(0);
    let mut buf = Vec::with_capacity(len + 8);
    while buf.len() < len {
        buf.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    buf.truncate(len);
    Bytes::from(buf)
}

/// The object a multipart upload of `parts` makes: the MD5 of all the bytes, and the ETag
/// `md5(md5(part 1) ‖ … ‖ md5(part n))-n`.
fn multipart_version(parts: &[Bytes]) -> Version {
    let mut whole = Md5::new();
    let mut of_md5s = Md5::new();
    let mut size = 0u64;
    for p in parts {
        whole.update(p);
        of_md5s.update(Md5::digest(p));
        size += p.len() as u64;
    }
    Version::Present {
        md5: whole.finalize().into(),
        size,
        etag: format!("{}-{}", hex::encode(of_md5s.finalize()), parts.len()),
    }
}

/// What a check found.
struct Report {
    in_flight: usize,
    took_effect: usize,
    objects: usize,
    uploads: usize,
    blob_files: usize,
}

/// Checks the restarted server against the ledger, then settles the ledger on what it found.
async fn check(
    client: &S3Client,
    data: &std::path::Path,
    ledger: &mut [Vec<Entry>],
) -> anyhow::Result<Report> {
    // Start-up swept the data directory before listening: nothing may be left in tmp/.
    let tmp = count_files(&data.join("tmp"));
    ensure!(tmp == 0, "{tmp} files left in tmp/ after start-up");
    let blob_files = count_files(&data.join("blobs"));

    let (mut in_flight, mut took_effect) = (0, 0);
    let mut present = std::collections::BTreeMap::new();
    let mut needed = 0usize;
    for e in ledger.iter_mut().flatten() {
        let pending = e
            .pending
            .as_ref()
            .map_or("none".to_owned(), Version::describe);
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
        let seen = Version::from_found(&found);
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
        if let Some(p) = e.pending.take() {
            in_flight += 1;
            if p == seen && p != e.acked {
                took_effect += 1;
            }
        }
        needed += seen.blobs();
        if let Version::Present { size, etag, .. } = &seen {
            present.insert(e.key.clone(), (*size, etag.clone()));
        }
        e.acked = seen;
    }

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
        "{blob_files} body files after start-up, but the {} objects need {needed} and the {} \
         unfinished uploads {part_files} ({})",
        present.len(),
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
    // Freed bodies are unlinked right away unless a reader holds them; allow a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut after_abort = count_files(&data.join("blobs"));
    while after_abort != needed && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        after_abort = count_files(&data.join("blobs"));
    }
    ensure!(
        after_abort == needed,
        "{after_abort} body files after aborting {} uploads, expected {needed}",
        uploads.len()
    );
    Ok(Report {
        in_flight,
        took_effect,
        objects: present.len(),
        uploads: uploads.len(),
        blob_files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_etag_and_blobs() {
        let parts = [Bytes::from_static(b"hello "), Bytes::from_static(b"world")];
        let v = multipart_version(&parts);
        let Version::Present { md5, size, etag } = &v else {
            panic!("present");
        };
        assert_eq!(*size, 11);
        assert_eq!(*md5, <[u8; 16]>::from(Md5::digest(b"hello world")));
        let mut m = Md5::new();
        m.update(Md5::digest(b"hello "));
        m.update(Md5::digest(b"world"));
        assert_eq!(etag, &format!("{}-2", hex::encode(m.finalize())));
        assert_eq!(v.blobs(), 2);
        assert_eq!(Version::Absent.blobs(), 0);
        let empty = Version::Present {
            md5: [0; 16],
            size: 0,
            etag: "x".into(),
        };
        assert_eq!(empty.blobs(), 0);
    }

    #[test]
    fn random_bodies_have_the_asked_length() {
        let mut r = SplitMix64::new(1);
        assert_eq!(random_body(&mut r, 0).len(), 0);
        assert_eq!(random_body(&mut r, 13).len(), 13);
        let u = unit(&mut r);
        assert!((0.0..1.0).contains(&u));
    }
}
