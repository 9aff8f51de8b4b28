-- hedgeledger schema, version 3: corrections without edits.
--
-- A void is a new record that takes fills out of every derived figure while they stay in the
-- ledger, visible. Voids are append-only like fills. A corrected file may be imported after
-- its fills were voided: the same (venue, trade_id) then gets a new revision, so fills gain a
-- `revision` column and the key becomes (venue, trade_id, revision). SQLite cannot change a
-- table's constraints in place, so fills are copied into a new table with the same rows.

CREATE TABLE fills_v3 (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL CHECK (venue <> ''),
    trade_id TEXT NOT NULL CHECK (trade_id <> ''),
    -- 0 for the first fill with this (venue, trade_id); n for the one imported after n voids.
    revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),
    time_us INTEGER NOT NULL,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    book TEXT NOT NULL CHECK (book <> ''),
    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
    quantity TEXT NOT NULL,
    price TEXT NOT NULL,
    fee TEXT NOT NULL,
    fee_currency TEXT NOT NULL,
    order_id TEXT,
    hedge_decision TEXT,
    note TEXT,
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    source_line INTEGER NOT NULL,
    UNIQUE (venue, trade_id, revision)
) STRICT;

INSERT INTO fills_v3 (id, venue, trade_id, revision, time_us, instrument_id, book, side, quantity, price, fee,
                      fee_currency, order_id, hedge_decision, note, import_id, source_line)
SELECT id, venue, trade_id, 0, time_us, instrument_id, book, side, quantity, price, fee,
       fee_currency, order_id, hedge_decision, note, import_id, source_line
FROM fills;

-- Dropping a table fires none of its triggers and drops them with it.
DROP TABLE fills;
ALTER TABLE fills_v3 RENAME TO fills;

CREATE TRIGGER fills_refuse_update BEFORE UPDATE ON fills
BEGIN SELECT RAISE(ABORT, 'fills are append-only: UPDATE is refused'); END;
CREATE TRIGGER fills_refuse_delete BEFORE DELETE ON fills
BEGIN SELECT RAISE(ABORT, 'fills are append-only: DELETE is refused'); END;

-- One row per void: of a whole import, or of one fill; who, when and why.
CREATE TABLE voids (
    id INTEGER PRIMARY KEY,
    import_id INTEGER REFERENCES imports(id),
    fill_id INTEGER REFERENCES fills(id),
    reason TEXT NOT NULL CHECK (reason <> ''),
    voided_by TEXT NOT NULL CHECK (voided_by <> ''),
    voided_at_us INTEGER NOT NULL,
    CHECK ((import_id IS NULL) <> (fill_id IS NULL))
) STRICT;

-- Every fill a void took out, with the void that did: what position rebuilds leave out.
CREATE TABLE voided_fills (
    fill_id INTEGER PRIMARY KEY REFERENCES fills(id),
    void_id INTEGER NOT NULL REFERENCES voids(id)
) STRICT;

CREATE TRIGGER voids_refuse_update BEFORE UPDATE ON voids
BEGIN SELECT RAISE(ABORT, 'voids are append-only: UPDATE is refused'); END;
CREATE TRIGGER voids_refuse_delete BEFORE DELETE ON voids
BEGIN SELECT RAISE(ABORT, 'voids are append-only: DELETE is refused'); END;
CREATE TRIGGER voided_fills_refuse_update BEFORE UPDATE ON voided_fills
BEGIN SELECT RAISE(ABORT, 'voided fills are append-only: UPDATE is refused'); END;
CREATE TRIGGER voided_fills_refuse_delete BEFORE DELETE ON voided_fills
BEGIN SELECT RAISE(ABORT, 'voided fills are append-only: DELETE is refused'); END;
