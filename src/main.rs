//! The `ossemu` binary: combines flags, environment and configuration file, opens the store,
//! ensures the declared resources, and serves until SIGINT/SIGTERM.

mod config;
mod config_file;
mod memory;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use ossemu_api::provision::ApplyError;
use ossemu_api::{ApiConfig, AppState};
use ossemu_store::{Store, StoreError, StoreOptions};

use crate::config::{Command, LogFormat, Settings};

/// Most threads for blocking work.
const BLOCKING_THREADS: usize = 32;

fn main() -> ExitCode {
    let (cli, matches) = config::parse();
    match &cli.command {
        Some(Command::CheckConfig { file }) => return check_config(file),
        Some(Command::Health { url }) => return health(url.as_deref(), cli.listen),
        None => {}
    }
    let settings = match config::settings(&cli, &matches) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logs(settings.log_format);
    // Blocking work (body file writes and reads, metadata flushes) is short; a burst of it,
    // such as a crowd of stalled uploads written out at once, must not grow hundreds of
    // threads (tokio's default allows 512), each keeping its stack and malloc arena.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match format {
        LogFormat::Json => logs.json().flatten_event(true).init(),
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .init(),
    }
}

/// `ossemu check-config FILE`: validates without starting.
fn check_config(file: &Path) -> ExitCode {
    let parsed = config::parse_args(["ossemu", "--config", &file.display().to_string()]);
    let result = parsed.and_then(|(cli, m)| config::settings(&cli, &m));
    match result {
        Ok(s) => {
            let domains: usize = s.buckets.iter().map(|b| b.cnames.len()).sum();
            let rules: usize = s
                .buckets
                .iter()
                .filter_map(|b| b.website.as_ref())
                .map(|w| w.rules.len())
                .sum();
            let cors = s.buckets.iter().filter(|b| b.cors.is_some()).count();
            println!(
                "{}: ok ({} buckets, {domains} custom domains, {rules} routing rules, {cors} CORS configurations, {} credentials)",
                file.display(),
                s.buckets.len(),
                s.credentials.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `ossemu health`: GET /_ossemu/health on a running server; exits 0 only on 200 (a degraded
/// store, e.g. a full disk, answers 503 with the reason, which is printed).
fn health(url: Option<&str>, listen: SocketAddr) -> ExitCode {
    let addr = match url {
        Some(u) => u
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string(),
        None if listen.ip().is_unspecified() => format!("127.0.0.1:{}", listen.port()),
        None => listen.to_string(),
    };
    let check = || -> std::io::Result<String> {
        let target = match addr.parse::<SocketAddr>() {
            Ok(a) => a,
            Err(_) => std::net::ToSocketAddrs::to_socket_addrs(&addr)?
                .next()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?,
        };
        let mut s = TcpStream::connect_timeout(&target, Duration::from_secs(3))?;
        s.set_read_timeout(Some(Duration::from_secs(3)))?;
        write!(
            s,
            "GET /_ossemu/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )?;
        let mut reply = String::new();
        s.read_to_string(&mut reply)?;
        Ok(reply)
    };
    match check() {
        Ok(reply) if reply.starts_with("HTTP/1.1 200") => {
            println!("healthy");
            ExitCode::SUCCESS
        }
        Ok(reply) => {
            let status = reply.lines().next().unwrap_or_default();
            let body = reply.split_once("\r\n\r\n").map_or("", |(_, b)| b.trim());
            println!("unhealthy: {status} {body}");
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("unreachable: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A clear message for a data directory that cannot be opened.
fn explain_open_error(e: &StoreError, dir: &Path) -> String {
    let d = dir.display();
    let text = e.to_string();
    if text.contains("lock") || text.contains("os error 11") {
        format!(
            "the data directory {d} is in use by another ossemu process (its metadata lock is held); stop it or use another --data-dir"
        )
    } else if let StoreError::NoSpace = e {
        format!(
            "the filesystem of the data directory {d} is full and its metadata store needs about 512 KiB to open \
             (ossemu keeps a {} MiB reserve file for this once it had the room); free some space",
            ossemu_store::RESERVE >> 20
        )
    } else if let StoreError::Io(io) = e
        && io.kind() == std::io::ErrorKind::PermissionDenied
    {
        format!("the data directory {d} is not writable by this user: {io}")
    } else {
        format!("opening the data directory {d}: {text}")
    }
}

async fn run(s: Settings) -> anyhow::Result<()> {
    let store = Store::open(&StoreOptions {
        data_dir: s.data_dir.clone(),
    })
    .map_err(|e| match &s.data_dir {
        Some(d) => anyhow::anyhow!(explain_open_error(&e, d)),
        None => anyhow::anyhow!("opening the in-memory store: {e}"),
    })?;
    let stats = store
        .sweep(|n| {
            tracing::info!(
                files = n,
                "sweeping the data directory (checked {n} body files so far)"
            )
        })
        .context("sweeping the data directory")?;
    if stats.temp_files + stats.orphan_blobs > 0 {
        tracing::info!(
            temp_files = stats.temp_files,
            orphan_bodies = stats.orphan_blobs,
            "removed leftovers of an earlier crash"
        );
    }
    for (domain, bucket) in &s.cnames {
        ossemu_api::provision::check_domain(domain, &s.endpoint_domains)
            .map_err(|m| anyhow::anyhow!("--cname {domain}={bucket}: {m}"))?;
    }
    if !s.buckets.is_empty() {
        match ossemu_api::provision::apply(&store, &s.region, &s.buckets).await {
            Ok(()) => tracing::info!(buckets = s.buckets.len(), "configuration applied"),
            // A full disk does not keep the server from serving what it has.
            Err(ApplyError::NoSpace(what)) => tracing::warn!(
                "the disk is full: the configuration file is not fully applied ({what}); starting anyway"
            ),
            Err(e) => anyhow::bail!("applying the configuration file: {e}"),
        }
    }
    // After the configuration file, so that --cname may name a bucket it declares.
    for (domain, bucket) in &s.cnames {
        match store
            .bind_domain(domain, bucket, ossemu_store::now_ms())
            .await
        {
            Ok(()) => {}
            Err(StoreError::NoSpace) => tracing::warn!(
                "the disk is full: --cname {domain}={bucket} is not bound; starting anyway"
            ),
            Err(e) => {
                return Err(e).with_context(|| format!("binding --cname {domain}={bucket}"));
            }
        }
    }
    match store.health() {
        Ok(()) => {}
        Err(why) => tracing::warn!("starting degraded: {why}"),
    }
    let config = ApiConfig {
        region: s.region.clone(),
        endpoint_domains: s.endpoint_domains.clone(),
        credentials: s.credentials.clone(),
        auth: s.auth,
        body_idle_timeout: s.limits.body_idle_timeout,
        body_min_rate: s.limits.body_min_rate,
        buffer_budget: s.limits.buffer_budget,
        metrics: s.metrics,
        restore_delay: s.restore_delay,
        ..ApiConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(s.listen)
        .await
        .with_context(|| format!("binding {}", s.listen))?;
    let addr = listener.local_addr()?;
    let where_ = match &s.data_dir {
        Some(d) => d.display().to_string(),
        None => "memory (nothing on disk)".to_string(),
    };
    tracing::info!("ossemu listening on http://{addr} with data in {where_}");
    let state = AppState::new(store, config, s.mirror.clone());
    state.mirror.prepare();
    tokio::spawn(memory::trim_periodically(state.clone()));
    ossemu_api::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("ossemu stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
