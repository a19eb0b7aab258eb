//! The reward amount in 元 written in a case's 奖励发放 text: `奖励2000元`, `2,000元`, `0.5万元`,
//! `1000.50元`, and in Chinese numerals `壹万元`, `三千五百元`, `两千元`. The first amount wins;
//! text with no amount gives `None` (not an error: many cases pay later or in kind).

use std::fmt;

use crate::domain::text::half_width_char;

/// An amount of money, held in 分 (fen) so that `0.5元` and `1000.50元` stay exact.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Amount {
    fen: u64,
}

impl Amount {
    pub fn from_fen(fen: u64) -> Self {
        Self { fen }
    }

    pub fn fen(self) -> u64 {
        self.fen
    }

    /// The amount in whole 元, when it has no 角/分.
    pub fn whole_yuan(self) -> Option<u64> {
        self.fen.is_multiple_of(100).then_some(self.fen / 100)
    }
}

impl fmt::Display for Amount {
    /// `2000元`, `1000.5元`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let yuan = self.fen / 100;
        match self.fen % 100 {
            0 => write!(f, "{yuan}元"),
            fen if fen % 10 == 0 => write!(f, "{yuan}.{}元", fen / 10),
            fen => write!(f, "{yuan}.{fen:02}元"),
        }
    }
}

/// The reward: the first amount in the 奖励发放 text; failing that, in the overview, the first
/// amount in a clause that speaks of a reward (so a fine earlier in the overview is skipped).
pub fn reward_amount(reward: Option<&str>, overview: Option<&str>) -> Option<Amount> {
    if let Some(amount) = reward.and_then(first_amount) {
        return Some(amount);
    }
    let overview = overview?;
    let from = overview.find("奖励发放").or_else(|| overview.find('奖'))?;
    overview
        .get(from..)?
        .split(['。', '；', ';'])
        .filter(|clause| clause.contains('奖'))
        .find_map(first_amount)
}

/// The first amount followed by `元` in the text.
pub fn first_amount(text: &str) -> Option<Amount> {
    let chars: Vec<char> = text.chars().map(half_width_char).collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        if c != '元' {
            return None;
        }
        let before = chars.get(..i)?;
        let start = before
            .iter()
            .rposition(|&c| !is_amount_char(c))
            .map_or(0, |p| p + 1);
        let run: String = before.get(start..)?.iter().collect();
        parse_amount(run.trim_start_matches(','))
    })
}

fn is_amount_char(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(c, ',' | '.' | '万')
        || chinese_digit(c).is_some()
        || chinese_unit(c).is_some()
}

fn parse_amount(run: &str) -> Option<Amount> {
    if run.chars().any(|c| c.is_ascii_digit()) {
        arabic_amount(run)
    } else {
        chinese_amount(run)
            .and_then(|yuan| yuan.checked_mul(100))
            .map(Amount::from_fen)
    }
}

/// `2,000`, `1000.50`, `0.5万`: digits (commas between them ignored), an optional fraction and
/// an optional 万. Anything before the last run of digits (Chinese numerals) is dropped.
fn arabic_amount(run: &str) -> Option<Amount> {
    let first_digit = run.find(|c: char| c.is_ascii_digit())?;
    let number = run.get(first_digit..)?;
    let (number, multiplier) = match number.strip_suffix('万') {
        Some(rest) => (rest, 10_000u128),
        None => (number, 1),
    };
    let cleaned: String = number.chars().filter(|&c| c != ',').collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 6 {
        return None;
    }
    let whole: u128 = whole.parse().ok()?;
    let scale = 10u128.pow(u32::try_from(fraction.len()).ok()?);
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    let fen = (whole.checked_mul(scale)?.checked_add(fraction)?)
        .checked_mul(100)?
        .checked_mul(multiplier)?
        / scale;
    u64::try_from(fen).ok().map(Amount::from_fen)
}

fn chinese_digit(c: char) -> Option<u64> {
    let digit = match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    };
    Some(digit)
}

fn chinese_unit(c: char) -> Option<u64> {
    match c {
        '十' | '拾' => Some(10),
        '百' | '佰' => Some(100),
        '千' | '仟' => Some(1000),
        _ => None,
    }
}

/// Whole 元 written in Chinese numerals below 一亿: `壹万`, `三千五百`, `十二万`, `两千零五十`.
fn chinese_amount(run: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut section = 0u64;
    let mut digit: Option<u64> = None;
    let mut seen = false;
    for c in run.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = Some(d);
            seen = true;
        } else if let Some(unit) = chinese_unit(c) {
            section = section.checked_add(digit.unwrap_or(1).checked_mul(unit)?)?;
            digit = None;
            seen = true;
        } else if c == '万' {
            let small = section.checked_add(digit.unwrap_or(0))?;
            total = total.checked_add(small.checked_mul(10_000)?)?;
            section = 0;
            digit = None;
        }
    }
    let value = total
        .checked_add(section)?
        .checked_add(digit.unwrap_or(0))?;
    (seen && value > 0).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(text: &str) -> Option<u64> {
        first_amount(text).and_then(Amount::whole_yuan)
    }

    #[test]
    fn arabic_amounts() {
        assert_eq!(yuan("按规定对举报人给予奖励2000元。"), Some(2000));
        assert_eq!(yuan("发放奖金人民币2,000元"), Some(2000));
        assert_eq!(yuan("奖励０.５万元"), Some(5000));
        assert_eq!(yuan("奖励1.2万元，另有500元"), Some(12000));
        assert_eq!(
            first_amount("奖励1000.50元").map(Amount::fen),
            Some(100_050)
        );
        assert_eq!(
            first_amount("奖励0.5元").map(|a| a.to_string()),
            Some("0.5元".into())
        );
        assert_eq!(
            first_amount("奖励1000.05元").map(|a| a.to_string()),
            Some("1000.05元".into())
        );
    }

    #[test]
    fn chinese_amounts() {
        assert_eq!(yuan("发放奖励金人民币壹万元整"), Some(10_000));
        assert_eq!(yuan("奖励三千五百元"), Some(3500));
        assert_eq!(yuan("奖励两千零五十元"), Some(2050));
        assert_eq!(yuan("罚款十二万元"), Some(120_000));
        assert_eq!(yuan("奖励叁仟元"), Some(3000));
        assert_eq!(yuan("奖励十元"), Some(10));
    }

    #[test]
    fn no_amount_is_none() {
        assert_eq!(first_amount("奖励正在审核中"), None);
        assert_eq!(first_amount("元旦前发放"), None);
        assert_eq!(first_amount("奖励万元"), None);
        assert_eq!(first_amount(""), None);
        assert_eq!(first_amount("奖励99999999999999999999999元"), None);
        assert_eq!(first_amount("奖励1.2.3元"), None);
    }

    #[test]
    fn the_overview_gives_the_reward_not_the_fine() {
        let overview = "执法处罚：对企业处以罚款3万元。奖励发放：按规定对举报人给予奖励2000元。";
        assert_eq!(
            reward_amount(None, Some(overview)).and_then(Amount::whole_yuan),
            Some(2000)
        );
        assert_eq!(
            reward_amount(Some("已发放奖励800元"), Some(overview)).and_then(Amount::whole_yuan),
            Some(800)
        );
        assert_eq!(reward_amount(None, Some("处以罚款3万元。")), None);
        assert_eq!(reward_amount(Some("待发放"), None), None);
    }
}
