// Drives headless Chromium over the DevTools protocol on `--remote-debugging-pipe`: the child
// reads commands on fd 3 and writes answers and events on fd 4, one JSON message per NUL byte.
// Used by the `photos serve` page test to navigate, type, click, read the DOM and take
// screenshots of a real browser.

import EFMedia
import Foundation
import Glibc

final class DevToolsPipe {
    private var pid: pid_t = 0
    private let commands: Int32
    private let answers: Int32
    private var nextID = 0
    private var unread: [UInt8] = []
    private var session: String?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `chromium` headless with a private profile under `profile` and opens a blank page.
    init(chromium: URL, profile: URL, width: Int = 1000, height: Int = 720) throws {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw Failure(description: "pipe() failed") }
        // Above fd 10 and close-on-exec, so that only the dup2 copies (fds 3 and 4) reach the child.
        let high = [toChild[0], toChild[1], fromChild[0], fromChild[1]].map { fd -> Int32 in
            defer { close(fd) }
            return fcntl(fd, F_DUPFD_CLOEXEC, 10)
        }
        commands = high[1]
        answers = high[2]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, high[0], 3)
        posix_spawn_file_actions_adddup2(&actions, high[3], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [chromium.path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-extensions", "--hide-scrollbars", "--remote-debugging-pipe",
                         "--user-data-dir=\(profile.path)", "about:blank"]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = profile.path
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let spawned = posix_spawn(&pid, chromium.path, &actions, nil, argv, envp)
        close(high[0])
        close(high[3])
        guard spawned == 0 else { throw Failure(description: "posix_spawn chromium failed: \(spawned)") }
        let target = try send("Target.createTarget", ["url": "about:blank"], inPage: false)
        let attached = try send("Target.attachToTarget", ["targetId": target["targetId"] ?? "", "flatten": true],
                                inPage: false)
        session = attached["sessionId"] as? String
        _ = try send("Emulation.setDeviceMetricsOverride",
                     ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
        _ = try send("Page.enable")
    }

    deinit {
        _ = try? send("Browser.close", inPage: false, timeout: 5)
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(5)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        close(commands)
        close(answers)
    }

    /// Sends one command (to the page's session unless `inPage` is false) and returns its result.
    @discardableResult
    func send(_ method: String, _ parameters: [String: Any] = [:], inPage: Bool = true,
              timeout: TimeInterval = 30) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
        if inPage, let session { message["sessionId"] = session }
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: message)) + [0]
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "chromium closed its command pipe") }
            written += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let answer = try nextMessage(deadline: deadline, method: method)
            guard answer["id"] as? Int == nextID else { continue }  // an event, or an older answer
            if let error = answer["error"] { throw Failure(description: "\(method) failed: \(error)") }
            return answer["result"] as? [String: Any] ?? [:]
        }
    }

    /// One message from fd 4.
    private func nextMessage(deadline: Date, method: String) throws -> [String: Any] {
        while true {
            if let end = unread.firstIndex(of: 0) {
                let message = Array(unread[..<end])
                unread.removeSubrange(...end)
                return try JSONSerialization.jsonObject(with: Data(message)) as? [String: Any] ?? [:]
            }
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            var poller = pollfd(fd: answers, events: Int16(POLLIN), revents: 0)
            guard left > 0, poll(&poller, 1, left) > 0 else {
                throw Failure(description: "no answer from chromium to \(method)")
            }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let n = read(answers, &buffer, buffer.count)
            guard n > 0 else { throw Failure(description: "chromium closed its answer pipe during \(method)") }
            unread += buffer[..<n]
        }
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its JSON value.
    func evaluate(_ expression: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true,
                                                   "awaitPromise": true])
        if let exception = result["exceptionDetails"] {
            throw Failure(description: "\(expression) threw \(exception)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until `condition` (a JavaScript expression) is true.
    func wait(until condition: String, timeout: TimeInterval = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try evaluate(condition) as? Bool == true { return }
            usleep(50_000)
        }
        throw Failure(description: "timed out waiting for \(condition)")
    }

    /// A left click at (x, y) in CSS pixels.
    func click(x: Double, y: Double) throws {
        for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
            try send("Input.dispatchMouseEvent", ["type": type, "x": x, "y": y, "button": "left", "clickCount": 1])
        }
    }

    /// Types `text` into the focused element, then presses Enter.
    func type(_ text: String) throws {
        try send("Input.insertText", ["text": text])
        let enter: [String: Any] = ["key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13]
        try send("Input.dispatchKeyEvent", enter.merging(["type": "keyDown", "text": "\r"]) { $1 })
        try send("Input.dispatchKeyEvent", enter.merging(["type": "keyUp"]) { $1 })
    }

    /// A screenshot of the viewport, saved as `file` and decoded.
    func screenshot(to file: URL) throws -> PixelImage {
        let result = try send("Page.captureScreenshot", ["format": "png"])
        guard let base64 = result["data"] as? String, let png = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot data")
        }
        try png.write(to: file)
        return try ImageDecoder.decode(bytes: [UInt8](png)).image
    }
}
