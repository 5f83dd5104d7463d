//! The binary: an acknowledged write survives `kill -9`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::support::*;

/// Starts the real binary on a free port; returns the child and its address.
pub fn spawn_binary(data_dir: &std::path::Path, extra: &[&str]) -> (Child, std::net::SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ossemu"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(extra)
        .env("RUST_LOG", "info")
        .env_remove("OSSEMU_MEMORY")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn ossemu");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("ossemu exited before listening")
            .unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    // Keep draining the log so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

struct Remote(std::net::SocketAddr);

impl Remote {
    fn req(&self, method: &str, path: &str) -> Req {
        let fake = Server::detached(self.0);
        fake.req(method, path)
    }
}

#[tokio::test]
async fn acknowledged_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = spawn_binary(dir.path(), &[]);
    let r = Remote(addr);
    assert_eq!(r.req("PUT", "/durable").oss().send().await.status, 200);
    let put = r
        .req("PUT", "/durable/obj")
        .oss()
        .header("x-oss-meta-state", "acked")
        .header("content-type", "text/plain")
        .body("survives")
        .send()
        .await;
    assert_eq!(put.status, 200);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let (mut child, addr) = spawn_binary(dir.path(), &[]);
    let r = Remote(addr);
    let g = r.req("GET", "/durable/obj").oss().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.text(), "survives");
    assert_eq!(g.h("x-oss-meta-state"), Some("acked"));
    assert_eq!(g.h("content-type"), Some("text/plain"));
    assert_eq!(g.h("etag"), put.h("etag"));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn graceful_stop_keeps_data() {
    let s = Server::start().await;
    s.bucket("gstop").await;
    s.put("gstop", "k", "kept").await;
    assert_eq!(s.state.store.meta().list_buckets().unwrap().len(), 1);
    let dir = s.stop().await;
    let store = ossemu_store::Store::open(&ossemu_store::StoreOptions {
        data_dir: Some(dir.path().to_path_buf()),
    })
    .unwrap();
    let rec = store.meta().get_object("gstop", "k").unwrap().unwrap();
    assert_eq!(rec.size, 4);
    assert_eq!(rec.etag, md5_hex(b"kept"));
}
