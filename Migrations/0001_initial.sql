-- hedgeledger schema, version 1: instruments, imports, fills, positions.
--
-- Conventions: times are INTEGER UTC microseconds (*_us); exact amounts are TEXT in the
-- canonical decimal form of ExactDecimal (no exponent, no trailing zeros); every table is
-- STRICT. Fills and imports are append-only: triggers refuse UPDATE and DELETE.

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                -- what was imported: 'trades', 'instruments', ...
    file_name TEXT NOT NULL,           -- as given on the command line; '-' for standard input
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    format TEXT NOT NULL,              -- detected format, e.g. 'native-trades-v1'
    rows_accepted INTEGER NOT NULL CHECK (rows_accepted >= 0),
    rows_duplicate INTEGER NOT NULL CHECK (rows_duplicate >= 0),
    rows_rejected INTEGER NOT NULL CHECK (rows_rejected >= 0),
    imported_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE instruments (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL UNIQUE CHECK (symbol <> ''),
    kind TEXT NOT NULL CHECK (kind IN ('option', 'future', 'perpetual', 'spot')),
    underlying TEXT NOT NULL,
    quote_currency TEXT NOT NULL,
    settlement_currency TEXT NOT NULL,
    inverse INTEGER NOT NULL CHECK (inverse IN (0, 1)),
    option_right TEXT CHECK (option_right IN ('call', 'put')),
    strike TEXT,
    expiry_us INTEGER,
    multiplier TEXT NOT NULL,
    contract_size TEXT,
    -- Where the definition came from: parsed from its name, or an `import instruments` file.
    import_id INTEGER REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    CHECK ((kind = 'option') = (option_right IS NOT NULL AND strike IS NOT NULL)),
    CHECK ((kind IN ('option', 'future')) = (expiry_us IS NOT NULL))
) STRICT;

CREATE TABLE fills (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL CHECK (venue <> ''),
    trade_id TEXT NOT NULL CHECK (trade_id <> ''),
    time_us INTEGER NOT NULL,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    book TEXT NOT NULL CHECK (book <> ''),
    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
    quantity TEXT NOT NULL,
    price TEXT NOT NULL,
    fee TEXT NOT NULL,
    fee_currency TEXT NOT NULL,
    order_id TEXT,
    hedge_decision TEXT,               -- the hedge decision this fill executes (a later issue links it)
    note TEXT,
    -- Provenance: the import that brought the fill and its line in that file. The import row
    -- is written last, when its counts and checksum are known, hence the deferred check.
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    source_line INTEGER NOT NULL,
    UNIQUE (venue, trade_id)
) STRICT;

-- No index on time: positions as of a time scan the fills and sort them (about a second per
-- million fills), while every import would pay 10-20% to maintain one (BENCHMARKS.md). A later
-- migration adds one when a time-ordered reader needs it.

CREATE TRIGGER fills_refuse_update BEFORE UPDATE ON fills
BEGIN SELECT RAISE(ABORT, 'fills are append-only: UPDATE is refused'); END;
CREATE TRIGGER fills_refuse_delete BEFORE DELETE ON fills
BEGIN SELECT RAISE(ABORT, 'fills are append-only: DELETE is refused'); END;
CREATE TRIGGER imports_refuse_update BEFORE UPDATE ON imports
BEGIN SELECT RAISE(ABORT, 'imports are append-only: UPDATE is refused'); END;
CREATE TRIGGER imports_refuse_delete BEFORE DELETE ON imports
BEGIN SELECT RAISE(ABORT, 'imports are append-only: DELETE is refused'); END;

-- Derived from fills (average-cost method); rebuilt from them whenever fills arrive out of order.
CREATE TABLE positions (
    book TEXT NOT NULL,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    quantity TEXT NOT NULL,
    cost_basis TEXT NOT NULL,
    realised_pnl TEXT NOT NULL,
    fill_count INTEGER NOT NULL CHECK (fill_count > 0),
    first_fill_us INTEGER NOT NULL,
    last_fill_us INTEGER NOT NULL,
    -- The last fill applied, in (time, venue, trade id) order: a later import whose fills
    -- sort after it extends the position; one that sorts before it forces a rebuild.
    last_venue TEXT NOT NULL,
    last_trade_id TEXT NOT NULL,
    PRIMARY KEY (book, instrument_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE position_fees (
    book TEXT NOT NULL,
    instrument_id INTEGER NOT NULL,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (book, instrument_id, currency),
    FOREIGN KEY (book, instrument_id) REFERENCES positions (book, instrument_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
