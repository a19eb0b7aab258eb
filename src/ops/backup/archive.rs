//! The archive itself: writing the zip with checksums as the bytes go in, and reading it back
//! (verifying, or restoring into a folder) with every entry checked against the manifest.
//! Files are streamed, never held whole in memory.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use super::manifest::{CONFIG_DIR, DATABASE, FileEntry, MANIFEST, Manifest, is_safe_name};
use super::{BackupError, io};

/// The largest manifest read back (a million files fit in well under this).
const MANIFEST_LIMIT: u64 = 256 << 20;

pub struct Sources {
    pub database: PathBuf,
    pub data_dir: PathBuf,
    pub config: PathBuf,
    pub roster: PathBuf,
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub fn write(sources: &Sources, out: &Path, now: DateTime<Utc>) -> Result<Manifest, BackupError> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = File::create(&partial).map_err(io(&partial))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut files = Vec::new();
    let mut add = |zip: &mut zip::ZipWriter<File>, name: String, source: &Path| {
        add_file(zip, options, name, source, &partial).map(|entry| files.push(entry))
    };
    add(&mut zip, DATABASE.into(), &sources.database)?;
    for folder in ["raw", "photos"] {
        for (name, path) in walk(&sources.data_dir, folder)? {
            match add(&mut zip, name, &path) {
                // Written and renamed by intake while we walked: its final name is listed too.
                Err(BackupError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound => {}
                other => other?,
            }
        }
    }
    for path in [&sources.config, &sources.roster] {
        let name = path
            .file_name()
            .map_or_else(|| "file".to_string(), |n| n.to_string_lossy().into_owned());
        add(&mut zip, format!("{CONFIG_DIR}/{name}"), path)?;
    }
    let manifest = Manifest {
        format: 1,
        created_at: now.to_rfc3339(),
        reportdesk: crate::VERSION.to_string(),
        files,
    };
    let zip_error = |e: zip::result::ZipError| BackupError::Io {
        path: partial.clone(),
        source: std::io::Error::other(e),
    };
    zip.start_file(MANIFEST, options).map_err(zip_error)?;
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Invalid {
        path: partial.clone(),
        reason: e.to_string(),
    })?;
    zip.write_all(&json).map_err(io(&partial))?;
    let file = zip.finish().map_err(zip_error)?;
    file.sync_all().map_err(io(&partial))?;
    std::fs::rename(&partial, out).map_err(io(out))?;
    Ok(manifest)
}

fn add_file(
    zip: &mut zip::ZipWriter<File>,
    options: SimpleFileOptions,
    name: String,
    source: &Path,
    archive: &Path,
) -> Result<FileEntry, BackupError> {
    let mut input = File::open(source).map_err(io(source))?;
    zip.start_file(name.as_str(), options)
        .map_err(|e| BackupError::Io {
            path: archive.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
    let mut hashing = Hashing {
        inner: zip,
        hash: Sha256::new(),
        size: 0,
    };
    std::io::copy(&mut input, &mut hashing).map_err(io(source))?;
    Ok(FileEntry {
        path: name,
        size: hashing.size,
        sha256: hex::encode(hashing.hash.finalize()),
    })
}

/// Every regular file under `root/folder`, as ("folder/…", path), in name order.
fn walk(root: &Path, folder: &str) -> Result<Vec<(String, PathBuf)>, BackupError> {
    let mut out = Vec::new();
    let mut stack = vec![(folder.to_string(), root.join(folder))];
    while let Some((name, dir)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io(&dir))?;
            let kind = entry.file_type().map_err(io(&entry.path()))?;
            let child = format!("{name}/{}", entry.file_name().to_string_lossy());
            let temporary = entry.file_name().to_string_lossy().starts_with(".tmp");
            if kind.is_dir() {
                stack.push((child, entry.path()));
            } else if kind.is_file() && !temporary {
                out.push((child, entry.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads the archive, checking each file against the manifest; with `into`, also writes each
/// file under that folder.
pub fn read(path: &Path, into: Option<&Path>) -> Result<Manifest, BackupError> {
    let invalid = |reason: String| BackupError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let file = File::open(path).map_err(io(path))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| invalid(e.to_string()))?;
    let manifest: Manifest = {
        let entry = zip
            .by_name(MANIFEST)
            .map_err(|_| invalid(format!("no {MANIFEST}")))?;
        let mut text = Vec::new();
        entry
            .take(MANIFEST_LIMIT)
            .read_to_end(&mut text)
            .map_err(io(path))?;
        serde_json::from_slice(&text).map_err(|e| invalid(format!("{MANIFEST}: {e}")))?
    };
    if manifest.format != 1 {
        return Err(invalid(format!("format {} is unknown", manifest.format)));
    }
    let listed = manifest.files.len() + 1;
    if zip.len() != listed {
        return Err(invalid(format!(
            "{} entries, the manifest lists {listed}",
            zip.len()
        )));
    }
    for entry in &manifest.files {
        check_entry(&mut zip, path, entry, into)?;
    }
    Ok(manifest)
}

fn check_entry(
    zip: &mut zip::ZipArchive<File>,
    path: &Path,
    entry: &FileEntry,
    into: Option<&Path>,
) -> Result<(), BackupError> {
    let damaged = |reason: String| BackupError::Damaged {
        path: path.to_path_buf(),
        entry: entry.path.clone(),
        reason,
    };
    if !is_safe_name(&entry.path) {
        return Err(damaged("not a name a backup writes".into()));
    }
    let reader = zip
        .by_name(&entry.path)
        .map_err(|e| damaged(format!("missing: {e}")))?;
    let target = into.map(|dir| dir.join(&entry.path));
    let sink: Box<dyn Write> = match &target {
        Some(target) => {
            if let Some(folder) = target.parent() {
                std::fs::create_dir_all(folder).map_err(io(folder))?;
            }
            Box::new(File::create(target).map_err(io(target))?)
        }
        None => Box::new(std::io::sink()),
    };
    let mut hashing = Hashing {
        inner: sink,
        hash: Sha256::new(),
        size: 0,
    };
    std::io::copy(&mut reader.take(entry.size + 1), &mut hashing)
        .map_err(|e| damaged(e.to_string()))?;
    hashing.flush().map_err(|e| damaged(e.to_string()))?;
    let sha = hex::encode(hashing.hash.finalize());
    if hashing.size != entry.size || sha != entry.sha256 {
        return Err(damaged(format!(
            "{} bytes with SHA-256 {sha}, the manifest says {} bytes with {}",
            hashing.size, entry.size, entry.sha256
        )));
    }
    Ok(())
}
