//! Tip sources written inside one 典型案例概述 are cut into the tip-source field: out of every
//! staff view and of an export made without `--with-tip-sources` (SPEC §4).

use super::{run, write};
use crate::support::{TestEnv, acceptance, message};

const NOW: &str = "2026-11-20T12:00:00+08:00";

/// Every cell of every sheet of an exported workbook, as one text.
fn workbook_text(path: &std::path::Path) -> String {
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(path).expect("export opens");
    let mut text = String::new();
    for name in book.sheet_names() {
        if let Ok(range) = book.worksheet_range(&name) {
            for cell in range.used_cells() {
                text.push_str(&cell.2.to_string());
                text.push('\n');
            }
        }
    }
    text
}

fn export(env: &TestEnv, with_tips: bool) -> String {
    let path = env.dir.path().join(if with_tips {
        "with.xlsx"
    } else {
        "without.xlsx"
    });
    let path_text = path.to_string_lossy().into_owned();
    let mut args = vec!["export", "--month", "2026-11", "-o", &path_text];
    if with_tips {
        args.push("--with-tip-sources");
    }
    run(env, NOW, &args);
    workbook_text(&path)
}

#[test]
fn the_tip_sentence_of_sample_040_stays_out_of_the_unflagged_export() {
    let out = acceptance().join("out");
    let env = TestEnv::with_roster(&out.join("units.toml"), "17455352@qq.example");
    let raw = std::fs::read(out.join("040-case-docx-table-photos.eml")).expect("sample 040");
    let path = write(&env, "040.eml", &raw);
    let (line, _) = run(&env, NOW, &["ingest", &path.to_string_lossy()]);
    assert!(line.contains("\"outcome\":\"accepted\""), "{line}");

    let plain = export(&env, false);
    assert!(
        plain.contains("查获非法储存的液化石油气钢瓶46个"),
        "the facts are there: {plain}"
    );
    assert!(
        !plain.contains("12345热线"),
        "no tip source without the flag: {plain}"
    );
    assert!(!plain.contains("线索来源："), "{plain}");
    let flagged = export(&env, true);
    assert!(flagged.contains("居民通过12345热线举报"), "{flagged}");
}

/// A case workbook written as one overview, from 跳磴镇.
fn overview_case(text: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "安全生产举报奖励工作典型案例报送表")
        .unwrap();
    sheet.write_string(1, 0, "典型案例概述").unwrap();
    sheet.write_string(1, 1, text).unwrap();
    sheet.write_string(2, 0, "备注").unwrap();
    sheet.write_string(2, 1, "照片见附件").unwrap();
    sheet
        .write_string(
            3,
            0,
            "填报单位：跳磴镇　填报人：张敏　联系电话：023-68173265　填报时间：2026年11月19日",
        )
        .unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn other_phrasings_of_the_tip_source_are_cut_as_well() {
    let env = TestEnv::new();
    let photo = std::fs::read(crate::support::fixtures().join("cases/a039-photo1.jpg")).unwrap();
    let cases = [
        (
            "t1",
            "举报人刘某某（身份证尾号0417）反映某加油站夜间违规卸油。执法人员核查属实，罚款5万元。按规定对举报人给予奖励2500元。",
            "刘某某",
        ),
        (
            "t2",
            "线索来源为匿名来信，信中写明了车间位置。执法人员检查发现某企业违规动火作业，责令停产整顿。",
            "匿名来信",
        ),
        (
            "t3",
            "2026年9月，经群众举报，得知跳磴镇某仓库堆放危化品。经核查立案，罚款2万元，奖励举报人800元。",
            "得知跳磴镇某仓库",
        ),
    ];
    for (id, text, secret) in cases {
        let form = overview_case(text);
        let raw = message(
            "tiaodeng@example.gov.cn",
            "典型案例",
            &format!("{id}@qq.example"),
            &[("典型案例.xlsx", &form), ("现场.jpg", &photo)],
        );
        let path = write(&env, &format!("{id}.eml"), &raw);
        let (line, _) = run(&env, NOW, &["ingest", &path.to_string_lossy()]);
        assert!(line.contains("\"outcome\":\"accepted\""), "{id}: {line}");
        assert!(!line.contains(secret), "{id}: {line}");
        let plain = export(&env, false);
        assert!(!plain.contains(secret), "{id} leaked: {plain}");
        assert!(
            export(&env, true).contains(secret),
            "{id}: the admin export keeps it"
        );
    }
    let (status, _) = run(&env, NOW, &["status", "--month", "2026-11"]);
    for (_, _, secret) in cases {
        assert!(!status.contains(secret), "{status}");
    }
}
