//! Command line, environment and configuration file. Every flag also reads `OSSEMU_<FLAG>`;
//! a value given as a flag wins over the environment, which wins over the file, which wins
//! over the default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use ossemu_api::provision::BucketSpec;
use ossemu_api::{AuthMode, Credential, MetricsAccess};
use ossemu_mirror::{MirrorConfig, OriginAddresses, TagStyle};

use crate::config_file;

/// ossemu: a local S3- and Alibaba-OSS-compatible object store with OSS back-to-origin.
#[derive(Debug, Parser)]
#[command(name = "ossemu", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Configuration file (TOML): settings and the buckets, domains, website rules and CORS
    /// rules to ensure at start-up. See fixtures/config/ossemu.toml.
    #[arg(long, env = "OSSEMU_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address to listen on.
    #[arg(long, env = "OSSEMU_LISTEN", default_value = "127.0.0.1:9000")]
    pub listen: SocketAddr,

    /// Data directory: sled metadata in `meta/`, object bodies in `blobs/`.
    #[arg(long, env = "OSSEMU_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Keep nothing on disk: a temporary store removed on exit (ignores --data-dir).
    #[arg(long, env = "OSSEMU_MEMORY")]
    pub memory: bool,

    /// Access key id of the default credential.
    #[arg(long, env = "OSSEMU_ACCESS_KEY", default_value = "ossemu")]
    pub access_key: String,

    /// Secret of the default credential.
    #[arg(long, env = "OSSEMU_SECRET_KEY", default_value = "ossemu-secret")]
    pub secret_key: String,

    /// Owner id of the default credential (default: its access key).
    #[arg(long, env = "OSSEMU_OWNER_ID")]
    pub owner_id: Option<String>,

    /// Owner display name of the default credential (default: its access key).
    #[arg(long, env = "OSSEMU_DISPLAY_NAME")]
    pub display_name: Option<String>,

    /// E-mail address of the default credential's account, for S3 `emailAddress` grants.
    #[arg(long, env = "OSSEMU_EMAIL")]
    pub email: Option<String>,

    /// Region reported to clients (GetBucketLocation, bucket listings).
    #[arg(long, env = "OSSEMU_REGION", default_value = "oss-cn-hangzhou")]
    pub region: String,

    /// Extra credential `AK:SECRET[:DISPLAY_NAME[:OWNER_ID[:EMAIL]]]` (`\:` is a `:` inside a
    /// field); the display name and the owner id default to the access key.
    /// Repeatable (environment: comma-separated list).
    #[arg(long = "credential", env = "OSSEMU_CREDENTIALS", value_delimiter = ',', value_parser = parse_credential)]
    pub credentials: Vec<Credential>,

    /// Signature verification: `on` verifies every signature; `off` accepts any signature
    /// (still parsed, for the requester's identity) for a permissive stand-in.
    #[arg(long, env = "OSSEMU_AUTH", value_enum, default_value_t = Auth::On)]
    pub auth: Auth,

    /// Bind a custom domain to a bucket at start-up, `DOMAIN=BUCKET`; repeatable
    /// (environment: comma-separated list). Requests with that Host address the bucket.
    #[arg(long = "cname", env = "OSSEMU_CNAME", value_delimiter = ',', value_parser = parse_cname)]
    pub cnames: Vec<(String, String)>,

    /// Seconds a mirror fetch may take to connect to the origin.
    #[arg(long, env = "OSSEMU_MIRROR_CONNECT_TIMEOUT", default_value_t = 10)]
    pub mirror_connect_timeout: u64,

    /// Seconds a mirror fetch may wait between reads from the origin (there is no overall
    /// timeout: large objects take as long as they take).
    #[arg(long, env = "OSSEMU_MIRROR_READ_TIMEOUT", default_value_t = 30)]
    pub mirror_read_timeout: u64,

    /// Seconds a request body may send nothing before the request fails with RequestTimeout.
    #[arg(long, env = "OSSEMU_BODY_IDLE_TIMEOUT", default_value_t = 60)]
    pub body_idle_timeout: u64,

    /// Slowest request body accepted, in bytes per second averaged over the whole body once
    /// it has taken 30 s; a slower one fails with RequestTimeout (0: no minimum).
    #[arg(long, env = "OSSEMU_BODY_MIN_RATE", default_value_t = 1024)]
    pub body_min_rate: u64,

    /// MiB of request bytes all requests together may hold in memory (upload buffers not yet
    /// written out, form fields, XML bodies); past it, uploads are written out at once and
    /// buffering requests are answered 503.
    #[arg(long, env = "OSSEMU_BUFFER_BUDGET", default_value_t = 32)]
    pub buffer_budget: u64,

    /// `x-oss-tag` on mirrored objects: `url` = `MIRROR <percent-encoded origin URL>` (OSS's
    /// documented form), `bare` = `MIRROR` (what newer OSS sends).
    #[arg(long, env = "OSSEMU_MIRROR_TAG", value_enum, default_value_t = MirrorTag::Url)]
    pub mirror_tag: MirrorTag,

    /// Addresses mirror fetches may connect to (the MirrorURL, every redirect, every address a
    /// host name resolves to): `local` = public, loopback and private networks but not
    /// link-local (169.254.0.0/16, fe80::/10: cloud metadata services); `public` = public
    /// addresses only, as OSS; `any` = link-local too. ossemu's own `/_ossemu/*` pages refuse
    /// mirror fetches whatever this says.
    #[arg(long, env = "OSSEMU_MIRROR_ORIGINS", value_enum, default_value_t = MirrorOrigins::Local)]
    pub mirror_origins: MirrorOrigins,

    /// Largest object a mirror fetch writes, e.g. `64m` or `5g` (at most `5g`, OSS's largest
    /// single upload): a larger declared length is refused with 424, a body growing past it
    /// is cut off. A bucket in the configuration file may have its own
    /// (`mirror_max_object_size`).
    #[arg(long, env = "OSSEMU_MIRROR_MAX_OBJECT_SIZE", default_value = "5g", value_parser = parse_object_size)]
    pub mirror_max_object_size: u64,

    /// Who may read `/_ossemu/metrics` (it names buckets and rules): `open` = anyone;
    /// `auth` = requests with HTTP Basic authorization of a configured credential (access
    /// key as user, secret as password); `off` = nobody (404). `/_ossemu/health` stays open.
    #[arg(long, env = "OSSEMU_METRICS", value_enum, default_value_t = Metrics::Open)]
    pub metrics: Metrics,

    /// The web console at `/_ossemu/console` (sign in with a configured access key and
    /// secret; it acts as that credential): `on`, or `off` (404).
    #[arg(long, env = "OSSEMU_CONSOLE", value_enum, default_value_t = Console::On)]
    pub console: Console,

    /// Seconds a RestoreObject takes before the archived object can be read (0: at once).
    #[arg(long, env = "OSSEMU_RESTORE_DELAY", default_value_t = 5)]
    pub restore_delay: u64,

    /// Seconds between lifecycle passes over every bucket (0: only when asked, with
    /// `POST /_ossemu/lifecycle/run`).
    #[arg(long, env = "OSSEMU_LIFECYCLE_INTERVAL", default_value_t = 3600)]
    pub lifecycle_interval: u64,

    /// Seconds between writes of buffered OSS access logs into their target buckets (0: only
    /// with `POST /_ossemu/logs/flush` and at shutdown).
    #[arg(long, env = "OSSEMU_ACCESS_LOG_INTERVAL", default_value_t = 300)]
    pub access_log_interval: u64,

    /// Most event notification messages waiting for delivery, over every webhook target;
    /// when full, the oldest is dropped (counted in `/_ossemu/metrics`).
    #[arg(long, env = "OSSEMU_NOTIFY_QUEUE", default_value_t = ossemu_api::notify::DEFAULT_QUEUE)]
    pub notify_queue: usize,

    /// Log format: `text` (one line per request) or `json` (one JSON object per line).
    /// `RUST_LOG` sets the filter (default `info`).
    #[arg(long, env = "OSSEMU_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Extra domain for virtual-host addressing (`<bucket>.<domain>`); repeatable.
    /// Built in: localhost, oss-<region>[-internal].aliyuncs.com, s3[.-]<region>.amazonaws.com,
    /// s3.amazonaws.com.
    #[arg(
        long = "endpoint-domain",
        env = "OSSEMU_ENDPOINT_DOMAIN",
        value_delimiter = ','
    )]
    pub endpoint_domains: Vec<String>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a configuration file without starting the server.
    CheckConfig {
        /// The file.
        file: PathBuf,
    },
    /// Ask a running server whether it is healthy (exit 0) or not (exit 1); for container
    /// health checks.
    Health {
        /// Base URL of the server (default: from --listen).
        #[arg(long)]
        url: Option<String>,
    },
    /// Ask a running server what a request would get and why, without running it
    /// (`POST /_ossemu/explain`): `ossemu explain --host www.example.com GET /docs/a.html`.
    Explain {
        /// Base URL of the server (default: from --listen).
        #[arg(long)]
        url: Option<String>,
        /// The request's Host header (default: the server's address, path style).
        #[arg(long)]
        host: Option<String>,
        /// A request header `Name: value`. Repeatable.
        #[arg(short = 'H', long = "header")]
        headers: Vec<String>,
        /// The method (GET, HEAD, ...).
        method: String,
        /// Path and query (`/bucket/key?x=1`).
        path: String,
    },
}

/// `--auth` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Auth {
    /// Verify signatures.
    On,
    /// Accept any signature.
    Off,
}

/// `--log-format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// JSON lines.
    Json,
}

/// `--mirror-tag` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MirrorTag {
    /// `MIRROR <origin URL>`.
    Url,
    /// `MIRROR`.
    Bare,
}

/// `--metrics` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Metrics {
    /// Anyone.
    Open,
    /// HTTP Basic authorization with a configured credential.
    Auth,
    /// Nobody.
    Off,
}

/// `--console` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Console {
    /// Served.
    On,
    /// 404.
    Off,
}

/// `--mirror-origins` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MirrorOrigins {
    /// Public addresses only.
    Public,
    /// Public, loopback and private addresses; not link-local.
    Local,
    /// Every address.
    Any,
}

impl From<MirrorOrigins> for OriginAddresses {
    fn from(m: MirrorOrigins) -> Self {
        match m {
            MirrorOrigins::Public => OriginAddresses::Public,
            MirrorOrigins::Local => OriginAddresses::Local,
            MirrorOrigins::Any => OriginAddresses::Any,
        }
    }
}

/// Parses a size: bytes, or a number with `k`, `m`, `g` (KiB, MiB, GiB; `KiB`, `MB`, ... too).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let t = t
        .strip_suffix("ib")
        .or_else(|| t.strip_suffix('b'))
        .unwrap_or(&t);
    let (num, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("{s:?} is not a size: expected e.g. 1048576, 64m, 5g"))
}

/// A mirror object size limit: 1 byte to [`ossemu_mirror::MAX_OBJECT_SIZE`].
pub fn parse_object_size(s: &str) -> Result<u64, String> {
    let n = parse_size(s)?;
    if (1..=ossemu_mirror::MAX_OBJECT_SIZE).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "{s:?}: a mirror object size limit is from 1 byte to 5g (OSS's largest single upload)"
        ))
    }
}

/// Parses `DOMAIN=BUCKET`.
fn parse_cname(s: &str) -> Result<(String, String), String> {
    match s.trim().split_once('=') {
        Some((d, b)) if !d.trim().is_empty() && !b.trim().is_empty() => {
            Ok((d.trim().to_ascii_lowercase(), b.trim().to_string()))
        }
        _ => Err(format!("expected DOMAIN=BUCKET, got {s:?}")),
    }
}

/// Splits at every `:` not preceded by a backslash; `\:` becomes `:` (any other backslash
/// stays as it is).
fn split_colons(s: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&':') => {
                chars.next();
                parts.last_mut().unwrap_or(&mut String::new()).push(':');
            }
            ':' => parts.push(String::new()),
            c => {
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
        }
    }
    parts
}

/// Parses `AK:SECRET[:DISPLAY_NAME[:OWNER_ID[:EMAIL]]]`; `\:` is a `:` inside a field. An
/// empty or missing name or id is the access key.
fn parse_credential(s: &str) -> Result<Credential, String> {
    let usage = || {
        format!(
            "expected AK:SECRET[:DISPLAY_NAME[:OWNER_ID[:EMAIL]]] (write \\: for a : inside a field), got {s:?}"
        )
    };
    let parts = split_colons(s.trim());
    let [ak, sk, rest @ ..] = parts.as_slice() else {
        return Err(usage());
    };
    if ak.is_empty() || sk.is_empty() || rest.len() > 3 {
        return Err(usage());
    }
    let given = |i: usize| rest.get(i).filter(|v| !v.is_empty()).unwrap_or(ak).clone();
    Ok(Credential {
        access_key: ak.clone(),
        secret_key: sk.clone(),
        display_name: given(0),
        owner_id: given(1),
        email: rest.get(2).filter(|v| !v.is_empty()).cloned(),
        user: None,
        policy: None,
    })
}

/// A user's own policy must parse as an identity policy; accounts have none (they may do
/// everything with what they own).
fn check_user_policies(credentials: &[Credential]) -> Result<(), String> {
    for c in credentials {
        let Some(doc) = &c.policy else { continue };
        if c.user.is_none() {
            return Err(format!(
                "credential {}: policy is for users of an account; set user as well",
                c.access_key
            ));
        }
        ossemu_policy::Policy::parse_identity(doc.as_bytes())
            .map_err(|e| format!("credential {}: policy: {e}", c.access_key))?;
    }
    Ok(())
}

/// Everything the server runs with, after flags, environment and file were combined.
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Data directory; `None` for memory mode.
    pub data_dir: Option<PathBuf>,
    /// Credentials; the first is the default.
    pub credentials: Vec<Credential>,
    /// Reported region.
    pub region: String,
    /// Signature verification.
    pub auth: AuthMode,
    /// Extra endpoint domains.
    pub endpoint_domains: Vec<String>,
    /// Domains bound with `--cname`.
    pub cnames: Vec<(String, String)>,
    /// Mirror fetcher settings.
    pub mirror: MirrorConfig,
    /// Log format.
    pub log_format: LogFormat,
    /// Who may read the metrics.
    pub metrics: MetricsAccess,
    /// Whether the web console is served.
    pub console: bool,
    /// How long a restore of an archived object takes.
    pub restore_delay: std::time::Duration,
    /// How often lifecycle rules run on their own (zero: never).
    pub lifecycle_interval: std::time::Duration,
    /// How often access logs are written (zero: only when asked).
    pub access_log_interval: std::time::Duration,
    /// Buckets declared in the file.
    pub buckets: Vec<BucketSpec>,
    /// Request body limits and the memory budget.
    pub limits: Limits,
    /// Webhook targets of event notifications (configuration file).
    pub webhooks: Vec<ossemu_api::notify::Webhook>,
    /// `--notify-queue`.
    pub notify_queue: usize,
}

/// How long and how slowly request bodies may arrive, and how much they may hold in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `--body-idle-timeout`.
    pub body_idle_timeout: Duration,
    /// `--body-min-rate`, bytes per second.
    pub body_min_rate: u64,
    /// `--buffer-budget`, in bytes.
    pub buffer_budget: usize,
}

/// Parses the command line (exits with clap's message on a usage error).
pub fn parse() -> (Cli, ArgMatches) {
    let matches = Cli::command().get_matches();
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => (cli, matches),
        Err(e) => e.exit(),
    }
}

/// Parses the given arguments as if they were the command line.
pub fn parse_args<I, T>(args: I) -> Result<(Cli, ArgMatches), String>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = Cli::command()
        .try_get_matches_from(args)
        .map_err(|e| e.to_string())?;
    let cli = Cli::from_arg_matches(&matches).map_err(|e| e.to_string())?;
    Ok((cli, matches))
}

/// Combines the flags, the environment and the configuration file (if any).
pub fn settings(cli: &Cli, m: &ArgMatches) -> Result<Settings, String> {
    let loaded = cli.config.as_deref().map(config_file::load).transpose()?;
    let file = loaded.as_ref().map(|l| &l.file);
    // The flag's (or environment's) value, unless only the default was there and the file
    // has one.
    let given = |id: &str| {
        matches!(
            m.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    };
    let pick = |id: &str, flag: String, from_file: Option<String>| -> String {
        if given(id) {
            flag
        } else {
            from_file.unwrap_or(flag)
        }
    };
    let listen = match file
        .and_then(|f| f.listen.as_ref())
        .filter(|_| !given("listen"))
    {
        Some(l) => l.get_ref().parse().map_err(|e| {
            loaded
                .as_ref()
                .map_or_else(String::new, |ld| ld.error(l, format!("listen: {e}")))
        })?,
        None => cli.listen,
    };
    let memory = if given("memory") {
        cli.memory
    } else {
        file.and_then(|f| f.memory).unwrap_or(cli.memory)
    };
    let data_dir = PathBuf::from(pick(
        "data_dir",
        cli.data_dir.display().to_string(),
        file.and_then(|f| f.data_dir.clone()),
    ));
    let credentials = credentials(cli, file, &pick);
    check_user_policies(&credentials)?;
    let enum_from_file = |id: &str, v: Option<&toml::Spanned<String>>, allowed: &[&str]| {
        enum_from_file(loaded.as_ref(), &given, id, v, allowed)
    };
    let auth = match enum_from_file("auth", file.and_then(|f| f.auth.as_ref()), &["on", "off"])? {
        Some(a) if a == "off" => AuthMode::Off,
        Some(_) => AuthMode::On,
        None => match cli.auth {
            Auth::On => AuthMode::On,
            Auth::Off => AuthMode::Off,
        },
    };
    let log_format = match enum_from_file(
        "log_format",
        file.and_then(|f| f.log_format.as_ref()),
        &["text", "json"],
    )? {
        Some(f) if f == "json" => LogFormat::Json,
        Some(_) => LogFormat::Text,
        None => cli.log_format,
    };
    let metrics = match enum_from_file(
        "metrics",
        file.and_then(|f| f.metrics.as_ref()),
        &["open", "auth", "off"],
    )? {
        Some(m) if m == "auth" => MetricsAccess::Auth,
        Some(m) if m == "off" => MetricsAccess::Off,
        Some(_) => MetricsAccess::Open,
        None => match cli.metrics {
            Metrics::Open => MetricsAccess::Open,
            Metrics::Auth => MetricsAccess::Auth,
            Metrics::Off => MetricsAccess::Off,
        },
    };
    let mut endpoint_domains: Vec<String> = cli
        .endpoint_domains
        .iter()
        .map(|d| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .collect();
    for d in file
        .map(|f| f.endpoint_domains.as_slice())
        .unwrap_or_default()
    {
        let d = d.get_ref().trim().to_ascii_lowercase();
        if !d.is_empty() && !endpoint_domains.contains(&d) {
            endpoint_domains.push(d);
        }
    }
    let mirror = mirror_config(cli, loaded.as_ref(), &given)?;
    let limits = limits(cli, file, &given);
    let webhooks = match &loaded {
        Some(l) => l.webhooks()?,
        None => Vec::new(),
    };
    let buckets = match &loaded {
        Some(l) => l.buckets(&credentials, &endpoint_domains, &webhooks)?,
        None => Vec::new(),
    };
    let notify_queue = match file.and_then(|f| f.notify_queue) {
        Some(n) if !given("notify_queue") => n,
        _ => cli.notify_queue,
    };
    if notify_queue == 0 {
        return Err("notify_queue: the event notification queue holds at least 1 message".into());
    }
    Ok(Settings {
        listen,
        data_dir: (!memory).then_some(data_dir),
        credentials,
        region: pick(
            "region",
            cli.region.clone(),
            file.and_then(|f| f.region.clone()),
        ),
        auth,
        endpoint_domains,
        cnames: cli.cnames.clone(),
        mirror,
        log_format,
        metrics,
        console: cli.console == Console::On,
        restore_delay: std::time::Duration::from_secs(cli.restore_delay),
        lifecycle_interval: std::time::Duration::from_secs(cli.lifecycle_interval),
        access_log_interval: std::time::Duration::from_secs(cli.access_log_interval),
        buckets,
        limits,
        webhooks,
        notify_queue,
    })
}

/// A `one of` setting from the file, unless the flag or environment gave it; a value not in
/// `allowed` is an error naming its line.
fn enum_from_file(
    loaded: Option<&config_file::Loaded>,
    given: &dyn Fn(&str) -> bool,
    id: &str,
    v: Option<&toml::Spanned<String>>,
    allowed: &[&str],
) -> Result<Option<String>, String> {
    match v.filter(|_| !given(id)) {
        None => Ok(None),
        Some(s) if allowed.contains(&s.get_ref().as_str()) => Ok(Some(s.get_ref().clone())),
        Some(s) => Err(loaded.map_or_else(String::new, |l| {
            l.error(s, format!("{id} must be one of {}", allowed.join(", ")))
        })),
    }
}

/// The `--mirror-*` settings: flag or environment, else the file's `[mirror]`, else the
/// default.
/// `--body-idle-timeout`, `--body-min-rate`, `--buffer-budget` (flag, environment, file).
fn limits(
    cli: &Cli,
    file: Option<&config_file::FileConfig>,
    given: &dyn Fn(&str) -> bool,
) -> Limits {
    let from_file = file.and_then(|f| f.limits.as_ref());
    let pick =
        |id: &str, flag: u64, f: Option<u64>| if given(id) { flag } else { f.unwrap_or(flag) };
    Limits {
        body_idle_timeout: Duration::from_secs(pick(
            "body_idle_timeout",
            cli.body_idle_timeout,
            from_file.and_then(|l| l.body_idle_timeout),
        )),
        body_min_rate: pick(
            "body_min_rate",
            cli.body_min_rate,
            from_file.and_then(|l| l.body_min_rate),
        ),
        buffer_budget: usize::try_from(pick(
            "buffer_budget",
            cli.buffer_budget,
            from_file.and_then(|l| l.buffer_budget),
        ))
        .unwrap_or(usize::MAX)
        .saturating_mul(1 << 20),
    }
}

fn mirror_config(
    cli: &Cli,
    loaded: Option<&config_file::Loaded>,
    given: &dyn Fn(&str) -> bool,
) -> Result<MirrorConfig, String> {
    let mirror_file = loaded.and_then(|l| l.file.mirror.as_ref());
    let secs =
        |id: &str, flag: u64, f: Option<u64>| if given(id) { flag } else { f.unwrap_or(flag) };
    let tag = match enum_from_file(
        loaded,
        given,
        "mirror_tag",
        mirror_file.and_then(|m| m.tag.as_ref()),
        &["url", "bare"],
    )? {
        Some(t) if t == "bare" => TagStyle::Bare,
        Some(_) => TagStyle::Url,
        None => match cli.mirror_tag {
            MirrorTag::Url => TagStyle::Url,
            MirrorTag::Bare => TagStyle::Bare,
        },
    };
    let origins = match enum_from_file(
        loaded,
        given,
        "mirror_origins",
        mirror_file.and_then(|m| m.origins.as_ref()),
        &["public", "local", "any"],
    )? {
        Some(o) if o == "public" => OriginAddresses::Public,
        Some(o) if o == "any" => OriginAddresses::Any,
        Some(_) => OriginAddresses::Local,
        None => cli.mirror_origins.into(),
    };
    let max_object_size = match mirror_file
        .and_then(|m| m.max_object_size.as_ref())
        .filter(|_| !given("mirror_max_object_size"))
    {
        Some(v) => config_file::object_size(loaded, "max_object_size", v)?,
        None => cli.mirror_max_object_size,
    };
    let bucket_max_object_size = match loaded {
        Some(l) => l.mirror_limits()?,
        None => Default::default(),
    };
    Ok(MirrorConfig {
        connect_timeout: Duration::from_secs(secs(
            "mirror_connect_timeout",
            cli.mirror_connect_timeout,
            mirror_file.and_then(|m| m.connect_timeout),
        )),
        read_timeout: Duration::from_secs(secs(
            "mirror_read_timeout",
            cli.mirror_read_timeout,
            mirror_file.and_then(|m| m.read_timeout),
        )),
        tag,
        origins,
        max_object_size,
        bucket_max_object_size,
        ..MirrorConfig::default()
    })
}

/// The default credential (flags, environment, file) and then the extra ones (flags, then
/// file); a repeated access key keeps its first definition.
fn credentials(
    cli: &Cli,
    file: Option<&config_file::FileConfig>,
    pick: &dyn Fn(&str, String, Option<String>) -> String,
) -> Vec<Credential> {
    let access_key = pick(
        "access_key",
        cli.access_key.clone(),
        file.and_then(|f| f.access_key.clone()),
    );
    let or_key = |v: Option<String>| v.filter(|v| !v.is_empty()).unwrap_or(access_key.clone());
    let from_cli_or_file = |flag: &Option<String>, f: Option<String>| match flag {
        Some(v) => Some(v.clone()),
        None => f,
    };
    let mut credentials = vec![Credential {
        secret_key: pick(
            "secret_key",
            cli.secret_key.clone(),
            file.and_then(|f| f.secret_key.clone()),
        ),
        owner_id: or_key(from_cli_or_file(
            &cli.owner_id,
            file.and_then(|f| f.owner_id.clone()),
        )),
        display_name: or_key(from_cli_or_file(
            &cli.display_name,
            file.and_then(|f| f.display_name.clone()),
        )),
        access_key: access_key.clone(),
        email: from_cli_or_file(&cli.email, file.and_then(|f| f.email.clone()))
            .filter(|e| !e.is_empty()),
        user: None,
        policy: None,
    }];
    let from_file = file.map_or(&[][..], |f| f.credentials.as_slice());
    for c in cli
        .credentials
        .iter()
        .cloned()
        .chain(from_file.iter().map(|c| c.get_ref().credential()))
    {
        if !credentials.iter().any(|k| k.access_key == c.access_key) {
            credentials.push(c);
        }
    }
    credentials
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_parse() {
        let c = parse_credential("ak:sk:Alice").unwrap();
        assert_eq!(
            (
                c.access_key.as_str(),
                c.secret_key.as_str(),
                c.display_name.as_str()
            ),
            ("ak", "sk", "Alice")
        );
        assert_eq!(parse_credential("ak:sk").unwrap().display_name, "ak");
        assert_eq!(parse_credential("ak:sk").unwrap().owner_id, "ak");
        let c = parse_credential("main:sk:Main User:100001").unwrap();
        assert_eq!(
            (c.display_name.as_str(), c.owner_id.as_str()),
            ("Main User", "100001")
        );
        let c = parse_credential("ak:sk::100001").unwrap();
        assert_eq!(
            (c.display_name.as_str(), c.owner_id.as_str()),
            ("ak", "100001")
        );
        let c = parse_credential("alt:sk:john.doe:200002:john.doe@example.com").unwrap();
        assert_eq!(c.email.as_deref(), Some("john.doe@example.com"));
        assert_eq!(parse_credential("ak:sk").unwrap().email, None);
        // `\:` is a colon inside a field; a sixth field is refused.
        let c = parse_credential(r"ak:s\:k:a\:b:id\:1").unwrap();
        assert_eq!(
            (
                c.secret_key.as_str(),
                c.display_name.as_str(),
                c.owner_id.as_str()
            ),
            ("s:k", "a:b", "id:1")
        );
        assert_eq!(parse_credential(r"ak:sk:a\b").unwrap().display_name, r"a\b");
        assert!(parse_credential("ak:s:k:x:y:z").is_err());
        assert!(parse_credential("ak").is_err());
        assert!(parse_credential(":sk").is_err());
    }

    #[test]
    fn mirror_origins_from_flag_environment_or_default() {
        let origins = |args: &[&str]| {
            let (cli, m) = parse_args(args.iter().copied()).unwrap();
            settings(&cli, &m).unwrap().mirror.origins
        };
        assert_eq!(origins(&["ossemu"]), OriginAddresses::Local);
        assert_eq!(
            origins(&["ossemu", "--mirror-origins", "public"]),
            OriginAddresses::Public
        );
        assert_eq!(
            origins(&["ossemu", "--mirror-origins", "any"]),
            OriginAddresses::Any
        );
        assert!(parse_args(["ossemu", "--mirror-origins", "intranet"]).is_err());
    }

    #[test]
    fn the_console_is_on_unless_switched_off() {
        let console = |args: &[&str]| {
            let (cli, m) = parse_args(args.iter().copied()).unwrap();
            settings(&cli, &m).unwrap().console
        };
        assert!(console(&["ossemu"]));
        assert!(console(&["ossemu", "--console", "on"]));
        assert!(!console(&["ossemu", "--console", "off"]));
        assert!(parse_args(["ossemu", "--console", "maybe"]).is_err());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64m"), Ok(64 << 20));
        assert_eq!(parse_size("5GiB"), Ok(5 << 30));
        assert_eq!(parse_size(" 2 k "), Ok(2048));
        assert!(parse_size("lots").is_err());
        assert!(parse_object_size("0").is_err());
        assert!(parse_object_size("6g").is_err());
        assert_eq!(parse_object_size("5g"), Ok(ossemu_mirror::MAX_OBJECT_SIZE));
        let limit = |args: &[&str]| {
            let (cli, m) = parse_args(args.iter().copied()).unwrap();
            settings(&cli, &m).unwrap().mirror.max_object_size
        };
        assert_eq!(limit(&["ossemu"]), ossemu_mirror::MAX_OBJECT_SIZE);
        assert_eq!(
            limit(&["ossemu", "--mirror-max-object-size", "1m"]),
            1 << 20
        );
    }

    #[test]
    fn restore_delay_from_the_flag() {
        let delay = |args: &[&str]| {
            let (cli, m) = parse_args(std::iter::once("ossemu").chain(args.iter().copied()))
                .expect("arguments parse");
            settings(&cli, &m).expect("settings").restore_delay
        };
        assert_eq!(delay(&[]), Duration::from_secs(5));
        assert_eq!(delay(&["--restore-delay", "0"]), Duration::ZERO);
    }

    #[test]
    fn lifecycle_interval_from_the_flag() {
        let every = |args: &[&str]| {
            let (cli, m) = parse_args(std::iter::once("ossemu").chain(args.iter().copied()))
                .expect("arguments parse");
            settings(&cli, &m).expect("settings").lifecycle_interval
        };
        assert_eq!(every(&[]), Duration::from_secs(3600));
        assert_eq!(every(&["--lifecycle-interval", "0"]), Duration::ZERO);
        assert_eq!(
            every(&["--lifecycle-interval", "60"]),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn users_and_their_policies_from_the_file() {
        let dir = std::env::temp_dir().join(format!("ossemu-users-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let load = |text: &str| {
            let file = dir.join("users.toml");
            std::fs::write(&file, text).unwrap();
            let args = ["ossemu", "--config", file.to_str().unwrap()];
            let (cli, m) = parse_args(args.iter().copied()).expect("arguments parse");
            settings(&cli, &m).map(|s| s.credentials)
        };
        let creds = load(
            r#"email = "main@example.com"
[[credentials]]
access_key = "dev"
secret_key = "dev-secret"
owner_id = "ossemu"
user = "dev"
email = "ignored@example.com"
policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
"#,
        )
        .expect("a user with a policy loads");
        assert_eq!(creds[0].email.as_deref(), Some("main@example.com"));
        let dev = &creds[1];
        assert_eq!(
            (dev.owner_id.as_str(), dev.user.as_deref()),
            ("ossemu", Some("dev"))
        );
        assert!(dev.policy.is_some());
        let err = load(
            r#"[[credentials]]
access_key = "dev"
secret_key = "s"
user = "dev"
policy = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}'
"#,
        )
        .unwrap_err();
        assert!(
            err.contains("credential dev: policy: Invalid principal"),
            "{err}"
        );
        let err = load(
            r#"[[credentials]]
access_key = "acct"
secret_key = "s"
policy = '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
"#,
        )
        .unwrap_err();
        assert!(err.contains("policy is for users"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn limits_from_flags_file_and_defaults() {
        let limits = |args: &[&str]| {
            let (cli, m) = parse_args(std::iter::once("ossemu").chain(args.iter().copied()))
                .expect("arguments parse");
            settings(&cli, &m).expect("settings").limits
        };
        assert_eq!(
            limits(&[]),
            Limits {
                body_idle_timeout: Duration::from_secs(60),
                body_min_rate: 1024,
                buffer_budget: 32 << 20,
            }
        );
        let dir = std::env::temp_dir().join(format!("ossemu-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("limits.toml");
        std::fs::write(
            &file,
            "[limits]\nbody_idle_timeout = 5\nbody_min_rate = 0\nbuffer_budget = 2\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let from_file = limits(&["--config", file]);
        assert_eq!(
            from_file,
            Limits {
                body_idle_timeout: Duration::from_secs(5),
                body_min_rate: 0,
                buffer_budget: 2 << 20,
            }
        );
        // A flag wins over the file.
        let flagged = limits(&[
            "--config",
            file,
            "--buffer-budget",
            "16",
            "--body-min-rate",
            "10",
        ]);
        assert_eq!(
            (
                flagged.buffer_budget,
                flagged.body_min_rate,
                flagged.body_idle_timeout
            ),
            (16 << 20, 10, Duration::from_secs(5))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn webhooks_and_bucket_notifications_from_the_file() {
        let dir = std::env::temp_dir().join(format!("ossemu-hooks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let load = |text: &str, flags: &[&str]| {
            let file = dir.join("hooks.toml");
            std::fs::write(&file, text).unwrap();
            let args = ["ossemu", "--config", file.to_str().unwrap()];
            let (cli, m) = parse_args(args.iter().chain(flags).copied()).expect("arguments parse");
            settings(&cli, &m)
        };
        let good = r#"notify_queue = 5
[[webhooks]]
name = "orders"
url = "http://127.0.0.1:8080/hook"
auth_header = "Authorization: Bearer x"

[[buckets]]
name = "shop"
notifications = [{ target = "orders", events = ["s3:ObjectCreated:*"], suffix = ".csv" }]
"#;
        let s = load(good, &[]).expect("a valid file");
        assert_eq!(s.notify_queue, 5);
        assert_eq!(s.webhooks.len(), 1);
        assert_eq!(
            s.webhooks[0].auth_header,
            Some(("Authorization".into(), "Bearer x".into()))
        );
        let subs = s.buckets[0].notifications.as_ref().unwrap().subscriptions();
        assert_eq!(subs.len(), 1);
        assert_eq!(
            (subs[0].target.as_str(), subs[0].suffix.as_str()),
            ("orders", ".csv")
        );
        assert!(subs[0].wants("s3:ObjectCreated:Put", "a.csv"));
        // The flag wins over the file.
        let flagged = load(good, &["--notify-queue", "7"]).unwrap();
        assert_eq!(flagged.notify_queue, 7);
        let err = |text: String| load(&text, &[]).err().expect("refused");
        let e = err(good.replace("target = \"orders\"", "target = \"nobody\""));
        assert!(e.contains(":9: notifications: Unable to validate"), "{e}");
        let e = err(good.replace("s3:ObjectCreated:*", "s3:ObjectCreated:Sometimes"));
        assert!(e.contains("not supported"), "{e}");
        let e = err(good.replace("http://127.0.0.1:8080/hook", "https://example.com/"));
        assert!(e.contains("is not an http:// URL"), "{e}");
        let e = err(good.replace("Authorization: Bearer x", "no colon"));
        assert!(e.contains("auth_header"), "{e}");
        let twice = good.replace(
            "[[buckets]]",
            "[[webhooks]]\nname = \"orders\"\nurl = \"http://h/\"\n\n[[buckets]]",
        );
        assert!(err(twice).contains("declared twice"));
        assert!(err(good.replace("notify_queue = 5", "notify_queue = 0")).contains("at least 1"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cnames_parse() {
        assert_eq!(
            parse_cname("Img.Example.com=pics").unwrap(),
            ("img.example.com".to_string(), "pics".to_string())
        );
        assert!(parse_cname("img.example.com").is_err());
        assert!(parse_cname("=pics").is_err());
    }
}
