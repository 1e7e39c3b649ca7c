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
        static let configuration = CommandConfiguration(
            abstract: "Time Argon2id verification with every core hashing (the login ceiling is cores / one verify).",
            discussion: "One verify alone is faster than under load (the cores share memory bandwidth and cache), so the ceiling is measured the way logins run: one verifier per core for --seconds, and one verify is the mean time each took."
        )
        @Option(help: "How long every core hashes.") var seconds = 4.0

        func run() async throws {
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let hasher = try PasswordHasher(threads: cores)
            let hash = try await hasher.hash("benchmark passphrase")
            _ = try await hasher.verify("benchmark passphrase", against: hash)
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            let start = ContinuousClock.now
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<cores {
                    group.addTask {
                        var done = 0
                        while ContinuousClock.now < deadline {
                            _ = try await hasher.verify("benchmark passphrase", against: hash)
                            done += 1
                        }
                        return done
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = ContinuousClock.now - start
            let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            // Each core ran verifies back to back: one verify took cores × wall / count on average.
            let verify = Double(cores) * wall / Double(max(1, counts))
            print(String(format: "{\"verifySeconds\": %.6f, \"cores\": %d, \"verifies\": %d}", verify, cores, counts))
        }
    }
}
