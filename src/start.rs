//! Start-up, shared by the `ossemu` binary and [`crate::TestServer`]: open the store, ensure
//! the declared resources, bind the address, then serve until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use ossemu_api::provision::ApplyError;
use ossemu_api::{ApiConfig, AppState};
use ossemu_store::{Store, StoreError, StoreOptions};

use crate::config::Settings;
use crate::memory;

/// A server whose store is open, whose declarations are applied and whose address is bound;
/// it answers once [`Ready::serve`] runs.
pub struct Ready {
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    addr: SocketAddr,
    /// How often lifecycle rules run on their own (`--lifecycle-interval`).
    lifecycle_interval: std::time::Duration,
}

impl Ready {
    /// The bound address (the actual port when the settings asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's shared state.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and flushes.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        tokio::spawn(memory::trim_periodically(self.state.clone()));
        ossemu_api::lifecycle::run::spawn(self.state.clone(), self.lifecycle_interval);
        ossemu_api::serve(self.listener, self.state, shutdown).await?;
        tracing::info!("ossemu stopped");
        Ok(())
    }
}

/// The whole life of the `ossemu` binary: [`prepare`], then serve until `shutdown` resolves.
pub async fn run(s: Settings, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    prepare(&s).await?.serve(shutdown).await
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

/// Opens the store, ensures what the settings declare and binds the listening address.
pub async fn prepare(s: &Settings) -> anyhow::Result<Ready> {
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
        console: s.console,
        restore_delay: s.restore_delay,
        access_log_interval: s.access_log_interval,
        webhooks: s.webhooks.clone(),
        notify_queue: s.notify_queue,
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
    Ok(Ready {
        listener,
        state,
        addr,
        lifecycle_interval: s.lifecycle_interval,
    })
}
