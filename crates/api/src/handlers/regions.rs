//! DescribeRegions (`GET /?regions[=<region>]`): the endpoints of OSS's public-cloud regions,
//! and of the region this server reports when it is not one of them.

use http::Response;
use ossemu_xml::region::{RegionInfo, RegionInfoList};

use super::xml_ok;
use crate::body::Body;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// OSS's public-cloud region ids (Regions and OSS endpoints in the public cloud).
const REGIONS: &[&str] = &[
    "oss-cn-hangzhou",
    "oss-cn-shanghai",
    "oss-cn-nanjing",
    "oss-cn-fuzhou",
    "oss-cn-wuhan-lr",
    "oss-cn-qingdao",
    "oss-cn-beijing",
    "oss-cn-zhangjiakou",
    "oss-cn-huhehaote",
    "oss-cn-wulanchabu",
    "oss-cn-shenzhen",
    "oss-cn-heyuan",
    "oss-cn-guangzhou",
    "oss-cn-chengdu",
    "oss-cn-hongkong",
    "oss-ap-northeast-1",
    "oss-ap-northeast-2",
    "oss-ap-southeast-1",
    "oss-ap-southeast-3",
    "oss-ap-southeast-5",
    "oss-ap-southeast-6",
    "oss-ap-southeast-7",
    "oss-eu-central-1",
    "oss-eu-west-1",
    "oss-us-west-1",
    "oss-us-east-1",
    "oss-na-south-1",
    "oss-me-east-1",
    "oss-me-central-1",
];

fn info(region: &str) -> RegionInfo {
    RegionInfo {
        region: region.to_string(),
        internet_endpoint: format!("{region}.aliyuncs.com"),
        internal_endpoint: format!("{region}-internal.aliyuncs.com"),
        accelerate_endpoint: "oss-accelerate.aliyuncs.com".into(),
    }
}

/// DescribeRegions: every region, or the one named by `regions=`.
pub async fn describe_regions(cx: &Ctx) -> ApiResult<Response<Body>> {
    if cx.identity.owner().is_none() {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "Anonymous users cannot describe regions.",
        ));
    }
    let own = cx.state.config.region.as_str();
    let mut all: Vec<&str> = REGIONS.to_vec();
    if !all.contains(&own) {
        all.push(own);
    }
    let wanted = cx.query.get("regions").filter(|r| !r.is_empty());
    let regions: Vec<RegionInfo> = match wanted {
        None => all.iter().map(|r| info(r)).collect(),
        Some(r) if all.contains(&r) => vec![info(r)],
        Some(r) => {
            return Err(ApiError::msg(
                Code::InvalidArgument,
                format!("{r} is not an OSS region id."),
            )
            .field("ArgumentName", "regions")
            .field("ArgumentValue", r));
        }
    };
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "RegionInfoList",
        &RegionInfoList { regions },
    )))
}
