import App
import AuditProbe
import ArgumentParser
import Foundation
import SolarSecurity
import Storage

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The tamper-evident audit trail.", subcommands: [Verify.self, Probe.self])

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

extension Audit {
    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the OWASP Top 10 conformance probe against a deployment from outside.",
            discussion: """
            Checks headers, cookies, TLS and HSTS (https targets), generic errors, unauthenticated and \
            wrong-role access to every operation in the served openapi.yaml, cross-customer access, \
            throttling, CSRF and Origin checks and CORS. It signs up three customer accounts with \
            random example.com addresses unless given accounts (--account email:password-file). \
            Prints a table per category; exits 1 when a check fails.
            """
        )

        @Option(help: "Base URL of the deployment, e.g. https://staging.solardispatch.example.") var target: String
        @Option(help: "Write the results as JSON to this file.") var json: String?
        @Option(help: "Write the results as a standalone HTML page to this file.") var html: String?
        @Option(help: "A customer account to use, as email:path-to-password-file (up to three).") var account: [String] = []
        @Option(help: "For a server on this machine: its MAIL_DIRECTORY, to read the login codes it emails to new devices.") var mailDir: String?
        @Option(help: "For a deployment: a shell command that prints the newest login code emailed to $PROBE_EMAIL (the accounts' test mailbox).")
        var loginCodeCommand: String?

        func run() async throws {
            guard let url = URL(string: target), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ValidationError("--target must be an http or https URL")
            }
            var accounts: [AuditProbe.Account] = []
            for entry in account {
                let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let data = FileManager.default.contents(atPath: parts[1]),
                      let password = String(data: data, encoding: .utf8)?.split(separator: "\n").first.map(String.init) else {
                    throw ValidationError("--account must be email:password-file with a readable file")
                }
                accounts.append(.init(email: parts[0], password: password))
            }
            guard mailDir == nil || loginCodeCommand == nil else { throw ValidationError("give --mail-dir or --login-code-command, not both") }
            let mailbox = mailDir.map(AuditProbe.Mailbox.init(directory:)) ?? loginCodeCommand.map(AuditProbe.Mailbox.init(command:))
            let report = try await AuditProbe(target: url, accounts: accounts, mailbox: mailbox).run()
            print(report.table())
            if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
            if let html { try Data(report.html().utf8).write(to: URL(fileURLWithPath: html)) }
            if report.failed { throw ExitCode(1) }
        }
    }
}
