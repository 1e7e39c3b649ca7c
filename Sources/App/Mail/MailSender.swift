public import Foundation
import Domain
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SolarSecurity
import Storage

/// An outgoing email, rendered from an outbox entry.
public struct EmailMessage: Sendable, Codable, Equatable {
    public var to: String
    public var subject: String
    public var body: String
    public var createdAt: Date
}

/// Delivers rendered emails. Pluggable: the file spool below, or any relay.
public protocol MailSender: Sendable {
    func send(_ message: EmailMessage) async throws
}

/// Writes each message as a JSON file (mode 0600) into a spool folder: the local mail sink in
/// development (`solar mail list` reads it), or a folder a mail relay picks up.
public struct FileMailSink: MailSender {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func send(_ message: EmailMessage) async throws {
        let manager = FileManager.default
        if !manager.fileExists(atPath: directory) {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let name = "\(Int(message.createdAt.timeIntervalSince1970 * 1000))-\(UUID.random().uuidString.lowercased()).json"
        let path = (directory as NSString).appendingPathComponent(name)
        guard manager.createFile(atPath: path, contents: try encoder.encode(message), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// The messages in the sink, oldest first.
    public func messages() throws -> [EmailMessage] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            try decoder.decode(EmailMessage.self, from: Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name))))
        }
    }
}
