//! Delivery: one worker per webhook target POSTs its messages in order, each until a 2xx
//! answer or [`ATTEMPTS`] attempts (about a minute, backing off), then goes on to the next.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};

use super::Webhook;
use super::queue::{Counts, Entry, Queue};
use crate::state::AppState;

/// Attempts per message.
pub const ATTEMPTS: u32 = 10;
/// The pause after the first failed attempt; each later one doubles, up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(250);
/// The longest pause between attempts.
const MAX_PAUSE: Duration = Duration::from_secs(16);
/// How long one attempt may take.
const TIMEOUT: Duration = Duration::from_secs(10);

type Client = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

/// The pause before attempt `n + 1` after attempt `n` (from 1) failed.
pub fn pause(n: u32) -> Duration {
    FIRST_PAUSE
        .saturating_mul(1 << n.saturating_sub(1).min(16))
        .min(MAX_PAUSE)
}

/// `host[:port]` and `/path?query` of an `http://` URL (the `http://` required, no
/// userinfo): [`crate::callback::target`]'s split, which callback URLs use too.
pub fn split_url(url: &str) -> Option<(String, String)> {
    if !url.starts_with("http://") {
        return None;
    }
    crate::callback::target(url).filter(|(authority, _)| !authority.contains('@'))
}

/// One POST of `body`; `Ok` for a 2xx answer.
async fn post(client: &Client, hook: &Webhook, body: Bytes) -> Result<(), String> {
    let (authority, path) = split_url(&hook.url).ok_or("not an http:// URL")?;
    let mut req = http::Request::post(format!("http://{authority}{path}"))
        .header(http::header::HOST, &authority)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::USER_AGENT, "ossemu-notifications");
    if let Some((name, value)) = &hook.auth_header {
        req = req.header(name.as_str(), value.as_str());
    }
    let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
    let status = tokio::time::timeout(TIMEOUT, async {
        let resp = client.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        // Read the answer so the connection can be used again, but never more of it than
        // a callback answer may be.
        let _ = Limited::new(resp.into_body(), crate::callback::MAX_ANSWER)
            .collect()
            .await;
        Ok::<_, String>(status)
    })
    .await
    .map_err(|_| format!("no answer within {}s", TIMEOUT.as_secs()))??;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("answered {status}"))
    }
}

/// Attempts to deliver `entry` until a 2xx answer, the last attempt, or its leaving the queue
/// (dropped from a full queue meanwhile); the counter of the outcome, `None` when dropped
/// (counted then).
async fn attempts<'c>(
    client: &Client,
    hook: &Webhook,
    queue: &Queue,
    entry: &Entry,
    counts: &'c Counts,
) -> Option<&'c AtomicU64> {
    let mut attempt = 1;
    loop {
        let why = match post(client, hook, entry.body.clone()).await {
            Ok(()) => return Some(&counts.delivered),
            Err(why) => why,
        };
        counts.failed_attempts.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(target = %hook.name, attempt, %why, "event notification not delivered yet");
        if attempt == ATTEMPTS {
            tracing::warn!(target = %hook.name, url = %hook.url, %why, "event notification given up after {ATTEMPTS} attempts");
            return Some(&counts.failed);
        }
        tokio::time::sleep(pause(attempt)).await;
        if queue.head(&hook.name).map(|e| e.seq) != Some(entry.seq) {
            return None;
        }
        attempt += 1;
    }
}

/// Delivers the messages of `hook`, in order, for as long as the server runs.
pub async fn run(state: Arc<AppState>, hook: Webhook) {
    let client: Client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let queue: &Queue = &state.notify.queue;
    let wake = queue.waker(&hook.name);
    let counts = queue.counts(&hook.name);
    loop {
        let Some(entry) = queue.head(&hook.name) else {
            wake.notified().await;
            continue;
        };
        let outcome = attempts(&client, &hook, queue, &entry, &counts).await;
        if let Some(counter) = outcome {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        queue.remove(&state.store, &hook.name, entry.seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_over_about_a_minute() {
        let total: Duration = (1..ATTEMPTS).map(pause).sum();
        assert!(
            total >= Duration::from_secs(45) && total <= Duration::from_secs(90),
            "{total:?}"
        );
        assert_eq!(pause(1), FIRST_PAUSE);
        assert_eq!(pause(2), FIRST_PAUSE * 2);
    }

    #[test]
    fn urls() {
        assert_eq!(
            split_url("http://127.0.0.1:9/hook?x=1"),
            Some(("127.0.0.1:9".into(), "/hook?x=1".into()))
        );
        assert_eq!(split_url("http://h"), Some(("h".into(), "/".into())));
        assert_eq!(split_url("https://h/"), None);
        assert_eq!(split_url("http:///x"), None);
    }
}
