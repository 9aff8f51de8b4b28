/// The demo's hedge journal: the simulated desk re-hedges its perpetuals whenever its delta
/// leaves a band, in orders of one to three fills. Here that becomes what a desk would record:
/// a policy per underlying with the desk's band, and a decision for each hedge order, which the
/// order's fills name in their file's `hedge_decision` column.
public enum DemoJournal {
    /// The column the demo adds to the generated trade file.
    public static let column = "hedge_decision"

    /// The decision a generated trade line executes: its hedge order's, `H<order id>`; nil for
    /// client option trades.
    public static func decisionKey(ofLine line: String) -> String? {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 12, fields[11] == "delta hedge" else { return nil }
        return "H\(fields[10])"
    }

    /// Records the policies (from `start`, recorded then) and one decision per hedge order, one
    /// millisecond before the order's first fill, with the inputs the ledger shows then, recorded
    /// as the desk's bot would: at the moment it decided. Run after `recompute`. Returns how many
    /// decisions were recorded.
    public static func record(ledger: Ledger, book: String, start: Timestamp, now: Timestamp) throws -> Int {
        let policies = HedgePolicyService(ledger: ledger)
        for (coin, band) in TradeGenerator.hedgeBands.sorted(by: { $0.key < $1.key }) {
            let lot = ExactDecimal(coin == "BTC" ? 10 : 1)
            _ = try policies.set(HedgePolicy(book: book, underlying: coin, effective: start, hedgeInstrument: "\(coin)-PERPETUAL",
                                             band: .fixed(width: ExactDecimal(approximating: band, places: 2)), lot: lot,
                                             maxReactionSeconds: 300),
                                 recordedBy: "demo", now: start)
        }
        // Each hedge order's fills, from the ledger: they name their decision.
        var orders: [String: (time: Timestamp, instrument: String, quantity: ExactDecimal)] = [:]
        try ledger.fills.forEachFillByID { stored in
            guard let key = stored.fill.hedgeDecision else { return }
            let fill = stored.fill
            if let order = orders[key] {
                orders[key] = (min(order.time, fill.time), order.instrument, try order.quantity + fill.signedQuantity)
            } else {
                orders[key] = (fill.time, fill.instrument, fill.signedQuantity)
            }
        }
        let journal = HedgeJournalService(ledger: ledger)
        var decisions: [HedgeDecision] = []
        for (key, order) in orders.sorted(by: { ($0.value.time, $0.key) < ($1.value.time, $1.key) }) {
            let time = Timestamp(microseconds: order.time.microseconds - 1000)
            let coin = String(order.instrument.prefix { $0 != "-" })
            let view = try journal.view(book: book, underlying: coin, at: time)
            decisions.append(HedgeDecision(key: key, time: time, book: book, underlying: coin, policyID: view.policy?.id,
                                           action: .rebalance, instrument: order.instrument, quantity: order.quantity,
                                           referencePrice: view.referencePrice, inputs: view.inputs, decidedBy: "demo desk",
                                           rationale: "the desk's own delta left its band of ±\(TradeGenerator.hedgeBands[coin] ?? 0) \(coin)",
                                           source: .record))
        }
        try ledger.write {
            for decision in decisions { _ = try journal.insert(decision, now: decision.time) }
        }
        return decisions.count
    }
}
