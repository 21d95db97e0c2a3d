//! The org unit tree: finding units by their path and creating missing ones.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr};

use crate::db;
use crate::domain::SingleLine;
use crate::entities::org_unit;

/// The separator between levels of a unit path, as HR writes it.
pub const PATH_SEPARATOR: &str = " / ";

/// Splits "Dezernat I / Fachbereich 10" into its levels; `None` if any level is empty.
pub fn parse_path(input: &str) -> Option<Vec<String>> {
    let levels: Vec<String> = input
        .split(PATH_SEPARATOR.trim())
        .map(|level| level.trim().to_owned())
        .collect();
    let acceptable = |level: &String| SingleLine::parse(level).is_ok();
    (!levels.is_empty() && levels.iter().all(acceptable)).then_some(levels)
}

/// Units by path, loaded once, so an import of thousands of rows does not query per row.
pub struct UnitIndex {
    by_path: HashMap<String, org_unit::Model>,
}

impl UnitIndex {
    pub async fn load(db: &impl ConnectionTrait) -> Result<UnitIndex, DbErr> {
        let by_path = db::org_units::all(db)
            .await?
            .into_iter()
            .map(|unit| (unit.path.clone(), unit))
            .collect();
        Ok(UnitIndex { by_path })
    }

    /// Returns the unit with these levels, creating it and any missing parent.
    pub async fn find_or_create(
        &mut self,
        db: &impl ConnectionTrait,
        levels: &[String],
    ) -> Result<org_unit::Model, DbErr> {
        let mut parent: Option<org_unit::Model> = None;
        for depth in 1..=levels.len() {
            let path = levels[..depth].join(PATH_SEPARATOR);
            let unit = match self.by_path.get(&path) {
                Some(unit) => unit.clone(),
                None => {
                    let unit = db::org_units::insert(
                        db,
                        parent.as_ref(),
                        &levels[depth - 1],
                        path.clone(),
                    )
                    .await?;
                    self.by_path.insert(path, unit.clone());
                    unit
                }
            };
            parent = Some(unit);
        }
        parent.ok_or_else(|| DbErr::Custom("an org unit path needs at least one level".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_trimmed_levels() {
        assert_eq!(
            parse_path("Dezernat I /  Fachbereich 10 / Abteilung 10.1").unwrap(),
            vec!["Dezernat I", "Fachbereich 10", "Abteilung 10.1"]
        );
        assert!(parse_path("Dezernat I / / Abteilung").is_none());
        assert!(parse_path("  ").is_none());
    }
}
