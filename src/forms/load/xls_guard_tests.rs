//! Tests of the .xls guard (`xls_guard.rs`).

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/acceptance-forms")
        .join(name);
    std::fs::read(path).unwrap()
}

/// The offset of the first DIMENSIONS record of a sheet in the raw file (the fixtures are
/// small enough for their workbook stream to be contiguous).
fn dimensions_offset(bytes: &[u8]) -> usize {
    let cfb = Cfb::parse(bytes).unwrap();
    let directory = cfb.directory(&mut cfb.fresh()).unwrap();
    let stream = cfb.workbook_stream(&directory).unwrap().unwrap();
    let sheet = check_biff_positions(&stream)[0];
    let mut pos = sheet;
    for (typ, data) in records(&stream, sheet) {
        if typ == 0x0200 {
            let needle = &stream[pos..pos + 4 + data.len()];
            return bytes
                .windows(needle.len())
                .position(|w| w == needle)
                .unwrap();
        }
        pos += 4 + data.len();
    }
    panic!("no DIMENSIONS record");
}

fn check_biff_positions(stream: &[u8]) -> Vec<usize> {
    records(stream, 0)
        .filter(|(typ, _)| *typ == 0x0085)
        .map(|(_, data)| u32_at(data, 0).unwrap() as usize)
        .collect()
}

#[test]
fn real_xls_files_pass() {
    for name in ["003.xls", "025.xls", "031.xls"] {
        assert_eq!(check(&fixture(name)), Ok(()), "{name}");
    }
}

#[test]
fn a_huge_declared_sheet_is_refused_before_calamine_reserves_it() {
    let mut bytes = fixture("003.xls");
    let at = dimensions_offset(&bytes);
    bytes[at + 8..at + 12].copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
    bytes[at + 14..at + 16].copy_from_slice(&0x00FFu16.to_le_bytes());
    assert!(matches!(
        check(&bytes),
        Err(WorkbookError::TooManyCells { .. })
    ));
    assert!(matches!(
        super::super::open_workbook(&bytes, 1 << 24),
        Err(WorkbookError::TooManyCells { .. })
    ));
}

#[test]
fn a_wrapping_dimensions_record_is_refused() {
    // rwMic above rwMac: calamine's `end - start + 1` would wrap around.
    let mut bytes = fixture("003.xls");
    let at = dimensions_offset(&bytes);
    bytes[at + 4..at + 8].copy_from_slice(&1000u32.to_le_bytes());
    bytes[at + 8..at + 12].copy_from_slice(&10u32.to_le_bytes());
    assert!(check(&bytes).is_err());
}

#[test]
fn extents_and_areas() {
    assert_eq!(
        declared_area(&[0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 11, 0, 0, 0]),
        Some(66)
    );
    assert_eq!(declared_area(&[0; 14]), Some(1));
    let mut extent = Extent::default();
    extent.add(0, 0);
    extent.add(65535, 255);
    assert_eq!(extent.area(), 65536 * 256);
}
