import SolarSecurity

extension SQLStore {
    /// Rows per read transaction of the chain check: memory stays bounded whatever the trail's
    /// length, and other work gets the connection between batches.
    static let auditVerifyBatch = 2_000

    /// Recomputes the whole chain in `seq` order, `auditVerifyBatch` rows per read transaction,
    /// and compares its end with the head read together with the last batch. Throws
    /// `CancellationError` between batches when the task is cancelled (shutdown).
    public func verifyAuditChain() async throws -> AuditChainReport {
        try await verifyAuditChain(batch: Self.auditVerifyBatch)
    }

    public func verifyAuditChain(batch: Int) async throws -> AuditChainReport {
        var verifier = AuditChainVerifier(chain: chain)
        while true {
            try Task.checkCancellation()
            let current = verifier
            let (next, done) = try await database.transaction(readOnly: true) { conn -> (AuditChainVerifier, Bool) in
                var verifier = current
                guard let headRow = try conn.query("SELECT \(AuditChainHead.columns) FROM audit_chain_head WHERE id = 1", []).first else {
                    verifier.headMissing()
                    return (verifier, true)
                }
                let head = try AuditChainHead(headRow)
                let rows = try conn.query(
                    "SELECT \(AuditChainVerifier.selectList) FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?",
                    [.int(verifier.lastSeen), .int(Int64(batch))]
                )
                try verifier.feed(rows, head: head)
                guard !verifier.isBroken, rows.count == batch else {
                    // The end: this transaction saw the last rows and the head that goes with them.
                    let beyond = try conn.query("SELECT seq, id FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 1", [.int(head.lastSeq)]).first
                    verifier.finish(head: head, firstBeyondHead: try beyond.map { (try $0.int("seq"), try $0.optionalString("id") ?? "?") })
                    return (verifier, true)
                }
                return (verifier, false)
            }
            verifier = next
            if done { return verifier.report }
        }
    }
}
