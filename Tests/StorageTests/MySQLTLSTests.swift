import Foundation
import MySQLStorage
import Storage
import StorageTesting
import Testing

/// `DATABASE_TLS`: the driver encrypts when asked, and `verify-identity` refuses a server whose
/// certificate does not chain to the configured CA.
@Suite("MySQL TLS", .enabled(if: TestDatabase.mysqlAvailable && ProcessInfo.processInfo.environment["SOLAR_TEST_MYSQL_CA_FILE"] != nil))
struct MySQLTLSTests {
    static var env: [String: String] { ProcessInfo.processInfo.environment }

    func cipher(_ tls: MySQLOptions.TLS) async throws -> String? {
        var (options, password) = try TestDatabase.adminOptions()
        options.tls = tls
        let database = MySQLDatabase(options: options, password: password)
        defer { Task { try? await database.shutdown() } }
        let report = try await database.diagnostics()
        let value = report.first { $0.name == "tls" }?.value
        return value == "none" ? nil : value
    }

    @Test("required and verify-identity connect encrypted; disabled does not")
    func encrypted() async throws {
        #expect(try await cipher(.required) != nil)
        #expect(try await cipher(.verifyIdentity(caFile: Self.env["SOLAR_TEST_MYSQL_CA_FILE"]!)) != nil)
        #expect(try await cipher(.disabled) == nil)
    }

    @Test("verify-identity refuses a server certificate from another CA")
    func wrongCA() async throws {
        await #expect {
            _ = try await cipher(.verifyIdentity(caFile: Self.env["SOLAR_TEST_MYSQL_OTHER_CA_FILE"]!))
        } throws: { error in
            if case StorageError.unavailable = error { true } else { false }
        }
    }
}
