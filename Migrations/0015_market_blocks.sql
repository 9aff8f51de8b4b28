-- hedgeledger schema, version 15: snapshot imports keep the digest of every row they added, as
-- trade imports do of their fills (version 12). A snapshot import's rows are digested as they
-- are written, per stream (`mark:SYMBOL`, `index:NAME`, `settlement:NAME`) in time order, in
-- blocks of 256; the blocks are part of the import's record in the journal chain, so `verify`
-- names a mark or price changed, added or removed afterwards. Imports made before this version
-- have no blocks and are covered by their record only.
CREATE TABLE market_blocks (
    import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    stream TEXT NOT NULL CHECK (stream <> ''),
    block INTEGER NOT NULL CHECK (block >= 0),
    rows INTEGER NOT NULL CHECK (rows > 0),
    first_us INTEGER NOT NULL,
    last_us INTEGER NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    PRIMARY KEY (import_id, stream, block)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER market_blocks_refuse_update BEFORE UPDATE ON market_blocks
BEGIN SELECT RAISE(ABORT, 'market blocks are append-only: UPDATE is refused'); END;
CREATE TRIGGER market_blocks_refuse_delete BEFORE DELETE ON market_blocks
BEGIN SELECT RAISE(ABORT, 'market blocks are append-only: DELETE is refused'); END;
