import Foundation

/// The audit stream as exported from the log store: one JSON object per line, as the server
/// writes them (`"stream":"audit"`), optionally after a prefix such as an export's timestamp.
/// Lines of other streams are skipped; event lines of the older format (no `seq`) are counted
/// but cannot be compared.
public struct AuditExport: Sendable, Equatable {
    /// The field names of the audit stream's JSON lines (shared with the writer).
    public enum Field {
        public static let stream = "stream"
        public static let message = "msg"
        public static let auditID = "audit_id"
        public static let seq = "seq"
        public static let entryHash = "entry_hash"
        public static let checkpointAt = "checkpoint_at"
        public static let checkpointMAC = "checkpoint_mac"
    }

    /// `stream` of audit lines and `msg` of checkpoint lines.
    public static let streamName = "audit"
    public static let checkpointMessage = "audit.checkpoint"

    /// An exported audit event with its place in the chain.
    public struct Event: Sendable, Equatable {
        public var seq: Int64
        public var entryHash: String
        public var auditID: String
        public var line: Int

        public init(seq: Int64, entryHash: String, auditID: String, line: Int) {
            self.seq = seq
            self.entryHash = entryHash
            self.auditID = auditID
            self.line = line
        }
    }

    /// An exported checkpoint and its line.
    public struct Checkpoint: Sendable, Equatable {
        public var checkpoint: AuditCheckpoint
        public var line: Int

        public init(checkpoint: AuditCheckpoint, line: Int) {
            self.checkpoint = checkpoint
            self.line = line
        }
    }

    public var events: [Event] = []
    public var checkpoints: [Checkpoint] = []
    /// Audit event lines without `seq` (written before events carried it).
    public var unanchored = 0

    public init() {}

    /// Nothing in the export can be compared with a database.
    public var isEmpty: Bool { events.isEmpty && checkpoints.isEmpty }

    /// Reads an export file.
    public static func read(path: String) throws(AuditExportError) -> AuditExport {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    /// Parses the lines of an export. Every non-blank line must hold a JSON object.
    public static func parse(_ text: String) throws(AuditExportError) -> AuditExport {
        var export = AuditExport()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            guard !raw.allSatisfy(\.isWhitespace) else { continue }
            let object = try jsonObject(raw, line: line)
            guard object[Field.stream] as? String == streamName else { continue }
            if object[Field.message] as? String == checkpointMessage {
                let checkpoint = AuditCheckpoint(
                    seq: try seq(object, line: line), entryHash: try hash(object, line: line),
                    at: try string(object, Field.checkpointAt, line: line), mac: try string(object, Field.checkpointMAC, line: line)
                )
                export.checkpoints.append(Checkpoint(checkpoint: checkpoint, line: line))
            } else if object[Field.seq] != nil {
                export.events.append(Event(seq: try seq(object, line: line), entryHash: try hash(object, line: line),
                                           auditID: try string(object, Field.auditID, line: line), line: line))
            } else {
                export.unanchored += 1
            }
        }
        return export
    }

    private static func jsonObject(_ raw: Substring, line: Int) throws(AuditExportError) -> [String: Any] {
        guard let start = raw.firstIndex(of: "{") else { throw .malformedLine(line) }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(raw[start...].utf8))
        } catch {
            throw .malformedLine(line)
        }
        guard let object = parsed as? [String: Any] else { throw .malformedLine(line) }
        return object
    }

    private static func string(_ object: [String: Any], _ field: String, line: Int) throws(AuditExportError) -> String {
        guard let value = object[field] as? String, !value.isEmpty else { throw .badField(line: line, field: field) }
        return value
    }

    private static func seq(_ object: [String: Any], line: Int) throws(AuditExportError) -> Int64 {
        // The server writes every field as a string; a number is accepted too.
        let value: Int64? = switch object[Field.seq] {
        case let text as String: Int64(text)
        case let number as NSNumber: Int64(exactly: number.doubleValue)
        default: nil
        }
        guard let value, value >= 1 else { throw .badField(line: line, field: Field.seq) }
        return value
    }

    private static func hash(_ object: [String: Any], line: Int) throws(AuditExportError) -> String {
        let value = try string(object, Field.entryHash, line: line)
        guard value.utf8.count == 64, value.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw .badField(line: line, field: Field.entryHash)
        }
        return value
    }
}

/// Why an export file cannot be used.
public enum AuditExportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case malformedLine(Int)
    case badField(line: Int, field: String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read the export file \(path)"
        case .malformedLine(let line): "line \(line) is not a JSON object"
        case .badField(let line, let field): "line \(line): missing or invalid \(field)"
        }
    }
}
