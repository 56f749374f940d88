//! The monthly report table (月报表) as XLSX and CSV (issue 10, item 7), for
//! `GET /api/reports/export` and `planmap report export`.

use super::progress::ProgressResult;
use crate::progress::report_table::{self, looks_like_formula, Row, COLUMNS};
use crate::progress::Period;
use crate::project::{Page, ProjectFilter};
use crate::store::{ReportQuery, Store};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// The file formats of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Excel workbook.
    Xlsx,
    /// UTF-8 CSV with a byte-order mark (so Excel shows the Chinese).
    Csv,
}

impl TableFormat {
    /// Media type.
    pub fn mime(self) -> &'static str {
        match self {
            TableFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            TableFormat::Csv => "text/csv; charset=utf-8",
        }
    }
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Xlsx => "xlsx",
            TableFormat::Csv => "csv",
        }
    }
    /// The format a file name's extension names.
    pub fn of_path(p: &std::path::Path) -> Option<TableFormat> {
        p.extension().and_then(|e| e.to_str()).and_then(|e| e.parse().ok())
    }
}

impl std::str::FromStr for TableFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<TableFormat, String> {
        match s.to_ascii_lowercase().as_str() {
            "xlsx" => Ok(TableFormat::Xlsx),
            "csv" => Ok(TableFormat::Csv),
            _ => Err(format!("`{s}` is not a table format; one of: xlsx, csv")),
        }
    }
}

/// The table's rows for a month, from the store.
pub async fn rows(store: &dyn Store, period: Period) -> ProgressResult<Vec<Row>> {
    let projects = store.list(&ProjectFilter::default(), Page::ALL).await?;
    let reports = store.reports(&ReportQuery { period: Some(period), ..ReportQuery::default() }).await?;
    Ok(report_table::rows(&projects, &reports, period))
}

/// The file name a download gets, e.g. `月报表-2026-11.xlsx`.
pub fn file_name(period: Period, format: TableFormat) -> String {
    format!("月报表-{period}.{}", format.extension())
}

/// The title above the table.
pub fn title(period: Period) -> String {
    format!("重点项目月报表（{}年{}月，单位：万元）", period.year(), period.month())
}

fn number(d: Option<Decimal>) -> Option<f64> {
    d.and_then(|d| d.to_f64())
}

/// The workbook: a title row, the header, one row per project.
pub fn xlsx(rows: &[Row], period: Period) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(format!("月报表{period}"))?;
    let bold = Format::new().set_bold();
    let head = Format::new().set_bold().set_align(FormatAlign::Center).set_border(rust_xlsxwriter::FormatBorder::Thin);
    let money = Format::new().set_num_format("#,##0.00");
    let rate = Format::new().set_num_format("0.0%");
    // A text cell is never a formula in XLSX, but one that starts like a formula would become
    // one when edited or saved as CSV: the quote prefix keeps it text.
    let inert = Format::new().set_quote_prefix();
    sheet.merge_range(0, 0, 0, (COLUMNS.len() - 1) as u16, &title(period), &bold)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *name, &head)?;
    }
    let widths = [6.0, 40.0, 24.0, 12.0, 14.0, 12.0, 12.0, 8.0, 30.0, 30.0];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = (i + 2) as u32;
        sheet.write_number(y, 0, r.index as f64)?;
        let texts = [(1u16, Some(r.name.as_str())), (2, Some(r.units.as_str())), (8, Some(r.progress.as_str())), (9, r.problems.as_deref())];
        for (c, t) in texts {
            match t {
                Some(t) if looks_like_formula(t) => {
                    sheet.write_string_with_format(y, c, t, &inert)?;
                }
                Some(t) if !t.is_empty() => {
                    sheet.write_string(y, c, t)?;
                }
                _ => {}
            }
        }
        for (c, v) in [(3u16, r.total), (4, r.annual_plan), (5, r.month), (6, r.year_to_date)] {
            if let Some(n) = number(v) {
                sheet.write_number_with_format(y, c, n, &money)?;
            }
        }
        if let Some(n) = number(r.rate) {
            sheet.write_number_with_format(y, 7, n / 100.0, &rate)?;
        }
    }
    sheet.set_freeze_panes(2, 2)?;
    book.save_to_buffer()
}

/// The CSV: the header, one row per project; money as decimal text, 完成率 as `52.3%`.
pub fn csv(rows: &[Row]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record(COLUMNS)?;
    let dec = |d: Option<Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_default();
    for r in rows {
        let t = |s: &str| report_table::csv_text(s).into_owned();
        out.write_record([
            r.index.to_string(),
            t(&r.name),
            t(&r.units),
            dec(r.total),
            dec(r.annual_plan),
            dec(r.month),
            dec(r.year_to_date),
            r.rate.map(|x| format!("{x:.1}%")).unwrap_or_default(),
            t(&r.progress),
            t(r.problems.as_deref().unwrap_or("")),
        ])?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The table in `format`.
pub async fn export(store: &dyn Store, period: Period, format: TableFormat) -> anyhow::Result<Vec<u8>> {
    let rows = rows(store, period).await?;
    Ok(match format {
        TableFormat::Xlsx => xlsx(&rows, period)?,
        TableFormat::Csv => csv(&rows)?,
    })
}
