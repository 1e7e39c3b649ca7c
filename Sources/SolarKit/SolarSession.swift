public import Foundation
public import OpenAPIRuntime
public import SolarClient
import HTTPTypes

/// A signed-in user's session for an app. It holds the tokens (in a `TokenStore`), signs every
/// call of `client`, and when a call answers 401 refreshes once for everyone: concurrent calls
/// that hit an expired token wait for the same refresh, so the rotating refresh token is never
/// presented twice (which the server treats as theft and answers by revoking the session).
public actor SolarSession {
    public enum LoginOutcome: Sendable, Equatable {
        case signedIn
        /// The account has two-factor authentication: log in again with the code (or a recovery code).
        case mfaRequired
        /// A staff or installer account without two-factor authentication: the session can only enrol it.
        case enrollmentRequired
        /// A customer on a device the account has not used: a code was emailed; log in again with it.
        case emailCodeRequired
    }
    public enum Failure: Error, Equatable { case notSignedIn, loginRefused(Int), refreshRefused }

    let store: any TokenStore
    nonisolated let serverURL: URL
    nonisolated let transport: any ClientTransport
    /// Calls that need no token (login, refresh): never retried through the session.
    nonisolated let anonymous: Client
    private var tokens: SessionTokens?
    /// The trusted-device token of the last login (for the app's secure storage).
    public private(set) var lastDeviceToken: String?
    private var refreshing: Task<SessionTokens, any Error>?
    /// How many refreshes this session made (for tests and diagnostics).
    public private(set) var refreshCount = 0

    public init(serverURL: URL, transport: any ClientTransport, store: any TokenStore) {
        (self.store, self.serverURL, self.transport) = (store, serverURL, transport)
        self.anonymous = Client(serverURL: serverURL, transport: transport)
    }

    /// A client whose calls carry this session's token, recover from one expiry, and retry what
    /// is safe to retry (`RetryMiddleware`). By default on the session's own server and transport.
    public nonisolated func client(serverURL: URL? = nil, transport: (any ClientTransport)? = nil, retry: RetryMiddleware = RetryMiddleware()) -> Client {
        Client(serverURL: serverURL ?? self.serverURL, transport: transport ?? self.transport, middlewares: [SessionMiddleware(session: self), retry])
    }

    /// Restores a saved session, if any.
    public func restore() async throws -> Bool {
        tokens = try await store.load()
        return tokens != nil
    }

    /// Logs in. `deviceToken` is the trusted-device token of an earlier login on this device
    /// (`lastDeviceToken`, which the app keeps in its secure storage across logouts): with it a
    /// customer is not asked for an emailed code again.
    public func login(email: String, password: String, totpCode: String? = nil, emailCode: String? = nil,
                      deviceToken: String? = nil) async throws -> LoginOutcome {
        let output = try await anonymous.login(body: .json(.init(email: email, password: password, totpCode: totpCode,
                                                                 deviceToken: deviceToken, emailCode: emailCode)))
        switch output {
        case .ok(let ok):
            let body = try ok.body.json
            try await adopt(SessionTokens(accessToken: body.accessToken, refreshToken: body.refreshToken))
            lastDeviceToken = body.deviceToken ?? lastDeviceToken
            return body.mfaEnrollmentRequired ? .enrollmentRequired : .signedIn
        case .unauthorized(let refused):
            if case .applicationProblemJson(let problem) = refused.body, problem._type == "/problems/mfa-required" { return .mfaRequired }
            if case .applicationProblemJson(let problem) = refused.body, problem._type == "/problems/email-code-required" { return .emailCodeRequired }
            throw Failure.loginRefused(401)
        default:
            throw Failure.loginRefused(0)
        }
    }

    /// Ends the session on the server (its refresh token too), then forgets it here.
    public func logout() async throws {
        if tokens != nil {
            switch try await client().logout() {
            case .noContent, .unauthorized: break  // revoked now, or already
            default: throw Failure.refreshRefused
            }
        }
        try await signOut()
    }

    /// Forgets the session on this device only.
    public func signOut() async throws {
        tokens = nil
        try await store.clear()
    }

    /// The account's sessions (API and web), to show and revoke.
    public func sessions() async throws -> [Components.Schemas.SessionInfo] {
        guard case .ok(let ok) = try await client().listSessions() else { throw Failure.notSignedIn }
        return try ok.body.json.items
    }

    public func revoke(session id: String) async throws {
        guard case .noContent = try await client().revokeSession(path: .init(sessionId: id)) else { throw Failure.notSignedIn }
    }

    /// Step-up re-authentication before a sensitive change (valid 5 minutes on the server). The
    /// server replaces the access token; the new one is adopted (and stored) here.
    public func stepUp(password: String, totpCode: String? = nil) async throws -> Bool {
        guard case .ok(let ok) = try await client().reauthenticate(body: .json(.init(password: password, totpCode: totpCode))),
              let current = tokens else { return false }
        try await adopt(SessionTokens(accessToken: try ok.body.json.accessToken, refreshToken: current.refreshToken))
        return true
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
