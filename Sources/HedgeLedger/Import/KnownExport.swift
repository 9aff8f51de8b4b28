/// Exports users bring that hedgeledger recognises by their header, so the error names the
/// file's real format (and the built-in mapping that reads it) instead of listing every column
/// as unknown.
enum KnownExport {
    struct Recognised {
        var name: String
        /// The built-in mapping `import trades --map` reads it with, if any.
        var mapping: String?
        /// The rows an import of this kind reads it as (`trades`): its own header errors are
        /// then the ones to show.
        var readAs: String? = nil
    }

    static func recognise(_ header: [String]) -> Recognised? {
        let names = Set(header.map { $0.trimmingCharacters(in: " \t\u{FEFF}").lowercased() })
        if names.isSuperset(of: ["userseq", "instrument", "type", "side", "position"]) {
            return Recognised(name: "a Deribit transaction log", mapping: nil, readAs: "trades")
        }
        if names.isSuperset(of: ["exchange", "symbol", "timestamp", "local_timestamp", "mark_iv"]) {
            return Recognised(name: "a Tardis options_chain snapshot file", mapping: nil, readAs: "snapshots")
        }
        if names.isSuperset(of: ["contract", "direction", "filled price", "wallet balance"]) {
            return Recognised(name: "a Bybit transaction log", mapping: "bybit")
        }
        if names.isSuperset(of: ["order id", "trade type", "instrument", "position balance"]) {
            return Recognised(name: "an OKX trade history", mapping: "okx")
        }
        if names.isSuperset(of: ["date", "sub type", "action", "instrument type", "root symbol", "call or put"]) {
            return Recognised(name: "a tastytrade transaction history", mapping: "tastytrade")
        }
        if names.isSuperset(of: ["trades", "header", "datadiscriminator", "asset category"]) {
            return Recognised(name: "an Interactive Brokers activity statement", mapping: nil)
        }
        return nil
    }
}
