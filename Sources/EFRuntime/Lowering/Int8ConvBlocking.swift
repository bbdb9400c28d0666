// Whether int8 convs may run block by block of output pixels (Int8Convolution.forEachBlock):
// `EDGEFLOW_INT8_CONV_BLOCKS=off` turns it off to measure what it gains (same bytes either way).

import Foundation

enum Int8ConvBlocking {
    static let isEnabled = ProcessInfo.processInfo.environment["EDGEFLOW_INT8_CONV_BLOCKS"] != "off"
}
