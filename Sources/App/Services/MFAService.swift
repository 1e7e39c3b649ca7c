import Domain
import Foundation
import SolarSecurity
import Storage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// TOTP enrolment, verification at login (with replay protection) and recovery codes.
struct MFAService: Sendable {
    let services: AppServices

    enum SecondFactor: Sendable, Equatable {
        case notEnrolled
        case verified
        case missing
        case rejected
    }

    static let recoveryCodeCount = 10

    func context(_ accountID: UUID) -> String { "mfa_totp.secret:\(accountID.uuidString.lowercased())" }

    func secret(of record: TOTPRecord) throws -> [UInt8] {
        guard let bytes = Base32.decode(try services.cipher.decrypt(record.secretCiphertext, context: context(record.accountID))) else {
            throw FieldCipherError.malformed
        }
        return bytes
    }

    /// Checks the second factor of a login whose password was right.
    func verifyAtLogin(account: Account, totpCode: String?, recoveryCode: String?, now: Date) async throws -> SecondFactor {
        guard let record = try await services.store.read({ db in try db.totp(accountID: account.id) }), record.confirmedAt != nil else {
            return .notEnrolled
        }
        if let totpCode {
            guard let step = TOTP(secret: try secret(of: record)).verify(totpCode, at: now) else { return .rejected }
            // Each code works once: the accepted step only moves forward.
            let fresh = try await services.store.write { db in try db.advanceTOTPStep(accountID: account.id, to: step) }
            return fresh ? .verified : .rejected
        }
        if let recoveryCode {
            let hash = Self.hash(recoveryCode: recoveryCode)
            let used = try await services.store.write { db in try db.useRecoveryCode(accountID: account.id, hash: hash, at: now) }
            return used ? .verified : .rejected
        }
        return .missing
    }

    /// Starts (or restarts) enrolment: a new secret, stored encrypted and unconfirmed.
    func start(account: Account, audit: AuditContext) async throws -> (secret: String, uri: String) {
        let now = services.now()
        if let existing = try await services.store.read({ db in try db.totp(accountID: account.id) }), existing.confirmedAt != nil {
            throw ApiError(.conflict, "mfa-already-enabled", "Two-factor authentication is already enabled.")
        }
        let secret = TOTP.generateSecret()
        let encoded = Base32.encode(secret)
        let record = TOTPRecord(accountID: account.id, secretCiphertext: try services.cipher.encrypt(encoded, context: context(account.id)),
                                confirmedAt: nil, lastUsedStep: 0, createdAt: now)
        try await services.store.write { db in
            try db.saveTOTP(record)
            try db.appendAudit(audit.event("mfa.enroll.start", at: now, target: ("account", account.id)))
        }
        return (encoded, TOTP(secret: secret).provisioningURI(account: account.email))
    }

    /// Confirms enrolment with a current code; returns the recovery codes (shown once).
    func confirm(account: Account, code: String, audit: AuditContext) async throws -> [String] {
        let now = services.now()
        guard let record = try await services.store.read({ db in try db.totp(accountID: account.id) }), record.confirmedAt == nil else {
            throw ApiError(.conflict, "no-pending-enrollment", "There is no two-factor enrolment to confirm.")
        }
        guard let step = TOTP(secret: try secret(of: record)).verify(code, at: now) else {
            throw ApiError(.unprocessableContent, "invalid-second-factor", "The code is not valid.", fieldErrors: [FieldError("code", "is not valid")])
        }
        let codes = (0..<Self.recoveryCodeCount).map { _ in Self.newRecoveryCode() }
        var confirmed = record
        confirmed.confirmedAt = now
        confirmed.lastUsedStep = step
        let saved = confirmed
        try await services.store.write { db in
            try db.saveTOTP(saved)
            try db.replaceRecoveryCodes(accountID: account.id, hashes: codes.map(Self.hash(recoveryCode:)), at: now)
            try db.appendAudit(audit.event("mfa.enroll.confirm", at: now, target: ("account", account.id)))
        }
        return codes
    }

    /// New recovery codes replace all the old ones (enrolled accounts; the caller checks for a
    /// recent authentication). Shown once.
    func regenerateRecoveryCodes(account: Account, audit: AuditContext) async throws -> [String] {
        let now = services.now()
        let codes = (0..<Self.recoveryCodeCount).map { _ in Self.newRecoveryCode() }
        try await services.store.write { db in
            guard try db.totp(accountID: account.id)?.confirmedAt != nil else {
                throw ApiError(.conflict, "mfa-not-enabled", "Two-factor authentication is not enabled.")
            }
            try db.replaceRecoveryCodes(accountID: account.id, hashes: codes.map(Self.hash(recoveryCode:)), at: now)
            try db.appendAudit(audit.event("mfa.recovery_codes.regenerate", at: now, target: ("account", account.id)))
        }
        return codes
    }

    /// Turns MFA off (customers only; needs a recent re-authentication).
    func disable(account: Account, audit: AuditContext) async throws {
        guard !account.role.requiresMFA else { throw ApiError(.forbidden, "mfa-mandatory", "Two-factor authentication is mandatory for staff and installer accounts.") }
        let now = services.now()
        try await services.store.write { db in
            guard try db.totp(accountID: account.id) != nil else { throw ApiError(.conflict, "mfa-not-enabled", "Two-factor authentication is not enabled.") }
            try db.deleteTOTP(accountID: account.id)
            try db.replaceRecoveryCodes(accountID: account.id, hashes: [], at: now)
            try db.appendAudit(audit.event("mfa.disable", at: now, target: ("account", account.id)))
        }
    }

    /// Five groups of five characters from a 32-symbol unambiguous alphabet: 125 random bits
    /// (ASVS V6.5.2 asks for at least 112 when a code is stored under a fast hash). Each byte
    /// maps to one symbol without bias, since 256 is a multiple of 32.
    static func newRecoveryCode() -> String {
        let alphabet = Array(recoveryAlphabet)
        let chars = SecureRandom.bytes(25).map { alphabet[Int($0) % alphabet.count] }
        return stride(from: 0, to: 25, by: 5).map { String(chars[$0..<$0 + 5]) }.joined(separator: "-")
    }

    static let recoveryAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    /// log2(32) bits per character, 25 characters.
    static let recoveryCodeBits = 125

    /// Recovery codes are stored as SHA-256 of their normalised form.
    static func hash(recoveryCode: String) -> String {
        OpaqueToken.storageHash(of: "recovery:" + recoveryCode.uppercased().filter { $0.isLetter || $0.isNumber })
    }
}
