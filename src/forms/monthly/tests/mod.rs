//! Tests of the monthly reader on in-memory sheets: the helpers that build them here, the tests
//! by topic in the files beside.

mod header;
mod layouts;
mod sheets;
mod values;

use super::*;
use crate::forms::{CellValue, Merge, Sheet};

const LABELS: [&str; 11] = [
    "公开信（封）",
    "网络媒体报道（次）",
    "商圈广场视屏（个）",
    "五进画册（册）",
    "村居（社）宣传专栏（个）",
    "标语海报（）",
    "两单两卡加印二维码（个）",
    "责任公示牌加贴图标（个）",
    "企业培训（次）",
    "建立信息员（人）",
    "获取立案查处以上线索（条）",
];
const VALUES: [&str; 11] = ["438", "1", "0", "55", "28", "112", "72", "8", "9", "4", "2"];
const EXPECTED: [u64; 11] = [438, 1, 0, 55, 28, 112, 72, 8, 9, 4, 2];

fn period(year: i32, month: u32) -> Period {
    Period::new(year, month).unwrap()
}

fn names() -> Vec<String> {
    vec!["跳磴镇".to_string(), "大渡口区跳磴镇人民政府".to_string()]
}

fn read_with(
    wb: &Workbook,
    open: Period,
    subject: &str,
    units: Option<&[String]>,
) -> MonthlyReading {
    let ctx = ReadContext {
        open_period: open,
        subject,
        unit_names: units,
        plausibility_bound: ReadContext::DEFAULT_PLAUSIBILITY_BOUND,
    };
    read_monthly(wb, &ctx)
}

fn read(wb: &Workbook) -> MonthlyReading {
    read_with(wb, period(2026, 11), "", Some(&names()))
}

fn book(sheet: Sheet) -> Workbook {
    Workbook {
        sheets: vec![sheet],
    }
}

fn grid(rows: &[Vec<&str>]) -> Workbook {
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    book(Sheet::from_text_rows("Sheet1", &rows))
}

/// The official layout: title, header pairs, the label row in row 5 and values in row 6.
fn official<'a>(values: [&'a str; 11], month: &'a str) -> Vec<Vec<&'a str>> {
    vec![
        vec!["安全生产举报奖励宣传工作    月情况报表"],
        vec![
            "填报单位",
            "跳磴镇",
            "",
            "",
            "报表月份",
            month,
            "",
            "",
            "填报时间",
            "2026-11-05",
        ],
        vec!["填报人", "张丽", "", "", "联系电话", "13594021187"],
        vec![],
        LABELS.to_vec(),
        values.to_vec(),
    ]
}

fn form(reading: &MonthlyReading) -> &MonthlyForm {
    match &reading.form {
        Ok(form) => form,
        Err(problems) => panic!("expected a form, got {problems:#?}"),
    }
}

fn problems(reading: &MonthlyReading) -> &[Finding] {
    match &reading.form {
        Ok(form) => panic!("expected problems, got {form:#?}"),
        Err(problems) => {
            assert!(problems.iter().all(Finding::is_problem), "{problems:#?}");
            problems
        }
    }
}

fn only_problem(reading: &MonthlyReading) -> &Finding {
    let problems = problems(reading);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    &problems[0]
}
