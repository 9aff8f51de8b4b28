-- hedgeledger schema, version 19: the premium check on a venue log's option trades.
--
-- A Deribit option trade's Cash Flow is its premium, Amount × Price, paid on a buy and received
-- on a sell: a fourth built-in check, and with --no-check a fourth kind of recorded mismatch.
-- SQLite cannot change a CHECK in place, so venue_log_mismatches is rebuilt with its rows.

CREATE TABLE venue_log_mismatches_v19 (
    entry_id INTEGER NOT NULL REFERENCES venue_log_entries(id),
    rule TEXT NOT NULL CHECK (rule IN ('position', 'change', 'balance', 'premium')),
    venue_value TEXT NOT NULL,
    ledger_value TEXT NOT NULL,
    PRIMARY KEY (entry_id, rule)
) STRICT, WITHOUT ROWID;
INSERT INTO venue_log_mismatches_v19 (entry_id, rule, venue_value, ledger_value)
    SELECT entry_id, rule, venue_value, ledger_value FROM venue_log_mismatches;
DROP TABLE venue_log_mismatches;
ALTER TABLE venue_log_mismatches_v19 RENAME TO venue_log_mismatches;

CREATE TRIGGER venue_log_mismatches_refuse_update BEFORE UPDATE ON venue_log_mismatches
BEGIN SELECT RAISE(ABORT, 'venue log mismatches are append-only: UPDATE is refused'); END;
CREATE TRIGGER venue_log_mismatches_refuse_delete BEFORE DELETE ON venue_log_mismatches
BEGIN SELECT RAISE(ABORT, 'venue log mismatches are append-only: DELETE is refused'); END;
