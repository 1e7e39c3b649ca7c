import Domain
import Foundation
import HTTPTypes
import SolarSecurity
import Storage

/// Anti-automation for costly or abusable actions (ASVS V2.4.1): counts per account and per
/// client address in fixed one-hour windows, in the database so every replica shares them
/// (the `login_throttle` table, keys `r:<action>:<a|i>:<subject>:<window>`), and answers 429
/// with `Retry-After` (the end of the window) past the limit. A refused attempt counts too.
/// Limits: `RATE_LIMITS` (docs/configuration.md); rows go with the retention sweep.
struct ActionLimiter: Sendable {
    enum Action: String, Sendable, CaseIterable {
        case signup, passwordReset = "password-reset", emailChange = "email-change", createOrder = "create-order"
        case acceptQuote = "accept-quote", acceptOffer = "accept-offer", customerSearch = "customer-search"
        case reveal, breakGlass = "break-glass", loginCode = "login-code"
    }

    /// Per hour: (per account, per client address); nil means not limited on that subject.
    struct Limit: Sendable, Equatable {
        var perAccount: Int?
        var perAddress: Int?
    }

    static let window: TimeInterval = 3600

    static let defaults: [Action: Limit] = [
        .signup: Limit(perAccount: nil, perAddress: 20),
        .passwordReset: Limit(perAccount: 5, perAddress: 30),
        .emailChange: Limit(perAccount: 5, perAddress: nil),
        .createOrder: Limit(perAccount: 30, perAddress: 120),
        .acceptQuote: Limit(perAccount: 30, perAddress: nil),
        .acceptOffer: Limit(perAccount: 120, perAddress: nil),
        .customerSearch: Limit(perAccount: 300, perAddress: nil),
        .reveal: Limit(perAccount: 30, perAddress: nil),
        .breakGlass: Limit(perAccount: 10, perAddress: nil),
        .loginCode: Limit(perAccount: 10, perAddress: 60),
    ]

    let services: AppServices

    static func tooMany(retryAfter: Int) -> ApiError {
        ApiError(.tooManyRequests, "rate-limited", "Too many requests of this kind. Try again later.",
                 headers: [.retryAfter: String(max(1, retryAfter))])
    }

    /// Counts one attempt of `action` for the account and the address; throws 429 past a limit.
    /// `accountKey` is an account id, or a blind-index HMAC when the subject is an email.
    func check(_ action: Action, accountKey: String?, address: String?) async throws {
        let limit = services.config.rateLimits[action] ?? Self.defaults[action] ?? Limit()
        let now = services.now()
        let bucket = Int(now.timeIntervalSince1970 / Self.window)
        let windowStart = Date(timeIntervalSince1970: Double(bucket) * Self.window)
        var keys: [(String, Int)] = []
        if let max = limit.perAccount, let accountKey { keys.append(("r:\(action.rawValue):a:\(accountKey.prefix(40)):\(bucket)", max)) }
        if let max = limit.perAddress, let address { keys.append(("r:\(action.rawValue):i:\(address.prefix(45)):\(bucket)", max)) }
        guard !keys.isEmpty else { return }
        let names = keys.map(\.0)
        let counts = try await services.store.write { db in try db.countThrottleFailures(keys: names, now: now, windowStart: windowStart) }
        if keys.contains(where: { (counts[$0.0] ?? 0) > $0.1 }) {
            throw Self.tooMany(retryAfter: Int((windowStart.addingTimeInterval(Self.window).timeIntervalSince(now)).rounded(.up)))
        }
    }

    /// `RATE_LIMITS`: comma-separated `action=N` (per account) or `action@address=N` entries.
    static func parse(_ text: String) -> [Action: Limit]? {
        var limits = defaults
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Int(parts[1]), (1...1_000_000).contains(value) else { return nil }
            let name = parts[0].replacingOccurrences(of: "@address", with: "")
            guard let action = Action(rawValue: name) else { return nil }
            if parts[0].hasSuffix("@address") { limits[action, default: Limit()].perAddress = value } else { limits[action, default: Limit()].perAccount = value }
        }
        return limits
    }
}
