// The profile as one self-contained HTML page (no network assets): a summary header with the
// five slowest layers, a bar chart of every step's time (inline SVG, drawn without JS), and a
// table of every step that inline JS sorts by any column. All report text is escaped.

import Foundation

/// Renders a `ProfileReport` as an HTML page, in the spirit of a dataflow compiler's profiler report.
public enum ProfileHTML {
    /// The table's columns: sort key (also `#sort=KEY` in the address), header, numeric or not.
    static let columns: [(key: String, title: String, numeric: Bool)] = [
        ("index", "#", true), ("name", "node", false), ("op", "op", false), ("kernel", "kernel", false),
        ("layout", "layout", false), ("precision", "precision", false), ("median", "median", true),
        ("min", "min", true), ("max", "max", true), ("share", "% of time", true), ("macs", "MACs", true),
        ("bytes", "bytes moved", true), ("gflops", "GFLOP/s", true), ("peak", "% of peak", true),
    ]

    /// The colour ("#rrggbb") of each op's bars in the page of `report`: distinct ops get
    /// distinct colours, in order of first appearance (up to 12, then the palette repeats).
    public static func opColours(_ report: ProfileReport) -> [String: String] {
        ProfileHTMLAssets.colours(ops: report.steps.map(\.op))
    }

    /// The whole page. Every string from the report (model, CPU, node, op, kernel, layout,
    /// precision) goes through `HTMLText.escape`.
    public static func render(_ report: ProfileReport) -> String {
        let e = HTMLText.escape
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Edgeflow profile: \(e(report.model))</title>
        <style>
        \(ProfileHTMLAssets.style)
        </style>
        </head>
        <body>

        """
        html += header(report)
        html += "<main>\n"
        let colours = opColours(report)
        html += summary(report, colours: colours)
        html += ProfileChart.section(report, colours: colours)
        html += table(report, colours: colours)
        html += "</main>\n<script>\n\(ProfileHTMLAssets.script)</script>\n</body>\n</html>\n"
        return html
    }

    static func header(_ report: ProfileReport) -> String {
        let e = HTMLText.escape
        let cpu = report.cpu
        let named = cpu.modelName.lowercased().contains("hz")
        let clock = cpu.clockMHz > 0 && !named ? " @ " + HTMLText.significant(cpu.clockMHz / 1000) + " GHz" : ""
        return """
        <header>
        <h1>Edgeflow profile: \(e(report.model))</h1>
        <div class="sub">\(e(cpu.modelName))\(clock) · \(e(cpu.isaSummary)) · \(report.threads) \
        thread\(report.threads == 1 ? "" : "s") · \(report.runs) run\(report.runs == 1 ? "" : "s") · \
        \(report.steps.count) steps</div>
        </header>

        """
    }

    static func summary(_ report: ProfileReport, colours: [String: String]) -> String {
        let total = report.totalMedianNanoseconds
        let overhead = total > report.stepsMedianNanoseconds ? total - report.stepsMedianNanoseconds : 0
        let peak = report.peakGFLOPS
        let percent = peak > 0 ? HTMLText.percent(100 * report.achievedGFLOPS / peak) + " of peak" : "peak unknown"
        let peakText = peak > 0 ? HTMLText.significant(peak) + " GFLOP/s" : "unknown"
        var out = "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n"
        out += card("total time (median)", HTMLText.duration(total),
                    "min \(HTMLText.duration(report.totalMinNanoseconds)) · max "
                        + HTMLText.duration(report.totalMaxNanoseconds))
        out += card("steps", "\(report.steps.count)",
                    "sum \(HTMLText.duration(report.stepsMedianNanoseconds)) · between steps "
                        + HTMLText.duration(overhead))
        out += card("compute", HTMLText.count(report.totalMACs) + " MACs",
                    HTMLText.significant(report.achievedGFLOPS) + " GFLOP/s · " + percent)
        out += card("peak estimate", peakText,
                    "\(HTMLText.significant(report.corePeakGFLOPS)) GFLOP/s per core × \(report.threads)")
        out += "</div>\n<h2 style=\"margin-top:14px\">Slowest layers</h2>\n<table class=\"top\" id=\"top5\">\n"
        let slowest = report.slowestSteps(5)
        let longest = max(1, slowest.first?.medianNanoseconds ?? 1)
        for step in slowest {
            let width = 100 * Double(step.medianNanoseconds) / Double(longest)
            out += "<tr><td>\(step.index)</td><td>\(HTMLText.escape(HTMLText.truncated(step.name, to: 60)))</td>"
            out += "<td>\(HTMLText.escape(step.op))</td><td>\(HTMLText.escape(step.kernel))</td>"
            out += "<td class=\"n\">\(HTMLText.duration(step.medianNanoseconds))</td>"
            out += "<td class=\"n\">\(HTMLText.percent(share(step, of: report)))</td>"
            out += "<td style=\"width:35%\"><div class=\"track\"><div class=\"bar\" style=\"width:"
            out += "\(String(format: "%.1f", width))%;background:\(colours[step.op] ?? "#888")\"></div>"
            out += "</div></td></tr>\n"
        }
        out += "</table>\n</section>\n"
        return out
    }

    static func card(_ key: String, _ value: String, _ detail: String) -> String {
        "<div class=\"card\"><div class=\"k\">\(HTMLText.escape(key))</div><div class=\"v\">\(HTMLText.escape(value))"
            + "</div><div class=\"d\">\(HTMLText.escape(detail))</div></div>\n"
    }

    /// The step's share of the sum of step medians, in percent (nil when that sum is 0).
    static func share(_ step: ProfiledStep, of report: ProfileReport) -> Double? {
        let sum = report.stepsMedianNanoseconds
        return sum > 0 ? 100 * Double(step.medianNanoseconds) / Double(sum) : nil
    }

    static func table(_ report: ProfileReport, colours: [String: String]) -> String {
        let e = HTMLText.escape
        var out = "<section>\n<h2>Every step</h2>\n<p class=\"note\">Click a column header to sort; "
        out += "click again for the other direction.</p>\n<table class=\"steps\" id=\"steps\">\n<thead><tr>"
        for column in columns {
            out += "<th data-key=\"\(column.key)\" data-type=\"\(column.numeric ? "num" : "text")\""
            out += " aria-sort=\"none\">\(e(column.title))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        let longest = max(1, report.steps.map(\.medianNanoseconds).max() ?? 1)
        for step in report.steps {
            let width = max(1, Int(60 * Double(step.medianNanoseconds) / Double(longest)))
            let colour = colours[step.op] ?? "#888"
            out += "<tr id=\"step-\(step.index)\" data-index=\"\(step.index)\">"
            out += num(step.index, "\(step.index)")
            out += "<td class=\"name\" data-v=\"\(e(step.name))\" title=\"\(e(step.name))\">\(e(step.name))</td>"
            for text in [step.op, step.kernel, step.layout, step.precision] {
                out += "<td data-v=\"\(e(text))\">\(e(text))</td>"
            }
            out += "<td class=\"n\" data-v=\"\(step.medianNanoseconds)\"><span class=\"tbar\" style=\"width:"
            out += "\(width)px;background:\(colour)\"></span>\(HTMLText.duration(step.medianNanoseconds))</td>"
            out += num(step.minNanoseconds, HTMLText.duration(step.minNanoseconds))
            out += num(step.maxNanoseconds, HTMLText.duration(step.maxNanoseconds))
            let stepShare = share(step, of: report)
            out += "<td class=\"n\" data-v=\"\(HTMLText.sortKey(stepShare))\">\(HTMLText.percent(stepShare))</td>"
            out += num(step.macs, HTMLText.count(step.macs))
            out += num(step.bytesMoved, HTMLText.bytes(step.bytesMoved))
            out += "<td class=\"n\" data-v=\"\(HTMLText.sortKey(step.achievedGFLOPS))\">"
            out += "\(HTMLText.significant(step.achievedGFLOPS))</td>"
            out += "<td class=\"n\" data-v=\"\(HTMLText.sortKey(step.percentOfPeak))\">"
            out += "\(HTMLText.percent(step.percentOfPeak))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n</section>\n"
        return out
    }

    private static func num<T: BinaryInteger>(_ value: T, _ text: String) -> String {
        "<td class=\"n\" data-v=\"\(value)\">\(HTMLText.escape(text))</td>"
    }
}
