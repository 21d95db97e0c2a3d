//! May this person use this tool now? The rule alone: what it needs to know about a person,
//! the decision with what is missing, and the grants and denials a change causes. No
//! database and no HTTP here; the tests are tables of cases.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{certificate, user};
use crate::tools::Tool;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingKind {
    Course,
    Policy,
    CertificateExpired,
    Account,
}

impl MissingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MissingKind::Course => "course",
            MissingKind::Policy => "policy",
            MissingKind::CertificateExpired => "certificate_expired",
            MissingKind::Account => "account",
        }
    }
}

/// Something a person lacks for a tool: a course (by id), the policy (by version), or an
/// account. Where to fix it is the caller's business (links are made at the edge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub kind: MissingKind,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Until when access holds without anything new (the earliest end of a required certificate).
    pub valid_until: Option<DateTime<Utc>>,
    pub missing: Vec<Missing>,
}

/// What the access rule needs to know about a person, and what the training records
/// (reports) read: where they work and which courses they started.
#[derive(Debug, Clone, Default)]
pub struct Entitlements {
    pub user_id: Uuid,
    pub personnel_number: String,
    pub email: String,
    /// The key the API looks the email address up by.
    pub email_normalized: String,
    pub name: String,
    pub org_unit_id: Uuid,
    pub active: bool,
    /// Their number in the transparency log (`users.record_no`); 0 where it was not read.
    pub record_no: i64,
    pub certificates: Vec<CertificateFact>,
    /// Policy versions acknowledged.
    pub acknowledged: Names,
    /// Courses with an attempt or a completed module, on any version.
    pub started: Names,
}

/// A small set of short names (course ids, policy versions), sorted, each name shared with
/// everyone who holds it (see `Interner`): an index of 166,000 people holds a few pointers
/// per person here instead of a hash table and a copy of every name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names(Box<[Arc<str>]>);

impl Names {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|held| (**held).cmp(name))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    pub fn insert(&mut self, name: Arc<str>) {
        if let Err(at) = self.position(&name) {
            let mut names = std::mem::take(&mut self.0).into_vec();
            names.insert(at, name);
            self.0 = names.into_boxed_slice();
        }
    }
}

impl<S: Into<Arc<str>>> FromIterator<S> for Names {
    fn from_iter<I: IntoIterator<Item = S>>(names: I) -> Self {
        let mut names: Vec<Arc<str>> = names.into_iter().map(Into::into).collect();
        names.sort_unstable();
        names.dedup();
        Names(names.into_boxed_slice())
    }
}

/// Hands out one shared copy of each name it has seen, while a batch of people is read.
#[derive(Default)]
pub struct Interner(HashSet<Arc<str>>);

impl Interner {
    pub fn name(&mut self, name: &str) -> Arc<str> {
        if let Some(held) = self.0.get(name) {
            return held.clone();
        }
        let name: Arc<str> = name.into();
        self.0.insert(name.clone());
        name
    }
}

impl Entitlements {
    pub fn of(person: &user::Model) -> Entitlements {
        Entitlements {
            user_id: person.id,
            personnel_number: person.personnel_number.clone(),
            email: person.email.clone(),
            email_normalized: person.email_normalized.clone(),
            name: person.name.clone(),
            org_unit_id: person.org_unit_id,
            active: person.status == user::STATUS_ACTIVE,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct CertificateFact {
    /// Shared with every other certificate of the course (see `Interner`).
    pub course_id: Arc<str>,
    pub serial: String,
    pub course_version: Arc<str>,
    pub sequence: i32,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub revoked: bool,
}

impl CertificateFact {
    /// The facts of `c`, its names shared through `names`.
    pub fn interned(c: &certificate::Model, names: &mut Interner) -> Self {
        CertificateFact {
            course_id: names.name(&c.course_id),
            serial: c.serial.clone(),
            course_version: names.name(&c.course_version),
            sequence: c.sequence,
            issued_at: c.issued_at,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            revoked: c.revoked_at.is_some(),
        }
    }
}

/// The facts of one certificate on its own, sharing its names with nothing.
impl From<&certificate::Model> for CertificateFact {
    fn from(c: &certificate::Model) -> Self {
        CertificateFact::interned(c, &mut Interner::default())
    }
}

/// A person may use a tool when they are active, hold a valid certificate of every course
/// the tool requires, and (if it requires one) acknowledged the current usage policy.
/// Validity is judged at `now`, so a certificate stops counting at the second it ends.
pub fn decide(
    tool: &Tool,
    person: Option<&Entitlements>,
    policy_version: Option<&str>,
    now: DateTime<Utc>,
) -> Decision {
    let Some(person) = person.filter(|p| p.active) else {
        return Decision {
            allowed: false,
            valid_until: None,
            missing: vec![Missing {
                kind: MissingKind::Account,
                id: String::new(),
            }],
        };
    };
    let mut missing = Vec::new();
    let mut valid_until: Option<DateTime<Utc>> = None;
    for course in &tool.requires_courses {
        let held: Vec<&CertificateFact> = person
            .certificates
            .iter()
            .filter(|c| *c.course_id == **course && !c.revoked)
            .collect();
        match covered_until(&held, now) {
            Some(until) => valid_until = Some(valid_until.map_or(until, |v| v.min(until))),
            None => {
                let expired = held.iter().any(|c| c.valid_until <= now);
                missing.push(Missing {
                    kind: if expired {
                        MissingKind::CertificateExpired
                    } else {
                        MissingKind::Course
                    },
                    id: course.clone(),
                });
            }
        }
    }
    if tool.requires_policy {
        match policy_version {
            Some(version) if person.acknowledged.contains(version) => {}
            Some(version) => missing.push(Missing {
                kind: MissingKind::Policy,
                id: version.to_owned(),
            }),
            // A tool that requires a policy kiwi does not have stays closed.
            None => missing.push(Missing {
                kind: MissingKind::Policy,
                id: String::new(),
            }),
        }
    }
    let allowed = missing.is_empty();
    Decision {
        allowed,
        valid_until: if allowed { valid_until } else { None },
        missing,
    }
}

/// The end of the unbroken chain of certificates covering `now` (a renewal starts where the
/// previous one ends), or None if none covers it.
fn covered_until(held: &[&CertificateFact], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut end = held
        .iter()
        .filter(|c| c.valid_from <= now && now < c.valid_until)
        .map(|c| c.valid_until)
        .max()?;
    while let Some(next) = held
        .iter()
        .filter(|c| c.valid_from <= end && c.valid_until > end)
        .map(|c| c.valid_until)
        .max()
    {
        end = next;
    }
    Some(end)
}

/// The courses a person holds a valid, unrevoked certificate of now, each once, in id order.
pub fn valid_courses(person: &Entitlements, now: DateTime<Utc>) -> Vec<&str> {
    let mut courses: Vec<&str> = person
        .certificates
        .iter()
        .filter(|c| !c.revoked && c.valid_from <= now && now < c.valid_until)
        .map(|c| &*c.course_id)
        .collect();
    courses.sort_unstable();
    courses.dedup();
    courses
}

/// The tools and the policy version the rule decides with.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub tools: &'a [Tool],
    pub policy: Option<&'a str>,
}

/// A tool that a change opened (`allowed`) or closed for a person.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    pub tool: &'a Tool,
    pub allowed: bool,
}

/// The tools whose decision differs between `before` and `after` (None: no such person),
/// both judged at `now`.
pub fn transitions<'a>(
    rules: Rules<'a>,
    before: Option<&Entitlements>,
    after: Option<&Entitlements>,
    now: DateTime<Utc>,
) -> Vec<Transition<'a>> {
    rules
        .tools
        .iter()
        .filter_map(|tool| {
            let was = decide(tool, before, rules.policy, now).allowed;
            let is = decide(tool, after, rules.policy, now).allowed;
            (was != is).then_some(Transition { tool, allowed: is })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(day: u32, second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, day, 12, 0, 0).unwrap() + Duration::seconds(second.into())
    }

    fn tool(courses: &[&str], policy: bool) -> Tool {
        Tool {
            id: "bot".into(),
            name: "Bot".into(),
            description: Default::default(),
            url: String::new(),
            requires_courses: courses.iter().map(|c| c.to_string()).collect(),
            requires_policy: policy,
            ..Default::default()
        }
    }

    fn certificate(course: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> CertificateFact {
        CertificateFact {
            course_id: course.into(),
            serial: format!("KIWI-{course}-{}", from.timestamp()),
            course_version: "1".into(),
            sequence: 1,
            issued_at: from,
            valid_from: from,
            valid_until: until,
            revoked: false,
        }
    }

    fn person(certificates: Vec<CertificateFact>, acknowledged: &[&str]) -> Entitlements {
        Entitlements {
            active: true,
            certificates,
            acknowledged: acknowledged.iter().copied().collect(),
            ..Default::default()
        }
    }

    fn kinds(decision: &Decision) -> Vec<(MissingKind, &str)> {
        decision
            .missing
            .iter()
            .map(|m| (m.kind, m.id.as_str()))
            .collect()
    }

    /// Name, tool, person, current policy, instant; then allowed, missing, valid until.
    type Case = (
        &'static str,
        Tool,
        Option<Entitlements>,
        Option<&'static str>,
        DateTime<Utc>,
        bool,
        Vec<(MissingKind, &'static str)>,
        Option<DateTime<Utc>>,
    );

    #[test]
    fn valid_courses_are_those_with_a_live_unrevoked_certificate_each_once() {
        let now = at(10, 0);
        let mut revoked = certificate("c", at(1, 0), at(20, 0));
        revoked.revoked = true;
        let holder = person(
            vec![
                certificate("b", at(1, 0), at(20, 0)),
                certificate("a", at(1, 0), at(10, 0)),
                certificate("a", at(10, 0), at(20, 0)),
                certificate("b", at(2, 0), at(20, 0)),
                revoked,
                certificate("d", at(1, 0), at(10, 0)),
                certificate("e", at(11, 0), at(20, 0)),
            ],
            &[],
        );
        // "d" ended at this very second; "e" has not begun.
        assert_eq!(valid_courses(&holder, now), vec!["a", "b"]);
    }

    #[test]
    fn the_rule_decides_each_case_as_the_table_says() {
        let now = at(10, 0);
        let mut revoked = certificate("a", at(1, 0), at(20, 0));
        revoked.revoked = true;
        let mut left = person(vec![certificate("a", at(1, 0), at(20, 0))], &["p1"]);
        left.active = false;
        let cases: Vec<Case> = vec![
            (
                "a valid certificate and the policy",
                tool(&["a"], true),
                Some(person(vec![certificate("a", at(1, 0), at(20, 0))], &["p1"])),
                Some("p1"),
                now,
                true,
                vec![],
                Some(at(20, 0)),
            ),
            (
                "a renewal chain holds until the end of the last link",
                tool(&["a"], false),
                Some(person(
                    vec![
                        certificate("a", at(1, 0), at(15, 0)),
                        certificate("a", at(15, 0), at(25, 0)),
                        certificate("a", at(25, 0), at(28, 0)),
                    ],
                    &[],
                )),
                None,
                now,
                true,
                vec![],
                Some(at(28, 0)),
            ),
            (
                "a revoked certificate counts as none",
                tool(&["a"], false),
                Some(person(vec![revoked], &[])),
                None,
                now,
                false,
                vec![(MissingKind::Course, "a")],
                None,
            ),
            (
                "a certificate ends at the exact second",
                tool(&["a"], false),
                Some(person(vec![certificate("a", at(1, 0), at(10, 0))], &[])),
                None,
                at(10, 0),
                false,
                vec![(MissingKind::CertificateExpired, "a")],
                None,
            ),
            (
                "one second before its end it still holds",
                tool(&["a"], false),
                Some(person(vec![certificate("a", at(1, 0), at(10, 1))], &[])),
                None,
                at(10, 0),
                true,
                vec![],
                Some(at(10, 1)),
            ),
            (
                "the policy is required but an older version was acknowledged",
                tool(&[], true),
                Some(person(vec![], &["p1"])),
                Some("p2"),
                now,
                false,
                vec![(MissingKind::Policy, "p2")],
                None,
            ),
            (
                "a tool that requires a policy kiwi does not have stays closed",
                tool(&[], true),
                Some(person(vec![], &["p1"])),
                None,
                now,
                false,
                vec![(MissingKind::Policy, "")],
                None,
            ),
            (
                "a person who left has no account",
                tool(&["a"], true),
                Some(left),
                Some("p1"),
                now,
                false,
                vec![(MissingKind::Account, "")],
                None,
            ),
            (
                "an unknown person has no account",
                tool(&[], false),
                None,
                None,
                now,
                false,
                vec![(MissingKind::Account, "")],
                None,
            ),
            (
                "everything missing is listed, courses first",
                tool(&["a", "b"], true),
                Some(person(vec![], &[])),
                Some("p1"),
                now,
                false,
                vec![
                    (MissingKind::Course, "a"),
                    (MissingKind::Course, "b"),
                    (MissingKind::Policy, "p1"),
                ],
                None,
            ),
        ];
        for (name, tool, who, policy, now, allowed, missing, valid_until) in cases {
            let decision = decide(&tool, who.as_ref(), policy, now);
            assert_eq!(decision.allowed, allowed, "{name}");
            assert_eq!(kinds(&decision), missing, "{name}");
            assert_eq!(decision.valid_until, valid_until, "{name}");
        }
    }

    #[test]
    fn a_change_causes_the_transitions_of_the_tools_it_opens_or_closes() {
        let now = at(10, 0);
        let tools = [
            Tool {
                id: "needs-a".into(),
                ..tool(&["a"], true)
            },
            Tool {
                id: "policy-only".into(),
                ..tool(&[], true)
            },
        ];
        let rules = Rules {
            tools: &tools,
            policy: Some("p1"),
        };
        let certified = person(vec![certificate("a", at(1, 0), at(20, 0))], &[]);
        let acknowledged = person(vec![certificate("a", at(1, 0), at(20, 0))], &["p1"]);
        let mut revoked = acknowledged.clone();
        revoked.certificates[0].revoked = true;
        let mut left = acknowledged.clone();
        left.active = false;
        let of = |before: &Entitlements, after: &Entitlements| -> Vec<(String, bool)> {
            transitions(rules, Some(before), Some(after), now)
                .into_iter()
                .map(|t| (t.tool.id.clone(), t.allowed))
                .collect()
        };
        assert_eq!(
            of(&certified, &acknowledged),
            [
                ("needs-a".to_owned(), true),
                ("policy-only".to_owned(), true)
            ]
        );
        assert_eq!(of(&acknowledged, &revoked), [("needs-a".to_owned(), false)]);
        assert_eq!(
            of(&acknowledged, &left),
            [
                ("needs-a".to_owned(), false),
                ("policy-only".to_owned(), false)
            ]
        );
        assert!(of(&acknowledged, &acknowledged).is_empty());
        assert!(transitions(rules, None, Some(&certified), now).is_empty());
    }
}
