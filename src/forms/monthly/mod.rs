//! Reading and validating the monthly form (附件3, SPEC §3).
//!
//! [`read_monthly`] finds the labels anywhere in the workbook ([`locate`]), reads the eleven
//! values ([`values`]), the report month ([`period`]) and the header fields ([`headers`]), and
//! collects every problem rather than stopping at the first. The result is either a
//! [`MonthlyForm`] or the list of [`Problem`]s, plus warnings in both cases.

mod headers;
mod locate;
mod period;
mod values;

#[cfg(test)]
mod tests;

use crate::domain::{Field, MonthlyValues, Period, PhoneNumber};
use crate::forms::labels::Header;
use crate::forms::{Finding, Workbook};

use locate::{Located, Spot};
use period::CellPeriod;
use values::Reading;

/// What the reader needs to know besides the workbook.
#[derive(Debug, Clone, Copy)]
pub struct ReadContext<'a> {
    /// The period open at receipt (SPEC §5).
    pub open_period: Period,
    /// The mail subject: a source of the period when the form names none.
    pub subject: &'a str,
    /// The sender's unit name and aliases; `None` when the sender is unknown (no check).
    pub unit_names: Option<&'a [String]>,
    /// Values above this are worth a warning.
    pub plausibility_bound: u64,
}

impl ReadContext<'_> {
    pub const DEFAULT_PLAUSIBILITY_BOUND: u64 = 100_000;
}

/// Where the period came from (the receipt says so).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PeriodSource {
    /// The 报表月份 cell, e.g. `Sheet1!F2`.
    Cell(String),
    /// The title, as written.
    Title(String),
    Subject,
    OpenAtReceipt,
}

/// A valid monthly form.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MonthlyForm {
    pub period: Period,
    pub period_source: PeriodSource,
    pub values: MonthlyValues,
    /// The cell each value was read from, in the notice's order.
    pub value_cells: [String; 11],
    pub unit_text: Option<String>,
    pub filled_by: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub filled_on: Option<String>,
}

/// The outcome of reading: the form or its problems, and warnings either way.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyReading {
    pub form: Result<MonthlyForm, Vec<Finding>>,
    pub warnings: Vec<Finding>,
}

/// Reads and validates the monthly form in `wb`.
pub fn read_monthly(wb: &Workbook, ctx: &ReadContext) -> MonthlyReading {
    let Some(located) = locate::locate(wb) else {
        return MonthlyReading {
            form: Err(Field::ALL.iter().map(|f| missing_label(*f)).collect()),
            warnings: Vec::new(),
        };
    };
    let mut problems = Vec::new();
    let mut warnings = located.warnings.clone();
    let values = read_values(&located, ctx, &mut problems, &mut warnings);
    let period = read_period(&located, ctx, &mut problems);
    let header = headers::read_headers(&located, ctx, &mut problems);
    let form = match (values, period) {
        (Some((values, value_cells)), Some((period, period_source))) if problems.is_empty() => {
            Ok(MonthlyForm {
                period,
                period_source,
                values,
                value_cells,
                unit_text: header.unit_text,
                filled_by: header.filled_by,
                phone: header.phone,
                filled_on: header.filled_on,
            })
        }
        _ => Err(problems),
    };
    MonthlyReading { form, warnings }
}

fn missing_label(field: Field) -> Finding {
    Finding::problem(
        field,
        None,
        format!(
            "表中找不到「{}」这一项。请使用区安委办下发的模板，补上这一项并填写数量，没有请填0。",
            field.label()
        ),
    )
}

/// The eleven values and their cells, when all can be read.
fn read_values(
    located: &Located<'_>,
    ctx: &ReadContext,
    problems: &mut Vec<Finding>,
    warnings: &mut Vec<Finding>,
) -> Option<(MonthlyValues, [String; 11])> {
    let mut counts = [0u64; 11];
    let mut cells: [String; 11] = Default::default();
    let mut complete = true;
    for ((field, spot), (count, cell)) in Field::ALL
        .iter()
        .zip(&located.fields)
        .zip(counts.iter_mut().zip(cells.iter_mut()))
    {
        let Some(spot) = spot else {
            problems.push(missing_label(*field));
            complete = false;
            continue;
        };
        *cell = located.sheet.a1(spot.row, spot.col);
        match read_one(*field, spot, cell, ctx, warnings) {
            Ok(n) => *count = n,
            Err(problem) => {
                problems.push(problem);
                complete = false;
            }
        }
    }
    complete.then(|| (MonthlyValues::new(counts), cells))
}

fn read_one(
    field: Field,
    spot: &Spot,
    cell: &str,
    ctx: &ReadContext,
    warnings: &mut Vec<Finding>,
) -> Result<u64, Finding> {
    let label = field.label();
    let note = |message: String| Finding::warning(field, Some(cell.to_string()), message);
    let problem = |message: String| Finding::problem(field, Some(cell.to_string()), message);
    match values::read_value(&spot.value, field) {
        Reading::Count(n) => {
            if n > ctx.plausibility_bound {
                warnings.push(note(format!(
                    "「{label}」填的是{n}，数量明显偏大，请核实；如填写有误，请更正后重新发送。"
                )));
            }
            Ok(n)
        }
        Reading::Nothing(marker) => {
            warnings.push(note(format!("「{label}」填的是“{marker}”，已按0记录。")));
            Ok(0)
        }
        Reading::Blank => Err(problem(format!(
            "「{label}」未填写（{cell}）。请填写，没有请填0。"
        ))),
        Reading::Invalid { found, why } => {
            Err(problem(values::invalid_message(field, &found, why)))
        }
    }
}

/// The period from 报表月份, else the title, else the subject, else the open period; checked
/// against the open period.
fn read_period(
    located: &Located<'_>,
    ctx: &ReadContext,
    problems: &mut Vec<Finding>,
) -> Option<(Period, PeriodSource)> {
    let open = ctx.open_period;
    let from_cell = located.headers.get(&Header::Period).cloned().flatten();
    let (period, source, cell) = match from_cell {
        Some(spot) => {
            let cell = located.sheet.a1(spot.row, spot.col);
            match period::period_from_cell(&spot.value, open) {
                CellPeriod::Found(p) => (p, PeriodSource::Cell(cell.clone()), Some(cell)),
                other => {
                    problems.push(unreadable_period(&other, cell));
                    return None;
                }
            }
        }
        None => fallback_period(located, ctx),
    };
    if let Some(problem) = check_period(period, open, cell) {
        problems.push(problem);
        return None;
    }
    Some((period, source))
}

fn fallback_period(
    located: &Located<'_>,
    ctx: &ReadContext,
) -> (Period, PeriodSource, Option<String>) {
    let open = ctx.open_period;
    if let Some(title) = &located.title {
        let text = title.value.display();
        if let Some(p) = Period::find_in_text(&text, open) {
            let cell = located.sheet.a1(title.row, title.col);
            return (p, PeriodSource::Title(text.trim().to_string()), Some(cell));
        }
    }
    if let Some(p) = Period::find_in_text(ctx.subject, open) {
        return (p, PeriodSource::Subject, None);
    }
    (open, PeriodSource::OpenAtReceipt, None)
}

fn unreadable_period(found: &CellPeriod, cell: String) -> Finding {
    let message = match found {
        CellPeriod::Ambiguous(text) => format!(
            "报表月份填的是数字“{text}”，无法确定是1月还是10月。请写成“2026年10月”这样的格式。"
        ),
        CellPeriod::Unreadable(text) => {
            format!("报表月份填的是“{text}”，无法识别。请写成“2026年11月”这样的格式。")
        }
        CellPeriod::Found(period) => format!("报表月份{}无法采用。", period.zh()),
    };
    Finding::problem(Header::Period, Some(cell), message)
}

/// The period must not lie after the open period nor more than 12 months before it.
fn check_period(period: Period, open: Period, cell: Option<String>) -> Option<Finding> {
    let message = if period > open {
        format!(
            "报表月份为{}，晚于当前可报送的{}，不能提前报送。请核对报表月份。",
            period.zh(),
            open.zh()
        )
    } else if open.months_since(period) > 12 {
        format!(
            "报表月份为{}，距今已超过12个月，不再接收。请核对报表月份。",
            period.zh()
        )
    } else {
        return None;
    };
    Some(Finding::problem(Header::Period, cell, message))
}
