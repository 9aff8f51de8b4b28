-- hedgeledger schema, version 2: market snapshots.
--
-- marks: one row per instrument and moment, clustered by (time, instrument) with no rowid and
-- no second index: snapshots are the largest table the ledger holds, and files arrive in time
-- order, so this key makes an import append (a third faster than keying by instrument first;
-- BENCHMARKS.md). "The latest mark of X at or before t" is a short backward scan in time,
-- bounded by mark_coverage below. Prices are exact TEXT like fills; volatilities and the
-- venue's own greeks are REAL. Append-only, like fills.

CREATE TABLE marks (
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    time_us INTEGER NOT NULL,
    mark_price TEXT NOT NULL,          -- in the instrument's quote currency (coin for inverse options)
    underlying_price TEXT,             -- the forward F options are priced on, USD
    index_price TEXT,
    mark_iv REAL,                      -- percent, as venues quote it; NULL: implied from mark_price
    bid_iv REAL,
    ask_iv REAL,
    interest_rate REAL,                -- a fraction; NULL means 0
    venue_delta REAL,                  -- the venue's greeks, kept to compare with ours
    venue_gamma REAL,
    venue_vega REAL,
    venue_theta REAL,
    venue_rho REAL,
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (time_us, instrument_id)
) STRICT, WITHOUT ROWID;

-- Derived from marks, maintained by every snapshot import: each instrument's first and last
-- mark time, so an as-of lookup before the first mark scans nothing, and one at or after
-- the last mark is a single seek.
CREATE TABLE mark_coverage (
    instrument_id INTEGER PRIMARY KEY REFERENCES instruments(id),
    first_us INTEGER NOT NULL,
    last_us INTEGER NOT NULL,
    mark_count INTEGER NOT NULL CHECK (mark_count > 0),
    CHECK (first_us <= last_us)
) STRICT;

-- Index prices (btc_usd, eth_usd): the USD value of a coin, and settlement's fallback.
CREATE TABLE index_prices (
    index_name TEXT NOT NULL CHECK (index_name <> ''),
    time_us INTEGER NOT NULL,
    price TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (index_name, time_us)
) STRICT, WITHOUT ROWID;

-- Explicit settlement prices (Deribit: the 30-minute TWAP of the index before 08:00 UTC),
-- at the expiry they settle.
CREATE TABLE settlement_prices (
    index_name TEXT NOT NULL CHECK (index_name <> ''),
    time_us INTEGER NOT NULL,
    price TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (index_name, time_us)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER marks_refuse_update BEFORE UPDATE ON marks
BEGIN SELECT RAISE(ABORT, 'marks are append-only: UPDATE is refused'); END;
CREATE TRIGGER marks_refuse_delete BEFORE DELETE ON marks
BEGIN SELECT RAISE(ABORT, 'marks are append-only: DELETE is refused'); END;
CREATE TRIGGER index_prices_refuse_update BEFORE UPDATE ON index_prices
BEGIN SELECT RAISE(ABORT, 'index prices are append-only: UPDATE is refused'); END;
CREATE TRIGGER index_prices_refuse_delete BEFORE DELETE ON index_prices
BEGIN SELECT RAISE(ABORT, 'index prices are append-only: DELETE is refused'); END;
CREATE TRIGGER settlement_prices_refuse_update BEFORE UPDATE ON settlement_prices
BEGIN SELECT RAISE(ABORT, 'settlement prices are append-only: UPDATE is refused'); END;
CREATE TRIGGER settlement_prices_refuse_delete BEFORE DELETE ON settlement_prices
BEGIN SELECT RAISE(ABORT, 'settlement prices are append-only: DELETE is refused'); END;
