@testable import App
import Domain
import Foundation
import Storage
import Testing

@Suite("Mail delivery: message format, retries and dead letters")
struct MailDeliveryTests {
    struct RelayDown: MailSender {
        struct Refused: Error {}
        func send(_ message: EmailMessage) async throws { throw Refused() }
    }

    @Test("the SMTP message: UTF-8 subject as an encoded word, base64 body, CRLF only, no header injection")
    func format() throws {
        let message = EmailMessage(to: "ana@example.com", subject: "Confirma tu dirección", body: ".\nCódigo: 123456\nBcc: evil@example.com",
                                   createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        let text = SMTPMailSender.rfc5322(message, from: "no-reply@solardispatch.example", id: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!)
        let (head, body) = try #require(text.range(of: "\r\n\r\n").map { (text[..<$0.lowerBound], text[$0.upperBound...]) })
        #expect(head.contains("Subject: =?UTF-8?B?\(Data("Confirma tu dirección".utf8).base64EncodedString())?="))
        #expect(head.contains("Date: Tue, 14 Nov 2023 22:13:20 +0000"))
        #expect(head.contains("Message-ID: <00000000-0000-0000-0000-000000000001@solardispatch.example>"))
        #expect(!head.contains("Bcc"))  // the body cannot add headers: it is base64
        let decoded = try #require(Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: "")))
        #expect(String(decoding: decoded, as: UTF8.self) == message.body)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test("a failed send is retried after a backoff; the last attempt dead-letters the email, logged and counted")
    func deadLetter() async throws {
        let harness = try await TestHarness.make()
        let account = try await harness.account(.customer)
        let now = Date()
        try await harness.services.store.write { db in try RecoveryService(services: harness.services).issue(.verifyEmail, to: account, db: db, now: now) }
        var services = harness.services
        services.mailer = RelayDown()
        #expect(await OutboxDispatcher(services: services).deliverPending() == 0)
        #expect(harness.logs.lines.contains { $0.contains("outbox delivery failed") && $0.contains("attempt") })
        // Deferred: not due again until the backoff has passed.
        #expect(try await harness.services.store.read { db in try db.dueEmails(limit: 10, now: now) }.isEmpty)

        // The ninth failure was the one before; the tenth is the last.
        try await harness.database.withConnection { conn in _ = try conn.execute("UPDATE outbox_emails SET attempts = 9, claimed_until = NULL", []) }
        #expect(await OutboxDispatcher(services: services).deliverPending() == 0)
        #expect(harness.logs.lines.contains { $0.contains("dead-lettered") })
        #expect(harness.services.metrics.exposition().contains("solar_outbox_dead_letters_total 1"))
        #expect(try await harness.services.store.read { db in try db.pendingEmails(limit: 10) }.isEmpty)
    }
}
