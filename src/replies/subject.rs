//! The subject line of a reply.

/// `Re: <their subject><tag>`, without piling up `Re:` or `回复：` prefixes.
pub fn reply_subject(original: &str, tag: &str) -> String {
    let mut rest = original.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        let cut = ["re:", "re：", "回复:", "回复：", "答复:", "答复："]
            .iter()
            .find(|p| lower.starts_with(&p.to_ascii_lowercase()))
            .map(|p| p.len());
        match cut {
            Some(n) => rest = rest[n..].trim_start(),
            None => break,
        }
    }
    if rest.is_empty() {
        format!("Re: 月情况报表{tag}")
    } else {
        format!("Re: {rest}{tag}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_subjects_do_not_pile_up_prefixes() {
        assert_eq!(
            reply_subject("跳磴镇报表", "（回执）"),
            "Re: 跳磴镇报表（回执）"
        );
        assert_eq!(
            reply_subject("Re: RE：回复：报表", "（回执）"),
            "Re: 报表（回执）"
        );
        assert_eq!(reply_subject("  ", "（回执）"), "Re: 月情况报表（回执）");
    }
}
