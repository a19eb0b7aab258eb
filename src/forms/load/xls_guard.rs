//! A guard run before calamine parses a `.xls`.
//!
//! calamine's BIFF reader sizes memory from the file: it reserves rows × columns cells as a sheet's
//! DIMENSIONS record declares, and builds each sheet as a dense rows × columns grid spanning its
//! cells. A crafted file of a few kilobytes can thus ask for hundreds of gigabytes, and a failed
//! allocation aborts the process (no panic to catch). So the workbook stream is taken out of the
//! OLE compound file here, with every size bounded by the file's length, and each sheet's
//! declared and actual extent is checked the way calamine will read it.
//!
//! "The way calamine reads it" matters: the stream is found by calamine's rules (the first entry
//! named `Workbook` or `Book` in any ASCII case, the name being the entry's first 64 bytes cut at
//! a NUL, streams under 4096 bytes in the mini stream), else a file naming it `WORKBOOK` slipped
//! past. And calamine follows sector chains until they end or reach the declared length, so
//! every chain it may follow is walked here first and a loop is refused.

use super::xls_continues::Continues;
use super::{MAX_SHEET_AREA, WorkbookError};

const FREE_OR_END: u32 = 0xFFFF_FFFA;
const HEADER_LEN: usize = 512;

/// Checks a `.xls` before calamine reads it.
pub(super) fn check(bytes: &[u8]) -> Result<(), WorkbookError> {
    let cfb = Cfb::parse(bytes).ok_or_else(|| damaged("compound file structure"))?;
    let mut visited = vec![false; cfb.fat.len()];
    let directory = cfb.directory(&mut visited)?;
    cfb.check_chains(&directory, &mut visited)?;
    let Some(stream) = cfb.workbook_stream(&directory)? else {
        // Not a BIFF workbook (a Word file, an encrypted xlsx): calamine says which.
        return Ok(());
    };
    check_biff(&stream)
}

fn damaged(what: &str) -> WorkbookError {
    WorkbookError::Damaged(format!("invalid {what}"))
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Streams shorter than this live in the mini stream: calamine's threshold, whatever the
/// header's own cutoff field says.
const MINI_STREAM_CUTOFF: u64 = 4096;

struct Cfb<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    fat: Vec<u32>,
    dir_start: u32,
    minifat_sectors: u32,
    minifat_start: u32,
}

/// A directory entry, read as calamine reads it.
struct DirEntry {
    name: String,
    start: u32,
    len: u64,
}

impl<'a> Cfb<'a> {
    fn parse(bytes: &'a [u8]) -> Option<Self> {
        let sector_size = match u16_at(bytes, 0x1E)? {
            9 => 512,
            12 => 4096,
            _ => return None,
        };
        let mut cfb = Cfb {
            bytes,
            sector_size,
            fat: Vec::new(),
            dir_start: u32_at(bytes, 0x30)?,
            minifat_start: u32_at(bytes, 0x3C)?,
            minifat_sectors: u32_at(bytes, 0x40)?,
        };
        cfb.fat = cfb.read_fat()?;
        Some(cfb)
    }

    fn sector_count(&self) -> usize {
        self.bytes.len().saturating_sub(HEADER_LEN) / self.sector_size + 1
    }

    fn sector(&self, id: u32) -> Option<&'a [u8]> {
        let start = (usize::try_from(id).ok()? + 1).checked_mul(self.sector_size)?;
        let end = start.saturating_add(self.sector_size).min(self.bytes.len());
        self.bytes.get(start..end)
    }

    /// The FAT, from the header's DIFAT entries and the DIFAT chain; never longer than needed to
    /// cover the sectors the file holds.
    fn read_fat(&self) -> Option<Vec<u32>> {
        let mut fat_sectors: Vec<u32> = (0..109)
            .filter_map(|i| u32_at(self.bytes, 0x4C + 4 * i))
            .filter(|id| *id < FREE_OR_END)
            .collect();
        let mut next = u32_at(self.bytes, 0x44)?;
        let per_sector = self.sector_size / 4;
        let mut steps = 0;
        while next < FREE_OR_END && steps <= self.sector_count() {
            let sector = self.sector(next)?;
            let ids: Vec<u32> = (0..per_sector)
                .filter_map(|i| u32_at(sector, 4 * i))
                .collect();
            let (last, entries) = ids.split_last()?;
            fat_sectors.extend(entries.iter().filter(|id| **id < FREE_OR_END));
            next = *last;
            steps += 1;
        }
        let mut fat = Vec::new();
        for id in fat_sectors {
            if fat.len() > self.sector_count() {
                break;
            }
            let sector = self.sector(id)?;
            fat.extend((0..per_sector).filter_map(|i| u32_at(sector, 4 * i)));
        }
        Some(fat)
    }

    /// The bytes of the chain starting at `start`, at most `limit` long (kept at most `keep`).
    /// calamine follows a chain until its end or `limit`, so a chain that comes back to a sector
    /// before either would grow without bound there: that, a sector already `visited` (sectors
    /// belong to one chain only), or a sector outside the file, is damage.
    fn chain(
        &self,
        start: u32,
        (limit, keep): (u64, usize),
        visited: &mut [bool],
    ) -> Result<Vec<u8>, WorkbookError> {
        let mut out = Vec::new();
        let mut id = start;
        let mut length: u64 = 0;
        while id < FREE_OR_END && length < limit {
            let index = usize::try_from(id).map_err(|_| damaged("sector chain"))?;
            match visited.get_mut(index) {
                Some(seen) if !*seen => *seen = true,
                _ => return Err(damaged("sector chain (a loop or a sector past the end)")),
            }
            let sector = self.sector(id).ok_or_else(|| damaged("sector chain"))?;
            length = length.saturating_add(sector.len() as u64);
            if out.len() < keep {
                out.extend_from_slice(sector);
            }
            id = *self.fat.get(index).ok_or_else(|| damaged("sector chain"))?;
        }
        out.truncate(keep);
        Ok(out)
    }

    /// The directory, entry by entry, named as calamine names them: the first 64 bytes decoded as
    /// UTF-16 (lossily), cut at the first NUL, whatever the entry's name-length field says.
    fn directory(&self, visited: &mut [bool]) -> Result<Vec<DirEntry>, WorkbookError> {
        let bytes = self.chain(self.dir_start, (u64::MAX, self.bytes.len()), visited)?;
        let large = self.sector_size == 4096;
        Ok(bytes
            .chunks_exact(128)
            .filter_map(|entry| {
                let units = entry
                    .get(..64)?
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]));
                let name: String = char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .take_while(|c| *c != '\0')
                    .collect();
                let len = if large {
                    u64_at(entry, 0x78)?
                } else {
                    u64::from(u32_at(entry, 0x78)?)
                };
                Some(DirEntry {
                    name,
                    start: u32_at(entry, 0x74)?,
                    len,
                })
            })
            .collect())
    }

    /// Every chain calamine may follow, followed here first: the mini-stream container and the
    /// mini FAT, and each stream in the big FAT; no two share a sector, so this is linear.
    fn check_chains(
        &self,
        directory: &[DirEntry],
        visited: &mut [bool],
    ) -> Result<(), WorkbookError> {
        let root = directory.first().ok_or_else(|| damaged("directory"))?;
        if self.minifat_sectors > 0 {
            self.chain(root.start, (root.len, 0), visited)?;
            self.chain(self.minifat_start, (self.minifat_len(), 0), visited)?;
        }
        for entry in directory.iter().skip(1) {
            if entry.len >= MINI_STREAM_CUTOFF {
                self.chain(entry.start, (entry.len, 0), visited)?;
            }
        }
        Ok(())
    }

    fn minifat_len(&self) -> u64 {
        u64::from(self.minifat_sectors).saturating_mul(self.sector_size as u64)
    }

    fn fresh(&self) -> Vec<bool> {
        vec![false; self.fat.len()]
    }

    /// The `Workbook` (or BIFF5 `Book`) stream, found as calamine finds it: the first entry so
    /// named, ASCII case-insensitively (`WORKBOOK` is read too).
    fn workbook_stream(&self, directory: &[DirEntry]) -> Result<Option<Vec<u8>>, WorkbookError> {
        let Some(entry) = ["Workbook", "Book"].iter().find_map(|name| {
            directory
                .iter()
                .find(|e| e.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
        }) else {
            return Ok(None);
        };
        let limit = self.bytes.len();
        let size = usize::try_from(entry.len).unwrap_or(usize::MAX).min(limit);
        if entry.len >= MINI_STREAM_CUTOFF {
            return self
                .chain(entry.start, (entry.len, size), &mut self.fresh())
                .map(Some);
        }
        let Some(root) = directory.first() else {
            return Ok(None);
        };
        let mini_stream = self.chain(root.start, (root.len, limit), &mut self.fresh())?;
        let minifat_bytes = self.chain(
            self.minifat_start,
            (self.minifat_len(), limit),
            &mut self.fresh(),
        )?;
        let minifat: Vec<u32> = minifat_bytes
            .chunks_exact(4)
            .filter_map(|c| Some(u32::from_le_bytes(c.try_into().ok()?)))
            .collect();
        mini_chain(&mini_stream, &minifat, entry.start, size)
            .map(Some)
            .ok_or_else(|| damaged("mini stream chain"))
    }
}

fn mini_chain(mini_stream: &[u8], minifat: &[u32], start: u32, limit: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut id = start;
    let mut steps = 0;
    while id < FREE_OR_END && out.len() < limit {
        if steps > minifat.len() {
            return None;
        }
        let at = usize::try_from(id).ok()?.checked_mul(64)?;
        out.extend_from_slice(mini_stream.get(at..at.saturating_add(64).min(mini_stream.len()))?);
        id = *minifat.get(usize::try_from(id).ok()?)?;
        steps += 1;
    }
    out.truncate(limit);
    Some(out)
}

/// Records of a BIFF stream from `at`: (type, data).
fn records(stream: &[u8], at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut pos = at;
    std::iter::from_fn(move || {
        let typ = u16_at(stream, pos)?;
        let len = usize::from(u16_at(stream, pos + 2)?);
        let data = stream.get(pos + 4..pos + 4 + len)?;
        pos += 4 + len;
        Some((typ, data))
    })
}

/// Checks the globals and every sheet substream named by a BoundSheet record, as calamine
/// walks them.
fn check_biff(stream: &[u8]) -> Result<(), WorkbookError> {
    let mut continues = Continues::default();
    let mut positions = Vec::new();
    for (typ, data) in records(stream, 0).take_while(|(typ, _)| *typ != 0x000A) {
        continues.see(typ)?;
        if typ == 0x0085
            && let Some(pos) = u32_at(data, 0).and_then(|pos| usize::try_from(pos).ok())
        {
            positions.push(pos);
        }
    }
    positions
        .into_iter()
        .try_for_each(|pos| check_sheet(stream, pos, &mut continues))
}

#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Extent {
    fn add(&mut self, row: u32, col: u32) {
        let widen = |range: Option<(u32, u32)>, v: u32| {
            Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        };
        self.rows = widen(self.rows, row);
        self.cols = widen(self.cols, col);
    }

    fn area(&self) -> u64 {
        let span = |r: Option<(u32, u32)>| r.map_or(0, |(lo, hi)| u64::from(hi - lo) + 1);
        span(self.rows) * span(self.cols)
    }
}

fn check_sheet(stream: &[u8], pos: usize, continues: &mut Continues) -> Result<(), WorkbookError> {
    let too_big = || WorkbookError::TooManyCells {
        limit: MAX_SHEET_AREA as usize,
    };
    let mut cells = Extent::default();
    let mut seen_bof = false;
    let mut depth = 0usize;
    continues.restart();
    for (typ, data) in records(stream, pos) {
        continues.see(typ)?;
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0200 if declared_area(data).is_none_or(|area| area > MAX_SHEET_AREA) => {
                return Err(too_big());
            }
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x00BD | 0x0006 => {
                let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) else {
                    continue;
                };
                cells.add(u32::from(row), u32::from(col));
                if typ == 0x00BD
                    && let Some(last) = data.len().checked_sub(2).and_then(|at| u16_at(data, at))
                {
                    cells.add(u32::from(row), u32::from(last));
                }
                if cells.area() > MAX_SHEET_AREA {
                    return Err(too_big());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// rows × columns that calamine will reserve for a DIMENSIONS record; `None` when its arithmetic
/// would wrap.
fn declared_area(data: &[u8]) -> Option<u64> {
    let (rf, rl, cf, cl) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0)?),
            u32::from(u16_at(data, 2)?),
            u32::from(u16_at(data, 4)?),
            u32::from(u16_at(data, 6)?),
        ),
        14 | 16 => (
            u32_at(data, 0)?,
            u32_at(data, 4)?,
            u32::from(u16_at(data, 8)?),
            u32::from(u16_at(data, 10)?),
        ),
        _ => return Some(0),
    };
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    if rl < 1 || cl < 1 {
        return Some(1);
    }
    let rows = u64::from((rl - 1).checked_sub(rf)?) + 1;
    let cols = u64::from((cl - 1).checked_sub(cf)?) + 1;
    Some(rows * cols)
}

#[cfg(test)]
#[path = "xls_guard_tests.rs"]
mod tests;
