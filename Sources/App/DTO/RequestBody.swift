import Domain
import Foundation
import Hummingbird
import NIOCore
import HTTPTypes
import Logging
import SolarSecurity
import Storage

/// The wire shape of a request body: which fields a client may send. Anything else
/// (for example `role`, `id` or `status` on signup) is rejected before decoding, so a
/// body can never carry server-owned fields (mass assignment).
indirect enum BodyShape: Sendable {
    case scalar
    case array(BodyShape)
    case object([String: BodyShape])

    /// Paths of fields that the shape does not allow.
    func unknownFields(in json: JSONValue, path: String = "") -> [String] {
        switch (self, json) {
        case (.object(let fields), .object(let members)):
            members.sorted { $0.key < $1.key }.flatMap { member -> [String] in
                let keyPath = path.isEmpty ? member.key : "\(path).\(member.key)"
                guard let shape = fields[member.key] else { return [keyPath] }
                return shape.unknownFields(in: member.value, path: keyPath)
            }
        case (.array(let element), .array(let values)):
            values.enumerated().flatMap { element.unknownFields(in: $1, path: "\(path)[\($0)]") }
        default:
            []
        }
    }
}

/// A JSON request body with a declared shape.
protocol RequestBody: Decodable, Sendable {
    static var shape: BodyShape { get }
}

extension Request {
    /// Reads and decodes a JSON body: 413 beyond the context's limit, 400 when it is not strict
    /// JSON (`StrictJSON`: also a duplicate key at any depth) or not an object,
    /// 422 for unknown, missing or mistyped fields. Messages name API fields only.
    func decodeBody<T: RequestBody>(_ type: T.Type, context: some RequestContext) async throws -> T {
        let mediaType = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw ApiError(.unsupportedMediaType, "unsupported-media-type", "The request body must be application/json.")
        }
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        // One strict parse (duplicate keys at any depth, bad UTF-8 etc. are 400); the shape
        // check reads that tree, and the decoder reads the same tree written back out, so
        // the two can never see different documents.
        guard let json = try? StrictJSON.parse(buffer.readableBytesView), case .object = json else {
            throw ApiError.malformedBody
        }
        let unknown = T.shape.unknownFields(in: json)
        guard unknown.isEmpty else {
            throw ApiError.validation(unknown.map { FieldError($0, "is not a field clients may set") })
        }
        let decoder = JSONDecoder()
        do {
            return try decoder.decode(T.self, from: json.serialized)
        } catch let error as DecodingError {
            throw ApiError.validation([Self.fieldError(error)])
        }
    }

    static func fieldError(_ error: DecodingError) -> FieldError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context): return FieldError(path(context.codingPath + [key]), "is required")
        case .valueNotFound(_, let context): return FieldError(path(context.codingPath), "must not be null")
        case .typeMismatch(_, let context): return FieldError(path(context.codingPath), "has the wrong type")
        case .dataCorrupted(let context): return FieldError(path(context.codingPath), "has an invalid value")
        @unknown default: return FieldError("", "is invalid")
        }
    }
}
