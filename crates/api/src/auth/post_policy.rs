//! POST policy signatures: a browser form (PostObject) signs its base64 policy document, not
//! the request. OSS V1 and AWS SigV2 forms carry a base64 HMAC-SHA1 (`OSSAccessKeyId` or
//! `AWSAccessKeyId`, and `Signature`); OSS V4 and AWS SigV4 forms a hex HMAC-SHA256 under the
//! scope's signing key (`x-oss-credential` / `x-amz-credential` and `x-oss-signature` /
//! `x-amz-signature`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::mac::verify_sha1;
use super::v4::{Credential, SigningKey};

/// Why a form's signature fields do not parse (the server answers 400 InvalidArgument).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyFormError {
    /// An access key field without a `Signature` field.
    #[error("The form has an access key but no Signature field.")]
    MissingSignature,
    /// A credential field without its signature field; carries the prefix (`x-oss-`).
    #[error("The form has a credential but no {0}signature field.")]
    MissingV4Signature(&'static str),
    /// A credential that is not `AK/date/region/service/terminator`.
    #[error("The credential {credential:?} is not AK/date/region/service/{terminator}.")]
    MalformedCredential {
        /// The credential as sent.
        credential: String,
        /// The terminator the form's scheme needs.
        terminator: &'static str,
    },
}

/// The signature a form carries over its policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySignature {
    /// OSS V1 / AWS SigV2: HMAC-SHA1 of the base64 policy.
    V1 {
        /// Access key id.
        access_key: String,
        /// The decoded signature (empty when it is not base64).
        signature: Vec<u8>,
    },
    /// OSS V4 / AWS SigV4: HMAC-SHA256 of the base64 policy with the scope's signing key.
    V4 {
        /// Access key and scope.
        credential: Credential,
        /// OSS (`aliyun_v4`) rather than AWS (`AWS4`) key derivation.
        oss: bool,
        /// The decoded signature (empty when it is not hex).
        signature: Vec<u8>,
    },
}

impl PolicySignature {
    /// The signature among a form's fields (lower-case names); `Ok(None)` for an unsigned form.
    pub fn from_fields(fields: &[(String, String)]) -> Result<Option<Self>, PolicyFormError> {
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(ak) = field("ossaccesskeyid").or_else(|| field("awsaccesskeyid")) {
            let sig = field("signature").ok_or(PolicyFormError::MissingSignature)?;
            return Ok(Some(Self::V1 {
                access_key: ak.to_string(),
                signature: BASE64.decode(sig.trim()).unwrap_or_default(),
            }));
        }
        let (prefix, oss) = if field("x-oss-credential").is_some() {
            ("x-oss-", true)
        } else if field("x-amz-credential").is_some() {
            ("x-amz-", false)
        } else {
            return Ok(None);
        };
        let cred = field(&format!("{prefix}credential")).unwrap_or_default();
        let sig = field(&format!("{prefix}signature"))
            .ok_or(PolicyFormError::MissingV4Signature(prefix))?;
        Ok(Some(Self::V4 {
            credential: form_credential(cred, oss)?,
            oss,
            signature: hex::decode(sig.trim()).unwrap_or_default(),
        }))
    }

    /// The access key id the form claims.
    pub fn access_key(&self) -> &str {
        match self {
            Self::V1 { access_key, .. } => access_key,
            Self::V4 { credential, .. } => &credential.access_key_id,
        }
    }

    /// Whether the signature over `policy` (the base64 field as sent) was made with `secret`;
    /// compared in constant time.
    pub fn verify(&self, secret: &str, policy: &str) -> bool {
        match self {
            Self::V1 { signature, .. } => {
                verify_sha1(secret.as_bytes(), policy.as_bytes(), signature)
            }
            Self::V4 {
                credential: c,
                oss,
                signature,
            } => {
                let key = if *oss {
                    SigningKey::oss(secret, &c.date, &c.region, &c.service)
                } else {
                    SigningKey::aws(secret, &c.date, &c.region, &c.service)
                };
                key.verify(policy, signature)
            }
        }
    }
}

/// A form's V4 credential: exactly five `/`-separated parts ending in the scheme's terminator
/// (the date is not checked, unlike a request's credential).
fn form_credential(cred: &str, oss: bool) -> Result<Credential, PolicyFormError> {
    let terminator = if oss {
        "aliyun_v4_request"
    } else {
        "aws4_request"
    };
    match cred.split('/').collect::<Vec<_>>()[..] {
        [ak, date, region, service, t] if t == terminator => Ok(Credential {
            access_key_id: ak.to_string(),
            date: date.to_string(),
            region: region.to_string(),
            service: service.to_string(),
            terminator: t.to_string(),
        }),
        _ => Err(PolicyFormError::MalformedCredential {
            credential: cred.to_string(),
            terminator,
        }),
    }
}

#[cfg(test)]
mod tests;
