import Domain
import Foundation
import SolarSecurity
import Storage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension AuthService {
    private enum RefreshOutcome: Sendable {
        case renewed(LoginResult)
        case reused(SessionRecord?)
        case invalid
    }

    /// Rotates a refresh token: the old one is spent, a new access token and refresh token are
    /// issued in the same session. Presenting a spent refresh token revokes the whole session
    /// (the token family) and records a security event.
    func refresh(_ presented: String, audit: AuditContext) async throws -> LoginResult {
        guard OpaqueToken.isWellFormed(presented) else { throw Self.invalidRefresh }
        let hash = OpaqueToken.storageHash(of: presented)
        let now = services.now()
        let ttl = services.config.apiTokenTTL
        let timeouts = services.config.sessionTimeouts
        let outcome: RefreshOutcome = try await services.store.write { db in
            guard let record = try db.refreshToken(hash: hash), let session = try db.session(id: record.sessionID) else { return .invalid }
            guard record.usedAt == nil, try db.useRefreshToken(id: record.id, at: now) else {
                try db.revokeSession(id: session.id, at: now)
                return .reused(session)
            }
            guard session.revokedAt == nil, session.kind == .api, record.expiresAt > now, session.absoluteExpiresAt > now,
                  let account = try db.account(id: session.accountID) else { return .invalid }
            let access = OpaqueToken.generate(), next = OpaqueToken.generate()
            let expires = min(now.addingTimeInterval(ttl), session.absoluteExpiresAt)
            try db.rotateAccessToken(sessionID: session.id, tokenHash: access.storageHash, expiresAt: expires, at: now)
            let nextRecord = RefreshTokenRecord(id: UUID.random(), sessionID: session.id, tokenHash: next.storageHash, createdAt: now,
                                                expiresAt: min(now.addingTimeInterval(timeouts.idle(for: account.role)), session.absoluteExpiresAt))
            try db.insertRefreshToken(nextRecord)
            var renewed = session
            renewed.tokenHash = access.storageHash
            renewed.expiresAt = expires
            return .renewed(LoginResult(token: access, session: renewed, account: account, refreshToken: next,
                                        refreshExpiresAt: nextRecord.expiresAt, mfaEnrollmentRequired: account.role.requiresMFA && !session.mfaVerified))
        }
        switch outcome {
        case .renewed(let result):
            return result
        case .reused(let session):
            services.metrics.refreshTokenReuse()
            services.logger.warning("refresh token reuse: session family revoked", metadata: ["session_id": .string(session?.id.uuidString.lowercased() ?? "")])
            let actor = try await session.asyncFlatMap { s in try await services.store.read { db in try db.account(id: s.accountID) } }
                .map { Principal(accountID: $0.id, role: $0.role) }
            try await services.store.write { db in
                try db.appendAudit(audit.event("security.refresh_token_reuse", at: now, target: session.map { ("session", $0.id) },
                                               outcome: .denied, actor: actor, detail: "session revoked"))
            }
            throw Self.invalidRefresh
        case .invalid:
            throw Self.invalidRefresh
        }
    }
}
