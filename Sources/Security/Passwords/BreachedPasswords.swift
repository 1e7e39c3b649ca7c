import Crypto
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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

    /// `fetch` loads a URL's body; tests replace it. The default uses URLSession.
    public init(mode: Mode, baseURL: URL = URL(string: "https://api.pwnedpasswords.com/range/")!,
                fetch: (@Sendable (URL) async throws -> String)? = nil) {
        self.mode = mode
        self.baseURL = baseURL
        self.fetch = fetch ?? Self.urlSessionFetch
    }

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
            return mode == .failClosed ? .unavailable : .notFound
        }
    }

    static let urlSessionFetch: @Sendable (URL) async throws -> String = { url in
        var request = URLRequest(url: url, timeoutInterval: 3)
        request.setValue("true", forHTTPHeaderField: "Add-Padding")
        request.setValue("SolarDispatch", forHTTPHeaderField: "User-Agent")
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw URLError(.badServerResponse) }
        return String(decoding: data, as: UTF8.self)
    }
}
