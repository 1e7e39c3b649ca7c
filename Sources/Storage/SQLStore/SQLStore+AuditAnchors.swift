public import Foundation
public import SolarSecurity

/// The result of comparing the database's chain with an exported audit stream
/// (`solar audit verify --against`).
public struct AuditExportReport: Sendable {
    /// Exported events found with the same id and entry hash at the same seq.
    public var events = 0
    /// Exported checkpoints whose MAC holds and whose entry hash the database has at their seq.
    public var checkpoints = 0
    /// Exported audit lines without a seq (older format), not compared.
    public var unanchored = 0
    /// The lowest seq where the export and the database differ, and why.
    public var firstDifference: (seq: Int64, id: String, reason: String)?

    public var matches: Bool { firstDifference == nil }
}

/// Why the server does not sign a checkpoint of the chain head.
public enum AuditCheckpointError: Error, Sendable, Equatable {
    case headMissing
    /// The head's MAC does not hold: someone without the key moved it.
    case headNotSigned
    /// The entry at the head's seq is missing or has another hash.
    case headDoesNotMatchEntry(seq: Int64)
}

/// Compares exported (seq, entry hash) pairs with the database. Each entry hash covers every
/// entry before it, so a chain edited and re-signed with the real key still differs from the
/// export from the first edited entry on.
struct AuditExportComparison {
    let chain: AuditChain

    struct Stored {
        var id: String
        var entryHash: String?
    }

    private enum Record {
        case event(AuditExport.Event)
        case checkpoint(AuditExport.Checkpoint)

        var seq: Int64 {
            switch self {
            case .event(let e): e.seq
            case .checkpoint(let c): c.checkpoint.seq
            }
        }
        var line: Int {
            switch self {
            case .event(let e): e.line
            case .checkpoint(let c): c.line
            }
        }
    }

    /// `rows` holds the database entries in the export's seq range; `databaseEnd` is the newest
    /// seq the database knows (its head or its newest row).
    func compare(_ export: AuditExport, rows: [Int64: Stored], databaseEnd: Int64) -> AuditExportReport {
        var report = AuditExportReport(unanchored: export.unanchored)
        let records = (export.events.map(Record.event) + export.checkpoints.map(Record.checkpoint))
            .sorted { ($0.seq, $0.line) < ($1.seq, $1.line) }
        for record in records {
            let seq = record.seq
            let name: String = switch record {
            case .event(let e): e.auditID
            case .checkpoint(let c): "checkpoint on line \(c.line)"
            }
            if case .checkpoint(let c) = record, !chain.isValid(c.checkpoint) {
                return differ(report, seq, name, "the checkpoint's MAC does not match: the export was altered or signed with another AUDIT_KEY")
            }
            guard let stored = rows[seq] else {
                let reason = seq > databaseEnd
                    ? "the export goes on past the database's last entry (seq \(databaseEnd)): the newest entries were removed and the chain head moved back"
                    : "the database has no entry at this seq: it was deleted"
                return differ(report, seq, name, reason)
            }
            switch record {
            case .event(let e):
                guard stored.id == e.auditID else {
                    return differ(report, seq, name, "the database holds another entry (\(stored.id)) at this seq: entries were replaced")
                }
                guard stored.entryHash == e.entryHash else {
                    return differ(report, seq, name, "the entry hash differs from the export: the entry or one before it was edited and the chain re-signed")
                }
                report.events += 1
            case .checkpoint(let c):
                guard stored.entryHash == c.checkpoint.entryHash else {
                    return differ(report, seq, name, "the entry hash differs from the signed checkpoint: the chain up to here was edited and re-signed")
                }
                report.checkpoints += 1
            }
        }
        return report
    }

    private func differ(_ report: AuditExportReport, _ seq: Int64, _ id: String, _ reason: String) -> AuditExportReport {
        var report = report
        report.firstDifference = (seq, id, reason)
        return report
    }
}

extension SQLStore {
    public func compareAuditExport(_ export: AuditExport) async throws -> AuditExportReport {
        let seqs = export.events.map(\.seq) + export.checkpoints.map(\.checkpoint.seq)
        guard let low = seqs.min(), let high = seqs.max() else { return AuditExportReport(unanchored: export.unanchored) }
        let chain = self.chain
        return try await database.transaction(readOnly: true) { conn in
            var rows: [Int64: AuditExportComparison.Stored] = [:]
            for row in try conn.query("SELECT seq, id, entry_hash FROM audit_events WHERE seq >= ? AND seq <= ?", [.int(low), .int(high)]) {
                rows[try row.int("seq")] = .init(id: try row.optionalString("id") ?? "?", entryHash: try row.optionalString("entry_hash"))
            }
            let newest = try conn.query("SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1", []).first.map { try $0.int("seq") } ?? 0
            let head = try conn.query("SELECT last_seq FROM audit_chain_head WHERE id = 1", []).first.map { try $0.int("last_seq") } ?? 0
            return AuditExportComparison(chain: chain).compare(export, rows: rows, databaseEnd: max(newest, head))
        }
    }

    /// A signed checkpoint of the chain head, or nil while nothing is chained. Refuses a head
    /// whose MAC does not hold or that does not match its entry, so a checkpoint never vouches
    /// for a head moved without the key.
    public func auditCheckpoint(at now: Date) async throws -> AuditCheckpoint? {
        let chain = self.chain
        return try await database.transaction(readOnly: true) { conn in
            guard let row = try conn.query("SELECT \(AuditChainHead.columns) FROM audit_chain_head WHERE id = 1", []).first else {
                throw AuditCheckpointError.headMissing
            }
            let head = try AuditChainHead(row)
            if head.isUnused && head.mac == nil { return nil }
            guard head.isSigned(by: chain) else { throw AuditCheckpointError.headNotSigned }
            let entry = try conn.query("SELECT entry_hash FROM audit_events WHERE seq = ?", [.int(head.lastSeq)]).first
            guard let entry, try entry.optionalString("entry_hash") == head.lastHash else {
                throw AuditCheckpointError.headDoesNotMatchEntry(seq: head.lastSeq)
            }
            return chain.checkpoint(seq: head.lastSeq, entryHash: head.lastHash, at: now)
        }
    }
}
