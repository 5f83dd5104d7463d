//! api
pub mod website_convert;
