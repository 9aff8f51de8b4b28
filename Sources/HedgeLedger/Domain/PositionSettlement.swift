/// What one position settled at its instrument's expiry: the quantity it held, closed at the
/// settlement price, and the P&L that realised (in the settlement currency). `recompute`
/// derives and stores it once; `positions` and the reports read it.
public struct PositionSettlement: Sendable, Hashable {
    public var book: String
    public var instrument: String
    public var time: Timestamp
    /// Signed, as held just before expiry, in the instrument's amount unit.
    public var quantity: ExactDecimal
    public var price: ExactDecimal
    public var realisedPnL: ExactDecimal

    public init(book: String, instrument: String, time: Timestamp, quantity: ExactDecimal, price: ExactDecimal,
                realisedPnL: ExactDecimal) {
        self.book = book; self.instrument = instrument; self.time = time; self.quantity = quantity; self.price = price
        self.realisedPnL = realisedPnL
    }
}
