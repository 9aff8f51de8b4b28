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

    /// A field `differences` named, as this fill has it ("empty" for none).
    public func value(of field: String) -> String {
        switch field {
        case "timestamp", "timestamp (to the second)": time.iso8601
        case "instrument": instrument
        case "book": book
        case "side": side.rawValue
        case "quantity": quantity.description
        case "price": price.description
        case "fee": "\(fee) \(feeCurrency)"
        case "fee_currency": feeCurrency
        case "order_id": orderID ?? "empty"
        case "hedge_decision": hedgeDecision ?? "empty"
        case "note": note ?? "empty"
        default: "?"
        }
    }
}

/// The order fills apply in: time, then venue, then trade id. Trade ids that are whole
/// numbers compare as numbers (`9` before `10`), as venues number their trades; they come
/// before other ids, which compare byte by byte. `FillRepository.orderBy` is the same order
/// in SQL, and the two must agree.
public struct FillOrderKey: Sendable, Hashable, Comparable {
    public var time: Timestamp
    public var venue: String
    public var tradeID: String

    public init(time: Timestamp, venue: String, tradeID: String) {
        self.time = time; self.venue = venue; self.tradeID = tradeID
    }

    public static func < (a: FillOrderKey, b: FillOrderKey) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.venue != b.venue { return a.venue.utf8.lexicographicallyPrecedes(b.venue.utf8) }
        return tradeIDPrecedes(a.tradeID, b.tradeID)
    }

    static func tradeIDPrecedes(_ a: String, _ b: String) -> Bool {
        let aNumeric = isWholeNumber(a), bNumeric = isWholeNumber(b)
        if aNumeric != bNumeric { return aNumeric }
        if aNumeric {
            let aDigits = a.utf8.drop { $0 == UInt8(ascii: "0") }, bDigits = b.utf8.drop { $0 == UInt8(ascii: "0") }
            if aDigits.count != bDigits.count { return aDigits.count < bDigits.count }
            if !aDigits.elementsEqual(bDigits) { return aDigits.lexicographicallyPrecedes(bDigits) }
        }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func isWholeNumber(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
