//! `kiwi courses check`: everything that can be wrong with course content, in one report.

use std::path::Path;

use crate::courses::load::{load_catalog, symbolic_links};
use crate::courses::{Catalog, Problem};

/// What the check found: the catalog if it loads, and every problem in path order.
pub struct CheckReport {
    pub catalog: Option<Catalog>,
    pub problems: Vec<Problem>,
}

/// Checks the courses under `dir`: symbolic links, then everything kiwi checks at start.
pub fn check(dir: &Path) -> CheckReport {
    let mut problems = symbolic_links(dir);
    let catalog = match load_catalog(dir) {
        Ok(catalog) => Some(catalog),
        Err(found) => {
            problems.extend(found);
            None
        }
    };
    CheckReport { catalog, problems }
}
