-- hedgeledger schema, version 2: market snapshots.
--
-- marks: one row per instrument and moment, clustered by (instrument, time) so "the latest
-- mark at or before t" is one index seek, and with no rowid or second index: snapshots are
-- the largest table the ledger holds. Prices are exact TEXT like fills; volatilities and the
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
    PRIMARY KEY (instrument_id, time_us)
) STRICT, WITHOUT ROWID;

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
