/// The hedge policies in force at a moment, per book and underlying with one on record, and,
/// for one book, every version.
public struct HedgePolicyReport: Sendable {
    public var asOf: Timestamp
    public var book: String?
    /// The version in force per (book, underlying) that has one by `asOf`.
    public var inForce: [StoredHedgePolicy]
    /// Every version of `book`, oldest effective first; empty when no book was asked for.
    public var versions: [StoredHedgePolicy]

    public static func build(ledger: Ledger, at time: Timestamp, book: String? = nil) throws -> HedgePolicyReport {
        let all = try ledger.hedgePolicies.versions()
        if let book, !all.contains(where: { $0.policy.book == book }) {
            let books = try ledger.knownBooks()
            throw UnknownFilterValue(option: "book", value: book, known: books)
        }
        var pairs: [String: (book: String, underlying: String)] = [:]
        for stored in all where book == nil || stored.policy.book == book {
            pairs["\(stored.policy.book)\u{0}\(stored.policy.underlying)"] = (stored.policy.book, stored.policy.underlying)
        }
        var inForce: [StoredHedgePolicy] = []
        for (_, pair) in pairs.sorted(by: { $0.key < $1.key }) {
            if let stored = try ledger.hedgePolicies.inForce(book: pair.book, underlying: pair.underlying, at: time) {
                inForce.append(stored)
            }
        }
        let versions = book.map { book in
            all.filter { $0.policy.book == book }.sorted { ($0.policy.effective, $0.id) < ($1.policy.effective, $1.id) }
        } ?? []
        return HedgePolicyReport(asOf: time, book: book, inForce: inForce, versions: versions)
    }

    public static let listSchema = Report.Schema(name: "hedgeledger.policies", version: 1)
    public static let showSchema = Report.Schema(name: "hedgeledger.policy", version: 1)

    /// `policy list`: the policies in force.
    public var listReport: Report {
        Report(schema: Self.listSchema, asOf: asOf,
               sections: [table(inForce, name: "policies", title: "Hedge policies in force at \(asOf.iso8601) (\(Self.emptyNote))")])
    }

    /// `policy show BOOK`: the book's policies in force, then every version.
    public var showReport: Report {
        Report(schema: Self.showSchema, asOf: asOf, parameters: [("book", book.map(Table.Cell.text) ?? .empty)], sections: [
            table(inForce, name: "in_force", title: "Hedge policies of book '\(book ?? "")' at \(asOf.iso8601) (\(Self.emptyNote))"),
            table(versions, name: "versions", title: "Every version, oldest effective first"),
        ])
    }

    private func table(_ entries: [StoredHedgePolicy], name: String, title: String) -> Table {
        var table = Table(name: name, title: title, columns: [
            .init("version"), .init("book"), .init("underlying"), .init("effective"), .init("band"), .init("band_width"),
            .init("interval_s"), .init("cost"), .init("risk_aversion"), .init("target_delta"), .init("hedge_instrument"),
            .init("min_trade"), .init("lot"), .init("max_reaction_s"), .init("hedge_to"), .init("recorded_at"), .init("recorded_by"),
        ])
        for stored in entries {
            let policy = stored.policy
            var width: Table.Cell = .empty, interval: Table.Cell = .empty, cost: Table.Cell = .empty, riskAversion: Table.Cell = .empty
            switch policy.band {
            case .fixed(let value): width = .amount(value)
            case .relative(let fraction): width = .amount(fraction)
            case let .schedule(seconds, value): interval = .integer(Int(seconds)); width = value.map(Table.Cell.amount) ?? .empty
            case let .whalleyWilmott(lambda, gamma): cost = .amount(lambda); riskAversion = .amount(gamma)
            }
            table.rows.append([
                .integer(Int(stored.id)), .text(policy.book), .text(policy.underlying), .time(policy.effective), .text(policy.band.kind),
                width, interval, cost, riskAversion, policy.targetDelta.map(Table.Cell.amount) ?? .empty,
                policy.hedgeInstrument.map(Table.Cell.text) ?? .empty, .amount(policy.minTrade), policy.lot.map(Table.Cell.amount) ?? .empty,
                .integer(Int(policy.maxReactionSeconds)), .text(policy.hedgeTo.rawValue), .time(stored.recordedAt), .text(stored.recordedBy),
            ])
        }
        return table
    }

    static let emptyNote = "empty target or hedge instrument: the book settings' in force"
}
