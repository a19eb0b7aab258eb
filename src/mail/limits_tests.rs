//! Archives and limits on whole hand-written messages: unpacking, junk files, nesting, sizes,
//! damaged and encrypted zips, and input that must not bring the process down.

use super::AttachmentKind::{Archive, Image, Spreadsheet};
use super::test_mail::*;
use super::{Limits, ProblemKind, parse_message};

#[test]
fn a_zip_is_unpacked_into_its_files_with_display_paths() {
    let zip = zip_of(&[
        ("11月/", b""),
        ("11月/报表.xlsx", &xlsx()),
        ("11月/现场.jpg", JPEG),
        ("__MACOSX/11月/._报表.xlsx", b"junk"),
        ("11月/._报表.xlsx", b"junk"),
        ("11月/Thumbs.db", b"junk"),
        ("../../escape.xlsx", &xlsx()),
    ]);
    let m = parse(&mail_with(&[file("九宫庙报表.zip", &zip)]));
    let expected = vec![
        ("九宫庙报表.zip/11月/报表.xlsx".to_string(), Spreadsheet),
        ("九宫庙报表.zip/11月/现场.jpg".to_string(), Image),
        ("九宫庙报表.zip/escape.xlsx".to_string(), Spreadsheet),
    ];
    assert_eq!(names_and_kinds(&m), expected);
    assert!(m.problems.is_empty());
}

#[test]
fn zips_are_found_by_type_and_by_content_and_nested_ones_opened() {
    let inner = zip_of(&[("内层.xlsx", &xlsx())]);
    let outer = zip_of(&[("外层/内层.zip", &inner)]);
    let by_type = part_b64(
        &[
            b"Content-Type: application/x-zip-compressed",
            b"Content-Disposition: attachment",
        ],
        &outer,
    );
    let by_content = file("打包文件", &inner);
    let m = parse(&mail_with(&[by_type, by_content]));
    let expected = vec![
        (
            "未命名附件1.zip/外层/内层.zip/内层.xlsx".to_string(),
            Spreadsheet,
        ),
        ("打包文件/内层.xlsx".to_string(), Spreadsheet),
    ];
    assert_eq!(names_and_kinds(&m), expected);
}

#[test]
fn two_hundred_attachments_keep_fifty_and_say_so() {
    let parts: Vec<Vec<u8>> = (0..200)
        .map(|i| file(&format!("照片{i}.jpg"), JPEG))
        .collect();
    let m = parse(&mail_with(&parts));
    assert_eq!(m.attachments.len(), 50);
    assert_eq!(m.attachments[49].name, "照片49.jpg");
    assert_eq!(m.problems.len(), 1);
    assert_eq!(
        m.problems[0].kind,
        ProblemKind::TooManyAttachments { limit: 50 }
    );
}

#[test]
fn files_inside_zips_count_toward_the_attachment_limit() {
    let files: Vec<(String, &[u8])> = (0..60).map(|i| (format!("{i}.jpg"), JPEG)).collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let m = parse(&mail_with(&[
        file("报表.xlsx", &xlsx()),
        file("照片.zip", &zip_of(&refs)),
    ]));
    assert_eq!(m.attachments.len(), 50);
    assert_eq!(m.attachments[0].name, "报表.xlsx");
    assert_eq!(
        m.problems[0].kind,
        ProblemKind::TooManyAttachments { limit: 50 }
    );
}

#[test]
fn a_zip_bomb_is_refused_and_the_other_files_kept() {
    let bomb = zip_of(&[("big.xlsx", &vec![0u8; 4 << 20])]);
    assert!(bomb.len() < 20_000);
    let limits = Limits {
        max_uncompressed_bytes: 1 << 20,
        ..Limits::default()
    };
    let raw = mail_with(&[file("炸弹.zip", &bomb), file("报表.xlsx", &xlsx())]);
    let m = parse_message(&raw, &limits);
    let expected = vec![
        ("炸弹.zip".to_string(), Archive),
        ("报表.xlsx".to_string(), Spreadsheet),
    ];
    assert_eq!(names_and_kinds(&m), expected);
    assert_eq!(m.problems.len(), 1);
    assert_eq!(m.problems[0].name, "炸弹.zip");
    assert_eq!(m.problems[0].kind, ProblemKind::TooLarge { limit: 1 << 20 });
    assert!(m.problems[0].message.contains("1MB"));
}

#[test]
fn a_bomb_that_lies_about_its_size_is_stopped_at_the_limit() {
    let mut bomb = zip_of(&[("big.bin", &vec![0u8; 4 << 20])]);
    let declared = 10u32.to_le_bytes();
    bomb[22..26].copy_from_slice(&declared); // local header: uncompressed size
    let central = bomb.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bomb[central + 24..central + 28].copy_from_slice(&declared);
    let limits = Limits {
        max_uncompressed_bytes: 1 << 20,
        ..Limits::default()
    };
    let m = parse_message(&mail_with(&[file("假的.zip", &bomb)]), &limits);
    assert_eq!(names_and_kinds(&m), vec![("假的.zip".to_string(), Archive)]);
    let kind = m.problems[0].kind;
    assert!(
        matches!(kind, ProblemKind::TooLarge { .. } | ProblemKind::Damaged),
        "{kind:?}"
    );
}

#[test]
fn nested_archives_share_one_budget() {
    let inner = zip_of(&[("a.bin", &vec![0u8; 600 << 10])]);
    let outer = zip_of(&[("inner.zip", &inner), ("b.bin", &vec![0u8; 600 << 10])]);
    let limits = Limits {
        max_uncompressed_bytes: 1 << 20,
        ..Limits::default()
    };
    let m = parse_message(&mail_with(&[file("外.zip", &outer)]), &limits);
    let problem = &m.problems[0];
    assert_eq!(
        (problem.name.as_str(), problem.kind),
        ("外.zip/inner.zip", ProblemKind::TooLarge { limit: 1 << 20 })
    );
}

#[test]
fn a_zip_nested_twelve_deep_is_too_deep() {
    let mut zip = zip_of(&[("报表.xlsx", &xlsx())]);
    for level in (1..12).rev() {
        zip = zip_of(&[(&format!("{level}.zip"), &zip)]);
    }
    let m = parse(&mail_with(&[file("0.zip", &zip)]));
    assert!(
        m.attachments.iter().all(|a| a.kind == Archive),
        "{:?}",
        m.attachments
    );
    assert_eq!(m.problems.len(), 1);
    assert_eq!(m.problems[0].kind, ProblemKind::TooDeep { limit: 10 });
    assert!(m.problems[0].name.starts_with("0.zip/1.zip/"));
    let shallow = zip_of(&[("1.zip", &zip_of(&[("报表.xlsx", &xlsx())]))]);
    let m = parse(&mail_with(&[file("0.zip", &shallow)]));
    assert_eq!(
        names_and_kinds(&m),
        vec![("0.zip/1.zip/报表.xlsx".to_string(), Spreadsheet)]
    );
}

#[test]
fn damaged_and_encrypted_zips_are_reported_and_kept() {
    let whole = zip_of(&[("报表.xlsx", &xlsx())]);
    let cut = &whole[..whole.len() / 2];
    let mut locked = zip_of(&[("报表.xlsx", &xlsx())]);
    locked[6] |= 1; // local header: encrypted
    let central = locked.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    locked[central + 8] |= 1;
    let m = parse(&mail_with(&[
        file("坏.zip", cut),
        file("加密.zip", &locked),
    ]));
    let expected = vec![
        ("坏.zip".to_string(), Archive),
        ("加密.zip".to_string(), Archive),
    ];
    assert_eq!(names_and_kinds(&m), expected);
    let kinds: Vec<ProblemKind> = m.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::Damaged, ProblemKind::Encrypted]);
    assert!(m.problems[1].message.contains("密码"));
}

#[test]
fn an_oversized_message_gets_one_problem_and_no_attachments() {
    let raw = mail_with(&[file("报表.xlsx", &xlsx())]);
    let limits = Limits {
        max_message_bytes: raw.len() as u64 - 1,
        ..Limits::default()
    };
    let m = parse_message(&raw, &limits);
    assert!(m.attachments.is_empty());
    assert_eq!(m.problems.len(), 1);
    assert!(matches!(
        m.problems[0].kind,
        ProblemKind::MessageTooLarge { .. }
    ));
    assert_eq!(m.subject, "报表");
}

#[test]
fn deeply_nested_mime_is_refused_without_crashing() {
    let mut raw = b"From: a@b.c\r\nSubject: deep\r\n".to_vec();
    for i in 0..20_000 {
        raw.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n")
                .as_bytes(),
        );
    }
    raw.extend_from_slice(b"Content-Type: image/jpeg; name=a.jpg\r\n\r\nxx\r\n");
    let m = parse(&raw);
    assert!(m.attachments.is_empty());
    assert_eq!(m.problems[0].kind, ProblemKind::TooDeep { limit: 10 });
    let mut nested = b"From: a@b.c\r\nSubject: deep\r\n".to_vec();
    for _ in 0..100_000 {
        nested.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    let m = parse(&nested);
    assert_eq!(m.subject, "deep");
    assert_eq!(m.problems[0].kind, ProblemKind::TooDeep { limit: 10 });
}

#[test]
fn garbage_empty_and_header_only_input_never_panic() {
    let mut state: u64 = 42;
    let mut garbage = Vec::new();
    for _ in 0..100_000 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        garbage.push((state >> 33) as u8);
    }
    for raw in [
        &garbage[..],
        b"",
        b"\r\n\r\n",
        b"From: a@b.c\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x",
        b":::\r\n\r\n",
    ] {
        let _ = parse(raw);
    }
    let only_headers = parse(HEAD.as_bytes());
    assert_eq!(only_headers.subject, "报表");
    assert_eq!(only_headers.message_id.as_deref(), Some("<m1@example.cn>"));
    assert!(only_headers.attachments.is_empty() && only_headers.problems.is_empty());
}
