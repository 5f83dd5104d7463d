//! ossemu-bench: a load generator for ossemu and other S3-compatible servers.
//!
//! Requests go out on tokio + hyper, signed with AWS SigV4 (path style,
//! `UNSIGNED-PAYLOAD`) or unsigned. Each workload is a module implementing
//! [`workload::Workload`]; the [`runner`] measures one cell (workload × size ×
//! concurrency) on one [`target::Target`], reading the server's CPU time and memory from
//! `/proc` ([`metrics`]); [`report`] prints the table and ratios. The back-to-origin
//! workloads fetch from an origin built into the tool ([`origin`]); [`drill`] holds the
//! reliability drills (`ossemu-bench drill crash|origin-faults|soak`).

pub mod body;
pub mod cli;
pub mod client;
pub mod drill;
pub mod metrics;
pub mod origin;
pub mod report;
pub mod rng;
pub mod runner;
pub mod sigv4;
pub mod startup;
pub mod stats;
pub mod target;
pub mod workload;
pub mod xml;
