/// Whether what `recompute` derives (the exposure history and the settlements) has taken in
/// every import, void and settings change: reports that read it say so when it has not.
public struct HistoryFreshness: Sendable {
    /// The last recompute run: nil when none ran yet.
    public var latestRun: RecomputeRun?
    /// Changes recorded since that run.
    public var pendingChanges: Int

    public static func of(_ ledger: Ledger) throws -> HistoryFreshness {
        let pending = try RecomputeService.pendingChanges(ledger: ledger)
        return HistoryFreshness(latestRun: pending.latest, pendingChanges: pending.changes)
    }

    public var isBehind: Bool { latestRun == nil || pendingChanges > 0 }

    /// What a report read from the derived data.
    public enum Subject: String, Sendable {
        case exposureHistory = "exposure history"
        case settlements = "settlements"
    }

    /// What stderr says when `subject` may be stale; nil when it is up to date.
    public func warning(about subject: Subject) -> String? {
        guard let latestRun else { return "hedgeledger: no \(subject.rawValue) yet: run `hedgeledger recompute` first" }
        guard pendingChanges > 0 else { return nil }
        let plural = pendingChanges == 1 ? "" : "s"
        let verb = subject == .settlements ? "are" : "is"
        return "hedgeledger: the \(subject.rawValue) \(verb) behind the ledger (\(pendingChanges) import\(plural), void\(plural) or settings change\(plural) since recompute run #\(latestRun.id)); run `hedgeledger recompute`"
    }

    /// The JSON fields that say the same.
    public var facts: [(String, Table.Cell)] {
        [("latest_run", latestRun.map { .integer(Int($0.id)) } ?? .empty),
         ("latest_run_finished_at", latestRun.map { .time($0.finishedAt) } ?? .empty),
         ("behind", .bool(isBehind)),
         ("changes_since_latest_run", .integer(pendingChanges))]
    }
}
