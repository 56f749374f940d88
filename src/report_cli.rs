//! `planmap report …`: the 月报表 file, the units that have not reported, the group-robot reminder.

use crate::config::ReportCommand;
use crate::progress::Period;
use crate::service::progress::today;
use crate::service::reminders;
use crate::service::report_table::{self, TableFormat};
use crate::store::Store;
use anyhow::Context;
use std::io::Write;

fn period(s: &str) -> anyhow::Result<Period> {
    s.parse::<Period>().map_err(|e| anyhow::anyhow!("--period: {e}"))
}

/// Runs one `planmap report` command.
pub async fn run(store: &dyn Store, cmd: &ReportCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        ReportCommand::Export { period: p, output, format } => {
            let p = period(p)?;
            let format = match format {
                Some(f) => f.parse::<TableFormat>().map_err(|e| anyhow::anyhow!("--format: {e}"))?,
                None => TableFormat::of_path(output)
                    .with_context(|| format!("{} ends in neither .xlsx nor .csv; say --format xlsx or --format csv", output.display()))?,
            };
            let rows = report_table::rows(store, p).await?;
            let bytes = match format {
                TableFormat::Xlsx => report_table::xlsx(&rows, p)?,
                TableFormat::Csv => report_table::csv(&rows)?,
            };
            std::fs::write(output, bytes).with_context(|| format!("writing {}", output.display()))?;
            eprintln!("wrote {} projects of {p} to {}", rows.len(), output.display());
        }
        ReportCommand::Missing { period: p, deadline_day } => {
            let r = reminders::missing(store, period(p)?, today(), *deadline_day).await?;
            writeln!(out, "{}", reminders::message(&r)).context("writing to standard output")?;
        }
        ReportCommand::Remind { period: p, webhook, deadline_day } => {
            let r = reminders::missing(store, period(p)?, today(), *deadline_day).await?;
            let text = reminders::message(&r);
            reminders::post(webhook, &text).await?;
            eprintln!("posted the reminder for {} ({} units) to the webhook", r.period, r.units.len());
        }
    }
    Ok(())
}
