import Domain
import Foundation
import HTTPTypes
import Synchronization

/// Security events that would otherwise be only error answers (ASVS V16.3.3): cross-site
/// refusals (CSRF token or `Origin`), refused webhooks, throttling that engages, and bursts of
/// invalid requests from one client. Every one is counted (`solar_security_events_total{kind}`);
/// the audit trail and the log get at most one record per kind and client a minute, so a flood
/// cannot flood them too. The limits are per replica (memory), the counts are summed by Prometheus.
final class SecurityEvents: Sendable {
    enum Kind: String, Sendable {
        case crossSite = "security.cross_site_refused"
        case webhook = "security.webhook_refused"
        case throttled = "security.throttled"
        case validation = "security.validation_repeated"
    }

    /// One audit record per kind and client within this time.
    static let quietPeriod: TimeInterval = 60
    /// Invalid requests (400, 422) from one client within `quietPeriod` that make a burst.
    static let validationBurst = 20
    /// Clients remembered at once per table: memory stays bounded under a flood from many addresses.
    static let maxTracked = 10_000

    private let lastRecorded = Mutex<[String: Date]>([:])
    private let invalid = Mutex<[String: (start: Date, count: Int)]>([:])

    /// The event an error answer is, if it is one (validation bursts are counted separately).
    static func kind(of problem: ApiError) -> Kind? {
        switch problem.slug {
        case ApiError.crossSite.slug: .crossSite
        case "webhook-refused": .webhook
        default: problem.status == .tooManyRequests ? .throttled : nil
        }
    }

    static func isInvalidInput(_ problem: ApiError) -> Bool {
        problem.status == .badRequest || problem.status == .unprocessableContent
    }

    /// Whether this occurrence should be written to the audit trail and the log.
    func shouldRecord(_ kind: Kind, client: String, now: Date) -> Bool {
        lastRecorded.withLock { seen in
            let key = kind.rawValue + "|" + client
            if let last = seen[key], now.timeIntervalSince(last) < Self.quietPeriod { return false }
            if seen.count >= Self.maxTracked {
                seen = seen.filter { now.timeIntervalSince($0.value) < Self.quietPeriod }
                // Still full (a flood from many addresses): start over rather than grow; at worst a client is recorded twice.
                if seen.count >= Self.maxTracked { seen.removeAll(keepingCapacity: true) }
            }
            seen[key] = now
            return true
        }
    }

    /// Clients currently remembered (for tests of the bound).
    var tracked: Int { lastRecorded.withLock { $0.count } + invalid.withLock { $0.count } }

    /// Counts an invalid request from `client`; true exactly when it reaches the burst size.
    func countInvalid(client: String, now: Date) -> Bool {
        invalid.withLock { counts in
            var entry = counts[client] ?? (start: now, count: 0)
            if now.timeIntervalSince(entry.start) >= Self.quietPeriod { entry = (start: now, count: 0) }
            entry.count += 1
            if counts.count >= Self.maxTracked {
                counts = counts.filter { now.timeIntervalSince($0.value.start) < Self.quietPeriod }
                if counts.count >= Self.maxTracked { counts.removeAll(keepingCapacity: true) }
            }
            counts[client] = entry
            return entry.count == Self.validationBurst
        }
    }
}
