public import Domain
public import Foundation
public import Hummingbird
import Logging
import NIOCore
import SolarSecurity
public import Storage
import HTTPTypes

/// The context of every request: request id, client address and, once the authentication
/// middleware found a valid session, the caller.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Random id for correlating logs, audit events and problem answers.
    public var requestID: String
    /// The peer address; `AuthMiddleware` may replace it with the forwarded client IP.
    public var clientIP: String?
    /// The authenticated account, if any.
    public var principal: Principal?
    /// The session the caller presented.
    public var session: SessionRecord?
    /// A session token issued by a re-authentication during this request.
    public let rotation = SessionRotation()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = Base64URL.encode(SecureRandom.bytes(12))
        clientIP = source.channel.remoteAddress?.ipAddress
        logger[metadataKey: "request_id"] = .string(requestID)
    }

    /// JSON bodies of the API are limited to 64 KiB.
    public var maxUploadSize: Int { 64 * 1024 }
}

/// The context of routes that require a logged-in caller. It cannot be built without one,
/// so a handler can never run unauthenticated by mistake.
public struct AuthenticatedContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String
    public var clientIP: String?
    public var principal: Principal
    public var session: SessionRecord
    /// Shared with the parent context: a re-authentication records its new token here.
    public let rotation: SessionRotation

    public init(context: AppRequestContext) throws {
        guard let principal = context.principal, let session = context.session else { throw ApiError.unauthorized }
        rotation = context.rotation
        coreContext = context.coreContext
        requestID = context.requestID
        clientIP = context.clientIP
        self.principal = principal
        self.session = session
    }

    public var maxUploadSize: Int { 64 * 1024 }

    /// Role check of the access policy for `action` (403 when the role may not attempt it).
    public func requireRole(for action: Action) throws(AccessDenied) {
        let decision = AccessPolicy.decideRole(principal, action)
        guard decision == .allow else { throw denial(action, decision) }
    }

    /// Applies the access policy. A denial is thrown (and audited by `ProblemMiddleware`).
    public func authorize(_ action: Action, _ ownership: Ownership = .none, target: (type: String, id: UUID)? = nil) throws(AccessDenied) {
        let decision = AccessPolicy.decide(principal, action, ownership)
        guard decision == .allow else { throw denial(action, decision, target: target) }
    }

    func denial(_ action: Action, _ decision: Decision, target: (type: String, id: UUID)? = nil) -> AccessDenied {
        let event = AuditEvent(
            occurredAt: Date(), actorID: principal.accountID, actorRole: principal.role, action: "authz.deny",
            targetType: target?.type, targetID: target?.id, outcome: .denied, clientIP: clientIP, requestID: requestID,
            detail: action.rawValue
        )
        return AccessDenied(decision: decision, event: event)
    }
}

/// A denial by the access policy. It rolls back any transaction it is thrown in, then
/// `ProblemMiddleware` records `event` and answers 403 or 404.
public struct AccessDenied: Error, Sendable {
    public var decision: Decision
    public var event: AuditEvent
}
