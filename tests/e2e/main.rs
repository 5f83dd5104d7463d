//! End-to-end tests: an in-process server on loopback, driven with raw HTTP and asserting
//! status, headers and body bytes as a client sees them.

mod origin;
mod support;

mod acl;
mod addressing;
mod auth;
mod auth_v2;
mod bad_input;
mod bucket_encryption;
mod bucket_logging;
mod bucket_stat;
mod buckets;
mod callback;
mod compat;
mod compression;
mod console;
mod copy_delete;
mod cors;
mod disk_full;
mod explain;
mod grants;
mod lifecycle;
mod limits;
mod listing;
mod mirror;
mod multipart;
mod notifications;
mod objects;
mod owners;
mod ownership;
mod policies;
mod post_object;
mod public_access;
mod referer;
mod restart;
mod retention;
mod s3s_e2e_regressions;
mod ship;
mod storage_class;
mod symlink;
mod tagging;
mod test_server;
mod versioning;
mod website;
mod wording;
