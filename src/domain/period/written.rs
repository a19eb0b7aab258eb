//! Reading a month as people write it: in a 报表月份 cell, a title, a mail subject or a chat
//! message (`2026年11月`, `2026-11`, `2026/11`, `2026.11`, `2026年11月份`, `11月`, `十一月`,
//! `202611`, a date typed as text `2026-11-05`). Full-width digits and blanks are folded first.
//!
//! A month without a year is the latest such month not after the open period, so a December form
//! received in January, or `12月` asked in January, is last year's ([`Period::latest_of_month`]).
//! The forms' readers and the bot both read months here.

use super::Period;
use crate::domain::text::half_width;

impl Period {
    /// A month as people write it, the whole text (optionally followed by a day and time):
    /// `2026年11月`, `2026-11`, `2026/11`, `2026.11`, `11月`, `十一月`, `202611`, `2026-11-05`.
    /// A month without its year is the latest such month not after `open`.
    pub fn from_written(text: &str, open: Period) -> Option<Period> {
        let chars = fold(text);
        let (period, end) = parse_at(&chars, 0, open, true)?;
        let rest = chars.get(end..).unwrap_or_default();
        rest.iter()
            .all(|c| c.is_ascii_digit() || "-/.日号:T".contains(*c))
            .then_some(period)
    }

    /// The first month mentioned in a free text such as a title, a mail subject or a chat
    /// message (`YYYYMM` only as a whole text, see [`Period::from_written`]).
    pub fn find_in_text(text: &str, open: Period) -> Option<Period> {
        let chars = fold(text);
        (0..chars.len())
            .filter(|&i| starts_token(&chars, i))
            .find_map(|i| parse_at(&chars, i, open, false).map(|(period, _)| period))
    }
}

fn fold(text: &str) -> Vec<char> {
    half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn is_numeral(c: char) -> bool {
    "一二三四五六七八九十".contains(c)
}

/// A number starts here: a digit or numeral not preceded by one of its kind.
fn starts_token(chars: &[char], i: usize) -> bool {
    let Some(&c) = chars.get(i) else { return false };
    let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
    (c.is_ascii_digit() && !prev.is_some_and(|p| p.is_ascii_digit()))
        || (is_numeral(c) && !prev.is_some_and(is_numeral))
}

/// Parses a month at `i`: (period, index after it). `whole` also allows `YYYYMM`.
fn parse_at(chars: &[char], i: usize, open: Period, whole: bool) -> Option<(Period, usize)> {
    if chars.get(i).is_some_and(|c| is_numeral(*c)) {
        let (month, end) = numeral_month(chars, i)?;
        let end = expect_month_suffix(chars, end, true)?;
        return Some((Period::latest_of_month(month, open)?, end));
    }
    let (digits, end) = digit_run(chars, i);
    match digits.len() {
        4 => year_month(chars, end, digits.parse().ok()?),
        6 if whole => {
            let year = digits.get(..4)?.parse().ok()?;
            let month = digits.get(4..)?.parse().ok()?;
            Some((Period::new(year, month)?, end))
        }
        1 | 2 => {
            let end = expect_month_suffix(chars, end, true)?;
            Some((Period::latest_of_month(digits.parse().ok()?, open)?, end))
        }
        _ => None,
    }
}

/// After a four-digit year at `i`: a separator, then the month.
fn year_month(chars: &[char], i: usize, year: i32) -> Option<(Period, usize)> {
    let sep = *chars.get(i)?;
    if !"年-/.".contains(sep) {
        return None;
    }
    let start = i + 1;
    let (month, end) = if chars.get(start).is_some_and(|c| is_numeral(*c)) {
        numeral_month(chars, start)?
    } else {
        let (digits, end) = digit_run(chars, start);
        if !(1..=2).contains(&digits.len()) {
            return None;
        }
        (digits.parse().ok()?, end)
    };
    let end = expect_month_suffix(chars, end, false)?;
    Some((Period::new(year, month)?, end))
}

/// Skips `月` (required when `required`) and an optional `份`.
fn expect_month_suffix(chars: &[char], i: usize, required: bool) -> Option<usize> {
    let mut end = i;
    if chars.get(end) == Some(&'月') {
        end += 1;
    } else if required {
        return None;
    }
    if chars.get(end) == Some(&'份') {
        end += 1;
    }
    Some(end)
}

fn digit_run(chars: &[char], i: usize) -> (String, usize) {
    let digits: String = chars
        .iter()
        .skip(i)
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let end = i + digits.chars().count();
    (digits, end)
}

/// `一`..`十二` at `i`: (month, index after it).
fn numeral_month(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let value = |c: char| "一二三四五六七八九".find(c).map(|byte| byte / 3 + 1);
    let first = *chars.get(i)?;
    let second = chars.get(i + 1).copied();
    let (month, len) = match (first, second) {
        ('十', Some(c)) if value(c).is_some_and(|v| v <= 2) => (10 + value(c)?, 2),
        ('十', _) => (10, 1),
        (c, _) => (value(c)?, 1),
    };
    Some((u32::try_from(month).ok()?, i + len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::testing::{OPEN, p};

    #[test]
    fn reads_every_written_form_of_a_month() {
        for text in [
            "2026年11月",
            "2026年 11 月",
            "２０２６年１１月",
            "2026-11",
            "2026/11",
            "2026.11",
            "2026年11月份",
            "2026-11-05",
            "2026年11月5日",
            "2026/11/05 00:00:00",
            "202611",
            "11月",
            "11月份",
            "十一月",
            "2026年十一月",
        ] {
            assert_eq!(
                Period::from_written(text, OPEN()),
                Some(p(2026, 11)),
                "{text}"
            );
        }
        assert_eq!(Period::from_written("2026.1", OPEN()), Some(p(2026, 1)));
        assert_eq!(Period::from_written("2026年3月", OPEN()), Some(p(2026, 3)));
    }

    #[test]
    fn rejects_what_is_not_a_month() {
        for text in [
            "",
            "本月",
            "2026",
            "2026年",
            "13月",
            "2026-13",
            "11",
            "11月底前",
            "abc",
            "2026年11月xx",
        ] {
            assert_eq!(Period::from_written(text, OPEN()), None, "{text}");
        }
    }

    #[test]
    fn a_month_without_year_is_the_latest_not_after_the_open_period() {
        assert_eq!(Period::from_written("12月", p(2027, 1)), Some(p(2026, 12)));
        assert_eq!(Period::from_written("1月", p(2027, 1)), Some(p(2027, 1)));
        assert_eq!(Period::from_written("11月", p(2026, 11)), Some(p(2026, 11)));
        assert_eq!(Period::from_written("2月", p(2026, 11)), Some(p(2026, 2)));
    }

    #[test]
    fn finds_a_month_in_titles_and_subjects() {
        let find = |t: &str| Period::find_in_text(t, OPEN());
        assert_eq!(
            find("安全生产举报奖励宣传工作10月情况报表"),
            Some(p(2026, 10))
        );
        assert_eq!(
            find("安全生产举报奖励宣传工作2025年12月情况报表"),
            Some(p(2025, 12))
        );
        assert_eq!(find("安全生产举报奖励宣传工作   月情况报表"), None);
        assert_eq!(find("八桥镇安全生产举报奖励宣传工作月情况报表"), None);
        assert_eq!(find("跳磴镇10月月报表"), Some(p(2026, 10)));
        assert_eq!(find("Re: 12345678 报表 2026-09"), Some(p(2026, 9)));
        assert_eq!(find("关于报送十一月情况报表的函"), Some(p(2026, 11)));
        assert_eq!(find("报表 (第2版)"), None);
        assert_eq!(find("123456 报表"), None);
    }
}
