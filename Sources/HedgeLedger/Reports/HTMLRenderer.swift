/// A report as one self-contained HTML file: inline CSS and SVG, no scripts, no external
/// requests (a Content-Security-Policy forbids them), readable printed. Numbers are shown as
/// the table renderer shows them. Every value from the data is escaped, so a book named
/// `<script>alert(1)</script>` is text on the page.
public enum HTMLRenderer {
    public static func render(_ report: Report, title: String, warning: String? = nil, charts: [EndOfDayReport.Chart] = []) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>
            body { font: 13px/1.4 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #1b1f23; }
            h1 { font-size: 20px; margin: 0 0 8px; } h2 { font-size: 15px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; }
            .warning { background: #fff1e6; border: 2px solid #d1242f; color: #82071e; padding: 8px 12px; font-weight: bold; }
            dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 8px 0; }
            dt { color: #57606a; } dd { margin: 0; font-family: ui-monospace, Menlo, monospace; word-break: break-all; }
            table { border-collapse: collapse; font-size: 12px; margin: 4px 0; }
            th, td { border: 1px solid #d0d7de; padding: 2px 6px; vertical-align: top; }
            th { background: #f6f8fa; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            td.no { color: #82071e; background: #fff1e6; font-weight: bold; }
            figure { margin: 12px 0; } figcaption { color: #57606a; font-size: 12px; }
            svg { background: #fff; border: 1px solid #d0d7de; } .none { color: #57606a; }
            @media print { body { margin: 0; } h2 { break-after: avoid; } table, figure { break-inside: avoid; } }
            </style>
            </head>
            <body>
            <h1>\(escape(title))</h1>

            """
        if let warning { html += "<p class=\"warning\">\(escape(warning))</p>\n" }
        html += "<dl>\n"
        for (name, value) in report.parameters + report.facts {
            html += "<dt>\(escape(name))</dt><dd>\(escape(TableRenderer.display(value, places: nil)))</dd>\n"
        }
        html += "</dl>\n"
        if !charts.isEmpty {
            html += "<h2>Net delta against the band, the hedge ratio, and the P&amp;L explain</h2>\n"
            for chart in charts { html += render(chart) }
        }
        for table in report.sections {
            html += "<h2>\(escape(table.title))</h2>\n" + render(table)
        }
        return html + "</body>\n</html>\n"
    }

    static func render(_ table: Table) -> String {
        guard !table.rows.isEmpty else { return "<p class=\"none\">(none)</p>\n" }
        var html = "<table>\n<thead><tr>" + table.columns.map { "<th>\(escape($0.name))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            html += "<tr>"
            for (index, cell) in row.enumerated() {
                let text = escape(TableRenderer.display(cell, places: table.columns[index].places))
                // A false where it warns (incomplete) stands out: it is what a reader must not miss.
                if case .bool(false) = cell, table.columns[index].warnsWhenFalse {
                    html += "<td class=\"no\">\(text)</td>"
                } else {
                    html += cell.isNumeric ? "<td class=\"n\">\(text)</td>" : "<td>\(text)</td>"
                }
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    /// Net delta (a step line: it holds until the next row) over the band (shaded), hedge
    /// trades as ticks; the hedge ratio below, on its own scale.
    static func render(_ chart: EndOfDayReport.Chart) -> String {
        let width = 900.0, height = 220.0, ratioHeight = 90.0, left = 60.0, right = 10.0, top = 10.0, bottom = 20.0
        let span = max(1, Double(chart.to.microseconds - chart.from.microseconds))
        func x(_ time: Timestamp) -> Double { left + (width - left - right) * Double(time.microseconds - chart.from.microseconds) / span }
        // The caption names only what the chart shows: a band when a policy gave one, ticks when there were hedges.
        let shown = ["net delta (coin, blue)"] + (chart.points.contains { $0.bandLow != nil || $0.bandHigh != nil } ? ["the policy's band (shaded)"] : [])
            + (chart.trades.isEmpty ? [] : ["hedge trades marked in red"])
        let caption = "\(escape(chart.book)) \(escape(chart.underlying)): " + shown.joined(separator: ", ")
        let incomplete = chart.points.filter { !$0.complete }.count
        let warning = incomplete == 0 ? "" : ". <strong>\(incomplete) of its \(chart.points.count) rows left positions unpriced: their net delta leaves those out</strong>"
        guard !chart.points.isEmpty else {
            return "<figure><figcaption>\(caption): no exposure rows</figcaption></figure>\n"
        }
        var values = chart.points.map(\.netDelta)
        values += chart.points.compactMap(\.bandLow) + chart.points.compactMap(\.bandHigh)
        var low = values.min()!, high = values.max()!
        if high - low < 1e-12 { low -= 1; high += 1 }
        let pad = (high - low) * 0.08
        low -= pad; high += pad
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (high - value) / (high - low) }
        func number(_ value: Double) -> String { TableRenderer.display(.number(value), places: 2) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(caption)\">\n"
        // The band, segment by segment as the policy gave it.
        for (index, point) in chart.points.enumerated() {
            guard let bandLow = point.bandLow, let bandHigh = point.bandHigh else { continue }
            let start = x(point.time), end = index + 1 < chart.points.count ? x(chart.points[index + 1].time) : x(chart.to)
            svg += "<rect x=\"\(f(start))\" y=\"\(f(y(bandHigh)))\" width=\"\(f(max(0, end - start)))\" height=\"\(f(max(0, y(bandLow) - y(bandHigh))))\" fill=\"#dafbe1\"/>\n"
        }
        if low < 0 && high > 0 {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(0)))\" y2=\"\(f(y(0)))\" stroke=\"#8c959f\" stroke-dasharray=\"3 3\"/>\n"
        }
        svg += "<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\" points=\"\(steps(chart.points.map { ($0.time, $0.netDelta) }, to: chart.to, x: x, y: y))\"/>\n"
        for trade in chart.trades {
            svg += "<line x1=\"\(f(x(trade.time)))\" x2=\"\(f(x(trade.time)))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" stroke=\"#d1242f\" stroke-width=\"1\"><title>\(escape(trade.time.iso8601 + " " + trade.label))</title></line>\n"
        }
        svg += axes(width: width, height: height, left: left, right: right, top: top, bottom: bottom,
                    high: number(high), low: number(low), from: chart.from, to: chart.to)
        svg += "</svg>\n"
        // The hedge ratio below.
        let ratios = chart.points.compactMap { point in point.hedgeRatio.map { (point.time, $0) } }
        var ratioSVG = ""
        if !ratios.isEmpty {
            var rLow = min(0, ratios.map(\.1).min()!), rHigh = max(1, ratios.map(\.1).max()!)
            if rHigh - rLow < 1e-12 { rLow -= 1; rHigh += 1 }
            func ry(_ value: Double) -> Double { top + (ratioHeight - top - bottom) * (rHigh - value) / (rHigh - rLow) }
            ratioSVG = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(ratioHeight))\" viewBox=\"0 0 \(Int(width)) \(Int(ratioHeight))\" role=\"img\" aria-label=\"hedge ratio\">\n"
            ratioSVG += "<polyline fill=\"none\" stroke=\"#8250df\" stroke-width=\"1.5\" points=\"\(steps(ratios, to: chart.to, x: x, y: ry))\"/>\n"
            ratioSVG += axes(width: width, height: ratioHeight, left: left, right: right, top: top, bottom: bottom,
                             high: number(rHigh), low: number(rLow), from: chart.from, to: chart.to)
            ratioSVG += "</svg>\n"
        }
        return "<figure>\n\(svg)\(ratioSVG)<figcaption>\(caption); the hedge ratio (purple) below\(warning)</figcaption>\n</figure>\n"
            + (chart.explain.map { render($0, book: chart.book, underlying: chart.underlying) } ?? "")
    }

    /// The day's P&L explain as horizontal bars from a zero line: each greek's part, the
    /// residual, and the P&L they add up to.
    static func render(_ explain: ExposureRow.PnLExplain, book: String, underlying: String) -> String {
        let parts: [(String, Double, String)] = [
            ("delta", explain.delta, "#0969da"), ("gamma", explain.gamma, "#1a7f37"), ("vega", explain.vega, "#8250df"),
            ("theta", explain.theta, "#bf8700"), ("residual", explain.residual, "#8c959f"), ("P&L", explain.actual, "#1b1f23"),
        ]
        let width = 900.0, label = 90.0, value = 110.0, row = 22.0, height = row * Double(parts.count) + 10
        let largest = max(parts.map { abs($0.1) }.max() ?? 0, 1e-9)
        let zero = label + (width - label - value) / 2, half = (width - label - value) / 2 - 4
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"P&amp;L explain\">\n"
        svg += "<line x1=\"\(f(zero))\" x2=\"\(f(zero))\" y1=\"2\" y2=\"\(f(height - 4))\" stroke=\"#57606a\"/>\n"
        for (index, part) in parts.enumerated() {
            let y = 5 + row * Double(index), length = half * abs(part.1) / largest
            let x = part.1 < 0 ? zero - length : zero
            svg += "<text x=\"\(f(label - 6))\" y=\"\(f(y + 13))\" font-size=\"11\" text-anchor=\"end\">\(escape(part.0))</text>\n"
            svg += "<rect x=\"\(f(x))\" y=\"\(f(y + 2))\" width=\"\(f(max(length, 0.5)))\" height=\"\(f(row - 6))\" fill=\"\(part.2)\"/>\n"
            svg += "<text x=\"\(f(width - 4))\" y=\"\(f(y + 13))\" font-size=\"11\" text-anchor=\"end\">\(escape(TableRenderer.display(.number(part.1), places: 2)))</text>\n"
        }
        svg += "</svg>\n"
        return "<figure>\n\(svg)<figcaption>\(escape(book)) \(escape(underlying)): the day's P&amp;L explain, USD</figcaption>\n</figure>\n"
    }

    /// A step line: each value holds until the next point, the last until `to`.
    private static func steps(_ points: [(Timestamp, Double)], to: Timestamp, x: (Timestamp) -> Double, y: (Double) -> Double) -> String {
        var coordinates: [String] = []
        for (index, point) in points.enumerated() {
            let end = index + 1 < points.count ? points[index + 1].0 : to
            coordinates.append("\(f(x(point.0))),\(f(y(point.1)))")
            coordinates.append("\(f(x(end))),\(f(y(point.1)))")
        }
        return coordinates.joined(separator: " ")
    }

    private static func axes(width: Double, height: Double, left: Double, right: Double, top: Double, bottom: Double,
                             high: String, low: String, from: Timestamp, to: Timestamp) -> String {
        var svg = "<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" stroke=\"#57606a\"/>\n"
        svg += "<text x=\"\(f(left - 4))\" y=\"\(f(top + 8))\" font-size=\"10\" text-anchor=\"end\">\(escape(high))</text>\n"
        svg += "<text x=\"\(f(left - 4))\" y=\"\(f(height - bottom))\" font-size=\"10\" text-anchor=\"end\">\(escape(low))</text>\n"
        svg += "<text x=\"\(f(left))\" y=\"\(f(height - 4))\" font-size=\"10\">\(escape(from.iso8601))</text>\n"
        svg += "<text x=\"\(f(width - right))\" y=\"\(f(height - 4))\" font-size=\"10\" text-anchor=\"end\">\(escape(to.iso8601))</text>\n"
        return svg
    }

    /// A coordinate with two decimals.
    private static func f(_ value: Double) -> String {
        let scaled = (value * 100).rounded()
        guard scaled.isFinite, abs(scaled) < 1e12 else { return "0" }
        let whole = Int(scaled)
        let sign = whole < 0 ? "-" : ""
        let magnitude = abs(whole)
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Text as HTML that shows it as written: the five special characters as entities.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.escapingControlCharacters {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
