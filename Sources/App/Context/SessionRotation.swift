import Foundation
import SolarSecurity
import Synchronization

/// The session token a re-authentication issued during this request, if any. One box per
/// request, shared by every copy of its context, so the web layer can hand the browser the new
/// cookie (and pages rendered after the step-up carry the new form token) whichever handler did it.
public final class SessionRotation: Sendable {
    private let token = Mutex<(value: String, absoluteExpiry: Date)?>(nil)

    public init() {}

    func record(_ value: String, absoluteExpiry: Date) { token.withLock { $0 = (value, absoluteExpiry) } }

    /// The new token's value, to set as the session cookie.
    public var newToken: String? { token.withLock { $0?.value } }

    /// When the session ends whatever happens (the cookie's lifetime).
    var absoluteExpiry: Date? { token.withLock { $0?.absoluteExpiry } }

    /// The new token's storage hash (what CSRF tokens are bound to).
    var newTokenHash: String? { newToken.map(OpaqueToken.storageHash(of:)) }
}
