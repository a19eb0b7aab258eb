//! Reads a Maildir folder's messages in IMAP UID order, straight from disk (exact bytes, no
//! doveadm round trip), tolerating Dovecot moving files from `new/` to `cur/` meanwhile.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The messages of the Maildir at `dir`, ordered by the UIDs in `dovecot-uidlist`, then by the
/// delivery time in the file name. A missing folder has no messages.
pub fn read_messages(dir: &Path) -> io::Result<Vec<Vec<u8>>> {
    // A file renamed between listing and reading (new -> cur, flags changed), or a Maildir that
    // Dovecot is still creating (the folder there, new/ or cur/ not yet), is retried.
    for _ in 0..10 {
        match try_read(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && dir.exists() => {
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            other => return other,
        }
    }
    try_read(dir)
}

fn try_read(dir: &Path) -> io::Result<Vec<Vec<u8>>> {
    let uids = fs::read_to_string(dir.join("dovecot-uidlist"))
        .map(|text| parse_uidlist(&text))
        .unwrap_or_default();
    let mut files: Vec<(u32, String, PathBuf)> = Vec::new();
    for sub in ["cur", "new"] {
        for entry in fs::read_dir(dir.join(sub))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let uid = uids.get(base_name(&name)).copied().unwrap_or(u32::MAX);
            files.push((uid, name, entry.path()));
        }
    }
    files.sort_by(|a, b| (a.0, delivery_key(&a.1)).cmp(&(b.0, delivery_key(&b.1))));
    files
        .into_iter()
        .map(|(_, _, path)| fs::read(path))
        .collect()
}

/// `1700000000.M123P45.host,S=9:2,S` -> `1700000000.M123P45.host,S=9`
fn base_name(file_name: &str) -> &str {
    file_name.split(":2,").next().unwrap_or(file_name)
}

/// (seconds, microseconds, name) from Dovecot's `secs.Musec...` names, for files not yet in
/// the uidlist.
fn delivery_key(file_name: &str) -> (u64, u64, &str) {
    let mut parts = file_name.splitn(2, '.');
    let secs = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::MAX);
    let usec = parts
        .next()
        .and_then(|rest| rest.strip_prefix('M'))
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0);
    (secs, usec, file_name)
}

/// Maps base file name to UID. Lines after the header: `<uid> [ext fields] :<base name>`.
fn parse_uidlist(text: &str) -> HashMap<String, u32> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let (head, name) = line.split_once(" :")?;
            let uid = head.split(' ').next()?.parse().ok()?;
            Some((name.to_string(), uid))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uidlist_maps_names_to_uids() {
        let text = "3 V1 N3 G0\n1 :100.M5P1.h,S=3\n2 W9 :100.M7P1.h,S=4\n";
        let uids = parse_uidlist(text);
        assert_eq!(uids.get("100.M5P1.h,S=3"), Some(&1));
        assert_eq!(uids.get("100.M7P1.h,S=4"), Some(&2));
    }

    #[test]
    fn base_name_drops_flags() {
        assert_eq!(base_name("100.M5P1.h,S=3:2,RS"), "100.M5P1.h,S=3");
        assert_eq!(base_name("100.M5P1.h,S=3"), "100.M5P1.h,S=3");
    }

    #[test]
    fn delivery_key_orders_by_time_not_text() {
        assert!(delivery_key("100.M99P1.h") < delivery_key("100.M100P1.h"));
        assert!(delivery_key("99.M5P1.h") < delivery_key("100.M1P1.h"));
    }

    #[test]
    fn messages_follow_uid_order_and_missing_folder_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        fs::write(dir.path().join("cur/200.M1P1.h:2,S"), "first").unwrap();
        fs::write(dir.path().join("new/100.M1P1.h"), "second").unwrap();
        let uidlist = "3 V1 N3\n1 :200.M1P1.h\n2 :100.M1P1.h\n";
        fs::write(dir.path().join("dovecot-uidlist"), uidlist).unwrap();
        let messages = read_messages(dir.path()).unwrap();
        assert_eq!(messages, vec![b"first".to_vec(), b"second".to_vec()]);
        assert!(read_messages(&dir.path().join("nope")).unwrap().is_empty());
    }
}
