//! The binary: an acknowledged write survives `kill -9`.

use crate::support::*;

#[tokio::test]
async fn acknowledged_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let r = Binary::start(&["--listen", "127.0.0.1:0", "--data-dir", data], &[]);
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
    r.kill(); // SIGKILL

    let r = Binary::start(&["--listen", "127.0.0.1:0", "--data-dir", data], &[]);
    let g = r.req("GET", "/durable/obj").oss().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.text(), "survives");
    assert_eq!(g.h("x-oss-meta-state"), Some("acked"));
    assert_eq!(g.h("content-type"), Some("text/plain"));
    assert_eq!(g.h("etag"), put.h("etag"));
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
