// The noise report as one self-contained HTML page (no network assets, build side, apart from
// the deploy-side profiler's page): a summary of the whole model's outputs and the flagged
// layers, the SNR bar chart, a table of every int8 layer (most sensitive first) that inline JS
// sorts by any column, and the scatter plot of the selected layer. All report text is escaped.

import Foundation

/// Renders a `NoiseReport` as an HTML page.
public enum NoiseHTML {
    /// The table's columns: sort key (also `#click=KEY`), header, numeric or not, whether a first
    /// click sorts ascending (low values are the bad ones).
    static let columns: [(key: String, title: String, numeric: Bool, lowFirst: Bool)] = [
        ("rank", "#", true, true), ("layer", "layer", false, true), ("op", "op", false, true),
        ("out", "output", false, true), ("snr_sens", "sensitivity SNR", true, true),
        ("snr_acc", "accumulated SNR", true, true), ("cos_mean", "cosine mean", true, true),
        ("cos_min", "cosine min", true, true), ("clip", "clip rate", true, false),
        ("saturation", "saturated", true, false), ("codes", "codes used", true, true),
        ("bias", "max |bias| (channel)", true, false), ("error", "max |error|", true, false),
        ("macs", "MACs", true, false),
    ]

    /// The whole page.
    public static func render(_ report: NoiseReport) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Edgeflow noise analysis: \(escape(report.model))</title>
        <style>
        \(NoiseHTMLAssets.style)
        </style>
        </head>
        <body>
        \(header(report))<main>
        \(summary(report))\(NoiseCharts.snrSection(report))\(table(report))\(NoiseCharts.scatterSection(report))\
        </main>
        <script>
        \(NoiseHTMLAssets.script)</script>
        </body>
        </html>

        """
    }

    static func header(_ report: NoiseReport) -> String {
        let flagged = report.layers.filter(\.flagged).count
        let wide = report.wideLayers.isEmpty ? "" : "\(report.wideLayers.count) in a16_w8 (not analyzed) · "
        return """
        <header>
        <h1>Edgeflow noise analysis: \(escape(report.model))</h1>
        <div class="sub">\(report.layers.count) int8 layer\(report.layers.count == 1 ? "" : "s") · \
        \(report.floatLayers.count) kept in float · \(wide)\
        \(report.samples) sample\(report.samples == 1 ? "" : "s") · \
        \(flagged) below \(number(report.flagBelow)) dB · \(escape(report.dataSource))</div>
        </header>

        """
    }

    static func summary(_ report: NoiseReport) -> String {
        var out = "<section id=\"summary\">\n<h2>Whole int8 model at its outputs</h2>\n<div class=\"cards\">\n"
        for output in report.outputs {
            out += card(output.name, decibels(output.snr), "cosine mean \(cosine(output.cosineMean)) · min "
                        + cosine(output.cosineMin), bad: output.snr < report.flagBelow)
        }
        let flagged = report.layers.filter(\.flagged)
        out += card("flagged layers", "\(flagged.count)",
                    flagged.isEmpty ? "none below \(number(report.flagBelow)) dB"
                        : flagged.prefix(4).map(\.layer).joined(separator: ", ") + (flagged.count > 4 ? ", …" : ""),
                    bad: !flagged.isEmpty)
        if let worst = report.layers.first {
            out += card("most sensitive", worst.layer, "sensitivity \(decibels(worst.sensitivitySNR)) at "
                        + worst.sensitivityOutput, bad: worst.flagged)
        }
        return out + "</div>\n</section>\n"
    }

    static func card(_ key: String, _ value: String, _ detail: String, bad: Bool) -> String {
        "<div class=\"card\(bad ? " bad" : "")\"><div class=\"k\">\(escape(key))</div><div class=\"v\">"
            + "\(escape(value))</div><div class=\"d\">\(escape(detail))</div></div>\n"
    }

    static func table(_ report: NoiseReport) -> String {
        var out = "<section>\n<h2>Every int8 layer, most sensitive first</h2>\n<p class=\"note\">Click a column "
        out += "header to sort (the first click puts the worst values first; click again for the other direction)"
        out += "; click a row to plot it. Rows below \(number(report.flagBelow)) dB are red.</p>\n"
        out += "<table class=\"layers\" id=\"layers\" data-selected=\"\(report.layers.first?.index ?? 0)\">\n"
        out += "<thead><tr>"
        for column in columns {
            out += "<th data-key=\"\(column.key)\" data-type=\"\(column.numeric ? "num" : "text")\" data-low=\""
            out += "\(column.lowFirst ? "first" : "last")\" aria-sort=\"none\">\(escape(column.title))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (rank, layer) in report.layers.enumerated() {
            let classes = [layer.flagged ? "flag" : nil, rank == 0 ? "selected" : nil].compactMap { $0 }
            out += "<tr id=\"layer-\(layer.index)\" data-index=\"\(layer.index)\" data-rank=\"\(rank)\""
            out += classes.isEmpty ? ">" : " class=\"\(classes.joined(separator: " "))\">"
            out += cell(Double(rank + 1), "\(rank + 1)")
            out += "<td class=\"name\" data-v=\"\(escape(layer.layer))\" title=\"\(escape(layer.layer))\">"
            out += "\(escape(layer.layer))</td>"
            for text in [layer.op, layer.output] { out += "<td data-v=\"\(escape(text))\">\(escape(text))</td>" }
            out += cell(layer.sensitivitySNR, decibels(layer.sensitivitySNR), snr: true)
            out += cell(layer.accumulatedSNR, decibels(layer.accumulatedSNR), snr: true)
            out += cell(layer.cosineMean, cosine(layer.cosineMean))
            out += cell(layer.cosineMin, cosine(layer.cosineMin))
            out += optional(layer.clipRate, percent)
            out += optional(layer.saturationRate, percent)
            out += optional(layer.codesUsed.map(Double.init)) { "\(Int($0)) / 256" }
            out += cell(abs(layer.maxChannelBias), number(layer.maxChannelBias) + " (\(layer.maxBiasChannel))")
            out += cell(layer.maxAbsError, number(layer.maxAbsError))
            out += cell(Double(layer.macs), grouped(layer.macs))
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    private static func cell(_ value: Double, _ text: String, snr: Bool = false) -> String {
        "<td class=\"n\(snr ? " snr" : "")\" data-v=\"\(value.isFinite ? "\(value)" : "0")\">\(escape(text))</td>"
    }

    private static func optional(_ value: Double?, _ text: (Double) -> String) -> String {
        guard let value else { return "<td class=\"n\" data-v=\"-1\">–</td>" }
        return cell(value, text(value))
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func decibels(_ value: Double) -> String { String(format: "%.1f dB", value) }
    static func cosine(_ value: Double) -> String { String(format: "%.5f", value) }
    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }

    /// Four significant digits, plain or in scientific notation for very large or small magnitudes.
    static func number(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6) { return String(format: "%.3e", value) }
        return String(format: "%.4g", value)
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}
