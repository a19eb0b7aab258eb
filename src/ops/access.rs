//! Who owns a file and who we are: the words a permission error needs so an administrator can
//! fix it without guessing ("owned by root, mode 0600; reportdesk runs as reportdesk").
//!
//! User names come from the system's user database (`getpwuid_r`); a uid without an entry is
//! shown as its number.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// `""` unless `error` is a permission error; then " (PATH is owned by …; reportdesk runs as …)",
/// naming the nearest existing folder when the file itself does not exist.
pub fn hint(path: &Path, error: &io::Error) -> String {
    if error.kind() == io::ErrorKind::PermissionDenied || error.raw_os_error() == Some(libc::EROFS)
    {
        format!(" ({})", ownership(path))
    } else {
        String::new()
    }
}

/// "PATH is owned by USER (uid N), group G, mode 0640; reportdesk runs as USER (uid M)".
pub fn ownership(path: &Path) -> String {
    let mut at = Some(path);
    while let Some(candidate) = at {
        if let Ok(meta) = std::fs::metadata(candidate) {
            return format!(
                "{} is owned by {}, group {}, mode {:04o}; reportdesk runs as {}",
                candidate.display(),
                user(meta.uid()),
                meta.gid(),
                meta.mode() & 0o7777,
                current_user()
            );
        }
        at = candidate.parent().filter(|p| !p.as_os_str().is_empty());
    }
    format!("reportdesk runs as {}", current_user())
}

/// `Err` with the ownership words when this process (its effective user, as the kernel checks a
/// write) may not write `path`. SQLite opens a database it may not write read-only without a
/// word and fails only at the first write ("attempt to write a readonly database", no file
/// named), so the daemon asks first.
pub fn require_writable(path: &Path) -> Result<(), String> {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return Err(format!("{} has a NUL byte in its name", path.display()));
    };
    // SAFETY: c_path is a valid NUL-terminated string; faccessat only reads it.
    let rc = unsafe {
        libc::faccessat(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            libc::W_OK,
            libc::AT_EACCESS,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    if error.kind() == io::ErrorKind::NotFound {
        return Ok(());
    }
    let why = match error.kind() {
        io::ErrorKind::PermissionDenied => String::new(),
        _ => format!(": {error}"),
    };
    Err(format!(
        "{} is not writable{why} ({})",
        path.display(),
        ownership(path)
    ))
}

/// The user this process runs as, e.g. "reportdesk (uid 998)".
pub fn current_user() -> String {
    // SAFETY: geteuid has no preconditions and cannot fail.
    user(unsafe { libc::geteuid() })
}

fn user(uid: u32) -> String {
    match user_name(uid) {
        Some(name) => format!("{name} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}

/// The login name of `uid`, from the user database.
fn user_name(uid: u32) -> Option<String> {
    let mut buffer = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: passwd is plain old data; getpwuid_r fills it and points its strings into
    // `buffer`, which outlives every read below.
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the length given; `found` is set to null or `&entry`.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() || entry.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name points at a NUL-terminated string inside `buffer`.
    let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permission_error_names_owner_mode_and_us() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reportdesk.db");
        std::fs::write(&file, b"x").unwrap();
        let error = io::Error::from(io::ErrorKind::PermissionDenied);
        let text = hint(&file, &error);
        assert!(text.contains(&file.display().to_string()), "{text}");
        assert!(text.contains("mode 0"), "{text}");
        assert!(text.contains("reportdesk runs as"), "{text}");
        // SAFETY: geteuid cannot fail.
        let me = unsafe { libc::geteuid() };
        assert!(text.contains(&format!("uid {me}")), "{text}");
    }

    #[test]
    fn a_missing_file_names_its_nearest_folder_and_other_errors_add_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("a/b/units.toml");
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(hint(&missing, &denied).contains(&dir.path().display().to_string()));
        let not_found = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(hint(&missing, &not_found), "");
    }
}
