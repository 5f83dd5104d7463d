//! What the back-to-origin workloads share on one target: the built-in origin, a bucket whose
//! misses are mirrored from it, and a bucket whose misses under `r/` are redirected by an
//! External rule, bound to a custom domain. Created once per target, on first use.
//!
//! The website configuration and the custom domain are OSS APIs, so they are sent in the OSS
//! dialect (signature V1 with the target's credential); everything else is plain S3.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use http::{Method, StatusCode};

use super::Ctx;
use crate::client::{Auth, S3Client, SendOpts, SignAs};
use crate::origin::{Origin, OriginConfig};

/// Prefix of the keys the redirect bucket's External rule answers.
pub const REDIRECT_PREFIX: &str = "r/";
/// Host the External rule redirects to.
pub const REDIRECT_HOST: &str = "example.com";

/// The shared back-to-origin setup of a target.
#[derive(Debug)]
pub struct BackOrigin {
    /// The origin.
    pub origin: Origin,
    /// An anonymous client of the origin (direct GETs).
    pub origin_client: S3Client,
    /// Bucket whose 404s are mirrored from the origin (rule 1, `MirrorURL` = origin root).
    pub mirror_bucket: String,
    /// Public-read bucket with the External rule for [`REDIRECT_PREFIX`].
    pub redirect_bucket: String,
    /// Custom domain bound to the redirect bucket.
    pub redirect_domain: String,
}

impl Ctx {
    /// The target's back-to-origin setup, created on first use (the origin with `config`).
    pub async fn back_origin(&self, config: OriginConfig) -> anyhow::Result<&BackOrigin> {
        self.back_origin
            .get_or_try_init(|| BackOrigin::create(self, config))
            .await
    }
}

impl BackOrigin {
    async fn create(cx: &Ctx, config: OriginConfig) -> anyhow::Result<Self> {
        if !cx.client.is_signed() {
            bail!("the back-to-origin workloads configure buckets and need a signed target");
        }
        let origin = Origin::start(config).await?;
        let origin_client = S3Client::new(&origin.endpoint(), Auth::Anonymous)?;
        let mirror_bucket = format!("{}-m", cx.bucket);
        create_bucket(&cx.client, &mirror_bucket, false).await?;
        put_website(
            &cx.client,
            &mirror_bucket,
            &mirror_website(&origin.url(), ""),
        )
        .await?;
        let redirect_bucket = format!("{}-r", cx.bucket);
        create_bucket(&cx.client, &redirect_bucket, true).await?;
        put_website(&cx.client, &redirect_bucket, &redirect_website()).await?;
        let redirect_domain = format!("{redirect_bucket}.redirect.bench.test");
        bind_cname(&cx.client, &redirect_bucket, &redirect_domain).await?;
        Ok(Self {
            origin,
            origin_client,
            mirror_bucket,
            redirect_bucket,
            redirect_domain,
        })
    }

    /// `/mirror-bucket/key`.
    pub fn mirror_path(&self, key: &str) -> String {
        format!("/{}/{key}", self.mirror_bucket)
    }
}

/// An OSS website configuration with one Mirror rule for every 404, from `mirror_url`;
/// `extra` is appended inside `<Redirect>` (e.g. `<MirrorCheckMd5>true</MirrorCheckMd5>`).
pub fn mirror_website(mirror_url: &str, extra: &str) -> String {
    format!(
        "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber>\
         <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>\
         <Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{mirror_url}</MirrorURL>{extra}\
         </Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>"
    )
}

/// An OSS website configuration redirecting missing keys under [`REDIRECT_PREFIX`] to
/// `http://example.com/<key>` with a 302.
pub fn redirect_website() -> String {
    format!(
        "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber>\
         <Condition><KeyPrefixEquals>{REDIRECT_PREFIX}</KeyPrefixEquals>\
         <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>\
         <Redirect><RedirectType>External</RedirectType><Protocol>http</Protocol>\
         <HostName>{REDIRECT_HOST}</HostName><HttpRedirectCode>302</HttpRedirectCode>\
         </Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>"
    )
}

async fn expect_ok(r: crate::client::Response, what: &str) -> anyhow::Result<()> {
    if r.status != StatusCode::OK {
        bail!("{}", r.unexpected(what).await);
    }
    r.drain().await?;
    Ok(())
}

/// Creates `bucket` (OSS dialect), public-read when `public`.
pub async fn create_bucket(client: &S3Client, bucket: &str, public: bool) -> anyhow::Result<()> {
    let acl = [("x-oss-acl", "public-read")];
    let opts = SendOpts {
        headers: if public { &acl } else { &[] },
        host: None,
        sign: SignAs::OssV1,
    };
    let r = client
        .send_with(Method::PUT, &format!("/{bucket}"), &[], Bytes::new(), &opts)
        .await?;
    expect_ok(r, &format!("creating bucket {bucket}")).await
}

/// PutBucketWebsite with an OSS configuration document.
pub async fn put_website(client: &S3Client, bucket: &str, xml: &str) -> anyhow::Result<()> {
    let opts = SendOpts {
        sign: SignAs::OssV1,
        ..SendOpts::default()
    };
    let r = client
        .send_with(
            Method::PUT,
            &format!("/{bucket}"),
            &[("website", "")],
            Bytes::from(xml.to_owned()),
            &opts,
        )
        .await?;
    expect_ok(r, &format!("PutBucketWebsite on {bucket}")).await
}

/// Binds the custom domain `domain` to `bucket` (`POST /bucket?cname&comp=add`).
pub async fn bind_cname(client: &S3Client, bucket: &str, domain: &str) -> anyhow::Result<()> {
    let body = format!(
        "<BucketCnameConfiguration><Cname><Domain>{domain}</Domain></Cname></BucketCnameConfiguration>"
    );
    let opts = SendOpts {
        sign: SignAs::OssV1,
        ..SendOpts::default()
    };
    let r = client
        .send_with(
            Method::POST,
            &format!("/{bucket}"),
            &[("cname", ""), ("comp", "add")],
            Bytes::from(body),
            &opts,
        )
        .await?;
    expect_ok(r, &format!("binding {domain} to {bucket}")).await
}

/// Waits (up to `limit`) until HEAD `path` answers 200: a mirrored object is committed just
/// after its last byte reached the clients.
pub async fn wait_stored(client: &S3Client, path: &str, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let r = client
            .send(Method::HEAD, path, &[], Bytes::new())
            .await
            .with_context(|| format!("HEAD {path}"))?;
        let status = r.status;
        r.drain().await?;
        if status == StatusCode::OK {
            return Ok(());
        }
        if status != StatusCode::NOT_FOUND {
            bail!("HEAD {path}: unexpected {status}");
        }
        if started.elapsed() > limit {
            bail!("{path} was not stored within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
