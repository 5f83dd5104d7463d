//! The TOML configuration file (`--config FILE`): server settings and the resources to ensure
//! at start-up. `${VAR}` and `${VAR:-default}` are replaced by environment variables before
//! parsing. Every error names the file, the line and the problem.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ossemu_api::Credential;
use ossemu_api::notify::{NotificationConfiguration, Webhook};
use ossemu_api::provision::{self, BucketSpec};
use serde::Deserialize;
use toml::Spanned;

/// The file, as parsed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `--listen`.
    pub listen: Option<Spanned<String>>,
    /// `--data-dir` (relative paths are relative to the working directory).
    pub data_dir: Option<String>,
    /// `--memory`.
    pub memory: Option<bool>,
    /// `--access-key`.
    pub access_key: Option<String>,
    /// `--secret-key`.
    pub secret_key: Option<String>,
    /// `--owner-id`.
    pub owner_id: Option<String>,
    /// `--display-name`.
    pub display_name: Option<String>,
    /// `--email`.
    pub email: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--auth` (`on` or `off`).
    pub auth: Option<Spanned<String>>,
    /// `--log-format` (`text` or `json`).
    pub log_format: Option<Spanned<String>>,
    /// `--metrics` (`open`, `auth` or `off`).
    pub metrics: Option<Spanned<String>>,
    /// `--endpoint-domain`.
    #[serde(default)]
    pub endpoint_domains: Vec<Spanned<String>>,
    /// `--credential`.
    #[serde(default)]
    pub credentials: Vec<Spanned<CredentialEntry>>,
    /// `--mirror-*`.
    pub mirror: Option<MirrorEntry>,
    /// `--body-idle-timeout`, `--body-min-rate`, `--buffer-budget`.
    pub limits: Option<LimitsEntry>,
    /// Buckets to ensure.
    #[serde(default)]
    pub buckets: Vec<Spanned<BucketEntry>>,
    /// Webhook targets of event notifications.
    #[serde(default)]
    pub webhooks: Vec<Spanned<WebhookEntry>>,
    /// `--notify-queue`.
    pub notify_queue: Option<usize>,
}

/// `[[webhooks]]`: a target event notifications name by the last `:`-separated part of their
/// ARN.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEntry {
    /// The target's name.
    pub name: String,
    /// `http://host[:port]/path` messages are POSTed to.
    pub url: String,
    /// A header line sent with every POST, `Name: value`.
    pub auth_header: Option<String>,
}

/// One of a bucket's `notifications`: the events of keys with `prefix` and `suffix` go to
/// webhook `target`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationEntry {
    /// The webhook target's name.
    pub target: String,
    /// `s3:ObjectCreated:*`, ...
    pub events: Vec<String>,
    /// Keys must start with this.
    pub prefix: Option<String>,
    /// Keys must end with this.
    pub suffix: Option<String>,
    /// The configuration id the messages carry (default: generated).
    pub id: Option<String>,
}

/// `[[credentials]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialEntry {
    /// Access key id.
    pub access_key: String,
    /// Secret.
    pub secret_key: String,
    /// Display name (default: the access key).
    pub display_name: Option<String>,
    /// Owner id, the account's (default: the access key).
    pub owner_id: Option<String>,
    /// E-mail address of the account, for S3 `emailAddress` grants.
    pub email: Option<String>,
    /// Makes the credential a user of account `owner_id` (IAM/RAM user) by this name.
    pub user: Option<String>,
    /// The user's own policy (IAM or RAM JSON); without one a user may do only what bucket
    /// policies and ACLs grant.
    pub policy: Option<String>,
}

impl CredentialEntry {
    /// The credential, with the access key for a missing or empty name or id.
    pub fn credential(&self) -> Credential {
        let or_key = |v: &Option<String>| {
            v.clone()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| self.access_key.clone())
        };
        Credential {
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            owner_id: or_key(&self.owner_id),
            display_name: or_key(&self.display_name),
            email: self.email.clone().filter(|e| !e.is_empty()),
            user: self.user.clone().filter(|u| !u.is_empty()),
            policy: self.policy.clone(),
        }
    }
}

/// `[mirror]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MirrorEntry {
    /// Seconds.
    pub connect_timeout: Option<u64>,
    /// Seconds.
    pub read_timeout: Option<u64>,
    /// `url` or `bare`.
    pub tag: Option<Spanned<String>>,
    /// `public`, `local` or `any`.
    pub origins: Option<Spanned<String>>,
    /// `--mirror-max-object-size`.
    pub max_object_size: Option<Spanned<SizeValue>>,
}

/// A size in the file: bytes, or a string such as `"64m"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
    /// Bytes.
    Bytes(u64),
    /// `"64m"`, `"5g"`, ...
    Text(String),
}

/// A mirror object size limit from the file; an error names its line.
pub fn object_size(
    loaded: Option<&Loaded>,
    name: &str,
    v: &Spanned<SizeValue>,
) -> Result<u64, String> {
    let parsed = match v.get_ref() {
        SizeValue::Bytes(n) => crate::config::parse_object_size(&n.to_string()),
        SizeValue::Text(t) => crate::config::parse_object_size(t),
    };
    parsed.map_err(|e| loaded.map_or_else(|| e.clone(), |l| l.error(v, format!("{name}: {e}"))))
}

/// `[limits]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsEntry {
    /// Seconds.
    pub body_idle_timeout: Option<u64>,
    /// Bytes per second.
    pub body_min_rate: Option<u64>,
    /// MiB.
    pub buffer_budget: Option<u64>,
}

/// `[[buckets]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketEntry {
    /// Bucket name.
    pub name: Spanned<String>,
    /// Canned ACL (default `private`).
    pub acl: Option<Spanned<String>>,
    /// Owner: a credential's access key or owner id (default: the default credential's).
    pub owner: Option<Spanned<String>>,
    /// Custom domains bound to the bucket.
    #[serde(default)]
    pub cnames: Vec<Spanned<String>>,
    /// Website / back-to-origin configuration, inline XML.
    pub website: Option<Spanned<String>>,
    /// Website configuration XML file (relative to the config file).
    pub website_file: Option<Spanned<String>>,
    /// CORS configuration, inline XML.
    pub cors: Option<Spanned<String>>,
    /// CORS configuration XML file (relative to the config file).
    pub cors_file: Option<Spanned<String>>,
    /// Largest object a mirror fetch writes into this bucket (replaces
    /// `--mirror-max-object-size`).
    pub mirror_max_object_size: Option<Spanned<SizeValue>>,
    /// Directory (relative to the config file) whose files are uploaded as objects at
    /// start-up when their keys are missing.
    pub seed: Option<Spanned<String>>,
    /// Event notifications, stored as the bucket's notification configuration.
    pub notifications: Option<Spanned<Vec<NotificationEntry>>>,
}

/// A loaded configuration file.
pub struct Loaded {
    /// Where it came from.
    pub path: PathBuf,
    text: String,
    /// Its contents.
    pub file: FileConfig,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Replaces `${VAR}` and `${VAR:-default}` (full-line `#` comments are left alone); an unset
/// variable without default is an error naming its line.
pub fn expand_env(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_start().starts_with('#') {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(end) = after.find('}') else {
                return Err((n + 1, "unterminated ${...}".to_string()));
            };
            let expr = &after[..end];
            let (name, default) = match expr.split_once(":-") {
                Some((name, d)) => (name, Some(d)),
                None => (expr, None),
            };
            match (lookup(name), default) {
                (Some(v), None) => out.push_str(&v),
                (Some(v), Some(_)) if !v.is_empty() => out.push_str(&v),
                (_, Some(d)) => out.push_str(d),
                (None, None) => {
                    return Err((
                        n + 1,
                        format!(
                            "environment variable {name} is not set (use ${{{name}:-default}} for a default)"
                        ),
                    ));
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
    }
    Ok(out)
}

/// Reads, expands and parses a configuration file.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let shown = path.display();
    let raw = std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let text = expand_env(&raw, |n| std::env::var(n).ok())
        .map_err(|(line, m)| format!("{shown}:{line}: {m}"))?;
    let file: FileConfig = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(&text, s.start));
        let message = e.message().trim().to_string();
        format!("{shown}:{line}: {message}")
    })?;
    Ok(Loaded {
        path: path.to_path_buf(),
        text,
        file,
    })
}

impl Loaded {
    /// `path:line: problem` for a value.
    pub fn error<T>(&self, at: &Spanned<T>, problem: impl std::fmt::Display) -> String {
        format!(
            "{}:{}: {problem}",
            self.path.display(),
            line_of(&self.text, at.span().start)
        )
    }

    /// A directory named relative to the file; an error unless it is one.
    fn dir_beside(&self, at: &Spanned<String>) -> Result<PathBuf, String> {
        let dir = self
            .path
            .parent()
            .unwrap_or(Path::new("."))
            .join(at.get_ref());
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => Ok(dir),
            Ok(_) => Err(self.error(at, format!("{} is not a directory", dir.display()))),
            Err(e) => Err(self.error(at, format!("cannot read {}: {e}", dir.display()))),
        }
    }

    fn read_beside(&self, at: &Spanned<String>) -> Result<String, String> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let file = dir.join(at.get_ref());
        std::fs::read_to_string(&file)
            .map_err(|e| self.error(at, format!("cannot read {}: {e}", file.display())))
    }

    /// The buckets' own mirror object size limits.
    pub fn mirror_limits(&self) -> Result<HashMap<String, u64>, String> {
        let mut out = HashMap::new();
        for entry in &self.file.buckets {
            let b = entry.get_ref();
            if let Some(v) = &b.mirror_max_object_size {
                let n = object_size(Some(self), "mirror_max_object_size", v)?;
                out.insert(b.name.get_ref().clone(), n);
            }
        }
        Ok(out)
    }

    /// Validates the declared buckets into specs, each owned by an owner id. `credentials`
    /// are the known ones (the first is the default owner).
    pub fn buckets(
        &self,
        credentials: &[Credential],
        endpoint_domains: &[String],
        webhooks: &[Webhook],
    ) -> Result<Vec<BucketSpec>, String> {
        let mut specs: Vec<BucketSpec> = Vec::new();
        let mut domains: Vec<(String, String)> = Vec::new();
        for entry in &self.file.buckets {
            let b = entry.get_ref();
            let name = b.name.get_ref().clone();
            provision::check_bucket_name(&name).map_err(|m| self.error(&b.name, m))?;
            if specs.iter().any(|s| s.name == name) {
                return Err(self.error(&b.name, format!("bucket {name} is declared twice")));
            }
            let acl = match &b.acl {
                Some(a) => {
                    provision::check_acl(a.get_ref()).map_err(|m| self.error(a, m))?;
                    a.get_ref().clone()
                }
                None => "private".to_string(),
            };
            let owner = match &b.owner {
                Some(o) => owner_id(credentials, o.get_ref()).ok_or_else(|| {
                    self.error(
                        o,
                        format!("owner {:?} is not a configured credential", o.get_ref()),
                    )
                })?,
                None => credentials
                    .first()
                    .map(|c| c.owner_id.clone())
                    .unwrap_or_default(),
            };
            let mut cnames = Vec::new();
            for d in &b.cnames {
                let domain = d.get_ref().trim().to_ascii_lowercase();
                provision::check_domain(&domain, endpoint_domains).map_err(|m| self.error(d, m))?;
                if let Some((_, other)) = domains.iter().find(|(x, _)| *x == domain) {
                    return Err(self.error(
                        d,
                        format!("domain {domain} is already bound to bucket {other}"),
                    ));
                }
                domains.push((domain.clone(), name.clone()));
                cnames.push(domain);
            }
            let website = match (&b.website, &b.website_file) {
                (Some(_), Some(f)) => {
                    return Err(self.error(f, "give website or website_file, not both"));
                }
                (Some(x), None) => {
                    Some(provision::parse_website(x.get_ref()).map_err(|m| self.error(x, m))?)
                }
                (None, Some(f)) => {
                    let xml = self.read_beside(f)?;
                    Some(provision::parse_website(&xml).map_err(|m| self.error(f, m))?)
                }
                (None, None) => None,
            };
            let cors = match (&b.cors, &b.cors_file) {
                (Some(_), Some(f)) => return Err(self.error(f, "give cors or cors_file, not both")),
                (Some(x), None) => {
                    Some(provision::parse_cors(x.get_ref()).map_err(|m| self.error(x, m))?)
                }
                (None, Some(f)) => {
                    let xml = self.read_beside(f)?;
                    Some(provision::parse_cors(&xml).map_err(|m| self.error(f, m))?)
                }
                (None, None) => None,
            };
            let seed = b.seed.as_ref().map(|d| self.dir_beside(d)).transpose()?;
            let notifications = match &b.notifications {
                Some(n) => Some(self.notifications(n, webhooks)?),
                None => None,
            };
            specs.push(BucketSpec {
                name,
                owner,
                acl,
                cnames,
                website,
                cors,
                seed,
                notifications,
            });
        }
        Ok(specs)
    }
}

impl Loaded {
    /// The declared webhook targets, checked (names unique, `http://` URLs, header lines).
    pub fn webhooks(&self) -> Result<Vec<Webhook>, String> {
        let mut out: Vec<Webhook> = Vec::new();
        for entry in &self.file.webhooks {
            let w = entry.get_ref();
            let auth_header = w
                .auth_header
                .as_deref()
                .map(Webhook::parse_header)
                .transpose()
                .map_err(|m| self.error(entry, m))?;
            let hook = Webhook {
                name: w.name.clone(),
                url: w.url.clone(),
                auth_header,
            };
            hook.check().map_err(|m| self.error(entry, m))?;
            if out.iter().any(|o| o.name == hook.name) {
                return Err(self.error(entry, format!("webhook {} is declared twice", hook.name)));
            }
            out.push(hook);
        }
        Ok(out)
    }

    /// A bucket's `notifications` as the notification configuration they make, checked as
    /// PutBucketNotificationConfiguration checks one.
    fn notifications(
        &self,
        at: &Spanned<Vec<NotificationEntry>>,
        webhooks: &[Webhook],
    ) -> Result<NotificationConfiguration, String> {
        use ossemu_api::notify::config::{Destination, Filter, FilterRule, S3Key};
        let mut conf = NotificationConfiguration::default();
        for n in at.get_ref() {
            let rules = [("prefix", &n.prefix), ("suffix", &n.suffix)]
                .into_iter()
                .filter_map(|(name, v)| {
                    Some(FilterRule {
                        name: name.into(),
                        value: v.clone()?,
                    })
                })
                .collect::<Vec<_>>();
            conf.queues.push(Destination {
                id: n.id.clone(),
                queue: Some(format!("arn:ossemu:webhook:::{}", n.target)),
                events: n.events.clone(),
                filter: (!rules.is_empty()).then_some(Filter {
                    key: S3Key { rules },
                }),
                ..Destination::default()
            });
        }
        let targets: Vec<&str> = webhooks.iter().map(|w| w.name.as_str()).collect();
        conf.validate(Some(&targets)).map_err(|e| {
            let detail = e
                .fields
                .iter()
                .find(|(k, _)| k.starts_with("ArgumentValue"))
                .map(|(_, v)| format!(": {v}"))
                .unwrap_or_default();
            let message = e.message.as_deref().unwrap_or(e.code.default_message());
            self.error(at, format!("notifications: {message}{detail}"))
        })?;
        Ok(conf)
    }
}

/// The owner id a bucket's `owner` names: a credential's access key, else an owner id.
fn owner_id(credentials: &[Credential], owner: &str) -> Option<String> {
    credentials
        .iter()
        .find(|c| c.access_key == owner)
        .or_else(|| credentials.iter().find(|c| c.owner_id == owner))
        .map(|c| c.owner_id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_expansion() {
        let env = |n: &str| (n == "SET").then(|| "value".to_string());
        assert_eq!(expand_env("a ${SET} b", env).unwrap(), "a value b");
        assert_eq!(expand_env("${UNSET:-dflt}", env).unwrap(), "dflt");
        assert_eq!(expand_env("x\n${UNSET}", env).unwrap_err().0, 2);
        assert!(expand_env("${SET", env).is_err());
        assert_eq!(expand_env("no vars", env).unwrap(), "no vars");
        assert_eq!(
            expand_env("  # ${UNSET} in a comment\n", env).unwrap(),
            "  # ${UNSET} in a comment\n"
        );
    }
}
