//! Bucket default encryption (`?encryption`, PutBucket's `x-oss-server-side-encryption`
//! headers): kept, reported by GetBucketEncryption and GetBucketInfo, and applied to every new
//! object whose write names no encryption, on each write path.

use crate::support::*;

const SSE: &str = "x-oss-server-side-encryption";
const KEY_ID: &str = "x-oss-server-side-encryption-key-id";
const DATA: &str = "x-oss-server-side-data-encryption";

fn rule(algorithm: &str, key: Option<&str>, data: Option<&str>) -> String {
    let key = key.map_or(String::new(), |k| {
        format!("<KMSMasterKeyID>{k}</KMSMasterKeyID>")
    });
    let data = data.map_or(String::new(), |d| {
        format!("<KMSDataEncryption>{d}</KMSDataEncryption>")
    });
    format!(
        "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>\
         <SSEAlgorithm>{algorithm}</SSEAlgorithm>{key}{data}\
         </ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>"
    )
}

async fn put_rule(s: &Server, bucket: &str, body: String) -> Resp {
    s.req("PUT", &format!("/{bucket}?encryption"))
        .oss()
        .body(body)
        .send()
        .await
}

#[tokio::test]
async fn bucket_encryption_is_kept_checked_and_removed() {
    let s = Server::start().await;
    s.bucket("enc").await;
    let r = s.req("GET", "/enc?encryption").oss().send().await;
    r.assert_error(404, "NoSuchServerSideEncryptionRule");
    put_rule(&s, "enc", rule("AES256", Some("k"), None))
        .await
        .assert_error(400, "InvalidArgument");
    put_rule(&s, "enc", rule("random", None, None))
        .await
        .assert_error(400, "InvalidEncryptionAlgorithmError");
    let r = put_rule(&s, "enc", rule("KMS", Some("key-9"), Some("SM4"))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/enc?encryption").oss().send().await;
    assert_eq!(r.xml("SSEAlgorithm").as_deref(), Some("KMS"));
    assert_eq!(r.xml("KMSMasterKeyID").as_deref(), Some("key-9"));
    assert_eq!(r.xml("KMSDataEncryption").as_deref(), Some("SM4"));
    let info = s.req("GET", "/enc?bucketInfo").oss().send().await;
    assert_eq!(info.xml("SSEAlgorithm").as_deref(), Some("KMS"));
    assert_eq!(info.xml("KMSMasterKeyID").as_deref(), Some("key-9"));
    let r = s.req("DELETE", "/enc?encryption").oss().send().await;
    assert_eq!(r.status, 204);
    let r = s.req("GET", "/enc?encryption").oss().send().await;
    r.assert_error(404, "NoSuchServerSideEncryptionRule");
    let info = s.req("GET", "/enc?bucketInfo").oss().send().await;
    assert_eq!(info.xml("SSEAlgorithm").as_deref(), Some("None"));
    // Objects written while the default held keep their encryption.
    let r = put_rule(&s, "enc", rule("SM4", None, None)).await;
    assert_eq!(r.status, 200);
    s.put("enc", "during", "x").await;
    s.req("DELETE", "/enc?encryption").oss().send().await;
    s.put("enc", "after", "x").await;
    let during = s.req("HEAD", "/enc/during").oss().send().await;
    assert_eq!(during.h(SSE), Some("SM4"));
    let after = s.req("HEAD", "/enc/after").oss().send().await;
    assert_eq!(after.h(SSE), None);
}

/// Each write path takes the bucket default when it names no encryption, and what a write
/// names wins over the default.
#[tokio::test]
async fn bucket_default_applies_to_every_new_object() {
    let s = Server::start().await;
    s.bucket("dflt").await;
    let r = put_rule(&s, "dflt", rule("KMS", Some("key-1"), Some("SM4"))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let put = s.put("dflt", "put", "body").await;
    assert_eq!(put.h(SSE), Some("KMS"));
    assert_eq!(put.h(KEY_ID), Some("key-1"));
    let r = s
        .req("PUT", "/dflt/copy")
        .oss()
        .header("x-oss-copy-source", "/dflt/put")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("POST", "/dflt/app?append&position=0")
        .oss()
        .body("a")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("POST", "/dflt/mp?uploads").oss().send().await;
    assert_eq!(r.h(SSE), Some("KMS"), "{}", r.text());
    let id = r.xml("UploadId").unwrap();
    let part = s
        .req("PUT", &format!("/dflt/mp?partNumber=1&uploadId={id}"))
        .oss()
        .body("p")
        .send()
        .await;
    let etag = part.h("etag").unwrap().to_string();
    let done = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part>\
         </CompleteMultipartUpload>"
    );
    let r = s
        .req("POST", &format!("/dflt/mp?uploadId={id}"))
        .oss()
        .body(done)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for key in ["put", "copy", "app", "mp"] {
        for method in ["HEAD", "GET"] {
            let r = s.req(method, &format!("/dflt/{key}")).oss().send().await;
            assert_eq!(r.h(SSE), Some("KMS"), "{method} {key}");
            assert_eq!(r.h(KEY_ID), Some("key-1"), "{method} {key}");
            assert_eq!(r.h(DATA), Some("SM4"), "{method} {key}");
        }
    }
    let r = s
        .req("PUT", "/dflt/own")
        .oss()
        .header(SSE, "AES256")
        .body("x")
        .send()
        .await;
    assert_eq!(r.h(SSE), Some("AES256"));
    let r = s.req("GET", "/dflt/own").oss().send().await;
    assert_eq!(r.h(SSE), Some("AES256"));
    assert_eq!(r.h(KEY_ID), None);
}

/// PutBucket's encryption headers set the default GetBucketInfo reports; a bad algorithm
/// refuses the bucket.
#[tokio::test]
async fn put_bucket_headers_set_the_default() {
    let s = Server::start().await;
    let r = s
        .req("PUT", "/hdr")
        .oss()
        .header(SSE, "KMS")
        .header(KEY_ID, "9468da86")
        .header(DATA, "SM4")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let info = s.req("GET", "/hdr?bucketInfo").oss().send().await;
    assert_eq!(info.xml("SSEAlgorithm").as_deref(), Some("KMS"));
    assert_eq!(info.xml("KMSMasterKeyID").as_deref(), Some("9468da86"));
    assert_eq!(info.xml("KMSDataEncryption").as_deref(), Some("SM4"));
    let put = s.put("hdr", "o", "x").await;
    assert_eq!(put.h(KEY_ID), Some("9468da86"));
    let r = s.req("PUT", "/bad").oss().header(SSE, "DES").send().await;
    r.assert_error(400, "InvalidEncryptionAlgorithmError");
    let r = s.req("HEAD", "/bad").oss().send().await;
    assert_eq!(r.status, 404);
}

fn s3_config(algorithm: &str, key: Option<&str>) -> String {
    let key = key.map_or(String::new(), |k| {
        format!("<KMSMasterKeyID>{k}</KMSMasterKeyID>")
    });
    format!(
        r#"<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>
           <ApplyServerSideEncryptionByDefault><SSEAlgorithm>{algorithm}</SSEAlgorithm>{key}
           </ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"#
    )
}

/// S3's PutBucketEncryption (`ServerSideEncryptionConfiguration`), its checks and errors,
/// the default on new S3 objects, and the same default read through OSS.
#[tokio::test]
async fn s3_bucket_encryption_in_its_own_form() {
    let s = Server::start().await;
    s.bucket("s3-enc").await;
    let put = |body: String| s.req("PUT", "/s3-enc?encryption").s3().body(body).send();
    s.req("GET", "/s3-enc?encryption")
        .s3()
        .send()
        .await
        .assert_error(404, "ServerSideEncryptionConfigurationNotFoundError");
    put(s3_config("KMS", None))
        .await
        .assert_error(400, "MalformedXML");
    put(s3_config("AES256", Some("k1")))
        .await
        .assert_error(400, "InvalidArgument");
    let r = put(s3_config("aws:kms", Some("k1"))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/s3-enc?encryption").s3().send().await;
    assert!(
        g.text().contains(
            r#"<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>"#
        ),
        "{}",
        g.text()
    );
    assert_eq!(g.xml("SSEAlgorithm").as_deref(), Some("aws:kms"));
    assert_eq!(g.xml("KMSMasterKeyID").as_deref(), Some("k1"));
    // OSS reads the same default in its names.
    let g = s.req("GET", "/s3-enc?encryption").oss().send().await;
    assert_eq!(g.xml("SSEAlgorithm").as_deref(), Some("KMS"));
    // New objects get it, in either dialect.
    let w = s.req("PUT", "/s3-enc/a").s3().body("x").send().await;
    assert_eq!(w.h("x-amz-server-side-encryption"), Some("aws:kms"));
    assert_eq!(
        w.h("x-amz-server-side-encryption-aws-kms-key-id"),
        Some("k1")
    );
    let h = s.req("HEAD", "/s3-enc/a").s3().send().await;
    assert_eq!(h.h("x-amz-server-side-encryption"), Some("aws:kms"));
    let h = s.req("HEAD", "/s3-enc/a").oss().send().await;
    assert_eq!(h.h(SSE), Some("KMS"));
    assert_eq!(h.h(KEY_ID), Some("k1"));
    let d = s.req("DELETE", "/s3-enc?encryption").s3().send().await;
    assert_eq!(d.status, 204);
    let w = s.req("PUT", "/s3-enc/b").s3().body("x").send().await;
    assert_eq!(w.h("x-amz-server-side-encryption"), None);
}
