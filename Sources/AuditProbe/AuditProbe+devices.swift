import Foundation
import Synchronization

extension AuditProbe {
    static let deviceCookie = "__Host-sd_device"

    /// The trusted-device token each account got at its first login: with it the target does not
    /// email a login code again (a new device needs one), so the probe logs in like one device.
    final class Devices: Sendable {
        private let tokens = Mutex<[String: String]>([:])
        func token(_ email: String) -> String? { tokens.withLock { $0[email] } }
        func keep(_ email: String, _ token: String) { tokens.withLock { $0[email] = token } }
    }

    /// Where the probe reads the login codes a target emails to new devices: a local server's mail
    /// directory (`MAIL_DIRECTORY`: one JSON file per message with `to`, `subject`, `body`), or a
    /// command the operator provides for a deployment's test mailbox (run with `/bin/sh -c`,
    /// the address in `PROBE_EMAIL`; it prints the newest code for that address).
    public struct Mailbox: Sendable {
        public enum Source: Sendable { case directory(String), command(String) }
        public let source: Source
        /// Codes already used: a command that still prints the previous one is asked again.
        private let used = Used()
        public init(directory: String) { source = .directory(directory) }
        public init(command: String) { source = .command(command) }

        final class Used: Sendable {
            private let codes = Mutex<Set<String>>([])
            func isNew(_ code: String) -> Bool { codes.withLock { $0.insert(code).inserted } }
        }

        var description: String {
            switch source {
            case .directory(let path): path
            case .command(let command): "the output of \(command)"
            }
        }

        /// Waits up to `timeout` for a login code to `email` sent after `since`.
        func loginCode(to email: String, since: Date, timeout: TimeInterval = 15) async throws -> String? {
            let deadline = Date().addingTimeInterval(timeout)
            repeat {
                if let code = try latest(to: email, since: since), used.isNew("\(email) \(code)") { return code }
                try await Task.sleep(for: .milliseconds(500))
            } while Date() < deadline
            return nil
        }

        func latest(to email: String, since: Date) throws -> String? {
            switch source {
            case .directory(let directory): try Self.latest(in: directory, to: email, since: since)
            case .command(let command): try Self.run(command, email: email)
            }
        }

        static func latest(in directory: String, to email: String, since: Date) throws -> String? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []  // no directory yet: no mail yet
            for name in names.filter({ $0.hasSuffix(".json") }).sorted().reversed() {
                guard let millis = name.split(separator: "-").first.flatMap({ Double($0) }), millis / 1000 >= since.timeIntervalSince1970 - 1 else { continue }
                let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
                guard let message = try JSONSerialization.jsonObject(with: data) as? [String: Any], message["to"] as? String == email,
                      (message["subject"] as? String)?.contains("login code") == true, let body = message["body"] as? String,
                      let match = body.firstMatch(of: /code is: ([0-9]{6})/) else { continue }
                return String(match.1)
            }
            return nil
        }

        /// The first six-digit number the command prints, if it exits 0.
        static func run(_ command: String, email: String) throws -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.environment = (ProcessInfo.processInfo.environment).merging(["PROBE_EMAIL": email]) { $1 }
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).firstMatch(of: /\b([0-9]{6})\b/).map { String($0.1) }
        }
    }
}
