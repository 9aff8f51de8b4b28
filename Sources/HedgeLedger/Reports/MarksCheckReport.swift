/// Where the venue's greeks and ours disagree: for each option's latest mark at or before a
/// moment that carries venue greeks, our Black-76 greeks from the same inputs (forward,
/// mark_iv, rate, time to expiry at the mark's time), listed when the difference exceeds
/// the tolerance. Rho is not compared: venues quote a spot-model rho.
public struct MarksCheckReport: Sendable {
    public struct Discrepancy: Sendable {
        public var instrument: String
        public var time: Timestamp
        public var greek: String
        public var ours: Double
        public var venue: Double
        public var tolerance: Double
    }

    /// Absolute floors reflect the venues' rounding (Deribit publishes 5 decimals); beyond
    /// them, a relative tolerance.
    public struct Tolerance: Sendable {
        public var relative = 0.01
        public var delta = 0.001
        public var gamma = 0.00001
        public var vega = 0.01
        public var theta = 0.05
        public init(relative: Double = 0.01) { self.relative = relative }
    }

    public var asOf: Timestamp
    public var relative: Double
    public var checked: Int
    public var discrepancies: [Discrepancy]

    public static func build(ledger: Ledger, at time: Timestamp, tolerance: Tolerance = .init()) throws -> MarksCheckReport {
        var instruments: [Int64: Instrument] = [:]
        for stored in try ledger.instruments.all() { instruments[stored.id] = stored.instrument }
        var checked = 0
        var discrepancies: [Discrepancy] = []
        for stored in try ledger.marks.latestForAll(atOrBefore: time) {
            let mark = stored.mark
            guard let instrument = instruments[stored.instrumentID], instrument.kind == .option, !mark.venueGreeks.isEmpty,
                  let expiry = instrument.expiry, let strike = instrument.strike, let right = instrument.right,
                  let forward = mark.underlyingPrice?.doubleValue, let iv = mark.markIV, iv > 0, mark.time < expiry else { continue }
            checked += 1
            let ours = Black76.greeks(.init(forward: forward, strike: strike.doubleValue,
                                            yearsToExpiry: Black76.yearsBetween(mark.time, expiry), volatility: iv / 100,
                                            rate: mark.interestRate ?? 0, right: right))
            let pairs: [(String, Double, Double?, Double)] = [
                ("delta", ours.delta, mark.venueGreeks.delta, tolerance.delta),
                ("gamma", ours.gamma, mark.venueGreeks.gamma, tolerance.gamma),
                ("vega", ours.vega, mark.venueGreeks.vega, tolerance.vega),
                ("theta", ours.theta, mark.venueGreeks.theta, tolerance.theta),
            ]
            for (name, value, venue, floor) in pairs {
                guard let venue else { continue }
                let allowed = max(floor, tolerance.relative * abs(venue))
                if abs(value - venue) > allowed {
                    discrepancies.append(Discrepancy(instrument: instrument.symbol, time: mark.time, greek: name, ours: value,
                                                     venue: venue, tolerance: allowed))
                }
            }
        }
        return MarksCheckReport(asOf: time, relative: tolerance.relative, checked: checked, discrepancies: discrepancies)
    }

    public static let schema = Report.Schema(name: "hedgeledger.marks-check", version: 1)

    public var report: Report {
        var table = Table(name: "discrepancies", title: "Venue greeks that differ from ours", columns: [
            .init("instrument"), .init("mark_time"), .init("greek"), .init("ours", places: 8), .init("venue", places: 8),
            .init("difference", places: 8), .init("tolerance", places: 8),
        ])
        for item in discrepancies {
            table.rows.append([.text(item.instrument), .time(item.time), .text(item.greek), .number(item.ours),
                               .number(item.venue), .number(item.ours - item.venue), .number(item.tolerance)])
        }
        return Report(schema: Self.schema, asOf: asOf, parameters: [("relative", .number(relative))],
                      facts: [("checked", .integer(checked))], sections: [table])
    }
}
