//! The sender check (SPEC §13) as the console shows it, on the board and in the message log: a
//! short Chinese word with the verdict's name (`pass` / `fail` / `none`) kept in `data-verdict`,
//! "已人工确认" when staff approved a held form, and who uploaded a form that came through the
//! console (SPEC §15: the login vouches for it, so its verdict is `pass`).

use maud::{Markup, html};

use crate::sender::Verdict;

/// Who uploaded the message, from its `source` (`upload:web:NAME`).
pub fn uploader(source: &str) -> Option<&str> {
    source.strip_prefix("upload:web:")
}

/// The short word for a verdict; `None`: not checked.
pub fn word(verdict: Option<Verdict>) -> &'static str {
    match verdict {
        Some(Verdict::Pass) => "通过",
        Some(Verdict::Fail) => "未通过",
        Some(Verdict::None) => "未验证",
        None => "—",
    }
}

/// One table cell: the verdict, approval and uploader.
pub fn cell(verdict: Option<Verdict>, approved: bool, source: &str) -> Markup {
    let name = verdict.map(Verdict::as_str);
    html! {
        td.verdict data-verdict=(name.unwrap_or("")) {
            @match uploader(source) {
                Some(user) => { (word(verdict)) "（网页上传：" (user) "）" },
                None => { (word(verdict)) },
            }
            @if approved { "，已人工确认" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_verdict_has_its_word_and_name() {
        let fail = cell(Some(Verdict::Fail), true, "maildir:x").into_string();
        assert!(fail.contains(r#"data-verdict="fail""#), "{fail}");
        assert!(fail.contains("未通过，已人工确认"), "{fail}");
        let upload = cell(Some(Verdict::Pass), false, "upload:web:li").into_string();
        assert!(upload.contains("通过（网页上传：li）"), "{upload}");
        let unchecked = cell(None, false, "maildir:x").into_string();
        assert!(unchecked.contains(r#"data-verdict="""#) && unchecked.contains('—'));
        assert_eq!(word(Some(Verdict::None)), "未验证");
        // Text other than pass | fail | none never reaches here: the store cannot hold it
        // (`store::held`'s test).
        assert_eq!(word(None), "—");
    }
}
