//! Owner ids and display names that differ from the access keys, as real accounts have them:
//! every `Owner`, `Initiator` and `Grantee` names the owner id, and access checks compare
//! owner ids.

use ossemu_api::Credential;

use crate::support::*;

const MAIN_ID: &str = "100001";
const MAIN_NAME: &str = "Main User";
const ALT_ID: &str = "200002";
const ALT_NAME: &str = "Alt User";

fn credential(ak: &str, sk: &str, id: &str, name: &str) -> Credential {
    Credential {
        owner_id: id.into(),
        display_name: name.into(),
        ..Credential::new(ak, sk)
    }
}

/// A server whose users are `main` (id 100001), `alt` (id 200002) and `main2`, a second
/// access key of the owner 100001.
async fn server() -> Server {
    Server::start_with(|c| {
        c.credentials = vec![
            credential("main", "main-secret", MAIN_ID, MAIN_NAME),
            credential("alt", "alt-secret", ALT_ID, ALT_NAME),
            credential(
                "main2",
                "main2-secret",
                MAIN_ID,
                "ignored: the first name counts",
            ),
        ];
    })
    .await
}

trait As {
    fn oss_main(self) -> Self;
    fn s3_main(self) -> Self;
}

impl As for Req {
    fn oss_main(self) -> Self {
        self.oss_as("main", "main-secret")
    }
    fn s3_main(self) -> Self {
        self.s3_as("main", "main-secret")
    }
}

/// The `<ID>` and `<DisplayName>` texts of a response, in order.
fn ids_and_names(r: &Resp) -> (Vec<String>, Vec<String>) {
    (r.xml_all("ID"), r.xml_all("DisplayName"))
}

fn main_only(n: usize) -> (Vec<String>, Vec<String>) {
    (vec![MAIN_ID.into(); n], vec![MAIN_NAME.into(); n])
}

#[tokio::test]
async fn bucket_acl_and_listings_name_the_owner_id() {
    let s = server().await;
    let r = s.req("PUT", "/owned").oss_main().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rec = s.state.store.meta().get_bucket("owned").unwrap().unwrap();
    assert_eq!(rec.owner, MAIN_ID, "the record holds the owner id");

    let acl = s.req("GET", "/owned?acl").oss_main().send().await;
    assert_eq!(ids_and_names(&acl), main_only(1), "{}", acl.text());
    assert_eq!(acl.xml("Grant").as_deref(), Some("private"));
    let acl = s.req("GET", "/owned?acl").s3_main().send().await;
    assert_eq!(acl.status, 200, "{}", acl.text());
    // Owner, then the owner's FULL_CONTROL grantee.
    assert_eq!(ids_and_names(&acl), main_only(2), "{}", acl.text());

    for list in [
        s.req("GET", "/").oss_main().send().await,
        s.req("GET", "/").s3_main().send().await,
    ] {
        assert_eq!(list.xml_all("Name"), ["owned"], "{}", list.text());
        assert_eq!(ids_and_names(&list), main_only(1), "{}", list.text());
    }
    let info = s.req("GET", "/owned?bucketInfo").oss_main().send().await;
    assert_eq!(info.xml("ID").as_deref(), Some(MAIN_ID), "{}", info.text());
    assert_eq!(info.xml("DisplayName").as_deref(), Some(MAIN_NAME));

    // The other access key of the same owner sees and manages the bucket.
    let list = s
        .req("GET", "/")
        .oss_as("main2", "main2-secret")
        .send()
        .await;
    assert_eq!(list.xml_all("Name"), ["owned"], "{}", list.text());
    assert_eq!(ids_and_names(&list), main_only(1));
    let acl = s
        .req("GET", "/owned?acl")
        .oss_as("main2", "main2-secret")
        .send()
        .await;
    assert_eq!(ids_and_names(&acl), main_only(1), "{}", acl.text());
    // Another owner does not.
    let list = s.req("GET", "/").oss_as("alt", "alt-secret").send().await;
    assert!(list.xml_all("Name").is_empty(), "{}", list.text());
    assert_eq!(list.xml("ID").as_deref(), Some(ALT_ID));
    assert_eq!(list.xml("DisplayName").as_deref(), Some(ALT_NAME));
    s.req("GET", "/owned?acl")
        .oss_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("PUT", "/owned?acl")
        .s3_as("alt", "alt-secret")
        .header("x-amz-acl", "public-read")
        .send()
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn objects_and_uploads_name_their_owner_id() {
    let s = server().await;
    let r = s
        .req("PUT", "/shared")
        .oss_main()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for (key, ak, sk) in [
        ("a-main", "main", "main-secret"),
        ("b-alt", "alt", "alt-secret"),
    ] {
        let r = s
            .req("PUT", &format!("/shared/{key}"))
            .oss_as(ak, sk)
            .body("x")
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let rec = s
        .state
        .store
        .meta()
        .get_object("shared", "b-alt")
        .unwrap()
        .unwrap();
    assert_eq!(rec.owner, ALT_ID);
    let both = (
        vec![MAIN_ID.to_string(), ALT_ID.to_string()],
        vec![MAIN_NAME.to_string(), ALT_NAME.to_string()],
    );
    let v1 = s.req("GET", "/shared").oss_main().send().await;
    assert_eq!(ids_and_names(&v1), both, "{}", v1.text());
    let v2 = s
        .req("GET", "/shared?list-type=2&fetch-owner=true")
        .s3_main()
        .send()
        .await;
    assert_eq!(ids_and_names(&v2), both, "{}", v2.text());

    // GetObjectAcl: the object's owner, in both dialects.
    let acl = s.req("GET", "/shared/b-alt?acl").oss_main().send().await;
    assert_eq!(acl.xml("ID").as_deref(), Some(ALT_ID), "{}", acl.text());
    assert_eq!(acl.xml("DisplayName").as_deref(), Some(ALT_NAME));
    let acl = s.req("GET", "/shared/a-main?acl").s3_main().send().await;
    assert_eq!(ids_and_names(&acl), main_only(2), "{}", acl.text());
    // The object's owner may read its ACL with another access key of the same owner.
    let acl = s
        .req("GET", "/shared/a-main?acl")
        .s3_as("main2", "main2-secret")
        .send()
        .await;
    assert_eq!(acl.status, 200, "{}", acl.text());

    // Multipart: Initiator and Owner are the initiator's owner id.
    let init = s
        .req("POST", "/shared/big?uploads")
        .s3_as("alt", "alt-secret")
        .send()
        .await;
    let upload = init.xml("UploadId").expect("upload id");
    let list = s.req("GET", "/shared?uploads").s3_main().send().await;
    assert_eq!(
        ids_and_names(&list),
        (vec![ALT_ID.to_string(); 2], vec![ALT_NAME.to_string(); 2]),
        "{}",
        list.text()
    );
    // OSS's ListMultipartUploads names no initiator.
    let list = s.req("GET", "/shared?uploads").oss_main().send().await;
    assert_eq!(
        list.xml_all("UploadId"),
        std::slice::from_ref(&upload),
        "{}",
        list.text()
    );
    let parts = s
        .req("GET", &format!("/shared/big?uploadId={upload}"))
        .s3_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(parts.xml_all("ID"), [ALT_ID, ALT_ID], "{}", parts.text());
}

#[tokio::test]
async fn expected_bucket_owner_takes_the_owner_id() {
    let s = server().await;
    assert_eq!(s.req("PUT", "/exp").s3_main().send().await.status, 200);
    let head = |expected: &'static str| {
        s.req("GET", "/exp?list-type=2")
            .s3_main()
            .header("x-amz-expected-bucket-owner", expected)
            .send()
    };
    assert_eq!(head(MAIN_ID).await.status, 200);
    head("main").await.assert_error(403, "AccessDenied");
    head(ALT_ID).await.assert_error(403, "AccessDenied");
}

/// `--auth off` with an access key no credential has: its owner id is the access key.
#[tokio::test]
async fn unknown_key_without_auth_is_its_own_owner() {
    let s = Server::start_with(|c| {
        c.credentials = vec![credential("main", "main-secret", MAIN_ID, MAIN_NAME)];
        c.auth = ossemu_api::AuthMode::Off;
    })
    .await;
    assert_eq!(
        s.req("PUT", "/loose")
            .oss_as("stranger", "x")
            .send()
            .await
            .status,
        200
    );
    let acl = s
        .req("GET", "/loose?acl")
        .oss_as("stranger", "x")
        .send()
        .await;
    assert_eq!(acl.xml("ID").as_deref(), Some("stranger"), "{}", acl.text());
    // A known key with any signature acts for its owner.
    let list = s.req("GET", "/").oss_as("main", "wrong").send().await;
    assert_eq!(list.xml("ID").as_deref(), Some(MAIN_ID), "{}", list.text());
}
