//! The WordprocessingML of a case document, written by hand: paragraphs in a few styles, the
//! two-column 附件2 table, the footer line and inline pictures. Every text is XML-escaped.

use super::{CaseDocument, TEXT_W};

/// How a paragraph looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// 附件2: 黑体 16 pt, left.
    Mark,
    /// The title: 宋体 bold 18 pt, centred.
    Title,
    /// A heading over the photos: bold 12 pt.
    Heading,
    /// Body text: 宋体 12 pt.
    Body,
    /// A table label: bold 12 pt, centred.
    Label,
    /// Under a picture: 10.5 pt, centred.
    Caption,
    /// Provenance: 9 pt grey.
    Small,
}

const NAMESPACES: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#;

/// Escapes text for an XML element or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 forbids are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The whole `document.xml` around `body`, on a page of the given size and margins (twips).
pub fn document(body: &str, page_w: i64, page_h: i64, margin: i64) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {NAMESPACES}><w:body>{body}<w:sectPr><w:pgSz w:w="{page_w}" w:h="{page_h}"/><w:pgMar w:top="{margin}" w:right="{margin}" w:bottom="{margin}" w:left="{margin}" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    )
}

fn run_props(style: Style) -> String {
    let (font, half_points, bold) = match style {
        Style::Mark => ("黑体", 32, false),
        Style::Title => ("宋体", 36, true),
        Style::Heading | Style::Label => ("宋体", 24, true),
        Style::Body => ("宋体", 24, false),
        Style::Caption => ("宋体", 21, false),
        Style::Small => ("宋体", 18, false),
    };
    let bold = if bold { "<w:b/>" } else { "" };
    let colour = if style == Style::Small {
        r#"<w:color w:val="808080"/>"#
    } else {
        ""
    };
    format!(
        r#"<w:rPr><w:rFonts w:ascii="{font}" w:eastAsia="{font}" w:hAnsi="{font}"/>{bold}{colour}<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>"#
    )
}

fn paragraph_props(style: Style) -> &'static str {
    match style {
        Style::Title => {
            r#"<w:pPr><w:jc w:val="center"/><w:spacing w:before="120" w:after="240"/></w:pPr>"#
        }
        Style::Label | Style::Caption => r#"<w:pPr><w:jc w:val="center"/></w:pPr>"#,
        Style::Heading => {
            r#"<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/></w:pPr>"#
        }
        Style::Body => {
            r#"<w:pPr><w:spacing w:line="360" w:lineRule="auto"/><w:ind w:firstLine="480"/></w:pPr>"#
        }
        Style::Mark | Style::Small => "",
    }
}

/// One paragraph of text.
pub fn paragraph(text: &str, style: Style) -> String {
    format!(
        r#"<w:p>{}<w:r>{}<w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        paragraph_props(style),
        run_props(style),
        escape(text)
    )
}

fn cell(width: i64, paragraphs: &[String], style: Style) -> String {
    let mut inner: String = paragraphs.iter().map(|p| paragraph(p, style)).collect();
    if inner.is_empty() {
        // A cell must hold a paragraph.
        inner = paragraph("", style);
    }
    format!(r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{inner}</w:tc>"#)
}

/// The 附件2 table: 典型案例概述 and 备注 side by side, their texts in the row below (at least a
/// third of a page tall, as in the notice).
pub fn table(overview: &[String], remarks: &[String]) -> String {
    let remarks_w = 2000;
    let overview_w = TEXT_W - remarks_w;
    let border = r#"w:val="single" w:sz="4" w:space="0" w:color="000000""#;
    let borders = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|side| format!("<w:{side} {border}/>"))
        .collect::<String>();
    format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid><w:gridCol w:w="{overview_w}"/><w:gridCol w:w="{remarks_w}"/></w:tblGrid><w:tr><w:trPr><w:trHeight w:val="567"/></w:trPr>{}{}</w:tr><w:tr><w:trPr><w:trHeight w:val="5000"/></w:trPr>{}{}</w:tr></w:tbl>"#,
        cell(overview_w, &["典型案例概述".to_string()], Style::Label),
        cell(remarks_w, &["备注".to_string()], Style::Label),
        cell(overview_w, overview, Style::Body),
        cell(remarks_w, remarks, Style::Caption),
    )
}

/// `填报单位：…　　填报人：…　　联系电话：…　　填报时间：…` on one line, as in the notice.
pub fn footer_line(doc: &CaseDocument<'_>) -> String {
    let pairs = [
        ("填报单位", Some(doc.unit_name)),
        ("填报人", doc.filled_by),
        ("联系电话", doc.phone),
        ("填报时间", doc.filled_on),
    ];
    let line = pairs
        .iter()
        .map(|(label, value)| format!("{label}：{}", value.unwrap_or("")))
        .collect::<Vec<_>>()
        .join("　");
    // 10.5 pt keeps the four pairs on one line, as in the notice.
    format!(
        r#"<w:p><w:pPr><w:spacing w:before="240"/></w:pPr><w:r>{}<w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        run_props(Style::Caption),
        escape(&line)
    )
}

/// A centred inline picture `n` (1-based) of `cx` × `cy` EMU, related as `rid`.
pub fn picture(n: usize, rid: &str, cx: i64, cy: i64) -> String {
    format!(
        r#"<w:p><w:pPr><w:keepNext/><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="图片{n}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="图片{n}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
    )
}
