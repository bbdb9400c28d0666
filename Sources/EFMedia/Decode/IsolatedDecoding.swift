// Runs a decoder that cannot be trusted with hostile input (libde265 under libheif: a 4 KB HEIF
// has been seen to make it allocate without bound) in a forked child process. The parent
// watches it: the child is killed when its resident memory grows past the image memory budget
// or when it runs past a deadline, and the caller gets an error instead of a machine out of
// memory or a hung thread. The pixels come back through a shared anonymous mapping made before
// the fork, sized from the checked header, so nothing the child does can write elsewhere.

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum IsolatedDecoding {
    /// What the child reports in the first bytes of the shared region.
    private struct Header {
        var status: Int32  // 0: pixels follow; 1: an error message follows
        var width: Int32
        var height: Int32
        var length: Int32
    }

    /// The result of the child: an image of at most `capacity` bytes, or its error message.
    enum Outcome {
        case pixels(width: Int, height: Int, bytes: [UInt8])
        case failure(String)
    }

    /// Runs `decode` in a child process. `decode` writes at most `capacity` bytes of pixels into
    /// the buffer it is given and returns `(width, height, byteCount)`, or throws a message.
    /// - Parameters:
    ///   - memoryLimit: how many bytes the child's resident memory may grow by.
    ///   - seconds: the deadline.
    /// - Throws: `EdgeflowError.invalidInput` naming `what` when the child breaks a limit or dies.
    static func run(what: String, capacity: Int, memoryLimit: Int, seconds: Double,
                    _ decode: (UnsafeMutableRawBufferPointer) throws -> (Int, Int, Int)) throws -> Outcome {
        let headerSize = MemoryLayout<Header>.stride
        let size = try CheckedSize.add(capacity, max(headerSize, 64) + 1024, "\(what) output")
        guard let region = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else {
            throw EdgeflowError(.io, "\(what): cannot map \(size) bytes for the decoder's output")
        }
        defer { munmap(region, size) }
        let payload = UnsafeMutableRawBufferPointer(start: region + 64, count: size - 64)
        let baseline = residentBytes(of: getpid())
        let child = fork()
        if child < 0 { throw EdgeflowError(.io, "\(what): cannot start a decoder process (fork failed)") }
        if child == 0 { runChild(region: region, payload: payload, capacity: capacity, decode) }
        try watch(child, what: what, baseline: baseline, memoryLimit: memoryLimit, seconds: seconds)
        let header = region.load(as: Header.self)
        let length = Int(header.length)
        guard length >= 0, length <= payload.count else {
            throw EdgeflowError(.internalError, "\(what): the decoder process reported \(length) bytes")
        }
        let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: payload[0..<length]))
        if header.status != 0 { return .failure(String(decoding: bytes, as: UTF8.self)) }
        return .pixels(width: Int(header.width), height: Int(header.height), bytes: bytes)
    }

    /// The child: decode, report through the region, and leave without running exit handlers.
    private static func runChild(region: UnsafeMutableRawPointer, payload: UnsafeMutableRawBufferPointer,
                                 capacity: Int,
                                 _ decode: (UnsafeMutableRawBufferPointer) throws -> (Int, Int, Int)) -> Never {
        var header = Header(status: 1, width: 0, height: 0, length: 0)
        do {
            let (w, h, count) = try decode(UnsafeMutableRawBufferPointer(rebasing: payload[0..<capacity]))
            header = Header(status: 0, width: Int32(w), height: Int32(h), length: Int32(count))
        } catch {
            let message = Array("\(error)".utf8.prefix(1000))
            message.withUnsafeBytes { payload.copyMemory(from: $0) }
            header.length = Int32(message.count)
        }
        region.storeBytes(of: header, as: Header.self)
        _exit(0)
    }

    /// Waits for `child`, killing it when it passes the memory growth limit or the deadline.
    private static func watch(_ child: pid_t, what: String, baseline: Int, memoryLimit: Int,
                              seconds: Double) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        var status: Int32 = 0
        var delay: useconds_t = 200
        while true {
            let done = waitpid(child, &status, WNOHANG)
            if done == child { break }
            if done < 0, errno != EINTR { throw EdgeflowError(.io, "\(what): lost the decoder process") }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let grown = residentBytes(of: child) - baseline
            if elapsed > seconds || grown > memoryLimit {
                kill(child, SIGKILL)
                _ = waitpid(child, &status, 0)
                let reason = elapsed > seconds
                    ? "took longer than \(Int(seconds)) s"
                    : "needed more than \(MemoryBudget.format(memoryLimit)) of memory"
                throw EdgeflowError(.invalidInput, "\(what): the decoder \(reason) and was stopped",
                                    hint: "the file is damaged or crafted; other photos are not affected")
            }
            usleep(delay)
            delay = min(delay * 2, 5000)
        }
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw EdgeflowError(.invalidInput, "\(what): the decoder process died (status \(status))",
                                hint: "the file is damaged or crafted; other photos are not affected")
        }
    }

    /// The resident set of a process in bytes (from /proc/PID/statm), or 0 when unreadable.
    private static func residentBytes(of pid: pid_t) -> Int {
        let path = "/proc/\(pid)/statm"
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return 0 }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
