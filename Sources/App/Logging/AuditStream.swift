import Domain
import Foundation
public import Logging
public import SolarSecurity
public import Storage

/// The JSON-line audit stream (`"stream":"audit"`) that goes to the external log store: one
/// line per committed audit event and a signed checkpoint of the chain now and then. Ids,
/// action, outcome and chain positions only; no personal data and no key.
/// Lines only gain fields over time (the event line's `seq` and `entry_hash` were added for
/// `solar audit verify --against`), so older exports still parse.
public enum AuditStream {
    public typealias Field = AuditExport.Field

    /// The `audit` logger; lines carry `stream` themselves too.
    public static func logger() -> Logger {
        var log = Logger(label: "audit")
        log[metadataKey: Field.stream] = .string(AuditExport.streamName)
        return log
    }

    public static func write(_ entry: ChainedAuditEvent, to log: Logger) {
        let event = entry.event
        log.info("audit", metadata: [
            Field.stream: .string(AuditExport.streamName),
            Field.auditID: .string(event.id.uuidString.lowercased()), "action": .string(event.action), "outcome": .string(event.outcome.rawValue),
            "actor_id": .string(event.actorID?.uuidString.lowercased() ?? ""), "actor_role": .string(event.actorRole?.rawValue ?? ""),
            "target_type": .string(event.targetType ?? ""), "target_id": .string(event.targetID?.uuidString.lowercased() ?? ""),
            "audit_request_id": .string(event.requestID ?? ""),
            Field.seq: .stringConvertible(entry.seq), Field.entryHash: .string(entry.entryHash),
        ])
    }

    public static func write(_ checkpoint: AuditCheckpoint, to log: Logger) {
        log.info("\(AuditExport.checkpointMessage)", metadata: [
            Field.stream: .string(AuditExport.streamName),
            Field.seq: .stringConvertible(checkpoint.seq), Field.entryHash: .string(checkpoint.entryHash),
            Field.checkpointAt: .string(checkpoint.at), Field.checkpointMAC: .string(checkpoint.mac),
        ])
    }
}
