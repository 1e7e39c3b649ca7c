import Foundation
import HTTPTypes
import Hummingbird

/// Answers 405 with an `Allow` header, instead of 404, when the path exists but not for the
/// request's method (RFC 9110 §15.5.6). Added to the router last, it wraps only the
/// router's not-found responder, so matched routes never pass through it.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route's path segments (a capture or wildcard segment is nil) and method.
    let routes: [(segments: [Substring?], method: HTTPRequest.Method)]

    init(routes: [Router<Context>.RouteDescription]) {
        self.routes = routes.map { route in
            let segments = route.path.description.split(separator: "/").map { segment -> Substring? in
                segment.hasPrefix(":") || segment.hasPrefix("{") || segment.contains("*") ? nil : segment
            }
            return (segments, route.method)
        }
    }

    /// The methods registered for `path`, sorted; empty when no route has this path.
    func allowed(for path: String) -> [String] {
        let parts = path.split(separator: "/")
        let methods = routes.filter { route in
            route.segments.count == parts.count && zip(route.segments, parts).allSatisfy { $0 == nil || $0 == $1 }
        }.map(\.method.rawValue)
        return Set(methods).sorted()
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = allowed(for: request.uri.path)
            guard !methods.isEmpty else { throw error }
            throw ApiError(.methodNotAllowed, "method-not-allowed", "The resource does not support this method.",
                           headers: [.allow: methods.joined(separator: ", ")])
        }
    }
}
