//! Tool access: the rule that decides.

pub mod rule;
