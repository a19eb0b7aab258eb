//! Small text helpers: what people type (full-width forms folded to their ASCII equivalents) and
//! how dates are written for them (`2026年11月20日`).

use chrono::{Datelike, NaiveDate, Weekday};

/// Folds full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space (U+3000) to ASCII;
/// every other character is returned unchanged.
pub fn half_width_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// [`half_width_char`] over a whole string.
pub fn half_width(text: &str) -> String {
    text.chars().map(half_width_char).collect()
}

/// Dashes people type for a hyphen or for "nothing": en dash, em dash, horizontal bar, minus sign,
/// and the full-width hyphen-minus once folded.
pub fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
            | '\u{FF0D}'
    )
}

/// A byte count as people say it: "50MB", "512KB", "900字节".
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{}MB", bytes / MIB)
    } else if bytes >= KIB {
        format!("{}KB", bytes / KIB)
    } else {
        format!("{bytes}字节")
    }
}

/// `2026年11月20日`.
pub fn zh_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// `2026年11月20日（星期五）`.
pub fn zh_date_weekday(date: NaiveDate) -> String {
    let weekday = match date.weekday() {
        Weekday::Mon => "一",
        Weekday::Tue => "二",
        Weekday::Wed => "三",
        Weekday::Thu => "四",
        Weekday::Fri => "五",
        Weekday::Sat => "六",
        Weekday::Sun => "日",
    };
    format!("{}（星期{weekday}）", zh_date(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_ascii_and_the_ideographic_space() {
        assert_eq!(half_width("１２３ＡＢｃ（）：，"), "123ABc():,");
        assert_eq!(half_width("a\u{3000}b"), "a b");
        assert_eq!(half_width("公开信（封）"), "公开信(封)");
        assert_eq!(half_width("【】〔〕"), "【】〔〕");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(100 << 20), "100MB");
        assert_eq!(size_text(512 << 10), "512KB");
        assert_eq!(size_text(900), "900字节");
    }

    #[test]
    fn recognises_dashes() {
        for c in ['-', '—', '–', '－', '−'] {
            assert!(is_dash(c), "{c}");
        }
        assert!(!is_dash('_'));
    }
}
