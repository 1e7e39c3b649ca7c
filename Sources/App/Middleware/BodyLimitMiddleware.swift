import Hummingbird
import Domain
import Foundation
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

/// Refuses a declared body larger than the limit before reading it (413). Bodies without a
/// length are bounded when read (`Request.decodeBody`).
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > context.maxUploadSize {
            throw ApiError.tooLarge
        }
        return try await next(request, context)
    }
}
