import Testing
@testable import HedgeLedger

@Suite("Positions: average cost")
struct PositionTests {
    var number = 0

    mutating func fill(_ instrument: Instrument, _ side: Fill.Side, _ quantity: String, _ price: String,
                       fee: String = "0", at clock: String = "2026-11-20T10:00:00Z") -> Fill {
        number += 1
        return Fill(venue: "test", tradeID: "T\(1000 + number)", time: time(clock), instrument: instrument.symbol,
                    book: "main", side: side, quantity: decimal(quantity), price: decimal(price), fee: decimal(fee),
                    feeCurrency: instrument.settlementCurrency)
    }

    func instrument(_ name: String) -> Instrument {
        guard case .success(let instrument) = InstrumentName.parse(name) else { fatalError(name) }
        return instrument
    }

    @Test("adding averages the entry; reducing realises against it")
    mutating func linearLong() throws {
        let option = instrument("BTC-27DEC26-100000-C")
        var position = Position(book: "main", instrument: option)
        try position.apply(fill(option, .buy, "1", "0.05", fee: "0.0003"))
        try position.apply(fill(option, .buy, "3", "0.07", fee: "0.0009"))
        #expect(position.quantity == ExactDecimal(4))
        #expect(position.averageEntryPrice == decimal("0.065"))
        try position.apply(fill(option, .sell, "1", "0.08", fee: "0.0003"))
        #expect(position.quantity == ExactDecimal(3))
        #expect(position.realisedPnL == decimal("0.015"))  // 1 × (0.08 − 0.065), in BTC
        #expect(position.averageEntryPrice == decimal("0.065"))
        #expect(position.fees == ["BTC": decimal("0.0015")])
    }

    @Test("a short covers with the sign of a short")
    mutating func linearShort() throws {
        let perp = instrument("BTC_USDC-PERPETUAL")
        var position = Position(book: "main", instrument: perp)
        try position.apply(fill(perp, .sell, "2", "100000"))
        try position.apply(fill(perp, .buy, "0.5", "90000"))
        #expect(position.quantity == decimal("-1.5"))
        #expect(position.realisedPnL == ExactDecimal(5000))  // 0.5 × (100000 − 90000) USDC
        #expect(position.averageEntryPrice == ExactDecimal(100_000))
    }

    @Test("crossing zero closes all and opens the rest at the fill price")
    mutating func flip() throws {
        let perp = instrument("BTC_USDC-PERPETUAL")
        var position = Position(book: "main", instrument: perp)
        try position.apply(fill(perp, .buy, "1", "100"))
        try position.apply(fill(perp, .sell, "3", "110"))
        #expect(position.quantity == ExactDecimal(-2))
        #expect(position.realisedPnL == ExactDecimal(10))
        #expect(position.averageEntryPrice == ExactDecimal(110))
        try position.apply(fill(perp, .buy, "2", "100"))
        #expect(position.quantity.isZero && position.averageEntryPrice == nil)
        #expect(position.realisedPnL == ExactDecimal(30))
        #expect(position.status(at: testNow) == .flat)
    }

    @Test("inverse perpetual: P&L in coin = amount × (1/entry − 1/exit); harmonic average entry")
    mutating func inverse() throws {
        let perp = instrument("BTC-PERPETUAL")
        var position = Position(book: "main", instrument: perp)
        try position.apply(fill(perp, .buy, "10000", "50000"))
        try position.apply(fill(perp, .buy, "10000", "40000"))
        // Coin cost 0.2 + 0.25 = 0.45 for 20000 USD: average 20000 / 0.45 = 44444.4…, to the 11 places
        // a cost rounded at the 18th place twice a fill determines.
        #expect(position.averageEntryPrice == decimal("44444.44444444444"))
        try position.apply(fill(perp, .sell, "20000", "60000"))
        // 20000 × (0.45/20000 − 1/60000) = 0.45 − 0.333… BTC
        #expect(try position.realisedPnL == decimal("0.45") - ExactDecimal(20_000) / ExactDecimal(60_000))
        #expect(position.quantity.isZero)
    }

    @Test("inverse average entry: one fill's price exactly, not the cost's rounding (100 USD at 95100 costs 0.001051524710830704 BTC)")
    mutating func inverseAverageIsThePrice() throws {
        let perp = instrument("BTC-PERPETUAL")
        var position = Position(book: "main", instrument: perp)
        try position.apply(fill(perp, .buy, "100", "95100"))
        #expect(try position.quantity / position.costBasis != ExactDecimal(95_100))  // what the cost alone gives
        #expect(position.averageEntryPrice == ExactDecimal(95_100))
        // Crossing zero opens the rest at the fill's price; adding at that price keeps it.
        try position.apply(fill(perp, .sell, "200", "95000"))
        #expect(position.averageEntryPrice == ExactDecimal(95_000))
        try position.apply(fill(perp, .sell, "30", "95000"))
        #expect(position.quantity == ExactDecimal(-130) && position.averageEntryPrice == ExactDecimal(95_000))
        // Two prices: the harmonic mean, 200 / (100/95000 + 100/95100) = 95049.9737…, still to many places.
        var mixed = Position(book: "main", instrument: perp)
        try mixed.apply(fill(perp, .buy, "100", "95000"))
        try mixed.apply(fill(perp, .buy, "100", "95100"))
        #expect(mixed.averageEntryPrice == decimal("95049.97369805"))
    }

    @Test("inverse short profits when the price falls")
    mutating func inverseShort() throws {
        let perp = instrument("ETH-PERPETUAL")
        var position = Position(book: "main", instrument: perp)
        try position.apply(fill(perp, .sell, "3000", "3000"))
        try position.apply(fill(perp, .buy, "3000", "2500"))
        #expect(try position.realisedPnL == ExactDecimal(3000) / ExactDecimal(2500) - ExactDecimal(1))  // 0.2 ETH
        #expect(position.realisedPnL == decimal("0.2"))
    }

    @Test("linear options use their multiplier")
    mutating func multiplier() throws {
        let sol = instrument("SOL_USDC-27DEC26-200-C")
        var position = Position(book: "main", instrument: sol)
        try position.apply(fill(sol, .buy, "2", "5"))
        try position.apply(fill(sol, .sell, "2", "7"))
        #expect(position.realisedPnL == ExactDecimal(40))  // 2 × (7 − 5) × 10 SOL per contract
    }

    @Test("an option with quantity left after expiry is expired, not open")
    mutating func expiry() throws {
        let option = instrument("BTC-27DEC26-100000-C")
        var position = Position(book: "main", instrument: option)
        try position.apply(fill(option, .buy, "1", "0.05"))
        #expect(position.status(at: time("2026-12-27T07:59:59Z")) == .open)
        #expect(position.status(at: time("2026-12-27T08:00:00Z")) == .expired)
    }
}
