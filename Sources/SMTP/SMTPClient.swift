public import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

/// How the client talks to the relay. Mail never goes out without TLS: with `startTLS` a relay
/// that does not offer STARTTLS is refused before anything is sent.
public struct SMTPConfiguration: Sendable {
    public enum Security: String, Sendable {
        /// Plain connection upgraded with STARTTLS before EHLO is repeated (port 587).
        case startTLS = "starttls"
        /// TLS from the first byte (port 465).
        case implicitTLS = "tls"
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The envelope sender (MAIL FROM), a bare address.
    public var from: String
    /// The name this client gives in EHLO.
    public var heloName: String
    /// A PEM bundle of the certificate authorities to trust; the system's when nil.
    public var caFile: String?
    public var timeout: Duration

    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil,
                from: String, heloName: String = "solardispatch", caFile: String? = nil, timeout: Duration = .seconds(15)) {
        (self.host, self.port, self.security, self.username, self.password) = (host, port, security, username, password)
        (self.from, self.heloName, self.caFile, self.timeout) = (from, heloName, caFile, timeout)
    }
}

/// Why a delivery failed. Descriptions name the step, never the credentials or the message.
public enum SMTPError: Error, Equatable, Sendable, CustomStringConvertible {
    case connectFailed
    case tlsUnavailable
    case tlsFailed
    case authUnavailable
    case rejected(step: String, code: Int)
    case invalidAddress
    case timedOut
    case connectionClosed

    public var description: String {
        switch self {
        case .connectFailed: "could not connect to the SMTP relay"
        case .tlsUnavailable: "the relay does not offer STARTTLS; refusing to send without TLS"
        case .tlsFailed: "TLS handshake or certificate verification failed"
        case .authUnavailable: "the relay does not offer AUTH PLAIN over TLS"
        case .rejected(let step, let code): "the relay answered \(code) to \(step)"
        case .invalidAddress: "an address contains characters SMTP cannot carry"
        case .timedOut: "the SMTP conversation timed out"
        case .connectionClosed: "the relay closed the connection"
        }
    }
}

/// A small SMTP submission client (RFC 5321, RFC 3207 STARTTLS, RFC 4954 AUTH PLAIN) on
/// swift-nio and swift-nio-ssl. One connection per message; certificates are always verified,
/// with the host name, and TLS 1.2 is the minimum.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration

    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    /// Sends `message` (a complete RFC 5322 message, lines separated by CRLF) to `recipient`.
    public func send(to recipient: String, message: String) async throws(SMTPError) {
        let c = configuration
        for address in [c.from, recipient] where !Self.isSafe(address) { throw .invalidAddress }
        let tls = try Self.tlsContext(caFile: c.caFile)
        let session: SMTPSession
        do {
            session = try await SMTPSession.connect(host: c.host, port: c.port, tls: c.security == .implicitTLS ? tls : nil, timeout: c.timeout)
        } catch let error as SMTPError {
            throw error
        } catch {
            throw .connectFailed
        }
        do {
            try await session.conversation(configuration: c, tls: tls, recipient: recipient, message: message)
            await session.close()
        } catch {
            await session.close()
            if session.timedOut { throw .timedOut }
            if let error = error as? SMTPError { throw error }
            // A failed handshake also fails the write that waited for it, with a channel error.
            throw session.tlsFailed || SMTPSession.isTLSError(error) ? .tlsFailed : .connectionClosed
        }
    }

    /// No CR, LF, angle brackets or spaces: an address cannot smuggle an SMTP command.
    public static func isSafe(_ address: String) -> Bool {
        !address.isEmpty && address.utf8.count <= 254 && address.contains("@")
            && !address.unicodeScalars.contains { $0.value < 0x21 || $0 == "<" || $0 == ">" || $0.value == 0x7F }
    }

    static func tlsContext(caFile: String?) throws(SMTPError) -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let caFile { tls.trustRoots = .file(caFile) }
        do { return try NIOSSLContext(configuration: tls) } catch { throw .tlsFailed }
    }
}
