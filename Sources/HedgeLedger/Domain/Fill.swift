/// One execution: the ledger's unit of fact. Fills are append-only once stored.
public struct Fill: Sendable, Hashable {
    public enum Side: String, Sendable, CaseIterable { case buy, sell }

    public var venue: String
    public var tradeID: String
    public var time: Timestamp
    public var instrument: String
    public var book: String
    public var side: Side
    /// Always positive, in the instrument's amount unit.
    public var quantity: ExactDecimal
    public var price: ExactDecimal
    public var fee: ExactDecimal
    public var feeCurrency: String
    public var orderID: String?
    public var hedgeDecision: String?
    public var note: String?

    public init(venue: String, tradeID: String, time: Timestamp, instrument: String, book: String, side: Side,
                quantity: ExactDecimal, price: ExactDecimal, fee: ExactDecimal, feeCurrency: String,
                orderID: String? = nil, hedgeDecision: String? = nil, note: String? = nil) {
        self.venue = venue; self.tradeID = tradeID; self.time = time; self.instrument = instrument; self.book = book
        self.side = side; self.quantity = quantity; self.price = price; self.fee = fee; self.feeCurrency = feeCurrency
        self.orderID = orderID; self.hedgeDecision = hedgeDecision; self.note = note
    }

    public var signedQuantity: ExactDecimal { side == .buy ? quantity : -quantity }

    /// The order positions apply fills in: time, then (venue, trade id) so that fills of the
    /// same microsecond land in the same order whatever order the files came in.
    public var orderKey: FillOrderKey { FillOrderKey(time: time, venue: venue, tradeID: tradeID) }

    /// The fields that differ between two fills sharing a (venue, trade id), by name.
    public func differences(from other: Fill) -> [String] {
        var names: [String] = []
        if time != other.time { names.append("timestamp") }
        if instrument != other.instrument { names.append("instrument") }
        if book != other.book { names.append("book") }
        if side != other.side { names.append("side") }
        if quantity != other.quantity { names.append("quantity") }
        if price != other.price { names.append("price") }
        if fee != other.fee { names.append("fee") }
        if feeCurrency != other.feeCurrency { names.append("fee_currency") }
        if orderID != other.orderID { names.append("order_id") }
        if hedgeDecision != other.hedgeDecision { names.append("hedge_decision") }
        if note != other.note { names.append("note") }
        return names
    }
}

public struct FillOrderKey: Sendable, Hashable, Comparable {
    public var time: Timestamp
    public var venue: String
    public var tradeID: String

    public static func < (a: FillOrderKey, b: FillOrderKey) -> Bool {
        (a.time, a.venue, a.tradeID) < (b.time, b.venue, b.tradeID)
    }
}
