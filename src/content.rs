//! Everything kiwi loads from files at start: courses, the usage policy, the tools.

use crate::config::Settings;
use crate::courses::contacts;
use crate::courses::load::load_catalog_with;
use crate::courses::{Catalog, Problem};
use crate::policy::{self, Policy};
use crate::tools::{self, Tool};

pub struct Content {
    pub catalog: Catalog,
    pub policy: Option<Policy>,
    pub tools: Vec<Tool>,
}

/// Loads and checks all content; every problem is reported, and any problem means no start.
pub fn load(settings: &Settings) -> Result<Content, Vec<Problem>> {
    let contacts = contacts::load(&settings.contacts_file)?;
    let catalog = load_catalog_with(&settings.courses_dir, contacts)?;
    let policy = policy::load(&settings.policy_dir)?;
    let tools = tools::load(&settings.tools_file, &catalog, policy.is_some())?;
    Ok(Content {
        catalog,
        policy,
        tools,
    })
}
