//! Reliability drills: `ossemu-bench drill crash|origin-faults|soak|stall|disk-full`.
//!
//! Each drill starts its own ossemu (the release binary, as for `--target ossemu`), drives
//! it, checks what it promises, prints progress on stderr and ends with exactly one line on
//! stdout: `DRILL <name>: PASS` or `DRILL <name>: FAIL (<reason>)`, exiting 0 or 1; a drill
//! that cannot run here (disk-full without root) prints `DRILL <name>: SKIP (<reason>)` and
//! exits 0.

pub mod crash;
pub mod disk_full;
pub mod faults;
pub mod s3;
pub mod soak;
pub mod stall;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::cli::DEFAULT_OSSEMU_LOG;
use crate::client::{Auth, S3Client};
use crate::sigv4::Signer;
use crate::target::{OSSEMU_ACCESS_KEY, OSSEMU_SECRET_KEY, ServerProcess, start_ossemu};

/// The drills.
#[derive(Debug, Subcommand)]
pub enum Drill {
    /// kill -9 in the middle of concurrent PUTs, overwrites, DELETEs and multipart uploads,
    /// restart, and check: every acknowledged write whole, every unacknowledged one absent or
    /// whole, no temp or orphan body files (20 rounds). With `--versioned`, in a versioned
    /// bucket: every acknowledged version listed and whole, no orphaned bodies.
    Crash(crash::CrashArgs),
    /// Mirroring under concurrency from an origin that resets, stalls, lies about the length
    /// or the MD5, or redirects in a loop: no partial object is ever stored, every client gets
    /// 200 with the full body, an aborted transfer or a 424, the server stays healthy.
    OriginFaults(faults::FaultArgs),
    /// The mixed workload for 10 minutes with 32 clients: no unexpected error, and the
    /// server's RSS at the end within 20% of its RSS after the first minute.
    Soak(soak::SoakArgs),
    /// 1,000 anonymous form POSTs and 1,000 PUTs each send part of their body and stall:
    /// the server's RSS stays under 200 MiB meanwhile, it keeps serving others, and once they
    /// leave its temp files are gone and its RSS is back near where it was.
    Stall(stall::StallArgs),
    /// ossemu on a small tmpfs (or `--dir`): filled by its writers and by another process,
    /// killed with -9 while full and started on the full disk. Refusals are 507
    /// InsufficientStorage and leave nothing, deletes work, writes resume once space returns,
    /// every acknowledged write is whole. Mounting needs root; without it the drill skips.
    DiskFull(disk_full::DiskFullArgs),
}

impl Drill {
    /// The name in the verdict line.
    pub fn name(&self) -> &'static str {
        match self {
            Drill::Crash(_) => "crash",
            Drill::OriginFaults(_) => "origin-faults",
            Drill::Soak(_) => "soak",
            Drill::Stall(_) => "stall",
            Drill::DiskFull(_) => "disk-full",
        }
    }
}

/// Options every drill has.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// The ossemu binary [default: as for `--target ossemu`].
    #[arg(long, value_name = "PATH")]
    pub ossemu_bin: Option<PathBuf>,

    /// RUST_LOG of the started ossemu; its warnings and errors are passed on to stderr
    /// [default: `warn,ossemu=info,ossemu_api=warn`; `error,ossemu=info,ossemu_mirror=error,ossemu_api=error` for origin-faults, where every
    /// failed fetch is an expected warning].
    #[arg(long, value_name = "FILTER")]
    pub ossemu_log: Option<String>,

    /// Seed of the drill's random choices [default: from the clock]; printed at the start so
    /// that a failing run can be repeated.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Data directory for the started ossemu, empty or new [default: a temporary one,
    /// removed after a pass and kept, with its path printed, after a failure].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The drill's own default for `--ossemu-log`.
    #[arg(skip)]
    pub default_log: Option<&'static str>,
}

impl Common {
    /// The seed to use (given or from the clock).
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
    }

    /// `RUST_LOG` of the started ossemu: `--ossemu-log`, or the drill's default.
    pub fn log_filter(&self) -> String {
        self.ossemu_log
            .clone()
            .or_else(|| self.default_log.map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_OSSEMU_LOG.to_owned())
    }

    /// The data directory: the given one, or a temporary one.
    pub fn data_dir(&self, name: &str) -> anyhow::Result<DataDir> {
        match &self.data_dir {
            Some(d) => {
                std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
                let used = std::fs::read_dir(d)
                    .with_context(|| format!("reading {}", d.display()))?
                    .next()
                    .is_some();
                anyhow::ensure!(
                    !used,
                    "--data-dir {} is not empty: a drill starts from an empty data directory",
                    d.display()
                );
                Ok(DataDir::Given(d.clone()))
            }
            None => Ok(DataDir::Temp(
                tempfile::Builder::new()
                    .prefix(&format!("ossemu-drill-{name}-"))
                    .tempdir()
                    .context("creating a temporary data directory")?,
            )),
        }
    }
}

/// A drill's data directory.
#[derive(Debug)]
pub enum DataDir {
    /// Temporary: removed when dropped, unless [`DataDir::keep`] is called.
    Temp(tempfile::TempDir),
    /// Given with `--data-dir`: never removed.
    Given(PathBuf),
}

impl DataDir {
    /// The path.
    pub fn path(&self) -> &Path {
        match self {
            DataDir::Temp(t) => t.path(),
            DataDir::Given(p) => p,
        }
    }

    /// Keeps a temporary directory for inspection; returns its path.
    pub fn keep(self) -> PathBuf {
        match self {
            DataDir::Temp(t) => t.keep(),
            DataDir::Given(p) => p,
        }
    }
}

/// An ossemu started by a drill, with a client signed as its credential.
#[derive(Debug)]
pub struct Node {
    /// The process (killed when dropped).
    pub server: ServerProcess,
    /// SigV4 client of it.
    pub client: std::sync::Arc<S3Client>,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Node {
    /// Starts ossemu on `data_dir` (kept) with extra `args`.
    pub async fn start(common: &Common, data_dir: &Path, args: &[String]) -> anyhow::Result<Self> {
        let bin = common
            .ossemu_bin
            .clone()
            .unwrap_or_else(crate::target::default_ossemu_bin);
        let (dir, args, log) = (data_dir.to_owned(), args.to_vec(), common.log_filter());
        let (server, addr) =
            tokio::task::spawn_blocking(move || start_ossemu(&bin, Some(&dir), &args, &log))
                .await
                .context("starting ossemu")??;
        let endpoint = format!("http://{addr}");
        let client = client_of(&endpoint)?;
        Ok(Self {
            server,
            client: std::sync::Arc::new(client),
            endpoint,
        })
    }

    /// The server's pid.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// Another client of the server, with a connection pool of its own.
    pub fn new_client(&self) -> anyhow::Result<S3Client> {
        client_of(&self.endpoint)
    }
}

/// A SigV4 client of the ossemu at `endpoint`, as the tool's credential.
fn client_of(endpoint: &str) -> anyhow::Result<S3Client> {
    S3Client::new(
        endpoint,
        Auth::SigV4(Signer::new(
            OSSEMU_ACCESS_KEY,
            OSSEMU_SECRET_KEY,
            "us-east-1",
            "s3",
        )),
    )
}

/// Runs a drill and prints its verdict line.
pub async fn run(drill: Drill) -> ExitCode {
    let name = drill.name();
    let result = match drill {
        Drill::Crash(a) => crash::run(a).await,
        Drill::OriginFaults(a) => faults::run(a).await,
        Drill::Soak(a) => soak::run(a).await,
        Drill::Stall(a) => stall::run(a).await,
        Drill::DiskFull(a) => disk_full::run(a).await,
    };
    match result {
        Ok(()) => {
            println!("DRILL {name}: PASS");
            ExitCode::SUCCESS
        }
        Err(e) if e.downcast_ref::<disk_full::Skip>().is_some() => {
            let reason = e.to_string().replace('\n', "; ");
            println!("DRILL {name}: SKIP ({reason})");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let reason = format!("{e:#}").replace('\n', "; ");
            println!("DRILL {name}: FAIL ({reason})");
            ExitCode::from(1)
        }
    }
}

/// Files (not directories) under `dir`, recursively; 0 when it does not exist.
pub fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => count_files(&e.path()),
            Ok(_) => 1,
            Err(_) => 0,
        })
        .sum()
}

/// Bytes of the files under `dir`, recursively; 0 when it does not exist.
pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Keeps `dir` after a failure and says where it is.
pub fn keep_on_failure<T>(result: anyhow::Result<T>, dir: DataDir) -> anyhow::Result<T> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = dir.keep();
            eprintln!("data directory kept for inspection: {}", path.display());
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_files_recursively() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(count_files(&d.path().join("missing")), 0);
        std::fs::create_dir_all(d.path().join("a/b")).unwrap();
        std::fs::write(d.path().join("a/b/x"), b"1").unwrap();
        std::fs::write(d.path().join("a/y"), b"22").unwrap();
        assert_eq!(count_files(d.path()), 2);
        assert_eq!(dir_bytes(d.path()), 3);
    }
}
