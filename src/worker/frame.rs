//! Length-prefixed frames on a byte stream: a tag byte, a little-endian `u32` length, then the
//! bytes. A length beyond the caller's bound is refused before anything is allocated.

use std::io::{Read, Write};

use thiserror::Error;

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Daemon to worker: a [`super::Job`].
    Job = 1,
    /// Worker to daemon: the name of the file it is about to open.
    Progress = 2,
    /// Worker to daemon: the [`super::Reply`].
    Reply = 3,
    /// Worker to daemon: the file it named last is open; it is reading its forms now.
    Reading = 4,
}

impl Tag {
    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Tag::Job),
            2 => Some(Tag::Progress),
            3 => Some(Tag::Reply),
            4 => Some(Tag::Reading),
            _ => None,
        }
    }
}

#[derive(Debug, Error)]
pub enum FrameError {
    #[error("the stream ended")]
    Closed,
    #[error("a frame of {len} bytes is larger than the {limit} allowed")]
    TooLarge { len: u64, limit: u64 },
    #[error("unknown frame tag {0}")]
    UnknownTag(u8),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The header of a frame: its tag and length.
pub fn header(tag: Tag, len: usize) -> Result<[u8; 5], FrameError> {
    let len = u32::try_from(len).map_err(|_| FrameError::TooLarge {
        len: len as u64,
        limit: u64::from(u32::MAX),
    })?;
    let mut out = [0u8; 5];
    out[0] = tag as u8;
    out[1..].copy_from_slice(&len.to_le_bytes());
    Ok(out)
}

/// Reads a header; `Closed` at a clean end of stream.
pub fn parse_header(bytes: [u8; 5], limit: u64) -> Result<(Tag, usize), FrameError> {
    let tag = Tag::from_byte(bytes[0]).ok_or(FrameError::UnknownTag(bytes[0]))?;
    let len = u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
    if u64::from(len) > limit {
        return Err(FrameError::TooLarge {
            len: u64::from(len),
            limit,
        });
    }
    Ok((tag, len as usize))
}

/// Writes one frame (blocking side: the worker).
pub fn write_frame(out: &mut impl Write, tag: Tag, bytes: &[u8]) -> Result<(), FrameError> {
    out.write_all(&header(tag, bytes.len())?)?;
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// Reads one frame of at most `limit` bytes (blocking side: the worker).
pub fn read_frame(input: &mut impl Read, limit: u64) -> Result<(Tag, Vec<u8>), FrameError> {
    let mut head = [0u8; 5];
    match input.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let (tag, len) = parse_header(head, limit)?;
    let mut body = vec![0u8; len];
    input.read_exact(&mut body)?;
    Ok((tag, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_are_bounded() {
        let mut wire = Vec::new();
        write_frame(&mut wire, Tag::Progress, b"a.xlsx").unwrap();
        write_frame(&mut wire, Tag::Reply, b"").unwrap();
        let mut input = wire.as_slice();
        assert_eq!(
            read_frame(&mut input, 100).unwrap(),
            (Tag::Progress, b"a.xlsx".to_vec())
        );
        assert_eq!(read_frame(&mut input, 100).unwrap(), (Tag::Reply, vec![]));
        assert!(matches!(
            read_frame(&mut input, 100),
            Err(FrameError::Closed)
        ));
        let mut huge = header(Tag::Job, 0).unwrap();
        huge[1..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            parse_header(huge, 1 << 20),
            Err(FrameError::TooLarge { .. })
        ));
        assert!(matches!(
            parse_header([9, 0, 0, 0, 0], 1),
            Err(FrameError::UnknownTag(9))
        ));
    }
}
