//! Checks shared by the header fields of the monthly form and the footer of the case form:
//! whether the written 填报单位 names the sender's unit, and reading 联系电话 as units write it.
//! The messages are shared too, so both forms say the same thing about the same mistake.

use crate::domain::PhoneNumber;
use crate::forms::labels::normalize;

/// Whether the written unit names the sender's unit: it contains the name or an alias, compared
/// after normalisation (so `大渡口区跳磴镇人民政府（盖章）` names 跳磴镇).
pub fn names_unit(text: &str, names: &[String]) -> bool {
    let written = normalize(text);
    names.iter().any(|name| {
        let name = normalize(name);
        !name.is_empty() && written.contains(&name)
    })
}

/// One number, or the first of several separated by `、` `，` `;` `/` when each is valid.
pub fn parse_phone(text: &str) -> Option<PhoneNumber> {
    if let Ok(phone) = PhoneNumber::parse(text) {
        return Some(phone);
    }
    let parts: Vec<&str> = text
        .split(['、', ',', '，', ';', '；', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return None;
    }
    let phones: Option<Vec<PhoneNumber>> =
        parts.iter().map(|p| PhoneNumber::parse(p).ok()).collect();
    phones?.into_iter().next()
}

/// What a unit is told when its form names another unit.
pub fn other_unit_message(written: &str, names: &[String], what: &str) -> String {
    format!(
        "填报单位写的是“{written}”，与发件邮箱登记的单位“{}”不符。\
         请用本单位登记的邮箱报送本单位的{what}，或更正填报单位。",
        names.first().map_or("", String::as_str)
    )
}

/// What a unit is told when 联系电话 is not a phone number.
pub fn bad_phone_message(written: &str) -> String {
    format!(
        "联系电话“{written}”不是有效的电话号码。\
         请填写11位手机号，或带区号的座机号（如023-68173265）。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_named_by_its_name_or_an_alias_contained_in_the_text() {
        let names = ["跳磴镇".to_string(), "大渡口区跳磴镇人民政府".to_string()];
        assert!(names_unit("跳磴镇", &names));
        assert!(names_unit(" 跳 磴 镇 ", &names));
        assert!(names_unit("大渡口区跳磴镇人民政府（盖章）", &names));
        assert!(names_unit("重庆市大渡口区跳磴镇", &names));
        assert!(!names_unit("建胜镇", &names));
        assert!(!names_unit("跳磴", &names));
        assert!(!names_unit("镇", &[String::new()]));
    }

    #[test]
    fn several_phone_numbers_keep_the_first() {
        assert_eq!(
            parse_phone("68173265、68931305").map(|p| p.as_str().to_string()),
            Some("68173265".to_string())
        );
        assert!(parse_phone("68173265、无").is_none());
        assert!(parse_phone("12345").is_none());
    }

    #[test]
    fn messages_quote_what_was_written() {
        let names = ["跳磴镇".to_string()];
        let message = other_unit_message("建胜镇", &names, "报表");
        assert!(message.contains("“建胜镇”") && message.contains("“跳磴镇”"));
        assert!(bad_phone_message("123").contains("“123”"));
    }
}
