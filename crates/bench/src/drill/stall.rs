//! The stall drill: many clients each start a request body, send part of it and stop.
//!
//! `--posts` anonymous PostObject forms to a private bucket send form fields and stall (what
//! an attacker without credentials can do); `--puts` anonymous PUTs to a public-read-write
//! bucket send part of their body and stall (a crowd of stuck uploaders). All of them stay
//! connected for `--hold`, then leave together.
//!
//! Passes when the server's peak RSS while they are connected stays under `--max-rss`, it
//! keeps answering other clients meanwhile, and after they have left its temp files are gone
//! and its RSS comes back to within `--settle` of the RSS it had before they came.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::ensure;
use bytes::Bytes;
use clap::Args;
use http::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::{Common, Node, count_files, keep_on_failure, s3};
use crate::cli::{parse_duration, parse_size};
use crate::client::{SendOpts, SignAs};
use crate::metrics::{RssSampler, process_tree, status_kib};

/// The private bucket the forms go to.
const FORMS: &str = "stall-forms";
/// The public-read-write bucket the PUTs go to.
const UPLOADS: &str = "stall-uploads";
/// Form fields are sent in pieces of this size (under the 64 KiB a field may have).
const FIELD: usize = 60 * 1024;
/// Connections opened at once.
const OPENING: usize = 64;
const BOUNDARY: &str = "stall-drill-boundary";

/// `drill stall` options.
#[derive(Debug, Args)]
pub struct StallArgs {
    /// Common drill options.
    #[command(flatten)]
    pub common: Common,

    /// Stalled anonymous PostObject forms.
    #[arg(long, default_value_t = 1000)]
    pub posts: usize,

    /// Stalled anonymous PUTs.
    #[arg(long, default_value_t = 1000)]
    pub puts: usize,

    /// Bytes each client sends before it stalls (each announces twice as many).
    #[arg(long, default_value = "1m", value_parser = parse_size)]
    pub sent: u64,

    /// How long the stalled clients stay connected (under the server's 60 s body timeout).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub hold: Duration,

    /// Largest server RSS allowed while they are connected, MiB.
    #[arg(long, default_value_t = 200)]
    pub max_rss: u64,

    /// How far above its RSS before the clients came the server may stay once they have
    /// left, MiB.
    #[arg(long, default_value_t = 16)]
    pub settle: u64,

    /// Extra argument for the started ossemu, repeatable (e.g. `--ossemu-arg=--memory`).
    #[arg(long = "ossemu-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub ossemu_args: Vec<String>,
}

/// Runs the drill.
pub async fn run(args: StallArgs) -> anyhow::Result<()> {
    let dir = args.common.data_dir("stall")?;
    let result = drill(&args, dir.path()).await;
    keep_on_failure(result, dir)
}

/// The server's RSS now, MiB.
fn rss_mib(pid: u32) -> f64 {
    status_kib(&process_tree(pid), "VmRSS") as f64 / 1024.0
}

/// What the stalled clients saw.
#[derive(Debug, Default)]
struct Seen {
    /// Connections that sent everything they meant to before stalling.
    stalled: AtomicUsize,
    /// Connections the server answered before they left, and stopped reading from.
    answered: AtomicUsize,
    /// Connections that could not be opened.
    refused: AtomicUsize,
}

async fn drill(args: &StallArgs, data: &std::path::Path) -> anyhow::Result<()> {
    let node = Node::start(&args.common, data, &args.ossemu_args).await?;
    let pid = node.pid();
    s3::create_bucket(&node.client, FORMS).await?;
    s3::create_bucket(&node.client, UPLOADS).await?;
    let opts = SendOpts {
        headers: &[("x-oss-acl", "public-read-write")],
        sign: SignAs::OssV1,
        ..SendOpts::default()
    };
    let r = node
        .client
        .send_with(
            Method::PUT,
            &format!("/{UPLOADS}"),
            &[("acl", "")],
            Bytes::new(),
            &opts,
        )
        .await?;
    s3::expect(
        r,
        StatusCode::OK,
        "making the upload bucket public-read-write",
    )
    .await?
    .drain()
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let baseline = rss_mib(pid);
    eprintln!(
        "stall drill: {} forms and {} PUTs, {} bytes each, held {:?}; server pid {pid}, RSS {baseline:.1} MiB before",
        args.posts, args.puts, args.sent, args.hold
    );
    let sampler = RssSampler::start(pid);
    let seen = Arc::new(Seen::default());
    let (leave, left) = watch::channel(false);
    let started = Instant::now();
    let clients = open_clients(args, &node.endpoint, &seen, &left).await;
    eprintln!(
        "  {:.1} s to connect and send: {} sent all they meant to, {} refused; RSS {:.1} MiB",
        started.elapsed().as_secs_f64(),
        seen.stalled.load(Ordering::Relaxed),
        seen.refused.load(Ordering::Relaxed),
        rss_mib(pid)
    );
    // Meanwhile the server answers others.
    let probe = Instant::now();
    let r = node
        .client
        .send(
            Method::PUT,
            &format!("/{FORMS}/probe"),
            &[],
            Bytes::from_static(b"probe"),
        )
        .await?;
    s3::expect(r, StatusCode::OK, "a PUT while the clients are stalled")
        .await?
        .drain()
        .await?;
    let found = s3::get_found(&node.client, FORMS, "probe").await?;
    ensure!(
        matches!(found, s3::Found::Present { size: 5, .. }),
        "the probe object reads back as {found:?}"
    );
    eprintln!(
        "  a PUT and a GET from another client meanwhile: {:.0} ms",
        probe.elapsed().as_secs_f64() * 1000.0
    );
    tokio::time::sleep(args.hold).await;
    let peak = sampler.finish(pid) as f64 / 1024.0;
    let held = rss_mib(pid);
    eprintln!(
        "  peak RSS {peak:.1} MiB, {held:.1} MiB at the end of the hold; {} clients answered \
         before they left (forms refused once 64 KiB of unsigned fields arrived)",
        seen.answered.load(Ordering::Relaxed)
    );
    let _ = leave.send(true);
    for c in clients {
        let _ = c.await;
    }
    ensure!(
        seen.refused.load(Ordering::Relaxed) == 0,
        "{} connections could not be opened (ulimit -n?)",
        seen.refused.load(Ordering::Relaxed)
    );
    ensure!(
        peak < args.max_rss as f64,
        "peak RSS {peak:.1} MiB with the clients stalled, over --max-rss {} MiB",
        args.max_rss
    );
    settle(args, data, pid, baseline).await
}

/// Waits for the temp files to go and the RSS to come back near `baseline`.
async fn settle(
    args: &StallArgs,
    data: &std::path::Path,
    pid: u32,
    baseline: f64,
) -> anyhow::Result<()> {
    let gone = Instant::now();
    let tmp = data.join("tmp");
    let limit = baseline + args.settle as f64;
    let mut after = rss_mib(pid);
    while gone.elapsed() < Duration::from_secs(30) {
        after = rss_mib(pid);
        if count_files(&tmp) == 0 && after <= limit {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!(
        "  {:.1} s after they left: RSS {after:.1} MiB (before {baseline:.1} MiB), {} temp files",
        gone.elapsed().as_secs_f64(),
        count_files(&tmp)
    );
    ensure!(
        count_files(&tmp) == 0,
        "{} temp files left after the clients went",
        count_files(&tmp)
    );
    ensure!(
        after <= limit,
        "RSS {after:.1} MiB 30 s after the clients left, over {baseline:.1} MiB before + --settle {} MiB",
        args.settle
    );
    Ok(())
}

/// Opens every client, `OPENING` at a time; returns once each has sent what it sends.
async fn open_clients(
    args: &StallArgs,
    endpoint: &str,
    seen: &Arc<Seen>,
    left: &watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let addr = endpoint.trim_start_matches("http://").to_string();
    let gate = Arc::new(tokio::sync::Semaphore::new(OPENING));
    let sent = usize::try_from(args.sent).unwrap_or(usize::MAX);
    let mut sending = Vec::new();
    let mut clients = Vec::new();
    // Forms and PUTs take turns.
    let order = (0..args.posts.max(args.puts)).flat_map(|i| {
        [
            (i < args.posts).then_some(Stalled::Form),
            (i < args.puts).then_some(Stalled::Put(i)),
        ]
    });
    for request in order.flatten() {
        let (addr, seen, mut left, gate) = (addr.clone(), seen.clone(), left.clone(), gate.clone());
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        sending.push(done_rx);
        clients.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let Ok(mut c) = TcpStream::connect(&addr).await else {
                seen.refused.fetch_add(1, Ordering::Relaxed);
                let _ = done_tx.send(());
                return;
            };
            let finished = request.send(&mut c, &addr, sent).await;
            drop(permit);
            if finished {
                seen.stalled.fetch_add(1, Ordering::Relaxed);
            }
            let _ = done_tx.send(());
            // Stay connected (reading whatever the server says) until told to leave.
            let mut buf = [0u8; 4096];
            let mut answered = false;
            loop {
                tokio::select! {
                    _ = left.changed() => break,
                    _ = c.read(&mut buf), if !answered => {
                        answered = true;
                        seen.answered.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for d in sending {
        let _ = d.await;
    }
    clients
}

/// One stalled request.
#[derive(Debug, Clone, Copy)]
enum Stalled {
    /// An anonymous form upload.
    Form,
    /// An anonymous PUT of key `stalled-N`.
    Put(usize),
}

impl Stalled {
    /// Sends the head and `sent` body bytes (the server may stop reading earlier: then it
    /// gives up after a while); true when everything went out.
    async fn send(self, c: &mut TcpStream, host: &str, sent: usize) -> bool {
        let head = match self {
            Stalled::Form => format!(
                "POST /{FORMS} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
                2 * sent
            ),
            Stalled::Put(i) => format!(
                "PUT /{UPLOADS}/stalled-{i} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\n\r\n",
                2 * sent
            ),
        };
        let body = match self {
            Stalled::Form => form_fields(sent),
            Stalled::Put(_) => vec![b's'; sent],
        };
        let write = async {
            c.write_all(head.as_bytes()).await?;
            for piece in body.chunks(64 * 1024) {
                c.write_all(piece).await?;
            }
            c.flush().await
        };
        matches!(
            tokio::time::timeout(Duration::from_secs(20), write).await,
            Ok(Ok(()))
        )
    }
}

/// About `n` bytes of form fields with no policy and no signature.
fn form_fields(n: usize) -> Vec<u8> {
    let mut out =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nstalled\r\n")
            .into_bytes();
    let value = "v".repeat(FIELD);
    let mut i = 0;
    while out.len() < n {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
        i += 1;
    }
    out.truncate(n);
    out
}
