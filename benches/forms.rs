//! Parse + validate one monthly form, as .xlsx (openpyxl) and .xls (LibreOffice).
//!
//!     cargo bench --bench forms

use criterion::{Criterion, criterion_group, criterion_main};
use reportdesk::domain::period::Period;
use reportdesk::forms::monthly::{ReadContext, read_monthly};
use reportdesk::forms::{FormKind, detect_kind, open_workbook};

fn read(bytes: &[u8], names: &[String]) -> usize {
    let workbook = open_workbook(bytes, 100 << 20).expect("readable fixture");
    assert_eq!(detect_kind(&workbook), Some(FormKind::Monthly));
    let ctx = ReadContext {
        open_period: Period::new(2026, 11).expect("period"),
        subject: "",
        unit_names: Some(names),
        plausibility_bound: 100_000,
    };
    let reading = read_monthly(&workbook, &ctx);
    reading.form.map(|f| f.values.iter().count()).unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/forms/");
    let names = vec!["跳磴镇".to_string()];
    for file in [
        "f01-official-tiaodeng.xlsx",
        "f01-official-tiaodeng.xls",
        "f01-official-tiaodeng.ods",
    ] {
        let bytes = std::fs::read(format!("{dir}{file}")).expect("fixture");
        assert_eq!(read(&bytes, &names), 11);
        c.bench_function(&format!("parse+validate {file}"), |b| {
            b.iter(|| read(std::hint::black_box(&bytes), &names))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
