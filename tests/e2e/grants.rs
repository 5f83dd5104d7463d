//! S3 ACL grants to individual accounts: by canonical id, by e-mail address (resolved to the
//! account and shown back as a CanonicalUser), to groups, in `x-amz-grant-*` headers and in
//! AccessControlPolicy bodies; each permission enforced for another account, and never for
//! a user of that account.

use ossemu_api::Credential;

use crate::support::*;

const XSI: &str = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTH_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";
const ALT_ID: &str = "alt-account";
const ALT_MAIL: &str = "alt@example.com";

/// `ossemu` (main, main@example.com), `alt` (account alt-account, "Alt Account",
/// alt@example.com), `altuser` (a user of alt-account) and `third` (another account).
async fn server() -> Server {
    Server::start_with(|c| {
        c.credentials = vec![
            Credential {
                display_name: "main".into(),
                email: Some("main@example.com".into()),
                ..Credential::new(AK, SK)
            },
            Credential {
                owner_id: ALT_ID.into(),
                display_name: "Alt Account".into(),
                email: Some(ALT_MAIL.into()),
                ..Credential::new("alt", "alt-secret")
            },
            Credential {
                owner_id: ALT_ID.into(),
                display_name: "Alt Account".into(),
                user: Some("bob".into()),
                ..Credential::new("altuser", "altuser-secret")
            },
            Credential::new("third", "third-secret"),
        ];
    })
    .await
}

trait As {
    fn alt(self) -> Self;
    fn alt_user(self) -> Self;
    fn third(self) -> Self;
}

impl As for Req {
    fn alt(self) -> Self {
        self.s3_as("alt", "alt-secret")
    }
    fn alt_user(self) -> Self {
        self.s3_as("altuser", "altuser-secret")
    }
    fn third(self) -> Self {
        self.s3_as("third", "third-secret")
    }
}

/// An AccessControlPolicy body: `(xsi:type, who, permission)`.
fn policy(grants: &[(&str, &str, &str)]) -> String {
    let grants: String = grants
        .iter()
        .map(|(kind, who, perm)| {
            let inner = match *kind {
                "CanonicalUser" => format!("<ID>{who}</ID>"),
                "Group" => format!("<URI>{who}</URI>"),
                _ => format!("<EmailAddress>{who}</EmailAddress>"),
            };
            format!("<Grant><Grantee {XSI} xsi:type=\"{kind}\">{inner}</Grantee><Permission>{perm}</Permission></Grant>")
        })
        .collect();
    format!(
        "<AccessControlPolicy><Owner><ID>{AK}</ID></Owner><AccessControlList>{grants}</AccessControlList></AccessControlPolicy>"
    )
}

fn status(r: &Resp) -> u16 {
    r.status
}

#[tokio::test]
async fn bucket_grants_by_email_id_and_group_are_enforced() {
    let s = server().await;
    let r = s.req("PUT", "/grant-b").s3().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(status(&s.req("GET", "/grant-b").alt().send().await), 403);

    // READ to alt by e-mail: shown back as alt's canonical id and display name.
    let body = policy(&[
        ("CanonicalUser", AK, "FULL_CONTROL"),
        ("AmazonCustomerByEmail", ALT_MAIL, "READ"),
    ]);
    let r = s.req("PUT", "/grant-b?acl").s3().body(body).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let acl = s.req("GET", "/grant-b?acl").s3().send().await;
    let text = acl.text();
    assert!(
        text.contains(&format!("<Grant><Grantee {XSI} xsi:type=\"CanonicalUser\"><ID>{ALT_ID}</ID><DisplayName>Alt Account</DisplayName></Grantee><Permission>READ</Permission></Grant>")),
        "{text}"
    );
    assert!(!text.contains("EmailAddress"), "{text}");
    assert_eq!(acl.xml_all("Permission"), ["FULL_CONTROL", "READ"]);
    // alt may list, not write, not read the ACL; its user and other accounts get nothing.
    assert_eq!(status(&s.req("GET", "/grant-b").alt().send().await), 200);
    s.req("PUT", "/grant-b/k")
        .alt()
        .body("x")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("GET", "/grant-b?acl")
        .alt()
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("GET", "/grant-b")
        .alt_user()
        .send()
        .await
        .assert_error(403, "AccessDenied");
    assert_eq!(status(&s.req("GET", "/grant-b").third().send().await), 403);

    // Header grants: WRITE by id, READ_ACP by e-mail.
    let r = s
        .req("PUT", "/grant-b?acl")
        .s3()
        .header("x-amz-grant-full-control", &format!("id=\"{AK}\""))
        .header("x-amz-grant-write", &format!("id=\"{ALT_ID}\""))
        .header(
            "x-amz-grant-read-acp",
            &format!("emailAddress=\"{ALT_MAIL}\""),
        )
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        status(&s.req("PUT", "/grant-b/k").alt().body("x").send().await),
        200
    );
    assert_eq!(
        status(&s.req("GET", "/grant-b?acl").alt().send().await),
        200
    );
    assert_eq!(status(&s.req("GET", "/grant-b").alt().send().await), 403);
    s.req("PUT", "/grant-b?acl")
        .alt()
        .header("x-amz-acl", "private")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    s.req("PUT", "/grant-b/k2")
        .alt_user()
        .body("x")
        .send()
        .await
        .assert_error(403, "AccessDenied");

    // WRITE_ACP lets alt change the ACL.
    let r = s
        .req("PUT", "/grant-b?acl")
        .s3()
        .header("x-amz-grant-write-acp", &format!("id=\"{ALT_ID}\""))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("PUT", "/grant-b?acl")
        .alt()
        .header("x-amz-grant-read", &format!("uri=\"{AUTH_USERS}\""))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // AuthenticatedUsers: every signed request of an account; not anonymous, and not a user
    // of another account without a policy of its own (its account must consent too).
    assert_eq!(status(&s.req("GET", "/grant-b").third().send().await), 200);
    assert_eq!(
        status(&s.req("GET", "/grant-b").alt_user().send().await),
        403
    );
    assert_eq!(status(&s.req("GET", "/grant-b").send().await), 403);
    // The owner keeps its rights without any grant.
    assert_eq!(status(&s.req("GET", "/grant-b?acl").s3().send().await), 200);
    assert_eq!(status(&s.req("GET", "/grant-b").s3().send().await), 200);
}

#[tokio::test]
async fn grantees_are_checked_and_groups_shown_by_uri() {
    let s = server().await;
    s.req("PUT", "/grant-c").s3().send().await;
    let r = s
        .req("PUT", "/grant-c?acl")
        .s3()
        .body(policy(&[(
            "AmazonCustomerByEmail",
            "nobody@example.com",
            "READ",
        )]))
        .send()
        .await;
    r.assert_error(400, "UnresolvableGrantByEmailAddress");
    let r = s
        .req("PUT", "/grant-c?acl")
        .s3()
        .header("x-amz-grant-read", "id=\"no-such-account\"")
        .send()
        .await;
    let text = r.assert_error(400, "InvalidArgument");
    assert!(text.contains("<Message>Invalid id</Message>"), "{text}");
    let r = s
        .req("PUT", "/grant-c?acl")
        .s3()
        .body(policy(&[("CanonicalUser", AK, "EVERYTHING")]))
        .send()
        .await;
    r.assert_error(400, "MalformedACLError");
    // Nothing changed.
    let acl = s.req("GET", "/grant-c?acl").s3().send().await;
    assert_eq!(acl.xml_all("Permission"), ["FULL_CONTROL"]);

    // log-delivery-write: the LogDelivery group's WRITE and READ_ACP, shown by URI first.
    let r = s
        .req("PUT", "/grant-c?acl")
        .s3()
        .header("x-amz-acl", "log-delivery-write")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let acl = s.req("GET", "/grant-c?acl").s3().send().await;
    let text = acl.text();
    assert!(
        text.contains(&format!("<Grant><Grantee {XSI} xsi:type=\"Group\"><URI>{LOG_DELIVERY}</URI></Grantee><Permission>WRITE</Permission></Grant>")),
        "{text}"
    );
    assert_eq!(
        acl.xml_all("Permission"),
        ["WRITE", "READ_ACP", "FULL_CONTROL"]
    );

    // Grants given out of order come back as given, group grants first.
    let body = policy(&[
        ("CanonicalUser", AK, "FULL_CONTROL"),
        ("CanonicalUser", ALT_ID, "WRITE_ACP"),
        ("Group", ALL_USERS, "READ"),
    ]);
    let r = s.req("PUT", "/grant-c?acl").s3().body(body).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let acl = s.req("GET", "/grant-c?acl").s3().send().await;
    assert_eq!(
        acl.xml_all("Permission"),
        ["READ", "FULL_CONTROL", "WRITE_ACP"]
    );
    assert_eq!(acl.xml_all("ID"), [AK, AK, ALT_ID]);
    // OSS shows the canned ACL nearest to them.
    let acl = s.req("GET", "/grant-c?acl").oss().send().await;
    assert_eq!(
        acl.xml("Grant").as_deref(),
        Some("public-read"),
        "{}",
        acl.text()
    );
    assert_eq!(status(&s.req("GET", "/grant-c").send().await), 200);
}

#[tokio::test]
async fn object_grants_are_enforced() {
    let s = server().await;
    // CreateBucket with grant headers: alt may write.
    let r = s
        .req("PUT", "/grant-o")
        .s3()
        .header("x-amz-grant-full-control", &format!("id=\"{AK}\""))
        .header("x-amz-grant-write", &format!("emailAddress=\"{ALT_MAIL}\""))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        status(&s.req("PUT", "/grant-o/by-alt").alt().body("a").send().await),
        200
    );

    // PutObject with READ for alt: alt reads it, nobody else; not its ACL.
    let r = s
        .req("PUT", "/grant-o/o")
        .s3()
        .header("x-amz-grant-read", &format!("id=\"{ALT_ID}\""))
        .body("data")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/grant-o/o").alt().send().await;
    assert_eq!((r.status, r.text().as_str()), (200, "data"));
    assert_eq!(status(&s.req("HEAD", "/grant-o/o").alt().send().await), 200);
    assert_eq!(
        status(&s.req("GET", "/grant-o/o").alt_user().send().await),
        403
    );
    assert_eq!(
        status(&s.req("GET", "/grant-o/o").third().send().await),
        403
    );
    assert_eq!(
        status(&s.req("GET", "/grant-o/o?acl").alt().send().await),
        403
    );

    // PutObjectAcl body: READ_ACP and WRITE_ACP for alt.
    let body = policy(&[
        ("CanonicalUser", AK, "FULL_CONTROL"),
        ("CanonicalUser", ALT_ID, "READ_ACP"),
        ("CanonicalUser", ALT_ID, "WRITE_ACP"),
    ]);
    let r = s.req("PUT", "/grant-o/o?acl").s3().body(body).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(status(&s.req("GET", "/grant-o/o").alt().send().await), 403);
    let acl = s.req("GET", "/grant-o/o?acl").alt().send().await;
    assert_eq!(acl.status, 200, "{}", acl.text());
    assert_eq!(
        acl.xml_all("Permission"),
        ["FULL_CONTROL", "READ_ACP", "WRITE_ACP"]
    );
    // alt gives itself FULL_CONTROL, and may then read the object.
    let r = s
        .req("PUT", "/grant-o/o?acl")
        .alt()
        .header("x-amz-grant-full-control", &format!("id=\"{ALT_ID}\""))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(status(&s.req("GET", "/grant-o/o").alt().send().await), 200);
    let acl = s.req("GET", "/grant-o/o?acl").s3().send().await;
    assert_eq!(acl.xml_all("ID"), [AK, ALT_ID], "owner, then alt's grant");

    // CopyObject and multipart uploads take grants too.
    let r = s
        .req("PUT", "/grant-o/copy")
        .s3()
        .header("x-amz-copy-source", "/grant-o/o")
        .header("x-amz-grant-read", &format!("emailAddress=\"{ALT_MAIL}\""))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        status(&s.req("GET", "/grant-o/copy").alt().send().await),
        200
    );
    let r = s
        .req("POST", "/grant-o/mp?uploads")
        .s3()
        .header("x-amz-grant-read", &format!("id=\"{ALT_ID}\""))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.xml("UploadId").unwrap();
    let part = s
        .req("PUT", &format!("/grant-o/mp?partNumber=1&uploadId={id}"))
        .s3()
        .body("part")
        .send()
        .await;
    assert_eq!(part.status, 200, "{}", part.text());
    let etag = part.h("etag").unwrap().to_string();
    let done = s
        .req("POST", &format!("/grant-o/mp?uploadId={id}"))
        .s3()
        .body(format!("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"))
        .send()
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    let r = s.req("GET", "/grant-o/mp").alt().send().await;
    assert_eq!((r.status, r.text().as_str()), (200, "part"));
    assert_eq!(
        status(&s.req("GET", "/grant-o/mp").third().send().await),
        403
    );
}
