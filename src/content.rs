//! Everything kiwi loads from files at start: courses, the usage policy, the tools.

use crate::config::Settings;
use crate::courses::load::load_catalog;
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
    let catalog = load_catalog(&settings.courses_dir)?;
    let policy = policy::load(&settings.policy_dir)?;
    let tools = tools::load(&settings.tools_file, &catalog, policy.is_some())?;
    Ok(Content {
        catalog,
        policy,
        tools,
    })
}
