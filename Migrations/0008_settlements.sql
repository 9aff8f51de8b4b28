-- hedgeledger schema, version 8: expiry settlements, derived once by `recompute` and stored.
--
-- expiry_settlements holds the price each expired instrument settles at, and where it came from:
-- an imported settlement row of its index at expiry ('settlement'), else the last index price
-- at most an hour before expiry ('index', observed at observed_us). An instrument past expiry
-- with no row here has no settlement price yet: its positions stay expired, unsettled.
-- position_settlements holds what each position settled: the quantity closed at that price and the P&L
-- the settlement realised, in the instrument's settlement currency.
-- Both are derived like exposure_history: a recompute rewrites them from the time it starts at,
-- and `positions`, `greeks` and every report read them instead of settling positions themselves.

CREATE TABLE expiry_settlements (
    instrument_id INTEGER PRIMARY KEY REFERENCES instruments(id),
    time_us INTEGER NOT NULL,                  -- the instrument's expiry
    price TEXT NOT NULL,                       -- in the quote currency, exact
    index_price TEXT NOT NULL,                 -- the index price it derives from, exact
    source TEXT NOT NULL CHECK (source IN ('settlement', 'index')),
    observed_us INTEGER NOT NULL CHECK (observed_us <= time_us),
    run INTEGER NOT NULL REFERENCES recompute_runs(id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE INDEX expiry_settlements_by_time ON expiry_settlements (time_us);

CREATE TABLE position_settlements (
    book TEXT NOT NULL,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    time_us INTEGER NOT NULL,
    quantity TEXT NOT NULL,                    -- signed, as held before settling; exact
    price TEXT NOT NULL,                       -- the settlement price, exact
    realised_pnl TEXT NOT NULL,                -- what the settlement realised, settlement currency, exact
    run INTEGER NOT NULL REFERENCES recompute_runs(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (book, instrument_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX position_settlements_by_time ON position_settlements (time_us);
