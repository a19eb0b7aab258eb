//! Each case of the month as a Word document in the notice's 附件2 layout (`export --cases-dir`):
//! the mark 附件2, the title, one table with 典型案例概述 and 备注 side by side over the case text,
//! the one-line footer (填报单位 填报人 联系电话 填报时间), then the work photos, each scaled to the
//! page width with its aspect kept (sizes read from the picture headers, [`image`]) and no taller
//! than most of a page. The tip source appears only when asked for. Hand-written
//! WordprocessingML in a zip ([`package`]): no document crate.

pub mod image;
pub mod package;
mod xml;

use image::{ImageSize, image_size};
use package::{Media, media_id};
use xml::{footer_line, paragraph, picture, table};

use crate::forms::template::CASE_TITLE;

/// A4 portrait in twentieths of a point, and the margins (2.5 cm).
const PAGE_W: i64 = 11906;
const PAGE_H: i64 = 16838;
const MARGIN: i64 = 1418;
/// The width text and pictures may take.
pub const TEXT_W: i64 = PAGE_W - 2 * MARGIN;
/// English Metric Units per twip and per pixel at 96 dpi.
const EMU_PER_TWIP: i64 = 635;
const EMU_PER_PX: i64 = 9525;

/// A case as its document shows it.
#[derive(Debug, Clone, Default)]
pub struct CaseDocument<'a> {
    pub unit_name: &'a str,
    /// Only when an admin asked for tip sources.
    pub tip_source: Option<&'a str>,
    pub facts: Option<&'a str>,
    pub enforcement: Option<&'a str>,
    pub reward: Option<&'a str>,
    pub overview: Option<&'a str>,
    pub remarks: Option<&'a str>,
    pub filled_by: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub filled_on: Option<&'a str>,
    /// Where the case came from: printed small under the footer.
    pub provenance: String,
    pub photos: Vec<Vec<u8>>,
}

/// A photo's size in the document, in EMU: the page width, aspect kept, at most 60% of the
/// page's text height (a tall photo is narrowed instead).
pub fn placed_size(size: ImageSize) -> (i64, i64) {
    let max_w = TEXT_W * EMU_PER_TWIP;
    let max_h = (PAGE_H - 2 * MARGIN) * EMU_PER_TWIP * 6 / 10;
    let (w, h) = (i64::from(size.width), i64::from(size.height));
    let (mut cx, mut cy) = (max_w, max_w * h / w);
    if cy > max_h {
        cy = max_h;
        cx = max_h * w / h;
    }
    // Keep at least one pixel's worth, whatever the header says.
    (cx.max(EMU_PER_PX), cy.max(EMU_PER_PX))
}

/// The case text in the 典型案例概述 box: the parts as labelled paragraphs, or the overview.
pub fn overview_paragraphs(doc: &CaseDocument<'_>) -> Vec<String> {
    let parts = [
        ("线索来源", doc.tip_source),
        ("简要案情", doc.facts),
        ("执法处罚", doc.enforcement),
        ("奖励发放", doc.reward),
    ];
    let mut out: Vec<String> = parts
        .iter()
        .filter_map(|(label, text)| text.map(|t| format!("{label}：{}", t.trim())))
        .collect();
    if let Some(overview) = doc.overview {
        out.extend(overview.lines().map(str::to_string));
    }
    out
}

/// Builds the `.docx`. Photos that are not PNG, JPEG or GIF are named in the text instead.
pub fn case_docx(doc: &CaseDocument<'_>) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut media = Vec::new();
    let mut pictures = String::new();
    let mut skipped = 0;
    for bytes in &doc.photos {
        let Some(size) = image_size(bytes) else {
            skipped += 1;
            continue;
        };
        media.push(Media {
            kind: size.kind,
            bytes,
        });
        let n = media.len();
        let (cx, cy) = placed_size(size);
        pictures.push_str(&picture(n, &media_id(n), cx, cy));
        pictures.push_str(&paragraph(&format!("图{n}"), xml::Style::Caption));
    }
    let mut body = String::new();
    body.push_str(&paragraph("附件2", xml::Style::Mark));
    body.push_str(&paragraph(CASE_TITLE, xml::Style::Title));
    let overview = overview_paragraphs(doc);
    let remarks: Vec<String> = doc
        .remarks
        .map_or_else(Vec::new, |r| r.lines().map(str::to_string).collect());
    body.push_str(&table(&overview, &remarks));
    body.push_str(&footer_line(doc));
    body.push_str(&paragraph(&doc.provenance, xml::Style::Small));
    let photo_count = media.len();
    if photo_count > 0 || skipped > 0 {
        let mut heading = format!("工作图片（{photo_count}张）");
        if skipped > 0 {
            heading.push_str(&format!("；另有 {skipped} 张格式无法嵌入，见原邮件"));
        }
        body.push_str(&paragraph(&heading, xml::Style::Heading));
        body.push_str(&pictures);
    }
    package::package(&xml::document(&body, PAGE_W, PAGE_H, MARGIN), &media)
}

#[cfg(test)]
mod tests {
    use super::image::ImageKind;
    use super::*;

    fn size(width: u32, height: u32) -> ImageSize {
        ImageSize {
            kind: ImageKind::Png,
            width,
            height,
        }
    }

    #[test]
    fn a_wide_photo_takes_the_page_width_with_its_aspect() {
        let (cx, cy) = placed_size(size(4000, 3000));
        assert_eq!(cx, TEXT_W * EMU_PER_TWIP);
        assert_eq!(cy, cx * 3 / 4);
        let (cx, _) = placed_size(size(100, 50));
        assert_eq!(
            cx,
            TEXT_W * EMU_PER_TWIP,
            "small photos are scaled up to the width too"
        );
    }

    #[test]
    fn a_tall_photo_is_narrowed_to_fit_most_of_a_page() {
        let (cx, cy) = placed_size(size(1000, 4000));
        let max_h = (PAGE_H - 2 * MARGIN) * EMU_PER_TWIP * 6 / 10;
        assert_eq!(cy, max_h);
        assert_eq!(cx, max_h / 4);
    }

    #[test]
    fn text_is_escaped_and_unknown_pictures_are_named_not_embedded() {
        let doc = CaseDocument {
            unit_name: "跳磴镇",
            facts: Some("A<B & \"C\"\u{1}"),
            photos: vec![b"not a picture".to_vec()],
            ..CaseDocument::default()
        };
        let bytes = case_docx(&doc).unwrap();
        let parsed = crate::forms::docx::read_docx(&bytes, 1 << 20).unwrap();
        let text: Vec<String> = parsed
            .blocks
            .iter()
            .map(|b| match b {
                crate::forms::docx::Block::Paragraph(p) => p.clone(),
                crate::forms::docx::Block::Table(rows) => rows.concat().join("\n"),
            })
            .collect();
        let all = text.join("\n");
        assert!(all.contains("简要案情：A<B & \"C\""), "{all}");
        assert!(all.contains("另有 1 张格式无法嵌入"), "{all}");
    }
}
