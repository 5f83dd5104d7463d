//! The origin-fault drill: mirroring from an origin that misbehaves, under concurrency.
//!
//! ossemu is started with a short `--mirror-read-timeout`; the built-in origin
//! ([`crate::origin`]) serves keys of every behaviour: well-behaved (`ok`, `md5` with a
//! correct `Content-MD5`, `chunked`) and faulty (`reset` mid-body, `stall` longer than the
//! read timeout, `short`: fewer bytes than its `Content-Length`, `badmd5`: a wrong
//! `Content-MD5`, `loop`: a redirect to itself). The bucket's Mirror rule checks MD5s
//! (`MirrorCheckMd5`). Clients GET every key, each key several times in a row from different
//! clients so that some requests join a fetch in flight. Then:
//!
//! - every GET of a well-behaved key got 200 and exactly the origin's bytes;
//! - every GET of a faulty key got a 424, or a 200 whose body was cut off (the transfer
//!   aborted, never a clean end), or its connection closed before any response (an aborted
//!   transfer too; counted apart, since a 424 would say more); a `loop` key got 424;
//! - once the fetches are over, the bucket holds exactly the well-behaved keys, each with
//!   the origin's bytes, no file is left in `<data>/tmp/` and `<data>/blobs/` holds one file
//!   per non-empty object;
//! - the server still answers ListBuckets and mirrors a fresh key.
//!
//! Then the bounds phase ([`bounds`]): an endless origin with abandoned clients, redirects to
//! ossemu's own metrics page and to a link-local address, a bucket mirroring from itself.

mod bounds;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use bytes::Bytes;
use clap::Args;
use http::{Method, StatusCode};

use super::s3::{self, Found};
use super::{Common, Node, count_files, keep_on_failure};
use crate::cli::parse_size;
use crate::client::S3Client;
use crate::origin::{self, Content, Mode, Origin, OriginConfig};
use crate::rng::SplitMix64;
use crate::workload::backorigin::{mirror_website, put_website};

/// The bucket the drill mirrors into.
const BUCKET: &str = "fault-drill";
/// A GET taking longer than this is a hang.
const GET_LIMIT: Duration = Duration::from_secs(120);

/// `drill origin-faults` options.
#[derive(Debug, Args)]
pub struct FaultArgs {
    /// Common drill options.
    #[command(flatten)]
    pub common: Common,

    /// Concurrent clients.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub clients: u32,

    /// Keys per origin behaviour (8 behaviours).
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub keys: u32,

    /// GETs of each key, queued one after another so that different clients ask at once.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub repeat: u32,

    /// `--mirror-read-timeout` of the started ossemu, seconds; the origin's stalls last
    /// three times as long.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub read_timeout: u64,

    /// Largest object (sizes are random from 1 byte up to this).
    #[arg(long, default_value = "2m", value_parser = parse_size)]
    pub max_size: u64,

    /// `--mirror-max-object-size` of the started ossemu (at least `--max-size`): the bound
    /// the endless origin of the bounds phase runs into.
    #[arg(long, default_value = "8m", value_parser = parse_size)]
    pub mirror_limit: u64,
}

/// What one client saw.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// 200 and exactly the origin's bytes.
    Full,
    /// 200, then the body was cut off.
    Aborted,
    /// The connection was closed before a response head arrived: an aborted transfer too,
    /// but the server could have known to answer 424.
    Dropped,
    /// 424 MirrorFailed.
    Failed,
    /// Anything else: a wrong body, another status, no response.
    Wrong(String),
}

/// Runs the drill.
pub async fn run(mut args: FaultArgs) -> anyhow::Result<()> {
    args.common.default_log = Some("error,ossemu=info,ossemu_mirror=error,ossemu_api=error");
    let dir = args.common.data_dir("origin-faults")?;
    let result = drill(&args, dir.path()).await;
    keep_on_failure(result, dir)
}

async fn drill(args: &FaultArgs, data: &std::path::Path) -> anyhow::Result<()> {
    ensure!(
        args.mirror_limit >= args.max_size,
        "--mirror-limit must be at least --max-size"
    );
    let seed = args.common.seed();
    let stall = Duration::from_secs(args.read_timeout * 3);
    let origin = Origin::start(OriginConfig {
        latency: Duration::ZERO,
        stall,
    })
    .await?;
    let node = Node::start(
        &args.common,
        data,
        &[
            "--mirror-read-timeout".into(),
            args.read_timeout.to_string(),
            "--mirror-max-object-size".into(),
            args.mirror_limit.to_string(),
        ],
    )
    .await?;
    eprintln!(
        "origin-fault drill: {} clients, {} keys × {} behaviours × {} GETs, read timeout {} s, \
         seed {seed}, data {}",
        args.clients,
        args.keys,
        Mode::ALL.len(),
        args.repeat,
        args.read_timeout,
        data.display()
    );
    s3::create_bucket(&node.client, BUCKET).await?;
    put_website(
        &node.client,
        BUCKET,
        &mirror_website(&origin.url(), "<MirrorCheckMd5>true</MirrorCheckMd5>"),
    )
    .await?;

    // The jobs: each key `repeat` times in a row, keys in random order.
    let mut rng = SplitMix64::new(seed);
    let mut keys: Vec<(Mode, String)> = Vec::new();
    for mode in Mode::ALL {
        for i in 0..args.keys {
            let size = 1 + rng.next_u64() % args.max_size.max(1);
            keys.push((mode, origin::key(mode, size, &format!("k{i:05}"))));
        }
    }
    for i in (1..keys.len()).rev() {
        keys.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let jobs: VecDeque<(Mode, String)> = keys
        .iter()
        .flat_map(|k| std::iter::repeat_n(k.clone(), args.repeat as usize))
        .collect();
    let total = jobs.len();
    let jobs = Arc::new(Mutex::new(jobs));
    let seen: Arc<Mutex<Vec<(Mode, String, Seen)>>> = Arc::default();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (jobs, seen, client) = (jobs.clone(), seen.clone(), node.client.clone());
        let content = origin.content().clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let job = match jobs.lock() {
                    Ok(mut q) => q.pop_front(),
                    Err(p) => p.into_inner().pop_front(),
                };
                let Some((mode, key)) = job else { break };
                let s = match tokio::time::timeout(GET_LIMIT, get(&client, &content, &key)).await {
                    Ok(s) => s,
                    Err(_) => Seen::Wrong(format!("no answer within {GET_LIMIT:?}")),
                };
                let mut all = match seen.lock() {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                all.push((mode, key, s));
            }
        }));
    }
    for t in tasks {
        t.await.context("a client panicked")?;
    }
    let seen = match Arc::try_unwrap(seen) {
        Ok(m) => m.into_inner().unwrap_or_else(|p| p.into_inner()),
        Err(_) => bail!("the clients still hold their results"),
    };
    eprintln!(
        "{total} GETs in {:.1} s; origin requests: {}",
        started.elapsed().as_secs_f64(),
        origin.total_hits()
    );

    // Per behaviour: how the clients fared.
    let mut tally: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (mode, key, s) in &seen {
        let t = tally.entry(mode.as_str()).or_default();
        match s {
            Seen::Full => t[0] += 1,
            Seen::Aborted => t[1] += 1,
            Seen::Dropped => t[2] += 1,
            Seen::Failed => t[3] += 1,
            Seen::Wrong(_) => {}
        }
        let allowed = match mode {
            Mode::Ok | Mode::Md5 | Mode::Chunked => *s == Seen::Full,
            Mode::Reset | Mode::Stall | Mode::Short | Mode::BadMd5 | Mode::Endless => {
                matches!(s, Seen::Aborted | Seen::Dropped | Seen::Failed)
            }
            Mode::Loop | Mode::Bounce => *s == Seen::Failed,
        };
        if !allowed {
            let what = match s {
                Seen::Wrong(w) => w.clone(),
                Seen::Full => {
                    "200 with the whole body and a clean end, from a faulty origin".into()
                }
                Seen::Aborted => "200, then the transfer was aborted".into(),
                Seen::Dropped => "the connection closed without a response".into(),
                Seen::Failed => "424".into(),
            };
            wrong.push(format!("GET {key}: {what}"));
        }
    }
    for mode in Mode::ALL {
        let [full, aborted, dropped, failed] =
            tally.get(mode.as_str()).copied().unwrap_or_default();
        eprintln!(
            "  {:<8} 200 full {full:>4}  200 aborted {aborted:>4}  closed without a response \
             {dropped:>4}  424 {failed:>4}",
            mode.as_str()
        );
    }
    if let Some(first) = wrong.first() {
        bail!("{} GETs answered wrongly, first: {first}", wrong.len());
    }

    // Fetches still running (stalls) end within the read timeout; then nothing may be left
    // half-written.
    let deadline = Instant::now() + stall + Duration::from_secs(30);
    while count_files(&data.join("tmp")) > 0 {
        ensure!(
            Instant::now() < deadline,
            "{} files still in tmp/ long after the last fetch",
            count_files(&data.join("tmp"))
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let good: BTreeMap<&str, Mode> = keys
        .iter()
        .filter(|(m, _)| m.is_good())
        .map(|(m, k)| (k.as_str(), *m))
        .collect();
    // A well-behaved key served to a client is committed right after its last byte.
    let deadline = Instant::now() + Duration::from_secs(30);
    let listed = loop {
        let listed = s3::list_objects(&node.client, BUCKET).await?;
        if listed.len() >= good.len() || Instant::now() > deadline {
            break listed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut stored_files = 0;
    for l in &listed {
        let Some((_, size)) = origin::parse_key(&l.key) else {
            bail!("stored {}, which no client asked for", l.key);
        };
        if !good.contains_key(l.key.as_str()) {
            bail!("{} is stored although its origin was faulty", l.key);
        }
        let want = origin.content().md5(&l.key, size);
        match s3::get_found(&node.client, BUCKET, &l.key).await? {
            Found::Present { md5, size: n, .. } if md5 == want && n == size => {}
            Found::Present { size: n, .. } => {
                bail!(
                    "{} is stored with {n} bytes that are not the origin's",
                    l.key
                )
            }
            Found::Absent => bail!("{} is listed but GET finds nothing", l.key),
        }
        if size > 0 {
            stored_files += 1;
        }
    }
    ensure!(
        listed.len() == good.len(),
        "{} objects stored, expected the {} well-behaved keys",
        listed.len(),
        good.len()
    );
    let files = count_files(&data.join("blobs"));
    ensure!(
        files == stored_files,
        "{files} body files for {stored_files} stored objects"
    );

    // Still healthy: ListBuckets, and a fresh key mirrors.
    let r = node
        .client
        .send(Method::GET, "/", &[], Bytes::new())
        .await
        .context("ListBuckets after the drill")?;
    let r = s3::expect(r, StatusCode::OK, "ListBuckets after the drill").await?;
    let doc = r.bytes().await?;
    ensure!(
        crate::xml::elements(&doc, "Bucket")
            .iter()
            .any(|b| crate::xml::first_text(b, "Name").as_deref() == Some(BUCKET)),
        "ListBuckets after the drill does not list {BUCKET}"
    );
    let fresh = origin::key(Mode::Md5, 100_000, "after-the-drill");
    ensure!(
        get(&node.client, origin.content(), &fresh).await == Seen::Full,
        "a fresh key does not mirror after the drill"
    );
    eprintln!(
        "{} objects stored, all with the origin's bytes; {files} body files; tmp/ empty; \
         ListBuckets answers",
        listed.len()
    );
    eprintln!("bounds:");
    bounds::run(&node, &origin, data, args.mirror_limit).await
}

/// GETs `key` through the mirror bucket and classifies the answer.
async fn get(client: &S3Client, content: &Content, key: &str) -> Seen {
    let r = match client
        .send(Method::GET, &format!("/{BUCKET}/{key}"), &[], Bytes::new())
        .await
    {
        Ok(r) => r,
        Err(_) => return Seen::Dropped,
    };
    match r.status {
        StatusCode::OK => {
            let Some((_, size)) = origin::parse_key(key) else {
                return Seen::Wrong("not an origin key".into());
            };
            match r.md5().await {
                Ok((md5, n)) if n == size && md5 == content.md5(key, size) => Seen::Full,
                Ok((_, n)) => Seen::Wrong(format!(
                    "200 and a clean end after {n} bytes that are not the origin's {size}"
                )),
                Err(_) => Seen::Aborted,
            }
        }
        StatusCode::FAILED_DEPENDENCY => {
            let _ = r.drain().await;
            Seen::Failed
        }
        _ => Seen::Wrong(r.unexpected("GET").await),
    }
}
