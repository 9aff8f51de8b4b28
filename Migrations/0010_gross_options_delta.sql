-- hedgeledger schema, version 10: the gross options delta of every exposure row.
--
-- Σ |delta| of a pair's option positions (of the hedged kind, coin): what a relative hedging
-- band is a fraction of. Rows written before this version have NULL until a recompute rewrites
-- them, and one is asked for here: a history change from the first row on, so queries say the
-- history is behind and the next `recompute` rebuilds it all.

ALTER TABLE exposure_history ADD COLUMN gross_options_delta REAL;

INSERT INTO history_changes (earliest_us, cause, recorded_at_us)
SELECT MIN(time_us), 'migration 10: gross options delta', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
FROM exposure_history HAVING COUNT(*) > 0;
