//! Command line and environment. Every flag also reads `OSSEMU_<FLAG>`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

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
