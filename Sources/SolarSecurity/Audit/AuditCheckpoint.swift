public import Foundation

/// A signed statement "at `at`, the audit chain ended at `seq` with `entryHash`", written to the
/// JSON-line audit stream next to the events. A copy of the stream kept where the database's
/// writers cannot edit it anchors the chain outside the database: `solar audit verify --against`
/// compares it with the database.
public struct AuditCheckpoint: Sendable, Equatable {
    public var seq: Int64
    public var entryHash: String
    /// ISO 8601 time, signed as written.
    public var at: String
    /// HMAC-SHA-256 with the audit key over `checkpoint:<seq>:<entryHash>:<at>`.
    public var mac: String

    public init(seq: Int64, entryHash: String, at: String, mac: String) {
        self.seq = seq
        self.entryHash = entryHash
        self.at = at
        self.mac = mac
    }
}

extension AuditChain {
    /// Signs a checkpoint of the chain at `seq` / `entryHash`.
    public func checkpoint(seq: Int64, entryHash: String, at: Date) -> AuditCheckpoint {
        let time = at.formatted(.iso8601)
        return AuditCheckpoint(seq: seq, entryHash: entryHash, at: time, mac: checkpointMAC(seq: seq, entryHash: entryHash, at: time))
    }

    /// Signed by any key of the ring (a checkpoint written before a rotation stays valid).
    public func isValid(_ checkpoint: AuditCheckpoint) -> Bool {
        keyIndex(mac: checkpoint.mac, entryHash: "checkpoint:\(checkpoint.seq):\(checkpoint.entryHash):\(checkpoint.at)") != nil
    }

    func checkpointMAC(seq: Int64, entryHash: String, at: String) -> String {
        mac(entryHash: "checkpoint:\(seq):\(entryHash):\(at)")
    }
}
