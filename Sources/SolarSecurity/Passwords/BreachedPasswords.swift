import Crypto
public import Foundation

/// Optional check against the Pwned Passwords range API with k-anonymity: only the first five
/// hex characters of the password's SHA-1 leave the server; the match is done locally.
public struct BreachedPasswords: Sendable {
    /// `PWNED_PASSWORDS`: what to do, and what to do when the service cannot be reached.
    public enum Mode: String, Sendable {
        case off
        /// Accept the password when the service fails (availability over strictness).
        case failOpen = "fail-open"
        /// Refuse the password change when the service fails (strictness over availability).
        case failClosed = "fail-closed"
    }

    public enum Verdict: Sendable, Equatable {
        case notFound
        case breached
        /// The service failed and the mode is fail-closed.
        case unavailable
    }

    public let mode: Mode
    let fetch: @Sendable (URL) async throws -> String
    let baseURL: URL
    let report: @Sendable (any Error) -> Void

    /// `fetch` loads a URL's body (the app passes its outbound client; tests replace it), and
    /// `report` hears every failure of the service, which the verdict alone would hide.
    public init(mode: Mode, baseURL: URL = URL(string: "https://api.pwnedpasswords.com/range/")!,
                fetch: @escaping @Sendable (URL) async throws -> String,
                report: @escaping @Sendable (any Error) -> Void = { _ in }) {
        self.mode = mode
        self.baseURL = baseURL
        self.fetch = fetch
        self.report = report
    }

    /// The check switched off (no fetch is ever made).
    public static let off = BreachedPasswords(mode: .off, fetch: { _ in "" })

    public func check(_ password: String) async -> Verdict {
        guard mode != .off else { return .notFound }
        let digest = Insecure.SHA1.hash(data: Data(password.precomposedStringWithCanonicalMapping.utf8))
            .map { String(format: "%02X", $0) }.joined()
        let prefix = String(digest.prefix(5)), suffix = digest.dropFirst(5)
        do {
            let body = try await fetch(baseURL.appendingPathComponent(prefix))
            let found = body.split(whereSeparator: \.isNewline).contains { line in
                let parts = line.split(separator: ":")
                return parts.count == 2 && parts[0].uppercased() == suffix && (Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0) > 0
            }
            return found ? .breached : .notFound
        } catch {
            report(error)
            return mode == .failClosed ? .unavailable : .notFound
        }
    }
}
