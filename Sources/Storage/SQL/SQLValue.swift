public import Foundation

/// A value bound to, or read from, a prepared statement parameter. SQL text never contains values.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    public static func uuid(_ id: UUID?) -> SQLValue { id.map { .text($0.uuidString.lowercased()) } ?? .null }
    public static func date(_ date: Date?) -> SQLValue { date.map { .int(Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? .null }
    public static func optionalText(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }
    public static func bool(_ value: Bool) -> SQLValue { .int(value ? 1 : 0) }
}

/// One result row: column names (lower-cased) to values.
public struct SQLRow: Sendable {
    public var values: [String: SQLValue]

    public init(values: [String: SQLValue]) {
        self.values = values
    }

    public func value(_ column: String) throws(StorageError) -> SQLValue {
        guard let value = values[column] else { throw StorageError.corruptRow(column) }
        return value
    }

    public func string(_ column: String) throws(StorageError) -> String {
        guard case .text(let s) = try value(column) else { throw StorageError.corruptRow(column) }
        return s
    }

    public func optionalString(_ column: String) throws(StorageError) -> String? {
        if case .null = try value(column) { return nil }
        return try string(column)
    }

    public func int(_ column: String) throws(StorageError) -> Int64 {
        switch try value(column) {
        case .int(let i): return i
        case .double(let d) where d == d.rounded(): return Int64(d)
        case .text(let t) where Int64(t) != nil: return Int64(t)!
        default: throw StorageError.corruptRow(column)
        }
    }

    public func optionalInt(_ column: String) throws(StorageError) -> Int64? {
        if case .null = try value(column) { return nil }
        return try int(column)
    }

    public func double(_ column: String) throws(StorageError) -> Double {
        switch try value(column) {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .text(let t) where Double(t) != nil: return Double(t)!
        default: throw StorageError.corruptRow(column)
        }
    }

    public func bool(_ column: String) throws(StorageError) -> Bool { try int(column) != 0 }

    public func uuid(_ column: String) throws(StorageError) -> UUID {
        guard let id = UUID(uuidString: try string(column)) else { throw StorageError.corruptRow(column) }
        return id
    }

    public func optionalUUID(_ column: String) throws(StorageError) -> UUID? {
        if case .null = try value(column) { return nil }
        return try uuid(column)
    }

    public func date(_ column: String) throws(StorageError) -> Date {
        Date(timeIntervalSince1970: Double(try int(column)) / 1000)
    }

    public func optionalDate(_ column: String) throws(StorageError) -> Date? {
        if case .null = try value(column) { return nil }
        return try date(column)
    }
}
