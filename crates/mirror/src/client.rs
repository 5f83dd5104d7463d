//! The HTTP clients that fetch from origins, and the root certificates they check https
//! origins against: the system's, or the Mozilla roots built in when the system has none (a
//! `scratch` or distroless image, a slim one without the `ca-certificates` package), so that
//! a missing certificate store never keeps ossemu from starting.
//!
//! The clients are built once, on first use or ahead of it by [`Lazy::prepare`]: loading the
//! system's roots for the two clients took about 13 ms, more than all the rest of start-up,
//! and most servers never mirror.

use std::sync::{Arc, OnceLock};

use crate::{MirrorConfig, guard};

/// Where the roots that https origins are checked against come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Roots {
    /// The system's certificate store (`SSL_CERT_FILE` / `SSL_CERT_DIR` when set), through
    /// rustls-platform-verifier.
    System,
    /// The Mozilla root program's certificates built into the binary (webpki-root-certs).
    Bundled,
}

/// The two clients a fetcher needs: one following redirects, one passing them on.
pub(crate) struct Clients {
    pub follow: reqwest::Client,
    pub no_follow: reqwest::Client,
}

/// How long [`Lazy::prepare`] waits: past a server's first answers, which the work would
/// otherwise slow down on a busy machine.
const PREPARE_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

/// The clients, built once.
pub(crate) struct Lazy {
    cell: Arc<OnceLock<Option<Clients>>>,
    config: MirrorConfig,
}

impl Lazy {
    /// Nothing is built yet.
    pub fn new(config: MirrorConfig) -> Self {
        Self {
            cell: Arc::new(OnceLock::new()),
            config,
        }
    }

    /// Builds the clients on a thread of their own [`PREPARE_AFTER`] from now, so that neither
    /// start-up nor the first fetch waits for them (a fetch before then builds them).
    pub fn prepare(&self) {
        if self.cell.get().is_some() {
            return;
        }
        let (cell, config) = (self.cell.clone(), self.config.clone());
        // Should no thread be had, the first fetch builds them.
        let _ = std::thread::Builder::new()
            .name("ossemu-mirror-tls".into())
            .spawn(move || {
                std::thread::sleep(PREPARE_AFTER);
                cell.get_or_init(|| built(&config));
            });
    }

    /// The clients, built now unless they are (or are being) already; `None` when they
    /// cannot be (logged once).
    pub async fn get(&self) -> Option<&Clients> {
        if self.cell.get().is_none() {
            let (cell, config) = (self.cell.clone(), self.config.clone());
            let _ = tokio::task::spawn_blocking(move || {
                cell.get_or_init(|| built(&config));
            })
            .await;
        }
        self.cell.get().and_then(Option::as_ref)
    }
}

fn built(config: &MirrorConfig) -> Option<Clients> {
    match build(config) {
        Ok(clients) => Some(clients),
        Err(e) => {
            tracing::error!(
                "building the origin HTTP client: {}; mirror fetches fail",
                chain(&e)
            );
            None
        }
    }
}

/// The clients with the system's roots, or with the bundled ones when the system's cannot be
/// loaded.
fn build(config: &MirrorConfig) -> Result<Clients, reqwest::Error> {
    let system = match with_roots(config, Roots::System) {
        Ok(clients) => return Ok(clients),
        Err(e) => e,
    };
    let Ok(clients) = with_roots(config, Roots::Bundled) else {
        return Err(system);
    };
    tracing::info!(
        "no usable system CA certificates ({}): https origins are checked against the {} Mozilla roots built into ossemu",
        chain(&system),
        webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
    );
    Ok(clients)
}

fn with_roots(config: &MirrorConfig, roots: Roots) -> Result<Clients, reqwest::Error> {
    let client = |policy: reqwest::redirect::Policy| {
        let builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .redirect(policy)
            .dns_resolver(guard::GuardedResolver(config.origins))
            .no_proxy()
            .user_agent(config.user_agent.clone());
        match roots {
            Roots::System => builder,
            Roots::Bundled => builder.tls_certs_only(bundled()),
        }
        .build()
    };
    Ok(Clients {
        follow: client(guard::redirect_policy(config.origins, config.max_redirects))?,
        no_follow: client(reqwest::redirect::Policy::none())?,
    })
}

/// The built-in roots as reqwest certificates (every one of them parses).
fn bundled() -> Vec<reqwest::Certificate> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der).ok())
        .collect()
}

/// An error with its causes, `a: b: c`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_roots_all_parse_and_build_clients() {
        assert!(bundled().len() > 100);
        assert_eq!(
            bundled().len(),
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
        );
        assert!(with_roots(&MirrorConfig::default(), Roots::Bundled).is_ok());
    }
}
