-- hedgeledger schema, version 9: hedge policies, versioned per book and underlying.
--
-- A policy says when a book rebalances its delta and how: one band rule, the trade size rules
-- and how long a breach may stay unanswered. Like book settings, a version is in force from
-- effective_us until the next one of the same book and underlying (of two with the same
-- effective time, the later recorded), and versions are never edited.
-- NULL target_delta / hedge_instrument_id: the book settings' target and first hedge
-- instrument in force at the moment the policy is applied.
-- Amounts are exact TEXT: band width in coin (fixed, and schedule's optional band), a fraction
-- of the gross options delta (relative), the proportional cost λ (a fraction of notional) and
-- the risk aversion γ (per USD) of the Whalley-Wilmott band; min_trade and lot in the hedge
-- instrument's amount unit.

CREATE TABLE hedge_policies (
    id INTEGER PRIMARY KEY,
    book TEXT NOT NULL CHECK (book <> ''),
    underlying TEXT NOT NULL CHECK (underlying <> ''),
    effective_us INTEGER NOT NULL,
    target_delta TEXT,
    hedge_instrument_id INTEGER REFERENCES instruments(id),
    band TEXT NOT NULL CHECK (band IN ('fixed', 'relative', 'schedule', 'whalley-wilmott')),
    band_width TEXT,
    interval_s INTEGER CHECK (interval_s > 0),
    cost TEXT,
    risk_aversion TEXT,
    min_trade TEXT NOT NULL,
    lot TEXT,
    max_reaction_s INTEGER NOT NULL CHECK (max_reaction_s > 0),
    hedge_to TEXT NOT NULL CHECK (hedge_to IN ('target', 'band-edge')),
    recorded_at_us INTEGER NOT NULL,
    recorded_by TEXT NOT NULL CHECK (recorded_by <> ''),
    CHECK (band <> 'fixed' OR (band_width IS NOT NULL AND interval_s IS NULL AND cost IS NULL AND risk_aversion IS NULL)),
    CHECK (band <> 'relative' OR (band_width IS NOT NULL AND interval_s IS NULL AND cost IS NULL AND risk_aversion IS NULL)),
    CHECK (band <> 'schedule' OR (interval_s IS NOT NULL AND cost IS NULL AND risk_aversion IS NULL)),
    CHECK (band <> 'whalley-wilmott' OR (cost IS NOT NULL AND risk_aversion IS NOT NULL AND band_width IS NULL AND interval_s IS NULL))
) STRICT;

CREATE INDEX hedge_policies_in_force ON hedge_policies (book, underlying, effective_us);

CREATE TRIGGER hedge_policies_refuse_update BEFORE UPDATE ON hedge_policies
BEGIN SELECT RAISE(ABORT, 'hedge policies are append-only: UPDATE is refused'); END;
CREATE TRIGGER hedge_policies_refuse_delete BEFORE DELETE ON hedge_policies
BEGIN SELECT RAISE(ABORT, 'hedge policies are append-only: DELETE is refused'); END;
