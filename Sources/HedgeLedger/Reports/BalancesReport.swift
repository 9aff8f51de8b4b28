/// Cash per venue account and currency as of a time, derived from the venue logs imported:
/// the opening balance (the first row's `Balance` − `Change`), plus every row's `Change` by
/// kind, against the venue's own `Balance` on the last row. Also lists the check mismatches
/// recorded by imports run with `--no-check`.
public struct BalancesReport: Sendable {
    public struct Balance: Sendable {
        public var venue: String
        public var account: String
        public var currency: String
        public var opening: ExactDecimal
        /// Each sum nil once it left the exact range (±1.7 × 10²⁰): only a hostile log makes
        /// one, say 170,000 deposits of 10¹⁵ undone by corrections, and the report still stands.
        public var trading: ExactDecimal? = .zero
        public var settlements: ExactDecimal? = .zero
        public var transfers: ExactDecimal? = .zero
        public var other: ExactDecimal? = .zero
        public var fees: ExactDecimal? = .zero
        public var cash: ExactDecimal?
        public var venueBalance: ExactDecimal
        public var rows = 0
        public var lastRow: Timestamp
    }

    public var at: Timestamp
    public var account: String?
    public var balances: [Balance]
    public var mismatches: [(mismatch: VenueLogMismatch, entry: StoredVenueLogEntry)]

    public static func build(ledger: Ledger, at: Timestamp, account: String?) throws -> BalancesReport {
        if let account {
            let known = try ledger.venueLog.accounts()
            guard known.contains(account) else { throw UnknownFilterValue(option: "--account", value: account, known: known) }
        }
        var balances: [Balance] = []
        try ledger.venueLog.forEachEntry(through: at, account: account) { stored in
            let r = stored.record
            let change = try ExactDecimal.stored(r.change), venueBalance = try ExactDecimal.stored(r.balance)
            if balances.last.map({ ($0.venue, $0.account, $0.currency) != (r.venue, r.account, r.currency) }) ?? true {
                let opening = try venueBalance - change
                balances.append(Balance(venue: r.venue, account: r.account, currency: r.currency, opening: opening, cash: opening,
                                        venueBalance: venueBalance, lastRow: Timestamp(microseconds: r.timeMicroseconds)))
            }
            let i = balances.count - 1
            func add(_ sum: inout ExactDecimal?, _ value: ExactDecimal) { sum = sum.flatMap { try? $0 + value } }
            switch DeribitTransactionLog.EntryType(rawValue: r.type) {
            case .trade, .delivery, .positionMove: add(&balances[i].trading, change)
            case .settlement: add(&balances[i].settlements, change)
            case .deposit, .withdrawal, .transfer, .swap: add(&balances[i].transfers, change)
            default: add(&balances[i].other, change)
            }
            add(&balances[i].fees, try ExactDecimal.stored(r.feeCharged))
            add(&balances[i].cash, change)
            balances[i].venueBalance = venueBalance
            balances[i].rows += 1
            balances[i].lastRow = Timestamp(microseconds: r.timeMicroseconds)
        }
        return BalancesReport(at: at, account: account, balances: balances,
                              mismatches: try ledger.venueLog.mismatches(through: at, account: account))
    }


    public static let schema = Report.Schema(name: "hedgeledger.balances", version: 1)

    /// Whether some account's cash disagrees with the venue's balance.
    public var disagrees: Bool { balances.contains { $0.cash != $0.venueBalance } }

    private func sum(_ value: ExactDecimal?) -> Table.Cell { value.map(Table.Cell.amount) ?? .empty }

    private func amount(_ text: String) -> Table.Cell {
        (try? ExactDecimal.stored(text)).map { .amount($0) } ?? .text(text)
    }

    public var report: Report {
        var table = Table(name: "balances", title: "Cash balances", columns: [
            .init("venue"), .init("account"), .init("currency"), .init("opening"), .init("trading"), .init("settlements"),
            .init("transfers"), .init("other"), .init("cash"), .init("venue_balance"), .init("agrees"), .init("fees"),
            .init("rows"), .init("last_row"),
        ])
        for b in balances {
            table.rows.append([
                .text(b.venue), .text(b.account), .text(b.currency), .amount(b.opening), sum(b.trading),
                sum(b.settlements), sum(b.transfers), sum(b.other), sum(b.cash), .amount(b.venueBalance),
                .bool(b.cash == b.venueBalance), sum(b.fees), .integer(b.rows), .time(b.lastRow),
            ])
        }
        var sections = [table]
        if !mismatches.isEmpty {
            var found = Table(name: "mismatches", title: "Check mismatches recorded with --no-check", columns: [
                .init("venue"), .init("account"), .init("currency"), .init("id"), .init("user_seq"), .init("time"),
                .init("type"), .init("instrument"), .init("check"), .init("venue_value"), .init("ledger_value"), .init("import"),
                .init("line"),
            ])
            for (mismatch, entry) in mismatches {
                let r = entry.record
                found.rows.append([
                    .text(r.venue), .text(r.account), .text(r.currency), .text(r.entryID), .integer(Int(r.userSeq)),
                    .time(Timestamp(microseconds: r.timeMicroseconds)), .text(r.type), r.instrument.map { .text($0) } ?? .empty,
                    .text(mismatch.rule.rawValue), amount(mismatch.venueValue), amount(mismatch.ledgerValue),
                    .integer(Int(entry.importID)), .integer(Int(entry.sourceLine)),
                ])
            }
            sections.append(found)
        }
        return Report(schema: Self.schema, asOf: at, parameters: [("account", account.map { .text($0) } ?? .empty)],
                      facts: [("accounts", .integer(balances.count)), ("recorded_mismatches", .integer(mismatches.count))],
                      sections: sections)
    }
}
