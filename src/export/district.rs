//! Sheet 1: the district's own 附件3 for the city, in the template's layout (the same writer draws
//! both), with the office as 填报单位, 填报人 and 联系电话 from `[office]`, the month, and the
//! eleven district totals as formulas over the 合计 row of the units sheet with their values
//! stored. Its title says 截至 the day the export was made. The reader reads it back as a monthly
//! form, which is what makes it "ready to send".

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{ExportData, SHEETS, units};
use crate::domain::text::zh_date;
use crate::forms::template::{MonthlySheet, TemplateFill, write_monthly_sheet};

/// `安全生产举报奖励宣传工作2026年11月情况报表（截至2026年11月25日）`.
pub fn title(data: &ExportData<'_>) -> String {
    format!(
        "安全生产举报奖励宣传工作{}情况报表（截至{}）",
        data.period.zh(),
        zh_date(data.made_on)
    )
}

pub(super) fn sheet(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[0])?;
    let fill = TemplateFill {
        unit: data.office_name.to_string(),
        period: data.period.zh(),
        filled_by: data.reporter.unwrap_or_default().to_string(),
        phone: data
            .phone
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        filled_on: zh_date(data.made_on),
        values: *data.totals.as_array(),
    };
    let formulas = totals_formulas(data);
    let title = title(data);
    let notes = notes(data);
    write_monthly_sheet(
        sheet,
        &MonthlySheet {
            title: &title,
            fill: Some(&fill),
            formulas: formulas.as_ref(),
            notes: &notes,
        },
    )
}

/// `='各单位报送情况'!C21` and so on: the units sheet's 合计 row (none without units).
fn totals_formulas(data: &ExportData<'_>) -> Option<[String; 11]> {
    if data.rows.is_empty() {
        return None;
    }
    let row = units::total_row(data);
    Some(std::array::from_fn(|i| {
        let cell = units::value_cell(row, i);
        format!("='{}'!{cell}", SHEETS[1])
    }))
}

fn notes(data: &ExportData<'_>) -> String {
    let reported = data.rows.iter().filter(|r| r.reported.is_some()).count();
    format!(
        "说明：本表为{}汇总的全区{}数据。应报 {} 个单位，已报 {} 个，未报 {} 个；\
         各单位数据见“{}”表，未报送单位见“{}”表。",
        data.office_name,
        data.period.zh(),
        data.rows.len(),
        reported,
        data.rows.len() - reported,
        SHEETS[1],
        SHEETS[2]
    )
}
