//! Command line and environment. Every flag also reads `OSSEMU_<FLAG>`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use ossemu_api::Credential;

/// ossemu: a local S3- and Alibaba-OSS-compatible object store with OSS back-to-origin.
#[derive(Debug, Parser)]
#[command(name = "ossemu", version, about, long_about = None)]
pub struct Cli {
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

    /// Region reported to clients (GetBucketLocation, bucket listings).
    #[arg(long, env = "OSSEMU_REGION", default_value = "oss-cn-hangzhou")]
    pub region: String,

    /// Extra credential `AK:SECRET[:DISPLAY_NAME]`, a distinct owner; repeatable
    /// (environment: comma-separated list).
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

    /// `x-oss-tag` on mirrored objects: `url` = `MIRROR <percent-encoded origin URL>` (OSS's
    /// documented form), `bare` = `MIRROR` (what newer OSS sends).
    #[arg(long, env = "OSSEMU_MIRROR_TAG", value_enum, default_value_t = MirrorTag::Url)]
    pub mirror_tag: MirrorTag,

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

/// `--auth` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Auth {
    /// Verify signatures.
    On,
    /// Accept any signature.
    Off,
}

/// `--mirror-tag` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MirrorTag {
    /// `MIRROR <origin URL>`.
    Url,
    /// `MIRROR`.
    Bare,
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

/// Parses `AK:SECRET[:DISPLAY_NAME]`.
fn parse_credential(s: &str) -> Result<Credential, String> {
    let mut it = s.trim().splitn(3, ':');
    let (Some(ak), Some(sk)) = (it.next(), it.next()) else {
        return Err(format!("expected AK:SECRET[:DISPLAY_NAME], got {s:?}"));
    };
    if ak.is_empty() || sk.is_empty() {
        return Err(format!("expected AK:SECRET[:DISPLAY_NAME], got {s:?}"));
    }
    Ok(Credential {
        access_key: ak.to_string(),
        secret_key: sk.to_string(),
        display_name: it
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or(ak)
            .to_string(),
    })
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
        assert_eq!(parse_credential("ak:s:k:x").unwrap().display_name, "k:x");
        assert_eq!(parse_credential("ak:sk").unwrap().display_name, "ak");
        assert!(parse_credential("ak").is_err());
        assert!(parse_credential(":sk").is_err());
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
