import Testing
@testable import HedgeLedger

@Suite("Black-76 (the conventions of domain.md)")
struct PricingTests {
    @Test("py_vollib golden values: F=49 K=50 r=0.05 T=0.3846 σ=0.2")
    func golden() {
        let call = Black76.greeks(.init(forward: 49, strike: 50, yearsToExpiry: 0.3846, volatility: 0.2, rate: 0.05, right: .call))
        let put = Black76.greeks(.init(forward: 49, strike: 50, yearsToExpiry: 0.3846, volatility: 0.2, rate: 0.05, right: .put))
        #expect(abs(call.delta - 0.45107017482201828) < 1e-12)
        #expect(abs(put.delta - -0.5298835421176763) < 1e-12)
        #expect(abs(call.gamma - 0.0640646705882) < 1e-11)
        #expect(abs(call.vega - 0.118317785624) < 1e-11)
        #expect(abs(call.theta - -0.00816236877462) < 1e-12)
        #expect(abs(put.theta - -0.00802799155312) < 1e-12)
    }

    @Test("at and after expiry: intrinsic value, no NaN")
    func expiry() {
        let greeks = Black76.greeks(.init(forward: 110, strike: 100, yearsToExpiry: 0, volatility: 0.5, right: .call))
        #expect(greeks.value == 10 && greeks.delta == 0 && !greeks.gamma.isNaN)
    }
}
