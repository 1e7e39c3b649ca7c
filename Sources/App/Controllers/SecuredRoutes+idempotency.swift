import Domain
import Hummingbird
import HTTPTypes

extension RouterGroup where Context == AuthenticatedContext {
    /// `secured`, for a write clients may retry: with an `Idempotency-Key` header the handler runs
    /// at most once per account and key (`IdempotencyService`); without one it runs as usual.
    @discardableResult
    func securedIdempotent(
        _ method: HTTPRequest.Method, _ path: RouterPath, _ action: Action, idempotency: IdempotencyService,
        handler: @escaping @Sendable (Request, AuthenticatedContext) async throws -> some ResponseGenerator
    ) -> Self {
        secured(method, path, action) { request, context -> Response in
            guard let key = request.headers[IdempotencyService.header] else {
                return try await handler(request, context).response(from: request, context: context)
            }
            return try await idempotency.run(request, context: context, key: key) { request in
                try await handler(request, context).response(from: request, context: context)
            }
        }
    }
}
