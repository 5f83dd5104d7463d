//! The `ossemu` binary: parses the command line, opens the store, serves until SIGINT/SIGTERM.

mod config;

use anyhow::Context;
use clap::Parser;
use ossemu_api::{ApiConfig, AppState, AuthMode, Credential};
use ossemu_store::{Store, StoreOptions};

use crate::config::Cli;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let data_dir = (!cli.memory).then(|| cli.data_dir.clone());
    let store = Store::open(&StoreOptions {
        data_dir: data_dir.clone(),
    })
    .with_context(|| match &data_dir {
        Some(d) => format!("opening the data directory {}", d.display()),
        None => "opening the in-memory store".to_string(),
    })?;
    let stats = store
        .sweep(|n| tracing::info!(files = n, "sweeping the data directory"))
        .context("sweeping the data directory")?;
    if stats.temp_files + stats.orphan_blobs > 0 {
        tracing::info!(
            temp_files = stats.temp_files,
            orphan_bodies = stats.orphan_blobs,
            "removed leftovers of an earlier crash"
        );
    }
    for (domain, bucket) in &cli.cnames {
        store
            .meta()
            .bind_domain(domain, bucket, ossemu_store::now_ms())
            .with_context(|| format!("binding --cname {domain}={bucket}"))?;
    }
    let config = ApiConfig {
        region: cli.region.clone(),
        endpoint_domains: cli
            .endpoint_domains
            .iter()
            .map(|d| d.trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect(),
        credentials: std::iter::once(Credential {
            access_key: cli.access_key.clone(),
            secret_key: cli.secret_key.clone(),
            display_name: cli.access_key.clone(),
        })
        .chain(cli.credentials.iter().cloned())
        .collect(),
        auth: match cli.auth {
            config::Auth::On => AuthMode::On,
            config::Auth::Off => AuthMode::Off,
        },
        ..ApiConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("binding {}", cli.listen))?;
    let addr = listener.local_addr()?;
    let where_ = match &data_dir {
        Some(d) => d.display().to_string(),
        None => format!("memory (temporary {})", store.root().display()),
    };
    tracing::info!("ossemu listening on http://{addr} with data in {where_}");
    let mirror = ossemu_mirror::MirrorConfig {
        connect_timeout: std::time::Duration::from_secs(cli.mirror_connect_timeout),
        read_timeout: std::time::Duration::from_secs(cli.mirror_read_timeout),
        tag: match cli.mirror_tag {
            config::MirrorTag::Url => ossemu_mirror::TagStyle::Url,
            config::MirrorTag::Bare => ossemu_mirror::TagStyle::Bare,
        },
        ..ossemu_mirror::MirrorConfig::default()
    };
    let state = AppState::new(store, config, mirror).context("setting up the origin fetcher")?;
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
