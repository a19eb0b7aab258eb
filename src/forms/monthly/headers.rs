//! The header fields of the monthly form: 填报单位 (checked against the sender's unit), 联系电话
//! (checked to look like a phone number), 填报人 and 填报时间 (kept as written).

use crate::domain::PhoneNumber;
use crate::forms::Problem;
use crate::forms::labels::{Header, normalize};

use super::ReadContext;
use super::locate::Located;

/// The header values, once checked.
#[derive(Debug, Default)]
pub(super) struct Headers {
    pub unit_text: Option<String>,
    pub filled_by: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub filled_on: Option<String>,
}

pub(super) fn read_headers(
    located: &Located<'_>,
    ctx: &ReadContext,
    problems: &mut Vec<Problem>,
) -> Headers {
    let text_of = |header: Header| {
        let spot = located.headers.get(&header)?.as_ref()?;
        let text = spot.value.display().trim().to_string();
        let cell = located.sheet.a1(spot.row, spot.col);
        (!text.is_empty()).then_some((text, cell))
    };
    let unit = text_of(Header::Unit);
    if let (Some((text, cell)), Some(names)) = (&unit, ctx.unit_names)
        && !names_unit(text, names)
    {
        problems.push(Problem {
            field: Header::Unit.key().to_string(),
            cell: Some(cell.clone()),
            message: format!(
                "填报单位写的是“{text}”，与发件邮箱登记的单位“{}”不符。\
                 请用本单位登记的邮箱报送本单位的报表，或更正填报单位。",
                names.first().map_or("", String::as_str)
            ),
        });
    }
    let phone = text_of(Header::Phone).and_then(|(text, cell)| match parse_phone(&text) {
        Some(phone) => Some(phone),
        None => {
            problems.push(Problem {
                field: Header::Phone.key().to_string(),
                cell: Some(cell),
                message: format!(
                    "联系电话“{text}”不是有效的电话号码。\
                     请填写11位手机号，或带区号的座机号（如023-68173265）。"
                ),
            });
            None
        }
    });
    Headers {
        unit_text: unit.map(|(text, _)| text),
        filled_by: text_of(Header::FilledBy).map(|(text, _)| text),
        phone,
        filled_on: text_of(Header::FilledOn).map(|(text, _)| text),
    }
}

/// Whether the written unit names the sender's unit: it contains the name or an alias, compared
/// after normalisation (so `大渡口区跳磴镇人民政府（盖章）` names 跳磴镇).
fn names_unit(text: &str, names: &[String]) -> bool {
    let written = normalize(text);
    names.iter().any(|name| {
        let name = normalize(name);
        !name.is_empty() && written.contains(&name)
    })
}

/// One number, or the first of several separated by `、` `，` `;` `/` when each is valid.
fn parse_phone(text: &str) -> Option<PhoneNumber> {
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
}
