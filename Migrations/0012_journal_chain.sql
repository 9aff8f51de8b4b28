-- hedgeledger schema, version 12: the tamper-evident chain over every record.
--
-- Each import (with its fills), void, book setting, hedge policy, hedge decision and link gets
-- one entry when it is written, in order: the SHA-256 of the record's canonical bytes
-- (docs/journal.md) and hash = SHA-256(previous hash ‖ kind ‖ record id ‖ record hash). Changing,
-- removing or adding any record afterwards breaks the chain from that record on; `verify`
-- recomputes it. The last entry's hash is the head a desk writes in its daily sign-off.
-- fill_blocks keeps the digest of every 256 fills of an import, so `verify` can say which
-- fills changed, not only which import.

CREATE TABLE journal_chain (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('import', 'void', 'book-setting', 'policy', 'decision', 'link')),
    record_id INTEGER NOT NULL,
    record_sha256 TEXT NOT NULL CHECK (length(record_sha256) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    UNIQUE (kind, record_id)
) STRICT;

CREATE TABLE fill_blocks (
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    first_fill_id INTEGER NOT NULL,
    last_fill_id INTEGER NOT NULL CHECK (last_fill_id >= first_fill_id),
    fills INTEGER NOT NULL CHECK (fills > 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    PRIMARY KEY (import_id, first_fill_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER journal_chain_refuse_update BEFORE UPDATE ON journal_chain
BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only: UPDATE is refused'); END;
CREATE TRIGGER journal_chain_refuse_delete BEFORE DELETE ON journal_chain
BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only: DELETE is refused'); END;
CREATE TRIGGER fill_blocks_refuse_update BEFORE UPDATE ON fill_blocks
BEGIN SELECT RAISE(ABORT, 'fill blocks are append-only: UPDATE is refused'); END;
CREATE TRIGGER fill_blocks_refuse_delete BEFORE DELETE ON fill_blocks
BEGIN SELECT RAISE(ABORT, 'fill blocks are append-only: DELETE is refused'); END;
