/// Exports users bring that hedgeledger recognises by their header but does not read yet, so
/// the error names the file's real format instead of listing every column as unknown.
enum KnownExport {
    static func recognise(_ header: [String]) -> String? {
        let names = Set(header.map { $0.trimmingCharacters(in: " \t\u{FEFF}").lowercased() })
        if names.isSuperset(of: ["userseq", "instrument", "type", "side", "position"]) {
            return "a Deribit transaction log"
        }
        if names.isSuperset(of: ["exchange", "symbol", "timestamp", "local_timestamp", "mark_iv"]) {
            return "a Tardis options_chain snapshot file"
        }
        if names.isSuperset(of: ["contract", "direction", "filled price", "wallet balance"]) {
            return "a Bybit transaction log"
        }
        if names.isSuperset(of: ["order id", "trade type", "instrument", "position balance"]) {
            return "an OKX trade history"
        }
        if names.isSuperset(of: ["trades", "header", "datadiscriminator", "asset category"]) {
            return "an Interactive Brokers activity statement"
        }
        return nil
    }
}
