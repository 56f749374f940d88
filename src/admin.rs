//! `planmap user …` and `planmap token …`: the command line's side of user management (reading
//! a password from standard input, printing). The changes and their audit lines (actor `cli`)
//! are `service::users`, the same as `/api/users`.

use crate::auth::token;
use crate::config::{TokenCommand, UserCommand};
use crate::progress::UnitName;
use crate::service::progress;
use crate::service::users::{self, Change};
use crate::service::Actor;
use crate::store::Store;
use anyhow::Context;
use std::io::{BufRead, Write};

/// The password from standard input's first line, or a new random one (shown once).
fn new_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        Ok((line.trim_end_matches(['\n', '\r']).to_owned(), false))
    } else {
        Ok((token::random_secret()[..20].to_owned(), true))
    }
}

fn say(out: &mut impl Write, text: &str) -> anyhow::Result<()> {
    writeln!(out, "{text}").context("writing to standard output")
}

fn units(names: &[String]) -> anyhow::Result<Vec<UnitName>> {
    names.iter().map(|u| Ok(UnitName::parse(u)?)).collect()
}

/// Registers the plan's units (so a fresh store knows them) and checks `wanted` are among the
/// known ones, naming them all when one is not.
async fn known_units(store: &dyn Store, plan_units: &[UnitName], wanted: &[UnitName]) -> anyhow::Result<()> {
    progress::seed_units(store, plan_units).await?;
    let known = store.units().await?;
    if let Some(u) = wanted.iter().find(|u| !known.contains(u)) {
        let names: Vec<&str> = known.iter().map(UnitName::as_str).collect();
        anyhow::bail!("there is no unit named `{u}`; the plan's units are: {}", names.join("、"));
    }
    Ok(())
}

/// Runs one `planmap user` command. `plan_units` are the plan's responsible units (from geodata).
pub async fn user(store: &dyn Store, cmd: &UserCommand, plan_units: &[UnitName]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let cli = Actor::cli();
    match cmd {
        UserCommand::Add { name, role, password_stdin, units: unit_names } => {
            let unit_list = units(unit_names)?;
            if !unit_list.is_empty() {
                // Checked before the user is added, so a typo in a unit adds nobody.
                known_units(store, plan_units, &unit_list).await?;
            }
            let (pw, generated) = new_password(*password_stdin)?;
            let u = users::add(store, &cli, name, role, pw.clone()).await?;
            if !unit_list.is_empty() {
                progress::set_user_units(store, &cli.name, None, &u.name, &unit_list).await?;
            }
            let (n, role) = (&u.name, u.role);
            if generated {
                say(&mut out, &format!("added {role} `{n}` with password: {pw}\n(shown once; change it with `planmap user reset-password {n}`)"))?;
            } else {
                say(&mut out, &format!("added {role} `{n}`"))?;
            }
        }
        UserCommand::List => {
            for u in users::list(store).await? {
                let mine: Vec<String> = store.user_units(u.id).await?.into_iter().map(String::from).collect();
                let scope = if mine.is_empty() { "district-wide".to_owned() } else { mine.join("、") };
                say(&mut out, &format!("{:<24} {:<8} {:<8} {}", u.name, u.role, if u.disabled { "disabled" } else { "enabled" }, scope))?;
            }
        }
        UserCommand::SetUnits { name, units: unit_names } => {
            let n = users::parse_name(name)?;
            let wanted = units(unit_names)?;
            known_units(store, plan_units, &wanted).await?;
            let now = progress::set_user_units(store, &cli.name, None, &n, &wanted).await?;
            let list: Vec<String> = now.into_iter().map(String::from).collect();
            say(&mut out, &format!("`{n}` reports for {}", if list.is_empty() { "every project (district-wide)".to_owned() } else { list.join("、") }))?;
        }
        UserCommand::Statistics { name: n, off } => {
            let n = users::parse_name(n)?;
            let audit = crate::auth::AuditEntry::now("cli", "user_statistics", Some(n.as_str()), None, Some(if *off { "off" } else { "on" }.into()));
            store.set_statistics_user(&n, !off, &audit).await?;
            say(&mut out, &format!("`{n}` {} record the plan's target values", if *off { "may no longer" } else { "may now" }))?;
        }
        UserCommand::Units => {
            progress::seed_units(store, plan_units).await?;
            for u in store.units().await? {
                say(&mut out, u.as_str())?;
            }
        }
        UserCommand::Disable { name } | UserCommand::Enable { name } => {
            let disable = matches!(cmd, UserCommand::Disable { .. });
            let u = users::change(store, &cli, name, Change { disabled: Some(disable), ..Change::default() }).await?;
            say(&mut out, &format!("{} `{}`", if disable { "disabled" } else { "enabled" }, u.name))?;
        }
        UserCommand::ResetPassword { name, password_stdin } => {
            let (pw, generated) = new_password(*password_stdin)?;
            let u = users::change(store, &cli, name, Change { password: Some(pw.clone()), ..Change::default() }).await?;
            let n = &u.name;
            if generated {
                say(&mut out, &format!("new password for `{n}`: {pw}\n(shown once; their sessions have ended)"))?;
            } else {
                say(&mut out, &format!("password of `{n}` changed; their sessions have ended"))?;
            }
        }
        UserCommand::SetRole { name, role } => {
            let u = users::change(store, &cli, name, Change { role: Some(role.clone()), ..Change::default() }).await?;
            say(&mut out, &format!("`{}` is now a {}", u.name, u.role))?;
        }
    }
    Ok(())
}

/// Runs one `planmap token` command.
pub async fn token(store: &dyn Store, cmd: &TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Add { user, label, expires_days } => {
            let t = users::add_token(store, &Actor::cli(), user, label.as_deref(), *expires_days).await?;
            // Only the token goes to standard output, so `TOKEN=$(planmap token add bot)` works.
            say(&mut std::io::stdout().lock(), &t.secret)?;
            let until = t.info.expires_at.map_or("until revoked".to_owned(), |e| format!("until {}", crate::time::rfc3339(e)));
            eprintln!(
                "API token {} for `{}` ({}), valid {until}; shown once, only its digest is stored. Send it as `Authorization: Bearer …`.",
                t.info.id, t.user.name, t.user.role
            );
        }
        TokenCommand::List { user } => {
            let mut out = std::io::stdout().lock();
            for t in users::tokens(store, user).await? {
                let expires = t.expires_at.map_or("never".to_owned(), crate::time::rfc3339);
                say(
                    &mut out,
                    &format!("{}  {:<24} issued {}  expires {expires}", t.id, t.label.as_deref().unwrap_or("-"), crate::time::rfc3339(t.created_at)),
                )?;
            }
        }
        TokenCommand::Revoke { user, id } => {
            users::revoke_token(store, &Actor::cli(), user, id).await?;
            say(&mut std::io::stdout().lock(), &format!("revoked token {id} of `{user}`"))?;
        }
    }
    Ok(())
}
