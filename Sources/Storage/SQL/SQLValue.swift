public import Foundation
import SolarSecurity

/// A value bound to, or read from, a prepared statement parameter. SQL text never contains values.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    public static func uuid(_ id: UUID?) -> SQLValue { id.map { .text(UUIDText.string($0)) } ?? .null }
    public static func date(_ date: Date?) -> SQLValue { date.map { .int(Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? .null }
    public static func optionalText(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }
    public static func bool(_ value: Bool) -> SQLValue { .int(value ? 1 : 0) }
}

/// The column names of one result, shared by all its rows: a row is an array of values and a
/// lookup by name is one hash, not a dictionary built per row.
public final class SQLColumns: Sendable {
    /// Lower-cased, in select order.
    public let names: [String]
    private let positions: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (i, name) in names.enumerated() where positions[name] == nil { positions[name] = i }
        self.positions = positions
    }

    public func position(_ name: String) -> Int? { positions[name] }
}

/// One result row: values in select order, looked up by (lower-cased) column name.
public struct SQLRow: Sendable {
    public let columns: SQLColumns
    public var values: [SQLValue]

    public init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public func value(_ column: String) throws(StorageError) -> SQLValue {
        guard let i = columns.position(column), i < values.count else { throw StorageError.corruptRow(column) }
        return values[i]
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
        guard let id = UUIDText.parse(try string(column)) else { throw StorageError.corruptRow(column) }
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
