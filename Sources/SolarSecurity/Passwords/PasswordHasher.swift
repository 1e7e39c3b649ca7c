import CArgon2
import Foundation
public import NIOPosix
import Synchronization

/// Argon2id password hashing through libargon2, with the OWASP parameters
/// (m = 19 MiB, t = 2, p = 1), a 16-byte random salt and PHC string output.
///
/// Hashing is slow on purpose, so it runs on a dedicated thread pool, never on an event
/// loop, and at most `maxPending` hashes may wait at once: beyond that callers get
/// `PasswordHasherError.overloaded` (HTTP 503) instead of queueing without bound.
public final class PasswordHasher: Sendable {
    /// Cost parameters. Tests may lower them; production uses `.owasp`.
    public struct Parameters: Sendable, Equatable {
        public var memoryKiB: UInt32
        public var iterations: UInt32
        public var parallelism: UInt32

        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
        }

        /// OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1.
        public static let owasp = Parameters(memoryKiB: 19_456, iterations: 2, parallelism: 1)
    }

    public static let saltLength = 16
    public static let hashLength = 32

    public let parameters: Parameters
    private let pool: NIOThreadPool
    private let maxPending: Int
    private let pending = Mutex(0)
    private let started = Mutex(0)
    /// Verified when the account does not exist, so that timing does not reveal which emails exist.
    private let dummyHash: String

    public init(parameters: Parameters = .owasp, threads: Int = 2, maxPending: Int = 64) throws {
        self.parameters = parameters
        self.maxPending = maxPending
        self.pool = NIOThreadPool(numberOfThreads: threads)
        self.pool.start()
        self.dummyHash = try Self.hashSync(Self.randomBytes(24).base64EncodedString(), parameters: parameters)
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    /// Hashes a password into a `$argon2id$...` PHC string. The password is NFC-normalised, never truncated.
    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await run { try Self.hashSync(password, parameters: parameters) }
    }

    /// Checks `password` against `encoded`. With no stored hash it verifies a dummy hash
    /// (same cost) and returns false.
    public func verify(_ password: String, against encoded: String?) async throws -> Bool {
        let target = encoded ?? dummyHash
        let matches = try await run { Self.verifySync(password, encoded: target) }
        return encoded != nil && matches
    }

    /// How many hashes and verifications have been admitted so far: lets tests check that two
    /// paths that must take the same time run the same number of Argon2id computations.
    public var operationsStarted: Int { started.withLock { $0 } }

    private func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted = pending.withLock { count in
            guard count < maxPending else { return false }
            count += 1
            return true
        }
        guard admitted else { throw PasswordHasherError.overloaded }
        started.withLock { $0 += 1 }
        defer { pending.withLock { $0 -= 1 } }
        return try await pool.runIfActive(work)
    }

    static func randomBytes(_ count: Int) -> Data {
        Data(SecureRandom.bytes(count))
    }

    static func hashSync(_ password: String, parameters: Parameters) throws -> String {
        let pwd = Array(password.precomposedStringWithCanonicalMapping.utf8)
        let salt = SecureRandom.bytes(saltLength)
        let length = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            UInt32(saltLength), UInt32(hashLength), Argon2_id
        )
        var encoded = [CChar](repeating: 0, count: length)
        let status = argon2id_hash_encoded(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            pwd, pwd.count, salt, salt.count, hashLength, &encoded, length
        )
        guard status == ARGON2_OK.rawValue else { throw PasswordHasherError.hashingFailed }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func verifySync(_ password: String, encoded: String) -> Bool {
        guard encoded.hasPrefix("$argon2id$") else { return false }
        let pwd = Array(password.precomposedStringWithCanonicalMapping.utf8)
        return argon2id_verify(encoded, pwd, pwd.count) == ARGON2_OK.rawValue
    }
}

/// Failures of the password hasher. Neither carries the password.
public enum PasswordHasherError: Error, Sendable {
    /// Too many hashes are waiting; the caller should retry later.
    case overloaded
    /// libargon2 refused (for example, out of memory).
    case hashingFailed
}
