// Packing prepared images into model input tensors: u8 NHWC (normalization folded into the
// model) or float32 NCHW normalized as the reference pipeline does; batches stack along N.

import EFCore

/// Tensor layout of a packed model input.
public enum TensorLayout: String, Sendable {
    /// `[N, H, W, C]` uint8, bytes as resized (padding: `round(255·mean)` for zero-after-normalization).
    case nhwcUInt8 = "nhwc-u8"
    /// `[N, C, H, W]` float32, normalized with `Normalization`.
    case nchwFloat32 = "nchw-f32"
    /// `[N, H, W, C]` float32, normalized as `nchwFloat32` (TFLite's float image inputs).
    case nhwcFloat32 = "nhwc-f32"

    /// Bytes per tensor element: 4 for the float layouts, 1 for bytes.
    public var elementBytes: Int { self == .nhwcUInt8 ? 1 : 4 }

    /// Height and width of the image in a rank-4 tensor of this layout ([N, C, H, W] or
    /// [N, H, W, C]); nil for another rank.
    public func imageSize(of shape: [Int]) -> (height: Int, width: Int)? {
        guard shape.count == 4 else { return nil }
        return self == .nchwFloat32 ? (shape[2], shape[3]) : (shape[1], shape[2])
    }

    /// One line saying how a prepared image becomes this tensor with `normalization`.
    public func describe(_ normalization: Normalization) -> String {
        let order = normalization.channelOrder.rawValue.uppercased()
        switch self {
        case .nchwFloat32, .nhwcFloat32:
            let mean = normalization.mean.map { String($0) }.joined(separator: ", ")
            let std = normalization.std.map { String($0) }.joined(separator: ", ")
            let axes = self == .nchwFloat32 ? "NCHW" : "NHWC"
            return "float32 \(axes), \(order): (x/255 − mean)/std with mean (\(mean)), std (\(std)) in 0…1 units "
                + "(\(normalization.arithmetic.rawValue) arithmetic)"
        case .nhwcUInt8:
            return "uint8 NHWC, \(order): the resized bytes (normalization folded into the model)"
        }
    }
}

public enum TensorPacker {
    /// One prepared image as a `[1, …]` tensor (see `TensorLayout`); channel order and
    /// normalization from `normalization`.
    public static func makeTensor(_ prepared: PreparedImage, layout: TensorLayout,
                                  normalization: Normalization) -> Tensor {
        pack([prepared], layout: layout, normalization: normalization)
    }

    /// `makeTensor` after checking `normalization` and that the prepared image and the tensor
    /// fit `budget`.
    /// - Throws: `EdgeflowError.invalidArgument` for a bad normalization (`Normalization.validate`);
    ///   `.invalidInput` when the tensor does not fit `budget`.
    public static func makeTensor(_ prepared: PreparedImage, layout: TensorLayout, normalization: Normalization,
                                  budget: MemoryBudget) throws -> Tensor {
        try makeBatch([prepared], layout: layout, normalization: normalization, budget: budget)
    }

    /// Packs images already known to share one size (the caller checked).
    static func pack(_ images: [PreparedImage], layout: TensorLayout, normalization: Normalization) -> Tensor {
        let first = images[0]
        let w = first.image.width, h = first.image.height, c = first.image.channels
        let plane = w * h
        let order = channelMap(channels: c, order: normalization.channelOrder)
        switch layout {
        case .nhwcUInt8:
            var bytes = [UInt8](repeating: 0, count: images.count * plane * c)
            for (n, p) in images.enumerated() {
                let base = n * plane * c
                for y in 0..<h {
                    for x in 0..<w {
                        let inside = p.padding == .pixels || p.geometry.contains(x: x, y: y)
                        for (dc, sc) in order.enumerated() {
                            bytes[base + (y * w + x) * c + dc] = inside ? p.image.pixels[(y * w + x) * c + sc]
                                                                        : normalization.zeroByte(channel: dc)
                        }
                    }
                }
            }
            return Tensor(shape: [images.count, h, w, c], scalars: bytes)
        case .nchwFloat32, .nhwcFloat32:
            let tables = normalization.lookupTables(channels: c)
            var values = [Float](repeating: 0, count: images.count * plane * c)
            // Element (n, y, x, channel) lives at base(n) + y·rowStep + x·pixelStep + channel·channelStep.
            let (pixelStep, channelStep) = layout == .nchwFloat32 ? (1, plane) : (c, 1)
            values.withUnsafeMutableBufferPointer { out in
                for (n, p) in images.enumerated() {
                    p.image.pixels.withUnsafeBufferPointer { src in
                        for (dc, sc) in order.enumerated() {
                            let table = tables[dc]
                            let base = n * c * plane + dc * channelStep
                            for y in 0..<h {
                                for x in 0..<w {
                                    let inside = p.padding == .pixels || p.geometry.contains(x: x, y: y)
                                    let value = inside ? table[Int(src[(y * w + x) * c + sc])] : 0
                                    out[base + (y * w + x) * pixelStep] = value
                                }
                            }
                        }
                    }
                }
            }
            return Tensor(shape: layout == .nchwFloat32 ? [images.count, c, h, w] : [images.count, h, w, c],
                          scalars: values)
        }
    }

    /// Several prepared images stacked into `[N, …]` (same layout rules as `makeTensor`).
    /// - Throws: `EdgeflowError.invalidArgument` for an empty list or when an image's size or
    ///   channel count differs from the first one's.
    ///   `.invalidInput` when the images and the tensor exceed `budget`.
    public static func makeBatch(_ images: [PreparedImage], layout: TensorLayout, normalization: Normalization,
                                 budget: MemoryBudget = .image()) throws -> Tensor {
        guard let first = images.first else {
            throw EdgeflowError(.invalidArgument, "cannot make a batch of zero images")
        }
        try normalization.validate()
        let imageBytes = try CheckedSize.multiply(first.image.pixels.count, images.count, "batch images")
        let tensorBytes = try CheckedSize.product([images.count, first.image.pixels.count, layout.elementBytes],
                                                  "batch tensor")
        try budget.check(try CheckedSize.add(imageBytes, tensorBytes, "batch memory"),
                         for: "a \(layout.rawValue) batch of \(images.count) "
                            + "\(first.image.width)×\(first.image.height) images")
        func size(_ p: PreparedImage) -> String { "\(p.image.width)×\(p.image.height)×\(p.image.channels)" }
        for (i, p) in images.enumerated() where size(p) != size(first) {
            throw EdgeflowError(.invalidArgument, "batch image \(i) is \(size(p)), image 0 is \(size(first))",
                                hint: "prepare every image with the same fixed-size recipe")
        }
        return pack(images, layout: layout, normalization: normalization)
    }

    /// Source channel per output channel: BGR reverses the colour channels (alpha stays last).
    static func channelMap(channels c: Int, order: ChannelOrder) -> [Int] {
        guard order == .bgr, c >= 3 else { return Array(0..<c) }
        return [2, 1, 0] + Array(3..<c)
    }
}

extension ImageGeometry {
    func contains(x: Int, y: Int) -> Bool {
        x >= contentX && x < contentX + contentWidth && y >= contentY && y < contentY + contentHeight
    }
}
