use super::*;
use crate::auth::mac::hmac_sha1;
use crate::auth::test_support::hs;

const POLICY: &str = "eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMC4wMDBaIiwiY29uZGl0aW9ucyI6W119";
const SECRET: &str = "form-secret";

#[test]
fn unsigned_form_has_no_signature() {
    let form = hs(&[("key", "k"), ("policy", POLICY)]);
    assert_eq!(PolicySignature::from_fields(&form), Ok(None));
}

#[test]
fn v1_signature_over_the_policy() {
    let sig = BASE64.encode(hmac_sha1(SECRET.as_bytes(), POLICY));
    for ak_field in ["ossaccesskeyid", "awsaccesskeyid"] {
        let form = hs(&[(ak_field, "ak"), ("signature", &sig)]);
        let Ok(Some(s)) = PolicySignature::from_fields(&form) else {
            panic!("{ak_field}: not signed");
        };
        assert_eq!(s.access_key(), "ak");
        assert!(s.verify(SECRET, POLICY));
        assert!(!s.verify("other", POLICY));
        assert!(!s.verify(SECRET, "eyJ9"));
    }
    let garbled = hs(&[("ossaccesskeyid", "ak"), ("signature", "not base64!")]);
    let Ok(Some(s)) = PolicySignature::from_fields(&garbled) else {
        panic!("not signed");
    };
    assert!(!s.verify(SECRET, POLICY));
}

#[test]
fn v4_signature_over_the_policy() {
    let cases = [
        (
            "x-oss-",
            "ak/20300101/cn-hangzhou/oss/aliyun_v4_request",
            SigningKey::oss(SECRET, "20300101", "cn-hangzhou", "oss"),
        ),
        (
            "x-amz-",
            "ak/20300101/us-east-1/s3/aws4_request",
            SigningKey::aws(SECRET, "20300101", "us-east-1", "s3"),
        ),
    ];
    for (prefix, cred, key) in cases {
        let sig = hex::encode(key.sign(POLICY));
        let form = hs(&[
            (&format!("{prefix}credential"), cred),
            (&format!("{prefix}signature"), &sig),
        ]);
        let Ok(Some(s)) = PolicySignature::from_fields(&form) else {
            panic!("{prefix}: not signed");
        };
        assert_eq!(s.access_key(), "ak");
        assert!(s.verify(SECRET, POLICY), "{prefix}");
        assert!(!s.verify("other", POLICY), "{prefix}");
    }
}

#[test]
fn malformed_forms_say_what_is_missing() {
    let cases = [
        (
            hs(&[("ossaccesskeyid", "ak")]),
            "The form has an access key but no Signature field.",
        ),
        (
            hs(&[("x-amz-credential", "ak/20300101/us-east-1/s3/aws4_request")]),
            "The form has a credential but no x-amz-signature field.",
        ),
        (
            hs(&[
                (
                    "x-oss-credential",
                    "ak/20300101/cn-hangzhou/oss/aws4_request",
                ),
                ("x-oss-signature", "00"),
            ]),
            "The credential \"ak/20300101/cn-hangzhou/oss/aws4_request\" is not AK/date/region/service/aliyun_v4_request.",
        ),
        (
            hs(&[
                ("x-amz-credential", "ak/us-east-1/s3/aws4_request"),
                ("x-amz-signature", "00"),
            ]),
            "The credential \"ak/us-east-1/s3/aws4_request\" is not AK/date/region/service/aws4_request.",
        ),
    ];
    for (form, message) in cases {
        match PolicySignature::from_fields(&form) {
            Err(e) => assert_eq!(e.to_string(), message),
            other => panic!("{form:?}: {other:?}"),
        }
    }
}
