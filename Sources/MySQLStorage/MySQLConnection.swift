import CMariaDB
import Foundation
import Storage

/// One MariaDB Connector/C connection. Every statement, DDL included, is a server-side
/// prepared statement (`mysql_stmt_*`) with bound parameters; prepared statements are cached.
///
/// Not thread-safe: `MySQLDatabase` hands a connection to one pool thread at a time.
final class MySQLConnection: SQLConnection {
    private let mysql: UnsafeMutablePointer<MYSQL>
    private var statements: [String: UnsafeMutablePointer<MYSQL_STMT>] = [:]
    /// Set when an error means the connection cannot be reused.
    private(set) var broken = false
    /// The server error number of the last failure, for retry decisions.
    private(set) var lastErrorCode: UInt32 = 0
    var lastUsed = ContinuousClock.now
    /// The isolation level this session's transactions run at, once this connection set it
    /// (`SET SESSION TRANSACTION ISOLATION LEVEL`); nil for the server's default.
    var sessionIsolation: String?

    /// Whether the client would honour a server's request for a local file (`LOAD DATA LOCAL`).
    var allowsLocalInfile: Bool {
        var value: UInt32 = 1
        mysql_get_option(mysql, MYSQL_OPT_LOCAL_INFILE, &value)
        return value != 0
    }

    private static let libraryReady: Bool = mysql_server_init(0, nil, nil) == 0

    init(options: MySQLOptions, password: String?) throws(StorageError) {
        guard Self.libraryReady, let handle = mysql_init(nil) else { throw StorageError.unavailable("mysql_init failed") }
        var connectTimeout = UInt32(options.connectTimeoutSeconds)
        var ioTimeout = UInt32(options.ioTimeoutSeconds)
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        _ = "utf8mb4".withCString { mysql_options(handle, MYSQL_SET_CHARSET_NAME, $0) }
        // No LOAD DATA LOCAL: a hostile or impersonated server could otherwise ask for client files.
        var localInfile: UInt32 = 0
        mysql_options(handle, MYSQL_OPT_LOCAL_INFILE, &localInfile)
        var yes: my_bool = 1
        var no: my_bool = 0
        switch options.tls {
        case .disabled:
            break
        case .required:
            mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &yes)
            mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no)
        case .verifyIdentity(let caFile):
            mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &yes)
            mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes)
            _ = caFile.withCString { mysql_options(handle, MYSQL_OPT_SSL_CA, $0) }
        }
        // CLIENT_FOUND_ROWS: UPDATE reports matched rows, like SQLite, so conditional updates mean the same.
        guard mysql_real_connect(handle, options.host, options.user, password, options.database, UInt32(options.port), nil, UInt(CLIENT_FOUND_ROWS)) != nil else {
            let code = mysql_errno(handle)
            mysql_close(handle)
            throw MySQLErrorMap.storageError(code: code == 0 ? 2003 : code, message: "connect")
        }
        mysql = handle
        try execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'", [])
        try execute("SET SESSION time_zone = '+00:00'", [])
    }

    deinit {
        for statement in statements.values { mysql_stmt_close(statement) }
        mysql_close(mysql)
    }

    /// Cheap liveness check (reconnects are done by the pool, not by the library).
    func ping() -> Bool {
        mysql_ping(mysql) == 0
    }

    /// The TLS cipher in use, or nil without TLS.
    var cipher: String? {
        mysql_get_ssl_cipher(mysql).map { String(cString: $0) }
    }

    func commit() throws(StorageError) {
        guard mysql_commit(mysql) == 0 else { throw fail(code: mysql_errno(mysql), message: "commit") }
    }

    func rollback() {
        if mysql_rollback(mysql) != 0 { broken = true }
    }

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> Int {
        try run(sql, binds).affected
    }

    func query(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> [SQLRow] {
        try run(sql, binds).rows
    }

    private func fail(code: UInt32, message: String) -> StorageError {
        lastErrorCode = code
        if MySQLErrorMap.breaksConnection(code) { broken = true }
        return MySQLErrorMap.storageError(code: code, message: message)
    }

    private func prepare(_ sql: String) throws(StorageError) -> UnsafeMutablePointer<MYSQL_STMT> {
        if let cached = statements[sql] { return cached }
        guard let statement = mysql_stmt_init(mysql) else { throw fail(code: mysql_errno(mysql), message: "stmt_init") }
        guard mysql_stmt_prepare(statement, sql, UInt(sql.utf8.count)) == 0 else {
            let error = fail(code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
            mysql_stmt_close(statement)
            throw error
        }
        statements[sql] = statement
        return statement
    }

    private func run(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> (affected: Int, rows: [SQLRow]) {
        lastUsed = .now
        let statement = try prepare(sql)
        var parameters = MySQLParameters(binds)
        defer { parameters.release() }
        guard Int(mysql_stmt_param_count(statement)) == binds.count else { throw StorageError.failure("parameter count mismatch") }
        if !binds.isEmpty {
            let ok = parameters.binds.withUnsafeMutableBufferPointer { mysql_stmt_bind_param(statement, $0.baseAddress) == 0 }
            guard ok else { throw fail(code: mysql_stmt_errno(statement), message: "bind_param") }
        }
        guard mysql_stmt_execute(statement) == 0 else {
            throw fail(code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
        }
        guard let metadata = mysql_stmt_result_metadata(statement) else {
            return (Int(truncatingIfNeeded: mysql_stmt_affected_rows(statement)), [])
        }
        defer {
            mysql_free_result(metadata)
            mysql_stmt_free_result(statement)
        }
        return (0, try fetchRows(statement, metadata))
    }

    private func fetchRows(_ statement: UnsafeMutablePointer<MYSQL_STMT>, _ metadata: UnsafeMutablePointer<MYSQL_RES>) throws(StorageError) -> [SQLRow] {
        var results = MySQLResultBuffers(metadata)
        defer { results.release() }
        let bound = results.binds.withUnsafeMutableBufferPointer { mysql_stmt_bind_result(statement, $0.baseAddress) == 0 }
        guard bound, mysql_stmt_store_result(statement) == 0 else {
            throw fail(code: mysql_stmt_errno(statement), message: "fetch setup")
        }
        var rows: [SQLRow] = []
        while true {
            let rc = mysql_stmt_fetch(statement)
            if rc == MYSQL_NO_DATA { break }
            guard rc == 0 || rc == MYSQL_DATA_TRUNCATED else { throw fail(code: mysql_stmt_errno(statement), message: "fetch") }
            rows.append(results.row(statement))
        }
        return rows
    }
}
