public import Foundation
import Security

/// The result of `solar audit verify`.
public struct AuditChainReport: Sendable, Equatable {
    /// Entries whose hash and MAC were checked.
    public var verified: Int
    /// Entries written before the chain existed (no hash), all before the first chained one.
    public var legacy: Int
    /// The first entry where the chain breaks, and why.
    public var firstBroken: (seq: Int64, id: String, reason: String)?

    public var isIntact: Bool { firstBroken == nil }

    public static func == (a: AuditChainReport, b: AuditChainReport) -> Bool {
        a.verified == b.verified && a.legacy == b.legacy && a.firstBroken?.seq == b.firstBroken?.seq && a.firstBroken?.reason == b.firstBroken?.reason
    }
}

/// Recomputes the chain from the rows in `seq` order.
struct AuditChainVerifier {
    let chain: AuditChain

    /// The canonical text of an entry: its stored values, in column order.
    static func canonical(_ values: [SQLValue]) -> String {
        AuditChain.canonical(values.map { value in
            switch value {
            case .null: nil
            case .int(let i): String(i)
            case .double(let d): String(d)
            case .text(let t): t
            }
        })
    }

    func verify(_ rows: [SQLRow], head: SQLRow?) throws -> AuditChainReport {
        var report = AuditChainReport(verified: 0, legacy: 0)
        var previous = AuditChain.genesis
        var chained = false
        let columns = SQLAccess.auditColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var lastSeq: Int64 = 0
        for row in rows {
            let seq = try row.int("seq"), id = (try? row.string("id")) ?? "?"
            lastSeq = seq
            guard case .text(let stored) = try row.value("entry_hash") else {
                if chained { return broken(report, seq, id, "entry without a hash inside the chain") }
                report.legacy += 1
                continue
            }
            chained = true
            let prev = try row.optionalString("prev_hash") ?? ""
            guard prev == previous else { return broken(report, seq, id, "previous hash does not match: an entry before it was deleted, edited or moved") }
            let values = try columns.map { try row.value($0) }
            let hash = chain.entryHash(previous: previous, canonical: Self.canonical(values))
            guard hash == stored else { return broken(report, seq, id, "content does not match its hash: the entry was edited") }
            guard chain.isValid(mac: try row.optionalString("mac") ?? "", entryHash: stored) else {
                return broken(report, seq, id, "MAC does not match: the chain was rewritten without the key")
            }
            previous = stored
            report.verified += 1
        }
        if let head, chained {
            let headHash = try head.string("last_hash"), headSeq = try head.int("last_seq")
            guard chain.isValid(mac: try head.optionalString("mac") ?? "", entryHash: "head:\(headSeq):\(headHash)") else {
                return broken(report, headSeq, "head", "the chain head's MAC does not match: it was moved without the key")
            }
            if headHash != previous || headSeq != lastSeq {
                return broken(report, headSeq, "head", "the last entries were removed (the chain head points past the end)")
            }
        }
        return report
    }

    private func broken(_ report: AuditChainReport, _ seq: Int64, _ id: String, _ reason: String) -> AuditChainReport {
        var report = report
        report.firstBroken = (seq, id, reason)
        return report
    }
}
