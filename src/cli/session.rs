//! `booksygo login | logout | whoami`: the session remote mode runs on, and the offline copy
//! of the bookings made through it.

use crate::output::Out;
use booksygo_core::booking::BookingStatus;
use booksygo_core::config::{Paths, Settings};
use booksygo_core::remote::{self, RemoteAgency, Session};
use booksygo_core::{Agency, Error};
use clap::Args;

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The server, for example https://booksygo.example.com (default: remote.url).
    url: Option<String>,
    /// Your account's email (asked for when missing).
    #[arg(long)]
    email: Option<String>,
    /// Read the password from standard input (one line) instead of a prompt.
    #[arg(long)]
    password_stdin: bool,
}

fn settings() -> anyhow::Result<Settings> {
    Ok(Settings::load(&Paths::from_env()?)?)
}

pub async fn login(args: LoginArgs, out: Out) -> anyhow::Result<u8> {
    let settings = settings()?;
    let url = args
        .url
        .or_else(|| settings.get("remote.url"))
        .ok_or_else(|| {
            Error::invalid("give the server's URL: booksygo login https://booksygo.example.com")
        })?;
    let url = remote::normalise_url(&url)?;
    let email = match args.email {
        Some(e) => e,
        None => prompt("email: ")?,
    };
    let password = if args.password_stdin || !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        super::read_secret("")?
    } else {
        super::read_secret("password: ")?
    };
    let session = crate::output::spin("logging in", remote::login(&url, &email, &password)).await?;
    let backend = session.save(settings.secrets())?;
    if backend == booksygo_core::secrets::Backend::File && settings.secrets().uses_keyring() {
        crate::output::warn(&format!(
            "no usable OS keyring here; the session is kept in {} (mode 0600)",
            settings.secrets().file_path().display()
        ));
    }
    let agency = RemoteAgency::new(session, Some(settings.secrets().clone()), None)?;
    let profile = agency.profile().await?;
    if out.json {
        out.print_json(&serde_json::json!({
            "server": url,
            "user": profile,
            "session_stored_in": backend,
        }))?;
    } else {
        out.line(&format!(
            "logged in to {url} as {} ({}); use --remote, or set remote.url to make it the default",
            profile.email, profile.role
        ));
    }
    Ok(crate::exit::OK)
}

fn prompt(label: &str) -> anyhow::Result<String> {
    use std::io::Write;
    eprint!("{label}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let line = line.trim().to_string();
    if line.is_empty() {
        return Err(Error::invalid("nothing was entered").into());
    }
    Ok(line)
}

fn saved_session(settings: &Settings) -> anyhow::Result<Session> {
    Ok(Session::load(settings.secrets())?
        .ok_or_else(|| Error::AuthRequired("not logged in: run `booksygo login <URL>`".into()))?)
}

pub async fn logout(out: Out) -> anyhow::Result<u8> {
    let settings = settings()?;
    let session = saved_session(&settings)?;
    let url = session.url.clone();
    let agency = RemoteAgency::new(session, None, None)?;
    // The local session is forgotten even when the server cannot be reached: logging out
    // must always work on this machine.
    let server = agency.logout().await;
    settings
        .secrets()
        .delete(booksygo_core::remote::SESSION_SECRET)?;
    if let Err(e) = &server {
        crate::output::warn(&format!(
            "the server did not end the session ({e}); it expires on its own within 7 days"
        ));
    }
    if out.json {
        out.print_json(&serde_json::json!({ "server": url, "logged_out": true }))?;
    } else {
        out.line(&format!("logged out of {url}"));
    }
    Ok(crate::exit::OK)
}

pub async fn whoami(out: Out) -> anyhow::Result<u8> {
    let settings = settings()?;
    let session = saved_session(&settings)?;
    let url = session.url.clone();
    let agency = RemoteAgency::new(session, Some(settings.secrets().clone()), None)?;
    let profile = agency.profile().await?;
    if out.json {
        out.print_json(&serde_json::json!({ "server": url, "user": profile }))?;
    } else {
        out.line(&format!(
            "{} ({}) on {url}, role {}",
            profile.email, profile.id, profile.role
        ));
    }
    Ok(crate::exit::OK)
}

/// `bookings list --offline`: the copy of your server bookings kept on this machine, or the
/// local bookings when you have never logged in.
pub async fn offline_bookings(status: Option<String>, out: Out) -> anyhow::Result<u8> {
    let paths = Paths::from_env()?;
    let settings = Settings::load(&paths)?;
    let Some(session) = Session::load(settings.secrets())? else {
        let agency = super::open_local()?;
        return super::book::bookings(super::book::BookingsCmd::List { status }, &agency, out)
            .await;
    };
    let status = status.as_deref().map(BookingStatus::parse).transpose()?;
    let mut list =
        remote::OfflineCopy::open(&paths.database())?.bookings(&session.url, &session.email)?;
    if let Some(s) = status {
        list.retain(|b| b.status == s);
    }
    crate::output::note(&format!(
        "offline copy of your bookings on {} (as of the last remote command)",
        session.url
    ));
    super::book::print_list(&list, out)
}
