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

#[tokio::test]
async fn multipart_upload_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let args = ["--listen", "127.0.0.1:0", "--data-dir", data];
    let b = Binary::start(&args, &[]);
    assert_eq!(b.req("PUT", "/mp-crash").oss().send().await.status, 200);
    let id = b
        .req("POST", "/mp-crash/k?uploads")
        .oss()
        .send()
        .await
        .xml("UploadId")
        .unwrap();
    let part1 = vec![1u8; 200 * 1024];
    let e1 = b
        .req("PUT", &format!("/mp-crash/k?partNumber=1&uploadId={id}"))
        .oss()
        .body(part1.clone())
        .send()
        .await
        .h("etag")
        .unwrap()
        .to_string();
    b.kill();

    let b = Binary::start(&args, &[]);
    let listed = b
        .req("GET", &format!("/mp-crash/k?uploadId={id}"))
        .oss()
        .send()
        .await;
    assert_eq!(listed.xml_all("PartNumber"), ["1"]);
    let e2 = b
        .req("PUT", &format!("/mp-crash/k?partNumber=2&uploadId={id}"))
        .oss()
        .body("tail")
        .send()
        .await
        .h("etag")
        .unwrap()
        .to_string();
    let body = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{e1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{e2}</ETag></Part></CompleteMultipartUpload>"
    );
    let r = b
        .req("POST", &format!("/mp-crash/k?uploadId={id}"))
        .oss()
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = b.req("GET", "/mp-crash/k").oss().send().await;
    assert_eq!(g.body.len(), part1.len() + 4);
    assert!(g.body[..part1.len()] == part1[..] && &g.body[part1.len()..] == b"tail");
}
