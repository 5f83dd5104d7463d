//! ossemu's HTTP API layer: request authentication and (to come) the S3/OSS service.

pub mod auth;
