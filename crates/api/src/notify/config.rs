//! The S3 `NotificationConfiguration` document: parsed, checked against the declared webhook
//! targets, stored as is (with generated `Id`s filled in) and matched against events.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, Code};

/// Every event name a configuration may subscribe to (S3's, and ossemu's
/// `s3:ObjectCreated:Mirror` for an object stored by back-to-origin mirroring).
pub const EVENTS: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectCreated:Mirror",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
];

/// `<FilterRule>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FilterRule {
    /// `prefix` or `suffix`.
    #[serde(default)]
    pub name: String,
    /// What the key starts or ends with.
    #[serde(default)]
    pub value: String,
}

/// `<S3Key>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Key {
    /// The rules.
    #[serde(rename = "FilterRule", default)]
    pub rules: Vec<FilterRule>,
}

/// `<Filter>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// The key name filter.
    #[serde(rename = "S3Key", default)]
    pub key: S3Key,
}

/// One `<QueueConfiguration>`, `<TopicConfiguration>` or `<CloudFunctionConfiguration>`:
/// which element holds the ARN depends on the kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    /// The configuration's id (`configurationId` in the messages).
    #[serde(rename = "Id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The queue ARN (QueueConfiguration).
    #[serde(rename = "Queue", default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// The topic ARN (TopicConfiguration).
    #[serde(rename = "Topic", default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The function ARN (CloudFunctionConfiguration).
    #[serde(
        rename = "CloudFunction",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cloud_function: Option<String>,
    /// The events it subscribes to.
    #[serde(rename = "Event", default)]
    pub events: Vec<String>,
    /// The key name filter.
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
}

/// `<NotificationConfiguration>`: PutBucketNotificationConfiguration's body, its GET answer,
/// and the stored form (as JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationConfiguration {
    /// S3 namespace on output.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// SNS topics.
    #[serde(rename = "TopicConfiguration", default)]
    pub topics: Vec<Destination>,
    /// SQS queues.
    #[serde(rename = "QueueConfiguration", default)]
    pub queues: Vec<Destination>,
    /// Lambda functions.
    #[serde(rename = "CloudFunctionConfiguration", default)]
    pub functions: Vec<Destination>,
}

/// A destination ready for matching: its id, its webhook target and what it takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// `configurationId`.
    pub id: String,
    /// The webhook target's name.
    pub target: String,
    /// The events (`s3:ObjectCreated:*`, ...).
    pub events: Vec<String>,
    /// Keys must start with this.
    pub prefix: String,
    /// Keys must end with this.
    pub suffix: String,
}

impl Subscription {
    /// Whether the event `name` (`s3:ObjectCreated:Put`) of `key` is for this subscription.
    pub fn wants(&self, name: &str, key: &str) -> bool {
        let event = self.events.iter().any(|e| match e.strip_suffix('*') {
            Some(family) => name.starts_with(family),
            None => e == name,
        });
        event && key.starts_with(&self.prefix) && key.ends_with(&self.suffix)
    }
}

/// The webhook target an ARN names: its last `:`-separated part.
pub fn target_of(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

fn invalid(message: impl Into<String>, name: &'static str, value: &str) -> ApiError {
    ApiError::msg(Code::InvalidArgument, message.into())
        .field("ArgumentName", name)
        .field("ArgumentValue", value)
}

/// The refusal of a destination whose ARN names no declared target, worded as S3 words a
/// destination it cannot validate.
fn unknown_target(arn: &str, targets: &[&str]) -> ApiError {
    let declared = if targets.is_empty() {
        "none are declared".to_string()
    } else {
        format!("declared: {}", targets.join(", "))
    };
    ApiError::msg(
        Code::InvalidArgument,
        "Unable to validate the following destination configurations",
    )
    .field("ArgumentName1", arn)
    .field(
        "ArgumentValue1",
        format!(
            "No webhook target named {:?} is declared in ossemu's configuration file ({declared})",
            target_of(arn)
        ),
    )
}

/// The key filter's prefix and suffix; refuses names other than `prefix` and `suffix` and a
/// name given twice.
fn filter(f: Option<&Filter>) -> ApiResult<(String, String)> {
    let (mut prefix, mut suffix) = (None, None);
    for r in f.map(|f| f.key.rules.as_slice()).unwrap_or_default() {
        let slot = match r.name.to_ascii_lowercase().as_str() {
            "prefix" => &mut prefix,
            "suffix" => &mut suffix,
            _ => {
                return Err(invalid(
                    "filter rule name must be either prefix or suffix",
                    "FilterRule",
                    &r.name,
                ));
            }
        };
        if slot.is_some() {
            return Err(invalid(
                format!(
                    "Cannot specify more than one {} rule in a filter.",
                    r.name.to_ascii_lowercase()
                ),
                "FilterRule",
                &r.name,
            ));
        }
        *slot = Some(r.value.clone());
    }
    Ok((prefix.unwrap_or_default(), suffix.unwrap_or_default()))
}

impl NotificationConfiguration {
    /// Every destination with the element name of its ARN.
    fn destinations<'a>(&'a self) -> impl Iterator<Item = (&'static str, &'a Destination)> {
        let tag = |kind: &'static str, all: &'a [Destination]| all.iter().map(move |d| (kind, d));
        tag("Topic", &self.topics)
            .chain(tag("Queue", &self.queues))
            .chain(tag("CloudFunction", &self.functions))
    }

    fn destinations_mut(&mut self) -> impl Iterator<Item = &mut Destination> {
        self.topics
            .iter_mut()
            .chain(self.queues.iter_mut())
            .chain(self.functions.iter_mut())
    }

    /// Checks every destination (its ARN names a declared target, unless `targets` is `None`:
    /// S3's `x-amz-skip-destination-validation`; its events are known; its filter is
    /// `prefix`/`suffix`), that no two overlap, and gives each without an `Id` a generated
    /// one.
    pub fn validate(&mut self, targets: Option<&[&str]>) -> ApiResult<()> {
        let mut ids = Vec::new();
        for (kind, d) in self.destinations() {
            let arn = match kind {
                "Topic" => &d.topic,
                "Queue" => &d.queue,
                _ => &d.cloud_function,
            };
            let Some(arn) = arn.as_deref().filter(|a| !a.is_empty()) else {
                return Err(ApiError::msg(
                    Code::MalformedXML,
                    format!("A {kind}Configuration needs a {kind} ARN."),
                ));
            };
            if let Some(targets) = targets
                && !targets.contains(&target_of(arn))
            {
                return Err(unknown_target(arn, targets));
            }
            if d.events.is_empty() {
                return Err(ApiError::msg(
                    Code::MalformedXML,
                    format!("A {kind}Configuration needs at least one Event."),
                ));
            }
            if let Some(e) = d.events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
                return Err(invalid(
                    "The event is not supported for notifications",
                    "Event",
                    e,
                ));
            }
            filter(d.filter.as_ref())?;
            if let Some(id) = &d.id {
                if ids.contains(id) {
                    return Err(invalid(
                        "Configuration Id must be unique.",
                        "Id",
                        id.as_str(),
                    ));
                }
                ids.push(id.clone());
            }
        }
        check_overlaps(&self.subscriptions())?;
        for d in self.destinations_mut().filter(|d| d.id.is_none()) {
            d.id = Some(generated_id());
        }
        Ok(())
    }

    /// The destinations as subscriptions (of a validated configuration).
    pub fn subscriptions(&self) -> Vec<Subscription> {
        self.destinations()
            .filter_map(|(_, d)| {
                let arn = d
                    .queue
                    .as_ref()
                    .or(d.topic.as_ref())
                    .or(d.cloud_function.as_ref())?;
                let (prefix, suffix) = filter(d.filter.as_ref()).ok()?;
                Some(Subscription {
                    id: d.id.clone().unwrap_or_default(),
                    target: target_of(arn).to_string(),
                    events: d.events.clone(),
                    prefix,
                    suffix,
                })
            })
            .collect()
    }

    /// Whether it has no destination at all.
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty() && self.queues.is_empty() && self.functions.is_empty()
    }
}

/// Whether two event names (each possibly `family:*`) name a common event.
fn events_meet(a: &str, b: &str) -> bool {
    let covers = |wide: &str, other: &str| {
        wide.strip_suffix('*')
            .is_some_and(|family| other.starts_with(family))
    };
    a == b || covers(a, b) || covers(b, a)
}

/// S3 refuses two destinations that could both take one event: a common event type and key
/// filters that some key passes both of.
fn check_overlaps(subs: &[Subscription]) -> ApiResult<()> {
    for (i, a) in subs.iter().enumerate() {
        for b in &subs[..i] {
            let events = a
                .events
                .iter()
                .any(|x| b.events.iter().any(|y| events_meet(x, y)));
            let prefixes = a.prefix.starts_with(&b.prefix) || b.prefix.starts_with(&a.prefix);
            let suffixes = a.suffix.ends_with(&b.suffix) || b.suffix.ends_with(&a.suffix);
            if events && prefixes && suffixes {
                return Err(ApiError::msg(
                    Code::InvalidArgument,
                    "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                ));
            }
        }
    }
    Ok(())
}

/// An id for a destination sent without one (S3 makes one up too).
fn generated_id() -> String {
    format!("ossemu-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> NotificationConfiguration {
        ossemu_xml::from_xml(xml.as_bytes(), "NotificationConfiguration", 1 << 16).unwrap()
    }

    const DOC: &str = r#"<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <QueueConfiguration><Id>q1</Id><Queue>arn:aws:sqs:us-east-1:000000000000:orders</Queue>
    <Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:Delete</Event>
    <Filter><S3Key><FilterRule><Name>Prefix</Name><Value>in/</Value></FilterRule>
    <FilterRule><Name>suffix</Name><Value>.csv</Value></FilterRule></S3Key></Filter>
  </QueueConfiguration>
  <TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:audit</Topic>
    <Event>s3:ObjectRemoved:DeleteMarkerCreated</Event></TopicConfiguration>
</NotificationConfiguration>"#;

    #[test]
    fn parses_validates_and_matches() {
        let mut c = parse(DOC);
        c.validate(Some(&["orders", "audit"])).unwrap();
        let subs = c.subscriptions();
        assert_eq!(subs.len(), 2);
        let audit = &subs[0];
        assert_eq!(audit.target, "audit");
        assert!(audit.id.starts_with("ossemu-"));
        assert!(audit.wants("s3:ObjectRemoved:DeleteMarkerCreated", "any"));
        assert!(!audit.wants("s3:ObjectCreated:Put", "any"));
        let orders = &subs[1];
        assert_eq!(
            (orders.id.as_str(), orders.target.as_str()),
            ("q1", "orders")
        );
        assert!(orders.wants("s3:ObjectCreated:Mirror", "in/a.csv"));
        assert!(orders.wants("s3:ObjectRemoved:Delete", "in/a.csv"));
        assert!(!orders.wants("s3:ObjectRemoved:DeleteMarkerCreated", "in/a.csv"));
        assert!(!orders.wants("s3:ObjectCreated:Put", "out/a.csv"));
        assert!(!orders.wants("s3:ObjectCreated:Put", "in/a.txt"));
    }

    #[test]
    fn refuses_what_s3_refuses() {
        let err = parse(DOC).validate(Some(&["orders"])).unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument);
        assert_eq!(
            err.message.as_deref(),
            Some("Unable to validate the following destination configurations")
        );
        let bad_event = DOC.replace(
            "s3:ObjectRemoved:DeleteMarkerCreated",
            "s3:ObjectRemoved:Everything",
        );
        let err = parse(&bad_event)
            .validate(Some(&["orders", "audit"]))
            .unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument);
        let bad_rule = DOC.replace("<Name>suffix</Name>", "<Name>infix</Name>");
        let err = parse(&bad_rule)
            .validate(Some(&["orders", "audit"]))
            .unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument);
        let twice = DOC.replace("<Name>suffix</Name>", "<Name>prefix</Name>");
        assert!(parse(&twice).validate(Some(&["orders", "audit"])).is_err());
        let no_event = DOC.replace("<Event>s3:ObjectRemoved:DeleteMarkerCreated</Event>", "");
        let err = parse(&no_event)
            .validate(Some(&["orders", "audit"]))
            .unwrap_err();
        assert_eq!(err.code, Code::MalformedXML);
    }

    #[test]
    fn overlapping_destinations_are_refused() {
        let two = |a: &str, b: &str| {
            let mut c = parse(&format!(
                "<NotificationConfiguration>{a}{b}</NotificationConfiguration>"
            ));
            c.validate(Some(&["t"]))
        };
        let q = |events: &str, prefix: &str| {
            format!(
                "<QueueConfiguration><Queue>arn:x:t</Queue>{events}<Filter><S3Key><FilterRule><Name>prefix</Name><Value>{prefix}</Value></FilterRule></S3Key></Filter></QueueConfiguration>"
            )
        };
        let created = "<Event>s3:ObjectCreated:*</Event>";
        let put = "<Event>s3:ObjectCreated:Put</Event>";
        let removed = "<Event>s3:ObjectRemoved:*</Event>";
        assert!(two(&q(created, "a/"), &q(put, "a/b/")).is_err());
        assert!(two(&q(created, "a/"), &q(put, "b/")).is_ok());
        assert!(two(&q(created, "a/"), &q(removed, "a/")).is_ok());
        // Unless validation is skipped, the target must be declared.
        let c = parse(&format!(
            "<NotificationConfiguration>{}</NotificationConfiguration>",
            q(put, "")
        ));
        assert!(c.clone().validate(Some(&["other"])).is_err());
        assert!(c.clone().validate(None).is_ok());
    }

    #[test]
    fn empty_document_is_empty() {
        let mut c = parse("<NotificationConfiguration/>");
        c.validate(Some(&[])).unwrap();
        assert!(c.is_empty());
    }
}
