//! Subject lines of replies on a thread: `Re: <their subject><our tag>`, however long the thread.
//!
//! Units answer our receipts and returns with a corrected form, and mail clients prefix the
//! subject (`Re:`, `回复：`, `答复:`, `AW:`, `Fwd:`, `Re[2]:`) each time; our own tag comes back too.
//! Each reply strips every such prefix and every tag of ours at the end before adding its own, so a
//! thread reads `Re: 跳磴镇报表（回执）` at every turn, never `Re: Re: …（回执）（回执）`.

use crate::domain::echo::{MAX_REPLY_SUBJECT_CHARS, cut_chars};

/// The tag of a receipt.
pub const TAG_RECEIPT: &str = "（回执）";
/// The tag of a return.
pub const TAG_RETURN: &str = "（退回，请修改后重报）";
/// The tag of the answer to photos sent later.
pub const TAG_PHOTOS: &str = "（照片已收到）";
/// The tag of a help reply (the mail held no form).
pub const TAG_HELP: &str = "（未找到报表）";

const TAGS: [&str; 4] = [TAG_RECEIPT, TAG_RETURN, TAG_PHOTOS, TAG_HELP];

/// Prefixes mail clients add, compared case-insensitively, colon full- or half-width.
const PREFIXES: [&str; 9] = [
    "re", "aw", "fw", "fwd", "回复", "答复", "转发", "回覆", "sv",
];

/// `Re: <their subject><tag>`, with no stacked prefixes or tags; an empty subject becomes the
/// form's name.
pub fn reply_subject(original: &str, tag: &str) -> String {
    let base = strip_tags(strip_prefixes(original.trim()));
    // Never longer than 200 characters, whatever the sender wrote (SPEC §13).
    let room = MAX_REPLY_SUBJECT_CHARS.saturating_sub("Re: ".len() + tag.chars().count());
    let base = cut_chars(base, room).trim_end();
    if base.is_empty() {
        format!("Re: 月情况报表{tag}")
    } else {
        format!("Re: {base}{tag}")
    }
}

/// The subject without the clients' reply and forward prefixes.
fn strip_prefixes(mut rest: &str) -> &str {
    while let Some(after) = one_prefix(rest) {
        rest = after.trim_start();
    }
    rest
}

/// The text after one leading prefix such as `Re:`, `RE：`, `Re[2]:` or `回复：`.
fn one_prefix(text: &str) -> Option<&str> {
    let lower = text.to_lowercase();
    let word = PREFIXES
        .iter()
        .filter(|p| lower.starts_with(*p))
        .max_by_key(|p| p.len())?;
    let mut rest = text.get(word.len()..)?;
    // `Re[2]:` and `Re(2):` counters.
    if let Some(inner) = rest.strip_prefix(['[', '(']) {
        let close = inner.find([']', ')'])?;
        if !inner.get(..close)?.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        rest = inner.get(close + 1..)?;
    }
    let rest = rest.trim_start();
    rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))
}

/// The subject without our tags at its end (any number of them, in any order).
fn strip_tags(mut rest: &str) -> &str {
    loop {
        let trimmed = rest.trim_end();
        let Some(shorter) = TAGS.iter().find_map(|tag| {
            trimmed
                .strip_suffix(tag)
                .or_else(|| strip_half_width(trimmed, tag))
        }) else {
            return trimmed;
        };
        rest = shorter;
    }
}

/// A tag written with half-width brackets by a client or a person: `(回执)`.
fn strip_half_width<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let inner = tag.strip_prefix('（')?.strip_suffix('）')?;
    text.strip_suffix(')')?
        .strip_suffix(inner)?
        .strip_suffix('(')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_reply_adds_re_and_the_tag() {
        assert_eq!(
            reply_subject("跳磴镇报表", TAG_RECEIPT),
            "Re: 跳磴镇报表（回执）"
        );
        assert_eq!(reply_subject("  ", TAG_RECEIPT), "Re: 月情况报表（回执）");
    }

    #[test]
    fn prefixes_of_every_client_do_not_pile_up() {
        for subject in [
            "Re: RE：回复：报表",
            "Re[2]: 报表",
            "AW: Fwd: 报表",
            "答复: 转发：报表",
            "re:re:报表",
        ] {
            assert_eq!(
                reply_subject(subject, TAG_RECEIPT),
                "Re: 报表（回执）",
                "{subject}"
            );
        }
    }

    #[test]
    fn our_own_tags_coming_back_on_the_thread_are_replaced_not_stacked() {
        let first = reply_subject("跳磴镇11月报表", TAG_RETURN);
        let second = reply_subject(&format!("回复：{first}"), TAG_RECEIPT);
        assert_eq!(second, "Re: 跳磴镇11月报表（回执）");
        let third = reply_subject(&format!("Re: {second}"), TAG_RECEIPT);
        assert_eq!(third, second);
        assert_eq!(
            reply_subject("Re: 报表（回执）(回执)（照片已收到）", TAG_PHOTOS),
            "Re: 报表（照片已收到）"
        );
    }

    #[test]
    fn words_that_only_look_like_prefixes_stay() {
        assert_eq!(
            reply_subject("Report 11月", TAG_RECEIPT),
            "Re: Report 11月（回执）"
        );
        assert_eq!(
            reply_subject("Re[x]: 报表", TAG_RECEIPT),
            "Re: Re[x]: 报表（回执）"
        );
    }

    #[test]
    fn reply_subjects_stay_within_200_characters_and_keep_their_tag() {
        let long = "报".repeat(5_000);
        let subject = reply_subject(&long, TAG_RETURN);
        assert_eq!(subject.chars().count(), MAX_REPLY_SUBJECT_CHARS);
        assert!(subject.ends_with(TAG_RETURN), "{subject}");
    }
}
