import Dispatch
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

/// Recomputes the chain from the rows in `seq` order, fed in batches, and compares its end
/// with the head. A value: each batch runs inside its own read transaction.
struct AuditChainVerifier: Sendable {
    let chain: AuditChain
    private(set) var report = AuditChainReport(verified: 0, legacy: 0)
    /// The highest seq fed so far (legacy rows included): the next batch starts after it.
    private(set) var lastSeen: Int64 = 0
    /// The head's first chained sequence, as the first batch saw it.
    private var firstSeq: Int64?
    private var previous = AuditChain.genesis
    private var last: (seq: Int64, id: String)?
    // After a key rotation entries are signed with the newer key: along the chain the ring
    // position may only go down (towards the newest key), never back to a retired key.
    private var newestKey = Int.max
    private static let columns = SQLAccess.auditColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }

    init(chain: AuditChain) {
        self.chain = chain
    }

    var isBroken: Bool { report.firstBroken != nil }

    /// The fields of an entry's canonical text: its stored values, in column order.
    static func fields(_ values: some Collection<SQLValue>) -> [String?] {
        values.map { value in
            switch value {
            case .null: nil
            case .int(let i): String(i)
            case .double(let d): String(d)
            case .text(let t): t
            }
        }
    }

    /// The select list of the chain check: the entry's columns, then these four.
    static let selectedColumns = columns + ["seq", "prev_hash", "entry_hash", "mac"]
    static var selectList: String { selectedColumns.joined(separator: ", ") }
    private static let idAt = columns.firstIndex(of: "id")!
    private static let seqAt = columns.count, prevHashAt = columns.count + 1, entryHashAt = columns.count + 2, macAt = columns.count + 3

    /// What each chained row's hash and MAC say, computed on every core: the hash from the row's
    /// stored content and `prev_hash`, and the ring position of the key whose MAC matches. The
    /// rows do not depend on each other for this; `feed` then walks them in order and checks
    /// the links. nil for rows without an entry hash (legacy).
    struct Seal: Sendable {
        var hash: String
        var key: Int?
    }

    static func seals(_ rows: [SQLRow], _ chain: AuditChain) throws -> [Seal?] {
        // Values are read by position: the column names are checked once per batch.
        if let first = rows.first, first.columns.names != selectedColumns || rows.contains(where: { $0.columns !== first.columns }) {
            throw StorageError.corruptRow("audit_events")
        }
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, rows.count / 256))
        let results = SealSlots(count: rows.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: rows.count, by: workers) {
                results.set(i, Result { try seal(rows[i], chain) })
            }
        }
        return try results.values.map { try $0.get() }
    }

    private static func seal(_ row: SQLRow, _ chain: AuditChain) throws -> Seal? {
        guard case .text(let stored) = try row.field(entryHashAt, "entry_hash").value else { return nil }
        let hash = chain.entryHash(previous: try row.field(prevHashAt, "prev_hash").optionalString() ?? "", fields: fields(row.values.prefix(columns.count)))
        return Seal(hash: hash, key: chain.keyIndex(mac: try row.field(macAt, "mac").optionalString() ?? "", entryHash: stored))
    }

    mutating func headMissing() {
        broken(0, "head", "the chain head row is missing: it was deleted")
    }

    /// Checks the next rows (ascending seq) against the head read in the same transaction.
    mutating func feed(_ rows: [SQLRow], head: AuditChainHead) throws {
        guard !isBroken else { return }
        if firstSeq == nil { firstSeq = head.firstSeq }
        guard head.firstSeq == firstSeq else {
            return broken(head.lastSeq, "head", "the chain head's first sequence changed during the check: the head was edited")
        }
        let sealed = try Self.seals(rows, chain)
        for (row, seal) in zip(rows, sealed) {
            // `seals` checked the batch's column names: values are read by position.
            let seq = try row.field(Self.seqAt, "seq").int(), id = try row.field(Self.idAt, "id").optionalString() ?? "?"
            lastSeen = seq
            guard case .text(let stored) = try row.field(Self.entryHashAt, "entry_hash").value else {
                // Legacy rows lie below the first chained sequence; at or after it every row is chained.
                if seq < head.firstSeq { report.legacy += 1; continue }
                return broken(seq, id, "entry without a hash at or after the chain's first sequence \(head.firstSeq): its hash was removed")
            }
            guard seq >= head.firstSeq else {
                return broken(seq, id, "chained entry below the head's first sequence \(head.firstSeq): the head was edited")
            }
            let prev = try row.field(Self.prevHashAt, "prev_hash").optionalString() ?? ""
            guard prev == previous else { return broken(seq, id, "previous hash does not match: an entry before it was deleted, edited or moved") }
            // The seal was computed from the row's own `prev_hash`, equal to `previous` here.
            guard let seal else { throw StorageError.corruptRow("entry_hash") }
            guard seal.hash == stored else { return broken(seq, id, "content does not match its hash: the entry was edited") }
            guard let key = seal.key else {
                return broken(seq, id, "MAC does not match: the chain was rewritten without the key")
            }
            guard key <= newestKey else {
                return broken(seq, id, "signed with a retired key after a newer key took over: the chain was extended with an old key")
            }
            newestKey = key
            previous = stored
            last = (seq, id)
            report.verified += 1
        }
    }

    /// The chain must end exactly where the signed head says, whatever the rows look like.
    /// `head` was read in the same transaction as the last batch; `firstBeyondHead` names the
    /// first entry after the head's last seq, if any.
    mutating func finish(head: AuditChainHead, firstBeyondHead: (seq: Int64, id: String)?) {
        guard !isBroken else { return }
        if head.mac == nil {
            guard head.isUnused else {
                return broken(head.lastSeq, "head", "the chain head is not signed: it was edited without the key")
            }
        } else if let key = head.signingKey(in: chain) {
            guard key <= newestKey else {
                return broken(head.lastSeq, "head", "the chain head is signed with a retired key after a newer key took over")
            }
        } else {
            return broken(head.lastSeq, "head", "the chain head's MAC does not match: it was moved without the key")
        }
        if let beyond = firstBeyondHead, last != nil {
            return broken(beyond.seq, beyond.id, "entry after the chain head (seq \(head.lastSeq)): the head was rolled back")
        }
        guard let last else {
            if head.isUnused { return }
            return broken(head.lastSeq, "head", "no chained entry, but the chain head records seq \(head.lastSeq): the trail was emptied")
        }
        guard last.seq == head.lastSeq else {
            return broken(head.lastSeq, "head",
                          "the chain ends at seq \(last.seq) but the head records seq \(head.lastSeq): the last entries were removed (the chain head points past the end)")
        }
        guard previous == head.lastHash else {
            return broken(last.seq, last.id, "the last entry's hash differs from the chain head's: the head was moved")
        }
    }

    private mutating func broken(_ seq: Int64, _ id: String, _ reason: String) {
        report.firstBroken = (seq, id, reason)
    }
}

/// Results written by index from several threads: each index by one thread only, behind a lock.
private final class SealSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<AuditChainVerifier.Seal?, any Error>]

    init(count: Int) {
        slots = Array(repeating: .success(nil), count: count)
    }

    func set(_ index: Int, _ value: Result<AuditChainVerifier.Seal?, any Error>) {
        lock.withLock { slots[index] = value }
    }

    var values: [Result<AuditChainVerifier.Seal?, any Error>] { lock.withLock { slots } }
}
