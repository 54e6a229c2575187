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
    // 2: travellers, packages, bookings, payments, points, trips, the events outbox.
    r#"
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        first_name TEXT NOT NULL DEFAULT '',
        last_name TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT 'user',
        preferences TEXT NOT NULL DEFAULT '{}',
        referred_by TEXT REFERENCES users(id),
        created_at INTEGER NOT NULL
    );

    CREATE TABLE packages (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        type TEXT NOT NULL,
        destination TEXT NOT NULL,
        destination_name TEXT NOT NULL,
        country TEXT NOT NULL,
        continent TEXT NOT NULL,
        duration_days INTEGER NOT NULL,
        base_price INTEGER NOT NULL,
        currency TEXT NOT NULL,
        rating REAL NOT NULL,
        review_count INTEGER NOT NULL,
        featured INTEGER NOT NULL DEFAULT 0,
        max_group INTEGER NOT NULL,
        owner_id TEXT,
        source TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX packages_type ON packages(type, base_price);
    CREATE INDEX packages_price ON packages(base_price);
    CREATE INDEX packages_country ON packages(country);
    CREATE INDEX packages_destination ON packages(destination);
    CREATE INDEX packages_rating ON packages(rating);

    -- The long parts (itinerary, includes, tags) live apart so searches scan small rows.
    CREATE TABLE package_bodies (
        package_id TEXT PRIMARY KEY REFERENCES packages(id) ON DELETE CASCADE,
        body TEXT NOT NULL
    );

    CREATE VIRTUAL TABLE packages_fts USING fts5(
        title, description, destination, activities,
        tokenize = 'porter unicode61 remove_diacritics 2'
    );

    CREATE TABLE package_departures (
        package_id TEXT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        slots INTEGER NOT NULL CHECK (slots >= 0),
        sold INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0 AND sold <= slots),
        PRIMARY KEY (package_id, date)
    );
    CREATE INDEX package_departures_date ON package_departures(date);

    CREATE TABLE bookings (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        status TEXT NOT NULL,
        confirmation_code TEXT NOT NULL UNIQUE,
        contact_email TEXT NOT NULL,
        currency TEXT NOT NULL,
        total INTEGER NOT NULL,
        list_total INTEGER NOT NULL,
        points_redeemed INTEGER NOT NULL DEFAULT 0,
        points_value INTEGER NOT NULL DEFAULT 0,
        amount_due INTEGER NOT NULL,
        refunded INTEGER NOT NULL DEFAULT 0,
        starts_on TEXT NOT NULL,
        ends_on TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX bookings_user ON bookings(user_id, created_at, status);
    CREATE INDEX bookings_status ON bookings(status, ends_on);
    CREATE INDEX bookings_pending ON bookings(status, created_at);
    CREATE INDEX bookings_user_status ON bookings(user_id, status, list_total, total);

    CREATE TABLE booking_items (
        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        offer_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        reference TEXT,
        description TEXT NOT NULL,
        price INTEGER NOT NULL,
        tax INTEGER NOT NULL,
        list_price INTEGER NOT NULL,
        continent TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (booking_id, seq)
    );
    CREATE INDEX booking_items_continent ON booking_items(continent, booking_id);

    CREATE TABLE booking_passengers (
        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        born_on TEXT NOT NULL,
        type TEXT NOT NULL,
        document TEXT,
        PRIMARY KEY (booking_id, seq)
    );

    -- Inventory a booking holds, so cancelling gives back exactly what it took.
    CREATE TABLE booking_holds (
        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        detail TEXT NOT NULL,
        quantity INTEGER NOT NULL,
        released INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        booking_id TEXT NOT NULL REFERENCES bookings(id),
        provider TEXT NOT NULL,
        method TEXT NOT NULL,
        status TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        card_brand TEXT,
        card_last4 TEXT,
        provider_ref TEXT,
        message TEXT,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE refunds (
        id TEXT PRIMARY KEY,
        booking_id TEXT NOT NULL REFERENCES bookings(id),
        payment_id TEXT REFERENCES payments(id),
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE booking_audit (
        id INTEGER PRIMARY KEY,
        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        from_status TEXT,
        to_status TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
    );

    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        type TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        user_id TEXT,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        user_id TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        response TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (scope, user_id, key)
    );

    CREATE TABLE points_ledger (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL,
        total_delta INTEGER NOT NULL,
        available_delta INTEGER NOT NULL,
        booking_id TEXT,
        note TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
    );
    CREATE INDEX points_user ON points_ledger(user_id, kind);
    CREATE INDEX points_booking ON points_ledger(booking_id);

    CREATE TABLE badges (
        user_id TEXT NOT NULL REFERENCES users(id),
        badge TEXT NOT NULL,
        awarded_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, badge)
    );

    CREATE TABLE challenge_completions (
        user_id TEXT NOT NULL REFERENCES users(id),
        challenge TEXT NOT NULL,
        completed_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, challenge)
    );

    CREATE TABLE reviews (
        id TEXT PRIMARY KEY,
        booking_id TEXT NOT NULL UNIQUE REFERENCES bookings(id),
        package_id TEXT NOT NULL REFERENCES packages(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE trips (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        name TEXT NOT NULL,
        starts_on TEXT,
        ends_on TEXT,
        budget INTEGER,
        currency TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE trip_bookings (
        trip_id TEXT NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
        booking_id TEXT NOT NULL REFERENCES bookings(id),
        PRIMARY KEY (trip_id, booking_id)
    );
    "#,
    // 3: accounts for the team server: password hashes and refresh-token families.
    r#"
    ALTER TABLE users ADD COLUMN password_hash TEXT;

    CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        family TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        revoked_at INTEGER,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX refresh_tokens_family ON refresh_tokens(family);
    "#,
    // 4: the offline copy of bookings made on a team server (remote mode), per server and
    // account, kept as the server's JSON so `bookings list --offline` works on a plane.
    r#"
    CREATE TABLE remote_bookings (
        server TEXT NOT NULL,
        account TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        starts_on TEXT NOT NULL,
        created_at TEXT NOT NULL,
        synced_at INTEGER NOT NULL,
        PRIMARY KEY (server, account, id)
    );
    "#,
    // 5: outgoing webhooks: subscriptions with their delivery cursor and retry state.
    r#"
    CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret TEXT NOT NULL,
        delivered_seq INTEGER NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        created_by TEXT NOT NULL REFERENCES users(id),
        created_at INTEGER NOT NULL
    );
    "#,
    // ---- suppliers (issue 7): orders placed with real suppliers, and Stripe events seen ----
    // 6: one row per booked item sold by a real supplier, written BEFORE the supplier is
    //    called (status 'pending'), so an answer lost to a crash or a timeout is looked up
    //    again; 'confirmed' rows of cancelled bookings become 'cancelling' until the supplier
    //    has confirmed the cancellation.
    r#"
    CREATE TABLE supplier_orders (
        id TEXT PRIMARY KEY,
        booking_id TEXT NOT NULL REFERENCES bookings(id),
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('flight', 'hotel')),
        provider TEXT NOT NULL,
        -- What is ordered: the supplier's offer id (flights) or quote id (stays).
        offer_id TEXT NOT NULL,
        offer TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed', 'cancelling', 'cancelled')),
        order_id TEXT,
        booking_reference TEXT,
        cancellation_id TEXT,
        refund_amount INTEGER,
        refund_currency TEXT,
        message TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX supplier_orders_booking ON supplier_orders(booking_id);
    CREATE INDEX supplier_orders_status ON supplier_orders(status);

    CREATE TABLE payment_events (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        type TEXT NOT NULL,
        booking_id TEXT,
        received_at INTEGER NOT NULL
    );
    "#,
    // --- assistant (issue 6) ---
    // 7: assistant conversations: the messages and the session state (pending
    // confirmations, offers seen), so a chat can be resumed.
    r#"
    CREATE TABLE ai_conversations (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        title TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX ai_conversations_user ON ai_conversations(user_id, updated_at);

    CREATE TABLE ai_messages (
        conversation_id TEXT NOT NULL REFERENCES ai_conversations(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        tool_calls TEXT,
        tool_call_id TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, seq)
    );
    "#,
    // 8: fares seen by searches (price prediction) and price watches.
    r#"
    CREATE TABLE fare_observations (
        origin TEXT NOT NULL,
        destination TEXT NOT NULL,
        departure_date TEXT NOT NULL,
        cabin TEXT NOT NULL,
        observed_at INTEGER NOT NULL,
        days_ahead INTEGER NOT NULL,
        -- Cheapest fare per traveller, in EUR minor units.
        cheapest INTEGER NOT NULL,
        PRIMARY KEY (origin, destination, departure_date, cabin, observed_at)
    ) WITHOUT ROWID;

    CREATE TABLE price_watches (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        origin TEXT NOT NULL,
        destination TEXT NOT NULL,
        departure_date TEXT NOT NULL,
        cabin TEXT NOT NULL,
        adults INTEGER NOT NULL,
        below INTEGER NOT NULL,
        currency TEXT NOT NULL,
        last_price INTEGER,
        last_checked_at INTEGER,
        fired_price INTEGER,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX price_watches_user ON price_watches(user_id);
    "#,
    // --- end assistant ---
    // --- perf (booking throughput) ---
    // 9: a booking's audit trail and payments were found by scanning every row: reading a
    // booking back (after every booking) and counting its payment attempts now use an index.
    r#"
    CREATE INDEX booking_audit_booking ON booking_audit(booking_id, id);
    CREATE INDEX payments_booking ON payments(booking_id);
    "#,
    // --- end perf ---
    // --- hold orders (Duffel): an order placed unpaid, paid when the traveller pays ---
    // 10: which supplier orders are held, and until when.
    r#"
    ALTER TABLE supplier_orders ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
    -- When the supplier releases the unpaid hold (unix seconds).
    ALTER TABLE supplier_orders ADD COLUMN payment_required_by INTEGER;
    "#,
    // --- end hold orders ---
    // --- crash-safe idempotency (hardening) ---
    // 11: a key is tied to the booking it acts on (for create: in the transaction that writes
    // the booking), so an unfinished request is carried on from that booking instead of being
    // run again; each charge attempt keeps the idempotency key it sent the payment provider,
    // so a charge cut short by a crash is re-sent under the same key, never as a second one.
    r#"
    ALTER TABLE idempotency ADD COLUMN booking_id TEXT;
    ALTER TABLE payments ADD COLUMN provider_key TEXT;
    "#,
    // --- end crash-safe idempotency ---
    // --- promises that hold with several writers (one door) ---
    // 12: failed-login limits live in the database, shared by every server process; a
    // webhook subscription is delivered by the courier holding its lease.
    r#"
    CREATE TABLE login_attempts (
        key TEXT PRIMARY KEY,
        attempts INTEGER NOT NULL,
        window_start INTEGER NOT NULL
    );
    ALTER TABLE webhooks ADD COLUMN lease_owner TEXT;
    ALTER TABLE webhooks ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
    "#,
    // --- end several writers ---
    // --- personal data at rest (hardening) ---
    // 13: an idempotency key keeps the first answer without its personal data (the replay
    // reads the contact and the travellers from the booking, where they are sealed), and the
    // offline copy of remote bookings keeps no document numbers. Travellers' and accounts'
    // columns are sealed by the store itself (`store::sealed`), which needs the key.
    r#"
    UPDATE idempotency SET response = json_remove(response, '$.ok.contact_email', '$.ok.passengers')
    WHERE json_valid(response) AND json_type(response, '$.ok') = 'object';
    UPDATE remote_bookings SET body = json_remove(body, '$.passengers[0].document', '$.passengers[1].document', '$.passengers[2].document', '$.passengers[3].document', '$.passengers[4].document', '$.passengers[5].document', '$.passengers[6].document', '$.passengers[7].document', '$.passengers[8].document')
    WHERE json_valid(body);
    "#,
    // --- end personal data at rest ---
    // --- notifications ---
    // 14: what each account hears about and how (in the inbox, by e-mail), in its language and
    // time zone. A notice is kept once per (event, user, kind); its e-mail is a row of its own
    // that a courier leases, sends, retries and, after the last try, leaves for an admin.
    // The notifier's cursor starts at the present: past events are not announced.
    r#"
    ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
    ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
    CREATE TABLE notices (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        dedupe TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        in_app INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        read_at INTEGER,
        UNIQUE (dedupe, user_id, kind)
    );
    CREATE INDEX notices_inbox ON notices(user_id, created_at);
    CREATE TABLE notice_mail (
        notice_id TEXT PRIMARY KEY REFERENCES notices(id),
        to_addr TEXT NOT NULL,
        locale TEXT NOT NULL,
        html TEXT NOT NULL,
        booking_id TEXT,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        lease_owner TEXT,
        lease_until INTEGER NOT NULL DEFAULT 0,
        sent_at INTEGER,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX notice_mail_due ON notice_mail(status, next_attempt_at);
    CREATE TABLE notice_prefs (
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        PRIMARY KEY (user_id, kind)
    );
    CREATE TABLE notifier (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        cursor INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO notifier (id, cursor) SELECT 1, COALESCE(MAX(seq), 0) FROM events;
    "#,
    // --- end notifications ---
    // --- analytics ---
    // 15: what clients tell about their travellers' searches, offer views, clicks and
    // bookings started (`POST /api/analytics/events`), for the funnel of the reports.
    r#"
    CREATE TABLE tracked_events (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        route TEXT,
        provider TEXT,
        package TEXT,
        at INTEGER NOT NULL
    );
    CREATE INDEX tracked_events_at ON tracked_events(at);
    "#,
    // --- end analytics ---
    // --- price watches on the team server ---
    // 16: the server's sweep of every account's watches is leased to one instance at a time
    // (a row per kind of sweep), and finds the watches still ahead by their departure date.
    r#"
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        until INTEGER NOT NULL
    );
    CREATE INDEX price_watches_departure ON price_watches(departure_date);
    "#,
    // --- end price watches on the team server ---
    // --- referrals ---
    // 17: each account's referral code (given when first asked for), and one referral per
    // referred account: pending until its first completed booking, then rewarded, or not
    // (over the referrer's monthly limit, or the same e-mail domain and card).
    r#"
    ALTER TABLE users ADD COLUMN referral_code TEXT;
    CREATE UNIQUE INDEX users_referral_code ON users(referral_code);
    CREATE TABLE referrals (
        referee_id TEXT PRIMARY KEY REFERENCES users(id),
        referrer_id TEXT NOT NULL REFERENCES users(id),
        status TEXT NOT NULL CHECK (status IN ('pending', 'rewarded', 'over_limit', 'same_card')),
        booking_id TEXT,
        created_at INTEGER NOT NULL,
        settled_at INTEGER
    );
    CREATE INDEX referrals_referrer ON referrals(referrer_id, status, settled_at);
    "#,
    // --- end referrals ---
    // --- roles ---
    // 18: a booking's flight date changes, numbered per booking (the number is the key, so
    // two changes at once cannot both be the first), with the fee paid and the fee waived
    // (a premium member's first change).
    r#"
    CREATE TABLE booking_date_changes (
        booking_id TEXT NOT NULL REFERENCES bookings(id),
        number INTEGER NOT NULL CHECK (number >= 1),
        from_date TEXT NOT NULL,
        to_date TEXT NOT NULL,
        fare_difference INTEGER NOT NULL,
        fee INTEGER NOT NULL CHECK (fee >= 0),
        fee_waived INTEGER NOT NULL CHECK (fee_waived >= 0),
        waived_for TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (booking_id, number)
    );
    "#,
    // --- end roles ---
    // 19: the notifier looks for confirmed bookings departing within a day (its reminders)
    // at every round and before every command line: by index, not by every confirmed row.
    r#"
    CREATE INDEX bookings_departing ON bookings(status, starts_on);
    "#,
    // 20: the compact route table (`places::routes`): made from the catalogue's rows when a
    // market opens and finds none, dropped by any change of an airport, airline or route in
    // that change's own transaction, whoever writes it.
    r#"
    CREATE TABLE route_table (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        body BLOB NOT NULL
    );
    CREATE TRIGGER route_table_airports_insert AFTER INSERT ON airports BEGIN DELETE FROM route_table; END;
    CREATE TRIGGER route_table_airports_update AFTER UPDATE ON airports BEGIN DELETE FROM route_table; END;
    CREATE TRIGGER route_table_airports_delete AFTER DELETE ON airports BEGIN DELETE FROM route_table; END;
    CREATE TRIGGER route_table_airlines_insert AFTER INSERT ON airlines BEGIN DELETE FROM route_table; END;
    CREATE TRIGGER route_table_airlines_update AFTER UPDATE ON airlines BEGIN DELETE FROM route_table; END;
    CREATE TRIGGER route_table_airlines_delete AFTER DELETE ON airlines BEGIN DELETE FROM route_table; END;
    CREATE TRIGGER route_table_routes_insert AFTER INSERT ON routes BEGIN DELETE FROM route_table; END;
    CREATE TRIGGER route_table_routes_update AFTER UPDATE ON routes BEGIN DELETE FROM route_table; END;
    CREATE TRIGGER route_table_routes_delete AFTER DELETE ON routes BEGIN DELETE FROM route_table; END;
    "#,
    // 21: one watch per traveller, trip, travellers, cabin and price: two adds of the same
    // watch at the same instant (a double submit, two instances) keep one, which would
    // otherwise alert twice for every drop. Copies made before this are dropped, keeping
    // the first one made.
    r#"
    DELETE FROM price_watches
     WHERE EXISTS (
        SELECT 1 FROM price_watches AS kept
         WHERE kept.user_id = price_watches.user_id
           AND kept.origin = price_watches.origin
           AND kept.destination = price_watches.destination
           AND kept.departure_date = price_watches.departure_date
           AND kept.cabin = price_watches.cabin
           AND kept.adults = price_watches.adults
           AND kept.below = price_watches.below
           AND kept.currency = price_watches.currency
           AND (kept.created_at < price_watches.created_at
                OR (kept.created_at = price_watches.created_at AND kept.id < price_watches.id)));
    CREATE UNIQUE INDEX price_watches_same ON price_watches(user_id, origin, destination, departure_date, cabin, adults, below, currency);
    "#,
];
