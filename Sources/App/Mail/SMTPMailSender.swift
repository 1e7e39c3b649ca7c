import Foundation
import Domain
import SMTP

/// Delivers outbox emails through the configured relay (`SMTPClient`): TLS always, the
/// certificate verified, AUTH from a `*_FILE` secret. Failures throw; the outbox retries with
/// backoff and dead-letters after its last attempt.
struct SMTPMailSender: MailSender {
    let client: SMTPClient

    func send(_ message: EmailMessage) async throws {
        try await client.send(to: message.to, message: Self.rfc5322(message, from: client.configuration.from))
    }

    /// A plain-text message: UTF-8 subject as an encoded word, body in base64.
    static func rfc5322(_ m: EmailMessage, from: String, id: UUID = UUID.random()) -> String {
        let domain = from.split(separator: "@").last.map(String.init) ?? "solardispatch.invalid"
        let date = Self.dateFormatter.string(from: m.createdAt)
        let subject = "=?UTF-8?B?\(Data(m.subject.utf8).base64EncodedString())?="
        let body = Data(m.body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "From: SolarDispatch <\(from)>",
            "To: <\(m.to)>",
            "Subject: \(subject)",
            "Date: \(date)",
            "Message-ID: <\(id.uuidString.lowercased())@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            body,
        ].joined(separator: "\r\n")
    }

    static let dateFormatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f
    }()
}
