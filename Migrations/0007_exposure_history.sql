-- hedgeledger schema, version 7: the exposure history that `recompute` derives, and its runs.
--
-- exposure_history is derived: one row per (book, underlying) at every moment its exposure
-- can change (a fill, a mark of an instrument it holds, an expiry, a settings change),
-- rewritten by each recompute from the time it starts at. Greeks and prices are REAL
-- (doubles stored exactly), the target delta exact TEXT. recompute_runs is a record:
-- append-only, one row per run, with the SHA-256 of what it read and of what it wrote.
-- history_changes is a record too: every import, void and settings change that can change
-- the history notes the earliest time it affects, so a recompute rebuilds only from there.

CREATE TABLE history_changes (
    id INTEGER PRIMARY KEY,
    earliest_us INTEGER NOT NULL,
    cause TEXT NOT NULL CHECK (cause <> ''),   -- 'trades import #3', 'void #2', 'book setting #5'
    recorded_at_us INTEGER NOT NULL
) STRICT;

CREATE TRIGGER history_changes_refuse_update BEFORE UPDATE ON history_changes
BEGIN SELECT RAISE(ABORT, 'history changes are append-only: UPDATE is refused'); END;
CREATE TRIGGER history_changes_refuse_delete BEFORE DELETE ON history_changes
BEGIN SELECT RAISE(ABORT, 'history changes are append-only: DELETE is refused'); END;

CREATE TABLE recompute_runs (
    id INTEGER PRIMARY KEY,
    started_at_us INTEGER NOT NULL,
    finished_at_us INTEGER NOT NULL,
    from_us INTEGER,                       -- NULL: a full recompute, from the first event
    through_us INTEGER,                    -- the last event time it saw; NULL when there was none
    rows_written INTEGER NOT NULL CHECK (rows_written >= 0),
    inputs_sha256 TEXT NOT NULL CHECK (length(inputs_sha256) = 64),
    outputs_sha256 TEXT NOT NULL CHECK (length(outputs_sha256) = 64),
    code_version TEXT NOT NULL,
    -- The last history change the run took in: changes after it are what history is behind by.
    changes_through INTEGER NOT NULL CHECK (changes_through >= 0)
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
