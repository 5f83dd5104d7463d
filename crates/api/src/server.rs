//! The accept loop: one hyper HTTP/1 connection per client, each request handed to
//! [`crate::pipeline::handle`]; graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::state::AppState;

/// Most request headers accepted (hyper's default is 100): 8 KiB of user metadata, which OSS
/// and S3 accept, can take hundreds of `x-oss-meta-*` headers.
const MAX_HEADERS: usize = 512;

/// Largest read buffer of a connection (hyper's default is about 400 KiB). Each connection
/// keeps the buffer it grew to, so this bounds what a crowd of stalled uploads can pin; 64 KiB
/// still holds the largest request head (8 KiB of user metadata plus the rest).
const MAX_READ_BUFFER: usize = 32 * 1024;

/// How long in-flight requests may run after shutdown was requested.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves `listener` until `shutdown` resolves, then lets in-flight requests finish (up to a
/// grace period) and flushes the store.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let log_flusher = crate::access_log::spawn(state.clone(), state.config.access_log_interval);
    let notifiers = crate::notify::spawn(&state);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                let st = state.clone();
                let svc = hyper::service::service_fn(move |req| {
                    crate::pipeline::handle(st.clone(), peer, req)
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .keep_alive(true)
                    // A client may shut its write side down after a whole request and still
                    // wait for the answer.
                    .half_close(true)
                    .max_headers(MAX_HEADERS)
                    .max_buf_size(MAX_READ_BUFFER)
                    .serve_connection(TokioIo::new(tcp), svc);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, %peer, "connection ended with an error");
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    // Open request-trail streams would otherwise hold their connections to the grace period.
    state.trail.close();
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("in-flight requests did not finish in time"),
    }
    if let Some(task) = log_flusher {
        task.abort();
    }
    for task in notifiers {
        task.abort();
    }
    if let Err(e) = crate::access_log::flush(&state).await {
        tracing::error!(error = ?e.code, "final access log flush failed");
    }
    if let Err(e) = state.store.flush().await {
        tracing::error!(error = %e, "final metadata flush failed");
    }
    Ok(())
}
