import Foundation
import SolarSecurity
import Testing

@Suite("Argon2id password hashing")
struct PasswordHasherTests {
    @Test("production parameters are the OWASP ones and appear in the PHC string")
    func owaspParameters() async throws {
        #expect(PasswordHasher.Parameters.owasp == .init(memoryKiB: 19_456, iterations: 2, parallelism: 1))
        let hasher = try PasswordHasher()
        #expect(hasher.parameters == .owasp)
        let hash = try await hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        let parts = hash.split(separator: "$")
        // salt (16 bytes) and hash (32 bytes) in unpadded base64
        #expect(parts[3].count == 22 && parts[4].count == 43)
    }

    let fast = PasswordHasher.Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)

    @Test("verify accepts the password and rejects others")
    func verify() async throws {
        let hasher = try PasswordHasher(parameters: fast)
        let hash = try await hasher.hash("correct horse battery")
        #expect(try await hasher.verify("correct horse battery", against: hash))
        #expect(try await !hasher.verify("correct horse batterY", against: hash))
        #expect(try await !hasher.verify("", against: hash))
        #expect(try await !hasher.verify("correct horse battery", against: "$2b$10$notargon"))
    }

    @Test("each hash has its own salt")
    func salted() async throws {
        let hasher = try PasswordHasher(parameters: fast)
        #expect(try await hasher.hash("same password") != (try await hasher.hash("same password")))
    }

    @Test("no stored hash: a dummy hash is verified and the answer is false")
    func unknownAccount() async throws {
        let hasher = try PasswordHasher(parameters: fast)
        #expect(try await !hasher.verify("anything at all", against: nil))
    }

    @Test("an unknown account costs a full Argon2id verification (production parameters), like a known one")
    func unknownAccountTakesAsLong() async throws {
        let hasher = try PasswordHasher(threads: 1)
        let stored = try await hasher.hash("the real sunny passphrase")
        // Counted: the unknown path runs one Argon2id computation, as the known path does.
        let before = hasher.operationsStarted
        #expect(try await !hasher.verify("a wrong passphrase", against: nil))
        #expect(hasher.operationsStarted == before + 1)
        // Timed, with a wide margin (other suites run alongside): the fastest of five runs of each.
        // A shortcut for unknown accounts would be over a thousand times faster, not a few.
        func fastest(_ work: () async throws -> Bool) async throws -> Duration {
            var best = Duration.seconds(60)
            for _ in 0..<5 {
                let start = ContinuousClock.now
                _ = try await work()
                best = min(best, ContinuousClock.now - start)
            }
            return best
        }
        let known = try await fastest { try await hasher.verify("a wrong passphrase", against: stored) }
        let unknown = try await fastest { try await hasher.verify("a wrong passphrase", against: nil) }
        #expect(unknown > known / 10, "unknown \(unknown) vs known \(known)")
        #expect(known > .milliseconds(2), "production parameters take real work: \(known)")
    }

    @Test("long passwords are never truncated")
    func noTruncation() async throws {
        let hasher = try PasswordHasher(parameters: fast)
        let long = String(repeating: "a", count: 127) + "b"
        let hash = try await hasher.hash(long)
        #expect(try await !hasher.verify(String(repeating: "a", count: 127) + "c", against: hash))
        #expect(try await !hasher.verify(String(repeating: "a", count: 127), against: hash))
        #expect(try await hasher.verify(long, against: hash))
    }

    @Test("Unicode passwords are NFC-normalised, so composed and decomposed forms match")
    func unicode() async throws {
        let hasher = try PasswordHasher(parameters: fast)
        let hash = try await hasher.hash("contrase\u{00F1}a segura")
        #expect(try await hasher.verify("contrasen\u{0303}a segura", against: hash))
    }

    @Test("hashing is bounded: beyond the pending limit callers are refused, not queued")
    func bounded() async throws {
        let hasher = try PasswordHasher(parameters: .owasp, threads: 1, maxPending: 2)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        _ = try await hasher.hash("some password")
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.contains(false))
        #expect(results.contains(true))
    }

}
