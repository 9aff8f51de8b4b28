/// The few numbers a risk manager looks at first, per book and underlying: net delta in coin
/// and USD, gamma, vega, theta, and how much of the options' delta the hedges offset. Read
/// from a greeks report's totals; the full tables are `greeks` and `positions`.
public struct BookSummary: Sendable {
    public var greeks: GreeksReport

    public init(greeks: GreeksReport) { self.greeks = greeks }

    public static let schema = Report.Schema(name: "hedgeledger.book-summary", version: 1)

    public var report: Report {
        var table = Table(name: "books", title: "The book at \(greeks.asOf.iso8601), per book and underlying (delta in coin, gamma per USD, vega USD per vol point, theta USD per day)", columns: [
            .init("book"), .init("underlying"), .init("net_delta", places: 4), .init("net_delta_usd", places: 0),
            .init("options_net_delta", places: 4), .init("hedge_delta", places: 4), .init("hedged_pct", places: 1),
            .init("gamma", places: 6), .init("vega", places: 0), .init("theta", places: 0), .init("complete", warnsWhenFalse: true),
        ])
        for total in greeks.totals {
            table.rows.append([
                .text(total.book), .text(total.underlying), .number(total.netDelta), .number(total.netDeltaUSD),
                .number(total.optionsNetDelta), .number(total.hedgeDelta), .number(total.hedgeRatio.map { $0 * 100 }),
                .number(total.gamma), .number(total.vega), .number(total.theta), .bool(total.isComplete),
            ])
        }
        return Report(schema: Self.schema, asOf: greeks.asOf, sections: [table])
    }
}
