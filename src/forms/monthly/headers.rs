//! The header fields of the monthly form: 填报单位 (checked against the sender's unit), 联系电话
//! (checked to look like a phone number), 填报人 and 填报时间 (kept as written).

use crate::domain::PhoneNumber;
use crate::forms::Finding;
use crate::forms::header_checks::{bad_phone_message, names_unit, other_unit_message, parse_phone};
use crate::forms::labels::Header;

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
    problems: &mut Vec<Finding>,
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
        problems.push(Finding::problem(
            Header::Unit,
            Some(cell.clone()),
            other_unit_message(text, names, "报表"),
        ));
    }
    let phone = text_of(Header::Phone).and_then(|(text, cell)| match parse_phone(&text) {
        Some(phone) => Some(phone),
        None => {
            problems.push(Finding::problem(
                Header::Phone,
                Some(cell),
                bad_phone_message(&text),
            ));
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
