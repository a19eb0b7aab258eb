//! Delivery status notifications (RFC 3464): which recipients failed, and which message of ours
//! bounced. Read from the raw text, because DSNs from real servers vary more than any parser
//! expects: the `message/delivery-status` fields are `Final-Recipient: rfc822; addr` and
//! `Action: failed` per recipient, and the returned message (or its headers) carries the
//! Message-ID that was sent.

/// What a bounce says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bounce {
    /// Recipients whose delivery failed for good, lower-cased.
    pub failed: Vec<String>,
    /// The Message-IDs in the returned message or headers (with angle brackets), ours among them.
    pub returned_ids: Vec<String>,
    /// The first `Status:` or `Diagnostic-Code:` seen, for people to read.
    pub reason: Option<String>,
}

/// Reads a DSN; an ordinary message gives an empty [`Bounce`].
pub fn read(raw: &[u8]) -> Bounce {
    let text = String::from_utf8_lossy(raw);
    let mut bounce = Bounce::default();
    let mut recipient: Option<String> = None;
    let mut seen_first_id = false;
    let mut in_recipient_fields = false;
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "final-recipient" | "original-recipient" => {
                in_recipient_fields = true;
                if recipient.is_none() {
                    recipient = address_of(value);
                }
            }
            "action" => {
                if let Some(address) = recipient.take()
                    && value.eq_ignore_ascii_case("failed")
                    && !bounce.failed.contains(&address)
                {
                    bounce.failed.push(address);
                }
            }
            "status" | "diagnostic-code" if bounce.reason.is_none() && in_recipient_fields => {
                bounce.reason = Some(value.to_string());
            }
            "message-id" => {
                // The first Message-ID is the DSN's own; later ones belong to the returned mail.
                if seen_first_id && value.starts_with('<') {
                    bounce.returned_ids.push(value.to_string());
                }
                seen_first_id = true;
            }
            _ => {}
        }
    }
    bounce
}

fn address_of(value: &str) -> Option<String> {
    let address = value
        .split_once(';')
        .map_or(value, |(_, a)| a)
        .trim()
        .trim_matches(['<', '>'])
        .to_lowercase();
    address.contains('@').then_some(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_failed_recipient_and_the_returned_message_of_a_real_dsn() {
        let raw = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/acceptance/043-bounce-dsn.eml"
        ))
        .unwrap();
        let bounce = read(&raw);
        assert_eq!(bounce.failed, vec!["jxw_old@dadukou.gov.example"]);
        assert_eq!(
            bounce.returned_ids,
            vec!["<tencent_1F6BAF86685538E7D84FB8593AA7F2F9@qq.example>"]
        );
        assert_eq!(bounce.reason.as_deref(), Some("5.1.1"));
    }

    #[test]
    fn delayed_delivery_is_not_a_failure_and_plain_mail_is_no_bounce() {
        let delayed =
            "Message-ID: <dsn@mx>\r\n\r\nFinal-Recipient: rfc822; a@b.cn\r\nAction: delayed\r\n";
        assert!(read(delayed.as_bytes()).failed.is_empty());
        let plain = "From: a@b.cn\r\nMessage-ID: <x@y>\r\n\r\nhello: world\r\n";
        assert_eq!(read(plain.as_bytes()), Bounce::default());
    }
}
