//! The cases sheet: every case of the month with every field, the text wrapped in rows tall
//! enough to show it (see [`super::fit`]), the photos counted, the tip source only on request.

use rust_xlsxwriter::{FormatAlign, Worksheet, XlsxError};

use super::{ExportData, SHEETS, a4_landscape, cell_format, fit, head_format, title};
use crate::status::cases::CaseView;

/// A column: its header and width, and what it shows of a case.
struct Column {
    label: &'static str,
    width: f64,
    text: fn(&CaseView) -> String,
}

fn or_empty(text: &Option<String>) -> String {
    text.clone().unwrap_or_default()
}

/// The 简要案情 column also carries a case written as one 典型案例概述.
pub fn facts_text(case: &CaseView) -> String {
    match (&case.facts, &case.overview) {
        (Some(facts), Some(overview)) => format!("{facts}\n典型案例概述：{overview}"),
        (Some(text), None) | (None, Some(text)) => text.clone(),
        (None, None) => String::new(),
    }
}

/// The 奖励发放 text as written, else the amount read from the overview.
pub fn reward_text(case: &CaseView) -> String {
    case.reward
        .clone()
        .or_else(|| case.reward_yuan.clone())
        .unwrap_or_default()
}

fn columns(with_tip_sources: bool) -> Vec<Column> {
    let mut columns = vec![
        Column {
            label: "序号",
            width: 5.0,
            text: |_| String::new(),
        },
        Column {
            label: "单位",
            width: 12.0,
            text: |c| c.unit_name.clone(),
        },
        Column {
            label: "收到时间",
            width: 11.0,
            text: |c| c.received.clone(),
        },
    ];
    if with_tip_sources {
        columns.push(Column {
            label: "线索来源",
            width: 22.0,
            text: |c| or_empty(&c.tip_source),
        });
    }
    columns.extend([
        Column {
            label: "简要案情（典型案例概述）",
            width: 48.0,
            text: facts_text,
        },
        Column {
            label: "执法处罚",
            width: 26.0,
            text: |c| or_empty(&c.enforcement),
        },
        Column {
            label: "奖励发放",
            width: 18.0,
            text: reward_text,
        },
        Column {
            label: "备注",
            width: 14.0,
            text: |c| or_empty(&c.remarks),
        },
        Column {
            label: "照片\n（张）",
            width: 7.0,
            text: |c| c.photos.to_string(),
        },
    ]);
    columns
}

pub(super) fn sheet(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[4])?;
    let columns = columns(data.with_tip_sources);
    let last_col = columns.len() as u16 - 1;
    title(
        sheet,
        &format!(
            "{} 典型案例（共 {} 件）",
            data.period.zh(),
            data.cases.len()
        ),
        last_col,
    )?;
    let head = head_format();
    for (col, column) in columns.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, column.label, &head)?;
        sheet.set_column_width(col as u16, column.width)?;
    }
    let header_height = fit::row_height(columns.iter().map(|c| (c.label, c.width)));
    sheet.set_row_height(1, header_height)?;
    let text = cell_format()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::Top);
    let centred = cell_format();
    for (n, case) in data.cases.iter().enumerate() {
        let row = 2 + n as u32;
        let texts: Vec<String> = columns.iter().map(|c| (c.text)(case)).collect();
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &centred)?;
        let photos_col = columns.len() - 1;
        for (col, value) in texts.iter().enumerate().take(photos_col).skip(1) {
            let format = if col <= 2 { &centred } else { &text };
            sheet.write_string_with_format(row, col as u16, value, format)?;
        }
        sheet.write_number_with_format(row, photos_col as u16, case.photos as f64, &centred)?;
        let cells = texts
            .iter()
            .zip(&columns)
            .map(|(t, c)| (t.as_str(), c.width));
        sheet.set_row_height(row, fit::row_height(cells))?;
    }
    sheet.set_freeze_panes(2, 0)?;
    a4_landscape(sheet)
}
