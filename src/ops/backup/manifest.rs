//! `manifest.json`: what a backup holds, with the size and SHA-256 of every file.

use serde::{Deserialize, Serialize};

/// The archive's entry names.
pub const MANIFEST: &str = "manifest.json";
pub const DATABASE: &str = "reportdesk.db";
/// Config and roster are restored here, beside (never over) the live config.
pub const CONFIG_DIR: &str = "config-from-backup";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    pub reportdesk: String,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// Whether an entry name is a plain relative path under the archive (no `..`, not absolute,
/// only the folders a backup writes).
pub fn is_safe_name(name: &str) -> bool {
    let path = std::path::Path::new(name);
    let plain = path
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let allowed = name == DATABASE
        || name.starts_with("raw/")
        || name.starts_with("photos/")
        || name.starts_with(&format!("{CONFIG_DIR}/"));
    plain && allowed && !name.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_under_the_known_folders_are_safe() {
        assert!(is_safe_name("raw/ab/abcd.eml"));
        assert!(is_safe_name("reportdesk.db"));
        assert!(is_safe_name("config-from-backup/units.toml"));
        assert!(!is_safe_name("raw/../../etc/passwd"));
        assert!(!is_safe_name("/etc/passwd"));
        assert!(!is_safe_name("other/file"));
        assert!(!is_safe_name(""));
    }
}
