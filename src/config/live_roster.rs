//! The roster the running service reads: one handle shared by every task (intake, reminders,
//! the bot, the web console), replaced whole when `units.toml` is edited. Readers take the
//! current [`Roster`] as an `Arc` and keep it for the message or page in hand; a replacement is
//! read and checked before it is swapped in, so a bad file never replaces a good roster.
//!
//! Clones of a [`LiveRoster`] (and so of a [`super::Config`]) share the one roster: the daemon
//! hands a clone of its config to the console, and an edit saved there is what the next
//! message is assessed against.

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use super::ConfigError;
use crate::domain::unit::{Roster, Unit};

#[derive(Debug, Clone)]
pub struct LiveRoster(Arc<RwLock<Arc<Roster>>>);

impl LiveRoster {
    pub fn new(roster: Roster) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(roster))))
    }

    /// The roster now; later replacements do not change what the caller holds.
    pub fn current(&self) -> Arc<Roster> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The unit with this code in the roster now.
    pub fn by_code(&self, code: &str) -> Option<Unit> {
        self.current().by_code(code).cloned()
    }

    /// The unit this sender address is registered to in the roster now.
    pub fn by_address(&self, address: &str) -> Option<Unit> {
        self.current().by_address(address).cloned()
    }

    /// Uses `roster` from now on (it was parsed, so it is a valid roster).
    pub fn replace(&self, roster: Roster) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(roster);
    }

    /// Reads `path` again and uses it from now on; when the file cannot be read or is not a valid
    /// roster the error names the file and the roster in use stays as it was.
    pub fn reload(&self, path: &Path) -> Result<Arc<Roster>, ConfigError> {
        let roster = Arc::new(super::file::load_roster(path)?);
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = roster.clone();
        Ok(roster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str =
        "[[unit]]\ncode = \"a\"\nname = \"甲镇\"\nkind = \"town\"\naddresses = [\"a@x.cn\"]\n";
    const TWO: &str = "[[unit]]\ncode = \"a\"\nname = \"甲镇\"\nkind = \"town\"\naddresses = [\"a@x.cn\"]\n\
        [[unit]]\ncode = \"b\"\nname = \"乙镇\"\nkind = \"town\"\naddresses = [\"b@x.cn\"]\n";

    #[test]
    fn clones_share_the_roster_and_a_reload_is_seen_by_every_clone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("units.toml");
        let live = LiveRoster::new(Roster::parse(ONE).unwrap());
        let daemon = live.clone();
        let held = daemon.current();
        std::fs::write(&path, TWO).unwrap();
        assert_eq!(live.reload(&path).unwrap().units().len(), 2);
        assert_eq!(
            daemon.by_address("B@x.cn").map(|u| u.name),
            Some("乙镇".into())
        );
        assert_eq!(held.units().len(), 1, "a reader keeps the roster it took");
    }

    #[test]
    fn a_bad_file_never_replaces_a_good_roster() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("units.toml");
        let live = LiveRoster::new(Roster::parse(TWO).unwrap());
        std::fs::write(&path, "[[unit]]\ncode = \"Bad Code\"\n").unwrap();
        let error = live.reload(&path).unwrap_err().to_string();
        assert!(error.contains("units.toml"), "{error}");
        assert!(live.reload(&dir.path().join("missing.toml")).is_err());
        assert_eq!(live.current().units().len(), 2);
        assert!(live.by_code("b").is_some());
    }
}
