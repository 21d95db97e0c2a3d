//! Training records: where a person stands with a course, and the team report built from them.
//!
//! Privacy rule: reports and exports for managers and HR show completion, versions, dates and
//! certificates, never quiz scores, answers, attempt counts or time spent. They are all built
//! from `db::records::RecordRow`, which does not carry any of those.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::db::assignments::OpenAssignment;
use crate::db::records::RecordRow;
use crate::domain::LocalTime;
use crate::entities::org_unit;

/// A certificate that ends within this many days is "expiring": its holder should renew.
pub const EXPIRING_WITHIN_DAYS: i64 = 60;

/// Where a person stands with a course. Exactly one applies, in this order of precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A valid certificate that ends more than 60 days from now.
    Valid,
    /// A valid certificate that ends within 60 days.
    Expiring,
    /// No valid certificate and an assignment's due date has passed.
    Overdue,
    /// The certificate has ended and nothing is overdue.
    Expired,
    /// Started (a module done or a quiz attempt) but no certificate yet.
    InProgress,
    NotStarted,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Valid,
        Status::Expiring,
        Status::Overdue,
        Status::Expired,
        Status::InProgress,
        Status::NotStarted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Expiring => "expiring",
            Status::Overdue => "overdue",
            Status::Expired => "expired",
            Status::InProgress => "in_progress",
            Status::NotStarted => "not_started",
        }
    }

    pub fn parse(input: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// Holds a valid certificate.
    pub fn is_done(self) -> bool {
        matches!(self, Status::Valid | Status::Expiring)
    }
}

/// A status filter as people choose it: one status, or "done" for both valid ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    Done,
    Is(Status),
}

impl StatusFilter {
    pub fn parse(input: &str) -> Option<StatusFilter> {
        match input {
            "done" => Some(StatusFilter::Done),
            other => Status::parse(other).map(StatusFilter::Is),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Done => "done",
            StatusFilter::Is(status) => status.as_str(),
        }
    }

    pub fn matches(self, status: Status) -> bool {
        match self {
            StatusFilter::Done => status.is_done(),
            StatusFilter::Is(wanted) => wanted == status,
        }
    }
}

/// Earliest open due dates: a person's own assignments and those of their unit or any unit
/// above it (so people who join a unit later get its assignments too).
pub struct Dues {
    /// Where due dates are days: a due date is met until that day ends here.
    local: LocalTime,
    /// Course id → person → due date.
    by_person: HashMap<String, HashMap<Uuid, NaiveDate>>,
    /// Course id → unit → due date.
    by_unit: HashMap<String, HashMap<Uuid, NaiveDate>>,
}

impl Dues {
    /// `units`: every unit whose people are looked at.
    pub fn new(
        assignments: &[OpenAssignment],
        units: &[org_unit::Model],
        local: LocalTime,
    ) -> Dues {
        let mut by_person: HashMap<String, HashMap<Uuid, NaiveDate>> = HashMap::new();
        let mut by_unit: HashMap<String, HashMap<Uuid, NaiveDate>> = HashMap::new();
        let earliest = |map: &mut HashMap<Uuid, NaiveDate>, key: Uuid, due: NaiveDate| {
            map.entry(key)
                .and_modify(|d| *d = (*d).min(due))
                .or_insert(due);
        };
        for a in assignments {
            if let Some(user) = a.user_id {
                let course = by_person.entry(a.course_id.clone()).or_default();
                earliest(course, user, a.due_on);
            }
            if let Some(lineage) = &a.unit_lineage {
                let course = by_unit.entry(a.course_id.clone()).or_default();
                for unit in units
                    .iter()
                    .filter(|u| u.lineage.starts_with(lineage.as_str()))
                {
                    earliest(course, unit.id, a.due_on);
                }
            }
        }
        Dues {
            local,
            by_person,
            by_unit,
        }
    }

    /// The local day of `now`, against which due dates are met or missed.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        self.local.day(now)
    }

    pub fn of(&self, row: &RecordRow) -> Option<NaiveDate> {
        self.for_person(row.user_id, row.org_unit_id, &row.course_id)
    }

    /// The earliest due date of `course` for a person in `unit`.
    pub fn for_person(&self, person: Uuid, unit: Uuid, course: &str) -> Option<NaiveDate> {
        let person = self
            .by_person
            .get(course)
            .and_then(|people| people.get(&person));
        let unit = self.by_unit.get(course).and_then(|units| units.get(&unit));
        match (person, unit) {
            (Some(a), Some(b)) => Some(*a.min(b)),
            (a, b) => a.or(b).copied(),
        }
    }
}

/// The status of one record at `now`, when it is `today` where people live. A due date is
/// met until the end of that day.
pub fn status(
    row: &RecordRow,
    due_on: Option<NaiveDate>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Status {
    match row.valid_until {
        Some(until) if until > now => {
            if until <= now + Duration::days(EXPIRING_WITHIN_DAYS) {
                Status::Expiring
            } else {
                Status::Valid
            }
        }
        ended => {
            if due_on.is_some_and(|due| due < today) {
                Status::Overdue
            } else if ended.is_some() {
                Status::Expired
            } else if row.started {
                Status::InProgress
            } else {
                Status::NotStarted
            }
        }
    }
}

/// How many people of a group stand where, for one course.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    pub valid: usize,
    pub expiring: usize,
    pub overdue: usize,
    pub expired: usize,
    pub in_progress: usize,
    pub not_started: usize,
    pub total: usize,
    /// Valid and expiring together.
    pub done: usize,
    /// Share done, 0 to 100, rounded down (so "100" means everyone).
    pub done_percent: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Valid => self.valid += 1,
            Status::Expiring => self.expiring += 1,
            Status::Overdue => self.overdue += 1,
            Status::Expired => self.expired += 1,
            Status::InProgress => self.in_progress += 1,
            Status::NotStarted => self.not_started += 1,
        }
        self.total += 1;
        self.done = self.valid + self.expiring;
        self.done_percent = self.done * 100 / self.total;
    }

    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Valid => self.valid,
            Status::Expiring => self.expiring,
            Status::Overdue => self.overdue,
            Status::Expired => self.expired,
            Status::InProgress => self.in_progress,
            Status::NotStarted => self.not_started,
        }
    }
}

/// What a report shows, for the courses chosen.
#[derive(Debug, Default)]
pub struct Report {
    /// Per course id, in catalog order.
    pub courses: Vec<(String, Counts)>,
    /// The units directly below the viewed one (the roots for the whole administration).
    pub units: Vec<UnitSummary>,
    /// People matching the filter, ordered by name (one page of them after `keep_page`).
    pub people: Vec<PersonRecord>,
    /// How many people match the filter, on every page together.
    pub people_matching: usize,
    /// People in scope before the status filter.
    pub people_in_scope: usize,
    /// The page `people` holds, from 1.
    pub page: usize,
    /// How many pages the matching people fill (at least 1).
    pub pages: usize,
}

impl Report {
    /// Keeps only the people of page `requested` (from 1; beyond the last page, the last),
    /// `per_page` each: a page shows a hundred people of an administration of thousands.
    pub fn keep_page(mut self, requested: usize, per_page: usize) -> Report {
        let per_page = per_page.max(1);
        self.pages = self.people_matching.div_ceil(per_page).max(1);
        self.page = requested.clamp(1, self.pages);
        self.people = self
            .people
            .into_iter()
            .skip((self.page - 1) * per_page)
            .take(per_page)
            .collect();
        self
    }
}

#[derive(Debug)]
pub struct UnitSummary {
    pub unit: org_unit::Model,
    pub people: usize,
    /// Per course id, in catalog order.
    pub courses: Vec<(String, Counts)>,
}

#[derive(Debug)]
pub struct PersonRecord {
    pub user_id: Uuid,
    pub personnel_number: String,
    pub name: String,
    pub email: String,
    pub org_unit_path: String,
    pub courses: Vec<CourseRecord>,
}

#[derive(Debug)]
pub struct CourseRecord {
    pub course_id: String,
    pub status: Status,
    pub valid_until: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
}

/// Aggregates the records of a scope. `viewed` is the unit looked at (`None`: everything)
/// and `units` every unit of the scope, to name units and find the ones one level below.
pub fn report(
    rows: Vec<RecordRow>,
    courses: &[String],
    viewed: Option<&org_unit::Model>,
    units: &[org_unit::Model],
    dues: &Dues,
    filter: Option<StatusFilter>,
    now: DateTime<Utc>,
) -> Report {
    let position: HashMap<&str, usize> = courses
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let by_id: HashMap<Uuid, &org_unit::Model> = units.iter().map(|u| (u.id, u)).collect();
    let children: Vec<&org_unit::Model> = units
        .iter()
        .filter(|unit| unit.parent_id == viewed.map(|v| v.id))
        .collect();
    let child_index: HashMap<Uuid, usize> = children
        .iter()
        .enumerate()
        .map(|(i, unit)| (unit.id, i))
        .collect();
    let viewed_lineage = viewed.map(|v| v.lineage.as_str()).unwrap_or("/");
    // The unit one level below the viewed one that each unit lies in, found once per unit.
    let mut child_of_unit: HashMap<Uuid, Option<usize>> = HashMap::new();
    let blank = || vec![Counts::default(); courses.len()];
    let mut totals = blank();
    let mut per_child: Vec<(usize, Vec<Counts>)> = children.iter().map(|_| (0, blank())).collect();
    let mut people: Vec<PersonRecord> = Vec::new();
    let mut person_index: HashMap<Uuid, usize> = HashMap::new();

    for row in rows {
        let Some(&course) = position.get(row.course_id.as_str()) else {
            continue;
        };
        let due_on = dues.of(&row);
        let status = status(&row, due_on, now, dues.today(now));
        totals[course].add(status);
        let unit = by_id.get(&row.org_unit_id);
        let child = *child_of_unit.entry(row.org_unit_id).or_insert_with(|| {
            unit.and_then(|u| child_of(viewed_lineage, &u.lineage))
                .and_then(|id| child_index.get(&id).copied())
        });
        let index = *person_index.entry(row.user_id).or_insert_with(|| {
            people.push(PersonRecord {
                user_id: row.user_id,
                personnel_number: row.personnel_number.clone(),
                name: row.name.clone(),
                email: row.email.clone(),
                org_unit_path: unit.map(|u| u.path.clone()).unwrap_or_default(),
                courses: Vec::with_capacity(courses.len()),
            });
            if let Some(child) = child {
                per_child[child].0 += 1;
            }
            people.len() - 1
        });
        if let Some(child) = child {
            per_child[child].1[course].add(status);
        }
        people[index].courses.push(CourseRecord {
            course_id: row.course_id,
            status,
            valid_until: row.valid_until.map(|at| dues.local.day(at)),
            due_on,
        });
    }
    for person in &mut people {
        person
            .courses
            .sort_by_key(|c| position.get(c.course_id.as_str()).copied());
    }

    let people_in_scope = people.len();
    if let Some(filter) = filter {
        people.retain(|p| p.courses.iter().any(|c| filter.matches(c.status)));
    }
    people.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.personnel_number.cmp(&b.personnel_number))
    });
    let with_ids = |counts: Vec<Counts>| courses.iter().cloned().zip(counts).collect();
    Report {
        courses: with_ids(totals),
        units: children
            .into_iter()
            .zip(per_child)
            .map(|(unit, (people, counts))| UnitSummary {
                unit: unit.clone(),
                people,
                courses: with_ids(counts),
            })
            .collect(),
        people_matching: people.len(),
        people,
        people_in_scope,
        page: 1,
        pages: 1,
    }
}

/// What the evidence report (AI Act Art. 4) states about a scope.
#[derive(Debug, Default)]
pub struct Evidence {
    pub people: usize,
    /// Per course id, in catalog order.
    pub courses: Vec<(String, Counts)>,
    /// Every unit of the scope with people directly in it, ordered by path.
    pub units: Vec<(org_unit::Model, usize, Vec<Counts>)>,
    /// Valid certificates per course and course version.
    pub versions: Vec<(String, String, usize)>,
}

/// Aggregates the records of a scope for the evidence report.
pub fn evidence(
    rows: &[RecordRow],
    courses: &[String],
    units: &[org_unit::Model],
    dues: &Dues,
    now: DateTime<Utc>,
) -> Evidence {
    let position: HashMap<&str, usize> = courses
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut totals = vec![Counts::default(); courses.len()];
    let mut per_unit: HashMap<Uuid, (usize, Vec<Counts>)> = HashMap::new();
    let mut versions: HashMap<(String, String), usize> = HashMap::new();
    let mut seen: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    for row in rows {
        let Some(&course) = position.get(row.course_id.as_str()) else {
            continue;
        };
        let status = status(row, dues.of(row), now, dues.today(now));
        totals[course].add(status);
        let unit = per_unit
            .entry(row.org_unit_id)
            .or_insert_with(|| (0, vec![Counts::default(); courses.len()]));
        if seen.insert(row.user_id) {
            unit.0 += 1;
        }
        unit.1[course].add(status);
        if status.is_done()
            && let Some(version) = &row.certificate_version
        {
            *versions
                .entry((row.course_id.clone(), version.clone()))
                .or_default() += 1;
        }
    }
    let mut versions: Vec<(String, String, usize)> = versions
        .into_iter()
        .map(|((course, version), n)| (course, version, n))
        .collect();
    versions.sort_by(|a, b| {
        position
            .get(a.0.as_str())
            .cmp(&position.get(b.0.as_str()))
            .then_with(|| b.1.cmp(&a.1))
    });
    Evidence {
        people: seen.len(),
        courses: courses.iter().cloned().zip(totals).collect(),
        units: units
            .iter()
            .filter_map(|unit| {
                per_unit
                    .remove(&unit.id)
                    .map(|(people, counts)| (unit.clone(), people, counts))
            })
            .collect(),
        versions,
    }
}

/// The id of the unit one level below `viewed` on the way to `lineage`, if any.
fn child_of(viewed: &str, lineage: &str) -> Option<Uuid> {
    let rest = lineage.strip_prefix(viewed)?;
    let next = rest.split('/').next().filter(|s| !s.is_empty())?;
    Uuid::parse_str(next).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn status_of(
        valid_until: Option<DateTime<Utc>>,
        due_on: Option<NaiveDate>,
        started: bool,
        now: DateTime<Utc>,
    ) -> Status {
        status(&row(valid_until, started), due_on, now, now.date_naive())
    }

    fn row(valid_until: Option<DateTime<Utc>>, started: bool) -> RecordRow {
        RecordRow {
            user_id: Uuid::nil(),
            personnel_number: "1".into(),
            name: "Anna".into(),
            email: "anna@example.org".into(),
            org_unit_id: Uuid::nil(),
            course_id: "prompting".into(),
            certificate_serial: valid_until.map(|_| "KIWI-2026-000001".into()),
            certificate_version: None,
            issued_at: None,
            valid_until,
            started,
        }
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap()
    }

    #[test]
    fn a_due_date_is_met_until_the_end_of_its_day() {
        let now = at(2026, 11, 26, 23);
        let due = |d| Some(NaiveDate::from_ymd_opt(2026, 11, d).unwrap());
        assert_eq!(status_of(None, due(26), false, now), Status::NotStarted);
        assert_eq!(status_of(None, due(25), false, now), Status::Overdue);
        assert_eq!(status_of(None, due(25), true, now), Status::Overdue);
        assert_eq!(status_of(None, due(27), true, now), Status::InProgress);
    }

    #[test]
    fn a_due_date_ends_at_local_midnight_in_winter_and_in_summer() {
        let berlin = LocalTime::new(chrono_tz::Europe::Berlin);
        let in_berlin = |now: DateTime<Utc>, due: NaiveDate| {
            status(&row(None, false), Some(due), now, berlin.day(now))
        };
        let winter = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        // 23:59 in Berlin is 22:59 UTC; one minute later the day is over there.
        let last_minute = Utc.with_ymd_and_hms(2026, 12, 2, 22, 59, 0).unwrap();
        let next_day = Utc.with_ymd_and_hms(2026, 12, 2, 23, 0, 0).unwrap();
        assert_eq!(in_berlin(last_minute, winter), Status::NotStarted);
        assert_eq!(in_berlin(next_day, winter), Status::Overdue);
        // In summer time Berlin is two hours ahead.
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let summer_last = Utc.with_ymd_and_hms(2026, 7, 1, 21, 59, 0).unwrap();
        let summer_next = Utc.with_ymd_and_hms(2026, 7, 1, 22, 0, 0).unwrap();
        assert_eq!(in_berlin(summer_last, summer), Status::NotStarted);
        assert_eq!(in_berlin(summer_next, summer), Status::Overdue);
        // The night the clocks go back (25 October 2026) has 25 hours: 23:30 local is 22:30 UTC.
        let long_night = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        let late = Utc.with_ymd_and_hms(2026, 10, 25, 22, 30, 0).unwrap();
        let over = Utc.with_ymd_and_hms(2026, 10, 25, 23, 0, 0).unwrap();
        assert_eq!(in_berlin(late, long_night), Status::NotStarted);
        assert_eq!(in_berlin(over, long_night), Status::Overdue);
    }

    #[test]
    fn expiring_means_ending_within_sixty_days() {
        let now = at(2026, 1, 1, 12);
        let days = |d| Some(now + Duration::days(d));
        assert_eq!(status_of(days(61), None, true, now), Status::Valid);
        assert_eq!(status_of(days(60), None, true, now), Status::Expiring);
        assert_eq!(status_of(days(1), None, true, now), Status::Expiring);
        assert_eq!(status_of(Some(now), None, true, now), Status::Expired);
        assert_eq!(status_of(days(-1), None, true, now), Status::Expired);
    }

    #[test]
    fn a_valid_certificate_outranks_a_passed_due_date() {
        let now = at(2026, 6, 1, 8);
        let past = Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(
            status_of(Some(now + Duration::days(365)), past, true, now),
            Status::Valid
        );
        assert_eq!(
            status_of(Some(now - Duration::days(1)), past, true, now),
            Status::Overdue
        );
    }

    #[test]
    fn the_unit_below_the_viewed_one_is_found_on_the_lineage() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let lineage = format!("/{a}/{b}/");
        assert_eq!(child_of("/", &lineage), Some(a));
        assert_eq!(child_of(&format!("/{a}/"), &lineage), Some(b));
        assert_eq!(child_of(&lineage, &lineage), None);
        assert_eq!(child_of(&format!("/{b}/"), &lineage), None);
    }
}
