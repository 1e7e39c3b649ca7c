import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

extension RouterGroup where Context == AuthenticatedContext {
    /// Registers a route that requires a logged-in caller whose role the access policy
    /// allows for `action`. This is the only way routes are added to the authenticated
    /// group, so every route states its policy and the default is to deny.
    @discardableResult
    func secured(
        _ method: HTTPRequest.Method, _ path: RouterPath, _ action: Action,
        handler: @escaping @Sendable (Request, AuthenticatedContext) async throws -> some ResponseGenerator
    ) -> Self {
        on(path, method: method) { request, context in
            try context.requireRole(for: action)
            return try await handler(request, context)
        }
    }
}

extension Request {
    /// Integer query parameter within `range`, or 400.
    func query(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = uri.queryParameters[name[...]] else { return fallback }
        guard let value = Int(String(raw)), range.contains(value) else { throw ApiError.badParameter }
        return value
    }
}

extension RequestContext {
    /// A UUID path parameter, or 400 when it is not one.
    func uuid(_ name: String) throws -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else { throw ApiError.badParameter }
        return id
    }
}

/// A JSON response with a chosen status.
struct Created<T: ResponseEncodable>: ResponseGenerator {
    var value: T
    var status: HTTPResponse.Status = .created
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try value.response(from: request, context: context)
        response.status = status
        return response
    }
}
