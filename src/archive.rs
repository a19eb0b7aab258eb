//! Zip archives read under limits.
//!
//! Three kinds of file that arrive by mail are zip archives: `.zip` attachments, and the `.xlsx`,
//! `.ods` and `.docx` forms themselves. A crafted one (a "zip bomb") can inflate a few hundred
//! kilobytes into gigabytes, so nothing is inflated before the sizes its central directory declares
//! are checked, and every read is cut off at the limit anyway, because a declared size can lie.

use std::io::{Cursor, Read};

use thiserror::Error;

/// What can be wrong with an archive.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ArchiveError {
    /// Not a zip at all, or cut short (no central directory).
    #[error("the archive is damaged or incomplete: {0}")]
    Damaged(String),
    /// The archive inflates to more than the limit.
    #[error("the archive inflates to more than {limit} bytes")]
    TooLarge { limit: u64 },
    /// An entry is encrypted and no password was given.
    #[error("entry {0} is encrypted")]
    Encrypted(String),
    /// An entry is encrypted and the password given does not open it.
    #[error("the password does not open entry {0}")]
    WrongPassword(String),
}

/// One file taken out of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name inside the archive, decoded (UTF-8 when flagged, else GB18030, as Windows writes it).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Checks that `bytes` is a readable zip whose entries, by their declared sizes, inflate to at most
/// `limit` bytes in all. Inflates nothing.
pub fn check_declared_size(bytes: &[u8], limit: u64) -> Result<(), ArchiveError> {
    if declared_size(bytes)? > limit {
        return Err(ArchiveError::TooLarge { limit });
    }
    Ok(())
}

/// What the entries of the zip `bytes` declare they inflate to, in all (saturating). zip 9
/// refuses to inflate an entry beyond its declared size, so this bounds what reading it costs.
pub fn declared_size(bytes: &[u8]) -> Result<u64, ArchiveError> {
    declared_size_of(&mut open(bytes)?)
}

/// [`declared_size`] of an archive already opened (its directory is parsed once).
pub fn declared_size_of<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<u64, ArchiveError> {
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
        total = total.saturating_add(entry.size());
    }
    Ok(total)
}

/// Takes every file (not folder) out of the archive, inflating at most `limit` bytes in all,
/// whatever the entries declare.
pub fn extract(bytes: &[u8], limit: u64) -> Result<Vec<Entry>, ArchiveError> {
    extract_with(bytes, limit, None)
}

/// [`extract`], opening encrypted entries (ZipCrypto or AES) with `password` when one is given.
pub fn extract_with(
    bytes: &[u8],
    limit: u64,
    password: Option<&[u8]>,
) -> Result<Vec<Entry>, ArchiveError> {
    check_declared_size(bytes, limit)?;
    let mut archive = open(bytes)?;
    let mut budget = limit;
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        // zip 9: a `ZipFile` borrows the archive until dropped, so the name for the error is
        // read first, from the central directory, without inflating anything.
        let raw_name = archive
            .by_index_raw(i)
            .map(|f| decode_name(f.name_raw(), &f.name().unwrap_or_default()))
            .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
        let opened = match password {
            Some(password) => archive.by_index_decrypt(i, password),
            None => archive.by_index(i),
        };
        let mut file = match opened {
            Ok(file) => file,
            Err(zip::result::ZipError::UnsupportedArchive(msg)) if msg.contains("assword") => {
                return Err(ArchiveError::Encrypted(raw_name));
            }
            Err(zip::result::ZipError::InvalidPassword) => {
                return Err(ArchiveError::WrongPassword(raw_name));
            }
            Err(e) => return Err(ArchiveError::Damaged(e.to_string())),
        };
        if file.is_dir() {
            continue;
        }
        let name = raw_name;
        let mut data = Vec::new();
        (&mut file)
            .take(budget + 1)
            .read_to_end(&mut data)
            .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
        if data.len() as u64 > budget {
            return Err(ArchiveError::TooLarge { limit });
        }
        budget -= data.len() as u64;
        entries.push(Entry { name, bytes: data });
    }
    Ok(entries)
}

/// Takes the one file named `name` (ASCII case-insensitively) out of the archive, after checking
/// that the whole archive declares at most `limit` bytes; inflates at most `limit` bytes of it.
/// `None` when the archive holds no such file.
pub fn extract_one(bytes: &[u8], name: &str, limit: u64) -> Result<Option<Vec<u8>>, ArchiveError> {
    check_declared_size(bytes, limit)?;
    let mut archive = open(bytes)?;
    let Some(index) = (0..archive.len()).find(|&i| {
        archive
            .name_for_index(i)
            .is_some_and(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name)))
    }) else {
        return Ok(None);
    };
    let mut file = match archive.by_index(index) {
        Ok(file) => file,
        Err(zip::result::ZipError::UnsupportedArchive(msg)) if msg.contains("assword") => {
            return Err(ArchiveError::Encrypted(name.to_string()));
        }
        Err(e) => return Err(ArchiveError::Damaged(e.to_string())),
    };
    let mut data = Vec::new();
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
    if data.len() as u64 > limit {
        return Err(ArchiveError::TooLarge { limit });
    }
    Ok(Some(data))
}

fn open(bytes: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>, ArchiveError> {
    zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ArchiveError::Damaged(e.to_string()))
}

/// Zip names are UTF-8 when the archive says so; Windows' "send to compressed folder" writes the
/// system code page (GBK on Chinese Windows) without saying so.
fn decode_name(raw: &[u8], as_parsed: &str) -> String {
    if std::str::from_utf8(raw).is_ok() {
        return as_parsed.to_string();
    }
    let (text, _, _) = encoding_rs::GB18030.decode(raw);
    text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in files {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn extracts_files_within_the_limit() {
        let zip = zip_of(&[("a.txt", b"hello"), ("b/c.txt", b"world")]);
        let entries = extract(&zip, 100).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].name, "b/c.txt");
        assert_eq!(entries[1].bytes, b"world");
    }

    #[test]
    fn refuses_an_archive_that_inflates_past_the_limit() {
        let zip = zip_of(&[("big.txt", &vec![b'0'; 1 << 20])]);
        assert!(zip.len() < 10_000, "the test needs a small archive");
        assert_eq!(
            check_declared_size(&zip, 1000),
            Err(ArchiveError::TooLarge { limit: 1000 })
        );
        assert_eq!(
            extract(&zip, 1000),
            Err(ArchiveError::TooLarge { limit: 1000 })
        );
    }

    #[test]
    fn a_truncated_archive_is_damaged() {
        let zip = zip_of(&[("a.txt", b"hello hello hello")]);
        let cut = &zip[..zip.len() / 2];
        assert!(matches!(extract(cut, 100), Err(ArchiveError::Damaged(_))));
        assert!(matches!(
            extract(b"not a zip", 100),
            Err(ArchiveError::Damaged(_))
        ));
    }

    #[test]
    fn extracts_one_named_file() {
        let zip = zip_of(&[("word/document.xml", b"<w/>"), ("a.png", b"png")]);
        assert_eq!(
            extract_one(&zip, "word/document.xml", 100).unwrap(),
            Some(b"<w/>".to_vec())
        );
        assert_eq!(extract_one(&zip, "missing.xml", 100).unwrap(), None);
        assert_eq!(
            extract_one(&zip, "a.png", 3),
            Err(ArchiveError::TooLarge { limit: 3 })
        );
    }

    #[test]
    fn gbk_names_without_the_utf8_flag_are_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("月报表.xlsx");
        assert_eq!(decode_name(&gbk, "garbled"), "月报表.xlsx");
        assert_eq!(decode_name("a.xlsx".as_bytes(), "a.xlsx"), "a.xlsx");
    }
}
