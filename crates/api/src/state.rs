//! Server configuration and shared state.

use std::time::Duration;

use std::sync::Arc;

use ossemu_mirror::{Mirror, MirrorConfig};
use ossemu_store::Store;

/// An access key pair and the owner it acts for. Credentials with the same owner id belong
/// to the same account: the account itself (as one account with two access keys), or, with
/// [`Credential::user`], a user of it (an IAM or RAM user) that owns nothing and may do only
/// what its own policy, a bucket policy or an ACL grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// Access key id.
    pub access_key: String,
    /// Secret.
    pub secret_key: String,
    /// Owner id: what bucket and object records hold and `Owner/ID` shows.
    pub owner_id: String,
    /// Owner display name.
    pub display_name: String,
    /// E-mail address S3 grants may name (`emailAddress="…"`).
    pub email: Option<String>,
    /// Set for a user of account `owner_id` (not the account itself): its name, which bucket
    /// policies name as `arn:aws:iam::ACCOUNT:user/NAME` or, in OSS, as the user's id.
    pub user: Option<String>,
    /// A user's own (identity) policy, as IAM or RAM JSON; `None` grants nothing.
    pub policy: Option<String>,
}

impl Credential {
    /// A credential whose owner id and display name are its access key.
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        let access_key = access_key.into();
        Self {
            owner_id: access_key.clone(),
            display_name: access_key.clone(),
            access_key,
            secret_key: secret_key.into(),
            email: None,
            user: None,
            policy: None,
        }
    }
}

/// Whether signatures are verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// Verify every signature (default).
    On,
    /// Parse signatures for the access key only; accept any signature.
    Off,
}

/// Who may read `/_ossemu/metrics` (`--metrics`). Bucket names and rule numbers appear there,
/// so shared deployments may want it closed; health stays open for container checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MetricsAccess {
    /// Anyone (local use).
    #[default]
    Open,
    /// Requests with HTTP Basic authorization naming a configured credential.
    Auth,
    /// Nobody: 404.
    Off,
}

/// What the service needs to know besides the store.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Region reported by GetBucketLocation and in OSS endpoints (`oss-cn-hangzhou`).
    pub region: String,
    /// Extra endpoint domains for virtual-host addressing.
    pub endpoint_domains: Vec<String>,
    /// Known credentials; the first is the default.
    pub credentials: Vec<Credential>,
    /// Signature verification.
    pub auth: AuthMode,
    /// A request body that sends nothing for this long fails with RequestTimeout.
    pub body_idle_timeout: Duration,
    /// Slowest request body accepted, bytes per second on average once `body_rate_grace` has
    /// passed (0: no minimum); a slower one fails with RequestTimeout.
    pub body_min_rate: u64,
    /// How long a request body may take before its average rate is checked.
    pub body_rate_grace: Duration,
    /// Request bytes all requests together may hold in memory (see [`crate::budget`]).
    pub buffer_budget: usize,
    /// Who may read the metrics.
    pub metrics: MetricsAccess,
    /// How long a RestoreObject takes (`--restore-delay`).
    pub restore_delay: Duration,
    /// How often buffered access logs are written to their target buckets
    /// (`--access-log-interval`; zero: only when asked, and at shutdown).
    pub access_log_interval: Duration,
    /// Whether the web console (`/_ossemu/console`) is served (`--console`).
    pub console: bool,
    /// Webhook targets event notifications may name (`[[webhooks]]` of the configuration
    /// file).
    pub webhooks: Vec<crate::notify::Webhook>,
    /// Most event notification messages waiting for delivery (`--notify-queue`); past it the
    /// oldest is dropped.
    pub notify_queue: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            region: "oss-cn-hangzhou".into(),
            endpoint_domains: Vec::new(),
            credentials: vec![Credential::new("ossemu", "ossemu-secret")],
            auth: AuthMode::On,
            body_idle_timeout: Duration::from_secs(60),
            body_min_rate: 1024,
            body_rate_grace: Duration::from_secs(30),
            buffer_budget: 32 << 20,
            metrics: MetricsAccess::default(),
            restore_delay: Duration::from_secs(5),
            access_log_interval: Duration::from_secs(300),
            console: true,
            webhooks: Vec::new(),
            notify_queue: crate::notify::DEFAULT_QUEUE,
        }
    }
}

impl ApiConfig {
    /// The credential with this access key id.
    pub fn credential(&self, access_key: &str) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.access_key == access_key)
    }

    /// The first credential of this owner id (preferring the account's own over its users'):
    /// its display name is the owner's.
    pub fn owner(&self, owner_id: &str) -> Option<&Credential> {
        let mut of = self.credentials.iter().filter(|c| c.owner_id == owner_id);
        of.clone().find(|c| c.user.is_none()).or_else(|| of.next())
    }

    /// The account credential with this e-mail address (S3 `emailAddress` grants).
    pub fn by_email(&self, email: &str) -> Option<&Credential> {
        self.credentials.iter().find(|c| {
            c.user.is_none()
                && c.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
    }

    /// An owner's display name: its first credential's, else the id itself (an owner no
    /// credential has any more).
    pub fn display_name<'a>(&'a self, owner_id: &'a str) -> &'a str {
        self.owner(owner_id)
            .map_or(owner_id, |c| c.display_name.as_str())
    }
}

/// State shared by all requests.
pub struct AppState {
    /// Buckets and objects.
    pub store: Store,
    /// Configuration.
    pub config: ApiConfig,
    /// The back-to-origin fetcher.
    pub mirror: Arc<Mirror>,
    /// Request counters for `/_ossemu/metrics`.
    pub metrics: crate::metrics::Metrics,
    /// Request bytes held in memory, against `config.buffer_budget`.
    pub buffers: Arc<crate::budget::Budget>,
    /// The time retention rules read.
    pub clock: crate::clock::Clock,
    /// Held by the lifecycle pass that is running ([`crate::lifecycle::run::run_once`]).
    pub lifecycle_pass: tokio::sync::Mutex<()>,
    /// Access log lines waiting for their next log object.
    pub access_log: crate::access_log::Buffer,
    /// Parsed bucket and user policies.
    pub policies: crate::authz::PolicyCache,
    /// Finished requests, for whoever watches the console's request trail.
    pub trail: crate::trail::Trail,
    /// Signed-in web console sessions.
    pub sessions: crate::console::Sessions,
    /// Event notifications: webhook targets and the queue of messages for them.
    pub notify: crate::notify::Notifier,
}

impl AppState {
    /// State for a store, API settings and fetcher settings.
    pub fn new(store: Store, config: ApiConfig, mirror: MirrorConfig) -> Arc<Self> {
        let notify = crate::notify::Notifier::new(config.webhooks.clone(), config.notify_queue);
        // Before anything can be queued: the saved messages keep their numbers and order.
        notify.queue.load(&store, &notify.targets());
        Arc::new(Self {
            mirror: Mirror::new(store.clone(), mirror),
            store,
            buffers: crate::budget::Budget::new(config.buffer_budget),
            config,
            metrics: Default::default(),
            clock: Default::default(),
            lifecycle_pass: Default::default(),
            access_log: Default::default(),
            policies: Default::default(),
            trail: Default::default(),
            sessions: Default::default(),
            notify,
        })
    }
}
