import Testing
@testable import HedgeLedger
#if canImport(Glibc)
import Glibc
#endif

@Suite("Pricing: Black-76 in the conventions of domain.md")
struct PricingTests {
    func inputs(_ f: Double, _ k: Double, _ t: Double, _ sigma: Double, _ r: Double = 0, _ right: Instrument.Right) -> Black76.Inputs {
        .init(forward: f, strike: k, yearsToExpiry: t, volatility: sigma, rate: r, right: right)
    }

    @Test("py_vollib golden values: F=49 K=50 r=0.05 T=0.3846 σ=0.2")
    func pyVollib() {
        let call = Black76.greeks(inputs(49, 50, 0.3846, 0.2, 0.05, .call))
        let put = Black76.greeks(inputs(49, 50, 0.3846, 0.2, 0.05, .put))
        #expect(abs(call.delta - 0.45107017482201828) < 1e-12)
        #expect(abs(put.delta - -0.5298835421176763) < 1e-12)
        #expect(abs(call.gamma - 0.0640646705882) < 1e-11)
        #expect(abs(call.vega - 0.118317785624) < 1e-11)
        #expect(abs(call.theta - -0.00816236877462) < 1e-12)
        #expect(abs(put.theta - -0.00802799155312) < 1e-12)
    }

    @Test("Haug's values as pinned in QuantLib (spot inputs through F = S·e^((r−q)T))")
    func haug() {
        func forward(_ s: Double, _ r: Double, _ q: Double, _ t: Double) -> Double { s * exp((r - q) * t) }
        let call = Black76.greeks(inputs(forward(60, 0.08, 0, 0.25), 65, 0.25, 0.30, 0.08, .call))
        #expect(abs(call.value - 2.1334) < 5e-5)
        let black = Black76.greeks(inputs(19, 19, 0.75, 0.28, 0.10, .call))
        let blackPut = Black76.greeks(inputs(19, 19, 0.75, 0.28, 0.10, .put))
        #expect(abs(black.value - 1.7011) < 5e-5 && abs(blackPut.value - 1.7011) < 5e-5)
        // Spot delta = ∂V/∂F · e^((r−q)T); with q = r they coincide.
        let deltaCall = Black76.greeks(inputs(forward(105, 0.10, 0.10, 0.5), 100, 0.5, 0.36, 0.10, .call))
        let deltaPut = Black76.greeks(inputs(forward(105, 0.10, 0.10, 0.5), 100, 0.5, 0.36, 0.10, .put))
        #expect(abs(deltaCall.delta - 0.5946) < 5e-5 && abs(deltaPut.delta - -0.3566) < 5e-5)
        // Spot gamma = Γ_F · e^(2(r−q)T); vega does not depend on how the underlying is written.
        let f = forward(55, 0.10, 0, 0.75)
        let gamma = Black76.greeks(inputs(f, 60, 0.75, 0.30, 0.10, .call))
        #expect(abs(gamma.gamma * exp(2 * 0.10 * 0.75) - 0.0278) < 5e-5)
        #expect(abs(gamma.vega * 100 - 18.9358) < 5e-4)
    }

    @Test("the Deribit row via Tardis: BTC-9JUN20-9875-P")
    func deribit() {
        let t = Black76.yearsBetween(Timestamp(microseconds: 1_591_574_399_413_000), Timestamp(microseconds: 1_591_689_600_000_000))
        let put = Black76.greeks(inputs(9756.36, 9875, t, 0.6289, 0, .put))
        let coin = InverseOption.priceInCoin(valueUSD: put.value, forward: 9756.36)
        #expect(abs(coin - 0.02210436) < 5e-6)
        #expect(abs(put.delta - -0.61752) < 5e-4)
        #expect(abs(put.gamma - 0.00103) < 1e-5)
        #expect(abs(put.vega - 2.24964) < 2e-3)
        #expect(abs(put.theta - -53.05655) < 0.05)
        #expect(abs(InverseOption.netDelta(delta: put.delta, priceInCoin: coin) - -0.63962) < 5e-4)
    }

    static let grid: [(f: Double, k: Double, t: Double, sigma: Double, r: Double)] = {
        var cases: [(Double, Double, Double, Double, Double)] = []
        for k in [60_000.0, 90_000, 95_000, 100_000, 140_000] {
            for t in [1.0 / 365 / 24, 1.0 / 365, 0.1, 1.0] {
                for sigma in [0.05, 0.5, 1.5] {
                    cases.append((95_000, k, t, sigma, k == 90_000 ? 0.05 : 0))
                }
            }
        }
        return cases
    }()

    @Test("put-call parity: C − P = e^(−rT)(F − K) across the grid")
    func parity() {
        for c in Self.grid {
            let call = Black76.value(inputs(c.f, c.k, c.t, c.sigma, c.r, .call))
            let put = Black76.value(inputs(c.f, c.k, c.t, c.sigma, c.r, .put))
            #expect(abs((call - put) - exp(-c.r * c.t) * (c.f - c.k)) < 1e-7 * c.f, "\(c)")
        }
    }

    @Test("every greek agrees with a finite difference of the value")
    func finiteDifferences() {
        for c in Self.grid where c.t >= 1.0 / 365 {
            for right in [Instrument.Right.call, .put] {
                let g = Black76.greeks(inputs(c.f, c.k, c.t, c.sigma, c.r, right))
                func v(f: Double = c.f, t: Double = c.t, s: Double = c.sigma, r: Double = c.r) -> Double {
                    Black76.value(inputs(f, c.k, t, s, r, right))
                }
                let h = c.f * 1e-4
                let delta = (v(f: c.f + h) - v(f: c.f - h)) / (2 * h)
                let gamma = (v(f: c.f + h) - 2 * v() + v(f: c.f - h)) / (h * h)
                let vega = (v(s: c.sigma + 1e-5) - v(s: c.sigma - 1e-5)) / 2e-5 / 100
                let dt = c.t * 1e-4
                let theta = (v(t: c.t - dt) - v(t: c.t + dt)) / (2 * dt) / 365
                let rho = (v(r: c.r + 1e-6) - v(r: c.r - 1e-6)) / 2e-6 / 100
                let scale = max(g.value, 1)
                #expect(abs(delta - g.delta) < 1e-6, "delta \(c) \(right)")
                #expect(abs(gamma - g.gamma) < 1e-6 + 1e-3 * abs(g.gamma), "gamma \(c) \(right)")
                #expect(abs(vega - g.vega) < 1e-6 * scale, "vega \(c) \(right)")
                #expect(abs(theta - g.theta) < 1e-5 * scale, "theta \(c) \(right)")
                #expect(abs(rho - g.rho) < 1e-6 * scale, "rho \(c) \(right)")
            }
        }
    }

    @Test("implied volatility recovers σ across strikes, vols and expiries, to 1e-10 in price")
    func impliedVolatilityRoundTrip() throws {
        var solved = 0
        for c in Self.grid {
            for right in [Instrument.Right.call, .put] {
                let price = Black76.value(inputs(c.f, c.k, c.t, c.sigma, c.r, right))
                let intrinsic = exp(-c.r * c.t) * (right == .call ? max(c.f - c.k, 0) : max(c.k - c.f, 0))
                // Where time value is lost in the price's last bits, no σ is recoverable: skip.
                guard price - intrinsic > 1e-6 * c.f else { continue }
                let sigma = try ImpliedVolatility.solve(price: price, forward: c.f, strike: c.k, yearsToExpiry: c.t,
                                                        rate: c.r, right: right).get()
                let repriced = Black76.value(inputs(c.f, c.k, c.t, sigma, c.r, right))
                #expect(abs(repriced - price) <= 1e-10, "\(c) \(right)")
                #expect(abs(sigma - c.sigma) < 1e-6, "\(c) \(right): \(sigma)")
                solved += 1
            }
        }
        #expect(solved >= Self.grid.count)  // at least half of the grid's calls and puts have time value to solve
    }

    @Test("implied volatility says why it cannot solve")
    func impliedVolatilityFailures() {
        #expect(ImpliedVolatility.solve(price: 10, forward: 100, strike: 100, yearsToExpiry: 0, right: .call) == .failure(.expired))
        guard case .failure(.belowIntrinsic) = ImpliedVolatility.solve(price: 4, forward: 105, strike: 100, yearsToExpiry: 0.5, right: .call),
              case .failure(.aboveMaximum) = ImpliedVolatility.solve(price: 101, forward: 100, strike: 100, yearsToExpiry: 0.5, right: .call)
        else { Issue.record("accepted an impossible price"); return }
    }

    @Test("at and after expiry, at zero vol, and at extreme vols: explicit, finite results")
    func edges() {
        let expired = Black76.greeks(inputs(110, 100, 0, 0.5, 0, .call))
        #expect(expired.value == 10 && expired.delta == 0 && expired.gamma == 0 && expired.vega == 0)
        let past = Black76.greeks(inputs(90, 100, -0.1, 0.5, 0, .put))
        #expect(past.value == 10 && past.theta == 0)
        let zeroVol = Black76.greeks(inputs(110, 100, 0.5, 0, 0, .call))
        #expect(zeroVol.value == 10 && zeroVol.delta == 1)
        for sigma in [1e-8, 1e-3, 5.0, 20.0] {
            for k in [1.0, 100.0, 1e6] {
                let g = Black76.greeks(inputs(100, k, 1.0 / 365 / 24 / 60, sigma, 0, .put))
                let finite = [g.value, g.delta, g.gamma, g.vega, g.theta, g.rho].allSatisfy { $0.isFinite }
                #expect(finite, "σ \(sigma) K \(k)")
            }
        }
    }
}
