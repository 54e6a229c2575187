//! What flows through the app: `Msg` in (keys, mouse, answers from the agency) and `Cmd` out
//! (side effects as data, run by the executor in `exec`).

use crate::chat::{ChatLog, ChatTurn};
use booksygo_core::agency::{
    CalendarDay, CalendarQuery, FlightResults, HotelResults, MarketInfo, ProviderUpdate,
};
use booksygo_core::booking::{Booking, BookingRequest, RefundQuote};
use booksygo_core::model::PlaceSuggestion;
use booksygo_core::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use booksygo_core::search::packages::{PackageDetail, PackageQuery, PackageResults};
use booksygo_core::search::{FlightQuery, HotelQuery};
use jiff::Timestamp;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use std::path::PathBuf;

/// An answer from the agency: the value, or the error as the user should read it.
pub type Answer<T> = std::result::Result<T, String>;

/// Everything the points view shows, fetched together.
#[derive(Debug, Clone)]
pub struct PointsData {
    pub balance: Balance,
    pub history: Vec<LedgerEntry>,
    pub badges: Vec<BadgeStatus>,
    pub challenges: Vec<Challenge>,
    pub leaderboard: Vec<LeaderboardEntry>,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Info(Answer<MarketInfo>),
    /// Suggestions for what was typed in a place field.
    Suggestions {
        field: usize,
        query: String,
        answer: Answer<Vec<PlaceSuggestion>>,
    },
    /// One provider answered a running flight search: a preview until `Flights` arrives.
    FlightsProgress {
        seq: u64,
        update: ProviderUpdate,
    },
    /// A flight search answered; `seq` tells a stale answer from the latest one.
    Flights {
        seq: u64,
        at: Timestamp,
        answer: Answer<FlightResults>,
    },
    Calendar {
        seq: u64,
        answer: Answer<Vec<CalendarDay>>,
    },
    Hotels {
        seq: u64,
        at: Timestamp,
        answer: Answer<HotelResults>,
    },
    Packages {
        seq: u64,
        at: Timestamp,
        answer: Answer<PackageResults>,
    },
    Package(Answer<PackageDetail>),
    /// The traveller's points ledger, for the booking summary.
    BookingPoints(Answer<PointsData>),
    Booked(Answer<Booking>),
    Bookings(Answer<Vec<Booking>>),
    Quote(Answer<RefundQuote>),
    Cancelled(Answer<Booking>),
    /// A calendar written: path and number of events.
    Exported(Answer<(PathBuf, usize)>),
    Points(Answer<PointsData>),
    Inbox(Answer<booksygo_core::notify::Inbox>),
    /// Notifications marked read: how many were unread.
    Marked(Answer<usize>),
    Watches(Answer<Vec<booksygo_core::model::watch::Watch>>),
    /// A price watch added.
    Watched(Answer<booksygo_core::model::watch::Watch>),
    /// A price watch removed.
    Unwatched(Answer<()>),
    /// The chat's conversation opened (the latest resumed).
    ChatOpened(Answer<ChatLog>),
    /// A piece of the assistant's reply, as it streams.
    ChatText(String),
    /// The assistant finished a turn.
    ChatReplied(Answer<ChatTurn>),
}

/// Side effects as data. The executor runs each on tokio and answers with one `Msg`.
#[derive(Debug)]
pub enum Cmd {
    LoadInfo,
    Suggest {
        field: usize,
        query: String,
    },
    SearchFlights {
        seq: u64,
        query: FlightQuery,
    },
    Calendar {
        seq: u64,
        query: CalendarQuery,
    },
    SearchHotels {
        seq: u64,
        query: HotelQuery,
    },
    SearchPackages {
        seq: u64,
        query: PackageQuery,
    },
    LoadPackage(String),
    LoadBookingPoints,
    Book(Box<BookingRequest>),
    LoadBookings,
    QuoteCancel(String),
    Cancel {
        id: String,
        idempotency_key: String,
    },
    ExportIcs {
        id: String,
        path: PathBuf,
    },
    LoadPoints,
    LoadInbox,
    /// Marks one notification read, or every one (`None`).
    MarkRead(Option<String>),
    LoadWatches,
    AddWatch(Box<booksygo_core::model::watch::NewWatch>),
    RemoveWatch(String),
    ChatOpen,
    /// One message to the assistant.
    ChatSend(String),
}
