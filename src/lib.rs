//! ossemu as a library: the start-up the `ossemu` binary runs ([`run`], [`Ready`]) and, for
//! tests in other crates, [`TestServer`]: an in-memory server on a free loopback port that
//! stops when dropped.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::{Read, Write};
//!
//! let server = ossemu::TestServer::builder()
//!     .bucket("photos") // created at start, owned by the default credential
//!     .start()?;
//! // Point an S3 or OSS client here, with path-style addressing.
//! assert!(server.endpoint().starts_with("http://127.0.0.1:"));
//! assert_eq!(server.access_key(), "ossemu");
//! assert_eq!(server.secret_key(), "ossemu-secret");
//!
//! // The bucket exists and is private: an unsigned read is refused.
//! let mut tcp = std::net::TcpStream::connect(server.addr())?;
//! write!(tcp, "GET /photos/cat.jpg HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr())?;
//! let mut reply = String::new();
//! tcp.read_to_string(&mut reply)?;
//! assert!(reply.starts_with("HTTP/1.1 403"), "{reply}");
//! assert!(reply.contains("<Code>AccessDenied</Code>"), "{reply}");
//!
//! drop(server); // stops the server; its memory store goes with it
//! # Ok(())
//! # }
//! ```

pub mod config;
pub mod config_file;
mod memory;
mod start;
mod test_server;

pub use start::{Ready, prepare, run};
pub use test_server::{TestServer, TestServerBuilder};
