//! A test origin on loopback: raw HTTP/1.1 over TCP so it can do what a misbehaving origin
//! does (reset mid-body, lie about its length or MD5, trickle, redirect in loops), count hits
//! and record the headers and query of every request.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// How the origin answers a path.
#[derive(Clone)]
pub enum Reply {
    /// A complete response with Content-Length.
    Body {
        /// Status.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// Body.
        body: Vec<u8>,
    },
    /// Chunked transfer encoding, one chunk per element.
    Chunked(Vec<Vec<u8>>),
    /// Content-Length, body sent `chunk` bytes at a time with a pause between.
    Slow {
        /// Body.
        body: Vec<u8>,
        /// Bytes per write.
        chunk: usize,
        /// Pause between writes.
        pause: Duration,
    },
    /// Declares `declared` bytes, sends `sent`, then closes the connection.
    Truncated {
        /// Announced Content-Length.
        declared: usize,
        /// What is actually sent.
        sent: Vec<u8>,
    },
    /// Sends the head and the first half of the body, waits for the gate, then the rest.
    Gated {
        /// Body.
        body: Vec<u8>,
        /// Opened by the test.
        gate: Arc<Notify>,
    },
    /// Chunked, this many bytes per chunk, without end (until the connection is closed).
    Endless(usize),
    /// Redirects with this status to `location`.
    Redirect(u16, String),
    /// Never answers (for timeouts).
    Silent,
}

/// One request the origin received.
#[derive(Clone, Debug)]
pub struct Hit {
    /// Path and query as sent.
    pub target: String,
    /// Lower-case header names with values.
    pub headers: Vec<(String, String)>,
}

impl Hit {
    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The running origin.
pub struct Origin {
    /// Where it listens.
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Origin {
    /// Starts an origin with no routes (everything is 404).
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let (r, h) = (routes.clone(), hits.clone());
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(sock, r.clone(), h.clone()));
            }
        });
        Self { addr, routes, hits }
    }

    /// `http://addr/` (a MirrorURL).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Sets the reply for a path (without query).
    pub fn route(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_string(), reply);
    }

    /// A 200 with this body and extra headers.
    pub fn file(&self, path: &str, body: &[u8], headers: &[(&str, &str)]) {
        self.route(
            path,
            Reply::Body {
                status: 200,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body: body.to_vec(),
            },
        );
    }

    /// Requests received for a path (query ignored).
    pub fn hits(&self, path: &str) -> Vec<Hit> {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.target.split('?').next() == Some(path))
            .cloned()
            .collect()
    }
}

async fn serve(
    mut sock: TcpStream,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    hits: Arc<Mutex<Vec<Hit>>>,
) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match sock.read(&mut tmp).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let target = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    hits.lock().unwrap().push(Hit {
        target: target.clone(),
        headers,
    });
    let path = target.split('?').next().unwrap_or("/").to_string();
    let reply = routes.lock().unwrap().get(&path).cloned();
    let w = &mut sock;
    let head_for = |status: u16, extra: &[(String, String)], len: Option<usize>| {
        let mut h = format!(
            "HTTP/1.1 {status} {}\r\nconnection: close\r\n",
            reason(status)
        );
        for (k, v) in extra {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        match len {
            Some(n) => h.push_str(&format!("content-length: {n}\r\n")),
            None => h.push_str("transfer-encoding: chunked\r\n"),
        }
        h.push_str("\r\n");
        h.into_bytes()
    };
    let _ = match reply {
        None => {
            let body = b"<Error>not here</Error>";
            let mut out = head_for(404, &[], Some(body.len()));
            out.extend_from_slice(body);
            w.write_all(&out).await
        }
        Some(Reply::Body {
            status,
            headers,
            body,
        }) => {
            let mut out = head_for(status, &headers, Some(body.len()));
            out.extend_from_slice(&body);
            w.write_all(&out).await
        }
        Some(Reply::Chunked(chunks)) => {
            let mut r = w
                .write_all(&head_for(
                    200,
                    &[("content-type".into(), "text/plain".into())],
                    None,
                ))
                .await;
            for c in chunks {
                let mut out = format!("{:x}\r\n", c.len()).into_bytes();
                out.extend_from_slice(&c);
                out.extend_from_slice(b"\r\n");
                r = r.and(w.write_all(&out).await);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            r.and(w.write_all(b"0\r\n\r\n").await)
        }
        Some(Reply::Slow { body, chunk, pause }) => {
            let mut r = w.write_all(&head_for(200, &[], Some(body.len()))).await;
            for c in body.chunks(chunk) {
                r = r.and(w.write_all(c).await);
                tokio::time::sleep(pause).await;
            }
            r
        }
        Some(Reply::Truncated { declared, sent }) => {
            let mut out = head_for(200, &[], Some(declared));
            out.extend_from_slice(&sent);
            w.write_all(&out).await
        }
        Some(Reply::Gated { body, gate }) => {
            let half = body.len() / 2;
            let mut out = head_for(
                200,
                &[("content-type".into(), "application/x-gated".into())],
                Some(body.len()),
            );
            out.extend_from_slice(&body[..half]);
            let r = w.write_all(&out).await;
            gate.notified().await;
            r.and(w.write_all(&body[half..]).await)
        }
        Some(Reply::Endless(size)) => {
            let mut r = w.write_all(&head_for(200, &[], None)).await;
            let mut chunk = format!("{size:x}\r\n").into_bytes();
            chunk.extend(std::iter::repeat_n(b'e', size));
            chunk.extend_from_slice(b"\r\n");
            while r.is_ok() {
                r = w.write_all(&chunk).await;
            }
            r
        }
        Some(Reply::Redirect(status, location)) => {
            w.write_all(&head_for(status, &[("location".into(), location)], Some(0)))
                .await
        }
        Some(Reply::Silent) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
    };
    let _ = w.shutdown().await;
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
