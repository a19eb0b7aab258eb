//! IMAP mailbox names in modified UTF-7 (RFC 3501 §5.1.3).
//!
//! QQ Mail and NetEase name their folders in Chinese (`已发送`, `其他文件夹/报表`); on the wire these
//! must be written as `&XfJT0ZAB-`. async-imap passes names through unchanged, so every folder name
//! from the config goes through [`encode`] before it is sent.

use base64::Engine;
use base64::alphabet::IMAP_MUTF7;
use base64::engine::{GeneralPurpose, general_purpose::NO_PAD};

const ENGINE: GeneralPurpose = GeneralPurpose::new(&IMAP_MUTF7, NO_PAD);

/// Encodes a folder name: printable ASCII stays, `&` becomes `&-`, anything else is UTF-16 in
/// modified base64 between `&` and `-`.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut pending);
    out
}

fn flush(out: &mut String, pending: &mut Vec<u16>) {
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    out.push_str(&ENGINE.encode(bytes));
    out.push('-');
    pending.clear();
}

/// Decodes a name as a server lists it; `None` when it is not valid modified UTF-7.
pub fn decode(wire: &str) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('-')?;
        let chunk = &after[..end];
        if chunk.is_empty() {
            out.push('&');
        } else {
            let bytes = ENGINE.decode(chunk).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_rfc_examples_and_chinese_folders() {
        assert_eq!(encode("INBOX"), "INBOX");
        assert_eq!(encode("reportdesk/processed"), "reportdesk/processed");
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(encode("A&B"), "A&-B");
        assert_eq!(encode("已处理"), "&XfJZBHQG-");
    }

    #[test]
    fn decoding_reverses_encoding() {
        for name in [
            "INBOX",
            "报表/已处理",
            "A&B 月报",
            "😀 emoji",
            "其他文件夹/2026年11月",
        ] {
            assert_eq!(decode(&encode(name)).as_deref(), Some(name), "{name}");
        }
        assert_eq!(decode("&U,BTFw-"), Some("台北".into()));
        assert_eq!(decode("&U,BTF"), None);
    }
}
