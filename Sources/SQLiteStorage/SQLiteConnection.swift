import CSQLite
import Foundation
import Storage

/// One SQLite connection with a prepared-statement cache.
///
/// Not thread-safe by itself: `SQLiteDatabase` only touches it from its single database thread.
final class SQLiteConnection: SQLConnection {
    private let db: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// `readOnly` connections refuse every write (`PRAGMA query_only`): they serve read transactions.
    init(path: String, readOnly: Bool = false) throws(StorageError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            if let handle { sqlite3_close_v2(handle) }
            throw StorageError.unavailable("cannot open the SQLite database")
        }
        db = handle
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
        // WAL for concurrent readers, FULL sync so an acknowledged commit survives power loss,
        // foreign keys enforced (SQLite leaves them off by default), deleted content overwritten,
        // and temporary tables and statement journals kept in memory: with the default they go
        // to files in /var/tmp, outside the database file and its permissions.
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON", "PRAGMA temp_store = MEMORY"] {
            _ = try query(pragma, [])
        }
        if readOnly { _ = try query("PRAGMA query_only = ON", []) }
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    /// Whether a transaction is open (SQLite is not in autocommit mode).
    var isInTransaction: Bool { sqlite3_get_autocommit(db) == 0 }

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> Int {
        _ = try run(sql, binds)
        return Int(sqlite3_changes(db))
    }

    func query(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> [SQLRow] {
        try run(sql, binds)
    }

    private func run(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> [SQLRow] {
        let statement = try prepare(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in binds.enumerated() {
            let position = Int32(index + 1)
            let rc: Int32 = switch value {
            case .null: sqlite3_bind_null(statement, position)
            case .int(let i): sqlite3_bind_int64(statement, position, i)
            case .double(let d): sqlite3_bind_double(statement, position, d)
            case .text(let t):
                // Explicit byte length: text with an embedded NUL is stored whole, never cut short.
                t.utf8CString.withUnsafeBufferPointer { buffer in
                    sqlite3_bind_text(statement, position, buffer.baseAddress, Int32(buffer.count - 1), Self.transient)
                }
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
        var rows: [SQLRow] = []
        var columns: SQLColumns?
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc) }
            let names = columns ?? Self.columns(statement)
            columns = names
            rows.append(row(statement, names))
        }
        return rows
    }

    private func prepare(_ sql: String) throws(StorageError) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc) }
        statements[sql] = statement
        return statement
    }

    /// The result's column names, read once per query rather than once per row.
    private static func columns(_ statement: OpaquePointer) -> SQLColumns {
        SQLColumns((0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)).lowercased() })
    }

    private func row(_ statement: OpaquePointer, _ columns: SQLColumns) -> SQLRow {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.names.count)
        for column in 0..<Int32(columns.names.count) {
            let value: SQLValue = switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: .int(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT: .double(sqlite3_column_double(statement, column))
            case SQLITE_NULL: .null
            default: .text(Self.text(statement, column))
            }
            values.append(value)
        }
        return SQLRow(columns: columns, values: values)
    }

    /// Reads a text column by its byte length, so embedded NUL characters survive.
    private static func text(_ statement: OpaquePointer, _ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Maps SQLite result codes to storage errors; the message names no values.
    private func error(_ rc: Int32) -> StorageError {
        let extended = sqlite3_extended_errcode(db)
        switch extended {
        case 2067, 1555: return .conflict // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY (macros not imported)
        default: break
        }
        switch rc & 0xFF {
        case SQLITE_CONSTRAINT: return .constraintViolation
        case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_FULL: return .unavailable("sqlite code \(extended)")
        default: return .failure("sqlite code \(extended): " + String(cString: sqlite3_errmsg(db)))
        }
    }
}
