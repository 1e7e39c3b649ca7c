import CMariaDB
import Storage

/// Maps MySQL/MariaDB error numbers to storage errors. Messages name codes, never values.
enum MySQLErrorMap {
    static func storageError(code: UInt32, message: String) -> StorageError {
        switch code {
        case 1062, 1586: // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
            return .conflict
        case 1048, 1364, 1366, 1406, 1451, 1452, 1264, 3819, 4025, 1292:
            // NULL, no default, bad value, too long, FK parent/child, out of range, CHECK (MySQL, MariaDB), bad date
            return .constraintViolation
        case 1205, 1213, 2002, 2003, 2005, 2006, 2013, 2026, 2055, 1040, 1053, 1927:
            // lock wait timeout, deadlock, cannot connect, server gone/lost, SSL, too many connections, shutdown, killed
            return .unavailable("mysql error \(code)")
        default:
            return .failure("mysql error \(code): \(message)")
        }
    }

    /// Errors worth retrying the whole transaction for.
    static func isRetryable(_ code: UInt32) -> Bool {
        code == 1213 || code == 1205
    }

    /// Errors after which the connection must be discarded.
    static func breaksConnection(_ code: UInt32) -> Bool {
        [2002, 2003, 2006, 2013, 2026, 2055, 1053, 1927].contains(code)
    }
}

/// A MySQL error with its number, kept so the pool can decide to retry or reconnect.
struct MySQLFailure: Error {
    let code: UInt32
    let storage: StorageError
}
