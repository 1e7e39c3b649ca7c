import Foundation
import SolarSecurity
import Testing

@Suite("Audit stream export parsing")
struct AuditExportParseTests {
    let chain = AuditChain(key: Array(repeating: 7, count: 32))!
    let hash = String(repeating: "ab", count: 32)

    @Test("events with seq, checkpoints, older lines and other streams")
    func parses() throws {
        let checkpoint = chain.checkpoint(seq: 9, entryHash: hash, at: Date(timeIntervalSince1970: 1_800_000_000))
        let text = """
        {"level":"info","logger":"solar","msg":"request","path":"/health/live"}
        {"stream":"audit","msg":"audit","audit_id":"a1","action":"auth.login","outcome":"success"}
        2026-01-01T00:00:00Z {"stream":"audit","msg":"audit","audit_id":"a2","action":"x","seq":"8","entry_hash":"\(hash)"}

        {"stream":"audit","msg":"audit.checkpoint","seq":9,"entry_hash":"\(hash)","checkpoint_at":"\(checkpoint.at)","checkpoint_mac":"\(checkpoint.mac)"}
        """
        let export = try AuditExport.parse(text)
        #expect(export.unanchored == 1)
        #expect(export.events == [AuditExport.Event(seq: 8, entryHash: hash, auditID: "a2", line: 3)])
        #expect(export.checkpoints.map(\.checkpoint) == [checkpoint])
        #expect(chain.isValid(export.checkpoints[0].checkpoint))
    }

    @Test("a checkpoint is bound to its seq, hash and time")
    func checkpointMAC() {
        let checkpoint = chain.checkpoint(seq: 9, entryHash: hash, at: Date())
        var moved = checkpoint
        moved.seq = 10
        #expect(chain.isValid(checkpoint) && !chain.isValid(moved))
        #expect(!AuditChain(key: Array(repeating: 8, count: 32))!.isValid(checkpoint))
    }

    @Test("malformed lines and fields are refused with their line number")
    func refuses() {
        #expect(throws: AuditExportError.malformedLine(2)) { try AuditExport.parse("{}\nnot json\n") }
        #expect(throws: AuditExportError.malformedLine(1)) { try AuditExport.parse("{\"stream\":\"audit\"") }
        #expect(throws: AuditExportError.badField(line: 1, field: "entry_hash")) {
            try AuditExport.parse(#"{"stream":"audit","msg":"audit","audit_id":"a","seq":"3","entry_hash":"short"}"#)
        }
        #expect(throws: AuditExportError.badField(line: 1, field: "seq")) {
            try AuditExport.parse(#"{"stream":"audit","msg":"audit","audit_id":"a","seq":"x","entry_hash":"\#(hash)"}"#)
        }
        #expect(throws: AuditExportError.badField(line: 1, field: "checkpoint_mac")) {
            try AuditExport.parse(#"{"stream":"audit","msg":"audit.checkpoint","seq":"3","entry_hash":"\#(hash)","checkpoint_at":"t"}"#)
        }
        #expect(throws: AuditExportError.unreadable("/nonexistent/export")) { try AuditExport.read(path: "/nonexistent/export") }
    }
}
