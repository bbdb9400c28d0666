// Small files that declare or inflate to huge contents, made in memory with zlib for the
// resource-limit tests: deflate/gzip streams of many zero bytes, and a PNG whose IHDR declares
// a large image whose rows are all zero (a 13,000 × 13,000 one is about 0.5 MB).

import CZlib
import EFCore
import Foundation

public enum BombFiles {
    /// `count` zero bytes compressed at level 9, as a zlib stream (`gzip` false) or a gzip
    /// member (`gzip` true), compressed from a 1 MiB buffer so the zeros are never all in memory.
    public static func compressedZeros(_ count: Int, gzip: Bool) -> [UInt8] {
        var stream = z_stream()
        let windowBits = gzip ? 16 + MAX_WBITS : MAX_WBITS
        precondition(deflateInit2_(&stream, 9, Z_DEFLATED, windowBits, 9, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                   Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var remaining = count
        repeat {
            let take = min(remaining, zeros.count)
            remaining -= take
            let flush = remaining == 0 ? Z_FINISH : Z_NO_FLUSH
            zeros.withUnsafeBufferPointer { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(take)
                repeat {
                    let produced = buffer.withUnsafeMutableBufferPointer { out -> Int in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        _ = deflate(&stream, flush)
                        return out.count - Int(stream.avail_out)
                    }
                    output += buffer[0..<produced]
                } while stream.avail_out == 0 || stream.avail_in > 0
            }
        } while remaining > 0
        return output
    }

    /// `bytes` as one gzip member (level 6).
    public static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                   Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return out.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(written))
    }

    /// An 8-bit RGB PNG of `width × height` black pixels: IHDR, one IDAT of zero rows, IEND.
    /// With `rows` false the IDAT is empty (a header-only file, for refusals from the header).
    public static func blackPNG(width: Int, height: Int, rows withRows: Bool = true) -> [UInt8] {
        func be32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be32(data.count) + body + be32(Int(CRC32.checksum(body)))
        }
        let header = be32(width) + be32(height) + [8, 2, 0, 0, 0]
        let rows = withRows ? compressedZeros(height * (1 + 3 * width), gzip: false) : []
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", rows)
            + chunk("IEND", [])
    }
}
