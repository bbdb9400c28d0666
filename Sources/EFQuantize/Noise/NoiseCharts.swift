// The inline SVG charts of the noise report page, drawn without script: the sensitivity and the
// accumulated SNR of every int8 layer in graph order with the flag line, and per layer a
// scatter plot of x̂ against x_fp from the report's bounded sample of pairs (one path per layer,
// so a page of many layers stays small).

import Foundation

enum NoiseCharts {
    /// The SNR bar chart section.
    static func snrSection(_ report: NoiseReport) -> String {
        let layers = report.layers.sorted { $0.index < $1.index }
        guard !layers.isEmpty else { return "" }
        let width = 1200.0, height = 260.0, left = 46.0, bottom = 24.0, top = 10.0
        let values = layers.flatMap { [$0.sensitivitySNR, $0.accumulatedSNR] }
        let high = max(report.flagBelow * 2, (values.max() ?? 0).rounded(.up))
        let low = min(0, (values.min() ?? 0).rounded(.down))
        func y(_ db: Double) -> Double { top + (height - top - bottom) * (high - db) / max(high - low, 1) }
        let slot = (width - left) / Double(layers.count), bar = max(0.6, slot * 0.4)
        var svg = "<svg id=\"snr-chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" "
        svg += "aria-label=\"SNR per layer\">\n"
        for tick in stride(from: low, through: high, by: max(10, ((high - low) / 6 / 10).rounded(.up) * 10)) {
            svg += "<line x1=\"\(f(left))\" x2=\"\(Int(width))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" "
            svg += "stroke=\"#e3e7ee\"/><text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">"
            svg += "\(Int(tick))</text>\n"
        }
        for (i, layer) in layers.enumerated() {
            let x = left + Double(i) * slot + slot * 0.1
            let name = NoiseHTML.escape(layer.layer)
            let bars = [(0.0, layer.sensitivitySNR, NoiseHTMLAssets.sensitivityBar, "sensitivity"),
                        (bar, layer.accumulatedSNR, NoiseHTMLAssets.accumulatedBar, "accumulated")]
            for (offset, db, colour, what) in bars {
                let fill = db < report.flagBelow ? NoiseHTMLAssets.flagged : colour
                let (y0, y1) = (y(max(db, low)), y(0))
                svg += "<rect x=\"\(f(x + offset))\" y=\"\(f(min(y0, y1)))\" width=\"\(f(bar))\" "
                svg += "height=\"\(f(max(abs(y1 - y0), 0.5)))\" fill=\"\(fill)\"><title>\(name): \(what) "
                svg += "\(NoiseHTML.decibels(db))</title></rect>\n"
            }
        }
        let flag = y(report.flagBelow)
        svg += "<line x1=\"\(f(left))\" x2=\"\(Int(width))\" y1=\"\(f(flag))\" y2=\"\(f(flag))\" stroke=\""
        svg += "\(NoiseHTMLAssets.flagged)\" stroke-dasharray=\"6 4\"/>\n"
        svg += "<text x=\"\(Int(width) - 4)\" y=\"\(f(flag - 4))\" text-anchor=\"end\">"
        svg += "\(f(report.flagBelow)) dB</text>\n"
        svg += "<text x=\"\(f(left))\" y=\"\(Int(height) - 6)\">layers in graph order →</text>\n</svg>\n"
        return """
        <section id="chart">
        <h2>SNR per int8 layer (dB, graph order)</h2>
        <div class="legend"><span><i style="background:\(NoiseHTMLAssets.sensitivityBar)"></i>sensitivity (only \
        this layer in int8, at the outputs)</span><span><i style="background:\(NoiseHTMLAssets.accumulatedBar)"></i>\
        accumulated (whole model in int8, at the layer)</span><span><i style="background:\(NoiseHTMLAssets.flagged)">\
        </i>below \(f(report.flagBelow)) dB</span></div>
        \(svg)</section>

        """
    }

    /// One scatter plot per layer (only the first one shown until a row is clicked).
    static func scatterSection(_ report: NoiseReport) -> String {
        var out = "<section id=\"scatter\">\n<h2>x̂ against x_fp for the selected layer</h2>\n"
        out += "<p class=\"note\">Click a row of the table to show its layer. Points are a bounded, evenly spaced "
        out += "sample of output elements over the samples; the line is x̂ = x_fp.</p>\n"
        for (rank, layer) in report.layers.enumerated() {
            out += scatter(layer, shown: rank == 0)
        }
        return out + "</section>\n"
    }

    static func scatter(_ layer: LayerNoise, shown: Bool) -> String {
        let size = 360.0, pad = 44.0
        let all = layer.points.float + layer.points.quantized
        var low = Double(all.min() ?? 0), high = Double(all.max() ?? 1)
        if high <= low { (low, high) = (low - 1, high + 1) }
        func px(_ v: Float) -> Double { pad + (size - pad - 8) * (Double(v) - low) / (high - low) }
        func py(_ v: Float) -> Double { size - pad - (size - pad - 8) * (Double(v) - low) / (high - low) }
        var path = ""
        for (x, y) in zip(layer.points.float, layer.points.quantized) {
            path += "M\(f(px(x) - 1.5)) \(f(py(y) - 1.5))h3v3h-3z"
        }
        let name = NoiseHTML.escape(layer.layer)
        var svg = "<div class=\"scatter\(shown ? " shown" : "")\" id=\"scatter-\(layer.index)\">\n"
        svg += "<p><b>\(name)</b> (\(NoiseHTML.escape(layer.op)), \(NoiseHTML.escape(layer.output)) output): "
        svg += "accumulated \(NoiseHTML.decibels(layer.accumulatedSNR)), sensitivity "
        svg += "\(NoiseHTML.decibels(layer.sensitivitySNR)), \(layer.points.float.count) points</p>\n"
        svg += "<svg viewBox=\"0 0 \(Int(size)) \(Int(size))\" width=\"\(Int(size))\" height=\"\(Int(size))\" "
        svg += "role=\"img\" aria-label=\"scatter of \(name)\">\n"
        svg += "<rect x=\"\(f(pad))\" y=\"8\" width=\"\(f(size - pad - 8))\" height=\"\(f(size - pad - 8))\" "
        svg += "fill=\"#f7f9fc\" stroke=\"#c9d1dc\"/>\n"
        svg += "<line x1=\"\(f(px(Float(low))))\" y1=\"\(f(py(Float(low))))\" x2=\"\(f(px(Float(high))))\" "
        svg += "y2=\"\(f(py(Float(high))))\" stroke=\"#9aa5b4\" stroke-dasharray=\"4 3\"/>\n"
        svg += "<path d=\"\(path)\" fill=\"\(NoiseHTMLAssets.sensitivityBar)\" fill-opacity=\"0.7\"/>\n"
        svg += "<text x=\"\(f(pad))\" y=\"\(f(size - pad + 16))\">\(NoiseHTML.number(low))</text>"
        svg += "<text x=\"\(f(size - 8))\" y=\"\(f(size - pad + 16))\" text-anchor=\"end\">\(NoiseHTML.number(high))"
        svg += "</text><text x=\"\(f(size / 2))\" y=\"\(f(size - 6))\" text-anchor=\"middle\">x_fp (float model)</text>"
        svg += "<text x=\"12\" y=\"\(f(size / 2))\" transform=\"rotate(-90 12 \(f(size / 2)))\" "
        svg += "text-anchor=\"middle\">x̂ (int8 model)</text>\n</svg>\n</div>\n"
        return svg
    }

    /// A coordinate with one decimal.
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
