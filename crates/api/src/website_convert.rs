//! Conversion between the PutBucketWebsite/GetBucketWebsite bodies (`ossemu_xml::website`) and
//! the stored model (`ossemu_rules::Website`).
//!
//! PUT: parse the body with `ossemu_xml::website::parse_oss`/`parse_s3` (errors → 400
//! `MalformedXML`), then [`oss_to_model`]/[`s3_to_model`], which convert and validate (errors →
//! 400 with [`ConfigError::code`] and the error's `Display` as Message). A refused PUT must
//! leave the stored configuration untouched.
//!
//! GET: [`model_to_oss`] + `WebsiteConfiguration::to_response_xml`, or [`model_to_s3`] +
//! `S3WebsiteConfiguration::to_response_xml`, in the dialect of the request.
//!
//! Across dialects: S3 rules become External rules numbered by position, and an S3 index
//! document is stored with SupportSubDir true (S3 serves `dir/` + Suffix for `dir/` and
//! redirects `dir` to `dir/`, which is OSS's SupportSubDir with Type 0). An OSS configuration
//! shown in the S3 dialect keeps only External/AliCDN rules (by RuleNumber), without
//! KeySuffixEquals and IncludeHeader, which S3 cannot express; RedirectAllRequestsTo cannot be
//! shown in the OSS dialect and is left out.

use ossemu_rules::{
    Condition, ConfigError, Dialect, ErrorDocument, HeaderSet, IncludeHeader, IndexDocument,
    KeyValue, LuaConfig, Mirror, MirrorAlternate, MirrorAuth, MirrorHeaders, Redirect, RedirectAll,
    RedirectType, Rule, Scope, Website, validate, wire,
};
use ossemu_xml::website as x;

/// An OSS-dialect body as a validated model.
pub fn oss_to_model(body: x::WebsiteConfiguration) -> Result<Website, ConfigError> {
    let index_document = body
        .index_document
        .map(|i| {
            Ok::<_, ConfigError>(IndexDocument {
                suffix: i.suffix.unwrap_or_default(),
                support_sub_dir: i.support_sub_dir,
                index_type: wire::index_type(i.index_type)?,
            })
        })
        .transpose()?;
    let error_document = body
        .error_document
        .map(|e| {
            Ok::<_, ConfigError>(ErrorDocument {
                key: e.key.unwrap_or_default(),
                http_status: wire::error_status(e.http_status)?,
            })
        })
        .transpose()?;
    let rules = body
        .routing_rules
        .map(|r| r.rules)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, rule)| oss_rule(i + 1, rule))
        .collect::<Result<Vec<_>, _>>()?;
    let website = Website {
        dialect: Dialect::Oss,
        index_document,
        error_document,
        redirect_all: None,
        rules,
    };
    validate(&website)?;
    Ok(website)
}

fn oss_rule(position: usize, rule: x::RoutingRule) -> Result<Rule, ConfigError> {
    let number = wire::rule_number(position, rule.rule_number)?;
    let condition = rule.condition.unwrap_or_default();
    Ok(Rule {
        number,
        condition: Condition {
            key_prefix_equals: condition.key_prefix_equals.unwrap_or_default(),
            key_suffix_equals: condition.key_suffix_equals.unwrap_or_default(),
            http_error_code_returned_equals: wire::http_error_code(
                number,
                condition.http_error_code_returned_equals,
            )?,
            include_headers: condition
                .include_headers
                .into_iter()
                .map(|h| IncludeHeader {
                    key: h.key.unwrap_or_default(),
                    equals: h.equals,
                    starts_with: h.starts_with,
                    ends_with: h.ends_with,
                })
                .collect(),
        },
        redirect: rule.redirect.map(|r| oss_redirect(number, r)).transpose()?,
        lua_config: rule.lua_config.map(|l| LuaConfig { script: l.script }),
    })
}

fn oss_redirect(number: u32, r: x::Redirect) -> Result<Redirect, ConfigError> {
    let pairs = |list: Vec<x::KeyValue>| {
        list.into_iter()
            .map(|kv| KeyValue {
                key: kv.key,
                value: kv.value,
            })
            .collect()
    };
    Ok(Redirect {
        redirect_type: wire::redirect_type(number, r.redirect_type.as_deref())?,
        pass_query_string: r.pass_query_string,
        replace_key_with: r.replace_key_with,
        replace_key_prefix_with: r.replace_key_prefix_with,
        enable_replace_prefix: r.enable_replace_prefix,
        protocol: wire::protocol(Scope::Rule(number), r.protocol.as_deref())?,
        host_name: r.host_name,
        http_redirect_code: wire::http_redirect_code(number, Dialect::Oss, r.http_redirect_code)?,
        mirror: Mirror {
            url: r.mirror_url,
            url_slave: r.mirror_url_slave,
            url_probe: r.mirror_url_probe,
            pass_query_string: r.mirror_pass_query_string,
            pass_original_slashes: r.mirror_pass_original_slashes,
            follow_redirect: r.mirror_follow_redirect,
            check_md5: r.mirror_check_md5,
            headers: r.mirror_headers.map(|h| MirrorHeaders {
                pass_all: h.pass_all,
                pass: h.pass,
                remove: h.remove,
                set: h
                    .set
                    .into_iter()
                    .map(|s| HeaderSet {
                        key: s.key.unwrap_or_default(),
                        value: s.value.unwrap_or_default(),
                    })
                    .collect(),
            }),
            sni: r.mirror_sni,
            switch_all_errors: r.mirror_switch_all_errors,
            allow_head_object: r.mirror_allow_head_object,
            allow_get_image_info: r.mirror_allow_get_image_info,
            allow_video_snapshot: r.mirror_allow_video_snapshot,
            using_role: r.mirror_using_role,
            role: r.mirror_role,
            auth: r.mirror_auth.map(|a| MirrorAuth {
                auth_type: a.auth_type,
                region: a.region,
                access_key_id: a.access_key_id,
                access_key_secret: a.access_key_secret,
            }),
            save_oss_meta: r.mirror_save_oss_meta,
            user_last_modified: r.mirror_user_last_modified,
            proxy_pass: r.mirror_proxy_pass,
            async_status: r.mirror_async_status,
            taggings: r.mirror_taggings.map(|t| pairs(t.taggings)),
            return_headers: r.mirror_return_headers.map(|h| pairs(h.return_headers)),
            transparent_response_codes: r.transparent_mirror_response_codes,
            multi_alternates: r.mirror_multi_alternates.map(|m| {
                m.alternates
                    .into_iter()
                    .map(|a| MirrorAlternate {
                        number: a.number,
                        url: a.url,
                        vpc_id: a.vpc_id,
                        dst_region: a.dst_region,
                    })
                    .collect()
            }),
            is_express_tunnel: r.mirror_is_express_tunnel,
            dst_region: r.mirror_dst_region,
            dst_vpc_id: r.mirror_dst_vpc_id,
            dst_slave_vpc_id: r.mirror_dst_slave_vpc_id,
            tunnel_id: r.mirror_tunnel_id,
        },
    })
}

/// An S3-dialect body as a validated model: rules numbered by position, all External.
pub fn s3_to_model(body: x::S3WebsiteConfiguration) -> Result<Website, ConfigError> {
    let redirect_all = body
        .redirect_all_requests_to
        .map(|r| {
            Ok::<_, ConfigError>(RedirectAll {
                host_name: r.host_name.unwrap_or_default(),
                protocol: wire::protocol(Scope::RedirectAll, r.protocol.as_deref())?,
            })
        })
        .transpose()?;
    let rules = body
        .routing_rules
        .map(|r| r.rules)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, rule)| s3_rule(u32::try_from(i + 1).unwrap_or(u32::MAX), rule))
        .collect::<Result<Vec<_>, _>>()?;
    let website = Website {
        dialect: Dialect::S3,
        index_document: body.index_document.map(|i| IndexDocument {
            suffix: i.suffix.unwrap_or_default(),
            support_sub_dir: Some(true),
            index_type: None,
        }),
        error_document: body.error_document.map(|e| ErrorDocument {
            key: e.key.unwrap_or_default(),
            http_status: None,
        }),
        redirect_all,
        rules,
    };
    validate(&website)?;
    Ok(website)
}

fn s3_rule(number: u32, rule: x::S3RoutingRule) -> Result<Rule, ConfigError> {
    let condition = rule.condition.unwrap_or_default();
    let redirect = rule
        .redirect
        .map(|r| {
            let mut redirect = Redirect::new(RedirectType::External);
            redirect.protocol = wire::protocol(Scope::Rule(number), r.protocol.as_deref())?;
            redirect.host_name = r.host_name;
            redirect.replace_key_prefix_with = r.replace_key_prefix_with;
            redirect.replace_key_with = r.replace_key_with;
            redirect.http_redirect_code =
                wire::http_redirect_code(number, Dialect::S3, r.http_redirect_code)?;
            Ok::<_, ConfigError>(redirect)
        })
        .transpose()?;
    Ok(Rule {
        number,
        condition: Condition {
            key_prefix_equals: condition.key_prefix_equals.unwrap_or_default(),
            key_suffix_equals: String::new(),
            http_error_code_returned_equals: wire::http_error_code(
                number,
                condition.http_error_code_returned_equals,
            )?,
            include_headers: Vec::new(),
        },
        redirect,
        lua_config: None,
    })
}

/// The model as an OSS-dialect body (before `to_response_xml` applies the echo rules).
pub fn model_to_oss(website: &Website) -> x::WebsiteConfiguration {
    x::WebsiteConfiguration {
        index_document: website.index_document.as_ref().map(|i| x::IndexDocument {
            suffix: Some(i.suffix.clone()),
            support_sub_dir: i.support_sub_dir,
            index_type: i.index_type.map(|t| t.code()),
        }),
        error_document: website.error_document.as_ref().map(|e| x::ErrorDocument {
            key: Some(e.key.clone()),
            http_status: e.http_status.map(i64::from),
        }),
        routing_rules: (!website.rules.is_empty()).then(|| x::RoutingRules {
            rules: website.rules.iter().map(rule_to_oss).collect(),
        }),
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn rule_to_oss(rule: &Rule) -> x::RoutingRule {
    let c = &rule.condition;
    x::RoutingRule {
        rule_number: Some(i64::from(rule.number)),
        condition: Some(x::Condition {
            key_prefix_equals: Some(c.key_prefix_equals.clone()),
            key_suffix_equals: non_empty(&c.key_suffix_equals),
            http_error_code_returned_equals: c.http_error_code_returned_equals.map(i64::from),
            include_headers: c
                .include_headers
                .iter()
                .map(|h| x::IncludeHeader {
                    key: Some(h.key.clone()),
                    equals: h.equals.clone(),
                    starts_with: h.starts_with.clone(),
                    ends_with: h.ends_with.clone(),
                })
                .collect(),
        }),
        redirect: rule.redirect.as_ref().map(redirect_to_oss),
        lua_config: rule.lua_config.as_ref().map(|l| x::LuaConfig {
            script: l.script.clone(),
        }),
    }
}

fn mirror_headers_to_oss(h: &ossemu_rules::MirrorHeaders) -> x::MirrorHeaders {
    x::MirrorHeaders {
        pass_all: h.pass_all,
        pass: h.pass.clone(),
        remove: h.remove.clone(),
        set: h
            .set
            .iter()
            .map(|s| x::KeyValue {
                key: Some(s.key.clone()),
                value: Some(s.value.clone()),
            })
            .collect(),
    }
}

fn alternates_to_oss(list: &[ossemu_rules::MirrorAlternate]) -> x::MirrorMultiAlternates {
    x::MirrorMultiAlternates {
        alternates: list
            .iter()
            .map(|a| x::MirrorMultiAlternate {
                dst_region: a.dst_region.clone(),
                number: a.number,
                url: a.url.clone(),
                vpc_id: a.vpc_id.clone(),
            })
            .collect(),
    }
}

fn redirect_to_oss(r: &Redirect) -> x::Redirect {
    let pairs = |list: &[KeyValue]| {
        list.iter()
            .map(|kv| x::KeyValue {
                key: kv.key.clone(),
                value: kv.value.clone(),
            })
            .collect()
    };
    let m = &r.mirror;
    x::Redirect {
        redirect_type: Some(r.redirect_type.as_str().to_owned()),
        pass_query_string: r.pass_query_string,
        replace_key_with: r.replace_key_with.clone(),
        replace_key_prefix_with: r.replace_key_prefix_with.clone(),
        enable_replace_prefix: r.enable_replace_prefix,
        protocol: r.protocol.map(|p| p.as_str().to_owned()),
        host_name: r.host_name.clone(),
        http_redirect_code: r.http_redirect_code.map(i64::from),
        mirror_url: m.url.clone(),
        mirror_url_slave: m.url_slave.clone(),
        mirror_url_probe: m.url_probe.clone(),
        mirror_pass_query_string: m.pass_query_string,
        mirror_pass_original_slashes: m.pass_original_slashes,
        mirror_follow_redirect: m.follow_redirect,
        mirror_check_md5: m.check_md5,
        mirror_headers: m.headers.as_ref().map(mirror_headers_to_oss),
        mirror_sni: m.sni,
        mirror_switch_all_errors: m.switch_all_errors,
        mirror_allow_head_object: m.allow_head_object,
        mirror_allow_get_image_info: m.allow_get_image_info,
        mirror_allow_video_snapshot: m.allow_video_snapshot,
        mirror_using_role: m.using_role,
        mirror_role: m.role.clone(),
        mirror_auth: m.auth.as_ref().map(|a| x::MirrorAuth {
            auth_type: a.auth_type.clone(),
            region: a.region.clone(),
            access_key_id: a.access_key_id.clone(),
            access_key_secret: a.access_key_secret.clone(),
        }),
        mirror_save_oss_meta: m.save_oss_meta,
        mirror_user_last_modified: m.user_last_modified,
        mirror_proxy_pass: m.proxy_pass,
        mirror_async_status: m.async_status,
        mirror_taggings: m
            .taggings
            .as_deref()
            .map(|t| x::MirrorTaggings { taggings: pairs(t) }),
        mirror_return_headers: m.return_headers.as_deref().map(|h| x::MirrorReturnHeaders {
            return_headers: pairs(h),
        }),
        transparent_mirror_response_codes: m.transparent_response_codes.clone(),
        mirror_multi_alternates: m.multi_alternates.as_deref().map(alternates_to_oss),
        mirror_is_express_tunnel: m.is_express_tunnel,
        mirror_dst_region: m.dst_region.clone(),
        mirror_dst_vpc_id: m.dst_vpc_id.clone(),
        mirror_dst_slave_vpc_id: m.dst_slave_vpc_id.clone(),
        mirror_tunnel_id: m.tunnel_id.clone(),
    }
}

/// The model as an S3-dialect body (see the module docs for what an OSS configuration loses).
pub fn model_to_s3(website: &Website) -> x::S3WebsiteConfiguration {
    let mut rules: Vec<&Rule> = website
        .rules
        .iter()
        .filter(|r| {
            r.redirect
                .as_ref()
                .is_some_and(|d| d.redirect_type.is_redirect())
        })
        .collect();
    rules.sort_by_key(|r| r.number);
    let rules: Vec<x::S3RoutingRule> = rules
        .into_iter()
        .filter_map(|rule| {
            let r = rule.redirect.as_ref()?;
            let c = &rule.condition;
            let condition = (!c.key_prefix_equals.is_empty()
                || c.http_error_code_returned_equals.is_some())
            .then(|| x::S3Condition {
                http_error_code_returned_equals: c.http_error_code_returned_equals.map(i64::from),
                key_prefix_equals: non_empty(&c.key_prefix_equals),
            });
            Some(x::S3RoutingRule {
                condition,
                redirect: Some(x::S3Redirect {
                    host_name: r.host_name.clone(),
                    http_redirect_code: r.http_redirect_code.map(i64::from),
                    protocol: r.protocol.map(|p| p.as_str().to_owned()),
                    replace_key_prefix_with: r.replace_key_prefix_with.clone(),
                    replace_key_with: r.replace_key_with.clone(),
                }),
            })
        })
        .collect();
    x::S3WebsiteConfiguration {
        xmlns: Some(x::S3_NAMESPACE.to_owned()),
        redirect_all_requests_to: website.redirect_all.as_ref().map(|r| {
            x::S3RedirectAllRequestsTo {
                host_name: Some(r.host_name.clone()),
                protocol: r.protocol.map(|p| p.as_str().to_owned()),
            }
        }),
        index_document: website.index_document.as_ref().map(|i| x::S3IndexDocument {
            suffix: Some(i.suffix.clone()),
        }),
        error_document: website.error_document.as_ref().map(|e| x::S3ErrorDocument {
            key: Some(e.key.clone()),
        }),
        routing_rules: (!rules.is_empty()).then_some(x::S3RoutingRules { rules }),
    }
}

#[cfg(test)]
mod tests;
