//! Command-line grammar: `booksygo <noun> <verb>`, one file per noun.

mod book;
mod chat;
mod config;
mod flights;
mod hotels;
mod import;
mod inbox;
mod keys;
mod maintenance;
mod mcp;
mod migrate;
mod packages;
mod places;
mod plan;
mod points;
mod providers;
mod report;
mod schema;
mod serve;
mod session;
mod trips;
mod tui;
mod watch;

use crate::output::Out;
use booksygo_core::config::Settings;
use booksygo_core::config::{Clock, Paths};
use booksygo_core::remote::Session;
use booksygo_core::{Agency, Error, LocalAgency, RemoteAgency};
use clap::{Parser, Subcommand};
use jiff::civil::Date;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "booksygo", version, about = "A travel agent for the terminal", long_about = None)]
pub struct Cli {
    /// Print machine-readable JSON on stdout (the stable scripting contract).
    #[arg(long, global = true)]
    pub json: bool,

    /// Work against the team server you logged in to with `booksygo login`.
    #[arg(long, global = true, conflicts_with = "offline")]
    pub remote: bool,

    /// Work on this machine only, even when a server is configured (`bookings list` then
    /// shows the offline copy of your server bookings).
    #[arg(long, global = true)]
    pub offline: bool,

    /// Without a command, in a terminal: the full-screen app (`booksygo tui`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Search flights, price calendars and cheapest destinations.
    #[command(subcommand)]
    Flights(flights::FlightsCmd),
    /// Search hotels.
    #[command(subcommand)]
    Hotels(hotels::HotelsCmd),
    /// Look up airports and cities.
    #[command(subcommand)]
    Places(places::PlacesCmd),
    /// Curated vacation packages: search, details, departures, reviews.
    #[command(subcommand)]
    Packages(packages::PackagesCmd),
    /// Book offers from a search (flight and/or hotel), or `book package <PKG_ID> --date D`.
    Book(book::BookArgs),
    /// Your bookings: list, show, pay, cancel, export.
    #[command(subcommand)]
    Bookings(book::BookingsCmd),
    /// Loyalty points, badges, challenges and the leaderboard.
    Points {
        #[command(subcommand)]
        cmd: Option<points::PointsCmd>,
    },
    /// Trips: bookings grouped under a name, dates and a budget.
    #[command(subcommand)]
    Trips(trips::TripsCmd),
    /// Your notifications (bookings, payments, refunds, price alerts, reminders) and where
    /// each kind goes.
    Inbox(inbox::InboxArgs),
    /// Your name, email and travel preferences.
    Profile {
        #[command(subcommand)]
        cmd: Option<trips::ProfileCmd>,
    },
    /// The assistant: `chat "<message>"` once, or `chat` for a conversation (--continue resumes).
    Chat(chat::ChatArgs),
    /// Serve the assistant's tools to other agents over MCP (stdio).
    Mcp,
    /// Packages picked for you from your preferences and bookings, each with a reason.
    Recommend(plan::RecommendArgs),
    /// A day-by-day plan (flight, hotel, activities) that never exceeds the budget.
    Plan(plan::PlanArgs),
    /// Book now or wait? The fare trend for a route and date (this machine's market, or the
    /// server's with --remote).
    Predict(watch::PredictArgs),
    /// Price watches: add, list, check (exit 10 when an alert fired), remove; with --remote they
    /// live on the team server, which also checks them on its own.
    #[command(subcommand)]
    Watch(watch::WatchCmd),
    /// Create an account on a team server and log in with it.
    Register(session::RegisterArgs),
    /// Log in to a team server: later commands with --remote (or remote.url set) use it.
    Login(session::LoginArgs),
    /// End the session with the team server.
    Logout,
    /// Show which server and account remote mode uses.
    Whoami,
    /// Run the team server (HTTP API over this machine's store).
    Serve(serve::ServeArgs),
    /// Server administration on the server's own machine.
    #[command(subcommand)]
    Admin(AdminCmd),
    /// Import real-world data into the local store.
    #[command(subcommand)]
    Import(import::ImportCmd),
    /// Settings (config file and environment) and secrets (keyring).
    #[command(subcommand)]
    Config(config::ConfigCmd),
    /// Real suppliers (Duffel, Stripe): which are enabled, test or live; check the keys.
    #[command(subcommand)]
    Providers(providers::ProvidersCmd),
    /// Show where data lives and what the local market holds.
    Info,
    /// The full-screen terminal app (also plain `booksygo` in a terminal).
    Tui,
    /// The JSON contract: `schema` lists the commands, `schema flights search` prints the JSON
    /// Schema of what `flights search --json` prints.
    Schema {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    /// Create an account (the first admin: --role admin), password from standard input.
    CreateUser(serve::CreateUserArgs),
    /// Apply the PostgreSQL schema migrations (under an advisory lock; safe to run while
    /// other instances start) and say which ones were applied.
    Migrate(migrate::MigrateArgs),
    /// Copy a SQLite store into an empty PostgreSQL database, in one transaction, checking
    /// row counts and money and points sums on both sides.
    MigrateData(migrate::MigrateDataArgs),
    /// Copy the SQLite store to a new file while the server runs (a consistent snapshot).
    Backup(maintenance::BackupArgs),
    /// Replace the SQLite store with a backup (stop the server first).
    Restore(maintenance::RestoreArgs),
    /// Check the store's integrity: inventory against bookings' holds, payments, points
    /// (exit 0, or 6 with the list of problems). Read-only; safe while the server runs.
    Check(maintenance::CheckArgs),
    /// Seal every traveller's personal data again with the current data key (a new one on
    /// SQLite with the key in the secret store; on PostgreSQL, the first in BOOKSYGO_DATA_KEY).
    RotateDataKey(keys::RotateDataKeyArgs),
    /// The analytics report: the funnel from search to payment, revenue, bookings, top routes
    /// and packages, by day, week, route or provider (charts, --json or --csv).
    Report(report::ReportArgs),
}

/// Runs a parsed command; returns the exit code on success.
pub async fn run(cli: Cli, out: Out) -> anyhow::Result<u8> {
    let Some(command) = cli.command else {
        if tui::interactive() {
            let (agency, local) = open_agency(cli.remote, cli.offline)?;
            return tui::run(agency, local, cli.offline).await;
        }
        use clap::CommandFactory;
        eprintln!("{}", Cli::command().render_help());
        return Ok(crate::exit::INVALID);
    };
    match command {
        Command::Tui => {
            let (agency, local) = open_agency(cli.remote, cli.offline)?;
            tui::run(agency, local, cli.offline).await
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // Into a buffer first: clap_complete panics on a closed stdout (`| head`),
            // `emit` ends quietly.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "booksygo", &mut script);
            crate::output::emit(&String::from_utf8_lossy(&script));
            Ok(crate::exit::OK)
        }
        Command::Schema { command } => schema::run(command, out),
        Command::Config(cmd) => config::run(cmd, out).await,
        Command::Providers(cmd) => providers::run(cmd, out).await,
        Command::Serve(args) => serve::run(args, out).await,
        Command::Admin(AdminCmd::CreateUser(args)) => serve::create_user(args, out).await,
        Command::Admin(AdminCmd::Migrate(args)) => migrate::run(args, out).await,
        Command::Admin(AdminCmd::MigrateData(args)) => migrate::migrate_data(args, out).await,
        Command::Admin(AdminCmd::Backup(args)) => maintenance::backup(args, out).await,
        Command::Admin(AdminCmd::Restore(args)) => maintenance::restore(args, out).await,
        Command::Admin(AdminCmd::Check(args)) => maintenance::check(args, out).await,
        Command::Admin(AdminCmd::RotateDataKey(args)) => keys::rotate_data_key(args, out).await,
        Command::Admin(AdminCmd::Report(args)) => report::run(args, out).await,
        Command::Import(cmd) => import::run(cmd, &open_local()?, out).await,
        Command::Register(args) => session::register(args, out).await,
        Command::Login(args) => session::login(args, out).await,
        Command::Logout => session::logout(out).await,
        Command::Whoami => session::whoami(out).await,
        Command::Bookings(book::BookingsCmd::List { status }) if cli.offline => {
            session::offline_bookings(status, out).await
        }
        Command::Bookings(
            cmd @ (book::BookingsCmd::Show { .. } | book::BookingsCmd::Export { .. }),
        ) if cli.offline => session::offline_booking(cmd, out).await,
        command => {
            if matches!(command, Command::Bookings(book::BookingsCmd::List { .. })) && !cli.remote {
                session::note_server_bookings()?;
            }
            let (shared, local) = open_agency(cli.remote, cli.offline)?;
            let agency = shared.as_ref();
            let code = match command {
                Command::Chat(args) => chat::run(args, shared.clone(), cli.offline, out).await,
                Command::Mcp => mcp::run(shared.clone()).await,
                Command::Recommend(args) => plan::recommend(args, agency, out).await,
                Command::Plan(args) => plan::plan(args, agency, out).await,
                Command::Flights(cmd) => flights::run(cmd, agency, out).await,
                Command::Hotels(cmd) => hotels::run(cmd, agency, out).await,
                Command::Places(cmd) => places::run(cmd, agency, out).await,
                Command::Info => info(agency, out).await,
                Command::Packages(cmd) => packages::run(cmd, agency, out).await,
                Command::Book(args) => book::book(args, agency, out).await,
                Command::Bookings(cmd) => book::bookings(cmd, agency, out).await,
                Command::Points { cmd } => points::run(cmd, agency, out).await,
                Command::Trips(cmd) => trips::trips(cmd, agency, out).await,
                Command::Predict(args) => watch::predict(args, agency, out).await,
                Command::Watch(cmd) => watch::run(cmd, agency, out).await,
                Command::Profile { cmd } => trips::profile(cmd, agency, out).await,
                Command::Inbox(args) => inbox::run(args, agency, out).await,
                Command::Completions { .. }
                | Command::Schema { .. }
                | Command::Tui
                | Command::Config(_)
                | Command::Providers(_)
                | Command::Serve(_)
                | Command::Admin(_)
                | Command::Import(_)
                | Command::Login(_)
                | Command::Register(_)
                | Command::Logout
                | Command::Whoami => unreachable!("handled above"),
            };
            if let Some(local) = local {
                deliver_notifications(&local);
            }
            code
        }
    }
}

/// Announces what the command changed (the inbox; e-mail when SMTP is set up) and sends what
/// is due. A failure here never fails the command: it is said on stderr and tried again next
/// time.
fn deliver_notifications(local: &LocalAgency) {
    match local.deliver_notifications() {
        Ok(round) if round.deferred + round.failed > 0 => crate::output::warn(&format!(
            "{} not sent yet: `booksygo inbox` has {}",
            booksygo_core::model::counted(round.deferred + round.failed, "e-mail", "e-mails"),
            if round.deferred + round.failed == 1 {
                "it"
            } else {
                "them"
            }
        )),
        Ok(_) => {}
        Err(e) => crate::output::warn(&format!("notifications not delivered: {e}")),
    }
}

/// The agency a command works on: the team server in remote mode (`--remote`, or
/// `remote.url` configured and not `--offline`), else this machine.
/// With it, this machine's agency when that is the one opened (it delivers notifications).
fn open_agency(
    remote: bool,
    offline: bool,
) -> anyhow::Result<(Arc<dyn Agency>, Option<LocalAgency>)> {
    let paths = Paths::from_env()?;
    let settings = Settings::load(&paths)?;
    let configured = settings.get("remote.url");
    if offline || !(remote || configured.is_some()) {
        let local = open_local()?;
        return Ok((Arc::new(local.clone()), Some(local)));
    }
    let session = Session::load(settings.secrets())?.ok_or_else(|| {
        let url = configured.as_deref().unwrap_or("<URL>");
        Error::AuthRequired(format!(
            "remote mode needs a session: run `booksygo login {url}` (or add --offline)"
        ))
    })?;
    if let Some(url) = configured
        && booksygo_core::remote::normalise_url(&url)? != session.url
    {
        return Err(Error::AuthRequired(format!(
            "remote.url is {url} but you are logged in to {}: run `booksygo login {url}`",
            session.url
        ))
        .into());
    }
    let cache = booksygo_core::remote::OfflineCopy::open(&paths.database()).ok();
    let remote = RemoteAgency::new(session, Some(settings.secrets().clone()), cache)?;
    Ok((Arc::new(remote), None))
}

/// The local agency from the environment (BOOKSYGO_HOME / XDG dirs, BOOKSYGO_NOW), with the
/// real suppliers whose credentials are set (none: the sandbox alone).
pub fn open_local() -> anyhow::Result<LocalAgency> {
    let paths = Paths::from_env()?;
    let settings = Settings::load(&paths)?;
    Ok(LocalAgency::from_config(paths, &settings)?)
}

/// Now, on the clock the CLI runs with (`BOOKSYGO_NOW` pins it).
pub fn now() -> jiff::Timestamp {
    Clock::from_env().unwrap_or_default().now()
}

/// Today's date (UTC) on the clock the CLI runs with (`BOOKSYGO_NOW` pins it).
pub fn today() -> Date {
    Clock::from_env()
        .unwrap_or_default()
        .now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

async fn info(agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let info = agency.info().await?;
    if out.json {
        out.print_json(&info)?;
    } else {
        out.line(&format!("mode        {}", info.mode));
        if !info.data_dir.is_empty() {
            out.line(&format!("data dir    {}", info.data_dir));
            out.line(&format!(
                "database    {} (schema {})",
                info.database, info.schema_version
            ));
        }
        out.line(&format!(
            "market      {} airports, {} airlines, {} routes",
            info.airports, info.airlines, info.routes
        ));
        out.line(&format!(
            "hotels      {} in {} cities",
            info.hotels, info.hotel_cities
        ));
        out.line(&format!("fx rates    as of {}", info.fx_as_of));
        out.line(&format!("providers   {}", info.providers.join(", ")));
        out.line(&format!("fixtures    {}", info.fixture_version));
    }
    Ok(crate::exit::OK)
}

/// Reads a password or secret: from a prompt without echo on a terminal, else one line of
/// standard input (so scripts can pipe it). Never from the command line.
pub fn read_secret(prompt: &str) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line
    };
    let value = value.trim_end_matches(['\r', '\n']).to_string();
    if value.is_empty() {
        return Err(
            Error::invalid("nothing was entered (expected one line on standard input)").into(),
        );
    }
    Ok(value)
}

/// Parses a calendar date (YYYY-MM-DD).
/// A travel date: ISO, or relative to today (`tomorrow`, `+14d`, `fri`; see `parse_day`).
pub fn parse_date(text: &str) -> Result<Date, String> {
    booksygo_core::model::time::parse_day(text, today())
}

/// A date of birth: only YYYY-MM-DD (nobody is born `+14d`).
pub fn parse_birth_date(text: &str) -> Result<Date, String> {
    text.parse::<Date>()
        .map_err(|_| format!("'{text}' is not a date: use YYYY-MM-DD, for example 1990-12-10"))
}

/// Parses a month (YYYY-MM) into its first day.
pub fn parse_month(text: &str) -> Result<Date, String> {
    let bad = || format!("'{text}' is not a month: use YYYY-MM, for example 2027-03");
    let (y, m) = text.split_once('-').ok_or_else(bad)?;
    let (y, m): (i16, i8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    Date::new(y, m, 1).map_err(|_| bad())
}

pub fn parse_currency(text: &str) -> Result<booksygo_core::model::Currency, String> {
    booksygo_core::model::Currency::parse(text).map_err(|e| e.to_string())
}

/// A price typed by the user, in the display currency.
pub fn money(
    amount: Option<&str>,
    currency: Option<booksygo_core::model::Currency>,
) -> Result<Option<booksygo_core::model::Money>, Error> {
    amount
        .map(|a| {
            booksygo_core::model::Money::from_decimal(
                a,
                currency.unwrap_or(booksygo_core::model::Currency::EUR),
            )
        })
        .transpose()
}

/// A booking for people (or as JSON).
pub fn print_booking(b: &booksygo_core::booking::Booking, out: Out) -> anyhow::Result<()> {
    if out.json {
        return out.print_json(b);
    }
    out.line(&format!(
        "{}  confirmation {}  {}",
        b.id,
        out.paint(crate::output::Style::Bold, &b.confirmation_code),
        book::status_colour(out, b.status)
    ));
    for i in &b.items {
        let pnr = i
            .reference
            .as_ref()
            .map(|r| format!("  PNR {r}"))
            .unwrap_or_default();
        out.line(&format!(
            "  {:<8} {}  {}{pnr}",
            i.kind, i.description, i.price
        ));
    }
    for p in &b.passengers {
        out.line(&format!(
            "  traveller {} {} ({}, {})",
            p.given_name,
            p.family_name,
            p.kind().as_str(),
            p.born_on
        ));
    }
    out.line(&format!("  total {}  (taxes {})", b.total, b.tax));
    for c in &b.date_changes {
        out.line(&format!("  date change {}: {}", c.number, c.describe()));
    }
    if b.points_redeemed > 0 {
        out.line(&format!(
            "  {} points paid {}; card pays {}",
            b.points_redeemed, b.points_value, b.amount_due
        ));
    }
    for p in &b.payments {
        out.line(&format!(
            "  payment {} {} {}{}",
            p.card.as_deref().unwrap_or(&p.method),
            p.amount,
            p.status,
            p.message
                .as_ref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        ));
    }
    if b.refunded.minor > 0 {
        out.line(&format!("  refunded {}", b.refunded));
    }
    if let Some(next) = &b.next_action {
        out.line(&format!("  next: {next}"));
    }
    Ok(())
}
