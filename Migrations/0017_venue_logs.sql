-- hedgeledger schema, version 17: venue transaction logs, cash balances, position assertions.
--
-- venue_log_entries keeps every row of a venue's transaction log (the Deribit export), none
-- dropped: trades and position moves point at the fill they became; settlements, deliveries,
-- deposits, withdrawals, transfers, fees and the rest are kept with their columns. Amounts are
-- exact TEXT as everywhere. The natural key is the venue's own (account, currency, ID), so an
-- overlapping re-download adds nothing; a void of the import takes its rows out of every figure,
-- and the corrected file's rows are then the next revision, as fills are. A currency's cash balance is the sum of `change` over
-- its rows, from the opening balance of the first row imported (balance - change).
-- venue_log_blocks digests every 256 entries of an import for the journal chain, like fill_blocks.
-- venue_log_mismatches keeps what the built-in checks found in a file imported with --no-check.
-- position_assertions are checkpoints a desk records (`assert position`): append-only, chained,
-- checked by every verify and end-of-day report. The chain learns the kind 'assertion', and
-- SQLite cannot change a CHECK in place, so journal_chain is rebuilt with its rows.

CREATE TABLE venue_log_entries (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL CHECK (venue <> ''),
    account TEXT NOT NULL CHECK (account <> ''),
    currency TEXT NOT NULL CHECK (currency <> ''),
    entry_id TEXT NOT NULL CHECK (entry_id <> ''),
    -- 0 for the first row with this key; n for the one imported after n voids of its imports.
    revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),
    user_seq INTEGER NOT NULL,
    time_us INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type <> ''),
    instrument TEXT,
    side TEXT,
    amount TEXT,
    position TEXT,
    price TEXT,
    mark_price TEXT,
    index_price TEXT,
    cash_flow TEXT NOT NULL,
    funding TEXT,
    fee_rate TEXT,
    fee_charged TEXT NOT NULL,
    fee_balance TEXT,
    change TEXT NOT NULL,
    balance TEXT NOT NULL,
    equity TEXT,
    trade_id TEXT,
    order_id TEXT,
    info TEXT,
    note TEXT,
    book TEXT NOT NULL CHECK (book <> ''),
    fill_id INTEGER REFERENCES fills(id),
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    source_line INTEGER NOT NULL,
    UNIQUE (venue, account, currency, entry_id, revision)
) STRICT;

-- By UserSeq alone: where a file's running balance and positions continue from. An integer key
-- costs the import a fifth of what one prefixed by venue, account and currency did (BENCHMARKS.md).
CREATE INDEX venue_log_entries_by_seq ON venue_log_entries (user_seq);

CREATE TABLE venue_log_blocks (
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    first_entry_id INTEGER NOT NULL,
    last_entry_id INTEGER NOT NULL CHECK (last_entry_id >= first_entry_id),
    entries INTEGER NOT NULL CHECK (entries > 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    PRIMARY KEY (import_id, first_entry_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE venue_log_mismatches (
    entry_id INTEGER NOT NULL REFERENCES venue_log_entries(id),
    rule TEXT NOT NULL CHECK (rule IN ('position', 'change', 'balance')),
    venue_value TEXT NOT NULL,
    ledger_value TEXT NOT NULL,
    PRIMARY KEY (entry_id, rule)
) STRICT, WITHOUT ROWID;

CREATE TABLE position_assertions (
    id INTEGER PRIMARY KEY,
    book TEXT NOT NULL CHECK (book <> ''),
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    quantity TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    note TEXT,
    recorded_at_us INTEGER NOT NULL,
    recorded_by TEXT NOT NULL CHECK (recorded_by <> '')
) STRICT;

CREATE TRIGGER venue_log_entries_refuse_update BEFORE UPDATE ON venue_log_entries
BEGIN SELECT RAISE(ABORT, 'venue log entries are append-only: UPDATE is refused'); END;
CREATE TRIGGER venue_log_entries_refuse_delete BEFORE DELETE ON venue_log_entries
BEGIN SELECT RAISE(ABORT, 'venue log entries are append-only: DELETE is refused'); END;
CREATE TRIGGER venue_log_blocks_refuse_update BEFORE UPDATE ON venue_log_blocks
BEGIN SELECT RAISE(ABORT, 'venue log blocks are append-only: UPDATE is refused'); END;
CREATE TRIGGER venue_log_blocks_refuse_delete BEFORE DELETE ON venue_log_blocks
BEGIN SELECT RAISE(ABORT, 'venue log blocks are append-only: DELETE is refused'); END;
CREATE TRIGGER venue_log_mismatches_refuse_update BEFORE UPDATE ON venue_log_mismatches
BEGIN SELECT RAISE(ABORT, 'venue log mismatches are append-only: UPDATE is refused'); END;
CREATE TRIGGER venue_log_mismatches_refuse_delete BEFORE DELETE ON venue_log_mismatches
BEGIN SELECT RAISE(ABORT, 'venue log mismatches are append-only: DELETE is refused'); END;
CREATE TRIGGER position_assertions_refuse_update BEFORE UPDATE ON position_assertions
BEGIN SELECT RAISE(ABORT, 'position assertions are append-only: UPDATE is refused'); END;
CREATE TRIGGER position_assertions_refuse_delete BEFORE DELETE ON position_assertions
BEGIN SELECT RAISE(ABORT, 'position assertions are append-only: DELETE is refused'); END;

CREATE TABLE journal_chain_v17 (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('import', 'void', 'book-setting', 'policy', 'decision', 'link', 'assertion')),
    record_id INTEGER NOT NULL,
    record_sha256 TEXT NOT NULL CHECK (length(record_sha256) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    UNIQUE (kind, record_id)
) STRICT;
INSERT INTO journal_chain_v17 (seq, kind, record_id, record_sha256, hash)
    SELECT seq, kind, record_id, record_sha256, hash FROM journal_chain;
DROP TABLE journal_chain;
ALTER TABLE journal_chain_v17 RENAME TO journal_chain;
CREATE TRIGGER journal_chain_refuse_update BEFORE UPDATE ON journal_chain
BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only: UPDATE is refused'); END;
CREATE TRIGGER journal_chain_refuse_delete BEFORE DELETE ON journal_chain
BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only: DELETE is refused'); END;
