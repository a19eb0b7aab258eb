//! A guard run before calamine opens an `.xlsx`.
//!
//! calamine reserves room for as many shared strings as `sharedStrings.xml` declares in its
//! `<sst uniqueCount="…">` before reading any: a 5 KB file declaring 10^12 asked for 24 TB and the
//! failed allocation aborted the process. Every shared-strings part of the zip (whatever folder
//! the workbook's relationships name) is read here up to its `sst` element with a real XML
//! reader, and a count beyond what any form could use is refused. Both the raw digits (as
//! calamine reads them) and the entity-decoded value are looked at.

use std::io::{BufReader, Read, Seek};

use quick_xml::events::Event;

use super::{MAX_CELLS, WorkbookError};

/// Checks the declared shared-strings counts of an xlsx whose declared sizes are within `limit`.
pub(super) fn check<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    limit: u64,
) -> Result<(), WorkbookError> {
    let parts: Vec<usize> = (0..zip.len())
        .filter(|&i| {
            zip.name_for_index(i).is_some_and(|name| {
                name.is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
            })
        })
        .collect();
    for index in parts {
        let part = zip.by_index(index).map_err(damaged)?;
        let declared = declared_count(BufReader::new(part.take(limit)))?;
        if declared > MAX_CELLS as u64 {
            return Err(WorkbookError::TooManyCells { limit: MAX_CELLS });
        }
    }
    Ok(())
}

fn damaged(error: impl std::fmt::Display) -> WorkbookError {
    WorkbookError::Damaged(error.to_string())
}

/// The largest count (`uniqueCount` or `count`, any prefix) the first `sst` element declares (0
/// without one).
fn declared_count(source: impl std::io::BufRead) -> Result<u64, WorkbookError> {
    let mut reader = quick_xml::Reader::from_reader(source);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(damaged)?;
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => e,
            Event::Eof => return Ok(0),
            _ => continue,
        };
        if element.local_name().as_ref() != "sst" {
            continue;
        }
        let mut largest = 0;
        for attribute in element.attributes().with_checks(false) {
            let attribute = attribute.map_err(damaged)?;
            let name = attribute.key.local_name();
            if !(name.as_ref().eq_ignore_ascii_case("uniqueCount")
                || name.as_ref().eq_ignore_ascii_case("count"))
            {
                continue;
            }
            let raw = attribute.value.to_string();
            let decoded = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default();
            largest = largest.max(digits_value(&raw)).max(digits_value(&decoded));
        }
        return Ok(largest);
    }
}

/// The number the digits of `text` spell, ignoring anything else, saturating.
fn digits_value(text: &str) -> u64 {
    text.chars()
        .filter_map(|c| c.to_digit(10))
        .fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(xml: &str) -> u64 {
        declared_count(xml.as_bytes()).unwrap()
    }

    #[test]
    fn counts_are_read_raw_and_decoded() {
        assert_eq!(
            count(r#"<?xml version="1.0"?><sst count="3" uniqueCount="2"><si/></sst>"#),
            3
        );
        assert_eq!(
            count(r#"<x:sst uniqueCount="1000000000000"/>"#),
            1_000_000_000_000
        );
        // Raw, its digits spell 49000000; decoded, 1000000: the larger counts.
        assert_eq!(count(r#"<sst uniqueCount="&#49;000000"/>"#), 49_000_000);
        assert_eq!(count(r#"<sst uniqueCount="&#x32;"/>"#), 32);
        assert_eq!(
            count(r#"<sst uniqueCount="99999999999999999999999999"/>"#),
            u64::MAX
        );
        assert_eq!(count("<other/>"), 0);
        assert_eq!(count(r#"<sst xr:uid="{12345678-1234}" count="5"/>"#), 5);
    }
}
