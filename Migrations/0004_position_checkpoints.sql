-- hedgeledger schema, version 4: positions as of any time without replaying the ledger.
--
-- A position is path-dependent (average cost), so "as of T" means applying its fills in
-- order. Two derived structures bound that work:
-- - fills_by_position: one instrument's fills in time order, so a replay reads only them (the
--   book is checked on the row: integer keys make the index a third cheaper to build, and a
--   ledger has few books);
-- - position_checkpoints: each position's state after every 64th of its fills, so a replay
--   starts at the last checkpoint at or before T and applies at most 63 fills.
-- A fill that arrives older than ones applied, or a void, rewrites the checkpoints after it.
-- A bulk import drops the index and builds it once at its end, in the same transaction.
-- Checkpoints are derived, not records: rebuilt from the fills, never trusted over them.

CREATE INDEX fills_by_position ON fills (instrument_id, time_us);

CREATE TABLE position_checkpoints (
    book TEXT NOT NULL,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    fill_count INTEGER NOT NULL CHECK (fill_count > 0),
    -- The last fill applied: its time and (venue, trade id).
    time_us INTEGER NOT NULL,
    last_venue TEXT NOT NULL,
    last_trade_id TEXT NOT NULL,
    first_fill_us INTEGER NOT NULL,
    quantity TEXT NOT NULL,
    cost_basis TEXT NOT NULL,
    realised_pnl TEXT NOT NULL,
    -- Fees by currency, canonical: 'BTC=0.0006;USDC=1.5', sorted by currency.
    fees TEXT NOT NULL,
    PRIMARY KEY (book, instrument_id, fill_count)
) STRICT, WITHOUT ROWID;
