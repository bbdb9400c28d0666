// The per-layer bar chart of the HTML report: one horizontal bar per step, its length the
// step's median time, its colour the step's op, as inline SVG (visible without JS).

import Foundation

enum ProfileChart {
    static let width = 1200
    static let rowHeight = 16
    static let labelWidth = 300
    static let valueWidth = 90

    /// The chart section: a legend of the ops and the SVG.
    static func section(_ report: ProfileReport, colours: [String: String]) -> String {
        let e = HTMLText.escape
        var out = "<section id=\"chart\">\n<h2>Time per step (median)</h2>\n<div class=\"legend\">"
        var seen = Set<String>()
        for step in report.steps where seen.insert(step.op).inserted {
            out += "<span><i style=\"background:\(colours[step.op] ?? "#888")\"></i>\(e(step.op))</span>"
        }
        out += "</div>\n" + svg(report, colours: colours) + "</section>\n"
        return out
    }

    static func svg(_ report: ProfileReport, colours: [String: String]) -> String {
        let e = HTMLText.escape
        let height = max(1, report.steps.count) * rowHeight + 8
        let barSpace = Double(width - labelWidth - valueWidth)
        let longest = Double(max(1, report.steps.map(\.medianNanoseconds).max() ?? 1))
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 \(width) \(height)\" "
        out += "preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"median time of each step\">\n"
        for (row, step) in report.steps.enumerated() {
            let y = 4 + row * rowHeight
            let length = max(1, barSpace * Double(step.medianNanoseconds) / longest)
            let label = "\(step.index) " + HTMLText.truncated(step.name, to: 40)
            let tip = "\(step.index) \(step.name) (\(step.op), \(step.kernel)): "
                + HTMLText.duration(step.medianNanoseconds)
            out += "<g><title>\(e(tip))</title>"
            out += "<text x=\"\(labelWidth - 6)\" y=\"\(y + rowHeight - 4)\" text-anchor=\"end\">\(e(label))</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(String(format: "%.1f", length))\" "
            out += "height=\"\(rowHeight - 4)\" rx=\"2\" fill=\"\(colours[step.op] ?? "#888")\"/>"
            out += "<text x=\"\(String(format: "%.1f", Double(labelWidth) + length + 4))\" y=\"\(y + rowHeight - 4)\">"
            out += "\(HTMLText.duration(step.medianNanoseconds))</text></g>\n"
        }
        out += "</svg>\n"
        return out
    }
}
