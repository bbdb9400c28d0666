// The matrix of a discrete Fourier transform of length N, as SpectralImporters multiplies by it:
// rows are the input's (part, index) pairs, columns the output's (part, index) pairs, parts being
// real and imaginary. Entries are made in double with the angle's product k·t reduced mod N
// first, so large transforms keep their accuracy.

import Foundation

/// One DFT: its length, direction and which half of the spectrum it reads or writes.
struct DFTTransform {
    /// N, the transform's length.
    let length: Int
    /// X[k] → x[t] = (1/N) Σ X[k] e^{+2πikt/N} instead of x[t] → X[k] = Σ x[t] e^{−2πikt/N}.
    let inverse: Bool
    /// Forward: only K = N/2 + 1 outputs. Inverse: the input is such a half spectrum of a real
    /// signal (numpy's irfft), and the output is real.
    let onesided: Bool

    /// The number of input entries read along the axis (the rest is cropped, or zeros added).
    var inputLength: Int { inverse && onesided ? length / 2 + 1 : length }
    /// The number of output entries along the axis.
    var outputLength: Int { !inverse && onesided ? length / 2 + 1 : length }
    /// 1 for a real output (the inverse of a half spectrum), else 2.
    var outputParts: Int { inverse && onesided ? 1 : 2 }

    /// The [inputParts·inputLength, outputParts·outputLength] matrix, row-major.
    /// out = Σ_t (a_t + i·b_t)(cos θ + i·s·sin θ)·scale with θ = 2π(k·t mod N)/N, s = +1 inverse,
    /// −1 forward, scale 1/N inverse. For a half spectrum each row k counts twice except
    /// k = 0 and k = N/2 (its conjugate partner is itself), as irfft weighs it.
    func matrix(inputParts: Int) -> [Double] {
        let rows = inputLength, columns = outputLength, parts = outputParts
        let sign: Double = inverse ? 1 : -1
        let scale = inverse ? 1 / Double(length) : 1
        let width = parts * columns
        var values = [Double](repeating: 0, count: inputParts * rows * width)
        for t in 0..<rows {
            let weight = inverse && onesided && t != 0 && 2 * t != length ? 2 * scale : scale
            for k in 0..<columns {
                let angle = 2 * Double.pi * Double((t * k) % length) / Double(length)
                let cosine = cos(angle) * weight, sine = sign * sin(angle) * weight
                values[t * width + k] = cosine                             // re → re
                if parts == 2 { values[t * width + columns + k] = sine }   // re → im
                if inputParts == 2 {
                    let imaginaryRow = (rows + t) * width
                    values[imaginaryRow + k] = -sine                       // im → re
                    if parts == 2 { values[imaginaryRow + columns + k] = cosine }   // im → im
                }
            }
        }
        return values
    }
}
