//! TEMPORARY (lead's branch only): replaced by the grants branch's public access block.

use crate::error::ApiResult;
use crate::request::Ctx;

/// The four switches.
#[derive(Clone, Copy, Debug, Default)]
pub struct PublicAccessBlock {
    /// BlockPublicAcls.
    pub block_public_acls: bool,
    /// IgnorePublicAcls.
    pub ignore_public_acls: bool,
    /// BlockPublicPolicy.
    pub block_public_policy: bool,
    /// RestrictPublicBuckets.
    pub restrict_public_buckets: bool,
}

/// The bucket's block.
pub fn load(_cx: &Ctx, _bucket: &str) -> ApiResult<PublicAccessBlock> {
    Ok(PublicAccessBlock::default())
}
