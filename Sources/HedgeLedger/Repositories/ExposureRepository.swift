/// A recompute run as recorded.
public struct RecomputeRun: Sendable, Hashable {
    public var id: Int64
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
    /// nil: a full recompute.
    public var from: Timestamp?
    /// The last event time the run saw.
    public var through: Timestamp?
    public var rowsWritten: Int
    public var inputsSHA256: String
    public var outputsSHA256: String
    public var codeVersion: String
    /// The last history change the run took in.
    public var changesThrough: Int64
}

/// The exposure history and the runs that wrote it (migration 0007).
public struct ExposureRepository {
    let connection: Connection

    static let columns = """
        time_us, book, underlying, options_delta, options_net_delta, hedge_delta, net_delta, gamma, vega, theta,
        underlying_price, usd_per_coin, net_delta_usd, hedge_ratio, target_delta, required_hedge, hedge_instrument,
        oldest_mark_age_s, positions, unpriced, run, gross_options_delta, pnl_actual_usd, pnl_delta_usd, pnl_gamma_usd,
        pnl_vega_usd, pnl_theta_usd, pnl_options_usd, pnl_hedges_usd
        """
    /// Where `forEachBucket` finds its extra column, after `columns`.
    static let columnCount: Int32 = 29

    /// Removes the history from `time` on (all of it when nil), before a run rewrites it.
    public func deleteHistory(from time: Timestamp?) throws {
        try connection.cached("DELETE FROM exposure_history WHERE time_us >= ?").execute([time ?? Timestamp(microseconds: .min)])
    }

    /// Writes a row with typed bindings (no boxed values): a recompute writes one per event.
    public func insert(_ row: ExposureRow, run: Int64) throws {
        let statement = try connection.cached("""
            INSERT INTO exposure_history (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                                                                  ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.reset()
        try statement.bind(row.time.microseconds, at: 1)
        try statement.bind(row.book, at: 2)
        try statement.bind(row.underlying, at: 3)
        for (offset, value) in [row.optionsDelta, row.optionsNetDelta, row.hedgeDelta, row.netDelta, row.gamma, row.vega,
                                row.theta, row.underlyingPrice, row.usdPerCoin, row.netDeltaUSD, row.hedgeRatio].enumerated() {
            try statement.bind(value, at: Int32(4 + offset))
        }
        try statement.bind(row.targetDelta.description, at: 15)
        try statement.bind(row.requiredHedge, at: 16)
        try statement.bind(row.hedgeInstrument, at: 17)
        try statement.bind(row.oldestMarkAgeSeconds, at: 18)
        try statement.bind(Int64(row.positions), at: 19)
        try statement.bind(Int64(row.unpriced), at: 20)
        try statement.bind(run, at: 21)
        try statement.bind(row.grossOptionsDelta, at: 22)
        let e = row.explain
        for (offset, value) in [e?.actual, e?.delta, e?.gamma, e?.vega, e?.theta, e?.options, e?.hedges].enumerated() {
            try statement.bind(value, at: Int32(23 + offset))
        }
        try statement.run()
    }

    /// The stored history in the order a recompute writes it (time, book, underlying), with each row's run.
    public func cursorInTimeOrder() throws -> RowCursor<(row: ExposureRow, run: Int64)> {
        try RowCursor(connection: connection, sql: "SELECT \(Self.columns) FROM exposure_history ORDER BY time_us, book, underlying",
                      bindings: []) { row in (try Self.decode(row), row.int64(20)) }
    }

    /// The WHERE clause of a history query and its bindings. Only the filters given are named,
    /// so SQLite seeks the (book, underlying, time) key instead of scanning every row (an
    /// `? IS NULL OR book = ?` term defeats the index).
    private static func filter(book: String?, underlying: String?, from: Timestamp?, to: Timestamp?)
        -> (sql: String, bindings: [any SQLiteBindable]) {
        var terms = ["time_us >= ?", "time_us <= ?"]
        var bindings: [any SQLiteBindable] = [from ?? Timestamp(microseconds: 0), to ?? Timestamp(microseconds: .max)]
        if let underlying { terms.insert("underlying = ?", at: 0); bindings.insert(underlying, at: 0) }
        if let book { terms.insert("book = ?", at: 0); bindings.insert(book, at: 0) }
        return (terms.joined(separator: " AND "), bindings)
    }

    /// The history of the pairs the filters select, between two times, by book, underlying, time.
    public func forEachRow(book: String?, underlying: String?, from: Timestamp?, to: Timestamp?,
                           _ visit: (ExposureRow, Int64) throws -> Void) throws {
        let filter = Self.filter(book: book, underlying: underlying, from: from, to: to)
        try connection.cached("""
            SELECT \(Self.columns) FROM exposure_history WHERE \(filter.sql) ORDER BY book, underlying, time_us
            """).forEachRow(filter.bindings) { row in try visit(try Self.decode(row), row.int64(20)) }
    }

    /// The last row of each `width`-µs bucket (aligned to the epoch, so to UTC days) of the pairs
    /// the filters select, with the bucket's largest |net delta|; by book, underlying, time.
    /// Grouped in SQL: only one row per bucket reaches Swift.
    public func forEachBucket(width: Int64, book: String?, underlying: String?, from: Timestamp?, to: Timestamp?,
                              _ visit: (ExposureRow, Int64, Double) throws -> Void) throws {
        let columns = Self.columns.split(separator: ",").map { "h." + String($0.filter { !$0.isWhitespace }) }
            .joined(separator: ", ")
        let filter = Self.filter(book: book, underlying: underlying, from: from, to: to)
        try connection.cached("""
            SELECT \(columns), b.max_abs, b.rows, b.explained, b.actual, b.delta, b.gamma, b.vega, b.theta, b.options, b.hedges FROM (
                SELECT book, underlying, MAX(time_us) AS last, MAX(ABS(net_delta)) AS max_abs, COUNT(*) AS rows,
                       COUNT(pnl_actual_usd) AS explained, SUM(pnl_actual_usd) AS actual, SUM(pnl_delta_usd) AS delta,
                       SUM(pnl_gamma_usd) AS gamma, SUM(pnl_vega_usd) AS vega, SUM(pnl_theta_usd) AS theta,
                       SUM(pnl_options_usd) AS options, SUM(pnl_hedges_usd) AS hedges
                FROM exposure_history
                WHERE \(filter.sql)
                GROUP BY book, underlying, time_us / ?
            ) b JOIN exposure_history h ON h.book = b.book AND h.underlying = b.underlying AND h.time_us = b.last
            ORDER BY h.book, h.underlying, h.time_us
            """).forEachRow(filter.bindings + [width]) { row in
                // The bucket's row stands for all of them: its P&L explain is theirs summed, when every one has one.
                var bucket = try Self.decode(row)
                let n = Self.columnCount
                bucket.explain = row.int64(n + 1) == row.int64(n + 2)
                    ? ExposureRow.PnLExplain(actual: row.double(n + 3), delta: row.double(n + 4), gamma: row.double(n + 5),
                                             vega: row.double(n + 6), theta: row.double(n + 7), options: row.double(n + 8),
                                             hedges: row.double(n + 9))
                    : nil
                try visit(bucket, row.int64(20), row.double(n))
            }
    }

    static func decode(_ row: Row) throws -> ExposureRow {
        // Every number is checked finite: a value written behind our back must not reach a
        // report as inf or a JSON null where the documentation promises a number.
        func real(_ column: Int32) throws -> Double? {
            if row.isNull(column) { return nil }
            return try number(column)
        }
        func number(_ column: Int32) throws -> Double {
            let value = row.double(column)
            guard value.isFinite else { throw CorruptDatabase(detail: "exposure history value \(value) in column \(column + 1)") }
            return value
        }
        return ExposureRow(
            time: try row.timestamp(0), book: row.text(1), underlying: row.text(2), optionsDelta: try number(3),
            optionsNetDelta: try number(4), hedgeDelta: try number(5), netDelta: try number(6), gamma: try number(7),
            vega: try number(8), theta: try number(9), underlyingPrice: try real(10), usdPerCoin: try real(11),
            netDeltaUSD: try real(12), hedgeRatio: try real(13), targetDelta: try row.exact(14), requiredHedge: try real(15),
            hedgeInstrument: row.optionalText(16), oldestMarkAgeSeconds: try real(17), positions: row.int(18),
            unpriced: row.int(19), grossOptionsDelta: try real(21),
            explain: try real(22).map { actual in
                ExposureRow.PnLExplain(actual: actual, delta: try real(23) ?? 0, gamma: try real(24) ?? 0, vega: try real(25) ?? 0,
                                       theta: try real(26) ?? 0, options: try real(27) ?? 0, hedges: try real(28) ?? 0)
            })
    }

    /// Records a run; returns its id.
    public func insertRun(_ run: RecomputeRun) throws -> Int64 {
        try connection.cached("""
            INSERT INTO recompute_runs (started_at_us, finished_at_us, from_us, through_us, rows_written, inputs_sha256,
                                        outputs_sha256, code_version, changes_through)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute([run.startedAt, run.finishedAt, run.from, run.through, run.rowsWritten, run.inputsSHA256,
                          run.outputsSHA256, run.codeVersion, run.changesThrough])
        return connection.lastInsertRowID
    }

    /// The next run's id: rows are written with it before the run's record, which needs their checksum.
    public func nextRunID() throws -> Int64 {
        try connection.cached("SELECT COALESCE(MAX(id), 0) + 1 FROM recompute_runs").firstRow { $0.int64(0) } ?? 1
    }

    public func latestRun() throws -> RecomputeRun? {
        try connection.cached("""
            SELECT id, started_at_us, finished_at_us, from_us, through_us, rows_written, inputs_sha256, outputs_sha256, code_version,
                   changes_through
            FROM recompute_runs ORDER BY id DESC LIMIT 1
            """).firstRow { row in
                RecomputeRun(id: row.int64(0), startedAt: try row.timestamp(1), finishedAt: try row.timestamp(2),
                             from: row.isNull(3) ? nil : try row.timestamp(3), through: row.isNull(4) ? nil : try row.timestamp(4),
                             rowsWritten: row.int(5), inputsSHA256: row.text(6), outputsSHA256: row.text(7), codeVersion: row.text(8),
                             changesThrough: row.int64(9))
            }
    }

    /// Notes that a change (`cause`) can alter the history from `earliest` on.
    public func recordChange(earliest: Timestamp, cause: String, at now: Timestamp) throws {
        try connection.cached("INSERT INTO history_changes (earliest_us, cause, recorded_at_us) VALUES (?, ?, ?)")
            .execute([earliest, cause, now])
    }

    /// The changes recorded after change `id`: how many, the earliest time they affect, and the last id.
    public func changes(after id: Int64) throws -> (count: Int, earliest: Timestamp?, lastID: Int64) {
        try connection.cached("""
            SELECT COUNT(*), MIN(earliest_us), COALESCE(MAX(id), ?) FROM history_changes WHERE id > ?
            """).firstRow([id, id]) { row in
                (row.int(0), row.isNull(1) ? nil : try row.timestamp(1), row.int64(2))
            } ?? (0, nil, id)
    }
}

extension ExposureRepository {
    /// The last stored row of (book, underlying) at or before `time`, with its run.
    public func latest(book: String, underlying: String, atOrBefore time: Timestamp) throws -> (row: ExposureRow, run: Int64)? {
        try connection.cached("""
            SELECT \(Self.columns) FROM exposure_history WHERE book = ? AND underlying = ? AND time_us <= ?
            ORDER BY time_us DESC LIMIT 1
            """).firstRow([book, underlying, time]) { row in (try Self.decode(row), row.int64(20)) }
    }
}
