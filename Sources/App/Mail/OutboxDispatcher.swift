import Foundation
import Logging
public import ServiceLifecycle
import Storage
import Domain
import HTTPTypes
import Hummingbird
import NIOCore
import SolarSecurity
import SMTP

/// Delivers the outbox: emails are written to the database in the same transaction as the
/// change that causes them, and sent from here, so nothing is lost or sent for a rolled-back change.
public struct OutboxDispatcher: Service {
    let services: AppServices
    var interval: Duration = .seconds(2)

    public init(services: AppServices) {
        self.services = services
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) { await deliverPending() }
    }

    /// Sends what is pending; returns how many were sent.
    @discardableResult
    public func deliverPending() async -> Int {
        let pending: [OutboxEmail]
        do {
            pending = try await services.store.read { [now = services.now()] db in try db.dueEmails(limit: 20, now: now) }
        } catch {
            failed("outbox_read", error)
            return 0
        }
        var sent = 0
        for email in pending {
            // Claim first, so two dispatchers (replicas, or a sweep beside a test) never both send it.
            let claimed: Bool
            do {
                let now = services.now()
                claimed = try await services.store.write { db in
                    try db.claimEmail(id: email.id, attempts: email.attempts, now: now, until: now.addingTimeInterval(Self.claimLease))
                }
            } catch {
                failed("outbox_claim", error)
                continue
            }
            guard claimed else { continue }
            do {
                let message = try render(email)
                try await services.mailer.send(message)
                let now = services.now()
                try await services.store.write { db in try db.markEmailSent(id: email.id, at: now) }
                sent += 1
            } catch {
                // The claim already counted the attempt; a later sweep retries after a backoff.
                let attempt = email.attempts + 1
                let metadata: Logger.Metadata = [
                    "outbox_id": .string(email.id.uuidString.lowercased()), "attempt": .stringConvertible(attempt),
                    "error": .string(Self.reason(error)),
                ]
                if attempt >= Self.maxAttempts {
                    // Dead letter: no dispatcher picks it up again. Counted and alerted on.
                    services.logger.error("outbox email dead-lettered after its last attempt", metadata: metadata)
                    services.metrics.outboxDeadLetter()
                } else {
                    services.logger.warning("outbox delivery failed", metadata: metadata)
                }
                let retryAt = services.now().addingTimeInterval(Self.retryDelay(afterAttempt: attempt, base: TimeInterval(services.config.outboxRetrySeconds)))
                do { try await services.store.write { db in try db.deferEmail(id: email.id, until: retryAt) } } catch { failed("outbox_defer", error) }
            }
        }
        return sent
    }

    /// How long a claim holds an email: far longer than a send takes, so it never lapses mid-send.
    static let claimLease: TimeInterval = 120
    /// The attempts an email gets (the outbox queries stop at this many).
    static let maxAttempts = 10

    /// Backoff after a failed send: `base` (30 s), twice that, four times ... at most 30 minutes.
    static func retryDelay(afterAttempt attempt: Int, base: TimeInterval = 30) -> TimeInterval {
        min(base * pow(2, Double(max(attempt - 1, 0))), 1800)
    }

    /// What went wrong, without addresses or content: the SMTP step, or the error's type.
    static func reason(_ error: any Error) -> String {
        (error as? SMTPError)?.description ?? String(reflecting: type(of: error))
    }

    /// Logs (by error type: no address or code) and counts a database failure of the outbox.
    func failed(_ operation: String, _ error: any Error) {
        services.logger.error("outbox database operation failed", metadata: [
            "operation": .string(operation), "error_type": .string(String(reflecting: type(of: error))),
        ])
        services.metrics.internalFailure(operation)
    }

    /// Where links in emails point: `PUBLIC_ORIGIN`, or this server on the loopback address in development.
    var siteOrigin: String {
        services.config.publicOrigin ?? "http://127.0.0.1:\(services.config.port)"
    }

    func render(_ email: OutboxEmail) throws -> EmailMessage {
        let context = "outbox:\(email.id.uuidString.lowercased())"
        let to = try services.cipher.decrypt(email.recipientCiphertext, context: context + ":to")
        let (notice, token) = MailNotice.parse(try services.cipher.decrypt(email.payloadCiphertext, context: context + ":token"))
        switch (email.template, notice) {
        case (.resetPassword, .signupAttempt):
            return EmailMessage(to: to, subject: "Someone tried to sign up with your SolarDispatch email address", body: """
                Someone tried to create a SolarDispatch account with this email address. It already has an account, so
                nothing was created and nothing about your account has changed.

                If it was you, you do not need a new account: log in at \(siteOrigin)/login. If you forgot your password,
                reset it at \(siteOrigin)/password/reset (or in the app) with this code.

                Your reset code is: \(token)

                It works once, within 30 minutes. If it was not you, ignore this message: your password has not changed.
                """, createdAt: email.createdAt)
        case (.verifyEmail, _):
            return EmailMessage(to: to, subject: "Confirm your SolarDispatch email address", body: """
                Welcome to SolarDispatch.

                Your confirmation code is: \(token)

                Enter it at \(siteOrigin)/verify-email or in the app within 30 minutes. If you did not create an account,
                ignore this message.
                """, createdAt: email.createdAt)
        case (.invitation, _):
            return EmailMessage(to: to, subject: "You are invited to SolarDispatch", body: """
                An administrator created a SolarDispatch account for this email address. Choose your password at
                \(siteOrigin)/invitation (or in the app) with this code:

                Your invitation code is: \(token)

                It works once, within 72 hours. At your first login you will also set up two-factor authentication.
                If you did not expect this, ignore this message: without the code nobody can use the account.
                """, createdAt: email.createdAt)
        case (.loginCode, _):
            return EmailMessage(to: to, subject: "Your SolarDispatch login code", body: """
                Someone is logging in to your SolarDispatch account from a device or browser it has not used before.

                Your login code is: \(token)

                Enter it on the login page or in the app within 10 minutes. It works once. If it was not you, do not share
                it with anyone: change your password at \(siteOrigin)/account/password, since whoever tried knows it.
                """, createdAt: email.createdAt)
        case (.resetPassword, nil):
            return EmailMessage(to: to, subject: "Reset your SolarDispatch password", body: """
                Someone asked to reset the password of your SolarDispatch account.

                Your reset code is: \(token)

                Enter it in the app or on the website within 30 minutes. It works once. If you did not ask for it, ignore this
                message: your password has not changed.
                """, createdAt: email.createdAt)
        }
    }
}
