//! DescribeRegions (`GET /?regions`).

use serde::Serialize;

/// One region's endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegionInfo {
    /// OSS region id (`oss-cn-hangzhou`).
    pub region: String,
    /// Public endpoint.
    pub internet_endpoint: String,
    /// Internal (VPC) endpoint.
    pub internal_endpoint: String,
    /// Transfer acceleration endpoint.
    pub accelerate_endpoint: String,
}

/// The `RegionInfoList` document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RegionInfoList {
    /// The regions.
    #[serde(rename = "RegionInfo")]
    pub regions: Vec<RegionInfo>,
}
