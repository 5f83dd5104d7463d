//! Validation of a lifecycle configuration, with each cloud's error codes, and its
//! conversion into a [`Plan`].

use ossemu_xml::lifecycle::{
    LifecycleConfiguration, LifecycleRule, LifecycleTag, LifecycleTransition,
};

use super::{Move, Noncurrent, Plan, Rule, When, rank};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::tagging::{check_tags, lifecycle_limits};

/// Largest accepted configuration document.
pub const MAX_BODY: usize = 1 << 20;
/// Most rules a configuration may hold.
const MAX_RULES: usize = 1000;
/// Longest rule id.
const MAX_ID: usize = 255;

/// Classes a Transition may name in OSS.
const OSS_CLASSES: &[&str] = &["IA", "Archive", "ColdArchive", "DeepColdArchive"];
/// Classes a Transition may name in S3.
const S3_CLASSES: &[&str] = &[
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
];

fn err(code: Code, m: impl Into<String>) -> ApiError {
    ApiError::msg(code, m.into())
}

/// Validates `conf` as dialect `d` does and puts it in its stored form (ids filled in, dates
/// and booleans written one way). OSS refuses two rules whose prefixes overlap for the same
/// action unless `allow_overlap` (`x-oss-allow-same-action-overlap: true`), and rules that
/// count from access times unless the bucket `tracks_access` (PutBucketAccessMonitor).
pub fn compile(
    conf: &mut LifecycleConfiguration,
    d: Dialect,
    allow_overlap: bool,
    tracks_access: bool,
) -> ApiResult<()> {
    conf.xmlns = None;
    if conf.rules.is_empty() || conf.rules.len() > MAX_RULES {
        return Err(err(
            Code::MalformedXML,
            format!(
                "A lifecycle configuration has 1 to {MAX_RULES} rules; this one has {}.",
                conf.rules.len()
            ),
        ));
    }
    for (i, r) in conf.rules.iter_mut().enumerate() {
        rule(r, i, d)?;
    }
    ids(conf)?;
    if d == Dialect::Oss && !allow_overlap {
        overlap(&plan(conf).rules)?;
    }
    if !tracks_access && plan(conf).uses_access_time() {
        return Err(err(
            Code::InvalidArgument,
            "IsAccessTime needs access tracking: enable it with PutBucketAccessMonitor first.",
        ));
    }
    Ok(())
}

/// Rule ids: at most 255 characters, unique.
fn ids(conf: &LifecycleConfiguration) -> ApiResult<()> {
    for (i, r) in conf.rules.iter().enumerate() {
        let id = r.id.as_deref().unwrap_or_default();
        if conf.rules[..i].iter().any(|o| o.id.as_deref() == Some(id)) {
            return Err(err(
                Code::InvalidArgument,
                "Rule ID must be unique. Found same ID for more than one rule",
            ));
        }
    }
    Ok(())
}

/// Checks and normalises one rule (`i` counts from 0).
fn rule(r: &mut LifecycleRule, i: usize, d: Dialect) -> ApiResult<()> {
    match r.id.as_deref() {
        None | Some("") => r.id = Some(uuid::Uuid::new_v4().simple().to_string()),
        Some(id) if id.chars().count() > MAX_ID => {
            return Err(err(
                Code::InvalidArgument,
                format!("ID length should not exceed allowed limit of {MAX_ID}"),
            ));
        }
        Some(_) => {}
    }
    if r.status != "Enabled" && r.status != "Disabled" {
        return Err(err(
            Code::MalformedXML,
            format!("Rule {}: Status must be Enabled or Disabled.", i + 1),
        ));
    }
    filter(r, d)?;
    let has_action = r.expiration.is_some()
        || !r.transitions.is_empty()
        || r.abort_multipart_upload.is_some()
        || r.abort_incomplete_multipart_upload.is_some()
        || r.noncurrent_version_expiration.is_some()
        || !r.noncurrent_version_transitions.is_empty();
    if !has_action {
        return Err(err(
            Code::InvalidRequest,
            "At least one action needs to be specified in a rule",
        ));
    }
    expiration(r, d)?;
    transitions(r, d)?;
    noncurrent(r, d)?;
    abort(r, d)
}

/// The tag conditions a rule names, in either dialect's place.
fn rule_tags(r: &LifecycleRule) -> Vec<&LifecycleTag> {
    let f = r.filter.as_ref();
    r.tags
        .iter()
        .chain(f.and_then(|f| f.tag.as_ref()))
        .chain(
            f.and_then(|f| f.and.as_ref())
                .into_iter()
                .flat_map(|a| &a.tags),
        )
        .collect()
}

fn filter(r: &mut LifecycleRule, d: Dialect) -> ApiResult<()> {
    let mut tags: Vec<(String, String)> = rule_tags(r)
        .into_iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect();
    check_tags(&mut tags, lifecycle_limits(d))?;
    let Some(f) = &r.filter else {
        return Ok(());
    };
    for n in &f.not {
        if let Some(t) = &n.tag {
            check_tags(&mut [(t.key.clone(), t.value.clone())], lifecycle_limits(d))?;
        }
    }
    if d == Dialect::S3 {
        let set = [
            f.prefix.is_some(),
            f.tag.is_some(),
            f.and.is_some(),
            f.object_size_greater_than.is_some(),
            f.object_size_less_than.is_some(),
        ];
        if set.iter().filter(|s| **s).count() > 1 {
            return Err(err(
                Code::MalformedXML,
                "Filter holds one condition; combine several with And.",
            ));
        }
        if r.prefix.is_some() {
            return Err(err(
                Code::MalformedXML,
                "A rule has a Prefix or a Filter, not both.",
            ));
        }
    }
    let and = f.and.as_ref();
    let gt = f
        .object_size_greater_than
        .or(and.and_then(|a| a.object_size_greater_than));
    let lt = f
        .object_size_less_than
        .or(and.and_then(|a| a.object_size_less_than));
    if gt.is_some_and(|n| n < 0) || lt.is_some_and(|n| n <= 0) {
        return Err(err(
            Code::InvalidArgument,
            "ObjectSizeGreaterThan must not be negative and ObjectSizeLessThan must be positive.",
        ));
    }
    if let (Some(g), Some(l)) = (gt, lt)
        && g >= l
    {
        return Err(err(
            Code::InvalidArgument,
            "ObjectSizeGreaterThan must be less than ObjectSizeLessThan.",
        ));
    }
    Ok(())
}

/// A date of a rule: `YYYY-MM-DD` or an ISO 8601 time at midnight UTC. Its time and its
/// stored form.
fn date(text: &str, what: &str) -> ApiResult<(i64, String)> {
    let t = text.trim();
    let parsed = chrono::DateTime::parse_from_rfc3339(t)
        .map(|dt| dt.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|dt| dt.and_utc())
        });
    let bad = || {
        err(
            Code::InvalidArgument,
            format!(
                "{what} must be an ISO 8601 date at midnight UTC, like 2026-01-01T00:00:00.000Z; got {t:?}."
            ),
        )
    };
    let dt = parsed.ok_or_else(bad)?;
    let ms = dt.timestamp_millis();
    if ms.rem_euclid(super::DAY_MS) != 0 {
        return Err(bad());
    }
    Ok((ms, dt.format("%Y-%m-%dT00:00:00.000Z").to_string()))
}

fn bool_text(v: &mut Option<String>, what: &str) -> ApiResult<Option<bool>> {
    let Some(text) = v else { return Ok(None) };
    let b = ossemu_xml::parse_bool(text)
        .ok_or_else(|| err(Code::MalformedXML, format!("{what} must be true or false.")))?;
    *v = Some(b.to_string());
    Ok(Some(b))
}

fn positive(days: Option<i64>, what: &str) -> ApiResult<()> {
    match days {
        Some(n) if n <= 0 => Err(err(
            Code::InvalidArgument,
            format!("'Days' for {what} action must be a positive integer"),
        )),
        _ => Ok(()),
    }
}

fn expiration(r: &mut LifecycleRule, d: Dialect) -> ApiResult<()> {
    let Some(e) = &mut r.expiration else {
        return Ok(());
    };
    let marker = bool_text(
        &mut e.expired_object_delete_marker,
        "ExpiredObjectDeleteMarker",
    )?;
    let set = [
        e.days.is_some(),
        e.date.is_some(),
        e.created_before_date.is_some(),
    ];
    let n = set.iter().filter(|s| **s).count();
    if marker == Some(true) && n > 0 {
        return Err(err(
            match d {
                Dialect::Oss => Code::InvalidArgument,
                Dialect::S3 => Code::MalformedXML,
            },
            "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.",
        ));
    }
    if n > 1 || (n == 0 && marker != Some(true)) {
        return Err(err(
            Code::MalformedXML,
            "Expiration holds one of Days, Date, CreatedBeforeDate or ExpiredObjectDeleteMarker.",
        ));
    }
    positive(e.days, "Expiration")?;
    for v in [&mut e.date, &mut e.created_before_date]
        .into_iter()
        .flatten()
    {
        *v = date(v, "The Expiration date")?.1;
    }
    Ok(())
}

/// The storage class a transition names, checked against the dialect's list.
fn class(t: &LifecycleTransition, d: Dialect) -> ApiResult<()> {
    let c = t.storage_class.as_str();
    let known = match d {
        Dialect::Oss => OSS_CLASSES.contains(&c),
        Dialect::S3 => S3_CLASSES.contains(&c),
    };
    if known {
        return Ok(());
    }
    Err(match d {
        Dialect::Oss => err(
            Code::InvalidArgument,
            format!("The StorageClass of a Transition must be one of {OSS_CLASSES:?}; got {c:?}."),
        ),
        Dialect::S3 => err(
            Code::MalformedXML,
            format!("The StorageClass of a Transition must be one of {S3_CLASSES:?}; got {c:?}."),
        ),
    })
}

/// Checks one transition (`noncurrent`: a NoncurrentVersionTransition) and normalises it.
fn transition(t: &mut LifecycleTransition, d: Dialect, noncurrent: bool) -> ApiResult<()> {
    class(t, d)?;
    for (v, what) in [
        (&mut t.is_access_time, "IsAccessTime"),
        (&mut t.return_to_std_when_visit, "ReturnToStdWhenVisit"),
        (&mut t.allow_small_file, "AllowSmallFile"),
    ] {
        bool_text(v, what)?;
    }
    let days = if noncurrent {
        t.noncurrent_days
    } else {
        t.days
    };
    let set = [
        days.is_some(),
        t.date.is_some(),
        t.created_before_date.is_some(),
    ];
    let n = set.iter().filter(|s| **s).count();
    if n != 1 || (noncurrent && days.is_none()) {
        return Err(err(
            Code::MalformedXML,
            if noncurrent {
                "NoncurrentVersionTransition needs NoncurrentDays."
            } else {
                "Transition holds one of Days, Date or CreatedBeforeDate."
            },
        ));
    }
    match (d, days) {
        (Dialect::Oss, Some(n)) if n <= 0 => return positive(Some(n), "Transition"),
        (Dialect::S3, Some(n)) if n < 0 => {
            return Err(err(
                Code::InvalidArgument,
                "'Days' in Transition action must be nonnegative",
            ));
        }
        (Dialect::S3, Some(n)) if n < 30 && t.storage_class.ends_with("_IA") => {
            return Err(err(
                Code::InvalidArgument,
                if noncurrent {
                    format!(
                        "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass '{}'",
                        t.storage_class
                    )
                } else {
                    format!(
                        "'Days' in Transition action must be greater than or equal to 30 for storageClass '{}'",
                        t.storage_class
                    )
                },
            ));
        }
        _ => {}
    }
    for v in [&mut t.date, &mut t.created_before_date]
        .into_iter()
        .flatten()
    {
        *v = date(v, "The Transition date")?.1;
    }
    Ok(())
}

fn transitions(r: &mut LifecycleRule, d: Dialect) -> ApiResult<()> {
    for t in &mut r.transitions {
        transition(t, d, false)?;
    }
    let whens: Vec<(When, &str)> = r
        .transitions
        .iter()
        .filter_map(|t| Some((transition_when(t)?, t.storage_class.as_str())))
        .collect();
    let expire = r.expiration.as_ref().and_then(expiration_when);
    if let Some(e) = expire
        && whens.iter().any(|(w, _)| !w.same_kind(e))
    {
        return Err(err(
            Code::InvalidRequest,
            "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule",
        ));
    }
    ordered(&whens, expire)
}

/// Colder classes act later than warmer ones, and expiration after every transition; no
/// class twice.
fn ordered(whens: &[(When, &str)], expire: Option<When>) -> ApiResult<()> {
    for (i, (a, ca)) in whens.iter().enumerate() {
        for (b, cb) in &whens[i + 1..] {
            if ca == cb {
                return Err(err(
                    Code::InvalidArgument,
                    "'StorageClass' must be different for 'Transition' actions in same 'Rule'",
                ));
            }
            let (warm, cold) = if rank(ca) < rank(cb) { (a, b) } else { (b, a) };
            if warm.same_kind(*cold) && cold.order_key() <= warm.order_key() {
                return Err(err(
                    Code::InvalidArgument,
                    "A transition to a colder storage class must happen later than a transition to a warmer one (the Days of a Transition to Archive must be greater than those of a Transition to IA).",
                ));
            }
        }
        if let Some(e) = expire
            && e.same_kind(*a)
            && e.order_key() <= a.order_key()
        {
            return Err(err(
                Code::InvalidArgument,
                "The Expiration of a rule must happen later than each of its Transitions (its Days must be greater than theirs).",
            ));
        }
    }
    Ok(())
}

fn noncurrent(r: &mut LifecycleRule, d: Dialect) -> ApiResult<()> {
    for t in &mut r.noncurrent_version_transitions {
        transition(t, d, true)?;
        keep(t.newer_noncurrent_versions)?;
    }
    let expire = match &r.noncurrent_version_expiration {
        Some(e) => {
            let days = e.noncurrent_days.ok_or_else(|| {
                err(
                    Code::MalformedXML,
                    "NoncurrentVersionExpiration needs NoncurrentDays.",
                )
            })?;
            positive(Some(days), "NoncurrentVersionExpiration")?;
            keep(e.newer_noncurrent_versions)?;
            Some(When::Days(days))
        }
        None => None,
    };
    let whens: Vec<(When, &str)> = r
        .noncurrent_version_transitions
        .iter()
        .filter_map(|t| Some((When::Days(t.noncurrent_days?), t.storage_class.as_str())))
        .collect();
    ordered(&whens, expire)
}

fn keep(n: Option<i64>) -> ApiResult<()> {
    match n {
        Some(n) if !(1..=100).contains(&n) => Err(err(
            Code::InvalidArgument,
            "NewerNoncurrentVersions must be from 1 to 100.",
        )),
        _ => Ok(()),
    }
}

fn abort(r: &mut LifecycleRule, d: Dialect) -> ApiResult<()> {
    if let Some(a) = &mut r.abort_multipart_upload {
        if a.days.is_some() == a.created_before_date.is_some() {
            return Err(err(
                Code::MalformedXML,
                "AbortMultipartUpload holds one of Days or CreatedBeforeDate.",
            ));
        }
        positive(a.days, "AbortMultipartUpload")?;
        if let Some(v) = &mut a.created_before_date {
            *v = date(v, "The AbortMultipartUpload date")?.1;
        }
    }
    if let Some(a) = &r.abort_incomplete_multipart_upload {
        let days = a.days_after_initiation.ok_or_else(|| {
            err(
                Code::MalformedXML,
                "AbortIncompleteMultipartUpload needs DaysAfterInitiation.",
            )
        })?;
        positive(Some(days), "AbortIncompleteMultipartUpload")?;
    }
    let aborts =
        r.abort_multipart_upload.is_some() || r.abort_incomplete_multipart_upload.is_some();
    if aborts && d == Dialect::S3 && !rule_tags(r).is_empty() {
        return Err(err(
            Code::InvalidRequest,
            "AbortIncompleteMultipartUpload cannot be specified with Tags.",
        ));
    }
    Ok(())
}

/// OSS: two rules that may cover the same object (one prefix starts the other, same tags)
/// must not both hold the same kind of action.
fn overlap(rules: &[Rule]) -> ApiResult<()> {
    type Has = fn(&Rule) -> bool;
    let kinds: [(&str, Has); 5] = [
        ("Expiration", |r| r.expire.is_some() || r.expire_markers),
        ("Transition", |r| !r.transitions.is_empty()),
        ("AbortMultipartUpload", |r| r.abort.is_some()),
        ("NoncurrentVersionExpiration", |r| {
            r.noncurrent_expire.is_some()
        }),
        ("NoncurrentVersionTransition", |r| {
            !r.noncurrent_transitions.is_empty()
        }),
    ];
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[i + 1..] {
            let nested = a.prefix.starts_with(&b.prefix) || b.prefix.starts_with(&a.prefix);
            if !nested || a.tags != b.tags {
                continue;
            }
            if let Some((name, _)) = kinds.iter().find(|(_, has)| has(a) && has(b)) {
                return Err(err(
                    Code::InvalidArgument,
                    format!("Overlap for same action type {name}"),
                ));
            }
        }
    }
    Ok(())
}

fn date_ms(text: &str) -> Option<i64> {
    date(text, "").ok().map(|(ms, _)| ms)
}

fn expiration_when(e: &ossemu_xml::lifecycle::LifecycleExpiration) -> Option<When> {
    e.days
        .map(When::Days)
        .or_else(|| e.date.as_deref().and_then(date_ms).map(When::Date))
        .or_else(|| {
            e.created_before_date
                .as_deref()
                .and_then(date_ms)
                .map(When::Before)
        })
}

fn transition_when(t: &LifecycleTransition) -> Option<When> {
    t.days
        .map(When::Days)
        .or_else(|| t.date.as_deref().and_then(date_ms).map(When::Date))
        .or_else(|| {
            t.created_before_date
                .as_deref()
                .and_then(date_ms)
                .map(When::Before)
        })
}

/// The plan of a stored (valid) configuration: its enabled rules.
pub fn plan(conf: &LifecycleConfiguration) -> Plan {
    let rules = conf.rules.iter().filter(|r| r.status == "Enabled");
    Plan {
        rules: rules.map(compile_rule).collect(),
    }
}

fn compile_rule(r: &LifecycleRule) -> Rule {
    let f = r.filter.as_ref();
    let and = f.and_then(|f| f.and.as_ref());
    let prefix = r
        .prefix
        .clone()
        .or_else(|| f.and_then(|f| f.prefix.clone()))
        .or_else(|| and.and_then(|a| a.prefix.clone()))
        .unwrap_or_default();
    let size = |v: Option<i64>| v.and_then(|n| u64::try_from(n).ok());
    let expiration = r.expiration.as_ref();
    let noncurrent = |days: Option<i64>, keep: Option<i64>| Noncurrent {
        days: days.unwrap_or(i64::MAX / super::DAY_MS),
        keep: keep.and_then(|k| usize::try_from(k).ok()).unwrap_or(0),
    };
    Rule {
        id: r.id.clone().unwrap_or_default(),
        prefix,
        tags: rule_tags(r)
            .into_iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect(),
        not: f
            .into_iter()
            .flat_map(|f| &f.not)
            .map(|n| {
                (
                    n.prefix.clone(),
                    n.tag.as_ref().map(|t| (t.key.clone(), t.value.clone())),
                )
            })
            .collect(),
        size_gt: size(
            f.and_then(|f| f.object_size_greater_than)
                .or(and.and_then(|a| a.object_size_greater_than)),
        ),
        size_lt: size(
            f.and_then(|f| f.object_size_less_than)
                .or(and.and_then(|a| a.object_size_less_than)),
        ),
        expire: expiration.and_then(expiration_when),
        expire_markers: expiration
            .and_then(|e| e.expired_object_delete_marker.as_deref())
            .and_then(ossemu_xml::parse_bool)
            .unwrap_or(false),
        transitions: r
            .transitions
            .iter()
            .filter_map(|t| Some((transition_when(t)?, movement(t))))
            .collect(),
        noncurrent_expire: r
            .noncurrent_version_expiration
            .as_ref()
            .map(|e| noncurrent(e.noncurrent_days, e.newer_noncurrent_versions)),
        noncurrent_transitions: r
            .noncurrent_version_transitions
            .iter()
            .map(|t| {
                let after = noncurrent(t.noncurrent_days, t.newer_noncurrent_versions);
                (after, movement(t))
            })
            .collect(),
        abort: abort_when(r),
    }
}

/// Where a transition moves objects, and how it counts.
fn movement(t: &LifecycleTransition) -> Move {
    let flag = |v: &Option<String>| v.as_deref().and_then(ossemu_xml::parse_bool) == Some(true);
    Move {
        class: t.storage_class.clone(),
        by_access: flag(&t.is_access_time),
        back_on_visit: flag(&t.return_to_std_when_visit),
        small_files: flag(&t.allow_small_file),
    }
}

/// When a rule aborts uploads (OSS `AbortMultipartUpload`, S3 `AbortIncompleteMultipartUpload`).
fn abort_when(r: &LifecycleRule) -> Option<When> {
    let oss = r.abort_multipart_upload.as_ref().and_then(|a| {
        a.days.map(When::Days).or_else(|| {
            a.created_before_date
                .as_deref()
                .and_then(date_ms)
                .map(When::Before)
        })
    });
    oss.or_else(|| {
        r.abort_incomplete_multipart_upload
            .as_ref()
            .and_then(|a| a.days_after_initiation.map(When::Days))
    })
}
