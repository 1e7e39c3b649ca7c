import CMariaDB
import Storage

/// Parameter buffers for one execution; they must live until `mysql_stmt_execute` returns.
struct MySQLParameters {
    var binds: [MYSQL_BIND]
    private var allocations: [UnsafeMutableRawPointer] = []
    private let lengths: UnsafeMutablePointer<UInt>

    init(_ values: [SQLValue]) {
        binds = Array(repeating: MYSQL_BIND(), count: values.count)
        lengths = .allocate(capacity: max(values.count, 1))
        for (i, value) in values.enumerated() {
            switch value {
            case .null:
                binds[i].buffer_type = MYSQL_TYPE_NULL
            case .int(let x):
                binds[i].buffer_type = MYSQL_TYPE_LONGLONG
                binds[i].buffer = store(x)
            case .double(let d):
                binds[i].buffer_type = MYSQL_TYPE_DOUBLE
                binds[i].buffer = store(d)
            case .text(let t):
                let bytes = Array(t.utf8)
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
                bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count) }
                allocations.append(buffer)
                lengths[i] = UInt(bytes.count)
                binds[i].buffer_type = MYSQL_TYPE_STRING
                binds[i].buffer = buffer
                binds[i].buffer_length = UInt(bytes.count)
                binds[i].length = lengths + i
            }
        }
    }

    private mutating func store<T>(_ value: T) -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        buffer.storeBytes(of: value, as: T.self)
        allocations.append(buffer)
        return buffer
    }

    func release() {
        allocations.forEach { $0.deallocate() }
        lengths.deallocate()
    }
}

/// Result buffers: integers and doubles are bound natively, everything else is fetched as
/// text column by column with its exact length.
struct MySQLResultBuffers {
    enum Kind { case int, double, text }

    var binds: [MYSQL_BIND]
    let kinds: [Kind]
    let columns: SQLColumns
    private let numbers: UnsafeMutableRawPointer
    private let nulls: UnsafeMutablePointer<my_bool>
    private let lengths: UnsafeMutablePointer<UInt>

    init(_ metadata: UnsafeMutablePointer<MYSQL_RES>) {
        let count = Int(mysql_num_fields(metadata))
        let fields = mysql_fetch_fields(metadata)!
        numbers = .allocate(byteCount: 8 * max(count, 1), alignment: 8)
        nulls = .allocate(capacity: max(count, 1))
        lengths = .allocate(capacity: max(count, 1))
        binds = Array(repeating: MYSQL_BIND(), count: count)
        var kinds: [Kind] = []
        var names: [String] = []
        for i in 0..<count {
            let field = fields[i]
            names.append(String(cString: field.name).lowercased())
            let kind: Kind = switch field.type {
            case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_INT24, MYSQL_TYPE_YEAR: .int
            case MYSQL_TYPE_FLOAT, MYSQL_TYPE_DOUBLE: .double
            default: .text
            }
            kinds.append(kind)
            binds[i].is_null = nulls + i
            binds[i].length = lengths + i
            switch kind {
            case .int:
                binds[i].buffer_type = MYSQL_TYPE_LONGLONG
                binds[i].buffer = numbers + 8 * i
                binds[i].buffer_length = 8
            case .double:
                binds[i].buffer_type = MYSQL_TYPE_DOUBLE
                binds[i].buffer = numbers + 8 * i
                binds[i].buffer_length = 8
            case .text:
                binds[i].buffer_type = MYSQL_TYPE_STRING
                binds[i].buffer = nil
                binds[i].buffer_length = 0
            }
        }
        self.kinds = kinds
        self.columns = SQLColumns(names)
    }

    func row(_ statement: UnsafeMutablePointer<MYSQL_STMT>) -> SQLRow {
        var values: [SQLValue] = []
        values.reserveCapacity(kinds.count)
        for i in 0..<kinds.count {
            if nulls[i] != 0 {
                values.append(.null)
                continue
            }
            switch kinds[i] {
            case .int: values.append(.int((numbers + 8 * i).load(as: Int64.self)))
            case .double: values.append(.double((numbers + 8 * i).load(as: Double.self)))
            case .text: values.append(.text(text(statement, column: i)))
            }
        }
        return SQLRow(columns: columns, values: values)
    }

    private func text(_ statement: UnsafeMutablePointer<MYSQL_STMT>, column: Int) -> String {
        let length = Int(lengths[column])
        guard length > 0 else { return "" }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 1)
        defer { buffer.deallocate() }
        var bind = MYSQL_BIND()
        var fetched: UInt = 0
        bind.buffer_type = MYSQL_TYPE_STRING
        bind.buffer = buffer
        bind.buffer_length = UInt(length)
        return withUnsafeMutablePointer(to: &fetched) { fetchedPointer in
            bind.length = fetchedPointer
            _ = mysql_stmt_fetch_column(statement, &bind, UInt32(column), 0)
            return String(decoding: UnsafeRawBufferPointer(start: buffer, count: min(length, Int(fetchedPointer.pointee))), as: UTF8.self)
        }
    }

    func release() {
        numbers.deallocate()
        nulls.deallocate()
        lengths.deallocate()
    }
}
