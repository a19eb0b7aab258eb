//! The official template as `reportdesk template monthly` writes it, read back from the file
//! against SPEC §3: the mark 附件3, the title with a blank for the month, the header labels with
//! blank values, the eleven labels exactly as in the notice (line breaks aside) in one row with a
//! blank value row below, column widths wide enough for a label, and value cells formatted as
//! integers. Text comes back through calamine; widths and number formats from the xlsx's XML
//! parts (sheet1.xml, styles.xml).

use std::io::Read;

use calamine::{Data, Reader};

use crate::support::TestEnv;

/// The eleven labels as the notice prints them (SPEC §3), in its order: typed here, not taken
/// from the code under test.
const NOTICE_LABELS: [&str; 11] = [
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
const HEADER_LABELS: [&str; 5] = ["填报单位", "报表月份", "填报人", "联系电话", "填报时间"];

/// Column letters of a zero-based index (A…Z, AA…).
fn column(index: u32) -> String {
    let mut name = String::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        name.insert(0, char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    name
}

/// The value of `name="…"` in one XML tag's text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[start..].split('"').next()
}

/// Every `<element …>` or `<element …/>` tag of `xml`, as text.
fn tags<'a>(xml: &'a str, element: &str) -> Vec<&'a str> {
    let open = format!("<{element} ");
    xml.match_indices(&open)
        .filter_map(|(at, _)| xml[at..].find('>').map(|end| &xml[at..at + end + 1]))
        .collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .expect("UTF-8 XML");
    text
}

fn write_template(env: &TestEnv) -> Vec<u8> {
    let path = env.dir.path().join("模板.xlsx");
    let out = env
        .command()
        .args(["template", "monthly", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::read(&path).unwrap()
}

#[test]
fn the_monthly_template_has_the_notices_title_labels_widths_and_integer_cells() {
    let env = TestEnv::new();
    let bytes = write_template(&env);
    let mut workbook =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(&bytes)).expect("opens");
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).unwrap();
    let (row0, col0) = range.start().expect("not empty");
    let text = |row: u32, col: u32| match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let find = |wanted: &str| {
        range
            .cells()
            .find(|(_, _, v)| matches!(v, Data::String(s) if s == wanted))
            .map(|(r, c, _)| (r as u32 + row0, c as u32 + col0))
            .unwrap_or_else(|| panic!("no cell {wanted:?} in the template"))
    };

    // The notice's mark 附件3 first, then the title with a blank where the month goes.
    assert_eq!(text(0, 0), "附件3");
    let title = text(1, 0);
    let month_blank = title
        .strip_prefix("安全生产举报奖励宣传工作")
        .and_then(|rest| rest.strip_suffix("月情况报表"))
        .unwrap_or_else(|| panic!("title {title:?}"));
    assert!(
        !month_blank.is_empty() && month_blank.chars().all(char::is_whitespace),
        "a blank for the month: {title:?}"
    );

    // Each header label, with its value cell to the right left blank.
    for label in HEADER_LABELS {
        let (row, col) = find(label);
        assert!(row > 1, "{label} below the title");
        assert_eq!(text(row, col + 1), "", "{label}'s value is blank");
    }

    // The eleven labels in one row, in the notice's order, each over an empty value cell.
    let (label_row, first_col) = find(NOTICE_LABELS[0]);
    for (offset, label) in NOTICE_LABELS.iter().enumerate() {
        let col = first_col + offset as u32;
        // A label may be broken into lines (so that none starts with a lone "）").
        assert_eq!(
            &text(label_row, col).replace('\n', ""),
            label,
            "label {}",
            offset + 1
        );
        assert_eq!(text(label_row + 1, col), "", "value under {label}");
    }

    // Widths (sheet1.xml <col>): every label column wide enough for a label wrapped on two lines.
    let sheet_xml = part(&bytes, "xl/worksheets/sheet1.xml");
    let cols = tags(&sheet_xml, "col");
    for offset in 0..NOTICE_LABELS.len() as u32 {
        let index = first_col + offset + 1; // <col min max> counts from 1
        let width: f64 = cols
            .iter()
            .find(|c| {
                let min: u32 = attr(c, "min").and_then(|v| v.parse().ok()).unwrap_or(0);
                let max: u32 = attr(c, "max").and_then(|v| v.parse().ok()).unwrap_or(0);
                (min..=max).contains(&index)
            })
            .and_then(|c| attr(c, "width"))
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("no width for column {index}: {cols:?}"));
        assert!(
            (10.0..=40.0).contains(&width),
            "column {} width {width}",
            column(index - 1)
        );
    }

    // Formats (styles.xml): each value cell's style has the integer number format "0".
    let styles = part(&bytes, "xl/styles.xml");
    let cell_xfs = styles
        .split("<cellXfs")
        .nth(1)
        .and_then(|rest| rest.split("</cellXfs>").next())
        .expect("cellXfs");
    let xfs = tags(cell_xfs, "xf");
    let custom: Vec<(&str, &str)> = tags(&styles, "numFmt")
        .iter()
        .filter_map(|t| Some((attr(t, "numFmtId")?, attr(t, "formatCode")?)))
        .collect();
    let cell_tags = tags(&sheet_xml, "c");
    for offset in 0..NOTICE_LABELS.len() as u32 {
        let reference = format!("{}{}", column(first_col + offset), label_row + 2);
        let cell = cell_tags
            .iter()
            .find(|c| attr(c, "r") == Some(reference.as_str()))
            .unwrap_or_else(|| panic!("no styled cell {reference}"));
        let style: usize = attr(cell, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
        let format_id = xfs.get(style).and_then(|xf| attr(xf, "numFmtId"));
        // Built-in format 1 is "0"; a custom one must say "0" itself.
        let integer = format_id == Some("1")
            || custom
                .iter()
                .any(|(id, code)| Some(*id) == format_id && *code == "0");
        assert!(
            integer,
            "{reference}: style {style}, numFmtId {format_id:?}"
        );
    }
}
