import Hummingbird
import HTTPTypes

/// Refuses every state-changing web request (anything but GET and HEAD outside `/api/`) that
/// is not same-origin, before authentication or routing decide anything: a cross-site post
/// gets 403 whether or not the browser sent the session cookie, and changes nothing. The
/// API is exempt: it takes only bearer tokens, which browsers never send by themselves.
struct WebOriginMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let web: WebSupport

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if ![.get, .head].contains(request.method), ProblemMiddleware.isWebPage(request.uri.path) {
            try web.requireSameOrigin(request)
        }
        return try await next(request, context)
    }
}
