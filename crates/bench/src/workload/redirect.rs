//! `redirect`: anonymous GETs of missing keys through a custom domain, answered `302` by an
//! External routing rule, and its reference `plain-404`: anonymous GETs of missing keys no
//! rule matches, through the same domain, answered `404 NoSuchKey`. Both hit the same bucket
//! of the same server, so the ratio is the cost of evaluating the rule and building the
//! `Location`.

use bytes::Bytes;
use http::{Method, StatusCode};

use super::backorigin::{REDIRECT_HOST, REDIRECT_PREFIX};
use super::{BoxFut, Ctx, Outcome, Setup, Workload};
use crate::client::{SendOpts, SignAs};
use crate::origin::OriginConfig;

/// One of the two workloads.
struct Redirect {
    /// `true`: keys under the rule's prefix (302); `false`: keys outside it (404).
    redirected: bool,
    origin: OriginConfig,
}

/// Builds `redirect`.
pub(super) fn build_redirect(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Redirect {
        redirected: true,
        origin: setup.origin,
    })
}

/// Builds `plain-404`.
pub(super) fn build_404(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Redirect {
        redirected: false,
        origin: setup.origin,
    })
}

impl Redirect {
    async fn get(&self, cx: &Ctx, seq: u64) -> Result<(), String> {
        let env = cx
            .back_origin(self.origin)
            .await
            .map_err(|e| format!("{e:#}"))?;
        let key = if self.redirected {
            format!("{REDIRECT_PREFIX}{seq:08}.html")
        } else {
            format!("n/{seq:08}.html")
        };
        let opts = SendOpts {
            headers: &[],
            host: Some(&env.redirect_domain),
            sign: SignAs::Anonymous,
        };
        let r = cx
            .client
            .send_with(Method::GET, &format!("/{key}"), &[], Bytes::new(), &opts)
            .await
            .map_err(|e| format!("GET {key}: {e:#}"))?;
        if self.redirected {
            let want = format!("http://{REDIRECT_HOST}/{key}");
            if r.status != StatusCode::FOUND || r.header("location") != want {
                let got = format!("{} Location {:?}", r.status, r.header("location"));
                let _ = r.drain().await;
                return Err(format!("GET {key}: {got}, expected 302 to {want}"));
            }
            r.drain().await.map_err(|e| format!("GET {key}: {e:#}"))?;
        } else {
            if r.status != StatusCode::NOT_FOUND {
                return Err(r.unexpected(&format!("GET {key}")).await);
            }
            let body = r.bytes().await.map_err(|e| format!("GET {key}: {e:#}"))?;
            let code = crate::xml::first_text(&body, "Code").unwrap_or_default();
            if code != "NoSuchKey" {
                return Err(format!(
                    "GET {key}: 404 with code {code:?}, expected NoSuchKey"
                ));
            }
        }
        Ok(())
    }
}

impl Workload for Redirect {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move { cx.back_origin(self.origin).await.map(|_| ()) })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            match self.get(cx, seq).await {
                Ok(()) => Outcome::Ok {
                    bytes: 0,
                    ttfb: None,
                },
                Err(e) => Outcome::Err(e),
            }
        })
    }
}
