//! Path style, virtual-host style and unknown hosts.

use crate::support::*;

#[tokio::test]
async fn virtual_host_and_path_style_address_the_same_bucket() {
    let s = Server::start_with(|c| c.endpoint_domains.push("ossemu.test".into())).await;
    s.bucket("vhb").await;
    let port = s.addr.port();
    let r = s
        .req("PUT", "/k%2F1")
        .host(&format!("vhb.localhost:{port}"))
        .oss()
        .body("one")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.req("GET", "/vhb/k/1").oss().send().await.text(), "one");
    for host in [
        format!("vhb.oss-cn-hangzhou.aliyuncs.com:{port}"),
        "vhb.s3.us-east-1.amazonaws.com".to_string(),
        "vhb.ossemu.test".to_string(),
    ] {
        let r = s.req("GET", "/k/1").host(&host).oss().send().await;
        assert_eq!(r.status, 200, "{host}");
        assert_eq!(r.text(), "one");
    }
    // Listing through the virtual host.
    let r = s.req("GET", "/").host("vhb.localhost").oss().send().await;
    assert_eq!(r.xml_all("Key"), ["k/1"]);
    // Unknown names are path style (docker-compose service names).
    let r = s
        .req("GET", "/vhb/k/1")
        .host("ossemu:9000")
        .oss()
        .send()
        .await;
    assert_eq!(r.text(), "one");
    // A service-level request on an endpoint host lists buckets.
    let r = s
        .req("GET", "/")
        .host("oss-cn-hangzhou.aliyuncs.com")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml_all("Name"), ["vhb"]);
    // An empty bucket label (`.<endpoint>`, which an SDK sends for ListBuckets against an
    // IP endpoint) names no bucket: the service.
    for host in [".oss-cn-hangzhou.aliyuncs.com", ".localhost"] {
        let r = s.req("GET", "/").host(host).path_style().oss().send().await;
        assert_eq!(r.status, 200, "{host}: {}", r.text());
        assert_eq!(r.xml_all("Name"), ["vhb"]);
    }
    // GetBucketInfo through a virtual host reports the endpoint without the bucket label.
    let r = s
        .req("GET", "/?bucketInfo")
        .host(&format!("vhb.localhost:{port}"))
        .oss()
        .send()
        .await;
    assert_eq!(r.xml("ExtranetEndpoint"), Some(format!("localhost:{port}")));
}
