//! The `planmap` command: parse the command line, set up logs, run one subcommand.

use anyhow::Context;
use planmap::app::{self, App};
use planmap::config::{Cli, Command, Config, LogFormat};
use planmap::geodata::Geodata;
use planmap::project::{ProjectFilter, Rules};
use planmap::service::import::{self, Limits, Outcome};
use planmap::store::{self, BatchMode, RevisionMeta};
use std::io::Write;
use std::sync::Arc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // `planmap --bind X serve` must honour X as `planmap serve --bind X` does.
    if let (Some(Command::Serve(sub)), Some(m)) = (&cli.command, matches.subcommand_matches("serve")) {
        cli.serve = planmap::config::ServeArgs::merge(&cli.serve, sub, m);
    }
    planmap::telemetry::init(cli.common.log_format == LogFormat::Json);
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("planmap: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn rules(cli: &Cli) -> anyhow::Result<Rules> {
    let geodata = Geodata::load(cli.common.geodata.as_deref()).map_err(anyhow::Error::msg)?;
    Ok(Rules { region: cli.common.region, towns: cli.common.towns().map_err(anyhow::Error::msg)?, islands: Arc::new(geodata.islands) })
}

fn write_out(path: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(p) => std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display())),
        None => std::io::stdout().lock().write_all(bytes).context("writing to standard output"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    match &cli.command {
        None | Some(Command::Serve(_)) => {
            let config = Config::from_cli(&cli.common, &cli.serve).map_err(anyhow::Error::msg)?;
            let app = App::build(config).await?;
            tracing::info!(address = %app.local_addr()?, store = %cli.common.database_url, "planmap is serving: open http://{}/", app.local_addr()?);
            app.run(app::shutdown_signal()).await?;
        }
        Some(Command::Migrate) => {
            store::open(&cli.common.database_url, cli.common.region).await?;
            tracing::info!(store = %cli.common.database_url, "migrations applied");
        }
        Some(Command::Import(args)) => {
            let rules = rules(&cli).await?;
            let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
            let value: serde_json::Value = if bytes.starts_with(b"SQLite format 3\0") {
                planmap::formats::read_gpkg(&args.file).await.with_context(|| format!("reading the GeoPackage {}", args.file.display()))?
            } else {
                serde_json::from_slice(&bytes).with_context(|| format!("{} is not valid JSON (nor a GeoPackage)", args.file.display()))?
            };
            let store = store::open(&cli.common.database_url, cli.common.region).await?;
            let mode = if args.create_only { BatchMode::CreateOnly } else { BatchMode::Upsert };
            let meta = RevisionMeta::by("import", args.comment.as_deref().or(Some(&args.file.display().to_string())));
            let crs: planmap::geometry::crs::Crs = args.crs.parse()?;
            let report = import::run_in(store.as_ref(), &value, &rules, Limits::default(), crs, mode, args.dry_run, &meta).await?;
            for item in &report.items {
                let id = item.id.as_deref().unwrap_or("(no id)");
                eprintln!("feature {:>5} {:<40} {:?}", item.index, id, item.outcome);
                for e in &item.errors {
                    eprintln!("        {} ({}): {}", e.field, e.pointer, e.reason);
                }
            }
            let rejected = report.items.iter().filter(|i| i.outcome == Outcome::Rejected).count();
            eprintln!("{} features, {} rejected, {}", report.total, rejected, if report.written { "written" } else { "nothing written" });
            if rejected > 0 {
                return Ok(std::process::ExitCode::from(2));
            }
        }
        Some(Command::Export(args)) => {
            let store = store::open(&cli.common.database_url, cli.common.region).await?;
            let mut filter = ProjectFilter::default();
            if let Some(text) = &args.filter {
                filter.cql = Some(text.parse().map_err(|e| anyhow::anyhow!("--filter is not valid CQL2 text: {e}"))?);
            }
            let mut out: Box<dyn Write> = match &args.output {
                Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            planmap::service::export::export_to(store, filter, args.format, &mut out).await?;
            out.flush().context("writing the export")?;
        }
        Some(Command::User(cmd)) => {
            let store = store::open(&cli.common.database_url, cli.common.region).await?;
            let geodata = Geodata::load(cli.common.geodata.as_deref()).map_err(anyhow::Error::msg)?;
            planmap::admin::user(store.as_ref(), cmd, &geodata.plan_units()).await?;
        }
        Some(Command::Report(cmd)) => {
            let store = store::open(&cli.common.database_url, cli.common.region).await?;
            planmap::report_cli::run(store.as_ref(), cmd).await?;
        }
        Some(Command::Token(cmd)) => {
            let store = store::open(&cli.common.database_url, cli.common.region).await?;
            planmap::admin::token(store.as_ref(), cmd).await?;
        }
        Some(Command::DemoData(args)) => {
            let features = planmap::demo_data::generate(args.count, args.seed, &cli.common.region);
            let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
            if let Some(out) = &args.output {
                write_out(Some(out), &serde_json::to_vec(&fc)?)?;
                return Ok(std::process::ExitCode::SUCCESS);
            }
            let rules = rules(&cli).await?;
            let store = store::open(&cli.common.database_url, cli.common.region).await?;
            let census = store.census().await?;
            if census.real > 0 {
                anyhow::bail!(
                    "the store {} holds {} real projects; synthetic data never mixes with the real seed: point DATABASE_URL at a separate database",
                    cli.common.database_url,
                    census.real
                );
            }
            let meta = RevisionMeta::by("demo-data", Some(&format!("--count {} --seed {}", args.count, args.seed)));
            let report =
                import::run(store.as_ref(), &fc, &rules, Limits { max_features: 2_000_000, ..Limits::default() }, BatchMode::Upsert, false, &meta).await?;
            anyhow::ensure!(report.written, "demo data failed the rules: {:?}", report.items.iter().find(|i| !i.errors.is_empty()));
            eprintln!("loaded {} synthetic projects into {}", report.total, cli.common.database_url);
            if args.report_projects > 0 && args.report_months > 0 {
                let today = planmap::service::progress::today();
                let g = planmap::service::demo_progress::generate(store.as_ref(), args.seed, today, args.report_projects, args.report_months).await?;
                eprintln!("and {} synthetic monthly reports and {} milestones", g.reports, g.milestones);
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
