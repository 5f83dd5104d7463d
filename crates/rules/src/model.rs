//! The website configuration as ossemu stores it: one model for the OSS and the S3 dialect.
//!
//! Fields that only matter for echoing (most `Mirror*` extensions) keep the user's value as
//! given, `None` meaning "absent"; the accessor methods apply the documented defaults.

use serde::{Deserialize, Serialize};

/// Which API dialect defined a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dialect {
    /// Alibaba OSS: `RuleNumber`, `RedirectType`, mirroring.
    Oss,
    /// Amazon S3: document order is priority, every rule is an external redirect.
    S3,
}

/// A bucket's website configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Website {
    /// The dialect of the PutBucketWebsite that stored it.
    pub dialect: Dialect,
    /// Index page handling.
    pub index_document: Option<IndexDocument>,
    /// Error page handling.
    pub error_document: Option<ErrorDocument>,
    /// S3 `RedirectAllRequestsTo`: every request is redirected; excludes everything else.
    pub redirect_all: Option<RedirectAll>,
    /// Routing rules in document order. S3 rules are numbered by position (1, 2, ...).
    pub rules: Vec<Rule>,
}

/// `IndexDocument`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDocument {
    /// Index object name; empty means no index page (oss2 sends `<Suffix/>` for `None`).
    pub suffix: String,
    /// `true`: `dir/` serves `dir/<suffix>`; `false` (default): the root index.
    pub support_sub_dir: Option<bool>,
    /// What a missing key without a trailing `/` does when `support_sub_dir` is on.
    pub index_type: Option<IndexType>,
}

impl IndexDocument {
    /// `SupportSubDir`, default false.
    pub fn supports_sub_dir(&self) -> bool {
        self.support_sub_dir.unwrap_or(false)
    }
}

/// `IndexDocument/Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IndexType {
    /// 0 (default): if `key/<suffix>` exists, 302 to `/key/`.
    RedirectToDir,
    /// 1: 404 straight away.
    NotFound,
    /// 2: if `key/<suffix>` exists, serve it.
    ServeDirIndex,
}

impl IndexType {
    /// The wire value.
    pub fn code(self) -> i64 {
        match self {
            IndexType::RedirectToDir => 0,
            IndexType::NotFound => 1,
            IndexType::ServeDirIndex => 2,
        }
    }

    /// The type for a wire value, if valid.
    pub fn from_code(code: i64) -> Option<IndexType> {
        match code {
            0 => Some(IndexType::RedirectToDir),
            1 => Some(IndexType::NotFound),
            2 => Some(IndexType::ServeDirIndex),
            _ => None,
        }
    }
}

/// `ErrorDocument`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDocument {
    /// Error object name; empty means no error page.
    pub key: String,
    /// Status sent with the page: 200 or 404.
    pub http_status: Option<u16>,
}

impl ErrorDocument {
    /// `HttpStatus`, default 404.
    pub fn status(&self) -> u16 {
        self.http_status.unwrap_or(404)
    }
}

/// S3 `RedirectAllRequestsTo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectAll {
    /// Target host (may carry a port).
    pub host_name: String,
    /// Target scheme; default: the request's.
    pub protocol: Option<Protocol>,
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Protocol {
    /// `http`
    Http,
    /// `https`
    Https,
}

impl Protocol {
    /// Lower-case scheme name.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
        }
    }

    /// Parses `http`/`https` in any letter case.
    pub fn parse(value: &str) -> Option<Protocol> {
        if value.eq_ignore_ascii_case("http") {
            Some(Protocol::Http)
        } else if value.eq_ignore_ascii_case("https") {
            Some(Protocol::Https)
        } else {
            None
        }
    }
}

/// One `RoutingRule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// `RuleNumber`: lower numbers are tried first. S3 rules: position, from 1.
    pub number: u32,
    /// When the rule applies.
    pub condition: Condition,
    /// What it does; `None` only for a rule that carries just a `LuaConfig`.
    pub redirect: Option<Redirect>,
    /// `LuaConfig`, stored and echoed; ossemu runs no Lua.
    pub lua_config: Option<LuaConfig>,
}

/// `LuaConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LuaConfig {
    /// `Script`.
    pub script: Option<String>,
}

/// `Condition`: every part must hold. Matching is case-sensitive and has no wildcards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Condition {
    /// The key starts with this (empty: any key).
    pub key_prefix_equals: String,
    /// The key ends with this (empty: any key).
    pub key_suffix_equals: String,
    /// The status the request would otherwise get (404, or 403 on a private bucket);
    /// `None`: any, except for a Mirror rule, which applies to 404s only (see
    /// [`Rule::error_code`]).
    pub http_error_code_returned_equals: Option<u16>,
    /// Request header tests.
    pub include_headers: Vec<IncludeHeader>,
}

/// `IncludeHeader`: the request carries header `key` (name compared case-insensitively) with a
/// value that passes every test given (values compared case-sensitively).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IncludeHeader {
    /// Header name.
    pub key: String,
    /// The value equals this.
    pub equals: Option<String>,
    /// The value starts with this.
    pub starts_with: Option<String>,
    /// The value ends with this.
    pub ends_with: Option<String>,
}

impl IncludeHeader {
    /// Its value tests in words (`equal to "a" and starting with "b"`); empty when it only
    /// asks for the header to be present.
    pub fn describe(&self) -> String {
        [
            ("equal to", &self.equals),
            ("starting with", &self.starts_with),
            ("ending with", &self.ends_with),
        ]
        .into_iter()
        .filter_map(|(what, v)| v.as_ref().map(|v| format!("{what} {v:?}")))
        .collect::<Vec<_>>()
        .join(" and ")
    }
}

/// `RedirectType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RedirectType {
    /// Fetch from the origin (`MirrorURL` + key), return and keep the object.
    Mirror,
    /// 3xx to a `Location` built from the rule.
    External,
    /// Like External (real OSS adds a header Alibaba CDN recognises).
    AliCdn,
    /// Serve another object of the bucket as if it had been requested.
    Internal,
}

impl RedirectType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectType::Mirror => "Mirror",
            RedirectType::External => "External",
            RedirectType::AliCdn => "AliCDN",
            RedirectType::Internal => "Internal",
        }
    }

    /// Parses a wire value in any letter case.
    pub fn parse(value: &str) -> Option<RedirectType> {
        [
            RedirectType::Mirror,
            RedirectType::External,
            RedirectType::AliCdn,
            RedirectType::Internal,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(value))
    }

    /// External or AliCDN: answered with a 3xx.
    pub fn is_redirect(self) -> bool {
        matches!(self, RedirectType::External | RedirectType::AliCdn)
    }
}

/// `Redirect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    /// What kind of rule this is.
    pub redirect_type: RedirectType,
    /// `PassQueryString`.
    pub pass_query_string: Option<bool>,
    /// `ReplaceKeyWith`: new key; `${key}` stands for the requested key. Empty counts as absent.
    pub replace_key_with: Option<String>,
    /// `ReplaceKeyPrefixWith`: replaces the matched `KeyPrefixEquals`.
    pub replace_key_prefix_with: Option<String>,
    /// `EnableReplacePrefix`.
    pub enable_replace_prefix: Option<bool>,
    /// `Protocol` of the `Location`.
    pub protocol: Option<Protocol>,
    /// `HostName` of the `Location`.
    pub host_name: Option<String>,
    /// `HttpRedirectCode`.
    pub http_redirect_code: Option<u16>,
    /// Every `Mirror*` field.
    pub mirror: Mirror,
}

impl Redirect {
    /// A redirect of the given type with every other field absent.
    pub fn new(redirect_type: RedirectType) -> Redirect {
        Redirect {
            redirect_type,
            pass_query_string: None,
            replace_key_with: None,
            replace_key_prefix_with: None,
            enable_replace_prefix: None,
            protocol: None,
            host_name: None,
            http_redirect_code: None,
            mirror: Mirror::default(),
        }
    }

    /// The 3xx status of an External/AliCDN rule: `HttpRedirectCode`, default 301.
    pub fn status(&self) -> u16 {
        self.http_redirect_code.unwrap_or(301)
    }

    /// Whether the query string is carried: for Mirror rules `MirrorPassQueryString` wins over
    /// `PassQueryString` when set; default false.
    pub fn passes_query_string(&self) -> bool {
        let mirror = match self.redirect_type {
            RedirectType::Mirror => self.mirror.pass_query_string,
            _ => None,
        };
        mirror.or(self.pass_query_string).unwrap_or(false)
    }

    /// `ReplaceKeyWith` if set and non-empty.
    pub fn replace_key_with(&self) -> Option<&str> {
        self.replace_key_with.as_deref().filter(|s| !s.is_empty())
    }
}

/// The `Mirror*` fields of a `Redirect` (and `TransparentMirrorResponseCodes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mirror {
    /// `MirrorURL`: origin base, `http(s)://…/`.
    pub url: Option<String>,
    /// `MirrorURLSlave`: secondary origin base.
    pub url_slave: Option<String>,
    /// `MirrorURLProbe`: health probe deciding primary or secondary.
    pub url_probe: Option<String>,
    /// `MirrorPassQueryString`.
    pub pass_query_string: Option<bool>,
    /// `MirrorPassOriginalSlashes`: keep runs of `/` in the origin URL.
    pub pass_original_slashes: Option<bool>,
    /// `MirrorFollowRedirect`, default true.
    pub follow_redirect: Option<bool>,
    /// `MirrorCheckMd5`.
    pub check_md5: Option<bool>,
    /// `MirrorHeaders`.
    pub headers: Option<MirrorHeaders>,
    /// `MirrorSNI`.
    pub sni: Option<bool>,
    /// `MirrorSwitchAllErrors`.
    pub switch_all_errors: Option<bool>,
    /// `MirrorAllowHeadObject`.
    pub allow_head_object: Option<bool>,
    /// `MirrorAllowGetImageInfo`.
    pub allow_get_image_info: Option<bool>,
    /// `MirrorAllowVideoSnapshot`.
    pub allow_video_snapshot: Option<bool>,
    /// `MirrorUsingRole`.
    pub using_role: Option<bool>,
    /// `MirrorRole`.
    pub role: Option<String>,
    /// `MirrorAuth`.
    pub auth: Option<MirrorAuth>,
    /// `MirrorSaveOssMeta`.
    pub save_oss_meta: Option<bool>,
    /// `MirrorUserLastModified`.
    pub user_last_modified: Option<bool>,
    /// `MirrorProxyPass`.
    pub proxy_pass: Option<bool>,
    /// `MirrorAsyncStatus`.
    pub async_status: Option<i64>,
    /// `MirrorTaggings/Taggings`.
    pub taggings: Option<Vec<KeyValue>>,
    /// `MirrorReturnHeaders/ReturnHeader`.
    pub return_headers: Option<Vec<KeyValue>>,
    /// `TransparentMirrorResponseCodes`, e.g. `400,404`.
    pub transparent_response_codes: Option<String>,
    /// `MirrorMultiAlternates/MirrorMultiAlternate`.
    pub multi_alternates: Option<Vec<MirrorAlternate>>,
    /// `MirrorIsExpressTunnel`.
    pub is_express_tunnel: Option<bool>,
    /// `MirrorDstRegion`.
    pub dst_region: Option<String>,
    /// `MirrorDstVpcId`.
    pub dst_vpc_id: Option<String>,
    /// `MirrorDstSlaveVpcId`.
    pub dst_slave_vpc_id: Option<String>,
    /// `MirrorTunnelId`.
    pub tunnel_id: Option<String>,
}

impl Mirror {
    /// `MirrorFollowRedirect`, default true.
    pub fn follows_redirects(&self) -> bool {
        self.follow_redirect.unwrap_or(true)
    }

    /// The statuses of `TransparentMirrorResponseCodes` (entries that are not numbers are
    /// skipped; validation refuses them).
    pub fn transparent_codes(&self) -> Vec<u16> {
        self.transparent_response_codes
            .iter()
            .flat_map(|s| s.split(','))
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    }
}

/// `MirrorHeaders`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorHeaders {
    /// `PassAll`: forward every request header except the reserved ones.
    pub pass_all: Option<bool>,
    /// `Pass`: forward these.
    pub pass: Vec<String>,
    /// `Remove`: never forward these.
    pub remove: Vec<String>,
    /// `Set`: always send these.
    pub set: Vec<HeaderSet>,
}

/// `MirrorHeaders/Set`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderSet {
    /// Header name.
    pub key: String,
    /// Header value.
    pub value: String,
}

/// An echoed `Key`/`Value` pair (`MirrorTaggings`, `MirrorReturnHeaders`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    /// `Key`.
    pub key: Option<String>,
    /// `Value`.
    pub value: Option<String>,
}

/// `MirrorAuth`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorAuth {
    /// `AuthType`, e.g. `S3V4`.
    pub auth_type: Option<String>,
    /// `Region`.
    pub region: Option<String>,
    /// `AccessKeyId`.
    pub access_key_id: Option<String>,
    /// `AccessKeySecret` (kept; masked only on output).
    pub access_key_secret: Option<String>,
}

impl Mirror {
    /// Every origin URL of the rule (MirrorURL, MirrorURLSlave, MirrorURLProbe and each
    /// MirrorMultiAlternateURL): the strings that may carry credentials.
    pub fn urls_mut(&mut self) -> Vec<&mut String> {
        let mut out: Vec<&mut String> = [&mut self.url, &mut self.url_slave, &mut self.url_probe]
            .into_iter()
            .filter_map(Option::as_mut)
            .collect();
        out.extend(
            self.multi_alternates
                .iter_mut()
                .flatten()
                .filter_map(|a| a.url.as_mut()),
        );
        out
    }
}

/// `MirrorMultiAlternate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorAlternate {
    /// `MirrorMultiAlternateNumber`.
    pub number: Option<i64>,
    /// `MirrorMultiAlternateURL`.
    pub url: Option<String>,
    /// `MirrorMultiAlternateVpcId`.
    pub vpc_id: Option<String>,
    /// `MirrorMultiAlternateDstRegion`.
    pub dst_region: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_as_json_and_back() {
        let mut redirect = Redirect::new(RedirectType::Mirror);
        redirect.mirror.url = Some("http://o/".to_owned());
        redirect.mirror.auth = Some(MirrorAuth {
            access_key_secret: Some("secret".to_owned()),
            ..MirrorAuth::default()
        });
        let website = Website {
            dialect: Dialect::Oss,
            index_document: Some(IndexDocument {
                suffix: "index.html".to_owned(),
                support_sub_dir: Some(true),
                index_type: Some(IndexType::ServeDirIndex),
            }),
            error_document: None,
            redirect_all: None,
            rules: vec![Rule {
                number: 1,
                condition: Condition {
                    http_error_code_returned_equals: Some(404),
                    ..Condition::default()
                },
                redirect: Some(redirect),
                lua_config: None,
            }],
        };
        let json = serde_json::to_string(&website).unwrap();
        assert_eq!(serde_json::from_str::<Website>(&json).unwrap(), website);
    }

    #[test]
    fn defaults() {
        let mut r = Redirect::new(RedirectType::External);
        assert_eq!(r.status(), 301);
        assert!(!r.passes_query_string());
        r.pass_query_string = Some(true);
        assert!(r.passes_query_string());
        r.mirror.pass_query_string = Some(false);
        // MirrorPassQueryString only counts for Mirror rules.
        assert!(r.passes_query_string());
        r.redirect_type = RedirectType::Mirror;
        assert!(!r.passes_query_string());
        assert!(r.mirror.follows_redirects());
        r.mirror.transparent_response_codes = Some("400, 404,x".to_owned());
        assert_eq!(r.mirror.transparent_codes(), vec![400, 404]);
        assert_eq!(ErrorDocument::default().status(), 404);
        assert_eq!(RedirectType::parse("alicdn"), Some(RedirectType::AliCdn));
        assert_eq!(RedirectType::parse("Proxy"), None);
        assert_eq!(Protocol::parse("HTTP"), Some(Protocol::Http));
        assert_eq!(IndexType::from_code(2).map(IndexType::code), Some(2));
    }
}
