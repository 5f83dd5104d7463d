//! XML
pub mod codec;
pub mod website;
