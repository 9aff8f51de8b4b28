/// Where a row that conflicts with the current one was first recorded, for the error that
/// names both sources: `file:line` (or "earlier in file") within the current import, else the
/// earlier import's file name, line when known, and number.
func earlierSource(importID: Int64, line: Int?, currentImportID: Int64, currentFile: String,
                   ledger: Ledger) throws -> String {
    if importID == currentImportID {
        return line.map { "\(currentFile):\($0)" } ?? "earlier in \(currentFile)"
    }
    let name = try ledger.imports.find(id: importID)?.fileName ?? "import #\(importID)"
    return "\(name)\(line.map { ":\($0)" } ?? "") (import #\(importID))"
}
