//! Targets: the servers a run measures, from `--target` specs.
//!
//! A spec is `ossemu[,OPTION…]` (the tool starts the ossemu binary on a fresh temporary data
//! directory) or `http://HOST:PORT[,OPTION…]` for any S3-compatible endpoint. Options:
//! `name=NAME` (label in the results), `pid=N` (server process to read `/proc` for),
//! `anonymous`, `access-key=AK`, `secret-key=SK`, `bucket=NAME` (use this bucket name),
//! `create=s3|mkcol|none` (how to create the bucket: CreateBucket, WebDAV `MKCOL` for nginx,
//! or not at all), `ossemu` (a URL target that is an ossemu started by hand, so the
//! back-to-origin workloads run on it), and for `ossemu` only `arg=ARG` (repeatable: an extra
//! server argument, e.g. `arg=--memory`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use http::{Method, StatusCode};

use crate::body::Payloads;
use crate::client::{Auth, S3Client};
use crate::sigv4::Signer;
use crate::workload::Ctx;

/// Access key of the ossemu the tool starts (the server's default credential).
pub const OSSEMU_ACCESS_KEY: &str = "ossemu";
/// Secret of the ossemu the tool starts.
pub const OSSEMU_SECRET_KEY: &str = "ossemu-secret";
/// The log line ossemu prints once it accepts connections.
const LISTENING: &str = "listening on http://";
/// How long a started ossemu may take to print [`LISTENING`].
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How the run's bucket comes to exist on a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CreateBucket {
    /// S3 CreateBucket (`PUT /bucket`), expecting 200.
    S3,
    /// WebDAV `MKCOL /bucket/` (nginx with `dav_methods MKCOL`), expecting 201.
    Mkcol,
    /// The bucket already exists.
    None,
}

/// Where a target is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Start the ossemu binary.
    Ossemu,
    /// An endpoint `http://host:port`.
    Url(String),
}

/// A parsed `--target` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    /// Where the server is.
    pub location: Location,
    /// Label; defaults to `ossemu` or the endpoint's `host:port`.
    pub name: Option<String>,
    /// Process to measure.
    pub pid: Option<u32>,
    /// Send requests without signatures.
    pub anonymous: bool,
    /// Access key (else `--access-key`).
    pub access_key: Option<String>,
    /// Secret key (else `--secret-key`).
    pub secret_key: Option<String>,
    /// Bucket to use (else a fresh `bench-…` name).
    pub bucket: Option<String>,
    /// How to create the bucket (default: `s3`, or `none` when `bucket=` is given).
    pub create: Option<CreateBucket>,
    /// Extra arguments for this started ossemu (after `--ossemu-arg`s).
    pub args: Vec<String>,
    /// A URL target that is an ossemu (started by hand): runs the ossemu-only workloads.
    pub ossemu: bool,
}

impl FromStr for TargetSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split(',');
        let head = parts.next().unwrap_or_default().trim();
        let location = if head == "ossemu" {
            Location::Ossemu
        } else if head.starts_with("http://") {
            Location::Url(head.trim_end_matches('/').to_owned())
        } else {
            return Err(format!(
                "target {head:?}: expected `ossemu` or an http://HOST:PORT endpoint"
            ));
        };
        let mut spec = TargetSpec {
            location,
            name: None,
            pid: None,
            anonymous: false,
            access_key: None,
            secret_key: None,
            bucket: None,
            create: None,
            args: Vec::new(),
            ossemu: false,
        };
        for opt in parts {
            let (k, v) = match opt.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (opt.trim(), None),
            };
            let need = |v: Option<&str>| {
                v.filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| format!("target option {k:?} needs a value"))
            };
            match k {
                "name" => spec.name = Some(need(v)?),
                "pid" => {
                    spec.pid = Some(
                        need(v)?
                            .parse()
                            .map_err(|_| format!("target option pid={v:?}: not a pid"))?,
                    )
                }
                "anonymous" => spec.anonymous = true,
                "ossemu" => spec.ossemu = true,
                "access-key" => spec.access_key = Some(need(v)?),
                "secret-key" => spec.secret_key = Some(need(v)?),
                "bucket" => spec.bucket = Some(need(v)?),
                "create" => {
                    spec.create = Some(match need(v)?.as_str() {
                        "s3" => CreateBucket::S3,
                        "mkcol" => CreateBucket::Mkcol,
                        "none" => CreateBucket::None,
                        other => {
                            return Err(format!(
                                "target option create={other:?}: expected s3, mkcol or none"
                            ));
                        }
                    })
                }
                "arg" => spec.args.push(need(v)?),
                "" => {}
                other => return Err(format!("unknown target option {other:?}")),
            }
        }
        if spec.location == Location::Ossemu && spec.pid.is_some() {
            return Err("target ossemu: the tool knows the pid of the ossemu it starts".into());
        }
        if matches!(spec.location, Location::Url(_)) && !spec.args.is_empty() {
            return Err("target option arg= is for `ossemu` targets only".into());
        }
        Ok(spec)
    }
}

/// Defaults from the command line for what a spec leaves open.
#[derive(Debug, Clone)]
pub struct TargetDefaults {
    /// The ossemu binary.
    pub ossemu_bin: PathBuf,
    /// Extra arguments for the started ossemu.
    pub ossemu_args: Vec<String>,
    /// `RUST_LOG` of the started ossemu.
    pub ossemu_log: String,
    /// `--access-key`.
    pub access_key: String,
    /// `--secret-key`.
    pub secret_key: String,
    /// `--anonymous`.
    pub anonymous: bool,
    /// `--region` for SigV4.
    pub region: String,
}

/// An ossemu process this tool started; killed on drop, and its data directory removed when
/// it was a temporary one.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    data_dir: DataDir,
}

/// The data directory of a started ossemu.
#[derive(Debug)]
enum DataDir {
    /// Created for it, removed with it.
    Temp(tempfile::TempDir),
    /// Given by the caller, kept (the crash drill restarts on it).
    Kept(PathBuf),
}

impl ServerProcess {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        match &self.data_dir {
            DataDir::Temp(t) => t.path(),
            DataDir::Kept(p) => p,
        }
    }

    /// Kills the process with SIGKILL (no chance to clean up) and reaps it.
    pub fn kill(&mut self) -> std::io::Result<()> {
        self.child.kill()?;
        self.child.wait().map(|_| ())
    }

    /// Whether the process has exited (it is reaped if so).
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A target ready to measure.
#[derive(Debug)]
pub struct Target {
    /// Label in the results.
    pub name: String,
    /// `http://host:port`.
    pub endpoint: String,
    /// Process measured through `/proc`.
    pub pid: Option<u32>,
    /// Client, bucket and fixtures.
    pub cx: Arc<Ctx>,
    /// The ossemu this tool started, if any.
    pub server: Option<ServerProcess>,
}

impl Target {
    /// Starts (for `ossemu`) or connects to the target and creates its bucket.
    pub async fn open(
        spec: &TargetSpec,
        defaults: &TargetDefaults,
        bucket: String,
        payloads: Arc<Payloads>,
    ) -> anyhow::Result<Self> {
        let (endpoint, server, pid, auth, default_name) = match &spec.location {
            Location::Ossemu => {
                let args: Vec<String> = defaults
                    .ossemu_args
                    .iter()
                    .chain(&spec.args)
                    .cloned()
                    .collect();
                let (server, addr) =
                    start_ossemu(&defaults.ossemu_bin, None, &args, &defaults.ossemu_log)?;
                let pid = server.pid();
                let auth = if spec.anonymous {
                    Auth::Anonymous
                } else {
                    Auth::SigV4(Signer::new(
                        spec.access_key.as_deref().unwrap_or(OSSEMU_ACCESS_KEY),
                        spec.secret_key.as_deref().unwrap_or(OSSEMU_SECRET_KEY),
                        &defaults.region,
                        "s3",
                    ))
                };
                (
                    format!("http://{addr}"),
                    Some(server),
                    Some(pid),
                    auth,
                    "ossemu".to_owned(),
                )
            }
            Location::Url(url) => {
                let auth = if spec.anonymous || defaults.anonymous {
                    Auth::Anonymous
                } else {
                    Auth::SigV4(Signer::new(
                        spec.access_key.as_deref().unwrap_or(&defaults.access_key),
                        spec.secret_key.as_deref().unwrap_or(&defaults.secret_key),
                        &defaults.region,
                        "s3",
                    ))
                };
                let name = url.trim_start_matches("http://").to_owned();
                (url.clone(), None, spec.pid, auth, name)
            }
        };
        if let Some(p) = pid
            && !crate::metrics::alive(p)
        {
            bail!("pid {p} is not running");
        }
        let client = S3Client::new(&endpoint, auth)?;
        let bucket = spec.bucket.clone().unwrap_or(bucket);
        let is_ossemu = spec.ossemu || spec.location == Location::Ossemu;
        let cx = Arc::new(Ctx::new(client, bucket, payloads).with_ossemu(is_ossemu));
        let create = spec.create.unwrap_or(if spec.bucket.is_some() {
            CreateBucket::None
        } else {
            CreateBucket::S3
        });
        create_bucket(&cx, create)
            .await
            .with_context(|| format!("creating bucket {} on {endpoint}", cx.bucket))?;
        Ok(Self {
            name: spec.name.clone().unwrap_or(default_name),
            endpoint,
            pid,
            cx,
            server,
        })
    }
}

async fn create_bucket(cx: &Ctx, how: CreateBucket) -> anyhow::Result<()> {
    let (method, path, want) = match how {
        CreateBucket::None => return Ok(()),
        CreateBucket::S3 => (Method::PUT, format!("/{}", cx.bucket), StatusCode::OK),
        CreateBucket::Mkcol => (
            Method::from_bytes(b"MKCOL").context("MKCOL method")?,
            format!("/{}/", cx.bucket),
            StatusCode::CREATED,
        ),
    };
    let r = cx.client.send(method, &path, &[], Bytes::new()).await?;
    if r.status != want {
        bail!("{}", r.unexpected("creating the bucket").await);
    }
    r.drain().await?;
    Ok(())
}

/// The default ossemu binary: the first that exists of `$CARGO_TARGET_DIR/release/ossemu`
/// (when set), `ossemu` next to this executable when that is a `release` build, and this
/// workspace's `target/release/ossemu` (returned, existing or not, when none does).
pub fn default_ossemu_bin() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = workspace.canonicalize().unwrap_or(workspace);
    let mut candidates = Vec::new();
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        let d = PathBuf::from(d);
        let d = if d.is_absolute() {
            d
        } else {
            workspace.join(d)
        };
        candidates.push(d.join("release").join("ossemu"));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
        && dir.file_name().is_some_and(|n| n == "release")
    {
        candidates.push(dir.join("ossemu"));
    }
    let fallback = workspace.join("target").join("release").join("ossemu");
    candidates
        .into_iter()
        .find(|c| c.is_file())
        .unwrap_or(fallback)
}

/// Starts the ossemu binary `bin` on a free loopback port with the tool's credential and
/// `args`, on `data_dir` (kept) or a fresh temporary data directory (removed with the
/// process); returns once it printed its listening address, with that address.
pub fn start_ossemu(
    bin: &Path,
    data_dir: Option<&Path>,
    args: &[String],
    log: &str,
) -> anyhow::Result<(ServerProcess, String)> {
    if !bin.is_file() {
        bail!(
            "no ossemu binary at {} (build it with `cargo build --release --bin ossemu` or pass --ossemu-bin)",
            bin.display()
        );
    }
    let data_dir = match data_dir {
        Some(d) => DataDir::Kept(d.to_owned()),
        None => DataDir::Temp(
            tempfile::Builder::new()
                .prefix("ossemu-bench-")
                .tempdir()
                .context("creating a temporary data directory")?,
        ),
    };
    let dir = match &data_dir {
        DataDir::Temp(t) => t.path().to_owned(),
        DataDir::Kept(p) => p.clone(),
    };
    let mut child = Command::new(bin)
        .arg("--data-dir")
        .arg(&dir)
        .args(["--listen", "127.0.0.1:0"])
        .args(["--access-key", OSSEMU_ACCESS_KEY])
        .args(["--secret-key", OSSEMU_SECRET_KEY])
        .args(args)
        .env("RUST_LOG", log)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let Some(stdout) = child.stdout.take() else {
        bail!("ossemu's stdout was not captured");
    };
    let mut server = ServerProcess { child, data_dir };
    let (tx, rx) = mpsc::channel::<String>();
    // Reads the log for the address, then keeps draining it (a full pipe would stall the
    // server) and passes warnings and errors on.
    std::thread::Builder::new()
        .name("ossemu-log".into())
        .spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find(LISTENING) {
                    let rest = &line[at + LISTENING.len()..];
                    let addr = rest.split_whitespace().next().unwrap_or_default();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(addr.to_owned());
                    }
                } else if line.contains("WARN") || line.contains("ERROR") {
                    eprintln!("[ossemu] {line}");
                }
            }
        })
        .context("starting the log reader")?;
    let addr = rx.recv_timeout(START_TIMEOUT).map_err(|_| {
        if server.exited() {
            anyhow::anyhow!("ossemu exited before it printed `{LISTENING}ADDR`")
        } else {
            anyhow::anyhow!(
                "ossemu did not print `{LISTENING}ADDR` within {}s",
                START_TIMEOUT.as_secs()
            )
        }
    })?;
    if addr.is_empty() {
        bail!("ossemu printed `{LISTENING}` without an address");
    }
    Ok((server, addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s: TargetSpec = "ossemu".parse().unwrap();
        assert_eq!(s.location, Location::Ossemu);
        let s: TargetSpec = "http://127.0.0.1:8080/,name=nginx,pid=42,anonymous,create=mkcol"
            .parse()
            .unwrap();
        assert_eq!(s.location, Location::Url("http://127.0.0.1:8080".into()));
        assert_eq!(s.name.as_deref(), Some("nginx"));
        assert_eq!(s.pid, Some(42));
        assert!(s.anonymous);
        assert_eq!(s.create, Some(CreateBucket::Mkcol));
        let s: TargetSpec = "http://h:1,access-key=a,secret-key=b,bucket=pub"
            .parse()
            .unwrap();
        assert_eq!(
            (
                s.access_key.as_deref(),
                s.secret_key.as_deref(),
                s.bucket.as_deref()
            ),
            (Some("a"), Some("b"), Some("pub"))
        );
        assert!("ftp://x".parse::<TargetSpec>().is_err());
        assert!("http://h:1,pid=x".parse::<TargetSpec>().is_err());
        assert!("http://h:1,bogus".parse::<TargetSpec>().is_err());
        assert!("http://h:1,create=zz".parse::<TargetSpec>().is_err());
        assert!("ossemu,pid=3".parse::<TargetSpec>().is_err());
        let s: TargetSpec = "ossemu,name=mem,arg=--memory".parse().unwrap();
        assert_eq!(s.args, vec!["--memory".to_string()]);
        assert!("http://h:1,arg=--x".parse::<TargetSpec>().is_err());
        assert!("http://h:1,ossemu".parse::<TargetSpec>().unwrap().ossemu);
    }
}
