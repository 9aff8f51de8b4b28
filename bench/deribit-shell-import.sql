-- The baseline of bench/import-deribit (and bench/experiments): the sqlite3 shell imports the
-- log into one STRICT table of its 24 columns, unique on ID, with hedgeledger's storage settings.
-- LOG_FILE is replaced by the path of the log.
PRAGMA page_size=16384;
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
CREATE TABLE log (id TEXT NOT NULL, user_seq TEXT, date TEXT, instrument TEXT, type TEXT, side TEXT, amount TEXT,
    base_amount TEXT, position TEXT, price TEXT, mark_price TEXT, index_price TEXT, cash_flow TEXT, funding TEXT,
    fee_rate TEXT, fee_charged TEXT, fee_balance TEXT, change TEXT, balance TEXT, equity TEXT, trade_id TEXT,
    order_id TEXT, info TEXT, note TEXT) STRICT;
CREATE UNIQUE INDEX log_by_id ON log (id);
BEGIN;
.import --csv --skip 1 LOG_FILE log
COMMIT;
