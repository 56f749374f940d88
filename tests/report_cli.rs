//! `planmap report export|missing` and `planmap demo-data` with reports: the 月报表 file the CLI
//! writes opens with its columns, missing units are listed, synthetic reports stay synthetic.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::{Command, Output};

fn planmap(db: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planmap"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env_remove("PLANMAP_GEODATA")
        .env_remove("PLANMAP_REPORT_DEADLINE_DAY")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn demo_data_reports_are_exported_and_missing_units_listed() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = planmap(&db, &["demo-data", "--count", "30", "--seed", "7", "--report-projects", "20", "--report-months", "2"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("synthetic monthly reports") && said.contains("100 milestones"), "{said}");

    let last = planmap::progress::Period::of(planmap::service::progress::today()).prev().to_string();
    let file = dir.path().join("月报.xlsx");
    ok(&planmap(&db, &["report", "export", "--period", &last, "-o", file.to_str().unwrap()]));
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[1].iter().map(|c| c.to_string()).collect();
    assert_eq!(header, planmap::progress::report_table::COLUMNS);
    let data = &rows[2..];
    assert!(data.iter().all(|r| matches!(&r[1], Data::String(n) if n.starts_with("合成测试项目"))), "only synthetic projects");
    assert!(data.iter().any(|r| matches!(r[5], Data::Float(_))), "some approved figures");
    assert!(data.iter().any(|r| r[8] == Data::String("未填报".into())), "some not reported");

    let csv = dir.path().join("月报.csv");
    ok(&planmap(&db, &["report", "export", "--period", &last, "-o", csv.to_str().unwrap()]));
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("\u{feff}序号,项目名称,责任单位"));
    let out = planmap(&db, &["report", "export", "--period", &last, "-o", dir.path().join("x.pdf").to_str().unwrap()]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--format"));
    let out = planmap(&db, &["report", "export", "--period", "2026-13", "-o", file.to_str().unwrap()]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--period"));

    let text = ok(&planmap(&db, &["report", "missing", "--period", &last]));
    assert!(text.starts_with(&format!("【月报提醒】{last}")), "{text}");
    // Synthetic projects name no unit: they are listed under 未明确责任单位.
    assert!(text.contains("未明确责任单位") && text.contains("合成测试项目"), "{text}");
}
