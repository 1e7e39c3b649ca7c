import App
import ArgumentParser
import Foundation
import SolarSecurity
import Storage

/// `solar bench`: the data and measurements `make bench` (scripts/bench.py) needs.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmark support (not in production).", subcommands: [Seed.self, Hash.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill the configured database with benchmark data through the store; prints what the harness needs as JSON.")

        @Option var customers = 10_000
        @Option var orders = 100_000
        @Option var installers = 200
        @Option var auditEvents = 100_000
        @Option(help: "File whose first line is the password every seeded account shares.") var passwordFile: String

        func run() async throws {
            let (config, logger) = try loadConfig()
            guard config.environment != .production else { throw ValidationError("benchmark data never goes into production") }
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8), let password = text.split(separator: "\n").first.map(String.init)
            else { throw ValidationError("cannot read the password file") }
            var plan = BenchmarkSeed.Plan()
            (plan.customers, plan.orders, plan.installers, plan.auditEvents) = (customers, orders, installers, auditEvents)
            let services = try await makeServices(config: config, logger: logger)
            let result = try await BenchmarkSeed(services: services).run(plan, password: password)
            try await services.store.shutdown()
            print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
        }
    }

    struct Hash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time one Argon2id verification (the login ceiling is cores / this).")
        @Option var iterations = 5

        func run() async throws {
            let hasher = try PasswordHasher(threads: 1)
            let hash = try await hasher.hash("benchmark passphrase")
            var best = Double.infinity
            for _ in 0..<max(1, iterations) {
                let start = ContinuousClock.now
                _ = try await hasher.verify("benchmark passphrase", against: hash)
                let elapsed = ContinuousClock.now - start
                best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            print(String(format: "{\"verifySeconds\": %.6f, \"cores\": %d}", best, ProcessInfo.processInfo.activeProcessorCount))
        }
    }
}
