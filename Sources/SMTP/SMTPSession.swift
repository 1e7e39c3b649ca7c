import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

/// One SMTP connection: replies arrive as lines through an async stream; commands are written
/// with CRLF. A deadline closes the channel, which ends any wait.
/// Used by one task at a time (not Sendable).
final class SMTPSession {
    let channel: any Channel
    let host: String
    private var iterator: AsyncStream<String>.Iterator
    private let expired = NIOLockedValueBox(false)
    /// The error that ended the connection, if the pipeline saw one (a failed TLS handshake).
    private let failure: NIOLockedValueBox<(any Error)?>

    var timedOut: Bool { expired.withLockedValue { $0 } }
    /// The pipeline reported a TLS failure (handshake or certificate verification).
    var tlsFailed: Bool { failure.withLockedValue { Self.isTLSError($0) } }

    static func isTLSError(_ error: (any Error)?) -> Bool { error is NIOSSLError || error is BoringSSLError }

    private init(channel: any Channel, host: String, lines: AsyncStream<String>, failure: NIOLockedValueBox<(any Error)?>) {
        (self.channel, self.host, self.failure) = (channel, host, failure)
        iterator = lines.makeAsyncIterator()
    }

    static func connect(host: String, port: Int, tls: NIOSSLContext?, timeout: Duration) async throws -> SMTPSession {
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let failure = NIOLockedValueBox<(any Error)?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.init(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(LineForwarder(continuation: continuation, failure: failure))
                }
            }
            .connect(host: host, port: port).get()
        let session = SMTPSession(channel: channel, host: host, lines: lines, failure: failure)
        let expired = session.expired
        channel.eventLoop.scheduleTask(in: .init(timeout)) {
            expired.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        return session
    }

    func close() async {
        try? await channel.close().get()  // already closed by the relay or the deadline: nothing to do
    }

    /// The whole exchange for one message.
    func conversation(configuration c: SMTPConfiguration, tls: NIOSSLContext, recipient: String, message: String) async throws {
        try await expect(220, "greeting")
        var capabilities = try await command("EHLO \(c.heloName)", 250, "EHLO")
        if c.security == .startTLS {
            guard capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) else { throw SMTPError.tlsUnavailable }
            _ = try await command("STARTTLS", 220, "STARTTLS")
            do {
                let handler = try NIOSSLClientHandler(context: tls, serverHostname: host)
                try await channel.pipeline.addHandler(handler, position: .first).get()
            } catch {
                throw SMTPError.tlsFailed
            }
            capabilities = try await command("EHLO \(c.heloName)", 250, "EHLO after STARTTLS")
        }
        if let username = c.username, let password = c.password {
            let auth = capabilities.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased().split(separator: " ") ?? []
            guard auth.contains("PLAIN") else { throw SMTPError.authUnavailable }
            let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
            _ = try await command("AUTH PLAIN \(token)", 235, "AUTH")
        }
        _ = try await command("MAIL FROM:<\(c.from)>", 250, "MAIL FROM")
        _ = try await command("RCPT TO:<\(recipient)>", 250, "RCPT TO", alsoAccept: [251])
        _ = try await command("DATA", 354, "DATA")
        try await write(Self.dotStuffed(message) + "\r\n.\r\n")
        try await expect(250, "message")
        _ = try? await command("QUIT", 221, "QUIT")  // the message is accepted; a rude goodbye changes nothing
    }

    /// Sends a command and reads its reply; returns the reply's text lines (capabilities for EHLO).
    func command(_ line: String, _ code: Int, _ step: String, alsoAccept: Set<Int> = []) async throws -> [String] {
        try await write(line + "\r\n")
        return try await expect(code, step, alsoAccept: alsoAccept)
    }

    @discardableResult
    func expect(_ code: Int, _ step: String, alsoAccept: Set<Int> = []) async throws -> [String] {
        var texts: [String] = []
        while true {
            guard let line = await nextLine() else {
                throw tlsFailed ? SMTPError.tlsFailed : SMTPError.connectionClosed
            }
            guard line.utf8.count >= 3, let got = Int(line.prefix(3)) else { throw SMTPError.rejected(step: step, code: 0) }
            texts.append(String(line.dropFirst(4)))
            if line.dropFirst(3).first == "-" { continue }
            guard got == code || alsoAccept.contains(got) else { throw SMTPError.rejected(step: step, code: got) }
            return texts
        }
    }

    private func nextLine() async -> String? {
        await iterator.next()
    }

    private func write(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// CRLF line endings, and a leading "." doubled on every line (RFC 5321 4.5.2).
    static func dotStuffed(_ message: String) -> String {
        message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
    }
}

/// Hands each decoded line to the session; the end of the connection ends the stream.
private final class LineForwarder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncStream<String>.Continuation
    let failure: NIOLockedValueBox<(any Error)?>

    init(continuation: AsyncStream<String>.Continuation, failure: NIOLockedValueBox<(any Error)?>) {
        (self.continuation, self.failure) = (continuation, failure)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let line = buffer.readString(length: buffer.readableBytes) ?? ""
        continuation.yield(line.hasSuffix("\r") ? String(line.dropLast()) : line)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failure.withLockedValue { $0 = $0 ?? error }
        continuation.finish()
        context.close(promise: nil)
    }
}
