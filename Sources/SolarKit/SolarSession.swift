public import Foundation
public import OpenAPIRuntime
public import SolarClient
import HTTPTypes

/// A signed-in user's session for an app. It holds the tokens (in a `TokenStore`), signs every
/// call of `client`, and when a call answers 401 refreshes once for everyone: concurrent calls
/// that hit an expired token wait for the same refresh, so the rotating refresh token is never
/// presented twice (which the server treats as theft and answers by revoking the session).
public actor SolarSession {
    public enum LoginOutcome: Sendable, Equatable { case signedIn, mfaRequired }
    public enum Failure: Error, Equatable { case notSignedIn, loginRefused(Int), refreshRefused }

    let store: any TokenStore
    /// Calls that need no token (login, refresh): never retried through the session.
    nonisolated let anonymous: Client
    private var tokens: SessionTokens?
    private var refreshing: Task<SessionTokens, any Error>?
    /// How many refreshes this session made (for tests and diagnostics).
    public private(set) var refreshCount = 0

    public init(serverURL: URL, transport: any ClientTransport, store: any TokenStore) {
        self.store = store
        self.anonymous = Client(serverURL: serverURL, transport: transport)
    }

    /// A client whose calls carry this session's token, recover from one expiry, and retry what
    /// is safe to retry (`RetryMiddleware`).
    public nonisolated func client(serverURL: URL, transport: any ClientTransport, retry: RetryMiddleware = RetryMiddleware()) -> Client {
        Client(serverURL: serverURL, transport: transport, middlewares: [SessionMiddleware(session: self), retry])
    }

    /// Restores a saved session, if any.
    public func restore() async throws -> Bool {
        tokens = try await store.load()
        return tokens != nil
    }

    public func login(email: String, password: String, totpCode: String? = nil) async throws -> LoginOutcome {
        let output = try await anonymous.login(body: .json(.init(email: email, password: password, totpCode: totpCode)))
        switch output {
        case .ok(let ok):
            let body = try ok.body.json
            try await adopt(SessionTokens(accessToken: body.accessToken, refreshToken: body.refreshToken))
            return .signedIn
        case .unauthorized(let refused):
            if case .applicationProblemJson(let problem) = refused.body, problem._type == "/problems/mfa-required" { return .mfaRequired }
            throw Failure.loginRefused(401)
        default:
            throw Failure.loginRefused(0)
        }
    }

    public func signOut() async throws {
        tokens = nil
        try await store.clear()
    }

    var accessToken: String? { tokens?.accessToken }

    /// The tokens after the one that failed with `failed` was replaced: one refresh however many
    /// calls ask at once; a caller whose token was already replaced gets the new one directly.
    func refreshed(after failed: String) async throws -> SessionTokens {
        if let tokens, tokens.accessToken != failed { return tokens }
        if let refreshing { return try await refreshing.value }
        guard let current = tokens else { throw Failure.notSignedIn }
        let task = Task { [anonymous] () throws -> SessionTokens in
            let output = try await anonymous.refreshToken(body: .json(.init(refreshToken: current.refreshToken)))
            guard case .ok(let ok) = output else { throw Failure.refreshRefused }
            let body = try ok.body.json
            return SessionTokens(accessToken: body.accessToken, refreshToken: body.refreshToken)
        }
        refreshing = task
        defer { refreshing = nil }
        do {
            let new = try await task.value
            refreshCount += 1
            try await adopt(new)
            return new
        } catch {
            // The refresh token was refused (expired, revoked): the session is over.
            tokens = nil
            try? await store.clear()  // already signed out in memory; a stale file cannot sign in
            throw error
        }
    }

    private func adopt(_ new: SessionTokens) async throws {
        tokens = new
        try await store.save(new)
    }
}

/// Signs each request with the session's access token; on a 401 gets the refreshed token (one
/// refresh for all concurrent callers) and sends the request once more.
struct SessionMiddleware: ClientMiddleware {
    let session: SolarSession

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let token = await session.accessToken else { throw SolarSession.Failure.notSignedIn }
        var signed = request
        signed.headerFields[.authorization] = "Bearer \(token)"
        let (response, responseBody) = try await next(signed, body, baseURL)
        guard response.status == .unauthorized else { return (response, responseBody) }
        let fresh = try await session.refreshed(after: token)
        signed.headerFields[.authorization] = "Bearer \(fresh.accessToken)"
        return try await next(signed, body, baseURL)
    }
}
