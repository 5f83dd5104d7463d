//! `WebsiteConfiguration` bodies of PutBucketWebsite / GetBucketWebsite in both dialects.
//!
//! [`WebsiteConfiguration`] is the OSS dialect: every element of the OSS schema, including the
//! `Mirror*` back-to-origin fields and `LuaConfig`. [`S3WebsiteConfiguration`] is the Amazon S3
//! dialect: namespace, no `RuleNumber`/`RedirectType`, and `RedirectAllRequestsTo`.
//!
//! Input is lenient: child order is free, booleans are case-insensitive (`True` is what oss2
//! sends), an empty boolean element counts as absent, unknown elements are ignored, and the
//! namespace may be present or not. Only the root element's name is checked. These types do no
//! semantic validation; that is the rules crate's job.
//!
//! Output: booleans lower-case, the XML declaration first, no namespace in the OSS dialect and
//! the S3 namespace in the S3 dialect. [`WebsiteConfiguration::to_response_xml`] also applies
//! what GetBucketWebsite clients need (see [`WebsiteConfiguration::echo_form`]).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use crate::codec::{self, CodecError};

/// Largest PutBucketWebsite body accepted in the OSS dialect (64 KiB). The HTTP layer enforces it
/// while reading the body; [`parse_oss`] checks it again.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest PutBucketWebsite body accepted in the S3 dialect (128 KiB, the limit AWS documents).
pub const S3_MAX_BODY_BYTES: usize = 128 * 1024;

/// The root element of both dialects.
pub const ROOT: &str = "WebsiteConfiguration";

/// The namespace of S3 request and response bodies.
pub const S3_NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// What GetBucketWebsite shows instead of `MirrorAuth/AccessKeySecret`.
pub const MASKED_SECRET: &str = "******";

/// Parses an OSS-dialect body (any namespace, or none).
pub fn parse_oss(body: &[u8]) -> Result<WebsiteConfiguration, CodecError> {
    codec::from_xml(body, ROOT, MAX_BODY_BYTES)
}

/// Parses an S3-dialect body (any namespace, or none).
pub fn parse_s3(body: &[u8]) -> Result<S3WebsiteConfiguration, CodecError> {
    codec::from_xml(body, ROOT, S3_MAX_BODY_BYTES)
}

/// True when the body's root element is in the S3 namespace. A hint for choosing the dialect
/// when the request's signature does not decide it; false for anything unparsable.
pub fn declares_s3_namespace(body: &[u8]) -> bool {
    std::str::from_utf8(body)
        .ok()
        .and_then(|text| codec::root_element(text).ok())
        .is_some_and(|root| root.namespace.as_deref() == Some(S3_NAMESPACE))
}

/// Reads `true`/`false` in any letter case; an empty element is `None`.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let text = String::deserialize(d)?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Ok(None)
    } else if trimmed.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if trimmed.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(D::Error::custom(format!(
            "`{trimmed}` is not a boolean (true or false)"
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// OSS dialect
// ---------------------------------------------------------------------------------------------

/// OSS `WebsiteConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "WebsiteConfiguration", rename_all = "PascalCase", default)]
pub struct WebsiteConfiguration {
    /// Default page for names ending in `/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_document: Option<IndexDocument>,
    /// Page returned for a missing object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_document: Option<ErrorDocument>,
    /// Redirection and mirroring rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_rules: Option<RoutingRules>,
}

/// `IndexDocument`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexDocument {
    /// Index object name, e.g. `index.html`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// `true`: `dir/` serves `dir/<Suffix>`; `false`: the root index.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub support_sub_dir: Option<bool>,
    /// 0, 1 or 2: what a missing name without a trailing `/` does when `SupportSubDir` is on.
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub index_type: Option<i64>,
}

/// `ErrorDocument`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ErrorDocument {
    /// Error object name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Status sent with the error page (200 or 404).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<i64>,
}

/// `RoutingRules`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RoutingRules {
    /// The rules, in document order.
    #[serde(rename = "RoutingRule")]
    pub rules: Vec<RoutingRule>,
}

/// `RoutingRule`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RoutingRule {
    /// Priority: rules are matched in ascending order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_number: Option<i64>,
    /// When the rule applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// What the rule does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
    /// Lua script reference (stored and echoed only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lua_config: Option<LuaConfig>,
}

/// `Condition`: all children must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Condition {
    /// Object name prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_prefix_equals: Option<String>,
    /// Object name suffix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_suffix_equals: Option<String>,
    /// Status the request would otherwise get (404, or 403 on a private bucket).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_error_code_returned_equals: Option<i64>,
    /// Request header tests.
    #[serde(rename = "IncludeHeader", skip_serializing_if = "Vec::is_empty")]
    pub include_headers: Vec<IncludeHeader>,
}

/// `IncludeHeader`: the request carries header `Key` and its value passes the given tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IncludeHeader {
    /// Header name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Value equals this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    /// Value starts with this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_with: Option<String>,
    /// Value ends with this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_with: Option<String>,
}

/// `LuaConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LuaConfig {
    /// Script name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
}

/// `Redirect`: redirection fields, then every `Mirror*` field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Redirect {
    /// `Mirror`, `External`, `AliCDN` or `Internal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_type: Option<String>,
    /// Carry the request's query string.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub pass_query_string: Option<bool>,
    /// New name for the whole key; `${key}` is the requested key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_key_with: Option<String>,
    /// Replacement for the matched `KeyPrefixEquals`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_key_prefix_with: Option<String>,
    /// Replace (or, without a replacement, cut) the matched prefix.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_replace_prefix: Option<bool>,
    /// `http` or `https`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Host of the `Location`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// 301, 302 or 307.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_redirect_code: Option<i64>,
    /// Origin base URL, `http(s)://…/`.
    #[serde(rename = "MirrorURL", skip_serializing_if = "Option::is_none")]
    pub mirror_url: Option<String>,
    /// Secondary origin base URL.
    #[serde(rename = "MirrorURLSlave", skip_serializing_if = "Option::is_none")]
    pub mirror_url_slave: Option<String>,
    /// Health-probe URL deciding between primary and secondary.
    #[serde(rename = "MirrorURLProbe", skip_serializing_if = "Option::is_none")]
    pub mirror_url_probe: Option<String>,
    /// Like `PassQueryString`, with priority over it.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_pass_query_string: Option<bool>,
    /// Keep runs of `/` in the origin URL.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_pass_original_slashes: Option<bool>,
    /// Follow origin 3xx (default true).
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_follow_redirect: Option<bool>,
    /// Check the origin's Content-MD5.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_check_md5: Option<bool>,
    /// Request headers sent to the origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_headers: Option<MirrorHeaders>,
    /// Pass SNI to the origin.
    #[serde(
        rename = "MirrorSNI",
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_sni: Option<bool>,
    /// Any origin status but 200, 206, 301, 302, 303, 307, 404 switches to the secondary.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_switch_all_errors: Option<bool>,
    /// HeadObject may trigger mirroring.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_allow_head_object: Option<bool>,
    /// Image-info requests may trigger mirroring.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_allow_get_image_info: Option<bool>,
    /// Video snapshot requests may trigger mirroring.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_allow_video_snapshot: Option<bool>,
    /// Fetch with a RAM role.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_using_role: Option<bool>,
    /// RAM role name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_role: Option<String>,
    /// Signed origin fetch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_auth: Option<MirrorAuth>,
    /// Keep user metadata from an OSS origin.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_save_oss_meta: Option<bool>,
    /// Store the origin's Last-Modified.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_user_last_modified: Option<bool>,
    /// Proxy without storing.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_proxy_pass: Option<bool>,
    /// Status that triggers asynchronous pull.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_async_status: Option<i64>,
    /// Tags set on the stored object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_taggings: Option<MirrorTaggings>,
    /// Response headers added to mirrored responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_return_headers: Option<MirrorReturnHeaders>,
    /// Origin statuses passed through with their body, e.g. `400,404`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transparent_mirror_response_codes: Option<String>,
    /// Further origins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_multi_alternates: Option<MirrorMultiAlternates>,
    /// Leased-line origin.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub mirror_is_express_tunnel: Option<bool>,
    /// Region of the leased-line origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_dst_region: Option<String>,
    /// VPC of the leased-line origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_dst_vpc_id: Option<String>,
    /// VPC of the leased-line secondary origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_dst_slave_vpc_id: Option<String>,
    /// Leased-line tunnel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_tunnel_id: Option<String>,
}

/// `MirrorHeaders`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MirrorHeaders {
    /// Forward every request header except the reserved ones.
    #[serde(
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub pass_all: Option<bool>,
    /// Headers forwarded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pass: Vec<String>,
    /// Headers never forwarded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// Headers always sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<KeyValue>,
}

/// A `Key`/`Value` pair (`Set`, `Taggings`, `ReturnHeader`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyValue {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `MirrorAuth`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MirrorAuth {
    /// e.g. `S3V4`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// Signing region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Access key id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// Secret; masked by [`WebsiteConfiguration::echo_form`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_secret: Option<String>,
}

/// `MirrorTaggings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MirrorTaggings {
    /// Tag rules.
    pub taggings: Vec<KeyValue>,
}

/// `MirrorReturnHeaders`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MirrorReturnHeaders {
    /// Header rules.
    #[serde(rename = "ReturnHeader")]
    pub return_headers: Vec<KeyValue>,
}

/// `MirrorMultiAlternates`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MirrorMultiAlternates {
    /// The alternates.
    #[serde(rename = "MirrorMultiAlternate")]
    pub alternates: Vec<MirrorMultiAlternate>,
}

/// `MirrorMultiAlternate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MirrorMultiAlternate {
    /// Region.
    #[serde(
        rename = "MirrorMultiAlternateDstRegion",
        skip_serializing_if = "Option::is_none"
    )]
    pub dst_region: Option<String>,
    /// Sequence number.
    #[serde(
        rename = "MirrorMultiAlternateNumber",
        skip_serializing_if = "Option::is_none"
    )]
    pub number: Option<i64>,
    /// Origin URL.
    #[serde(
        rename = "MirrorMultiAlternateURL",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
    /// VPC.
    #[serde(
        rename = "MirrorMultiAlternateVpcId",
        skip_serializing_if = "Option::is_none"
    )]
    pub vpc_id: Option<String>,
}

impl WebsiteConfiguration {
    /// The form GetBucketWebsite returns, fixed up for what clients require:
    /// - every rule has a `Condition` with `KeyPrefixEquals` (empty when absent) and
    ///   `HttpErrorCodeReturnedEquals` (404 when absent): oss2's parser fails without either;
    /// - a Mirror rule's `PassQueryString` equals its `MirrorPassQueryString` when that is set
    ///   (oss2's live test expects this of real OSS);
    /// - `MirrorAuth/AccessKeySecret` is replaced by [`MASKED_SECRET`].
    pub fn echo_form(&self) -> WebsiteConfiguration {
        let mut out = self.clone();
        for rule in out
            .routing_rules
            .iter_mut()
            .flat_map(|r| r.rules.iter_mut())
        {
            let condition = rule.condition.get_or_insert_with(Condition::default);
            condition.key_prefix_equals.get_or_insert_with(String::new);
            condition.http_error_code_returned_equals.get_or_insert(404);
            if let Some(redirect) = rule.redirect.as_mut() {
                if redirect.redirect_type.as_deref() == Some("Mirror")
                    && redirect.mirror_pass_query_string.is_some()
                {
                    redirect.pass_query_string = redirect.mirror_pass_query_string;
                }
                if let Some(auth) = redirect.mirror_auth.as_mut()
                    && auth.access_key_secret.is_some()
                {
                    auth.access_key_secret = Some(MASKED_SECRET.to_owned());
                }
            }
        }
        out
    }

    /// The GetBucketWebsite body: [`echo_form`](Self::echo_form) with the XML declaration and
    /// no namespace.
    pub fn to_response_xml(&self) -> Result<String, CodecError> {
        codec::to_xml(&self.echo_form())
    }
}

// ---------------------------------------------------------------------------------------------
// S3 dialect
// ---------------------------------------------------------------------------------------------

/// Amazon S3 `WebsiteConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "WebsiteConfiguration", rename_all = "PascalCase", default)]
pub struct S3WebsiteConfiguration {
    /// The `xmlns` attribute; set to [`S3_NAMESPACE`] on output.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// Redirect every request to another host (excludes the other elements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_all_requests_to: Option<S3RedirectAllRequestsTo>,
    /// Default page for names ending in `/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_document: Option<S3IndexDocument>,
    /// Page returned for 4xx errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_document: Option<S3ErrorDocument>,
    /// Rules; document order is priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_rules: Option<S3RoutingRules>,
}

/// S3 `RedirectAllRequestsTo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3RedirectAllRequestsTo {
    /// Target host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// `http` or `https`; default: the request's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// S3 `IndexDocument`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3IndexDocument {
    /// Index object name suffix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

/// S3 `ErrorDocument`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3ErrorDocument {
    /// Error object name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// S3 `RoutingRules`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3RoutingRules {
    /// The rules in priority order.
    #[serde(rename = "RoutingRule")]
    pub rules: Vec<S3RoutingRule>,
}

/// S3 `RoutingRule`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3RoutingRule {
    /// When the rule applies; absent: always.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<S3Condition>,
    /// Where to redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<S3Redirect>,
}

/// S3 `Condition`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3Condition {
    /// Status the request would otherwise get.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_error_code_returned_equals: Option<i64>,
    /// Object name prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_prefix_equals: Option<String>,
}

/// S3 `Redirect`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3Redirect {
    /// Host of the `Location`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// 3xx status, default 301.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_redirect_code: Option<i64>,
    /// `http` or `https`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Replacement for the matched prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_key_prefix_with: Option<String>,
    /// New name for the whole key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_key_with: Option<String>,
}

impl S3WebsiteConfiguration {
    /// The GetBucketWebsite body in the S3 dialect: the XML declaration and the S3 namespace.
    pub fn to_response_xml(&self) -> Result<String, CodecError> {
        let mut out = self.clone();
        out.xmlns = Some(S3_NAMESPACE.to_owned());
        codec::to_xml(&out)
    }
}

#[cfg(test)]
mod tests;
