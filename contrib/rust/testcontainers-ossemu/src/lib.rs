//! [Testcontainers](https://docs.rs/testcontainers) module for ossemu, a local S3- and
//! Alibaba-OSS-compatible object store.
//!
//! [`Ossemu`] runs the image named by `OSSEMU_IMAGE` (default `ossemu:latest`) with an
//! in-memory store on the host's network, listening on a free port of 127.0.0.1 (so the
//! Docker engine must run on this machine). Buckets and a configuration file are declared up
//! front; ossemu's own start-up creates them.
//!
//! ```no_run
//! use testcontainers_ossemu::Ossemu;
//!
//! # async fn example() -> testcontainers::core::error::Result<()> {
//! let ossemu = Ossemu::default().with_bucket("demo").start().await?;
//! let (endpoint, ak, sk) = (ossemu.image().endpoint(), ossemu.image().access_key(), ossemu.image().secret_key());
//! // ... point an S3 or OSS client at `endpoint` with path-style addressing ...
//! # let _ = (endpoint, ak, sk);
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use testcontainers::core::logs::LogFrame;
use testcontainers::core::{CopyToContainer, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, Image, ImageExt, TestcontainersError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Where the configuration file goes inside the container.
pub const CONFIG_PATH: &str = "/etc/ossemu/ossemu.toml";

/// The image used when `OSSEMU_IMAGE` is not set.
pub const DEFAULT_IMAGE: &str = "ossemu:latest";

/// ossemu in a container. Build it with [`Ossemu::default`] and the `with_*` methods, then
/// [`Ossemu::start`] it; the running container's [`ContainerAsync::image`] gives the endpoint
/// and credential. The container is removed when the [`ContainerAsync`] is dropped.
#[derive(Debug, Clone)]
pub struct Ossemu {
    name: String,
    tag: String,
    port: u16,
    access_key: String,
    secret_key: String,
    env_vars: BTreeMap<String, String>,
    config: String,
    buckets: Vec<(String, String)>,
    copy: Vec<CopyToContainer>,
}

impl Default for Ossemu {
    /// The `OSSEMU_IMAGE` image (or [`DEFAULT_IMAGE`]), credential `ossemu` /
    /// `ossemu-secret`, a free port of 127.0.0.1, no buckets.
    fn default() -> Self {
        let image = std::env::var("OSSEMU_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_string());
        let (name, tag) = split_image(&image);
        let port = free_port();
        let mut env_vars = BTreeMap::new();
        env_vars.insert("OSSEMU_LISTEN".into(), format!("127.0.0.1:{port}"));
        env_vars.insert("OSSEMU_MEMORY".into(), "true".into());
        let mut ossemu = Ossemu {
            name,
            tag,
            port,
            access_key: String::new(),
            secret_key: String::new(),
            env_vars,
            config: String::new(),
            buckets: Vec::new(),
            copy: Vec::new(),
        };
        ossemu = ossemu.with_credentials("ossemu", "ossemu-secret");
        ossemu
    }
}

/// `name[:tag]`, where a `:` after the last `/` starts the tag.
fn split_image(image: &str) -> (String, String) {
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(i) => (
            image[..slash + i].to_string(),
            image[slash + i + 1..].to_string(),
        ),
        None => (image.to_string(), "latest".to_string()),
    }
}

/// A free TCP port of 127.0.0.1 (the kernel's pick; released at once for the container).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Ossemu {
    /// A bucket ensured at start-up, private, owned by the default credential.
    pub fn with_bucket(self, name: &str) -> Self {
        self.with_bucket_acl(name, "private")
    }

    /// A bucket ensured at start-up with a canned ACL (`private`, `public-read`,
    /// `public-read-write`, `authenticated-read`).
    pub fn with_bucket_acl(mut self, name: &str, acl: &str) -> Self {
        self.buckets.push((name.to_string(), acl.to_string()));
        self.render();
        self
    }

    /// An ossemu configuration file on this machine (settings, credentials, buckets, website
    /// rules, CORS), copied into the container; a `website_file` it names is not copied.
    /// Listening, storage and the default credential stay the container's.
    pub fn with_config(mut self, path: impl AsRef<Path>) -> std::io::Result<Self> {
        self.config = std::fs::read_to_string(path)?;
        self.render();
        Ok(self)
    }

    /// The default credential.
    pub fn with_credentials(mut self, access_key: &str, secret_key: &str) -> Self {
        self.access_key = access_key.to_string();
        self.secret_key = secret_key.to_string();
        self.env_vars
            .insert("OSSEMU_ACCESS_KEY".into(), access_key.into());
        self.env_vars
            .insert("OSSEMU_SECRET_KEY".into(), secret_key.into());
        self
    }

    /// The configuration file the container gets: [`Ossemu::with_config`]'s, then the
    /// buckets.
    pub fn config_text(&self) -> String {
        let mut text = self.config.clone();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        for (name, acl) in &self.buckets {
            text.push_str(&format!(
                "\n[[buckets]]\nname = {}\nacl = {}\n",
                toml_string(name),
                toml_string(acl)
            ));
        }
        text
    }

    fn render(&mut self) {
        self.env_vars
            .insert("OSSEMU_CONFIG".into(), CONFIG_PATH.into());
        self.copy = vec![CopyToContainer::new(
            self.config_text().into_bytes(),
            CONFIG_PATH,
        )];
    }

    /// `http://127.0.0.1:<port>`; use path-style addressing.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The default credential's access key.
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// Its secret.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// Starts the container on the host's network and returns once `/_ossemu/health`
    /// answers 200.
    pub async fn start(self) -> testcontainers::core::error::Result<ContainerAsync<Ossemu>> {
        // The server's own lines, for the error when it does not start.
        let log = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = log.clone();
        let request = self
            .with_network("host")
            .with_log_consumer(move |frame: &LogFrame| {
                sink.lock().unwrap().extend_from_slice(frame.bytes());
            });
        let container = match request.start().await {
            Ok(c) => c,
            Err(e) => {
                // The consumer runs in a task of its own; give it the last lines.
                tokio::time::sleep(Duration::from_millis(200)).await;
                let log = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
                return Err(TestcontainersError::other(format!(
                    "ossemu did not start ({e}):\n{log}"
                )));
            }
        };
        let addr = format!("127.0.0.1:{}", container.image().port);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !healthy(&addr).await {
            if tokio::time::Instant::now() > deadline {
                let mut log = container.stdout_to_vec().await.unwrap_or_default();
                log.extend(container.stderr_to_vec().await.unwrap_or_default());
                return Err(TestcontainersError::other(format!(
                    "ossemu did not become healthy at {addr}:\n{}",
                    String::from_utf8_lossy(&log)
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(container)
    }
}

/// Whether `GET /_ossemu/health` answers 200.
async fn healthy(addr: &str) -> bool {
    let ask = async {
        let mut tcp = tokio::net::TcpStream::connect(addr).await?;
        let head =
            format!("GET /_ossemu/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        tcp.write_all(head.as_bytes()).await?;
        let mut reply = Vec::new();
        tcp.read_to_end(&mut reply).await?;
        Ok::<_, std::io::Error>(reply.starts_with(b"HTTP/1.1 200"))
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), ask).await,
        Ok(Ok(true))
    )
}

impl Image for Ossemu {
    fn name(&self) -> &str {
        &self.name
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        vec![WaitFor::message_on_stdout("listening on http://")]
    }

    fn env_vars(
        &self,
    ) -> impl IntoIterator<Item = (impl Into<Cow<'_, str>>, impl Into<Cow<'_, str>>)> {
        &self.env_vars
    }

    fn copy_to_sources(&self) -> impl IntoIterator<Item = &CopyToContainer> {
        &self.copy
    }
}

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_split_at_the_tag() {
        assert_eq!(split_image("ossemu"), ("ossemu".into(), "latest".into()));
        assert_eq!(split_image("ossemu:dev"), ("ossemu".into(), "dev".into()));
        assert_eq!(
            split_image("localhost:5000/team/ossemu:1.2"),
            ("localhost:5000/team/ossemu".into(), "1.2".into())
        );
        assert_eq!(
            split_image("localhost:5000/ossemu"),
            ("localhost:5000/ossemu".into(), "latest".into())
        );
    }

    #[test]
    fn buckets_follow_the_configuration_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ossemu.toml");
        std::fs::write(&file, "region = \"oss-cn-beijing\"").unwrap();
        let o = Ossemu::default()
            .with_config(&file)
            .unwrap()
            .with_bucket("a\"b");
        assert_eq!(
            o.config_text(),
            "region = \"oss-cn-beijing\"\n\n[[buckets]]\nname = \"a\\\"b\"\nacl = \"private\"\n"
        );
    }
}
