import App
import ArgumentParser
import Foundation
import SolarSecurity
import Storage

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The tamper-evident audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit hash chain and MACs; exit 1 and name the first broken entry if any.",
            discussion: """
            With --against, also compare the chain with an export of the JSON-line audit stream (events \
            and signed checkpoints, e.g. from a log store the database's writers cannot edit) and name \
            the first seq where they differ: this finds a chain edited and re-signed with the audit key. \
            Exit 2 when the export cannot be read.
            """
        )

        @Option(help: "An exported audit stream (JSON lines) to compare the database's chain with.")
        var against: String?

        func run() async throws {
            let (config, logger) = try loadConfig()
            var export: AuditExport?
            do throws(AuditExportError) {
                if let against { export = try AuditExport.read(path: against) }
            } catch {
                FileHandle.standardError.write(Data("audit export refused: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
            if let export, export.isEmpty {
                FileHandle.standardError.write(Data("audit export refused: it holds no audit line with a seq to compare\n".utf8))
                throw ExitCode(2)
            }
            let store = try openStore(config: config, logger: logger)
            let report = try await store.verifyAuditChain()
            let comparison = try await export.asyncMap { try await store.compareAuditExport($0) }
            try await store.shutdown()
            var intact = true
            if let broken = report.firstBroken {
                print("BROKEN at seq \(broken.seq) (id \(broken.id)): \(broken.reason)")
                print("\(report.verified) entries verified before it")
                intact = false
            } else {
                print("audit chain intact: \(report.verified) entries verified" + (report.legacy > 0 ? ", \(report.legacy) legacy entries without hashes" : ""))
            }
            if let comparison {
                let older = comparison.unanchored > 0 ? " (\(comparison.unanchored) older lines without seq not compared)" : ""
                if let difference = comparison.firstDifference {
                    print("EXPORT DIFFERS at seq \(difference.seq) (\(difference.id)): \(difference.reason)")
                    print("\(comparison.events) exported entries and \(comparison.checkpoints) checkpoints matched before it" + older)
                    intact = false
                } else {
                    print("export matches: \(comparison.events) entries and \(comparison.checkpoints) checkpoints" + older)
                }
            }
            if !intact { throw ExitCode(1) }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
