//! Asking the origin: the request (with failover to the secondary origin) and what its
//! status means.

use std::time::Instant;

use bytes::Bytes;
use futures_util::StreamExt;
use ossemu_rules::path::masked_userinfo;
use ossemu_store::BlobWriter;
use tokio::sync::watch;

use crate::flight::{GENERIC, State, failure};
use crate::guard;
use crate::hop::{self, HOP_HEADER};
use crate::{FetchPlan, Mirror};

/// Largest body passed through for a TransparentMirrorResponseCodes status.
const MAX_TRANSPARENT_BODY: usize = 1 << 20;

/// The end of a fetch: final state, origin status, origin URL, and for MirrorProxyPass the
/// writer whose temp file holds the body.
pub(crate) struct Fetched {
    pub(crate) state: State,
    pub(crate) origin_status: u16,
    pub(crate) url: String,
    pub(crate) proxied: Option<BlobWriter>,
}

/// Asks the origin and follows its answer to the end of the fetch.
pub(crate) async fn fetch(mirror: &Mirror, plan: &FetchPlan, tx: &watch::Sender<State>) -> Fetched {
    let asked = Instant::now();
    let answered = request(mirror, plan).await;
    mirror.stats.origin_latency(asked.elapsed().as_secs_f64());
    let (resp, url) = match answered {
        Ok(r) => r,
        Err((state, url)) => {
            return Fetched {
                state,
                origin_status: 0,
                url,
                proxied: None,
            };
        }
    };
    let status = resp.status().as_u16();
    let mut proxied = None;
    let state = match status {
        s if plan.transparent_codes.contains(&s) => transparent(resp, s).await,
        200 | 206 => {
            let (state, writer) = crate::stream::stream(mirror, plan, tx, resp, &url).await;
            proxied = writer;
            state
        }
        404 => State::NotFound,
        301 | 302 | 303 | 307 | 308 if !plan.follow_redirects => State::Redirect(
            resp.headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
        ),
        s => failure(
            format!("Error status : {s} from mirror host, should return 200 OK"),
            s,
            false,
        ),
    };
    Fetched {
        state,
        origin_status: status,
        url,
        proxied,
    }
}

/// Whether an answer from the primary origin sends the request to the secondary one.
fn fails_over(plan: &FetchPlan, status: u16) -> bool {
    status >= 500
        || (plan.switch_all_errors && ![200, 206, 301, 302, 303, 307, 404].contains(&status))
}

/// Sends the request to the primary origin, and to the secondary when the primary fails.
async fn request(
    mirror: &Mirror,
    plan: &FetchPlan,
) -> Result<(reqwest::Response, String), (State, String)> {
    let primary = send(mirror, plan, &plan.url).await;
    let failed = match &primary {
        Ok(r) => fails_over(plan, r.status().as_u16()),
        Err(_) => true,
    };
    match (&plan.slave_url, failed) {
        (Some(slave), true) => {
            tracing::info!(
                rule = plan.rule,
                primary = %masked_userinfo(&plan.url),
                secondary = %masked_userinfo(slave),
                "mirror failing over to the secondary origin"
            );
            send(mirror, plan, slave)
                .await
                .map(|r| (r, slave.clone()))
                .map_err(|f| (f, slave.clone()))
        }
        _ => primary
            .map(|r| (r, plan.url.clone()))
            .map_err(|f| (f, plan.url.clone())),
    }
}

async fn send(mirror: &Mirror, plan: &FetchPlan, url: &str) -> Result<reqwest::Response, State> {
    let Some(clients) = mirror.clients.get().await else {
        return Err(failure(GENERIC, 0, false));
    };
    let client = if plan.follow_redirects {
        &clients.follow
    } else {
        &clients.no_follow
    };
    // Redirects and host names are checked by the client; an IP literal here is not.
    if let Ok(parsed) = reqwest::Url::parse(url)
        && let Err(e) = guard::check_url(mirror.config.origins, &parsed)
    {
        return Err(refused(plan, url, e));
    }
    let mut req = client.get(url);
    for (k, v) in &plan.headers {
        if !k.eq_ignore_ascii_case(HOP_HEADER) {
            req = req.header(k.as_str(), v.as_str());
        }
    }
    req = req.header(HOP_HEADER, hop::header_value(&plan.hops, &mirror.instance));
    req.send().await.map_err(|e| {
        if let Some(f) = guard::forbidden(&e) {
            return refused(plan, url, f);
        }
        let redirect = e.is_redirect();
        let e = e.without_url();
        tracing::debug!(error = %e, url = %masked_userinfo(url), "origin request failed");
        if redirect {
            failure(GENERIC, 0, false)
        } else {
            failure(
                "Error status : 0 from mirror host, should return 200 OK",
                0,
                false,
            )
        }
    })
}

/// A fetch the address policy stopped: OSS's message for an origin it may not use.
fn refused(plan: &FetchPlan, url: &str, e: guard::ForbiddenAddress) -> State {
    tracing::warn!(rule = plan.rule, url = %masked_userinfo(url), "mirror fetch refused: {e}");
    failure(GENERIC, 0, false)
}

/// A TransparentMirrorResponseCodes answer: status, type and (bounded) body passed through.
async fn transparent(resp: reqwest::Response, status: u16) -> State {
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    let mut s = resp.bytes_stream();
    while let Some(chunk) = s.next().await {
        match chunk {
            Ok(c) if body.len() + c.len() <= MAX_TRANSPARENT_BODY => body.extend_from_slice(&c),
            Ok(_) => break,
            Err(_) => {
                return failure(
                    "Read body from mirror host failed, please check your mirror host",
                    status,
                    false,
                );
            }
        }
    }
    State::Transparent {
        status,
        content_type,
        body: Bytes::from(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failover_on_5xx_always_and_on_other_errors_when_asked() {
        let mut plan = FetchPlan::default();
        assert!(fails_over(&plan, 500) && fails_over(&plan, 503));
        assert!(!fails_over(&plan, 403) && !fails_over(&plan, 404));
        plan.switch_all_errors = true;
        assert!(fails_over(&plan, 403) && fails_over(&plan, 400));
        for kept in [200, 206, 301, 302, 303, 307, 404] {
            assert!(!fails_over(&plan, kept), "{kept}");
        }
    }
}
