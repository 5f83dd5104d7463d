//! Request authentication: signature algorithms and the aws-chunked body decoder.

pub mod chunked;
pub mod sign;
