//! Server-side encryption a write asks for: `x-oss-server-side-encryption` (OSS) or
//! `x-amz-server-side-encryption` (S3) with their key headers. ossemu stores every body the
//! same way; it checks the algorithm as each provider does, keeps what was asked with the
//! object ([`Sse`]), and reports it on the write, HEAD and GET.

use http::HeaderMap;
pub use ossemu_store::Sse;

use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::set;

/// The algorithms each dialect takes.
fn algorithms(d: Dialect) -> &'static [&'static str] {
    match d {
        Dialect::Oss => &["AES256", "KMS", "SM4"],
        Dialect::S3 => &["AES256", "aws:kms", "aws:kms:dsse"],
    }
}

/// The header naming the KMS key in dialect `d`.
fn key_id_header(d: Dialect) -> &'static str {
    match d {
        Dialect::Oss => "x-oss-server-side-encryption-key-id",
        Dialect::S3 => "x-amz-server-side-encryption-aws-kms-key-id",
    }
}

/// The id of OSS's managed key, which KMS encryption uses when the writer names none.
pub const MANAGED_OSS_KEY: &str = "ossemu-managed-kms-key";

/// The id of the managed key KMS encryption uses when the writer names none.
fn managed_key(d: Dialect) -> &'static str {
    match d {
        Dialect::Oss => MANAGED_OSS_KEY,
        Dialect::S3 => "arn:aws:kms:us-east-1:000000000000:key/ossemu-managed-kms-key",
    }
}

/// OSS's header for the data algorithm under KMS.
const DATA_ENCRYPTION: &str = "x-oss-server-side-data-encryption";

/// The refusal of an algorithm `d` does not take: OSS answers 400
/// InvalidEncryptionAlgorithmError (its error reference's wording), S3 400 InvalidArgument
/// naming the header.
fn unsupported(d: Dialect, value: &str) -> ApiError {
    match d {
        Dialect::Oss => ApiError::msg(
            Code::InvalidEncryptionAlgorithmError,
            "The Encryption request you specified is not valid. Supported value: AES256/SM4/KMS.",
        ),
        Dialect::S3 => ApiError::msg(
            Code::InvalidArgument,
            "The encryption method specified is not supported",
        )
        .field("ArgumentName", "x-amz-server-side-encryption")
        .field("ArgumentValue", value),
    }
}

/// Reads the encryption a write asks for in dialect `d`, `get` giving a header (or form
/// field) by lower-case name. The key headers count only with a KMS algorithm.
pub fn parse(d: Dialect, get: impl Fn(&str) -> Option<String>) -> ApiResult<Option<Sse>> {
    let Some(algorithm) = get(&d.header("server-side-encryption")) else {
        return Ok(None);
    };
    if !algorithms(d).contains(&algorithm.as_str()) {
        return Err(unsupported(d, &algorithm));
    }
    let kms = algorithm == "KMS" || algorithm.starts_with("aws:kms");
    // KMS without a key uses the account's managed default key, whose id the answers name
    // (oss2's test set-up reads it from a HEAD).
    let key_id = get(key_id_header(d))
        .filter(|k| kms && !k.is_empty())
        .or_else(|| kms.then(|| managed_key(d).to_string()));
    let data_encryption = get(DATA_ENCRYPTION).filter(|_| kms && d == Dialect::Oss);
    Ok(Some(Sse {
        algorithm,
        key_id,
        data_encryption,
    }))
}

/// An algorithm as dialect `d` names it: OSS's `KMS` is S3's `aws:kms` and back; SM4,
/// which S3 lacks, reads as `AES256` there (a service-managed key).
pub fn algorithm_in(d: Dialect, algorithm: &str) -> &str {
    match (d, algorithm) {
        (Dialect::Oss, "aws:kms" | "aws:kms:dsse") => "KMS",
        (Dialect::S3, "KMS") => "aws:kms",
        (Dialect::S3, "SM4") => "AES256",
        _ => algorithm,
    }
}

/// Sets the response headers that report `sse` in dialect `d`.
pub fn set_headers(d: Dialect, sse: Option<&Sse>, h: &mut HeaderMap) {
    let Some(sse) = sse else { return };
    set(
        h,
        &d.header("server-side-encryption"),
        algorithm_in(d, &sse.algorithm),
    );
    if let Some(k) = &sse.key_id {
        set(h, key_id_header(d), k);
    }
    if let (Dialect::Oss, Some(a)) = (d, &sse.data_encryption) {
        set(h, DATA_ENCRYPTION, a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn takes_each_dialects_algorithms_and_keys_only_with_kms() {
        assert_eq!(parse(Dialect::Oss, from(&[])).unwrap(), None);
        let kms = parse(
            Dialect::Oss,
            from(&[
                ("x-oss-server-side-encryption", "KMS"),
                ("x-oss-server-side-encryption-key-id", "k1"),
                ("x-oss-server-side-data-encryption", "SM4"),
            ]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(kms.key_id.as_deref(), Some("k1"));
        assert_eq!(kms.data_encryption.as_deref(), Some("SM4"));
        let aes = parse(
            Dialect::Oss,
            from(&[
                ("x-oss-server-side-encryption", "AES256"),
                ("x-oss-server-side-encryption-key-id", "k1"),
            ]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(aes.key_id, None);
        let s3 = parse(
            Dialect::S3,
            from(&[("x-amz-server-side-encryption", "aws:kms")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(s3.algorithm, "aws:kms");
    }

    #[test]
    fn refuses_other_algorithms_in_each_dialects_words() {
        let e = parse(
            Dialect::Oss,
            from(&[("x-oss-server-side-encryption", "aws:kms")]),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::InvalidEncryptionAlgorithmError);
        let e = parse(
            Dialect::S3,
            from(&[("x-amz-server-side-encryption", "KMS")]),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::InvalidArgument);
    }
}
