//! `ossemu-bench startup`: time from exec to the first healthy answer.
//!
//! Each run spawns the server on a free loopback port and, from the moment before the spawn,
//! tries `GET /_ossemu/health` over a new connection every 100 µs until one answers 200; the
//! time is that answer's arrival. The server is then stopped with SIGTERM and reaped before
//! the next run. Cases: a new empty data directory each run (directories and the space
//! reserve are created), the same data directory again (a restart), one holding
//! `--objects` objects of 1 KiB (filled once, untimed, over HTTP), `--memory`, and with
//! `--docker IMAGE` a container of the image on host networking (timed from `docker run`).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use clap::Args;
use futures_util::StreamExt;
use http::{Method, StatusCode};

use crate::drill::{Common, Node, s3};

/// Longest a start may take before the run fails.
const LIMIT: Duration = Duration::from_secs(60);

/// Bucket of the filled data directory.
const BUCKET: &str = "startup";

/// `startup` options.
#[derive(Debug, Args)]
pub struct StartupArgs {
    /// The ossemu binary [default: as for `--target ossemu`].
    #[arg(long, value_name = "PATH")]
    pub ossemu_bin: Option<PathBuf>,

    /// Starts measured per case.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,

    /// Objects in the filled data directory (0: leave that case out).
    #[arg(long, default_value_t = 100_000)]
    pub objects: u32,

    /// Keep the filled data directory here (filled when empty or new, used as it is
    /// otherwise) instead of a temporary one.
    #[arg(long, value_name = "DIR")]
    pub objects_dir: Option<PathBuf>,

    /// Also time a container of this image (host networking), e.g. `ossemu:test`.
    #[arg(long, value_name = "IMAGE")]
    pub docker: Option<String>,
}

/// One case's times, in milliseconds, sorted.
struct Case {
    name: String,
    ms: Vec<f64>,
}

impl Case {
    fn quantile(&self, q: f64) -> f64 {
        let i = ((self.ms.len() - 1) as f64 * q).round() as usize;
        self.ms[i]
    }
}

/// Runs every case and prints a Markdown table.
pub async fn run(args: StartupArgs) -> anyhow::Result<()> {
    let bin = args
        .ossemu_bin
        .clone()
        .unwrap_or_else(crate::target::default_ossemu_bin);
    if !bin.is_file() {
        bail!("no ossemu binary at {}", bin.display());
    }
    let runs = args.runs;
    let mut cases = Vec::new();
    let b = bin.clone();
    cases.push(
        blocking(move || {
            measure("empty data directory, new each run", runs, |port| {
                let dir = tempfile::tempdir()?;
                let child = spawn_ossemu(&b, port, &["--data-dir".into(), dir.path().into()])?;
                Ok((child, Some(dir)))
            })
        })
        .await?,
    );
    let dir = tempfile::tempdir()?;
    let (b, d) = (bin.clone(), dir.path().to_owned());
    cases.push(
        blocking(move || {
            measure("empty data directory, again", runs, |port| {
                Ok((
                    spawn_ossemu(&b, port, &["--data-dir".into(), d.clone().into()])?,
                    None,
                ))
            })
        })
        .await?,
    );
    if args.objects > 0 {
        let temp = tempfile::tempdir()?;
        let d = args
            .objects_dir
            .clone()
            .unwrap_or_else(|| temp.path().to_owned());
        std::fs::create_dir_all(&d)?;
        if std::fs::read_dir(&d)?.next().is_none() {
            fill(&bin, &d, args.objects).await?;
        } else {
            eprintln!("using {} as it is", d.display());
        }
        let b = bin.clone();
        let name = format!("{} objects of 1 KiB", args.objects);
        cases.push(
            blocking(move || {
                measure(&name, runs, |port| {
                    Ok((
                        spawn_ossemu(&b, port, &["--data-dir".into(), d.clone().into()])?,
                        None,
                    ))
                })
            })
            .await?,
        );
    }
    let b = bin.clone();
    cases.push(
        blocking(move || {
            measure("--memory", runs, |port| {
                Ok((spawn_ossemu(&b, port, &["--memory".into()])?, None))
            })
        })
        .await?,
    );
    if let Some(image) = args.docker.clone() {
        cases.push(blocking(move || measure_docker(&image, runs)).await?);
    }
    println!("{}", table(&cases, &bin));
    Ok(())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .context("joining a measurement")?
}

/// Times `runs` starts of what `start` spawns on a free port.
fn measure(
    name: &str,
    runs: u32,
    mut start: impl FnMut(u16) -> anyhow::Result<(Child, Option<tempfile::TempDir>)>,
) -> anyhow::Result<Case> {
    let mut ms = Vec::new();
    for _ in 0..runs {
        let port = free_port()?;
        let t0 = Instant::now();
        let (mut child, _dir) = start(port)?;
        let waited = wait_healthy(port, t0, || matches!(child.try_wait(), Ok(Some(_))));
        stop(&mut child)?;
        ms.push(waited.with_context(|| format!("{name}: run {}", ms.len() + 1))?);
    }
    eprintln!("{name}: {} runs", ms.len());
    ms.sort_by(f64::total_cmp);
    Ok(Case {
        name: name.to_owned(),
        ms,
    })
}

/// Times `runs` starts of a container of `image`, from `docker run`.
fn measure_docker(image: &str, runs: u32) -> anyhow::Result<Case> {
    let mut ms = Vec::new();
    for _ in 0..runs {
        let port = free_port()?;
        let name = format!("ossemu-startup-{}-{port}", std::process::id());
        let t0 = Instant::now();
        let status = Command::new("docker")
            .args(["run", "-d", "--rm", "--network", "host", "--name", &name])
            .arg("-e")
            .arg(format!("OSSEMU_LISTEN=127.0.0.1:{port}"))
            .arg(image)
            .stdout(Stdio::null())
            .status()
            .context("running docker")?;
        if !status.success() {
            bail!("docker run {image} failed");
        }
        let waited = wait_healthy(port, t0, || false);
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", &name])
            .stdout(Stdio::null())
            .status();
        ms.push(waited?);
    }
    eprintln!("container {image}: {} runs", ms.len());
    ms.sort_by(f64::total_cmp);
    Ok(Case {
        name: format!("container ({image}, from `docker run`)"),
        ms,
    })
}

fn spawn_ossemu(bin: &Path, port: u16, args: &[std::ffi::OsString]) -> anyhow::Result<Child> {
    Command::new(bin)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Milliseconds from `t0` to the first 200 from `/_ossemu/health` on `port`.
fn wait_healthy(port: u16, t0: Instant, mut exited: impl FnMut() -> bool) -> anyhow::Result<f64> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while t0.elapsed() < LIMIT {
        if healthy(addr) {
            return Ok(t0.elapsed().as_secs_f64() * 1000.0);
        }
        if exited() {
            bail!("the server exited before it was healthy");
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    bail!("not healthy within {LIMIT:?}")
}

fn healthy(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_nodelay(true);
    if s.write_all(b"GET /_ossemu/health HTTP/1.1\r\nHost: startup\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && &head == b"HTTP/1.1 200"
}

/// SIGTERM, then waits (SIGKILL after 10 s).
fn stop(child: &mut Child) -> anyhow::Result<()> {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        if child.try_wait()?.is_some() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill()?;
    child.wait()?;
    Ok(())
}

/// Fills `dir` with `n` objects of 1 KiB through a server of its own, stopped cleanly.
async fn fill(bin: &Path, dir: &Path, n: u32) -> anyhow::Result<()> {
    let common = Common {
        ossemu_bin: Some(bin.to_owned()),
        ossemu_log: None,
        seed: None,
        data_dir: None,
        default_log: None,
    };
    let mut node = Node::start(&common, dir, &[]).await?;
    let t = Instant::now();
    s3::create_bucket(&node.client, BUCKET).await?;
    let client = node.client.clone();
    let body = Bytes::from(vec![b'x'; 1024]);
    let puts = futures_util::stream::iter(0..n).map(|i| {
        let (client, body) = (Arc::clone(&client), body.clone());
        async move {
            let key = format!("/{BUCKET}/obj/{:03}/{i:07}", i % 1000);
            let r = client.send(Method::PUT, &key, &[], body).await?;
            s3::expect(r, StatusCode::OK, &key).await?.drain().await?;
            anyhow::Ok(())
        }
    });
    let mut puts = puts.buffer_unordered(32);
    while let Some(r) = puts.next().await {
        r?;
    }
    eprintln!("filled {n} objects in {:.1} s", t.elapsed().as_secs_f64());
    let _ = Command::new("kill")
        .args(["-TERM", &node.pid().to_string()])
        .status();
    for _ in 0..1000 {
        if node.server.exited() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bail!("the filling server did not stop on SIGTERM")
}

fn table(cases: &[Case], bin: &Path) -> String {
    let mut out = format!(
        "Start-up of {} (exec to the first 200 from /_ossemu/health), ms:\n\n\
         | case | runs | min | median | p90 | max |\n|---|---|---|---|---|---|\n",
        bin.display()
    );
    for c in cases {
        out.push_str(&format!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
            c.name,
            c.ms.len(),
            c.ms[0],
            c.quantile(0.5),
            c.quantile(0.9),
            c.ms[c.ms.len() - 1]
        ));
    }
    out
}
