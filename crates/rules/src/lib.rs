//! Routing rules for back-to-origin: the website configuration model shared by the OSS and S3
//! dialects, its validation, first-match evaluation by RuleNumber, and building the redirect
//! `Location`, the Internal key, and the mirror origin URL and request headers. Pure: no I/O, no
//! sibling crates.
//!
//! Typical use by the server: convert the parsed body into a [`Website`] (with [`wire`] for
//! numbers and names), [`validate`] it, store it (it is `serde`-serialisable); for a request that
//! would fail, call [`first_match`] and then [`action`].

mod error;
mod eval;
pub mod headers;
mod model;
pub mod path;
pub mod site;
mod validate;
pub mod wire;

pub use error::{ConfigError, ErrorCode, Problem, Scope, UrlField};
pub use eval::{
    Action, Miss, OriginRequest, Redirection, RequestFacts, action, first_match, internal_key,
    location, new_key, origin_request, pre_lookup_match, redirect_all_location,
};
pub use model::{
    Condition, Dialect, ErrorDocument, HeaderSet, IncludeHeader, IndexDocument, IndexType,
    KeyValue, LuaConfig, Mirror, MirrorAlternate, MirrorAuth, MirrorHeaders, Protocol, Redirect,
    RedirectAll, RedirectType, Rule, Website,
};
pub use validate::{MAX_HEADER_BYTES, MAX_LIST, MAX_RULES_OSS, MAX_RULES_S3, validate};
