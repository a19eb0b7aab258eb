//! Reading and checking the typical-case form (附件2, SPEC §4) from a spreadsheet or a Word
//! document.
//!
//! [`locate`] finds the labels and their text, the same way for both sources; this module then
//! applies the notice's rules: the four parts (线索来源, 简要案情, 执法处罚, 奖励发放) or one 典型案例概述
//! covering them; at most `max_chars` non-whitespace characters of case text (备注 and the footer
//! not counted); 填报单位 naming the sender's unit and 联系电话 a phone number (the monthly form's
//! checks, shared). The reward amount is taken from the text when it gives one ([`amount`]).
//! Photos are not the reader's business: the intake adds [`missing_photos_warning`]. Tip-source
//! sentences inside a 典型案例概述 are moved to the tip source ([`tip`]).

pub mod amount;
mod locate;
pub mod tip;

#[cfg(test)]
mod tests;

use crate::domain::PhoneNumber;
use crate::forms::docx::Document;
use crate::forms::header_checks::{bad_phone_message, names_unit, other_unit_message, parse_phone};
use crate::forms::labels::{CASE_GUIDANCE, CaseLabel, CasePart, Header};
use crate::forms::{FieldKey, Finding, Workbook};

pub use amount::Amount;
use locate::{Found, Spot};

/// A valid case form; every text is as written (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseForm {
    pub tip_source: Option<String>,
    pub facts: Option<String>,
    pub enforcement: Option<String>,
    pub reward: Option<String>,
    /// The reward paid, when the text gives an amount.
    pub reward_yuan: Option<Amount>,
    pub overview: Option<String>,
    pub remarks: Option<String>,
    pub unit_text: Option<String>,
    pub filled_by: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub filled_on: Option<String>,
    /// Non-whitespace characters of the case text (the four parts and the overview).
    pub char_count: usize,
}

/// The outcome of reading: the form or its problems, and warnings either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReading {
    pub form: Result<CaseForm, Vec<Finding>>,
    pub warnings: Vec<Finding>,
}

/// What the reader needs to know besides the form.
#[derive(Debug, Clone, Copy)]
pub struct CaseContext<'a> {
    /// The sender's unit name and aliases; `None` when the sender is unknown (no check).
    pub unit_names: Option<&'a [String]>,
    /// The most non-whitespace characters of case text the notice allows.
    pub max_chars: usize,
}

impl CaseContext<'_> {
    pub const DEFAULT_MAX_CHARS: usize = 600;
}

/// Reads and checks the case form in a workbook.
pub fn read_case_workbook(wb: &Workbook, ctx: &CaseContext) -> CaseReading {
    let (mut found, warnings) = locate::locate_workbook(wb);
    found.drop_guidance(CASE_GUIDANCE);
    assemble(&found, warnings, ctx)
}

/// Reads and checks the case form in a Word document.
pub fn read_case_docx(doc: &Document, ctx: &CaseContext) -> CaseReading {
    let mut found = locate::locate_document(doc);
    found.drop_guidance(CASE_GUIDANCE);
    assemble(&found, Vec::new(), ctx)
}

/// The warning for a case sent without any photo (the notice asks for work photos).
pub fn missing_photos_warning() -> Finding {
    Finding::warning(
        FieldKey::Photos,
        None,
        "典型案例已收到，但邮件中没有工作图片。按通知要求，请回复本邮件补发现场或工作照片\
                  （直接作为附件发送即可）。"
            .to_string(),
    )
}

/// Characters that count toward the limit: everything but whitespace (full-width spaces too).
pub fn count_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

const CONTENT: [CasePart; 5] = [
    CasePart::TipSource,
    CasePart::Facts,
    CasePart::Enforcement,
    CasePart::Reward,
    CasePart::Overview,
];

fn assemble(found: &Found, warnings: Vec<Finding>, ctx: &CaseContext) -> CaseReading {
    let part = |p: CasePart| found.value(CaseLabel::Part(p)).map(|s| s.text.clone());
    let mut problems = content_problems(found);
    let char_count = CONTENT
        .iter()
        .filter_map(|p| found.value(CaseLabel::Part(*p)))
        .map(|s| count_chars(&s.text))
        .sum();
    if char_count > ctx.max_chars {
        problems.push(too_long(found, char_count, ctx.max_chars));
    }
    let unit_text = footer(found, Header::Unit);
    if let (Some(spot), Some(names)) = (unit_text, ctx.unit_names)
        && !names_unit(&spot.text, names)
    {
        problems.push(Finding::problem(
            Header::Unit,
            spot.place.clone(),
            other_unit_message(&spot.text, names, "典型案例"),
        ));
    }
    let phone = footer(found, Header::Phone).and_then(|spot| {
        let phone = parse_phone(&spot.text);
        if phone.is_none() {
            problems.push(Finding::problem(
                Header::Phone,
                spot.place.clone(),
                bad_phone_message(&spot.text),
            ));
        }
        phone
    });
    let reward = part(CasePart::Reward);
    let (overview, tip_in_overview) = match part(CasePart::Overview) {
        Some(text) => {
            let split = tip::split(&text);
            let rest = (!split.overview.is_empty()).then_some(split.overview);
            (rest, split.tip_source)
        }
        None => (None, None),
    };
    let tip_source = match (part(CasePart::TipSource), tip_in_overview) {
        (Some(given), Some(cut)) => Some(format!("{given}\n{cut}")),
        (given, cut) => given.or(cut),
    };
    let form = problems.is_empty().then(|| CaseForm {
        tip_source,
        facts: part(CasePart::Facts),
        enforcement: part(CasePart::Enforcement),
        reward_yuan: amount::reward_amount(reward.as_deref(), overview.as_deref()),
        reward,
        overview,
        remarks: part(CasePart::Remarks),
        unit_text: unit_text.map(|s| s.text.clone()),
        filled_by: footer(found, Header::FilledBy).map(|s| s.text.clone()),
        phone,
        filled_on: footer(found, Header::FilledOn).map(|s| s.text.clone()),
        char_count,
    });
    CaseReading {
        form: form.ok_or(problems),
        warnings,
    }
}

/// Arabic, full-width or Chinese digits.
fn is_digit(c: char) -> bool {
    c.is_numeric() || "〇零一二三四五六七八九十".contains(c)
}

/// A footer value; the template's blank date (`年  月  日`, no digit) is no date.
fn footer(found: &Found, header: Header) -> Option<&Spot> {
    found
        .value(CaseLabel::Header(header))
        .filter(|s| !s.text.trim().is_empty())
        .filter(|s| header != Header::FilledOn || s.text.chars().any(is_digit))
}

/// The four parts or an overview must be there: what is missing, part by part when some are
/// written, as one problem when there is no case text at all.
fn content_problems(found: &Found) -> Vec<Finding> {
    let has = |p: CasePart| found.value(CaseLabel::Part(p)).is_some();
    if has(CasePart::Overview) || CasePart::FOUR.iter().all(|p| has(*p)) {
        return Vec::new();
    }
    let missing: Vec<CasePart> = CasePart::FOUR.into_iter().filter(|p| !has(*p)).collect();
    if missing.len() == CasePart::FOUR.len() {
        let place = found
            .label_place(CaseLabel::Part(CasePart::Overview))
            .flatten();
        return vec![Finding::problem(
            CasePart::Overview,
            place.map(str::to_string),
            "没有找到典型案例的内容。请按模板填写线索来源、简要案情、执法处罚、奖励发放\
                      （也可合写在「典型案例概述」中）后重新发送。"
                .to_string(),
        )];
    }
    missing
        .into_iter()
        .map(|p| {
            let place = found.label_place(CaseLabel::Part(p)).flatten();
            let what = match place {
                Some(place) => format!("「{}」未填写（{place}）", p.label()),
                None => format!("缺少「{}」", p.label()),
            };
            Finding::problem(
                p,
                place.map(str::to_string),
                format!(
                    "{what}。典型案例应写明线索来源、简要案情、执法处罚、奖励发放四部分\
                     （也可合写在「典型案例概述」中），请补充后重新发送。"
                ),
            )
        })
        .collect()
}

/// The problem for text over the limit, on the overview if there is one, else the longest part.
fn too_long(found: &Found, count: usize, max: usize) -> Finding {
    let longest = CONTENT
        .iter()
        .filter_map(|p| found.value(CaseLabel::Part(*p)).map(|s| (*p, s)))
        .max_by_key(|(p, s)| (*p == CasePart::Overview, count_chars(&s.text)));
    let (part, place) = longest.map_or((CasePart::Overview, None), |(p, s)| (p, s.place.clone()));
    Finding::problem(
        part,
        place,
        format!(
            "典型案例内容共 {count} 字（不计空格），超过 {max} 字的字数限制，请精简后重新发送。"
        ),
    )
}
