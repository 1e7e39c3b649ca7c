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

/// One result row: values in select order, looked up by (lower-cased) column name, or by
/// position where a hot path knows its select list (`field(_:_:)`).
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

    /// The value at `position`, which the caller's select list puts there; `column` names it in
    /// errors. Callers check the result's `columns.names` once (see `orders(from:)`).
    public func field(_ position: Int, _ column: String) throws(StorageError) -> SQLField {
        guard position < values.count else { throw StorageError.corruptRow(column) }
        return SQLField(value: values[position], column: column)
    }

    private func field(_ column: String) throws(StorageError) -> SQLField { SQLField(value: try value(column), column: column) }

    public func string(_ column: String) throws(StorageError) -> String { try field(column).string() }
    public func optionalString(_ column: String) throws(StorageError) -> String? { try field(column).optionalString() }
    public func int(_ column: String) throws(StorageError) -> Int64 { try field(column).int() }
    public func optionalInt(_ column: String) throws(StorageError) -> Int64? { try field(column).optionalInt() }
    public func double(_ column: String) throws(StorageError) -> Double { try field(column).double() }
    public func bool(_ column: String) throws(StorageError) -> Bool { try field(column).int() != 0 }
    public func uuid(_ column: String) throws(StorageError) -> UUID { try field(column).uuid() }
    public func optionalUUID(_ column: String) throws(StorageError) -> UUID? { try field(column).optionalUUID() }
    public func date(_ column: String) throws(StorageError) -> Date { try field(column).date() }
    public func optionalDate(_ column: String) throws(StorageError) -> Date? { try field(column).optionalDate() }
}

/// One value of a row with its column's name, read as the type the column holds; a value of
/// another type is a corrupt row.
public struct SQLField: Sendable {
    public let value: SQLValue
    public let column: String

    public func string() throws(StorageError) -> String {
        guard case .text(let s) = value else { throw StorageError.corruptRow(column) }
        return s
    }

    public func optionalString() throws(StorageError) -> String? {
        if case .null = value { return nil }
        return try string()
    }

    public func int() throws(StorageError) -> Int64 {
        switch value {
        case .int(let i): return i
        case .double(let d) where d == d.rounded(): return Int64(d)
        case .text(let t) where Int64(t) != nil: return Int64(t)!
        default: throw StorageError.corruptRow(column)
        }
    }

    public func optionalInt() throws(StorageError) -> Int64? {
        if case .null = value { return nil }
        return try int()
    }

    public func double() throws(StorageError) -> Double {
        switch value {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .text(let t) where Double(t) != nil: return Double(t)!
        default: throw StorageError.corruptRow(column)
        }
    }

    public func uuid() throws(StorageError) -> UUID {
        guard let id = UUIDText.parse(try string()) else { throw StorageError.corruptRow(column) }
        return id
    }

    public func optionalUUID() throws(StorageError) -> UUID? {
        if case .null = value { return nil }
        return try uuid()
    }

    public func date() throws(StorageError) -> Date {
        Date(timeIntervalSince1970: Double(try int()) / 1000)
    }

    public func optionalDate() throws(StorageError) -> Date? {
        if case .null = value { return nil }
        return try date()
    }
}
