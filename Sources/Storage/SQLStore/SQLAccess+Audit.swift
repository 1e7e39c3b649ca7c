import Domain
import Foundation

extension SQLAccess {
    static let auditColumns = "id, occurred_at, actor_id, actor_role, action, target_type, target_id, outcome, client_ip, request_id, detail"

    func appendAudit(_ e: AuditEvent) throws {
        try conn.execute(
            "INSERT INTO audit_events (\(Self.auditColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.uuid(e.id), .date(e.occurredAt), .uuid(e.actorID), .optionalText(e.actorRole?.rawValue), .text(e.action),
             .optionalText(e.targetType), .uuid(e.targetID), .text(e.outcome.rawValue), .optionalText(e.clientIP),
             .optionalText(e.requestID), .optionalText(e.detail)]
        )
    }

    func auditEvents(limit: Int, offset: Int) throws -> [AuditEvent] {
        try conn.query(
            "SELECT \(Self.auditColumns) FROM audit_events ORDER BY seq DESC LIMIT ? OFFSET ?",
            [.int(Int64(limit)), .int(Int64(offset))]
        ).map { row in
            guard let outcome = AuditOutcome(rawValue: try row.string("outcome")) else { throw StorageError.corruptRow("outcome") }
            return AuditEvent(
                id: try row.uuid("id"), occurredAt: try row.date("occurred_at"), actorID: try row.optionalUUID("actor_id"),
                actorRole: try row.optionalString("actor_role").flatMap(Role.init(rawValue:)), action: try row.string("action"),
                targetType: try row.optionalString("target_type"), targetID: try row.optionalUUID("target_id"),
                outcome: outcome, clientIP: try row.optionalString("client_ip"), requestID: try row.optionalString("request_id"),
                detail: try row.optionalString("detail")
            )
        }
    }
}
