//! The council report ("Sachstandsbericht KI-Kompetenz"): how the administration enables its
//! staff to use AI, in figures only, to be handed to a council committee or published.
//!
//! Small groups: no published figure describes fewer than `min_group_size` people. Units
//! below the minimum are merged into "other units"; while that merged group is itself below
//! it, the smallest shown unit beside it joins it, so that a small group can never be worked
//! out by subtracting the shown groups from their total. Fachbereiche (the second level) are
//! merged within their Dezernat (or within the merged Dezernate) for the same reason, and the
//! people directly in a Dezernat form a group of their own there. So the groups of every
//! level exactly partition the groups of the level above, and every difference of published
//! figures is a sum of published groups. Only a whole administration below the minimum is
//! shown as "fewer than …".

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::courses::Catalog;
use crate::db;
use crate::db::records::RecordRow;
use crate::domain::{Language, LocalTime};
use crate::entities::org_unit;
use crate::i18n::{TranslationError, Translations};
use crate::policy::Policy;
use crate::services::access::AccessCache;
use crate::services::exports;
use crate::services::records::{self, Dues, Status};
use crate::services::reports::{self, Visible};

/// How many people a figure describes and, per subject (a course, or the policy), how many
/// of them count (hold a valid certificate, are overdue, acknowledged).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub people: usize,
    pub counts: Vec<usize>,
}

impl Tally {
    fn new(subjects: usize) -> Tally {
        Tally {
            people: 0,
            counts: vec![0; subjects],
        }
    }

    fn add(&mut self, other: &Tally) {
        self.people += other.people;
        for (sum, count) in self.counts.iter_mut().zip(&other.counts) {
            *sum += count;
        }
    }
}

/// A figure as it may be published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Nobody to count (no staff recorded at that time).
    Empty,
    /// Fewer people than the minimum group size: no number is published.
    Suppressed,
    Shown(Tally),
}

impl Figure {
    fn of(tally: Tally, min: usize) -> Figure {
        match tally.people {
            0 => Figure::Empty,
            n if n < min => Figure::Suppressed,
            _ => Figure::Shown(tally),
        }
    }
}

/// A share in whole percent, rounded down (so 100 means everyone), as the team report counts.
pub fn percent(count: usize, people: usize) -> usize {
    (count * 100).checked_div(people).unwrap_or(0)
}

/// What a group row is named by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    /// A unit, by its name.
    Unit(String),
    /// The people directly in this unit of the first level, in no unit below it.
    Direct(String),
    /// Units merged because they, or what was left beside them, are small.
    Other,
}

/// One group of a level: a Dezernat, a Fachbereich, or merged units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// For the second level: the group of the first level it lies in.
    pub parent: Option<Label>,
    pub label: Label,
    pub figure: Figure,
}

/// A calendar quarter, in local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub number: u32,
    /// The quarter so far (its figure is as of now).
    pub current: bool,
    /// The day the figure is of: the quarter's last day, or today.
    pub day: NaiveDate,
}

/// The current usage policy and how many of the staff acknowledged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFigure {
    pub version: String,
    pub effective: String,
    /// One count: the people who acknowledged this version.
    pub acknowledged: Figure,
}

/// Everything the council report states in figures.
#[derive(Clone, Debug)]
pub struct CouncilReport {
    pub as_of: DateTime<Utc>,
    /// The local day of `as_of`.
    pub day: NaiveDate,
    pub min_group_size: usize,
    /// Course ids in catalog order: the subjects of the course figures' counts.
    pub courses: Vec<String>,
    /// Active staff with a valid certificate, per course.
    pub administration: Figure,
    /// The first level of the unit tree (Dezernate).
    pub first_level: Vec<Row>,
    /// The second level (Fachbereiche), within the groups of the first.
    pub second_level: Vec<Row>,
    /// The last four quarters at their end, oldest first, then the current one so far.
    pub trend: Vec<(Quarter, Figure)>,
    /// People whose assigned due date has passed without a valid certificate, per course.
    pub overdue: Figure,
    pub policy: Option<PolicyFigure>,
}

/// What the report is made of besides the database.
pub struct Sources<'a> {
    pub catalog: &'a Catalog,
    pub policy: Option<&'a Policy>,
    pub local: LocalTime,
    pub min_group_size: usize,
    pub now: DateTime<Utc>,
}

/// The council report as of `sources.now`: the current figures from the same records and
/// statuses as the team report, the past quarters from the certificates' dates.
pub async fn build(
    db: &impl ConnectionTrait,
    access: &Arc<AccessCache>,
    sources: &Sources<'_>,
) -> Result<CouncilReport, DbErr> {
    let min = sources.min_group_size.max(1);
    let now = sources.now;
    // The whole administration, as HR sees it.
    let visible = Visible {
        top: None,
        units: db::org_units::all(db).await?,
    };
    let units = &visible.units;
    let query = reports::query(sources.catalog, &visible, None, None);
    let dues = reports::dues(db, units, sources.local).await?;
    let courses = query.courses.clone();
    let places = places_of(units);
    let (mut tallies, overdue) = {
        let (courses, places) = (courses.clone(), places.clone());
        reports::with_records(db, access, query, move |rows| {
            tally_records(&rows, &courses, &places, &dues, now)
        })
        .await?
    };
    if courses.is_empty() {
        // No course, no records: the staff are still counted, for the policy.
        for (unit, members) in db::org_units::member_counts(db).await? {
            if let Some(place) = places.get(&unit) {
                tallies.entry(*place).or_default().people += usize::try_from(members).unwrap_or(0);
            }
        }
    }

    let mut total = Tally::new(courses.len());
    for tally in tallies.values() {
        total.add(tally);
    }
    let (first_level, second_level) = levels(&tallies, units, min);
    let trend = trend(db, &courses, &total, sources.local, now, min).await?;
    let policy = match sources.policy {
        Some(policy) => {
            let acknowledged =
                db::policy_acknowledgements::count_in_scope(db, &policy.version, None).await?;
            let acknowledged = usize::try_from(acknowledged).unwrap_or(0).min(total.people);
            Some(PolicyFigure {
                version: policy.version.clone(),
                effective: policy.effective.clone(),
                acknowledged: Figure::of(
                    Tally {
                        people: total.people,
                        counts: vec![acknowledged],
                    },
                    min,
                ),
            })
        }
        None => None,
    };
    Ok(CouncilReport {
        as_of: now,
        day: sources.local.day(now),
        min_group_size: min,
        overdue: Figure::of(
            Tally {
                people: total.people,
                counts: overdue,
            },
            min,
        ),
        administration: Figure::of(total, min),
        first_level,
        second_level,
        trend,
        policy,
        courses,
    })
}

/// Per place: people and valid certificates per course; and per course the people overdue.
fn tally_records(
    rows: &[RecordRow],
    courses: &[String],
    places: &HashMap<Uuid, Place>,
    dues: &Dues,
    now: DateTime<Utc>,
) -> (HashMap<Place, Tally>, Vec<usize>) {
    let position: HashMap<&str, usize> = courses
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut tallies: HashMap<Place, Tally> = HashMap::new();
    let mut counted: HashSet<Uuid> = HashSet::new();
    let mut overdue = vec![0; courses.len()];
    for row in rows {
        let (Some(&course), Some(place)) = (
            position.get(row.course_id.as_str()),
            places.get(&row.org_unit_id),
        ) else {
            continue;
        };
        let tally = tallies
            .entry(*place)
            .or_insert_with(|| Tally::new(courses.len()));
        if counted.insert(row.user_id) {
            tally.people += 1;
        }
        let status = records::status(row, dues.of(row), now, dues.today(now));
        if status.is_done() {
            tally.counts[course] += 1;
        }
        if status == Status::Overdue {
            overdue[course] += 1;
        }
    }
    (tallies, overdue)
}

/// Where a unit lies in the tree: its unit of the first level (a Dezernat) and, if it lies
/// below one, of the second (a Fachbereich).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Place {
    first: Uuid,
    second: Option<Uuid>,
}

fn places_of(units: &[org_unit::Model]) -> HashMap<Uuid, Place> {
    units
        .iter()
        .filter_map(|unit| {
            let mut ids = unit
                .lineage
                .split('/')
                .filter(|s| !s.is_empty())
                .map(Uuid::parse_str);
            let first = ids.next()?.ok()?;
            let second = ids.next().and_then(Result::ok);
            Some((unit.id, Place { first, second }))
        })
        .collect()
}

/// The rows of both levels, small groups merged as the module says.
fn levels(
    tallies: &HashMap<Place, Tally>,
    units: &[org_unit::Model],
    min: usize,
) -> (Vec<Row>, Vec<Row>) {
    let by_id: HashMap<Uuid, &org_unit::Model> = units.iter().map(|u| (u.id, u)).collect();
    let name = |id: Uuid| by_id.get(&id).map(|u| u.name.clone()).unwrap_or_default();
    let path = |id: Uuid| by_id.get(&id).map(|u| u.path.clone()).unwrap_or_default();

    let mut firsts: HashMap<Uuid, Tally> = HashMap::new();
    for (place, tally) in tallies {
        firsts.entry(place.first).or_default().add_or_init(tally);
    }
    let mut parts: Vec<Part<Uuid>> = firsts
        .into_iter()
        .map(|(key, tally)| Part { key, tally })
        .collect();
    parts.sort_by_key(|p| path(p.key));

    let mut first_level = Vec::new();
    let mut second_level = Vec::new();
    for group in protect(parts, min) {
        let (label, members, tally) = match group {
            Protected::Alone(id, tally) => (Label::Unit(name(id)), vec![id], tally),
            Protected::Merged(ids, tally) => (Label::Other, ids, tally),
        };
        let figure = Figure::of(tally, min);
        if matches!(figure, Figure::Shown(_)) {
            let mut children: Vec<Part<Place>> = tallies
                .iter()
                .filter(|(place, _)| members.contains(&place.first))
                .map(|(place, tally)| Part {
                    key: *place,
                    tally: tally.clone(),
                })
                .collect();
            children.sort_by_key(|p| path(p.key.second.unwrap_or(p.key.first)));
            for child in protect(children, min) {
                let (child_label, tally) = match child {
                    Protected::Alone(place, tally) => (
                        match place.second {
                            Some(id) => Label::Unit(name(id)),
                            None => Label::Direct(name(place.first)),
                        },
                        tally,
                    ),
                    Protected::Merged(_, tally) => (Label::Other, tally),
                };
                second_level.push(Row {
                    parent: Some(label.clone()),
                    label: child_label,
                    figure: Figure::of(tally, min),
                });
            }
        }
        first_level.push(Row {
            parent: None,
            label,
            figure,
        });
    }
    (first_level, second_level)
}

impl Tally {
    /// Adds `other`, taking its number of subjects if this tally has none yet.
    fn add_or_init(&mut self, other: &Tally) {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        self.add(other);
    }
}

/// A part of a group before small parts are merged.
struct Part<K> {
    key: K,
    tally: Tally,
}

/// A part shown on its own, or the parts merged into "other units".
#[derive(Debug, PartialEq, Eq)]
enum Protected<K> {
    Alone(K, Tally),
    Merged(Vec<K>, Tally),
}

/// Merges the parts below `min` into one group, then adds the smallest other parts to it
/// while it is below `min` (so it cannot be worked out as the total less the shown parts).
/// The parts shown alone keep their order; the merged group comes last. It stays below
/// `min` only when all parts together are.
fn protect<K>(parts: Vec<Part<K>>, min: usize) -> Vec<Protected<K>> {
    let (small, mut large): (Vec<_>, Vec<_>) = parts
        .into_iter()
        .filter(|p| p.tally.people > 0)
        .enumerate()
        .partition(|(_, p)| p.tally.people < min);
    if small.is_empty() {
        return large
            .into_iter()
            .map(|(_, p)| Protected::Alone(p.key, p.tally))
            .collect();
    }
    let mut merged = Tally::default();
    let mut keys = Vec::new();
    for (_, part) in small {
        merged.add_or_init(&part.tally);
        keys.push(part.key);
    }
    // The largest first, so the smallest is taken from the end.
    large.sort_by_key(|(i, p)| (std::cmp::Reverse(p.tally.people), *i));
    while merged.people < min {
        let Some((_, part)) = large.pop() else {
            break;
        };
        merged.add_or_init(&part.tally);
        keys.push(part.key);
    }
    large.sort_by_key(|(i, _)| *i);
    let mut groups: Vec<Protected<K>> = large
        .into_iter()
        .map(|(_, p)| Protected::Alone(p.key, p.tally))
        .collect();
    groups.push(Protected::Merged(keys, merged));
    groups
}

/// The last four quarters at their end (from the certificates' and people's dates) and the
/// current quarter so far (the current figure).
async fn trend(
    db: &impl ConnectionTrait,
    courses: &[String],
    current: &Tally,
    local: LocalTime,
    now: DateTime<Utc>,
    min: usize,
) -> Result<Vec<(Quarter, Figure)>, DbErr> {
    let today = local.day(now);
    let (year, number) = quarter_of(today);
    let past: Vec<(Quarter, DateTime<Utc>)> = (1..=4)
        .rev()
        .map(|back| {
            let (y, n) = shift(year, number, -back);
            let (next_y, next_n) = shift(y, n, 1);
            let next = first_day(next_y, next_n);
            let quarter = Quarter {
                year: y,
                number: n,
                current: false,
                day: next - Duration::days(1),
            };
            (quarter, local.start_of(next))
        })
        .collect();
    let moments: Vec<DateTime<Utc>> = past.iter().map(|(_, at)| *at).collect();
    let staff = db::history::staff_at(db, &moments).await?;
    let mut tallies: Vec<Tally> = staff
        .iter()
        .map(|people| Tally {
            people: *people,
            counts: vec![0; courses.len()],
        })
        .collect();
    for (moment, course, certified) in db::history::certified_at(db, &moments, courses).await? {
        if let (Some(tally), Some(course)) = (
            tallies.get_mut(moment),
            courses.iter().position(|c| *c == course),
        ) {
            tally.counts[course] = certified.min(tally.people);
        }
    }
    let mut trend: Vec<(Quarter, Figure)> = past
        .into_iter()
        .zip(tallies)
        .map(|((quarter, _), tally)| (quarter, Figure::of(tally, min)))
        .collect();
    trend.push((
        Quarter {
            year,
            number,
            current: true,
            day: today,
        },
        Figure::of(current.clone(), min),
    ));
    Ok(trend)
}

/// The quarter a day lies in: (year, 1 to 4).
fn quarter_of(day: NaiveDate) -> (i32, u32) {
    (day.year(), day.month0() / 3 + 1)
}

/// The quarter `by` quarters after (before, if negative) the given one.
fn shift(year: i32, number: u32, by: i32) -> (i32, u32) {
    let index = year * 4 + (number as i32 - 1) + by;
    (index.div_euclid(4), index.rem_euclid(4) as u32 + 1)
}

fn first_day(year: i32, number: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, (number - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The words of the report in one language: group labels, quarters, course titles.
pub struct Names<'a> {
    pub translations: &'a Translations,
    pub catalog: &'a Catalog,
    pub language: Language,
    pub organisation: &'a str,
}

impl Names<'_> {
    pub fn label(&self, label: &Label) -> Result<String, TranslationError> {
        match label {
            Label::Unit(name) => Ok(name.clone()),
            Label::Direct(unit) => {
                self.translations
                    .text(self.language, "council-direct", &[("unit", unit.clone())])
            }
            Label::Other => self
                .translations
                .text(self.language, "council-other-units", &[]),
        }
    }

    /// "3. Quartal 2026" or "Q3 2026".
    pub fn quarter(&self, quarter: &Quarter) -> Result<String, TranslationError> {
        self.translations.text(
            self.language,
            "council-quarter",
            &[
                ("quarter", quarter.number.to_string()),
                ("year", quarter.year.to_string()),
            ],
        )
    }

    pub fn course(&self, id: &str) -> String {
        self.catalog
            .get(id)
            .map(|c| c.title(self.language).to_owned())
            .unwrap_or_else(|| id.to_owned())
    }
}

/// The CSV header, exactly (one row per group and subject; see the README).
pub const CSV_COLUMNS: [&str; 11] = [
    "section",
    "period",
    "date",
    "level",
    "parent",
    "group",
    "subject_id",
    "subject",
    "people",
    "count",
    "percent",
];

/// The report as CSV (RFC 4180, UTF-8 with a byte order mark, formulas neutralised), with the
/// same groups and the same suppression as the page.
pub fn csv(
    report: &CouncilReport,
    names: &Names<'_>,
    delimiter: u8,
) -> Result<Vec<u8>, TranslationError> {
    let mut out = Vec::new();
    out.extend_from_slice("\u{feff}".as_bytes());
    exports::csv_record(&mut out, delimiter, &CSV_COLUMNS);
    let today = report.day.to_string();
    let organisation = names.organisation.to_owned();
    let subjects: Vec<(String, String)> = report
        .courses
        .iter()
        .map(|id| (id.clone(), names.course(id)))
        .collect();
    let mut write = |cells: [&str; 8], figure: &Figure, subject: usize| {
        let (people, count, share) = match figure {
            Figure::Empty => ("0".to_owned(), String::new(), String::new()),
            Figure::Suppressed => (
                format!("<{}", report.min_group_size),
                String::new(),
                String::new(),
            ),
            Figure::Shown(tally) => {
                let count = tally.counts.get(subject).copied().unwrap_or(0);
                (
                    tally.people.to_string(),
                    count.to_string(),
                    percent(count, tally.people).to_string(),
                )
            }
        };
        let mut fields: Vec<&str> = cells.to_vec();
        fields.extend([people.as_str(), count.as_str(), share.as_str()]);
        exports::csv_record(&mut out, delimiter, &fields);
    };
    for (i, (id, title)) in subjects.iter().enumerate() {
        write(
            [
                "coverage",
                "",
                &today,
                "administration",
                "",
                &organisation,
                id,
                title,
            ],
            &report.administration,
            i,
        );
    }
    for (level, rows) in [
        ("dezernat", &report.first_level),
        ("fachbereich", &report.second_level),
    ] {
        for row in rows {
            let parent = match &row.parent {
                Some(parent) => names.label(parent)?,
                None => String::new(),
            };
            let group = names.label(&row.label)?;
            for (i, (id, title)) in subjects.iter().enumerate() {
                write(
                    ["coverage", "", &today, level, &parent, &group, id, title],
                    &row.figure,
                    i,
                );
            }
        }
    }
    for (quarter, figure) in &report.trend {
        let period = format!("{}-Q{}", quarter.year, quarter.number);
        let day = quarter.day.to_string();
        for (i, (id, title)) in subjects.iter().enumerate() {
            write(
                [
                    "trend",
                    &period,
                    &day,
                    "administration",
                    "",
                    &organisation,
                    id,
                    title,
                ],
                figure,
                i,
            );
        }
    }
    for (i, (id, title)) in subjects.iter().enumerate() {
        write(
            [
                "overdue",
                "",
                &today,
                "administration",
                "",
                &organisation,
                id,
                title,
            ],
            &report.overdue,
            i,
        );
    }
    if let Some(policy) = &report.policy {
        let subject = names
            .translations
            .text(names.language, "council-policy-subject", &[])?;
        write(
            [
                "policy",
                "",
                &today,
                "administration",
                "",
                &organisation,
                &policy.version,
                &subject,
            ],
            &policy.acknowledged,
            0,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(key: &'static str, people: usize) -> Part<&'static str> {
        Part {
            key,
            tally: Tally {
                people,
                counts: vec![people / 2],
            },
        }
    }

    fn shape(groups: Vec<Protected<&'static str>>) -> Vec<(Vec<&'static str>, usize, bool)> {
        groups
            .into_iter()
            .map(|g| match g {
                Protected::Alone(key, tally) => (vec![key], tally.people, false),
                Protected::Merged(keys, tally) => (keys, tally.people, true),
            })
            .collect()
    }

    #[test]
    fn small_groups_are_merged_and_large_ones_stand_alone() {
        let groups = protect(vec![part("a", 4), part("b", 5), part("c", 3)], 5);
        assert_eq!(
            shape(groups),
            vec![(vec!["b"], 5, false), (vec!["a", "c"], 7, true)]
        );
    }

    #[test]
    fn a_merged_group_below_the_minimum_takes_the_smallest_shown_one_along() {
        // Alone, the 2 could be worked out as the total less 5 and 9.
        let groups = protect(vec![part("a", 9), part("b", 2), part("c", 5)], 5);
        assert_eq!(
            shape(groups),
            vec![(vec!["a"], 9, false), (vec!["b", "c"], 7, true)]
        );
    }

    #[test]
    fn only_a_total_below_the_minimum_stays_below_it() {
        let groups = protect(vec![part("a", 1), part("b", 2)], 5);
        assert_eq!(shape(groups), vec![(vec!["a", "b"], 3, true)]);
        assert_eq!(
            Figure::of(
                Tally {
                    people: 3,
                    counts: vec![1]
                },
                5
            ),
            Figure::Suppressed
        );
        let groups = protect(vec![part("a", 5), part("b", 6)], 5);
        assert_eq!(
            shape(groups),
            vec![(vec!["a"], 5, false), (vec!["b"], 6, false)]
        );
    }

    #[test]
    fn quarters_count_back_across_years() {
        assert_eq!(shift(2026, 1, -1), (2025, 4));
        assert_eq!(shift(2026, 4, 1), (2027, 1));
        assert_eq!(shift(2026, 2, -4), (2025, 2));
        assert_eq!(
            quarter_of(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()),
            (2026, 4)
        );
        assert_eq!(
            first_day(2026, 3),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
    }

    #[test]
    fn the_second_level_partitions_each_group_of_the_first() {
        let ids: Vec<Uuid> = (0..6).map(|_| Uuid::now_v7()).collect();
        let unit = |i: usize, parent: Option<usize>, path: &str| org_unit::Model {
            id: ids[i],
            parent_id: parent.map(|p| ids[p]),
            name: path.rsplit(" / ").next().unwrap_or(path).into(),
            path: path.into(),
            lineage: match parent {
                Some(p) => format!("/{}/{}/", ids[p], ids[i]),
                None => format!("/{}/", ids[i]),
            },
            created_at: Utc::now(),
        };
        // Dezernat A: 2 people directly in it, Fachbereich A1 6, A2 3; Dezernat B: 4 in
        // Fachbereich B1; Dezernat C: 7 directly in it.
        let units = vec![
            unit(0, None, "A"),
            unit(1, Some(0), "A / A1"),
            unit(2, Some(0), "A / A2"),
            unit(3, None, "B"),
            unit(4, Some(3), "B / B1"),
            unit(5, None, "C"),
        ];
        let place = |first: usize, second: Option<usize>| Place {
            first: ids[first],
            second: second.map(|s| ids[s]),
        };
        let tally = |people| Tally {
            people,
            counts: vec![people],
        };
        let tallies: HashMap<Place, Tally> = [
            (place(0, None), tally(2)),
            (place(0, Some(1)), tally(6)),
            (place(0, Some(2)), tally(3)),
            (place(3, Some(4)), tally(4)),
            (place(5, None), tally(7)),
        ]
        .into_iter()
        .collect();
        let (first, second) = levels(&tallies, &units, 5);
        let people = |row: &Row| match &row.figure {
            Figure::Shown(t) => t.people,
            _ => 0,
        };
        // B (4) is small and takes C (7, the smallest shown) along: A 11, other units 11.
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].label, Label::Unit("A".into()));
        assert_eq!(people(&first[0]), 11);
        assert_eq!(first[1].label, Label::Other);
        assert_eq!(people(&first[1]), 11);
        // Within A: A1 (6) alone; the 2 directly in A and A2 (3) merged into 5.
        let within_a: Vec<(Label, usize)> = second
            .iter()
            .filter(|r| r.parent == Some(Label::Unit("A".into())))
            .map(|r| (r.label.clone(), people(r)))
            .collect();
        assert_eq!(
            within_a,
            vec![(Label::Unit("A1".into()), 6), (Label::Other, 5)]
        );
        // Within the other units: C directly (7) alone would leave B1 (4) to be worked out,
        // so both are merged.
        let within_other: Vec<(Label, usize)> = second
            .iter()
            .filter(|r| r.parent == Some(Label::Other))
            .map(|r| (r.label.clone(), people(r)))
            .collect();
        assert_eq!(within_other, vec![(Label::Other, 11)]);
        // Every figure shown describes at least 5 people.
        assert!(first.iter().chain(&second).all(|r| people(r) >= 5));
    }
}
