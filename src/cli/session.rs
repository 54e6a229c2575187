//! `booksygo login | logout | whoami`: the session remote mode runs on, and the offline copy
//! of the bookings made through it.

use super::book::BookingsCmd;
use crate::output::Out;
use booksygo_core::booking::{Booking, BookingStatus};
use booksygo_core::config::{Paths, Settings};
use booksygo_core::remote::{self, RemoteAgency, Session};
use booksygo_core::{Agency, Error, ErrorKind};
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

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The server, for example https://booksygo.example.com (default: remote.url).
    url: Option<String>,
    /// The new account's email (asked for when missing).
    #[arg(long)]
    email: Option<String>,
    #[arg(long, default_value = "")]
    first_name: String,
    #[arg(long, default_value = "")]
    last_name: String,
    /// Read the password from standard input (one line) instead of a prompt.
    #[arg(long)]
    password_stdin: bool,
    /// The referral code someone gave you: they earn points when your first booking is
    /// completed (an unknown code is refused, exit 2, and no account is made).
    #[arg(long)]
    referral_code: Option<String>,
}

fn settings() -> anyhow::Result<Settings> {
    Ok(Settings::load(&Paths::from_env()?)?)
}

/// The server (argument, else `remote.url`), the email and the password, asked for as needed.
fn credentials(
    settings: &Settings,
    url: Option<String>,
    email: Option<String>,
    password_stdin: bool,
    verb: &str,
) -> anyhow::Result<(String, String, String)> {
    let url = url.or_else(|| settings.get("remote.url")).ok_or_else(|| {
        Error::invalid(format!(
            "give the server's URL: booksygo {verb} https://booksygo.example.com"
        ))
    })?;
    let url = remote::normalise_url(&url)?;
    let email = match email {
        Some(e) => e,
        None => prompt("email: ")?,
    };
    let password = if password_stdin || !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        super::read_secret("")?
    } else {
        super::read_secret("password: ")?
    };
    Ok((url, email, password))
}

/// `booksygo register URL`: creates the account, then logs in with it.
pub async fn register(args: RegisterArgs, out: Out) -> anyhow::Result<u8> {
    let settings = settings()?;
    let (url, email, password) = credentials(
        &settings,
        args.url,
        args.email,
        args.password_stdin,
        "register",
    )?;
    crate::output::spin(
        "registering",
        remote::register(
            &url,
            &email,
            &password,
            &args.first_name,
            &args.last_name,
            args.referral_code.as_deref(),
        ),
    )
    .await?;
    start_session(&settings, &url, &email, &password, out).await
}

pub async fn login(args: LoginArgs, out: Out) -> anyhow::Result<u8> {
    let settings = settings()?;
    let (url, email, password) = credentials(
        &settings,
        args.url,
        args.email,
        args.password_stdin,
        "login",
    )?;
    start_session(&settings, &url, &email, &password, out).await
}

async fn start_session(
    settings: &Settings,
    url: &str,
    email: &str,
    password: &str,
    out: Out,
) -> anyhow::Result<u8> {
    let session = crate::output::spin("logging in", remote::login(url, email, password)).await?;
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

/// The copy of your server bookings kept on this machine (with the server's URL), when you
/// are logged in.
fn offline_copy() -> anyhow::Result<Option<(String, Vec<Booking>)>> {
    let paths = Paths::from_env()?;
    let settings = Settings::load(&paths)?;
    let Some(session) = Session::load(settings.secrets())? else {
        return Ok(None);
    };
    let list =
        remote::OfflineCopy::open(&paths.database())?.bookings(&session.url, &session.email)?;
    Ok(Some((session.url, list)))
}

/// Logged in but working locally (no --remote, no remote.url): says where the server's
/// bookings are, since a plain `bookings list` shows only this machine's.
pub fn note_server_bookings() -> anyhow::Result<()> {
    let settings = settings()?;
    if settings.get("remote.url").is_none()
        && let Some(session) = Session::load(settings.secrets())?
    {
        crate::output::note(&format!(
            "bookings made on this machine; you are logged in to {}: `booksygo --remote bookings \
             list` shows that account's, `--offline bookings list` both",
            session.url
        ));
    }
    Ok(())
}

/// `--offline bookings list`: everything on this machine, the bookings made here and the copy
/// of your server bookings (as of the last remote command).
pub async fn offline_bookings(status: Option<String>, out: Out) -> anyhow::Result<u8> {
    let agency = super::open_local()?;
    let status = status.as_deref().map(BookingStatus::parse).transpose()?;
    let mut list = agency.list_bookings(status).await?;
    if let Some((url, copy)) = offline_copy()? {
        crate::output::note(&format!(
            "with the offline copy of your bookings on {url} (as of the last remote command)"
        ));
        list.extend(
            copy.into_iter()
                .filter(|b| status.is_none_or(|s| b.status == s)),
        );
    }
    super::book::print_list(&list, out)
}

/// `--offline bookings show|export ID`: a booking made here, else the offline copy of a server
/// booking (by id or confirmation code), so a trip's papers are at hand without a network.
pub async fn offline_booking(cmd: BookingsCmd, out: Out) -> anyhow::Result<u8> {
    let agency = super::open_local()?;
    let id = match &cmd {
        BookingsCmd::Show { id } | BookingsCmd::Export { id, .. } => id.clone(),
        _ => return super::book::bookings(cmd, &agency, out).await,
    };
    match agency.get_booking(&id).await {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let found = offline_copy()?.and_then(|(url, copy)| {
                copy.into_iter()
                    .find(|b| b.id == id || b.confirmation_code.eq_ignore_ascii_case(&id))
                    .map(|b| (url, b))
            });
            let Some((url, b)) = found else {
                return Err(e.into());
            };
            crate::output::note(&format!(
                "offline copy of {} on {url} (as of the last remote command)",
                b.id
            ));
            match cmd {
                BookingsCmd::Export {
                    ics: Some(path),
                    receipt: false,
                    ..
                } => {
                    let cal = booksygo_core::booking::ics::calendar(
                        &format!("BooksyGo {}", b.confirmation_code),
                        std::slice::from_ref(&b),
                        super::now(),
                    );
                    super::book::write_calendar(Some(&path), &cal, out)?;
                }
                BookingsCmd::Export { .. } => {
                    super::book::print_receipt(&booksygo_core::booking::ics::receipt(&b), out)?
                }
                _ => super::print_booking(&b, out)?,
            }
            Ok(crate::exit::OK)
        }
        _ => super::book::bookings(cmd, &agency, out).await,
    }
}
