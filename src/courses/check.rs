//! `kiwi courses check`: everything that can be wrong with course content, in one report.

use std::path::Path;

use crate::courses::assessment::{self, Limits, ModuleOdds};
use crate::courses::contacts::{self, Contacts};
use crate::courses::load::{load_catalog_with, symbolic_links};
use crate::courses::{Catalog, Problem};

/// What the check found: the catalog if it loads, the odds of passing each module without
/// knowing, and every problem.
pub struct CheckReport {
    pub catalog: Option<Catalog>,
    pub odds: Vec<ModuleOdds>,
    pub problems: Vec<Problem>,
}

/// Checks the courses under `dir` with the contacts of `contacts_file`: symbolic links,
/// everything kiwi checks at start, and (for content that loads) whether the quizzes can be
/// passed without knowing.
pub fn check(dir: &Path, contacts_file: &Path, limits: &Limits) -> CheckReport {
    let mut problems = symbolic_links(dir);
    let mut odds = Vec::new();
    let contacts = match contacts::load(contacts_file) {
        Ok(contacts) => contacts,
        Err(found) => {
            problems.extend(found);
            Contacts::default()
        }
    };
    let catalog = match load_catalog_with(dir, contacts) {
        Ok(catalog) => {
            for course in catalog.courses() {
                let (figures, found) = assessment::assess_course(course, limits);
                odds.extend(figures);
                problems.extend(found);
            }
            Some(catalog)
        }
        Err(found) => {
            problems.extend(found);
            None
        }
    };
    problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    CheckReport {
        catalog,
        odds,
        problems,
    }
}
