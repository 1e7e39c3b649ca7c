/// One rejected input field. `field` is the API's name for it; `message` is safe to show.
public struct FieldError: Sendable, Equatable, Codable {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// Input that failed validation; nothing was changed.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }
}

/// Collects field errors while validating a request.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field, message)) }
    }

    /// Requires `value` to have between `range` characters and no control characters.
    public mutating func text(_ value: String?, _ field: String, _ range: ClosedRange<Int>, required: Bool = true) {
        guard let value else {
            check(!required, field, "is required")
            return
        }
        // Unicode scalars, as JSON Schema's maxLength and MySQL's VARCHAR count them.
        check(range.contains(value.unicodeScalars.count), field, "must be \(range.lowerBound) to \(range.upperBound) characters")
        check(!value.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" }, field, "contains control characters")
    }

    /// Throws when any check failed.
    public func finish() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
