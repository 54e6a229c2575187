//! Everything on this machine, built once from the configuration: `LocalAgency` (the
//! [`Agency`] over the local store, the market and the booking desk), and beside it the
//! team server's services over the same store ([`LocalTeam`], accounts, conversations).
//! The facade methods are in `facade.rs`; which suppliers are on is `suppliers.rs`.

mod facade;
pub mod suppliers;
mod team;
pub mod watch;

pub use suppliers::{ProviderCheck, ProviderStatus, Suppliers};
pub use team::LocalTeam;

use crate::booking::desk::Desk;
use crate::booking::payment::PaymentProvider;
use crate::booking::payment::sandbox::SandboxPayments;
use crate::config::{Clock, Paths};
use crate::error::Result;
use crate::fixtures;
use crate::model::{Cabin, FxTable};
use crate::places::import::ImportReport;
use crate::providers::sandbox::{SandboxProvider, network::Network};
use crate::providers::{FlightProvider, HotelProvider};
use crate::search::searcher::{Searcher, Sources};
use crate::store::Store;
use jiff::civil::Date;
use std::sync::Arc;
use std::time::Duration;

/// Options for opening a local agency.
#[derive(Clone)]
pub struct LocalOptions {
    pub paths: Paths,
    /// The database, when not the SQLite file under `paths`: `postgres://...` (the server of
    /// a team on several instances) or `sqlite:PATH`.
    pub database_url: Option<String>,
    /// PostgreSQL's password when the URL has none (`database.password`: the environment or
    /// the secret store, never the config file).
    pub database_password: Option<crate::secrets::Secret>,
    pub clock: Clock,
    /// Per-provider deadline.
    pub deadline: Duration,
    /// Extra providers beside the sandbox (real suppliers, test doubles).
    pub flight_providers: Vec<Arc<dyn FlightProvider>>,
    pub hotel_providers: Vec<Arc<dyn HotelProvider>>,
    /// Whether the sandbox market answers searches (on by default).
    pub sandbox: bool,
    /// Who takes the money: the sandbox test cards by default.
    pub payments: Arc<dyn PaymentProvider>,
    /// The secret that signs the payment provider's webhooks (Stripe's `whsec_...`).
    pub payment_webhook_secret: Option<crate::providers::Secret>,
    /// PayPal, beside the card provider, when `paypal.client_id` and `paypal.secret` are set.
    pub paypal: Option<Arc<crate::booking::payment::paypal::PayPalPayments>>,
    /// Internal hosts outgoing webhooks may reach (`server.webhook_allow`); none by default:
    /// public addresses only.
    pub webhook_allow: crate::webhooks::Allow,
    /// The keys personal data is sealed with at rest ([`crate::crypto`]). None (the default
    /// of [`LocalOptions::new`], for tests and embedders): written plain;
    /// [`LocalAgency::from_config`] always sets them.
    pub data_keys: crate::crypto::DataKeys,
    /// Who announces events and sends e-mail ([`crate::notify`]): the inbox alone by default;
    /// [`LocalAgency::from_config`] adds SMTP when `notify.smtp_url` is set.
    pub notifier: crate::notify::Notifier,
}

impl LocalOptions {
    pub fn new(paths: Paths) -> Self {
        LocalOptions {
            paths,
            database_url: None,
            database_password: None,
            clock: Clock::system(),
            deadline: Duration::from_secs(12),
            flight_providers: Vec::new(),
            hotel_providers: Vec::new(),
            sandbox: true,
            payments: Arc::new(SandboxPayments),
            payment_webhook_secret: None,
            paypal: None,
            webhook_allow: crate::webhooks::Allow::none(),
            data_keys: crate::crypto::DataKeys::none(),
            notifier: crate::notify::Notifier::new(None),
        }
    }
}

/// The data keys from the settings (see [`crate::crypto::data_keys`]), telling once when a
/// new key had to go to the private file because the OS keyring refused it.
fn data_keys(
    settings: &crate::config::Settings,
    paths: &Paths,
    database: Option<&crate::config::Database>,
) -> Result<crate::crypto::DataKeys> {
    let shared = database.is_some_and(|d| d.is_postgres());
    let (keys, source) = crate::crypto::data_keys(settings.secrets(), shared, || {
        Store::open_at(&paths.database(), database)?.sealed_with()
    })?;
    if source == crate::crypto::KeySource::Made(crate::secrets::Backend::File)
        && settings.secrets().uses_keyring()
    {
        let told = format!(
            "the OS keyring refused the new data key: it is kept in {} (readable by you only)",
            settings.secrets().file_path().display()
        );
        // The server logs; the CLI has no logger, and says it on stderr like its other warnings.
        if tracing::dispatcher::has_been_set() {
            tracing::warn!("{told}");
        } else {
            eprintln!("warning: {told}");
        }
    }
    Ok(keys)
}

/// The traveller a local agency acts for when no account system is in front of it.
pub const LOCAL_USER: &str = "usr_local";

/// The agency over the local store. Cheap to clone; `as_user` gives a view acting for another
/// traveller (the server uses one per request).
#[derive(Clone)]
pub struct LocalAgency {
    shared: Arc<Shared>,
    user: String,
}

struct Shared {
    store: Store,
    paths: Paths,
    clock: Clock,
    search: Searcher,
    /// The package search, kept in memory.
    packages: crate::search::packages::PackageSearch,
    desk: Desk,
    webhook_allow: crate::webhooks::Allow,
    notifier: crate::notify::Notifier,
}

impl LocalAgency {
    /// The one way a face makes its agency: the store under `paths`, the clock from the
    /// environment (`BOOKSYGO_NOW` pins it), and the real suppliers whose credentials the
    /// settings (config file, environment, secret store) hold; the sandbox alone without any.
    pub fn from_config(paths: Paths, settings: &crate::config::Settings) -> Result<LocalAgency> {
        LocalAgency::from_config_on(paths, settings, None)
    }

    /// [`LocalAgency::from_config`] on the database `database` names (the team server's
    /// choice, see [`crate::config::Settings::database`]) instead of the file under `paths`.
    pub fn from_config_on(
        paths: Paths,
        settings: &crate::config::Settings,
        database: Option<crate::config::Database>,
    ) -> Result<LocalAgency> {
        let keys = data_keys(settings, &paths, database.as_ref())?;
        let mut options = LocalOptions::new(paths);
        options.data_keys = keys;
        if let Some(database) = database {
            options.database_url = Some(database.url);
            options.database_password = database.password;
        }
        options.clock = Clock::from_env()?;
        Suppliers::from_settings(settings)?.apply(&mut options);
        options.webhook_allow = crate::webhooks::Allow::from_settings(settings)?;
        options.notifier = crate::notify::Notifier::from_settings(settings)?;
        LocalAgency::open(options)
    }

    /// [`LocalAgency::from_config_on`] over a store that already exists: for the commands
    /// that only look at one (`admin check`, `admin report`), which must not make a new store
    /// at a mistyped path (not found).
    pub fn existing_on(
        paths: Paths,
        settings: &crate::config::Settings,
        database: Option<crate::config::Database>,
    ) -> Result<LocalAgency> {
        Store::must_exist(&paths.database(), database.as_ref())?;
        LocalAgency::from_config_on(paths, settings, database)
    }

    /// Opens the local store (creating and loading it on first run) and builds the market.
    pub fn open(options: LocalOptions) -> Result<LocalAgency> {
        let keys = options.data_keys.clone();
        let store = match &options.database_url {
            Some(url) => Store::open_url_sealed(url, options.database_password.as_ref(), keys)?,
            None => Store::open_sealed(&options.paths.database(), keys)?,
        };
        fixtures::ensure_loaded(&store)?;
        let fx = Arc::new(FxTable::from_json(fixtures::FX)?);
        let sources = Sources {
            deadline: options.deadline,
            flight_providers: options.flight_providers,
            hotel_providers: options.hotel_providers,
            sandbox: options.sandbox,
        };
        let search = Searcher::open(store.clone(), options.clock, fx, sources)?;
        let now = options.clock.now().as_second();
        crate::search::packages::ensure_loaded(&store, &search.network().places, now)?;
        store.read(|u| u.users().ensure_user(LOCAL_USER, "you@localhost", now))?;
        let desk = Desk::new(
            store.clone(),
            options.clock,
            search.clone(),
            options.payments,
            options.payment_webhook_secret,
        )
        .with_paypal(options.paypal);
        let shared = Shared {
            store,
            paths: options.paths,
            clock: options.clock,
            search,
            packages: Default::default(),
            desk,
            webhook_allow: options.webhook_allow,
            notifier: options.notifier,
        };
        Ok(LocalAgency {
            shared: Arc::new(shared),
            user: LOCAL_USER.to_string(),
        })
    }

    /// Where this agency's data lives, safe to print: the SQLite file, or
    /// `postgres://user@host:port/db` without a password.
    pub fn describe_database(&self) -> String {
        self.shared.store.describe()
    }

    /// The store's integrity (`booksygo admin check`): every broken promise found, none when
    /// all is well. Read-only.
    pub async fn check_integrity(&self) -> Result<Vec<crate::admin::Problem>> {
        self.shared.store.reading(|u| u.checks().problems()).await
    }

    /// Announces what happened since the last time (the inbox, and e-mail when SMTP is set up)
    /// and sends the e-mails that are due: what a command-line run does before it ends. Costs
    /// two reads when there is nothing new.
    pub fn deliver_notifications(&self) -> Result<crate::notify::Round> {
        let (store, notifier) = (&self.shared.store, &self.shared.notifier);
        let now = self.now().as_second();
        if !notifier.has_work(store, now)? {
            return Ok(crate::notify::Round::default());
        }
        notifier.round(store, now)
    }

    /// Whether this traveller sees and pays member prices on packages (their role, read now).
    pub(crate) fn member_prices(&self) -> Result<bool> {
        self.shared
            .store
            .read(|u| crate::roles::holds(u, &self.user, crate::roles::Permission::MemberPrices))
    }

    /// The analytics report of `query` over the whole store: `booksygo admin report` on the
    /// server's own machine, where whoever reads the database may read it all.
    pub async fn analytics_report(
        &self,
        query: &crate::analytics::ReportQuery,
    ) -> Result<crate::analytics::Report> {
        let query = query.clone();
        self.shared
            .store
            .reading(move |u| crate::analytics::build(u, &query))
            .await
    }

    /// The SMTP server e-mail goes through (`scheme://host:port`), when one is set up.
    pub fn mail_server(&self) -> Option<&str> {
        self.shared.notifier.describe()
    }

    /// The same agency acting for another traveller.
    pub fn as_user(&self, user: &str) -> LocalAgency {
        LocalAgency {
            shared: self.shared.clone(),
            user: user.to_string(),
        }
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// The storage port, for core and the workspace's tests (`test-support`).
    #[cfg(feature = "test-support")]
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    #[cfg(not(feature = "test-support"))]
    pub(crate) fn store(&self) -> &Store {
        &self.shared.store
    }

    /// The package search kept in memory (the tests compare it with the SQL).
    pub(crate) fn package_search(&self) -> &crate::search::packages::PackageSearch {
        &self.shared.packages
    }

    /// The booking desk, for core and the workspace's tests (`test-support`).
    #[cfg(feature = "test-support")]
    pub fn desk(&self) -> &Desk {
        &self.shared.desk
    }

    #[cfg(not(feature = "test-support"))]
    pub(crate) fn desk(&self) -> &Desk {
        &self.shared.desk
    }

    /// The market and its search pipeline.
    pub fn search(&self) -> &Searcher {
        &self.shared.search
    }

    pub fn fx(&self) -> &FxTable {
        self.shared.search.fx()
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.shared.clock.now()
    }

    /// Accounts and sessions over this agency's store, for the team server.
    pub fn accounts(&self) -> Arc<dyn crate::accounts::Accounts> {
        Arc::new(crate::accounts::LocalAccounts::new(
            self.store().clone(),
            self.shared.clock,
        ))
    }

    /// Administration, the event feed and health, for the team server.
    pub fn team(&self) -> Arc<dyn crate::team::Team> {
        Arc::new(LocalTeam::new(self.clone()))
    }

    /// Conversations with the assistant, kept in this agency's store.
    pub fn chats(&self) -> crate::ai::conversation::Chats {
        crate::ai::conversation::Chats::new(self.store().clone(), self.shared.clock)
    }

    /// Today in UTC (package departures and challenges are dated in UTC).
    pub fn today(&self) -> Date {
        self.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    /// The in-memory network (places, routes, timetable), for benchmarks and tools.
    pub fn network(&self) -> Arc<Network> {
        self.shared.search.network()
    }

    pub fn sandbox(&self) -> SandboxProvider {
        self.shared.search.sandbox()
    }

    /// Imports OpenFlights files and rebuilds the market over the larger network.
    pub async fn import_openflights(&self, dir: std::path::PathBuf) -> Result<ImportReport> {
        let store = self.store().clone();
        let report = tokio::task::spawn_blocking(move || {
            crate::places::import::import_openflights(&store, &dir)
        })
        .await??;
        self.shared.search.rebuild()?;
        Ok(report)
    }

    /// Checks the supplier orders left unfinished (a crash between asking a supplier and
    /// writing its answer): what is still wrong, one line each. The server runs it at start.
    pub async fn reconcile_suppliers(&self) -> Vec<String> {
        self.desk().reconcile_suppliers().await
    }

    /// Book now or wait, for one adult in `cabin` on a one-way route.
    pub async fn predict(
        &self,
        origin: &str,
        destination: &str,
        date: Date,
        cabin: Cabin,
    ) -> Result<crate::ai::predict::Prediction> {
        let net = self.network();
        let o = net.places.resolve(origin)?.code;
        let d = net.places.resolve(destination)?.code;
        // The search below is recorded before the history is read, so it is part of it.
        crate::ai::predict::forecast(self, &o, &d, date, cabin, self.today(), |o, d| {
            self.store()
                .read(|u| crate::search::history::history(u, o, d, date, cabin))
        })
        .await
    }
}
