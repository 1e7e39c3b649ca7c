import Hummingbird
import HTTPTypes

/// Caps the request's header section: more than `maxBytes` of names and values in total
/// answers 431 before anything else looks at the request.
struct HeaderLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// 16 KiB: far above what the apps and browsers send, far below what a flood needs.
    static let maxBytes = 16 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var total = request.uri.string.utf8.count
        for field in request.headers {
            total += field.name.rawName.utf8.count + field.value.utf8.count + 4
            if total > Self.maxBytes { throw ApiError.headersTooLarge }
        }
        return try await next(request, context)
    }
}
