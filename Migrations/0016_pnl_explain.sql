-- hedgeledger schema, version 16: the P&L explain of every exposure row.
--
-- For the interval since the pair's previous row: the P&L (USD) of the positions held through
-- it, each revalued at the row's marks (options by Black-76 at their mark's volatility, futures
-- and perpetuals at their mark price), and what explains it from the previous row's greeks:
-- delta δ·ΔF, gamma ½Γ·ΔF², vega vega·Δσ (vol points), theta θ·Δt (days); the options' and the
-- hedges' actual P&L apart (for hedge effectiveness). NULL for a pair's first row, and where a
-- position held at the previous row cannot be valued at this one (it expired, or lost its mark).
-- Rows written before this version have NULL until a recompute; one is asked for here.

ALTER TABLE exposure_history ADD COLUMN pnl_actual_usd REAL;
ALTER TABLE exposure_history ADD COLUMN pnl_delta_usd REAL;
ALTER TABLE exposure_history ADD COLUMN pnl_gamma_usd REAL;
ALTER TABLE exposure_history ADD COLUMN pnl_vega_usd REAL;
ALTER TABLE exposure_history ADD COLUMN pnl_theta_usd REAL;
ALTER TABLE exposure_history ADD COLUMN pnl_options_usd REAL;
ALTER TABLE exposure_history ADD COLUMN pnl_hedges_usd REAL;

INSERT INTO history_changes (earliest_us, cause, recorded_at_us)
SELECT MIN(time_us), 'migration 16: P&L explain', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
FROM exposure_history HAVING COUNT(*) > 0;
