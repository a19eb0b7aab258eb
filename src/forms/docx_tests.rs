//! Tests of the .docx reader on hand-written XML and in-memory archives.

use std::io::{Cursor, Write};

use super::*;

fn body(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{inner}<w:sectPr/></w:body></w:document>"#
    )
}

fn para(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

fn docx_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap();
    out.into_inner()
}

#[test]
fn paragraphs_keep_runs_tabs_breaks_and_entities() {
    let xml = body(concat!(
        "<w:p><w:r><w:t>线索</w:t></w:r><w:r><w:t xml:space=\"preserve\">来源：</w:t><w:tab/>",
        "<w:t>A&amp;B&#x4E00;</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>",
        "<w:p/>",
        "<w:p><w:r><w:delText>删除的</w:delText><w:instrText>PAGE</w:instrText><w:t>留下</w:t></w:r></w:p>"
    ));
    let doc = parse_document_xml(&xml).unwrap();
    assert_eq!(
        doc.blocks,
        vec![
            Block::Paragraph("线索来源：\tA&B一\n第二行".into()),
            Block::Paragraph(String::new()),
            Block::Paragraph("留下".into()),
        ]
    );
}

#[test]
fn tables_line_up_with_the_grid_across_spans_and_vertical_merges() {
    let cell =
        |props: &str, text: &str| format!("<w:tc><w:tcPr>{props}</w:tcPr>{}</w:tc>", para(text));
    let xml = body(&format!(
        "{}<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr>{}</w:tr></w:tbl>",
        para("标题"),
        cell("<w:vMerge w:val=\"restart\"/>", "简要案情"),
        cell("<w:gridSpan w:val=\"2\"/>", "第一段"),
        cell("<w:vMerge/>", ""),
        "<w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc>",
        cell("<w:gridSpan w:val=\"3\"/>", "备注"),
    ));
    let doc = parse_document_xml(&xml).unwrap();
    assert_eq!(doc.blocks[0], Block::Paragraph("标题".into()));
    let Block::Table(rows) = &doc.blocks[1] else {
        panic!("{:?}", doc.blocks)
    };
    assert_eq!(rows[0], ["简要案情", "第一段", ""]);
    assert_eq!(rows[1], ["", "甲\n乙"]);
    assert_eq!(rows[2], ["备注", "", ""]);
}

#[test]
fn a_nested_table_becomes_lines_of_its_cell() {
    let inner = format!(
        "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
        para("奖励发放"),
        para("1000元")
    );
    let xml = body(&format!(
        "<w:tbl><w:tr><w:tc>{}{inner}</w:tc></w:tr></w:tbl>",
        para("外")
    ));
    let doc = parse_document_xml(&xml).unwrap();
    assert_eq!(
        doc.blocks,
        vec![Block::Table(vec![vec!["外\n奖励发放\t1000元".to_string()]])]
    );
}

#[test]
fn broken_xml_is_damaged() {
    assert!(matches!(
        parse_document_xml("<w:document><w:body><w:p></w:body>"),
        Err(DocxError::Damaged(_))
    ));
}

#[test]
fn reads_the_document_part_of_a_docx() {
    let xml = body(&para("典型案例概述"));
    let bytes = docx_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", xml.as_bytes()),
    ]);
    let doc = read_docx(&bytes, 1 << 20).unwrap();
    assert_eq!(doc.blocks, vec![Block::Paragraph("典型案例概述".into())]);
    assert_eq!(
        read_docx(&bytes, 10),
        Err(DocxError::TooLarge { limit: 10 })
    );
}

#[test]
fn other_files_are_refused_with_the_reason() {
    let xlsx = docx_of(&[("xl/workbook.xml", b"<workbook/>")]);
    assert_eq!(read_docx(&xlsx, 1 << 20), Err(DocxError::NotADocx));
    assert_eq!(read_docx(b"hello", 1 << 20), Err(DocxError::NotADocx));
    assert!(matches!(
        read_docx(&xlsx[..xlsx.len() / 2], 1 << 20),
        Err(DocxError::Damaged(_))
    ));
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let mut doc = CFB_MAGIC.to_vec();
    doc.extend(utf16("WordDocument"));
    assert_eq!(read_docx(&doc, 1 << 20), Err(DocxError::OldWordFormat));
    let mut encrypted = CFB_MAGIC.to_vec();
    encrypted.extend(utf16("EncryptionInfo"));
    assert_eq!(read_docx(&encrypted, 1 << 20), Err(DocxError::Encrypted));
    assert_eq!(
        read_docx(b"{\\rtf1\\ansi", 1 << 20),
        Err(DocxError::OldWordFormat)
    );
}

#[test]
fn every_error_has_a_chinese_message() {
    assert!(
        DocxError::OldWordFormat
            .user_message()
            .contains("另存为 .docx")
    );
    for error in [
        DocxError::NotADocx,
        DocxError::Damaged("x".into()),
        DocxError::TooLarge { limit: 100 << 20 },
        DocxError::Encrypted,
    ] {
        assert!(!error.user_message().is_empty());
    }
}
