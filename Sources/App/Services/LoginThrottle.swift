import Foundation
import SolarSecurity
import Storage
import Domain
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Login throttling that slows guessing without becoming a lockout weapon.
///
/// Failures (wrong password or wrong second factor) are counted per account and per client
/// address, in the database so every replica shares them. After 5 failures for an account
/// (20 for an address) within 15 minutes, logins for that key are refused with 429 for
/// 1 minute, doubling with each further failure up to 15 minutes. During a lock even the
/// right password is refused, without being checked, except from a device that presents a
/// valid `DeviceToken` for the account (it got one at an earlier login): the account lock does
/// not hold it, so a stranger's guesses cannot lock the owner out; its address still can be.
/// A success resets the account's and the address's counters. Unknown emails are throttled
/// exactly like known ones.
struct LoginThrottle: Sendable {
    /// `LOGIN_MAX_FAILURES_PER_ACCOUNT` (default 5) and `LOGIN_MAX_FAILURES_PER_ADDRESS` (default 20).
    var accountThreshold = 5
    var addressThreshold = 20
    static let baseLock: TimeInterval = 60
    static let maxLock: TimeInterval = 15 * 60
    static let window: TimeInterval = 15 * 60

    /// The account key names no email: a keyed HMAC (the blind-index key) of the normalised address.
    static func accountKey(_ email: String, index: BlindIndex) -> String { "a:" + index.throttle(email) }

    /// The account key under every key of the blind-index ring (device tokens issued before a rotation).
    static func accountKeys(_ email: String, index: BlindIndex) -> [String] { index.throttles(email).map { "a:" + $0 } }
    static func addressKey(_ ip: String) -> String { "i:" + ip.prefix(45) }

    func threshold(for key: String) -> Int { key.hasPrefix("a:") ? accountThreshold : addressThreshold }

    /// Seconds until every lock among `records` has ended, or nil when none is locked.
    static func retryAfter(_ records: [ThrottleRecord], now: Date) -> Int? {
        let until = records.compactMap(\.lockedUntil).filter { $0 > now }.max()
        return until.map { Int(($0.timeIntervalSince(now)).rounded(.up)) }
    }

    /// The lock that `failures` recent failures of `key` earn at `now`, or nil below the threshold.
    func lockedUntil(failures: Int, key: String, now: Date) -> Date? {
        let threshold = threshold(for: key)
        guard failures >= threshold else { return nil }
        let doublings = min(failures - threshold, 10)
        return now.addingTimeInterval(min(Self.maxLock, Self.baseLock * Double(1 << doublings)))
    }
}
