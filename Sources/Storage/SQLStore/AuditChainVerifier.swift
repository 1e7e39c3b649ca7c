import Foundation
import SolarSecurity

/// The result of `solar audit verify`.
public struct AuditChainReport: Sendable, Equatable {
    /// Entries whose hash and MAC were checked.
    public var verified: Int
    /// Entries written before the chain existed: without a hash and below the head's first
    /// chained sequence.
    public var legacy: Int
    /// The first entry where the chain breaks, and why.
    public var firstBroken: (seq: Int64, id: String, reason: String)?

    public var isIntact: Bool { firstBroken == nil }

    public static func == (a: AuditChainReport, b: AuditChainReport) -> Bool {
        a.verified == b.verified && a.legacy == b.legacy && a.firstBroken?.seq == b.firstBroken?.seq && a.firstBroken?.reason == b.firstBroken?.reason
    }
}

/// The chain head row: where the chain starts and ends, signed with the audit key.
struct AuditChainHead {
    /// Rows below this sequence may be legacy (written before the chain existed).
    var firstSeq: Int64
    var lastSeq: Int64
    var lastHash: String
    var mac: String?

    static let columns = "first_seq, last_seq, last_hash, mac"

    init(_ row: SQLRow) throws(StorageError) {
        firstSeq = try row.int("first_seq")
        lastSeq = try row.int("last_seq")
        lastHash = try row.string("last_hash")
        mac = try row.optionalString("mac")
    }

    /// The state migrations leave before the first chained entry: nothing chained, not signed.
    var isUnused: Bool { lastSeq == 0 && lastHash == AuditChain.genesis }

    func isSigned(by chain: AuditChain) -> Bool { signingKey(in: chain) != nil }

    /// The ring position of the key that signed the head, or nil.
    func signingKey(in chain: AuditChain) -> Int? {
        guard let mac else { return nil }
        return chain.headKeyIndex(mac: mac, firstSeq: firstSeq, lastSeq: lastSeq, lastHash: lastHash)
    }
}

/// Recomputes the chain from the rows in `seq` order and compares its end with the head.
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

    func verify(_ rows: [SQLRow], head headRow: SQLRow?) throws -> AuditChainReport {
        var report = AuditChainReport(verified: 0, legacy: 0)
        guard let headRow else {
            return broken(report, 0, "head", "the chain head row is missing: it was deleted")
        }
        let head = try AuditChainHead(headRow)
        var previous = AuditChain.genesis
        var last: (seq: Int64, id: String)?
        var beyondHead: (seq: Int64, id: String)?
        // After a key rotation entries are signed with the newer key: along the chain the ring
        // position may only go down (towards the newest key), never back to a retired key.
        var newestKey = Int.max
        let columns = SQLAccess.auditColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for row in rows {
            let seq = try row.int("seq"), id = try row.optionalString("id") ?? "?"
            guard case .text(let stored) = try row.value("entry_hash") else {
                // Legacy rows lie below the first chained sequence; at or after it every row is chained.
                if seq < head.firstSeq { report.legacy += 1; continue }
                return broken(report, seq, id, "entry without a hash at or after the chain's first sequence \(head.firstSeq): its hash was removed")
            }
            guard seq >= head.firstSeq else {
                return broken(report, seq, id, "chained entry below the head's first sequence \(head.firstSeq): the head was edited")
            }
            let prev = try row.optionalString("prev_hash") ?? ""
            guard prev == previous else { return broken(report, seq, id, "previous hash does not match: an entry before it was deleted, edited or moved") }
            let values = try columns.map { try row.value($0) }
            let hash = chain.entryHash(previous: previous, canonical: Self.canonical(values))
            guard hash == stored else { return broken(report, seq, id, "content does not match its hash: the entry was edited") }
            guard let key = chain.keyIndex(mac: try row.optionalString("mac") ?? "", entryHash: stored) else {
                return broken(report, seq, id, "MAC does not match: the chain was rewritten without the key")
            }
            guard key <= newestKey else {
                return broken(report, seq, id, "signed with a retired key after a newer key took over: the chain was extended with an old key")
            }
            newestKey = key
            if seq > head.lastSeq, beyondHead == nil { beyondHead = (seq, id) }
            previous = stored
            last = (seq, id)
            report.verified += 1
        }
        return checkEnd(report, head: head, last: last, lastHash: previous, beyondHead: beyondHead, newestKey: newestKey)
    }

    /// The chain must end exactly where the signed head says, whatever the rows look like.
    private func checkEnd(_ report: AuditChainReport, head: AuditChainHead, last: (seq: Int64, id: String)?,
                          lastHash: String, beyondHead: (seq: Int64, id: String)?, newestKey: Int) -> AuditChainReport {
        if head.mac == nil {
            guard head.isUnused else {
                return broken(report, head.lastSeq, "head", "the chain head is not signed: it was edited without the key")
            }
        } else if let key = head.signingKey(in: chain) {
            guard key <= newestKey else {
                return broken(report, head.lastSeq, "head", "the chain head is signed with a retired key after a newer key took over")
            }
        } else {
            return broken(report, head.lastSeq, "head", "the chain head's MAC does not match: it was moved without the key")
        }
        if let beyondHead {
            return broken(report, beyondHead.seq, beyondHead.id, "entry after the chain head (seq \(head.lastSeq)): the head was rolled back")
        }
        guard let last else {
            if head.isUnused { return report }
            return broken(report, head.lastSeq, "head", "no chained entry, but the chain head records seq \(head.lastSeq): the trail was emptied")
        }
        guard last.seq == head.lastSeq else {
            return broken(report, head.lastSeq, "head",
                          "the chain ends at seq \(last.seq) but the head records seq \(head.lastSeq): the last entries were removed (the chain head points past the end)")
        }
        guard lastHash == head.lastHash else {
            return broken(report, last.seq, last.id, "the last entry's hash differs from the chain head's: the head was moved")
        }
        return report
    }

    private func broken(_ report: AuditChainReport, _ seq: Int64, _ id: String, _ reason: String) -> AuditChainReport {
        var report = report
        report.firstBroken = (seq, id, reason)
        return report
    }
}
