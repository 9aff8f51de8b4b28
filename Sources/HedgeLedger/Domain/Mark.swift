/// What the market said an instrument was worth at a moment.
public struct Mark: Sendable, Hashable {
    /// The venue's own greeks, kept as delivered to compare with ours.
    public struct VenueGreeks: Sendable, Hashable {
        public var delta: Double?
        public var gamma: Double?
        public var vega: Double?
        public var theta: Double?
        public var rho: Double?

        public init(delta: Double? = nil, gamma: Double? = nil, vega: Double? = nil, theta: Double? = nil, rho: Double? = nil) {
            self.delta = delta; self.gamma = gamma; self.vega = vega; self.theta = theta; self.rho = rho
        }

        public var isEmpty: Bool { delta == nil && gamma == nil && vega == nil && theta == nil && rho == nil }
    }

    public var instrument: String
    public var time: Timestamp
    /// In the instrument's quote currency: coin for inverse options, USD for inverse futures.
    public var markPrice: ExactDecimal
    /// The forward options are priced on, USD.
    public var underlyingPrice: ExactDecimal?
    public var indexPrice: ExactDecimal?
    /// Percent, as venues quote it.
    public var markIV: Double?
    public var bidIV: Double?
    public var askIV: Double?
    /// The best bid and ask, in the quote currency of `markPrice`, where the snapshot gives them.
    public var bidPrice: ExactDecimal?
    public var askPrice: ExactDecimal?
    /// A fraction; nil means 0.
    public var interestRate: Double?
    public var venueGreeks: VenueGreeks

    public init(instrument: String, time: Timestamp, markPrice: ExactDecimal, underlyingPrice: ExactDecimal? = nil,
                indexPrice: ExactDecimal? = nil, markIV: Double? = nil, bidIV: Double? = nil, askIV: Double? = nil,
                interestRate: Double? = nil, venueGreeks: VenueGreeks = .init(), bidPrice: ExactDecimal? = nil,
                askPrice: ExactDecimal? = nil) {
        self.instrument = instrument; self.time = time; self.markPrice = markPrice; self.underlyingPrice = underlyingPrice
        self.indexPrice = indexPrice; self.markIV = markIV; self.bidIV = bidIV; self.askIV = askIV
        self.interestRate = interestRate; self.venueGreeks = venueGreeks
        self.bidPrice = bidPrice; self.askPrice = askPrice
    }

    /// The fields that differ between two marks of the same instrument and moment, by name.
    public func differences(from other: Mark) -> [String] {
        var names: [String] = []
        if markPrice != other.markPrice { names.append("mark_price") }
        if underlyingPrice != other.underlyingPrice { names.append("underlying_price") }
        if indexPrice != other.indexPrice { names.append("index_price") }
        if markIV != other.markIV { names.append("mark_iv") }
        if bidIV != other.bidIV { names.append("bid_iv") }
        if askIV != other.askIV { names.append("ask_iv") }
        if bidPrice != other.bidPrice { names.append("bid_price") }
        if askPrice != other.askPrice { names.append("ask_price") }
        if interestRate != other.interestRate { names.append("interest_rate") }
        if venueGreeks != other.venueGreeks { names.append("venue greeks") }
        return names
    }
}

/// The price of an index (`btc_usd`) at a moment: an ordinary observation, or the price an
/// expiry settles at.
public struct IndexPrice: Sendable, Hashable {
    public enum Kind: String, Sendable { case observation, settlement }

    public var index: String
    public var time: Timestamp
    public var price: ExactDecimal
    public var kind: Kind

    public init(index: String, time: Timestamp, price: ExactDecimal, kind: Kind = .observation) {
        self.index = index; self.time = time; self.price = price; self.kind = kind
    }

    /// Deribit-style index names: lower-case `coin_quote`, each part 2 to 10 characters.
    /// Byte by byte: it runs for every snapshot row.
    public static func isIndexName(_ text: String) -> Bool {
        var partLength = 0, parts = 1
        for byte in text.utf8 {
            if byte == UInt8(ascii: "_") {
                guard (2...10).contains(partLength), parts == 1 else { return false }
                parts += 1
                partLength = 0
            } else if (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) {
                partLength += 1
            } else {
                return false
            }
        }
        return parts == 2 && (2...10).contains(partLength)
    }
}

extension Instrument {
    /// The index whose price values this instrument's underlying and settles it: `btc_usd`
    /// for inverse and USD instruments, `sol_usdc` for USDC-linear ones.
    public var indexName: String {
        underlying.lowercased() + "_" + (isInverse ? "usd" : quoteCurrency.lowercased())
    }
}
