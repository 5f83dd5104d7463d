//! Lifecycle rules: a bucket's configuration compiled into a [`Plan`], the decision the plan
//! makes for one object version or upload at a given time, and the runner that applies
//! those decisions to the store ([`run`]).
//!
//! When an action falls due: a rule counted in days acts at the first midnight UTC at or
//! after the last modification plus that many days. S3 documents exactly that ("rounded up
//! to the next midnight UTC"); OSS runs its rules once a day at 08:00 UTC+8, which is
//! midnight UTC, on objects modified more than the rule's days before, so both clouds act
//! at the same moment. A date rule (`Date`) acts on every matching object from that date on;
//! `CreatedBeforeDate` (OSS) acts on objects last modified before the date. A non-current
//! version counts its days from the moment a newer version replaced it.

mod compile;
pub mod run;

pub use compile::{MAX_BODY, compile, plan};

use ossemu_store::ObjectRecord;

use crate::handlers::DAY_MS;

/// When an action falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// This many days after the reference time, rounded up to midnight UTC.
    Days(i64),
    /// From this time on (ms since the epoch), whatever the reference time.
    Date(i64),
    /// For reference times before this one.
    Before(i64),
}

impl When {
    /// Whether the action is due at `at` for something whose clock started at `since`.
    pub fn due(self, since: i64, at: i64) -> bool {
        match self {
            When::Days(d) => midnight_at_or_after(since.saturating_add(d * DAY_MS)) <= at,
            When::Date(t) => t <= at,
            When::Before(t) => since < t,
        }
    }

    /// The time the action falls due for a clock started at `since`, when it is fixed.
    pub fn due_at(self, since: i64) -> Option<i64> {
        match self {
            When::Days(d) => Some(midnight_at_or_after(since.saturating_add(d * DAY_MS))),
            When::Date(t) => Some(t),
            When::Before(_) => None,
        }
    }

    /// What orders two conditions of the same kind by how late they act: more days, a
    /// later date, or an earlier `Before` date (older objects).
    fn order_key(self) -> i64 {
        match self {
            When::Days(d) => d,
            When::Date(t) => t,
            When::Before(t) => -t,
        }
    }

    /// Whether two conditions are of the same kind (days, or dates).
    fn same_kind(self, other: When) -> bool {
        matches!(
            (self, other),
            (When::Days(_), When::Days(_))
                | (When::Date(_), When::Date(_))
                | (When::Before(_), When::Before(_))
        )
    }
}

/// The first midnight UTC at or after `ms`.
pub fn midnight_at_or_after(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS) * DAY_MS
        + if ms.rem_euclid(DAY_MS) == 0 {
            0
        } else {
            DAY_MS
        }
}

/// Objects smaller than this move by access time only with `AllowSmallFile`.
const SMALL_FILE: u64 = 64 * 1024;

/// A transition's target and how it counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Move {
    /// The class to move to.
    pub class: String,
    /// Count from the last access (OSS `IsAccessTime`), not the last modification.
    pub by_access: bool,
    /// A read moves the object back to Standard (`ReturnToStdWhenVisit`).
    pub back_on_visit: bool,
    /// Move objects under 64 KiB too (`AllowSmallFile`; only counts with `by_access`).
    pub small_files: bool,
}

impl Move {
    /// Whether it applies to `rec` at all (objects under 64 KiB stay put by access time
    /// unless allowed).
    fn takes(&self, rec: &ObjectRecord) -> bool {
        !self.by_access || self.small_files || rec.size >= SMALL_FILE
    }

    /// The time its days count from: the last access or the last modification.
    fn since(&self, modified: i64, accessed: i64) -> i64 {
        if self.by_access { accessed } else { modified }
    }
}

/// What a rule does to non-current versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noncurrent {
    /// Days after the version stopped being current.
    pub days: i64,
    /// How many newer non-current versions stay untouched (S3 `NewerNoncurrentVersions`).
    pub keep: usize,
}

/// One enabled rule, compiled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// Key prefix every object it applies to has.
    pub prefix: String,
    /// Tags every object it applies to has.
    pub tags: Vec<(String, String)>,
    /// Exclusions: a prefix, and a tag that must also match (OSS `Not`).
    pub not: Vec<(String, Option<(String, String)>)>,
    /// Only objects larger than this.
    pub size_gt: Option<u64>,
    /// Only objects smaller than this.
    pub size_lt: Option<u64>,
    /// Expiration of current versions.
    pub expire: Option<When>,
    /// Remove a delete marker that is its key's only version.
    pub expire_markers: bool,
    /// Transitions of current versions: when, and where to.
    pub transitions: Vec<(When, Move)>,
    /// Expiration of non-current versions.
    pub noncurrent_expire: Option<Noncurrent>,
    /// Transitions of non-current versions.
    pub noncurrent_transitions: Vec<(Noncurrent, Move)>,
    /// Abort of multipart uploads, counted from their initiation.
    pub abort: Option<When>,
}

impl Rule {
    /// Whether the rule covers an object `key` with `rec`'s size and tags.
    fn covers(&self, key: &str, rec: &ObjectRecord) -> bool {
        let tagged = |k: &str, v: &str| rec.attrs.tagging.iter().any(|t| t.0 == k && t.1 == v);
        key.starts_with(&self.prefix)
            && self.tags.iter().all(|(k, v)| tagged(k, v))
            && self.size_gt.is_none_or(|n| rec.size > n)
            && self.size_lt.is_none_or(|n| rec.size < n)
            && !self.not.iter().any(|(p, tag)| {
                key.starts_with(p.as_str()) && tag.as_ref().is_none_or(|(k, v)| tagged(k, v))
            })
    }

    /// Whether the rule covers a key whatever its object (prefix and exclusions by prefix
    /// only): delete markers and uploads, which have no tags or size.
    fn covers_key(&self, key: &str) -> bool {
        key.starts_with(&self.prefix)
            && !self
                .not
                .iter()
                .any(|(p, tag)| tag.is_none() && key.starts_with(p.as_str()))
    }
}

/// What the plan does to an object version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Delete it (a delete marker for the current version of a versioned bucket).
    Expire,
    /// Move it to this storage class.
    Transition(String),
}

/// A bucket's enabled rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The rules, in configuration order.
    pub rules: Vec<Rule>,
}

impl Plan {
    /// The action due at `at` for `key`'s current version `rec` whose class is `class` and
    /// last access `accessed`: expiration wins over transition; of the transitions due, the
    /// coldest class, and only to a colder class than the object's.
    pub fn current(
        &self,
        key: &str,
        rec: &ObjectRecord,
        class: &str,
        accessed: i64,
        at: i64,
    ) -> Option<Action> {
        let rules = || self.rules.iter().filter(|r| r.covers(key, rec));
        if rules().any(|r| r.expire.is_some_and(|w| w.due(rec.modified_ms, at))) {
            return Some(Action::Expire);
        }
        let due = rules()
            .flat_map(|r| r.transitions.iter())
            .filter(|(w, m)| m.takes(rec) && w.due(m.since(rec.modified_ms, accessed), at));
        coldest(due.map(|(_, m)| m.class.as_str()), class)
    }

    /// The action due at `at` for a non-current version `rec` of `key`, replaced at
    /// `since` and last read at `accessed`, with `newer` non-current versions newer than it.
    #[allow(clippy::too_many_arguments)]
    pub fn noncurrent(
        &self,
        key: &str,
        rec: &ObjectRecord,
        class: &str,
        since: i64,
        accessed: i64,
        newer: usize,
        at: i64,
    ) -> Option<Action> {
        let due = |n: &Noncurrent, from: i64| newer >= n.keep && When::Days(n.days).due(from, at);
        let rules = || self.rules.iter().filter(|r| r.covers(key, rec));
        let expires = |r: &Rule| r.noncurrent_expire.is_some_and(|n| due(&n, since));
        if rules().any(expires) {
            return Some(Action::Expire);
        }
        let moves = rules().flat_map(|r| r.noncurrent_transitions.iter());
        let moves = moves.filter(|(n, m)| m.takes(rec) && due(n, m.since(since, accessed)));
        coldest(moves.map(|(_, m)| m.class.as_str()), class)
    }

    /// Whether a read of `key`'s version `rec`, now of class `class`, moves it back to
    /// Standard: a rule covering it moved it there by access time with
    /// `ReturnToStdWhenVisit`.
    pub fn returns_on_visit(&self, key: &str, rec: &ObjectRecord, class: &str) -> bool {
        rank(class) > 0
            && self.rules.iter().filter(|r| r.covers(key, rec)).any(|r| {
                let current = r.transitions.iter().map(|(_, m)| m);
                let mut moves = current.chain(r.noncurrent_transitions.iter().map(|(_, m)| m));
                moves.any(|m| m.by_access && m.back_on_visit && rank(&m.class) == rank(class))
            })
    }

    /// Whether any rule counts from last access times.
    pub fn uses_access_time(&self) -> bool {
        self.rules.iter().any(|r| {
            r.transitions.iter().any(|(_, m)| m.by_access)
                || r.noncurrent_transitions.iter().any(|(_, m)| m.by_access)
        })
    }

    /// Whether a delete marker that is `key`'s only version goes.
    pub fn marker_expires(&self, key: &str) -> bool {
        self.rules.iter().any(|r| {
            r.covers_key(key)
                && r.tags.is_empty()
                && (r.expire_markers || matches!(r.expire, Some(When::Days(_))))
        })
    }

    /// Whether an upload of `key` initiated at `initiated` is aborted at `at`.
    pub fn aborts(&self, key: &str, initiated: i64, at: i64) -> bool {
        self.rules.iter().any(|r| {
            r.covers_key(key) && r.abort.is_some_and(|w| w.due(initiated, at)) && r.tags.is_empty()
        })
    }

    /// The expiration that applies to `key`'s current version `rec`: when, and by which
    /// rule (S3's `x-amz-expiration`); the earliest of the rules with a fixed time.
    pub fn expiry(&self, key: &str, rec: &ObjectRecord) -> Option<(i64, &str)> {
        self.rules
            .iter()
            .filter(|r| r.covers(key, rec))
            .filter_map(|r| Some((r.expire?.due_at(rec.modified_ms)?, r.id.as_str())))
            .min_by_key(|(t, _)| *t)
    }
}

/// The coldest of `classes` if it is colder than `current`.
fn coldest<'a>(classes: impl Iterator<Item = &'a str>, current: &str) -> Option<Action> {
    classes
        .max_by_key(|c| rank(c))
        .filter(|c| rank(c) > rank(current))
        .map(|c| Action::Transition(c.to_string()))
}

/// How cold a storage class is, in either dialect's names: 0 Standard, 1 infrequent access,
/// 2 archive, 3 cold archive, 4 deep cold archive.
pub fn rank(class: &str) -> u8 {
    match class {
        "IA" | "STANDARD_IA" | "ONEZONE_IA" | "INTELLIGENT_TIERING" | "GLACIER_IR" => 1,
        "Archive" | "GLACIER" => 2,
        "ColdArchive" | "DEEP_ARCHIVE" => 3,
        "DeepColdArchive" => 4,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    fn to(class: &str) -> Move {
        Move {
            class: class.into(),
            ..Move::default()
        }
    }

    fn object(size: u64, modified_ms: i64, tags: &[(&str, &str)]) -> ObjectRecord {
        let mut rec = ObjectRecord::new(Default::default(), "o", modified_ms);
        rec.size = size;
        rec.attrs.tagging = tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        rec
    }

    #[test]
    fn days_round_up_to_midnight_utc() {
        let noon = T0 + DAY_MS / 2;
        assert_eq!(When::Days(1).due_at(noon), Some(T0 + 2 * DAY_MS));
        assert_eq!(When::Days(1).due_at(T0), Some(T0 + DAY_MS));
        assert!(!When::Days(1).due(noon, T0 + 2 * DAY_MS - 1));
        assert!(When::Days(1).due(noon, T0 + 2 * DAY_MS));
        assert!(When::Before(T0).due(T0 - 1, 0));
        assert!(!When::Before(T0).due(T0, i64::MAX));
        assert!(When::Date(T0).due(0, T0) && !When::Date(T0).due(0, T0 - 1));
    }

    #[test]
    fn expiration_wins_and_the_coldest_due_class_is_chosen() {
        let rule = Rule {
            prefix: "logs/".into(),
            expire: Some(When::Days(30)),
            transitions: vec![(When::Days(10), to("IA")), (When::Days(20), to("Archive"))],
            ..Rule::default()
        };
        let plan = Plan { rules: vec![rule] };
        let rec = object(1, T0, &[]);
        let at = |d: i64| T0 + d * DAY_MS;
        assert_eq!(plan.current("logs/a", &rec, "Standard", 0, at(9)), None);
        assert_eq!(
            plan.current("logs/a", &rec, "Standard", 0, at(10)),
            Some(Action::Transition("IA".into()))
        );
        assert_eq!(
            plan.current("logs/a", &rec, "Standard", 0, at(25)),
            Some(Action::Transition("Archive".into()))
        );
        assert_eq!(plan.current("logs/a", &rec, "Archive", 0, at(25)), None);
        assert_eq!(
            plan.current("logs/a", &rec, "IA", 0, at(30)),
            Some(Action::Expire)
        );
        assert_eq!(plan.current("data/a", &rec, "Standard", 0, at(30)), None);
    }

    #[test]
    fn filters_by_tags_sizes_and_exclusions() {
        let rule = Rule {
            tags: vec![("k".into(), "v".into())],
            size_gt: Some(10),
            size_lt: Some(100),
            not: vec![("skip/".into(), None)],
            expire: Some(When::Days(1)),
            ..Rule::default()
        };
        let plan = Plan { rules: vec![rule] };
        let at = T0 + 2 * DAY_MS;
        let hit = object(50, T0, &[("k", "v")]);
        assert_eq!(
            plan.current("a", &hit, "Standard", 0, at),
            Some(Action::Expire)
        );
        assert_eq!(plan.current("skip/a", &hit, "Standard", 0, at), None);
        assert_eq!(
            plan.current("a", &object(50, T0, &[]), "Standard", 0, at),
            None
        );
        assert_eq!(
            plan.current("a", &object(10, T0, &[("k", "v")]), "Standard", 0, at),
            None
        );
        assert_eq!(
            plan.current("a", &object(100, T0, &[("k", "v")]), "Standard", 0, at),
            None
        );
    }

    #[test]
    fn noncurrent_versions_count_from_their_replacement_and_keep_the_newest() {
        let rule = Rule {
            noncurrent_expire: Some(Noncurrent { days: 1, keep: 1 }),
            ..Rule::default()
        };
        let plan = Plan { rules: vec![rule] };
        let rec = object(1, T0 - 10 * DAY_MS, &[]);
        let at = T0 + DAY_MS;
        assert_eq!(plan.noncurrent("k", &rec, "Standard", T0, 0, 0, at), None);
        assert_eq!(
            plan.noncurrent("k", &rec, "Standard", T0, 0, 1, at),
            Some(Action::Expire)
        );
        assert_eq!(
            plan.noncurrent("k", &rec, "Standard", T0 + 1, 0, 1, at),
            None
        );
    }

    #[test]
    fn access_time_moves_count_from_the_last_read_and_skip_small_objects() {
        let by_access = |small_files| Move {
            class: "IA".into(),
            by_access: true,
            back_on_visit: true,
            small_files,
        };
        let plan = |small_files| Plan {
            rules: vec![Rule {
                transitions: vec![(When::Days(30), by_access(small_files))],
                ..Rule::default()
            }],
        };
        let big = object(SMALL_FILE, T0, &[]);
        let at = T0 + 31 * DAY_MS;
        let ia = Some(Action::Transition("IA".into()));
        assert_eq!(plan(false).current("k", &big, "Standard", T0, at), ia);
        let read_later = T0 + 2 * DAY_MS;
        assert_eq!(
            plan(false).current("k", &big, "Standard", read_later, at),
            None
        );
        let small = object(SMALL_FILE - 1, T0, &[]);
        assert_eq!(plan(false).current("k", &small, "Standard", T0, at), None);
        assert_eq!(plan(true).current("k", &small, "Standard", T0, at), ia);
        assert!(plan(false).returns_on_visit("k", &big, "IA"));
        assert!(!plan(false).returns_on_visit("k", &big, "Standard"));
        assert!(plan(false).uses_access_time());
    }
}
