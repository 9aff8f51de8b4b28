/// One book's exposure to one underlying at one moment: what `recompute` derives and
/// `history` reads. Deltas are in coin of the underlying (domain.md); gamma in coin per USD,
/// vega in USD per vol point, theta in USD per day.
public struct ExposureRow: Sendable, Hashable {
    public var time: Timestamp
    public var book: String
    public var underlying: String
    /// Σ Black-76 delta of the option positions.
    public var optionsDelta: Double
    /// Σ premium-adjusted delta of the option positions (equal to the plain one for linear options).
    public var optionsNetDelta: Double
    /// Σ delta of the hedge instruments' positions.
    public var hedgeDelta: Double
    /// The options' delta of the hedged kind (per the book's settings) plus the delta of every
    /// non-option position.
    public var netDelta: Double
    public var gamma: Double
    public var vega: Double
    public var theta: Double
    /// The mark price of the hedge instrument `required_hedge` is in, else the USD index.
    public var underlyingPrice: Double?
    public var usdPerCoin: Double?
    public var netDeltaUSD: Double?
    /// −hedge delta ÷ the options' delta of the hedged kind; nil below `ExposureRow.ratioEpsilon`.
    public var hedgeRatio: Double?
    public var targetDelta: ExactDecimal
    /// The trade in `hedgeInstrument`'s amount unit that brings net delta to target.
    public var requiredHedge: Double?
    public var hedgeInstrument: String?
    /// The age of the oldest mark the row used.
    public var oldestMarkAgeSeconds: Double?
    /// Open positions in the underlying, and those that could not be priced (no mark, no
    /// volatility, expired without a settlement price): their greeks are not in the sums.
    public var positions: Int
    public var unpriced: Int
    /// Σ |delta| of the option positions, of the hedged kind: what a relative hedging band is a
    /// fraction of. nil in rows written before schema version 10, until a recompute.
    public var grossOptionsDelta: Double? = nil
    /// The P&L since the pair's previous row and what explains it; nil for a pair's first row,
    /// or when a position held then cannot be valued now (schema version 16).
    public var explain: PnLExplain? = nil

    /// P&L over one interval, USD (domain.md, "P&L attribution"): `actual` is the positions held
    /// through it revalued at the row's marks; the rest explain it from the earlier row's greeks.
    public struct PnLExplain: Sendable, Hashable {
        public var actual: Double
        public var delta: Double
        public var gamma: Double
        public var vega: Double
        public var theta: Double
        /// `actual` of the option positions and of the others (the hedges).
        public var options: Double
        public var hedges: Double

        public init(actual: Double = 0, delta: Double = 0, gamma: Double = 0, vega: Double = 0, theta: Double = 0,
                    options: Double = 0, hedges: Double = 0) {
            self.actual = actual; self.delta = delta; self.gamma = gamma; self.vega = vega; self.theta = theta
            self.options = options; self.hedges = hedges
        }

        /// What the greeks do not explain.
        public var residual: Double { actual - delta - gamma - vega - theta }
    }

    /// Below this many coins of options delta a hedge ratio means nothing.
    public static let ratioEpsilon = 1e-9

    /// How much of the options' delta the hedges offset, −hedge ÷ options: 1 fully hedged, 0
    /// unhedged (never −0); nil when the options' delta is below `ratioEpsilon`. The one rule
    /// `greeks` totals and the exposure history share.
    public static func hedgeRatio(hedgeDelta: Double, optionsDelta: Double) -> Double? {
        guard abs(optionsDelta) >= ratioEpsilon else { return nil }
        let ratio = -hedgeDelta / optionsDelta
        return ratio == 0 ? 0 : ratio
    }
}
