-- hedgeledger schema, version 6: each book's hedge settings per underlying, versioned.
--
-- A setting is in force from its `effective_us` until the next one of the same book and
-- underlying; a change is a new row, never an edit, so the settings at any past moment stay
-- on record (the recompute reads them as of each exposure row's time). Of two rows with the
-- same effective time the later recorded (higher id) is in force.
-- NULL means the documented default: hedged delta `net` for coin-settled options and `plain`
-- for the others; hedge instruments the book's non-option instruments of the underlying.

CREATE TABLE book_settings (
    id INTEGER PRIMARY KEY,
    book TEXT NOT NULL CHECK (book <> ''),
    underlying TEXT NOT NULL CHECK (underlying <> ''),
    effective_us INTEGER NOT NULL,
    hedged_delta TEXT CHECK (hedged_delta IN ('net', 'plain')),
    target_delta TEXT NOT NULL,            -- coin of the underlying, exact
    uses_default_hedges INTEGER NOT NULL CHECK (uses_default_hedges IN (0, 1)),
    recorded_at_us INTEGER NOT NULL,
    recorded_by TEXT NOT NULL CHECK (recorded_by <> '')
) STRICT;

CREATE INDEX book_settings_in_force ON book_settings (book, underlying, effective_us);

-- The hedge instruments a setting names, in order: the first is the one required_hedge is
-- expressed in.
CREATE TABLE book_setting_hedges (
    setting_id INTEGER NOT NULL REFERENCES book_settings(id),
    position INTEGER NOT NULL CHECK (position >= 0),
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    PRIMARY KEY (setting_id, position),
    UNIQUE (setting_id, instrument_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER book_settings_refuse_update BEFORE UPDATE ON book_settings
BEGIN SELECT RAISE(ABORT, 'book settings are append-only: UPDATE is refused'); END;
CREATE TRIGGER book_settings_refuse_delete BEFORE DELETE ON book_settings
BEGIN SELECT RAISE(ABORT, 'book settings are append-only: DELETE is refused'); END;
CREATE TRIGGER book_setting_hedges_refuse_update BEFORE UPDATE ON book_setting_hedges
BEGIN SELECT RAISE(ABORT, 'book settings are append-only: UPDATE is refused'); END;
CREATE TRIGGER book_setting_hedges_refuse_delete BEFORE DELETE ON book_setting_hedges
BEGIN SELECT RAISE(ABORT, 'book settings are append-only: DELETE is refused'); END;
