//! Regressions found by running the s3s-e2e conformance suite (`tests/conformance/`) against
//! ossemu, each reduced to the raw requests the AWS SDK for Rust sent.

use base64::Engine as _;

use crate::support::*;

fn crc32_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc_fast::crc32_iso_hdlc(data).to_be_bytes())
}

/// `Advanced/Multipart/test_multipart_upload`: the SDK sends every UploadPart with a CRC32
/// (header or aws-chunked trailer) and expects it back in `x-amz-checksum-crc32`, which it
/// then puts into CompleteMultipartUpload's `ChecksumCRC32`.
#[tokio::test]
async fn upload_part_echoes_the_checksum_it_verified() {
    let s = Server::start().await;
    s.bucket("mpu-crc").await;
    let r = s
        .req("POST", "/mpu-crc/k?uploads")
        .header("x-amz-checksum-algorithm", "CRC32")
        .s3()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.xml("UploadId").unwrap();

    // Checksum in a header.
    let one = vec![b'a'; 5 * 1024 * 1024 + 1];
    let r = s
        .req("PUT", &format!("/mpu-crc/k?partNumber=1&uploadId={id}"))
        .header("x-amz-checksum-crc32", &crc32_b64(&one))
        .s3()
        .body(one.clone())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-amz-checksum-crc32"), Some(crc32_b64(&one).as_str()));
    let etag1 = r.h("etag").unwrap().to_string();

    // Checksum in an aws-chunked trailer.
    let two = vec![b'b'; 1024];
    let r = s
        .req("PUT", &format!("/mpu-crc/k?partNumber=2&uploadId={id}"))
        .s3()
        .aws_chunked(std::slice::from_ref(&two), Some(&crc32_b64(&two)), None)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-amz-checksum-crc32"), Some(crc32_b64(&two).as_str()));
    let etag2 = r.h("etag").unwrap().to_string();

    // A part without a checksum gets none back.
    let r = s
        .req("PUT", &format!("/mpu-crc/k?partNumber=3&uploadId={id}"))
        .s3()
        .body("c")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-amz-checksum-crc32"), None);

    let body = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag><ChecksumCRC32>{}</ChecksumCRC32></Part><Part><PartNumber>2</PartNumber><ETag>{etag2}</ETag><ChecksumCRC32>{}</ChecksumCRC32></Part></CompleteMultipartUpload>",
        crc32_b64(&one),
        crc32_b64(&two)
    );
    let r = s
        .req("POST", &format!("/mpu-crc/k?uploadId={id}"))
        .s3()
        .body(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/mpu-crc/k").s3().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), one.len() + two.len());
}
