-- hedgeledger schema, version 18: withdrawing a position assertion recorded by mistake.
--
-- An assertion is never changed or deleted; a withdrawal is a second record, with its reason,
-- that takes it out of the checks of `verify` and the end-of-day report from then on. Both stay
-- in the journal chain, which learns the kind 'assertion-withdrawal'.

CREATE TABLE position_assertion_withdrawals (
    id INTEGER PRIMARY KEY,
    assertion_id INTEGER NOT NULL UNIQUE REFERENCES position_assertions(id),
    reason TEXT NOT NULL CHECK (reason <> ''),
    recorded_at_us INTEGER NOT NULL,
    recorded_by TEXT NOT NULL CHECK (recorded_by <> '')
) STRICT;

CREATE TRIGGER position_assertion_withdrawals_refuse_update BEFORE UPDATE ON position_assertion_withdrawals
BEGIN SELECT RAISE(ABORT, 'assertion withdrawals are append-only: UPDATE is refused'); END;
CREATE TRIGGER position_assertion_withdrawals_refuse_delete BEFORE DELETE ON position_assertion_withdrawals
BEGIN SELECT RAISE(ABORT, 'assertion withdrawals are append-only: DELETE is refused'); END;

CREATE TABLE journal_chain_v18 (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('import', 'void', 'book-setting', 'policy', 'decision', 'link', 'assertion',
                                       'assertion-withdrawal')),
    record_id INTEGER NOT NULL,
    record_sha256 TEXT NOT NULL CHECK (length(record_sha256) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    UNIQUE (kind, record_id)
) STRICT;
INSERT INTO journal_chain_v18 (seq, kind, record_id, record_sha256, hash)
    SELECT seq, kind, record_id, record_sha256, hash FROM journal_chain;
DROP TABLE journal_chain;
ALTER TABLE journal_chain_v18 RENAME TO journal_chain;
CREATE TRIGGER journal_chain_refuse_update BEFORE UPDATE ON journal_chain
BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only: UPDATE is refused'); END;
CREATE TRIGGER journal_chain_refuse_delete BEFORE DELETE ON journal_chain
BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only: DELETE is refused'); END;
