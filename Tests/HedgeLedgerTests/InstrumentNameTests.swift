import Testing
@testable import HedgeLedger

@Suite("Instrument names")
struct InstrumentNameTests {
    func parse(_ name: String) -> Instrument? {
        guard case .success(let instrument) = InstrumentName.parse(name) else { return nil }
        return instrument
    }

    @Test("inverse perpetual: amount in USD, settles in coin")
    func inversePerpetual() throws {
        let perp = try #require(parse("BTC-PERPETUAL"))
        #expect(perp.kind == .perpetual && perp.isInverse && perp.underlying == "BTC")
        #expect(perp.settlementCurrency == "BTC" && perp.amountUnit == "USD" && perp.contractSize == ExactDecimal(10))
        #expect(try #require(parse("ETH-PERPETUAL")).contractSize == ExactDecimal(1))
    }

    @Test("linear perpetual and spot: amount in coin, settle in USDC")
    func linear() throws {
        let perp = try #require(parse("BTC_USDC-PERPETUAL"))
        #expect(!perp.isInverse && perp.settlementCurrency == "USDC" && perp.amountUnit == "BTC" && perp.contractSize == nil)
        let spot = try #require(parse("BTC_USDC"))
        #expect(spot.kind == .spot && spot.quoteCurrency == "USDC")
    }

    @Test("futures expire at 08:00 UTC, with or without a leading zero in the day")
    func futures() throws {
        #expect(try #require(parse("BTC-27DEC26")).expiry == time("2026-12-27T08:00:00Z"))
        #expect(try #require(parse("BTC-5AUG26")).expiry == time("2026-08-05T08:00:00Z"))
    }

    @Test("options: strike, right, expiry, multiplier")
    func options() throws {
        let call = try #require(parse("BTC-27DEC26-100000-C"))
        #expect(call.kind == .option && call.right == .call && call.strike == ExactDecimal(100_000) && call.isInverse)
        #expect(call.quoteCurrency == "BTC" && call.multiplier == .one && call.expiry == time("2026-12-27T08:00:00Z"))
        let sol = try #require(parse("SOL_USDC-27DEC26-200-C"))
        #expect(!sol.isInverse && sol.settlementCurrency == "USDC" && sol.multiplier == ExactDecimal(10))
        let xrp = try #require(parse("XRP_USDC-27DEC26-0d625-P"))
        #expect(xrp.strike == decimal("0.625") && xrp.right == .put && xrp.multiplier == ExactDecimal(1000))
    }

    @Test("refuses what is not an instrument, saying why",
          arguments: ["", "BTC", "BTC-", "BTC-31FEB26", "BTC-27XYZ26", "BTC-27DEC26-100000", "BTC-27DEC26-abc-C",
                      "BTC-27DEC26-100000-X", "btc-perpetual", "SOL-PERPETUAL", "BTC-27DEC26--100000-C", "B-PERPETUAL",
                      "BTC-27DEC26-0-C"])
    func refuses(name: String) {
        guard case .failure(let problem) = InstrumentName.parse(name) else { Issue.record("'\(name)' was accepted"); return }
        #expect(!problem.reason.isEmpty)
    }
}
