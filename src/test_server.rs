//! [`TestServer`]: an in-memory ossemu on a free loopback port, for tests in other crates.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches};
use ossemu_api::AppState;
use ossemu_api::provision::BucketSpec;

use crate::config::{self, Cli};

/// An ossemu server with an in-memory store, listening on a free port of 127.0.0.1, started
/// with the binary's own start-up code. It runs on a thread of its own (with its own async
/// runtime), so it serves plain `#[test]`s and `#[tokio::test]`s alike. Dropping it stops the
/// server: in-flight requests finish first, and the store is discarded.
pub struct TestServer {
    addr: SocketAddr,
    endpoint: String,
    access_key: String,
    secret_key: String,
    region: String,
    state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Settings for a [`TestServer`]; [`TestServer::builder`] makes one.
#[derive(Debug, Default)]
pub struct TestServerBuilder {
    args: Vec<OsString>,
    buckets: Vec<(String, String)>,
}

impl TestServerBuilder {
    /// Adds a command-line flag or value of the `ossemu` binary, e.g. `"--restore-delay"`
    /// then `"0"`. `--listen` and `--memory` are set already; `OSSEMU_*` environment
    /// variables are ignored.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds several flags or values, as [`TestServerBuilder::arg`].
    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// The default credential (`ossemu` / `ossemu-secret` unless set).
    pub fn credentials(self, access_key: &str, secret_key: &str) -> Self {
        self.args(["--access-key", access_key, "--secret-key", secret_key])
    }

    /// A configuration file (`--config`): settings, credentials and buckets to ensure.
    pub fn config_file(self, path: impl AsRef<Path>) -> Self {
        self.arg("--config").arg(path.as_ref().as_os_str())
    }

    /// A private bucket created at start, owned by the default credential.
    pub fn bucket(self, name: &str) -> Self {
        self.bucket_with_acl(name, "private")
    }

    /// A bucket created at start with a canned ACL (`private`, `public-read`,
    /// `public-read-write` or `authenticated-read`), owned by the default credential.
    pub fn bucket_with_acl(mut self, name: &str, acl: &str) -> Self {
        self.buckets.push((name.to_string(), acl.to_string()));
        self
    }

    /// Starts the server; returns once it accepts connections.
    pub fn start(self) -> anyhow::Result<TestServer> {
        for (name, acl) in &self.buckets {
            let checked = ossemu_api::provision::check_bucket_name(name)
                .and_then(|()| ossemu_api::provision::check_acl(acl));
            checked.map_err(|m| anyhow::anyhow!("bucket {name}: {m}"))?;
        }
        let mut settings = self.settings()?;
        let access_key = settings.credentials[0].access_key.clone();
        let secret_key = settings.credentials[0].secret_key.clone();
        let region = settings.region.clone();
        // Buckets named here join those of a configuration file.
        settings
            .buckets
            .extend(self.buckets.iter().map(|(name, acl)| BucketSpec {
                name: name.clone(),
                owner: access_key.clone(),
                acl: acl.clone(),
                ..BucketSpec::default()
            }));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("ossemu-test-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .context("starting the test server's runtime")?;
                runtime.block_on(async move {
                    let ready = match crate::prepare(&settings).await {
                        Ok(r) => r,
                        Err(e) => {
                            let _ = ready_tx.send(Err(format!("{e:#}")));
                            return Ok(());
                        }
                    };
                    let _ = ready_tx.send(Ok((ready.addr(), ready.state().clone())));
                    ready
                        .serve(async {
                            let _ = stopped.await;
                        })
                        .await
                })
            })
            .context("spawning the test server's thread")?;
        let (addr, state) = match ready_rx.recv() {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                let _ = thread.join();
                anyhow::bail!("the test server did not start: {e}");
            }
            Err(_) => match thread.join() {
                Ok(Err(e)) => return Err(e),
                _ => anyhow::bail!("the test server's thread ended before it started"),
            },
        };
        Ok(TestServer {
            addr,
            endpoint: format!("http://{addr}"),
            access_key,
            secret_key,
            region,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The binary's settings for these arguments, with the environment left out.
    fn settings(&self) -> anyhow::Result<config::Settings> {
        let mut argv: Vec<OsString> = vec!["ossemu".into()];
        argv.extend(self.args.iter().cloned());
        argv.extend(["--listen", "127.0.0.1:0", "--memory"].map(OsString::from));
        // Without the environment a test's server is the same on every machine.
        let matches = Cli::command()
            .mut_args(|a| a.env(None))
            .try_get_matches_from(argv)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let cli = Cli::from_arg_matches(&matches).map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(
            cli.command.is_none(),
            "a test server takes flags, not a subcommand"
        );
        config::settings(&cli, &matches).map_err(|e| anyhow::anyhow!("{e}"))
    }
}

impl TestServer {
    /// Starts a server with the defaults: credential `ossemu` / `ossemu-secret`, region
    /// `oss-cn-hangzhou`, no buckets.
    pub fn start() -> anyhow::Result<TestServer> {
        Self::builder().start()
    }

    /// A builder for a server with flags, buckets or a configuration file.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// The endpoint URL, `http://127.0.0.1:<port>`; use path-style addressing.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The access key of the default credential.
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// Its secret.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The OSS region the server reports (`oss-cn-hangzhou` by default; OSS V4 signatures
    /// use it without `oss-`). S3 clients may sign for any region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Moves the server's clock for time-based rules (retention periods, WORM windows,
    /// restores of archived objects) forward, so a test sees a period end without waiting.
    pub fn advance_clock(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.state.clock.advance(ms);
    }

    /// Stops the server and waits for it; in-flight requests finish first. Dropping the
    /// server does the same and ignores the outcome.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => anyhow::bail!("the test server's thread panicked"),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}
