//! ossemu's HTTP service: classifies the host (endpoint, virtual host, custom domain), detects
//! the dialect (OSS or S3), identifies the requester, routes to a handler and renders every
//! error once as OSS/S3 error XML.

pub mod access;
pub mod access_log;
pub mod attrs;
pub mod auth;
pub mod authz;
pub mod body;
pub mod budget;
pub mod callback;
pub mod clock;
pub mod console;
pub mod dialect;
pub mod error;
pub mod explain;
pub mod gzip;
pub mod handlers;
pub mod host;
pub mod lifecycle;
pub mod metrics;
pub mod notify;
pub mod payload;
pub mod pipeline;
pub mod provision;
pub mod query;
pub mod range;
pub mod request;
pub mod router;
pub mod server;
pub mod sse;
pub mod state;
pub mod subresource;
pub mod trail;
pub mod website_convert;

pub use server::serve;
pub use state::{ApiConfig, AppState, AuthMode, Credential, MetricsAccess};
