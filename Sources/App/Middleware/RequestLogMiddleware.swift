import Foundation
import Hummingbird
import Logging
import Domain
import HTTPTypes
import NIOCore
import SolarSecurity
import Storage

/// Logs one JSON line per request (method, path without query, status, duration, request id)
/// and returns the request id in `X-Request-ID`. Query strings and bodies are never logged:
/// they can hold personal data.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.init("X-Request-ID")!] = context.requestID
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.1f", ms)),
        ])
        return response
    }
}
