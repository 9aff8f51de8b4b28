/// `verify`'s findings as a report.
public struct VerifyReport: Sendable {
    public var result: LedgerVerifier.Result

    public init(result: LedgerVerifier.Result) { self.result = result }

    public static let schema = Report.Schema(name: "hedgeledger.verify", version: 1)

    public var report: Report {
        var table = Table(name: "checks", title: "Ledger verification", columns: [
            .init("check"), .init("result"), .init("seconds", places: 2), .init("detail"),
        ])
        for check in result.checks {
            table.rows.append([.text(check.name), .text(check.passed.map { $0 ? "ok" : "FAILED" } ?? "not checked"),
                               .number(check.seconds), .text(check.detail)])
        }
        if let given = result.givenHead {
            table.rows.append([.text("earlier head"), .text(given.entry == nil ? "FAILED" : "ok"), .number(0),
                               .text(given.entry.map { "\(given.hash) is entry \($0.seq) of today's chain: nothing up to it changed" }
                                     ?? (result.checks.contains { ["journal chain", "fills"].contains($0.name) && $0.passed == false }
                                         ? "cannot be vouched for: the chain or fills check failed above"
                                         : "\(given.hash) is not in today's chain: records before it were changed, removed or reordered"))])
        }
        return Report(schema: Self.schema, asOf: nil, parameters: [("head", result.givenHead.map { .text($0.hash) } ?? .empty)], facts: [
            ("passed", .bool(result.passed)), ("records", .integer(result.records)), ("fills", .integer(result.fills)),
            ("head_seq", result.head.map { .integer(Int($0.seq)) } ?? .empty), ("head", result.head.map { .text($0.hash) } ?? .empty),
            ("seconds", .number(result.seconds)),
        ], sections: [table])
    }
}
