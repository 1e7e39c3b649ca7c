public import Foundation
public import HTTPTypes
public import OpenAPIRuntime

/// Retries a call that failed on the way (a thrown transport error, or 429/502/503/504) with
/// jittered exponential backoff, but only when repeating it cannot do anything twice: idempotent
/// methods, and writes that carry an `Idempotency-Key`. The kit gives the writes that accept one
/// (order creation, quote and offer acceptance) a fresh key per call, kept across its retries.
public struct RetryMiddleware: ClientMiddleware {
    public var attempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// Operations whose writes the server deduplicates by `Idempotency-Key`.
    static let keyed: Set<String> = ["createOrder", "acceptQuote", "acceptOffer"]
    static let retryable: Set<HTTPResponse.Status> = [.tooManyRequests, .badGateway, .serviceUnavailable, .gatewayTimeout]

    public init(attempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5)) {
        (self.attempts, self.baseDelay, self.maxDelay) = (attempts, baseDelay, maxDelay)
    }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if Self.keyed.contains(operationID), request.headerFields[Self.idempotencyKey] == nil {
            request.headerFields[Self.idempotencyKey] = UUID().uuidString
        }
        let safe = [.get, .head, .put, .delete, .options].contains(request.method) || request.headerFields[Self.idempotencyKey] != nil
        var attempt = 1
        while true {
            do {
                let (response, responseBody) = try await next(request, body, baseURL)
                guard safe, attempt < attempts, Self.retryable.contains(response.status) else { return (response, responseBody) }
                try await Task.sleep(for: delay(attempt: attempt, retryAfter: response.headerFields[.retryAfter]))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                guard safe, attempt < attempts else { throw error }
                try await Task.sleep(for: delay(attempt: attempt, retryAfter: nil))
            }
            attempt += 1
        }
    }

    /// Full jitter: a random delay up to base × 2^(attempt-1), capped; `Retry-After` (seconds) wins
    /// when the server gives one, within the cap.
    func delay(attempt: Int, retryAfter: String?) -> Duration {
        if let seconds = retryAfter.flatMap(Int.init), seconds >= 0 { return min(.seconds(seconds), maxDelay) }
        let ceiling = min(baseDelay * (1 << min(attempt - 1, 16)), maxDelay)
        let millis = Int64(ceiling.components.seconds * 1000 + ceiling.components.attoseconds / 1_000_000_000_000_000)
        return .milliseconds(Int64.random(in: 0...max(millis, 1)))
    }
}
