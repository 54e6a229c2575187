//! Versioned schema. Each entry runs once, in order, inside a transaction; `PRAGMA user_version`
//! records how far a database has come. Never edit a released entry: add a new one.

pub const MIGRATIONS: &[&str] = &[
    // 1: the market (reference data) and its inventory.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE airports (
        iata TEXT PRIMARY KEY,
        icao TEXT,
        name TEXT NOT NULL,
        city TEXT NOT NULL,
        city_code TEXT,
        country TEXT NOT NULL,
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        tz TEXT NOT NULL,
        source TEXT NOT NULL
    );

    CREATE TABLE airlines (
        code TEXT PRIMARY KEY,
        icao TEXT,
        name TEXT NOT NULL,
        alliance TEXT,
        hubs TEXT NOT NULL DEFAULT '',
        country TEXT,
        low_cost INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL
    );

    CREATE TABLE routes (
        airline TEXT NOT NULL,
        origin TEXT NOT NULL,
        destination TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (airline, origin, destination)
    ) WITHOUT ROWID;

    CREATE TABLE cities (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        country TEXT NOT NULL,
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        tax_percent INTEGER NOT NULL
    );

    CREATE TABLE hotels (
        id TEXT PRIMARY KEY,
        city_code TEXT NOT NULL REFERENCES cities(code) ON DELETE CASCADE,
        name TEXT NOT NULL,
        stars INTEGER NOT NULL,
        rating REAL NOT NULL,
        neighbourhood TEXT NOT NULL,
        address TEXT NOT NULL,
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        amenities TEXT NOT NULL,
        check_in TEXT NOT NULL,
        check_out TEXT NOT NULL,
        free_cancellation_hours INTEGER
    );
    CREATE INDEX hotels_city ON hotels(city_code);

    CREATE TABLE hotel_rooms (
        hotel_id TEXT NOT NULL REFERENCES hotels(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        capacity INTEGER NOT NULL,
        count INTEGER NOT NULL,
        base_rate INTEGER NOT NULL,
        PRIMARY KEY (hotel_id, type)
    );

    -- Seats sold by BooksyGo on one flight (designator + local departure date) and cabin.
    -- `capacity` is what the market left bookable when the first seat was sold.
    CREATE TABLE flight_inventory (
        flight_key TEXT NOT NULL,
        cabin TEXT NOT NULL,
        dep_date TEXT NOT NULL,
        capacity INTEGER NOT NULL,
        sold INTEGER NOT NULL CHECK (sold >= 0 AND sold <= capacity),
        PRIMARY KEY (flight_key, cabin)
    );
    CREATE INDEX flight_inventory_date ON flight_inventory(dep_date);

    -- Rooms sold by BooksyGo per hotel, room type and night.
    CREATE TABLE room_inventory (
        hotel_id TEXT NOT NULL,
        room_type TEXT NOT NULL,
        night TEXT NOT NULL,
        capacity INTEGER NOT NULL,
        sold INTEGER NOT NULL CHECK (sold >= 0 AND sold <= capacity),
        PRIMARY KEY (hotel_id, room_type, night)
    );

    -- Offers handed out by searches, so a booking can find and re-price them.
    CREATE TABLE offers (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        provider TEXT NOT NULL,
        payload TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX offers_expiry ON offers(expires_at);
    "#,
];
