-- hedgeledger schema, version 7: the exposure history that `recompute` derives, and its runs.
--
-- exposure_history is derived: one row per (book, underlying) at every moment its exposure
-- can change (a fill, a mark of an instrument it holds, an expiry, a settings change),
-- rewritten by each recompute from the time it starts at. Greeks and prices are REAL
-- (doubles stored exactly), the target delta exact TEXT. recompute_runs is a record:
-- append-only, one row per run, with the SHA-256 of what it read and of what it wrote.

CREATE TABLE recompute_runs (
    id INTEGER PRIMARY KEY,
    started_at_us INTEGER NOT NULL,
    finished_at_us INTEGER NOT NULL,
    from_us INTEGER,                       -- NULL: a full recompute, from the first event
    through_us INTEGER,                    -- the last event time it saw; NULL when there was none
    rows_written INTEGER NOT NULL CHECK (rows_written >= 0),
    inputs_sha256 TEXT NOT NULL CHECK (length(inputs_sha256) = 64),
    outputs_sha256 TEXT NOT NULL CHECK (length(outputs_sha256) = 64),
    code_version TEXT NOT NULL
) STRICT;

CREATE TRIGGER recompute_runs_refuse_update BEFORE UPDATE ON recompute_runs
BEGIN SELECT RAISE(ABORT, 'recompute runs are append-only: UPDATE is refused'); END;
CREATE TRIGGER recompute_runs_refuse_delete BEFORE DELETE ON recompute_runs
BEGIN SELECT RAISE(ABORT, 'recompute runs are append-only: DELETE is refused'); END;

CREATE TABLE exposure_history (
    book TEXT NOT NULL,
    underlying TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    options_delta REAL NOT NULL,
    options_net_delta REAL NOT NULL,
    hedge_delta REAL NOT NULL,
    net_delta REAL NOT NULL,
    gamma REAL NOT NULL,
    vega REAL NOT NULL,
    theta REAL NOT NULL,
    underlying_price REAL,
    usd_per_coin REAL,
    net_delta_usd REAL,
    hedge_ratio REAL,
    target_delta TEXT NOT NULL,
    required_hedge REAL,
    hedge_instrument TEXT,
    oldest_mark_age_s REAL,
    positions INTEGER NOT NULL CHECK (positions >= 0),
    unpriced INTEGER NOT NULL CHECK (unpriced >= 0),
    run INTEGER NOT NULL REFERENCES recompute_runs(id) DEFERRABLE INITIALLY DEFERRED,  -- the run record is written last, with the rows' checksum
    PRIMARY KEY (book, underlying, time_us)
) STRICT, WITHOUT ROWID;
