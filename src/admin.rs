//! `planmap user …` and `planmap token …`: user management from the command line, for the first
//! admin and for scripts. Every change is written to the audit log with actor `cli`.

use crate::auth::{password, token, AuditEntry, Role, UserName};
use crate::config::{TokenCommand, UserCommand};
use crate::progress::UnitName;
use crate::service::progress;
use crate::store::Store;
use anyhow::Context;
use std::io::{BufRead, Write};

fn name(s: &str) -> anyhow::Result<UserName> {
    Ok(UserName::parse(s.trim())?)
}

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

async fn log(store: &dyn Store, action: &str, target: &str, detail: Option<String>) -> anyhow::Result<()> {
    store.audit(&AuditEntry::now("cli", action, Some(target), None, detail)).await?;
    Ok(())
}

fn units(names: &[String]) -> anyhow::Result<Vec<UnitName>> {
    names.iter().map(|u| Ok(UnitName::parse(u)?)).collect()
}

/// Ties `n` to `units` (the plan's units are registered first, so a fresh store knows them).
async fn set_units(store: &dyn Store, plan_units: &[UnitName], n: &UserName, units: &[UnitName]) -> anyhow::Result<Vec<UnitName>> {
    progress::seed_units(store, plan_units).await?;
    match progress::set_user_units(store, "cli", None, n, units).await {
        Err(progress::ProgressError::Store(crate::store::StoreError::UnknownUnit(u))) => {
            let known: Vec<String> = store.units().await?.into_iter().map(String::from).collect();
            anyhow::bail!("there is no unit named `{u}`; the plan's units are: {}", known.join("、"))
        }
        other => Ok(other?),
    }
}

/// Runs one `planmap user` command. `plan_units` are the plan's responsible units (from geodata).
pub async fn user(store: &dyn Store, cmd: &UserCommand, plan_units: &[UnitName]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        UserCommand::Add { name: n, role, password_stdin, units: unit_names } => {
            let n = name(n)?;
            let role: Role = role.parse()?;
            let unit_list = units(unit_names)?;
            if !unit_list.is_empty() {
                // Checked before the user is added, so a typo in a unit adds nobody.
                progress::seed_units(store, plan_units).await?;
                let known = store.units().await?;
                if let Some(u) = unit_list.iter().find(|u| !known.contains(u)) {
                    let names: Vec<&str> = known.iter().map(UnitName::as_str).collect();
                    anyhow::bail!("there is no unit named `{u}`; the plan's units are: {}", names.join("、"));
                }
            }
            let (pw, generated) = new_password(*password_stdin)?;
            let hash = password::hash_blocking(pw.clone()).await?;
            store.add_user(&n, role, &hash).await?;
            log(store, "user_add", n.as_str(), Some(format!("role {role}"))).await?;
            if !unit_list.is_empty() {
                set_units(store, plan_units, &n, &unit_list).await?;
            }
            if generated {
                say(&mut out, &format!("added {role} `{n}` with password: {pw}\n(shown once; change it with `planmap user reset-password {n}`)"))?;
            } else {
                say(&mut out, &format!("added {role} `{n}`"))?;
            }
        }
        UserCommand::List => {
            for u in store.users().await? {
                let mine: Vec<String> = store.user_units(u.id).await?.into_iter().map(String::from).collect();
                let scope = if mine.is_empty() { "district-wide".to_owned() } else { mine.join("、") };
                say(&mut out, &format!("{:<24} {:<8} {:<8} {}", u.name, u.role, if u.disabled { "disabled" } else { "enabled" }, scope))?;
            }
        }
        UserCommand::SetUnits { name: n, units: unit_names } => {
            let n = name(n)?;
            let now = set_units(store, plan_units, &n, &units(unit_names)?).await?;
            let list: Vec<String> = now.into_iter().map(String::from).collect();
            say(&mut out, &format!("`{n}` reports for {}", if list.is_empty() { "every project (district-wide)".to_owned() } else { list.join("、") }))?;
        }
        UserCommand::Statistics { name: n, off } => {
            let n = name(n)?;
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
        UserCommand::Disable { name: n } | UserCommand::Enable { name: n } => {
            let disable = matches!(cmd, UserCommand::Disable { .. });
            let n = name(n)?;
            store.set_disabled(&n, disable).await?;
            log(store, if disable { "user_disable" } else { "user_enable" }, n.as_str(), None).await?;
            say(&mut out, &format!("{} `{n}`", if disable { "disabled" } else { "enabled" }))?;
        }
        UserCommand::ResetPassword { name: n, password_stdin } => {
            let n = name(n)?;
            let (pw, generated) = new_password(*password_stdin)?;
            let hash = password::hash_blocking(pw.clone()).await?;
            store.set_password(&n, &hash).await?;
            log(store, "user_password", n.as_str(), None).await?;
            if generated {
                say(&mut out, &format!("new password for `{n}`: {pw}\n(shown once; their sessions have ended)"))?;
            } else {
                say(&mut out, &format!("password of `{n}` changed; their sessions have ended"))?;
            }
        }
        UserCommand::SetRole { name: n, role } => {
            let n = name(n)?;
            let role: Role = role.parse()?;
            store.set_role(&n, role).await?;
            log(store, "user_role", n.as_str(), Some(role.to_string())).await?;
            say(&mut out, &format!("`{n}` is now a {role}"))?;
        }
    }
    Ok(())
}

/// Runs one `planmap token` command.
pub async fn token(store: &dyn Store, cmd: &TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Add { user, label } => {
            let n = name(user)?;
            let (u, _) = store.user_with_hash(&n).await?.with_context(|| format!("there is no user named `{n}`"))?;
            let t = token::new_api_token();
            store.add_token(&token::digest(&t), u.id, label.as_deref(), crate::time::now_micros()).await?;
            log(store, "token_add", n.as_str(), label.clone()).await?;
            // Only the token goes to standard output, so `TOKEN=$(planmap token add bot)` works.
            say(&mut std::io::stdout().lock(), &t)?;
            eprintln!("API token for `{n}` ({}); shown once, only its digest is stored. Send it as `Authorization: Bearer …`.", u.role);
        }
    }
    Ok(())
}
