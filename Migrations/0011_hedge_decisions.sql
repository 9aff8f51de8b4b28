-- hedgeledger schema, version 11: the hedge journal's decisions and their links to fills.
--
-- A decision records what a trader, a bot or `hedge plan` decided for a book and underlying at
-- a moment, under the policy version in force, with the inputs it saw (net delta, gamma, band
-- edges, price, the oldest mark's age, the exposure row used). Decisions and links are records:
-- append-only, never edited. Doubles are REAL, amounts exact TEXT, times integer µs.

CREATE TABLE hedge_decisions (
    id INTEGER PRIMARY KEY,
    decision_key TEXT NOT NULL UNIQUE CHECK (decision_key <> ''),
    time_us INTEGER NOT NULL,
    book TEXT NOT NULL CHECK (book <> ''),
    underlying TEXT NOT NULL CHECK (underlying <> ''),
    policy_id INTEGER REFERENCES hedge_policies(id),
    action TEXT NOT NULL CHECK (action IN ('rebalance', 'hold', 'skip')),
    reason TEXT,
    instrument_id INTEGER REFERENCES instruments(id),
    quantity TEXT,
    reference_price TEXT,
    net_delta REAL,
    gamma REAL,
    band_low REAL,
    band_high REAL,
    underlying_price REAL,
    oldest_mark_age_s REAL,
    exposure_time_us INTEGER,
    decided_by TEXT NOT NULL CHECK (decided_by <> ''),
    rationale TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('record', 'plan', 'import')),
    import_id INTEGER REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    source_line INTEGER,
    recorded_at_us INTEGER NOT NULL,
    CHECK (action <> 'rebalance' OR (instrument_id IS NOT NULL AND quantity IS NOT NULL)),
    CHECK (action <> 'skip' OR reason IS NOT NULL)
) STRICT;

CREATE INDEX hedge_decisions_by_pair ON hedge_decisions (book, underlying, time_us);

CREATE TRIGGER hedge_decisions_refuse_update BEFORE UPDATE ON hedge_decisions
BEGIN SELECT RAISE(ABORT, 'hedge decisions are append-only: UPDATE is refused'); END;
CREATE TRIGGER hedge_decisions_refuse_delete BEFORE DELETE ON hedge_decisions
BEGIN SELECT RAISE(ABORT, 'hedge decisions are append-only: DELETE is refused'); END;

-- Fills linked to a decision after their import (`hedge link`): one decision per fill. A fill
-- that names its decision in its file's hedge_decision column needs no link.
CREATE TABLE hedge_links (
    id INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES hedge_decisions(id),
    fill_id INTEGER NOT NULL UNIQUE REFERENCES fills(id),
    source TEXT NOT NULL CHECK (source IN ('import', 'link')),
    recorded_at_us INTEGER NOT NULL,
    recorded_by TEXT NOT NULL CHECK (recorded_by <> '')
) STRICT;

CREATE INDEX hedge_links_by_decision ON hedge_links (decision_id);

CREATE TRIGGER hedge_links_refuse_update BEFORE UPDATE ON hedge_links
BEGIN SELECT RAISE(ABORT, 'hedge links are append-only: UPDATE is refused'); END;
CREATE TRIGGER hedge_links_refuse_delete BEFORE DELETE ON hedge_links
BEGIN SELECT RAISE(ABORT, 'hedge links are append-only: DELETE is refused'); END;

-- Fills name the decision they execute in their file's hedge_decision column; few do, so a
-- partial index finds them without costing the imports of the others anything.
CREATE INDEX fills_by_hedge_decision ON fills (hedge_decision) WHERE hedge_decision IS NOT NULL;
