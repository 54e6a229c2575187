//! `booksygo serve`: the team server on a socket.

use crate::output::Out;
use booksygo_core::LocalAgency;
use booksygo_core::config::Paths;
use clap::Args;
use std::path::PathBuf;

/// `booksygo admin create-user`: accounts made on the server's own machine, for the first admin.
#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    email: String,
    /// user, premium, admin or partner.
    #[arg(long, default_value = "user")]
    role: String,
    #[arg(long, default_value = "")]
    first_name: String,
    #[arg(long, default_value = "")]
    last_name: String,
    /// Read the password from standard input (one line) instead of a prompt.
    #[arg(long)]
    password_stdin: bool,
    /// The server's data directory.
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The server's database when not the SQLite file in its data directory (as for
    /// `booksygo serve --database-url`) [config: server.database_url].
    #[arg(long, env = "BOOKSYGO_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

pub async fn create_user(args: CreateUserArgs, out: Out) -> anyhow::Result<u8> {
    if !args.password_stdin {
        return Err(booksygo_core::Error::invalid("give the password on standard input with --password-stdin (it never goes on the command line)").into());
    }
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let paths = match &args.data_dir {
        Some(dir) => Paths::in_dir(dir),
        None => Paths::from_env()?,
    };
    let settings = booksygo_core::config::Settings::load(&Paths::from_env()?)?;
    let database = settings.database(args.database_url)?;
    let agency = tokio::task::spawn_blocking(move || {
        LocalAgency::from_config_on(paths, &settings, database)
    })
    .await??;
    let p = agency
        .accounts()
        .create_account(
            &args.email,
            &password,
            &args.first_name,
            &args.last_name,
            &args.role,
        )
        .await?;

    if out.json {
        out.print_json(&p)?;
    } else {
        out.line(&format!(
            "created {} <{}> with role {}",
            p.id, p.email, p.role
        ));
    }
    Ok(crate::exit::OK)
}

/// `booksygo serve`. Each option comes from the flag, else its `BOOKSYGO_*` variable, else
/// `[server]` in config.toml, else the default.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080; config: server.bind].
    #[arg(long, env = "BOOKSYGO_BIND")]
    bind: Option<String>,
    /// Where the server keeps its database [default: the usual data directory; config:
    /// server.data_dir].
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The database, when not the SQLite file in the data directory: postgres://USER@HOST:PORT/DB
    /// (several instances may share it; the password comes from BOOKSYGO_DATABASE_PASSWORD or
    /// the secret store, `?pool_max_size=N` bounds the pool, 16 by default) or sqlite:PATH
    /// [config: server.database_url].
    #[arg(long, env = "BOOKSYGO_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// A browser origin allowed to call the API (repeat, or comma-separate in the env
    /// variable); none by default, which means no CORS at all [config: server.cors_origins].
    #[arg(
        long = "cors-origin",
        env = "BOOKSYGO_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// Log format on stderr: text or json [config: server.log_format].
    #[arg(long, env = "BOOKSYGO_LOG_FORMAT")]
    log_format: Option<String>,
    /// Least severe log level: error, warn, info, debug [default: info; config: server.log_level].
    #[arg(long, env = "BOOKSYGO_LOG_LEVEL")]
    log_level: Option<String>,
    /// Searches per minute an address may make without logging in; 0 turns the limit off
    /// [default: 300; config: server.anonymous_search_rate].
    #[arg(long, env = "BOOKSYGO_ANONYMOUS_SEARCH_RATE")]
    anonymous_search_rate: Option<u32>,
    /// A reverse proxy (address or network, e.g. 10.0.0.0/8) whose X-Forwarded-For or
    /// Forwarded header names the client, for the limits by address (repeat, or
    /// comma-separate in the env variable); none by default, and then those headers are
    /// ignored [config: server.trusted_proxies].
    #[arg(
        long = "trusted-proxy",
        env = "BOOKSYGO_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<String>,
    /// Minutes between two sweeps of every account's price watches (the first one that long
    /// after start; one instance sweeps at a time on a shared database); 0 turns the sweep
    /// off [default: 15; config: server.watch_sweep_minutes].
    #[arg(long, env = "BOOKSYGO_WATCH_SWEEP_MINUTES")]
    watch_sweep_minutes: Option<u64>,
}

/// The options in effect, after flags, environment and config file.
struct ServeConfig {
    bind: String,
    paths: Paths,
    database: Option<booksygo_core::config::Database>,
    cors_origins: Vec<String>,
    json_logs: bool,
    level: tracing_subscriber::filter::LevelFilter,
    anonymous_search_rate: u32,
    trusted_proxies: booksygo_core::proxies::TrustedProxies,
    /// The model for `/api/ai/chat` (`llm.*` settings); offline assistant without one.
    llm: Option<booksygo_core::ai::openai::LlmConfig>,
    /// How often the price watches are swept; `None`: never.
    watch_sweep: Option<std::time::Duration>,
}

fn resolve(args: ServeArgs) -> anyhow::Result<ServeConfig> {
    let env_paths = Paths::from_env()?;
    let settings = booksygo_core::config::Settings::load(&env_paths)?;
    let bind = args
        .bind
        .or_else(|| settings.get("server.bind"))
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let database = settings.database(args.database_url)?;
    let paths = match args
        .data_dir
        .or_else(|| settings.get("server.data_dir").map(PathBuf::from))
    {
        Some(dir) => Paths::in_dir(dir),
        None => env_paths,
    };
    let cors_origins = if args.cors_origins.is_empty() {
        settings
            .get("server.cors_origins")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    } else {
        args.cors_origins
    };
    let json_logs = match args
        .log_format
        .or_else(|| settings.get("server.log_format"))
        .as_deref()
    {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => {
            return Err(booksygo_core::Error::invalid(format!(
                "log format '{other}' is not text or json"
            ))
            .into());
        }
    };
    let level = match args
        .log_level
        .or_else(|| settings.get("server.log_level"))
        .as_deref()
        .unwrap_or("info")
    {
        "error" => tracing_subscriber::filter::LevelFilter::ERROR,
        "warn" => tracing_subscriber::filter::LevelFilter::WARN,
        "info" => tracing_subscriber::filter::LevelFilter::INFO,
        "debug" => tracing_subscriber::filter::LevelFilter::DEBUG,
        other => {
            return Err(booksygo_core::Error::invalid(format!(
                "log level '{other}' is not error, warn, info or debug"
            ))
            .into());
        }
    };
    let anonymous_search_rate = match args.anonymous_search_rate {
        Some(n) => n,
        None => match settings.get("server.anonymous_search_rate") {
            Some(v) => v.trim().parse().map_err(|_| {
                booksygo_core::Error::invalid(format!(
                    "server.anonymous_search_rate '{v}' is not a whole number of searches per minute"
                ))
            })?,
            None => booksygo_server::auth::ANONYMOUS_SEARCH_PER_MINUTE,
        },
    };
    let trusted_proxies = if args.trusted_proxies.is_empty() {
        booksygo_core::proxies::TrustedProxies::parse(&[settings
            .get("server.trusted_proxies")
            .unwrap_or_default()])?
    } else {
        booksygo_core::proxies::TrustedProxies::parse(&args.trusted_proxies)?
    };
    let watch_sweep_minutes = match args.watch_sweep_minutes {
        Some(n) => n,
        None => match settings.get("server.watch_sweep_minutes") {
            Some(v) => v.trim().parse().map_err(|_| {
                booksygo_core::Error::invalid(format!(
                    "server.watch_sweep_minutes '{v}' is not a whole number of minutes"
                ))
            })?,
            None => booksygo_server::WATCH_SWEEP.as_secs() / 60,
        },
    };
    if watch_sweep_minutes > 7 * 24 * 60 {
        return Err(booksygo_core::Error::invalid(format!(
            "a price-watch sweep every {watch_sweep_minutes} minutes is more than a week apart: use at most 10080, or 0 for none"
        ))
        .into());
    }
    let watch_sweep =
        (watch_sweep_minutes > 0).then(|| std::time::Duration::from_secs(watch_sweep_minutes * 60));
    Ok(ServeConfig {
        bind,
        watch_sweep,
        trusted_proxies,
        database,
        anonymous_search_rate,
        paths,
        cors_origins,
        json_logs,
        level,
        llm: booksygo_core::ai::openai::LlmConfig::from_settings(&settings)?,
    })
}

pub async fn run(args: ServeArgs, out: Out) -> anyhow::Result<u8> {
    let config = resolve(args)?;
    let logs = tracing_subscriber::fmt()
        .with_writer(log_writer()?)
        .with_max_level(config.level)
        .with_ansi(false);
    if config.json_logs {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
    // Real suppliers read their keys from the same settings and secrets as the CLI.
    let settings = booksygo_core::config::Settings::load(&Paths::from_env()?)?;
    let data_dir = config.paths.data_dir.clone();
    // Several instances on one PostgreSQL sign with one key, or each turns away the others'
    // tokens: refuse to start without it, before connecting.
    let shared = config.database.as_ref().is_some_and(|d| d.is_postgres());
    let secret = if shared {
        booksygo_core::secrets::shared_token_signing_key(&settings)?
    } else {
        booksygo_core::secrets::token_signing_key(&data_dir)?
    };
    let agency = tokio::task::spawn_blocking(move || {
        LocalAgency::from_config_on(config.paths, &settings, config.database)
    })
    .await??;
    let database = agency.describe_database();
    // Orders and cancellations a previous run left unfinished with a supplier.
    for problem in agency.reconcile_suppliers().await {
        crate::output::warn(&problem);
    }
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .map_err(|e| {
            booksygo_core::Error::internal(format!("cannot listen on {}: {e}", config.bind))
        })?;
    let addr = listener.local_addr()?;
    if out.json {
        // One line, so a script can read the address and carry on.
        crate::output::emit(&format!(
            "{}\n",
            serde_json::json!({"listening": addr.to_string()})
        ));
    }
    tracing::info!(address = %addr, data_dir = %data_dir.display(), database = %database, "booksygo server listening (Ctrl-C or SIGTERM to stop)");
    let mut state = booksygo_server::AppState::with_secret(agency, &secret);
    state.cors_origins = config.cors_origins;
    state.search_limit = std::sync::Arc::new(booksygo_server::auth::RateLimit::per_minute(
        config.anonymous_search_rate,
    ));
    state.llm = config.llm.map(std::sync::Arc::new);
    state.watch_sweep = config.watch_sweep;
    if !config.trusted_proxies.is_empty() {
        let proxies: Vec<String> = config
            .trusted_proxies
            .networks()
            .iter()
            .map(ToString::to_string)
            .collect();
        tracing::info!(trusted_proxies = %proxies.join(","), "client addresses are read from X-Forwarded-For / Forwarded when these proxies connect");
    }
    state.trusted_proxies = std::sync::Arc::new(config.trusted_proxies);
    booksygo_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("server stopped; requests in flight were answered");
    Ok(crate::exit::OK)
}

/// Where the logs go: stderr. A line per request, each written with one `write` to stderr's
/// file, without the process-wide lock of `std::io::stderr` that every request would
/// otherwise queue on (a line under 4 KB reaches a pipe whole, whichever thread writes it).
#[cfg(unix)]
fn log_writer() -> std::io::Result<std::sync::Arc<std::fs::File>> {
    use std::os::fd::AsFd;
    let stderr = std::io::stderr().as_fd().try_clone_to_owned()?;
    Ok(std::sync::Arc::new(std::fs::File::from(stderr)))
}

#[cfg(not(unix))]
fn log_writer() -> std::io::Result<fn() -> std::io::Stderr> {
    Ok(std::io::stderr)
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
