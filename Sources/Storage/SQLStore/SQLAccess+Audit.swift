import Domain
import SolarSecurity
import Foundation

extension SQLAccess {
    static let auditColumns = "id, occurred_at, actor_id, actor_role, action, target_type, target_id, outcome, client_ip, request_id, detail"

    /// Appends an event to the hash chain. The chain head row is locked first, so concurrent
    /// writers append one after another and the chain never forks.
    func appendAudit(_ e: AuditEvent) throws {
        guard try conn.execute("UPDATE audit_chain_head SET last_seq = last_seq WHERE id = 1", []) == 1,
              let row = try conn.query("SELECT \(AuditChainHead.columns) FROM audit_chain_head WHERE id = 1", []).first else {
            throw StorageError.failure("audit chain head missing")
        }
        let head = try AuditChainHead(row)
        let previous = head.lastHash, firstSeq = head.firstSeq
        // A head moved without the key stays unsigned, so the next append does not vouch for it
        // (say, for a cut tail) and verification keeps reporting the break.
        let vouch = (head.isUnused && head.mac == nil) || head.isSigned(by: chain)
        let values: [SQLValue] = [
            .uuid(e.id), .date(e.occurredAt), .uuid(e.actorID), .optionalText(e.actorRole?.rawValue), .text(e.action),
            .optionalText(e.targetType), .uuid(e.targetID), .text(e.outcome.rawValue), .optionalText(e.clientIP),
            .optionalText(e.requestID), .optionalText(e.detail),
        ]
        let hash = chain.entryHash(previous: previous, fields: AuditChainVerifier.fields(values))
        try conn.execute(
            "INSERT INTO audit_events (\(Self.auditColumns), prev_hash, entry_hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values + [.text(previous), .text(hash), .text(chain.mac(entryHash: hash))]
        )
        guard let seq = try conn.query("SELECT seq FROM audit_events WHERE id = ?", [.uuid(e.id)]).first else {
            throw StorageError.failure("audit insert lost")
        }
        let lastSeq = try seq.int("seq")
        // The head is signed too (with where the chain starts), so the newest entries cannot be
        // removed by moving it back, nor chained entries passed off as legacy ones.
        let mac: SQLValue = vouch ? .text(chain.headMAC(firstSeq: firstSeq, lastSeq: lastSeq, lastHash: hash)) : .null
        try conn.execute("UPDATE audit_chain_head SET last_seq = ?, last_hash = ?, mac = ? WHERE id = 1", [.int(lastSeq), .text(hash), mac])
        appended.append(ChainedAuditEvent(event: e, seq: lastSeq, entryHash: hash))
    }

    func auditEvents(limit: Int, offset: Int, actionPrefix: String?, outcome: AuditOutcome?) throws -> [AuditEvent] {
        var clauses: [String] = [], values: [SQLValue] = []
        if let actionPrefix, !actionPrefix.isEmpty {
            // A prefix compare without LIKE, so `%` and `_` in the filter are plain characters.
            clauses.append("SUBSTR(action, 1, ?) = ?")
            values += [.int(Int64(actionPrefix.count)), .text(actionPrefix)]
        }
        if let outcome {
            clauses.append("outcome = ?")
            values.append(.text(outcome.rawValue))
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") + " "
        return try conn.query(
            "SELECT \(Self.auditColumns) FROM audit_events \(filter)ORDER BY seq DESC LIMIT ? OFFSET ?",
            values + [.int(Int64(limit)), .int(Int64(offset))]
        ).map(auditEvent(from:))
    }

    /// A range on the primary key: the page's rows and no others are read.
    static let auditPageSQL = "SELECT \(auditColumns), seq FROM audit_events WHERE seq < ? ORDER BY seq DESC LIMIT ?"

    func auditEvents(limit: Int, before: Int64?) throws -> [SequencedAuditEvent] {
        try conn.query(Self.auditPageSQL, [.int(before ?? Int64.max), .int(Int64(limit))]
        ).map { row in SequencedAuditEvent(seq: try row.int("seq"), event: try auditEvent(from: row)) }
    }

    /// The newest events the account did or that were done to it (its data export).
    func auditEvents(about accountID: UUID, limit: Int) throws -> [AuditEvent] {
        try conn.query(
            "SELECT \(Self.auditColumns) FROM audit_events WHERE actor_id = ? OR target_id = ? ORDER BY seq DESC LIMIT ?",
            [.uuid(accountID), .uuid(accountID), .int(Int64(limit))]
        ).map(auditEvent(from:))
    }

    func auditEvent(from row: SQLRow) throws -> AuditEvent {
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
