//! XML
