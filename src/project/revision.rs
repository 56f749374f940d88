//! A project's revision number, the optimistic-locking token of every write.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A project's version: 1 when created, +1 on every accepted write. Sent as the `ETag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(pub i64);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
