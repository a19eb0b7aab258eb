//! Whole hand-written messages, one per rule: how names are decoded, what counts as an
//! attachment and of which kind, and forwarded messages.

use super::AttachmentKind::{Docx, Image, Other, Spreadsheet};
use super::test_mail::*;

fn only_name(attachment: Vec<u8>) -> String {
    let message = parse(&mail_with(&[attachment]));
    assert_eq!(message.attachments.len(), 1, "{:?}", message.attachments);
    message.attachments[0].name.clone()
}

#[test]
fn rfc2047_names_in_chinese_charsets_b_and_q() {
    let cases: [(&[u8], &str); 5] = [
        (b"Content-Disposition: attachment; filename=\"=?GBK?B?sMvHxdXyMTDUwtTCsaix7S54bHN4?=\"", "八桥镇10月月报表.xlsx"),
        (b"Content-Disposition: attachment; filename=\"=?gb2312?B?vajKpNXysLKw7A==?=.xls\"", "建胜镇安办.xls"),
        (b"Content-Disposition: attachment; filename=\"=?gb18030?B?vsW5rMPtvda1wDEw1MKxqLHtLnhsc3g=?=\"", "九宫庙街道10月报表.xlsx"),
        (b"Content-Disposition: attachment; filename=\"=?utf-8?Q?=E6=8A=A5=E8=A1=A8.xlsx?=\"", "报表.xlsx"),
        (b"Content-Disposition: attachment;\r\n\tfilename=\"=?gb2312?B?vajKpNXy?=\r\n\t=?gb2312?B?sLKw7C54bHM=?=\"", "建胜镇安办.xls"),
    ];
    for (header, expected) in cases {
        let part = part_b64(
            &[b"Content-Type: application/octet-stream", header],
            &xlsx(),
        );
        assert_eq!(only_name(part), expected);
    }
}

#[test]
fn rfc2231_names_with_continuations_split_inside_a_character() {
    let header: &[u8] = b"Content-Disposition: attachment;\r\n filename*0*=UTF-8''%E6%96%B0%E5%B1%B1%E6%9D%91%E8%A1%97%E9;\r\n filename*1*=%81%93%E6%8A%A5%E8%A1%A8.ods";
    assert_eq!(
        only_name(part_b64(
            &[
                b"Content-Type: application/vnd.oasis.opendocument.spreadsheet",
                header
            ],
            b"x"
        )),
        "新山村街道报表.ods"
    );
    let gbk_single: &[u8] = b"Content-Disposition: attachment; filename*=GBK''%B1%A8%B1%ED.xls";
    assert_eq!(only_name(part_b64(&[gbk_single], b"x")), "报表.xls");
}

#[test]
fn raw_8bit_gbk_names_and_subject_are_recovered() {
    let mut disposition = b"Content-Disposition: attachment; filename=\"".to_vec();
    disposition.extend(gbk("九宫庙报表.xlsx"));
    disposition.push(b'"');
    let mut content_type = b"Content-Type: application/vnd.ms-excel; name=\"".to_vec();
    content_type.extend(gbk("别的名字.xls"));
    content_type.push(b'"');
    let mut raw = b"From: \"".to_vec();
    raw.extend(gbk("九宫庙街道"));
    raw.extend_from_slice(b"\" <jgm@example.cn>\r\nSubject: ");
    raw.extend(gbk("九宫庙街道11月报表"));
    raw.extend_from_slice(b"\r\n");
    let body = multipart(
        "mixed",
        "b1",
        &[
            TEXT_BODY.as_bytes().to_vec(),
            part_b64(&[&content_type, &disposition], &xlsx()),
        ],
    );
    raw.extend(body);
    let m = parse(&raw);
    assert_eq!(m.subject, "九宫庙街道11月报表");
    assert_eq!(m.from.unwrap().name.as_deref(), Some("九宫庙街道"));
    assert_eq!(
        names_and_kinds_of(&raw),
        vec![("九宫庙报表.xlsx".to_string(), Spreadsheet)]
    );
}

fn names_and_kinds_of(raw: &[u8]) -> Vec<(String, super::AttachmentKind)> {
    names_and_kinds(&parse(raw))
}

#[test]
fn content_type_name_when_the_disposition_has_none() {
    let part = part_b64(
        &[
            b"Content-Type: application/vnd.ms-excel; name=\"=?GBK?B?saix7Q==?=.xls\"",
            b"Content-Disposition: attachment",
        ],
        b"x",
    );
    assert_eq!(only_name(part), "报表.xls");
}

#[test]
fn sender_side_paths_are_stripped() {
    assert_eq!(
        only_name(file("../../windows/报表.xlsx", b"x")),
        "报表.xlsx"
    );
    assert_eq!(
        only_name(file("C:\\\\桌面\\\\报表.xlsx", b"x")),
        "报表.xlsx"
    );
    let unnamed = part_b64(
        &[
            b"Content-Type: image/png",
            b"Content-Disposition: attachment; filename=\"..\"",
        ],
        b"\x89PNG\r\n\x1a\n",
    );
    assert_eq!(only_name(unnamed), "未命名附件1.png");
}

#[test]
fn kinds_by_name_and_by_content() {
    let ole = [
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
        b"rest",
    ]
    .concat();
    let docx = zip_of(&[("word/document.xml", b"<w:document/>")]);
    let raw = mail_with(&[
        file("报表", &xlsx()),               // no extension: sniffed
        file("真的是xlsx.xls", &xlsx()),     // .xls that is an xlsx
        file("文本改名.xlsx", b"just text"), // renamed .txt stays a spreadsheet by name
        file("旧表格", &ole),                // OLE without a name
        file("案例", &docx),                 // docx without a name
        file("照片.jpeg", JPEG),
        file("说明.pdf", b"%PDF-1.4"), // unknown types are kept
        file("奇怪的东西.bin", b"\x00\x01"),
    ]);
    let expected = vec![
        ("报表".to_string(), Spreadsheet),
        ("真的是xlsx.xls".to_string(), Spreadsheet),
        ("文本改名.xlsx".to_string(), Spreadsheet),
        ("旧表格".to_string(), Spreadsheet),
        ("案例".to_string(), Docx),
        ("照片.jpeg".to_string(), Image),
        ("说明.pdf".to_string(), Other),
        ("奇怪的东西.bin".to_string(), Other),
    ];
    assert_eq!(names_and_kinds_of(&raw), expected);
}

#[test]
fn bodies_are_not_attachments_but_inline_signature_images_are() {
    let html = b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>\xE8\xAF\xB7\xE6\x9F\xA5\xE6\x94\xB6</p><img src=\"cid:sig@x\">".to_vec();
    let logo = part_b64(
        &[
            b"Content-Type: image/png; name=\"image001.png\"",
            b"Content-ID: <sig@x>",
            b"Content-Disposition: inline; filename=\"image001.png\"",
        ],
        b"\x89PNG\r\n\x1a\nrest",
    );
    let unnamed_inline = part_b64(
        &[b"Content-Type: image/jpeg", b"Content-ID: <sig2@x>"],
        JPEG,
    );
    let related = multipart("related", "rel", &[html, logo, unnamed_inline]);
    let alternative = multipart(
        "alternative",
        "alt",
        &[TEXT_BODY.as_bytes().to_vec(), related],
    );
    let raw = [
        HEAD.as_bytes(),
        &multipart("mixed", "mix", &[alternative, file("报表.xlsx", &xlsx())]),
    ]
    .concat();
    let m = parse(&raw);
    let expected = vec![
        ("image001.png".to_string(), Image),
        ("未命名附件1.jpg".to_string(), Image),
        ("报表.xlsx".to_string(), Spreadsheet),
    ];
    assert_eq!(names_and_kinds(&m), expected);
    assert_eq!(m.text_body.trim(), "请查收。");
}

#[test]
fn an_attached_text_file_keeps_its_original_bytes() {
    let csv = gbk("单位,数量\r\n八桥镇,3\r\n");
    let part = part_b64(
        &[
            b"Content-Type: text/csv; charset=gbk",
            b"Content-Disposition: attachment; filename=\"data.csv\"",
        ],
        &csv,
    );
    let m = parse(&mail_with(&[part]));
    assert_eq!(names_and_kinds(&m), vec![("data.csv".to_string(), Other)]);
    assert_eq!(m.attachments[0].bytes, csv);
}

#[test]
fn a_forwarded_message_yields_its_files_but_the_outer_sender() {
    let inner_head = "From: stranger@qq.example\r\nSubject: inner\r\n";
    let inner = [
        inner_head.as_bytes(),
        &multipart(
            "mixed",
            "inner",
            &[
                TEXT_BODY.as_bytes().to_vec(),
                file("内层报表.xlsx", &xlsx()),
            ],
        ),
    ]
    .concat();
    let plain = [
        b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n".as_slice(),
        &inner,
    ]
    .concat();
    let encoded = part_b64(&[b"Content-Type: message/rfc822"], &inner);
    let m = parse(&mail_with(&[plain, encoded]));
    assert_eq!(m.from.as_ref().unwrap().address, "unit@example.cn");
    let expected = vec![
        ("内层报表.xlsx".to_string(), Spreadsheet),
        ("内层报表.xlsx".to_string(), Spreadsheet),
    ];
    assert_eq!(names_and_kinds(&m), expected);
    assert!(m.problems.is_empty());
}

#[test]
fn forwarded_messages_nested_beyond_the_parsers_own_limit_are_still_opened() {
    // mail-parser opens three base64-encoded levels by itself; the rest is done here.
    let mut message = [
        b"From: a@b.c\r\n".as_slice(),
        &multipart("mixed", "in0", &[file("深处.xlsx", &xlsx())]),
    ]
    .concat();
    for level in 1..5 {
        let wrapped = part_b64(&[b"Content-Type: message/rfc822"], &message);
        message = [
            b"From: a@b.c\r\n".as_slice(),
            &multipart("mixed", &format!("in{level}"), &[wrapped]),
        ]
        .concat();
    }
    let m = parse(&message);
    assert_eq!(
        names_and_kinds(&m),
        vec![("深处.xlsx".to_string(), Spreadsheet)]
    );
}
