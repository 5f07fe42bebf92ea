//! Judges a package by its name and registry metadata: typosquatting, masquerading,
//! dependency confusion and publishing anomalies.

mod confusables;
pub mod popular;
pub mod typosquat;

pub use typosquat::{Imitation, Technique, typosquat_target};
#[doc(hidden)]
pub mod bench;
